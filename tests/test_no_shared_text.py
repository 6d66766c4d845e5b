"""The project never carries text of the annotated pages (the data rules: tests and training read
``../shared`` from there, and held-out pages of the same sites grade the parser).

Any run of nine words that occurs in a seed dump or an annotated corpus page and also in a file
of the repository fails this test, naming the file, the line and the page. Examples in tests,
docstrings and docs are invented; outlet names and a blog engine's furniture stay short enough not
to match. The broad outlet list is exempt: an institution's official name can be nine words long.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, SEEDS_DIR, SHARED_DIR

RUN = 9  # words: a copied sentence matches; "a piece for the" and a four-word outlet name do not
EXEMPT = {"transforms/data/outlets_world.csv"}  # institution names from a public list
BINARY = (".zip", ".duckdb", ".png", ".parquet", ".arrow")
_WORD = re.compile(r"[a-z0-9]+")


def _runs(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def _shared_pages() -> list[Path]:
    return sorted(SEEDS_DIR.glob("*.txt")) + sorted(SHARED_DIR.glob("corpus/*/pages/*.txt"))


def test_no_run_of_words_from_the_annotated_pages_is_in_the_repository() -> None:
    pages = _shared_pages()
    if not pages:
        pytest.skip(f"no seed dumps or corpus pages under {SHARED_DIR} (set BYLINES_SHARED)")
    source: dict[str, str] = {}
    for page in pages:
        for run in _runs(page.read_text(encoding="utf-8", errors="replace")):
            source.setdefault(run, page.name)
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(tracked) > 100  # the repository's files were listed
    found = []
    for name in tracked:
        if name in EXEMPT or name.endswith(BINARY):
            continue
        try:
            text = (PROJECT_ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            hit = next((r for r in _runs(line) if r in source), None)
            if hit:
                found.append(f"{name}:{number}: '{hit}' (from {source[hit]})")
    assert not found, "text of the annotated pages in the repository:\n" + "\n".join(found)


def test_the_check_finds_a_copied_sentence(tmp_path: Path) -> None:
    """The matcher itself: a sentence of a page matches, the same words reordered do not."""
    pages = _shared_pages()
    if not pages:
        pytest.skip(f"no seed dumps or corpus pages under {SHARED_DIR} (set BYLINES_SHARED)")
    line = max(pages[0].read_text(encoding="utf-8", errors="replace").splitlines(), key=len)
    assert _runs(line) & _runs(pages[0].read_text(encoding="utf-8", errors="replace"))
    assert not _runs(" ".join(reversed(line.split()))) & _runs(line)
