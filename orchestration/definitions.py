"""The one Dagster ``Definitions`` of bylines (loaded by ``workspace.yaml`` and the CLI).

Why a builder: the CLI and tests run the very same job against other files (``--warehouse``,
``--landing``) by swapping resources; ``defs`` is the instance ``dagster dev`` loads, with
resources that read the environment at use time. The in-process executor keeps one
process writing the DuckDB file (parsing fans out to its own process pool).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.jobs import ingest_job
from orchestration.resources import default_resources
from orchestration.runs import RunGuard
from orchestration.schedules import nightly_ingest
from orchestration.sensors import landing_sensor

ENV_EXECUTOR = "BYLINES_EXECUTOR"


def executor_from_env() -> dg.ExecutorDefinition:
    """``$BYLINES_EXECUTOR``: ``in_process`` (default), ``multiprocess`` or ``k8s``.

    Why configurable: on one machine, in-process is right (parsing already fans out to a process
    pool, and one process writes DuckDB). When runs move to a cluster, steps can run in their own
    processes, or in their own Kubernetes pods (``k8s``: ``dagster-k8s``'s ``k8s_job_executor``,
    installed with ``pip install dagster-k8s`` and configured in the run config or
    ``deploy/dagster.k8s.yaml``) without code changes: the writer steps share the
    ``duckdb_write`` pool, which the instance limits to one.
    """
    name = os.environ.get(ENV_EXECUTOR, "in_process").strip().lower()
    if name in ("", "in_process", "in-process"):
        return dg.in_process_executor
    if name == "multiprocess":
        return dg.multiprocess_executor
    if name in ("k8s", "kubernetes"):
        try:
            from dagster_k8s import k8s_job_executor  # type: ignore[import-not-found]
        except ImportError as exc:
            raise ValueError(
                f"{ENV_EXECUTOR}={name!r} needs the dagster-k8s package (pip install dagster-k8s)"
            ) from exc
        return k8s_job_executor
    raise ValueError(f"{ENV_EXECUTOR}={name!r}: use in_process, multiprocess or k8s")


def build_defs(resources: Mapping[str, Any] | None = None) -> dg.Definitions:
    """Definitions with the default (environment) resources, overridden by ``resources``.

    The run guard (``orchestration.runs.RunGuard``) is on where one process executes the whole run.
    """
    executor = executor_from_env()
    guard = RunGuard(enabled=executor is dg.in_process_executor)
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=ALL_CHECKS,
        jobs=[ingest_job],
        schedules=[nightly_ingest],
        sensors=[landing_sensor],
        resources={**default_resources(), "run_guard": guard, **(resources or {})},
        executor=executor,
    )


defs = build_defs()
