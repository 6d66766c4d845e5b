"""Stopping an ingest on request, at points where nothing is half-written; and the test-only kill points.

Owns the process-wide stop request (the CLI sets it on SIGTERM or SIGINT), the named checkpoints
every stage of the ingest passes (``checkpoint``), and the DuckDB connections a stop interrupts.

Why cooperative: a signal must never leave a half-written warehouse. A stop request interrupts the
running DuckDB statement (its transaction rolls back) and makes the next checkpoint raise
``IngestInterrupted``; every write sits in a transaction that rolls back on the way out, so after a
stop the warehouse is what the last committed transaction left, exactly as after a SIGKILL.

Test-only kill points: ``BYLINES_TEST_KILL_AT=<point>`` parks the process at that checkpoint
(after writing the point's name to the file descriptor ``BYLINES_TEST_KILL_FD``, when set) until a
stop is requested, so a test can kill it there with the signal of its choice; with
``BYLINES_TEST_KILL_SIGNAL=KILL`` the process kills itself there instead. Both variables are read
once, at import: unset, a checkpoint costs one comparison and one flag test.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

ENV_KILL_AT = "BYLINES_TEST_KILL_AT"
ENV_KILL_FD = "BYLINES_TEST_KILL_FD"
ENV_KILL_SIGNAL = "BYLINES_TEST_KILL_SIGNAL"
_KILL_AT = os.environ.get(ENV_KILL_AT) or None
PARK_LIMIT_S = 600.0  # a parked test process that nobody kills goes on after this long

# Every named checkpoint, in the order an ingest passes them (tests/test_crash_recovery.py kills at each).
POINTS = (
    "landed_dumps:copied",  # a new dump copied into the raw store, others not yet
    "parsed_dumps:parsed",  # a dump parsed and staged, others not yet
    "warehouse_tables:mid_load",  # inside a load transaction: sightings replaced, canonical rows not yet
    "warehouse_tables:loaded",  # the loads committed, the refresh not begun
    "warehouse_tables:mid_refresh",  # the refresh's re-derivation committed, years and summaries not yet
    "warehouse_tables:recorded",  # the run's ingest_runs row written: the step's end
    "warehouse_checks:reading",  # the checks reading the writer's file
    "published_warehouse:copied",  # the read copy written beside the old one, not yet swapped in
)
REBUILD_POINT = "rebuild:built"  # `bylines rebuild`: the new file complete, the old one not yet replaced

_stop = threading.Event()
_reason: list[str] = []
_connections: set[Any] = set()
_guard = threading.Lock()


class IngestInterrupted(KeyboardInterrupt):
    """A stop was requested (SIGTERM or SIGINT): the work in progress was rolled back, nothing half-written.

    A ``KeyboardInterrupt``: neither a bad dump (never quarantined) nor a transient error (never retried).
    """


def request_stop(reason: str) -> None:
    """Ask the ingest to stop: interrupt every open DuckDB statement; the next checkpoint raises."""
    _reason[:] = [reason]
    _stop.set()
    with _guard:
        connections = list(_connections)
    for con in connections:
        try:
            con.interrupt()
        except Exception:  # noqa: BLE001 - a connection closing meanwhile has nothing to interrupt
            pass


def stop_requested() -> bool:
    return _stop.is_set()


def wait_for_stop(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for a stop request (a pause that ends at once on SIGTERM)."""
    return _stop.wait(timeout)


def clear_stop() -> None:
    """Forget a stop request (a process that runs several ingests, e.g. tests)."""
    _stop.clear()
    _reason.clear()


def checkpoint(point: str) -> None:
    """A point where the ingest may stop: raises ``IngestInterrupted`` once a stop was requested."""
    if _KILL_AT is not None and point == _KILL_AT:
        _park(point)
    if _stop.is_set():
        raise IngestInterrupted(f"stopped at {point} ({_reason[0] if _reason else 'stop requested'})")


def check_stop() -> None:
    """Raise ``IngestInterrupted`` when a stop was requested (a checkpoint without a name to kill at)."""
    if _stop.is_set():
        raise IngestInterrupted(f"stopped ({_reason[0] if _reason else 'stop requested'})")


def raise_if_stopping(exc: BaseException) -> None:
    """In a handler that would quarantine a dump: an error a stop request caused is a stop, not bad data."""
    if _stop.is_set():
        raise IngestInterrupted(f"stopped ({_reason[0] if _reason else 'stop requested'})") from exc


class registered:
    """``with registered(con):`` a stop request interrupts ``con``'s running statement."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def __enter__(self) -> Any:
        with _guard:
            _connections.add(self.con)
        return self.con

    def __exit__(self, *exc: object) -> None:
        with _guard:
            _connections.discard(self.con)


def _park(point: str) -> None:
    fd = os.environ.get(ENV_KILL_FD)
    if fd:
        os.write(int(fd), f"{point} {os.getpid()}\n".encode())
    if os.environ.get(ENV_KILL_SIGNAL, "").upper() == "KILL":
        os.kill(os.getpid(), signal.SIGKILL)
    _stop.wait(PARK_LIMIT_S)
