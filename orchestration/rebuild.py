"""Recreate the warehouse from the raw store alone (``bylines rebuild``).

Why: the raw store is the only source of truth that is never modified. A rebuild replays
every stored dump in the order it was first received, into a fresh file beside the
warehouse, and swaps it in atomically under the writer lock: readers and a crash
mid-rebuild never see a half-built warehouse, and the old file stays until the new one is
complete.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.assets import ENV_AUTHOR, load_items, record_ingest_run
from orchestration.parsing import iter_parsed
from warehouse.rawstore import RawStore

DAMAGED_REASON = (
    "the raw store's copy of this dump is damaged (its bytes no longer match their SHA-256): "
    "deliver the file again (or restore the raw store from a backup) and rebuild"
)


def rebuild_warehouse(
    db_path: Path, raw: RawStore, max_workers: int = 0, blog_author: str | None = None
) -> dict[str, Any]:
    """Build a new warehouse from ``raw`` and replace ``db_path`` with it; returns the run summary."""
    from warehouse.load import quarantine_dump, refresh_derived
    from warehouse.publish import publish_read_copy, writer_lock
    from warehouse.schema import apply_schema

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).replace(tzinfo=None)
    tmp = db_path.with_name(f".{db_path.name}.rebuild-{os.getpid()}")
    # The lock is held from listing the raw store to the swap: an ingest meanwhile would be lost.
    with writer_lock(db_path):
        # Under the lock no other rebuild runs: any half-built file is from one that was killed.
        for leftover in db_path.parent.glob(f".{db_path.name}.rebuild-*"):
            leftover.unlink(missing_ok=True)
        raw.sweep_stale_temp()
        metas = raw.all_meta()
        # Bytes that no longer match their hash (disk damage, a hand edit) are not parsed: their dump is
        # quarantined with a reason, so the damage shows instead of silently changing the warehouse.
        damaged = [m for m in metas if not raw.verify(m.dump_id)]
        damaged_ids = {m.dump_id for m in damaged}
        metas = [m for m in metas if m.dump_id not in damaged_ids]
        # streamed: each batch is loaded as soon as it is parsed, results wait on disk, not in memory
        items = iter_parsed(
            metas,
            blog_author=blog_author or os.environ.get(ENV_AUTHOR) or None,
            max_workers=max_workers,
            stage_dir=str(raw.root.parent / "parsed"),
        )
        con = duckdb.connect(str(tmp))
        try:
            apply_schema(con)
            for meta in damaged:
                quarantine_dump(con, meta, DAMAGED_REASON)
            counts, warnings, quarantined = load_items(con, items)
            broken = [
                {"file_name": m.file_name, "dump_id": m.dump_id, "reason": DAMAGED_REASON} for m in damaged
            ]
            quarantined = [*broken, *quarantined]
            refresh_derived(con)
            summary: dict[str, Any] = {
                "dumps_new": counts["loaded"],
                "dumps_skipped": 0,
                "dumps_quarantined": len(quarantined),
                "posts": counts["posts"],
                "articles_new": counts["articles_new"],
                "articles_updated": counts["articles_updated"],
                "warnings": warnings,
            }
            record_ingest_run(con, f"rebuild-{uuid.uuid4()}", started, "rebuild", summary)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        # The old file's WAL belongs to the old file: drop it first, or DuckDB replays it onto the new one.
        # Fold it into the old file before (a writer killed earlier may have left one), so a rebuild
        # killed right here still leaves a whole old warehouse.
        old_wal = Path(str(db_path) + ".wal")
        if old_wal.exists() and db_path.exists():
            try:
                duckdb.connect(str(db_path)).close()  # opening replays the WAL; closing checkpoints
            except duckdb.Error:
                pass  # a damaged old file is what the rebuild replaces anyway
        old_wal.unlink(missing_ok=True)
        os.replace(tmp, db_path)
    publish_read_copy(db_path, force=True)  # a new parser may change values and no count
    summary["quarantined"] = quarantined
    summary["skipped"] = []
    return summary
