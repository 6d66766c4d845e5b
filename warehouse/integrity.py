"""Integrity rules of the warehouse as SQL, shared by the Dagster checks and the tests.

Why here and not only in the checks: DuckDB cannot update rows that others reference, so the
schema documents its references ("->") and these queries enforce them; the crash tests and
``bylines rebuild`` need the same rules without Dagster.
"""

from __future__ import annotations

import duckdb

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

DUPLICATE_QUERIES: dict[str, str] = {
    "duplicate_article_ids": "SELECT count(*) - count(DISTINCT article_id) FROM articles",
    "duplicate_post_ids": "SELECT count(*) - count(DISTINCT post_id) FROM posts",
}


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def orphan_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Offending rows per documented reference (all zero in a sound warehouse)."""
    return {name: _count(con, sql) for name, sql in ORPHAN_QUERIES.items()}


def duplicate_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Extra rows per id that must be unique (all zero in a sound warehouse)."""
    return {name: _count(con, sql) for name, sql in DUPLICATE_QUERIES.items()}
