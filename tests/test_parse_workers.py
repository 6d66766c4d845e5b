"""The parse pool's workers: forked from a warmed-up server, lean, replaced as they go, and gone after a stop.

``warehouse.parsing`` runs its pool from multiprocessing's fork server with ``warehouse.parse_worker``
preloaded: a worker starts with the parser imported and its model and gazetteer loaded, without
Dagster, and is replaced every ``WORKER_MAX_BYTES`` read so the parser's caches stay bounded. A
SIGTERM while the pool parses ends the ingest (exit 143) and leaves no worker behind.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from warehouse.parsing import _WorkerPool, iter_parsed
from warehouse.rawstore import RawStore

BYLINES = Path(sys.executable).parent / "bylines"
STOP_LIMIT_S = 5.0
GONE_LIMIT_S = 120.0  # a worker busy with a dump finishes it, then finds its pool gone and exits


def probe(n: int) -> tuple[int, int, list[str], bool]:
    """Run in a pool worker: its pid, which heavy modules it holds, and whether the model is loaded."""
    from transforms.model import _load

    heavy = sorted(
        m for m in ("dagster", "orchestration.assets", "pandas", "transforms.parse") if m in sys.modules
    )
    return n, os.getpid(), heavy, _load.cache_info().currsize > 0


def test_workers_start_warm_without_dagster_keep_order_and_are_replaced() -> None:
    pool = _WorkerPool(workers=2, per_worker=2_000)
    try:
        results = list(pool.map_in_order(probe, [(n,) for n in range(12)], [1_000] * 12))
    finally:
        pool.close(True)
    assert [r[0] for r in results] == list(range(12))
    for _n, pid, heavy, model_loaded in results:
        assert pid != os.getpid()
        assert heavy == ["transforms.parse"]  # the parser preloaded; Dagster and pandas never
        assert model_loaded  # loaded once in the server, before any dump
    # 12 dumps of 1,000 bytes, 2 workers, 2,000 bytes each before a fresh fork takes its place: 6 in all
    assert len({r[1] for r in results}) >= 6


def test_a_pool_parses_in_order_and_stops_its_server(tmp_path: Path, seeds: list[Path]) -> None:
    from multiprocessing import forkserver

    store = RawStore(tmp_path / "raw")
    metas = [store.put_file(p) for p in seeds]
    metas += [store.put_bytes(b"tea\ncoffee\n", "drinks.txt")]
    import warehouse.parsing as parsing

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parsing, "POOL_MIN_BYTES", 0)
        mp.setattr(parsing, "WORKER_MAX_BYTES", 1)
        items = list(iter_parsed(metas, max_workers=2, stage_dir=str(tmp_path / "stage")))
    assert [i.meta.dump_id for i in items] == [m.dump_id for m in metas]
    assert all(i.parsed_path for i in items[:-1]) and items[-1].error
    # the server holding the model does not outlive the pool (it is stopped on a thread of its own)
    stopping = parsing._WorkerPool._stopping
    assert stopping is not None
    stopping.join(GONE_LIMIT_S)
    assert getattr(forkserver._forkserver, "_forkserver_pid", None) is None


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        here = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{here}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                kids = Path(f"/proc/{here}/task/{task}/children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the workers")
def test_sigterm_while_the_pool_parses_ends_the_ingest_and_leaves_no_worker(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from test_crash_recovery import Parked  # the crash tests' parked child process

    from samples.generator import generate_corpus

    landing = tmp_path / "landing"
    generate_corpus(landing, n_dumps=6, seed=31, target_bytes=3_000_000)
    home = tmp_path_factory.mktemp("dagster_home_pool")
    cmd = [str(BYLINES), "ingest", "--warehouse", str(tmp_path / "w.duckdb"), "--landing", str(landing)]
    parked = Parked([*cmd, "--workers", "2"], "parsed_dumps:parsed", home)
    pid = parked.wait_parked()
    workers = _descendants(pid)
    assert len(workers) >= 2, "the pool's server and workers run while the first parsed dump is checked"
    code, seconds = parked.signal(signal.SIGTERM)
    assert code == 128 + signal.SIGTERM and seconds < STOP_LIMIT_S
    deadline = time.monotonic() + GONE_LIMIT_S
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)  # polling for the workers' exit, not staging a race
    assert not [w for w in workers if _alive(w)]


def test_two_processes_staging_one_dump_do_not_share_its_stage(tmp_path: Path, seeds: list[Path]) -> None:
    """Two ingests at once may parse the same new dump: each process stages it in a folder of its
    own, so one's stage is never replaced while the other's writer reads it."""
    from concurrent.futures import ProcessPoolExecutor

    from warehouse.parsing import parse_one
    from warehouse.staging import read_stage

    meta = RawStore(tmp_path / "raw").put_file(seeds[0])
    stage = str(tmp_path / "stage")
    mine = parse_one(meta, stage_dir=stage)
    with ProcessPoolExecutor(1) as other:
        theirs = other.submit(parse_one, meta, None, stage).result()
    assert mine.parsed_path and theirs.parsed_path and mine.parsed_path != theirs.parsed_path
    tables = [read_stage(Path(i.parsed_path or "")).tables for i in (mine, theirs)]
    assert tables[0].keys() == tables[1].keys()
    mine.discard_stage()
    assert not Path(mine.parsed_path).exists() and Path(theirs.parsed_path).is_dir()


def test_the_writer_sweeps_what_killed_runs_staged_of_loaded_dumps(tmp_path: Path, seeds: list[Path]) -> None:
    """A run killed between its parse and its load leaves its stage (and may leave a half-written one);
    the next run that loads the dump removes them. A stage of a dump the warehouse does not hold yet, or
    one a live process is writing, may be another run's, and stays."""
    from concurrent.futures import ProcessPoolExecutor

    from conftest import ingest_files

    from warehouse.ingest import stage_dir
    from warehouse.parsing import parse_one

    store = RawStore(tmp_path / "raw")
    loaded, pending = store.put_file(seeds[0]), store.put_file(seeds[1])
    stage = stage_dir(store)
    with ProcessPoolExecutor(1) as killed_run:  # a process of its own, gone before the next run
        runs = [killed_run.submit(parse_one, m, None, str(stage)) for m in (loaded, pending)]
        left = [r.result().parsed_path for r in runs]
    gone = left_over_pid()
    half_written = stage / f".{loaded.dump_id}.{gone}.{gone}.tmp"
    half_written.mkdir()
    (half_written / "dumps.arrow").write_bytes(b"cut short")
    live = os.getppid()  # a process that outlives the test, as another ingest's parse would
    in_progress = stage / f".{loaded.dump_id}.{live}.{live}.tmp"
    in_progress.mkdir()
    assert all(p and Path(p).is_dir() for p in left)

    summary = ingest_files([seeds[0]], tmp_path / "w.duckdb", raw=tmp_path / "raw")

    assert summary["dumps_new"] == 1
    assert sorted(p.name for p in stage.iterdir()) == sorted([Path(left[1] or "").name, in_progress.name])


def left_over_pid() -> int:
    """The pid of a process that has ended (what a killed run's stage names)."""
    import subprocess

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(child.stdout)
