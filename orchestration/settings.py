"""Plain settings shared by the Dagster wiring and its readers (no Dagster import here).

Why a separate module: the dashboard shows when the next nightly run is due, and ``bylines
ingest`` finds where the warehouse lives before it decides whether to start Dagster at all
(``cli.nothing_new``); neither must import Dagster to learn it.
"""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.rawstore import ENV_RAW

ENV_WAREHOUSE = "BYLINES_WAREHOUSE"
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")

NIGHTLY_CRON = "0 2 * * *"  # minute hour day month weekday, UTC
NIGHTLY_TIMEZONE = "UTC"
# Under $DAGSTER_HOME: the lock file each ingest run's process holds while it lives
# (orchestration/runs.py). Any file there means a run is alive, or died and awaits reaping.
RUN_LOCKS_FOLDER = "bylines-runs"


def default_warehouse_path() -> Path:
    """``$BYLINES_WAREHOUSE`` or ``data/warehouse.duckdb``."""
    return Path(os.environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE)


def raw_root_for(warehouse_path: Path) -> Path:
    """``$BYLINES_RAW``, else the ``raw`` folder beside the warehouse file (``data/raw`` by default).

    Why beside the warehouse: a warehouse and the bytes it was built from belong together, so
    ``bylines ingest --warehouse /tmp/w.duckdb`` never writes into the project's ``data/raw``.
    """
    env = os.environ.get(ENV_RAW)
    return Path(env) if env else Path(warehouse_path).parent / "raw"
