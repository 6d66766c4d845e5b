"""Bring an older copy of a file up to date by writing only the blocks that changed.

Owns ``block_digests`` and ``patch_copy``, the publishing step that replaces a full copy of the
warehouse (``warehouse.publish``): like rsync against a manifest. Every block of the writer's file
(the 12 KiB of DuckDB headers, then blocks of DuckDB's block size, so a changed DuckDB block is one
changed block here) gets a digest (XXH3-128); the copy carries a manifest, the digests of the bytes it
was last made from. Blocks whose digests differ are written, nothing else; a nightly run that
touches a few megabytes of a multi-gigabyte warehouse writes a few megabytes, and the result is
byte for byte the writer's file.

Why a digest of every block, not DuckDB's own block checksums (free to read: 8 bytes at the head of
every block): that checksum is a XOR of the block's 8-byte words, blind to their order, and DuckDB
rewrites metadata blocks by moving 4 KiB sub-blocks around inside them. Two different versions of a
block then carry the same checksum (seen on DuckDB 1.5 after four small writes), and a copy patched
by that checksum silently differs from the writer's file.

Why XXH3-128 (the ``xxhash`` package) and not SHA-256: the digests only tell this file's blocks from
their own earlier versions, so what counts is a wide digest that sees every byte in its place, not
resistance to an attacker (who would have to make DuckDB write a block colliding with the block that
stood at the same offset before). XXH3 passes SMHasher's avalanche and permutation tests, and its
128 bits make an accidental match as unlikely as SHA-256's truncated 16 bytes did. It hashes the
3.8 GB file of the 1 GB benchmark in 0.5 CPU seconds straight from the page cache (a read-only
``mmap``, no copy), where SHA-256 took 2.8 CPU seconds plus the copies of ``pread``: the digest
pass was 43 % of a one-new-dump run's CPU at 1 GB (docs/performance.md). It still reads the whole
file; what a checkpoint touched cannot be told without reading it (see the checksum above).

Why it is safe: nothing about the copy is trusted that was not checked. The manifest names the
copy's size, inode and modification time when it was written; any difference (the copy touched
since, a manifest of another file) raises ``NotPatchable`` and the caller makes a full copy. The
manifest is removed before the first byte is patched and written again only after the copy is
synced, so a patch interrupted half-way leaves no manifest, and the next publish copies whole.
"""

from __future__ import annotations

import json
import mmap
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import xxhash

HEADER_BYTES = 3 * 4096  # DuckDB's main header and its two alternating database headers: block 0 here
DIGEST = "xxh3_128"  # named in every manifest: a manifest of another digest is not trusted
DIGEST_BYTES = 16  # a changed block goes unnoticed with probability 2**-128
MAX_CHANGED_SHARE = 0.5  # above this share of changed bytes a plain copy is as cheap
MANIFEST_SUFFIX = ".blocks"
WINDOW_BYTES = 64 << 20  # of the file mapped at once while hashing (``block_digests``)
HASH_THREADS = 2  # windows hashed at once


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
    """The XXH3-128 digest of every block of ``path`` (see ``_spans``), read through read-only maps
    of ``WINDOW_BYTES`` at a time, ``HASH_THREADS`` windows at once.

    Why windows, not one map of the file: mapped pages count in the process's resident memory
    until the map is closed, so hashing a 3 GB file through one map made the writer look 3 GB big
    (the benchmark's PSS peak of a 1 GB ingest went from ~1 GB to 3.1 GB); a window's pages leave
    the process with the window.
    Why threads: ``xxhash`` lets go of the GIL while it hashes, and the publish is the run's last
    step, with the machine's cores otherwise idle; two windows in flight hold 128 MB at most.
    """
    size = Path(path).stat().st_size
    spans = _spans(size, block_size)
    with open(path, "rb") as fh, ThreadPoolExecutor(HASH_THREADS) as pool:
        parts = pool.map(lambda window: _window_digests(fh.fileno(), *window), _windows(spans))
        return [digest for part in parts for digest in part]


def _windows(spans: list[tuple[int, int]]) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """(where its map starts, the spans it holds): consecutive runs of ``spans`` that fit in one map
    of at most ``WINDOW_BYTES`` (at least one block each). A map starts on a page boundary."""
    at = 0
    while at < len(spans):
        start = spans[at][0] - spans[at][0] % mmap.ALLOCATIONGRANULARITY
        last = at
        while last + 1 < len(spans) and spans[last + 1][0] + spans[last + 1][1] - start <= WINDOW_BYTES:
            last += 1
        yield start, spans[at : last + 1]
        at = last + 1


def _window_digests(fd: int, start: int, window: list[tuple[int, int]]) -> list[bytes]:
    length = window[-1][0] + window[-1][1] - start
    with mmap.mmap(fd, length, prot=mmap.PROT_READ, offset=start) as mapped:
        mapped.madvise(mmap.MADV_SEQUENTIAL)
        with memoryview(mapped) as view:
            return [xxhash.xxh3_128_digest(view[o - start : o - start + n]) for o, n in window]


def manifest_path(copy: Path) -> Path:
    return copy.with_name(copy.name + MANIFEST_SUFFIX)


def _identity(fd: int) -> dict[str, int]:
    st = os.fstat(fd)
    return {"size": st.st_size, "ino": st.st_ino, "mtime_ns": st.st_mtime_ns}


def write_manifest(copy: Path, digests: Sequence[bytes], block_size: int) -> None:
    """Record that ``copy`` (as it is now on disk) holds the blocks ``digests`` describe."""
    fd = os.open(copy, os.O_RDONLY)
    try:
        head = {**_identity(fd), "digest": DIGEST, "block_size": block_size, "blocks": len(digests)}
    finally:
        os.close(fd)
    write_atomically(manifest_path(copy), json.dumps(head).encode() + b"\n" + b"".join(digests))


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, synced: a reader (or a crash) sees the old bytes or the new.

    Through a temp name beside it (``<name>.<pid>.tmp``, swept like the publisher's temp files).
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
    if head.get("digest") != DIGEST:
        raise NotPatchable(f"the manifest of {copy.name} holds another kind of digest ({head.get('digest')})")
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
