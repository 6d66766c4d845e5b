"""Roles of the lines inside one post: title, standfirst, head furniture, body, bio, notes.

Why: the piece's fields come from specific lines (the date from a date line, authors from a
byline or bio, the outlet from the intro or head), and a caption's date or a pull quote must
never be mistaken for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from transforms.authors import NAME
from transforms.citations import is_notes_block, looks_like_note
from transforms.dates import stated_date
from transforms.folding import FoldedPattern
from transforms.shapes import has_caption_mark, is_bio, is_image_name
from transforms.text import clean

HEAD_SCAN = 8
_NOTES_HEADING = re.compile(r"^(?:end\s*notes|notes|footnotes|references|sources|bibliography)\s*:?$", re.I)
_SALUTATION = re.compile(r"^(?:sir|madam|dear\s+\w+)\s*,", re.I)
_BYLINE = re.compile(r"^(?:by|from|author\s*:)\s", re.I)
# a journal's issue line under the title ("Volume: 5 Issue: 33", "Vol. 12, Issue 4")
_ISSUE_LINE = re.compile(
    r"^(?:vol(?:ume)?\.?\s*:?\s*\d+[\s,;|]*(?:issue|no\.?)|issue)\s*:?\s*\d+\b[^.]{0,40}$", re.I
)
_DISCLAIMER = re.compile(
    r"^(the views expressed|this article has been|this article was|an earlier version|disclaimer)", re.I
)
_TAGS_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])")
_BYLINE_WORD = re.compile(r"^(from|by|author)\b", re.I)
_AFFILIATION = re.compile(r"\b(Fellow|Institute|University)\b,")
# A blog engine's meta line above or under a post, naming its categories or tags:
# "Posted: March 4th, 2011 in Articles, China", "Posted in China, Russia | Leave a comment",
# "This entry was posted on ... and is filed under China, Russia. You can follow ...",
# "Filed under: China", "Categories: China, Russia", "Tags: china, ports".
_POST_META = re.compile(
    r"^(?:posted(?::|\s+on)?\s+(?:.+?\s+)?in\s+(?P<a>[^|]+?)"
    r"|this entry was posted\b.*?\bfiled under\s+(?P<b>.+?)(?:\.\s.*)?"
    r"|(?:filed\s+under|categories|category|tags|tagged(?:\s+with)?)\s*:?\s+(?P<c>[^|]+?))"
    r"\s*\.?\s*(?:\|.*)?$",
    re.I,
)
# A blog engine's short line under a post that is neither body nor note: its age, comment count, permalink.
_META_FURNITURE = re.compile(
    r"^(?:age:\s*\d+\s+\w+|(?:no|one|\d+)\s+comments?|comments?\s*(?:\(\d+\)|off|closed)"
    r"|leave a (?:comment|reply)|permalink|edit)\s*[»\u00bb.]?\s*(?:\|.*)?$",
    re.I,
)
_META_LABEL = re.compile(r"[\w][\w'\u2019&/ .-]{0,40}")


def post_meta_labels(line: str) -> list[str] | None:
    """The categories or tags a post meta line lists; None when the line is not one.

    Why: older pages put the post's categories in such a line (above the body or under it); they
    are labels the author gave the post, so they become topics, and the line is never body text,
    a note or the end of a notes block.
    """
    labels = _meta_labels(line)
    return None if labels is None else list(labels)


@lru_cache(maxsize=1 << 16)  # asked of a post's head lines and of its last ones, on every page listing it
def _meta_labels(line: str) -> tuple[str, ...] | None:
    text = clean(line)
    if len(text) > 300 or text[:1] not in "PpTtFfCc":
        return None
    m = _POST_META.match(text)
    if m is None:
        return None
    labels = [p.strip() for p in (m.group("a") or m.group("b") or m.group("c")).split(",")]
    if not labels or not all(_META_LABEL.fullmatch(p) and len(p.split()) <= 5 for p in labels):
        return None
    return tuple(labels)


@dataclass
class Anatomy:
    """Line numbers are 1-based."""

    title: tuple[int, str]
    standfirst: tuple[int, str] | None = None
    head: list[tuple[int, str]] = field(default_factory=list)
    date_line: tuple[int, str] | None = None
    tags: list[str] = field(default_factory=list)
    body: list[tuple[int, str]] = field(default_factory=list)
    tail: list[tuple[int, str]] = field(default_factory=list)
    bio: tuple[int, str] | None = None
    notes: list[tuple[int, str]] = field(default_factory=list)
    captions: list[tuple[int, str]] = field(default_factory=list)
    # paragraphs after the piece's end (its bio or signature block): "Also spoke to X about Y"
    addenda: list[tuple[int, str]] = field(default_factory=list)


def split_tags(line: str) -> list[str]:
    """'China, Russia, Technology' or run-together 'RussiaDefence PolicyEurope'."""
    text = clean(line)
    parts = (
        [p.strip() for p in text.split(",")] if "," in text else [p.strip() for p in _TAGS_SPLIT.split(text)]
    )
    return [p for p in parts if p]


@lru_cache(maxsize=1 << 16)
def is_tag_line(line: str) -> bool:
    text = clean(line)
    if not text or len(text) > 250 or text.endswith((".", "?", "!")):
        return False
    if _BYLINE_WORD.match(text) or _AFFILIATION.search(text):
        return False  # a byline or signature with an affiliation, not a list of tags
    if "," in text:
        parts = [p.strip() for p in text.split(",")]
        return len(parts) >= 3 and all(p and p[0].isupper() and len(p.split()) <= 4 for p in parts)
    return len(_TAGS_SPLIT.findall(text)) >= 2 and len(text.split()) <= 12


def is_caption(line: str, seen: set[str]) -> bool:
    text = clean(line)
    return text in seen or _caption_like(text)


@lru_cache(maxsize=1 << 16)
def _caption_like(text: str) -> bool:
    """A caption's marks on a cleaned line (``is_caption`` without its ``seen`` lines)."""
    return len(text) < 400 and has_caption_mark(text) and not text.endswith(("?",))


@lru_cache(maxsize=1 << 16)
def _image_or_caption(text: str) -> bool:
    """``is_image_name(text) or _caption_like(text)`` of a cleaned line, remembered: it is asked
    of every body paragraph, and a post's paragraphs recur on every tag page listing it."""
    return is_image_name(text) or _caption_like(text)


def _standfirst_shape(text: str, following: list[str]) -> bool:
    """A standfirst is a teaser, not the first body paragraph: it ends without a full stop
    ("Who won?", "Flare ups need handling with caution") or head furniture follows it (a
    byline, date line, caption); and a body must come after it. A letter's salutation ("Sir, ...")
    opens its body."""
    if _SALUTATION.match(text):
        return False
    if not any(len(t) >= 90 or t.endswith(".") for t in following):
        return False  # nothing after it reads like a body paragraph
    if not text.endswith("."):
        return True
    nxt = following[0]
    return bool(stated_date(nxt) or is_image_name(nxt) or has_caption_mark(nxt) or _byline_like(nxt))


def _byline_like(text: str) -> bool:
    """Short head furniture: 'By X', 'Mara Kellerman and Hana Sato', 'Author: X' (not 'Notes')."""
    if _NOTES_HEADING.match(text):
        return False
    return bool(_BYLINE.match(text)) or (len(text) < 90 and not text.endswith((".", "?", "!")))


def analyse(lines: list[str], title_idx: int, end_idx: int) -> Anatomy:
    """Classify the lines title_idx..end_idx (0-based, inclusive) of one post."""
    title = (title_idx + 1, clean(lines[title_idx]))
    anat = Anatomy(title=title)
    units = [(i + 1, lines[i]) for i in range(title_idx + 1, end_idx + 1) if clean(lines[i])]
    seen: set[str] = set()
    body_started = False
    for n, (ln, raw) in enumerate(units):
        text = clean(raw)
        if not body_started and n < HEAD_SCAN:
            labels = post_meta_labels(text)
            if labels is not None:
                anat.tags += [t for t in labels if t not in anat.tags]
                if anat.date_line is None and stated_date(text):
                    anat.date_line = (ln, raw)
                anat.head.append((ln, text))
                continue
            if stated_date(text) and anat.date_line is None:
                anat.date_line = (ln, raw)
                anat.head.append((ln, text))
                continue
            if is_tag_line(text) and not anat.tags:
                anat.tags = split_tags(text)
                anat.head.append((ln, text))
                continue
            if is_image_name(text) or is_caption(text, seen):
                anat.captions.append((ln, text))
                anat.head.append((ln, text))
                seen.add(text)
                continue
            if (_byline_like(text) and n < 4) or _BYLINE.match(text) or _ISSUE_LINE.match(text):
                anat.head.append((ln, text))  # byline-like furniture
                continue
            following = [clean(u) for _l, u in units[1 : HEAD_SCAN + 1]] if n == 0 else []
            if n == 0 and len(text) < 350 and _standfirst_shape(text, following):
                anat.standfirst = (ln, text)
                anat.head.append((ln, text))
                continue
            body_started = True
        if text in seen or _image_or_caption(text):  # == is_image_name(text) or is_caption(text, seen)
            anat.captions.append((ln, text))
            seen.add(text)
            continue
        seen.add(text)
        anat.body.append((ln, text))
    # tail: the engine's meta lines, notes block, bio, disclaimers, signature
    while anat.body:
        last = anat.body[-1][1]
        labels = post_meta_labels(last)
        if labels is None and not _META_FURNITURE.match(last):
            break
        anat.tags += [t for t in labels or [] if t not in anat.tags]
        anat.tail.insert(0, anat.body.pop())
    k = len(anat.body)
    while k > 0 and looks_like_note(anat.body[k - 1][1]) and not is_bio(anat.body[k - 1][1]):
        k -= 1
    run = anat.body[k:]
    # A notes block is a run of numbered lines under a "Notes" heading, or one that reads as notes
    # (transforms/citations.py: rising numbers, mostly references; not reader comments).
    heading = k > 0 and bool(_NOTES_HEADING.match(anat.body[k - 1][1]))
    if run and (heading or is_notes_block([t for _l, t in run])):
        if heading:
            k -= 1  # the heading goes with its notes (extract_citations skips it)
        anat.notes = anat.body[k:] + anat.notes
        anat.body = anat.body[:k]
    for k in range(len(anat.body) - 1, max(-1, len(anat.body) - 6), -1):
        ln, text = anat.body[k]
        if is_bio(text):
            anat.bio = (ln, text)
            anat.tail = anat.body[k:]
            anat.body = anat.body[:k]
            break
    for ln, text in list(anat.body[-3:]):
        if _DISCLAIMER.match(text):
            anat.tail.append((ln, text))
    if anat.bio is not None:
        anat.addenda = [(ln, t) for ln, t in anat.tail[1:] if _prose(t) and not _DISCLAIMER.match(t)]
    if anat.bio is None and anat.body:
        # signature block: a short name line followed by short affiliation lines, and after it
        # perhaps a paragraph or two of add-ons ("Also spoke to X about Y")
        n = len(anat.body)
        m = n
        while m > 0 and n - m < 3 and _prose(anat.body[m - 1][1]) and _APPEARANCE.found(anat.body[m - 1][1]):
            m -= 1
        for k in range(max(0, m - 6), m):
            block = anat.body[k:m]
            if all(len(t) < 70 and not t.endswith(".") for _l, t in block) and len(block) >= 2:
                if m < n and not NAME.fullmatch(block[0][1]):
                    continue  # add-ons need a real signature (a name first) before them
                anat.tail = anat.body[k:] + anat.tail
                anat.addenda = anat.body[m:]
                anat.body = anat.body[:k]
                break
    return anat


_APPEARANCE = FoldedPattern.compile(  # folded (see transforms/folding.py): asked of long paragraphs
    r"\b(?:spoke|speaking|talked|talking|interview(?:ed|s)?|appeared|appearance|podcasts?|panels?|webinars?"
    r"|quoted|picked up|on air|radio|tv|television|briefing|discussion)\b"
)


def _prose(text: str) -> bool:
    """A paragraph of sentences (not a short furniture line)."""
    return len(text) >= 40 and text.endswith((".", "!", "?", ")", "\u201d", '"'))
