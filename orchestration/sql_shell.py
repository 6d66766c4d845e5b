"""``bylines sql``: ad-hoc SQL on the published read-only copy, one statement or a small shell.

Owns how a query reaches the warehouse from the command line: only the published copy is
opened (never the writer's file, which an ingest may hold), and results print as a plain table.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO


def open_read_only(warehouse: Path) -> Any:
    """The published read copy, read-only. Never the writer's file: opening it, even read-only,
    would block (or be blocked by) a running ingest."""
    from warehouse.publish import read_copy_path, read_only_connection

    copy = read_copy_path(warehouse)
    if copy.is_file():
        return read_only_connection(copy)
    if warehouse.is_file():
        raise FileNotFoundError(
            f"no warehouse published for readers at {copy}: `bylines sql` reads only that copy, never the "
            f"writer's file {warehouse}; an ingest publishes it (run `bylines ingest`, or `bylines rebuild`)"
        )
    raise FileNotFoundError(f"no warehouse at {warehouse} (run `bylines ingest` first)")


def run_query(con: Any, query: str, out: TextIO) -> bool:
    import duckdb

    try:
        rel = con.sql(query)
        if rel is None:
            print("ok", file=out)
            return True
        frame = rel.df()
    except duckdb.Error as exc:
        print(f"error: {exc}", file=out)
        return False
    import pandas as pd

    with pd.option_context(
        "display.max_rows", 200, "display.max_columns", 50, "display.width", 200, "display.max_colwidth", 60
    ):
        print(frame.to_string(index=False) if len(frame.columns) else "ok", file=out)
    print(f"({len(frame)} row{'s' if len(frame) != 1 else ''})", file=out)
    return True


def sql_shell(warehouse: Path, query: list[str] | None) -> int:
    """Run ``query`` (words joined), or read statements from stdin until EOF or ``quit``: each ends at
    ``;`` or a blank line. Exit code 0 when every statement ran, 1 when one failed, 2 without a copy."""
    try:
        con = open_read_only(warehouse)
    except FileNotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        if query:
            return 0 if run_query(con, " ".join(query), sys.stdout) else 1
        interactive = sys.stdin.isatty()
        buffer: list[str] = []
        ok = True
        while True:
            if interactive:
                print("bylines> " if not buffer else "     ... ", end="", flush=True)
            line = sys.stdin.readline()
            if not line:
                break
            stripped = line.strip()
            if not buffer and stripped.lower() in {"quit", "exit", r"\q", ".quit"}:
                break
            if stripped:
                buffer.append(line.rstrip("\n"))
            if buffer and (stripped.endswith(";") or (not stripped and buffer)):
                ok = run_query(con, "\n".join(buffer), sys.stdout) and ok
                buffer = []
        if buffer:
            ok = run_query(con, "\n".join(buffer), sys.stdout) and ok
        return 0 if ok else 1
    finally:
        con.close()
