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

DATA_DIR = Path(__file__).resolve().parent / "data"
GAZETTEER_FILE = DATA_DIR / "outlets_world.csv"
NO_GAZETTEER_ENV = "BYLINES_NO_GAZETTEER"

_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)


def norm_key(name: str) -> str:
    """Comparison key of an outlet name: NFKC, folded quotes, case-folded, no leading 'the', no possessive."""
    text = unicodedata.normalize("NFKC", name).translate(_FOLD).casefold()
    text = re.sub(r"\s+", " ", text).strip().strip(" .,:;'\"()[]|")
    text = re.sub(r"^the ", "", text)
    text = re.sub(r"'s$", "", text)
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
                bare = re.sub(r"^[Tt]he\s+", "", name.translate(_FOLD))
                if len(bare) >= 2:
                    surfaces.setdefault(bare, o)
        self._surfaces = surfaces
        self._lower = {k.casefold(): v for k, v in surfaces.items() if "." in k}  # domains
        if surfaces:
            alt = phrase_regex(surfaces, loose=True)
            # a name ends at a non-alphanumeric character or at a lower->Upper step ("TimesWashington")
            self._pattern: re.Pattern[str] | None = re.compile(
                rf"(?:(?<![\w@])|(?<=[a-z])(?=[A-Z]))({alt})(?:(?![A-Za-z0-9])|(?<=[a-z])(?=[A-Z]))"
            )
        else:
            self._pattern = None

    def lookup(self, name: str) -> Outlet | None:
        """The listed outlet a name (or alias, or domain) stands for."""
        return self._by_key.get(norm_key(name))

    def find(self, text: str) -> list[Hit]:
        """Listed names in ``text``, left to right, non-overlapping (longest first at each start)."""
        if self._pattern is None:
            return []
        folded = text.translate(_FOLD) if not text.isascii() else text
        out: list[Hit] = []
        for m in self._pattern.finditer(folded):
            key = re.sub(r"\s+", " ", m.group(1)).replace("\u2019", "'")
            outlet = self._surfaces.get(key) or self._lower.get(key.casefold())
            if outlet is not None:
                out.append(Hit(m.start(1), m.end(1), outlet))
        return out


def _read(path: Path) -> list[Outlet]:
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
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


def load_gazetteer() -> Gazetteer:
    """The broad list (cached); empty when ``$BYLINES_NO_GAZETTEER`` is set (the ablation)."""
    return _load(not os.environ.get(NO_GAZETTEER_ENV))
