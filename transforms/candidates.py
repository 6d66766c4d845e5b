"""Outlet candidates in a line: capitalised names, listed outlets, handles and domains.

A candidate is a span that could name an outlet: a run of capitalised words (with "of", "for",
"and", "&" ... inside: "Council on Foreign Relations"), a name from the broad list even when it
is not capitalised ("the i paper", "openDemocracy"), a handle ("@TelegraphBlogs", listed when
its words name a listed outlet) or a domain.
Glued names are split where a lower-case letter or digit meets a capitalised word ("Smoke and
MirrorsBloomberg Opinion", "2012The Hindu"), as pages lose the spaces between linked names.

Each candidate carries the features the outlet CRF (transforms/fields.py) reads: its words and
shape, listed-outlet hits, the words around it, the cues of its clause (a word for a piece of
writing, a verb of publishing or of an appearance, first person), and where it stands.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from transforms.canonical import PLATFORM_WORDS, SECTION_WORDS, canonical_outlet
from transforms.cues import context_cues
from transforms.dates import find_dates
from transforms.gazetteer import Outlet, load_gazetteer
from transforms.lexicon import load_lexicon
from transforms.word_readings import WordReadings

_TOKEN = re.compile(
    r"@?[\w\u00c0-\u024f][\w\u00c0-\u024f'\u2019.&-]*[\w\u00c0-\u024f]|[\w\u00c0-\u024f]|[^\s\w]"
)
# where a capitalised word is glued to a lower-case letter or digit ("AirBloomberg", "2011The") or
# to a lower-case abbreviation's stop ("a.The"): the capital's position. The capital comes first
# in the pattern so the engine skips from capital to capital (look-behinds first run everywhere).
_GLUE = re.compile(r"[A-Z](?:(?<=[a-z\d][A-Z])|(?<=[a-z]\.[A-Z]))(?=[a-z])")
_CONNECTORS = frozenset("of for and & on de du la le el al des di van von y the da do".split())
_DOMAIN = re.compile(
    r"^[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co|uk|ie|au|nz|in|pk|sg|info|news|media|tv|fm|io)$", re.I
)
_CLAUSE_BREAK = frozenset(',;:.!?()[]\u2013\u2014|"\u201c\u201d')
MAX_CANDIDATE_TOKENS = 8
MAX_EXTENSION = 2  # capitalised words a listed name may carry ("IPS Commons", "BBC Radio Leeds")
_LINKS = frozenset("for in on at with to by from over via".split())
_STOP = frozenset(
    "the a an this that these those it its in on at i my our his her their we he she they for and but or "
    "so as if to of by with from when while after before here there what who how why".split()
)


_DETERMINERS = frozenset("no your any all every some each another".split())  # "No News Corp deal"


class Token(NamedTuple):
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Candidate:
    """A span of a line that could name an outlet, with its features."""

    start: int
    end: int
    text: str
    features: tuple[str, ...]


_new_token = tuple.__new__  # a Token or _Reading from its fields, without NamedTuple's Python-level __new__


def tokens(text: str) -> list[Token]:
    """Word and punctuation tokens with offsets; glued capitalised words split apart."""
    if _GLUE.search(text) is None:  # most lines: no glued word to split
        return [_new_token(Token, (m.start(), m.end(), m.group())) for m in _TOKEN.finditer(text)]
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        word, base = m.group(0), m.start()
        if len(word) > 3 and not word.startswith("@") and _GLUE.search(word):
            cuts = [0, *[g.start() for g in _GLUE.finditer(word)], len(word)]
            for a, b in zip(cuts, cuts[1:], strict=False):
                out.append(Token(base + a, base + b, word[a:b]))
        else:
            out.append(Token(base, m.end(), word))
    return out


_FIRST_PERSON = frozenset({"I", "I'm", "I've"})


def _capitalised(tok: str) -> bool:
    """A word that may be (part of) a name: capitalised (not "I"), a handle, or digits with a
    capital ("2GB", "5Pillars")."""
    c = tok[0]
    if c.isupper():
        return tok not in _FIRST_PERSON
    if c == "@":
        return len(tok) > 2
    return c.isdigit() and any(ch.isupper() for ch in tok)


@lru_cache(maxsize=1 << 14)
def _calendar(tok: str) -> bool:
    """A month or weekday name, alone or glued to its digits ("Jan2021"): a date, not part of a name."""
    word = tok.lower().rstrip(".").rstrip("0123456789")
    return bool(word) and any(c in ("months", "weekdays") for c in load_lexicon().of(word))


class _Reading(NamedTuple):
    """What a token's text says on its own: lower-cased, its word classes, whether it may be (part
    of) a name (``_capitalised``)."""

    low: str
    classes: tuple[str, ...]
    capitalised: bool


def _read(word: str) -> _Reading:
    low = word.lower()
    return _new_token(_Reading, (low, load_lexicon().of(low), _capitalised(word)))


_READINGS = WordReadings(_read)
"""A token's text -> its reading, made once per distinct text: lines share most of their words,
and the name scan and the candidates' features asked each occurrence again (a lower-casing, a
lexicon lookup, the capital test, per token of every line read)."""


def _spans(text: str, toks: list[Token], read: list[_Reading]) -> list[tuple[int, int, Outlet | None]]:
    """(first token, last token + 1, listed outlet) of every candidate, left to right, not overlapping."""
    hits = load_gazetteer().find(text)
    spans: list[tuple[int, int, Outlet | None]] = []
    if hits:
        starts = {t.start: k for k, t in enumerate(toks)}
        ends = {t.end: k for k, t in enumerate(toks)}
        spans = [
            (starts[h.start], ends[h.end] + 1, h.outlet)
            for h in hits
            if h.start in starts
            and h.end in ends
            and not _ends_a_name(text, toks, read, starts[h.start], ends[h.end] + 1)
        ]
    n = len(toks)
    busy = {k for a, b, _ in spans for k in range(a, b)}
    taken = [(a, _extend(text, toks, b, busy), outlet) for a, b, outlet in spans]
    busy = {k for a, b, _ in taken for k in range(a, b)}
    caps = [r.capitalised for r in read]
    # only a capitalised word or a domain opens a name: the scan visits those (in order) alone
    openers = [k for k, t in enumerate(toks) if caps[k] or ("." in t.text and _DOMAIN.match(t.text))]
    k = 0  # the first token not yet read into a name
    for k0 in openers:
        if k0 < k or k0 in busy or _calendar(toks[k0].text):
            continue
        if read[k0].low in _STOP and k0 + 1 < n and k0 + 1 not in busy and caps[k0 + 1]:
            continue  # "From Paper Magazine": the capitalised function word opens the sentence, not the name
        j = k0 + 1
        while j < n and j not in busy and j - k0 < MAX_CANDIDATE_TOKENS:
            if _calendar(toks[j].text):
                break
            if caps[j]:
                j += 1
            elif (
                read[j].low in _CONNECTORS
                and j + 1 < n
                and j + 1 not in busy
                and caps[j + 1]
                and not _calendar(toks[j + 1].text)
            ):
                j += 2
            else:
                break
        if j - k0 > 1 or read[k0].low not in _STOP:
            taken.append((k0, _asked(text, toks, j), None))
        k = j
    return sorted(taken, key=lambda t: t[0])


def _ends_a_name(text: str, toks: list[Token], read: list[_Reading], a: int, b: int) -> bool:
    """A listed one-word name that is only the last word of a longer name: "Deccan Herald",
    "Business Standard", "Oxford University Press" are not the Herald, the Evening Standard or The
    Press. Read as a plain run of capitalised words instead (the list does not know that name).
    Only words for a publication ("Herald", "Times", "Press"), after a capitalised word one space
    before that is not a function word ("For Guardian readers") or a possessive ("Murdoch's Times").
    """
    if b - a != 1 or a == 0 or "outlet_nouns" not in read[a].classes:
        return False
    prev = read[a - 1]
    word = toks[a - 1].text
    return (
        prev.capitalised
        and text[toks[a - 1].end : toks[a].start] == " "
        and prev.low not in _STOP
        and prev.low not in _DETERMINERS
        and not word.endswith(("'s", "\u2019s"))
        and not _calendar(word)
    )


def _extend(text: str, toks: list[Token], b: int, busy: set[int]) -> int:
    """A listed name's span, with the words for a platform, station or section that follow it.

    "CNN International Edition", "BBC Radio Leeds", "Telegraph Magazine": one name (canonical.py
    reads it as the listed outlet). Only such words: a teaser that runs an intro into its text
    ("a column for The Herald Looking back at ...") must not lend the name its next word.
    """
    end = b
    while _joins(text, toks, b, end, busy) and (
        _extension_word(toks[end].text) or (end > b and _extension_word(toks[end - 1].text))
    ):
        end += 1
    if end == b:
        end = _titled(text, toks, b, busy)
    return _asked(text, toks, end)


def _titled(text: str, toks: list[Token], b: int, busy: set[int]) -> int:
    """A listed name and the capitalised words that close its clause with it: one publication.

    "RUSI Newsbrief, 3 May 2016", "Foreign Affairs Review." : an owner's title, named whole up to
    the comma or the line's end. Words that run on into a sentence ("The Herald Looking back ...") do not.
    """
    end = b
    while _joins(text, toks, b, end, busy):
        end += 1
    closes = end == len(toks) or toks[end].text in _CLAUSE_BREAK
    return end if end > b and closes else b


def _joins(text: str, toks: list[Token], b: int, end: int, busy: set[int]) -> bool:
    """Token ``end`` may carry on the name that ended at ``b``: a free capitalised word, one space
    on, within ``MAX_EXTENSION`` words, and no month or weekday."""
    return (
        end < len(toks)
        and end - b < MAX_EXTENSION
        and end not in busy
        and text[toks[end - 1].end : toks[end].start] == " "
        and _capitalised(toks[end].text)
        and not _calendar(toks[end].text)
    )


def _asked(text: str, toks: list[Token], end: int) -> int:
    """A name that ends in a question mark ("Asia Rising?, the new blog ..."): the mark is the
    name's when a comma follows it (a question closing a sentence is not followed by a comma)."""
    if (
        end + 1 < len(toks)
        and toks[end].text in ("?", "!")
        and toks[end].start == toks[end - 1].end
        and toks[end + 1].text == ","
    ):
        return end + 1
    return end


@lru_cache(maxsize=1 << 12)
def _extension_word(word: str) -> bool:
    low = word.lower()
    return low in PLATFORM_WORDS or low in SECTION_WORDS or "outlet_nouns" in load_lexicon().of(low)


def _capitalised_inside(word: str) -> bool:
    """A capital after the first letter ("HSToday", "PinkNews"): a name, wherever it stands."""
    return any(ch.isupper() for ch in word[1:])


def _bucket(k: int) -> int:
    return 0 if k == 0 else 1 if k <= 3 else 2 if k <= 8 else 3


def _clause_starts(toks: list[Token]) -> list[int]:
    """For each token, the first token of its clause (just after the last comma, stop or bracket)."""
    out: list[int] = []
    start = 0
    for k, t in enumerate(toks):
        out.append(start)
        if t.text in _CLAUSE_BREAK:
            start = k + 1
    return out


_DATE_GAP = " ,;:|-\u2013\u2014()"


def _date_gap(gap: str) -> bool:
    """Only separators (and a name's "The") between a date and a name."""
    gap = gap.strip(_DATE_GAP)
    return not gap or gap in ("The", "the")


_CLAUSE_CUES = frozenset({"piece", "publish", "appearance", "first_person", "time_words"})
_VIA_CUES = frozenset({"piece", "publish", "appearance", "time_words"})
_SENT_CUES = frozenset({"piece", "appearance"})
_AFTER_CUES = frozenset({"piece", "appearance", "months"})
_IN_CUES = frozenset({"outlet_nouns", "not_outlet_nouns", "appearance", "months", "weekdays"})


class _Classed(NamedTuple):
    """The words of a line that have classes (few have any): their positions, ascending, and classes."""

    at: list[int]
    classes: list[tuple[str, ...]]


def _union(classed: _Classed, a: int, b: int, keep: frozenset[str]) -> list[str]:
    """The classes in ``keep`` of the words a..b-1, sorted.

    Why by bisection: it is asked four times per candidate, and scanning every classed word of
    the line each time made it quadratic on the long intro lines of real pages.
    """
    found = {c for cs in classed.classes[bisect_left(classed.at, a) : bisect_left(classed.at, b)] for c in cs}
    return sorted(found & keep) if found else []


def _names(text: str, toks: list[Token], read: list[_Reading]) -> list[tuple[int, int, Outlet | None, bool]]:
    """The spans (``_spans``) that are candidates, each with whether it opens a sentence.

    One capitalised word opening a sentence is the sentence's first word, not a name: not a
    candidate unless listed, in capitals, or capitalised inside ("PinkNews").
    """
    out: list[tuple[int, int, Outlet | None, bool]] = []
    for a, b, outlet in _spans(text, toks, read):
        first = a == 0 or toks[a - 1].text in (".", "!", "?", "\u201c", '"', ":")
        if first and b - a == 1 and outlet is None:
            span = toks[a].text
            if not span.isupper() and not _capitalised_inside(span):
                continue
        out.append((a, b, outlet, first))
    return out


@lru_cache(maxsize=1 << 14)
def line_candidates(text: str) -> tuple[Candidate, ...]:
    """The candidates of one line with the features that depend on the line alone (cached)."""
    toks = tokens(text)
    read = [_READINGS[t.text] for t in toks]
    names = _names(text, toks, read)
    if not names:
        return ()  # a fifth of the lines read: their clauses and dates are not needed
    lex = load_lexicon()
    low = [r.low for r in read]
    classed = _Classed([k for k, r in enumerate(read) if r.classes], [r.classes for r in read if r.classes])
    clause_at = _clause_starts(toks)
    dates = [(a, b) for a, b, _d, _p in find_dates(text)]
    out: list[Candidate] = []
    sentence = 0
    last_break = 0
    for a, b, outlet, first in names:
        for k in range(last_break, a):  # the sentences that end before the name
            if toks[k].text in (".", "!", "?") and k + 1 < len(toks) and read[k + 1].capitalised:
                sentence += 1
        last_break = a
        span = text[toks[a].start : toks[b - 1].end]
        words = low[a:b]
        f: list[str] = [f"n{min(b - a, 4)}", f"sent{min(sentence, 2)}", f"at{_bucket(a)}", f"line0:{low[0]}"]
        f += [f"w:{w}" for w in words[:4]]
        f.append(f"last:{words[-1]}")
        if span.isupper() and len(span) > 1:
            f.append("allcaps")
        if any(map(str.isdigit, span)):
            f.append("digit")
        if span.startswith("@"):
            f.append("handle")
            # "@TelegraphBlogs": the list does not read handles, but a handle's words may name a listed
            # outlet ("Telegraph Blogs" -> Telegraph), as canonical.py reads them
            if outlet is None:
                listed = canonical_outlet(span, {})
                outlet = listed[1] if listed else None
        if _DOMAIN.match(span):
            f.append("domain")
        if outlet is not None:
            f.append("gaz")
            if outlet.kind:
                f.append(f"gaz:{outlet.kind}")
        f += [f"in:{c}" for c in _union(classed, a, b, _IN_CUES)]
        if first:
            f.append("initial")
        if a > 0 and low[a - 1] == "the":
            f.append("the")
        left5 = [w for w in low[max(0, a - 7) : a] if w != "the"][-5:]
        if left5 and left5[-1] in _LINKS:
            cue = {c for w in left5[:-1] for c in lex.of(w)} & _VIA_CUES
            f.extend(f"via:{c}" for c in sorted(cue))
            # ... and through which word: "a piece for X" names where it ran, "a piece on X" its subject
            f.extend(f"via:{c}:{left5[-1]}" for c in sorted(cue))
            if not cue:
                f.append("via:-")
        left = left5[-3:]
        for i, w in enumerate(reversed(left)):
            f.append(f"L{i + 1}:{w}")
        if len(left) >= 2:
            f.append(f"L21:{left[-2]} {left[-1]}")
        right = low[b : b + 2]
        for i, w in enumerate(right):
            f.append(f"R{i + 1}:{w}")
        if not right:
            f.append("eol")
        if a > 0 and toks[a - 1].text == "(" and b < len(toks) and toks[b].text == ")":
            f.append("bracketed")
        if b < len(toks) and low[b] in ("'s", "\u2019s"):
            f.append("possessive")
        f += [f"cl:{c}" for c in _union(classed, clause_at[a], a, _CLAUSE_CUES)]
        f += [f"sb:{c}" for c in _union(classed, a - 25, a, _SENT_CUES)]
        f += [f"ra:{c}" for c in _union(classed, b, b + 4, _AFTER_CUES)]
        start, end = toks[a].start, toks[b - 1].end
        # a date written against the name: "9 May 2012The Hindu", "Dawn, 3 May 2019" (a list entry)
        if dates:
            if any(0 <= start - de <= 7 and _date_gap(text[de:start]) for _ds, de in dates):
                f.append("date_before")
            if any(0 <= ds - end <= 3 and _date_gap(text[end:ds]) for ds, _de in dates):
                f.append("date_after")
        sent_start = (
            max(text.rfind(". ", 0, start), text.rfind("? ", 0, start), text.rfind("! ", 0, start)) + 1
        )
        f.extend(context_cues(text[sent_start:start], text[toks[b - 1].end :]))
        out.append(Candidate(start, toks[b - 1].end, span, tuple(f)))
    return tuple(out)
