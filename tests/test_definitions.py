"""The one Definitions loads; job, nightly schedule and landing sensor are wired and on by default."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.definitions import build_defs, defs

PROJECT = Path(__file__).resolve().parents[1]
BLOCKING = {"no_orphan_rows", "no_duplicate_ids", "summaries_in_step", "bookkeeping_sound"}


def test_job_covers_every_stage_and_check() -> None:
    job = defs.resolve_job_def("ingest_job")
    keys = {k.to_user_string() for k in job.asset_layer.asset_graph.get_all_asset_keys()}
    assert {"landed_dumps", "parsed_dumps", "warehouse_tables", "published_warehouse"} <= keys
    checks = {k.name for k in job.asset_layer.asset_graph.asset_check_keys}
    assert checks == {*BLOCKING, "pieces_missing_outlet_or_year"}
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey("warehouse_tables")).group_name == "warehouse"
    assert "duckdb" in graph.get(dg.AssetKey("warehouse_tables")).kinds
    assert graph.get(dg.AssetKey("landed_dumps")).group_name == "landing"
    assert graph.get(dg.AssetKey("parsed_dumps")).group_name == "transform"


def test_blocking_checks() -> None:
    graph = defs.resolve_asset_graph()
    blocking = {key.name: graph.get_check_spec(key).blocking for key in graph.asset_check_keys}
    assert blocking == {**dict.fromkeys(BLOCKING, True), "pieces_missing_outlet_or_year": False}


def _relations(sql: str) -> set[str]:
    return {m.lower() for m in re.findall(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)", sql, flags=re.I)}


def test_every_table_the_dashboard_reads_is_checked(tmp_path: Path) -> None:
    """Each table behind the dashboard's queries (through the views) is guarded by a blocking check's rule."""
    import duckdb

    from dashboard import queries
    from orchestration.assets import warehouse_table_names
    from warehouse.integrity import RULES
    from warehouse.schema import apply_schema

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    apply_schema(con)
    views = dict(con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall())
    tables = set(warehouse_table_names())
    read: set[str] = set()
    todo = _relations((Path(queries.__file__)).read_text(encoding="utf-8"))
    while todo:
        name = todo.pop()
        if name in views and name not in read:
            todo |= _relations(views[name])
        read.add(name)
    read &= tables
    assert {"articles", "dumps", "agg_article_facts", "agg_outlet_stats", "mentions"} <= read
    assert read <= {r.table for r in RULES}, read - {r.table for r in RULES}
    assert tables <= {r.table for r in RULES}  # and so is every other table


def test_nightly_schedule_and_sensor_are_on_by_default() -> None:
    schedule = defs.resolve_schedule_def("nightly_ingest")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "ingest_job"
    sensor = defs.resolve_sensor_def("landing_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "ingest_job"


def test_resources_can_be_swapped(tmp_path: Path) -> None:
    from orchestration.resources import WarehouseResource

    custom = build_defs({"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb"))})
    assert custom.resolve_job_def("ingest_job").name == "ingest_job"


def test_instance_config_serialises_writers_and_reaps_dead_runs() -> None:
    config = yaml.safe_load((PROJECT / ".dagster" / "dagster.yaml").read_text(encoding="utf-8"))
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert config["concurrency"]["pools"]["default_limit"] == 1
    # under `dagster dev` the daemon's run monitoring asks bylines' launcher which runs are dead
    assert config["run_launcher"] == {"module": "orchestration.runs", "class": "BylinesRunLauncher"}
    monitoring = config["run_monitoring"]
    assert monitoring["enabled"] and monitoring["free_slots_after_run_end_seconds"] > 0
    assert monitoring["max_resume_run_attempts"] == 0  # the default launcher cannot resume a run
    workspace = yaml.safe_load((PROJECT / "workspace.yaml").read_text(encoding="utf-8"))
    assert workspace["load_from"][0]["python_module"]["module_name"] == "orchestration.definitions"


def test_instance_config_is_accepted_by_dagster(tmp_path: Path) -> None:
    """The project's dagster.yaml, loaded by a real instance in a scratch home (not the project's)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text((PROJECT / ".dagster" / "dagster.yaml").read_text(encoding="utf-8"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.run_coordinator is not None
        assert instance.run_monitoring_enabled and instance.run_launcher.supports_check_run_worker_health


@dg.op
def _noted(context) -> int:  # (a string annotation is refused by Dagster)
    context.log.info("a line in the event log")
    return 1


@dg.job
def _tiny_job() -> None:
    _noted()


def test_instance_storage_keeps_dagster_sqlite_files_and_a_few_connections(tmp_path: Path) -> None:
    """The project's storage reads and writes the very files Dagster's default SQLite storage does (a
    home made before it keeps its history), on connections kept per shard, a bounded number of them."""
    from orchestration.instance_storage import RUN_SHARDS_KEPT, KeptEventLogStorage, KeptRunStorage

    home = tmp_path / "home"
    home.mkdir()

    with dg.DagsterInstance.from_config(str(home)) as instance:  # Dagster's own storage, no dagster.yaml
        before = _tiny_job.execute_in_process(instance=instance).run_id
    (home / "dagster.yaml").write_text((PROJECT / ".dagster" / "dagster.yaml").read_text(encoding="utf-8"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        events = instance.event_log_storage
        assert isinstance(events, KeptEventLogStorage) and isinstance(instance.run_storage, KeptRunStorage)
        assert instance.get_run_by_id(before).is_success
        assert any(e.user_message == "a line in the event log" for e in instance.all_logs(before))
        runs = [_tiny_job.execute_in_process(instance=instance).run_id for _ in range(RUN_SHARDS_KEPT + 2)]
        assert len(events._engines) <= RUN_SHARDS_KEPT + 1  # the index shard and the last few runs
        assert all(instance.get_run_by_id(r).is_success for r in [before, *runs])
        assert len(instance.all_logs(runs[0])) == len(instance.all_logs(runs[-1])) > 5
    with dg.DagsterInstance.from_config(str(home)) as instance:  # a later process sees it all
        assert len(instance.get_runs()) == len(runs) + 1
        assert set(instance.event_log_storage.get_all_run_ids()) == {before, *runs}  # (the empty one hidden)
    shards = home / "history" / "runs"
    # each run's shard was copied from an empty one (made once), and is what Dagster's own init makes
    assert [p.name for p in shards.glob(".bylines-empty-run-*.db")] == [
        f".bylines-empty-run-{dg.__version__}.db"
    ]
    assert not [p for p in shards.iterdir() if p.name.endswith(".tmp")]

    def schema(run_id: str) -> list[tuple[str, str]]:
        with sqlite3.connect(shards / f"{run_id}.db") as con:
            return sorted(con.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall())

    assert schema(runs[0]) == schema(runs[-1]) == schema(before) and len(schema(before)) > 3


def test_executor_is_configuration(monkeypatch) -> None:
    import dagster as dg
    import pytest

    from orchestration.definitions import executor_from_env

    monkeypatch.delenv("BYLINES_EXECUTOR", raising=False)
    assert executor_from_env() is dg.in_process_executor
    monkeypatch.setenv("BYLINES_EXECUTOR", "multiprocess")
    assert executor_from_env() is dg.multiprocess_executor
    monkeypatch.setenv("BYLINES_EXECUTOR", "kubernetes-someday")
    with pytest.raises(ValueError, match="BYLINES_EXECUTOR"):
        executor_from_env()


def test_kubernetes_executor_is_configuration_too(monkeypatch) -> None:
    """BYLINES_EXECUTOR=k8s selects dagster-k8s's executor, or says which package is missing."""
    import importlib.util

    from orchestration.definitions import executor_from_env

    monkeypatch.setenv("BYLINES_EXECUTOR", "k8s")
    if importlib.util.find_spec("dagster_k8s") is None:
        with pytest.raises(ValueError, match="dagster-k8s"):
            executor_from_env()
    else:
        assert executor_from_env().name == "k8s"


@pytest.mark.parametrize(
    "name", ["deploy/dagster.postgres.yaml", "deploy/dagster.k8s.yaml", ".dagster/dagster.yaml"]
)
def test_instance_examples_are_valid_dagster_config(name: str) -> None:
    """The instance files the README points to for scaling out are valid dagster.yaml."""
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config_schema

    cfg = yaml.safe_load((PROJECT / name).read_text())
    result = validate_config(dagster_instance_config_schema(), cfg)
    assert result.success, [e.message for e in result.errors or []]
    assert cfg["concurrency"]["pools"]["default_limit"] == 1  # one DuckDB writer at a time
