"""The one Dagster ``Definitions`` of bylines (loaded by ``workspace.yaml`` and the CLI).

Why a builder: the CLI and tests run the very same job against other files (``--warehouse``,
``--landing``) by swapping resources; ``defs`` is the instance ``dagster dev`` loads, with
resources that read the environment at use time. The in-process executor keeps one
process writing the DuckDB file (parsing fans out to its own process pool).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.jobs import ingest_job
from orchestration.resources import default_resources
from orchestration.schedules import nightly_ingest
from orchestration.sensors import landing_sensor


def build_defs(resources: Mapping[str, Any] | None = None) -> dg.Definitions:
    """Definitions with the default (environment) resources, overridden by ``resources``."""
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=ALL_CHECKS,
        jobs=[ingest_job],
        schedules=[nightly_ingest],
        sensors=[landing_sensor],
        resources={**default_resources(), **(resources or {})},
        executor=dg.in_process_executor,
    )


defs = build_defs()
