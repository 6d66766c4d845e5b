"""Where the dashboard reads from, and how.

Why this shape: DuckDB lets one process write a file or many read it, never both. The
nightly writer must never be blocked by an analyst's open tab, so the dashboard never opens
the writer's file. It opens the *published read-only copy* (``<stem>.read.duckdb``) that the
pipeline swaps in atomically after each load, with a short-lived read-only connection per
query. Results are cached per published copy (its inode and mtime), so a new publish shows
up on the next rerun and an unchanged warehouse costs no queries.

One DuckDB subtlety shapes :func:`open_reader`: in one process, DuckDB hands a new connection
the database *instance* already open on that path. While any connection to the old copy is
open (another session's query, a long console statement), a "new" connection still reads the
old copy. Those results must not be cached under the new copy's key, or the dashboard would
keep showing the old data after the swap.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from orchestration.settings import NIGHTLY_CRON
from warehouse.landing import default_landing_dir
from warehouse.publish import read_copy_path

ENV_WAREHOUSE = "BYLINES_WAREHOUSE"
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
# The sandbox of every dashboard connection: no file or network access beyond the database, no
# extension installed or loaded behind the query's back (DuckDB would otherwise fetch one from
# the network on first use of its functions), configuration locked last so no statement can
# loosen it. Applied with SET GLOBAL to the DuckDB instance (shared by every connection of this
# process to the file) rather than as connect options: DuckDB refuses a second connection with
# other connect options while one is open, and the dashboard keeps one open (see open_reader).
# late_materialization_max_rows: DuckDB reads a top-N's other columns only for the rows it keeps
# when the LIMIT is at most this (default 50); a page is up to 200 rows plus one (a page of all
# articles at a million: 20 ms CPU instead of 39).
READER_CONFIG: dict[str, str | bool | int] = {
    "memory_limit": "1GB",
    "late_materialization_max_rows": 1000,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "enable_external_access": False,
    "lock_configuration": True,
}


def warehouse_path() -> Path:
    """The writer's file, from ``$BYLINES_WAREHOUSE`` (the dashboard only uses it to find the copy)."""
    return Path(os.environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE)


def read_path() -> Path:
    """The published read-only copy the dashboard reads."""
    return read_copy_path(warehouse_path())


@dataclass(frozen=True)
class Freshness:
    """How fresh the data on screen is."""

    path: Path
    exists: bool
    published_at: datetime | None  # UTC
    version: str  # identifies one published copy (inode, mtime, size); "" when there is none

    def age_text(self, now: datetime | None = None) -> str:
        if self.published_at is None:
            return "never published"
        age = (now or datetime.now(UTC)) - self.published_at
        minutes = int(age.total_seconds() // 60)
        if minutes < 1:
            return "just now"
        if minutes < 120:
            return f"{minutes} min ago"
        hours = minutes // 60
        return f"{hours} h ago" if hours < 48 else f"{hours // 24} days ago"


def _copy_id(stat: os.stat_result) -> str:
    # A publish is an os.replace of a fresh file: a new inode, even within one mtime tick.
    return f"{stat.st_ino}-{stat.st_mtime_ns}-{stat.st_size}"


def freshness() -> Freshness:
    path = read_path()
    try:
        st_ = path.stat()
    except OSError:
        return Freshness(path, False, None, "")
    return Freshness(path, True, datetime.fromtimestamp(st_.st_mtime, UTC), _copy_id(st_))


def next_nightly_run(now: datetime | None = None, cron: str = NIGHTLY_CRON) -> datetime:
    """Next tick of the nightly schedule (a daily ``M H * * *`` cron in UTC)."""
    minute, hour, *_ = cron.split()
    now = now or datetime.now(UTC)
    candidate = now.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def _literal(value: str | bool | int) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def _locked(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT current_setting('lock_configuration')").fetchone()[0])


def reader_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """A short-lived, read-only, sandboxed connection to the published copy (close it soon).

    The sandbox is in place before the connection is returned: applied here, or already by the
    connection that opened the instance (then the configuration is locked and stays so).
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        for name, value in READER_CONFIG.items():
            if _locked(con):
                break
            con.execute(f"SET GLOBAL {name} = {_literal(value)}")
    except duckdb.Error:
        if not _locked(con):  # not a race with another thread locking it first
            con.close()
            raise
    return con


# path -> (copy the open DuckDB instance reads, connections using it), for open_reader.
_open_copies: dict[str, tuple[str, int]] = {}
_open_copies_lock = threading.Lock()
# The one copy whose DuckDB instance is kept open between queries: path -> (copy id, connection).
_anchor: dict[str, tuple[str, duckdb.DuckDBPyConnection]] = {}


def _stat_id(path: Path) -> str:
    try:
        return _copy_id(path.stat())
    except OSError:
        return ""


def _release(key: str) -> None:
    """One user fewer of the instance open on ``key`` (call with the lock held)."""
    copy_id, users = _open_copies[key]
    if users <= 1:
        del _open_copies[key]
    else:
        _open_copies[key] = (copy_id, users - 1)


def _drop_anchor(key: str) -> None:
    """Let go of the instance kept open on ``key`` (call with the lock held)."""
    _copy, con = _anchor.pop(key)
    con.close()
    _release(key)


@contextmanager
def open_reader(path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """A sandboxed read-only connection, and the identity of the copy it really reads.

    The identity is the one :func:`freshness` reports for that copy. It differs from the
    current copy's when another connection of this process still holds an older copy open
    (DuckDB shares the instance), so callers can avoid caching old rows under a new key.

    Why an anchor: opening the file costs a DuckDB instance its catalog and a cold cache (about
    50 ms at a million articles, more for the first query's blocks), on every query. So one
    extra connection keeps the current copy's instance open between queries; it is closed as
    soon as a newer copy is published (then the instance closes when its last query does, and
    the next query opens the new file), or when another warehouse is read.
    """
    key = os.path.abspath(path)
    with _open_copies_lock:
        for other in [k for k in _anchor if k != key or _anchor[k][0] != _stat_id(path)]:
            _drop_anchor(other)  # another warehouse, or a newer copy of this one was published
        held = _open_copies.get(key)
        if held is not None:
            con = reader_connection(path)
            copy_id, users = held
        else:
            # Nothing open: this connection opens the file on disk. Stat around the open so a
            # swap in between is noticed (retry) rather than mislabelled.
            for _ in range(5):
                before = _stat_id(path)
                con = reader_connection(path)
                copy_id = _stat_id(path)
                if before == copy_id:
                    break
                con.close()
            else:
                con = reader_connection(path)
                copy_id = ""  # still swapping: label it as no known copy (never cached)
            users = 0
            if copy_id:
                _anchor[key] = (copy_id, reader_connection(path))  # shares the instance just opened
                users += 1
        _open_copies[key] = (copy_id, users + 1)
    try:
        yield con, copy_id
    finally:
        with _open_copies_lock:
            con.close()
            _release(key)


def close_readers() -> None:
    """Close the instance kept open between queries (tests, and before deleting a warehouse)."""
    with _open_copies_lock:
        for key in list(_anchor):
            _drop_anchor(key)


class WarehouseMissing(RuntimeError):
    """No published copy yet: nothing has been ingested (or published) so far."""


class _CopyMismatch(RuntimeError):
    """The connection reads another copy than the one the cache key names (see :func:`open_reader`)."""


def _execute(con: duckdb.DuckDBPyConnection, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    return con.execute(sql, [list(p) if isinstance(p, tuple) else p for p in params]).df()


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _cached_query(sql: str, params: tuple[Any, ...], path: str, version: str) -> pd.DataFrame:
    # ``version`` is the cache key's link to one published copy; a new publish changes it.
    with open_reader(Path(path)) as (con, copy_id):
        if copy_id != version:
            raise _CopyMismatch(copy_id)  # an exception is never cached
        return _execute(con, sql, params)


def _freeze(value: Any) -> Any:
    """Lists are unhashable cache keys: carry them as tuples, bind them as lists again."""
    return tuple(value) if isinstance(value, list) else value


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run a read-only query on the published copy; cached until the next publish."""
    fresh = freshness()
    if not fresh.exists:
        raise WarehouseMissing(str(fresh.path))
    frozen = tuple(_freeze(p) for p in params)
    try:
        frame = _cached_query(sql, frozen, str(fresh.path), fresh.version)
    except _CopyMismatch:
        # Another query still holds the previous copy open: answer from it, uncached; the
        # first query after it closes reads (and caches) the new copy.
        with open_reader(fresh.path) as (con, _):
            frame = _execute(con, sql, frozen)
    return frame.copy()


def read_uncached(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run a query on the current published copy without the cache (exports: big, read once).

    Safe outside a script run (a download's deferred callable runs in the server's thread).
    """
    fresh = freshness()
    if not fresh.exists:
        raise WarehouseMissing(str(fresh.path))
    with open_reader(fresh.path) as (con, _):
        return _execute(con, sql, tuple(_freeze(p) for p in params))


def search_indexed() -> bool:
    """Whether the published copy carries the text search index (copies made before it do not)."""
    from dashboard.queries import SEARCH_INDEX

    return bool(query(*SEARCH_INDEX)["ready"].iloc[0])


@dataclass(frozen=True)
class Availability:
    """Whether there is anything to show: 'missing', 'empty', 'ready' or 'unreadable' (with why)."""

    state: str
    detail: str = ""


def availability() -> Availability:
    """Can the pages read the published copy, and does it hold any loaded dump?"""
    try:
        loaded = int(query("SELECT count(*) AS n FROM v_current_dumps")["n"].iloc[0])
    except WarehouseMissing:
        return Availability("missing")
    except duckdb.Error as exc:
        return Availability("unreadable", str(exc))
    return Availability("ready" if loaded else "empty")


def has_data() -> bool:
    """True when the published copy exists, can be read and holds at least one loaded dump."""
    return availability().state == "ready"


def empty_state_message() -> str:
    """What to do when there is nothing to show yet."""
    fresh = freshness()
    landing = default_landing_dir().absolute()
    where = f"`{fresh.path}`" if fresh.exists else f"`{fresh.path}` (not created yet)"
    return (
        f"**No dumps ingested yet.** Drop `.txt` archive dumps into `{landing}` (the sensor and the "
        f"nightly run pick them up), or run `bylines ingest path/to/*.txt`. Reading {where}."
    )


def unreadable_message(detail: str) -> str:
    """Why the copy cannot be read and what to do, in words (never DuckDB's lock error alone)."""
    path = freshness().path
    if "lock" in detail.lower():
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", detail)
        who = f" (`{Path(holder.group(1)).name}`, process {holder.group(2)})" if holder else ""
        return (
            f"**The published copy is open for writing in another program{who}**, so it cannot be "
            f"read right now. Readers must open it read-only (`duckdb -readonly {path}`, or "
            "`bylines sql`); close that program and reload this page."
        )
    return (
        f"**The published copy `{path}` could not be read.** The next publish (`bylines ingest` or the "
        "nightly run) replaces it; reload this page then."
    )
