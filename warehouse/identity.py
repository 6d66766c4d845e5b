"""Identity and de-duplication: which sighting of a post or piece becomes its canonical row.

Owns the best-sighting rule, the derivation of ``posts``, ``articles``, ``mentions``,
``citations`` and ``article_topics`` from the sightings, and the merge of outlets and topics
named by several dumps.

Why derived: every dump's posts are stored as *sightings* exactly as read in that dump
(``warehouse.staging``). The canonical rows are a pure function of the current sightings (loaded,
not superseded dumps), picked by one deterministic rule (highest confidence, then longest span,
then smallest dump_id, then smallest seq), so loading the same dumps twice or in another order
gives identical tables, and a superseded delivery can be dropped without re-parsing anything.
Names (outlets, topics) merge by order-independent aggregates for the same reason.

A post or article belongs to one writer: its ids are scoped to the writer when staged
(``warehouse.writers.scoped_id``), so every sighting of an id is that writer's and the
canonical row takes the writer of its best sighting. Outlets and topics are shared by all writers.
"""

from __future__ import annotations

import re
import unicodedata

import duckdb

ALIAS_SOURCE_TEXT = "text"

# The ordering that picks a post's / article's best sighting: most complete first, then a stable tie-break.
BEST_SIGHTING_ORDER = "s.confidence DESC, (s.end_line - s.start_line) DESC, s.dump_id ASC, s.seq ASC"


def slug(text: str) -> str:
    """A stable id from a display name: ASCII-folded, lower case, words joined by '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "-", folded.casefold()).strip("-")
    return out or re.sub(r"\s+", "-", text.casefold()).strip("-") or "unnamed"


# The sightings that count: those of loaded dumps not superseded by a newer delivery.
CURRENT_SIGHTINGS = """
    SELECT s.* FROM post_sightings s
    JOIN dumps d ON d.dump_id = s.dump_id AND d.status = 'loaded' AND d.superseded_by IS NULL
"""


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the canonical rows of the posts in temp table ``_aff_posts(post_id)``.

    Articles touched are those any sighting of those posts carries, plus those whose best
    post is among them (an article may lose its last current sighting).
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _aff_articles AS
        SELECT DISTINCT article_id FROM post_sightings
        WHERE post_id IN (SELECT post_id FROM _aff_posts) AND article_id IS NOT NULL
        UNION
        SELECT article_id FROM articles WHERE best_post_id IN (SELECT post_id FROM _aff_posts)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _cur AS
        SELECT s.*, d.received_at FROM ({CURRENT_SIGHTINGS}) s
        JOIN dumps d USING (dump_id)
        WHERE s.post_id IN (SELECT post_id FROM _aff_posts)
           OR s.article_id IN (SELECT article_id FROM _aff_articles)
        """
    )
    con.execute("DELETE FROM posts WHERE post_id IN (SELECT post_id FROM _aff_posts)")
    con.execute(
        f"""
        INSERT INTO posts (post_id, article_id, intro, confidence, fingerprint, best_dump_id, best_seq,
                           year, date_basis, first_seen_at, last_seen_at, writer_id)
        SELECT post_id, article_id, intro, confidence, fingerprint, dump_id, seq,
               year, date_basis, first_seen, last_seen, writer_id
        FROM (
            SELECT s.*,
                   min(s.received_at) OVER (PARTITION BY s.post_id) AS first_seen,
                   max(s.received_at) OVER (PARTITION BY s.post_id) AS last_seen,
                   row_number() OVER (PARTITION BY s.post_id ORDER BY {BEST_SIGHTING_ORDER}) AS rn
            FROM _cur s WHERE s.post_id IN (SELECT post_id FROM _aff_posts)
        ) WHERE rn = 1
        """
    )
    for table, staging, cols in (
        (
            "mentions",
            "sighting_mentions",
            "mention_no, outlet_id, outlet_text, medium, about, evidence, line",
        ),
        (
            "citations",
            "sighting_citations",
            "citation_no, note_number, source, title, url, cited_date, is_comment, raw_text, line",
        ),
    ):
        con.execute(f"DELETE FROM {table} WHERE post_id IN (SELECT post_id FROM _aff_posts)")
        extra = ", p.article_id" if table == "citations" else ""
        extra_cols = ", article_id" if table == "citations" else ""
        con.execute(
            f"""
            INSERT INTO {table} (post_id, {cols}, dump_id{extra_cols})
            SELECT p.post_id, {", ".join("x." + c.strip() for c in cols.split(","))}, x.dump_id{extra}
            FROM posts p
            JOIN {staging} x ON x.dump_id = p.best_dump_id AND x.seq = p.best_seq
            WHERE p.post_id IN (SELECT post_id FROM _aff_posts)
            """
        )
    con.execute("DELETE FROM articles WHERE article_id IN (SELECT article_id FROM _aff_articles)")
    con.execute(
        f"""
        INSERT INTO articles
        SELECT article_id, title, standfirst, outlet_id, COALESCE(kind, 'other'),
               COALESCE(authors, []::VARCHAR[]),
               published_date, date_precision, date_text, year, date_basis, date_min, date_max,
               date_evidence, COALESCE(word_count, 0), COALESCE(body, ''), bio, post_id,
               first_seen, last_seen, writer_id
        FROM (
            SELECT s.*,
                   min(s.received_at) OVER (PARTITION BY s.article_id) AS first_seen,
                   max(s.received_at) OVER (PARTITION BY s.article_id) AS last_seen,
                   row_number() OVER (PARTITION BY s.article_id ORDER BY {BEST_SIGHTING_ORDER}) AS rn
            FROM _cur s
            WHERE s.article_id IN (SELECT article_id FROM _aff_articles) AND s.title IS NOT NULL
        ) WHERE rn = 1
        """
    )
    _derive_article_topics(con, "WHERE article_id IN (SELECT article_id FROM _aff_articles)")
    # for the next refresh_derived: these rows were rewritten from their sightings
    con.execute(
        "INSERT INTO refresh_pending SELECT 'post', post_id FROM _aff_posts"
        " UNION ALL SELECT 'article', article_id FROM _aff_articles"
    )


def _derive_article_topics(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """article_topics = union of the topics of every current sighting of the article's posts."""
    con.execute(f"DELETE FROM article_topics {where}")
    con.execute(
        f"""
        INSERT INTO article_topics (article_id, topic_id)
        SELECT DISTINCT s.article_id, t.topic_id
        FROM ({CURRENT_SIGHTINGS}) s
        JOIN post_topics t ON t.post_id = s.post_id
        JOIN dumps d ON d.dump_id = t.dump_id AND d.status = 'loaded' AND d.superseded_by IS NULL
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


def article_digest(con: duckdb.DuckDBPyConnection, table: str) -> None:
    # The columns a load decides (not the inferred year, which refresh_derived recomputes).
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT a.article_id, md5(CAST((a.title, a.standfirst, a.outlet_id, a.kind, a.authors,
               a.published_date,
               a.word_count, a.body, a.bio, a.best_post_id) AS VARCHAR)) AS digest
        FROM articles a
        WHERE a.article_id IN (SELECT article_id FROM _dump_articles)
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
