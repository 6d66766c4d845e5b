"""The landing folder's hash cache: SHA-256 digests of landed files by their stat, between runs.

Owns :class:`HashCache` and where it lives (:func:`hash_cache`, in the raw store). Kept apart from
the scan (``warehouse.landing``) because it is the scan's memory, not its rules: the scan works
the same without it, only slower.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from warehouse.rawstore import RawStore

# (size, mtime_ns, ctime_ns, sha256) of a file hashed earlier: same stat, same bytes (ctime
# cannot be set back by copy tools, so a rewrite with the same size and mtime still shows).
Fingerprint = tuple[int, int, int, str]


class HashCache:
    """SHA-256 digests of landed files by their stat, kept in a JSON file between runs.

    Why: a landing folder keeps every dump it was given, and hashing a gigabyte of them to find
    the one new file cost an ingest seconds on every run. A file whose size, mtime and ctime
    are unchanged has the same bytes (ctime cannot be set back by copy tools), as the landing
    sensor also assumes for the fingerprints in its cursor; the digest still identifies the dump.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, Fingerprint]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {str(k): (int(v[0]), int(v[1]), int(v[2]), str(v[3])) for k, v in raw.items()}
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            return {}

    def save(self, fresh: Mapping[str, Fingerprint]) -> None:
        """Remember ``fresh``, and forget files that are gone (best effort: a cache is never needed)."""
        known = self.load()
        if all(known.get(k) == tuple(v) for k, v in fresh.items()):
            return  # nothing learnt: no write
        merged = {k: v for k, v in known.items() if os.path.exists(k)} | dict(fresh)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({k: list(v) for k, v in sorted(merged.items())}), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):  # e.g. no folder to write in: the raw store reports it
                tmp.unlink(missing_ok=True)


def hash_cache(store: RawStore) -> HashCache:
    """The digests of landed files by their stat (:class:`HashCache`), kept in the raw store."""
    return HashCache(store.root / ".landing-hashes.json")
