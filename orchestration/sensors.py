"""Sensor on the landing folder: one run per batch of new content.

Why keyed by content hash: names and mtimes lie (a re-delivered identical file gets a new
mtime; a corrected file keeps its name). The cursor is the JSON list of SHA-256 digests
already requested, so an identical re-delivery is never requested twice and a changed file
under an old name is. Files still being written are not ready (see ``warehouse.landing``)
and are simply left for a later tick.
"""

import hashlib
import json

import dagster as dg

from orchestration.jobs import ingest_job
from orchestration.resources import LandingFolder

SENSOR_INTERVAL_SECONDS = 30
# Above this many files the run key is a digest of the hashes rather than the hashes themselves.
MAX_HASHES_IN_RUN_KEY = 8


def read_cursor(cursor: str | None) -> set[str]:
    """Hashes already requested; a missing or unreadable cursor means none."""
    if not cursor:
        return set()
    try:
        value = json.loads(cursor)
    except json.JSONDecodeError:
        return set()
    return {str(h) for h in value} if isinstance(value, list) else set()


def run_key_for(hashes: list[str]) -> str:
    ordered = sorted(hashes)
    if len(ordered) <= MAX_HASHES_IN_RUN_KEY:
        return ",".join(ordered)
    return "batch-" + hashlib.sha256(",".join(ordered).encode()).hexdigest()


@dg.sensor(
    name="landing_sensor",
    job=ingest_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests an ingest run for dumps in the landing folder whose content is new.",
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    requested = read_cursor(context.cursor)
    fresh: dict[str, str] = {}
    for f in landing.list_ready():
        if f.sha256 not in requested and f.sha256 not in fresh:
            fresh[f.sha256] = f.path
    if not fresh:
        return dg.SensorResult(skip_reason=dg.SkipReason("no new dump content in the landing folder"))
    run_config = {"ops": {"landed_dumps": {"config": {"paths": sorted(fresh.values())}}}}
    request = dg.RunRequest(
        run_key=run_key_for(list(fresh)),
        run_config=run_config,
        tags={"bylines/trigger": "sensor"},
    )
    return dg.SensorResult(run_requests=[request], cursor=json.dumps(sorted(requested | set(fresh))))
