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
        ("SELECT 1; DROP TABLE articles", "one statement at a time"),
        ("PRAGMA threads = 1", "PRAGMA is not allowed"),
        ("PRAGMA table_info('articles')", "PRAGMA is not allowed"),  # DuckDB rewrites it into a SELECT
        ("/* hidden */ pragma enable_profiling", "PRAGMA is not allowed"),
        ("-- a comment first\nCHECKPOINT", "CHECKPOINT is not allowed"),
        ("CALL pragma_version()", "CALL is not allowed"),
        ("BEGIN TRANSACTION", "BEGIN is not allowed"),
        ("USE memory", "USE is not allowed"),
        ("RESET threads", "RESET is not allowed"),
        ("VACUUM", "VACUUM is not allowed"),
        ("DETACH other", "DETACH is not allowed"),
        ("EXPLAIN COPY articles TO '/tmp/out.csv'", "EXPLAIN of that statement is not allowed: COPY"),
        ("explain analyze DELETE FROM articles", "EXPLAIN of that statement is not allowed: DELETE"),
        ("PIVOT articles ON kind USING count(*)", "list the values"),
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
        "SELECT * FROM read_blob('/etc/hostname')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM 'elsewhere.parquet'",
        "SELECT * FROM parquet_metadata('/tmp/anything.parquet')",
        "WITH t AS (SELECT * FROM read_csv('/etc/passwd')) SELECT count(*) FROM t",
        "SELECT * FROM query('SELECT * FROM read_text(''/etc/hostname'')')",
    ],
)
def test_reading_other_files_is_refused(copy: Path, sql: str) -> None:
    check_statement(sql)  # a SELECT passes the statement check...
    with pytest.raises(SqlRefused, match="cannot touch files"):
        run_guarded(copy, sql)  # ...and the sandboxed connection refuses the file


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM articles",
        "-- how many\nFROM v_articles SELECT count(*)",
        "(SELECT 1 AS one)",
        "WITH y AS (SELECT year FROM v_articles) SELECT count(*) FROM y",
        "DESCRIBE articles",
        "SUMMARIZE outlets",
        "SHOW TABLES",
        "EXPLAIN SELECT * FROM v_articles",
        "SELECT 1;",
    ],
)
def test_reading_statements_run(copy: Path, sql: str) -> None:
    assert len(run_guarded(copy, sql).frame) >= 1


def test_the_sandbox_cannot_be_loosened(copy: Path) -> None:
    """Even a statement the parser let through could not re-enable file access: the config is locked."""
    for sql in ("SET enable_external_access = true", "SELECT * FROM query('SET threads = 1')"):
        with pytest.raises(SqlRefused):
            run_guarded(copy, sql)
    result = run_guarded(copy, "SELECT current_setting('enable_external_access') AS v")
    assert result.frame["v"].iloc[0] in (False, "false")


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
