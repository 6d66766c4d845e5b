"""Where the dashboard reads from, and how.

Why this shape: DuckDB lets one process write a file or many read it, never both. The
nightly writer must never be blocked by an analyst's open tab, so the dashboard never opens
the writer's file. It opens the *published read-only copy* (``<stem>.read.duckdb``) that the
pipeline swaps in atomically after each load, with a short-lived read-only connection per
query. Results are cached per data version (the copy's mtime), so a new publish shows up on
the next rerun and an unchanged warehouse costs no queries.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
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
# Every dashboard connection uses this one configuration (DuckDB refuses two configurations
# for one file in one process): read-only, no file or network access beyond the database,
# configuration locked so no statement can loosen it.
READER_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,
    "lock_configuration": True,
    "memory_limit": "1GB",
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
    version: int  # mtime in ns; 0 when there is no copy

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


def freshness() -> Freshness:
    path = read_path()
    try:
        st_ = path.stat()
    except OSError:
        return Freshness(path, False, None, 0)
    return Freshness(path, True, datetime.fromtimestamp(st_.st_mtime, UTC), st_.st_mtime_ns)


def next_nightly_run(now: datetime | None = None, cron: str = NIGHTLY_CRON) -> datetime:
    """Next tick of the nightly schedule (a daily ``M H * * *`` cron in UTC)."""
    minute, hour, *_ = cron.split()
    now = now or datetime.now(UTC)
    candidate = now.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def reader_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """A short-lived, read-only, sandboxed connection to the published copy (close it soon)."""
    return duckdb.connect(str(path), read_only=True, config=dict(READER_CONFIG))


class WarehouseMissing(RuntimeError):
    """No published copy yet: nothing has been ingested (or published) so far."""


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _cached_query(sql: str, params: tuple[Any, ...], path: str, version: int) -> pd.DataFrame:
    # ``version`` is only part of the cache key: a new publish changes it.
    con = reader_connection(Path(path))
    try:
        return con.execute(sql, [list(p) if isinstance(p, tuple) else p for p in params]).df()
    finally:
        con.close()


def _freeze(value: Any) -> Any:
    """Lists are unhashable cache keys: carry them as tuples, bind them as lists again."""
    return tuple(value) if isinstance(value, list) else value


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run a read-only query on the published copy; cached until the next publish."""
    fresh = freshness()
    if not fresh.exists:
        raise WarehouseMissing(str(fresh.path))
    frozen = tuple(_freeze(p) for p in params)
    frame = _cached_query(sql, frozen, str(fresh.path), fresh.version)
    return frame.copy()


def has_data() -> bool:
    """True when the published copy exists and holds at least one loaded dump."""
    try:
        return bool(query("SELECT count(*) AS n FROM v_current_dumps")["n"].iloc[0])
    except (WarehouseMissing, duckdb.Error):
        return False


def empty_state_message() -> str:
    """What to do when there is nothing to show yet."""
    fresh = freshness()
    landing = default_landing_dir().absolute()
    where = f"`{fresh.path}`" if fresh.exists else f"`{fresh.path}` (not created yet)"
    return (
        f"**No dumps ingested yet.** Drop `.txt` archive dumps into `{landing}` (the sensor and the "
        f"nightly run pick them up), or run `bylines ingest path/to/*.txt`. Reading {where}."
    )
