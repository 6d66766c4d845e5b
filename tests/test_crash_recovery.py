"""SIGKILL an ingest at random points: the warehouse always opens, its integrity checks pass, and a re-run
converges to exactly the content of an uninterrupted run. ``bylines rebuild`` reproduces it from the raw
store alone.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from warehouse.integrity import duplicate_counts, orphan_counts
from warehouse.load import content_digest

BYLINES = Path(sys.executable).parent / "bylines"
TRIALS = 10
SEED = 20261122


def _command() -> list[str]:
    return [str(BYLINES)] if BYLINES.exists() else [sys.executable, "-m", "orchestration.cli"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small generated dumps plus two bad inputs (so quarantine rows are part of the content too)."""
    from samples.generator import generate_corpus

    landing = tmp_path_factory.mktemp("crash_corpus")
    generate_corpus(landing, n_dumps=6, seed=29)
    (landing / "not a dump.txt").write_bytes(b"\x00\x01 binary \x00" * 300)
    (landing / "shopping list.txt").write_bytes(b"eggs\nmilk\nbread\n")
    return landing


def _digest(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return content_digest(con)


def _ingest_in_process(db: Path, landing: Path) -> None:
    assert main(["ingest", "--warehouse", str(db), "--landing", str(landing), "--workers", "1"]) == 0


def _assert_opens_and_sound(db: Path) -> None:
    if not db.exists():
        return  # killed before the warehouse was created: nothing to check
    con = duckdb.connect(str(db))  # read-write, as the next writer opens it (replays any WAL)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "dumps" in tables:
            assert not any(orphan_counts(con).values()), orphan_counts(con)
            assert not any(duplicate_counts(con).values()), duplicate_counts(con)
            statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM dumps").fetchall()}
            assert statuses <= {"loaded", "quarantined"}
    finally:
        con.close()
    copy = db.with_name(db.stem + ".read.duckdb")
    if copy.exists():  # the published copy is always a whole database
        with duckdb.connect(str(copy), read_only=True) as con:
            con.execute("SELECT count(*) FROM dumps").fetchone()


def test_sigkill_at_random_points_then_rerun_converges(tmp_path: Path, corpus: Path) -> None:
    reference_db = tmp_path / "reference" / "w.duckdb"
    reference_db.parent.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    Path(env["DAGSTER_HOME"]).mkdir()
    cmd = [*_command(), "ingest", "--landing", str(corpus), "--workers", "1", "--warehouse"]
    start = time.perf_counter()
    done = subprocess.run([*cmd, str(reference_db)], env=env, capture_output=True, text=True, timeout=120)
    full = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-2000:]
    reference = _digest(reference_db)
    assert reference["dumps"].startswith("8:") and not reference["posts"].startswith("0:")

    rng = random.Random(SEED)
    killed = 0
    for trial in range(TRIALS):
        db = tmp_path / f"trial{trial}" / "w.duckdb"
        db.parent.mkdir()
        if trial % 3 == 2:  # some trials start with the bytes already in the raw store (a re-delivery)
            shutil.copytree(reference_db.parent / "raw", db.parent / "raw")
        proc = subprocess.Popen(
            [*cmd, str(db)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Most of the first seconds are imports: aim the kills at the part that writes.
        time.sleep(rng.uniform(0.3, 1.0) * full)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait(timeout=30)
        _assert_opens_and_sound(db)
        _ingest_in_process(db, corpus)  # the re-run
        _assert_opens_and_sound(db)
        assert _digest(db) == reference, f"trial {trial} did not converge"
        assert not list(db.parent.glob(".*.tmp")), "a stale temp copy was left behind"
    assert killed >= TRIALS // 2, f"only {killed} of {TRIALS} runs were still going when the kill came"


def test_rebuild_from_raw_store_gives_the_same_content(tmp_path: Path, corpus: Path) -> None:
    db = tmp_path / "w.duckdb"
    _ingest_in_process(db, corpus)
    before = _digest(db)
    db.unlink()
    db.with_name(db.stem + ".read.duckdb").unlink()
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0
    assert _digest(db) == before
    _assert_opens_and_sound(db)
    # A rebuild over an existing warehouse (the usual case) also gives the same content.
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0
    assert _digest(db) == before


def test_derived_data_catches_up_after_a_kill_between_load_and_refresh(tmp_path: Path, corpus: Path) -> None:
    """A run killed after loading but before refreshing: the next run (nothing new) refreshes anyway."""
    from warehouse.recovery import derived_is_stale

    db = tmp_path / "w.duckdb"
    _ingest_in_process(db, corpus)
    reference = _digest(db)
    with duckdb.connect(str(db)) as con:  # what the kill leaves: derived data one step behind, no run row
        con.execute("UPDATE dumps SET superseded_by = NULL")
        con.execute("UPDATE articles SET year = NULL WHERE date_basis = 'inferred'")
        con.execute("DELETE FROM ingest_runs")
        assert derived_is_stale(con)
    _ingest_in_process(db, corpus)
    assert _digest(db) == reference
