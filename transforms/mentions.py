"""A media appearance as the warehouse keeps it: outlet, medium, subject and the words that report it.

Which outlet names are appearances is learned (transforms/fields.py labels them ``M``); this
module checks the model's answer against what an outlet is and describes each appearance: its
medium from the words of its clause ("on the radio", "podcast", "panel") or else from the
outlet's kind, its subject from the words after it ("about the election"), and the clause itself
as evidence.

Three checks the few annotated appearances cannot teach the model, each general knowledge:

- a person is not an outlet: "I spoke to Jo Bloggs about ...", "with Jo Bloggs, the station's
  political correspondent" (``names_a_person``; cue words in ``data/people_cues.json``);
- a listed broadcaster in a sentence where the writer reports appearing is an appearance ("a busy
  day, with the network's crew round to interview me"): broadcasters rarely run a written piece, and
  their names are few and listed; so is a listed outlet named in the clause of an interview or
  a comment the writer gave ("a short interview for the Example Times"): ``reported_appearance``;
- a media round-up whose report names only people has its outlet on its heading line ("Example
  Radio" over "I spoke to Jo Bloggs on the breakfast show"): ``heading_outlet``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from transforms.canonical import (
    PLATFORM_WORDS,
    SECTION_WORDS,
    canonical_outlet,
    canonical_ref,
    display_name,
    outlet_ref,
)
from transforms.folding import FoldedPattern, lowered
from transforms.gazetteer import norm_key
from transforms.lexicon import load_lexicon, load_people_cues, words_lower
from transforms.models import Medium, Mention, OutletRef

if TYPE_CHECKING:
    from transforms.fields import Slot

_CLAUSE_END = re.compile(r"[;.!?]\s|[,;]\s+(?:and\s+)?(?:to|with|on|for)\s|$")
_CLAUSE_START = re.compile(r"[;.!?]\s+|[,;]\s+(?:and\s+)?(?=(?:to|with|on|for)\s)")
_ABOUT = re.compile(
    r"^[^,;.]{0,40}?\b(?:about|on|over|regarding|discussing|looking at|to discuss|to talk about)\s+"
    r"(.+?)(?=\s*[,;(]|\.(?:\s|$)|\s(?:which|while|where|but|was|were|has|had|and\s+(?:was|were|this|my|it))\b|$)"
)
KIND_MEDIUM: dict[str, Medium] = {
    "newspaper": "print",
    "magazine": "print",
    "journal": "print",
    "wire": "wire",
    "broadcaster": "tv",
    "online": "online",
    "think-tank": "panel",
    "blog": "online",
}


def _words_pattern(words: Iterable[str]) -> FoldedPattern:
    """Any of the words, whole, in any case (folded: the cue lists are lower case)."""
    return FoldedPattern.compile(r"\b(?:" + "|".join(re.escape(w.lower()) for w in words) + r")\b")


@lru_cache(maxsize=1)
def _medium_patterns() -> tuple[tuple[str, FoldedPattern], ...]:
    """Each medium's words as one case-insensitive pattern."""
    return tuple((medium, _words_pattern(words)) for medium, words in load_lexicon().medium.items())


@lru_cache(maxsize=1)
def _any_medium() -> FoldedPattern:
    """Every medium's words as one pattern: it finds a word where one of ``_medium_patterns`` does."""
    return _words_pattern([w for words in load_lexicon().medium.values() for w in words])


def medium_of(near: str, ref: OutletRef | None) -> Medium:
    """The medium the words near an appearance name, else the one its outlet's kind implies."""
    low = lowered(near)  # one lower-casing for every medium's search
    # most appearances name no medium: one search says so, where each medium's was one search
    if _any_medium().found(near, low):
        for medium, pattern in _medium_patterns():
            if pattern.found(near, low):
                return medium  # type: ignore[return-value]
    if ref is not None and ref.outlet_kind:
        return KIND_MEDIUM.get(ref.outlet_kind, "other")
    return "online" if ref is not None else "other"


def describe(text: str, start: int, end: int, ref: OutletRef, line: int) -> Mention:
    """The appearance an outlet named at ``text[start:end]`` reports."""
    head = text[:start]
    clause_start = 0
    for m in _CLAUSE_START.finditer(head):
        clause_start = m.end()
    tail = _CLAUSE_END.search(text, end)
    stop = tail.start() if tail and tail.start() > end else len(text)
    evidence = text[clause_start:stop].strip()[:300] or text[start:end]
    after = text[end : end + 200]
    about_m = _ABOUT.match(after)
    about = about_m.group(1).strip(" ,")[:200] if about_m else None
    near = text[max(clause_start, start - 80) : min(len(text), end + 40)]
    return Mention(outlet=ref, medium=medium_of(near, ref), about=about or None, evidence=evidence, line=line)


# -- which of the model's names are appearances ------------------------------------------------

# a word of a person's name: "Jo", "McBride", "O’Neill", "Smith-Jones" (no digits, not all capitals)
_NAME_WORD = re.compile(r"^(?:Mc|Mac|O['\u2019])?[A-Z][a-z]+(?:[-'\u2019][A-Z]?[a-z]+)*$")
_THE_BEFORE = re.compile(r"\bthe\s+$", re.I)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
HEADING_LINES = 3  # a round-up's heading stands among its first lines (heading, date, text)


class _PeopleCues:
    """The people cue patterns of ``data/people_cues.json``."""

    def __init__(self) -> None:
        raw = load_people_cues()
        links = sorted(raw["links"], key=len, reverse=True)
        link_alt = "|".join(r"\s+".join(map(re.escape, w.split())) for w in links)
        roles = "|".join(map(re.escape, raw["roles"]))
        self.link_before = re.compile(rf"\b(?:{link_alt})\s+$", re.I)  # "spoke to " just before
        self.role_before = re.compile(rf"\b(?:{roles})s?\s+$", re.I)  # "presenter "
        # ", the station's political correspondent", " (party strategist)"
        self.role_after = re.compile(
            rf"^\s*[,(]\s*(?:(?:the|a|an|his|her|their)\s+)?(?:[\w-]+['\u2019]s\s+)?(?:[\w-]+\s+){{0,3}}?(?:{roles})s?\b",
            re.I,
        )


@lru_cache(maxsize=1)
def _people() -> _PeopleCues:
    return _PeopleCues()


def names_a_person(text: str, start: int, end: int, ref: OutletRef, aliases: dict[str, str]) -> bool:
    """Is the name at ``text[start:end]`` a person (whom the writer spoke to), not an outlet?

    A name of two or three capitalised words that neither the broad list nor training knows as an
    outlet, with no outlet word in it ("Radio", "Times"), that stands where people stand: after
    "spoke to", "hosted by", "with", or a role ("presenter"), or before one (", the paper's editor").
    """
    if ref.in_gazetteer or norm_key(display_name(text[start:end])) in aliases:
        return False
    words = text[start:end].split()
    if not 2 <= len(words) <= 3 or not all(_NAME_WORD.match(w) for w in words):
        return False
    lex = load_lexicon()
    lows = [w.lower() for w in words]
    if any("outlet_nouns" in lex.of(w) or w in PLATFORM_WORDS or w in SECTION_WORDS for w in lows):
        return False
    before = text[max(0, start - 40) : start]
    if _THE_BEFORE.search(before):
        return False  # "the Atlantic Sentinel": people take no article
    cues = _people()
    return bool(
        cues.link_before.search(before)
        or cues.role_before.search(before)
        or cues.role_after.match(text[end : end + 80])
    )


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``start:end``."""
    first = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        first = m.end()
    last = _SENTENCE_END.search(text, end)
    return text[first : last.start() if last else len(text)]


def reported_appearance(slot: Slot, ref: OutletRef) -> bool:
    """A listed outlet the writer reports appearing in: a sentence in the first person with a word
    of appearing ("interview me", "I was on", "my chat with") around a broadcaster; for any other
    outlet, a word of appearing in its own clause ("a long interview for X", "comments I made to X")."""
    if not ref.in_gazetteer:
        return False
    text, start, end = slot.line.text, slot.cand.start, slot.cand.end
    lex = load_lexicon()
    classes = {c for w in words_lower(_sentence(text, start, end)) for c in lex.of(w)}
    if "first_person" not in classes or "appearance" not in classes:
        return False
    return ref.outlet_kind == "broadcaster" or "cl:appearance" in slot.cand.features


def heading_outlet(chain: Sequence[Slot], aliases: dict[str, str]) -> tuple[Slot, OutletRef] | None:
    """A round-up's heading line that is a listed outlet's name and nothing else ("Example Radio")."""
    if not chain:
        return None
    first = chain[0].line.number
    for slot in chain:
        if slot.line.number - first >= HEADING_LINES:
            break
        if slot.cand.text != slot.line.text.strip():
            continue
        ref = canonical_ref(slot.cand.text, aliases, slot.line.number)
        if ref is not None and ref.in_gazetteer:
            return slot, ref
    return None


def appearances(
    chain: Sequence[Slot],
    labels: Sequence[str],
    piece: OutletRef | None,
    aliases: dict[str, str],
    roundup: bool,
) -> list[Mention]:
    """The post's media appearances: the names the model labels ``M`` that are not people, and listed
    outlets it left out of a sentence reporting an appearance; never the piece's own outlet.

    A round-up (``roundup``: a post with no piece) whose report names no outlet takes its heading's.
    """
    out: list[Mention] = []
    seen: set[tuple[str, int]] = set()
    for slot, label in zip(chain, labels, strict=True):
        text, start, end = slot.line.text, slot.cand.start, slot.cand.end
        outlet = canonical_outlet(slot.cand.text, aliases)
        if outlet is None or (piece is not None and outlet[0].casefold() == piece.name.casefold()):
            continue
        if label != "M" and outlet[1] is None:
            continue  # (reported_appearance's first test, asked before the reference is made)
        ref = outlet_ref(slot.cand.text, outlet, slot.line.number)
        if label == "M" and names_a_person(text, start, end, ref, aliases):
            continue
        if label != "M" and not reported_appearance(slot, ref):
            continue
        key = (ref.name.casefold(), slot.line.number)
        if key in seen:
            continue
        seen.add(key)
        out.append(describe(text, start, end, ref, slot.line.number))
    if roundup and not out:
        found = heading_outlet(chain, aliases)
        if found is not None:
            slot, ref = found
            out.append(describe(slot.line.text, slot.cand.start, slot.cand.end, ref, slot.line.number))
    return out
