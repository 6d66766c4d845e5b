"""Landing scan: only complete, final-named *.txt files are ready; identity is the content hash."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from warehouse.landing import inspect_file, inspect_paths, is_candidate_name, scan_landing

BODY = b"Archive for the 'Notes' Category\n\nOur own short test post about rivers.\n"


def _age(path: Path, seconds: float) -> None:
    """Pretend the file was last written ``seconds`` ago."""
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.mark.parametrize(
    ("name", "ready"),
    [
        ("dump.txt", True),
        ("Dump With Spaces é.TXT", True),
        ("dump.txt.part", False),
        ("dump.txt.tmp", False),
        ("dump.part.txt", False),
        (".dump.txt", False),
        ("~dump.txt", False),
        (".~lock.dump.txt#", False),
        ("dump.txt~", False),
        ("dump.csv", False),
        ("dump.txt.crdownload", False),
    ],
)
def test_candidate_names(name: str, ready: bool) -> None:
    assert is_candidate_name(name) is ready


def test_scan_reports_ready_files_with_sha256(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(BODY)
    (tmp_path / "a.txt").write_bytes(BODY + b"x")
    (tmp_path / "c.txt.part").write_bytes(BODY)
    (tmp_path / "Jane Doe").mkdir()
    (tmp_path / "Jane Doe" / "d.txt").write_bytes(BODY)  # a writer's folder (named by it: no writers.yaml)
    found = scan_landing(tmp_path, settle_seconds=0)
    assert [f.file_name for f in found] == ["d.txt", "a.txt", "b.txt"]  # in path order
    writers = {f.file_name: (f.writer.writer_id, f.writer.name) for f in found if f.writer}
    assert writers == {
        "a.txt": ("default", None),
        "b.txt": ("default", None),
        "d.txt": ("jane-doe", "Jane Doe"),
    }
    b = found[2]
    assert b.sha256 == hashlib.sha256(BODY).hexdigest()
    assert b.size_bytes == len(BODY)
    assert Path(b.path).is_absolute()


def test_file_still_being_written_is_not_ready_until_it_settles(tmp_path: Path) -> None:
    done = tmp_path / "done.txt"
    done.write_bytes(BODY)
    _age(done, 120)
    growing = tmp_path / "growing.txt"
    growing.write_bytes(BODY[:10])  # mtime = now: a writer is still at work
    assert [f.file_name for f in scan_landing(tmp_path, settle_seconds=30)] == ["done.txt"]
    growing.write_bytes(BODY)
    _age(growing, 60)
    assert [f.file_name for f in scan_landing(tmp_path, settle_seconds=30)] == ["done.txt", "growing.txt"]


def test_zero_byte_file_that_fills_later_changes_identity(tmp_path: Path) -> None:
    f = tmp_path / "late.txt"
    f.write_bytes(b"")
    first = inspect_file(f)
    f.write_bytes(BODY)
    second = inspect_file(f)
    assert first is not None and second is not None
    assert first.sha256 != second.sha256


def test_symlink_to_a_finished_file_is_read_through(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.dat"
    target.write_bytes(BODY)
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "linked.txt").symlink_to(target)
    (landing / "dangling.txt").symlink_to(tmp_path / "missing")
    found = scan_landing(landing, settle_seconds=0)
    assert [f.file_name for f in found] == ["linked.txt"]


def test_missing_folder_is_empty_and_env_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert scan_landing(tmp_path / "nope", settle_seconds=0) == []
    (tmp_path / "e.txt").write_bytes(BODY)
    monkeypatch.setenv("BYLINES_LANDING", str(tmp_path))
    monkeypatch.setenv("BYLINES_SETTLE_SECONDS", "0")
    assert [f.file_name for f in scan_landing()] == ["e.txt"]


def test_explicit_paths_accept_other_suffixes_but_not_temp_names(tmp_path: Path) -> None:
    (tmp_path / "export.dump").write_bytes(BODY)
    (tmp_path / "half.txt.part").write_bytes(BODY)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "in.txt").write_bytes(BODY)
    found = inspect_paths(
        [tmp_path / "export.dump", tmp_path / "half.txt.part", folder, tmp_path / "gone.txt"]
    )
    assert [f.file_name for f in found] == ["export.dump", "in.txt"]


def test_refused_files_get_a_reason_saying_what_to_do(tmp_path: Path) -> None:
    """A dump in a sub-folder, a broken link, a link loop, a folder or pipe named *.txt: refused."""
    from warehouse.landing import REFUSED_PREFIX, scan_landing_report

    (tmp_path / "ok.txt").write_bytes(BODY)
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "nested.txt").write_bytes(BODY + b"nested")
    (tmp_path / "sub" / ".hidden.txt").write_bytes(BODY)
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "folder.txt").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    scan = scan_landing_report(tmp_path, settle_seconds=0)
    assert [f.file_name for f in scan.ready] == ["ok.txt"]
    reasons = {r.file_name: r.reason for r in scan.refused}
    assert set(reasons) == {"nested.txt", "broken.txt", "loop.txt", "folder.txt", "pipe.txt"}
    assert "sub-folder (sub/deeper/nested.txt)" in reasons["nested.txt"]
    assert "move it up" in reasons["nested.txt"]
    assert "does not exist" in reasons["broken.txt"] and "loops" in reasons["loop.txt"]
    assert "a folder" in reasons["folder.txt"] and "a named pipe" in reasons["pipe.txt"]
    assert all(r.refusal_id.startswith(REFUSED_PREFIX) for r in scan.refused)
    nested = next(r for r in scan.refused if r.file_name == "nested.txt")
    assert nested.sha256 == hashlib.sha256(BODY + b"nested").hexdigest()  # its bytes are known: no re-report
    # the fingerprint cache: the same stat is not hashed again (the sensor keeps it in its cursor)
    again = scan_landing_report(tmp_path, settle_seconds=0, cache=scan.fingerprints)
    assert again.fingerprints == scan.fingerprints


def test_unreadable_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    """Permission denied. As root a mode-000 file is still readable, so the scan runs as 'nobody' there
    (no skip: Python drops the privileges itself)."""
    locked_dir = Path(tempfile.mkdtemp(prefix="bylines-landing-"))  # not under pytest's private folder
    try:
        locked_dir.chmod(0o755)
        (locked_dir / "ok.txt").write_bytes(BODY)
        (locked_dir / "ok.txt").chmod(0o644)
        locked = locked_dir / "no permission.txt"
        locked.write_bytes(BODY + b"x")
        locked.chmod(0o000)
        code = (  # root reads a mode-000 file anyway: the child drops to 'nobody' once its imports are done
            "import json, os, sys\n"
            "from warehouse.landing import scan_landing_report\n"
            "if os.geteuid() == 0:\n"
            "    os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
            "scan = scan_landing_report(sys.argv[1], settle_seconds=0)\n"
            "refused = {r.file_name: r.reason for r in scan.refused}\n"
            "print(json.dumps([[f.file_name for f in scan.ready], refused]))\n"
        )
        argv = [sys.executable, "-c", code, str(locked_dir)]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=locked_dir)
        assert out.returncode == 0, out.stderr[-2000:]
        ready, refused = json.loads(out.stdout)
        assert ready == ["ok.txt"]
        assert "permission denied" in refused["no permission.txt"]
        assert "read access" in refused["no permission.txt"]
    finally:
        shutil.rmtree(locked_dir, ignore_errors=True)
