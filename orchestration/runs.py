"""Ingest runs in a Dagster instance: which are alive, reaping the dead, waiting for the writer pool.

Why: the instance gives the writer pool ``duckdb_write`` one slot (and, under ``dagster dev``, runs
one at a time). A run whose process died (SIGKILL, OOM, a reboot, a lost container) keeps its slot
and its STARTED status until something reaps it; until then every later ingest waits for ever
(Dagster's in-process executor even spins at 100 % of a core while it waits for a slot).

How a run's process is told alive or dead, never by guessing:
- every run's process holds an exclusive ``flock`` on ``$DAGSTER_HOME/bylines-runs/<run_id>.lock``
  for as long as it lives (the OS drops it when the process dies, however it dies), and tags the
  run with that path, its pid, the pid's start time and its host;
- a run whose lock file can be locked by someone else is dead; without a lock file, a run whose
  recorded pid is gone (or now belongs to a younger process) is dead; a run on another host, or
  with no record at all, is left alone (Dagster's run monitoring is the backstop there).

Reaping marks a dead run failed with the reason (``report_run_failed``: its event log says so),
frees its concurrency slots and pending steps (``free_concurrency_slots_for_run``), and reports one
line. Every ingest reaps first: the CLI (``bylines ingest``, ``demo``, ``rebuild``), the landing
sensor and the nightly schedule before they request a run, and every run as it starts
(``RunGuard``); under ``dagster dev`` the daemon's run monitoring asks ``BylinesRunLauncher`` the
same question (``.dagster/dagster.yaml``).
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, WorkerStatus

from orchestration.settings import RUN_LOCKS_FOLDER
from warehouse.publish import lock_timeout, set_lock_owner

WRITER_POOL = "duckdb_write"
PID_TAG = "bylines/pid"
PID_START_TAG = "bylines/pid_start"
HOST_TAG = "bylines/host"
LOCK_TAG = "bylines/run_lock"
UNFINISHED = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
REPORT_EVERY_S = 60.0

_held: dict[str, int] = {}  # run id -> fd of the run lock this process holds
_held_guard = threading.Lock()


def _short(run_id: str) -> str:
    return run_id[:8]


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc); None where /proc is absent."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def run_lock_path(instance: dg.DagsterInstance, run_id: str) -> Path:
    return Path(instance.root_directory) / RUN_LOCKS_FOLDER / f"{run_id}.lock"


def hold_run_lock(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    """Take this process's lock for ``run_id`` (kept until ``release_run_lock`` or death); returns the
    run tags that let any other process tell whether this one is alive."""
    path = run_lock_path(instance, run_id)
    with _held_guard:
        if run_id not in _held:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)  # a fresh run id: nobody else holds it
            _held[run_id] = fd
    pid = os.getpid()
    tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname(), LOCK_TAG: str(path)}
    started = _process_start(pid)
    if started:
        tags[PID_START_TAG] = started
    set_lock_owner(f"ingest run {_short(run_id)}")
    return tags


def release_run_lock(instance: dg.DagsterInstance, run_id: str) -> None:
    with _held_guard:
        fd = _held.pop(run_id, None)
    if fd is not None:
        run_lock_path(instance, run_id).unlink(missing_ok=True)
        os.close(fd)


def _lock_is_free(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def process_state(run: dg.DagsterRun) -> tuple[bool | None, str]:
    """(True alive / False dead / None cannot tell, why) for the process that runs ``run``."""
    tags = run.tags
    pid, host, lock = tags.get(PID_TAG), tags.get(HOST_TAG), tags.get(LOCK_TAG)
    if not pid:
        return None, "no process recorded"
    if host and host != socket.gethostname():
        return None, f"runs on {host}"
    if run.run_id in _held:
        return True, f"this process (pid {pid}) runs it"
    if lock and Path(lock).exists():
        if _lock_is_free(Path(lock)):
            return False, f"its process (pid {pid}) is gone: nothing holds its run lock"
        return True, f"pid {pid} holds its run lock"
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False, f"its process (pid {pid}) is gone"
    except PermissionError:
        pass  # alive, someone else's
    started = tags.get(PID_START_TAG)
    if started and _process_start(int(pid)) not in (None, started):
        return False, f"its process (pid {pid}) is gone (the pid now belongs to another process)"
    return True, f"pid {pid} is alive"


@dataclass
class Holder:
    """A run that holds (or waits for) a writer-pool slot."""

    run_id: str
    step_key: str
    since: datetime | None
    pid: str
    alive: bool | None
    why: str

    def describe(self) -> str:
        when = f" since {self.since:%Y-%m-%d %H:%M:%S} UTC" if self.since else ""
        return f"run {_short(self.run_id)} (step {self.step_key}, pid {self.pid or '?'}){when}"


def pool_holders(instance: dg.DagsterInstance, pool: str = WRITER_POOL) -> list[Holder]:
    """The runs holding slots of ``pool`` now."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    assigned = {(p.run_id, p.step_key): p.assigned_timestamp for p in info.pending_steps}
    holders = []
    for slot in info.claimed_slots:
        run = instance.get_run_by_id(slot.run_id)
        alive, why = process_state(run) if run is not None else (False, "the run is gone from the instance")
        pid = run.tags.get(PID_TAG, "") if run is not None else ""
        since = assigned.get((slot.run_id, slot.step_key))
        holders.append(Holder(slot.run_id, slot.step_key, since, pid, alive, why))
    return holders


def reap_dead_runs(instance: dg.DagsterInstance, log: Callable[[str], Any], by: str = "") -> list[str]:
    """Mark failed every unfinished run of the instance whose process is gone and free what it held;
    free the slots of finished runs that still hold some. Says so, one line per run; returns their ids."""
    if not instance.event_log_storage.supports_global_concurrency_limits:
        holding: set[str] = set()
    else:
        holding = instance.event_log_storage.get_concurrency_run_ids()
        holding |= {
            h.run_id for h in instance.event_log_storage.get_concurrency_info(WRITER_POOL).claimed_slots
        }
    unfinished = {r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED))}
    reaped: list[str] = []
    for run_id in sorted(holding | unfinished):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            if run_id in holding:
                instance.event_log_storage.free_concurrency_slots_for_run(run_id)
                log(
                    f"freed the {WRITER_POOL} slots of run {_short(run_id)}, which ended without freeing them"
                )
                reaped.append(run_id)
            continue
        alive, why = process_state(run)
        if alive is not False:
            continue
        reason = f"reaped{' by ' + by if by else ''}: {why} (killed, or its machine went down)"
        instance.report_run_failed(run, message=f"bylines {reason}")
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        Path(run.tags.get(LOCK_TAG) or run_lock_path(instance, run_id)).unlink(missing_ok=True)
        log(f"reaped run {_short(run_id)}: {why}; marked failed, its {WRITER_POOL} slots and steps freed")
        reaped.append(run_id)
    _sweep_run_locks(instance)
    return reaped


def _sweep_run_locks(instance: dg.DagsterInstance) -> None:
    """Remove lock files nobody holds, of runs that ended or never began (killed before their run started)."""
    folder = run_lock_path(instance, "-").parent
    for path in folder.glob("*.lock") if folder.is_dir() else []:
        run = instance.get_run_by_id(path.stem)
        if (run is None or run.is_finished) and path.stem not in _held and _lock_is_free(path):
            path.unlink(missing_ok=True)


class WriterPoolBusy(RuntimeError):
    """Gave up waiting for the writer pool: a live run held it for ``BYLINES_LOCK_TIMEOUT_SECONDS``."""


def wait_for_writer_pool(
    instance: dg.DagsterInstance,
    log: Callable[[str], Any],
    stopped: Callable[[float], bool],
    run_id: str = "",
    timeout: float | None = None,
) -> None:
    """Wait until no other run holds the writer pool (reaping holders that die meanwhile); say for whom
    it waits; raise ``WriterPoolBusy`` after ``timeout``. ``stopped(seconds)`` pauses and says whether
    a stop was requested (then return at once: the caller stops)."""
    if not instance.event_log_storage.supports_global_concurrency_limits:
        return
    limit = lock_timeout() if timeout is None else timeout
    start = time.monotonic()
    told = None
    while True:
        others = [h for h in pool_holders(instance) if h.run_id != run_id]
        if any(h.alive is False for h in others):
            reap_dead_runs(instance, log, by=f"run {_short(run_id)}" if run_id else "")
            continue
        if not others:
            return
        waited = time.monotonic() - start
        holder = others[0].describe()
        if waited >= limit:
            raise WriterPoolBusy(
                f"gave up after {waited:.0f} s waiting for the writer pool {WRITER_POOL}: it is held by"
                f" {holder}, which is alive (wait longer with BYLINES_LOCK_TIMEOUT_SECONDS)"
            )
        if told is None or time.monotonic() - told >= REPORT_EVERY_S:
            told = time.monotonic()
            log(f"waiting for the writer pool {WRITER_POOL}: held by {holder}; giving up after {limit:.0f} s")
        if stopped(min(1.0, max(0.05, limit - waited))):
            return


def own_pending_steps(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """Steps of ``run_id`` queued for the writer pool and not given a slot yet."""
    info = instance.event_log_storage.get_concurrency_info(WRITER_POOL)
    return [p.step_key for p in info.pending_steps if p.run_id == run_id and p.assigned_timestamp is None]


class RunGuard(dg.ConfigurableResource):
    """Every run holds its run lock and records its process as it starts, and reaps dead runs first.

    Why a resource: Dagster initialises resources once per run, at its start, in the process that
    executes it (the CLI's, or the run worker ``dagster dev`` launches), before any step claims the
    writer pool. Off when steps run in processes of their own (``multiprocess``, ``k8s``): then no
    single process lives as long as the run, and Dagster's run monitoring is the guard.
    """

    enabled: bool = True

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if not self.enabled or context.instance is None or context.run is None:
            return
        instance, run_id = context.instance, context.run.run_id
        tags = hold_run_lock(instance, run_id)
        if any(context.run.tags.get(k) != v for k, v in tags.items()):
            instance.add_run_tags(run_id, tags)
        log = context.log.warning if context.log is not None else print
        reap_dead_runs(instance, log, by=f"run {_short(run_id)}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self.enabled and context.instance is not None and context.run is not None:
            release_run_lock(context.instance, context.run.run_id)


class BylinesRunLauncher(DefaultRunLauncher):
    """Dagster's default launcher, plus the health check its run monitoring needs: a run whose process
    is gone is reported failed (then marked failed, and its slots freed after
    ``free_slots_after_run_end_seconds``); a live one, or one it cannot judge, is reported running."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        alive, why = process_state(run)
        if alive is False:
            return CheckRunHealthResult(WorkerStatus.FAILED, msg=f"bylines: {why}")
        return CheckRunHealthResult(WorkerStatus.RUNNING, msg=why)
