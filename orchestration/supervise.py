"""Running the ingest job in-process from the command line so that it always ends, and says why.

Why a supervisor: the CLI runs ``ingest_job`` in its own process (one code path with the sensor and
the schedule). Dagster, run from the main thread, takes SIGINT and SIGTERM over and acts on them
only inside a step, so a run waiting for the writer pool ignored them and spun for ever. Here the
job runs in a worker thread and the main thread keeps the signals:

- before the run: dead runs are reaped, and the writer pool is waited for (saying for whom, giving
  up after ``BYLINES_LOCK_TIMEOUT_SECONDS``);
- during the run: a step still waiting for the pool after that long makes the run give up, failed
  with the reason;
- on SIGTERM or SIGINT: the run is marked canceling, the ingest is asked to stop (the running DuckDB
  statement is interrupted and rolls back; the next checkpoint raises), and the run ends canceled.
  A step waiting for the pool (in Dagster's loop, which never looks at a stop) is ended at once, and
  anything else that has not ended after ``STOP_GRACE_S`` (a parser busy with one huge page) is
  ended for it: the run is marked canceled and its slots freed, and the process exits. Either way
  nothing is half-written (every write is a transaction) and the exit code is 128 + the signal number.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from dagster._core.utils import make_new_run_id

from orchestration.runs import (
    WRITER_POOL,
    WriterPoolBusy,
    hold_run_lock,
    own_pending_steps,
    pool_holders,
    reap_dead_runs,
    release_run_lock,
    wait_for_writer_pool,
)
from warehouse.publish import lock_timeout
from warehouse.stops import clear_stop, request_stop

STOP_GRACE_S = 3.0  # after a stop request, how long the run may take to end on its own
WATCH_EVERY_S = 0.2  # how soon a signal is acted upon
# How often the instance is asked whether a step of the run waits for the pool, from this long after the
# start: each look is a few SQLite queries, and the pool was free when the run started (wait_for_writer_pool).
POOL_LOOK_EVERY_S = 2.0


@dataclass
class Outcome:
    """How a supervised run ended."""

    run_id: str
    result: Any = None  # dagster's ExecuteInProcessResult, when the run got that far
    exit_code: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.exit_code == 0 and self.result is not None and bool(self.result.success)


class _Signals:
    """SIGTERM and SIGINT, caught in the main thread: each one asks to stop."""

    def __init__(self, stop_at_once: bool) -> None:
        self.received: int | None = None
        self.event = threading.Event()
        self.stop_at_once = stop_at_once

    def handle(self, signum: int, _frame: object) -> None:
        self.received = signum
        self.event.set()
        if self.stop_at_once:  # no supervisor loop: the ingest runs in this thread
            request_stop(signal.Signals(signum).name)

    def wait(self, seconds: float) -> bool:
        return self.event.wait(seconds)


@contextmanager
def caught_signals(stop_at_once: bool = False) -> Iterator[_Signals]:
    """SIGTERM and SIGINT recorded instead of killing the process; with ``stop_at_once`` they also ask the
    ingest running in this (the main) thread to stop (``bylines rebuild``)."""
    caught = _Signals(stop_at_once)
    if threading.current_thread() is not threading.main_thread():
        yield caught  # only the main thread receives signals: nothing to install (tests, embedding)
        return
    previous = {s: signal.signal(s, caught.handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield caught
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        clear_stop()


def run_supervised(
    job: dg.JobDefinition,
    run_config: Mapping[str, Any],
    instance: dg.DagsterInstance,
    tags: Mapping[str, str],
    say: Callable[[str], Any],
) -> Outcome:
    """Execute ``job`` in-process under the supervision described above; ``say`` prints a line for people."""
    run_id = make_new_run_id()
    outcome = Outcome(run_id)
    tags = {**tags, **hold_run_lock(instance, run_id)}
    try:
        with caught_signals() as signals:
            reap_dead_runs(instance, say, by=f"run {run_id[:8]}")
            try:
                wait_for_writer_pool(instance, say, signals.wait, run_id)
            except WriterPoolBusy as exc:
                outcome.exit_code, outcome.errors = 1, [str(exc)]
                return outcome
            if signals.received is not None:
                outcome.exit_code = 128 + signals.received
                outcome.errors = [
                    f"stopped by {signal.Signals(signals.received).name} before the run started"
                ]
                return outcome
            _supervise(job, run_config, instance, tags, say, signals, outcome)
    finally:
        release_run_lock(instance, run_id)
    return outcome


def _supervise(
    job: dg.JobDefinition,
    run_config: Mapping[str, Any],
    instance: dg.DagsterInstance,
    tags: Mapping[str, str],
    say: Callable[[str], Any],
    signals: _Signals,
    outcome: Outcome,
) -> None:
    failure: list[BaseException] = []

    def execute() -> None:
        try:
            outcome.result = job.execute_in_process(
                run_config=run_config,
                instance=instance,
                tags=dict(tags),
                run_id=outcome.run_id,
                raise_on_error=False,
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failure.append(exc)

    worker = threading.Thread(target=execute, name=f"ingest run {outcome.run_id[:8]}", daemon=True)
    worker.start()
    limit = lock_timeout()
    stop_deadline: float | None = None
    waiting_since: float | None = None
    next_look = time.monotonic() + POOL_LOOK_EVERY_S
    told = False
    while worker.is_alive():
        worker.join(WATCH_EVERY_S)
        now = time.monotonic()
        if signals.received is not None and stop_deadline is None:
            name = signal.Signals(signals.received).name
            _mark(instance, outcome.run_id, canceling=f"bylines: {name} received, stopping the ingest")
            request_stop(name)
            # A step waiting for the pool is in Dagster's own loop, which never looks at a stop: end it now.
            waiting = bool(own_pending_steps(instance, outcome.run_id))
            stop_deadline = now if waiting else now + STOP_GRACE_S
        if stop_deadline is not None:
            if now >= stop_deadline:
                name = signal.Signals(signals.received or signal.SIGTERM).name
                _end_for_it(
                    instance, outcome.run_id, say, f"stopped by {name}", 128 + (signals.received or 15)
                )
            continue
        if now < next_look or not worker.is_alive():
            continue
        next_look = now + POOL_LOOK_EVERY_S
        pending = own_pending_steps(instance, outcome.run_id)
        if not pending:
            waiting_since, told = None, False
            continue
        waiting_since = waiting_since or now
        holders = [h for h in pool_holders(instance) if h.run_id != outcome.run_id]
        if any(h.alive is False for h in holders):  # its holder died meanwhile: free the slot
            reap_dead_runs(instance, say, by=f"run {outcome.run_id[:8]}")
        elif not told:
            told = True
            held_by = ", ".join(h.describe() for h in holders) or "another run"
            say(
                f"run {outcome.run_id[:8]}: step {pending[0]} is waiting for the writer pool {WRITER_POOL}:"
                f" held by {held_by}"
            )
        if now - waiting_since >= limit:
            _end_for_it(
                instance,
                outcome.run_id,
                say,
                f"gave up after {limit:.0f} s waiting for the writer pool {WRITER_POOL}"
                " (wait longer with BYLINES_LOCK_TIMEOUT_SECONDS)",
                1,
                failed=True,
            )
    if failure:
        outcome.errors.append(f"{type(failure[0]).__name__}: {failure[0]}")
        outcome.exit_code = 1
    if signals.received is not None:
        outcome.exit_code = 128 + signals.received
        _mark(
            instance, outcome.run_id, canceled=f"bylines: stopped by {signal.Signals(signals.received).name}"
        )
        instance.event_log_storage.free_concurrency_slots_for_run(outcome.run_id)
    elif outcome.result is None or not outcome.result.success:
        outcome.exit_code = outcome.exit_code or 1


def _mark(instance: dg.DagsterInstance, run_id: str, canceling: str = "", canceled: str = "") -> None:
    """Record a stop on the run, unless it already ended."""
    run = instance.get_run_by_id(run_id)
    if run is None or run.is_finished:
        return
    if canceling and run.status != dg.DagsterRunStatus.CANCELING:
        instance.report_run_canceling(run, message=canceling)
    if canceled:
        instance.report_run_canceled(run, message=canceled)


def _end_for_it(
    instance: dg.DagsterInstance,
    run_id: str,
    say: Callable[[str], Any],
    why: str,
    code: int,
    failed: bool = False,
) -> None:
    """The run did not end on its own: mark it, free what it holds, say why, and leave (no write is open:
    DuckDB keeps only committed transactions)."""
    run = instance.get_run_by_id(run_id)
    if run is not None and not run.is_finished:
        if failed:
            instance.report_run_failed(run, message=f"bylines: {why}")
        else:
            instance.report_run_canceled(run, message=f"bylines: {why}; ended by the CLI")
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    release_run_lock(instance, run_id)
    say(f"run {run_id[:8]}: {why}; marked {'failed' if failed else 'canceled'}, its slots freed")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
