"""Readers while an ingest writes, and two ingests at once.

Readers (the dashboard's connection, ``bylines sql``) open only the published copy: zero lock errors, and
every state a reader sees is one that was published, never a mix. Two ingests started together serialise
on the writer lock; the second finds nothing left to do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dashboard.data import reader_connection
from orchestration.cli import main
from warehouse.integrity import content_digest, duplicate_counts, orphan_counts
from warehouse.publish import lock_path, publish_read_copy, read_copy_path, read_only_connection

BYLINES = Path(sys.executable).parent / "bylines"
COUNTS_SQL = "SELECT (SELECT count(*) FROM dumps), (SELECT count(*) FROM posts)"


def _command() -> list[str]:
    return [str(BYLINES)] if BYLINES.exists() else [sys.executable, "-m", "orchestration.cli"]


def _state(copy: Path) -> str:
    """One consistent snapshot of the published copy, as a digest of all its tables."""
    con = reader_connection(copy)
    try:
        return repr(sorted(content_digest(con).items()))
    finally:
        con.close()


def _counts(copy: Path) -> tuple[int, int]:
    con = reader_connection(copy)
    try:
        return tuple(con.execute(COUNTS_SQL).fetchone())
    finally:
        con.close()


# A reader process on the plain read-only path (warehouse.publish.read_only_connection): short queries in a
# loop until told to stop, one JSON line per answer (or an ERROR line).
READER_PROCESS = """
import json, sys, time
from pathlib import Path
from warehouse.publish import read_only_connection
copy, stop, sql = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
while not stop.exists():
    try:
        with read_only_connection(copy) as con:
            print(json.dumps(con.execute(sql).fetchone()), flush=True)
    except Exception as exc:
        print("ERROR " + type(exc).__name__ + ": " + str(exc).replace(chr(10), " "), flush=True)
    time.sleep(0.01)
"""


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
    published_counts = {_counts(copy)}
    observed: list[str] = []
    counts: list[tuple[int, int]] = []
    errors: list[str] = []
    sql_runs: list[int] = []
    stop = threading.Event()

    def dashboard_reader() -> None:
        while not stop.is_set():
            try:
                observed.append(_state(copy))
            except Exception as exc:  # noqa: BLE001 - every failure is counted below
                errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.01)  # leave the ingest some CPU on a small machine

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
            stop.wait(0.3)

    readers = [threading.Thread(target=f) for f in (dashboard_reader, sql_reader)]
    for t in readers:
        t.start()
    stop_file = tmp_path / "stop-readers"
    reader_process = subprocess.Popen(
        [sys.executable, "-c", READER_PROCESS, str(copy), str(stop_file), COUNTS_SQL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
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
            published_counts.add(_counts(copy))
    finally:
        stop.set()
        stop_file.touch()
        for t in readers:
            t.join(timeout=60)
        lines, stderr = reader_process.communicate(timeout=60)
    for line in lines.splitlines():
        if line.startswith("ERROR"):
            errors.append(f"reader process: {line}")
        else:
            counts.append(tuple(json.loads(line)))
    assert reader_process.returncode == 0, stderr[-2000:]
    lock_errors = [e for e in errors if "lock" in e.lower()]
    print(
        f"\nreaders during 2 ingests: {len(observed)} whole-copy digests, {len(counts)} count queries,"
        f" {len(sql_runs)} `bylines sql` runs; {len(lock_errors)} lock errors, {len(errors)} errors"
    )
    assert lock_errors == [] and errors == [], errors[:5]
    assert len(observed) >= 10 and len(counts) >= 10 and len(sql_runs) >= 1
    assert set(observed) <= published, "a reader saw a state that was never published"
    assert set(counts) <= published_counts, "a reader saw counts from a mix of states"
    assert len(published) == 3 and len(set(observed) | {str(c) for c in counts}) >= 3  # they saw it change


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
    publish_read_copy(db)
    holder = duckdb.connect(str(db))  # same process: DuckDB would refuse a read-only open of this file
    try:
        assert main(["sql", "--warehouse", str(db), "SELECT count(*) AS n FROM dumps"]) == 0
        assert "(1 row)" in capsys.readouterr().out
    finally:
        holder.close()


def test_transient_lock_contention_is_retried_and_bad_dumps_do_not_fail_the_run(
    tmp_path: Path, batches: list[list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer holds the warehouse longer than the lock timeout: the load step fails, Dagster's
    RetryPolicy runs it again, and the run succeeds; the bad dump beside the good ones is quarantined and
    the run's materialization metadata says so."""
    import dagster as dg
    from filelock import FileLock

    from orchestration.assets import ALL_ASSETS
    from orchestration.checks import ALL_CHECKS
    from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource

    landing = tmp_path / "landing"
    landing.mkdir()
    for p in batches[0]:
        (landing / p.name).write_bytes(p.read_bytes())
    (landing / "broken.txt").write_bytes(b"\x00\x01\x02 binary \x00" * 100)
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv("BYLINES_LOCK_TIMEOUT_SECONDS", "0.5")
    # Another writer (a separate lock object: excluded like another process) holds the lock until a few
    # seconds after parsing has staged its results, i.e. while the load step makes its first attempts.
    holder = FileLock(str(lock_path(db)), thread_local=False, is_singleton=False)
    holder.acquire()
    stage = tmp_path / "parsed"

    def release_later() -> None:
        end = time.monotonic() + 120
        while time.monotonic() < end and not any(stage.glob("*.json")):
            time.sleep(0.01)
        time.sleep(3.0)
        holder.release()

    releaser = threading.Thread(target=release_later)
    releaser.start()
    try:
        result = dg.materialize(
            [*ALL_ASSETS, *ALL_CHECKS],
            resources={
                "warehouse": WarehouseResource(path=str(db)),
                "landing": LandingFolder(path=str(landing), settle_seconds=0),
                "raw_store": RawStoreResource(path=str(tmp_path / "raw")),
            },
            run_config={"ops": {"landed_dumps": {"config": {"paths": []}}}},
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    finally:
        releaser.join()
        if holder.is_locked:
            holder.release()
    retried = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retried and {e.step_key for e in retried} == {"warehouse_tables"}
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    (mat,) = result.asset_materializations_for_node("warehouse_tables")
    summary = mat.metadata["summary"].data
    assert mat.metadata["dumps_new"].value == len(batches[0])
    assert mat.metadata["dumps_quarantined"].value == 1
    assert [q["file_name"] for q in summary["quarantined"]] == ["broken.txt"]
    assert "binary" in summary["quarantined"][0]["reason"]
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["no_orphan_rows"] and checks["no_duplicate_ids"]
    assert result.asset_materializations_for_node("published_warehouse")


def test_a_schema_change_is_published_even_when_no_data_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing skips the copy when nothing readers see changed; a view added by upgraded code counts."""
    import warehouse.schema as schema

    db = tmp_path / "w.duckdb"
    first = publish_read_copy(db).stat()
    assert publish_read_copy(db).stat().st_ino == first.st_ino  # nothing changed: not copied again
    views = tmp_path / "views.sql"  # upgraded code whose views.sql has one view more
    probe = "CREATE OR REPLACE VIEW v_upgrade_probe AS SELECT 42 AS answer;\n"
    views.write_text(schema.VIEWS_SQL.read_text(encoding="utf-8") + probe, encoding="utf-8")
    monkeypatch.setattr(schema, "VIEWS_SQL", views)
    copy = publish_read_copy(db)
    with read_only_connection(copy) as con:
        assert con.execute("SELECT answer FROM v_upgrade_probe").fetchone() == (42,)
    # force (what `bylines rebuild` uses) copies even when the state is the same
    before = copy.stat().st_ino
    assert publish_read_copy(db).stat().st_ino == before
    assert publish_read_copy(db, force=True).stat().st_ino != before


def test_a_retried_load_step_still_reports_what_its_first_attempt_did(
    tmp_path: Path, batches: list[list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transient failure after the loads committed (injected once, in the refresh): the retry finds the
    dumps done, yet the run's metadata still counts them as new and lists the quarantined one with its
    reason, instead of calling them "skipped"."""
    import dagster as dg
    import duckdb as ddb

    import warehouse.refresh as refresh
    from orchestration.assets import ALL_ASSETS
    from orchestration.checks import ALL_CHECKS
    from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource

    landing = tmp_path / "landing"
    landing.mkdir()
    for p in batches[1]:
        (landing / p.name).write_bytes(p.read_bytes())
    (landing / "broken.txt").write_bytes(b"\x00\x01\x02 binary \x00" * 100)
    real = refresh.refresh_derived
    calls: list[int] = []

    def flaky_refresh(con: object, *args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ddb.IOException("IO Error: injected transient failure (disk briefly unavailable)")
        real(con, *args, **kwargs)

    monkeypatch.setattr(refresh, "refresh_derived", flaky_refresh)
    result = dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources={
            "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
            "landing": LandingFolder(path=str(landing), settle_seconds=0),
            "raw_store": RawStoreResource(path=str(tmp_path / "raw")),
        },
        run_config={"ops": {"landed_dumps": {"config": {"paths": []}}}},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success and len(calls) == 2
    assert [e.step_key for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"] == [
        "warehouse_tables"
    ]
    (mat,) = result.asset_materializations_for_node("warehouse_tables")
    summary = mat.metadata["summary"].data
    assert (summary["dumps_new"], summary["dumps_skipped"]) == (len(batches[1]), 0)
    assert [q["file_name"] for q in summary["quarantined"]] == ["broken.txt"]
    assert summary["dumps_quarantined"] == 1 and "binary" in summary["quarantined"][0]["reason"]
