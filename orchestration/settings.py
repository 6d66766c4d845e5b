"""Plain constants shared by the Dagster wiring and its readers (no Dagster import here).

Why a separate module: the dashboard shows when the next nightly run is due, and must not
import Dagster to learn it.
"""

from __future__ import annotations

NIGHTLY_CRON = "0 2 * * *"  # minute hour day month weekday, UTC
NIGHTLY_TIMEZONE = "UTC"
