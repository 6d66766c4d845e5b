"""The parts of a title line: the title itself, an outlet, a date, and anything else.

Title lines often carry more than the title: "Title, The Diplomat, March 11, 2020." (a list
entry), "Pakistan US Relations (Dawn)", "OPED: Why ...", "TitleBloomberg Opinion, November 13,
2019 Standfirst..." (a link's text glued to its outlet). The line is cut into segments at commas,
brackets, bars, spaced dashes, colons, glued capitals and dates, and a small CRF labels each
segment ``T`` (title), ``P`` (outlet), ``D`` (date) or ``X`` (a prefix, a note, a standfirst).
The title is the line from its first to its last ``T`` segment.

A line with none of those cuts is a title as it stands, without asking the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from transforms.dates import find_dates
from transforms.gazetteer import load_gazetteer
from transforms.gold import GoldPage
from transforms.labels import line_labels
from transforms.lexicon import load_lexicon, words_lower
from transforms.text import clean

_CUT = re.compile(
    r",\s+|\s*[(\[]|[)\]]\s*|\s+\|\s+|\|\s*|\s+[-\u2013\u2014]\s+|:\s+|(?<=[A-Za-z][a-z]{2})(?=[A-Z][a-z])|(?<=\d)(?=[A-Z][a-z])"
    r"|(?<=[a-z][.?!])(?=[A-Z][a-z])|(?<=[?!\u201d\"])\s*,\s*"
)
_BULLET = re.compile(r"^\s*(?:\d{1,3}[.)]|[-\u2022*\u25aa])(\s+)")
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
_STRIP = " ,.;:|-\u2013\u2014" + _QUOTES
_KIND_WORDS = frozenset(
    "oped op-ed analysis opinion interview review commentary column essay letter editorial".split()
)


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str
    before: str  # the cut before it ('' at the start of the line)
    after: str


@lru_cache(maxsize=1 << 14)
def segments(line: str) -> tuple[Segment, ...]:
    """The segments of a (cleaned) title line, dates kept whole."""
    dates = [(s, e) for s, e, _d, _p in find_dates(line)]
    cuts: list[tuple[int, int]] = []
    for m in _CUT.finditer(line):
        if any(s < m.end() and m.start() < e for s, e in dates):
            continue
        cuts.append(m.span())
    for s, e in dates:
        cuts.extend([(s, s), (e, e)])
    bullet = _BULLET.match(line)
    if bullet:
        cuts.append(bullet.span(1))
    cuts.sort()
    out: list[Segment] = []
    pos = 0
    prev_cut = ""
    for a, b in [*cuts, (len(line), len(line))]:
        if a < pos:
            continue
        piece = line[pos:a]
        if piece.strip(_STRIP):
            out.append(
                Segment(pos, a, piece, prev_cut, line[a:b].strip() or ("glue" if a < len(line) else ""))
            )
        prev_cut = line[a:b].strip() or ("glue" if a == b and a < len(line) else "")
        pos = b
    return tuple(out)


def _seg_features(seg: Segment, k: int, n: int, after_date: bool) -> list[str]:
    lex = load_lexicon()
    text = seg.text.strip(_STRIP)
    words = words_lower(text, 30)
    f = [
        f"k{min(k, 3)}",
        f"rk{min(n - 1 - k, 3)}",
        f"b:{seg.before or 'bol'}",
        f"a:{seg.after or 'eol'}",
        f"nw{min(len(words), 8) // 2}",
    ]
    if find_dates(seg.text):
        f.append("date")
    if after_date:
        f.append("after_date")
    caps = [w for w in text.split() if w[:1].isalpha()]
    if caps:
        share = sum(w[0].isupper() for w in caps) / len(caps)
        f.append(f"caps{int(share * 3)}")
    if text.isupper() and len(text) > 2:
        f.append("allcaps")
    hits = load_gazetteer().find(text)
    if hits:
        whole = text[: hits[0].start].strip() in ("", "The", "the") and hits[-1].end >= len(text) - 1
        f.append("gaz_all" if whole else "gaz")
    if seg.text.lstrip()[:1] in _QUOTES:
        f.append("quoted")
    if re.match(r"^\s*\d{1,3}[.)]?$", seg.text):
        f.append("number")
    if words:
        f.append(f"w0:{words[0]}")
        f.append(f"wl:{words[-1]}")
        if words[0] in _KIND_WORDS and len(words) <= 2:
            f.append("kindword")
    classes = {c for w in words for c in lex.of(w)}
    f.extend(f"c:{c}" for c in sorted(classes & {"outlet_nouns", "first_person", "months", "link_words"}))
    if text.endswith("?"):
        f.append("question")
    return f


def features(line: str) -> list[list[str]]:
    segs = segments(line)
    out = []
    seen_date = False
    for k, seg in enumerate(segs):
        out.append(_seg_features(seg, k, len(segs), seen_date))
        seen_date = seen_date or bool(find_dates(seg.text))
    return out


@dataclass(frozen=True)
class TitleParts:
    title: str
    outlet: str | None
    date_text: str | None


def split_title(line: str, tagger) -> TitleParts:
    """The title, outlet and date of a title line (``tagger``: the titles CRF)."""
    text = clean(line)
    segs = segments(text)
    if len(segs) <= 1:
        return TitleParts(text.strip(_STRIP.replace(".", "")) or text, None, None)
    labels = list(tagger.tag(features(text)))
    bullet = _BULLET.match(text)
    if bullet and segs[0].end <= bullet.end(1):
        labels[0] = "X"  # a list's number or bullet is never part of the title
    t_idx = [k for k, lab in enumerate(labels) if lab == "T"] or [1 if bullet and len(segs) > 1 else 0]
    title = text[segs[t_idx[0]].start : segs[t_idx[-1]].end].strip(" ,;:|-\u2013\u2014")
    title = _unquote(title)
    outlet = next((segs[k].text.strip(_STRIP) for k, lab in enumerate(labels) if lab == "P"), None)
    date = next((segs[k].text.strip(" ,.;") for k, lab in enumerate(labels) if lab == "D"), None)
    return TitleParts(title or text, outlet, date)


def _unquote(title: str) -> str:
    if len(title) > 2 and title[0] in _QUOTES and title[-1] in _QUOTES:
        return title[1:-1].strip()
    return title


# -- training ----------------------------------------------------------------------------------


def _segment_label(seg: Segment, line: str, post: dict) -> str:
    from transforms.fields import names_outlet

    low = line.lower()
    title = clean(post.get("title") or "").lower()
    at = low.find(title) if title else -1
    if at >= 0 and seg.start >= at - 2 and seg.end <= at + len(title) + 2:
        return "T"
    if find_dates(seg.text) and post.get("date_stated"):
        return "D"
    if post.get("outlet") and names_outlet(seg.text.strip(_STRIP), post["outlet"]):
        return "P"
    return "X"


def title_sequences(pages: list[GoldPage]) -> list[tuple[list[list[str]], list[str]]]:
    """Training sequences: the title line of every gold post that has one, cut into segments."""
    out = []
    for page in pages:
        lines = page.lines()
        roles = dict(line_labels(page))
        for post in page.gold["posts"]:
            n = post.get("title_line")
            if not n or n - 1 not in roles:
                continue
            text = clean(lines[n - 1])
            segs = segments(text)
            if len(segs) <= 1:
                continue
            out.append((features(text), [_segment_label(s, text, post) for s in segs]))
    return out
