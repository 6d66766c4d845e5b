"""The Dagster assets materialised in-process on the real seeds, into DuckDB files under tmp_path."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.definitions import build_defs
from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource
from orchestration.runs import RunGuard
from warehouse.rawstore import RawStore
from warehouse.rebuild import rebuild_warehouse

pytestmark = pytest.mark.seeds


def _resources(root: Path) -> dict[str, Any]:
    return {
        "warehouse": WarehouseResource(path=str(root / "w.duckdb")),
        "landing": LandingFolder(path=str(root / "landing"), settle_seconds=0),
        "raw_store": RawStoreResource(path=str(root / "raw")),
        "run_guard": RunGuard(),
    }


def _config(paths: list[Path] | None) -> dict[str, Any]:
    return {"ops": {"landed_dumps": {"config": {"paths": [str(p) for p in paths or []]}}}}


def _run(root: Path, paths: list[Path] | None) -> dg.ExecuteInProcessResult:
    """Execute the ingest job of the project's Definitions (assets and checks) against ``root``."""
    job = build_defs(_resources(root)).resolve_job_def("ingest_job")
    return job.execute_in_process(run_config=_config(paths), instance=dg.DagsterInstance.ephemeral())


def _meta(result: dg.ExecuteInProcessResult, node: str = "warehouse_tables") -> dict[str, Any]:
    (mat,) = result.asset_materializations_for_node(node)
    return {k: getattr(v, "value", v) for k, v in mat.metadata.items()}


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def content_hash(db: Path) -> str:
    """Digest of every table's rows, order-independent, leaving out wall-clock columns, run logs and what
    the next checks must cover (a rebuilt warehouse is checked whole: its scope says so)."""
    digest = hashlib.sha256()
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
                " AND table_schema = 'main' AND table_name NOT IN ('ingest_runs', 'check_scope') ORDER BY 1"
            ).fetchall()
        ]
        for table in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                    " AND data_type NOT LIKE 'TIMESTAMP%' AND column_name NOT IN ('raw_path')"
                    " ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f'SELECT {select} FROM "{table}" ORDER BY ALL').fetchall()
            digest.update(f"{table}:{cols}:{rows!r}".encode())
    return digest.hexdigest()


def test_materialize_assets_on_seeds(tmp_path: Path, seeds: list[Path]) -> None:
    """dg.materialize over the asset and check definitions (the API tests and notebooks use)."""
    result = dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources=_resources(tmp_path),
        run_config=_config(seeds),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    meta = _meta(result)
    assert meta["dumps_new"] == len(seeds) and meta["dumps_quarantined"] == 0
    db = tmp_path / "w.duckdb"
    assert _rows(db, "SELECT count(*), count(DISTINCT dump_id) FROM dumps WHERE status = 'loaded'") == [
        (len(seeds), len(seeds))
    ]
    posts = _rows(db, "SELECT count(*) FROM posts")[0][0]
    sightings = _rows(db, "SELECT count(*) FROM post_sightings")[0][0]
    assert posts > 0 and sightings > posts  # the seeds overlap: a post is seen in several dumps
    assert meta["posts"] == sightings  # the run counts every post it read, in every dump
    (run,) = _rows(db, "SELECT dumps_new, dumps_skipped, trigger FROM ingest_runs")
    assert run == (len(seeds), 0, "manual")
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["no_orphan_rows"].passed and evaluations["no_duplicate_ids"].passed
    assert "without_outlet" in evaluations["pieces_missing_outlet_or_year"].metadata
    copy = Path(_meta(result, "published_warehouse")["read_copy"])
    assert copy.is_file() and copy != db
    assert len(list(RawStore(tmp_path / "raw").iter_ids())) == len(seeds)


def test_second_ingest_skips_everything_and_changes_nothing(tmp_path: Path, seeds: list[Path]) -> None:
    first = _run(tmp_path, seeds)
    assert first.success
    before = content_hash(tmp_path / "w.duckdb")
    again = _run(tmp_path, list(reversed(seeds)))
    assert again.success
    meta = _meta(again)
    assert (meta["dumps_new"], meta["dumps_skipped"], meta["posts"]) == (0, len(seeds), 0)
    assert content_hash(tmp_path / "w.duckdb") == before
    assert _rows(tmp_path / "w.duckdb", "SELECT count(*) FROM ingest_runs")[0][0] == 2


def test_bad_dumps_are_quarantined_and_the_rest_loads(tmp_path: Path, seeds: list[Path]) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02 not text \x00\xff" * 50)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "shopping.txt").write_text("eggs\nmilk\nbread\n", encoding="utf-8")
    result = _run(tmp_path, [seeds[0], *sorted(bad.iterdir())])
    assert result.success
    rows = dict(_rows(tmp_path / "w.duckdb", "SELECT file_name, status FROM dumps"))
    assert rows[seeds[0].name] == "loaded"
    for name in ("binary.txt", "empty.txt", "shopping.txt"):
        assert rows[name] == "quarantined", name
    errors = _rows(tmp_path / "w.duckdb", "SELECT error FROM dumps WHERE status = 'quarantined'")
    assert all(e and len(e) > 10 for (e,) in errors)
    assert _meta(result)["dumps_quarantined"] == 3


def test_changed_file_under_same_name_is_a_new_dump(tmp_path: Path, seeds: list[Path]) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    target = landing / "archive.txt"
    shutil.copyfile(seeds[-1], target)
    (landing / "half.txt.part").write_bytes(seeds[0].read_bytes()[:1000])
    first = _run(tmp_path, None)  # no paths: scan the landing folder
    assert first.success and _meta(first)["dumps_new"] == 1
    target.write_bytes(seeds[-1].read_bytes() + b"\r\n")
    second = _run(tmp_path, None)
    assert _meta(second)["dumps_new"] == 1
    ids = _rows(
        tmp_path / "w.duckdb", "SELECT count(DISTINCT dump_id) FROM dumps WHERE file_name = 'archive.txt'"
    )
    assert ids == [(2,)]
    assert _rows(tmp_path / "w.duckdb", "SELECT count(*) FROM dumps")[0][0] == 2  # the .part file was ignored


def test_blocking_check_stops_publishing(tmp_path: Path, seeds: list[Path]) -> None:
    assert _run(tmp_path, seeds[:1]).success
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:  # an orphan: a mention of a post that does not exist
        con.execute(
            "INSERT INTO mentions (post_id, mention_no, medium, evidence, dump_id, line)"
            " VALUES ('no-such-post', 1, 'radio', 'test', 'no-such-dump', 1)"
        )
    job = build_defs(_resources(tmp_path)).resolve_job_def("ingest_job")
    result = job.execute_in_process(
        run_config=_config(seeds[:1]), instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["no_orphan_rows"].passed
    assert evaluations["no_orphan_rows"].metadata["mentions_without_post"].value == 1
    assert not result.asset_materializations_for_node("published_warehouse")


def test_rebuild_from_raw_store_reproduces_the_warehouse(tmp_path: Path, seeds: list[Path]) -> None:
    assert _run(tmp_path, seeds).success
    db = tmp_path / "w.duckdb"
    before = content_hash(db)
    db.unlink()
    summary = rebuild_warehouse(db, RawStore(tmp_path / "raw"))
    assert summary.dumps_new == len(seeds)
    assert content_hash(db) == before


def test_parse_pool_keeps_order_and_turns_failures_into_reasons(
    tmp_path: Path, seeds: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process-pool path (forced on for a small batch) returns one item per dump, in order."""
    import warehouse.parsing as parsing

    monkeypatch.setattr(parsing, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(parsing, "POOL_MIN_DUMPS", 2)
    store = RawStore(tmp_path / "raw")
    metas = [
        store.put_file(seeds[0]),
        store.put_bytes(b"tea\ncoffee\n", "drinks.txt"),
        store.put_file(seeds[1]),
    ]
    items = parsing.parse_many(metas, max_workers=2)
    assert [i.meta.dump_id for i in items] == [m.dump_id for m in metas]
    assert items[0].parsed is not None and items[2].parsed is not None and items[0].meta.encoding
    assert items[1].parsed is None and items[1].error
