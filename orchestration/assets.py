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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import BaseModel, ConfigDict, Field

from orchestration.parsing import ParsedItem, parse_many
from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource
from warehouse.landing import LandingScan, RefusedFile, inspect_paths_report, scan_landing_report
from warehouse.rawstore import DumpMeta

ENV_AUTHOR = "BYLINES_AUTHOR"
TRIGGER_TAG = "bylines/trigger"
WRITER_POOL = "duckdb_write"
DONE_STATUSES = ("loaded", "quarantined")
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
        except OSError as exc:  # vanished or unreadable between scan and copy: the next scan retries
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
    items = parse_many(
        landed_dumps.new,
        blog_author=author,
        max_workers=config.max_workers,
        stage_dir=str(raw_store.stage_dir()),
    )
    bad = [i for i in items if i.error]
    for item in bad:
        context.log.warning(f"quarantine {item.meta.file_name}: {item.error}")
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


def load_items(
    con: Any, items: list[ParsedItem], log: Any = None
) -> tuple[dict[str, Any], list[str], list[dict[str, str]]]:
    """Load every parsed dump (own transaction each) or quarantine it.

    Returns (counters, warnings, quarantined).

    Re-checks under the writer lock what is already in the warehouse, so a second ingest
    that raced the first one finds nothing left to do.
    """
    from warehouse.load import load_dump, quarantine_dump

    ids = [i.meta.dump_id for i in items]
    done = (
        {
            r[0]
            for r in con.execute(
                "SELECT dump_id FROM dumps WHERE dump_id IN (SELECT unnest(?))"
                " AND status IN ('loaded', 'quarantined')",
                [ids],
            ).fetchall()
        }
        if ids
        else set()
    )
    counts = {"loaded": 0, "raced": 0, "posts": 0, "articles_new": 0, "articles_updated": 0}
    warnings: list[str] = []
    quarantined: list[dict[str, str]] = []
    for item in items:
        if item.meta.dump_id in done:
            counts["raced"] += 1
            continue
        reason = item.error
        try:
            parsed = item.load_parsed()
        except (OSError, ValueError) as exc:  # the stage vanished or is corrupt: keep the reason
            parsed, reason = None, f"staged parse result unreadable ({type(exc).__name__}): {exc}"
        if parsed is not None:
            try:
                stats = load_dump(con, item.meta, parsed)
            except Exception as exc:  # one bad dump never fails the run: keep it, with the reason
                try:
                    con.rollback()
                except Exception:  # noqa: BLE001 - no transaction open is fine
                    pass
                reason = f"loading failed ({type(exc).__name__}): {exc}"
            else:
                counts["loaded"] += 1
                counts["posts"] += _stat(stats, "posts") or len(parsed.posts)
                counts["articles_new"] += _stat(stats, "articles_new")
                counts["articles_updated"] += _stat(stats, "articles_updated")
                warnings.extend(f"{item.meta.file_name}: {w}" for w in parsed.warnings)
                item.discard_stage()
                continue
        reason = reason or "unknown error"
        quarantine_dump(con, item.meta, reason)
        item.discard_stage()
        quarantined.append({"file_name": item.meta.file_name, "dump_id": item.meta.dump_id, "reason": reason})
        if log is not None:
            log.warning(f"quarantined {item.meta.file_name}: {reason}")
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
        counts, warnings, quarantined = load_items(con, parsed_dumps, context.log)
        quarantined += record_refused(con, landed_dumps.refused, context.log)
        forget_resolved_refusals(con)
        if counts["loaded"] or quarantined or derived_is_stale(con):
            refresh_derived(con)
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
    copy = publish_read_copy(db)
    return dg.MaterializeResult(
        metadata={"read_copy": dg.MetadataValue.path(str(copy)), "bytes": copy.stat().st_size}
    )


ALL_ASSETS = [landed_dumps, parsed_dumps, warehouse_tables, published_warehouse]
