"""Build a warehouse from dump files in one process: the steps the Dagster job runs.

Why a plain function beside the Dagster job: ``bylines rebuild``, the tests and the
extraction helpers' quick scoring need the whole path (read bytes, sha256, decode, parse,
load or quarantine, refresh derived data) without a Dagster instance. It writes under the
writer lock and publishes the read copy, exactly like the job.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from transforms.models import ParsedDump, ParseError, ParseSettings
from warehouse.load import (
    LOAD_BATCH_BYTES,
    LOAD_BATCH_DUMPS,
    LoadStats,
    bulk_load_settings,
    load_dump,
    load_dumps,
    quarantine_dump,
    refresh_derived,
)
from warehouse.rawstore import DumpMeta, RawStore
from warehouse.schema import apply_schema


def _meta(path: Path, data: bytes, raw_dir: Path | None) -> DumpMeta:
    # received_at = the file's mtime: deterministic, so two builds of the same files are identical.
    received = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    if raw_dir is not None:
        return RawStore(raw_dir).put_file(path, received_at=received)
    return DumpMeta(
        dump_id=hashlib.sha256(data).hexdigest(),
        file_name=path.name,
        size_bytes=len(data),
        received_at=received,
        raw_path=str(path.resolve()),
    )


def parse_bytes(
    data: bytes, file_name: str, settings: ParseSettings | None = None
) -> tuple[ParsedDump | None, str | None, str | None]:
    """Decode and parse; returns (parsed, encoding, quarantine reason)."""
    from transforms.parse import parse_dump
    from transforms.text import decode, text_problem

    if not data.strip():
        return None, None, "empty file: no text to parse"
    try:
        text, encoding = decode(data)
    except (UnicodeError, ValueError) as exc:
        return None, None, f"could not decode the bytes as text: {exc}"
    problem = text_problem(text)  # e.g. one 50 MB line: refuse before the parser spends minutes on it
    if problem:
        return None, encoding, problem
    try:
        return parse_dump(text, file_name, settings), encoding, None
    except ParseError as exc:
        return None, encoding, f"not an archive dump: {exc}"
    except Exception as exc:  # noqa: BLE001 - a parser bug on odd input quarantines the dump, not the build
        return None, encoding, f"parser failed ({type(exc).__name__}): {exc}"


def build_warehouse(
    paths: list[Path],
    db_path: Path,
    settings: ParseSettings | None = None,
    raw_dir: Path | None = None,
    publish: bool = True,
) -> dict[str, Any]:
    """Load ``paths`` (in the given order) into ``db_path``; returns a summary dict.

    Summary keys: dumps_new, dumps_skipped, dumps_quarantined, posts, articles_new,
    articles_updated, mentions, citations, warnings, quarantined (list of file/reason).
    """
    from warehouse.publish import publish_read_copy, writer_lock

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {
        "dumps_new": 0,
        "dumps_skipped": 0,
        "dumps_quarantined": 0,
        "posts": 0,
        "articles_new": 0,
        "articles_updated": 0,
        "mentions": 0,
        "citations": 0,
        "warnings": [],
        "quarantined": [],
    }
    batch: list[tuple[DumpMeta, ParsedDump]] = []
    batch_bytes = 0

    def loaded(meta: DumpMeta, stats: LoadStats) -> None:
        summary["dumps_new"] += 1
        for key in ("posts", "articles_new", "articles_updated", "mentions", "citations"):
            summary[key] += getattr(stats, key)
        summary["warnings"].extend(f"{meta.file_name}: {w}" for w in stats.warnings)

    def quarantine(con: duckdb.DuckDBPyConnection, meta: DumpMeta, reason: str) -> None:
        quarantine_dump(con, meta, reason)
        summary["dumps_quarantined"] += 1
        summary["quarantined"].append({"file_name": meta.file_name, "reason": reason})

    def flush(con: duckdb.DuckDBPyConnection) -> None:
        # several dumps per transaction; a failing batch is loaded again one by one
        nonlocal batch, batch_bytes
        todo, batch, batch_bytes = batch, [], 0
        if len(todo) > 1:
            try:
                results = load_dumps(con, todo)
            except duckdb.Error:
                pass
            else:
                for (meta, _parsed), stats in zip(todo, results, strict=True):
                    loaded(meta, stats)
                return
        for meta, parsed in todo:
            try:
                stats = load_dump(con, meta, parsed)
            except duckdb.Error as exc:
                quarantine(con, meta, f"loading failed ({type(exc).__name__}): {exc}")
            else:
                loaded(meta, stats)

    with writer_lock(db_path):
        con = duckdb.connect(str(db_path))
        try:
            apply_schema(con)
            bulk_load_settings(con)
            for path in map(Path, paths):
                data = path.read_bytes()
                meta = _meta(path, data, raw_dir)
                known = con.execute("SELECT status FROM dumps WHERE dump_id = ?", [meta.dump_id]).fetchone()
                if known is not None or any(m.dump_id == meta.dump_id for m, _p in batch):
                    summary["dumps_skipped"] += 1
                    continue
                parsed, encoding, reason = parse_bytes(data, meta.file_name, settings)
                meta = meta.model_copy(update={"encoding": encoding})
                if parsed is None:
                    quarantine(con, meta, reason or "unknown error")
                    continue
                batch.append((meta, parsed))
                batch_bytes += len(data)
                if len(batch) >= LOAD_BATCH_DUMPS or batch_bytes >= LOAD_BATCH_BYTES:
                    flush(con)
            flush(con)
            refresh_derived(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
    if publish:
        summary["read_copy"] = str(publish_read_copy(db_path))
    return summary
