"""Dead runs are reaped by every ingest and by the daemon's run monitoring; a live writer never is; a run
waiting for the writer pool says for whom and gives up after BYLINES_LOCK_TIMEOUT_SECONDS.

Everything runs against a real Dagster instance with the project's own dagster.yaml (writer pool of one,
run queue of one, run monitoring with bylines' launcher).
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.utils import make_new_run_id

from orchestration.cli import main
from orchestration.runs import (
    HOST_TAG,
    LOCK_TAG,
    PID_TAG,
    WRITER_POOL,
    BylinesRunLauncher,
    hold_run_lock,
    reap_dead_runs,
    release_run_lock,
)
from warehouse.stops import ENV_KILL_AT, ENV_KILL_FD

PROJECT = Path(__file__).resolve().parents[1]
BYLINES = Path(sys.executable).parent / "bylines"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    return home


@pytest.fixture
def instance(home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.from_config(str(home)) as inst:
        yield inst


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _started_run(
    instance: dg.DagsterInstance, tags: dict[str, str], holds_pool: bool = True
) -> dg.DagsterRun:
    """A run as an ingest leaves it when its process dies in the writer step: STARTED, holding the slot."""
    run = instance.add_run(
        dg.DagsterRun(
            job_name="ingest_job", run_id=make_new_run_id(), status=dg.DagsterRunStatus.STARTED, tags=tags
        )
    )
    if holds_pool:
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(WRITER_POOL)
        assert storage.claim_concurrency_slot(WRITER_POOL, run.run_id, "warehouse_tables").is_claimed
    return run


def _held(instance: dg.DagsterInstance) -> list[str]:
    return [s.run_id for s in instance.event_log_storage.get_concurrency_info(WRITER_POOL).claimed_slots]


def test_the_launcher_tells_dead_runs_from_live_ones(instance: dg.DagsterInstance, tmp_path: Path) -> None:
    """What the daemon's run monitoring asks (configured in the project's dagster.yaml)."""
    assert isinstance(instance.run_launcher, BylinesRunLauncher) and instance.run_monitoring_enabled
    host = socket.gethostname()
    dead = _started_run(instance, {PID_TAG: str(_dead_pid()), HOST_TAG: host}, holds_pool=False)
    freed_lock = tmp_path / "run.lock"
    freed_lock.touch()  # its process took it and died: nobody holds it now
    abandoned = _started_run(
        instance, {PID_TAG: str(os.getpid()), HOST_TAG: host, LOCK_TAG: str(freed_lock)}, holds_pool=False
    )
    live = _started_run(instance, {}, holds_pool=False)
    instance.add_run_tags(live.run_id, hold_run_lock(instance, live.run_id))
    elsewhere = _started_run(
        instance, {PID_TAG: str(_dead_pid()), HOST_TAG: "another-host"}, holds_pool=False
    )
    unknown = _started_run(instance, {}, holds_pool=False)
    try:
        health = {
            name: instance.run_launcher.check_run_worker_health(instance.get_run_by_id(run.run_id)).status
            for name, run in {
                "dead": dead, "abandoned": abandoned, "live": live, "elsewhere": elsewhere, "unknown": unknown
            }.items()
        }  # fmt: skip
    finally:
        release_run_lock(instance, live.run_id)
    # what the daemon does with the answer, every poll_interval_seconds: a dead run is marked failed
    import logging

    from dagster._daemon.monitoring.run_monitoring import monitor_started_run

    (record,) = instance.get_run_records(filters=dg.RunsFilter(run_ids=[dead.run_id]))
    monitor_started_run(instance, None, record, logging.getLogger("test"))  # type: ignore[arg-type]
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    # dead: its pid is gone; abandoned: nothing holds its run lock (its pid now belongs to someone else);
    # live: this process holds it; elsewhere, unknown: nothing to judge by, so never reaped from here
    assert {name: status.value for name, status in health.items()} == {
        "dead": "FAILED", "abandoned": "FAILED",
        "live": "RUNNING", "elsewhere": "RUNNING", "unknown": "RUNNING",
    }  # fmt: skip


def test_the_sensor_and_the_schedule_reap_a_dead_run_that_holds_the_writer_pool(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    from orchestration.resources import LandingFolder
    from orchestration.schedules import nightly_ingest
    from orchestration.sensors import landing_sensor

    host = socket.gethostname()
    for tick in ("sensor", "schedule"):
        run = _started_run(instance, {PID_TAG: str(_dead_pid()), HOST_TAG: host})
        assert _held(instance) == [run.run_id]
        if tick == "sensor":
            context = dg.build_sensor_context(
                instance=instance, resources={"landing": LandingFolder(path=str(tmp_path), settle_seconds=0)}
            )
            landing_sensor.evaluate_tick(context)
        else:
            nightly_ingest.evaluate_tick(dg.build_schedule_context(instance=instance))
        reaped = instance.get_run_by_id(run.run_id)
        assert reaped is not None and reaped.status == dg.DagsterRunStatus.FAILURE, tick
        assert _held(instance) == [], tick
        (failure,) = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        assert f"reaped by {'landing sensor' if tick == 'sensor' else 'nightly schedule'}" in failure.message
        assert "is gone" in failure.message


def test_a_finished_run_that_kept_its_slot_is_freed_and_a_live_one_is_left(
    instance: dg.DagsterInstance,
) -> None:
    ended = _started_run(instance, {})
    instance.report_run_failed(instance.get_run_by_id(ended.run_id), message="ended without freeing its slot")
    live = _started_run(instance, {}, holds_pool=False)
    instance.add_run_tags(live.run_id, hold_run_lock(instance, live.run_id))
    lines: list[str] = []
    try:
        assert reap_dead_runs(instance, lines.append) == [ended.run_id]
        assert instance.get_run_by_id(live.run_id).status == dg.DagsterRunStatus.STARTED
    finally:
        release_run_lock(instance, live.run_id)
    assert _held(instance) == [] and "ended without freeing them" in lines[0]


@pytest.fixture(scope="module")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from samples.generator import generate_corpus

    folder = tmp_path_factory.mktemp("runs_dumps")
    generate_corpus(folder, n_dumps=2, seed=61)
    return folder


def test_a_live_writer_is_never_reaped_and_the_next_ingest_says_whom_it_waits_for(
    tmp_path: Path,
    home: Path,
    dumps: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A run parked inside its load (alive, holding the writer slot and the writer lock): the next ingest in
    the same instance does not reap it, says whom it waits for, and gives up after the timeout (exit 1). Once
    the writer ends (SIGTERM), the next ingest runs."""
    db = tmp_path / "w.duckdb"
    read_end, write_end = os.pipe()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        ENV_KILL_AT: "warehouse_tables:mid_load",
        ENV_KILL_FD: str(write_end),
    }
    command = [str(BYLINES)] if BYLINES.exists() else [sys.executable, "-m", "orchestration.cli"]
    cmd = [*command, "ingest", "--warehouse", str(db), "--landing", str(dumps), "--workers", "1"]
    writer = subprocess.Popen(
        cmd, env=env, pass_fds=(write_end,), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], 180)
    assert ready and os.read(read_end, 200).decode().startswith("warehouse_tables:mid_load")
    os.close(read_end)
    try:
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        monkeypatch.setenv("BYLINES_LOCK_TIMEOUT_SECONDS", "1")
        capsys.readouterr()
        argv = ["ingest", "--warehouse", str(db), "--landing", str(dumps), "--workers", "1"]
        assert main(argv) == 1
        out = capsys.readouterr()
        with dg.DagsterInstance.from_config(str(home)) as inst:
            (run,) = [r for r in inst.get_runs() if r.tags.get(PID_TAG) == str(writer.pid)]
            assert run.status == dg.DagsterRunStatus.STARTED and _held(inst) == [run.run_id]
        holder = f"run {run.run_id[:8]} (step warehouse_tables, pid {writer.pid})"
        assert f"waiting for the writer pool {WRITER_POOL}: held by {holder}" in out.err
        assert "reaped" not in out.err
        assert (
            f"gave up after 1 s waiting for the writer pool {WRITER_POOL}: it is held by {holder}" in out.out
        )
    finally:
        writer.send_signal(signal.SIGTERM)
        assert writer.wait(timeout=60) == 128 + signal.SIGTERM
    monkeypatch.setenv("BYLINES_LOCK_TIMEOUT_SECONDS", "60")
    assert main(["ingest", "--warehouse", str(db), "--landing", str(dumps), "--workers", "1"]) == 0
    assert "dumps:    2 new" in capsys.readouterr().out


# A child that starts an ingest while the writer pool looks free to the CLI's own check (patched out), as
# when another run takes the slot between that check and the step's claim: the step waits inside Dagster.
RACED_INGEST = """
import sys
import orchestration.supervise as supervise
supervise.wait_for_writer_pool = lambda *args, **kwargs: None
from orchestration.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _raced(home: Path, db: Path, dumps: Path, timeout: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DAGSTER_HOME": str(home), "BYLINES_LOCK_TIMEOUT_SECONDS": timeout}
    argv = ["ingest", "--warehouse", str(db), "--landing", str(dumps), "--workers", "1"]
    return subprocess.Popen(
        [sys.executable, "-c", RACED_INGEST, *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("how", ["timeout", "SIGTERM"])
def test_a_step_waiting_for_the_pool_inside_the_run_gives_up_or_stops(
    how: str, tmp_path: Path, home: Path, instance: dg.DagsterInstance, dumps: Path
) -> None:
    """The slot is held by a live run (this test process): the child's writer step waits in Dagster's own
    loop; the supervisor says so, and ends the run after the timeout (failed, exit 1) or on SIGTERM (canceled,
    exit 143, under 5 s), freeing its pending step; the live holder is left alone."""
    import time

    holder = _started_run(instance, {})
    instance.add_run_tags(holder.run_id, hold_run_lock(instance, holder.run_id))
    try:
        child = _raced(home, tmp_path / "w.duckdb", dumps, "1" if how == "timeout" else "600")
        assert child.stderr is not None
        for line in child.stderr:  # blocks until the child says it waits (or ends)
            if "is waiting for the writer pool" in line:
                break
        else:
            raise AssertionError(f"the child never waited: {child.communicate(timeout=60)}")
        assert f"held by run {holder.run_id[:8]} (step warehouse_tables, pid {os.getpid()}) since" in line
        start = time.monotonic()
        if how == "SIGTERM":
            child.send_signal(signal.SIGTERM)
        _out, err = child.communicate(timeout=120)
        seconds = time.monotonic() - start
        (run,) = [r for r in instance.get_runs() if r.tags.get(PID_TAG) == str(child.pid)]
        if how == "timeout":
            assert child.returncode == 1 and "gave up after 1 s waiting for the writer pool" in err, err
            assert run.status == dg.DagsterRunStatus.FAILURE
        else:
            print(f"\nSIGTERM while a step waits for the pool: exit {child.returncode} after {seconds:.2f} s")
            assert child.returncode == 128 + signal.SIGTERM and seconds < 5, (child.returncode, seconds)
            assert run.status == dg.DagsterRunStatus.CANCELED
        info = instance.event_log_storage.get_concurrency_info(WRITER_POOL)
        assert [p.run_id for p in info.pending_steps if p.run_id == run.run_id] == []
        assert _held(instance) == [holder.run_id]
        assert instance.get_run_by_id(holder.run_id).status == dg.DagsterRunStatus.STARTED
    finally:
        release_run_lock(instance, holder.run_id)
