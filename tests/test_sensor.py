"""Landing sensor: runs keyed by content hash; half-written files and identical re-deliveries skipped."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg

from orchestration.resources import LandingFolder
from orchestration.sensors import landing_sensor, read_cursor

SETTLE = 30.0


def _write(path: Path, text: str, age: float | None = 120.0) -> Path:
    path.write_text(text, encoding="utf-8")
    if age is not None:
        past = time.time() - age
        os.utime(path, (past, past))
    return path


def _tick(instance: dg.DagsterInstance, landing: Path, cursor: str | None) -> dg.SensorResult:
    ctx = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"landing": LandingFolder(path=str(landing), settle_seconds=SETTLE)},
    )
    return landing_sensor.evaluate_tick(ctx)


def _paths(request: dg.RunRequest) -> list[str]:
    return request.run_config["ops"]["landed_dumps"]["config"]["paths"]


def test_sensor_ticks(tmp_path: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    landing = tmp_path / "landing"
    landing.mkdir()
    a = _write(landing / "alpha.txt", "Posts Tagged 'Alpha'\n\nOur own first test post.\n")
    b = _write(landing / "beta.txt", "Posts Tagged 'Beta'\n\nOur own second test post.\n")

    # 1. first tick: both files, one run keyed by their hashes
    first = _tick(instance, landing, None)
    assert len(first.run_requests) == 1
    req = first.run_requests[0]
    assert sorted(_paths(req)) == sorted([str(a.absolute()), str(b.absolute())])
    hashes = read_cursor(first.cursor)
    assert len(hashes) == 2 and req.run_key == ",".join(sorted(hashes))
    assert req.tags["bylines/trigger"] == "sensor"

    # 2. nothing new
    second = _tick(instance, landing, first.cursor)
    assert not second.run_requests
    assert second.skip_message and "no new" in second.skip_message

    # 3. a new file -> one run for it alone; a half-written file (mtime now, .part) is not picked
    c = _write(landing / "gamma.txt", "Posts Tagged 'Gamma'\n\nOur own third test post.\n")
    _write(landing / "delta.txt", "Posts Tagged 'Delta'\n\nstill arriv", age=None)
    _write(landing / "epsilon.txt.part", "Posts Tagged 'Epsilon'\n\npartial upload", age=600)
    third = _tick(instance, landing, first.cursor)
    assert [_paths(r) for r in third.run_requests] == [[str(c.absolute())]]
    assert len(read_cursor(third.cursor)) == 3

    # 4. the half-written file completes -> picked on a later tick
    _write(landing / "delta.txt", "Posts Tagged 'Delta'\n\nstill arriving, now complete.\n")
    fourth = _tick(instance, landing, third.cursor)
    assert [Path(p).name for r in fourth.run_requests for p in _paths(r)] == ["delta.txt"]

    # 5. an identical re-delivery under another name is skipped; a changed file under an old name is new
    _write(landing / "alpha-again.txt", a.read_text(encoding="utf-8"))
    fifth = _tick(instance, landing, fourth.cursor)
    assert not fifth.run_requests
    _write(landing / "beta.txt", "Posts Tagged 'Beta'\n\nOur own second test post, corrected.\n")
    sixth = _tick(instance, landing, fourth.cursor)
    assert [Path(p).name for r in sixth.run_requests for p in _paths(r)] == ["beta.txt"]
    assert len(read_cursor(sixth.cursor)) == 4  # beta's old content left the folder: forgotten


def test_unreadable_cursor_counts_as_empty() -> None:
    assert read_cursor(None) == set()
    assert read_cursor("not json") == set()
    assert read_cursor('{"a": 1}') == set()
    assert read_cursor('["x", "y"]') == {"x", "y"}


def test_requested_run_config_is_valid_for_the_job(tmp_path: Path) -> None:
    """What the sensor (and, with no config, the schedule) launches is accepted by ``ingest_job``."""
    from orchestration.definitions import defs

    _write(tmp_path / "one.txt", "Posts Tagged 'One'\n\nOur own post for the config test.\n")
    result = _tick(dg.DagsterInstance.ephemeral(), tmp_path, None)
    job = defs.resolve_job_def("ingest_job")
    assert dg.validate_run_config(job, result.run_requests[0].run_config)
    assert dg.validate_run_config(job, {})


def test_cursor_forgets_files_that_left_the_landing_folder(tmp_path: Path) -> None:
    """The cursor holds the hashes of files still present (bounded), not of every dump ever seen."""
    instance = dg.DagsterInstance.ephemeral()
    names = [f"d{i}.txt" for i in range(4)]
    for i, name in enumerate(names):
        _write(tmp_path / name, f"Posts Tagged 'T{i}'\n\nOur own post number {i}.\n")
    first = _tick(instance, tmp_path, None)
    assert len(read_cursor(first.cursor)) == 4
    for name in names[:3]:
        (tmp_path / name).unlink()  # processed and moved away
    _write(tmp_path / "growing.txt", "Posts Tagged 'G'\n\nstill arriv", age=None)
    second = _tick(instance, tmp_path, first.cursor)
    assert not second.run_requests
    assert len(read_cursor(second.cursor)) == 4  # a file is still being written: nothing is forgotten yet
    (tmp_path / "growing.txt").unlink()
    third = _tick(instance, tmp_path, second.cursor)
    assert not third.run_requests and len(read_cursor(third.cursor)) == 1
    # the landing folder gone (an unmounted share): nothing is forgotten
    gone = _tick(instance, tmp_path / "unmounted", first.cursor)
    assert read_cursor(gone.cursor) == read_cursor(first.cursor)
