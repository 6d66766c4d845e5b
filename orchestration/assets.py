"""The ingest pipeline as Dagster assets, one per stage.

    landed_dumps -> parsed_dumps -> warehouse_tables -> published_warehouse

Why this shape: each stage has one job and one failure mode. Landing only copies bytes
into the raw store (so nothing received is ever lost); parsing is pure and may fail per
dump (quarantine, never a failed run); loading is the only writer of the warehouse and
holds the writer lock; publishing swaps in the read-only copy readers use, and runs only
when the blocking checks on the loaded tables pass. Stage outputs are small pydantic
objects passed through the default IO manager (pickles under the run's storage), which
works the same in an in-process CLI run and under ``dagster dev``.
"""

import json
import os
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import BaseModel, ConfigDict, Field

from orchestration.parsing import ParsedItem, defer, parse_many, resolve_deferred
from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource
from warehouse.landing import LandingScan, RefusedFile, inspect_paths_report, scan_landing_report
from warehouse.rawstore import DumpMeta

ENV_AUTHOR = "BYLINES_AUTHOR"
TRIGGER_TAG = "bylines/trigger"
WRITER_POOL = "duckdb_write"
DONE_STATUSES = ("loaded", "quarantined")
# From this many bytes of new dumps, parsing is streamed into the loads (the writer step runs the
# parser pool and loads each batch as soon as it is parsed), so a backfill costs about the larger
# of parsing and loading, not their sum. Below it (a nightly run), parsing is its own step.
STREAM_MIN_BYTES = 64 * 1024 * 1024
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=1.0, backoff=dg.Backoff.EXPONENTIAL)


class SkippedDump(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_name: str
    dump_id: str
    reason: str


class LandedBatch(BaseModel):
    """What a landing pass found: dumps to parse now, and identical re-deliveries skipped."""

    model_config = ConfigDict(extra="forbid")

    new: list[DumpMeta] = Field(default_factory=list)
    skipped: list[SkippedDump] = Field(default_factory=list)
    refused: list[RefusedFile] = Field(default_factory=list, description="to quarantine with a reason")


class LandedConfig(dg.Config):
    """Run config of ``landed_dumps``: explicit files (CLI, sensor) or, when empty, the landing folder."""

    paths: list[str] = Field(default_factory=list, description="files or folders; empty = scan landing")


class ParseConfig(dg.Config):
    max_workers: int = Field(default=0, description="parser processes; 0 = one per CPU")
    blog_author: str = Field(default="", description="the blog's author; empty = $BYLINES_AUTHOR or detect")
    stream_min_bytes: int = Field(
        default=STREAM_MIN_BYTES,
        description="batches this big (bytes) are parsed by the writer step while it loads; -1 = never",
    )


def _done_dump_ids(warehouse: WarehouseResource, ids: list[str]) -> dict[str, str]:
    """Status of the given dump ids already in the warehouse (loaded or quarantined)."""
    if not ids or not warehouse.db_path().exists():
        return {}
    with warehouse.reader() as con:
        has_table = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'dumps'"
        ).fetchone()
        if not has_table or not has_table[0]:
            return {}
        rows = con.execute(
            "SELECT dump_id, status FROM dumps WHERE dump_id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    return {dump_id: status for dump_id, status in rows if status in DONE_STATUSES}


@dg.asset(
    group_name="landing",
    kinds={"python", "filesystem"},
    description="Ready dumps from the landing folder (or given paths), copied once into the raw store.",
    retry_policy=TRANSIENT_RETRY,
)
def landed_dumps(
    context: dg.AssetExecutionContext,
    config: LandedConfig,
    landing: LandingFolder,
    raw_store: RawStoreResource,
    warehouse: WarehouseResource,
) -> dg.Output[LandedBatch]:
    scan: LandingScan = (
        inspect_paths_report(config.paths, landing.settle())
        if config.paths
        else scan_landing_report(landing.folder(), landing.settle())
    )
    files = scan.ready
    store = raw_store.store()
    refused_keys = {r.refusal_id for r in scan.refused} | {r.sha256 for r in scan.refused if r.sha256}
    done = _done_dump_ids(warehouse, sorted({f.sha256 for f in files} | refused_keys))
    batch = LandedBatch()
    # Refused files not recorded yet, unless their bytes are in already (a processed copy in a sub-folder).
    batch.refused = [r for r in scan.refused if r.refusal_id not in done and r.sha256 not in done]
    seen: dict[str, str] = {}
    for f in files:
        if f.sha256 in done:
            batch.skipped.append(
                SkippedDump(file_name=f.file_name, dump_id=f.sha256, reason=f"already {done[f.sha256]}")
            )
            continue
        if f.sha256 in seen:
            batch.skipped.append(
                SkippedDump(file_name=f.file_name, dump_id=f.sha256, reason=f"same bytes as {seen[f.sha256]}")
            )
            continue
        try:
            meta = store.put_file(Path(f.path), f.sha256, f.file_name, received_at=f.seen_at)
        except OSError as exc:
            named = exc.filename is not None and os.fspath(exc.filename) == f.path
            if not named and os.path.exists(f.path):
                # the raw store cannot be written (disk full, permissions): fail the step, so that it is
                # retried and the run shows the failure, rather than skip every dump in silence
                raise RuntimeError(f"cannot write the raw store {store.root}: {exc}") from exc
            # the landed file vanished or became unreadable between scan and copy: the next scan retries
            context.log.warning(f"could not copy {f.file_name} into the raw store: {exc}")
            continue
        if meta.dump_id in done or meta.dump_id in seen:  # bytes changed between scan and copy
            continue
        seen[meta.dump_id] = f.file_name
        batch.new.append(meta)
    context.log.info(f"{len(batch.new)} new dump(s), {len(batch.skipped)} skipped")
    return dg.Output(
        batch,
        metadata={
            "dumps_new": len(batch.new),
            "dumps_skipped": len(batch.skipped),
            "new_files": dg.MetadataValue.json([m.file_name for m in batch.new]),
        },
    )


@dg.asset(
    group_name="transform",
    kinds={"python"},
    description="Each new dump decoded and parsed (pure Python); unreadable ones carry a quarantine reason.",
)
def parsed_dumps(
    context: dg.AssetExecutionContext,
    config: ParseConfig,
    landed_dumps: LandedBatch,
    raw_store: RawStoreResource,
) -> dg.Output[list[ParsedItem]]:
    author = config.blog_author or os.environ.get(ENV_AUTHOR) or None
    stage = str(raw_store.stage_dir())
    total = sum(m.size_bytes for m in landed_dumps.new)
    if 0 <= config.stream_min_bytes <= total and len(landed_dumps.new) > 1:
        # a backfill: the writer step parses while it loads (streaming), so nothing waits here
        context.log.info(f"{len(landed_dumps.new)} dumps ({total / 1e6:.0f} MB): parsed while loading")
        return dg.Output(
            defer(landed_dumps.new, author, config.max_workers, stage),
            metadata={"deferred": len(landed_dumps.new), "bytes": total},
        )
    items = parse_many(landed_dumps.new, blog_author=author, max_workers=config.max_workers, stage_dir=stage)
    bad = [i for i in items if i.error]
    for item in bad[:MAX_LOGGED_QUARANTINES]:
        context.log.warning(f"quarantine {item.meta.file_name}: {item.error}")
    if len(bad) > MAX_LOGGED_QUARANTINES:
        context.log.warning(f"... and {len(bad) - MAX_LOGGED_QUARANTINES} more to quarantine")
    return dg.Output(
        items,
        metadata={
            "parsed": len(items) - len(bad),
            "failed": len(bad),
            "posts": sum(i.posts for i in items),
        },
    )


def _stat(stats: Any, name: str) -> int:
    """A counter of warehouse.load.LoadStats (pydantic model, dataclass or dict)."""
    if stats is None:
        return 0
    value = stats.get(name, 0) if isinstance(stats, dict) else getattr(stats, name, 0)
    return int(value or 0)


def _trigger(context: dg.AssetExecutionContext) -> str:
    tags = context.run.tags
    if tags.get(TRIGGER_TAG):
        return tags[TRIGGER_TAG]
    if tags.get("dagster/sensor_name"):
        return "sensor"
    if tags.get("dagster/schedule_name"):
        return "schedule"
    return "manual"


# Each log line is an event in the Dagster instance: a flood of bad files logs this many, then a count.
MAX_LOGGED_QUARANTINES = 20


def load_items(
    con: Any, items: Iterable[ParsedItem], log: Any = None
) -> tuple[dict[str, Any], list[str], list[dict[str, str]]]:
    """Load every parsed dump (in batches, one transaction each) or quarantine it.

    Returns (counters, warnings, quarantined). ``items`` may be an iterator that yields dumps as
    their parses finish: each batch is loaded as soon as it is full, so loading overlaps parsing
    and memory holds one batch, never the whole backfill.

    Re-checks under the writer lock what is already in the warehouse, so a second ingest
    that raced the first one finds nothing left to do. A batch that fails is loaded again dump
    by dump, so only the bad dump is quarantined.
    """
    from warehouse.load import (
        LOAD_BATCH_BYTES,
        LOAD_BATCH_DUMPS,
        bulk_load_settings,
        load_dump,
        load_dumps,
        quarantine_dump,
        quarantine_dumps,
    )

    bulk_load_settings(con)
    counts = {"loaded": 0, "raced": 0, "posts": 0, "articles_new": 0, "articles_updated": 0}
    warnings: list[str] = []
    quarantined: list[dict[str, str]] = []
    batch: list[tuple[ParsedItem, Any]] = []
    batch_bytes = 0

    def rollback() -> None:
        try:
            con.rollback()
        except Exception:  # noqa: BLE001 - no transaction open is fine
            pass

    def loaded(item: ParsedItem, parsed: Any, stats: Any) -> None:
        counts["loaded"] += 1
        counts["posts"] += _stat(stats, "posts") or len(parsed.posts)
        counts["articles_new"] += _stat(stats, "articles_new")
        counts["articles_updated"] += _stat(stats, "articles_updated")
        warnings.extend(f"{item.meta.file_name}: {w}" for w in parsed.warnings)
        item.discard_stage()

    def noted(item: ParsedItem, reason: str) -> None:
        item.discard_stage()
        quarantined.append({"file_name": item.meta.file_name, "dump_id": item.meta.dump_id, "reason": reason})
        if log is not None and len(quarantined) <= MAX_LOGGED_QUARANTINES:  # all are in the run's metadata
            log.warning(f"quarantined {item.meta.file_name}: {reason}")

    def quarantine(item: ParsedItem, reason: str) -> None:
        quarantine_dump(con, item.meta, reason)
        noted(item, reason)

    def quarantine_many(entries: list[tuple[ParsedItem, str]]) -> None:
        quarantine_dumps(con, [(item.meta, reason) for item, reason in entries])  # one commit for all
        for item, reason in entries:
            noted(item, reason)

    def flush() -> None:
        nonlocal batch, batch_bytes
        todo, batch, batch_bytes = batch, [], 0
        if not todo:
            return
        if len(todo) > 1:
            try:
                results = load_dumps(con, [(i.meta, p) for i, p in todo])
            except Exception:  # noqa: BLE001 - find the bad dump by loading them one by one
                rollback()
            else:
                for (item, parsed), stats in zip(todo, results, strict=True):
                    loaded(item, parsed, stats)
                return
        for item, parsed in todo:
            try:
                stats = load_dump(con, item.meta, parsed)
            except Exception as exc:  # one bad dump never fails the run: keep it, with the reason
                rollback()
                quarantine(item, f"loading failed ({type(exc).__name__}): {exc}")
            else:
                loaded(item, parsed, stats)

    def already_done(ids: list[str]) -> set[str]:
        if not ids:
            return set()
        rows = con.execute(
            "SELECT dump_id FROM dumps WHERE dump_id IN (SELECT unnest(?))"
            " AND status IN ('loaded', 'quarantined')",
            [ids],
        ).fetchall()
        return {r[0] for r in rows}

    pending: list[ParsedItem] = []  # dumps waiting for the "already done?" check (one query per chunk)

    def take(chunk: list[ParsedItem]) -> None:
        nonlocal batch_bytes
        done = already_done([i.meta.dump_id for i in chunk])
        bad: list[tuple[ParsedItem, str]] = []
        for item in chunk:
            if item.meta.dump_id in done:
                counts["raced"] += 1
                continue
            reason = item.error
            try:
                parsed = item.load_parsed()
            except (OSError, ValueError) as exc:  # the stage vanished or is corrupt: keep the reason
                parsed, reason = None, f"staged parse result unreadable ({type(exc).__name__}): {exc}"
            if parsed is None:
                bad.append((item, reason or "unknown error"))
                continue
            batch.append((item, parsed))
            batch_bytes += item.meta.size_bytes
            if len(batch) >= LOAD_BATCH_DUMPS or batch_bytes >= LOAD_BATCH_BYTES:
                flush()
        quarantine_many(bad)

    for item in items:
        pending.append(item)
        if len(pending) >= 16:
            take(pending)
            pending = []
    take(pending)
    flush()
    if log is not None and len(quarantined) > MAX_LOGGED_QUARANTINES:
        log.warning(f"... {len(quarantined) - MAX_LOGGED_QUARANTINES} more quarantined (the run's metadata)")
    return counts, warnings, quarantined


def record_ingest_run(
    con: Any,
    run_id: str,
    started_at: datetime,
    trigger: str,
    summary: dict[str, Any],
) -> None:
    """One ``ingest_runs`` row per run (replaced on retry, so a retried step leaves one row)."""
    con.execute("DELETE FROM ingest_runs WHERE run_id = ?", [run_id])
    con.execute(
        "INSERT INTO ingest_runs (run_id, started_at, finished_at, trigger, dumps_new, dumps_skipped,"
        " dumps_quarantined, posts, articles_new, articles_updated, warnings)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            started_at,
            datetime.now(UTC).replace(tzinfo=None),
            trigger,
            summary["dumps_new"],
            summary["dumps_skipped"],
            summary["dumps_quarantined"],
            summary["posts"],
            summary["articles_new"],
            summary["articles_updated"],
            summary["warnings"],
        ],
    )


def _credit_earlier_attempts(
    context: dg.AssetExecutionContext,
    con: Any,
    items: list[ParsedItem],
    attempt_started: datetime,
    counts: dict[str, Any],
    quarantined: list[dict[str, str]],
) -> None:
    """Count what earlier attempts of this (retried) step loaded or quarantined, instead of "skipped"."""
    from warehouse.recovery import done_between

    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is None or record.start_time is None:
        return
    since = datetime.fromtimestamp(record.start_time, UTC).replace(tzinfo=None)
    loaded, earlier = done_between(con, [i.meta.dump_id for i in items], since, attempt_started)
    if loaded + len(earlier) > counts["raced"]:  # another ingest raced this run meanwhile: keep "skipped"
        return
    counts["raced"] -= loaded + len(earlier)
    counts["loaded"] += loaded
    quarantined[:0] = earlier


@dg.asset(
    group_name="warehouse",
    kinds={"duckdb"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="Parsed dumps loaded into DuckDB (one transaction per dump), derived tables refreshed.",
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    landed_dumps: LandedBatch,
    parsed_dumps: list[ParsedItem],
) -> dg.MaterializeResult:
    from warehouse.load import refresh_derived
    from warehouse.recovery import derived_is_stale
    from warehouse.refusals import forget_resolved_refusals, record_refused

    started = datetime.now(UTC).replace(tzinfo=None)
    run_id = context.run.run_id or str(uuid.uuid4())
    with warehouse.writer() as con:
        # An earlier run killed before its refresh: bring everything derived up to date (full),
        # since what it left half done is not known. Otherwise the refresh is incremental.
        stale = derived_is_stale(con)
        counts, warnings, quarantined = load_items(con, resolve_deferred(parsed_dumps), context.log)
        if context.retry_number:  # an earlier attempt of this step committed some: still this run's work
            _credit_earlier_attempts(context, con, parsed_dumps, started, counts, quarantined)
        quarantined += record_refused(con, landed_dumps.refused, context.log)
        forget_resolved_refusals(con)
        if stale or counts["loaded"] or quarantined:
            refresh_derived(con, full=stale)
        summary: dict[str, Any] = {
            "dumps_new": counts["loaded"],
            "dumps_skipped": len(landed_dumps.skipped) + counts["raced"],
            "dumps_quarantined": len(quarantined),
            "posts": counts["posts"],
            "articles_new": counts["articles_new"],
            "articles_updated": counts["articles_updated"],
            "warnings": warnings,
        }
        record_ingest_run(con, run_id, started, _trigger(context), summary)
        totals = con.execute(
            "SELECT (SELECT count(*) FROM dumps), (SELECT count(*) FROM posts),"
            " (SELECT count(*) FROM articles)"
        ).fetchone()
    summary["quarantined"] = quarantined
    summary["skipped"] = [s.model_dump() for s in landed_dumps.skipped]
    return dg.MaterializeResult(
        metadata={
            "dumps_new": summary["dumps_new"],
            "dumps_skipped": summary["dumps_skipped"],
            "dumps_quarantined": summary["dumps_quarantined"],
            "posts": summary["posts"],
            "articles_new": summary["articles_new"],
            "articles_updated": summary["articles_updated"],
            "warnings": len(warnings),
            "total_dumps": int(totals[0]) if totals else 0,
            "total_posts": int(totals[1]) if totals else 0,
            "total_articles": int(totals[2]) if totals else 0,
            "summary": dg.MetadataValue.json(json.loads(json.dumps(summary, default=str))),
        }
    )


@dg.asset(
    group_name="warehouse",
    kinds={"duckdb"},
    deps=[warehouse_tables],
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="Read-only copy of the warehouse, swapped in atomically, for the dashboard and SQL.",
)
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    from warehouse.publish import publish_read_copy

    db = warehouse.db_path()
    if not db.exists():  # nothing was ever loaded: create the empty schema so readers have a file
        with warehouse.writer():
            pass
    copy = publish_read_copy(db, memory_limit=warehouse.memory_limit)
    return dg.MaterializeResult(
        metadata={"read_copy": dg.MetadataValue.path(str(copy)), "bytes": copy.stat().st_size}
    )


ALL_ASSETS = [landed_dumps, parsed_dumps, warehouse_tables, published_warehouse]
