"""The gazetteer's one-scan search for where a listed name may start agrees with ``_word_start``.

Why: ``Gazetteer.find`` used to test ``_word_start`` at every capital of a line in Python, a large
share of the line features' time; ``_NAME_START`` finds the same positions with one regex scan.
They must agree on every character before every possible first character, or the parse changes.
"""

from __future__ import annotations

import re

from transforms.gazetteer import _name_starts, _word_start

_FIRST = re.compile(r"[A-Z0-9\u00c0-\u00de]")  # the characters a listed name's search may start on
_WORD = re.compile(r"\w")
_LETTER = re.compile(r"[^\W\d_]")


def _reference(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if _FIRST.match(ch) and _word_start(text, i)]


def test_the_facts_the_scan_relies_on_hold_for_every_character() -> None:
    """Regex \\w is str.isalnum() or "_"; a lower-case word character is a letter to the regex;
    the upper-case first characters are exactly those the "glued" branch takes."""
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        word = _WORD.match(ch) is not None
        assert word == (ch.isalnum() or ch == "_"), hex(code)
        if ch.islower() and word:
            assert _LETTER.match(ch), hex(code)
    firsts = [chr(c) for c in range(0x100) if _FIRST.match(chr(c))]
    assert [c for c in firsts if c.isupper()] == [
        c for c in firsts if re.fullmatch(r"[A-Z\u00c0-\u00d6\u00d8-\u00de]", c)
    ]


def test_name_starts_match_word_start() -> None:
    samples = [
        "A piece for the Straits Times (ST), on BBC's iPlayer; TimesWashington, 2011The Hindu",
        "@Reuters_UK x\u00c9l\u00c8 \u00e9\u00c0 _B 3C \u24d0D \u2170E \u00aaF \u00d7G a\u00d7 MacDonald",
        "\u00c0\u00d7\u00de0A",
    ]
    prev_chars = "aZ0_@ .,'\"(\u00e9\u00c9\u00df\u00aa\u02b0\u2170\u24d0\u0131\u00b5\u01c5\u2c65\U0001d41a"
    samples += [p + f for p in prev_chars for f in "A0\u00c0\u00d7\u00de"]
    for text in samples:
        assert _name_starts(text) == _reference(text), repr(text)
