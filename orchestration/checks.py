"""Asset checks on the warehouse tables: every table the dashboard reads is covered by a rule.

The rules of ``warehouse.integrity`` come in four kinds, one blocking check each: references
resolve, ids are unique, the summary tables agree with the base tables, bookkeeping is sound. A
warehouse that fails one is never published to readers; each check's metadata gives the offending
rows per table and rule. Pieces without an outlet or a year are a data-quality signal for people
(review work), not a reason to stop, so that check only warns.

Why one multi-asset check: the rules read one consistent state of the writer's file, opened once
under the writer lock; and each check result is an event in the Dagster instance, so the rules
are grouped by kind rather than run as forty checks.

Whole or scoped: after a run the rules read only what the runs since the last passing checks wrote,
unless the file was changed outside bylines, a full refresh rewrote it, or ``full`` is set
(``warehouse.check_scope``); each check's metadata says which (``checked``, ``scope_keys``, ``why_whole``).
"""

import dagster as dg
from pydantic import Field

from orchestration.assets import WRITER_POOL, not_retried, warehouse_tables
from orchestration.resources import WarehouseResource
from warehouse.check_scope import check
from warehouse.integrity import BOOKKEEPING_RULES, DUPLICATE_RULES, ORPHAN_RULES, SUMMARY_RULES, Rule
from warehouse.stops import checkpoint

# check name -> (rules, what it guards)
RULE_CHECKS: dict[str, tuple[list[Rule], str]] = {
    "no_orphan_rows": (ORPHAN_RULES, "Every row's references resolve"),
    "no_duplicate_ids": (
        DUPLICATE_RULES,
        "Ids that must be unique are (the de-duplication across dumps held)",
    ),
    "summaries_in_step": (
        SUMMARY_RULES,
        "The summary tables behind the dashboard agree with the base tables",
    ),
    "bookkeeping_sound": (BOOKKEEPING_RULES, "Dump statuses, outlet review flags and run records are sound"),
}
REVIEW_CHECK = "pieces_missing_outlet_or_year"


def _description(rules: list[Rule], what: str) -> str:
    tables = sorted({r.table for r in rules})
    return f"{what}. Tables: {', '.join(tables)}."


CHECK_SPECS = [
    *(
        dg.AssetCheckSpec(name, asset=warehouse_tables, blocking=True, description=_description(*spec))
        for name, spec in RULE_CHECKS.items()
    ),
    dg.AssetCheckSpec(
        REVIEW_CHECK,
        asset=warehouse_tables,
        blocking=False,
        description="Pieces with no outlet or no publication year, flagged for review (warning only).",
    ),
]


class ChecksConfig(dg.Config):
    full: bool = Field(
        default=False,
        description="run every rule over whole tables, not only over what the runs since the last passing"
        " checks wrote",
    )


@dg.multi_asset_check(specs=CHECK_SPECS, pool=WRITER_POOL, name="warehouse_checks")
def warehouse_checks(config: ChecksConfig, warehouse: WarehouseResource):
    with not_retried(), warehouse.reader() as con:
        checkpoint("warehouse_checks:reading")
        checked = check(con, warehouse.db_path(), full=config.full)
        total, no_outlet, no_year = con.execute(
            "SELECT count(*), count(*) FILTER (outlet_id IS NULL), count(*) FILTER (year IS NULL)"
            " FROM articles"
        ).fetchone()
    for name, (rules, _what) in RULE_CHECKS.items():
        counts = {r.name: checked.counts[r.name] for r in rules}
        yield dg.AssetCheckResult(
            check_name=name,
            passed=not any(counts.values()),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"offending_rows": sum(counts.values()), **counts, **checked.plan.metadata()},
        )
    yield dg.AssetCheckResult(
        check_name=REVIEW_CHECK,
        passed=no_outlet == 0 and no_year == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"articles": total, "without_outlet": no_outlet, "without_year": no_year},
    )


ALL_CHECKS = [warehouse_checks]
