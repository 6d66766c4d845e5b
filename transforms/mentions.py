"""A media appearance as the warehouse keeps it: outlet, medium, subject and the words that report it.

Which outlet names are appearances is learned (transforms/fields.py labels them ``M``); this
module only describes one: its medium from the words of its clause ("on the radio", "podcast",
"panel") or else from the outlet's kind, its subject from the words after it ("about the
election"), and the clause itself as evidence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.folding import FoldedPattern, lowered
from transforms.lexicon import load_lexicon
from transforms.models import Medium, Mention, OutletRef

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


@lru_cache(maxsize=1)
def _medium_patterns() -> tuple[tuple[str, FoldedPattern], ...]:
    """Each medium's words as one case-insensitive pattern (folded: the cue lists are lower case)."""
    lex = load_lexicon()
    return tuple(
        (medium, FoldedPattern.compile(r"\b(?:" + "|".join(re.escape(w.lower()) for w in words) + r")\b"))
        for medium, words in lex.medium.items()
    )


def medium_of(near: str, ref: OutletRef | None) -> Medium:
    """The medium the words near an appearance name, else the one its outlet's kind implies."""
    low = lowered(near)  # one lower-casing for every medium's search
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
