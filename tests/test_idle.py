"""A nothing-new ingest ends before Dagster starts; anything new, pending or uncertain starts a run.

Real warehouse files built by the real ingest; ``warehouse.idle.nothing_to_do`` is asked directly,
and ``bylines ingest`` is run in-process to show that the idle path writes nothing.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.settings import RUN_LOCKS_FOLDER
from samples.generator import generate_corpus
from warehouse.hash_cache import hash_cache
from warehouse.idle import nothing_to_do
from warehouse.publish import read_copy_path, state_path, writer_lock
from warehouse.rawstore import RawStore


def _age(path: Path) -> None:
    """Older than any settle time: the landing scan counts it as fully written."""
    os.utime(path, (1_000_000_000, 1_000_000_000))


@pytest.fixture()
def ingested(tmp_path: Path) -> tuple[Path, Path]:
    """A landing folder of three generated dumps, all ingested through ``bylines ingest``."""
    landing = tmp_path / "landing"
    for p in generate_corpus(tmp_path / "gen", n_dumps=3, seed=5):
        landing.mkdir(exist_ok=True)
        shutil.copyfile(p, landing / p.name)
        _age(landing / p.name)
    db = tmp_path / "w.duckdb"
    assert main(["ingest", "--warehouse", str(db), "--landing", str(landing)]) == 0
    return landing, db


def _idle(landing: Path, db: Path) -> list[dict[str, str]] | None:
    return nothing_to_do([], landing, 0.0, db, hash_cache(RawStore(db.parent / "raw")))


def _runs(db: Path) -> int:
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        return con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]


def test_a_second_ingest_of_the_same_folder_starts_no_run(
    ingested: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    landing, db = ingested
    skipped = _idle(landing, db)
    assert skipped is not None and sorted(s["file_name"] for s in skipped) == sorted(
        p.name for p in landing.iterdir()
    )
    assert {s["reason"] for s in skipped} == {"already loaded"}
    runs, size, mtime = _runs(db), db.stat().st_size, db.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["ingest", "--warehouse", str(db), "--landing", str(landing)]) == 0
    captured = capsys.readouterr()
    assert "dumps:    0 new, 3 skipped, 0 quarantined" in captured.out
    assert "nothing new: no run started" in captured.err
    assert (_runs(db), db.stat().st_size, db.stat().st_mtime_ns) == (runs, size, mtime)


def test_a_new_dump_in_the_landing_folder_is_work(ingested: tuple[Path, Path], tmp_path: Path) -> None:
    landing, db = ingested
    new = generate_corpus(tmp_path / "more", n_dumps=1, seed=99)[0]
    shutil.copyfile(new, landing / "new-one.txt")
    _age(landing / "new-one.txt")
    assert _idle(landing, db) is None
    # a file still being written (fresh mtime, settle time not over) is not counted as nothing to do
    (landing / "new-one.txt").unlink()
    assert _idle(landing, db) is not None
    shutil.copyfile(new, landing / "half.txt")
    assert nothing_to_do([], landing, 3600.0, db, hash_cache(RawStore(db.parent / "raw"))) is None


def test_a_changed_file_under_a_cached_name_is_hashed_again(ingested: tuple[Path, Path]) -> None:
    """The hash cache keys on size, mtime and ctime: new bytes under an old name are new work."""
    landing, db = ingested
    victim = sorted(landing.iterdir())[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    _age(victim)
    assert _idle(landing, db) is None


def test_pending_refresh_stale_read_copy_or_a_busy_writer_is_work(ingested: tuple[Path, Path]) -> None:
    landing, db = ingested
    assert _idle(landing, db) is not None
    with duckdb.connect(str(db)) as con:  # a run that loaded but died before its refresh
        con.execute("INSERT INTO refresh_pending VALUES ('dump', 'x')")
    assert _idle(landing, db) is None
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM refresh_pending")
    assert _idle(landing, db) is not None

    state_path(read_copy_path(db)).unlink()  # the read copy's provenance unknown: publish again
    assert _idle(landing, db) is None
    assert main(["ingest", "--warehouse", str(db), "--landing", str(landing)]) == 0
    assert _idle(landing, db) is not None

    held, release = threading.Event(), threading.Event()

    def writer() -> None:
        with writer_lock(db):
            held.set()
            release.wait(60)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(60)
        assert _idle(landing, db) is None  # never waits for the writer: the run will
    finally:
        release.set()
        thread.join()


def test_a_run_lock_file_means_a_run_is_needed(
    ingested: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A lock file under $DAGSTER_HOME is a live run or a dead one to reap: only Dagster can tell."""
    landing, db = ingested
    locks = Path(os.environ["DAGSTER_HOME"]) / RUN_LOCKS_FOLDER
    locks.mkdir(parents=True, exist_ok=True)
    stale = locks / "0000-not-a-real-run.lock"
    stale.write_text("{}", encoding="utf-8")
    try:
        capsys.readouterr()
        assert main(["ingest", "--warehouse", str(db), "--landing", str(landing)]) == 0
        assert "nothing new: no run started" not in capsys.readouterr().err
        assert not stale.exists(), "the run swept the lock nobody holds"
        assert main(["ingest", "--warehouse", str(db), "--landing", str(landing)]) == 0
        assert "nothing new: no run started" in capsys.readouterr().err
    finally:
        stale.unlink(missing_ok=True)
