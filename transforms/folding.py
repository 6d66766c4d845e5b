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

_NOT_FOLDABLE = re.compile("[\u0130\u0131\u017f\u212a]")
_ESCAPE = re.compile(r"\\.|\(\?P(?:<\w+>|=\w+\))", re.S)  # escapes and group names: not literals
_CODE_ESCAPE = re.compile(r"\\[0-7xuUN]")  # a character by its code: it could be a letter


def lowered(text: str) -> str | None:
    """``text.lower()`` when the folded searches may run on it (offsets unchanged), else None."""
    if text.isascii() or not _NOT_FOLDABLE.search(text):
        return text.lower()
    return None


def _check_source(source: str) -> None:
    """Refuse a source whose case-sensitive compilation could mean something else on lower case:
    an upper-case ASCII letter or any non-ASCII letter, a character given by its code, or "(?-i:"."""
    bare = _ESCAPE.sub("", source)
    odd = [ch for ch in bare if ch.isupper() or (not ch.isascii() and ch.isalpha())]
    if odd or "(?-" in bare or _CODE_ESCAPE.search(source):
        raise ValueError(f"not a lower-case ASCII pattern (has {odd[:3] or '(?-'}): {source[:80]!r}")


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

    @classmethod
    def compile(cls, source: str, needs: str = "") -> FoldedPattern:
        _check_source(source)
        if needs != needs.lower():
            raise ValueError(f"needs must be lower case: {needs!r}")
        return cls(re.compile(source, re.IGNORECASE), re.compile(source), needs)

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        """``self.ignorecase.search(text)`` (the very match: same span and groups)."""
        low = low if low is not None else lowered(text)
        if low is None:
            return self.ignorecase.search(text)
        if self.needs not in low:
            return None
        m = self.lower.search(low)
        # the first match starts where the twin's does; match there for a match object of ``text``
        return None if m is None else self.ignorecase.match(text, m.start())

    def found(self, text: str, low: str | None = None, pos: int = 0) -> bool:
        """``bool(self.ignorecase.search(text, pos))``."""
        low = low if low is not None else lowered(text)
        if low is None:
            return self.ignorecase.search(text, pos) is not None
        return self.needs in low and self.lower.search(low, pos) is not None

    def finditer(self, text: str, low: str | None = None) -> list[re.Match[str]]:
        """``list(self.ignorecase.finditer(text))`` (the very matches)."""
        low = low if low is not None else lowered(text)
        if low is None:
            return list(self.ignorecase.finditer(text))
        if self.needs not in low:
            return []
        out: list[re.Match[str]] = []
        for m in self.lower.finditer(low):
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
        return [m.span() for m in self.lower.finditer(low)]
