"""Readers while an ingest writes, and two ingests at once.

Readers (the dashboard's connection, ``bylines sql``) open only the published copy: zero lock errors, and
every state a reader sees is one that was published, never a mix. Two ingests started together serialise
on the writer lock; the second finds nothing left to do.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
# loop, one JSON line per answer (or an ERROR line), until its stdin is closed (which also paces the loop).
READER_PROCESS = """
import json, select, sys
from pathlib import Path
from warehouse.publish import read_only_connection
copy, sql = Path(sys.argv[1]), sys.argv[2]
while not select.select([sys.stdin], [], [], 0.01)[0]:
    try:
        with read_only_connection(copy) as con:
            print(json.dumps(con.execute(sql).fetchone()), flush=True)
    except Exception as exc:
        print("ERROR " + type(exc).__name__ + ": " + str(exc).replace(chr(10), " "), flush=True)
"""


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> list[list[Path]]:
    from samples.generator import generate_corpus

    files = generate_corpus(tmp_path_factory.mktemp("conc_dumps"), n_dumps=6, seed=53)
    return [files[:2], files[2:4], files[4:]]


def test_readers_during_ingest_see_whole_published_states(tmp_path: Path, batches: list[list[Path]]) -> None:
    """Readers query continuously while two ingests run; after each ingest the test waits (on what the
    readers report, not on time) until every reader has seen the new copy."""
    db = tmp_path / "w.duckdb"
    copy = read_copy_path(db)
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dh")}
    Path(env["DAGSTER_HOME"]).mkdir()
    assert main(["ingest", *map(str, batches[0]), "--warehouse", str(db), "--workers", "1"]) == 0
    published = [_state(copy)]
    published_counts = [_counts(copy)]
    observed: list[str] = []
    counts: list[tuple[int, int]] = []
    errors: list[str] = []
    sql_runs: list[int] = []
    stop = threading.Event()
    seen = threading.Condition()
    # DuckDB shares one instance per file among a process's connections: the main thread's read of
    # a just-published copy would read the old copy while the reader thread holds it open (the
    # dashboard's open_reader labels such reads; these plain reads do not). So the two take turns.
    in_process = threading.Lock()

    def dashboard_reader() -> None:
        while not stop.wait(0.05):  # pacing only: leaves the ingest (and another test worker) some CPU
            try:
                with in_process:
                    state = _state(copy)
            except Exception as exc:  # noqa: BLE001 - every failure is counted below
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with seen:
                observed.append(state)
                seen.notify_all()

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
            stop.wait(1.0)  # pacing only: each run starts a Python process (about a second of CPU)

    def process_reads_until(expected: tuple[int, int]) -> None:
        """Lines of the reader process up to its first answer from the copy just published."""
        assert reader_process.stdout is not None
        for line in reader_process.stdout:
            if line.startswith("ERROR"):
                errors.append(f"reader process: {line.strip()}")
                continue
            counts.append(tuple(json.loads(line)))
            if counts[-1] == expected:
                return
        raise AssertionError("the reader process ended before it saw the new copy")

    readers = [threading.Thread(target=f) for f in (dashboard_reader, sql_reader)]
    reader_process = subprocess.Popen(
        [sys.executable, "-c", READER_PROCESS, str(copy), COUNTS_SQL],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
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
            with in_process:
                published.append(_state(copy))
                published_counts.append(_counts(copy))
            with seen:
                assert seen.wait_for(lambda: published[-1] in observed, timeout=60), "the reader never saw it"
            process_reads_until(published_counts[-1])
    finally:
        stop.set()
        for t in readers:
            t.join(timeout=60)
        rest, stderr = reader_process.communicate("", timeout=60)
    for line in rest.splitlines():
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
    assert len(set(published)) == 3 and len(set(published_counts)) == 3 and sql_runs
    assert set(observed) <= set(published), "a reader saw a state that was never published"
    assert set(counts) <= set(published_counts), "a reader saw counts from a mix of states"
    assert set(published[1:]) <= set(observed) and set(published_counts[1:]) <= set(
        counts
    )  # they saw it change


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


def _materialize_landing(landing: Path, tmp_path: Path) -> Any:
    import dagster as dg

    from orchestration.assets import ALL_ASSETS
    from orchestration.checks import ALL_CHECKS
    from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource
    from orchestration.runs import RunGuard

    return dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources={
            "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
            "landing": LandingFolder(path=str(landing), settle_seconds=0),
            "raw_store": RawStoreResource(path=str(tmp_path / "raw")),
            "run_guard": RunGuard(),
        },
        run_config={"ops": {"landed_dumps": {"config": {"paths": []}}}},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


class _Said(logging.Handler):
    """Collects what the warehouse layer says, and tells a test when it said something."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.waiting = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        if "waiting for the writer lock" in record.getMessage():
            self.waiting.set()


@pytest.fixture
def said() -> Iterator[_Said]:
    handler = _Said()
    logger = logging.getLogger("bylines.lock")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _other_writer(db: Path, what: str) -> Any:
    """Another writer holding the lock (another lock object: excluded like another process), and its note."""
    from filelock import FileLock

    from warehouse.publish import owner_note_path

    holder = FileLock(str(lock_path(db)), thread_local=False, is_singleton=False)
    holder.acquire()
    note = {"what": what, "pid": 4242, "host": "elsewhere", "since": "2026-01-01 00:00:00 UTC"}
    owner_note_path(db).write_text(json.dumps(note), encoding="utf-8")
    return holder


def test_a_writer_waits_for_the_lock_saying_for_whom_and_goes_on_when_it_is_free(
    tmp_path: Path, batches: list[list[Path]], said: _Said
) -> None:
    """Another writer holds the warehouse: the load step waits, says whom it waits for, and loads once the
    lock is released (when the wait was announced: an event, not a delay); the bad dump beside the good ones
    is quarantined and the run's metadata says so."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for p in batches[0]:
        (landing / p.name).write_bytes(p.read_bytes())
    (landing / "broken.txt").write_bytes(b"\x00\x01\x02 binary \x00" * 100)
    holder = _other_writer(tmp_path / "w.duckdb", "bylines rebuild")
    releaser = threading.Thread(target=lambda: said.waiting.wait(120) and holder.release())
    releaser.start()
    try:
        result = _materialize_landing(landing, tmp_path)
    finally:
        releaser.join()
        if holder.is_locked:
            holder.release()
    assert any(
        "held by bylines rebuild (pid 4242 on elsewhere) since 2026-01-01" in line for line in said.lines
    )
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    (mat,) = result.asset_materializations_for_node("warehouse_tables")
    summary = mat.metadata["summary"].data
    assert mat.metadata["dumps_new"].value == len(batches[0])
    assert mat.metadata["dumps_quarantined"].value == 1
    assert [q["file_name"] for q in summary["quarantined"]] == ["broken.txt"]
    assert "binary" in summary["quarantined"][0]["reason"]
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["no_orphan_rows"] and checks["no_duplicate_ids"]
    assert result.asset_materializations_for_node("published_warehouse")


def test_a_writer_gives_up_on_the_lock_after_the_timeout_with_a_clear_error(
    tmp_path: Path, batches: list[list[Path]], monkeypatch: pytest.MonkeyPatch, said: _Said
) -> None:
    """Held past BYLINES_LOCK_TIMEOUT_SECONDS: the run fails at once (no retry starts the wait over), saying
    who holds the lock; ``bylines ingest`` exits non-zero with that reason."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / batches[0][0].name).write_bytes(batches[0][0].read_bytes())
    monkeypatch.setenv("BYLINES_LOCK_TIMEOUT_SECONDS", "1")
    holder = _other_writer(tmp_path / "w.duckdb", "bylines rebuild")
    try:
        result = _materialize_landing(landing, tmp_path)
        assert not result.success
        assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
        failure = result.failure_data_for_node("landed_dumps") or result.failure_data_for_node(
            "warehouse_tables"
        )
        assert (
            failure is not None
            and "gave up after 1 s waiting for the writer lock" in failure.error.to_string()
        )
        env = {**os.environ, "BYLINES_LOCK_TIMEOUT_SECONDS": "1", "DAGSTER_HOME": str(tmp_path / "dh")}
        cmd = [*_command(), "ingest", "--warehouse", str(tmp_path / "w.duckdb"), "--landing", str(landing)]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 1
        assert (
            "waiting for the writer lock" in out.stderr and "held by bylines rebuild (pid 4242" in out.stderr
        )
        assert "gave up after 1 s waiting for the writer lock" in out.stdout
    finally:
        holder.release()


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
    import duckdb as ddb

    import warehouse.refresh as refresh

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
    result = _materialize_landing(landing, tmp_path)
    assert result.success and len(calls) == 2
    assert [e.step_key for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"] == [
        "warehouse_tables"
    ]
    (mat,) = result.asset_materializations_for_node("warehouse_tables")
    summary = mat.metadata["summary"].data
    assert (summary["dumps_new"], summary["dumps_skipped"]) == (len(batches[1]), 0)
    assert [q["file_name"] for q in summary["quarantined"]] == ["broken.txt"]
    assert summary["dumps_quarantined"] == 1 and "binary" in summary["quarantined"][0]["reason"]
