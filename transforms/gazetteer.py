"""The broad outlet list (`data/outlets_world.csv`): names found in text, and canonical forms.

The list is general knowledge of world media (see the file's header for its provenance), never
derived from annotated pages. The learned models read its hits as features; it also gives the
canonical name, kind, country and domain of an outlet it knows. ``BYLINES_NO_GAZETTEER=1``
switches it off (an empty list), for the cross-validation ablation that shows what it adds.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from transforms.phrases import phrase_regex
from transforms.text import fold_quotes

DATA_DIR = Path(__file__).resolve().parent / "data"
GAZETTEER_FILE = DATA_DIR / "outlets_world.csv"
NO_GAZETTEER_ENV = "BYLINES_NO_GAZETTEER"
FOUND_CACHE = 1 << 14  # texts whose hits are remembered (then forgotten all at once)

_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_SPACES = re.compile(r"\s+")
_DOT_LETTER = re.compile(r"\.[A-Za-z]")
_KEY_THE = re.compile(r"^the ")
_KEY_POSSESSIVE = re.compile(r"'s$")
# A character that may open a listed name ([A-Z0-9\u00c0-\u00de]) where ``_word_start`` holds,
# found in one scan: after no word character and no "@" (regex \w is exactly str.isalnum() or
# "_"), or an upper-case one after a letter ("glued"): a start when that letter is lower case
# (checked on the few such matches). tests/test_fast_paths.py holds the two to each other.
# The character comes first and the look-behinds after it: the engine then skips from one such
# character to the next, where a leading look-behind is tried at every position.
_NAME_START = re.compile(
    r"[A-Z0-9\u00c0-\u00de](?:(?<![\w@].)|(?P<glued>(?<=[^\W\d_][A-Z\u00c0-\u00d6\u00d8-\u00de])))"
)


def _word_start(text: str, i: int) -> bool:
    """A name may start here: at a word's first character, or where a capital follows a lower-case letter."""
    if i == 0:
        return True
    prev = text[i - 1]
    return not (prev.isalnum() or prev in "_@") or (prev.islower() and text[i].isupper())


def _name_starts(text: str) -> list[int]:
    """Where a listed name may start: each [A-Z0-9\u00c0-\u00de] character where ``_word_start`` holds."""
    return [
        m.start() for m in _NAME_START.finditer(text) if m.lastgroup is None or text[m.start() - 1].islower()
    ]


@lru_cache(maxsize=1 << 14)  # asked of the same few names post after post
def norm_key(name: str) -> str:
    """Comparison key of an outlet name: NFKC, folded quotes, case-folded, no leading 'the', no possessive."""
    text = fold_quotes(unicodedata.normalize("NFKC", name)).casefold()
    text = _SPACES.sub(" ", text).strip().strip(" .,:;'\"()[]|")
    text = _KEY_THE.sub("", text)
    text = _KEY_POSSESSIVE.sub("", text)
    return text.strip()


@dataclass(frozen=True)
class Outlet:
    """One row of the list."""

    name: str
    aliases: tuple[str, ...]
    kind: str | None
    country: str | None
    domain: str | None


@dataclass(frozen=True)
class Hit:
    """A listed name found in a text: its span and the outlet it names."""

    start: int
    end: int
    outlet: Outlet


class Gazetteer:
    """Finds listed names in text (longest match, case as listed; domains in any case)."""

    def __init__(self, outlets: list[Outlet]) -> None:
        self.outlets = outlets
        self._by_key: dict[str, Outlet] = {}
        surfaces: dict[str, Outlet] = {}
        for o in outlets:
            for name in (o.name, *o.aliases, *([o.domain] if o.domain else [])):
                self._by_key.setdefault(norm_key(name), o)
                bare = re.sub(r"^[Tt]he\s+", "", fold_quotes(name))
                if len(bare) >= 2:
                    surfaces.setdefault(bare, o)
        # domains match in any case, as whole dotted words; names match as listed, by the pattern
        self._domains = {k.casefold(): v for k, v in surfaces.items() if _DOMAIN.fullmatch(k)}
        surfaces = {k: v for k, v in surfaces.items() if k.casefold() not in self._domains}
        self._surfaces = surfaces
        if surfaces:
            alt = phrase_regex(surfaces, loose=True)
            # a name ends at a non-alphanumeric character or at a lower->Upper step ("TimesWashington")
            self._pattern: re.Pattern[str] | None = re.compile(
                rf"({alt})(?:(?![A-Za-z0-9])|(?<=[a-z])(?=[A-Z]))"
            )
        else:
            self._pattern = None
        # Where a name can start: a word start (or a lower->Upper step) whose first two characters
        # begin some listed name. Trying the pattern only there is what makes matching cheap.
        self._heads = frozenset(k[:2] for k in surfaces if not k[0].islower())
        lower = [k for k in surfaces if k[0].islower()]
        self._lower_texts = tuple(k.split()[0] if len(k.split()[0]) > 2 else k for k in lower)
        self._lower_names = re.compile(phrase_regex(lower, loose=True)) if lower else None
        self._found: dict[str, tuple[Hit, ...]] = {}

    def lookup(self, name: str) -> Outlet | None:
        """The listed outlet a name (or alias, or domain) stands for."""
        return self._by_key.get(norm_key(name))

    def find(self, text: str) -> list[Hit]:
        """Listed names in ``text``, left to right, non-overlapping (longest first at each start).

        Remembered per text: the line features and the outlet candidates ask for the same lines
        (a third of the asks on a parse of generated dumps repeat one).
        """
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= FOUND_CACHE:
                self._found.clear()
            found = self._found[text] = tuple(self._find(text))
        return list(found)

    def _find(self, text: str) -> list[Hit]:
        if self._pattern is None:
            return []
        folded = fold_quotes(text)
        out: list[Hit] = []
        pos = 0
        heads = self._heads
        starts = _name_starts(folded)
        # a substring test per name (a scan for all of them as one pattern stops at every "i", "o" ...)
        if self._lower_names is not None and any(map(folded.__contains__, self._lower_texts)):
            starts.extend(
                i for i in (m.start() for m in self._lower_names.finditer(folded)) if _word_start(folded, i)
            )
            starts.sort()
        for at in starts:
            if at < pos or (folded[at : at + 2] not in heads and not folded[at].islower()):
                continue
            m = self._pattern.match(folded, at)
            if m is None:
                continue
            key = _SPACES.sub(" ", m.group(1)).replace("\u2019", "'")
            outlet = self._surfaces.get(key)
            if outlet is not None:
                out.append(Hit(m.start(1), m.end(1), outlet))
                pos = m.end(1)
        if self._domains and "." in folded:
            for dot in _DOT_LETTER.finditer(folded):
                if dot.start() == 0 or not folded[dot.start() - 1].isalnum():
                    continue
                left = max(folded.rfind(" ", 0, dot.start()), folded.rfind("(", 0, dot.start())) + 1
                right = folded.find(" ", dot.end())
                right = len(folded) if right < 0 else right
                word = folded[left:right].rstrip(".,;:)'\"")
                outlet = self._domains.get(word.casefold())
                if outlet is not None and not any(h.start <= left < h.end for h in out):
                    out.append(Hit(left, left + len(word), outlet))
            out.sort(key=lambda h: h.start)
        return out


def _read(path: Path) -> list[Outlet]:
    rows = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    out: list[Outlet] = []
    for row in csv.DictReader(rows):
        out.append(
            Outlet(
                name=row["canonical"].strip(),
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                kind=(row.get("kind") or "").strip() or None,
                country=(row.get("country") or "").strip() or None,
                domain=(row.get("domain") or "").strip() or None,
            )
        )
    return out


@lru_cache(maxsize=2)
def _load(enabled: bool) -> Gazetteer:
    return Gazetteer(_read(GAZETTEER_FILE) if enabled else [])


@lru_cache(maxsize=1)
def _enabled() -> bool:
    """Whether the list is on, read from the environment once per process (the parser asks for the
    list thousands of times per page, and ``os.environ.get`` of an unset name is not free)."""
    return not os.environ.get(NO_GAZETTEER_ENV)


def load_gazetteer() -> Gazetteer:
    """The broad list (cached); empty when ``$BYLINES_NO_GAZETTEER`` is set (the ablation)."""
    return _load(_enabled())


# Read ``$BYLINES_NO_GAZETTEER`` again at the next ``load_gazetteer`` (the ablation flips it).
reread_switch = _enabled.cache_clear
