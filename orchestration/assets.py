"""The ingest pipeline as Dagster assets, one per stage of ``warehouse.ingest``.

    landed_dumps -> parsed_dumps -> warehouse_tables -> published_warehouse

Each asset calls one stage of the one ingest path and adds only Dagster's part (config,
resources, metadata): landing copies bytes into the raw store (nothing received is ever lost);
parsing is pure and fails per dump (quarantine, never a failed run); the writer step loads and
refreshes every warehouse table under the writer pool and lock (its page lists each table with
its rows and the schema's own comment); publishing swaps in the read-only copy, and runs only when
the blocking checks on those tables pass (``orchestration.checks``). Stage outputs are small
pydantic objects passed through the IO manager, the same in an in-process CLI run and under
``dagster dev``.

Why one asset for the tables and not one per table: every asset and check costs Dagster events,
and each event is a write to the instance's SQLite storage (about 15 ms here); per-table assets
doubled the time of a nightly run with nothing new.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import dagster as dg
import duckdb
from pydantic import Field

from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource
from orchestration.runs import WRITER_POOL, RunGuard
from warehouse.ingest import IngestSettings, LandedBatch, RunInfo, land, load, parse
from warehouse.parsing import ParsedItem
from warehouse.publish import WriterBusy
from warehouse.schema import table_shapes
from warehouse.stops import IngestInterrupted
from warehouse.writers import WritersFileError

TRIGGER_TAG = "bylines/trigger"
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=1.0, backoff=dg.Backoff.EXPONENTIAL)

# The tables the writer step keeps (bookkeeping ones aside: the refresh's and the checks' key lists,
# the schema version).
BOOKKEEPING_TABLES = ("refresh_pending", "check_scope", "schema_version")


class LandedConfig(dg.Config):
    """Run config of ``landed_dumps``: explicit files (CLI, sensor) or, when empty, the landing folder;
    and whose they are (``--writer``), when not by where they lie."""

    paths: list[str] = Field(default_factory=list, description="files or folders; empty = scan landing")
    writer: str = Field(
        default="", description="writer of every file (slug, name or alias); empty = by folder"
    )
    site: str = Field(
        default="", description="that writer's site (the blog's domain), if writers.yaml has none"
    )


class ParseConfig(dg.Config):
    max_workers: int = Field(default=0, description="parser processes; 0 = one per CPU")
    blog_author: str = Field(
        default="", description="the blog author of files no writer names; empty = $BYLINES_AUTHOR or detect"
    )
    stream_min_bytes: int = Field(
        default=IngestSettings.model_fields["stream_min_bytes"].default,
        description="batches this big (bytes) are parsed by the writer step while it loads; -1 = never",
    )

    def settings(self) -> IngestSettings:
        return IngestSettings.from_env(
            self.blog_author or None, max_workers=self.max_workers, stream_min_bytes=self.stream_min_bytes
        )


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
    run_guard: RunGuard,  # held for the whole run: its process is known alive, dead runs reaped first
) -> dg.Output[LandedBatch]:
    with not_retried():
        store, folder, registry = raw_store.store(), landing.folder(), landing.writers()
        writer = registry.for_name(config.writer, config.site or None) if config.writer.strip() else None
        batch = land(
            config.paths,
            folder,
            landing.settle(),
            store,
            warehouse.warehouse(),
            context.log,
            registry,
            writer,
        )
    return dg.Output(
        batch,
        metadata={
            "dumps_new": len(batch.new),
            "dumps_skipped": len(batch.skipped),
            "files_refused": len(batch.refused),
            "new_files": dg.MetadataValue.json([m.file_name for m in batch.new]),
            "writers": dg.MetadataValue.json(sorted({m.writer.display_name for m in batch.new if m.writer})),
        },
    )


@dg.asset(
    group_name="transform",
    kinds={"python"},
    description="Each new dump decoded and parsed (pure Python; unreadable ones carry a quarantine reason)."
    " A backfill's dumps are handed on unparsed: the writer step parses them while it loads.",
)
def parsed_dumps(
    context: dg.AssetExecutionContext,
    config: ParseConfig,
    landed_dumps: LandedBatch,
    raw_store: RawStoreResource,
) -> dg.Output[list[ParsedItem]]:
    with not_retried():
        items = parse(landed_dumps, config.settings(), raw_store.stage_dir(), context.log)
    return dg.Output(
        items,
        metadata={
            "parsed": sum(1 for i in items if not i.error and not i.deferred),
            "deferred": sum(1 for i in items if i.deferred),
            "failed": sum(1 for i in items if i.error),
            "posts": sum(i.posts for i in items),
        },
    )


@contextmanager
def not_retried() -> Iterator[None]:
    """Ends of a step that a retry must not start over: giving up on the writer lock (the wait has its
    own limit, ``BYLINES_LOCK_TIMEOUT_SECONDS``), a stop request (SIGTERM, SIGINT) and a malformed
    ``writers.yaml`` (a retry reads the same file). Dagster's retry policy would retry them (it retries
    interrupts too); these fail the run at once, with the reason."""
    try:
        yield
    except (WriterBusy, IngestInterrupted, WritersFileError) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc


def _trigger(context: dg.AssetExecutionContext) -> str:
    tags = context.run.tags
    if tags.get(TRIGGER_TAG):
        return tags[TRIGGER_TAG]
    if tags.get("dagster/sensor_name"):
        return "sensor"
    if tags.get("dagster/schedule_name"):
        return "schedule"
    return "manual"


def _run_started(context: dg.AssetExecutionContext) -> datetime | None:
    """When this run started (for a retried step: what an earlier attempt committed is this run's work)."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is None or record.start_time is None:
        return None
    return datetime.fromtimestamp(record.start_time, UTC).replace(tzinfo=None)


def warehouse_table_names() -> list[str]:
    """Every table the writer step keeps (what the dashboard and analysts read), from the migrations."""
    return [name for name in table_shapes() if name not in BOOKKEEPING_TABLES]


def _tables(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], dg.MetadataValue]:
    """Rows per table, and a listing of each with what it holds (its comment in the warehouse itself)."""
    comments = dict(
        con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
    )
    rows = {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in warehouse_table_names()}
    lines = ["| table | rows | holds |", "|---|---|---|"]
    lines += [f"| `{name}` | {n} | {comments.get(name) or ''} |" for name, n in rows.items()]
    return rows, dg.MetadataValue.md("\n".join(lines))


@dg.asset(
    group_name="warehouse",
    kinds={"duckdb"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="Every warehouse table: parsed dumps loaded (or quarantined when they cannot be), the"
    " cross-dump data and the summary tables behind the dashboard refreshed, the run recorded.",
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    landed_dumps: LandedBatch,
    parsed_dumps: list[ParsedItem],
    raw_store: RawStoreResource,
) -> dg.MaterializeResult:
    run = RunInfo(run_id=context.run.run_id, trigger=_trigger(context))
    retried_since = _run_started(context) if context.retry_number else None
    with not_retried(), warehouse.writer() as con:
        summary = load(
            con,
            landed_dumps,
            parsed_dumps,
            run,
            context.log,
            retried_since=retried_since,
            stage=raw_store.stage_dir(),
        )
        rows, listing = _tables(con)
    return dg.MaterializeResult(
        metadata={
            **summary.model_dump(exclude={"warnings", "quarantined", "skipped"}),
            "warnings": len(summary.warnings),
            "total_dumps": rows["dumps"],
            "total_posts": rows["posts"],
            "total_articles": rows["articles"],
            "tables": listing,
            "summary": dg.MetadataValue.json(json.loads(summary.model_dump_json())),
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
    with not_retried():
        copy = warehouse.warehouse().publish()
    return dg.MaterializeResult(
        metadata={"read_copy": dg.MetadataValue.path(str(copy)), "bytes": copy.stat().st_size}
    )


ALL_ASSETS = [landed_dumps, parsed_dumps, warehouse_tables, published_warehouse]
