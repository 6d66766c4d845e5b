"""The warehouse schema: numbered migrations, then views and comments; Arrow shapes derived from it.

Owns ``sql/migrations/NNN_*.sql`` (tables), ``sql/views.sql`` and ``sql/comments.sql``, the
``schema_version`` table, and the Arrow schemas the loader stages rows in.

Why migrations: a warehouse outlives the code that made it. ``CREATE TABLE IF NOT EXISTS`` never
adds a column to an existing file, so every change to a table is a new numbered file, applied once,
in order, inside one transaction with the version record: a warehouse made by any older release
upgrades in place (all pending migrations or none), and a re-run finds nothing to do.

Why views and comments apart: they hold no data, so they are re-created after the migrations
whenever their files changed (or a migration ran); changing a view or a comment needs no migration.
Why only then, not on every writer connection: re-creating them cost 0.07 CPU seconds per
connection (two per ingest run) and rewrote the catalog's blocks, which the publish then patched
into the read copy; the digest of the two files is kept in the file (``schema_digest()``).

Why Arrow shapes come from here: the migrations are the one statement of every column's type.
:func:`table_shapes` reads them back from an in-memory database with the migrations applied (once
per process), and the loader stages its rows in those shapes (:func:`arrow_fields`) instead of
writing the columns out a second time.

Adding a migration: see docs/architecture.md ("Changing the schema").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import duckdb

if TYPE_CHECKING:  # pyarrow (and numpy) load when a shape is asked for, not with every schema check
    import pyarrow as pa

SQL_DIR = Path(__file__).with_name("sql")
MIGRATIONS_DIR = SQL_DIR / "migrations"
VIEWS_SQL = SQL_DIR / "views.sql"
COMMENTS_SQL = SQL_DIR / "comments.sql"
_MIGRATION_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

# A macro holding the SHA-256 of views.sql and comments.sql as last applied: a catalog entry, not a
# table, so no table listing, digest or comment check sees it. Analysts may call it (SELECT schema_digest()).
DIGEST_MACRO = "schema_digest"

VERSION_TABLE_DDL = """
CREATE TABLE IF NOT EXISTS schema_version (
    version          INTEGER PRIMARY KEY,
    name             VARCHAR NOT NULL,
    applied_at       TIMESTAMP NOT NULL
)
"""


class Migration(NamedTuple):
    version: int
    name: str
    path: Path


class SchemaError(RuntimeError):
    """The warehouse cannot be brought to this code's schema (a failed or an unknown migration)."""


def migrations(folder: Path | None = None) -> list[Migration]:
    """The migration files in order: named ``NNN_what.sql``, numbered 1, 2, ... without gaps."""
    folder = MIGRATIONS_DIR if folder is None else folder
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION_FILE.match(path.name)
        if not match:
            raise SchemaError(
                f"{path}: a migration file is named NNN_what_it_does.sql (e.g. 002_writers.sql)"
            )
        found.append(Migration(int(match[1]), match[2], path))
    numbers = [m.version for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise SchemaError(f"migrations in {folder} must be numbered 001, 002, ... without gaps: {numbers}")
    return found


def schema_files() -> list[Path]:
    """Every file that defines the schema readers see, in the order it is applied."""
    return [*(m.path for m in migrations()), VIEWS_SQL, COMMENTS_SQL]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The last migration applied to ``con``'s database (0: none, or a warehouse from before migrations)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT COALESCE(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def apply_schema(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the pending migrations, then re-create the views and comments if their files changed or a
    migration ran, in ONE transaction.

    Returns the versions applied (empty when the warehouse was current). A failing migration
    rolls everything back and raises :class:`SchemaError` naming the file.
    """
    known = migrations()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(VERSION_TABLE_DDL)
        current = schema_version(con)
        if current > len(known):
            raise SchemaError(
                f"this warehouse is at schema version {current}, newer than this code knows ({len(known)}): "
                "upgrade bylines before writing to it"
            )
        pending = known[current:]
        for migration in pending:
            try:
                con.execute(migration.path.read_text(encoding="utf-8"))
            except duckdb.Error as exc:
                raise SchemaError(f"migration {migration.path.name} failed: {exc}") from exc
            con.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
            )
        texts = [path.read_text(encoding="utf-8") for path in (VIEWS_SQL, COMMENTS_SQL)]
        digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()
        if pending or _views_digest(con) != digest:
            for path, text in zip((VIEWS_SQL, COMMENTS_SQL), texts, strict=True):
                try:
                    con.execute(text)
                except duckdb.Error as exc:
                    raise SchemaError(
                        f"the warehouse's tables are not what schema version {current + len(pending)} says "
                        f"({path.name}: {exc}); recreate it from the raw store with `bylines rebuild`"
                    ) from exc
            con.execute(f"CREATE OR REPLACE MACRO {DIGEST_MACRO}() AS '{digest}'")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return [m.version for m in pending]


def _views_digest(con: duckdb.DuckDBPyConnection) -> str | None:
    """The digest of the views and comments last applied to ``con``'s database (None: never recorded)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE database_name = current_database()"
        f" AND schema_name = 'main' AND function_name = '{DIGEST_MACRO}'"
    ).fetchone()
    if not found or not found[0]:
        return None
    row = con.execute(f"SELECT {DIGEST_MACRO}()").fetchone()
    return str(row[0]) if row else None


# ------------------------------------------------------------------------------ Arrow shapes


@lru_cache(maxsize=1)
def table_shapes() -> dict[str, pa.Schema]:
    """Every table's Arrow schema, as DuckDB exports the migrations' types (computed once per process)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("BEGIN TRANSACTION")
        for migration in migrations():
            con.execute(migration.path.read_text(encoding="utf-8"))
        con.execute("COMMIT")
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {
            t: con.execute(f'SELECT * FROM "{t}" LIMIT 0').to_arrow_table().schema for t in sorted(tables)
        }
    finally:
        con.close()


def arrow_fields(table: str, columns: Sequence[str] | None = None) -> list[pa.Field]:
    """The Arrow fields of ``table``'s columns (all, or ``columns`` in that order), typed by the DDL."""
    shape = table_shapes()[table]
    names = shape.names if columns is None else list(columns)
    missing = [c for c in names if c not in shape.names]
    if missing:
        raise KeyError(f"table {table} has no column(s) {missing}")
    return [shape.field(c) for c in names]


def arrow_schema(*parts: tuple[str, Sequence[str] | None]) -> pa.Schema:
    """An Arrow schema made of ``(table, columns)`` parts, e.g. ``arrow_schema(("dumps", ["dump_id"]))``."""
    import pyarrow as pa

    return pa.schema([f for table, columns in parts for f in arrow_fields(table, columns)])
