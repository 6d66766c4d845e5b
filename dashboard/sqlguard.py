"""The SQL console's guard: one read-only statement, no files, bounded rows and time.

Why two layers: the statement-type check gives the analyst a clear reason ("COPY is not
allowed: the console only reads"), and the connection itself makes the rest impossible
whatever the parser misses: the database is opened read-only with external access disabled
(no read_csv of arbitrary paths, no ATTACH, COPY, INSTALL or LOAD) and its configuration
locked, so a statement cannot re-enable any of it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.data import open_reader

DEFAULT_ROW_LIMIT = 10_000
DEFAULT_TIME_LIMIT_S = 10.0
_ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
_WHY = {
    duckdb.StatementType.COPY: "COPY reads or writes files; export results with the download buttons instead",
    duckdb.StatementType.ATTACH: "ATTACH opens other database files",
    duckdb.StatementType.DETACH: "DETACH changes the attached databases",
    duckdb.StatementType.LOAD: "INSTALL and LOAD add extensions",
    duckdb.StatementType.EXPORT: "EXPORT DATABASE writes files",
    duckdb.StatementType.SET: "it changes the session's configuration",
    duckdb.StatementType.PRAGMA: "PRAGMA statements can change settings",
    duckdb.StatementType.CALL: "CALL runs procedures that can change the database",
    duckdb.StatementType.TRANSACTION: "each statement runs on its own; there are no transactions to manage",
    duckdb.StatementType.VACUUM: "it maintains the database, which the console cannot change",
}
# Statements whose type alone would give a confusing reason (CHECKPOINT parses as a CALL).
_WHY_KEYWORD = {
    "CHECKPOINT": "it writes to the database file",
    "ANALYZE": "it updates the database's statistics",
    "USE": "it switches the database the session reads",
    "RESET": "it changes the session's configuration",
    "PRAGMA": "PRAGMA statements can change settings; to look at a table use DESCRIBE or SUMMARIZE",
}
# Comments and opening brackets before the first keyword, e.g. "-- note\n(SELECT ...".
_LEADING_NOISE = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.S)
_FILE_AS_TABLE = re.compile(r"Table with name [^ ]*[/\\.][^ ]* does not exist")
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALY[SZ]E\s+)?", re.I)


class SqlRefused(ValueError):
    """The statement is not allowed in the console; the message says why in plain words."""


@dataclass(frozen=True)
class SqlResult:
    frame: pd.DataFrame
    truncated: bool  # more rows than the row limit existed
    row_limit: int


def first_keyword(sql: str) -> str:
    """The statement's first word as typed (upper case), skipping comments and brackets."""
    rest = _LEADING_NOISE.sub("", sql, count=1)
    match = re.match(r"[A-Za-z_]+", rest)
    return match.group(0).upper() if match else ""


def _refuse(keyword: str, statement_type: duckdb.StatementType) -> SqlRefused:
    name = keyword or statement_type.name
    reason = _WHY_KEYWORD.get(name) or _WHY.get(statement_type, f"{name} statements change the warehouse")
    return SqlRefused(f"{name} is not allowed: {reason}. The console is read-only (SELECT only).")


def check_statement(sql: str) -> str:
    """Return the single statement to run, or raise :class:`SqlRefused` with the reason.

    The statement type comes from DuckDB's own parser, so tricks with comments, case or
    brackets do not change the verdict; the first keyword as typed names it in the message
    (DuckDB rewrites some PRAGMAs into SELECTs, so PRAGMA is refused by that keyword).
    """
    if not sql.strip():
        raise SqlRefused("Type a query first, e.g. SELECT * FROM v_articles LIMIT 10.")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlRefused(f"The query does not parse: {exc}") from exc
    keyword = first_keyword(sql)
    if len(statements) != 1:
        hint = ""
        if keyword == "PIVOT" or " PIVOT " in f" {sql.upper()} ":
            hint = " A PIVOT without an IN list is two statements: list the values (ON kind IN ('op-ed'))."
        raise SqlRefused(f"Run one statement at a time (found {len(statements)}).{hint}")
    statement = statements[0]
    if statement.type not in _ALLOWED:
        raise _refuse(keyword, statement.type)
    if keyword == "PRAGMA":
        raise _refuse(keyword, duckdb.StatementType.PRAGMA)
    if statement.type == duckdb.StatementType.EXPLAIN:
        inner = _EXPLAIN.sub("", _LEADING_NOISE.sub("", statement.query, count=1), count=1)
        try:
            check_statement(inner)  # EXPLAIN of a COPY or a write is refused like the statement
        except SqlRefused as exc:
            raise SqlRefused(f"EXPLAIN of that statement is not allowed: {exc}") from exc
    return statement.query


def _explain_failure(exc: duckdb.Error, timed_out: bool, time_limit_s: float) -> SqlRefused:
    """DuckDB's error as a console message; file access and the time limit in plain words."""
    if timed_out:
        return SqlRefused(f"Stopped after the {time_limit_s:g} s time limit; narrow the query.")
    # FROM '/some/file' is a file scan, which the sandbox turns into "no such table".
    if isinstance(exc, duckdb.PermissionException) or (
        isinstance(exc, duckdb.CatalogException) and _FILE_AS_TABLE.search(str(exc))
    ):
        return SqlRefused(f"Not allowed: the console cannot touch files or extensions ({exc}).")
    return SqlRefused(f"{type(exc).__name__}: {exc}")


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
    with open_reader(db_path) as (con, _):
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            con.interrupt()

        timer = threading.Timer(time_limit_s, stop)
        timer.daemon = True
        timer.start()
        try:
            frame = con.sql(statement).limit(row_limit + 1).df()
        except duckdb.Error as exc:
            raise _explain_failure(exc, timed_out.is_set(), time_limit_s) from exc
        finally:
            timer.cancel()
    truncated = len(frame) > row_limit
    return SqlResult(frame.head(row_limit), truncated, row_limit)
