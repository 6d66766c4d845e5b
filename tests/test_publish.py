"""Publishing: readers hold the read copy open without blocking the writer; the swap is atomic; the copy
not in use is patched block by block into the writer's bytes, never under a reader, and made whole again
whenever its manifest cannot vouch for it."""

from __future__ import annotations

import json
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

from warehouse import blockcopy
from warehouse.blockcopy import NotPatchable, block_digests, manifest_path, patch_copy, write_manifest
from warehouse.publish import (
    clone_or_copy,
    copy_paths,
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


WIDE_TABLE = "CREATE TABLE wide AS SELECT range AS i, repeat('x', 200) || range AS t FROM range(200000)"


def _bytes_equal(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _standby(db: Path) -> Path:
    published = read_copy_path(db).stat().st_ino
    return next(c for c in copy_paths(read_copy_path(db)) if c.stat().st_ino != published)


def _wide_writer(db: Path) -> None:
    _writer_db(db, 1000)
    with duckdb.connect(str(db)) as con:  # a warehouse of some size: a patch writes a small share of it
        con.execute(WIDE_TABLE)


def test_publish_patches_the_other_copy_and_gives_readers_the_writers_bytes(tmp_path: Path) -> None:
    """The first publish makes both copies (so the next run, a nightly's new dump, never copies the
    warehouse whole); every later one patches the older copy in place (same inode) into a byte-for-byte
    copy of the writer's file, and swaps the published name to it. The small writes here (3000, then
    3001 rows) are those whose DuckDB metadata blocks change with unchanged DuckDB checksums."""
    db = tmp_path / "w.duckdb"
    _wide_writer(db)
    _writer_db(db, 1000)
    publish_read_copy(db)
    assert all(c.is_file() and manifest_path(c).is_file() for c in copy_paths(read_copy_path(db)))
    for rows in (2000, 3000, 3001, 3002, 50_000):
        inode = _standby(db).stat().st_ino
        _writer_db(db, rows)
        published = publish_read_copy(db)
        assert published.stat().st_ino == inode, "the standby copy was patched in place"
        assert _bytes_equal(published, db)
        with read_only_connection(published) as con:
            assert con.execute("SELECT count(*) FROM probe").fetchone()[0] == rows


def _block_size(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0])


def _manifested_copy(db: Path, old: Path, block_size: int = 0) -> int:
    """Make ``old`` a copy of ``db`` with its manifest (a standby as a publish leaves it); its block size."""
    block_size = block_size or _block_size(db)
    shutil.copyfile(db, old)
    write_manifest(old, block_digests(db, block_size), block_size)
    return block_size


def _patched(db: Path, old: Path, block_size: int) -> blockcopy.Patch:
    fd = os.open(old, os.O_RDWR)
    try:
        return patch_copy(db, old, fd, block_digests(db, block_size), block_size)
    finally:
        os.close(fd)


def test_patch_copy_writes_only_changed_blocks_and_refuses_a_copy_its_manifest_does_not_vouch_for(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    _wide_writer(db)
    old = tmp_path / "old.duckdb"
    block_size = _manifested_copy(db, old)
    backup = tmp_path / "old.backup"
    shutil.copyfile(old, backup)
    shutil.copyfile(manifest_path(old), tmp_path / "manifest.backup")
    _writer_db(db, 1001)

    def patch() -> blockcopy.Patch:
        return _patched(db, old, block_size)

    done = patch()
    assert 0 < done.changed < done.blocks / 4 and _bytes_equal(old, db)
    assert not manifest_path(old).exists(), "the caller writes the manifest once the copy is in use"

    # the copy changed after its manifest was written (same size): refused before any write
    shutil.copyfile(backup, old)
    shutil.copyfile(tmp_path / "manifest.backup", manifest_path(old))
    with pytest.raises(NotPatchable, match="changed since"):
        patch()
    # a damaged manifest, or none: refused
    manifest_path(old).write_bytes(b"{not json\n")
    with pytest.raises(NotPatchable):
        patch()
    manifest_path(old).unlink()
    with pytest.raises(NotPatchable):
        patch()


def test_a_block_whose_sub_blocks_moved_is_patched_and_a_manifest_of_another_digest_is_refused(
    tmp_path: Path,
) -> None:
    """What DuckDB does to a metadata block (its 4 KiB sub-blocks moved about) keeps an order-blind
    checksum such as DuckDB's own; the block digests must still see it, or the copy silently differs.
    A manifest written with another kind of digest (an older release's SHA-256) is not compared."""
    db = tmp_path / "w.duckdb"
    _wide_writer(db)
    old = tmp_path / "old.duckdb"
    block_size = _manifested_copy(db, old)
    start = blockcopy.HEADER_BYTES + 2 * block_size  # the third block: swap its first two 4 KiB parts
    data = bytearray(db.read_bytes())
    first, second = data[start : start + 4096], data[start + 4096 : start + 8192]
    assert first != second
    data[start : start + 8192] = second + first
    db.write_bytes(bytes(data))

    done = _patched(db, old, block_size)
    assert done.changed == 1 and _bytes_equal(old, db)

    _manifested_copy(db, old, block_size)  # (DuckDB no longer opens db: the moved parts broke its checksum)
    head, body = manifest_path(old).read_bytes().split(b"\n", 1)
    older = json.dumps(json.loads(head) | {"digest": "sha256"}).encode()
    manifest_path(old).write_bytes(older + b"\n" + body)
    with pytest.raises(NotPatchable, match="another kind of digest"):
        _patched(db, old, block_size)


def test_block_digests_read_in_windows_are_the_digests_of_each_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Digests made through windows of the file (a block cut by no window, blocks not on page
    boundaries, a short last block) are those of each block's bytes, in order."""
    import xxhash

    data = os.urandom(blockcopy.HEADER_BYTES + 37 * 5000 + 123)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    spans = blockcopy._spans(len(data), 5000)
    expected = [xxhash.xxh3_128_digest(data[o : o + n]) for o, n in spans]
    monkeypatch.setattr(blockcopy, "WINDOW_BYTES", 3 * 4096 + 11_000)  # a few blocks per window
    assert block_digests(path, 5000) == expected
    monkeypatch.setattr(blockcopy, "WINDOW_BYTES", 1)  # each block a window of its own
    assert block_digests(path, 5000) == expected
    monkeypatch.setattr(blockcopy, "WINDOW_BYTES", 1 << 30)  # the whole file in one window
    assert block_digests(path, 5000) == expected
    empty = tmp_path / "empty"
    empty.touch()
    assert block_digests(empty, 5000) == []


def test_an_interrupted_or_damaged_patch_is_followed_by_a_whole_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.duckdb"
    _wide_writer(db)
    for rows in (1000, 2000):
        _writer_db(db, rows)
        publish_read_copy(db)

    # killed half-way through a patch: the first block is written, then the process dies
    standby = _standby(db)
    real_pwrite, calls = os.pwrite, []

    def dying_pwrite(fd: int, data: bytes, offset: int) -> int:
        calls.append(offset)
        if len(calls) > 1:
            raise KeyboardInterrupt("killed mid-patch")
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(blockcopy.os, "pwrite", dying_pwrite)
    _writer_db(db, 3000)
    with pytest.raises(KeyboardInterrupt):
        publish_read_copy(db)
    monkeypatch.setattr(blockcopy.os, "pwrite", real_pwrite)
    assert len(calls) == 2 and not manifest_path(standby).exists()
    with read_only_connection(read_copy_path(db)) as con:  # readers still see the last publish, whole
        assert con.execute("SELECT count(*) FROM probe").fetchone()[0] == 2000
    inode = standby.stat().st_ino
    published = publish_read_copy(db)
    assert published.stat().st_ino != inode, "the half-patched copy was replaced by a whole one"
    assert _bytes_equal(published, db)

    # a standby copy damaged on disk after its manifest was written: copied whole, not trusted
    standby = _standby(db)
    with open(standby, "r+b") as fh:
        fh.seek(standby.stat().st_size // 2)
        fh.write(b"garbage")
    inode = standby.stat().st_ino
    _writer_db(db, 4000)
    published = publish_read_copy(db)
    assert published.stat().st_ino != inode and _bytes_equal(published, db)


_HOLD_OPEN = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM probe").fetchone()[0], flush=True)
sys.stdin.readline()  # until the test is done publishing
print(con.execute("SELECT count(*) FROM probe").fetchone()[0], flush=True)
"""


def test_a_copy_a_reader_still_holds_is_replaced_not_patched(tmp_path: Path) -> None:
    """A reader (another process, or this one) still on an older copy keeps reading it whole: that copy
    is replaced by a whole new one, never patched under the reader."""
    db = tmp_path / "w.duckdb"
    _writer_db(db, 10)
    first = publish_read_copy(db)
    reader = subprocess.Popen(
        [sys.executable, "-c", _HOLD_OPEN, str(first)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == "10"
        held = first.stat().st_ino
        for rows in (20, 30):  # the second publish would patch the copy the reader holds
            _writer_db(db, rows)
            publish_read_copy(db)
        assert held not in {c.stat().st_ino for c in copy_paths(read_copy_path(db))}
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "10"
    finally:
        reader.kill()
        reader.wait()
    in_process = read_only_connection(read_copy_path(db))  # this process holds the current copy (30)
    try:
        for rows in (40, 50):
            _writer_db(db, rows)
            publish_read_copy(db)
        assert in_process.execute("SELECT count(*) FROM probe").fetchone()[0] == 30
    finally:
        in_process.close()
    assert _bytes_equal(read_copy_path(db), db)
