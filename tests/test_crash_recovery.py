"""Kill an ingest at every named point of every step, with SIGKILL and with SIGTERM, in one Dagster instance
that carries the project's dagster.yaml (one run at a time, writer pool of one).

The kill points are deterministic (``warehouse.stops``): the child ingest parks at the point, reports it on
a pipe, and the test sends the signal. After SIGKILL the re-run in the same instance reaps the dead run (and
says so), frees its writer slot and converges to the content of an uninterrupted run (same rows, same
article ids). SIGTERM ends the run in under 5 s, marked canceled or failed, its slots freed, exit code 143,
and leaves the warehouse exactly as a SIGKILL at the same point does (nothing half-written). A rebuild
killed at its points leaves the old warehouse whole.
"""

from __future__ import annotations

import hashlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import main
from orchestration.runs import reap_dead_runs
from warehouse.integrity import content_digest, duplicate_counts, orphan_counts
from warehouse.landing import REFUSED_PREFIX
from warehouse.publish import read_copy_path
from warehouse.stops import ENV_KILL_AT, ENV_KILL_FD, POINTS, REBUILD_POINT

PROJECT = Path(__file__).resolve().parents[1]
BYLINES = Path(sys.executable).parent / "bylines"
STOP_LIMIT_S = 5.0


def _command() -> list[str]:
    return [str(BYLINES)] if BYLINES.exists() else [sys.executable, "-m", "orchestration.cli"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Dagster home for every trial, with the project's own instance settings (writer pool of one, run
    queue of one, run monitoring): each kill and its re-run share it, as a user's runs do."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copyfile(PROJECT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    return home


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short generated pages that share posts, plus two bad inputs (quarantine rows are content too)."""
    from samples.generator import generate_corpus

    landing = tmp_path_factory.mktemp("crash_corpus")
    for page in generate_corpus(tmp_path_factory.mktemp("crash_pages"), n_dumps=2, seed=29):
        text = page.read_text(encoding="utf-8")
        cut = text.find("\n\n", 9000)
        (landing / page.name).write_text(text[: cut + 1] if cut > 0 else text, encoding="utf-8")
    (landing / "not a dump.txt").write_bytes(b"\x00\x01 binary \x00" * 300)
    (landing / "shopping list.txt").write_bytes(b"eggs\nmilk\nbread\n")
    return landing


def _ingest_in_process(db: Path, landing: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return main(["ingest", "--warehouse", str(db), "--landing", str(landing), "--workers", "1"])


def _digest(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return content_digest(con)


def _article_ids(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory, corpus: Path, home: Path
) -> tuple[Path, dict[str, str]]:
    """One uninterrupted ingest of the corpus: its folder (warehouse, read copy, raw store) and content."""
    folder = tmp_path_factory.mktemp("crash_reference")
    with pytest.MonkeyPatch.context() as mp:
        assert _ingest_in_process(folder / "w.duckdb", corpus, home, mp) == 0
    digest = _digest(folder / "w.duckdb")
    assert digest["dumps"].startswith("4:") and not digest["articles"].startswith("0:")
    return folder, digest


@pytest.fixture(scope="module")
def clean(reference: tuple[Path, dict[str, str]]) -> tuple[dict[str, str], list[str]]:
    """What every re-run must converge to: the uninterrupted ingest's content and article ids."""
    return reference[1], _article_ids(reference[0] / "w.duckdb")


def _state(db: Path) -> dict[str, str] | None:
    """What a kill left, opened as the next writer opens it (replaying the WAL): sound, or no file yet."""
    if not db.exists():
        return None
    with duckdb.connect(str(db)) as con:
        assert not any(orphan_counts(con).values()), orphan_counts(con)
        assert not any(duplicate_counts(con).values()), duplicate_counts(con)
        statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM dumps").fetchall()}
        assert statuses <= {"loaded", "quarantined"}
        return content_digest(con)


class Parked:
    """A process started with a kill point armed (``warehouse.stops``) and the pipe it reports on."""

    def __init__(self, cmd: list[str], point: str, home: Path) -> None:
        self.point = point
        self.read_end, write_end = os.pipe()
        env = {**os.environ, "DAGSTER_HOME": str(home), ENV_KILL_AT: point, ENV_KILL_FD: str(write_end)}
        self.proc = subprocess.Popen(
            cmd, env=env, pass_fds=(write_end,), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        os.close(write_end)

    def wait_parked(self) -> int:
        """Block until the process is parked at its point; returns its pid."""
        try:
            ready, _, _ = select.select([self.read_end], [], [], 180)
            reached = os.read(self.read_end, 200).decode() if ready else ""
        finally:
            os.close(self.read_end)
        if not reached.startswith(self.point):
            self.proc.kill()
            out, err = self.proc.communicate(timeout=60)
            raise AssertionError(f"never reached {self.point}: {out[-1000:]} {err[-2000:]}")
        return int(reached.split()[1])

    def signal(self, sig: signal.Signals) -> tuple[int, float]:
        """Send ``sig``; returns (exit code, seconds from the signal to the exit)."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        self.proc.communicate(timeout=60)
        return self.proc.returncode, time.monotonic() - start


def _ingest_cmd(db: Path, landing: Path) -> list[str]:
    return [*_command(), "ingest", "--warehouse", str(db), "--landing", str(landing), "--workers", "1"]


def _run_of(home: Path, pid: int) -> dg.DagsterRun:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (run,) = [r for r in instance.get_runs() if r.tags.get("bylines/pid") == str(pid)]
        return run


def _slots_held(home: Path) -> list[str]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        info = instance.event_log_storage.get_concurrency_info("duckdb_write")
        return [s.run_id for s in info.claimed_slots] + [p.run_id for p in info.pending_steps]


def _assert_raw_store_holds_every_dump(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT dump_id, raw_path FROM dumps").fetchall()
    for dump_id, raw_path in rows:
        if not dump_id.startswith(REFUSED_PREFIX):
            assert hashlib.sha256(Path(raw_path).read_bytes()).hexdigest() == dump_id


@pytest.fixture(scope="module")
def other_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second home, also with the project's settings, for the SIGTERM trials: they run beside the SIGKILL
    trials (a run parked in the writer step holds its instance's one writer slot)."""
    home = tmp_path_factory.mktemp("dagster_home_term")
    shutil.copyfile(PROJECT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    return home


# Every named point but the end of the writer step, which leaves the very state the checks' point does.
TRIAL_POINTS = [p for p in POINTS if p != "warehouse_tables:recorded"]


@pytest.mark.parametrize("point", TRIAL_POINTS)
def test_kill_at_every_point_then_rerun_in_the_same_instance_converges(
    point: str,
    tmp_path: Path,
    corpus: Path,
    home: Path,
    other_home: Path,
    clean: tuple[dict[str, str], list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    killed_db, stopped_db = tmp_path / "kill" / "w.duckdb", tmp_path / "term" / "w.duckdb"
    to_kill = Parked(_ingest_cmd(killed_db, corpus), point, home)
    to_stop = Parked(_ingest_cmd(stopped_db, corpus), point, other_home)
    killed_pid, stopped_pid = to_kill.wait_parked(), to_stop.wait_parked()

    # SIGKILL (an OOM kill, a reboot): the run stays STARTED, holding what it held, until an ingest reaps it.
    code, _seconds = to_kill.signal(signal.SIGKILL)
    killed = _state(killed_db)
    run = _run_of(home, killed_pid)
    assert code == -signal.SIGKILL and run.status == dg.DagsterRunStatus.STARTED
    capsys.readouterr()
    assert (
        _ingest_in_process(killed_db, corpus, home, monkeypatch) == 0
    )  # the re-run: same instance, settings
    said = capsys.readouterr().err
    assert f"reaped run {run.run_id[:8]}: its process (pid {killed_pid}) is gone" in said, said
    assert _run_of(home, killed_pid).status == dg.DagsterRunStatus.FAILURE and _slots_held(home) == []
    assert _digest(killed_db) == clean[0] and _article_ids(killed_db) == clean[1]
    assert _digest(read_copy_path(killed_db)) == clean[0], "readers were not given the result"
    _assert_raw_store_holds_every_dump(killed_db)

    # SIGTERM at the same point: the run ends in under 5 s, marked, its slots freed, and the warehouse is
    # exactly what the SIGKILL left (the write in flight rolled back, nothing half-written), from which the
    # re-run above converged; the next ingest finds nothing of this run to reap.
    code, seconds = to_stop.signal(signal.SIGTERM)
    print(f"\nSIGTERM at {point}: exit {code} after {seconds:.2f} s")
    assert code == 128 + signal.SIGTERM and seconds < STOP_LIMIT_S, (code, seconds)
    assert _state(stopped_db) == killed
    run = _run_of(other_home, stopped_pid)
    assert run.status in (dg.DagsterRunStatus.CANCELED, dg.DagsterRunStatus.FAILURE), run.status
    assert _slots_held(other_home) == []
    with dg.DagsterInstance.from_config(str(other_home)) as instance:
        assert reap_dead_runs(instance, print) == []


def _copy_of(reference: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    shutil.copytree(reference[0], tmp_path, dirs_exist_ok=True)
    return tmp_path / "w.duckdb"


def test_rebuild_from_raw_store_gives_the_same_content(
    tmp_path: Path, reference: tuple[Path, dict[str, str]]
) -> None:
    db = _copy_of(reference, tmp_path)
    db.unlink()
    read_copy_path(db).unlink()
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0
    assert _digest(db) == reference[1] and _digest(read_copy_path(db)) == reference[1]
    _state(db)
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0  # over an existing warehouse
    assert _digest(db) == reference[1]


def test_sigkill_during_rebuild_leaves_the_old_warehouse(
    tmp_path: Path, home: Path, reference: tuple[Path, dict[str, str]]
) -> None:
    """A rebuild killed with its new file complete, just before the swap, leaves the old warehouse whole; the
    next rebuild clears what the kill left. (Killed earlier, in its load, only the new file is touched.)"""
    db = _copy_of(reference, tmp_path)
    rebuild = Parked([*_command(), "rebuild", "--warehouse", str(db), "--workers", "1"], REBUILD_POINT, home)
    rebuild.wait_parked()
    rebuild.signal(signal.SIGKILL)
    assert _state(db) == reference[1] and _digest(read_copy_path(db)) == reference[1]
    assert list(tmp_path.glob(".w.duckdb.rebuild-*")), "the half-built file is where the kill left it"
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0
    assert _digest(db) == reference[1] and not list(tmp_path.glob(".w.duckdb.rebuild-*"))


def test_rebuild_quarantines_damaged_raw_bytes(
    tmp_path: Path, reference: tuple[Path, dict[str, str]]
) -> None:
    """Bytes in the raw store that no longer match their hash are not parsed: the dump is quarantined."""
    from warehouse.rawstore import RawStore

    db = _copy_of(reference, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        dump_id, name = con.execute(
            "SELECT dump_id, file_name FROM dumps WHERE status = 'loaded' ORDER BY dump_id LIMIT 1"
        ).fetchone()
        loaded = con.execute("SELECT count(*) FROM dumps WHERE status = 'loaded'").fetchone()[0]
    raw = RawStore(tmp_path / "raw").path_for(dump_id)  # the copy's store, not the reference's
    raw.chmod(0o644)
    raw.write_bytes(raw.read_bytes().replace(b"the", b"THE", 1))
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        status, error = con.execute("SELECT status, error FROM dumps WHERE dump_id = ?", [dump_id]).fetchone()
        still = con.execute("SELECT count(*) FROM dumps WHERE status = 'loaded'").fetchone()[0]
    assert status == "quarantined" and "damaged" in error and "deliver the file again" in error, name
    assert still == loaded - 1  # the other dumps were rebuilt
    _state(db)
