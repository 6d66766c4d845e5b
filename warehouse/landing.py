"""Landing folder scan: which delivered dumps are complete and ready to ingest.

Why a scan has to be careful: dumps arrive by copy or upload, so a file can be seen while
it is still being written. A file is *ready* only when its name is a final name (``*.txt``,
not a dotfile, not ``*.part``/``*.tmp``/``~`` editor or uploader temp names) and its size
and mtime have been stable for ``settle_seconds``. Ready files are identified by the
SHA-256 of their bytes, never by name or mtime, so an identical re-delivery is recognised
and a changed file under an old name is a new dump.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from warehouse.rawstore import sha256_file

ENV_LANDING = "BYLINES_LANDING"
ENV_SETTLE = "BYLINES_SETTLE_SECONDS"
DEFAULT_LANDING = Path("data/landing")
DEFAULT_SETTLE_SECONDS = 5.0
DUMP_SUFFIX = ".txt"
# Names uploaders, editors and copy tools give files that are not finished yet.
TEMP_SUFFIXES: tuple[str, ...] = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp")
TEMP_PREFIXES: tuple[str, ...] = (".", "~", ".~")


class LandedFile(BaseModel):
    """One ready dump in the landing folder."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="absolute path of the file")
    file_name: str
    size_bytes: int
    mtime: float
    sha256: str
    seen_at: datetime = Field(description="when this scan hashed it (UTC, naive)")


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


def is_settled(st: os.stat_result, settle_seconds: float, now: float | None = None) -> bool:
    """The file has not been touched for ``settle_seconds`` (a writer would keep bumping its mtime)."""
    current = time.time() if now is None else now
    return current - st.st_mtime >= settle_seconds


def inspect_file(path: Path, settle_seconds: float = 0.0, now: float | None = None) -> LandedFile | None:
    """Describe one file if it is ready, else None (temp name, not settled, not a regular file, unreadable).

    The size is read before and after hashing: a file that grew or changed meanwhile is
    still being written and is left for the next scan.
    """
    path = Path(path)
    if not is_candidate_name(path.name):
        return None
    try:
        before = path.stat()  # follows symlinks: a link to a finished file is a delivery like any other
        if not stat.S_ISREG(before.st_mode) or not is_settled(before, settle_seconds, now):
            return None
        digest = sha256_file(path)
        after = path.stat()
    except OSError:
        return None
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        return None
    return LandedFile(
        path=str(path.absolute()),
        file_name=path.name,
        size_bytes=after.st_size,
        mtime=after.st_mtime,
        sha256=digest,
        seen_at=datetime.now(UTC).replace(tzinfo=None),
    )


def scan_landing(
    folder: Path | str | None = None, settle_seconds: float | None = None, now: float | None = None
) -> list[LandedFile]:
    """Ready dumps directly inside ``folder`` (not sub-folders), sorted by name for a stable order."""
    root = Path(folder) if folder is not None else default_landing_dir()
    settle = default_settle_seconds() if settle_seconds is None else settle_seconds
    if not root.is_dir():
        return []
    found: list[LandedFile] = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        landed = inspect_file(entry, settle, now)
        if landed is not None:
            found.append(landed)
    return found


def inspect_paths(paths: Iterable[Path | str], settle_seconds: float = 0.0) -> list[LandedFile]:
    """Explicitly named files (CLI backfills): landing rules, except ``.txt`` is not required.

    A person naming a file on the command line means it; only temp names and files still
    being written are refused.
    """
    out: list[LandedFile] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(scan_landing(p, settle_seconds))
            continue
        name_ok = is_candidate_name(p.name) or (
            not any(p.name.startswith(x) for x in TEMP_PREFIXES)
            and not any(p.name.lower().endswith(s) for s in TEMP_SUFFIXES)
        )
        if not name_ok:
            continue
        try:
            st = p.stat()
            if not stat.S_ISREG(st.st_mode) or not is_settled(st, settle_seconds):
                continue
            digest = sha256_file(p)
        except OSError:
            continue
        out.append(
            LandedFile(
                path=str(p.absolute()),
                file_name=p.name,
                size_bytes=st.st_size,
                mtime=st.st_mtime,
                sha256=digest,
                seen_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
    return out
