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

# (name, SQL counting offending rows). Every reference the schema documents with "->".
ORPHAN_QUERIES: dict[str, str] = {
    "sightings_without_post": "SELECT count(*) FROM post_sightings s"
    " WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.post_id = s.post_id)",
    "sightings_without_dump": "SELECT count(*) FROM post_sightings s"
    " WHERE NOT EXISTS (SELECT 1 FROM dumps d WHERE d.dump_id = s.dump_id)",
    "posts_without_article": "SELECT count(*) FROM posts p WHERE p.article_id IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = p.article_id)",
    "posts_without_dump": "SELECT count(*) FROM posts p"
    " WHERE NOT EXISTS (SELECT 1 FROM dumps d WHERE d.dump_id = p.best_dump_id)",
    "articles_without_post": "SELECT count(*) FROM articles a"
    " WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.post_id = a.best_post_id)",
    "mentions_without_post": "SELECT count(*) FROM mentions m"
    " WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.post_id = m.post_id)",
    "citations_without_post": "SELECT count(*) FROM citations c"
    " WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.post_id = c.post_id)",
    "post_topics_without_post": "SELECT count(*) FROM post_topics t"
    " WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.post_id = t.post_id)",
    "article_topics_without_article": "SELECT count(*) FROM article_topics t"
    " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = t.article_id)",
}


def _count(con: object, sql: str) -> int:
    row = con.execute(sql).fetchone()  # type: ignore[attr-defined]
    return int(row[0]) if row else 0


@dg.asset_check(
    asset=warehouse_tables,
    blocking=True,
    pool=WRITER_POOL,
    description="Every row's references resolve (sightings, posts, articles, mentions, citations, topics).",
)
def no_orphan_rows(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        counts = {name: _count(con, sql) for name, sql in ORPHAN_QUERIES.items()}
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
        dup_articles = _count(con, "SELECT count(*) - count(DISTINCT article_id) FROM articles")
        dup_posts = _count(con, "SELECT count(*) - count(DISTINCT post_id) FROM posts")
    return dg.AssetCheckResult(
        passed=dup_articles == 0 and dup_posts == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"duplicate_article_ids": dup_articles, "duplicate_post_ids": dup_posts},
    )


@dg.asset_check(
    asset=warehouse_tables,
    blocking=False,
    pool=WRITER_POOL,
    description="Pieces with no outlet or no publication year, flagged for review (warning only).",
)
def pieces_missing_outlet_or_year(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        total = _count(con, "SELECT count(*) FROM articles")
        no_outlet = _count(con, "SELECT count(*) FROM articles WHERE outlet_id IS NULL")
        no_year = _count(con, "SELECT count(*) FROM articles WHERE year IS NULL")
    return dg.AssetCheckResult(
        passed=no_outlet == 0 and no_year == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"articles": total, "without_outlet": no_outlet, "without_year": no_year},
    )


ALL_CHECKS = [no_orphan_rows, no_duplicate_ids, pieces_missing_outlet_or_year]
