"""Publishing: readers hold the read copy open without blocking the writer; the swap is atomic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock, Timeout

from warehouse.publish import (
    clone_or_copy,
    lock_path,
    publish_read_copy,
    read_copy_path,
    read_only_connection,
    writer_lock,
)
from warehouse.schema import apply_schema


def _writer_db(path: Path, rows: int) -> None:
    with writer_lock(path):
        con = duckdb.connect(str(path))
        try:
            apply_schema(con)
            con.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
            con.execute("DELETE FROM probe")
            con.execute("INSERT INTO probe SELECT * FROM range(?)", [rows])
        finally:
            con.close()


def test_reader_on_copy_does_not_block_writer(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _writer_db(db, 3)
    copy = publish_read_copy(db)
    assert copy == read_copy_path(db) and copy != db
    reader = read_only_connection(copy)
    try:
        _writer_db(db, 7)  # would raise a lock error if the reader held the writer's file
        new_copy = publish_read_copy(db)
        assert reader.execute("SELECT count(*) FROM probe").fetchone()[0] == 3  # old snapshot, whole
    finally:
        reader.close()
    with read_only_connection(new_copy) as con:
        assert con.execute("SELECT count(*) FROM probe").fetchone()[0] == 7
        assert con.execute("SELECT count(*) FROM v_post_sightings").fetchone()[0] == 0


def test_publish_is_atomic_under_concurrent_readers(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _writer_db(db, 1)
    publish_read_copy(db)
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_loop() -> None:
        while not stop.is_set():
            try:
                with read_only_connection(read_copy_path(db)) as con:
                    n = con.execute("SELECT count(*) FROM probe").fetchone()[0]
                    assert n in (1, 2, 3, 4, 5, 6)
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    thread = threading.Thread(target=read_loop)
    thread.start()
    try:
        for rows in range(2, 7):
            _writer_db(db, rows)
            publish_read_copy(db)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert not list(tmp_path.glob(".*.tmp"))


def test_writer_lock_excludes_other_processes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    code = (
        "import sys; from filelock import FileLock, Timeout\n"
        f"try:\n    FileLock({str(lock_path(db))!r}, timeout=0.2).acquire()\n"
        "except Timeout:\n    sys.exit(3)\n"
    )
    with writer_lock(db):
        with writer_lock(db):  # re-entrant in one thread
            pass
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 3
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    with pytest.raises(Timeout), writer_lock(db):
        FileLock(str(lock_path(db)), timeout=0.1, thread_local=False, is_singleton=False).acquire()


def test_publish_of_a_missing_warehouse_gives_readers_the_views(tmp_path: Path) -> None:
    copy = publish_read_copy(tmp_path / "new.duckdb")
    with read_only_connection(copy) as con:
        assert con.execute("SELECT count(*) FROM v_post_sightings").fetchone()[0] == 0


def test_publish_skips_the_copy_when_nothing_readers_see_changed(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _writer_db(db, 3)
    first = publish_read_copy(db).stat()
    again = publish_read_copy(db).stat()  # a nightly run with nothing new
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    _writer_db(db, 5)
    changed = publish_read_copy(db).stat()
    assert changed.st_ino != first.st_ino


# A folder on a filesystem with reflinks (btrfs, XFS with reflink=1), e.g. a loop-mounted image:
# the clone path of publishing is exercised there as well as in the test's own tmp_path.
ENV_REFLINK_DIR = "BYLINES_TEST_REFLINK_DIR"


@pytest.fixture
def publish_dirs(tmp_path: Path) -> Iterator[list[tuple[Path, bool]]]:
    """(folder, must the copy be a clone there): the test's tmp_path, and the reflink folder if given."""
    dirs = [(tmp_path, False)]
    reflink = os.environ.get(ENV_REFLINK_DIR)
    here = Path(reflink) / f"bylines-test-{os.getpid()}-{tmp_path.name}" if reflink else None
    if here is not None:
        here.mkdir(parents=True, exist_ok=True)
        dirs.append((here, True))
    yield dirs
    if here is not None:
        shutil.rmtree(here, ignore_errors=True)


def test_clone_or_copy_makes_an_identical_file_that_later_writes_do_not_touch(
    publish_dirs: list[tuple[Path, bool]],
) -> None:
    for folder, must_clone in publish_dirs:
        db = folder / "w.duckdb"
        _writer_db(db, 3)
        with duckdb.connect(str(db)) as con:
            con.execute("CHECKPOINT")
        copy = folder / "copy.duckdb"
        copy.write_bytes(b"left over from an earlier attempt, longer than nothing")
        how = clone_or_copy(db, copy)
        assert how in ("clone", "copy")
        if must_clone:
            assert how == "clone"
        assert copy.read_bytes() == db.read_bytes()
        _writer_db(db, 9)  # the writer goes on writing its file
        with duckdb.connect(str(db)) as con:
            con.execute("CHECKPOINT")
        with read_only_connection(copy) as con:
            assert con.execute("SELECT count(*) FROM probe").fetchone()[0] == 3


def test_publish_by_clone_or_copy_keeps_readers_on_their_snapshot(
    publish_dirs: list[tuple[Path, bool]],
) -> None:
    for folder, _must_clone in publish_dirs:
        db = folder / "w.duckdb"
        _writer_db(db, 4)
        reader = read_only_connection(publish_read_copy(db, force=True))
        try:
            _writer_db(db, 8)
            copy = publish_read_copy(db, force=True)
            assert reader.execute("SELECT count(*) FROM probe").fetchone()[0] == 4  # its old snapshot
        finally:
            reader.close()  # (one process shares one DuckDB instance per path: close before reopening)
        with read_only_connection(copy) as con:
            assert con.execute("SELECT count(*) FROM probe").fetchone()[0] == 8
        assert not list(folder.glob(".*.tmp"))
