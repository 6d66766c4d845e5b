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

import contextlib
import multiprocessing
import os
import shutil
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from transforms.models import ParsedDump, ParseError, ParseSettings
from warehouse.rawstore import DumpMeta
from warehouse.staging import StagedDump, read_stage, stage_dump, write_stage

# Below this much text a pool costs more than it saves: spawning workers that import the
# parser and its gazetteers took ~1 s on 2 cores, while parsing the 5 seeds (360 KB) serially took ~1 s.
POOL_MIN_DUMPS = 3
POOL_MIN_BYTES = 1024 * 1024
# A pool worker parses dumps until it has read this many bytes, then a fresh fork of the pool's
# server takes its place. Why: the parser keeps per-text caches (line features, gazetteer hits,
# dates) that grow with what a process has read, about 8 MB per MB of dumps; a worker that parsed
# half of a 100 MB corpus held ~450 MB (PSS). Replaced once it has been given 6 MB (four of the
# synthetic 1.8 MB pages, as measured), a worker stays under ~170 MB whatever the corpus, and a
# fork of the warmed-up server costs milliseconds (``warehouse.parse_worker``). What it gives up
# is the caches' hits on posts that recur on pages parsed by an earlier fork: about 3 % more parse
# CPU on a quiet machine (24 MB parsed in one process with every cache emptied each 6 MB, against
# kept; a 24-page trial under contention had suggested 10-25 %, docs/performance.md). The bound
# is what keeps the 100 MB run under 1,000 MB.
WORKER_MAX_BYTES = 6 * 1024 * 1024
# The module the pool's fork server imports once for all its workers (see warehouse.parse_worker).
WORKER_PRELOAD = ["__main__", "warehouse.parse_worker"]


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
    dump's id and this process's id) and only its path is returned.

    Why the process's id in the name: two ingests started at once may both parse the same new
    dump. With one folder per dump, the second one's stage replaced the folder while the first
    one's writer was reading it, and the first quarantined the dump as "staged parse result
    unreadable" (seen in ``tests/test_concurrency.py``). No two live processes share an id.
    """
    settings = settings or ParseSettings()
    item = _parse(meta, meta.writer.parse_settings(settings) if meta.writer else settings)
    if item.parsed is None or stage_dir is None:
        return item
    target = Path(stage_dir) / f"{item.meta.dump_id}.{os.getpid()}"
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
    pool = _WorkerPool(workers, WORKER_MAX_BYTES)
    done = 0
    finished = False
    try:
        calls = [(m, settings, stage_dir) for m in metas]
        for item in pool.map_in_order(parse_one, calls, [m.size_bytes for m in metas]):
            done += 1
            yield item
        finished = True
    except Exception:  # a broken pool (worker killed, OOM): parse what is left in-process
        for m in metas[done:]:
            yield parse_one(m, settings, stage_dir)
        finished = True
    finally:
        # Stopped early (a stop request, the consumer gave up): do not wait for the dumps in progress.
        pool.close(finished)


class _WorkerPool:
    """``workers`` parse processes, forked from multiprocessing's fork server (which preloads
    ``warehouse.parse_worker``), each replaced by a fresh fork once it has read ``per_worker`` bytes.

    Not a plain fork of this process: the writer may hold Dagster threads and open DuckDB handles;
    the server is a fresh interpreter that imports the parser once. Replacing the workers bounds
    their memory (``WORKER_MAX_BYTES``). Each worker is a one-process executor given one dump at a
    time, so when it has had its share it is shut down with nothing queued and exits at once, and a
    fresh one takes its place: never more than ``workers`` dumps parse at once, and a replaced
    worker does not linger beside its successor. Why not ``ProcessPoolExecutor(max_tasks_per_child=
    ...)``: up to CPython 3.13 it deadlocks once a worker reaches its limit with tasks still queued
    (python/cpython#115634).
    """

    _open = 0  # pools open in this process: the fork server is stopped when the last one closes
    _stopping: threading.Thread | None = None  # the last server's stop, waited for by the next pool
    _guard = threading.Lock()

    def __init__(self, workers: int, per_worker: int) -> None:
        self.per_worker = max(1, per_worker)
        self.ctx = multiprocessing.get_context("forkserver")
        with _WorkerPool._guard:
            if _WorkerPool._open == 0:
                if _WorkerPool._stopping is not None:  # never hand work to a server on its way out
                    _WorkerPool._stopping.join()
                self.ctx.set_forkserver_preload(WORKER_PRELOAD)
            _WorkerPool._open += 1
        self.executors: list[ProcessPoolExecutor] = []  # every one started, for close()
        self.slots: list[tuple[ProcessPoolExecutor, int] | None] = [None] * workers  # (executor, bytes given)

    def _submit(
        self, slot: int, fn: Callable[..., ParsedItem], args: tuple[Any, ...], size: int
    ) -> Future[ParsedItem]:
        held = self.slots[slot]
        if held is None or held[1] >= self.per_worker:
            if held is not None:
                held[0].shutdown(wait=False)  # its last dump is done: the process exits now
            held = (ProcessPoolExecutor(max_workers=1, mp_context=self.ctx), 0)
            self.executors.append(held[0])
        self.slots[slot] = (held[0], held[1] + size)
        return held[0].submit(fn, *args)

    def map_in_order(
        self, fn: Callable[..., ParsedItem], calls: list[tuple[Any, ...]], sizes: list[int]
    ) -> Iterator[ParsedItem]:
        """``fn(*args)`` for each of ``calls`` (reading ``sizes`` bytes), in input order, one per worker."""
        todo = iter(zip(calls, sizes, strict=True))
        futures: deque[Future[ParsedItem]] = deque()
        busy: dict[int, Future[ParsedItem]] = {}  # worker slot -> the dump it parses
        more = True
        while True:
            for slot in [s for s, f in busy.items() if f.done()]:
                del busy[slot]
            for slot in range(len(self.slots)):
                if not more or slot in busy:
                    continue
                call = next(todo, None)
                if call is None:
                    more = False
                    break
                busy[slot] = self._submit(slot, fn, *call)
                futures.append(busy[slot])
            if not futures:
                return
            if futures[0].done():
                yield futures.popleft().result()
            else:
                wait(list(busy.values()), return_when=FIRST_COMPLETED)

    def close(self, finished: bool) -> None:
        """Shut every executor down (after a finished run: waiting for their processes; after a stop:
        cancelling what has not started, not waiting for what has), and stop the fork server when
        this process's last pool closes: it holds the parser's model, and a long-lived process (a
        test session, a code server) should not keep it. The next pool starts it again.

        The server's exit (an interpreter with the parser loaded tearing down: about a second) is
        waited for on a thread of its own, so that neither the writer nor a stop waits for it, and
        its workers' CPU time is still counted as this process's children's when it is reaped."""
        for executor in self.executors:
            executor.shutdown(wait=finished, cancel_futures=not finished)
        with _WorkerPool._guard:
            _WorkerPool._open -= 1
            if _WorkerPool._open > 0:
                return
            stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
            if stop is not None:  # CPython's own shutdown of its server; elsewhere it ends with this process
                _WorkerPool._stopping = threading.Thread(
                    target=_quietly, args=(stop,), name="parse pool server stop", daemon=True
                )
                _WorkerPool._stopping.start()


def _quietly(stop: Callable[[], None]) -> None:
    """Stop the fork server; when this process is exiting meanwhile, multiprocessing's own exit may
    have removed the server's socket first (nothing left to do then)."""
    with contextlib.suppress(OSError):
        stop()


def defer(
    metas: list[DumpMeta],
    settings: ParseSettings | None = None,
    max_workers: int = 0,
    stage_dir: str | None = None,
) -> list[ParsedItem]:
    """Items that say how to parse ``metas`` later (in the writer step, streamed into the loads)."""
    how = {"settings": settings, "max_workers": max_workers, "stage_dir": stage_dir}
    return [ParsedItem(meta=m, deferred=True, **how) for m in metas]


def resolve_deferred(items: list[ParsedItem], done: Collection[str] = ()) -> Iterator[ParsedItem]:
    """``items`` with every deferred one parsed (a process pool, results yielded as they finish).

    A deferred dump whose id is in ``done`` (the warehouse holds it already: another ingest, or an
    earlier attempt of a retried writer step, loaded it) is passed on unparsed, since the loader
    skips it anyway: a retry after a failure late in a backfill's step parsed the whole backfill again.
    """
    ready = [i for i in items if not i.deferred or i.meta.dump_id in done]
    yield from ready
    todo = [i for i in items if i.deferred and i.meta.dump_id not in done]
    if todo:
        first = todo[0]
        yield from iter_parsed([i.meta for i in todo], first.settings, first.max_workers, first.stage_dir)
