"""Serialise writers and publish a read-only copy for readers.

Why: DuckDB allows one read-write process per file, and a read-only opener of the writer's
file blocks that writer (and vice versa). So writers take a file lock next to the database
(``<db>.lock``) for as short as they can, and readers (dashboard, ``bylines sql``) never
open the writer's file: they open ``<stem>.read.duckdb``, a consistent copy made under the
writer lock. A reader that holds the old copy open keeps reading the old inode; the next
open sees the new one. It never sees a half-written file.

Two copies take turns (``.<stem>.read.duckdb.copy-a`` and ``-b``); the published name is a hard
link to one of them, swapped atomically (``os.link`` to a temp name, ``os.replace``). A publish
brings the *other* copy up to date with the writer's checkpointed file, then swaps the link.
That copy is a publish or two old, so it is patched block by block (``warehouse.blockcopy``:
only blocks whose digests differ from the copy's manifest are written, a few megabytes for a
nightly run on a multi-gigabyte warehouse) rather than copied whole, and only when nobody can be
reading it: no file of this process is open on it and no other process holds DuckDB's lock on
it (an exclusive lock is held for the whole patch, so a late opener fails rather than read a
half-patched file). Otherwise (a first publish, a missing or stale manifest, a reader on it,
most blocks changed) the copy is made whole: a copy-on-write clone (``FICLONE``, a reflink)
where the filesystem can make one (btrfs, XFS, bcachefs, ...), else a byte copy, written to a
temp name and renamed over the old copy (whose readers keep their inode).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from warehouse import check_scope
from warehouse.blockcopy import (
    NotPatchable,
    block_digests,
    manifest_path,
    patch_copy,
    write_atomically,
    write_manifest,
)
from warehouse.schema import apply_schema, schema_files
from warehouse.stops import check_stop, checkpoint
from warehouse.storage import connect_writer

READ_COPY_SUFFIX = ".read.duckdb"
COPY_NAMES = ("copy-a", "copy-b")  # the two read copies that take turns (hidden names beside it)
LOCK_SUFFIX = ".lock"
ENV_LOCK_TIMEOUT = "BYLINES_LOCK_TIMEOUT_SECONDS"
# A second writer waits this long for the first (a big backfill can take a while) before failing
# with WriterBusy, which names the holder. A killed writer releases the lock at once (flock).
DEFAULT_LOCK_TIMEOUT_S = 4 * 3600.0

# DuckDB's buffer pool in the writer process (the resource's default) and in publishing (DuckDB's own
# default is 80 % of RAM). Why this small: the writer's peak RSS is about this plus the Python side
# of a load batch, and a 1 GB ingest (writer and parser pool together) should stay under 1.5 GB; at
# 1 GB the writer alone peaked at 1.8 GB. DuckDB spills what does not fit (sorts, un-checkpointed
# rows) to its temp directory; the 1 GB benchmark ingest took no longer for it (BENCHMARKS.md).
WRITER_MEMORY_LIMIT = "384MB"

# ioctl(dest_fd, FICLONE, src_fd) from <linux/fs.h>: share the source's extents copy-on-write.
FICLONE = 0x40049409
# What a filesystem (or kernel, or OS) without reflinks answers; anything else is a real error.
_NO_CLONE_ERRNOS = frozenset(
    {errno.EOPNOTSUPP, errno.ENOTTY, errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EPERM}
)

_locks: dict[str, FileLock] = {}
_locks_guard = threading.Lock()
# Who this process is, for the note a lock holder leaves beside the lock (set by the Dagster run guard).
_owner = {"what": "bylines"}
LOG = logging.getLogger("bylines.lock")
WAIT_SLICE_S = 0.5  # a waiter looks for a stop request and reports this often
REPORT_EVERY_S = 60.0


class WriterBusy(RuntimeError):
    """Gave up waiting for the writer lock: another writer held it for ``BYLINES_LOCK_TIMEOUT_SECONDS``."""


def set_lock_owner(what: str) -> None:
    """Name this process in the note beside every writer lock it takes (e.g. ``ingest run 1a2b3c4d``)."""
    _owner["what"] = what


def owner_note_path(db_path: Path) -> Path:
    """The note the writer lock's holder leaves beside it: who holds it, since when."""
    lock = lock_path(db_path)
    return lock.with_name(lock.name + ".owner")


def lock_holder(db_path: Path) -> str:
    """Who holds the writer lock of ``db_path``, in words (from the holder's note)."""
    try:
        note = json.loads(owner_note_path(db_path).read_text(encoding="utf-8"))
        return f"{note['what']} (pid {note['pid']} on {note['host']}) since {note['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (it left no note)"


def _leave_note(db_path: Path) -> None:
    note = {
        "what": _owner["what"],
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    try:
        write_atomically(owner_note_path(db_path), json.dumps(note).encode())
    except OSError:
        pass  # the note is for people; the lock itself is what counts


def lock_path(db_path: Path) -> Path:
    """The writer lock file: ``<db>.lock`` next to the database."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


def read_copy_path(db_path: Path) -> Path:
    """Where the published read-only copy of ``db_path`` lives."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + READ_COPY_SUFFIX)


def _lock_for(db_path: Path, timeout: float) -> FileLock:
    # One FileLock object per file and process: re-entrant in a thread (build -> publish),
    # exclusive across threads and processes.
    key = str(lock_path(db_path).resolve())
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = FileLock(key, timeout=timeout)
    return lock


def lock_timeout() -> float:
    """``$BYLINES_LOCK_TIMEOUT_SECONDS`` or the default of a few hours."""
    raw = os.environ.get(ENV_LOCK_TIMEOUT)
    return float(raw) if raw else DEFAULT_LOCK_TIMEOUT_S


@contextmanager
def writer_lock(db_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the cross-process writer lock of ``db_path`` (re-entrant in one thread).

    A waiter says whom it waits for (the holder's note) and gives up with ``WriterBusy`` after
    ``timeout`` (default ``$BYLINES_LOCK_TIMEOUT_SECONDS``); a stop request ends the wait at once.
    Taking and releasing it compare and note the file's state for the integrity checks
    (``warehouse.check_scope``: a file changed outside bylines makes the next checks run whole).
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    limit = lock_timeout() if timeout is None else timeout
    lock = _lock_for(db_path, limit)
    start = time.monotonic()
    told = None
    while True:
        try:
            lock.acquire(timeout=max(0.0, min(WAIT_SLICE_S, limit - (time.monotonic() - start))))
            break
        except Timeout:
            check_stop()
            waited = time.monotonic() - start
            if waited >= limit:
                raise WriterBusy(
                    f"gave up after {waited:.0f} s waiting for the writer lock of {db_path}: it is held by"
                    f" {lock_holder(db_path)} (wait longer with BYLINES_LOCK_TIMEOUT_SECONDS)"
                ) from None
            if told is None or time.monotonic() - told >= REPORT_EVERY_S:
                told = time.monotonic()
                LOG.warning(
                    f"waiting for the writer lock of {db_path}: held by {lock_holder(db_path)};"
                    f" giving up after {limit:.0f} s"
                )
    outermost = lock.lock_counter == 1
    failed = False
    try:
        if outermost:
            _leave_note(db_path)
            check_scope.lock_taken(db_path)
        yield
    except BaseException:
        failed = True
        raise
    finally:
        try:
            if outermost:
                check_scope.lock_released(db_path, failed)
        except OSError:
            pass  # the record then disagrees with the file, and the next checks run whole
        finally:
            lock.release()


def _sweep_stale_copies(target: Path) -> None:
    """Remove temp copies left by a publisher that was killed (only called under the writer lock)."""
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)


def state_path(target: Path) -> Path:
    """Hidden note beside the read copy: the writer's state it was made from (see ``_published_state``)."""
    return target.with_name(f".{target.name}.state")


def _fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (a power cut must not undo a swap already reported)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def clone_or_copy(src: Path, dst: Path) -> str:
    """Make ``dst`` a copy of ``src``: a reflink clone when the filesystem offers one, else bytes.

    Returns ``"clone"`` or ``"copy"`` (which one happened, for the caller's metadata and tests).
    A clone shares the source's blocks until either file is written; DuckDB's later writes to
    the writer's file then get blocks of their own, so the clone never changes under a reader.
    """
    try:
        with open(src, "rb") as fsrc, open(dst, "wb") as fdst:
            fcntl.ioctl(fdst.fileno(), FICLONE, fsrc.fileno())
        return "clone"
    except OSError as exc:
        if exc.errno not in _NO_CLONE_ERRNOS:
            raise
    shutil.copyfile(src, dst)  # truncates what the failed clone left behind
    return "copy"


def copy_paths(target: Path) -> tuple[Path, Path]:
    """The two read copies that take turns behind the published name ``target``."""
    a, b = (target.with_name(f".{target.name}.{name}") for name in COPY_NAMES)
    return a, b


def _standby(target: Path) -> Path:
    """The copy to bring up to date: the one the published name does not point at."""
    a, b = copy_paths(target)
    try:
        published, first = target.stat(), a.stat()
    except OSError:  # nothing published, or copy a missing: (re)make copy a
        return a
    return b if (first.st_dev, first.st_ino) == (published.st_dev, published.st_ino) else a


def _open_in_this_process(path: Path) -> bool:
    """Whether a file this process has open is ``path`` (a DuckDB instance of this process reading it).

    Why: DuckDB's lock on a file it reads is an ``fcntl`` lock, and those never conflict within one
    process. Where ``/proc/self/fd`` is missing nothing can be told, so the answer is yes (copy whole).
    """
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return True
    try:
        target = path.stat()
    except OSError:
        return False
    for entry in os.scandir(fds):
        try:
            st = os.stat(entry.path)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False


def _patch_standby(db_path: Path, copy: Path, digests: list[bytes], block_size: int) -> bool:
    """Patch ``copy`` into a copy of ``db_path`` in place; False when it must be made whole instead."""
    if not copy.is_file() or _open_in_this_process(copy):
        return False
    fd = os.open(copy, os.O_RDWR)
    try:
        try:  # DuckDB holds a lock on every file it has open, readers included
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            LOG.info(f"{copy.name} is still open in a reader: copying the warehouse whole")
            return False
        try:
            patch = patch_copy(db_path, copy, fd, digests, block_size)
        except NotPatchable as exc:
            LOG.info(f"{copy.name}: {exc}; copying the warehouse whole")
            return False
        LOG.info(f"{copy.name}: {patch.changed} of {patch.blocks} blocks written ({patch.bytes_written} B)")
        return True
    finally:
        os.close(fd)  # releases the lock


def _copy_whole(db_path: Path, copy: Path) -> None:
    """Replace ``copy`` by a new whole copy of ``db_path`` (readers of the old one keep its inode)."""
    manifest_path(copy).unlink(missing_ok=True)
    tmp = copy.with_name(f"{copy.name}.{os.getpid()}.tmp")
    try:
        clone_or_copy(db_path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, copy)
    finally:
        tmp.unlink(missing_ok=True)


def publish_read_copy(db_path: Path, force: bool = False, memory_limit: str = WRITER_MEMORY_LIMIT) -> Path:
    """Bring a read copy of ``db_path`` up to date and swap it in atomically; returns the published path.

    Skipped when what readers can see has not changed since the last publish (see
    ``_published_state``), unless ``force`` (``bylines rebuild``: a new parser may change values
    and nothing else).
    """
    db_path = Path(db_path)
    target = read_copy_path(db_path)
    note = state_path(target)
    with writer_lock(db_path):
        _sweep_stale_copies(target)
        # Fold the WAL into the file so the file alone is the whole state; a brand-new file
        # gets the schema, so readers always find the views.
        con = connect_writer(db_path, {"memory_limit": memory_limit})
        try:
            apply_schema(con)
            # Nothing else is written here (the scope the passing checks covered is emptied by the next
            # writer, whose checkpoint runs anyway): when the file is current this CHECKPOINT writes
            # nothing, where one deleted row cost a checkpoint of 0.2-0.4 CPU s at 1 GB.
            con.execute("CHECKPOINT")
            state = _published_state(con)
            block_size = int(
                con.execute(
                    "SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()"
                ).fetchone()[0]
            )
        finally:
            con.close()
        if not force and _copy_state(target) == state:
            return target  # nothing readers can see has changed: skip copying the whole file
        note.unlink(missing_ok=True)  # from here until the new note, the copy counts as unknown
        standby = _standby(target)
        digests = block_digests(db_path, block_size)
        if not _patch_standby(db_path, standby, digests, block_size):
            _copy_whole(db_path, standby)
        write_manifest(standby, digests, block_size)
        following = next(c for c in copy_paths(target) if c != standby)
        if not following.is_file():
            # The first publish (or the other copy was lost): make the next standby now, so the
            # next run, a nightly's new dump, patches its blocks instead of copying the whole
            # warehouse (3 GB at the 1 GB benchmark: 1.8 of the 9 CPU s of one new dump).
            _copy_whole(db_path, following)
            write_manifest(following, digests, block_size)
        checkpoint("published_warehouse:copied")
        link = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            os.link(standby, link)
            os.replace(link, target)
        finally:
            link.unlink(missing_ok=True)
        _fsync_dir(target.parent)
        write_atomically(note, state.encode())
    return target


def _published_state(con: duckdb.DuckDBPyConnection) -> str:
    """What readers would see, in one string: every dump's identity and status, row counts, schema.

    Why: a nightly run with nothing new should not copy a multi-gigabyte file. Loads, quarantines,
    superseded deliveries and schema changes all change this; a run that only adds its own
    ``ingest_runs`` row does not (the copy then shows the previous run as the last one). The
    schema is the text of the schema files this code applies (the writer's file has just had
    them applied): a view whose definition changed is published even when no data changed.
    """
    row = con.execute(
        "SELECT count(*), max(loaded_at), max(received_at),"
        " sum(hash((dump_id, status, superseded_by, error, encoding, archive_label, line_count, post_count)))"
        " FROM dumps"
    ).fetchone()
    sizes = con.execute(
        "SELECT string_agg(table_name || ':' || estimated_size, ',' ORDER BY table_name) FROM duckdb_tables()"
        " WHERE schema_name = 'main' AND table_name <> 'ingest_runs'"
    ).fetchone()
    schema = hashlib.sha256(b"".join(p.read_bytes() for p in schema_files())).hexdigest()
    return f"{row}|{sizes}|{schema}"


def read_copy_is_current(con: duckdb.DuckDBPyConnection, db_path: Path) -> bool:
    """Whether the published copy of ``db_path`` shows what ``con`` (a connection to it) holds now."""
    return _copy_state(read_copy_path(db_path)) == _published_state(con)


def _copy_state(target: Path) -> str | None:
    """The writer state the published copy was made from, or None when unknown (then it is made again).

    Read from the note written after the copy was swapped in: the copy's own catalog cannot say
    which schema files made it (DuckDB re-serialises view definitions when it reopens a file).
    """
    if not target.is_file():
        return None
    try:
        return state_path(target).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def read_only_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """A short-lived read-only connection (close it soon: a copy swapped meanwhile is not seen)."""
    return duckdb.connect(str(path), read_only=True)
