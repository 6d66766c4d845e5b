"""The ``agg_*`` summary tables behind the dashboard: which rows to rebuild, and rebuilding them.

Owns ``sql/refresh/aggregates.sql`` (the one definition of every per-row summary row),
``sql/refresh/aggregate_totals.sql`` (the small tables, recomputed whole) and the scope the first
runs on: the temp tables ``_dirty_articles``, ``_dirty_posts`` and ``_dirty_dumps``. An
incremental refresh scopes what the last loads touched (``refresh_pending``); a full refresh
empties the per-row summary tables and scopes everything, part by part, so both run the same
statements.
Parts bound a full refresh's memory by the part, not the warehouse (``warehouse.refresh.PART_ROWS``).

Why summary tables: at a million articles, aggregating topics, sightings, citations and mentions
on every dashboard query costs hundreds of milliseconds; these are rebuilt by the load's refresh,
before the read copy is published, so readers never see them out of step with the base tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb

from warehouse.identity import CURRENT_SIGHTINGS

AGGREGATES_SQL = Path(__file__).with_name("sql") / "refresh" / "aggregates.sql"
TOTALS_SQL = AGGREGATES_SQL.with_name("aggregate_totals.sql")
# Above this share of the articles, recomputing every summary row beats tracking the changed ones.
FULL_REFRESH_SHARE = 0.3
# Emptied by a full refresh (the additive counts then start from nothing); the small tables are
# recomputed whole by either refresh.
PER_ROW_TABLES = (
    "agg_article_facts",
    "agg_output_year_outlet",
    "agg_topic_year",
    "agg_article_values",
    "agg_mention_facts",
    "agg_citation_facts",
    "agg_data_quality",
)


def needs_full_refresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Recompute everything when most rows changed (a backfill, a rebuild) or when the summary
    tables are out of step with the articles (a warehouse from before them)."""
    pending, articles, facts = con.execute(
        "SELECT (SELECT count(DISTINCT key) FROM refresh_pending WHERE kind = 'article'),"
        " (SELECT count(*) FROM articles), (SELECT count(*) FROM agg_article_facts)"
    ).fetchone()
    return facts != articles and pending == 0 or pending > FULL_REFRESH_SHARE * max(articles, 1)


def refresh_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Bring every ``agg_*`` table up to date with what changed, in the caller's transaction.

    Needs temp table ``_yr_posts`` (the posts whose year was inferred again) and
    ``refresh_pending`` as the loads left it.
    """
    _scope_changes(con)
    con.execute(_per_row_sql())
    con.execute(TOTALS_SQL.read_text(encoding="utf-8"))


def rebuild_aggregates(con: duckdb.DuckDBPyConnection, part_articles: int) -> Iterator[int]:
    """Rebuild every ``agg_*`` table from the base tables, ``part_articles`` articles at a time; yields
    after each part (the last: the small tables)."""
    per_row = _per_row_sql()
    for part in _scope_everything(con, part_articles):
        con.execute(per_row)
        yield part
    con.execute(TOTALS_SQL.read_text(encoding="utf-8"))
    yield -1


def _per_row_sql() -> str:
    """The per-row statements, after the one definition of the sightings that count
    (``identity.CURRENT_SIGHTINGS``) as the temp view they read it from."""
    current = f"CREATE OR REPLACE TEMP VIEW _current_sightings AS {CURRENT_SIGHTINGS};\n"
    return current + AGGREGATES_SQL.read_text(encoding="utf-8")


def _scope_everything(con: duckdb.DuckDBPyConnection, part_articles: int) -> Iterator[int]:
    """Empty the per-row tables, then scope every article, post and dump, one part at a time.

    Parts are consecutive articles in the dashboard's order (so ``agg_article_facts`` is stored in
    that order) with their posts; the last part adds the posts of no article, the first every dump.
    Yields each part's number once its scope is set.
    """
    for table in PER_ROW_TABLES:
        con.execute(f"DELETE FROM {table}")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _article_order AS
        SELECT article_id,
               row_number() OVER (ORDER BY year DESC NULLS LAST, published_date DESC NULLS LAST, title) - 1
               AS rn
        FROM articles
        """
    )
    articles = con.execute("SELECT count(*) FROM _article_order").fetchone()[0]
    parts = max(1, -(-articles // part_articles))
    for part in range(parts):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _dirty_articles AS"
            " SELECT article_id FROM _article_order WHERE rn // $size = $part",
            {"size": part_articles, "part": part},
        )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _dirty_posts AS
            SELECT post_id FROM posts WHERE article_id IN (SELECT article_id FROM _dirty_articles)
            UNION ALL
            SELECT post_id FROM posts
            WHERE {part == parts - 1}
              AND (article_id IS NULL OR article_id NOT IN (SELECT article_id FROM articles))
            """
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _dirty_dumps AS SELECT dump_id FROM dumps WHERE {part == 0}"
        )
        yield part
    con.execute("DROP TABLE _article_order")


def _scope_changes(con: duckdb.DuckDBPyConnection) -> None:
    """Whose summary rows to rebuild after loads.

    Articles: re-derived ones, those whose best post got a new inferred year, those of a renamed
    outlet or topic. Posts (mention and note rows): re-derived ones, those with a new inferred
    year, those of a dirty article, those naming a renamed outlet. Dumps (low-confidence rows):
    loaded or superseded ones.
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _dirty_articles AS
        SELECT key AS article_id FROM refresh_pending WHERE kind = 'article'
        UNION SELECT article_id FROM articles WHERE best_post_id IN (SELECT post_id FROM _yr_posts)
        UNION SELECT article_id FROM articles
              WHERE outlet_id IN (SELECT key FROM refresh_pending WHERE kind = 'outlet')
        UNION SELECT article_id FROM article_topics
              WHERE topic_id IN (SELECT key FROM refresh_pending WHERE kind = 'topic')
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _dirty_posts AS
        SELECT post_id FROM _yr_posts
        UNION SELECT post_id FROM posts WHERE article_id IN (SELECT article_id FROM _dirty_articles)
        UNION SELECT post_id FROM citations WHERE article_id IN (SELECT article_id FROM _dirty_articles)
        UNION SELECT post_id FROM mentions
              WHERE outlet_id IN (SELECT key FROM refresh_pending WHERE kind = 'outlet')
        """
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dirty_dumps AS"
        " SELECT DISTINCT key AS dump_id FROM refresh_pending WHERE kind = 'dump'"
    )
