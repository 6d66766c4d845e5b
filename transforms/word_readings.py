"""What the lexicon reads in the words of a line: word classes, and the voice of an appearance.

Split from transforms/line_features.py, which asks these for every line of every page: the readings
are made word by word and remembered (lines share most of their words), and the pattern searches
have fast forms that answer exactly as the patterns (tests/test_fast_paths.py holds them to it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from transforms.folding import FoldedPattern, lowered
from transforms.lexicon import load_lexicon

HEAD_WORD = re.compile(r"[\w&@][\w'&.-]*[\w]|[\w&@]")  # a word of a line's head, as the features read it
SOFT_CUES = frozenset({"appearance", "link_words"})  # common in any prose: a cue only before a name


@lru_cache(maxsize=1)
def lexicon_pattern() -> re.Pattern[str]:
    """Every lexicon word, as one pattern over lower-cased text (C-speed class lookup)."""
    from transforms.phrases import phrase_regex

    words = [w for w in load_lexicon().classes if " " not in w]
    return re.compile(rf"(?<![\w'-])(?:{phrase_regex(words)})(?![\w'-])")


@lru_cache(maxsize=1)
def voice_to_name() -> re.Pattern[str]:
    """A word for an appearance or a link followed by a preposition ("spoke to media", "talking on
    Monocle 24"), or by a word and then a preposition and a name ("read it at Foreign Policy").
    Not "officials speak privately", "talking up remittances": those words in any prose."""
    from transforms.phrases import phrase_regex

    lex = load_lexicon().classes
    words = [w for w, cs in lex.items() if " " not in w and SOFT_CUES.intersection(cs)]
    prep = r"(?i:for|in|on|at|with|to|by|from)\b"
    return re.compile(
        rf"(?i:\b(?:{phrase_regex(words)}))\W+(?:{prep}|[\w'-]+\W+{prep}\s+(?:(?i:the)\s+)?[A-Z])"
    )


@lru_cache(maxsize=1)
def voice_lead() -> FoldedPattern:
    """The start of every match of ``voice_to_name``: one of its words, then a non-word character."""
    from transforms.phrases import phrase_regex

    lex = load_lexicon().classes
    words = [w for w, cs in lex.items() if " " not in w and SOFT_CUES.intersection(cs)]
    return FoldedPattern.compile(rf"\b(?:{phrase_regex(words)})\W")


def voice_in(text: str, end: int) -> bool:
    """``voice_to_name().search(text, 0, end) is not None``, faster.

    The case-insensitive pattern is tried at every character; its leading words, searched as a
    case-sensitive pattern in the lower-cased text (transforms/folding.py), find the few places
    where it can match, and it is tried there only (at each in turn: none is skipped).
    """
    head = text[:end]
    low = lowered(head)
    if low is None:
        return voice_to_name().search(head) is not None
    lead, full = voice_lead().lower, voice_to_name()
    m = lead.search(low)
    while m is not None:
        if full.match(head, m.start()) is not None:
            return True
        m = lead.search(low, m.start() + 1)
    return False


_RUN = re.compile(r"[\w'-]+")


@lru_cache(maxsize=1)
def _odd_characters() -> str:
    """The characters other than word characters, apostrophes and hyphens in the lexicon's
    one-word entries (the "&" of "q&a")."""
    words = [w for w in load_lexicon().classes if " " not in w]
    return "".join(sorted({ch for w in words for ch in _RUN.sub("", w)}))


def word_classes(low: str) -> set[str]:
    """The word classes of the lexicon words in lower-cased text.

    A lexicon word is found where no word character, apostrophe or hyphen stands on either side
    of it (``lexicon_pattern``): so, in text without the few other characters some entries hold,
    each maximal run of those characters is one word or none, and a dictionary lookup per run
    finds what the pattern of every word would, faster.
    """
    classes_of = load_lexicon().classes
    if any(map(low.__contains__, _odd_characters())):
        return set().union(*map(classes_of.__getitem__, lexicon_pattern().findall(low)))
    return set().union(*filter(None, map(classes_of.get, _RUN.findall(low))))


_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))


def cases(chars: str) -> tuple[int, int]:
    """How many of the characters are upper case, and how many lower case (``str.isupper``,
    ``str.islower``). In ASCII only A-Z and a-z are cased: counted by deleting them, in C."""
    if not chars.isascii():
        return sum(map(str.isupper, chars)), sum(map(str.islower, chars))
    raw = chars.encode("ascii")
    n = len(raw)
    return n - len(raw.translate(None, _ASCII_UPPER)), n - len(raw.translate(None, _ASCII_LOWER))


def low_words(words: list[str]) -> str:
    """Words of a line joined by spaces, lower-cased, with one apostrophe."""
    return " ".join(words).lower().replace("\u2019", "'")


WORD_CACHE = 1 << 16  # distinct words whose readings are remembered (then forgotten all at once)
_V = TypeVar("_V")  # what a reading is: a tuple (HEAD_READINGS) or a set of classes (WORD_CLASSES)


class WordReadings(dict[str, _V]):
    """A word of a line (no white space in it) -> what the line features (or, for a token, the
    outlet candidates: transforms/candidates.py) read in it, lower-cased.

    Lines share most of their words, so each is read once. Reading a line word by word gives what
    reading it whole (``low_words`` of its words) does: lower-casing keeps no context across a space;
    no match of ``HEAD_WORD`` or ``_RUN`` and no lexicon word holds a space, and the lexicon
    pattern's look-arounds see a space and a text's end alike.
    """

    def __init__(self, read: Callable[[str], _V]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, word: str) -> _V:
        if len(self) >= WORD_CACHE:
            self.clear()
        value = self[word] = self.read(word)
        return value


def _head_reading(word: str) -> tuple[tuple[str, ...], frozenset[str]]:
    low = low_words([word])
    if low.isalpha():  # most words: one head word, itself (see ``_letters_classes``)
        return (low,), _letters_classes(low)
    words = tuple(HEAD_WORD.findall(low))
    return words, frozenset(word_classes(" ".join(words)))


def _word_classes(word: str) -> frozenset[str]:
    low = low_words([word])
    return _letters_classes(low) if low.isalpha() else frozenset(word_classes(low))


def _letters_classes(low: str) -> frozenset[str]:
    """``word_classes`` of a lower-cased word of letters only, read directly.

    Why: every word of a page is read once, and most are plain letters (real pages bring
    thousands of new words). Letters are word characters (the engine's ``\\w`` is
    ``str.isalnum``), so ``HEAD_WORD`` and ``_RUN`` each match such a word whole and none of
    ``_odd_characters`` is in it: its classes are its own entry's, looked up once.
    """
    return frozenset(load_lexicon().of(low))


HEAD_READINGS = WordReadings(_head_reading)  # a word early in a line: its head words, their classes
WORD_CLASSES = WordReadings(_word_classes)  # a later word: its classes
