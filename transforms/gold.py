"""Annotated pages for training and cross-validation, read from the shared folder.

Three corpora carry gold in the format of ``../shared/eval/gold/README.md``: the seed gold
(``eval/gold`` over ``seeds/``, whole pages), ``corpus/blog`` (excerpts of the same blog) and
``corpus/others`` (excerpts of other writers' blogs). Excerpts are *partial*: only the posts
whose first line and title fall inside them are annotated, so everything after the last
annotated post is unlabelled.

Nothing here is copied into the project: the pages and their gold are read from the shared
folder (``$BYLINES_SHARED``, default ``../shared`` beside the project) at training and
evaluation time only.

Delivery metadata: the one thing per page the parser may be told besides the text is who wrote
the blog and where it lives (``ParseSettings.blog_author`` and ``site``), as a nightly ingest
is told by its writers' configuration. For ``corpus/others`` they come from ``index.tsv``
(writer = column 5, site = the url's host without "www."); the seeds and ``corpus/blog`` are
one blog, whose writer and site are :data:`BLOG_WRITER`. Never the url's path (category names)
nor anything else from the gold.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from transforms.text import split_lines

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPORA = ("seeds", "blog", "others")
FURNITURE_AFTER_SINGLE_POST = 1
"""Non-empty lines after a single-post page's post labelled as furniture (where a comment form or
share block starts); a whole comment thread would outweigh the rest of the training data."""
BLOG_WRITER = ("Raffaello Pantucci", "raffaellopantucci.com")
"""(author, site) of the blog the seeds and ``corpus/blog`` come from: delivery metadata."""


def shared_root() -> Path:
    """The shared folder: ``$BYLINES_SHARED``, else ``../shared`` beside the project."""
    return Path(os.environ.get("BYLINES_SHARED", PROJECT_ROOT.parent / "shared"))


@dataclass(frozen=True)
class GoldPage:
    """One annotated page: its text, gold, CV group and delivery metadata."""

    corpus: str
    name: str  # the dump's file name, as the gold's "dump" and the scorer know it
    path: Path
    group: str  # cross-validation group: the writer (others), the url (blog), the file (seeds)
    text: str
    gold: dict
    blog_author: str | None
    site: str | None

    @property
    def partial(self) -> bool:
        return bool(self.gold.get("partial"))

    def lines(self) -> list[str]:
        return split_lines(self.text)

    def labelled_until(self) -> int:
        """Last 1-based line whose role the gold states (the whole page unless partial)."""
        if not self.partial:
            return len(self.lines())
        ends = [p.get("end_line") or p["start_line"] for p in self.gold["posts"]]
        last = max(ends, default=0)
        if self.gold.get("archive_kind") == "post" and last:
            lines = self.lines()
            shown = [n for n in range(last + 1, len(lines) + 1) if lines[n - 1].strip()]
            return shown[min(len(shown), FURNITURE_AFTER_SINGLE_POST) - 1] if shown else last
        return last


def _site(url: str) -> str | None:
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.") or None


def _index(folder: Path) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    index = folder / "index.tsv"
    if index.is_file():
        for line in index.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if cols and cols[0].strip():
                rows[cols[0].strip()] = cols
    return rows


def load_corpus(corpus: str, root: Path | None = None) -> list[GoldPage]:
    """The annotated pages of one corpus ('seeds', 'blog' or 'others'), sorted by name."""
    root = root or shared_root()
    if corpus == "seeds":
        gold_dir, page_dir, index = root / "eval" / "gold", root / "seeds", {}
    elif corpus in ("blog", "others"):
        base = root / "corpus" / corpus
        gold_dir, page_dir, index = base / "gold", base / "pages", _index(base)
    else:
        raise ValueError(f"unknown corpus {corpus!r}; known: {CORPORA}")
    pages: list[GoldPage] = []
    for gold_file in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        if "dump" not in gold or "posts" not in gold:
            continue  # outlets.json and other side files
        path = page_dir / Path(gold["dump"]).name
        if not path.is_file():
            continue
        row = index.get(path.stem, [])
        url = gold.get("url") or (row[1] if len(row) > 1 else "")
        if corpus == "others":
            author = row[4].strip() if len(row) > 4 else None
            site, group = _site(url), author or path.stem
        else:
            author, site = BLOG_WRITER
            group = url if corpus == "blog" and url else path.name
        # newline="" keeps "\r\n" as the file has it; split_lines counts lines as the scorer does
        with path.open(encoding="utf-8", newline="") as fh:
            text = fh.read()
        pages.append(GoldPage(corpus, path.name, path, group, text, gold, author, site))
    return pages


def available(root: Path | None = None) -> bool:
    """True when every corpus is present in the shared folder."""
    root = root or shared_root()
    return (root / "eval" / "gold").is_dir() and all(
        (root / "corpus" / c / "gold").is_dir() for c in ("blog", "others")
    )
