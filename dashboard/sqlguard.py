"""The SQL console's guard: one read-only statement, no files, bounded rows and time.

Why two layers: the statement-type check gives the analyst a clear reason ("COPY is not
allowed: the console only reads"), and the connection itself makes the rest impossible
whatever the parser misses: the database is opened read-only with external access disabled
(no read_csv of arbitrary paths, no ATTACH, COPY, INSTALL or LOAD) and its configuration
locked, so a statement cannot re-enable any of it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.data import reader_connection

DEFAULT_ROW_LIMIT = 10_000
DEFAULT_TIME_LIMIT_S = 10.0
_ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
_WHY = {
    duckdb.StatementType.COPY: "COPY reads or writes files; export results with the download buttons instead",
    duckdb.StatementType.ATTACH: "ATTACH opens other database files",
    duckdb.StatementType.DETACH: "DETACH changes the attached databases",
    duckdb.StatementType.LOAD: "INSTALL and LOAD add extensions",
    duckdb.StatementType.EXPORT: "EXPORT DATABASE writes files",
    duckdb.StatementType.SET: "SET changes the configuration",
    duckdb.StatementType.PRAGMA: "PRAGMA statements can change settings",
}


class SqlRefused(ValueError):
    """The statement is not allowed in the console; the message says why in plain words."""


@dataclass(frozen=True)
class SqlResult:
    frame: pd.DataFrame
    truncated: bool  # more rows than the row limit existed
    row_limit: int


def check_statement(sql: str) -> str:
    """Return the single statement to run, or raise :class:`SqlRefused` with the reason."""
    if not sql.strip():
        raise SqlRefused("Type a query first, e.g. SELECT * FROM v_articles LIMIT 10.")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlRefused(f"The query does not parse: {exc}") from exc
    if len(statements) != 1:
        raise SqlRefused(f"Run one statement at a time (found {len(statements)}).")
    statement = statements[0]
    if statement.type not in _ALLOWED:
        name = statement.type.name
        reason = _WHY.get(statement.type, f"{name} statements change the warehouse")
        raise SqlRefused(f"{name} is not allowed: {reason}. The console is read-only (SELECT only).")
    return statement.query


def run_guarded(
    db_path: Path,
    sql: str,
    row_limit: int = DEFAULT_ROW_LIMIT,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> SqlResult:
    """Run one read-only statement on ``db_path`` with a row limit and a time limit.

    Raises :class:`SqlRefused` for disallowed or failing statements (with DuckDB's message for
    errors such as a missing table, and a clear one for the time limit).
    """
    statement = check_statement(sql)
    con = reader_connection(db_path)
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        con.interrupt()

    timer = threading.Timer(time_limit_s, stop)
    timer.start()
    try:
        frame = con.sql(statement).limit(row_limit + 1).df()
    except duckdb.PermissionException as exc:
        raise SqlRefused(f"Not allowed: the console cannot touch files or extensions ({exc}).") from exc
    except duckdb.Error as exc:
        if timed_out.is_set():
            raise SqlRefused(f"Stopped after the {time_limit_s:g} s time limit; narrow the query.") from exc
        raise SqlRefused(f"{type(exc).__name__}: {exc}") from exc
    finally:
        timer.cancel()
        con.close()
    truncated = len(frame) > row_limit
    return SqlResult(frame.head(row_limit), truncated, row_limit)
