"""Identity and de-duplication: which sighting of a post or piece becomes its canonical row.

Owns the best-sighting rule, the derivation of ``posts``, ``articles``, ``mentions``,
``citations`` and ``article_topics`` from the sightings, and the merge of outlets and topics
named by several dumps.

Why derived: every dump's posts are stored as *sightings* exactly as read in that dump
(``warehouse.staging``). The canonical rows are a pure function of the current sightings
(``CURRENT_SIGHTINGS``), picked by one deterministic rule (highest confidence, then longest span,
then smallest dump_id, then smallest seq), so loading the same dumps twice or in another order
gives identical tables, and a superseded delivery can be dropped without re-parsing anything.
Names (outlets, topics) merge by order-independent aggregates for the same reason.

Why a superseded delivery still counts for some posts: a page crawled again (same writer, same
file name) supersedes the older delivery, but the posts newer ones pushed off the end of the page
were published all the same (they moved to page 2, which the nightly may not crawl). So the older
delivery keeps counting its posts past the last one its next delivery still lists
(``dumps.retained_from``, set by :func:`settle_retained`); the posts missing *between* listed ones
were withdrawn or retitled, and leave.

A post or article belongs to one writer: its ids are scoped to the writer when staged
(``warehouse.writers.scoped_id``), so every sighting of an id is that writer's and the
canonical row takes the writer of its best sighting. Outlets and topics are shared by all writers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import duckdb

ALIAS_SOURCE_TEXT = "text"

# The ordering that picks a post's / article's best sighting: most complete first, then a stable tie-break.
BEST_SIGHTING_ORDER = "s.confidence DESC, (s.end_line - s.start_line) DESC, s.dump_id ASC, s.seq ASC"


def slug(text: str) -> str:
    """A stable id from a display name: ASCII-folded, lower case, words joined by '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "-", folded.casefold()).strip("-")
    return out or re.sub(r"\s+", "-", text.casefold()).strip("-") or "unnamed"


# The sightings that count ("current"): those of loaded deliveries not superseded by a newer one
# under the same file name, and those a superseded delivery retains: its posts from position
# ``retained_from`` on (NULL while current; past the page's end when it retains none).
CURRENT_SIGHTINGS = """
    SELECT s.* FROM post_sightings s
    JOIN dumps d ON d.dump_id = s.dump_id AND d.status = 'loaded'
                AND (d.superseded_by IS NULL OR s.seq >= d.retained_from)
"""

# The same rule as a filter on any table with a dump_id and a post_id (post_topics, and
# post_sightings where the checks read it): the row is of a current delivery, or of a retained post.
CURRENT_ROW = """(
    dump_id IN (SELECT dump_id FROM dumps WHERE status = 'loaded' AND superseded_by IS NULL)
    OR (dump_id, post_id) IN (SELECT s.dump_id, s.post_id FROM post_sightings s
                              JOIN dumps d ON d.dump_id = s.dump_id AND d.status = 'loaded'
                                          AND s.seq >= d.retained_from)
)"""

# The pages year inference reads: every sighting of a delivery with a current sighting. A superseded
# delivery that retains posts is read whole: the order of its page still bounds their years.
CURRENT_PAGES = """
    SELECT s.* FROM post_sightings s
    JOIN dumps d ON d.dump_id = s.dump_id AND d.status = 'loaded'
                AND (d.superseded_by IS NULL OR d.retained_from <= d.post_count)
"""

# The pages (writer, file name) delivered more than once that changed: one with a delivery in
# ``refresh_pending``, or a superseded one not settled yet (a warehouse from before migration 005).
_CHANGED_PAGES = """
    CREATE OR REPLACE TEMP TABLE _changed_pages AS
    SELECT writer_id, file_name FROM dumps
    WHERE status = 'loaded' AND (writer_id, file_name) IN (
        SELECT writer_id, file_name FROM dumps
        WHERE dump_id IN (SELECT key FROM refresh_pending WHERE kind = 'dump')
           OR (superseded_by IS NOT NULL AND retained_from IS NULL))
    GROUP BY writer_id, file_name HAVING count(*) > 1
"""
# Where each loaded delivery of those pages has its posts counted from. The next delivery (in
# supersession's order: received_at, dump_id) still lists some of the older one's posts; those past
# the last of them fell off the end of the page, and count; none listed: the whole page counts (seq
# is 1-based).
_RETAINED_FROM = """
    CREATE OR REPLACE TEMP TABLE _retained AS
    WITH deliveries AS (
        SELECT d.dump_id, lead(d.dump_id) OVER (
                   PARTITION BY d.writer_id, d.file_name ORDER BY d.received_at, d.dump_id) AS next_id
        FROM dumps d JOIN _changed_pages p ON p.writer_id = d.writer_id AND p.file_name = d.file_name
        WHERE d.status = 'loaded'
    ), listed_again AS (
        SELECT x.dump_id, max(o.seq) AS seq
        FROM deliveries x
        JOIN post_sightings o ON o.dump_id = x.dump_id
        JOIN post_sightings n ON n.dump_id = x.next_id AND n.post_id = o.post_id
        GROUP BY x.dump_id
    )
    SELECT x.dump_id, CASE WHEN x.next_id IS NOT NULL THEN COALESCE(l.seq, 0) + 1 END AS retained_from
    FROM deliveries x LEFT JOIN listed_again l USING (dump_id)
"""


def settle_retained(con: duckdb.DuckDBPyConnection) -> None:
    """Set ``dumps.retained_from`` of the pages that changed (after ``superseded_by`` is set); the posts
    of each delivery whose value changed join temp table ``_aff_posts`` (to re-derive) and the delivery
    joins ``refresh_pending`` (its summary rows). A run that delivered no page again reads the small
    ``dumps`` table only (at 1 GB: 3.8 ms instead of 5.7, and no scan that grows with the sightings)."""
    con.execute(_CHANGED_PAGES)
    if not con.execute("SELECT count(*) FROM _changed_pages").fetchone()[0]:
        return
    con.execute(_RETAINED_FROM)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _retained_changed AS
        SELECT r.dump_id, r.retained_from FROM _retained r JOIN dumps d USING (dump_id)
        WHERE d.retained_from IS DISTINCT FROM r.retained_from
        """
    )
    if not con.execute("SELECT count(*) FROM _retained_changed").fetchone()[0]:
        return
    con.execute(
        "INSERT INTO _aff_posts SELECT DISTINCT post_id FROM post_sightings"
        " WHERE dump_id IN (SELECT dump_id FROM _retained_changed)"
    )
    con.execute("INSERT INTO refresh_pending SELECT 'dump', dump_id FROM _retained_changed")
    con.execute(
        "UPDATE dumps SET retained_from = c.retained_from FROM _retained_changed c"
        " WHERE c.dump_id = dumps.dump_id"
    )


# Which articles a change to the posts in ``_aff_posts`` touches: those any sighting of them carries,
# plus those whose best post is among them (an article may lose its last current sighting).
AFFECTED_ARTICLES = """
    SELECT DISTINCT article_id FROM post_sightings
    WHERE post_id IN (SELECT post_id FROM _aff_posts) AND article_id IS NOT NULL
    UNION
    SELECT article_id FROM articles WHERE best_post_id IN (SELECT post_id FROM _aff_posts)
"""

# The current sightings of the affected posts and articles, narrow: who they are and what the
# best-sighting rule and the year columns read (never a body). ``{batch}`` marks the rows of the
# load batch in progress (``_in_dumps``), whose wide columns are in memory.
_CANDIDATES = f"""
    CREATE OR REPLACE TEMP TABLE _cand AS
    SELECT s.dump_id, s.seq, s.post_id, s.article_id, s.confidence, s.start_line, s.end_line,
           s.title IS NOT NULL AS titled, s.year, s.date_basis, s.date_min, s.date_max, s.date_evidence,
           d.received_at, {{batch}} AS in_batch
    FROM ({CURRENT_SIGHTINGS}) s
    JOIN dumps d USING (dump_id)
    WHERE s.post_id IN (SELECT post_id FROM _aff_posts)
       OR s.article_id IN (SELECT article_id FROM _aff_articles)
"""

# Best sighting per affected post and per affected article (articles: sightings with a title), and
# the first and last time any of them was received.
_BEST = """
    CREATE OR REPLACE TEMP TABLE _best_{what}s AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT s.*,
               min(s.received_at) OVER (PARTITION BY s.{key}) AS first_seen,
               max(s.received_at) OVER (PARTITION BY s.{key}) AS last_seen,
               row_number() OVER (PARTITION BY s.{key} ORDER BY {order}) AS rn
        FROM _cand s WHERE s.{key} IN (SELECT {key} FROM _aff_{what}s) {extra}
    ) WHERE rn = 1
"""

_POST_COLUMNS = (
    "post_id, article_id, intro, confidence, fingerprint, best_dump_id, best_seq, year, date_basis, "
    "first_seen_at, last_seen_at, writer_id"
)
_POST_ROW = (
    "s.post_id, s.article_id, s.intro, s.confidence, s.fingerprint, s.dump_id, s.seq, s.year, "
    "s.date_basis, b.first_seen, b.last_seen, s.writer_id"
)
_ARTICLE_ROW = """
    s.article_id, s.title, s.standfirst, s.outlet_id, COALESCE(s.kind, 'other'),
    COALESCE(s.authors, []::VARCHAR[]), s.published_date, s.date_precision, s.date_text, s.year,
    s.date_basis, s.date_min, s.date_max, s.date_evidence, COALESCE(s.word_count, 0), COALESCE(s.body, ''),
    s.bio, s.post_id, b.first_seen, b.last_seen, s.writer_id
"""
# Per canonical table: the staging table its rows are copied from (at the post's best sighting).
_POST_PARTS = (
    ("mentions", "sighting_mentions", "mention_no, outlet_id, outlet_text, medium, about, evidence, line"),
    (
        "citations",
        "sighting_citations",
        "citation_no, note_number, source, title, url, cited_date, is_comment, raw_text, line",
    ),
)


def derive(con: duckdb.DuckDBPyConnection, batch: bool = False) -> dict[str, tuple[int, int]]:
    """Recompute the canonical rows of the posts in temp table ``_aff_posts`` (and of their articles).

    Without ``batch`` (the refresh: superseded deliveries, orphans, a full refresh) the articles
    touched are computed here (``AFFECTED_ARTICLES``) and every touched row is rewritten from its
    best sighting. With ``batch`` (a load, :func:`warehouse.load.load_dumps`) the caller has set
    ``_aff_articles`` and ``_old_best`` (each affected article's best sighting before the load,
    ``OLD_BEST``), and registered the batch's rows as ``_in_*``; when the batch only added sightings
    (``fresh``), a row whose best sighting did not change keeps its wide columns (title, body, ...,
    which are a function of that sighting) and only its narrow ones are set (first and last seen, the
    sighting's own year), and a row whose best sighting is in the batch is copied from memory. So a
    load reads the wide columns of its own rows only, never of the warehouse's: one new dump costs
    what it touches, and a backfill's batches cost what they hold.

    Returns, for a batch, per dump: (articles new, articles re-derived from another sighting than
    before), counted on the dump of the article's best sighting.
    """
    fresh = batch and not con.execute("SELECT count(*) FROM _prev_loaded").fetchone()[0]
    con.execute(_LEFT_TABLE)
    if not batch:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _aff_articles AS {AFFECTED_ARTICLES}")
    con.execute(
        _CANDIDATES.format(batch="s.dump_id IN (SELECT dump_id FROM _in_dumps)" if batch else "false")
    )
    con.execute(_BEST.format(what="post", key="post_id", order=BEST_SIGHTING_ORDER, extra=""))
    con.execute(
        _BEST.format(what="article", key="article_id", order=BEST_SIGHTING_ORDER, extra="AND s.titled")
    )
    counts = _count_articles(con) if batch else {}
    _derive_posts(con, fresh)
    _derive_articles(con, fresh)
    _derive_article_topics(con, "WHERE article_id IN (SELECT article_id FROM _aff_articles)")
    # for the next refresh_derived: these rows were rewritten from their sightings
    con.execute(
        "INSERT INTO refresh_pending SELECT 'post', post_id FROM _aff_posts"
        " UNION ALL SELECT 'article', article_id FROM _aff_articles"
    )
    return counts


# Articles the derivations of this connection removed (their last sighting that counts is gone:
# withdrawn or retitled posts, a re-parse that reads them otherwise), until ``articles_left`` reads them.
_LEFT = "_left_articles"
_LEFT_TABLE = f"CREATE TEMP TABLE IF NOT EXISTS {_LEFT} (article_id VARCHAR)"


def articles_left(con: duckdb.DuckDBPyConnection) -> int:
    """How many articles left the canonical tables since the last call (the run's summary says it: a
    piece leaving the record is never silent)."""
    con.execute(_LEFT_TABLE)
    (count,) = con.execute(f"SELECT count(DISTINCT article_id) FROM {_LEFT}").fetchone()
    con.execute(f"DELETE FROM {_LEFT}")
    return int(count)


def post_parts(con: duckdb.DuckDBPyConnection, posts_sql: str, into: str, part_posts: int) -> Iterator[int]:
    """Set temp table ``into`` (``post_id``) to one part of the posts ``posts_sql`` selects at a time,
    ``part_posts`` of them drawn by the post id's hash; yields each part's number once it is set."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _all_posts AS {posts_sql}")
    posts = con.execute("SELECT count(*) FROM _all_posts").fetchone()[0]
    parts = -(-posts // part_posts)
    for part in range(parts):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {into} AS"
            " SELECT post_id FROM _all_posts WHERE hash(post_id) % $parts = $part",
            {"parts": parts, "part": part},
        )
        yield part
    con.execute("DROP TABLE _all_posts")


def derive_everything(con: duckdb.DuckDBPyConnection, part_posts: int) -> Iterator[int]:
    """Re-derive every post and article from the current sightings, ``part_posts`` posts at a time
    (so the memory it needs is bounded by the part: ``warehouse.refresh.PART_ROWS``); yields after each.

    An article whose posts fall in several parts is derived in each, each time from all its current
    sightings (``_CANDIDATES``), so the result is the same as one derive() of everything.
    """
    every = "SELECT post_id FROM post_sightings UNION SELECT post_id FROM posts"
    for part in post_parts(con, every, "_aff_posts", part_posts):
        derive(con)
        yield part


# Each affected article's best sighting among the current ones, before a load changes them (the
# load sets _aff_posts and _aff_articles first): derive() keeps an article row whose best sighting
# this still is, and counts the others.
OLD_BEST = f"""
    CREATE OR REPLACE TEMP TABLE _old_best AS
    SELECT article_id, dump_id, seq FROM (
        SELECT s.article_id, s.dump_id, s.seq,
               row_number() OVER (PARTITION BY s.article_id ORDER BY {BEST_SIGHTING_ORDER}) AS rn
        FROM ({CURRENT_SIGHTINGS}) s
        WHERE s.article_id IN (SELECT article_id FROM _aff_articles) AND s.title IS NOT NULL
    ) WHERE rn = 1
"""


def _count_articles(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    rows = con.execute(
        """
        SELECT b.dump_id, count(*) FILTER (WHERE o.article_id IS NULL),
               count(*) FILTER (WHERE o.article_id IS NOT NULL AND (o.dump_id <> b.dump_id OR o.seq <> b.seq))
        FROM _best_articles b LEFT JOIN _old_best o USING (article_id)
        GROUP BY b.dump_id
        """
    ).fetchall()
    return {dump_id: (int(new), int(moved)) for dump_id, new, moved in rows}


def _rewrite(con: duckdb.DuckDBPyConnection, table: str, key: str, keep: str | None) -> None:
    """Temp table ``_rewrite_<table>``: the affected keys whose rows are written anew (all but ``keep``)."""
    kept = f" WHERE {key} NOT IN (SELECT {key} FROM {keep})" if keep else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _rewrite_{table} AS SELECT {key} FROM _aff_{table}{kept}")


def _insert_from_best(
    con: duckdb.DuckDBPyConnection, target: str, columns: str, row: str, best: str, staging: str, where: str
) -> None:
    """Insert ``row`` for each best sighting in ``best`` (filtered by ``where``): from the batch in memory
    (``_in_sightings``) where it is in the batch, from ``staging`` for the rest (skipped when none)."""
    into = f"INSERT INTO {target} ({columns})" if columns else f"INSERT INTO {target}"
    joined = f"{{src}} s JOIN {best} b ON b.dump_id = s.dump_id AND b.seq = s.seq WHERE {where}"
    if con.execute(f"SELECT count(*) FROM {best} b WHERE b.in_batch AND {where}").fetchone()[0]:
        con.execute(f"{into} SELECT {row} FROM {joined.format(src='_in_sightings')} AND b.in_batch")
    if con.execute(f"SELECT count(*) FROM {best} b WHERE NOT b.in_batch AND {where}").fetchone()[0]:
        con.execute(f"{into} SELECT {row} FROM {joined.format(src=staging)} AND NOT b.in_batch")


def _derive_posts(con: duckdb.DuckDBPyConnection, fresh: bool) -> None:
    """``posts``, ``mentions``, ``citations`` of the affected posts."""
    keep = None
    if fresh:  # same best sighting as the row has: keep it, set its narrow columns
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _keep_posts AS
            SELECT b.post_id, b.first_seen, b.last_seen, c.year, c.date_basis
            FROM _best_posts b
            JOIN posts p ON p.post_id = b.post_id AND p.best_dump_id = b.dump_id AND p.best_seq = b.seq
            JOIN _cand c ON c.dump_id = b.dump_id AND c.seq = b.seq
            WHERE NOT b.in_batch
            """
        )
        con.execute(
            """
            UPDATE posts SET first_seen_at = k.first_seen, last_seen_at = k.last_seen, year = k.year,
                   date_basis = k.date_basis
            FROM _keep_posts k WHERE k.post_id = posts.post_id
            """
        )
        keep = "_keep_posts"
    _rewrite(con, "posts", "post_id", keep)
    where = "b.post_id IN (SELECT post_id FROM _rewrite_posts)"
    con.execute("DELETE FROM posts WHERE post_id IN (SELECT post_id FROM _rewrite_posts)")
    _insert_from_best(con, "posts", _POST_COLUMNS, _POST_ROW, "_best_posts", "post_sightings", where)
    for table, staging, cols in _POST_PARTS:
        con.execute(f"DELETE FROM {table} WHERE post_id IN (SELECT post_id FROM _rewrite_posts)")
        extra, extra_cols = (", p.article_id", ", article_id") if table == "citations" else ("", "")
        select = (
            f"INSERT INTO {table} (post_id, {cols}, dump_id{extra_cols})"
            f" SELECT p.post_id, {', '.join('x.' + c.strip() for c in cols.split(','))}, x.dump_id{extra}"
            " FROM posts p JOIN {src} x ON x.dump_id = p.best_dump_id AND x.seq = p.best_seq"
            " WHERE p.post_id IN (SELECT post_id FROM _rewrite_posts)"
        )
        if not fresh:
            con.execute(select.format(src=staging))
            continue
        # the batch's own rows from memory; the others (none, unless a best sighting moved to an
        # older dump) from the table
        batch_dumps = "(SELECT dump_id FROM _in_dumps)"
        con.execute(select.format(src=f"_in_{table}") + f" AND p.best_dump_id IN {batch_dumps}")
        rest = "SELECT count(*) FROM _best_posts b WHERE NOT b.in_batch AND " + where
        if con.execute(rest).fetchone()[0]:
            con.execute(select.format(src=staging) + f" AND p.best_dump_id NOT IN {batch_dumps}")


def _derive_articles(con: duckdb.DuckDBPyConnection, fresh: bool) -> None:
    """``articles`` of the affected articles (article_topics apart)."""
    keep = None
    if fresh:  # same best sighting as before the load: keep the row, set its narrow columns
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _keep_articles AS
            SELECT b.article_id, b.first_seen, b.last_seen, c.year, c.date_basis, c.date_min, c.date_max,
                   c.date_evidence
            FROM _best_articles b
            JOIN _old_best o ON o.article_id = b.article_id AND o.dump_id = b.dump_id AND o.seq = b.seq
            JOIN _cand c ON c.dump_id = b.dump_id AND c.seq = b.seq
            WHERE NOT b.in_batch AND b.article_id IN (SELECT article_id FROM articles)
            """
        )
        con.execute(
            """
            UPDATE articles SET first_seen_at = k.first_seen, last_seen_at = k.last_seen, year = k.year,
                   date_basis = k.date_basis, date_min = k.date_min, date_max = k.date_max,
                   date_evidence = k.date_evidence
            FROM _keep_articles k WHERE k.article_id = articles.article_id
            """
        )
        keep = "_keep_articles"
    _rewrite(con, "articles", "article_id", keep)
    # the rows about to go for good: no sighting that counts names their article any more
    con.execute(
        f"""
        INSERT INTO {_LEFT} SELECT article_id FROM articles
        WHERE article_id IN (SELECT article_id FROM _rewrite_articles)
          AND article_id NOT IN (SELECT article_id FROM _best_articles)
        """
    )
    con.execute("DELETE FROM articles WHERE article_id IN (SELECT article_id FROM _rewrite_articles)")
    where = "b.article_id IN (SELECT article_id FROM _rewrite_articles)"
    _insert_from_best(con, "articles", "", _ARTICLE_ROW, "_best_articles", "post_sightings", where)


def _derive_article_topics(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """article_topics = union of the topics of the article's posts, from every page that counts for each
    (``CURRENT_ROW``)."""
    con.execute(f"DELETE FROM article_topics {where}")
    con.execute(
        f"""
        INSERT INTO article_topics (article_id, topic_id)
        SELECT DISTINCT s.article_id, t.topic_id
        FROM ({CURRENT_SIGHTINGS}) s
        JOIN (SELECT post_id, topic_id FROM post_topics WHERE {CURRENT_ROW}) t ON t.post_id = s.post_id
        WHERE s.article_id IS NOT NULL AND s.article_id IN (SELECT article_id FROM articles {where})
        """
    )


def merge_outlets(con: duckdb.DuckDBPyConnection) -> None:
    """Upsert outlets from temp view ``_in_outlets`` with order-independent aggregates."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _outlets_merged AS
        SELECT outlet_id, min(name) AS name, min(outlet_kind) AS outlet_kind, min(country) AS country,
               min(domain) AS domain, bool_or(in_gazetteer) AS in_gazetteer
        FROM (
            SELECT outlet_id, name, outlet_kind, country, domain, in_gazetteer FROM outlets
            WHERE outlet_id IN (SELECT outlet_id FROM _in_outlets)
            UNION ALL
            SELECT outlet_id, name, outlet_kind, country, domain, in_gazetteer FROM _in_outlets
        ) GROUP BY outlet_id
        """
    )
    # a renamed outlet changes the summary rows of every piece and mention it carries
    con.execute(
        "INSERT INTO refresh_pending SELECT 'outlet', m.outlet_id FROM _outlets_merged m"
        " JOIN outlets o USING (outlet_id) WHERE o.name IS DISTINCT FROM m.name"
    )
    con.execute("DELETE FROM outlets WHERE outlet_id IN (SELECT outlet_id FROM _outlets_merged)")
    con.execute(
        "INSERT INTO outlets SELECT outlet_id, name, outlet_kind, country, domain, in_gazetteer,"
        " NOT in_gazetteer FROM _outlets_merged"
    )
    con.execute(
        f"""
        INSERT INTO outlet_aliases (alias, outlet_id, source)
        SELECT DISTINCT alias, outlet_id, '{ALIAS_SOURCE_TEXT}' FROM _in_outlets i
        WHERE alias IS NOT NULL AND alias <> ''
          AND NOT EXISTS (SELECT 1 FROM outlet_aliases a
                          WHERE a.alias = i.alias AND a.outlet_id = i.outlet_id)
        """
    )


def merge_topics(con: duckdb.DuckDBPyConnection) -> None:
    """Upsert topics from temp view ``_in_topics``: one name per slug, the smallest (order-independent)."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _topics_merged AS
        SELECT topic_id, min(name) AS name FROM (
            SELECT topic_id, name FROM topics WHERE topic_id IN (SELECT topic_id FROM _in_topics)
            UNION ALL SELECT topic_id, name FROM _in_topics
        ) GROUP BY topic_id
        """
    )
    # a renamed topic changes the summary rows of every piece that carries it
    con.execute(
        "INSERT INTO refresh_pending SELECT 'topic', m.topic_id FROM _topics_merged m"
        " JOIN topics t USING (topic_id) WHERE t.name IS DISTINCT FROM m.name"
    )
    con.execute("DELETE FROM topics WHERE topic_id IN (SELECT topic_id FROM _topics_merged)")
    con.execute("INSERT INTO topics SELECT topic_id, name FROM _topics_merged")
    con.execute(
        "INSERT INTO post_topics (post_id, topic_id, source, dump_id)"
        " SELECT post_id, topic_id, min(source), dump_id FROM _in_topics GROUP BY post_id, topic_id, dump_id"
    )
