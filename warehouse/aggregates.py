"""The ``agg_*`` summary tables behind the dashboard: which rows to rebuild, and rebuilding them.

Owns ``sql/refresh/aggregates.sql`` (the one definition of every summary row) and the scope it
runs on: the temp tables ``_dirty_articles``, ``_dirty_posts`` and ``_dirty_dumps``. An
incremental refresh scopes what the last loads touched (``refresh_pending``); a full refresh
empties the per-row summary tables and scopes everything, so both run the same statements.

Why summary tables: at a million articles, aggregating topics, sightings, citations and mentions
on every dashboard query costs hundreds of milliseconds; these are rebuilt in the load's refresh
transaction, so they are never out of step with the base tables.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

AGGREGATES_SQL = Path(__file__).with_name("sql") / "refresh" / "aggregates.sql"
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


def refresh_aggregates(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Bring every ``agg_*`` table up to date, in the caller's transaction.

    Incremental (``full=False``) needs temp table ``_yr_posts`` (the posts whose year was inferred
    again) and ``refresh_pending`` as the loads left it.
    """
    if full:
        _scope_everything(con)
    else:
        _scope_changes(con)
    con.execute(AGGREGATES_SQL.read_text(encoding="utf-8"))


def recompute_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every ``agg_*`` table from the base tables (what a full refresh ends with)."""
    refresh_aggregates(con, full=True)


def _scope_everything(con: duckdb.DuckDBPyConnection) -> None:
    for table in PER_ROW_TABLES:
        con.execute(f"DELETE FROM {table}")
    con.execute("CREATE OR REPLACE TEMP TABLE _dirty_articles AS SELECT article_id FROM articles")
    con.execute("CREATE OR REPLACE TEMP TABLE _dirty_posts AS SELECT post_id FROM posts")
    con.execute("CREATE OR REPLACE TEMP TABLE _dirty_dumps AS SELECT dump_id FROM dumps")


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
