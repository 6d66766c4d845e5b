"""Word classes of plain English (`data/lexicon.json`), read by the models as features.

A class says what kind of word a token is (first person, a word for a piece of writing, a verb
of publishing or of a media appearance, page-furniture phrases...). Which classes matter where,
and how much, is learned from annotated pages; nothing here decides anything on its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from transforms.phrases import phrase_regex

DATA_DIR = Path(__file__).resolve().parent / "data"
WORD = re.compile(r"[A-Za-z\u00c0-\u024f0-9][\w'\u2019&-]*")
"""A word token (letters, digits, apostrophes, hyphens and '&' inside)."""

WORD_CLASSES = (
    "first_person",
    "piece",
    "publish",
    "appearance",
    "time_words",
    "link_words",
    "prepositions",
    "meta_words",
    "weekdays",
    "months",
    "outlet_nouns",
    "not_outlet_nouns",
)


@dataclass(frozen=True)
class Lexicon:
    """Word -> its classes; the furniture phrases as one pattern; kind and medium cue lists."""

    classes: dict[str, tuple[str, ...]]
    footer: re.Pattern[str]
    # a comment section's first line: "Leave a Reply", "3 Responses to ..."; or a commenter's
    # line, "Jane Doe said..." (``comment_signature``: it ends with "...", "…" or ":")
    comment_opener: re.Pattern[str]
    comment_signature: re.Pattern[str]
    # a post's link to its comments, a count alone: "1 Comment", "No Comments"
    comment_count: re.Pattern[str]
    kinds: dict[str, tuple[str, ...]]
    medium: dict[str, tuple[str, ...]]

    def of(self, word: str) -> tuple[str, ...]:
        """The classes of a lower-case word (empty when it has none)."""
        return self.classes.get(word.replace("\u2019", "'"), ())


_COUNT = r"(?:\d+|one|no)"  # how many comments: "3", "One", "No" (case-blind patterns)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    raw = json.loads((DATA_DIR / "lexicon.json").read_text(encoding="utf-8"))
    classes: dict[str, list[str]] = {}
    for name in WORD_CLASSES:
        for word in raw[name]:
            classes.setdefault(word, []).append(name)
    footer = re.compile(rf"(?<![\w])(?:{phrase_regex(raw['footer_phrases'], loose=True)})(?![\w])")
    # of a line, in any case: an opener, or a count of comments ("3 Responses to", "One thought on")
    comment_opener = re.compile(
        rf"^(?:(?:{phrase_regex(raw['comment_openers'], loose=True)})(?![\w])"
        rf"|{_COUNT}\s+(?:{phrase_regex(raw['comment_counts'], loose=True)})(?![\w]))",
        re.I,
    )
    # a name of one to five words and a verb, with its "..." or ":" ("Jane Doe said...")
    comment_signature = re.compile(
        rf"^(?:[^\W\d_][\w.'\u2019-]*\s+){{1,5}}(?:{phrase_regex(raw['comment_verbs'])})\s*(?:\.\.\.|\u2026|:)\s*$",
        re.I,
    )
    comment_count = re.compile(rf"^{_COUNT}\s+(?:{phrase_regex(raw['comment_nouns'])})\s*$", re.I)
    return Lexicon(
        classes={w: tuple(c) for w, c in classes.items()},
        footer=footer,
        comment_opener=comment_opener,
        comment_signature=comment_signature,
        comment_count=comment_count,
        kinds={k: tuple(v) for k, v in raw["kinds"].items()},
        medium={k: tuple(v) for k, v in raw["medium"].items()},
    )


@lru_cache(maxsize=1)
def load_people_cues() -> dict[str, tuple[str, ...]]:
    """``data/people_cues.json``: the phrases that link the writer to a person ("spoke to") and the
    role nouns written of a person ("presenter", "fellow"), read once for the mentions and the bios."""
    raw = json.loads((DATA_DIR / "people_cues.json").read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in raw.items() if not k.startswith("_")}


def words_lower(text: str, limit: int = 0) -> list[str]:
    """The word tokens of ``text``, lower-cased (the first ``limit`` only, when given)."""
    if limit:
        out = []
        for m in WORD.finditer(text):
            out.append(m.group(0).lower())
            if len(out) >= limit:
                break
        return out
    return [w.lower() for w in WORD.findall(text)]
