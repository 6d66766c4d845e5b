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

Writer = str | None  # a writer_id, or None for every writer together
Year = int | None


def _mine(writer: Writer, column: str = "writer_id") -> tuple[str, tuple[object, ...]]:
    """A condition keeping one writer's rows (``TRUE``: every writer's), and its parameters (the writer
    for every ``?``: ``COALESCE(writer_id, ?)`` keeps the rows of nobody in particular too)."""
    return (f"{column} = ?", (writer,) * (column.count("?") + 1)) if writer else ("TRUE", ())


# ------------------------------------------------------------------------------------- writers

# The writers with something loaded (the selector on every page, hidden when there is one).
WRITERS = Query(
    "SELECT writer_id, writer, site, dumps, pieces, outlets, first_year, last_year FROM v_writers "
    "WHERE dumps > 0 ORDER BY writer, writer_id"
)

WRITER_YEARS = Query(
    "SELECT writer, year, sum(pieces) AS pieces FROM mart_output_by_year_outlet WHERE year IS NOT NULL "
    "GROUP BY ALL ORDER BY year, writer"
)


def writer_outlets(limit: int = 12) -> Query:
    """Pieces per writer in the outlets with the most pieces overall (the writers side by side)."""
    return Query(
        "WITH top AS (SELECT outlet FROM mart_output_by_year_outlet WHERE outlet_id IS NOT NULL "
        "GROUP BY outlet ORDER BY sum(pieces) DESC, outlet LIMIT ?) SELECT m.outlet, m.writer, "
        "sum(m.pieces) AS pieces FROM mart_output_by_year_outlet m JOIN top USING (outlet) "
        "GROUP BY ALL ORDER BY pieces DESC, 1, 2",
        (limit,),
    )


# ------------------------------------------------------------------------------------ overview


def headline(writer: Writer = None) -> Query:
    """The Overview's totals (outlets and years from the per-year-and-outlet summary, not the articles)."""
    c, p = _mine(writer)
    return Query(
        f"""
        SELECT
            (SELECT count(*) FROM articles WHERE {c})                                 AS articles,
            (SELECT count(*) FROM posts WHERE {c})                                    AS posts,
            (SELECT count(DISTINCT outlet_id) FROM mart_output_by_year_outlet WHERE {c}) AS outlets,
            (SELECT min(year) FROM mart_output_by_year_outlet WHERE {c})              AS first_year,
            (SELECT max(year) FROM mart_output_by_year_outlet WHERE {c})              AS last_year,
            (SELECT count(*) FROM agg_mention_facts WHERE {c})                        AS mentions,
            (SELECT count(*) FROM agg_citation_facts WHERE NOT is_comment AND {c})    AS citations,
            (SELECT count(*) FROM v_current_dumps WHERE {c})                          AS dumps_loaded,
            (SELECT count(*) FROM dumps WHERE status = 'quarantined' AND {c})         AS dumps_quarantined
        """,
        p * 9,
    )


def output_by_year_outlet(writer: Writer = None) -> Query:
    c, p = _mine(writer)
    return Query(
        "SELECT year, outlet, sum(pieces) AS pieces, sum(words) AS words FROM mart_output_by_year_outlet "
        f"WHERE year IS NOT NULL AND {c} GROUP BY year, outlet ORDER BY year, pieces DESC, outlet",
        p,
    )


# Outlets ranked by output (every writer's): the order that fixes each outlet's colour on every page.
OUTLET_RANKING = Query(
    "SELECT outlet, sum(pieces) AS pieces FROM mart_output_by_year_outlet GROUP BY outlet "
    "ORDER BY pieces DESC, outlet"
)

# One row per outlet (the writers added up, or one writer's): the Outlets page and the top outlets.
_OUTLET_COLUMNS = (
    "outlet_id, outlet, outlet_kind, country, domain, sum(pieces) AS pieces, sum(mentions) AS mentions, "
    "min(first_year) AS first_year, max(last_year) AS last_year, min(first_date) AS first_date, "
    "max(last_date) AS last_date, in_gazetteer, needs_review"
)
_OUTLET_GROUPS = "GROUP BY outlet_id, outlet, outlet_kind, country, domain, in_gazetteer, needs_review"


def top_outlets(writer: Writer = None, limit: int = 15) -> Query:
    c, p = _mine(writer)
    return Query(
        f"SELECT outlet, outlet_kind, pieces, mentions, first_year, last_year FROM (SELECT {_OUTLET_COLUMNS} "
        f"FROM mart_outlet_summary WHERE {c} {_OUTLET_GROUPS}) WHERE pieces > 0 "
        "ORDER BY pieces DESC, outlet LIMIT ?",
        (*p, limit),
    )


def topic_year(writer: Writer = None, limit_topics: int = 25) -> Query:
    c, p = _mine(writer)
    return Query(
        f"""
        WITH mine AS (SELECT topic, year, pieces FROM mart_output_by_topic_year WHERE {c}),
        top AS (SELECT topic FROM mine GROUP BY topic ORDER BY sum(pieces) DESC, topic LIMIT ?)
        SELECT m.topic, m.year, sum(m.pieces) AS pieces
        FROM mine m JOIN top USING (topic)
        WHERE m.year IS NOT NULL GROUP BY ALL ORDER BY m.topic, m.year
        """,
        (*p, limit_topics),
    )


# ------------------------------------------------------------------------------------ articles


def filter_options(writer: Writer = None) -> Query:
    """What the Articles filters offer: the (selected writer's) years, outlets, topics, kinds, authors.

    Every list comes from a summary table (a few thousand rows), never from the articles.
    """
    c, p = _mine(writer)
    values = "SELECT list(DISTINCT value ORDER BY value) FROM mart_article_values WHERE field = '{}' AND {}"
    return Query(
        f"""
        SELECT
            (SELECT min(year) FROM mart_output_by_year_outlet WHERE {c})              AS min_year,
            (SELECT max(year) FROM mart_output_by_year_outlet WHERE {c})              AS max_year,
            (SELECT list(DISTINCT outlet ORDER BY outlet) FROM mart_output_by_year_outlet
                WHERE outlet_id IS NOT NULL AND {c})                                   AS outlets,
            (SELECT list(DISTINCT topic ORDER BY topic) FROM mart_output_by_topic_year
                WHERE {c})                                                             AS topics,
            ({values.format("kind", c)})                                               AS kinds,
            ({values.format("author", c)})                                             AS authors,
            ({values.format("date_basis", c)})                                         AS date_bases
        """,
        p * 7,
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
    first_where, first_params = flt.where("a", indexed, page=True, first_page=True)
    first = Query(f"SELECT {ARTICLE_COLUMNS} FROM v_articles a WHERE {first_where}", tuple(first_params))
    return Listing(
        f"SELECT {ARTICLE_COLUMNS} FROM v_articles a WHERE {where}",
        tuple(params),
        ARTICLE_ORDER,
        count,
        first if first_where != where else None,
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
               p.intro, p.confidence, p.post_id, w.display_name AS writer, w.site AS writer_site
        FROM v_articles v
        JOIN articles x USING (article_id)
        LEFT JOIN posts p ON p.post_id = v.best_post_id
        LEFT JOIN writers w ON w.writer_id = v.writer_id
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


def outlet_summaries(writer: Writer = None) -> Listing:
    """Every outlet with pieces or appearances (of the selected writer), biggest first."""
    c, p = _mine(writer)
    return Listing(
        f"SELECT * FROM (SELECT {_OUTLET_COLUMNS} FROM mart_outlet_summary WHERE {c} {_OUTLET_GROUPS}) "
        "WHERE pieces > 0 OR mentions > 0",
        p,
        (SortKey("pieces", True), SortKey("mentions", True), SortKey("outlet"), SortKey("outlet_id")),
    )


def outlet_names(writer: Writer = None) -> Query:
    """The outlets to pick from on the Outlets page, biggest first."""
    c, p = _mine(writer)
    return Query(
        f"SELECT outlet FROM mart_outlet_summary WHERE pieces > 0 AND {c} GROUP BY outlet "
        "ORDER BY sum(pieces) DESC, outlet",
        p,
    )


def outlet_summary(outlet: str, writer: Writer = None) -> Query:
    """One outlet's row of the summary, by name."""
    c, p = _mine(writer)
    return Query(
        f"SELECT {_OUTLET_COLUMNS} FROM mart_outlet_summary WHERE outlet = ? AND {c} {_OUTLET_GROUPS} "
        "ORDER BY pieces DESC, outlet_id LIMIT 1",
        (outlet, *p),
    )


def outlet_year_kind(outlet_id: str, writer: Writer = None) -> Query:
    c, p = _mine(writer)
    return Query(
        "SELECT year, kind, count(*) AS pieces FROM articles WHERE outlet_id = ? AND year IS NOT NULL "
        f"AND {c} GROUP BY ALL ORDER BY year, kind",
        (outlet_id, *p),
    )


def outlet_aliases(outlet_id: str) -> Query:
    return Query(
        "SELECT alias, source FROM outlet_aliases WHERE outlet_id = ? ORDER BY source, alias",
        (outlet_id,),
    )


def outlet_articles(outlet_id: str, writer: Writer = None) -> Listing:
    c, p = _mine(writer)
    return Listing(
        "SELECT article_id, year, published_date, title, kind, authors FROM v_articles "
        f"WHERE outlet_id = ? AND {c}",
        (outlet_id, *p),
        ARTICLE_ORDER,
    )


# ------------------------------------------------------------------------------------ mentions


def mention_options(writer: Writer = None) -> Query:
    c, p = _mine(writer)
    return Query(
        "SELECT list(DISTINCT medium ORDER BY medium) AS media, min(year) AS min_year, max(year) AS max_year "
        f"FROM mart_mentions_by_year_medium WHERE {c}",
        p,
    )


def _mention_where(media: list[str], year_from: Year, year_to: Year, writer: Writer) -> tuple[str, tuple]:
    chosen = media or None
    c, p = _mine(writer, "m.writer_id")
    return (
        "(? IS NULL OR list_contains(?::VARCHAR[], m.medium)) AND (? IS NULL OR m.year >= ?) "
        f"AND (? IS NULL OR m.year <= ?) AND {c}",
        (chosen, chosen, year_from, year_from, year_to, year_to, *p),
    )


def mentions(media: list[str], year_from: Year, year_to: Year, writer: Writer = None) -> Listing:
    """Appearances with their subject, outlet and year, newest first."""
    where, params = _mention_where(media, year_from, year_to, writer)
    return Listing(
        "SELECT m.year, m.outlet, m.medium, m.about, m.post_piece, m.article_id, m.evidence, m.post_id, "
        f"m.mention_no FROM mart_mentions m WHERE {where}",
        params,
        (SortKey("year", True), SortKey("outlet"), SortKey("mention_no"), SortKey("post_id")),
    )


def mentions_by_outlet(media: list[str], year_from: Year, year_to: Year, writer: Writer = None) -> Query:
    where, params = _mention_where(media, year_from, year_to, writer)
    return Query(
        "SELECT m.outlet, m.medium, count(*) AS mentions, min(m.year) AS first_year, "
        f"max(m.year) AS last_year FROM mart_mentions m WHERE {where} "
        "GROUP BY ALL ORDER BY mentions DESC, m.outlet",
        params,
    )


def mentions_by_year_medium(media: list[str], year_from: Year, year_to: Year, writer: Writer = None) -> Query:
    """The filtered appearances counted by year and medium (the Mentions page's chart and the Overview's)."""
    where, params = _mention_where(media, year_from, year_to, writer)
    return Query(
        f"SELECT m.year, m.medium, count(*) AS mentions, count(DISTINCT m.outlet) AS outlets "
        f"FROM mart_mentions m WHERE {where} AND m.year IS NOT NULL "
        "GROUP BY ALL ORDER BY m.year, m.medium",
        params,
    )


# ----------------------------------------------------------------------------------- citations


def citation_sources(writer: Writer = None, limit: int = 50) -> Query:
    c, p = _mine(writer)
    return Query(
        "SELECT source, sum(citations) AS citations, sum(articles) AS articles, "
        f"min(first_year) AS first_year, max(last_year) AS last_year FROM mart_citation_sources WHERE {c} "
        "GROUP BY source ORDER BY citations DESC, source LIMIT ?",
        (*p, limit),
    )


def citation_domains(writer: Writer = None, limit: int = 50) -> Query:
    c, p = _mine(writer)
    return Query(
        "SELECT domain, sum(citations) AS citations, sum(articles) AS articles FROM mart_citation_sources "
        f"WHERE domain IS NOT NULL AND {c} GROUP BY domain ORDER BY citations DESC, domain LIMIT ?",
        (*p, limit),
    )


def citation_notes(text: str, writer: Writer = None) -> Listing:
    """Per-article notes, optionally narrowed to those whose source, title or URL contain ``text``.

    Case-insensitive and literal (``contains`` on lower case: no wildcards to escape, and 2-3x
    faster than ``ILIKE ... ESCAPE`` over a million notes).
    """
    needle = text.strip().lower() or None
    c, p = _mine(writer)
    return Listing(
        "SELECT year, article, note_number, source, title, url, cited_date, is_comment, article_id, "
        "post_id, citation_no FROM mart_citation_notes WHERE (? IS NULL OR contains(lower(source), ?) "
        f"OR contains(lower(title), ?) OR contains(lower(url), ?)) AND {c}",
        (needle, needle, needle, needle, *p),
        (SortKey("year", True), SortKey("article"), SortKey("citation_no"), SortKey("post_id")),
    )


# -------------------------------------------------------------------------------- data quality


def dumps(writer: Writer = None) -> Listing:
    c, p = _mine(writer)
    return Listing(
        "SELECT file_name, status, error, archive_label, archive_kind, encoding, size_bytes, line_count, "
        "post_count, received_at, loaded_at, superseded_by IS NOT NULL AS superseded, "
        # a superseded delivery still counts the posts that fell off the end of its page (identity.py)
        "CASE WHEN superseded_by IS NOT NULL THEN greatest(post_count - retained_from + 1, 0) END"
        " AS posts_retained, "
        "writer_id, dump_id "
        f"FROM dumps WHERE {c}",
        p,
        (SortKey("received_at", True), SortKey("file_name"), SortKey("dump_id")),
    )


def _quarantined_sql(writer: Writer) -> tuple[str, tuple[object, ...]]:
    """A quarantined delivery stays on record; ``replaced``: a later one of that name and writer loaded."""
    c, p = _mine(writer, "q.writer_id")
    return (
        f"""
        SELECT q.file_name, q.error, q.encoding, q.size_bytes, q.received_at, q.raw_path, q.writer_id,
               q.dump_id,
               EXISTS (SELECT 1 FROM dumps d WHERE d.file_name = q.file_name AND d.writer_id = q.writer_id
                       AND d.status = 'loaded' AND d.received_at > q.received_at) AS replaced
        FROM dumps q WHERE q.status = 'quarantined' AND {c}
        """,
        p,
    )


def quarantined(writer: Writer = None) -> Listing:
    return Listing(
        *_quarantined_sql(writer),
        (SortKey("replaced"), SortKey("received_at", True), SortKey("file_name"), SortKey("dump_id")),
    )


def quarantined_counts(writer: Writer = None) -> Query:
    sql, params = _quarantined_sql(writer)
    return Query(
        f"SELECT count(*) AS total, count(*) FILTER (WHERE NOT replaced) AS open FROM ({sql})", params
    )


def quality_summary(writer: Writer = None) -> Query:
    c, p = _mine(writer, "COALESCE(writer_id, ?)")  # outlets to review are everybody's
    return Query(
        f"SELECT issue, count(*) AS n FROM v_data_quality WHERE {c} GROUP BY issue ORDER BY n DESC", p
    )


def quality_rows(issues: list[str], writer: Writer = None) -> Listing:
    """The issues to review, optionally of some kinds only.

    Quarantined inputs are listed on their own (``quarantined``, with their dump ids): two
    deliveries of one bad file would be identical rows here, which a keyset cannot tell apart.
    """
    chosen = issues or None
    c, p = _mine(writer, "COALESCE(writer_id, ?)")
    return Listing(
        "SELECT issue, dump_file, seq, detail, article_id, post_id FROM v_data_quality "
        f"WHERE issue <> 'quarantined_dump' AND (? IS NULL OR list_contains(?::VARCHAR[], issue)) AND {c}",
        (chosen, chosen, *p),
        tuple(SortKey(c) for c in ("issue", "dump_file", "seq", "article_id", "detail", "post_id")),
    )


_RUN_COLUMNS = (
    "started_at, finished_at, trigger, dumps_new, dumps_skipped, dumps_quarantined, posts, "
    "articles_new, articles_updated, articles_left, len(warnings) AS warnings, run_id"
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
