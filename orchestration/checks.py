"""Asset checks on the loaded warehouse.

Why checks and not foreign keys: DuckDB cannot update rows that others reference, so the
schema documents its references and these checks enforce them after every load. The two
integrity checks are blocking: a warehouse with orphan rows or duplicate ids is never
published to readers. Pieces without an outlet or a year are a data-quality signal for
people (review work), not a reason to stop, so that check only warns, with counts.
"""

import dagster as dg

from orchestration.assets import WRITER_POOL, warehouse_tables
from orchestration.resources import WarehouseResource
from warehouse.integrity import duplicate_counts, orphan_counts


@dg.asset_check(
    asset=warehouse_tables,
    blocking=True,
    pool=WRITER_POOL,
    description="Every row's references resolve (sightings, posts, articles, mentions, citations, topics).",
)
def no_orphan_rows(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        counts = orphan_counts(con)
    total = sum(counts.values())
    return dg.AssetCheckResult(
        passed=total == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"orphan_rows": total, **{k: v for k, v in counts.items()}},
    )


@dg.asset_check(
    asset=warehouse_tables,
    blocking=True,
    pool=WRITER_POOL,
    description="Article and post ids are unique (the de-duplication across dumps held).",
)
def no_duplicate_ids(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        counts = duplicate_counts(con)
    return dg.AssetCheckResult(
        passed=not any(counts.values()), severity=dg.AssetCheckSeverity.ERROR, metadata=dict(counts)
    )


@dg.asset_check(
    asset=warehouse_tables,
    blocking=False,
    pool=WRITER_POOL,
    description="Pieces with no outlet or no publication year, flagged for review (warning only).",
)
def pieces_missing_outlet_or_year(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        total, no_outlet, no_year = con.execute(
            "SELECT count(*), count(*) FILTER (outlet_id IS NULL), count(*) FILTER (year IS NULL)"
            " FROM articles"
        ).fetchone()
    return dg.AssetCheckResult(
        passed=no_outlet == 0 and no_year == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"articles": total, "without_outlet": no_outlet, "without_year": no_year},
    )


ALL_CHECKS = [no_orphan_rows, no_duplicate_ids, pieces_missing_outlet_or_year]
