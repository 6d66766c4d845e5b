"""How the dashboard reads: the published copy only, cached per publish, never stale after a swap.

Real warehouses built from generated dumps; the publish is the pipeline's own
``publish_read_copy`` (via the one ingest path, ``conftest.ingest_files``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from conftest import ingest_files

from dashboard import data
from orchestration.settings import NIGHTLY_CRON, NIGHTLY_TIMEZONE
from warehouse.publish import read_copy_path


@pytest.fixture(scope="module")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from samples.generator import generate_corpus

    return generate_corpus(tmp_path_factory.mktemp("data_dumps"), n_dumps=3, seed=5)


def _build(paths: list[Path], db: Path) -> None:
    ingest_files(paths, db)


def _dumps_loaded() -> int:
    return int(data.query("SELECT count(*) AS n FROM dumps")["n"].iloc[0])


def test_reads_the_published_copy_named_by_the_environment(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv(data.ENV_WAREHOUSE, str(db))
    assert data.read_path() == read_copy_path(db)
    assert not data.freshness().exists and data.freshness().age_text() == "never published"
    with pytest.raises(data.WarehouseMissing):
        data.query("SELECT 1")
    assert not data.has_data()


def test_a_new_publish_is_seen_even_while_an_old_copy_is_held_open(
    tmp_path: Path, monkeypatch, dumps: list[Path]
) -> None:
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv(data.ENV_WAREHOUSE, str(db))
    _build(dumps[:1], db)
    first = data.freshness()
    assert _dumps_loaded() == 1 and data.has_data()

    # Another session's long query keeps the old copy open while the pipeline publishes.
    with data.open_reader(data.read_path()) as (held, held_copy):
        assert held_copy == first.version
        _build(dumps[1:], db)
        assert data.freshness().version != first.version
        # DuckDB still hands out the old instance: the answer is old, and must not be cached.
        assert _dumps_loaded() == 1
        assert held.execute("SELECT count(*) FROM dumps").fetchone() == (1,)

    # Once the old copy is closed, the same query reads the new copy (not a cached old answer).
    assert _dumps_loaded() == len(dumps)


def test_connections_are_read_only_and_sandboxed(built_warehouse: Path) -> None:
    with data.open_reader(read_copy_path(built_warehouse)) as (con, _):
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE x AS SELECT 1")
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_text('/etc/hostname')")


def test_next_nightly_run_is_the_next_0200_utc_tick() -> None:
    assert (NIGHTLY_CRON, NIGHTLY_TIMEZONE) == ("0 2 * * *", "UTC")
    before = datetime(2024, 2, 28, 1, 59, tzinfo=UTC)
    assert data.next_nightly_run(before) == datetime(2024, 2, 28, 2, 0, tzinfo=UTC)
    at_tick = datetime(2024, 2, 28, 2, 0, tzinfo=UTC)
    assert data.next_nightly_run(at_tick) == datetime(2024, 2, 29, 2, 0, tzinfo=UTC)
    year_end = datetime(2024, 12, 31, 23, 0, tzinfo=UTC)
    assert data.next_nightly_run(year_end) == datetime(2025, 1, 1, 2, 0, tzinfo=UTC)


def test_the_schedule_and_the_dashboard_share_one_cron() -> None:
    from orchestration.schedules import nightly_ingest

    assert nightly_ingest.cron_schedule == NIGHTLY_CRON
    assert nightly_ingest.execution_timezone == NIGHTLY_TIMEZONE


def test_empty_state_names_the_landing_folder_and_the_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(data.ENV_WAREHOUSE, str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("BYLINES_LANDING", str(tmp_path / "drop-here"))
    message = data.empty_state_message()
    assert "drop-here" in message and "bylines ingest" in message and "not created yet" in message
