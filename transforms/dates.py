"""Stated dates and textual year clues.

A piece's date is only ever read from a date line or a byline (a short line that is mostly a
date: "Published: 9:00am, 12 Aug, 2021", "Commentary17 July 2020", "PUBLISHED | MAY 4, 2021,
5:00 AM SGT", "Date: 10th March 2011 | Author: ..."). Dates inside captions, body text or notes
are clues that bound the year from below, never the published date.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from functools import lru_cache

from transforms.folding import FoldedPattern
from transforms.text import clean

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
# the last day of a range ("March 23-29, 2019": a weekly issue dated by its first day)
_TO_DAY = r"(?:\s*[-\u2013]\s*[0-3]?\d(?:st|nd|rd|th)?)?"
# a year, or its last two digits after an apostrophe next to a month ("16 January \u201910")
_YEAR = r"(?P<year>(?:19|20)\d\d|['\u2019]\d\d)(?!\d)"
# day-month-year ("12 Aug, 2021", "3 October 2019", "Commentary17 July 2020", "10th March 2011")
_DMY = re.compile(rf"(?<!\d){_DAY}{_TO_DAY}\s*(?:of\s+)?{_MON},?\s*{_YEAR}", re.I)
# month-day-year ("May 18, 2020", "APR 27, 2020", "March 23-29, 2019")
_MDY = re.compile(rf"(?<![A-Za-z]){_MON}\s+{_DAY}{_TO_DAY},?\s+{_YEAR}", re.I)
# ISO ("2020-07-01"), day/month/year with slashes
_ISO = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)-(?P<mon>[01]\d)-(?P<day>[0-3]\d)(?!\d)")
_SLASH = re.compile(
    r"(?<![\d.])(?P<day>[0-3]?\d)(?:[/.]|\.\s)(?P<mon>[01]?\d)(?:[/.]|\.\s)(?P<year>(?:19|20)\d\d)(?!\d)"
)
# month-year only ("June 2008")
_MY = re.compile(rf"(?<![A-Za-z\d]){_MON},?\s*{_YEAR}", re.I)

# Words that may surround a date on a date line without making it prose.
_FURNITURE = re.compile(
    r"\b(published|updated|posted|date|commentary|by|leave a comment|comments?|am|pm|sgt|gmt|bst|utc|edt|est|"
    r"hkt|cet|on|at|in|author|age|days?|filed under|\d+)\b|[|/:,.\-\u2013\u2014]",
    re.I,
)
DATE_LINE_MAX = 140


def _month(mon: str) -> int:
    """Month number from digits or an English month name/abbreviation."""
    if mon.isdigit():
        return int(mon)
    key = mon.lower().rstrip(".")
    return MONTHS[key] if key in MONTHS else MONTHS[key[:3]]


def _full_year(year: str) -> int:
    """A year from its digits: "2010", or "\u201910" (this century when that is not in the future)."""
    if year[0].isdigit():
        return int(year)
    yy = int(year[1:])
    return 2000 + yy if 2000 + yy <= date.today().year else 1900 + yy


def _mk(year: str, mon: str, day: str | None) -> date | None:
    try:
        return date(_full_year(year), _month(mon), int(day) if day else 1)
    except (KeyError, ValueError):
        return None


# Every date pattern above names a year, so text without these four digits holds no date. The
# test is cheap (``year_digits``); the date patterns open with look-behinds and are tried at every
# character, and most lines and paragraphs have no year in them.
_YEAR_DIGITS = re.compile(r"(?:19|20)\d\d|['\u2019]\d\d")
_FOUR_DIGITS = re.compile(r"(?:19|20)\d\d")
_CENTURIES = ("19", "20")
_CENTURIES_OR_APOSTROPHES = ("19", "20", "'", "\u2019")
_TO_END = sys.maxsize


def _first(text: str, openings: tuple[str, ...], pos: int, endpos: int) -> int:
    """Where the first of ``openings`` occurs in text[pos:endpos] (-1: none does)."""
    best = -1
    for opening in openings:
        # the next ones count only where they start before the first found so far
        stop = endpos if best < 0 else min(endpos, best + len(opening) - 1)
        at = text.find(opening, pos, stop)
        if at >= 0:
            best = at
    return best


def four_digit_year(text: str, pos: int = 0, endpos: int = _TO_END) -> re.Match[str] | None:
    """``re.search(r"(?:19|20)\\d\\d", text[pos:endpos])``, as a match object on ``text``.

    Why: the engine tries the pattern at every character (a test for "1" or "2" at each), while
    ``str.find`` skips to the first "19" or "20" at memory-scan speed; no match starts before it,
    and most lines and paragraphs have none. (Lines, openings and bodies are asked this, some
    several times over.)
    """
    at = _first(text, _CENTURIES, pos, endpos)
    return None if at < 0 else _FOUR_DIGITS.search(text, at, endpos)


def year_digits(text: str, pos: int = 0, endpos: int = _TO_END) -> re.Match[str] | None:
    """``_YEAR_DIGITS.search(text, pos, endpos)`` (a year or an apostrophe's two digits), the engine
    started where the first such match can (as ``four_digit_year``)."""
    at = _first(text, _CENTURIES_OR_APOSTROPHES, pos, endpos)
    return None if at < 0 else _YEAR_DIGITS.search(text, at, endpos)


CACHED_CHARS = 2000  # texts up to this long (lines, not whole bodies) have their dates remembered


def find_dates(text: str) -> list[tuple[int, int, date, str]]:
    """Every full date in the text: (start, end, date, precision)."""
    return list(_line_dates(text) if len(text) <= CACHED_CHARS else _dates(text))


def _dates(text: str) -> tuple[tuple[int, int, date, str], ...]:
    found: list[tuple[int, int, date, str]] = []
    if year_digits(text) is None:
        return ()
    taken: list[tuple[int, int]] = []
    for pat in (_DMY, _MDY, _ISO, _SLASH):
        for m in pat.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            d = _mk(m.group("year"), m.group("mon"), m.group("day"))
            if d is not None:
                found.append((m.start(), m.end(), d, "day"))
                taken.append((m.start(), m.end()))
    for m in _MY.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        d = _mk(m.group("year"), m.group("mon"), None)
        if d is not None:
            found.append((m.start(), m.end(), d, "month"))
    return tuple(sorted(found))


# the line features, the candidates, the title split and the dating all ask of the same lines
_line_dates = lru_cache(maxsize=1 << 15)(_dates)


def is_date_only(text: str) -> bool:
    """The text is a date and little else ("March 11, 2020", "Nov 14th 2019", "October, 2013")."""
    text = text.strip(" ,.;:|-\u2013\u2014()[]\"'\u201c\u201d\u2018\u2019")
    found = find_dates(text)
    return bool(found) and sum(e - s for s, e, _d, _p in found) >= 0.8 * len(text)


@lru_cache(maxsize=1 << 16)  # asked of every short line by the segmenter and the anatomy
def stated_date(line: str) -> tuple[date, str] | None:
    """The date a date line or byline states, with its precision; None if the line is prose.

    A line qualifies when it is short and, once the date, times and date-line furniture words
    are removed, little else is left but a name (bylines such as "by A B / June 11, 2020").
    """
    text = clean(line)
    if not text or len(text) > DATE_LINE_MAX:
        return None
    dates = find_dates(text)
    hits = [h for h in dates if h[3] == "day"] or dates
    if not hits:
        return None
    start, end, d, precision = hits[0]
    if text[start:end].count("-") == 2 and re.search(r"screen\s*shot|\.(jpe?g|png|gif)", text, re.I):
        return None
    rest = text[:start] + " " + text[end:]
    rest = re.sub(r"\b\d{1,2}[:.]\d\d\s*(?:am|pm)?\b", " ", rest, flags=re.I)
    rest = _FURNITURE.sub(" ", rest)
    leftover = [w for w in rest.split() if w]
    # up to a byline's worth of words (a name, an outlet, a category) may remain
    if len(leftover) > 8 or (text.endswith(".") and len(leftover) > 3):
        return None
    return d, precision


# A year as a word: not part of a number, an amount or a path (the character before it), nor a
# count ("2000 troops"). The digits come first and the look-behind after them, so the engine
# skips from "19"/"20" to the next (a leading look-behind is tried at every character).
_YEAR_WORD = re.compile(
    r"(?P<year>(?:19|20)\d\d)(?<![\d$£€.,/-]\d{4})(?![\d%])(?!\s*(?:bn|m|million|billion|km|people|troops))"
)
# the white space after a sentence's closing mark (== (?<=[.!?])\s+, led by the white space)
_SENTENCE_GAP = re.compile(r"\s(?<=[.!?]\s)\s*")
# A year named as a target or horizon says nothing about when the text was written.
_FORWARD = re.compile(
    r"\b(by|until|till|before|through|towards?|in the run-up to|ahead of|vision|plan|agenda|goal|strategy"
    r"|horizon)\s+(?:the\s+(?:end\s+of\s+)?)?$",
    re.I,
)


# "2022 look ahead", "2030 outlook": a horizon named before the words that make it one.
_AHEAD = re.compile(r"^\s*(?:look[- ]?ahead|outlook|preview|predictions|forecast|and beyond)\b", re.I)


# A sentence about what is coming names years that have not happened yet.
_FUTURE_SENTENCE = FoldedPattern.compile(  # folded (transforms/folding.py): asked of every dated sentence
    r"\b(forthcoming|upcoming|likely to be|expected to|look(?:ing)? ahead|look forwards?)\b"
)


_SHORT_YEAR = re.compile(r"['\u2019]\d\d(?!\d)")
_NUMBER_WORDS = {
    w: k
    for k, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS["a"] = 1
# "two decades on from the 2001 crisis", "ten years after 2008", "20 years since 2001": a year
# named as the start of a span that reaches the time of writing
_SPAN = re.compile(
    r"\b(?P<n>\d{1,2}|a|[a-z]+)\s+(?P<unit>years?|decades?)\s+(?:on\s+from|on\s+since|after|since|on)\b",
    re.I,
)


# "in the late 1990s": a decade's part bounds the year from below more tightly than its first year
_DECADE_PART = re.compile(r"\b(?P<part>early|mid|late)\s+$", re.I)
_DECADE_START = {"early": 0, "mid": 4, "late": 7}
# "... in the late 1990s. ... 20 years later": a span counted on from a year named before it
_LATER = FoldedPattern.compile(  # folded: asked of every paragraph of a dated text, most without "later"
    r"\b(?P<n>\d{1,2}|a|[a-z]+)\s+(?P<unit>years?|decades?)\s+later\b", needs="later"
)


def _named_year(m: re.Match[str], text: str) -> int:
    """The earliest year a year word can mean: "late 1990s" is 1997 at the earliest, "2001" is 2001."""
    year = int(m.group("year"))
    if text[m.end() : m.end() + 1] == "s" and year % 10 == 0:
        part = _DECADE_PART.search(text[max(0, m.start() - 12) : m.start()])
        if part is not None:
            year += _DECADE_START[part.group("part").lower()]
    return year


def _span_length(m: re.Match[str]) -> int | None:
    word = m.group("n").lower()
    n = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
    if not n:
        return None
    return n * (10 if m.group("unit").lower().startswith("decade") else 1)


def _later_years(text: str) -> list[int]:
    """Years a paragraph names through a span counted on from the last year it named before it."""
    out: list[int] = []
    for para in text.split("\n"):
        for m in _LATER.finditer(para):
            n = _span_length(m)
            named = list(_YEAR_WORD.finditer(para, 0, m.start()))
            if n and named:
                out.append(_named_year(named[-1], para) + n)
    return out


def _span_years(sent: str) -> list[int]:
    """Years a sentence names through a span counted from a named year ("two decades on from ... 2001")."""
    out: list[int] = []
    for m in _SPAN.finditer(sent):
        n = _span_length(m)
        named = _YEAR_WORD.search(sent, m.end(), m.end() + 80) if n else None
        if n and named is not None:
            out.append(_named_year(named, sent) + n)
    return out


def year_mentions(text: str) -> list[int]:
    """Years the text names as past or present (not horizons like "by 2030" or "forthcoming ... 2022").

    Besides four-digit years: a month's date with an apostrophe year ("16 January \u201910"), a
    span counted from a named year ("two decades on from the 2001 crisis" names 2021, "in the late
    1980s ... thirty years later" 2017), and a decade at its earliest ("the late 1990s" is 1997).
    """
    years: list[int] = []
    # _YEAR_WORD only from the first four year digits on: no match can start before them
    first = year_digits(text)
    if first is None:
        return years
    short = _SHORT_YEAR.search(text, first.start()) is not None
    if not short and not _YEAR_WORD.search(text, first.start()):
        return years  # a year in a sentence is one in the whole text (most bodies name none)
    for sent in _SENTENCE_GAP.split(text):
        first = year_digits(sent)
        if first is None or _FUTURE_SENTENCE.found(sent):
            continue
        for m in _YEAR_WORD.finditer(sent, first.start()):
            before = sent[max(0, m.start() - 30) : m.start()]
            after = sent[m.end() : m.end() + 25]
            if _FORWARD.search(before) or _AHEAD.match(after):
                continue
            years.append(_named_year(m, sent))
        if short and _SHORT_YEAR.search(sent):
            years.extend(d.year for s, e, d, _p in find_dates(sent) if _SHORT_YEAR.search(sent, s, e))
        years.extend(_span_years(sent))
    years.extend(_later_years(text))
    return years


def latest_full_date(texts: list[str]) -> date | None:
    """The latest day-precision date named in the texts (captions, notes, image names)."""
    best: date | None = None
    for t in texts:
        for _s, _e, d, precision in find_dates(t):
            if precision == "day" and (best is None or d > best):
                best = d
    return best
