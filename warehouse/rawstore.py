"""Immutable raw store: every received dump's bytes, kept once, addressed by SHA-256.

Why: the warehouse is derived data. Whatever happens to it (a crash mid-load, a parser
bug fixed later), ``bylines rebuild`` must be able to recreate it from these bytes alone,
so they are written atomically (temp file + ``os.replace``), never modified afterwards
(read-only permissions) and named by their content hash (an identical re-delivery is a
no-op by construction).

Layout: ``<root>/<first two hex digits>/<sha256>.txt`` plus a small sidecar
``<sha256>.json`` with the delivery facts (file name, size, first-seen time, and the writer
when it is not the default one), so a rebuild can restore the ``dumps`` rows without the
landing folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from warehouse.writers import Writer

ENV_RAW = "BYLINES_RAW"
DEFAULT_RAW = Path("data/raw")
HASH_CHUNK = 1 << 20  # stream 1 MiB at a time: dumps may be large, memory must not scale with them
_READ_ONLY = 0o444
_SHA256_HEX_LEN = 64
# Temp files older than this were left by a process that was killed mid-copy (copies take seconds).
STALE_TEMP_SECONDS = 3600.0


class DumpMeta(BaseModel):
    """Facts about one received dump, known before it is parsed (one ``dumps`` row's identity)."""

    model_config = ConfigDict(extra="forbid")

    dump_id: str = Field(description="sha256 hex of the file's bytes")
    file_name: str = Field(description="basename as delivered")
    size_bytes: int
    encoding: str | None = Field(default=None, description="detected text encoding, filled after decoding")
    received_at: datetime = Field(description="when the landing scan first saw these bytes")
    raw_path: str = Field(description="path of the immutable copy in the raw store")
    writer: Writer | None = Field(default=None, description="whose dump it is; None = the default writer")


def default_raw_root() -> Path:
    """The raw store folder: ``$BYLINES_RAW`` or ``data/raw``."""
    return Path(os.environ.get(ENV_RAW) or DEFAULT_RAW)


def sha256_file(path: Path) -> str:
    """SHA-256 hex of a file, streamed (a 50 MB one-line dump must not be read into memory at once)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: some file systems cannot fsync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_dump_id(text: str) -> bool:
    """Whether ``text`` has the form of a dump's id (a sha256 in lower-case hex)."""
    return len(text) == _SHA256_HEX_LEN and all(c in "0123456789abcdef" for c in text)


def _read_sidecar(side: Path) -> dict | None:
    """The sidecar's facts, or None when it is missing or damaged (then it is written again)."""
    try:
        stored = json.loads(side.read_text(encoding="utf-8"))
        int(stored["size_bytes"])
        datetime.fromisoformat(stored["received_at"])
        str(stored["file_name"])
        if stored.get("writer") is not None:
            Writer.model_validate(stored["writer"])
    except (OSError, ValueError, KeyError, TypeError):
        if side.is_file():  # damaged: move it aside (it is read-only, but the folder is ours)
            try:
                side.unlink()
            except OSError:
                pass
        return None
    return stored


def _stored_writer(stored: dict) -> Writer | None:
    """The writer a sidecar records (None: the default writer, or a sidecar from before writers)."""
    value = stored.get("writer")
    return Writer.model_validate(value) if value is not None else None


class RawStore:
    """Content-addressed, append-only folder of dump bytes."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_raw_root()
        self._swept = False

    def sweep_stale_temp(self, max_age_s: float = STALE_TEMP_SECONDS) -> int:
        """Delete temp files a killed process left behind (old enough that no copy is still writing them)."""
        if not self.root.is_dir():
            return 0
        now = time.time()
        removed = 0
        for pattern in (".incoming-*.part", "??/.meta-*.part"):
            for tmp in self.root.glob(pattern):
                try:
                    if now - tmp.stat().st_mtime >= max_age_s:
                        tmp.unlink()
                        removed += 1
                except OSError:
                    continue
        return removed

    def _sweep_once(self) -> None:
        if not self._swept:
            self._swept = True
            self.sweep_stale_temp()

    def path_for(self, dump_id: str) -> Path:
        """Where the bytes of ``dump_id`` live (whether or not they are stored yet)."""
        if not is_dump_id(dump_id):
            raise ValueError(f"not a sha256 hex digest: {dump_id!r}")
        return self.root / dump_id[:2] / f"{dump_id}.txt"

    def _meta_path(self, dump_id: str) -> Path:
        return self.path_for(dump_id).with_suffix(".json")

    def has(self, dump_id: str) -> bool:
        return self.path_for(dump_id).is_file()

    def put_file(
        self,
        source: Path,
        dump_id: str | None = None,
        file_name: str | None = None,
        received_at: datetime | None = None,
        writer: Writer | None = None,
    ) -> DumpMeta:
        """Copy ``source`` into the store (once) and describe it, as delivered for ``writer``.

        Idempotent: when the bytes are already stored, nothing is written and the first
        delivery's ``received_at`` (and, in the sidecar, its writer) is kept. The hash is recomputed
        while copying, so a file that changed between the landing scan and the copy is stored under
        its real hash.
        """
        source = Path(source)
        name = file_name or source.name
        if dump_id is not None and self.has(dump_id):
            return self._meta_for(dump_id, name, received_at, writer=writer)
        self.root.mkdir(parents=True, exist_ok=True)
        self._sweep_once()
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".part", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as fh:
                for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            real_id = digest.hexdigest()
            renamed = self._commit(Path(tmp_name), real_id)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        return self._meta_for(real_id, name, received_at, size=size, sync=renamed, writer=writer)

    def put_bytes(
        self, data: bytes, file_name: str, received_at: datetime | None = None, writer: Writer | None = None
    ) -> DumpMeta:
        """Store bytes held in memory (tests, generated samples)."""
        dump_id = hashlib.sha256(data).hexdigest()
        renamed = False
        if not self.has(dump_id):
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".part", dir=self.root)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                renamed = self._commit(Path(tmp_name), dump_id)
            finally:
                if os.path.exists(tmp_name):
                    os.unlink(tmp_name)
        return self._meta_for(dump_id, file_name, received_at, size=len(data), sync=renamed, writer=writer)

    def _commit(self, tmp: Path, dump_id: str) -> bool:
        """Move a fully written temp file into place (True when it did); a concurrent identical write is
        harmless. The folder is synced by ``_meta_for`` (one fsync covers this rename and the sidecar's)."""
        target = self.path_for(dump_id)
        if target.is_file():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, _READ_ONLY)
        os.replace(tmp, target)
        return True

    def _meta_for(
        self,
        dump_id: str,
        file_name: str,
        received_at: datetime | None,
        size: int | None = None,
        sync: bool = False,
        writer: Writer | None = None,
    ) -> DumpMeta:
        """Read the sidecar written at first delivery, or write it now (first delivery wins).

        The description carries this delivery's name and writer (the warehouse row is this delivery's);
        the sidecar keeps the first delivery's, which a rebuild restores.
        The folder is fsynced after a rename (``sync``: the bytes were just moved in; or the sidecar
        was): once the warehouse says "loaded", a power cut must not undo the rename.
        """
        side = self._meta_path(dump_id)
        stored = _read_sidecar(side)
        if stored is not None:
            if sync:
                _fsync_dir(side.parent)
            return DumpMeta(
                dump_id=dump_id,
                file_name=file_name,
                size_bytes=int(stored["size_bytes"]),
                received_at=datetime.fromisoformat(stored["received_at"]),
                raw_path=str(self.path_for(dump_id)),
                writer=writer if writer is not None else _stored_writer(stored),
            )
        meta = DumpMeta(
            dump_id=dump_id,
            file_name=file_name,
            size_bytes=size if size is not None else self.path_for(dump_id).stat().st_size,
            received_at=received_at or datetime.now(UTC).replace(tzinfo=None),
            raw_path=str(self.path_for(dump_id)),
            writer=writer,
        )
        payload: dict[str, object] = {
            "file_name": meta.file_name,
            "size_bytes": meta.size_bytes,
            "received_at": meta.received_at.isoformat(),
        }
        if writer is not None and not writer.is_default:  # the default writer's are named by today's config
            payload["writer"] = writer.model_dump(mode="json")
        fd, tmp_name = tempfile.mkstemp(prefix=".meta-", suffix=".part", dir=side.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out)
                out.flush()
                os.fsync(out.fileno())  # a power cut must not leave an empty sidecar behind
            os.chmod(tmp_name, _READ_ONLY)
            os.replace(tmp_name, side)
            _fsync_dir(side.parent)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        return meta

    def verify(self, dump_id: str) -> bool:
        """The stored bytes still hash to ``dump_id`` (False when damaged or unreadable)."""
        try:
            return sha256_file(self.path_for(dump_id)) == dump_id
        except OSError:
            return False

    def read_bytes(self, dump_id: str) -> bytes:
        return self.path_for(dump_id).read_bytes()

    def meta(self, dump_id: str) -> DumpMeta:
        """The stored description of a dump (as first delivered)."""
        side = self._meta_path(dump_id)
        if not self.has(dump_id):
            raise KeyError(dump_id)
        stored = _read_sidecar(side)
        if stored is None:  # never written (killed between the copy and the sidecar) or unreadable
            return self._meta_for(dump_id, f"{dump_id}.txt", None)
        return DumpMeta(
            dump_id=dump_id,
            file_name=stored["file_name"],
            size_bytes=int(stored["size_bytes"]),
            received_at=datetime.fromisoformat(stored["received_at"]),
            raw_path=str(self.path_for(dump_id)),
            writer=_stored_writer(stored),
        )

    def iter_ids(self) -> Iterator[str]:
        """Every stored dump id (sorted, so a rebuild is deterministic)."""
        if not self.root.is_dir():
            return iter(())
        ids = sorted(p.stem for p in self.root.glob("??/*.txt") if is_dump_id(p.stem))
        return iter(ids)

    def all_meta(self) -> list[DumpMeta]:
        """Descriptions of every stored dump, oldest delivery first (the order a rebuild replays)."""
        metas = [self.meta(i) for i in self.iter_ids()]
        return sorted(metas, key=lambda m: (m.received_at, m.dump_id))
