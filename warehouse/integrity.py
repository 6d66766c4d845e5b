"""Integrity rules of the warehouse as SQL: what the Dagster asset checks and the tests enforce.

Owns one rule list per kind: references (no orphan rows), unique ids, summary tables in step
with the base tables, and sound bookkeeping; each rule names the table it guards and counts its
offending rows (0 = sound). Also ``content_digest``, an order-independent digest of what a
warehouse holds. Why rules and not foreign keys: DuckDB cannot update rows that others reference,
so the schema documents its references ("->" in comments.sql) and these queries enforce them;
the crash tests need the same rules without Dagster.

Scoped forms: most rules also have a second SQL that reads only the rows the keys of
``check_scope`` reach (the keys the runs since the last passing checks wrote, kept by
``warehouse.check_scope``), and counts among them exactly the offending rows the whole rule counts
there. Why that is enough after a run: a row can turn bad only if it or what it points at was
written, and every write of the pipeline lists its key (loads: dumps; re-derivation: posts and
articles; merges: outlets and topics; the summary refresh: the articles and posts it rebuilt). The
rules on small tables (dumps, outlets, topics, writers, runs) and the summary totals stay whole:
they cost little, and a total cannot be split by key. Whether a run's checks may read the scope,
or must run whole, is ``warehouse.check_scope``'s call.
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb

from warehouse.identity import CURRENT_ROW


class Rule(NamedTuple):
    table: str  # the table whose rows break the rule (the Dagster check is on that table's asset)
    name: str
    description: str
    sql: str  # counts the offending rows
    scoped: str | None = None  # counts them among the rows check_scope's keys reach (None: always whole)

    def query(self, scoped: bool) -> str:
        """The SQL to run: the scoped form when asked for and there is one, else the whole rule."""
        return self.scoped if scoped and self.scoped is not None else self.sql


def keys(kind: str) -> str:
    """SQL for the keys of one kind in the checks' scope (``post``, ``article``, ``dump``, ...)."""
    return f"(SELECT key FROM check_scope WHERE kind = '{kind}')"


def _reached(reach: str) -> str:
    """A filter for the rows ``reach`` names: ``"post_id:post, outlet_id:outlet"`` = the row's post_id is
    a post in scope, or its outlet_id an outlet in scope."""
    pairs = [part.split(":") for part in reach.split(",")]
    return " OR ".join(f"{column.strip()} IN {keys(kind.strip())}" for column, kind in pairs)


def _ref(
    table: str,
    name: str,
    columns: str,
    target: str,
    keys: str = "",
    optional: bool = False,
    reach: str = "",
    current: bool = False,
) -> Rule:
    """Rule: every ``table`` row's ``columns`` name a ``target`` row (by ``keys``, default the same names).

    An anti join, not ``NOT EXISTS``: DuckDB plans the latter (with the optional column's filter) as
    a delim join, which first collects the distinct keys and then joins twice (posts -> articles at
    127 K rows: 37 ms of CPU against 17). A NULL reference finds no target either way, so both
    count the same rows.

    ``reach`` (see ``_reached``): the keys in scope that reach a row, its own (it was written) and
    its reference's (the target was written or deleted); with it the rule has a scoped form, the
    same anti join of only those rows. ``current``: only the rows that count (``identity.CURRENT_ROW``:
    of current deliveries, or of the posts a superseded one retains) must reference a target: a newer
    delivery of the same page keeps the older one's other sightings as history (provenance), but a
    post only they sight has left the canonical tables (warehouse/refresh.py).
    """
    pairs = list(zip(columns.split(","), (keys or columns).split(","), strict=True))
    match = " AND ".join(f"y.{k.strip()} = x.{c.strip()}" for c, k in pairs)
    present = f" WHERE x.{pairs[0][0].strip()} IS NOT NULL" if optional else ""
    source = f"(SELECT {columns} FROM {table} WHERE {CURRENT_ROW})" if current else table
    sql = f"SELECT count(*) FROM {source} x ANTI JOIN {target} y ON {match}{present}"
    scoped = None
    if reach:
        among = f"({_reached(reach)}){' AND ' + CURRENT_ROW if current else ''}"
        rows = f"(SELECT {columns} FROM {table} WHERE {among})"
        scoped = f"SELECT count(*) FROM {rows} x ANTI JOIN {target} y ON {match}{present}"
    rows_named = f"every {'current ' if current else ''}{table} row's"
    return Rule(table, name, f"{rows_named} {columns} exists in {target}", sql, scoped)


def _unique(table: str, name: str, description: str, columns: str, reach: str = "") -> Rule:
    """Rule: ``columns`` identify one ``table`` row (offending rows: the extra ones); scoped by ``reach``
    (a duplicate is a row written with the key of another, so its own key reaches it)."""
    distinct = f"count(DISTINCT ({columns}))" if "," in columns else f"count(DISTINCT {columns})"
    sql = f"SELECT count(*) - {distinct} FROM {table}"
    return Rule(table, name, description, sql, f"{sql} WHERE {_reached(reach)}" if reach else None)


# Every reference the schema documents with "->".
ORPHAN_RULES: list[Rule] = [
    _ref("post_sightings", "sightings_without_post", "post_id", "posts", reach="dump_id:dump, post_id:post",
         current=True),
    _ref("post_sightings", "sightings_without_dump", "dump_id", "dumps", reach="dump_id:dump"),
    _ref("posts", "posts_without_article", "article_id", "articles", optional=True,
         reach="post_id:post, article_id:article"),
    _ref("posts", "posts_without_dump", "best_dump_id", "dumps", "dump_id",
         reach="post_id:post, best_dump_id:dump"),
    _ref("articles", "articles_without_post", "best_post_id", "posts", "post_id",
         reach="article_id:article, best_post_id:post"),
    _ref("articles", "articles_without_outlet_row", "outlet_id", "outlets", optional=True,
         reach="article_id:article, outlet_id:outlet"),
    _ref("mentions", "mentions_without_post", "post_id", "posts", reach="post_id:post"),
    _ref("citations", "citations_without_post", "post_id", "posts", reach="post_id:post"),
    _ref("post_topics", "post_topics_without_post", "post_id", "posts", reach="post_id:post, dump_id:dump",
         current=True),
    _ref("article_topics", "article_topics_without_article", "article_id", "articles",
         reach="article_id:article"),
    _ref("article_topics", "article_topics_without_topic_row", "topic_id", "topics",
         reach="article_id:article, topic_id:topic"),
    _ref("mentions", "mentions_without_outlet_row", "outlet_id", "outlets", optional=True,
         reach="post_id:post, outlet_id:outlet"),
    _ref("outlet_aliases", "aliases_without_outlet", "outlet_id", "outlets"),
    _ref("sighting_mentions", "sighting_mentions_without_sighting", "dump_id, seq", "post_sightings",
         reach="dump_id:dump"),
    _ref("sighting_citations", "sighting_citations_without_sighting", "dump_id, seq", "post_sightings",
         reach="dump_id:dump"),
    _ref("dumps", "dumps_without_writer", "writer_id", "writers"),
    # writers are never deleted: only a written post or article can name one that does not exist
    _ref("posts", "posts_without_writer", "writer_id", "writers", reach="post_id:post"),
    _ref("articles", "articles_without_writer", "writer_id", "writers", reach="article_id:article"),
]  # fmt: skip

DUPLICATE_RULES: list[Rule] = [
    _unique("articles", "duplicate_article_ids", "article ids are unique (de-duplication across dumps held)",
            "article_id", reach="article_id:article"),
    _unique("posts", "duplicate_post_ids", "post ids are unique (de-duplication across dumps held)",
            "post_id", reach="post_id:post"),
    _unique("topics", "duplicate_topic_names", "one topic per display name (the summaries group by name)",
            "name"),
    Rule("articles", "articles_shared_by_writers", "no piece joins two writers' sightings",
         "SELECT count(*) FROM (SELECT article_id FROM post_sightings WHERE article_id IS NOT NULL"
         " GROUP BY article_id HAVING min(writer_id) <> max(writer_id))",
         # the pieces in scope, and those of the sightings a load in scope wrote
         "SELECT count(*) FROM (SELECT article_id FROM post_sightings WHERE article_id IN"
         f" (SELECT key FROM check_scope WHERE kind = 'article'"
         f" UNION SELECT article_id FROM post_sightings WHERE {_reached('dump_id:dump')})"
         " GROUP BY article_id HAVING min(writer_id) <> max(writer_id))"),
]  # fmt: skip


def _agrees(table: str, what: str, summary: str, base: str) -> Rule:
    """Rule: a summary table's total equals the base tables' (offending rows: the difference)."""
    sql = f"SELECT abs(({summary}) - ({base}))"
    return Rule(table, f"{table}_in_step", f"{table} agrees with {what}", sql)


# Rows of either table without their one match in the other (one pass: two EXCEPT ALLs cost 5x);
# scoped, the articles in scope (the refresh rebuilds the rows of those, and only those).
_FACTS = (
    "SELECT COALESCE(sum(abs(n_articles - n_facts)), 0) FROM (SELECT count(*) FILTER (src = 0) AS"
    " n_articles, count(*) FILTER (src = 1) AS n_facts FROM (SELECT article_id, 0 AS src FROM articles{where}"
    " UNION ALL SELECT article_id, 1 FROM agg_article_facts{where}) GROUP BY article_id)"
)

# Summary tables agree with the base tables they summarise (the dashboard reads these).
SUMMARY_RULES: list[Rule] = [
    Rule("agg_article_facts", "agg_article_facts_in_step", "agg_article_facts has one row per article",
         _FACTS.format(where=""), _FACTS.format(where=f" WHERE article_id IN {keys('article')}")),
    _agrees("agg_output_year_outlet", "the count of articles",
            "SELECT COALESCE(sum(pieces), 0) FROM agg_output_year_outlet", "SELECT count(*) FROM articles"),
    _agrees("agg_topic_year", "the topics of articles", "SELECT COALESCE(sum(pieces), 0) FROM agg_topic_year",
            "SELECT count(*) FROM article_topics WHERE article_id IN (SELECT article_id FROM articles)"),
    _agrees("agg_article_values", "the kinds of articles (one per piece)",
            "SELECT COALESCE(sum(pieces), 0) FROM agg_article_values WHERE field = 'kind'",
            "SELECT count(*) FROM articles"),
    _agrees("agg_mention_facts", "mentions (one row per mention)",
            "SELECT count(*) FROM agg_mention_facts", "SELECT count(*) FROM mentions"),
    _agrees("agg_citation_facts", "citations (one row per note)",
            "SELECT count(*) FROM agg_citation_facts", "SELECT count(*) FROM citations"),
    _agrees("agg_mentions_year_medium", "the count of mentions",
            "SELECT COALESCE(sum(mentions), 0) FROM agg_mentions_year_medium",
            "SELECT count(*) FROM mentions"),
    _agrees("agg_citation_sources", "the count of notes that are not comments",
            "SELECT COALESCE(sum(citations), 0) FROM agg_citation_sources",
            "SELECT count(*) FROM citations WHERE NOT is_comment"),
    _agrees("agg_outlet_stats", "the articles with an outlet",
            "SELECT COALESCE(sum(pieces), 0) FROM agg_outlet_stats",
            "SELECT count(*) FROM articles WHERE outlet_id IS NOT NULL"),
    _agrees("agg_data_quality", "the articles without an outlet",
            "SELECT count(*) FROM agg_data_quality WHERE issue = 'piece_without_outlet'",
            "SELECT count(*) FROM articles WHERE outlet_id IS NULL"),
]  # fmt: skip

BOOKKEEPING_RULES: list[Rule] = [
    Rule("dumps", "dump_status_known", "every dump is loaded, or quarantined with a reason",
         "SELECT count(*) FROM dumps WHERE status NOT IN ('loaded', 'quarantined')"
         " OR (status = 'quarantined' AND error IS NULL)"),
    Rule("outlets", "outlet_review_flags", "outlets made from the text (not in the gazetteer) need review",
         "SELECT count(*) FROM outlets WHERE needs_review IS DISTINCT FROM NOT in_gazetteer"),
    Rule("writers", "writer_ids_are_slugs", "writer ids are slugs, display names not blank",
         "SELECT count(*) FROM writers WHERE NOT regexp_full_match(writer_id, '[a-z0-9]+(-[a-z0-9]+)*')"
         " OR trim(display_name) = ''"),
    Rule("ingest_runs", "runs_finished", "every recorded run has its finish time and counts",
         "SELECT count(*) FROM ingest_runs WHERE finished_at IS NULL OR finished_at < started_at"
         " OR dumps_new IS NULL OR dumps_quarantined IS NULL"),
]  # fmt: skip

RULES: list[Rule] = [*ORPHAN_RULES, *DUPLICATE_RULES, *SUMMARY_RULES, *BOOKKEEPING_RULES]


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The offending rows a rule's SQL counts."""
    row = con.execute(sql).fetchone()
    return int(row[0] or 0) if row else 0


def orphan_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Offending rows per documented reference (all zero in a sound warehouse)."""
    return {r.name: count(con, r.sql) for r in ORPHAN_RULES}


def duplicate_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Extra rows per id that must be unique (all zero in a sound warehouse)."""
    return {r.name: count(con, r.sql) for r in DUPLICATE_RULES}


VOLATILE_COLUMNS: dict[str, set[str]] = {
    "dumps": {"received_at", "loaded_at", "raw_path"},
    "posts": {"first_seen_at", "last_seen_at"},
    "articles": {"first_seen_at", "last_seen_at"},
    "agg_article_facts": {"first_seen_at", "last_seen_at"},
    "ingest_runs": {"*"},
    "refresh_pending": {"*"},  # bookkeeping between a load and its refresh, empty after it
    "check_scope": {"*"},  # bookkeeping between a refresh and the checks that pass over it
    "schema_version": {"applied_at"},
}


def content_digest(
    con: duckdb.DuckDBPyConnection, exclude: dict[str, set[str]] | None = None
) -> dict[str, str]:
    """Order-independent digest of every base table's content (for idempotency tests and checks).

    Left out by default (``VOLATILE_COLUMNS``): wall-clock columns (when a dump was received or
    loaded, and the first/last-seen times derived from them), where the raw copy lives, and the
    run log (``ingest_runs``, run ids): they record when and where, not what. So a re-run after a
    crash, a rebuild from the raw store and an uninterrupted run compare equal.
    """
    exclude = exclude if exclude is not None else VOLATILE_COLUMNS
    out: dict[str, str] = {}
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary ORDER BY 1"
        ).fetchall()
    ]
    for t in tables:
        skip = exclude.get(t, set())
        if "*" in skip:
            continue
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'"
                " ORDER BY column_index",
                [t],
            ).fetchall()
            if r[0] not in skip
        ]
        row = ", ".join(f'"{c}"' for c in cols)
        digest = con.execute(
            f"SELECT count(*), COALESCE(sum(hash(CAST(({row}, 0) AS VARCHAR))::HUGEINT), 0) FROM {t}"
        ).fetchone()
        out[t] = f"{digest[0]}:{digest[1]}"
    return out
