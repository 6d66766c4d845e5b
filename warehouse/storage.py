"""How every writer opens the warehouse's DuckDB file: small row groups, so an append rewrites megabytes.

Why: DuckDB stores a table as row groups (122,880 rows by default) and, at a checkpoint, rewrites
a row group whole when rows were appended to it. The tables a nightly run appends to
(``post_sightings``, ``articles``, ``posts``, whose ``body`` and ``intro`` columns are most of the
file) stay a single row group until they pass 122,880 rows, so appending one dump's 20 rows
rewrote the whole table (121 of 122 blocks of ``post_sightings`` at 100 MB of dumps), and the
publish then had to patch all of it into the read copy. With row groups of
:data:`ROW_GROUP_SIZE` rows an append rewrites only the last, partly filled one: a few blocks.

Why an ``ATTACH`` option: DuckDB 1.5 takes the row group size only per attached database
(``ATTACH ... (ROW_GROUP_SIZE n)``), not as a connection setting, and does not store it in the file:
a writer that opened the file without it would append to the last row group up to the default size
again, and its checkpoint would merge the small row groups back together. So every connection that
writes the warehouse opens it here (the ingest's writer, the publish's checkpoint, ``bylines
rebuild``), and readers need nothing (the row groups are in the file).

Warehouses made before this: their existing row groups stay as they are (DuckDB does not rewrite a
row group nobody changed); the first append under this setting starts a new small row group after
them, so from the first run on an append rewrites only that. ``bylines rebuild`` lays out every
table in small row groups.

Also here, as settings of the same connections: how the writer's memory is kept bounded
(``ALLOCATOR``, and ``memory_limit_at_most`` for a step that needs less than the connection's limit).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

# Rows per row group in the writer's file: DuckDB's vector size (2,048), its smallest useful unit.
# One row group of post_sightings or articles holds about 3 MB at the generated corpora's body sizes,
# so one small append rewrites about that much per table (docs/performance.md, "One new dump").
ROW_GROUP_SIZE = 2048
# DuckDB's allocator keeps freed memory for reuse unless told to give it back: a writer's RSS then
# ratchets up to its largest step and stays there (the 1 GB benchmark's writer: 1,151 MB RSS under a
# 384 MB memory_limit). With these, the full search-index build peaked at 658 MB instead of 786 and
# ended at 492 instead of 774, in the same time.
ALLOCATOR = {
    "allocator_flush_threshold": "16MB",
    "allocator_bulk_deallocation_flush_threshold": "32MB",
    "allocator_background_threads": True,
}
# The DuckDB variable that holds the connection's ``memory_limit`` as it was given: DuckDB shows the
# setting rounded (``366.2 MiB``), so a step that lowers it for a while (``memory_limit_at_most``)
# restores this.
MEMORY_LIMIT_VARIABLE = "writer_memory_limit"
_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
# The catalog name of the writer's file on its connection (queries use unqualified names; the
# connection's default database is this one).
CATALOG = "warehouse"


def connect_writer(
    path: Path | str, config: dict[str, str | int | bool] | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-write connection whose default database is the warehouse file at ``path`` (small row groups).

    ``config`` is DuckDB's connection configuration (memory limit, threads), over :data:`ALLOCATOR`. The
    file is created when absent, exactly as ``duckdb.connect(path)`` would.
    """
    con = duckdb.connect(":memory:", config={**ALLOCATOR, **(config or {})})
    try:
        if config and "memory_limit" in config:
            con.execute(f"SET VARIABLE {MEMORY_LIMIT_VARIABLE} = ?", [str(config["memory_limit"])])
        literal = str(path).replace("'", "''")
        con.execute(f"ATTACH '{literal}' AS {CATALOG} (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute(f"USE {CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def _memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> float:
    """The connection's ``memory_limit`` in bytes (DuckDB shows it rounded, e.g. ``366.2 MiB``);
    infinite when it is not a size (no limit)."""
    shown = str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
    number, _, unit = shown.partition(" ")
    try:
        return float(number) * _UNITS[unit]
    except (ValueError, KeyError):
        return float("inf")


@contextmanager
def memory_limit_at_most(con: duckdb.DuckDBPyConnection, limit_bytes: int) -> Iterator[None]:
    """Run a step with DuckDB's ``memory_limit`` at most ``limit_bytes``; afterwards the connection's
    own limit is back exactly as ``connect_writer`` was given it (a lower own limit is kept).

    Why: DuckDB's buffer pool fills up to its limit with blocks it may evict, and the process keeps
    that memory; steps whose working set is known to be smaller (a load batch, the search index's
    sorted build, which spills) run under less, so the writer's peak is bounded by the step, not by
    the connection's limit (docs/performance.md, "Memory of the 1 GB backfill").
    """
    if _memory_limit_bytes(con) <= limit_bytes:
        yield
        return
    given = con.execute(f"SELECT getvariable('{MEMORY_LIMIT_VARIABLE}')").fetchone()[0]
    previous = given or con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute(f"SET memory_limit = '{limit_bytes} bytes'")
    try:
        yield
    finally:
        con.execute("SET memory_limit = ?", [previous])
