"""How the pipeline opens the writer's DuckDB file: the writer, and a reader of the writer's file.

Owns ``Warehouse`` (a path plus the writer's memory settings). Every write, and every check that
reads the writer's file, holds the cross-process writer lock of ``warehouse.publish`` for as short
as it can: DuckDB allows one read-write process per file, and a read-only opener blocks a writer.
Dashboards and analysts never come here: they open the published copy (``warehouse.publish``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.check_scope import settle
from warehouse.publish import WRITER_MEMORY_LIMIT, publish_read_copy, writer_lock
from warehouse.schema import apply_schema
from warehouse.stops import registered
from warehouse.storage import connect_writer

DONE_STATUSES = ("loaded", "quarantined")


@dataclass(frozen=True)
class Warehouse:
    """The writer's DuckDB file, opened only under the writer lock."""

    path: Path
    # DuckDB's buffer pool; the writer's peak RSS is about this plus Python (see WRITER_MEMORY_LIMIT)
    memory_limit: str = WRITER_MEMORY_LIMIT
    threads: int = 2

    def _config(self) -> dict[str, str | int | bool]:
        # Bounded memory: several DuckDB processes (ingest, dashboard, analysts) share one box.
        return {"memory_limit": self.memory_limit, "threads": self.threads}

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection with the schema migrated, held under the writer lock."""
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with writer_lock(path):
            con = connect_writer(path, self._config())
            try:
                with registered(con):  # a stop request interrupts its running statement
                    apply_schema(con)
                    settle(con, path)  # the scope the last passing checks covered goes
                    yield con
            finally:
                con.close()

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only view of the writer's file, taken under the writer lock so no write is in flight."""
        with writer_lock(Path(self.path)):
            con = duckdb.connect(str(self.path), read_only=True, config=self._config())
            try:
                with registered(con):
                    yield con
            finally:
                con.close()

    def done_dump_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """Status of the given dump ids already in the warehouse (loaded or quarantined)."""
        if not ids or not Path(self.path).exists():
            return {}
        with self.reader() as con:
            has_table = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'dumps'"
            ).fetchone()
            if not has_table or not has_table[0]:
                return {}
            rows = con.execute(
                "SELECT dump_id, status FROM dumps WHERE dump_id IN (SELECT unnest(?))", [list(ids)]
            ).fetchall()
        return {dump_id: status for dump_id, status in rows if status in DONE_STATUSES}

    def publish(self, force: bool = False) -> Path:
        """Swap in a fresh read-only copy for readers (a file with the schema when nothing was loaded)."""
        return publish_read_copy(Path(self.path), force=force, memory_limit=self.memory_limit)
