"""Decode and parse raw dumps, in a process pool when there are several.

Why a separate module without a Dagster import: pool workers import only this file and
``transforms`` (fast start-up), and a worker never touches DuckDB. Every failure becomes
a reason a person understands; nothing here raises for a bad dump, so one bad file can
never fail a run.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from pydantic import BaseModel, ConfigDict

from transforms.models import ParsedDump, ParseError, ParseSettings
from warehouse.rawstore import DumpMeta

# Below this much text a pool costs more than it saves: spawning workers that import the
# parser and its gazetteers took ~1 s on 2 cores, while parsing the 5 seeds (360 KB) serially took ~1 s.
POOL_MIN_DUMPS = 3
POOL_MIN_BYTES = 1024 * 1024


class ParsedItem(BaseModel):
    """One dump after decoding and parsing: either ``parsed`` or ``error`` is set."""

    model_config = ConfigDict(extra="forbid")

    meta: DumpMeta
    parsed: ParsedDump | None = None
    error: str | None = None


def parse_one(meta: DumpMeta, blog_author: str | None = None) -> ParsedItem:
    """Decode the stored bytes and parse them; failures become a quarantine reason."""
    from transforms.parse import parse_dump
    from transforms.text import decode

    try:
        with open(meta.raw_path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return ParsedItem(meta=meta, error=f"raw copy unreadable: {exc.strerror or exc}")
    if not data.strip():
        return ParsedItem(meta=meta, error="empty file: no text to parse")
    try:
        text, encoding = decode(data)
    except (UnicodeError, ValueError) as exc:
        return ParsedItem(meta=meta, error=f"could not decode the bytes as text: {exc}")
    meta = meta.model_copy(update={"encoding": encoding})
    try:
        parsed = parse_dump(text, meta.file_name, ParseSettings(blog_author=blog_author))
    except ParseError as exc:
        return ParsedItem(meta=meta, error=f"not an archive dump: {exc}")
    except Exception as exc:  # a parser bug on odd input must quarantine the dump, not kill the run
        return ParsedItem(meta=meta, error=f"parser failed ({type(exc).__name__}): {exc}")
    return ParsedItem(meta=meta, parsed=parsed)


def _worker_count(n_items: int, max_workers: int) -> int:
    cpus = os.cpu_count() or 1
    limit = max_workers if max_workers > 0 else cpus
    return max(1, min(n_items, limit, cpus))


def parse_many(
    metas: list[DumpMeta], blog_author: str | None = None, max_workers: int = 0
) -> list[ParsedItem]:
    """Parse every dump, in input order; a process pool when the batch is big enough to pay for it."""
    workers = _worker_count(len(metas), max_workers)
    total = sum(m.size_bytes for m in metas)
    if workers < 2 or len(metas) < POOL_MIN_DUMPS or total < POOL_MIN_BYTES:
        return [parse_one(m, blog_author) for m in metas]
    # spawn, not fork: the parent may hold Dagster threads and open DuckDB handles.
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            return list(pool.map(parse_one, metas, [blog_author] * len(metas)))
    except Exception:  # a broken pool (worker killed, OOM) must not lose the batch: parse in-process
        return [parse_one(m, blog_author) for m in metas]
