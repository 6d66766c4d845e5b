"""Bring an older copy of a file up to date by writing only the blocks that changed.

Owns ``block_digests`` and ``patch_copy``, the publishing step that replaces a full copy of the
warehouse (``warehouse.publish``): like rsync against a manifest. Every block of the writer's file
(the 12 KiB of DuckDB headers, then blocks of DuckDB's block size, so a changed DuckDB block is one
changed block here) gets a SHA-256 digest; the copy carries a manifest, the digests of the bytes it
was last made from. Blocks whose digests differ are written, nothing else; a nightly run that
touches a few megabytes of a multi-gigabyte warehouse writes a few megabytes, and the result is
byte for byte the writer's file.

Why SHA-256 of every block, not DuckDB's own block checksums (free to read: 8 bytes at the head of
every block): that checksum is a XOR of the block's 8-byte words, blind to their order, and DuckDB
rewrites metadata blocks by moving 4 KiB sub-blocks around inside them. Two different versions of a
block then carry the same checksum (seen on DuckDB 1.5 after four small writes), and a copy patched
by that checksum silently differs from the writer's file. Hashing reads the whole file once (from
the page cache, just written: SHA-256 runs at over 1 GB/s per core here, on two threads), which is
still far cheaper than writing and syncing a whole copy.

Why it is safe: nothing about the copy is trusted that was not checked. The manifest names the
copy's size, inode and modification time when it was written; any difference (the copy touched
since, a manifest of another file) raises ``NotPatchable`` and the caller makes a full copy. The
manifest is removed before the first byte is patched and written again only after the copy is
synced, so a patch interrupted half-way leaves no manifest, and the next publish copies whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HEADER_BYTES = 3 * 4096  # DuckDB's main header and its two alternating database headers: block 0 here
DIGEST_BYTES = 16  # of SHA-256: a changed block goes unnoticed with probability 2**-128
RUN_BYTES = 16 << 20  # read and hashed per task
MAX_CHANGED_SHARE = 0.5  # above this share of changed bytes a plain copy is as cheap
MANIFEST_SUFFIX = ".blocks"
HASH_THREADS = 2  # hashlib releases the GIL on large buffers: both cores hash


class NotPatchable(RuntimeError):
    """The copy cannot be brought up to date block by block (the caller copies the file whole)."""


@dataclass(frozen=True)
class Patch:
    """What ``patch_copy`` wrote."""

    blocks: int  # blocks in the source file
    changed: int  # blocks written
    bytes_written: int


def _spans(size: int, block_size: int) -> list[tuple[int, int]]:
    """(offset, length) of every block of a file of ``size`` bytes: the headers, then whole blocks,
    then whatever is left (a file that is not whole DuckDB blocks is still copied exactly)."""
    spans = [(0, min(size, HEADER_BYTES))] if size else []
    offset = HEADER_BYTES
    while offset < size:
        spans.append((offset, min(block_size, size - offset)))
        offset += block_size
    return spans


def block_digests(path: Path, block_size: int) -> list[bytes]:
    """The digest of every block of ``path`` (see ``_spans``), hashed on ``HASH_THREADS`` threads."""
    size = Path(path).stat().st_size
    spans = _spans(size, block_size)
    per_run = max(1, RUN_BYTES // block_size)
    runs = [spans[i : i + per_run] for i in range(0, len(spans), per_run)]
    fd = os.open(path, os.O_RDONLY)
    try:

        def digest_run(run: Sequence[tuple[int, int]]) -> list[bytes]:
            start = run[0][0]
            data = memoryview(os.pread(fd, run[-1][0] + run[-1][1] - start, start))
            return [hashlib.sha256(data[o - start : o - start + n]).digest()[:DIGEST_BYTES] for o, n in run]

        with ThreadPoolExecutor(HASH_THREADS) as pool:
            return [d for part in pool.map(digest_run, runs) for d in part]
    finally:
        os.close(fd)


def manifest_path(copy: Path) -> Path:
    return copy.with_name(copy.name + MANIFEST_SUFFIX)


def _identity(fd: int) -> dict[str, int]:
    st = os.fstat(fd)
    return {"size": st.st_size, "ino": st.st_ino, "mtime_ns": st.st_mtime_ns}


def write_manifest(copy: Path, digests: Sequence[bytes], block_size: int) -> None:
    """Record that ``copy`` (as it is now on disk) holds the blocks ``digests`` describe."""
    fd = os.open(copy, os.O_RDONLY)
    try:
        head = {**_identity(fd), "block_size": block_size, "blocks": len(digests)}
    finally:
        os.close(fd)
    target = manifest_path(copy)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")  # swept like the publisher's temp files
    with open(tmp, "wb") as fh:
        fh.write(json.dumps(head).encode() + b"\n" + b"".join(digests))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def _read_manifest(copy: Path, fd: int, block_size: int) -> list[bytes]:
    """The digests of the copy open as ``fd``, from its manifest; raises ``NotPatchable`` unless the
    manifest describes exactly this file as it is now."""
    try:
        raw = manifest_path(copy).read_bytes()
        head_line, body = raw.split(b"\n", 1)
        head = json.loads(head_line)
    except (OSError, ValueError) as exc:
        raise NotPatchable(f"no usable manifest of {copy.name} ({type(exc).__name__})") from exc
    if {k: head.get(k) for k in ("size", "ino", "mtime_ns")} != _identity(fd):
        raise NotPatchable(f"{copy.name} changed since its manifest was written")
    if head.get("block_size") != block_size or len(body) != head.get("blocks", -1) * DIGEST_BYTES:
        raise NotPatchable(f"the manifest of {copy.name} is of another block size or damaged")
    return [body[i : i + DIGEST_BYTES] for i in range(0, len(body), DIGEST_BYTES)]


def patch_copy(src: Path, copy: Path, dst_fd: int, digests: Sequence[bytes], block_size: int) -> Patch:
    """Make ``copy`` (open read-write as ``dst_fd``) identical to ``src``, whose block digests are
    ``digests`` (``block_digests``), writing only the blocks its manifest says differ; then sync it.

    Raises ``NotPatchable`` (before writing anything) when the manifest cannot vouch for the copy or
    most of the file changed. The manifest is removed before the first write: the caller writes the
    new one (``write_manifest``) once the patched copy is in use.
    """
    old = _read_manifest(copy, dst_fd, block_size)
    size = Path(src).stat().st_size
    spans = _spans(size, block_size)
    if len(spans) != len(digests):
        raise NotPatchable(f"{src} changed while it was hashed")
    changed = [k for k, d in enumerate(digests) if k >= len(old) or old[k] != d]
    changed_bytes = sum(spans[k][1] for k in changed)
    if changed_bytes > MAX_CHANGED_SHARE * size:
        raise NotPatchable(f"{len(changed)} of {len(spans)} blocks changed: a full copy is as cheap")
    manifest_path(copy).unlink(missing_ok=True)  # from here on the copy is unknown until re-manifested
    written = 0
    with open(src, "rb") as fsrc:
        sfd = fsrc.fileno()
        for k in changed:
            offset, length = spans[k]
            data = os.pread(sfd, length, offset)
            if len(data) != length:
                raise OSError(f"{src} shrank while it was copied")
            written += os.pwrite(dst_fd, data, offset)
    os.ftruncate(dst_fd, size)
    os.fsync(dst_fd)
    return Patch(len(spans), len(changed), written)
