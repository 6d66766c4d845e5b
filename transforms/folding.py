"""Case-insensitive regex searches run as case-sensitive ones over lower-cased text.

Why: Python's regex engine compares each character of an IGNORECASE pattern through a case
table and, for a pattern that opens with ``\\b`` and a list of cue words, tries it at every
character of the text. The cue searches over every paragraph were a large share of the parse
time. The same pattern compiled without IGNORECASE and run over ``text.lower()`` finds the same
spans about four times faster, and one ``lower()`` serves all the cues of a paragraph.

When this is exact: the pattern source has no upper-case ASCII letter and no non-ASCII letter
outside an escape (so both compilations mean the same, see ``FoldedPattern.compile``), and the
text has none of the four characters IGNORECASE equates with an ASCII letter of another case:
U+0130 (dotted capital I, the one character whose lower case is two characters long), U+0131
(dotless i), U+017F (long s) and U+212A (Kelvin sign). For any other text lower-casing keeps
every offset and every character's class (word character, space, digit), and compares each
letter as IGNORECASE does, so the matches are the same spans. ``lowered`` returns None for the
rare text with one of the four, and the searches then use the IGNORECASE pattern itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:  # the engine's own parse of a pattern (what the deprecated sre_parse re-exports); private, so
    from re import _constants, _parser  # a Python without them only loses the bare scan
except ImportError:  # pragma: no cover - CPython 3.11-3.14 have them
    _constants = _parser = None

_NOT_FOLDABLE = "\u0130\u0131\u017f\u212a"
_ESCAPE = re.compile(r"\\.|\(\?P(?:<\w+>|=\w+\))", re.S)  # escapes and group names: not literals
_CODE_ESCAPE = re.compile(r"\\[0-7xuUN]")  # a character by its code: it could be a letter


def lowered(text: str) -> str | None:
    """``text.lower()`` when the folded searches may run on it (offsets unchanged), else None."""
    # four substring tests: each a scan at memory speed, where a character class was tried at
    # every character by the regex engine (7 us on a 300-character line, 80 on a 4 KB body)
    if text.isascii() or not any(ch in text for ch in _NOT_FOLDABLE):
        return text.lower()
    return None


def _check_source(source: str) -> None:
    """Refuse a source whose case-sensitive compilation could mean something else on lower case:
    an upper-case ASCII letter or any non-ASCII letter, a character given by its code, or "(?-i:"."""
    bare = _ESCAPE.sub("", source)
    odd = [ch for ch in bare if ch.isupper() or (not ch.isascii() and ch.isalpha())]
    if odd or "(?-" in bare or _CODE_ESCAPE.search(source):
        raise ValueError(f"not a lower-case ASCII pattern (has {odd[:3] or '(?-'}): {source[:80]!r}")


BARE_FIRST_CHARS = 4
"""A pattern is scanned without its opening boundary only when its words open with at most this
many different letters: the engine then stops at few places (a match at each is tried whole),
where a failed boundary test is cheap. ``_NOT_OWN_BEFORE``'s words open with a dozen letters and
ran twice as slow without the boundary; "year ...", "last year", "(?:wire|agency)" ran ~3-40x faster."""


def _after_boundary(source: str) -> re.Pattern[str] | None:
    """The pattern without the word boundary it opens with (``\\b...`` with no top-level "|"), or None.

    Why: a pattern that opens with ``\\b`` gives the engine no first character to skip to, so it
    is tried at every character of the text (~25x slower on a long paragraph than the same
    pattern opening with its word). Without the ``\\b`` the engine skips to a possible first
    character; a match there is the boundary pattern's match when a boundary stands at its start
    (the boundary is zero-width and the rest of the pattern is the same), so the scan goes on
    past a match that has none (``_boundary_at``). Only for a pattern that cannot match empty text
    (whose every match moves the scan on), and whose first characters are few (``BARE_FIRST_CHARS``).
    """
    if not source.startswith(r"\b") or _parser is None:
        return None
    parsed = _parser.parse(source)
    if not parsed.data or parsed.data[0] != (_constants.AT, _constants.AT_BOUNDARY):
        return None  # a top-level alternation: the boundary is its first branch's alone
    if parsed.getwidth()[0] == 0:
        return None
    first = _first_chars(parsed.data[1:])
    if first is None or len(first) > BARE_FIRST_CHARS:
        return None
    return re.compile(source[2:])


def _first_chars(items: list) -> set[int] | None:
    """The characters a parsed pattern can open with, when it opens with literals (None otherwise)."""
    if not items:
        return None
    op, av = items[0]
    if op is _constants.LITERAL:
        return {av}
    if op is _constants.SUBPATTERN:
        return _first_chars(list(av[-1].data))
    if op is _constants.BRANCH:
        out: set[int] = set()
        for alt in av[1]:
            got = _first_chars(list(alt.data))
            if got is None:
                return None
            out |= got
        return out
    return None


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # exactly what the engine's \w is on str patterns


def _boundary_at(text: str, i: int) -> bool:
    """``\\b`` holds at offset i of text (as the engine reads it: the whole string, whatever ``pos``)."""
    return bool(text) and (i > 0 and _word(text[i - 1])) != (i < len(text) and _word(text[i]))


@dataclass(frozen=True)
class FoldedPattern:
    """An IGNORECASE pattern and its case-sensitive twin for lower-cased text.

    Every method takes the text and, optionally, ``lowered(text)`` when the caller already has
    it (several patterns are searched in one paragraph), and answers as the IGNORECASE pattern
    would on the text. ``needs``: a lower-case string that every match contains; lowered text
    without it is answered at once (a substring test is far cheaper than a search of a long body).
    """

    ignorecase: re.Pattern[str]
    lower: re.Pattern[str]
    needs: str = ""
    bare: re.Pattern[str] | None = None  # ``lower`` without its opening \b (``_after_boundary``)

    @classmethod
    def compile(cls, source: str, needs: str = "") -> FoldedPattern:
        _check_source(source)
        if needs != needs.lower():
            raise ValueError(f"needs must be lower case: {needs!r}")
        return cls(re.compile(source, re.IGNORECASE), re.compile(source), needs, _after_boundary(source))

    def _lower_search(self, low: str, pos: int = 0) -> re.Match[str] | None:
        """``self.lower.search(low, pos)``, through ``bare`` where there is one."""
        if self.bare is None:
            return self.lower.search(low, pos)
        while True:
            m = self.bare.search(low, pos)
            if m is None or _boundary_at(low, m.start()):
                return m
            pos = m.start() + 1

    def _lower_finditer(self, low: str) -> list[re.Match[str]]:
        """``list(self.lower.finditer(low))``, through ``bare`` where there is one."""
        if self.bare is None:
            return list(self.lower.finditer(low))
        out: list[re.Match[str]] = []
        m = self._lower_search(low)
        while m is not None:  # never empty: the next match starts at or after its end
            out.append(m)
            m = self._lower_search(low, m.end())
        return out

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        """``self.ignorecase.search(text)`` (the very match: same span and groups)."""
        low = low if low is not None else lowered(text)
        if low is None:
            return self.ignorecase.search(text)
        if self.needs not in low:
            return None
        m = self._lower_search(low)
        # the first match starts where the twin's does; match there for a match object of ``text``
        return None if m is None else self.ignorecase.match(text, m.start())

    def found(self, text: str, low: str | None = None, pos: int = 0) -> bool:
        """``bool(self.ignorecase.search(text, pos))``."""
        low = low if low is not None else lowered(text)
        if low is None:
            return self.ignorecase.search(text, pos) is not None
        return self.needs in low and self._lower_search(low, pos) is not None

    def finditer(self, text: str, low: str | None = None) -> list[re.Match[str]]:
        """``list(self.ignorecase.finditer(text))`` (the very matches)."""
        low = low if low is not None else lowered(text)
        if low is None:
            return list(self.ignorecase.finditer(text))
        if self.needs not in low:
            return []
        out: list[re.Match[str]] = []
        for m in self._lower_finditer(low):
            found = self.ignorecase.match(text, m.start())
            if found is not None:  # always: the twin matched at this offset
                out.append(found)
        return out

    def spans(self, text: str, low: str | None = None) -> list[tuple[int, int]]:
        """``[m.span() for m in self.ignorecase.finditer(text)]``."""
        low = low if low is not None else lowered(text)
        if low is None:
            return [m.span() for m in self.ignorecase.finditer(text)]
        if self.needs not in low:
            return []
        return [m.span() for m in self._lower_finditer(low)]
