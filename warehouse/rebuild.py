"""Recreate the warehouse from the raw store alone (``bylines rebuild``).

Why: the raw store is the only source of truth that is never modified. A rebuild replays every
stored dump in the order it was first received through the ingest's own writer stage
(``warehouse.ingest.load``) into a fresh file beside the warehouse, and swaps it in atomically
under the writer lock: readers and a crash mid-rebuild never see a half-built warehouse, and the
old file stays until the new one is complete.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb

from warehouse.ingest import LOG, IngestSettings, IngestSummary, LandedBatch, RunInfo, load, stage_dir
from warehouse.parsing import ParsedItem, defer
from warehouse.publish import publish_read_copy, writer_lock
from warehouse.rawstore import RawStore
from warehouse.schema import apply_schema
from warehouse.stops import REBUILD_POINT, checkpoint, registered
from warehouse.storage import connect_writer
from warehouse.writers import WriterRegistry

DAMAGED_REASON = (
    "the raw store's copy of this dump is damaged (its bytes no longer match their SHA-256): "
    "deliver the file again (or restore the raw store from a backup) and rebuild"
)


def rebuild_warehouse(
    db_path: Path,
    raw: RawStore,
    settings: IngestSettings | None = None,
    log: Any = LOG,
    writers: WriterRegistry | None = None,
) -> IngestSummary:
    """Build a new warehouse from ``raw`` and replace ``db_path`` with it; returns the run summary.

    Each dump keeps the writer its first delivery recorded in the raw store (the default writer's,
    named as ``writers`` says today, when it recorded none)."""
    settings = settings or IngestSettings.from_env()
    registry = writers or WriterRegistry()
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.rebuild-{os.getpid()}")
    # The lock is held from listing the raw store to the swap: an ingest meanwhile would be lost.
    with writer_lock(db_path):
        # Under the lock no other rebuild runs: any half-built file is from one that was killed.
        for leftover in db_path.parent.glob(f".{db_path.name}.rebuild-*"):
            leftover.unlink(missing_ok=True)
        raw.sweep_stale_temp()
        default = registry.default()
        metas = [m if m.writer else m.model_copy(update={"writer": default}) for m in raw.all_meta()]
        # Bytes that no longer match their hash (disk damage, a hand edit) are not parsed: their dump is
        # quarantined with a reason, so the damage shows instead of silently changing the warehouse.
        damaged = [ParsedItem(meta=m, error=DAMAGED_REASON) for m in metas if not raw.verify(m.dump_id)]
        damaged_ids = {i.meta.dump_id for i in damaged}
        sound = [m for m in metas if m.dump_id not in damaged_ids]
        # streamed: the writer parses with a pool and loads each batch as soon as it is parsed
        items = [*damaged, *defer(sound, settings.parse, settings.max_workers, str(stage_dir(raw)))]
        run = RunInfo(trigger="rebuild")
        con = connect_writer(tmp)
        try:
            with registered(con):  # a stop request interrupts its running statement
                apply_schema(con)
                batch = LandedBatch(new=sound)
                batch.writers, batch.notes = registry.batch_writers([m.writer for m in metas])
                summary = load(con, batch, items, run, log, full_refresh=True, stage=stage_dir(raw))
                con.execute("CHECKPOINT")
        finally:
            con.close()
        # The old file's WAL belongs to the old file: drop it first, or DuckDB replays it onto the new one.
        # Fold it into the old file before (a writer killed earlier may have left one), so a rebuild
        # killed right here still leaves a whole old warehouse.
        old_wal = Path(str(db_path) + ".wal")
        if old_wal.exists() and db_path.exists():
            try:
                connect_writer(db_path).close()  # opening replays the WAL; closing checkpoints
            except duckdb.Error:
                pass  # a damaged old file is what the rebuild replaces anyway
        old_wal.unlink(missing_ok=True)
        checkpoint(REBUILD_POINT)
        os.replace(tmp, db_path)
    publish_read_copy(db_path, force=True)  # a new parser may change values and no count
    return summary
