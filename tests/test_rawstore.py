"""Raw store: bytes kept once by SHA-256, atomically, read-only, first delivery's facts kept."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from warehouse.rawstore import RawStore, sha256_file

TEXT = b"Posts Tagged 'Gardening'\n\nA note of ours about compost, written for this test.\n"


def test_put_file_stores_bytes_by_hash_read_only(tmp_path: Path) -> None:
    src = tmp_path / "in" / "garden.txt"
    src.parent.mkdir()
    src.write_bytes(TEXT)
    store = RawStore(tmp_path / "raw")
    meta = store.put_file(src)
    digest = hashlib.sha256(TEXT).hexdigest()
    assert meta.dump_id == digest == sha256_file(src)
    stored = Path(meta.raw_path)
    assert stored == tmp_path / "raw" / digest[:2] / f"{digest}.txt"
    assert stored.read_bytes() == TEXT
    assert meta.size_bytes == len(TEXT) and meta.file_name == "garden.txt"
    assert not stat.S_IMODE(stored.stat().st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    # no temp files left behind
    assert not [p for p in (tmp_path / "raw").rglob("*") if p.name.endswith(".part")]


def test_put_is_idempotent_and_keeps_first_delivery(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    first = store.put_bytes(TEXT, "a.txt", received_at=datetime(2020, 1, 1, 12, 0))
    src = tmp_path / "b.txt"
    src.write_bytes(TEXT)
    again = store.put_file(src, received_at=datetime(2024, 5, 5))
    assert again.dump_id == first.dump_id
    assert again.received_at == datetime(2020, 1, 1, 12, 0)  # first sight wins
    assert store.meta(first.dump_id).file_name == "a.txt"
    assert list(store.iter_ids()) == [first.dump_id]
    files = [p for p in (tmp_path / "raw").rglob("*.txt")]
    assert len(files) == 1


def test_changed_bytes_are_a_new_entry_and_all_meta_is_in_delivery_order(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    old = store.put_bytes(TEXT, "same.txt", received_at=datetime(2021, 1, 1))
    new = store.put_bytes(TEXT + b"one more line\n", "same.txt", received_at=datetime(2022, 1, 1))
    assert old.dump_id != new.dump_id
    assert [m.dump_id for m in store.all_meta()] == [old.dump_id, new.dump_id]
    assert store.read_bytes(new.dump_id).endswith(b"one more line\n")


def test_hash_computed_while_copying_wins_over_a_stale_hint(tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_bytes(TEXT)
    store = RawStore(tmp_path / "raw")
    stale = hashlib.sha256(b"what the scan saw earlier").hexdigest()
    meta = store.put_file(src, dump_id=stale)
    assert meta.dump_id == hashlib.sha256(TEXT).hexdigest()
    assert not store.has(stale)


def test_rejects_non_hash_ids(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")
    with pytest.raises(KeyError):
        store.meta("0" * 64)


def test_empty_store_lists_nothing(tmp_path: Path) -> None:
    assert list(RawStore(tmp_path / "absent").iter_ids()) == []
    assert os.path.exists(tmp_path) and RawStore(tmp_path / "absent").all_meta() == []


def test_verify_tells_damaged_bytes(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    meta = store.put_bytes(TEXT, "v.txt")
    assert store.verify(meta.dump_id)
    stored = store.path_for(meta.dump_id)
    stored.chmod(0o644)
    stored.write_bytes(TEXT.replace(b"compost", b"COMPOST"))
    assert not store.verify(meta.dump_id)
    stored.unlink()
    assert not store.verify(meta.dump_id)


def test_a_killed_copy_leaves_no_entry_and_its_temp_file_is_swept(tmp_path: Path) -> None:
    """A copy killed before its rename leaves only a temp file: not listed, and swept once it is old."""
    store = RawStore(tmp_path / "raw")
    store.root.mkdir(parents=True)
    leftover = store.root / ".incoming-abc.part"
    leftover.write_bytes(TEXT[:10])
    assert list(store.iter_ids()) == []
    assert store.sweep_stale_temp() == 0  # young: a copy may still be writing it
    old = os.stat(leftover).st_mtime - 7200
    os.utime(leftover, (old, old))
    assert store.sweep_stale_temp() == 1 and not leftover.exists()


def test_missing_or_damaged_sidecar_is_written_again(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    meta = store.put_bytes(TEXT, "first name.txt", received_at=datetime(2020, 1, 1))
    side = store.path_for(meta.dump_id).with_suffix(".json")
    side.chmod(0o644)
    side.write_text("{not json", encoding="utf-8")
    again = store.meta(meta.dump_id)  # damaged: rewritten (the name is lost, the bytes are not)
    assert again.dump_id == meta.dump_id and again.size_bytes == len(TEXT)
    assert store.meta(meta.dump_id).received_at == again.received_at
