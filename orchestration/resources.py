"""Dagster resources: where the warehouse, the landing folder and the raw store live.

Why configured resources and not module globals: tests, the CLI (``--warehouse``,
``--landing``) and ``dagster dev`` each point the same assets at different places. An
empty field means "read the environment variable at use time, else the documented
default" (docs/architecture.md, Environment), so ``dagster dev`` needs no configuration
and nothing is read from the environment at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import default_warehouse_path, raw_root_for
from warehouse.connections import Warehouse
from warehouse.ingest import stage_dir
from warehouse.landing import LandedFile, default_landing_dir, default_settle_seconds, scan_landing_report
from warehouse.publish import WRITER_MEMORY_LIMIT
from warehouse.rawstore import RawStore
from warehouse.writers import WriterRegistry, default_writers_file


class WarehouseResource(dg.ConfigurableResource):
    """The writer's DuckDB file (``warehouse.connections.Warehouse``), opened only under the writer lock.

    Why not dagster-duckdb's ``DuckDBResource``: it opens the file read-write with no cross-process
    lock (retrying on lock errors instead), has no read-only mode for the checks, and knows nothing
    of the schema migrations or the published read copy; DuckDB allows one read-write process per
    file, and CLI ingests, Dagster runs and rebuilds may overlap.
    """

    path: str = ""
    # DuckDB's buffer pool; the writer's peak RSS is about this plus Python (see WRITER_MEMORY_LIMIT)
    memory_limit: str = WRITER_MEMORY_LIMIT
    threads: int = 2

    def db_path(self) -> Path:
        return Path(self.path) if self.path else default_warehouse_path()

    def warehouse(self) -> Warehouse:
        return Warehouse(self.db_path(), memory_limit=self.memory_limit, threads=self.threads)

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection with the schema migrated, held under the writer lock."""
        with self.warehouse().writer() as con:
            yield con

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only view of the writer's file, taken under the writer lock so no write is in flight."""
        with self.warehouse().reader() as con:
            yield con


class LandingFolder(dg.ConfigurableResource):
    """Where dumps arrive (and, in ``writers.yaml``, whose they are); the seam the sensor and the
    landing asset scan through."""

    path: str = ""
    settle_seconds: float = -1.0  # < 0: $BYLINES_SETTLE_SECONDS or the default of a few seconds
    writers_file: str = ""  # empty: $BYLINES_WRITERS, else writers.yaml beside the landing folder

    def folder(self) -> Path:
        return Path(self.path) if self.path else default_landing_dir()

    def writers(self) -> WriterRegistry:
        """The writers registry (read at use time); raises ``WritersFileError`` on a malformed file."""
        return WriterRegistry.load(
            Path(self.writers_file) if self.writers_file else default_writers_file(self.folder())
        )

    def settle(self) -> float:
        return self.settle_seconds if self.settle_seconds >= 0 else default_settle_seconds()

    def list_ready(self) -> list[LandedFile]:
        """Complete ``*.txt`` dumps (not being written), hashed, each with its writer."""
        return scan_landing_report(self.folder(), self.settle(), writers=self.writers()).ready


class RawStoreResource(dg.ConfigurableResource):
    """The immutable, content-addressed copy of every received dump."""

    path: str = ""

    def store(self) -> RawStore:
        return RawStore(Path(self.path) if self.path else raw_root_for(default_warehouse_path()))

    def stage_dir(self) -> Path:
        """Where parse results wait for the writer (``parsed/`` beside the raw store)."""
        return stage_dir(self.store())


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources read from the environment at use time (what ``dagster dev`` and the schedule use)."""
    return {"warehouse": WarehouseResource(), "landing": LandingFolder(), "raw_store": RawStoreResource()}
