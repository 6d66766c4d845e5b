"""Apply the warehouse schema: every ``sql/*.sql`` file, in file-name order.

Why files in name order: tables (010), views (020) and comments (030) are plain SQL a
person can read and run by hand; each statement is idempotent (``IF NOT EXISTS`` /
``OR REPLACE``), so applying the schema on every writer connection is safe and cheap.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).with_name("sql")


def schema_files() -> list[Path]:
    """The schema files in the order they are applied."""
    return sorted(SQL_DIR.glob("*.sql"))


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or refresh every table, view and comment (idempotent).

    Runs in one transaction so a reader never sees half a schema.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        for path in schema_files():
            try:
                con.execute(path.read_text(encoding="utf-8"))
            except (duckdb.BinderException, duckdb.CatalogException) as exc:
                # Tables are created IF NOT EXISTS, so an older file keeps its old columns.
                raise RuntimeError(
                    f"the warehouse schema is older than this code ({path.name}: {exc}); "
                    "recreate it from the raw store with `bylines rebuild`"
                ) from exc
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
