"""Sensor on the landing folder: one run per batch of new content.

Why keyed by content hash: names and mtimes lie (a re-delivered identical file gets a new
mtime; a corrected file keeps its name). The cursor holds the SHA-256 digests already
requested, so an identical re-delivery is never requested twice and a changed file under an
old name is. Files still being written are not ready (see ``warehouse.landing``) and are
simply left for a later tick.

Why a stat cache in the cursor too: hashing every file on every tick (every 30 s) reads the
whole landing folder again and again. The cursor also keeps, per path, the size, mtime and
ctime it had when it was hashed; an unchanged file reuses its hash. The run key and the
"already requested" test stay on content hashes.

Why the cursor forgets hashes whose files left the landing folder: it would otherwise grow by one
hash per dump forever. Bytes delivered again after that get one more run, which skips them (the
warehouse knows them) and finds nothing to do.

Why it reaps first: a run whose process died keeps the writer pool (and, under ``dagster dev``, the
one run slot) until something marks it failed; see ``orchestration.runs``.

It watches the writers' sub-folders too (``<landing>/<writer>/*.txt``, see ``warehouse.writers``):
their files are requested by path like the others, and the run finds their writer from where they
lie. A malformed ``writers.yaml`` fails the tick with the file's problem (Dagster shows it).

Refused files (unreadable, in a deeper sub-folder or one ``writers.yaml`` refuses, not a regular
file; see ``warehouse.landing``) are requested once by their refusal id, as a run that scans the
whole landing folder, so their quarantine row with its reason shows up without waiting for the
nightly run.
"""

import hashlib
import json
from typing import Any

import dagster as dg

from orchestration.jobs import ingest_job
from orchestration.resources import LandingFolder
from orchestration.runs import reap_dead_runs
from warehouse.landing import Fingerprint, LandingScan, scan_landing_report

SENSOR_INTERVAL_SECONDS = 30
# Above this many files the run key is a digest of the hashes rather than the hashes themselves.
MAX_HASHES_IN_RUN_KEY = 8


def _parse(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        return json.loads(cursor)
    except json.JSONDecodeError:
        return None


def read_cursor(cursor: str | None) -> set[str]:
    """Hashes (and refusal ids) already requested; a missing or unreadable cursor means none.

    Reads both forms: the old JSON list of hashes and ``{"hashes": [...], "files": {...}}``.
    """
    value = _parse(cursor)
    if isinstance(value, dict):
        value = value.get("hashes")
    return {str(h) for h in value} if isinstance(value, list) else set()


def read_file_cache(cursor: str | None) -> dict[str, Fingerprint]:
    """Path -> (size, mtime_ns, ctime_ns, sha256) of files hashed on earlier ticks."""
    value = _parse(cursor)
    files = value.get("files") if isinstance(value, dict) else None
    if not isinstance(files, dict):
        return {}
    out: dict[str, Fingerprint] = {}
    for path, fp in files.items():
        if isinstance(fp, list) and len(fp) == 4:
            try:
                out[str(path)] = (int(fp[0]), int(fp[1]), int(fp[2]), str(fp[3]))
            except (TypeError, ValueError):
                continue
    return out


def write_cursor(hashes: set[str], files: dict[str, Fingerprint]) -> str:
    return json.dumps({"hashes": sorted(hashes), "files": {k: list(v) for k, v in sorted(files.items())}})


def run_key_for(hashes: list[str]) -> str:
    ordered = sorted(hashes)
    if len(ordered) <= MAX_HASHES_IN_RUN_KEY:
        return ",".join(ordered)
    return "batch-" + hashlib.sha256(",".join(ordered).encode()).hexdigest()


def _still_present(requested: set[str], scan: LandingScan, folder_exists: bool) -> set[str]:
    """The requested hashes and refusal ids whose files are still in the landing folder.

    Why prune: the cursor would otherwise grow by one hash per dump forever. A pruned hash whose
    bytes come back later gets one more run, which finds them already loaded and skips them. A
    landing folder that is missing (an unmounted share) prunes nothing.
    """
    if not folder_exists:
        return requested
    present = {f.sha256 for f in scan.ready}
    present |= {r.refusal_id for r in scan.refused} | {r.sha256 for r in scan.refused if r.sha256}
    return requested & present


@dg.sensor(
    name="landing_sensor",
    job=ingest_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests an ingest run for dumps in the landing folder whose content is new.",
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    reap_dead_runs(context.instance, context.log.warning, by="landing sensor")  # a dead run must not block
    folder = landing.folder()
    scan = scan_landing_report(
        folder, landing.settle(), cache=read_file_cache(context.cursor), writers=landing.writers()
    )
    # Files still being written are not in the scan: keep every hash while anything is unsettled.
    requested = _still_present(read_cursor(context.cursor), scan, folder.is_dir() and not scan.unsettled)
    fresh: dict[str, str] = {}
    for f in scan.ready:
        if f.sha256 not in requested and f.sha256 not in fresh:
            fresh[f.sha256] = f.path
    # A refused file whose bytes were requested already (e.g. a processed copy in a sub-folder) is no news.
    refused = {
        r.refusal_id
        for r in scan.refused
        if r.refusal_id not in requested and (r.sha256 is None or r.sha256 not in requested)
    }
    if not fresh and not refused:
        # Keep the cache current (files gone, new stats) without requesting anything.
        return dg.SensorResult(
            skip_reason=dg.SkipReason("no new dump content in the landing folder"),
            cursor=write_cursor(requested, scan.fingerprints),
        )
    if refused:  # refusals are found by scanning the folder: ask for a whole-folder run
        paths: list[str] = []
    else:
        paths = sorted(fresh.values())
    run_config = {"ops": {"landed_dumps": {"config": {"paths": paths}}}}
    request = dg.RunRequest(
        run_key=run_key_for([*fresh, *refused]),
        run_config=run_config,
        tags={"bylines/trigger": "sensor"},
    )
    return dg.SensorResult(
        run_requests=[request], cursor=write_cursor(requested | set(fresh) | refused, scan.fingerprints)
    )
