"""SIGKILL an ingest at random points: the warehouse always opens, its integrity checks pass, and a re-run
converges to exactly the content of an uninterrupted run. ``bylines rebuild`` reproduces it from the raw
store alone, also after a crash, and a rebuild killed half-way leaves the old warehouse whole.

Content is compared with ``warehouse.load.content_digest`` over every table, which leaves out only what
records when and where (received/loaded times, raw paths, the run log), never what was extracted.
"""

from __future__ import annotations

import hashlib
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
from warehouse.integrity import content_digest, duplicate_counts, orphan_counts
from warehouse.landing import REFUSED_PREFIX
from warehouse.publish import read_copy_path

BYLINES = Path(sys.executable).parent / "bylines"
TRIALS = 10
REBUILD_TRIALS = 3
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


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> tuple[Path, dict[str, str]]:
    """One uninterrupted in-process ingest of the corpus: its folder (warehouse, read copy, raw store)
    and its content digest. Tests copy the folder rather than ingest again."""
    folder = tmp_path_factory.mktemp("crash_reference")
    _ingest_in_process(folder / "w.duckdb", corpus)
    return folder, _digest(folder / "w.duckdb")


def _copy_of(reference: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    """A private copy of the reference warehouse (its rows' raw_path still name the reference's store)."""
    shutil.copytree(reference[0], tmp_path, dirs_exist_ok=True)
    return tmp_path / "w.duckdb"


def _digest(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return content_digest(con)


def _ingest_in_process(db: Path, landing: Path, *paths: Path) -> None:
    argv = ["ingest", *map(str, paths), "--warehouse", str(db), "--landing", str(landing), "--workers", "1"]
    assert main(argv) == 0


def _assert_opens_and_sound(db: Path) -> str:
    """Open the warehouse as the next writer would and check it; returns what the kill left, in short:
    dumps recorded, whether derived data was pending (killed between loads and refresh), runs recorded,
    whether a read copy was published."""
    if not db.exists():
        return "no warehouse yet"  # killed before the warehouse was created: nothing to check
    con = duckdb.connect(str(db))  # read-write, as the next writer opens it (replays any WAL)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        state = "no tables yet"
        if "dumps" in tables:
            assert not any(orphan_counts(con).values()), orphan_counts(con)
            assert not any(duplicate_counts(con).values()), duplicate_counts(con)
            statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM dumps").fetchall()}
            assert statuses <= {"loaded", "quarantined"}
            dumps, runs = con.execute(
                "SELECT (SELECT count(*) FROM dumps), (SELECT count(*) FROM ingest_runs)"
            ).fetchone()
            pending = (
                "refresh_pending" in tables
                and con.execute("SELECT count(*) FROM refresh_pending").fetchone()[0]
            )
            state = f"{dumps} dumps, {'refresh pending' if pending else 'derived current'}, {runs} run(s)"
    finally:
        con.close()
    copy = read_copy_path(db)
    if copy.exists():  # the published copy is always a whole database
        with duckdb.connect(str(copy), read_only=True) as con:
            published = con.execute("SELECT count(*) FROM dumps").fetchone()[0]
        state += f", copy with {published} dumps"
    return state


def _assert_raw_store_holds_every_dump(db: Path) -> None:
    """Every dump the warehouse records has its bytes in the raw store, under their own hash."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT dump_id, raw_path FROM dumps").fetchall()
    for dump_id, raw_path in rows:
        if dump_id.startswith(REFUSED_PREFIX):
            continue
        assert hashlib.sha256(Path(raw_path).read_bytes()).hexdigest() == dump_id


def _spawn(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _wait_for(path: Path, proc: subprocess.Popen[bytes], limit: float = 60.0) -> bool:
    """Poll until ``path`` exists (True) or the process ended (False)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if path.exists():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


def test_sigkill_at_random_points_then_rerun_converges(
    tmp_path: Path, corpus: Path, reference: tuple[Path, dict[str, str]]
) -> None:
    reference_db = tmp_path / "reference" / "w.duckdb"
    reference_db.parent.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    Path(env["DAGSTER_HOME"]).mkdir()
    cmd = [*_command(), "ingest", "--landing", str(corpus), "--workers", "1", "--warehouse"]
    # The uninterrupted run, timed: its whole run time, and the part after the warehouse file appears
    # (loads, derived data, checks, publishing), which is where most kills are aimed.
    start = time.perf_counter()
    proc = _spawn([*cmd, str(reference_db)], env)
    assert _wait_for(reference_db, proc)
    writing_from = time.perf_counter()
    assert proc.wait(timeout=120) == 0
    full = time.perf_counter() - start
    window = time.perf_counter() - writing_from
    assert _digest(reference_db) == reference[1]  # a subprocess run and an in-process run agree
    digest = reference[1]
    assert digest["dumps"].startswith("8:") and not digest["posts"].startswith("0:")

    rng = random.Random(SEED)
    states: list[tuple[str, float, str, str]] = []  # (aim, delay, killed?, what the kill left)
    killed = 0
    scale = 1.0  # shrinks when a run beat its kill (a quieter machine than timed), so kills stay mid-run
    for trial in range(TRIALS):
        db = tmp_path / f"trial{trial}" / "w.duckdb"
        db.parent.mkdir()
        if trial % 3 == 2:  # some trials start with the bytes already in the raw store (a re-delivery)
            shutil.copytree(reference_db.parent / "raw", db.parent / "raw")
        proc = _spawn([*cmd, str(db)], env)
        if trial % 2:  # aimed at the writing part: after the warehouse file appears
            aim = "writing"
            delay = rng.uniform(0.0, 1.1) * window * scale
            _wait_for(db, proc)
        else:  # anywhere in the run, landing and parsing included
            aim = "anywhere"
            delay = rng.uniform(0.2, 1.0) * full * scale
        time.sleep(delay)
        outcome = "finished"
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed += 1
            outcome = "killed"
        else:
            scale *= 0.6
        proc.wait(timeout=30)
        states.append((aim, round(delay, 2), outcome, _assert_opens_and_sound(db)))
        _ingest_in_process(db, corpus)  # the re-run
        _assert_opens_and_sound(db)
        assert _digest(db) == digest, f"trial {trial} did not converge"
        assert _digest(read_copy_path(db)) == digest, f"trial {trial}: readers were not given the result"
        assert not list(db.parent.glob(".*.tmp")), "a stale temp copy was left behind"
        _assert_raw_store_holds_every_dump(db)
    print(f"\nSIGKILL trials (run {full:.1f} s, writing {window:.1f} s):")
    for aim, delay, outcome, left in states:
        print(f"  {aim:8} after {delay:5.2f} s: {outcome:8} -> {left}")
    assert killed >= TRIALS // 2, f"only {killed} of {TRIALS} runs were still going when the kill came"
    # A warehouse that went through a crash rebuilds from its raw store alone to the same content.
    crashed = tmp_path / "trial1" / "w.duckdb"
    assert main(["rebuild", "--warehouse", str(crashed), "--workers", "1"]) == 0
    assert _digest(crashed) == digest


def test_rebuild_from_raw_store_gives_the_same_content(
    tmp_path: Path, reference: tuple[Path, dict[str, str]]
) -> None:
    db = _copy_of(reference, tmp_path)
    before = reference[1]
    db.unlink()
    read_copy_path(db).unlink()
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0
    assert _digest(db) == before
    assert _digest(read_copy_path(db)) == before
    _assert_opens_and_sound(db)
    # A rebuild over an existing warehouse (the usual case) also gives the same content.
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0
    assert _digest(db) == before


def test_sigkill_during_rebuild_leaves_the_old_warehouse(
    tmp_path: Path, reference: tuple[Path, dict[str, str]]
) -> None:
    """A rebuild killed at a random point: the warehouse is the old one or the rebuilt one, never half."""
    db = _copy_of(reference, tmp_path)
    digest = reference[1]
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    cmd = [*_command(), "rebuild", "--warehouse", str(db), "--workers", "1"]
    start = time.perf_counter()
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode == 0
    full = time.perf_counter() - start
    rng = random.Random(SEED + 1)
    for _ in range(REBUILD_TRIALS):
        proc = _spawn(cmd, env)
        time.sleep(rng.uniform(0.3, 1.0) * full)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        _assert_opens_and_sound(db)
        assert _digest(db) == digest
        assert _digest(read_copy_path(db)) == digest
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0  # clears what the kills left
    assert _digest(db) == digest
    assert not list(tmp_path.glob(".w.duckdb.rebuild-*"))


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
    raw = RawStore(tmp_path / "raw").path_for(dump_id)  # the copy's store, not the reference's
    raw.chmod(0o644)
    raw.write_bytes(raw.read_bytes().replace(b"the", b"THE", 1))
    assert main(["rebuild", "--warehouse", str(db), "--workers", "1"]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        status, error = con.execute("SELECT status, error FROM dumps WHERE dump_id = ?", [dump_id]).fetchone()
        loaded = con.execute("SELECT count(*) FROM dumps WHERE status = 'loaded'").fetchone()[0]
    assert status == "quarantined" and "damaged" in error and "deliver the file again" in error, name
    assert loaded == 5  # the other dumps were rebuilt
    _assert_opens_and_sound(db)


def test_derived_data_catches_up_after_a_kill_between_load_and_refresh(
    tmp_path: Path, corpus: Path, reference: tuple[Path, dict[str, str]]
) -> None:
    """A run killed after its loads committed but before the refresh: the next run (nothing new) refreshes.

    The kill is reproduced exactly: an earlier run finished, then a second run's loads commit (each in
    its own transaction, as the job does) and nothing after them happens (no refresh, no run record).
    """
    from warehouse.bookkeeping import derived_is_stale
    from warehouse.load import load_or_quarantine
    from warehouse.parsing import parse_many
    from warehouse.rawstore import RawStore
    from warehouse.schema import apply_schema

    db = tmp_path / "w.duckdb"
    files = sorted(corpus.iterdir())
    _ingest_in_process(db, corpus, *files[:3])  # the earlier, finished run
    store = RawStore(tmp_path / "raw")
    metas = [store.put_file(p) for p in files[3:]]
    with duckdb.connect(str(db)) as con:
        apply_schema(con)
        assert load_or_quarantine(con, parse_many(metas, max_workers=1)).loaded >= 2
        assert derived_is_stale(con)
    _ingest_in_process(db, corpus)  # finds nothing new, but brings the derived data up to date
    assert _digest(db) == reference[1]
    assert _digest(read_copy_path(db)) == reference[1]
    with duckdb.connect(str(db), read_only=True) as con:
        assert not derived_is_stale(con)
