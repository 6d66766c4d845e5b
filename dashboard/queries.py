"""Every query the dashboard runs, by name.

Why one module: the pages stay about layout, the SQL stays reviewable in one place, and the
benchmark (``bylines bench``) can time exactly what the dashboard runs. Each function
returns a :class:`Query` (SQL text plus bound parameters) or, for every list that can grow
with the warehouse, a :class:`Listing` that the pages read one page at a time
(``dashboard/paging.py``: keyset pagination, a total count, exports of the whole result). User
input only ever travels as parameters. All queries read the documented views and marts of
``warehouse/sql`` (and the search index of ``warehouse/search_index.py``).
"""

from __future__ import annotations

from dashboard.filters import ArticleFilter
from dashboard.paging import Listing, Query, SortKey
from warehouse.search_index import INDEX_PRESENT

# ------------------------------------------------------------------------------------ overview

HEADLINE = Query(
    """
    SELECT
        (SELECT count(*) FROM articles)                                  AS articles,
        (SELECT count(*) FROM posts)                                     AS posts,
        (SELECT count(DISTINCT outlet_id) FROM articles)                 AS outlets,
        (SELECT min(year) FROM articles)                                 AS first_year,
        (SELECT max(year) FROM articles)                                 AS last_year,
        (SELECT count(*) FROM mentions)                                  AS mentions,
        (SELECT count(*) FROM citations WHERE NOT is_comment)            AS citations,
        (SELECT count(*) FROM v_current_dumps)                           AS dumps_loaded,
        (SELECT count(*) FROM dumps WHERE status = 'quarantined')        AS dumps_quarantined
    """
)

OUTPUT_BY_YEAR_OUTLET = Query(
    "SELECT year, outlet, pieces, words FROM mart_output_by_year_outlet "
    "WHERE year IS NOT NULL ORDER BY year, pieces DESC, outlet"
)

# Outlets ranked by output: the order that fixes each outlet's colour on every page.
OUTLET_RANKING = Query(
    "SELECT outlet, sum(pieces) AS pieces FROM mart_output_by_year_outlet GROUP BY outlet "
    "ORDER BY pieces DESC, outlet"
)


def top_outlets(limit: int = 15) -> Query:
    return Query(
        "SELECT outlet, outlet_kind, pieces, mentions, first_year, last_year FROM mart_outlet_summary "
        "WHERE pieces > 0 ORDER BY pieces DESC, outlet LIMIT ?",
        (limit,),
    )


def topic_year(limit_topics: int = 25) -> Query:
    return Query(
        """
        WITH top AS (
            SELECT topic FROM mart_output_by_topic_year GROUP BY topic
            ORDER BY sum(pieces) DESC, topic LIMIT ?
        )
        SELECT m.topic, m.year, m.pieces
        FROM mart_output_by_topic_year m JOIN top USING (topic)
        WHERE m.year IS NOT NULL ORDER BY m.topic, m.year
        """,
        (limit_topics,),
    )


MENTIONS_BY_YEAR_MEDIUM = Query(
    "SELECT year, medium, mentions, outlets FROM mart_mentions_by_year_medium "
    "WHERE year IS NOT NULL ORDER BY year, medium"
)

# ------------------------------------------------------------------------------------ articles

FILTER_OPTIONS = Query(
    """
    SELECT
        (SELECT min(year) FROM articles)                                               AS min_year,
        (SELECT max(year) FROM articles)                                               AS max_year,
        (SELECT list(DISTINCT outlet ORDER BY outlet) FROM mart_output_by_year_outlet
            WHERE outlet_id IS NOT NULL)                                               AS outlets,
        (SELECT list(DISTINCT topic ORDER BY topic) FROM mart_output_by_topic_year)    AS topics,
        (SELECT list(DISTINCT kind ORDER BY kind) FROM articles)                       AS kinds,
        (SELECT list(DISTINCT au ORDER BY au) FROM (SELECT unnest(authors) AS au FROM articles)) AS authors,
        (SELECT list(DISTINCT date_basis ORDER BY date_basis) FROM articles
            WHERE date_basis IS NOT NULL)                                              AS date_bases
    """
)

ARTICLE_COLUMNS = (
    "a.article_id, a.year, a.published_date, a.title, a.outlet, a.kind, a.authors, a.topics, "
    "a.date_basis, a.word_count, a.standfirst"
)


# Newest first, unknown years and dates last; the id makes the order total (keyset paging).
ARTICLE_ORDER = (
    SortKey("year", descending=True),
    SortKey("published_date", descending=True),
    SortKey("title"),
    SortKey("article_id"),
)

# Whether the published copy has the text search index (a copy made before it existed has not).
SEARCH_INDEX = Query(INDEX_PRESENT)


def articles(flt: ArticleFilter, indexed: bool = True) -> Listing:
    """The filtered articles, newest first (unknown years last)."""
    where, params = flt.where("a", indexed, page=True)
    count = Query(*flt.count(indexed))
    return Listing(
        f"SELECT {ARTICLE_COLUMNS} FROM v_articles a WHERE {where}", tuple(params), ARTICLE_ORDER, count
    )


def articles_by_year_outlet(flt: ArticleFilter, indexed: bool = True) -> Query:
    """The chart beside the article table: the same filter, counted by year and outlet."""
    where, params = flt.where("a", indexed)
    return Query(
        f"SELECT a.year, COALESCE(a.outlet, '(unknown outlet)') AS outlet, count(*) AS pieces "
        f"FROM v_articles a WHERE {where} AND a.year IS NOT NULL GROUP BY ALL ORDER BY 1, 3 DESC",
        tuple(params),
    )


# ------------------------------------------------------------------------------------- article


def article(article_id: str) -> Query:
    return Query(
        """
        SELECT v.*, x.body, x.bio, x.date_text, x.date_precision, x.date_evidence,
               p.intro, p.confidence, p.post_id
        FROM v_articles v
        JOIN articles x USING (article_id)
        LEFT JOIN posts p ON p.post_id = v.best_post_id
        WHERE v.article_id = ?
        """,
        (article_id,),
    )


def article_provenance(article_id: str) -> Query:
    """Every dump and line range the piece was read from."""
    return Query(
        """
        SELECT d.file_name AS dump_file, d.archive_label, d.archive_kind, s.seq, s.start_line,
               s.end_line, round(s.confidence, 2) AS confidence, s.date_basis, s.date_text,
               d.received_at, d.dump_id, d.status, d.superseded_by IS NOT NULL AS superseded
        FROM post_sightings s JOIN dumps d USING (dump_id)
        WHERE s.article_id = ?
        ORDER BY d.file_name, s.seq
        """,
        (article_id,),
    )


def article_mentions(article_id: str) -> Query:
    return Query(
        """
        SELECT m.mention_no, COALESCE(o.name, m.outlet_text) AS outlet, m.medium, m.about, m.evidence
        FROM mentions m LEFT JOIN outlets o USING (outlet_id)
        WHERE m.post_id IN (SELECT post_id FROM posts WHERE article_id = ?)
        ORDER BY m.post_id, m.mention_no
        """,
        (article_id,),
    )


def article_citations(article_id: str) -> Query:
    return Query(
        "SELECT note_number, source, title, url, cited_date, is_comment, raw_text FROM citations "
        "WHERE article_id = ? ORDER BY citation_no",
        (article_id,),
    )


# ------------------------------------------------------------------------------------- outlets

_OUTLET_COLUMNS = (
    "outlet_id, outlet, outlet_kind, country, domain, pieces, mentions, first_year, last_year, "
    "first_date, last_date, in_gazetteer, needs_review"
)
OUTLET_SUMMARY = Listing(
    f"SELECT {_OUTLET_COLUMNS} FROM mart_outlet_summary WHERE pieces > 0 OR mentions > 0",
    (),
    (SortKey("pieces", True), SortKey("mentions", True), SortKey("outlet"), SortKey("outlet_id")),
)

# The outlets to pick from on the Outlets page, biggest first.
OUTLET_NAMES = Query("SELECT outlet FROM mart_outlet_summary WHERE pieces > 0 ORDER BY pieces DESC, outlet")


def outlet_summary(outlet: str) -> Query:
    """One outlet's row of the summary, by name."""
    return Query(
        f"SELECT {_OUTLET_COLUMNS} FROM mart_outlet_summary WHERE outlet = ? "
        "ORDER BY pieces DESC, outlet_id LIMIT 1",
        (outlet,),
    )


def outlet_year_kind(outlet_id: str) -> Query:
    return Query(
        "SELECT year, kind, count(*) AS pieces FROM articles WHERE outlet_id = ? AND year IS NOT NULL "
        "GROUP BY ALL ORDER BY year, kind",
        (outlet_id,),
    )


def outlet_aliases(outlet_id: str) -> Query:
    return Query(
        "SELECT alias, source FROM outlet_aliases WHERE outlet_id = ? ORDER BY source, alias",
        (outlet_id,),
    )


def outlet_articles(outlet_id: str) -> Listing:
    return Listing(
        "SELECT article_id, year, published_date, title, kind, authors FROM v_articles WHERE outlet_id = ?",
        (outlet_id,),
        ARTICLE_ORDER,
    )


# ------------------------------------------------------------------------------------ mentions

MENTION_OPTIONS = Query(
    "SELECT list(DISTINCT medium ORDER BY medium) AS media, min(year) AS min_year, max(year) AS max_year "
    "FROM mart_mentions_by_year_medium"
)


_MENTION_WHERE = (
    "(? IS NULL OR list_contains(?::VARCHAR[], m.medium)) AND (? IS NULL OR m.year >= ?) "
    "AND (? IS NULL OR m.year <= ?)"
)


def _mention_params(media: list[str], year_from: int | None, year_to: int | None) -> tuple[object, ...]:
    chosen = media or None
    return (chosen, chosen, year_from, year_from, year_to, year_to)


def mentions(media: list[str], year_from: int | None, year_to: int | None) -> Listing:
    """Appearances with their subject, outlet and year, newest first."""
    return Listing(
        "SELECT m.year, m.outlet, m.medium, m.about, m.post_piece, m.article_id, m.evidence, m.post_id, "
        f"m.mention_no FROM mart_mentions m WHERE {_MENTION_WHERE}",
        _mention_params(media, year_from, year_to),
        (SortKey("year", True), SortKey("outlet"), SortKey("mention_no"), SortKey("post_id")),
    )


def mentions_by_outlet(media: list[str], year_from: int | None, year_to: int | None) -> Query:
    return Query(
        "SELECT m.outlet, m.medium, count(*) AS mentions, min(m.year) AS first_year, "
        f"max(m.year) AS last_year FROM mart_mentions m WHERE {_MENTION_WHERE} "
        "GROUP BY ALL ORDER BY mentions DESC, m.outlet",
        _mention_params(media, year_from, year_to),
    )


def mentions_by_year_medium(media: list[str], year_from: int | None, year_to: int | None) -> Query:
    """The filtered appearances counted by year and medium (the Mentions page's chart)."""
    return Query(
        f"SELECT m.year, m.medium, count(*) AS mentions, count(DISTINCT m.outlet) AS outlets "
        f"FROM mart_mentions m WHERE {_MENTION_WHERE} AND m.year IS NOT NULL "
        "GROUP BY ALL ORDER BY m.year, m.medium",
        _mention_params(media, year_from, year_to),
    )


# ----------------------------------------------------------------------------------- citations


def citation_sources(limit: int = 50) -> Query:
    return Query(
        "SELECT source, sum(citations) AS citations, sum(articles) AS articles, "
        "min(first_year) AS first_year, max(last_year) AS last_year FROM mart_citation_sources "
        "GROUP BY source ORDER BY citations DESC, source LIMIT ?",
        (limit,),
    )


def citation_domains(limit: int = 50) -> Query:
    return Query(
        "SELECT domain, sum(citations) AS citations, sum(articles) AS articles FROM mart_citation_sources "
        "WHERE domain IS NOT NULL GROUP BY domain ORDER BY citations DESC, domain LIMIT ?",
        (limit,),
    )


def citation_notes(text: str) -> Listing:
    """Per-article notes, optionally narrowed to those whose source, title or URL contain ``text``.

    Case-insensitive and literal (``contains`` on lower case: no wildcards to escape, and 2-3x
    faster than ``ILIKE ... ESCAPE`` over a million notes).
    """
    needle = text.strip().lower() or None
    return Listing(
        "SELECT year, article, note_number, source, title, url, cited_date, is_comment, article_id, "
        "post_id, citation_no FROM mart_citation_notes WHERE ? IS NULL OR contains(lower(source), ?) "
        "OR contains(lower(title), ?) OR contains(lower(url), ?)",
        (needle, needle, needle, needle),
        (SortKey("year", True), SortKey("article"), SortKey("citation_no"), SortKey("post_id")),
    )


# -------------------------------------------------------------------------------- data quality

DUMPS = Listing(
    "SELECT file_name, status, error, archive_label, archive_kind, encoding, size_bytes, line_count, "
    "post_count, received_at, loaded_at, superseded_by IS NOT NULL AS superseded, dump_id FROM dumps",
    (),
    (SortKey("received_at", True), SortKey("file_name"), SortKey("dump_id")),
)

# A quarantined delivery stays on record; ``replaced`` says a later delivery of that name loaded.
_QUARANTINED_SQL = """
    SELECT q.file_name, q.error, q.encoding, q.size_bytes, q.received_at, q.raw_path, q.dump_id,
           EXISTS (SELECT 1 FROM dumps d WHERE d.file_name = q.file_name AND d.status = 'loaded'
                   AND d.received_at > q.received_at) AS replaced
    FROM dumps q WHERE q.status = 'quarantined'
"""
QUARANTINED = Listing(
    _QUARANTINED_SQL,
    (),
    (SortKey("replaced"), SortKey("received_at", True), SortKey("file_name"), SortKey("dump_id")),
)
QUARANTINED_COUNTS = Query(
    f"SELECT count(*) AS total, count(*) FILTER (WHERE NOT replaced) AS open FROM ({_QUARANTINED_SQL})"
)

QUALITY_SUMMARY = Query("SELECT issue, count(*) AS n FROM v_data_quality GROUP BY issue ORDER BY n DESC")


def quality_rows(issues: list[str]) -> Listing:
    """The issues to review, optionally of some kinds only.

    Quarantined inputs are listed on their own (``QUARANTINED``, with their dump ids): two
    deliveries of one bad file would be identical rows here, which a keyset cannot tell apart.
    """
    chosen = issues or None
    return Listing(
        "SELECT issue, dump_file, seq, detail, article_id, post_id FROM v_data_quality "
        "WHERE issue <> 'quarantined_dump' AND (? IS NULL OR list_contains(?::VARCHAR[], issue))",
        (chosen, chosen),
        tuple(SortKey(c) for c in ("issue", "dump_file", "seq", "article_id", "detail", "post_id")),
    )


_RUN_COLUMNS = (
    "started_at, finished_at, trigger, dumps_new, dumps_skipped, dumps_quarantined, posts, "
    "articles_new, articles_updated, len(warnings) AS warnings, run_id"
)
RUNS = Listing(
    f"SELECT {_RUN_COLUMNS} FROM ingest_runs", (), (SortKey("started_at", True), SortKey("run_id"))
)
LAST_RUN = Query(f"SELECT {_RUN_COLUMNS} FROM ingest_runs ORDER BY started_at DESC, run_id LIMIT 1")

# ----------------------------------------------------------------------------------------- sql

# The warehouse's own tables and views, and the text search index's (named search.<name>).
_NAME = "CASE WHEN {t}schema_name = 'main' THEN {t}{n} ELSE {t}schema_name || '.' || {t}{n} END"
SCHEMA = Query(
    f"""
    SELECT {_NAME.format(t="c.", n="table_name")} AS table_name,
           CASE WHEN t.table_name IS NULL THEN 'view' ELSE 'table' END AS type,
           c.column_name, c.data_type, c.comment
    FROM duckdb_columns() c
    LEFT JOIN duckdb_tables() t ON t.table_name = c.table_name AND t.schema_name = c.schema_name
    WHERE c.schema_name IN ('main', 'search') AND NOT c.internal
    ORDER BY type, c.schema_name, c.table_name, c.column_index
    """
)

RELATIONS = Query(
    f"""
    SELECT {_NAME.format(t="", n="table_name")} AS name, 'table' AS type, comment FROM duckdb_tables()
    WHERE schema_name IN ('main', 'search')
    UNION ALL
    SELECT {_NAME.format(t="", n="view_name")}, 'view', comment FROM duckdb_views()
    WHERE schema_name IN ('main', 'search') AND NOT internal
    ORDER BY type, name
    """
)
