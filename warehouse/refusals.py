"""Quarantine rows for landed files that could not be read at all, and their clean-up.

Why apart from the landing scan: the scan only looks at the folder; these functions write the
warehouse (one ``dumps`` row per refused file, removed once the file is moved, fixed or
ingested), so they run in the single writer's transaction like every other load.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from warehouse.landing import REFUSED_PREFIX, RefusedFile
from warehouse.rawstore import DumpMeta, sha256_file


def record_refused(con: Any, refused: Iterable[RefusedFile], log: Any = None) -> list[dict[str, str]]:
    """Quarantine rows for refused files (one transaction for all); returns what was recorded.

    The row's ``dump_id`` is the refusal id and its ``raw_path`` the landing path: there are no
    bytes in the raw store to point at.
    """
    from warehouse.load import MAX_LOGGED, quarantine_dumps  # here: warehouse.idle imports this module lean

    entries: list[tuple[DumpMeta, str]] = []
    recorded: list[dict[str, str]] = []
    for r in refused:
        meta = DumpMeta(
            dump_id=r.refusal_id,
            file_name=r.file_name,
            size_bytes=r.size_bytes,
            received_at=r.seen_at,
            raw_path=r.path,
            writer=r.writer,
        )
        entries.append((meta, r.reason))
        recorded.append({"file_name": r.file_name, "dump_id": r.refusal_id, "reason": r.reason})
    quarantine_dumps(con, entries)
    if log is not None:
        for row in recorded[:MAX_LOGGED]:
            log.warning(f"quarantined {row['file_name']}: {row['reason']}")
        if len(recorded) > MAX_LOGGED:
            log.warning(f"... {len(recorded) - MAX_LOGGED} more refused files quarantined (see the metadata)")
    return recorded


def resolved_refusals(con: Any) -> list[str]:
    """Refusal rows whose file is gone from its landing path or whose bytes were ingested since.

    Cheap: only refused files are looked at again.
    """
    # the constant inlined, not bound: binding any parameter makes DuckDB import pandas, a third of the
    # cost of an ingest that finds nothing new (warehouse.idle)
    rows = con.execute(
        f"SELECT dump_id, raw_path FROM dumps WHERE starts_with(dump_id, '{REFUSED_PREFIX}')"
    ).fetchall()
    resolved: list[str] = []
    for dump_id, landing_path in rows:
        path = Path(landing_path)
        if not os.path.lexists(path):
            resolved.append(dump_id)
            continue
        try:
            if not path.is_file():
                continue
            digest = sha256_file(path)
        except OSError:
            continue
        known = con.execute(
            "SELECT count(*) FROM dumps WHERE dump_id = ? AND status IN ('loaded', 'quarantined')", [digest]
        ).fetchone()
        if known and known[0]:
            resolved.append(dump_id)
    return resolved


def forget_resolved_refusals(con: Any) -> int:
    """Drop the refusal rows of :func:`resolved_refusals`; returns how many were removed."""
    resolved = resolved_refusals(con)
    if resolved:
        con.execute("DELETE FROM dumps WHERE dump_id IN (SELECT unnest(?))", [resolved])
    return len(resolved)
