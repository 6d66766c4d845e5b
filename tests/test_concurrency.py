"""Readers while an ingest writes, and two ingests at once.

Readers (the dashboard's connection, ``bylines sql``) open only the published copy: zero lock errors, and
every state a reader sees is one that was published, never a mix. Two ingests started together serialise
on the writer lock; the second finds nothing left to do.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from dashboard.data import reader_connection
from orchestration.cli import main
from warehouse.integrity import duplicate_counts, orphan_counts
from warehouse.load import content_digest
from warehouse.publish import read_copy_path

BYLINES = Path(sys.executable).parent / "bylines"


def _command() -> list[str]:
    return [str(BYLINES)] if BYLINES.exists() else [sys.executable, "-m", "orchestration.cli"]


def _state(copy: Path) -> str:
    """One consistent snapshot of the published copy, as a digest of all its tables."""
    con = reader_connection(copy)
    try:
        return repr(sorted(content_digest(con).items()))
    finally:
        con.close()


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> list[list[Path]]:
    from samples.generator import generate_corpus

    files = generate_corpus(tmp_path_factory.mktemp("conc_dumps"), n_dumps=6, seed=53)
    return [files[:2], files[2:4], files[4:]]


def test_readers_during_ingest_see_whole_published_states(tmp_path: Path, batches: list[list[Path]]) -> None:
    db = tmp_path / "w.duckdb"
    copy = read_copy_path(db)
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dh")}
    Path(env["DAGSTER_HOME"]).mkdir()
    assert main(["ingest", *map(str, batches[0]), "--warehouse", str(db), "--workers", "1"]) == 0
    published = {_state(copy)}
    observed: list[str] = []
    errors: list[str] = []
    sql_runs: list[int] = []
    stop = threading.Event()

    def dashboard_reader() -> None:
        while not stop.is_set():
            try:
                observed.append(_state(copy))
            except Exception as exc:  # noqa: BLE001 - every failure is counted below
                errors.append(f"{type(exc).__name__}: {exc}")

    def sql_reader() -> None:
        while not stop.is_set():
            out = subprocess.run(
                [*_command(), "sql", "--warehouse", str(db), "SELECT count(*) AS n FROM dumps"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            sql_runs.append(out.returncode)
            if out.returncode != 0:
                errors.append(f"bylines sql: {out.stdout[-300:]} {out.stderr[-300:]}")

    readers = [threading.Thread(target=dashboard_reader), threading.Thread(target=sql_reader)]
    for t in readers:
        t.start()
    try:
        for batch in batches[1:]:
            run = subprocess.run(
                [*_command(), "ingest", *map(str, batch), "--warehouse", str(db), "--workers", "1"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert run.returncode == 0, run.stderr[-2000:]
            published.add(_state(copy))
    finally:
        stop.set()
        for t in readers:
            t.join(timeout=60)
    lock_errors = [e for e in errors if "lock" in e.lower()]
    assert lock_errors == [] and errors == [], errors[:5]
    assert len(observed) >= 10 and len(sql_runs) >= 1
    assert set(observed) <= published, "a reader saw a state that was never published"
    assert len(published) == 3


def test_two_ingests_at_once_serialise(tmp_path: Path, batches: list[list[Path]]) -> None:
    db = tmp_path / "w.duckdb"
    files = [str(p) for b in batches for p in b]
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dh")}
    Path(env["DAGSTER_HOME"]).mkdir()
    cmd = [*_command(), "ingest", *files, "--warehouse", str(db), "--workers", "1"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in "ab"
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    news = sorted(int(re.search(r"dumps:\s+(\d+) new", o[0]).group(1)) for o in outs)  # type: ignore[union-attr]
    assert news == [0, len(files)]  # one did the work, the other found nothing left to do
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM dumps WHERE status = 'loaded'").fetchone() == (len(files),)
        assert not any(orphan_counts(con).values()) and not any(duplicate_counts(con).values())


def test_sql_reads_only_the_published_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    from warehouse.schema import apply_schema

    with duckdb.connect(str(db)) as con:  # a writer's file exists, but nothing was published
        apply_schema(con)
    assert main(["sql", "--warehouse", str(db), "SELECT count(*) FROM dumps"]) == 2
    err = capsys.readouterr().err
    assert "no warehouse published" in err and "bylines ingest" in err
    # While a writer holds the file open, sql on the published copy still works.
    from warehouse.publish import publish_read_copy

    publish_read_copy(db)
    holder = duckdb.connect(str(db))  # same process: DuckDB would refuse a read-only open of this file
    try:
        assert main(["sql", "--warehouse", str(db), "SELECT count(*) AS n FROM dumps"]) == 0
        assert "(1 row)" in capsys.readouterr().out
    finally:
        holder.close()
