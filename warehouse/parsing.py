"""Decode and parse raw dumps, in a process pool when there are several.

Owns the parse stage of the ingest (``warehouse.ingest``): bytes from the raw store in,
``ParsedItem`` out (a parse result in memory or staged as Arrow files, or a quarantine reason). The
parser's settings travel as one ``ParseSettings`` object to every worker; each dump's writer
fills in the blog's author and site.

Why a module of its own: pool workers import only this file, ``transforms`` and the staging
shapes (fast start-up), and a worker never opens the warehouse. Every failure becomes a reason a
person understands; nothing here raises for a bad dump, so one bad file can never fail a run.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from transforms.models import ParsedDump, ParseError, ParseSettings
from warehouse.rawstore import DumpMeta
from warehouse.staging import StagedDump, read_stage, stage_dump, write_stage

# Below this much text a pool costs more than it saves: spawning workers that import the
# parser and its gazetteers took ~1 s on 2 cores, while parsing the 5 seeds (360 KB) serially took ~1 s.
POOL_MIN_DUMPS = 3
POOL_MIN_BYTES = 1024 * 1024


class ParsedItem(BaseModel):
    """One dump after decoding and parsing: ``parsed`` (in memory) or ``parsed_path`` (staged on
    disk as the Arrow tables the loader reads, ``warehouse.staging.write_stage``), or else ``error``.

    Why staging: a nightly batch can be gigabytes of dumps. Workers write each parse result to
    the stage, already in the loader's shapes, and hand back only this small record, so memory
    holds one load batch at a time while the single writer loads them in turn.
    """

    model_config = ConfigDict(extra="forbid")

    meta: DumpMeta
    parsed: ParsedDump | None = None
    parsed_path: str | None = None
    posts: int = 0
    error: str | None = None
    # Not parsed yet: a big batch is parsed by the writer step while it loads (see resolve_deferred).
    deferred: bool = False
    settings: ParseSettings | None = None
    max_workers: int = 0
    stage_dir: str | None = None

    def load_staged(self) -> StagedDump | None:
        """The parse result as the loader's tables (read from the stage when it was staged); None
        when parsing failed. Raises ``OSError`` or ``ValueError`` when the stage is gone or damaged."""
        if self.parsed is not None:
            return stage_dump(self.meta, self.parsed)
        if self.parsed_path is None:
            return None
        return read_stage(Path(self.parsed_path))

    def discard_stage(self) -> None:
        """Remove the staged tables once loaded (the raw store keeps the bytes they came from)."""
        if self.parsed_path:
            shutil.rmtree(self.parsed_path, ignore_errors=True)


def parse_one(
    meta: DumpMeta, settings: ParseSettings | None = None, stage_dir: str | None = None
) -> ParsedItem:
    """Decode the stored bytes and parse them; failures become a quarantine reason.

    The dump's writer names the blog's author and its site (``Writer.parse_settings``). With
    ``stage_dir`` the result is staged there (the loader's Arrow tables, in a folder named by the
    dump's id) and only its path is returned.
    """
    settings = settings or ParseSettings()
    item = _parse(meta, meta.writer.parse_settings(settings) if meta.writer else settings)
    if item.parsed is None or stage_dir is None:
        return item
    target = Path(stage_dir) / item.meta.dump_id
    try:
        write_stage(stage_dump(item.meta, item.parsed), target)
    except Exception as exc:  # noqa: BLE001 - e.g. a value no column can hold: this dump's fault
        if isinstance(exc, OSError):
            raise  # the disk's fault, not the dump's: fail the run
        why = f"could not stage the parse result ({type(exc).__name__}): {exc}"
        return ParsedItem(meta=item.meta, error=why)
    return item.model_copy(update={"parsed": None, "parsed_path": str(target)})


def _parse(meta: DumpMeta, settings: ParseSettings) -> ParsedItem:
    from transforms.parse import parse_dump
    from transforms.text import decode, text_problem

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
    problem = text_problem(text)  # e.g. one 50 MB line: refuse before the parser spends minutes on it
    if problem:
        return ParsedItem(meta=meta, error=problem)
    try:
        parsed = parse_dump(text, meta.file_name, settings)
    except ParseError as exc:
        return ParsedItem(meta=meta, error=f"not an archive dump: {exc}")
    except Exception as exc:  # a parser bug on odd input must quarantine the dump, not kill the run
        return ParsedItem(meta=meta, error=f"parser failed ({type(exc).__name__}): {exc}")
    return ParsedItem(meta=meta, parsed=parsed, posts=len(parsed.posts))


def _worker_count(n_items: int, max_workers: int) -> int:
    cpus = os.cpu_count() or 1
    limit = max_workers if max_workers > 0 else cpus
    return max(1, min(n_items, limit, cpus))


def parse_many(
    metas: list[DumpMeta],
    settings: ParseSettings | None = None,
    max_workers: int = 0,
    stage_dir: str | None = None,
) -> list[ParsedItem]:
    """Parse every dump, in input order; a process pool when the batch is big enough to pay for it.

    With ``stage_dir`` results are staged on disk (see :class:`ParsedItem`).
    """
    return list(iter_parsed(metas, settings, max_workers, stage_dir))


def iter_parsed(
    metas: list[DumpMeta],
    settings: ParseSettings | None = None,
    max_workers: int = 0,
    stage_dir: str | None = None,
) -> Iterator[ParsedItem]:
    """Like :func:`parse_many`, but yields each dump (in input order) as soon as it is parsed.

    Why: the single writer can load the first dumps while the pool parses the rest, so a
    backfill costs about the larger of parsing and loading instead of their sum.
    """
    workers = _worker_count(len(metas), max_workers)
    total = sum(m.size_bytes for m in metas)
    if workers < 2 or len(metas) < POOL_MIN_DUMPS or total < POOL_MIN_BYTES:
        for m in metas:
            yield parse_one(m, settings, stage_dir)
        return
    # spawn, not fork: the parent may hold Dagster threads and open DuckDB handles.
    ctx = multiprocessing.get_context("spawn")
    n = len(metas)
    done = 0
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    finished = False
    try:
        for item in pool.map(parse_one, metas, [settings] * n, [stage_dir] * n, chunksize=1):
            done += 1
            yield item
        finished = True
    except Exception:  # a broken pool (worker killed, OOM): parse what is left in-process
        for m in metas[done:]:
            yield parse_one(m, settings, stage_dir)
        finished = True
    finally:
        # Stopped early (a stop request, the consumer gave up): do not wait for the dumps in progress.
        pool.shutdown(wait=finished, cancel_futures=not finished)


def defer(
    metas: list[DumpMeta],
    settings: ParseSettings | None = None,
    max_workers: int = 0,
    stage_dir: str | None = None,
) -> list[ParsedItem]:
    """Items that say how to parse ``metas`` later (in the writer step, streamed into the loads)."""
    how = {"settings": settings, "max_workers": max_workers, "stage_dir": stage_dir}
    return [ParsedItem(meta=m, deferred=True, **how) for m in metas]


def resolve_deferred(items: list[ParsedItem]) -> Iterator[ParsedItem]:
    """``items`` with every deferred one parsed (a process pool, results yielded as they finish)."""
    ready = [i for i in items if not i.deferred]
    yield from ready
    todo = [i for i in items if i.deferred]
    if todo:
        first = todo[0]
        yield from iter_parsed([i.meta for i in todo], first.settings, first.max_workers, first.stage_dir)
