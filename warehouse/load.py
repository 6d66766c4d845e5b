"""Table loads: parsed dumps into DuckDB, set-based, one transaction per batch, idempotent.

Owns ``load_dumps`` (a batch of parsed dumps in ONE transaction), ``quarantine_dumps`` (dumps
that could not be parsed or loaded, with the reason) and ``load_or_quarantine``, the loop every
ingest runs over its parsed dumps: batches as big as ``LOAD_BATCH_*``, a failing batch loaded
again dump by dump so that only the bad dump is quarantined, and the environment's errors (disk,
permissions, memory) raised instead, since they are no dump's fault.
A load replaces the dumps' sightings (``warehouse.staging``) and re-derives the canonical rows
they touch (``warehouse.identity``); the cross-dump refresh after it lives in ``warehouse.refresh``.

Loading the same dumps again, or in another order, gives identical tables: the canonical rows
are a function of the set of current sightings.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from transforms.models import ParsedDump
from warehouse.identity import AFFECTED_ARTICLES, OLD_BEST, derive, merge_outlets, merge_topics
from warehouse.parsing import ParsedItem
from warehouse.rawstore import DumpMeta, is_dump_id
from warehouse.staging import STAGED_TABLES, StagedDump, quarantine_rows, stage_dump
from warehouse.stops import check_stop, checkpoint, raise_if_stopping
from warehouse.storage import memory_limit_at_most

STATUS_LOADED = "loaded"
STATUS_QUARANTINED = "quarantined"

# A load batch: dumps loaded in one transaction by ``load_dumps`` (one pass of the set-based
# statements). How big: a pass costs the writer about 0.25 CPU s whatever it holds (some forty
# statements, each planned, run on two threads and committed) plus about 0.02 s per MB of dumps.
# Loading the 100 MB synthetic corpus in batches of 4, 8 and 32 MB cost the writer 15.5, 11.6 and
# 8.5 CPU s in all (docs/performance.md). Bigger batches amortise the pass, but the last one is
# loaded after parsing ends (nothing overlaps it) and a batch's staged tables are mapped while it
# loads: with ``N`` MB to load, the sum of both costs is least near ``sqrt(30 N)`` MB (55 MB at
# 100 MB, 170 MB at 1 GB), and the cap below keeps the mapped tables and DuckDB's share of one
# batch small beside the writer's buffer pool. Dumps are counted too, for nightly deliveries of
# many small pages (a 50 KB page: 512 of them are 25 MB).
LOAD_BATCH_DUMPS = 512
LOAD_BATCH_BYTES = 32 * 1024 * 1024

# WAL size at which DuckDB checkpoints on its own during a long ingest (default 16 MB).
BULK_CHECKPOINT_THRESHOLD = "1GB"
# The writer's memory while it loads, bounded by the batch and not by the warehouse (``bounded_loads``).
# DuckDB's buffer pool while the loads run: a batch's own working set (its temp tables, about
# 100-150 MB for a 32 MB batch) plus room to spare; the connection's limit (384 MB, for the
# refresh after the loads) is restored when they end. Measured on 391 staged dumps of the 1 GB
# corpus, the loads alone: peak RSS 716 MB at 384 MB, 577 MB at 256 MB (36.8 and 39.0 CPU s, on a
# shared machine); at 224 and 160 MB a batch ran out of memory (docs/performance.md).
LOAD_MEMORY_LIMIT = 256 * 1024 * 1024
# Dumps loaded between two checkpoints of a long backfill: a checkpoint persists the primary keys'
# indexes of the rows loaded since the last one, which DuckDB holds in memory until then (92 MB at
# the end of the 1 GB backfill, growing with it) and can evict afterwards.
LOAD_CHECKPOINT_BYTES = 256 * 1024 * 1024
# Parsed dumps looked up at once for "already loaded by a racing ingest?" (one query per chunk).
DONE_CHECK_CHUNK = 16
# Each log line is an event in the Dagster instance: a flood of bad files logs this many, then a count.
MAX_LOGGED = 20
# The machine's fault, not the dump's: these fail the run instead of quarantining a dump.
ENVIRONMENT_ERRORS = (OSError, MemoryError, duckdb.IOException, duckdb.OutOfMemoryException,
                      duckdb.PermissionException)  # fmt: skip


class LoadStats(BaseModel):
    """What loading one dump did (the CLI summary and the Dagster metadata show it)."""

    posts: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    mentions: int = 0
    citations: int = 0
    warnings: list[str] = []


@lru_cache(maxsize=1)
def parser_version() -> str | None:
    """The installed bylines version, recorded on every dump it parsed."""
    try:
        from importlib.metadata import version

        return version("bylines")
    except Exception:  # noqa: BLE001 - not installed (source checkout): no version to record
        return None


def bulk_load_settings(con: duckdb.DuckDBPyConnection) -> None:
    """Settings for a writer about to load many dumps.

    Why: DuckDB checkpoints whenever the write-ahead log passes 16 MB, and a checkpoint rewrites
    the partly filled last row group of every table it touches (bodies included), so a backfill
    checkpointed after every other batch and spent most of its load time there. With a larger
    threshold the log grows and one checkpoint (when the connection closes or the read copy is
    published) does the work once; a crash still replays the log, so nothing is less durable.
    """
    con.execute(f"SET checkpoint_threshold = '{BULK_CHECKPOINT_THRESHOLD}'")


@contextmanager
def bounded_loads(con: duckdb.DuckDBPyConnection) -> Iterator[Callable[[int], None]]:
    """Hold the writer's memory to one load batch's while the loads run; yields ``loaded(n_bytes)``,
    to be called with the size of each dump once its batch is committed (it may checkpoint).

    Why: a backfill's loads run beside the parse pool, and what DuckDB kept between batches grew
    with the warehouse (the 1 GB backfill's writer: 791 MB RSS at the run's peak). Two things grew:
    blocks of the tables read or written, cached up to the connection's whole ``memory_limit``
    (:data:`LOAD_MEMORY_LIMIT` caps that cache during the loads), and the primary keys' indexes of
    every row loaded since the last checkpoint, which DuckDB cannot evict until a checkpoint writes
    them (:data:`LOAD_CHECKPOINT_BYTES` of dumps apart). A connection whose own limit is lower keeps
    it; the limit after the loads is the connection's own (as ``connect_writer`` was given it).
    """
    since = 0

    def loaded(n_bytes: int) -> None:
        nonlocal since
        since += n_bytes
        if since >= LOAD_CHECKPOINT_BYTES:
            con.execute("CHECKPOINT")
            since = 0

    with memory_limit_at_most(con, LOAD_MEMORY_LIMIT):
        yield loaded


def load_dump(con: duckdb.DuckDBPyConnection, meta: DumpMeta, parsed: ParsedDump | StagedDump) -> LoadStats:
    """Load one parsed dump in ONE transaction; re-loading the same dump changes nothing."""
    return load_dumps(con, [(meta, parsed)])[0]


def load_dumps(
    con: duckdb.DuckDBPyConnection, items: list[tuple[DumpMeta, ParsedDump | StagedDump]]
) -> list[LoadStats]:
    """Load several parsed dumps in ONE transaction (the same tables as loading them one by one).

    Why batches: a load is some thirty set-based statements, and several of them scan a narrow
    column of the whole warehouse (which posts a sighting names, which articles); one pass for many
    dumps costs about what one pass for one dump does. The wide columns (bodies) of the warehouse
    are never read: the canonical rows the batch changes come from its own rows, in memory
    (``warehouse.identity.derive``). Raises on a database error after rolling back (the caller can
    then load the dumps one by one to find the bad one).
    """
    if not items:
        return []
    ids = [m.dump_id for m, _p in items]
    if len(set(ids)) != len(ids):
        raise ValueError("a batch holds the same dump twice")
    staged = [p if isinstance(p, StagedDump) else stage_dump(m, p) for m, p in items]
    frames = {name: pa.concat_tables([s.tables[name] for s in staged]) for name in STAGED_TABLES}
    con.execute("BEGIN TRANSACTION")
    try:
        for name, table in frames.items():
            con.register(f"_in_{name}", table)
        _replace_sightings(con)
        checkpoint("warehouse_tables:mid_load")
        merge_topics(con)
        merge_outlets(con)
        counts = derive(con, batch=True)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in frames:
            try:
                con.unregister(f"_in_{name}")
            except Exception:  # noqa: BLE001 - not registered yet
                pass
    con.execute("COMMIT")
    return _stats(ids, staged, counts)


def _replace_sightings(con: duckdb.DuckDBPyConnection) -> None:
    """The batch's ``dumps`` rows and sightings replace what earlier loads of the same dumps left.

    Before the sightings change, it notes what ``derive`` needs: the posts and articles they touch
    (``_aff_posts``, ``_aff_articles``) and each such article's best sighting until now (``_old_best``).
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    # a re-load keeps the time the dump was first loaded
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _prev_loaded AS SELECT dump_id, loaded_at FROM dumps"
        " WHERE dump_id IN (SELECT dump_id FROM _in_dumps)"
    )
    reloaded = con.execute("SELECT count(*) FROM _prev_loaded").fetchone()[0] > 0
    con.execute("DELETE FROM dumps WHERE dump_id IN (SELECT dump_id FROM _prev_loaded)")
    con.execute(
        "INSERT INTO dumps (dump_id, file_name, size_bytes, encoding, received_at, raw_path, status, error,"
        " archive_label, archive_kind, line_count, post_count, parser_version, loaded_at, superseded_by,"
        " writer_id)"
        " SELECT i.dump_id, i.file_name, i.size_bytes, i.encoding, i.received_at, i.raw_path, ?, NULL,"
        " i.archive_label, i.archive_kind, i.line_count, i.post_count, ?, COALESCE(p.loaded_at, ?), NULL,"
        " i.writer_id"
        " FROM _in_dumps i LEFT JOIN _prev_loaded p USING (dump_id)",
        [STATUS_LOADED, parser_version(), now],
    )
    # The posts these dumps touch: those they carry now and those they carried in an earlier load.
    earlier = (
        " UNION SELECT post_id FROM post_sightings WHERE dump_id IN (SELECT dump_id FROM _prev_loaded)"
        if reloaded
        else ""
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _aff_posts AS SELECT DISTINCT post_id FROM _in_sightings{earlier}"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _aff_articles AS"
        f" {AFFECTED_ARTICLES} UNION SELECT article_id FROM _in_sightings WHERE article_id IS NOT NULL"
    )
    con.execute(OLD_BEST)
    con.execute("INSERT INTO refresh_pending SELECT 'dump', dump_id FROM _in_dumps")
    if reloaded:
        for table in ("post_sightings", "sighting_mentions", "sighting_citations", "post_topics"):
            con.execute(f"DELETE FROM {table} WHERE dump_id IN (SELECT dump_id FROM _prev_loaded)")
    con.execute("INSERT INTO post_sightings BY NAME SELECT * FROM _in_sightings")
    con.execute("INSERT INTO sighting_mentions BY NAME SELECT * FROM _in_mentions")
    con.execute("INSERT INTO sighting_citations BY NAME SELECT * FROM _in_citations")


def _stats(ids: list[str], staged: list[StagedDump], counts: dict[str, tuple[int, int]]) -> list[LoadStats]:
    """Per dump: each new or re-derived article counts once, on the dump of its best sighting (on the
    batch's first dump when that sighting is in another)."""
    per_dump = {dump_id: [0, 0] for dump_id in ids}
    for dump_id, (new, moved) in counts.items():
        target = per_dump.get(dump_id, per_dump[ids[0]])
        target[0] += new
        target[1] += moved
    return [
        LoadStats(
            posts=part.posts,
            articles_new=per_dump[dump_id][0],
            articles_updated=per_dump[dump_id][1],
            mentions=part.tables["mentions"].num_rows,
            citations=part.tables["citations"].num_rows,
            warnings=list(part.warnings),
        )
        for dump_id, part in zip(ids, staged, strict=True)
    ]


def quarantine_dump(con: duckdb.DuckDBPyConnection, meta: DumpMeta, reason: str) -> None:
    """Record a dump that could not be parsed or loaded, with the reason (see :func:`quarantine_dumps`)."""
    quarantine_dumps(con, [(meta, reason)])


def quarantine_dumps(con: duckdb.DuckDBPyConnection, entries: list[tuple[DumpMeta, str]]) -> None:
    """Record dumps that could not be parsed or loaded, with their reasons, in ONE transaction.

    A dump already loaded under the same id is left as it is: a later failure to re-read the
    same bytes must not throw away what was loaded. For an id given twice the first wins; an
    earlier quarantine row of the same id takes the new reason.
    """
    first: dict[str, tuple[DumpMeta, str]] = {}
    for meta, reason in entries:
        first.setdefault(meta.dump_id, (meta, reason))
    if not first:
        return
    con.register("_in_quarantine", quarantine_rows(list(first.values())))
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "DELETE FROM dumps WHERE status <> ? AND dump_id IN (SELECT dump_id FROM _in_quarantine)",
                [STATUS_LOADED],
            )
            con.execute(
                "INSERT INTO dumps (dump_id, file_name, size_bytes, encoding, received_at, raw_path, status,"
                " error, parser_version, loaded_at, writer_id)"
                " SELECT q.dump_id, q.file_name, q.size_bytes, q.encoding, q.received_at, q.raw_path, ?,"
                " q.error, ?, ?, q.writer_id FROM _in_quarantine q"
                " WHERE NOT EXISTS (SELECT 1 FROM dumps d WHERE d.dump_id = q.dump_id)",
                [STATUS_QUARANTINED, parser_version(), datetime.now(UTC).replace(tzinfo=None)],
            )
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.unregister("_in_quarantine")


class LoadResult(BaseModel):
    """What ``load_or_quarantine`` did with a run's parsed dumps."""

    loaded: int = 0
    raced: int = 0  # already done when the writer got to them (another ingest loaded them first)
    posts: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    warnings: list[str] = Field(default_factory=list)
    quarantined: list[dict[str, str]] = Field(default_factory=list)

    def credit(self, loaded: int, quarantined: list[dict[str, str]]) -> None:
        """Count what an earlier attempt of this (retried) step did as this run's work, not "raced"."""
        if loaded + len(quarantined) > self.raced:  # another ingest raced this run meanwhile
            return
        self.raced -= loaded + len(quarantined)
        self.loaded += loaded
        self.quarantined[:0] = quarantined


def load_or_quarantine(
    con: duckdb.DuckDBPyConnection, items: Iterable[ParsedItem], log: Any = None
) -> LoadResult:
    """Load every parsed dump (in batches, one transaction each) or quarantine it with the reason.

    ``items`` may be an iterator that yields dumps as their parses finish: each batch is loaded as
    soon as it is full, so loading overlaps parsing and memory holds one batch, never the backfill.
    Re-checks under the writer lock what is already in the warehouse, so a second ingest that raced
    the first finds nothing left to do.
    """
    bulk_load_settings(con)
    with bounded_loads(con) as loaded_bytes:
        return _load_all(con, items, log, loaded_bytes)


def _load_all(
    con: duckdb.DuckDBPyConnection, items: Iterable[ParsedItem], log: Any, loaded_bytes: Callable[[int], None]
) -> LoadResult:
    """:func:`load_or_quarantine`'s loop; ``loaded_bytes`` is told of every dump committed."""
    result = LoadResult()
    batch: list[tuple[ParsedItem, StagedDump]] = []
    batch_bytes = 0

    def loaded(item: ParsedItem, stats: LoadStats) -> None:
        result.loaded += 1
        result.posts += stats.posts
        result.articles_new += stats.articles_new
        result.articles_updated += stats.articles_updated
        result.warnings.extend(f"{item.meta.file_name}: {w}" for w in stats.warnings)
        item.discard_stage()
        loaded_bytes(item.meta.size_bytes)  # committed: may checkpoint

    def quarantine(entries: list[tuple[ParsedItem, str]]) -> None:
        quarantine_dumps(con, [(item.meta, reason) for item, reason in entries])  # one commit for all
        for item, reason in entries:
            item.discard_stage()
            result.quarantined.append(
                {"file_name": item.meta.file_name, "dump_id": item.meta.dump_id, "reason": reason}
            )
            if log is not None and len(result.quarantined) <= MAX_LOGGED:  # all are in the run's metadata
                log.warning(f"quarantined {item.meta.file_name}: {reason}")

    def flush() -> None:
        nonlocal batch, batch_bytes
        todo, batch, batch_bytes = batch, [], 0
        if len(todo) > 1:
            try:
                stats = load_dumps(con, [(i.meta, p) for i, p in todo])
            except Exception as exc:  # noqa: BLE001 - find the bad dump (or the environment's error) one by one
                raise_if_stopping(exc)
            else:
                for (item, _staged), one in zip(todo, stats, strict=True):
                    loaded(item, one)
                return
        for item, staged in todo:
            try:
                one = load_dump(con, item.meta, staged)
            except ENVIRONMENT_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - a dump the database refuses: keep it, with the reason
                raise_if_stopping(exc)
                quarantine([(item, f"loading failed ({type(exc).__name__}): {exc}")])
            else:
                loaded(item, one)

    def take(chunk: list[ParsedItem]) -> None:
        nonlocal batch_bytes
        done = already_done(con, [i.meta.dump_id for i in chunk])
        bad: list[tuple[ParsedItem, str]] = []
        for item in chunk:
            if item.meta.dump_id in done:
                result.raced += 1
                item.discard_stage()  # another ingest loaded these bytes: this parse is not needed
                continue
            reason = item.error
            try:
                staged = item.load_staged()
            except (OSError, ValueError) as exc:  # the stage vanished or is corrupt: keep the reason
                staged, reason = None, f"staged parse result unreadable ({type(exc).__name__}): {exc}"
            if staged is None:
                bad.append((item, reason or "unknown error"))
                continue
            batch.append((item, staged))
            batch_bytes += item.meta.size_bytes
            if len(batch) >= LOAD_BATCH_DUMPS or batch_bytes >= LOAD_BATCH_BYTES:
                flush()
        quarantine(bad)

    pending: list[ParsedItem] = []
    for item in items:
        check_stop()
        pending.append(item)
        if len(pending) >= DONE_CHECK_CHUNK:
            take(pending)
            pending = []
    take(pending)
    flush()
    if log is not None and len(result.quarantined) > MAX_LOGGED:
        log.warning(f"... {len(result.quarantined) - MAX_LOGGED} more quarantined (the run's metadata)")
    return result


def already_done(con: duckdb.DuckDBPyConnection, ids: list[str]) -> set[str]:
    """Which of the dumps ``ids`` the warehouse holds (loaded or quarantined)."""
    if not ids:
        return set()
    rows = con.execute(
        "SELECT dump_id FROM dumps WHERE dump_id IN (SELECT unnest(?)) AND status IN (?, ?)",
        [ids, STATUS_LOADED, STATUS_QUARANTINED],
    ).fetchall()
    return {r[0] for r in rows}


def sweep_stages(con: duckdb.DuckDBPyConnection, stage: Path) -> int:
    """Remove the stages in ``stage`` of dumps the warehouse holds (loaded or quarantined); how many.

    Why: a run killed between its parse and its load leaves its stage (``<dump id>.<pid>``, or a
    half-written ``.<dump id>.<pid>.<pid>.tmp``), and no later run reads it: the next run parses the
    dump again into a stage of its own. Once the dump is in the warehouse every stage of it is
    garbage. Called by the writer under its lock, so no writer is reading one of them: another
    ingest's stage of the same dump is seen as raced by its writer (``already_done``) before it is
    read. A half-written stage whose process is alive is another ingest's parse in progress: left.
    """
    try:
        names = list(stage.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return 0
    by_dump: dict[str, list[Path]] = {}
    for path in names:
        parts = path.name.lstrip(".").split(".")
        if path.name.endswith(".tmp") and _alive(parts[-2]):
            continue
        if is_dump_id(parts[0]):
            by_dump.setdefault(parts[0], []).append(path)
    removed = 0
    for dump_id in already_done(con, list(by_dump)):
        for path in by_dump[dump_id]:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: str) -> bool:
    """Whether a process ``pid`` runs (a pid reused since only delays a sweep)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
