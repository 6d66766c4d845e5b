"""The one ingest path: land -> parse -> load -> publish, with one error policy.

Owns the stages every ingest runs, whoever starts it: the Dagster job (``bylines ingest``, the
landing sensor, the nightly schedule) calls one stage per asset, ``bylines rebuild`` calls
:func:`load` on a fresh file, and :func:`ingest` chains the same stages in one call (tests,
scripts). There is no other loop over dumps.

- :func:`land`: ready files (given paths, or the landing folder) copied once into the raw store,
  each with its writer (``warehouse.writers``: by where it lies, or ``--writer``); identical bytes
  already in the warehouse are skipped, unreadable files are refused with a reason.
- :func:`parse`: each new dump decoded and parsed (``warehouse.parsing``); a big batch is deferred
  so the writer parses it while it loads (streaming).
- :func:`load`: the writer's part, under the writer lock: every parsed dump loaded in batches or
  quarantined, refused files recorded, the cross-dump refresh, one ``ingest_runs`` row.

The error policy, the same everywhere: a bad dump (unreadable, not an archive dump, a parser bug,
a row the database refuses) is quarantined with a reason and the run goes on; only the
environment (disk, permissions, memory) fails the run, so that it is retried and seen.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field

from transforms.models import ParseSettings
from warehouse import refresh
from warehouse.bookkeeping import derived_is_stale, done_between, record_ingest_run
from warehouse.check_scope import check
from warehouse.connections import Warehouse
from warehouse.hash_cache import hash_cache
from warehouse.identity import articles_left
from warehouse.landing import RefusedFile, scan_report
from warehouse.load import MAX_LOGGED, already_done, load_or_quarantine, sweep_stages
from warehouse.parsing import ParsedItem, defer, iter_parsed, resolve_deferred
from warehouse.rawstore import DumpMeta, RawStore
from warehouse.refusals import forget_resolved_refusals, record_refused
from warehouse.stops import check_stop, checkpoint
from warehouse.writers import Writer, WriterRegistry, default_writers_file, record_writers

ENV_AUTHOR = "BYLINES_AUTHOR"
ENV_SITE = "BYLINES_SITE"  # the blog's own domain: the outlet of posts published on the blog itself
# From this many bytes of new dumps, parsing is streamed into the loads (the writer parses with a
# process pool and loads each batch as soon as it is parsed), so a backfill costs about the larger
# of parsing and loading, not their sum. Below it (a nightly run), parsing is its own stage.
STREAM_MIN_BYTES = 64 * 1024 * 1024

LOG = logging.getLogger("bylines.ingest")


class IngestSettings(BaseModel):
    """How an ingest parses: the parser's own settings (passed whole to every parse worker) and the pool."""

    model_config = ConfigDict(extra="forbid")

    parse: ParseSettings = Field(default_factory=ParseSettings)
    max_workers: int = Field(default=0, description="parser processes; 0 = one per CPU")
    stream_min_bytes: int = Field(
        default=STREAM_MIN_BYTES, description="batches this big (bytes) are parsed while loading; -1 = never"
    )

    @classmethod
    def from_env(cls, blog_author: str | None = None, **fields: Any) -> IngestSettings:
        """Settings with the blog's author from the argument, else ``$BYLINES_AUTHOR``, else detected;
        the blog's site from ``$BYLINES_SITE`` (delivery metadata: the outlet of blog-native posts)."""
        author = blog_author or os.environ.get(ENV_AUTHOR) or None
        site = os.environ.get(ENV_SITE) or None
        return cls(parse=ParseSettings(blog_author=author, site=site), **fields)


class SkippedDump(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_name: str
    dump_id: str
    reason: str


class LandedBatch(BaseModel):
    """What a landing pass found: dumps to parse now, identical re-deliveries skipped, refused files."""

    model_config = ConfigDict(extra="forbid")

    new: list[DumpMeta] = Field(default_factory=list)
    skipped: list[SkippedDump] = Field(default_factory=list)
    refused: list[RefusedFile] = Field(default_factory=list, description="to quarantine with a reason")
    writers: list[Writer] = Field(default_factory=list, description="the writers rows to keep current")
    notes: list[str] = Field(default_factory=list, description="for the run's warnings")


class IngestSummary(BaseModel):
    """What one ingest did: the CLI prints it, Dagster keeps it as metadata, ``ingest_runs`` records it."""

    dumps_new: int = 0
    dumps_skipped: int = 0
    dumps_quarantined: int = 0
    posts: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_left: int = 0  # no sighting that counts names them any more (a post withdrawn, retitled)
    warnings: list[str] = Field(default_factory=list)
    quarantined: list[dict[str, str]] = Field(default_factory=list)
    skipped: list[dict[str, str]] = Field(default_factory=list)


class RunInfo(BaseModel):
    """Who runs this ingest: the ``ingest_runs`` row's id, trigger and start time."""

    run_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    trigger: str = "manual"
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


class IngestEnvironmentError(RuntimeError):
    """The environment failed the run (disk, permissions): retried by Dagster, shown by the CLI."""


# ------------------------------------------------------------------------------------- stages


def land(
    paths: Sequence[str] | None,
    landing: Path,
    settle_seconds: float,
    store: RawStore,
    warehouse: Warehouse,
    log: Any = LOG,
    writers: WriterRegistry | None = None,
    writer: Writer | None = None,
) -> LandedBatch:
    """Ready dumps (``paths``, or the landing folder when there are none) copied once into the raw store,
    each with its writer: ``writer`` (``--writer``), else by where it lies (``writers``: the registry)."""
    check_stop()
    registry = writers or WriterRegistry()
    scan = scan_report(paths or [], landing, settle_seconds, hash_cache(store), registry, writer)
    refused_keys = {r.refusal_id for r in scan.refused} | {r.sha256 for r in scan.refused if r.sha256}
    done = warehouse.done_dump_ids(sorted({f.sha256 for f in scan.ready} | refused_keys))
    batch = LandedBatch()
    # Refused files not recorded yet, unless their bytes are in already (a processed copy in a sub-folder).
    batch.refused = [r for r in scan.refused if r.refusal_id not in done and r.sha256 not in done]
    seen: dict[str, str] = {}
    for f in scan.ready:
        if f.sha256 in done or f.sha256 in seen:
            why = f"already {done[f.sha256]}" if f.sha256 in done else f"same bytes as {seen[f.sha256]}"
            batch.skipped.append(SkippedDump(file_name=f.file_name, dump_id=f.sha256, reason=why))
            continue
        try:
            meta = store.put_file(Path(f.path), f.sha256, f.file_name, received_at=f.seen_at, writer=f.writer)
        except OSError as exc:
            named = exc.filename is not None and os.fspath(exc.filename) == f.path
            if not named and os.path.exists(f.path):
                # the raw store cannot be written (disk full, permissions): fail the run, so that it is
                # retried and shows the failure, rather than skip every dump in silence
                raise IngestEnvironmentError(f"cannot write the raw store {store.root}: {exc}") from exc
            # the landed file vanished or became unreadable between scan and copy: the next scan retries
            log.warning(f"could not copy {f.file_name} into the raw store: {exc}")
            continue
        if meta.dump_id in done or meta.dump_id in seen:  # bytes changed between scan and copy
            continue
        seen[meta.dump_id] = f.file_name
        batch.new.append(meta)
        checkpoint("landed_dumps:copied")
    batch.writers, batch.notes = registry.batch_writers([m.writer for m in batch.new])
    log.info(f"{len(batch.new)} new dump(s), {len(batch.skipped)} skipped, {len(batch.refused)} refused")
    return batch


def stage_dir(store: RawStore) -> Path:
    """Where parse results wait for the writer: ``parsed/`` beside the raw store."""
    return store.root.parent / "parsed"


def parse(batch: LandedBatch, settings: IngestSettings, stage: Path, log: Any = LOG) -> list[ParsedItem]:
    """Each new dump parsed (results staged on disk), or deferred to the writer when the batch is big."""
    total = sum(m.size_bytes for m in batch.new)
    if 0 <= settings.stream_min_bytes <= total and len(batch.new) > 1:
        log.info(f"{len(batch.new)} dumps ({total / 1e6:.0f} MB): parsed by the writer while it loads")
        return defer(batch.new, settings.parse, settings.max_workers, str(stage))
    items: list[ParsedItem] = []
    for item in iter_parsed(batch.new, settings.parse, settings.max_workers, str(stage)):
        items.append(item)
        checkpoint("parsed_dumps:parsed")
    bad = [i for i in items if i.error]
    for item in bad[:MAX_LOGGED]:
        log.warning(f"quarantine {item.meta.file_name}: {item.error}")
    if len(bad) > MAX_LOGGED:
        log.warning(f"... and {len(bad) - MAX_LOGGED} more to quarantine")
    return items


def load(
    con: duckdb.DuckDBPyConnection,
    batch: LandedBatch,
    items: Iterable[ParsedItem],
    run: RunInfo,
    log: Any = LOG,
    full_refresh: bool = False,
    retried_since: datetime | None = None,
    stage: Path | None = None,
) -> IngestSummary:
    """The writer's part of an ingest, on a connection held under the writer lock.

    Loads every parsed dump (deferred ones are parsed here, streamed into the loads) or
    quarantines it, records the refused files, refreshes the cross-dump data (in full after a run
    that was killed before its refresh, or when asked) and writes the run's ``ingest_runs`` row.
    ``retried_since``: the run's start, when this is a retry of a step whose earlier attempt may
    have committed some loads (they are still this run's work, not "skipped"). ``stage``: the folder
    of parse results (``stage_dir``), swept of what killed runs left there (``sweep_stages``).
    """
    attempt_started = datetime.now(UTC).replace(tzinfo=None)
    stale = derived_is_stale(con)
    items = list(items)
    record_writers(con, batch.writers)
    done = already_done(con, [i.meta.dump_id for i in items if i.deferred])
    result = load_or_quarantine(con, resolve_deferred(items, done), log)
    if retried_since is not None:
        result.credit(*done_between(con, [i.meta.dump_id for i in items], retried_since, attempt_started))
    quarantined = result.quarantined + record_refused(con, batch.refused, log)
    forget_resolved_refusals(con)
    if stage is not None:
        sweep_stages(con, stage)
    checkpoint("warehouse_tables:loaded")
    if full_refresh or stale or result.loaded or quarantined:
        refresh.refresh_derived(con, full=full_refresh or stale)
    summary = IngestSummary(
        dumps_new=result.loaded,
        dumps_skipped=len(batch.skipped) + result.raced,
        dumps_quarantined=len(quarantined),
        posts=result.posts,
        articles_new=result.articles_new,
        articles_updated=result.articles_updated,
        articles_left=articles_left(con),
        warnings=[*batch.notes, *result.warnings],
        quarantined=quarantined,
        skipped=[s.model_dump() for s in batch.skipped],
    )
    record_ingest_run(con, run.run_id, run.started_at, run.trigger, summary.model_dump())
    checkpoint("warehouse_tables:recorded")
    return summary


def ingest(
    paths: Sequence[Path | str] | None,
    warehouse: Warehouse,
    store: RawStore,
    settings: IngestSettings | None = None,
    *,
    landing: Path | None = None,
    settle_seconds: float = 0.0,
    run: RunInfo | None = None,
    log: Any = LOG,
    writer: Writer | None = None,
) -> IngestSummary:
    """Every stage in one call, as the Dagster job runs them: land, parse, load, then publish the read
    copy unless the integrity checks fail (then raise, as the job's blocking checks stop publishing).
    Whose the dumps are: ``writer``, else by where they lie (``writers.yaml`` beside the landing folder)."""
    settings = settings or IngestSettings.from_env()
    landing = landing or Path(warehouse.path).parent / "landing"
    registry = WriterRegistry.load(default_writers_file(landing))
    batch = land(
        [str(p) for p in paths or []], landing, settle_seconds, store, warehouse, log, registry, writer
    )
    items = parse(batch, settings, stage_dir(store), log)
    with warehouse.writer() as con:
        summary = load(con, batch, items, run or RunInfo(trigger="library"), log, stage=stage_dir(store))
    with warehouse.reader() as con:  # the job's blocking checks, as the job runs them
        checked = check(con, Path(warehouse.path))
    problems = {name: n for name, n in checked.counts.items() if n}
    if problems:
        raise RuntimeError(f"integrity checks failed, read copy not published: {problems}")
    warehouse.publish()
    return summary
