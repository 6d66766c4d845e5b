"""Load parsed dumps into DuckDB: set-based, one transaction per dump, idempotent, order-independent.

Why this shape: every dump's posts are stored as *sightings* (``post_sightings``,
``sighting_mentions``, ``sighting_citations``), exactly as read in that dump. The canonical
rows (``posts``, ``articles``, ``mentions``, ``citations``) are then *derived* from the
best sighting of each post / article by one deterministic rule (highest confidence, then
longest span, then smallest dump_id, then smallest seq), restricted to current dumps
(loaded, not superseded). Because the canonical rows are a pure function of the set of
sightings, loading the same dumps twice or in another order gives identical tables, and a
superseded delivery can be dropped without re-parsing anything.

Rows travel as Arrow tables registered on the connection and ``INSERT ... SELECT``: never
row-by-row.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel

from transforms.models import DateEstimate, OutletRef, ParsedDump
from warehouse.rawstore import DumpMeta

STATUS_LOADED = "loaded"
STATUS_QUARANTINED = "quarantined"
TOPIC_SOURCE_ARCHIVE = "archive"
TOPIC_SOURCE_TAGLINE = "tagline"
ALIAS_SOURCE_TEXT = "text"

# The ordering that picks a post's / article's best sighting: most complete first, then a stable tie-break.
BEST_SIGHTING_ORDER = "s.confidence DESC, (s.end_line - s.start_line) DESC, s.dump_id ASC, s.seq ASC"


# A load batch: dumps loaded in one transaction by ``load_dumps`` (one pass of the set-based
# statements). Bounded by bytes too, because the batch's parse results and Arrow tables are in
# memory while it loads: building them for 16 MB of dumps raised the writer's Python heap by
# ~200 MB, which it keeps. The Dagster job and ``warehouse.build`` both batch by these.
LOAD_BATCH_DUMPS = 64
LOAD_BATCH_BYTES = 8 * 1024 * 1024


class LoadStats(BaseModel):
    """What one ``load_dump`` call did (the CLI summary and the Dagster metadata show it)."""

    posts: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    mentions: int = 0
    citations: int = 0
    warnings: list[str] = []


def slug(text: str) -> str:
    """A stable id from a display name: ASCII-folded, lower case, words joined by '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "-", folded.casefold()).strip("-")
    return out or re.sub(r"\s+", "-", text.casefold()).strip("-") or "unnamed"


@lru_cache(maxsize=1)
def _parser_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("bylines")
    except Exception:  # noqa: BLE001 - not installed (source checkout): no version to record
        return None


# ------------------------------------------------------------------------------ arrow schemas

_SIGHTING_SCHEMA = pa.schema(
    [
        ("dump_id", pa.string()),
        ("seq", pa.int32()),
        ("post_id", pa.string()),
        ("article_id", pa.string()),
        ("start_line", pa.int32()),
        ("end_line", pa.int32()),
        ("title_line", pa.int32()),
        ("confidence", pa.float64()),
        ("warnings", pa.list_(pa.string())),
        ("intro", pa.string()),
        ("fingerprint", pa.string()),
        ("title", pa.string()),
        ("standfirst", pa.string()),
        ("outlet_id", pa.string()),
        ("kind", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("published_date", pa.date32()),
        ("date_precision", pa.string()),
        ("date_text", pa.string()),
        ("year", pa.int32()),
        ("date_basis", pa.string()),
        ("date_min", pa.date32()),
        ("date_max", pa.date32()),
        ("date_evidence", pa.string()),
        ("word_count", pa.int32()),
        ("body", pa.string()),
        ("bio", pa.string()),
    ]
)
_MENTION_SCHEMA = pa.schema(
    [
        ("dump_id", pa.string()),
        ("seq", pa.int32()),
        ("mention_no", pa.int32()),
        ("outlet_id", pa.string()),
        ("outlet_text", pa.string()),
        ("medium", pa.string()),
        ("about", pa.string()),
        ("evidence", pa.string()),
        ("line", pa.int32()),
    ]
)
_CITATION_SCHEMA = pa.schema(
    [
        ("dump_id", pa.string()),
        ("seq", pa.int32()),
        ("citation_no", pa.int32()),
        ("note_number", pa.int32()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("cited_date", pa.date32()),
        ("is_comment", pa.bool_()),
        ("raw_text", pa.string()),
        ("line", pa.int32()),
    ]
)
_OUTLET_SCHEMA = pa.schema(
    [
        ("outlet_id", pa.string()),
        ("name", pa.string()),
        ("outlet_kind", pa.string()),
        ("country", pa.string()),
        ("domain", pa.string()),
        ("in_gazetteer", pa.bool_()),
        ("alias", pa.string()),
    ]
)
_TOPIC_SCHEMA = pa.schema(
    [
        ("post_id", pa.string()),
        ("topic_id", pa.string()),
        ("name", pa.string()),
        ("source", pa.string()),
        ("dump_id", pa.string()),
    ]
)


def _outlet_row(ref: OutletRef, rows: list[dict[str, Any]]) -> str:
    oid = slug(ref.name)
    rows.append(
        {
            "outlet_id": oid,
            "name": ref.name,
            "outlet_kind": ref.outlet_kind,
            "country": ref.country,
            "domain": ref.domain,
            "in_gazetteer": ref.in_gazetteer,
            "alias": re.sub(r"\s+", " ", ref.matched_text).strip().casefold() or ref.name.casefold(),
        }
    )
    return oid


def _frames(meta: DumpMeta, parsed: ParsedDump) -> dict[str, pa.Table]:
    """The dump as Arrow tables, one per staging table."""
    sightings: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    citations: list[dict[str, Any]] = []
    outlets: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    archive_topic = None
    if parsed.archive.label:
        from transforms.topics import normalise_topic

        archive_topic = normalise_topic(parsed.archive.label).casefold()
    did = meta.dump_id
    for post in parsed.posts:
        piece = post.piece
        dating = piece.dating if piece else (post.dating or DateEstimate())
        outlet_id = _outlet_row(piece.outlet, outlets) if piece and piece.outlet else None
        sightings.append(
            {
                "dump_id": did,
                "seq": post.seq,
                "post_id": post.post_id,
                "article_id": post.article_id if piece else None,
                "start_line": post.start_line,
                "end_line": post.end_line,
                "title_line": piece.title_line if piece else None,
                "confidence": post.confidence,
                "warnings": list(post.warnings),
                "intro": post.intro,
                "fingerprint": post.fingerprint,
                "title": piece.title if piece else None,
                "standfirst": piece.standfirst if piece else None,
                "outlet_id": outlet_id,
                "kind": piece.kind if piece else "media-roundup",
                "authors": list(piece.authors) if piece else [],
                "published_date": dating.published_date,
                "date_precision": dating.date_precision,
                "date_text": dating.date_text,
                "year": dating.year,
                "date_basis": dating.basis,
                "date_min": dating.date_min,
                "date_max": dating.date_max,
                "date_evidence": dating.evidence,
                "word_count": piece.word_count if piece else 0,
                "body": piece.body if piece else "",
                "bio": piece.bio if piece else None,
            }
        )
        for no, m in enumerate(post.mentions, start=1):
            mentions.append(
                {
                    "dump_id": did,
                    "seq": post.seq,
                    "mention_no": no,
                    "outlet_id": _outlet_row(m.outlet, outlets) if m.outlet else None,
                    "outlet_text": m.outlet.matched_text if m.outlet else None,
                    "medium": m.medium,
                    "about": m.about,
                    "evidence": m.evidence,
                    "line": m.line,
                }
            )
        for no, c in enumerate(post.citations, start=1):
            citations.append(
                {
                    "dump_id": did,
                    "seq": post.seq,
                    "citation_no": no,
                    "note_number": c.note_number,
                    "source": c.source,
                    "title": c.title,
                    "url": c.url,
                    "cited_date": c.cited_date,
                    "is_comment": c.is_comment,
                    "raw_text": c.raw_text,
                    "line": c.line,
                }
            )
        for name in post.topics:
            if not name.strip():
                continue
            source = TOPIC_SOURCE_ARCHIVE if name.casefold() == archive_topic else TOPIC_SOURCE_TAGLINE
            topics.append(
                {
                    "post_id": post.post_id,
                    "topic_id": slug(name),
                    "name": name,
                    "source": source,
                    "dump_id": did,
                }
            )
    return {
        "sightings": pa.Table.from_pylist(sightings, schema=_SIGHTING_SCHEMA),
        "mentions": pa.Table.from_pylist(mentions, schema=_MENTION_SCHEMA),
        "citations": pa.Table.from_pylist(citations, schema=_CITATION_SCHEMA),
        "outlets": pa.Table.from_pylist(outlets, schema=_OUTLET_SCHEMA),
        "topics": pa.Table.from_pylist(topics, schema=_TOPIC_SCHEMA),
    }


# ------------------------------------------------------------------------------ derivation

_CURRENT_SIGHTINGS = """
    SELECT s.* FROM post_sightings s
    JOIN dumps d ON d.dump_id = s.dump_id AND d.status = 'loaded' AND d.superseded_by IS NULL
"""


def _derive(con: duckdb.DuckDBPyConnection) -> None:
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
        SELECT s.*, d.received_at FROM ({_CURRENT_SIGHTINGS}) s
        JOIN dumps d USING (dump_id)
        WHERE s.post_id IN (SELECT post_id FROM _aff_posts)
           OR s.article_id IN (SELECT article_id FROM _aff_articles)
        """
    )
    con.execute("DELETE FROM posts WHERE post_id IN (SELECT post_id FROM _aff_posts)")
    con.execute(
        f"""
        INSERT INTO posts (post_id, article_id, intro, confidence, fingerprint, best_dump_id, best_seq,
                           year, date_basis, first_seen_at, last_seen_at)
        SELECT post_id, article_id, intro, confidence, fingerprint, dump_id, seq,
               year, date_basis, first_seen, last_seen
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
               first_seen, last_seen
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
        FROM ({_CURRENT_SIGHTINGS}) s
        JOIN post_topics t ON t.post_id = s.post_id
        JOIN dumps d ON d.dump_id = t.dump_id AND d.status = 'loaded' AND d.superseded_by IS NULL
        WHERE s.article_id IS NOT NULL AND s.article_id IN (SELECT article_id FROM articles {where})
        """
    )


def _merge_outlets(con: duckdb.DuckDBPyConnection) -> None:
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


def _article_digest(con: duckdb.DuckDBPyConnection, table: str) -> None:
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


# ------------------------------------------------------------------------------ public API


# WAL size at which DuckDB checkpoints on its own during a long ingest (default 16 MB).
BULK_CHECKPOINT_THRESHOLD = "1GB"


def bulk_load_settings(con: duckdb.DuckDBPyConnection) -> None:
    """Settings for a writer about to load many dumps.

    Why: DuckDB checkpoints whenever the write-ahead log passes 16 MB, and a checkpoint rewrites
    the partly filled last row group of every table it touches (bodies included), so a backfill
    checkpointed after every other batch and spent most of its load time there. With a larger
    threshold the log grows and one checkpoint (when the connection closes or the read copy is
    published) does the work once; a crash still replays the log, so nothing is less durable.
    """
    con.execute(f"SET checkpoint_threshold = '{BULK_CHECKPOINT_THRESHOLD}'")


def load_dump(con: duckdb.DuckDBPyConnection, meta: DumpMeta, parsed: ParsedDump) -> LoadStats:
    """Load one parsed dump in ONE transaction; re-loading the same dump changes nothing.

    Raises on a database error after rolling back, so the caller can quarantine the dump.
    """
    return load_dumps(con, [(meta, parsed)])[0]


def load_dumps(con: duckdb.DuckDBPyConnection, items: list[tuple[DumpMeta, ParsedDump]]) -> list[LoadStats]:
    """Load several parsed dumps in ONE transaction (the same tables as loading them one by one).

    Why batches: a load is some thirty set-based statements, and several of them read columns
    of the whole warehouse; one pass for many dumps costs about what one pass for one dump does.
    The canonical rows are a function of the set of sightings, so a batch gives exactly the
    tables that loading its dumps one at a time gives. Raises on a database error after
    rolling back (the caller can then load the dumps one by one to find the bad one).
    """
    if not items:
        return []
    ids = [m.dump_id for m, _p in items]
    if len(set(ids)) != len(ids):
        raise ValueError("a batch holds the same dump twice")
    parts = [_frames(m, p) for m, p in items]
    frames = {name: pa.concat_tables([f[name] for f in parts]) for name in parts[0]}
    frames["dumps"] = _dump_rows(items)
    con.execute("BEGIN TRANSACTION")
    try:
        stats = _load(con, items, parts, frames)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in frames:
            try:
                con.unregister(f"_in_{name}")
            except Exception:  # noqa: BLE001 - not registered yet
                pass
    con.execute("COMMIT")
    return stats


_DUMP_SCHEMA = pa.schema(
    [
        ("dump_id", pa.string()),
        ("file_name", pa.string()),
        ("size_bytes", pa.int64()),
        ("encoding", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("raw_path", pa.string()),
        ("archive_label", pa.string()),
        ("archive_kind", pa.string()),
        ("line_count", pa.int32()),
        ("post_count", pa.int32()),
    ]
)


def _dump_rows(items: list[tuple[DumpMeta, ParsedDump]]) -> pa.Table:
    rows = []
    for meta, parsed in items:
        received = meta.received_at
        if received.tzinfo:
            received = received.astimezone(UTC).replace(tzinfo=None)
        rows.append(
            {
                "dump_id": meta.dump_id,
                "file_name": meta.file_name,
                "size_bytes": meta.size_bytes,
                "encoding": meta.encoding,
                "received_at": received,
                "raw_path": meta.raw_path,
                "archive_label": parsed.archive.label,
                "archive_kind": parsed.archive.kind,
                "line_count": parsed.line_count,
                "post_count": len(parsed.posts),
            }
        )
    return pa.Table.from_pylist(rows, schema=_DUMP_SCHEMA)


def _load(
    con: duckdb.DuckDBPyConnection,
    items: list[tuple[DumpMeta, ParsedDump]],
    parts: list[dict[str, pa.Table]],
    frames: dict[str, pa.Table],
) -> list[LoadStats]:
    for name, table in frames.items():
        con.register(f"_in_{name}", table)
    now = datetime.now(UTC).replace(tzinfo=None)
    # a re-load keeps the time the dump was first loaded
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _prev_loaded AS SELECT dump_id, loaded_at FROM dumps"
        " WHERE dump_id IN (SELECT dump_id FROM _in_dumps)"
    )
    con.execute("DELETE FROM dumps WHERE dump_id IN (SELECT dump_id FROM _in_dumps)")
    con.execute(
        "INSERT INTO dumps (dump_id, file_name, size_bytes, encoding, received_at, raw_path, status, error,"
        " archive_label, archive_kind, line_count, post_count, parser_version, loaded_at, superseded_by)"
        " SELECT i.dump_id, i.file_name, i.size_bytes, i.encoding, i.received_at, i.raw_path, ?, NULL,"
        " i.archive_label, i.archive_kind, i.line_count, i.post_count, ?, COALESCE(p.loaded_at, ?), NULL"
        " FROM _in_dumps i LEFT JOIN _prev_loaded p USING (dump_id)",
        [STATUS_LOADED, _parser_version(), now],
    )
    # The posts these dumps touch: those they carry now and those they carried in an earlier load.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _aff_posts AS"
        " SELECT DISTINCT post_id FROM _in_sightings"
        " UNION SELECT post_id FROM post_sightings WHERE dump_id IN (SELECT dump_id FROM _in_dumps)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dump_articles AS"
        " SELECT DISTINCT article_id FROM _in_sightings WHERE article_id IS NOT NULL"
    )
    con.execute("INSERT INTO refresh_pending SELECT 'dump', dump_id FROM _in_dumps")
    _article_digest(con, "_before")
    for table in ("post_sightings", "sighting_mentions", "sighting_citations", "post_topics"):
        con.execute(f"DELETE FROM {table} WHERE dump_id IN (SELECT dump_id FROM _in_dumps)")
    con.execute("INSERT INTO post_sightings BY NAME SELECT * FROM _in_sightings")
    con.execute("INSERT INTO sighting_mentions BY NAME SELECT * FROM _in_mentions")
    con.execute("INSERT INTO sighting_citations BY NAME SELECT * FROM _in_citations")
    # Topics: one name per slug (the smallest, so the choice does not depend on load order).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _topics_merged AS
        SELECT topic_id, min(name) AS name FROM (
            SELECT topic_id, name FROM topics WHERE topic_id IN (SELECT topic_id FROM _in_topics)
            UNION ALL SELECT topic_id, name FROM _in_topics
        ) GROUP BY topic_id
        """
    )
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
    _merge_outlets(con)
    _derive(con)
    _article_digest(con, "_after")
    changed = con.execute(
        """
        SELECT a.article_id, b.article_id IS NULL
        FROM _after a LEFT JOIN _before b USING (article_id)
        WHERE b.article_id IS NULL OR b.digest <> a.digest
        """
    ).fetchall()
    # each new or updated article counts once, for the first dump of the batch that carries it
    first: dict[str, int] = {}
    for k, part in enumerate(parts):
        for aid in part["sightings"].column("article_id").to_pylist():
            if aid is not None:
                first.setdefault(aid, k)
    new = [0] * len(items)
    updated = [0] * len(items)
    for aid, is_new in changed:
        k = first.get(aid, 0)
        if is_new:
            new[k] += 1
        else:
            updated[k] += 1
    return [
        LoadStats(
            posts=len(parsed.posts),
            articles_new=new[k],
            articles_updated=updated[k],
            mentions=parts[k]["mentions"].num_rows,
            citations=parts[k]["citations"].num_rows,
            warnings=list(parsed.warnings),
        )
        for k, (_meta, parsed) in enumerate(items)
    ]


def quarantine_dump(con: duckdb.DuckDBPyConnection, meta: DumpMeta, reason: str) -> None:
    """Record a dump that could not be parsed or loaded, with the reason, in one transaction.

    A dump already loaded under the same id is left as it is: a later failure to re-read
    the same bytes must not throw away what was loaded.
    """
    received = (
        meta.received_at.astimezone(UTC).replace(tzinfo=None) if meta.received_at.tzinfo else meta.received_at
    )
    con.execute("BEGIN TRANSACTION")
    try:
        row = con.execute("SELECT status FROM dumps WHERE dump_id = ?", [meta.dump_id]).fetchone()
        if row is None or row[0] != STATUS_LOADED:
            con.execute("DELETE FROM dumps WHERE dump_id = ?", [meta.dump_id])
            con.execute(
                "INSERT INTO dumps (dump_id, file_name, size_bytes, encoding, received_at, raw_path, status,"
                " error, parser_version, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    meta.dump_id,
                    meta.file_name,
                    meta.size_bytes,
                    meta.encoding,
                    received,
                    meta.raw_path,
                    STATUS_QUARANTINED,
                    reason,
                    _parser_version(),
                    datetime.now(UTC).replace(tzinfo=None),
                ],
            )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


_QUARANTINE_SCHEMA = pa.schema(
    [
        ("dump_id", pa.string()),
        ("file_name", pa.string()),
        ("size_bytes", pa.int64()),
        ("encoding", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("raw_path", pa.string()),
        ("error", pa.string()),
    ]
)


def quarantine_dumps(con: duckdb.DuckDBPyConnection, entries: list[tuple[DumpMeta, str]]) -> None:
    """Like :func:`quarantine_dump` for many dumps, in ONE transaction (a flood of bad files, one commit).

    A dump already loaded under the same id is left as it is; for an id given twice the first wins.
    """
    first: dict[str, tuple[DumpMeta, str]] = {}
    for meta, reason in entries:
        first.setdefault(meta.dump_id, (meta, reason))
    if not first:
        return
    rows = [
        {
            "dump_id": meta.dump_id,
            "file_name": meta.file_name,
            "size_bytes": meta.size_bytes,
            "encoding": meta.encoding,
            "received_at": meta.received_at.astimezone(UTC).replace(tzinfo=None)
            if meta.received_at.tzinfo
            else meta.received_at,
            "raw_path": meta.raw_path,
            "error": reason,
        }
        for meta, reason in first.values()
    ]
    con.register("_in_quarantine", pa.Table.from_pylist(rows, schema=_QUARANTINE_SCHEMA))
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "DELETE FROM dumps WHERE status <> ? AND dump_id IN (SELECT dump_id FROM _in_quarantine)",
                [STATUS_LOADED],
            )
            con.execute(
                "INSERT INTO dumps (dump_id, file_name, size_bytes, encoding, received_at, raw_path, status,"
                " error, parser_version, loaded_at)"
                " SELECT q.dump_id, q.file_name, q.size_bytes, q.encoding, q.received_at, q.raw_path, ?,"
                " q.error, ?, ? FROM _in_quarantine q"
                " WHERE NOT EXISTS (SELECT 1 FROM dumps d WHERE d.dump_id = q.dump_id)",
                [STATUS_QUARANTINED, _parser_version(), datetime.now(UTC).replace(tzinfo=None)],
            )
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.unregister("_in_quarantine")


def _estimate(row: tuple[Any, ...]) -> DateEstimate:
    published, precision, text, year, basis, lo, hi, evidence = row
    return DateEstimate(
        published_date=published,
        date_precision=precision,
        date_text=text,
        year=year,
        basis=basis,
        date_min=lo,
        date_max=hi,
        evidence=evidence,
    )


# Stands for a run of a page's other posts in the sequences given to ``infer_years`` (never a post id).
_PAGE_RUN = "\x00page-run"

# The incremental year inference's input (see ``_year_rows``): the wanted posts' own sightings as
# they are, and each run of other posts between them on a page reduced to at most three rows that
# bound their neighbours exactly as the whole run does. Columns: dump_id, post_id (NULL for a run),
# then the eight DateEstimate columns; sorted by page, position on the page, then ``sub``.
_YEAR_ROWS_REDUCED = f"""
WITH page AS (
    SELECT s.dump_id, s.seq, s.post_id, s.published_date, s.date_precision, s.date_text, s.year,
           s.date_basis, s.date_min, s.date_max, s.date_evidence,
           s.post_id IN (SELECT post_id FROM _yr_posts) AS wanted
    FROM ({_CURRENT_SIGHTINGS}) s
    WHERE s.dump_id IN (SELECT DISTINCT dump_id FROM post_sightings
                        WHERE post_id IN (SELECT post_id FROM _yr_posts))
), numbered AS (
    -- rows of other posts with the same count of wanted rows above them form one run
    SELECT *, count(*) FILTER (WHERE wanted) OVER (PARTITION BY dump_id ORDER BY seq) AS run FROM page
), runs AS (
    SELECT dump_id, min(seq) AS seq,
           min(published_date) AS min_published,
           max(COALESCE(published_date, date_min)) AS max_lower,
           arg_max(date_min, seq) FILTER (WHERE published_date IS NULL AND date_min IS NOT NULL) AS last_soft
    FROM numbered WHERE NOT wanted GROUP BY dump_id, run
), reduced AS (
    SELECT dump_id, seq, 0 AS sub, post_id, published_date, date_precision, date_text, year, date_basis,
           date_min, date_max, date_evidence
    FROM numbered WHERE wanted
    UNION ALL  -- the run's highest lower bound, for the posts above it (as a text date only when the
               -- run has one, since a text date also sets the "soft" bound below, which row 3 resets)
    SELECT dump_id, seq, 1, NULL, CASE WHEN last_soft IS NULL THEN max_lower END, NULL, NULL, NULL, NULL,
           CASE WHEN last_soft IS NOT NULL THEN max_lower END, NULL, NULL
    FROM runs WHERE max_lower IS NOT NULL
    UNION ALL  -- its earliest stated date: the upper bound of the posts below it
    SELECT dump_id, seq, 2, NULL, min_published, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM runs WHERE min_published IS NOT NULL
    UNION ALL  -- its last text date without a stated one: the "soft" bound of the posts below it
    SELECT dump_id, seq, 3, NULL, NULL, NULL, NULL, NULL, NULL, last_soft, NULL, NULL
    FROM runs WHERE last_soft IS NOT NULL
)
SELECT dump_id, post_id, published_date, date_precision, date_text, year, date_basis,
       date_min, date_max, date_evidence
FROM reduced ORDER BY dump_id, seq, sub
"""


def _year_rows(con: duckdb.DuckDBPyConnection, full: bool) -> list[tuple[Any, ...]]:
    """The page sequences year inference reads: every current sighting when ``full``, else the
    reduced pages of the posts in temp table ``_yr_posts`` (``_YEAR_ROWS_REDUCED``).

    Why reduced: a post's inferred year depends on the other posts of its pages only through three
    values per run of them (``transforms.chronology._bounds``): the highest lower bound below it,
    the earliest stated date above it and the nearest text date above it. So one new dump whose
    posts recur on many pages reads a few rows per page in SQL instead of every sighting of every
    such page in Python (110,000 rows for a 53 KB dump on the 1 GB benchmark warehouse), with the
    same result. This leans on what ``_bounds`` reads from a post's neighbours: if that changes,
    ``test_incremental_year_inference_reads_reduced_pages_with_the_same_result`` (against whole
    pages) fails.
    """
    if full:
        return con.execute(
            f"""
            SELECT s.dump_id, s.post_id, s.published_date, s.date_precision, s.date_text, s.year,
                   s.date_basis, s.date_min, s.date_max, s.date_evidence
            FROM ({_CURRENT_SIGHTINGS}) s ORDER BY s.dump_id, s.seq
            """
        ).fetchall()
    return con.execute(_YEAR_ROWS_REDUCED).fetchall()


def _year_sequences(rows: list[tuple[Any, ...]]) -> list[list[tuple[str, DateEstimate]]]:
    """Rows of ``_year_rows`` as ``infer_years`` input: one (post_id, estimate) list per page."""
    sequences: list[list[tuple[str, DateEstimate]]] = []
    current: str | None = None
    made: dict[tuple[Any, ...], DateEstimate] = {}  # one object per distinct estimate (read-only)
    for r in rows:
        if r[0] != current:
            sequences.append([])
            current = r[0]
        key = r[2:]
        est = made.get(key)
        if est is None:
            est = made[key] = _estimate(key)
        sequences[-1].append((r[1] if r[1] is not None else _PAGE_RUN, est))
    return sequences


def _infer_years(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Cross-dump year inference (``transforms.chronology.infer_years``) onto ``posts`` and ``articles``.

    Incremental unless ``full``: only the posts in temp table ``_yr_posts`` are inferred again.
    A post's years depend only on the pages (current dumps) that list it, so reading just those
    pages (reduced, see ``_year_rows``) gives it exactly the estimate a pass over every sighting would.
    """
    try:
        from transforms.chronology import infer_years
    except ImportError:  # no chronology yet: the per-article estimates stay as loaded
        return
    sequences = _year_sequences(_year_rows(con, full))
    if not sequences:
        return
    inferred = infer_years(sequences)
    if not full:  # the other posts on those pages were not given all their pages
        wanted = {r[0] for r in con.execute("SELECT post_id FROM _yr_posts").fetchall()}
        inferred = {pid: est for pid, est in inferred.items() if pid in wanted}
    table = pa.table(
        {
            "post_id": pa.array(list(inferred), pa.string()),
            "year": pa.array([e.year for e in inferred.values()], pa.int32()),
            "date_basis": pa.array([e.basis for e in inferred.values()], pa.string()),
            "date_min": pa.array([e.date_min for e in inferred.values()], pa.date32()),
            "date_max": pa.array([e.date_max for e in inferred.values()], pa.date32()),
            "date_evidence": pa.array([e.evidence for e in inferred.values()], pa.string()),
        }
    )
    con.register("_in_years", table)
    try:
        con.execute(
            """
            UPDATE posts p SET year = y.year, date_basis = y.date_basis FROM _in_years y
            WHERE y.post_id = p.post_id AND y.year IS NOT NULL
              AND (p.year IS DISTINCT FROM y.year OR p.date_basis IS DISTINCT FROM y.date_basis)
            """
        )
        # Only the year and its basis/bounds change; a stated date is never overwritten.
        con.execute(
            """
            UPDATE articles a SET year = y.year, date_basis = y.date_basis,
                   date_min = COALESCE(y.date_min, a.date_min), date_max = COALESCE(y.date_max, a.date_max),
                   date_evidence = COALESCE(y.date_evidence, a.date_evidence)
            FROM _in_years y
            WHERE y.post_id = a.best_post_id AND a.published_date IS NULL AND y.year IS NOT NULL
              AND (a.year IS DISTINCT FROM y.year OR a.date_basis IS DISTINCT FROM y.date_basis
                   OR a.date_min IS DISTINCT FROM COALESCE(y.date_min, a.date_min)
                   OR a.date_max IS DISTINCT FROM COALESCE(y.date_max, a.date_max))
            """
        )
    finally:
        con.unregister("_in_years")


AGGREGATES_SQL = Path(__file__).with_name("sql") / "refresh" / "aggregates.sql"
AGGREGATES_INCREMENTAL_SQL = Path(__file__).with_name("sql") / "refresh" / "aggregates_incremental.sql"
AGGREGATES_SHARED_SQL = Path(__file__).with_name("sql") / "refresh" / "aggregates_shared.sql"


def recompute_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every ``agg_*`` table from the canonical tables (what a full refresh ends with)."""
    con.execute(AGGREGATES_SQL.read_text(encoding="utf-8"))
    con.execute(AGGREGATES_SHARED_SQL.read_text(encoding="utf-8"))


def refresh_derived(con: duckdb.DuckDBPyConnection, full: bool = False) -> None:
    """Recompute cross-dump data after loads, in one transaction (idempotent).

    Incremental by default (only posts whose dumps changed status are re-derived; loads
    already derived theirs); ``full=True`` re-derives every post and article from the
    sightings, e.g. after a parser upgrade changed the best-sighting rule.

    - ``dumps.superseded_by``: an older delivery under the same file name points at the newest;
      the posts of dumps whose status changed are re-derived from the remaining sightings;
    - years inferred across dumps (pages run newest first) for the posts the loads listed in
      ``refresh_pending``, reading only the pages that list them (every post when ``full``);
    - ``article_topics`` as the union of the current sightings' post topics;
    - the ``agg_*`` summary tables behind the analyst views: only the rows of what changed
      (``sql/refresh/aggregates_incremental.sql``), or all of them (``sql/refresh/aggregates.sql``)
      when ``full``, when most articles changed (a backfill) or when they are out of step; then
      the small tables both recompute whole (``sql/refresh/aggregates_shared.sql``).
    """
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _supersede AS
            SELECT d.dump_id, n.newest AS superseded_by
            FROM dumps d
            LEFT JOIN (
                SELECT file_name, arg_max(dump_id, (received_at, dump_id)) AS newest
                FROM dumps WHERE status = 'loaded' GROUP BY file_name
            ) n ON n.file_name = d.file_name AND n.newest <> d.dump_id AND d.status = 'loaded'
            """
        )
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _aff_posts AS
            SELECT DISTINCT s.post_id FROM post_sightings s
            JOIN dumps d USING (dump_id) JOIN _supersede x USING (dump_id)
            WHERE d.superseded_by IS DISTINCT FROM x.superseded_by
            """
        )
        con.execute(
            """
            INSERT INTO refresh_pending SELECT 'dump', x.dump_id
            FROM _supersede x JOIN dumps d USING (dump_id)
            WHERE d.superseded_by IS DISTINCT FROM x.superseded_by
            """
        )
        con.execute(
            """
            UPDATE dumps SET superseded_by = x.superseded_by FROM _supersede x
            WHERE x.dump_id = dumps.dump_id AND dumps.superseded_by IS DISTINCT FROM x.superseded_by
            """
        )
        # Posts whose every sighting is gone from the current dumps leave the canonical tables too.
        con.execute(
            f"""
            INSERT INTO _aff_posts SELECT post_id FROM posts
            WHERE post_id NOT IN (SELECT post_id FROM ({_CURRENT_SIGHTINGS}))
            """
        )
        if full:
            con.execute(
                "INSERT INTO _aff_posts SELECT post_id FROM post_sightings UNION SELECT post_id FROM posts"
            )
        if con.execute("SELECT count(*) FROM _aff_posts").fetchone()[0]:
            con.execute("CREATE OR REPLACE TEMP TABLE _aff_posts AS SELECT DISTINCT post_id FROM _aff_posts")
            _derive(con)
        full = full or _needs_full_refresh(con)
        if not full:
            # the posts to infer again: those re-derived, and the best posts of re-derived articles
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE _yr_posts AS
                SELECT key AS post_id FROM refresh_pending WHERE kind = 'post'
                UNION
                SELECT a.best_post_id FROM articles a
                WHERE a.article_id IN (SELECT key FROM refresh_pending WHERE kind = 'article')
                """
            )
        _infer_years(con, full)
        if full:
            recompute_aggregates(con)
        else:
            _dirty_sets(con)
            con.execute(AGGREGATES_INCREMENTAL_SQL.read_text(encoding="utf-8"))
            con.execute(AGGREGATES_SHARED_SQL.read_text(encoding="utf-8"))
        con.execute("DELETE FROM refresh_pending")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# Above this share of the articles, recomputing every summary row beats tracking the changed ones.
FULL_REFRESH_SHARE = 0.3


def _needs_full_refresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Recompute everything when most rows changed (a backfill, a rebuild) or when the summary
    tables are out of step with the articles (a warehouse from before them)."""
    pending, articles, facts = con.execute(
        "SELECT (SELECT count(DISTINCT key) FROM refresh_pending WHERE kind = 'article'),"
        " (SELECT count(*) FROM articles), (SELECT count(*) FROM agg_article_facts)"
    ).fetchone()
    return facts != articles and pending == 0 or pending > FULL_REFRESH_SHARE * max(articles, 1)


def _dirty_sets(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables ``_dirty_articles``, ``_dirty_posts``, ``_dirty_dumps``: whose summary rows to rebuild.

    Articles: re-derived ones, those whose best post got a new inferred year, those of a renamed
    outlet or topic. Posts (mention and note rows): re-derived ones, those with a new inferred
    year, those of a dirty article, those naming a renamed outlet.
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


VOLATILE_COLUMNS: dict[str, set[str]] = {
    "dumps": {"received_at", "loaded_at", "raw_path"},
    "posts": {"first_seen_at", "last_seen_at"},
    "articles": {"first_seen_at", "last_seen_at"},
    "agg_article_facts": {"first_seen_at", "last_seen_at"},
    "ingest_runs": {"*"},
    "refresh_pending": {"*"},  # bookkeeping between a load and its refresh, empty after it
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
