"""Whether an ingest has anything to do, told in a fraction of a second, before any orchestration.

Owns ``nothing_to_do``: the check ``bylines ingest`` makes before it imports Dagster and opens its
instance (about two seconds of fixed cost), so that a run with nothing new costs little more than
listing the landing folder. Why it may skip the whole run: a run that lands no dump, records no
refusal, has no derived data left to refresh and no state left to publish changes nothing a reader
or the next run could see (apart from its own ``ingest_runs`` row). Every condition is checked on
the warehouse itself, read-only and without waiting for a writer: anything uncertain (a writer at
work, a warehouse or read copy missing, a file still being written) answers "work to do", and the
ingest runs as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from warehouse.bookkeeping import derived_is_stale
from warehouse.connections import DONE_STATUSES
from warehouse.hash_cache import HashCache
from warehouse.landing import LandingScan, RefusedFile, scan_report
from warehouse.publish import WriterBusy, read_copy_is_current, writer_lock
from warehouse.refusals import resolved_refusals
from warehouse.writers import WriterRegistry


def nothing_to_do(
    paths: Sequence[str],
    landing: Path,
    settle_seconds: float,
    db_path: Path,
    cache: HashCache,
    writers: WriterRegistry | None = None,
) -> list[dict[str, str]] | None:
    """When an ingest of ``paths`` (or the landing folder) would change nothing: the files it would
    skip, with the reason, as the ingest's summary lists them; else None. ``writers``: the registry
    the ingest would use (a file in an unknown writer's folder is refused, so it must be recorded).

    Nothing to do: every ready file's bytes are loaded or quarantined already, every refused file
    is recorded, no recorded refusal is resolved, no earlier run left its refresh undone, and the
    read copy shows the writer's current state.
    """
    db_path = Path(db_path)
    if not db_path.is_file():
        return None
    scan = scan_report(paths, landing, settle_seconds, cache, writers)
    if scan.unsettled:
        return None
    try:
        with writer_lock(db_path, timeout=0):  # a writer at work: let the ingest wait for it
            con = duckdb.connect(str(db_path), read_only=True)
            try:
                return _skipped(con, scan, db_path)
            finally:
                con.close()
    except (WriterBusy, duckdb.Error):
        return None


def _skipped(con: duckdb.DuckDBPyConnection, scan: LandingScan, db_path: Path) -> list[dict[str, str]] | None:
    keys = [f.sha256 for f in scan.ready] + [r.refusal_id for r in scan.refused]
    keys += [r.sha256 for r in scan.refused if r.sha256]
    # every done dump's id (one short row per dump), matched here: binding the keys as a parameter
    # would make DuckDB import pandas, which alone cost a third of a second
    statuses = ", ".join(f"'{s}'" for s in DONE_STATUSES)
    wanted = set(keys)
    done = {
        dump_id: status
        for dump_id, status in con.execute(
            f"SELECT dump_id, status FROM dumps WHERE status IN ({statuses})"
        ).fetchall()
        if dump_id in wanted
    }
    if any(f.sha256 not in done for f in scan.ready) or any(not _recorded(r, done) for r in scan.refused):
        return None
    if resolved_refusals(con) or derived_is_stale(con) or not read_copy_is_current(con, db_path):
        return None
    return [
        {"file_name": f.file_name, "dump_id": f.sha256, "reason": f"already {done[f.sha256]}"}
        for f in scan.ready
    ]


def _recorded(refused: RefusedFile, done: dict[str, str]) -> bool:
    return refused.refusal_id in done or (refused.sha256 is not None and refused.sha256 in done)
