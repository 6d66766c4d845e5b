"""Hostile and odd inputs, generated here: no run crashes, every dump ends loaded or quarantined with a
reason a person understands (table ``dumps``, the CLI summary, the dashboard's Data quality query), the
other dumps of the same run load, and nothing loaded earlier is lost.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.cli import format_summary
from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource
from orchestration.runs import RunGuard
from warehouse.integrity import duplicate_counts, orphan_counts
from warehouse.landing import REFUSED_PREFIX
from warehouse.publish import read_copy_path

SETTLE = 30.0  # the landing folder's settle time in these runs; files are aged past it unless "in progress"
AGED = 600.0


def _age(path: Path, seconds: float = AGED) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past), follow_symlinks=False)


def _materialize(root: Path, landing: Path) -> dg.ExecuteInProcessResult:
    """One nightly-style run (no paths: scan the landing folder) with assets and checks, in-process."""
    return dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources={
            "warehouse": WarehouseResource(path=str(root / "w.duckdb")),
            "landing": LandingFolder(path=str(landing), settle_seconds=SETTLE),
            "raw_store": RawStoreResource(path=str(root / "raw")),
            "run_guard": RunGuard(),
        },
        run_config={"ops": {"landed_dumps": {"config": {"paths": []}}}},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _summary(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    (mat,) = result.asset_materializations_for_node("warehouse_tables")
    return dict(mat.metadata["summary"].data)


def _dumps(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """file_name -> [(status, error, encoding, superseded_by, dump_id)], read from the published copy."""
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        rows = con.execute(
            "SELECT file_name, status, error, encoding, superseded_by, dump_id FROM dumps ORDER BY ALL"
        ).fetchall()
    out: dict[str, list[tuple[Any, ...]]] = {}
    for name, *rest in rows:
        out.setdefault(name, []).append(tuple(rest))
    return out


def _assert_sound(db: Path) -> None:
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        assert not any(orphan_counts(con).values()), orphan_counts(con)
        assert not any(duplicate_counts(con).values()), duplicate_counts(con)


def _good_dumps(tmp: Path, n: int = 4) -> list[Path]:
    from samples.generator import generate_corpus

    return generate_corpus(tmp / "generated", n_dumps=n, seed=41)


def _asciify(text: str) -> str:
    return text.translate(
        str.maketrans(
            {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
        )
    )


# (file name, expected status or None for "loaded or quarantined"); bytes written by _build_corpus.
EXPECTED_LOADED = {
    "utf16 with bom.txt",
    "utf16le no bom.txt",
    "utf8 with bom.txt",
    "latin1.txt",
    "cp1252 smart quotes.txt",
    "mixed line endings.txt",
    "old mac line endings.txt",
    "cut mid post.txt",
    "linked.txt",
    "my dump with spaces.txt",
    "dépêche — 東京 ü.txt",
    "caf\ufffd.txt",
    "x" * 200 + ".txt",
    "form feeds and tabs.txt",
    "utf32.txt",
    "utf8 cut mid character.txt",
    "utf8 stray byte.txt",
    "utf16be no bom.txt",
    "utf16 cut odd length.txt",
    "few high bytes.txt",
}
EXPECTED_QUARANTINED = {
    "empty.txt": "empty",
    "whitespace only.txt": "empty",
    "binary nul.txt": "binary",
    "random bytes.txt": "",
    "one line 50 MB.txt": "one line",
    "html page.txt": "HTML",
    "no post at all.txt": "no recognisable",
    "json export.txt": "",
    "csv export.txt": "",
    "header only.txt": "",
    "in a subfolder.txt": "sub-folder",
    "dangling link.txt": "does not exist",
    "link loop.txt": "loops",
    "a folder.txt": "folder",
    "named pipe.txt": "pipe",
}
UNDECIDED = {"nul inside a dump.txt", "many short lines.txt"}


def _build_corpus(tmp: Path, landing: Path, good: bytes, other: bytes) -> dict[str, str]:
    """Write the hostile corpus into ``landing``; returns notes on cases that could not be made here."""
    text = good.decode("utf-8")
    rng = random.Random(5)
    notes: dict[str, str] = {}
    w = {
        "empty.txt": b"",
        "whitespace only.txt": b"  \n\t\n \r\n   \n",
        "binary nul.txt": b"\x00\x01\x02\x03 PK\x03\x04 \x00\xff\xfe" * 400,
        "random bytes.txt": rng.randbytes(64 * 1024),
        "utf16 with bom.txt": text.encode("utf-16"),
        "utf16le no bom.txt": text.encode("utf-16-le"),
        "utf8 with bom.txt": b"\xef\xbb\xbf" + good,
        "latin1.txt": _asciify(text).encode("latin-1", "replace")
        + "\nCafé, naïve, Zürich.\n".encode("latin-1"),
        "cp1252 smart quotes.txt": text.encode("cp1252", "replace")
        + "\n\u201cQuoted\u201d \u2014 café.\n".encode("cp1252"),
        "mixed line endings.txt": good.replace(b"\n", b"\r\n", 40).replace(b"\n", b"\r", 3),
        "old mac line endings.txt": good.replace(b"\n", b"\r"),
        "one line 50 MB.txt": b"word " * (10 * 1024 * 1024),
        "cut mid post.txt": good[: len(good) * 3 // 5],
        "html page.txt": b"<!DOCTYPE html>\n<html><head><title>Archive</title></head><body>"
        + b"<div class='post'><p>" * 20
        + b"</body></html>\n",
        "no post at all.txt": b"Lorem ipsum dolor sit amet, a paragraph of ours with no posts.\n\n" * 30,
        "json export.txt": b'{"posts": [{"title": "x", "body": "y"}]}\n' * 50,
        "csv export.txt": b"title,outlet,date\nA,B,2020-01-01\n" * 100,
        "header only.txt": b"Posts Tagged \xe2\x80\x98Nothing\xe2\x80\x99\n",
        "my dump with spaces.txt": other,
        "dépêche — 東京 ü.txt": other.replace(b"\n", b"\r\n"),
        "x" * 200 + ".txt": other + b"\n",
        "form feeds and tabs.txt": other.replace(b"\n\n", b"\n\f\n", 3).replace(b" ", b"\t", 20),
        "nul inside a dump.txt": other.replace(b"\n", b"\n\x00", 5),
        "utf8 cut mid character.txt": other + "\u00e9\u6771".encode()[:-1],
        "utf32.txt": other.decode("utf-8").encode("utf-32"),
        # one byte that is not UTF-8 in the middle of a UTF-8 dump with typographic quotes
        "utf8 stray byte.txt": good[: len(good) // 2] + b"\x93" + good[len(good) // 2 :],
        "utf16be no bom.txt": other.decode("utf-8").encode("utf-16-be"),
        "utf16 cut odd length.txt": other.decode("utf-8").encode("utf-16") + b"\n",
        # ASCII apart from two Latin-1 letters: too little for detection to tell code pages apart
        "few high bytes.txt": _asciify(other.decode("utf-8")).encode("ascii", "replace")
        + b"\nZ\xfcrich, caf\xe9\n",
        "many short lines.txt": b"x\n" * 200_000,
        "late fill.txt": b"",
        "upload.txt.part": good,  # a temp name: ignored, never recorded
        ".hidden.txt": good,  # a dotfile: ignored
    }
    for name, data in w.items():
        (landing / name).write_bytes(data)
    # A name that is not valid UTF-8 (Linux allows any bytes but '/' and NUL).
    try:
        with open(os.path.join(os.fsencode(landing), b"caf\xe9.txt"), "wb") as fh:
            fh.write(other + b"\n\n")
    except OSError as exc:
        notes["caf\ufffd.txt"] = f"file system refused a non-UTF-8 name: {exc}"
    # A symlink to a finished file elsewhere, a dangling one, a loop.
    target = tmp / "elsewhere" / "real dump.dat"
    target.parent.mkdir()
    target.write_bytes(other + b"\n\n\n")
    _age(target)  # a link is ready when what it points at has settled
    (landing / "linked.txt").symlink_to(target)
    (landing / "dangling link.txt").symlink_to(tmp / "no such file.txt")
    (landing / "link loop.txt").symlink_to(landing / "link loop.txt")
    # A folder named like a dump, a named pipe, a dump in a sub-folder.
    (landing / "a folder.txt").mkdir()
    os.mkfifo(landing / "named pipe.txt")
    # (a first-level sub-folder is a writer's: a dump one level deeper is refused)
    (landing / "sub" / "deeper").mkdir(parents=True)
    (landing / "sub" / "deeper" / "in a subfolder.txt").write_bytes(other + b"\n\n\n\n")
    (landing / "sub" / ".processed.txt").write_bytes(good)  # hidden: ignored
    # Permission denied: only meaningful when not root (root reads mode 000 files anyway).
    locked = landing / "no permission.txt"
    locked.write_bytes(other + b" ")
    locked.chmod(0o000)
    try:
        with open(locked, "rb"):
            pass
        notes["no permission.txt"] = "running as root: a mode-000 file is still readable, so it loads"
    except PermissionError:
        pass
    for p in landing.rglob("*"):
        if not p.is_fifo():
            _age(p)
    # Still being written: touched just now (mtime = now), so not ready yet.
    (landing / "still being written.txt").write_bytes(other[: len(other) // 3])
    return notes


def test_hostile_corpus(tmp_path: Path) -> None:
    good_files = _good_dumps(tmp_path)
    good, other, first, second = (p.read_bytes() for p in good_files)
    landing = tmp_path / "landing"
    landing.mkdir()
    db = tmp_path / "w.duckdb"

    # Run 0: two good dumps loaded earlier, which nothing later may lose.
    (landing / "earlier one.txt").write_bytes(first)
    (landing / "earlier two.txt").write_bytes(second)
    _age(landing / "earlier one.txt")
    _age(landing / "earlier two.txt")
    run0 = _materialize(tmp_path, landing)
    assert run0.success
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        earlier = con.execute("SELECT dump_id, post_count FROM dumps ORDER BY 1").fetchall()
        earlier_sightings = con.execute("SELECT count(*) FROM post_sightings").fetchone()[0]
    assert len(earlier) == 2 and all(n > 0 for _, n in earlier)

    # Run 1: the hostile corpus, plus one good dump that must load beside it.
    notes = _build_corpus(tmp_path, landing, good, other)
    (landing / "good one.txt").write_bytes(good)
    (landing / "zz same bytes as good one.txt").write_bytes(good)  # identical re-delivery in the same run
    (landing / "archive.txt").write_bytes(first + b"\n")  # will change under the same name in run 2
    for name in ("good one.txt", "zz same bytes as good one.txt", "archive.txt"):
        _age(landing / name)
    start = time.perf_counter()
    run1 = _materialize(tmp_path, landing)
    took = time.perf_counter() - start
    assert run1.success, [e.message for e in run1.all_events if e.is_failure]
    assert took < 120, f"the hostile run took {took:.0f} s"
    checks = {e.check_name: e.passed for e in run1.get_asset_check_evaluations()}
    assert checks["no_orphan_rows"] and checks["no_duplicate_ids"]
    assert run1.asset_materializations_for_node("published_warehouse")  # published despite bad input
    rows = _dumps(db)
    summary = _summary(run1)
    printed = format_summary(summary)

    assert rows["good one.txt"][0][0] == "loaded"
    assert "zz same bytes as good one.txt" not in rows  # same bytes: skipped, said so
    # A zero-byte file has the bytes of every empty file: recorded once (empty.txt), then skipped, said so.
    assert {
        "file_name": "late fill.txt",
        "dump_id": rows["empty.txt"][0][4],
        "reason": "same bytes as empty.txt",
    } in (summary["skipped"])
    assert "skipped late fill.txt: same bytes as empty.txt" in printed
    assert any(s["file_name"] == "zz same bytes as good one.txt" for s in summary["skipped"])
    for name in EXPECTED_LOADED - set(notes):
        assert name in rows, f"{name} not recorded; have {sorted(rows)}"
        status, error, encoding, *_ = rows[name][0]
        assert status == "loaded", f"{name}: {error}"
        assert encoding, name
    encodings = {name: rows[name][0][2] for name in EXPECTED_LOADED - set(notes)}
    assert encodings["utf16 with bom.txt"].startswith("utf-16")
    assert encodings["utf16le no bom.txt"] == "utf-16-le"
    assert encodings["utf8 with bom.txt"] == "utf-8-sig"
    assert encodings["latin1.txt"] in {"cp1252", "latin_1", "iso8859_15"}
    assert encodings["cp1252 smart quotes.txt"] == "cp1252"
    assert encodings["utf32.txt"] == "utf-32"
    assert encodings["utf16be no bom.txt"] == "utf-16-be"
    assert encodings["utf16 cut odd length.txt"] == "utf-16"
    assert encodings["utf8 stray byte.txt"] == encodings["utf8 cut mid character.txt"] == "utf-8"
    assert encodings["few high bytes.txt"] == "cp1252"
    for name, words in EXPECTED_QUARANTINED.items():
        assert name in rows, f"{name} not recorded; have {sorted(rows)}"
        status, error, *_ = rows[name][0]
        assert status == "quarantined", name
        assert error and len(error) > 15 and words.lower() in error.lower(), (name, error)
        assert f"quarantined {name}: {error}" in printed, name  # the CLI summary says it too
    for name in UNDECIDED:
        status, error, *_ = rows[name][0]
        assert status == "loaded" or (status == "quarantined" and error and len(error) > 15), (name, error)
    refused = {n for n, r in rows.items() if r[0][4].startswith(REFUSED_PREFIX)}
    assert refused == {
        "in a subfolder.txt",
        "dangling link.txt",
        "link loop.txt",
        "a folder.txt",
        "named pipe.txt",
    }
    if "no permission.txt" not in notes:
        assert rows["no permission.txt"][0][0] == "quarantined"
        assert "permission" in rows["no permission.txt"][0][1]
    for ignored in ("upload.txt.part", ".hidden.txt", "still being written.txt", ".processed.txt"):
        assert ignored not in rows
    # The dashboard's Data quality page lists exactly the quarantined rows, with their reasons.
    from dashboard import queries
    from dashboard.data import reader_connection

    con = reader_connection(read_copy_path(db))
    try:
        shown = con.execute(queries.quarantined().sql, list(queries.quarantined().params)).df()
    finally:
        con.close()
    assert set(EXPECTED_QUARANTINED) <= set(shown["file_name"])
    assert shown["error"].str.len().min() > 15
    # The run's metadata says what was quarantined.
    assert {q["file_name"] for q in summary["quarantined"]} >= set(EXPECTED_QUARANTINED)
    assert summary["dumps_quarantined"] == len(summary["quarantined"])
    # Nothing loaded earlier was lost.
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        still = con.execute(
            "SELECT dump_id, post_count FROM dumps WHERE dump_id IN (SELECT unnest(?)) AND status = 'loaded'"
            " ORDER BY 1",
            [[d for d, _ in earlier]],
        ).fetchall()
        assert still == earlier
        assert (
            con.execute(
                "SELECT count(*) FROM post_sightings WHERE dump_id IN (SELECT unnest(?))",
                [[d for d, _ in earlier]],
            ).fetchone()[0]
            == earlier_sightings
        )
    _assert_sound(db)

    # Run 2: the late file filled, the in-progress file finished, a changed file under an old name, an
    # identical re-delivery, the sub-folder dump moved up, the broken link repaired.
    (landing / "late fill.txt").write_bytes(other + b"\n\n\n\n\n")
    (landing / "archive.txt").write_bytes(first + b"\n\n")
    shutil.copyfile(landing / "good one.txt", landing / "good one, resent.txt")
    shutil.move(landing / "sub" / "deeper" / "in a subfolder.txt", landing / "moved up.txt")
    (tmp_path / "no such file.txt").write_bytes(second + b"\n")
    _age(tmp_path / "no such file.txt")
    for p in landing.rglob("*"):
        if not p.is_fifo() and p.exists():
            _age(p)
    run2 = _materialize(tmp_path, landing)
    assert run2.success
    rows2 = _dumps(db)
    assert [r[0] for r in rows2["late fill.txt"]] == ["loaded"]  # filled later: a new dump, loaded
    assert rows2["still being written.txt"][0][0] == "loaded"
    versions = sorted(rows2["archive.txt"], key=lambda r: r[3] is None)
    assert len(versions) == 2 and versions[0][3] == versions[1][4]  # the older one is superseded by the newer
    assert "good one, resent.txt" not in rows2
    assert rows2["moved up.txt"][0][0] == "loaded"
    assert "in a subfolder.txt" not in rows2  # its refusal is resolved: the file left the sub-folder
    assert [r[0] for r in rows2["dangling link.txt"]] == ["loaded"]  # repaired: loaded, refusal gone
    assert all(r[0] == "loaded" for r in rows2["good one.txt"])
    _assert_sound(db)


def test_two_thousand_tiny_files(tmp_path: Path) -> None:
    """A flood of tiny files: every one recorded, the good dump beside them loads, the summary stays short."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for i in range(2000):
        (landing / f"tiny {i:04d}.txt").write_bytes(f"note {i}: buy milk\n".encode())
    good = _good_dumps(tmp_path, 1)[0]
    shutil.copyfile(good, landing / "the real dump.txt")
    for p in landing.iterdir():
        _age(p)
    start = time.perf_counter()
    result = _materialize(tmp_path, landing)
    took = time.perf_counter() - start
    assert result.success
    assert took < 120, f"2,000 tiny files took {took:.0f} s"
    with duckdb.connect(str(read_copy_path(tmp_path / "w.duckdb")), read_only=True) as con:
        counts = dict(con.execute("SELECT status, count(*) FROM dumps GROUP BY 1").fetchall())
        assert con.execute("SELECT status FROM dumps WHERE file_name = 'the real dump.txt'").fetchone() == (
            "loaded",
        )
        assert (
            con.execute(
                "SELECT count(*) FROM dumps WHERE status = 'quarantined' AND error IS NULL"
            ).fetchone()[0]
            == 0
        )
    assert counts.get("loaded", 0) + counts.get("quarantined", 0) == 2001
    printed = format_summary(_summary(result))
    assert len(printed.splitlines()) < 80 and "more quarantined" in printed


def test_cli_ingest_of_bad_files_names_each_reason(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Named on the command line (a backfill): each bad file is quarantined, the summary says why, exit 0."""
    from orchestration.cli import main

    bad = {
        "bad empty.txt": (b"", "empty"),
        "bad nul.txt": (b"\x00" * 100, "binary"),
        "bad html.txt": (b"<html><body>x</body></html>", ""),
        "bad one line.txt": (b"word " * 300_000, "one line"),
    }
    for name, (data, _words) in bad.items():
        (tmp_path / name).write_bytes(data)
    argv = ["ingest", *(str(tmp_path / n) for n in bad), "--warehouse", str(tmp_path / "w.duckdb")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "0 new, 0 skipped, 4 quarantined" in out
    for name, (_data, words) in bad.items():
        line = next(ln for ln in out.splitlines() if ln.startswith(f"quarantined {name}: "))
        assert words in line and len(line) > len(name) + 30, line


def test_sensor_caches_hashes_and_requests_refused_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only files whose size/mtime/ctime changed are hashed again; a refused file gets one full-scan run."""
    import warehouse.landing as landing_mod
    from orchestration.sensors import landing_sensor, read_cursor

    calls: list[str] = []
    real = landing_mod.sha256_file
    monkeypatch.setattr(landing_mod, "sha256_file", lambda p: calls.append(str(p)) or real(p))

    def tick(cursor: str | None) -> dg.SensorResult:
        ctx = dg.build_sensor_context(
            instance=dg.DagsterInstance.ephemeral(),
            cursor=cursor,
            resources={"landing": LandingFolder(path=str(tmp_path), settle_seconds=SETTLE)},
        )
        return landing_sensor.evaluate_tick(ctx)

    for i in range(3):
        (tmp_path / f"d{i}.txt").write_bytes(f"Posts Tagged 'T{i}'\n\nOur own post {i}.\n".encode())
        _age(tmp_path / f"d{i}.txt")
    first = tick(None)
    assert len(first.run_requests) == 1 and len(calls) == 3
    calls.clear()
    second = tick(first.cursor)
    assert not second.run_requests and calls == []  # nothing re-hashed
    (tmp_path / "d1.txt").write_bytes(b"Posts Tagged 'T1'\n\nOur own post 1, corrected.\n")
    _age(tmp_path / "d1.txt")
    third = tick(second.cursor)
    assert calls == [str((tmp_path / "d1.txt").absolute())] and len(third.run_requests) == 1
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing")
    fourth = tick(third.cursor)
    (req,) = fourth.run_requests
    assert req.run_config["ops"]["landed_dumps"]["config"]["paths"] == []  # a whole-folder run records it
    assert not tick(fourth.cursor).run_requests  # requested once
    assert len(read_cursor(fourth.cursor)) == 4  # d0, d1 as corrected (its old hash is gone), d2, the link


def test_an_unwritable_raw_store_fails_the_run_loudly_and_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Not a bad dump but a broken store (here: a file where the raw folder should be). Skipping every dump
    with a log line would look like a quiet night; the landing step fails (after its retries) instead, and
    once the store is fixed the next run loads everything."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for p in _good_dumps(tmp_path, 2):
        shutil.copyfile(p, landing / p.name)
        _age(landing / p.name)
    (tmp_path / "raw").write_bytes(b"not a folder")
    result = _materialize(tmp_path, landing)
    assert not result.success
    failure = result.failure_data_for_node("landed_dumps")
    assert failure is not None and "cannot write the raw store" in failure.error.to_string()
    retried = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert {e.step_key for e in retried} == {"landed_dumps"}  # retried first: it may be transient
    assert len(list(landing.iterdir())) == 2  # the deliveries are still there
    # `bylines ingest` says why (the error the step raised), and exits 1
    from orchestration.cli import main

    db = str(tmp_path / "w.duckdb")
    argv = ["ingest", "--warehouse", db, "--landing", str(landing), "--raw", str(tmp_path / "raw")]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "error: landed_dumps: IngestEnvironmentError: cannot write the raw store" in captured.out
    assert "ingest run FAILED" in captured.err
    (tmp_path / "raw").unlink()
    again = _materialize(tmp_path, landing)
    assert again.success and _summary(again)["dumps_new"] == 2


def test_a_data_error_blocks_publishing_and_readers_keep_the_last_good_copy(tmp_path: Path) -> None:
    """Blocking checks: an orphan row fails ``no_orphan_rows``; the read copy is not replaced."""
    landing = tmp_path / "landing"
    landing.mkdir()
    first, second = _good_dumps(tmp_path, 2)
    shutil.copyfile(first, landing / first.name)
    _age(landing / first.name)
    assert _materialize(tmp_path, landing).success
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM dumps").fetchone()
    with duckdb.connect(str(db)) as con:  # the data error: a mention of a post that does not exist
        con.execute(
            "INSERT INTO mentions (post_id, mention_no, medium, evidence, dump_id, line)"
            " VALUES ('no-such-post', 1, 'radio', 'test', 'no-such-dump', 1)"
        )
    shutil.copyfile(second, landing / second.name)
    _age(landing / second.name)
    result = _materialize(tmp_path, landing)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["no_orphan_rows"].passed
    assert checks["no_orphan_rows"].metadata["mentions_without_post"].value == 1
    assert not result.asset_materializations_for_node("published_warehouse")
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM dumps").fetchone() == before
        assert not any(orphan_counts(con).values())


def test_bulk_quarantine_never_overwrites_a_loaded_dump(tmp_path: Path) -> None:
    """One transaction for a flood of bad files; a dump loaded earlier under the same id stays loaded."""
    from datetime import datetime

    from conftest import ingest_files

    from warehouse.load import quarantine_dumps
    from warehouse.rawstore import DumpMeta

    good = _good_dumps(tmp_path, 1)[0]
    db = tmp_path / "w.duckdb"
    ingest_files([good], db)
    with duckdb.connect(str(db)) as con:
        (loaded_id,) = con.execute("SELECT dump_id FROM dumps").fetchone()

        def meta(dump_id: str, name: str) -> DumpMeta:
            return DumpMeta(
                dump_id=dump_id, file_name=name, size_bytes=1, received_at=datetime(2026, 1, 1), raw_path="x"
            )

        entries = [(meta(f"{i:064x}", f"bad {i}.txt"), f"reason {i}") for i in range(300)]
        quarantine_dumps(con, [*entries, (meta(loaded_id, "again.txt"), "late failure"), entries[0]])
        quarantine_dumps(con, [(meta(f"{0:064x}", "bad 0.txt"), "a newer reason")])
        rows = dict(con.execute("SELECT status, count(*) FROM dumps GROUP BY 1").fetchall())
        assert rows == {"loaded": 1, "quarantined": 300}
        assert con.execute("SELECT error FROM dumps WHERE file_name = 'bad 0.txt'").fetchone() == (
            "a newer reason",
        )
        assert con.execute("SELECT status, error FROM dumps WHERE dump_id = ?", [loaded_id]).fetchone() == (
            "loaded",
            None,
        )
