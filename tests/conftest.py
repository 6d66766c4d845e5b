"""Shared fixtures: where the real seeds and the scorer live, and a clean Dagster home.

The real dumps are never copied into the project: tests read them from ``../shared/seeds``
(or ``$BYLINES_SEEDS``) and skip with a clear reason when that folder is absent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("BYLINES_SHARED", PROJECT_ROOT.parent / "shared"))
SEEDS_DIR = Path(os.environ.get("BYLINES_SEEDS", SHARED_DIR / "seeds"))
EVAL_DIR = SHARED_DIR / "eval"


def seed_files() -> list[Path]:
    """The real dumps, sorted; empty when the folder is absent."""
    return sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.is_dir() else []


@pytest.fixture(scope="session")
def seeds() -> list[Path]:
    files = seed_files()
    if not files:
        pytest.skip(f"real seed dumps not found in {SEEDS_DIR} (set BYLINES_SEEDS to their folder)")
    return files


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not (EVAL_DIR / "score.py").is_file():
        pytest.skip(f"scorer not found in {EVAL_DIR} (set BYLINES_SHARED to the shared folder)")
    return EVAL_DIR


@pytest.fixture(autouse=True, scope="session")
def _isolated_dagster_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep test runs out of the project's .dagster instance (cursors, run history)."""
    home = tmp_path_factory.mktemp("dagster_home")
    os.environ["DAGSTER_HOME"] = str(home)


@pytest.fixture(autouse=True, scope="session")
def _isolated_landing(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep test runs out of the project's ``data/`` folder: a ``make demo`` leaves ``data/writers.yaml``
    there, which commands that read the default landing folder (``bylines rebuild``) would follow."""
    os.environ["BYLINES_LANDING"] = str(
        tmp_path_factory.mktemp("data") / "landing"
    )  # writers.yaml: beside it
    os.environ.pop("BYLINES_WRITERS", None)


@pytest.fixture(autouse=True)
def _main_module_restored() -> Any:
    """Put back this process's ``__main__`` after each test.

    Why: Streamlit's AppTest runs the dashboard script as ``__main__`` and leaves it there, and a
    process pool started later (the parse pool's fork server) re-runs the parent's ``__main__`` in
    every worker: the dashboard's imports would then show up in parse workers, in whatever test
    happened to run after a dashboard test in the same process.
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


def ingest_files(paths: list[Path], db: Path, raw: Path | None = None) -> dict[str, Any]:
    """Ingest ``paths`` into the warehouse ``db`` through the one ingest path (``warehouse.ingest.ingest``:
    the stages the Dagster job runs, in one call) and publish its read copy; returns the run summary."""
    from warehouse.connections import Warehouse
    from warehouse.ingest import ingest
    from warehouse.rawstore import RawStore

    store = RawStore(raw if raw is not None else Path(db).parent / "raw")
    return ingest(paths, Warehouse(Path(db)), store).model_dump()


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real warehouse for the dashboard tests: generated dumps, the seeds when present, one bad input.

    Returns the writer's path; the dashboard reads its published copy.
    """
    from samples.generator import generate_corpus

    root = tmp_path_factory.mktemp("dash_wh")
    dumps = generate_corpus(root / "dumps", n_dumps=6, seed=11)
    bad = root / "dumps" / "not a dump.txt"
    bad.write_bytes(b"\x00\x01binary garbage\x00" * 50)
    db = root / "warehouse.duckdb"
    ingest_files([*seed_files(), *dumps, bad], db, raw=root / "raw")
    return db


DASHBOARD_WRITERS = {"mara-kellerman": "Mara Kellerman", "nadia-haddad": "Nadia Haddad"}


@pytest.fixture(scope="session")
def writers_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of two writers (``DASHBOARD_WRITERS``), delivered in their landing folders and named
    in ``writers.yaml``, with different amounts of work; returns the writer's path."""
    from samples.generator import generate_corpus
    from warehouse.connections import Warehouse
    from warehouse.ingest import ingest
    from warehouse.rawstore import RawStore

    root = tmp_path_factory.mktemp("writers_wh")
    lines = ["writers:"]
    for k, (slug, name) in enumerate(DASHBOARD_WRITERS.items()):
        lines += [f"  {slug}:", f"    name: {name}", f"    site: {slug.replace('-', '')}.net"]
        generate_corpus(root / "landing" / slug, n_dumps=4 - k, seed=31 + k, author=name)
    (root / "writers.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = root / "warehouse.duckdb"
    ingest(None, Warehouse(db), RawStore(root / "raw"), landing=root / "landing")
    return db


@pytest.fixture(scope="session")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the schema and nothing ingested yet (published, so readers find the views)."""
    from warehouse.publish import publish_read_copy

    db = tmp_path_factory.mktemp("dash_empty") / "warehouse.duckdb"
    publish_read_copy(db)
    return db


def read_one(db: Path, sql: str, params: list[object] | None = None) -> tuple:
    """One row from a warehouse's published copy, opened read-only the way readers open it."""
    import duckdb

    from warehouse.publish import read_copy_path

    con = duckdb.connect(str(read_copy_path(db)), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()
    finally:
        con.close()
