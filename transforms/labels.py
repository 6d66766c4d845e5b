"""Training labels derived from gold: a role for every line, a role for every outlet candidate.

The gold states posts (start, end, title line), the stated date's text, where the body starts
and ends (``body_first`` / ``body_last``, its first and last eight words), the outlet's and the
mentions' evidence. From those, each line of a page gets one of :data:`LINE_LABELS`:

- ``O``  outside every post (page furniture: headers, sidebars, navigation, comment sections);
- ``SI`` a post's first line when it is prose (an intro) and a title follows;
- ``SH`` a post's first line when it is a short header (a date, a category) above its title;
- ``ST`` a post's first line when it is the title itself (title-first blogs, list entries);
- ``SR`` a post's first line when the post has no title (a media round-up);
- ``I``  further lines before the title (more intro), or any further line of a round-up;
- ``T``  the title line (when it is not the first line);
- ``D``  the stated date's own line (when it is neither the first nor the title line);
- ``B``  lines after the title: head, body, captions, subheadings;
- ``E``  lines after the body's last words: "Continue reading", comment counts, footers;
- ``N``  the piece's numbered notes (after its body).

In a post that opens with its title (``ST``) the lines after it are ``Dt``, ``Bt``, ``Et``: the
same roles, kept apart so that the chain of labels remembers which layout the page uses (a
title-first page alternates title and teaser; an intro-first page runs long bodies).

Partial gold: lines after the last annotated post are unlabelled and left out (the sequence is
truncated there), rather than taught as ``O``.
"""

from __future__ import annotations

import re
import unicodedata

from transforms.citations import looks_like_note
from transforms.gold import GoldPage
from transforms.text import clean

LINE_LABELS = ("O", "SI", "SH", "ST", "SR", "I", "T", "D", "B", "E", "N", "Dt", "Bt", "Et")
START_LABELS = frozenset({"SI", "SH", "ST", "SR"})
HEADER_MAX_CHARS = 60

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)


def loose(text: str | None) -> str:
    """Comparison form for locating gold strings in lines: NFKC, folded quotes, one space, case-folded."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _find_line(lines: list[str], first: int, last: int, needle: str, from_end: bool = False) -> int | None:
    """1-based number of the line in first..last whose text holds ``needle`` (loose), else None."""
    target = loose(needle)
    if not target:
        return None
    order = range(last, first - 1, -1) if from_end else range(first, last + 1)
    for n in order:
        if 1 <= n <= len(lines) and target in loose(lines[n - 1]):
            return n
    return None


def _is_header(text: str) -> bool:
    """A short first line (a date or category block) rather than an intro paragraph."""
    from transforms.dates import stated_date

    return len(text) <= HEADER_MAX_CHARS or stated_date(text) is not None


def line_labels(page: GoldPage) -> list[tuple[int, str]]:
    """(0-based line index, label) for every non-empty labelled line of ``page``, in order."""
    lines = page.lines()
    until = min(page.labelled_until(), len(lines))
    labels: dict[int, str] = {}
    for post in page.gold["posts"]:
        start, end = post["start_line"], post.get("end_line") or post["start_line"]
        title = post.get("title_line")
        date_line = _date_line(lines, post, start, end, title)
        body_end = _find_line(lines, title or start, end, post.get("body_last") or "", from_end=True)
        in_post: list[str] = []
        for n in range(start, end + 1):
            text = clean(lines[n - 1]) if n <= len(lines) else ""
            if not text:
                continue
            if n == start:
                if title == start:
                    label = "ST"
                elif title is None:
                    label = "SR"
                else:
                    label = "SH" if _is_header(text) else "SI"
            elif n == title:
                label = "T"
            elif n == date_line:
                label = "D"
            elif n > (title or start) and _furniture(text) and _only_furniture_after(lines, n, end):
                label = "E"
            elif body_end is not None and n > body_end:
                label = "N" if (looks_like_note(text) or in_post[-1:] == ["N"]) and title else "E"
            elif title is None or n < title:
                label = "I"
            else:
                label = "B"
            if title == start and label in ("D", "B", "E"):
                label += "t"
            labels[n - 1] = label
            in_post.append(label)
    out: list[tuple[int, str]] = []
    for i in range(until):
        if clean(lines[i]):
            out.append((i, labels.get(i, "O")))
    return out


def _furniture(text: str) -> bool:
    """A short line that is mostly a page-furniture phrase ("Continue reading", "Leave a comment")."""
    from transforms.lexicon import load_lexicon

    m = load_lexicon().footer.search(text.lower()) if len(text) <= 80 else None
    return m is not None and (len(text) <= 30 or m.end() - m.start() >= len(text) // 2)


def _only_furniture_after(lines: list[str], n: int, end: int) -> bool:
    """Every non-empty line from ``n`` to the post's end is furniture (the block that closes a post)."""
    return all(_furniture(t) for t in (clean(x) for x in lines[n - 1 : end]) if t)


def _date_line(lines: list[str], post: dict, start: int, end: int, title: int | None) -> int | None:
    """The line stating the piece's date, when it is a line of its own (not the first or the title)."""
    text = post.get("date_stated_text")
    if not text:
        return None
    n = _find_line(lines, start, end, text)
    return None if n in (start, title) else n
