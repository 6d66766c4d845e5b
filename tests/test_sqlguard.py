"""The SQL console refuses writes and file access with a clear message, and bounds rows and time."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard.sqlguard import SqlRefused, check_statement, run_guarded
from warehouse.publish import read_copy_path


@pytest.fixture(scope="module")
def copy(built_warehouse: Path) -> Path:
    return read_copy_path(built_warehouse)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("INSERT INTO topics VALUES ('x', 'X')", "INSERT is not allowed"),
        ("UPDATE articles SET title = 'x'", "UPDATE is not allowed"),
        ("DELETE FROM articles", "DELETE is not allowed"),
        ("CREATE TABLE t AS SELECT 1", "CREATE is not allowed"),
        ("DROP VIEW v_articles", "DROP is not allowed"),
        ("COPY articles TO '/tmp/out.csv'", "COPY is not allowed"),
        ("ATTACH '/tmp/other.duckdb' AS other", "ATTACH is not allowed"),
        ("INSTALL httpfs", "INSTALL and LOAD"),
        ("LOAD httpfs", "INSTALL and LOAD"),
        ("SET threads = 1", "SET is not allowed"),
        ("EXPORT DATABASE '/tmp/x'", "EXPORT is not allowed"),
        ("SELECT 1; SELECT 2", "one statement at a time"),
        ("   ", "Type a query first"),
        ("SELEC nonsense", "does not parse"),
    ],
)
def test_refused_statements_say_why(copy: Path, sql: str, expected: str) -> None:
    with pytest.raises(SqlRefused, match=expected):
        run_guarded(copy, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_parquet('/tmp/anything.parquet')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_json_auto('/etc/os-release')",
    ],
)
def test_reading_other_files_is_refused(copy: Path, sql: str) -> None:
    check_statement(sql)  # a SELECT passes the statement check...
    with pytest.raises(SqlRefused, match="cannot touch files"):
        run_guarded(copy, sql)  # ...and the sandboxed connection refuses the file


def test_select_runs_with_row_limit(copy: Path) -> None:
    result = run_guarded(copy, "SELECT * FROM range(100) t(i)", row_limit=10)
    assert len(result.frame) == 10 and result.truncated
    whole = run_guarded(copy, "SELECT count(*) AS n FROM articles")
    assert not whole.truncated and int(whole.frame["n"].iloc[0]) > 0


def test_time_limit_stops_a_runaway_query(copy: Path) -> None:
    with pytest.raises(SqlRefused, match="time limit"):
        run_guarded(
            copy, "SELECT sum(a.range * b.range) FROM range(100000000) a, range(100000) b", time_limit_s=0.5
        )


def test_warehouse_is_unchanged_after_refusals(copy: Path) -> None:
    before = duckdb.connect(str(copy), read_only=True).execute("SELECT count(*) FROM articles").fetchone()
    for sql in ("DELETE FROM articles", "DROP TABLE articles"):
        with pytest.raises(SqlRefused):
            run_guarded(copy, sql)
    after = duckdb.connect(str(copy), read_only=True).execute("SELECT count(*) FROM articles").fetchone()
    assert before == after
