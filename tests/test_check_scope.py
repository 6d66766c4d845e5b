"""The integrity checks after a run read what the runs since the last passing checks wrote, and keep
the promise of whole checks: a change of the writer's file outside bylines, or no record of it,
makes the next checks run whole (warehouse/check_scope.py, orchestration/checks.py).

Every run here is the Dagster job's assets and checks, in process, on a real DuckDB file. A new
dump here is a large share of a test-sized warehouse, which the refresh would treat as a backfill
(a full refresh, after which the checks run whole: the last test); the backfill threshold is raised
so that its refresh is incremental, as a nightly's new dump's is at scale.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.cli import checks_line
from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource
from orchestration.runs import RunGuard
from warehouse import aggregates, check_scope, refresh
from warehouse.integrity import RULES, count
from warehouse.publish import read_copy_path

SETTLE = 30.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from samples.generator import generate_corpus

    return generate_corpus(tmp_path_factory.mktemp("scope_corpus"), n_dumps=8, seed=23)


def _land(landing: Path, *dumps: Path) -> None:
    landing.mkdir(exist_ok=True)
    past = time.time() - 10 * SETTLE
    for dump in dumps:
        shutil.copyfile(dump, landing / dump.name)
        os.utime(landing / dump.name, (past, past))


def _run(root: Path, full: bool = False) -> dg.ExecuteInProcessResult:
    ops: dict[str, Any] = {"landed_dumps": {"config": {"paths": []}}}
    if full:
        ops["warehouse_checks"] = {"config": {"full": True}}
    return dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources={
            "warehouse": WarehouseResource(path=str(root / "w.duckdb")),
            "landing": LandingFolder(path=str(root / "landing"), settle_seconds=SETTLE),
            "raw_store": RawStoreResource(path=str(root / "raw")),
            "run_guard": RunGuard(),
        },
        run_config={"ops": ops},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _how(result: dg.ExecuteInProcessResult) -> tuple[str, str, int]:
    """How the orphan check ran: ("whole" or "scoped", why whole, keys in scope)."""
    meta = _checks(result)["no_orphan_rows"].metadata
    return meta["checked"].value, meta["why_whole"].value, meta["scope_keys"].value


def _published(result: dg.ExecuteInProcessResult) -> bool:
    return bool(result.asset_materializations_for_node("published_warehouse"))


def _scope(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM check_scope").fetchone()[0]


@pytest.fixture
def warehouse(tmp_path: Path, corpus: list[Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse of six dumps whose first checks ran (whole: there was no record) and passed."""
    monkeypatch.setattr(aggregates, "FULL_REFRESH_SHARE", 1.0)
    _land(tmp_path / "landing", *corpus[:6])
    first = _run(tmp_path)
    assert first.success and _published(first)
    assert _how(first)[:2] == ("whole", check_scope.NO_RECORD)
    return tmp_path / "w.duckdb"


def test_a_run_checks_its_own_keys_and_a_hand_edit_between_runs_forces_the_whole_pass(
    warehouse: Path, corpus: list[Path]
) -> None:
    root = warehouse.parent
    _land(root / "landing", corpus[6])
    second = _run(root)
    assert second.success and _published(second)
    checked, _why, keys = _how(second)
    assert checked == "scoped" and keys > 0
    # what the CLI prints of them: the generated pieces without an outlet or a year are a warning
    assert checks_line(second.get_asset_check_evaluations()) == (
        f"5 ran: 4 passed, 1 warned, 0 failed, over what this run wrote ({keys:,} keys)"
    )
    # the publish writes nothing; the next writer empties the scope the passing checks covered
    assert _scope(warehouse) == keys

    with duckdb.connect(str(warehouse)) as con:  # a hand edit, outside any run's keys
        con.execute(
            "INSERT INTO mentions (post_id, mention_no, medium, evidence, dump_id, line)"
            " VALUES ('no-such-post', 1, 'radio', 'test', 'no-such-dump', 1)"
        )
    _land(root / "landing", corpus[7])
    third = _run(root)
    assert _how(third)[:2] == ("whole", check_scope.CHANGED)
    # the orphan mention fails two checks: an orphan row, and a summary total out of step with it
    assert {name for name, e in _checks(third).items() if not e.passed and e.severity.value == "ERROR"} == {
        "no_orphan_rows",
        "summaries_in_step",
    }
    assert checks_line(third.get_asset_check_evaluations()) == (
        f"5 ran: 2 passed, 1 warned, 2 failed, over whole tables ({check_scope.CHANGED})"
    )
    assert _checks(third)["no_orphan_rows"].metadata["mentions_without_post"].value == 1
    assert not _published(third)
    rule = next(r for r in RULES if r.name == "mentions_without_post")
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the third run's scope cannot reach it
        assert con.execute("SELECT count(*) FROM check_scope").fetchone()[0] > 0
        assert count(con, rule.query(scoped=True)) == 0 and count(con, rule.query(scoped=False)) == 1

    # until a whole pass passes, every run's checks stay whole, even when the file is left alone
    fourth = _run(root)
    assert _how(fourth)[:2] == ("whole", check_scope.CHANGED) and not _published(fourth)


def test_a_failed_runs_scope_is_checked_by_the_next_run(
    warehouse: Path, corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that makes a defect among the rows it wrote (a faulty refresh, patched in) fails its scoped
    checks; its keys stay, and the next run's checks, scoped too, still find the defect."""
    root = warehouse.parent
    faultless = refresh.refresh_aggregates

    def faulty(con: duckdb.DuckDBPyConnection) -> None:
        faultless(con)
        con.execute(
            "UPDATE posts SET best_dump_id = 'no-such-dump'"
            " WHERE post_id = (SELECT min(post_id) FROM _dirty_posts)"
        )

    with monkeypatch.context() as patched:
        patched.setattr(refresh, "refresh_aggregates", faulty)
        _land(root / "landing", corpus[6])
        second = _run(root)
    checked, _why, second_keys = _how(second)
    assert checked == "scoped" and second_keys > 0
    assert _checks(second)["no_orphan_rows"].metadata["posts_without_dump"].value == 1
    assert not _published(second)

    _land(root / "landing", corpus[7])
    third = _run(root)
    checked, _why, third_keys = _how(third)
    assert checked == "scoped" and third_keys > second_keys  # its own keys and the failed run's
    assert _checks(third)["no_orphan_rows"].metadata["posts_without_dump"].value == 1
    assert not _published(third)


def test_the_whole_pass_runs_without_a_record_or_when_asked(warehouse: Path, corpus: list[Path]) -> None:
    root = warehouse.parent
    check_scope.record_path(warehouse).unlink()
    _land(root / "landing", corpus[6])
    second = _run(root)
    assert second.success and _how(second)[:2] == ("whole", check_scope.NO_RECORD)

    _land(root / "landing", corpus[7])
    third = _run(root)
    assert third.success and _how(third)[0] == "scoped"  # the whole pass passed: scoped again

    asked = _run(root, full=True)
    assert asked.success and _how(asked)[:2] == ("whole", check_scope.ASKED)
    with duckdb.connect(str(read_copy_path(warehouse)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM dumps").fetchone()[0] == 8


def test_a_full_refresh_runs_the_next_checks_whole(warehouse: Path) -> None:
    from warehouse.connections import Warehouse

    with Warehouse(warehouse).writer() as con:  # what a backfill, a rebuild or a run after a stopped one do
        refresh.refresh_derived(con, full=True)
    again = _run(warehouse.parent)
    assert again.success and _how(again)[:2] == ("whole", check_scope.FULL_REFRESH)
    assert _scope(warehouse) > 0  # kept until the next writer: the publish writes nothing
    with Warehouse(warehouse).writer():
        pass
    assert _scope(warehouse) == 0  # the file was as the passing whole pass saw it


def test_a_redelivered_page_that_dropped_posts_passes_its_scoped_checks(
    warehouse: Path, corpus: list[Path], tmp_path: Path
) -> None:
    """A newer delivery of a page (same file name) without the posts in the middle of the older one:
    the posts only the older delivery sighted there leave the canonical tables, its sightings stay as
    history, and the checks (scoped, and then whole) pass, so the run publishes (it failed every later
    run's checks before)."""
    root = warehouse.parent
    first = corpus[0]
    lines = first.read_text(encoding="utf-8").splitlines()
    third = len(lines) // 3
    shorter = tmp_path / "newer" / first.name
    shorter.parent.mkdir()
    shorter.write_text("\n".join(lines[:third] + lines[2 * third :]) + "\n", encoding="utf-8")
    _land(root / "landing", shorter)
    redelivered = _run(root)
    assert redelivered.success and _published(redelivered) and _how(redelivered)[0] == "scoped"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        history = con.execute(
            "SELECT count(*) FROM post_sightings s JOIN dumps d USING (dump_id)"
            " WHERE d.superseded_by IS NOT NULL AND s.post_id NOT IN (SELECT post_id FROM posts)"
        ).fetchone()[0]
        assert history > 0  # the case: sightings of posts that left with the older delivery
    asked = _run(root, full=True)
    assert asked.success and _how(asked)[:2] == ("whole", check_scope.ASKED)
