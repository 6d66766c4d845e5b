"""The parts of a title line: the title itself, an outlet, a date, and anything else.

Title lines often carry more than the title: "Title, The Diplomat, March 11, 2020." (a list
entry), "Ports and their hinterlands (Dawn)", "OPED: Why ...", "TitleBloomberg Opinion, November 13,
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

from transforms.dates import find_dates, is_date_only
from transforms.gazetteer import load_gazetteer
from transforms.gold import GoldPage
from transforms.labels import line_labels
from transforms.lexicon import load_lexicon, words_lower
from transforms.text import clean

_CUT = re.compile(
    r",\s+|\s*[(\[]|[)\]]\s*|\s+\|\s+|\|\s*|\s+[-\u2013\u2014]\s+|:\s+|(?<=[A-Za-z][a-z]{2})(?=[A-Z][a-z])|(?<=\d)(?=[A-Z][a-z])"
    r"|(?<=[a-z\d][.?!])(?=[A-Z][a-z])|(?<=[?!\u201d\"])\s*,\s*"
)
_BULLET = re.compile(r"^\s*(?:\d{1,3}[.)]|[-\u2022*\u25aa])(\s+)")
_LIST_NUMBER = re.compile(r"^\s*\d{1,3}[.)]?$")  # a segment that is only a list's number
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
        cut = line[a:b].strip()
        if piece.strip(_STRIP):
            out.append(Segment(pos, a, piece, prev_cut, cut or ("glue" if a < len(line) else "")))
        elif not cut and a == pos:
            pos = b
            continue  # a date's own edge right after a comma: the comma is the cut before the date
        prev_cut = cut or ("glue" if a == b and a < len(line) else "")
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
    if _LIST_NUMBER.match(seg.text):
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


def _is_date(seg: Segment) -> bool:
    return is_date_only(seg.text)


def features(line: str) -> list[list[str]]:
    segs = segments(line)
    dated = [_is_date(seg) for seg in segs]
    out = []
    seen_date = False
    for k, seg in enumerate(segs):
        f = _seg_features(seg, k, len(segs), seen_date)
        if k + 1 < len(segs) and dated[k + 1]:
            f.append("next_date")  # "Title, Outlet, 3 May 2019": what stands against a date
        if k > 0 and dated[k - 1]:
            f.append("prev_date")
        out.append(f)
        seen_date = seen_date or bool(find_dates(seg.text))
    return out


@dataclass(frozen=True)
class TitleParts:
    title: str
    outlet: str | None
    date_text: str | None


def split_title(line: str, tagger) -> TitleParts:
    """The title, outlet and date of a title line (``tagger``: the titles CRF).

    The model labels the segments; a few readings no layout changes then hold whatever it said:
    a list's number is never title, a date set off by a comma or a bracket is the date, a bracketed
    listed outlet ending the line is the outlet, and what stands between a title and its date in a
    list entry ("Title, Foreign Policy, March 29, 2017") is the outlet when it reads as a name.
    The title runs from its first segment to the last one before the outlet or the date, without
    trailing bracketed notes ("[$]", "[pdf]").
    """
    text = clean(line)
    segs = segments(text)
    if len(segs) <= 1:
        return TitleParts(text.strip(_STRIP.replace(".", "")) or text, None, None)
    labels = _labels(text, segs, tagger)
    t_idx = [k for k, lab in enumerate(labels) if lab == "T"] or [_first_words(segs, labels)]
    last = segs[t_idx[-1]]
    end = last.end + (last.before in ("(", "[") and text[last.end : last.end + 1] in (")", "]"))
    title = text[segs[t_idx[0]].start : end].strip(" ,;:|-\u2013\u2014")  # "... (part 2)" closes its bracket
    title = _unquote(title)
    outlet = next((segs[k].text.strip(_STRIP) for k, lab in enumerate(labels) if lab == "P"), None)
    date = next((segs[k].text.strip(" ,.;") for k, lab in enumerate(labels) if lab == "D"), None)
    return TitleParts(title or text, outlet, date)


def _labels(text: str, segs: tuple[Segment, ...], tagger) -> list[str]:
    labels = list(tagger.tag(features(text)))
    bullet = _BULLET.match(text)
    if bullet and segs[0].end <= bullet.end(1):
        labels[0] = "X"  # a list's number or bullet is never part of the title
    first = 1 if labels[0] == "X" and bullet else 0
    if first + 1 < len(segs) and _label_prefix(segs[first]):
        labels[first] = "X"  # "OPED: Why ...": a label of the piece's kind, not its headline
        first += 1
    for k in range(first + 1, len(segs)):
        if segs[k].before != "glue" and _is_date(segs[k]):
            labels[k] = "D"  # a date set apart from the title by a comma, bar or bracket is its date
    last = segs[-1]
    if last.before in ("(", "[") and _listed_whole(last.text):
        labels[-1] = "P"  # "Ports and their hinterlands (Dawn)": a bracketed name of an outlet tags the piece
    for k in range(first + 1, len(segs)):
        if labels[k] == "P" and _edition(segs[k]):
            labels[k] = "X"
    dates = [k for k, lab in enumerate(labels) if lab == "D"]
    if dates and "P" not in labels[: dates[0]]:
        k = _outlet_before(segs, first, dates[0])
        if k is not None:
            labels[k] = "P"
    stop = next((k for k, lab in enumerate(labels) if lab in ("P", "D") and k > first), len(segs))
    run = list(range(first, stop))
    while (
        len(run) > 1
        and segs[run[-1]].before in ("(", "[")
        and len(segs[run[-1]].text.split()) <= 2
        and not _SERIES_PART.fullmatch(segs[run[-1]].text.strip(_STRIP))
    ):
        run.pop()  # "Inland waterways [pdf]": a note on the link, not the title
    return [
        "T" if k in run else ("X" if lab == "T" or (k < stop and k not in run) else lab)
        for k, lab in enumerate(labels)
    ]


# "(part 2)", "(Part II)", "[2 of 3]": the number of a piece in a series is part of its title (the
# article's id is its title: without it every part of a series would be one article)
_SERIES_PART = re.compile(
    r"(?:(?:part|pt\.?|no\.?|vol\.?|episode|ep\.?)\s*)?(?:\d+|[ivxlc]+)(?:\s*(?:of|/)\s*\d+)?", re.I
)


def _first_words(segs: tuple[Segment, ...], labels: list[str]) -> int:
    return next((k for k, lab in enumerate(labels) if lab != "X"), 0)


def _label_prefix(seg: Segment) -> bool:
    """An upper-case word for a kind of piece before a colon ("OPED:", "ANALYSIS:")."""
    text = seg.text.strip(_STRIP)
    return seg.after == ":" and text.isupper() and text.lower().replace("-", "") in _KIND_WORDS


_NAME_CONNECTORS = frozenset("of the on and for & in de du la le at to".split())
MAX_NAME_WORDS = 6


def _name_like(seg: Segment) -> bool:
    """Reads as a publication's name: a few capitalised words ("Foreign Policy", "News18")."""
    raw = seg.text.strip()
    if not raw or raw[-1] in _QUOTES or raw[0] in _QUOTES or raw[-1] in "?!":
        return False
    words = raw.strip(_STRIP).split()
    if not words or len(words) > MAX_NAME_WORDS or not words[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _NAME_CONNECTORS for w in words)


def _outlet_before(segs: tuple[Segment, ...], first: int, date_at: int) -> int | None:
    """In "Title, Outlet, Date": the segment just before the date (bracketed notes aside), if a name.

    Only after a title (at least one segment before it), and only when set off by a comma or a bar.
    """
    k = date_at - 1
    while k > first and (segs[k].before in ("(", "[") or _edition(segs[k])):
        k -= 1  # "Firstpost (Print), ...", "Open, Web Exclusive": notes on the outlet's edition
    if k <= first or segs[k].before not in (",", "|") or not _name_like(segs[k]):
        return None
    if segs[k].before == "|" and k - 1 > first and _name_like(segs[k - 1]):
        return k - 1  # "Policy Review | Asia Debates": the outlet, then its series
    return k


_EDITION_WORDS = frozenset("web print online digital exclusive edition issue version".split())


def _edition(seg: Segment) -> bool:
    """Words for an edition only ("Web Exclusive", "Print"): a note on where the piece ran."""
    words = seg.text.strip(_STRIP).lower().split()
    return bool(words) and all(w in _EDITION_WORDS for w in words)


def _listed_whole(text: str) -> bool:
    """The text is a listed outlet's name and nothing else."""
    return load_gazetteer().lookup(text.strip(_STRIP)) is not None


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
