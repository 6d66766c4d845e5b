"""Landing folder scan: which delivered dumps are complete and ready to ingest, and which are refused.

Why a scan has to be careful: dumps arrive by copy or upload, so a file can be seen while
it is still being written. A file is *ready* only when its name is a final name (``*.txt``,
not a dotfile, not ``*.part``/``*.tmp``/``~`` editor or uploader temp names) and its size
and mtime have been stable for ``settle_seconds``. Ready files are identified by the
SHA-256 of their bytes, never by name or mtime, so an identical re-delivery is recognised
and a changed file under an old name is a new dump.

Whose dump a file is follows from where it lies (``warehouse.writers``): directly in the
landing folder, the default writer's; in a first-level sub-folder ``<landing>/<writer>/``, that
writer's (``writers.yaml`` names it, else the folder name is the display name). Deeper folders
are not writers.

Why some files are *refused* rather than skipped: a nightly run is unattended, so a dump
that cannot be ingested must be visible, not silently ignored. A ``*.txt`` in a deeper
sub-folder (or in a sub-folder ``writers.yaml`` refuses: ``unlisted_folders: refuse``) whose
bytes are not in the warehouse yet, an unreadable
file (no permission, a broken symbolic link, a link loop), or a ``*.txt`` that is a folder,
a pipe or a device is recorded in ``dumps`` as quarantined with a reason saying what to do
(see ``warehouse.refusals.record_refused``). Such a row has no bytes in the raw store, so its ``dump_id`` is
``refused-<hash of the path>`` and its ``raw_path`` is the path in the landing folder; it is
removed again once the file is gone from there or its bytes have been ingested
(``warehouse.refusals.forget_resolved_refusals``), and ``bylines rebuild`` (raw store only) leaves it out
until the next landing scan records it again.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from warehouse.hash_cache import Fingerprint, HashCache
from warehouse.rawstore import sha256_file
from warehouse.writers import Writer, WriterRegistry

ENV_LANDING = "BYLINES_LANDING"
ENV_SETTLE = "BYLINES_SETTLE_SECONDS"
DEFAULT_LANDING = Path("data/landing")
DEFAULT_SETTLE_SECONDS = 5.0
DUMP_SUFFIX = ".txt"
# Names uploaders, editors and copy tools give files that are not finished yet.
TEMP_SUFFIXES: tuple[str, ...] = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp")
TEMP_PREFIXES: tuple[str, ...] = (".", "~", ".~")
REFUSED_PREFIX = "refused-"
# Sub-folders are looked into (to report dumps dropped there) this deep and up to this many files.
SUBFOLDER_DEPTH = 3
SUBFOLDER_MAX_FILES = 10_000


class LandedFile(BaseModel):
    """One ready dump in the landing folder."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="absolute path of the file")
    file_name: str
    size_bytes: int
    mtime: float
    sha256: str
    seen_at: datetime = Field(description="when this scan hashed it (UTC, naive)")
    writer: Writer | None = Field(default=None, description="whose dump it is (by where it lies)")


class RefusedFile(BaseModel):
    """A ``*.txt`` in the landing folder that cannot be ingested as it is, and why."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="absolute path in the landing folder")
    file_name: str
    refusal_id: str = Field(description="dump_id of its quarantine row: refused-<hash of the path>")
    reason: str = Field(description="what is wrong and what to do, in words a person understands")
    size_bytes: int = 0
    sha256: str | None = Field(default=None, description="hash of its bytes when they could be read")
    seen_at: datetime
    writer: Writer | None = Field(default=None, description="the writer whose folder it is in, if known")


class LandingScan(BaseModel):
    """What one scan found: ready dumps, refused files, and the fingerprints of what it hashed."""

    model_config = ConfigDict(extra="forbid")

    ready: list[LandedFile] = Field(default_factory=list)
    refused: list[RefusedFile] = Field(default_factory=list)
    fingerprints: dict[str, Fingerprint] = Field(default_factory=dict)
    unsettled: list[str] = Field(default_factory=list, description="paths still being written: next scan")


def default_landing_dir() -> Path:
    """``$BYLINES_LANDING`` or ``data/landing``."""
    return Path(os.environ.get(ENV_LANDING) or DEFAULT_LANDING)


def default_settle_seconds() -> float:
    """``$BYLINES_SETTLE_SECONDS`` or a few seconds: long enough for a copy in progress to show growth."""
    raw = os.environ.get(ENV_SETTLE)
    return float(raw) if raw else DEFAULT_SETTLE_SECONDS


def is_candidate_name(name: str) -> bool:
    """A final dump name: ``*.txt``, not hidden, not an uploader's or editor's temp name."""
    lowered = name.lower()
    if any(name.startswith(p) for p in TEMP_PREFIXES) or name.endswith("~"):
        return False
    if any(lowered.endswith(s) for s in TEMP_SUFFIXES):
        return False
    # "report.txt.part" ends in .part (caught above); "x.part.txt" is an explicit temp marker too.
    if any(f"{s}." in lowered for s in TEMP_SUFFIXES):
        return False
    return lowered.endswith(DUMP_SUFFIX)


def display_name(name: str) -> str:
    """A file name as text the warehouse can store: bytes that are not UTF-8 become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def refusal_id(path: Path | str) -> str:
    """The ``dump_id`` of a refused file's quarantine row (stable for its path)."""
    raw = os.fsencode(str(Path(path).absolute()))
    return REFUSED_PREFIX + hashlib.sha256(raw).hexdigest()[:40]


def is_settled(st: os.stat_result, settle_seconds: float, now: float | None = None) -> bool:
    """The file has not been touched for ``settle_seconds`` (a writer would keep bumping its mtime)."""
    current = time.time() if now is None else now
    return current - st.st_mtime >= settle_seconds


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    return "not a regular file"


def _refuse(
    path: Path, reason: str, size: int = 0, sha: str | None = None, writer: Writer | None = None
) -> RefusedFile:
    return RefusedFile(
        path=str(path.absolute()),
        file_name=display_name(path.name),
        refusal_id=refusal_id(path),
        reason=reason,
        size_bytes=size,
        sha256=sha,
        seen_at=_now(),
        writer=writer,
    )


def _unreadable_reason(path: Path, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return (
            "cannot be read (permission denied): give the ingest user read access to it; "
            "it is picked up on the next run"
        )
    if path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        if exc.errno == 40:  # ELOOP
            return f"is a symbolic link that loops ({target}): replace it with the dump file itself"
        return f"is a symbolic link to {target}, which does not exist: copy the dump itself into the folder"
    return f"cannot be read ({exc.strerror or exc}): it is tried again on the next run"


def _hash(
    path: Path, before: os.stat_result, cache: Mapping[str, Fingerprint] | None
) -> tuple[str, Fingerprint] | None:
    """Hash of a settled regular file (cached by its stat), or None when it changed while hashing."""
    key = str(path.absolute())
    known = cache.get(key) if cache else None
    stat_key = (before.st_size, before.st_mtime_ns, before.st_ctime_ns)
    if known is not None and tuple(known[:3]) == stat_key:
        return known[3], (*stat_key, known[3])
    digest = sha256_file(path)
    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        return None
    return digest, (*stat_key, digest)


def _inspect(
    path: Path,
    settle_seconds: float,
    now: float | None,
    cache: Mapping[str, Fingerprint] | None,
    scan: LandingScan,
    refuse: str | None = None,
    writer: Writer | None = None,
) -> None:
    """Classify one candidate path into ``scan`` (ready for ``writer``, refused, or nothing yet: not
    settled). ``refuse``: the reason to refuse it with once it is complete (its bytes are hashed, so a
    copy already ingested is recognised)."""
    try:
        before = path.stat()  # follows symlinks: a link to a finished file is a delivery like any other
    except OSError as exc:
        scan.refused.append(_refuse(path, _unreadable_reason(path, exc), writer=writer))
        return
    if not stat.S_ISREG(before.st_mode):
        if refuse is None or not stat.S_ISDIR(before.st_mode):
            reason = f"is {_kind(before.st_mode)}: put the dump file itself here"
            scan.refused.append(_refuse(path, reason, writer=writer))
        return
    if not is_settled(before, settle_seconds, now):
        scan.unsettled.append(str(path.absolute()))
        return  # still being written: the next scan looks again
    try:
        hashed = _hash(path, before, cache)
    except OSError as exc:
        scan.refused.append(_refuse(path, _unreadable_reason(path, exc), before.st_size, writer=writer))
        return
    if hashed is None:
        scan.unsettled.append(str(path.absolute()))
        return  # grew while hashing: still being written
    digest, fp = hashed
    scan.fingerprints[str(path.absolute())] = fp
    if refuse is not None:
        scan.refused.append(_refuse(path, refuse, before.st_size, digest, writer))
        return
    scan.ready.append(
        LandedFile(
            path=str(path.absolute()),
            file_name=display_name(path.name),
            size_bytes=before.st_size,
            mtime=before.st_mtime,
            sha256=digest,
            seen_at=_now(),
            writer=writer,
        )
    )


def inspect_file(path: Path, settle_seconds: float = 0.0, now: float | None = None) -> LandedFile | None:
    """Describe one file if it is ready, else None (temp name, not settled, not a regular file, unreadable).

    The size is read before and after hashing: a file that grew or changed meanwhile is
    still being written and is left for the next scan.
    """
    path = Path(path)
    if not is_candidate_name(path.name):
        return None
    scan = LandingScan()
    _inspect(path, settle_seconds, now, None, scan)
    return scan.ready[0] if scan.ready else None


def nested_reason(rel: str) -> str:
    """Why a file in a folder below a writer's folder is refused, and what to do."""
    return (
        f"is in a sub-folder ({rel}): dumps go directly in the landing folder (the default writer's) or "
        "one level down in a writer's folder (<landing>/<writer>/); move it up into one of those"
    )


def _walk_subfolder(
    folder: Path,
    root: Path,
    settle: float,
    now: float | None,
    cache: Mapping[str, Fingerprint] | None,
    scan: LandingScan,
    depth: int,
    budget: list[int],
    why: Callable[[str], str] = nested_reason,
) -> None:
    """Refuse the candidate dumps inside ``folder`` with ``why(relative path)`` (not hidden, not a
    linked folder, bounded in depth and count)."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for entry in entries:
        if budget[0] <= 0:
            return
        if any(entry.name.startswith(p) for p in TEMP_PREFIXES):
            continue
        if entry.is_dir() and not entry.is_symlink():
            if depth < SUBFOLDER_DEPTH:
                _walk_subfolder(entry, root, settle, now, cache, scan, depth + 1, budget, why)
            continue
        if is_candidate_name(entry.name):
            budget[0] -= 1
            rel = display_name(str(entry.relative_to(root)))
            _inspect(entry, settle, now, cache, scan, refuse=why(rel))


def _is_folder(entry: Path) -> bool:
    """A real sub-folder a scan looks into (not a link to one, not hidden)."""
    return (
        entry.is_dir() and not entry.is_symlink() and not any(entry.name.startswith(p) for p in TEMP_PREFIXES)
    )


def _scan_writer_folder(
    folder: Path,
    root: Path,
    writer: Writer | None,
    refusal: str,
    settle: float,
    now: float | None,
    cache: Mapping[str, Fingerprint] | None,
    scan: LandingScan,
    budget: list[int],
) -> None:
    """A writer's folder: its dumps are ``writer``'s (all refused with ``refusal`` when there is none);
    the folders inside it are not writers."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for entry in entries:
        if budget[0] <= 0:
            return
        if is_candidate_name(entry.name):
            budget[0] -= 1
            refuse = refusal if writer is None else None
            _inspect(entry, settle, now, cache, scan, refuse=refuse, writer=writer)
        if _is_folder(entry):
            why = nested_reason if writer is not None else (lambda _rel: refusal)
            _walk_subfolder(entry, root, settle, now, cache, scan, 2, budget, why)


def scan_landing_report(
    folder: Path | str | None = None,
    settle_seconds: float | None = None,
    now: float | None = None,
    cache: Mapping[str, Fingerprint] | None = None,
    writers: WriterRegistry | None = None,
    writer: Writer | None = None,
) -> LandingScan:
    """Ready dumps in ``folder`` and its writers' folders (sorted by name), and the files that are refused.

    Files directly in ``folder`` are the default writer's, files in a first-level sub-folder that
    folder's writer (``writers``: the registry; none = no ``writers.yaml``); ``writer`` makes every
    file one writer's (``bylines ingest --writer``). ``cache`` maps absolute paths to fingerprints
    from an earlier scan: a file whose size, mtime and ctime are unchanged is not hashed again (the
    sensor keeps them in its cursor).
    """
    root = Path(folder) if folder is not None else default_landing_dir()
    settle = default_settle_seconds() if settle_seconds is None else settle_seconds
    registry = writers or WriterRegistry()
    scan = LandingScan()
    if not root.is_dir():
        return scan
    budget = [SUBFOLDER_MAX_FILES]
    default = writer or registry.default()
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if is_candidate_name(entry.name):
            _inspect(entry, settle, now, cache, scan, writer=default)  # a folder named *.txt is refused
            if _is_folder(entry):  # and is no writer's: what it holds is refused too
                _walk_subfolder(entry, root, settle, now, cache, scan, 1, budget)
        elif _is_folder(entry):
            owner = writer or registry.for_folder(entry.name)
            refusal = registry.refusal(display_name(entry.name))
            _scan_writer_folder(entry, root, owner, refusal, settle, now, cache, scan, budget)
    return scan


def scan_landing(
    folder: Path | str | None = None, settle_seconds: float | None = None, now: float | None = None
) -> list[LandedFile]:
    """Ready dumps in ``folder`` and its writers' folders, sorted by name for a stable order."""
    return scan_landing_report(folder, settle_seconds, now).ready


def _same(a: Path, b: Path | None) -> bool:
    try:
        return b is not None and a.resolve() == b.resolve()
    except OSError:
        return False


def inspect_paths_report(
    paths: Iterable[Path | str],
    settle_seconds: float = 0.0,
    landing: Path | None = None,
    writers: WriterRegistry | None = None,
    writer: Writer | None = None,
    cache: Mapping[str, Fingerprint] | None = None,
) -> LandingScan:
    """Explicitly named files (CLI backfills, sensor runs): landing rules, except ``.txt`` is not required.

    A person naming a file on the command line means it; only temp names and files still
    being written are left out. A named file that cannot be read is refused with a reason.
    A named folder is scanned like the landing folder (a writer's folder in ``landing`` like that
    writer's). Whose dumps they are: ``writer`` when given (``--writer``), else by where they lie
    (in a writer's folder of ``landing``: that writer; anywhere else: the default writer). ``cache``: as for
    :func:`scan_landing_report`.
    """
    registry = writers or WriterRegistry()
    out = LandingScan()
    for raw in paths:
        p = Path(raw)
        in_writer_folder = (
            landing is not None and _same(p.parent.parent, landing) and not _same(p.parent, landing)
        )
        if p.is_dir():
            if landing is not None and _same(p.parent, landing) and not _same(p, landing):
                owner = writer or registry.for_folder(p.name)
                refusal = registry.refusal(display_name(p.name))
                _scan_writer_folder(
                    p, landing, owner, refusal, settle_seconds, None, cache, out, [SUBFOLDER_MAX_FILES]
                )
            else:
                sub = scan_landing_report(p, settle_seconds, cache=cache, writers=registry, writer=writer)
                out.ready.extend(sub.ready)
                out.refused.extend(sub.refused)
                out.fingerprints.update(sub.fingerprints)
                out.unsettled.extend(sub.unsettled)
            continue
        name_ok = is_candidate_name(p.name) or (
            not any(p.name.startswith(x) for x in TEMP_PREFIXES)
            and not any(p.name.lower().endswith(s) for s in TEMP_SUFFIXES)
        )
        if not name_ok:
            continue
        if not os.path.lexists(p):
            continue  # nothing there (the CLI says "not found")
        owner = writer or (registry.for_folder(p.parent.name) if in_writer_folder else registry.default())
        refusal = registry.refusal(display_name(p.parent.name)) if owner is None else None
        _inspect(p, settle_seconds, None, cache, out, refuse=refusal, writer=owner)
    return out


def scan_report(
    paths: Iterable[Path | str],
    folder: Path,
    settle_seconds: float,
    cache: HashCache | None = None,
    writers: WriterRegistry | None = None,
    writer: Writer | None = None,
) -> LandingScan:
    """What an ingest lands: the named ``paths``, or the landing ``folder`` when there are none, each
    file with its writer (``writer``, else by where it lies: ``writers``); files whose stat is in
    ``cache`` are not hashed again, and the cache learns the others."""
    known = cache.load() if cache is not None else None
    registry = writers or WriterRegistry()
    named = list(paths)
    scan = (
        inspect_paths_report(named, settle_seconds, folder, registry, writer, cache=known)
        if named
        else scan_landing_report(folder, settle_seconds, cache=known, writers=registry, writer=writer)
    )
    if cache is not None:
        cache.save(scan.fingerprints)
    return scan


def inspect_paths(paths: Iterable[Path | str], settle_seconds: float = 0.0) -> list[LandedFile]:
    """The ready files among explicitly named paths (see :func:`inspect_paths_report`)."""
    return inspect_paths_report(paths, settle_seconds).ready


# ------------------------------------------------------------------------ refused files in the warehouse
