"""Nightly ingest at 02:00 UTC, on by default.

Why a schedule besides the sensor: the sensor reacts to new files while the daemon runs;
the nightly run is the safety net that picks up anything a stopped daemon missed and
retries copies that failed, with the default run config (scan the landing folder). Like every
ingest, it first reaps runs whose process died (``orchestration.runs``): otherwise one killed run
would hold the writer pool, and the run queue, for ever.
"""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import ingest_job
from orchestration.runs import reap_dead_runs
from orchestration.settings import NIGHTLY_CRON, NIGHTLY_TIMEZONE


@dg.schedule(
    name="nightly_ingest",
    job=ingest_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={"bylines/trigger": "schedule"},
)
def nightly_ingest(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    reap_dead_runs(context.instance, context.log.warning, by="nightly schedule")
    return dg.RunRequest(tags={"bylines/trigger": "schedule"})
