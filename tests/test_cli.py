"""The `bylines` command line: ingest prints a summary, re-ingest skips, sql is read-only."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.cli import main

PROJECT = Path(__file__).resolve().parents[1]
BYLINES = Path(sys.executable).parent / "bylines"


def _command() -> list[str]:
    """The installed entry point, or the module when the venv has no script."""
    return [str(BYLINES)] if BYLINES.exists() else [sys.executable, "-m", "orchestration.cli"]


def _cli(
    args: list[str],
    env_extra: dict[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        _command() + args, capture_output=True, text=True, env=env, input=stdin, cwd=cwd, timeout=300
    )


@pytest.mark.seeds
def test_ingest_seeds_twice_then_query(
    tmp_path: Path, seeds: list[Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.duckdb"
    start = time.perf_counter()
    first = _cli(["ingest", *map(str, seeds), "--warehouse", str(db)])
    elapsed = time.perf_counter() - start
    assert first.returncode == 0, first.stderr
    assert f"dumps:    {len(seeds)} new, 0 skipped, 0 quarantined" in first.stdout
    assert re.search(r"^posts:    [1-9]\d*$", first.stdout, re.M)
    assert re.search(r"^articles: [1-9]\d* new, \d+ updated, 0 left$", first.stdout, re.M)
    assert elapsed < 60, f"ingesting the seeds took {elapsed:.1f} s"
    assert (tmp_path / "raw").is_dir()  # the raw store sits beside the warehouse by default

    capsys.readouterr()
    assert main(["ingest", *map(str, seeds), "--warehouse", str(db)]) == 0  # in-process: same job
    assert f"dumps:    0 new, {len(seeds)} skipped, 0 quarantined" in capsys.readouterr().out

    query = _cli(["sql", "--warehouse", str(db), "SELECT status, count(*) AS n FROM dumps GROUP BY status"])
    assert query.returncode == 0, query.stderr
    assert re.search(rf"loaded\s+{len(seeds)}", query.stdout)

    for statement in ("CREATE TABLE hack (a INT)", "DELETE FROM dumps", "DROP TABLE posts"):
        assert main(["sql", "--warehouse", str(db), statement]) == 1
        assert "read-only" in capsys.readouterr().out.lower()
    assert main(["sql", "--warehouse", str(db), "SELECT count(*) AS n FROM dumps"]) == 0
    assert re.search(rf"\b{len(seeds)}\b", capsys.readouterr().out)  # nothing was deleted

    # A writer holding the warehouse file open does not block readers: they read the published copy.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert main(["sql", "--warehouse", str(db), "SELECT count(*) AS n FROM posts"]) == 0
        assert "(1 row)" in capsys.readouterr().out
    finally:
        holder.communicate("", timeout=60)  # closing its stdin lets the holder go

    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT 40 + 2 AS answer;\nSELECT 'x' AS y\n"))
    assert main(["sql", "--warehouse", str(db)]) == 0
    interactive = capsys.readouterr().out
    assert "42" in interactive and interactive.count("(1 row)") == 2


def test_ingest_landing_folder_with_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No PATH: the landing folder is scanned; a non-dump is quarantined with a reason, exit code 0."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "notes.txt").write_text("just a grocery list\nbeans\n", encoding="utf-8")
    (landing / "upload.txt.part").write_text("half", encoding="utf-8")
    code = main(["ingest", "--warehouse", str(tmp_path / "w.duckdb"), "--landing", str(landing)])
    out = capsys.readouterr().out
    assert code == 0
    assert "dumps:    0 new, 0 skipped, 1 quarantined" in out
    assert "quarantined notes.txt:" in out


def test_sql_without_warehouse_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "--warehouse", str(tmp_path / "none.duckdb"), "SELECT 1"]) == 2
    assert "no warehouse" in capsys.readouterr().err


@pytest.mark.seeds
def test_rebuild_from_raw_store(
    tmp_path: Path, seeds: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["ingest", *map(str, seeds[:2]), "--warehouse", str(db)]) == 0
    db.unlink()
    assert main(["rebuild", "--warehouse", str(db)]) == 0
    out = capsys.readouterr().out
    assert "dumps:    2 new" in out.split("rebuilt", 1)[1]
    buf = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, buf
    try:
        assert main(["sql", "--warehouse", str(db), "SELECT count(*) AS n FROM dumps"]) == 0
    finally:
        sys.stdout = sys_stdout
    assert re.search(r"\b2\b", buf.getvalue())


def test_demo_without_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing = tmp_path / "landing"
    code = main(["demo", "--no-serve", "--warehouse", str(tmp_path / "w.duckdb"), "--landing", str(landing)])
    out = capsys.readouterr().out
    assert code == 0
    # two writers in their landing folders, named in writers.yaml beside it: the first screen compares them
    folders = {p.parent.name for p in landing.glob("*/*.txt")}
    assert folders == {"mara-kellerman", "nadia-haddad"} and not list(landing.glob("*.txt"))
    assert "nadia-haddad:" in (tmp_path / "writers.yaml").read_text(encoding="utf-8")
    assert re.search(r"dumps:\s+[1-9]\d* new", out) and re.search(r"dumps:.*\b0 quarantined", out)
    import duckdb

    from warehouse.publish import read_copy_path

    with duckdb.connect(str(read_copy_path(tmp_path / "w.duckdb")), read_only=True) as con:
        shown = con.execute("SELECT writer, site FROM v_writers WHERE pieces > 0 ORDER BY 1").fetchall()
    assert shown == [("Mara Kellerman", "marakellerman.net"), ("Nadia Haddad", "nadiahaddad.org")]


def _ingest_in_a_child(tmp_path: Path, code: str) -> str:
    """Run ``code`` in a fresh Python process, ``ARGS`` bound to the `bylines` arguments that ingest one
    generated dump into a new warehouse; it must exit 0 with the dump loaded. Returns its stdout."""
    from samples.generator import generate_corpus

    dump = generate_corpus(tmp_path / "landing", target_bytes=1, seed=5)[0]
    args = [
        "ingest",
        str(dump),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--landing",
        str(tmp_path / "landing"),
    ]
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    done = subprocess.run(
        [sys.executable, "-c", f"ARGS = {args!r}\n{code}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "dumps:    1 new" in done.stdout, done.stdout
    return done.stdout


def test_the_command_collects_garbage_while_its_run_works(tmp_path: Path) -> None:
    """`bylines` (``console_main``) keeps Python's cyclic collector off during start-up only: the run's
    steps execute with it on (a backfill's memory depends on it), start-up's objects frozen out of
    its sight (each full collection walked them all: about 0.75 CPU s of one new dump's 3.5-3.8)."""
    out = _ingest_in_a_child(
        tmp_path,
        "import gc, sys\n"
        "import orchestration.supervise as supervise\n"
        "from orchestration import cli\n"
        "seen = []\n"
        "nothing_new, run_supervised = cli.nothing_new, supervise.run_supervised\n"
        "def at_start(*a):\n"
        "    seen.append(('start-up', gc.isenabled()))\n"
        "    return nothing_new(*a)\n"
        "def at_run(*a, **k):\n"
        "    seen.append(('run', gc.isenabled(), gc.get_freeze_count() > 50_000))\n"
        "    return run_supervised(*a, **k)\n"
        "cli.nothing_new, supervise.run_supervised = at_start, at_run\n"
        "sys.argv = ['bylines', *ARGS]\n"
        "code = cli.console_main()\n"
        "print('seen:', seen)\n"
        "sys.exit(code)\n",
    )
    assert "seen: [('start-up', False), ('run', True, True)]" in out, out


def test_ingest_loads_a_dump_without_importing_pandas(tmp_path: Path) -> None:
    """DuckDB's client imports pandas on the first bound parameter (0.35 CPU s of every run): `bylines
    ingest` keeps it out for its length, and the dump loads exactly as it would with it."""
    out = _ingest_in_a_child(
        tmp_path,
        "import sys\n"
        "from orchestration.cli import main\n"
        "code = main(ARGS)\n"
        "print('pandas imported:', 'pandas' in sys.modules)\n"
        "sys.exit(code)\n",
    )
    assert "pandas imported: False" in out, out
