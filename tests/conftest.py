"""Shared fixtures: where the real seeds and the scorer live, and a clean Dagster home.

The real dumps are never copied into the project: tests read them from ``../shared/seeds``
(or ``$BYLINES_SEEDS``) and skip with a clear reason when that folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

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
