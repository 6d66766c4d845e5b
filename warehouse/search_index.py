"""The text search index: which articles contain which words, kept in step with every load.

Why an index of our own (tables in the warehouse) and not DuckDB's ``fts`` extension:

- ``fts`` would have to come from PyPI's ``duckdb-extension-fts``, which exists up to DuckDB
  1.5.5 and pins ``duckdb==1.5.5`` exactly (its binary is refused by 1.5.6), so every DuckDB
  upgrade of the project would wait on a third-party repackaging;
- at 1,000,000 articles its ``match_bm25`` took 150-900 ms a query (it scans every token row of
  the index), and ``create_fts_index`` has no incremental update: every nightly run would
  rebuild it whole (62 s at 1,000,000 short articles).

Here a lookup reads only the row groups of its words (``search.postings`` is stored sorted by
word, so DuckDB's zone maps skip the rest), and a run re-indexes only the articles its loads
re-derived, into a small second tier (``search.recent_postings``, with the re-indexed articles in
``search.recent_articles`` masking their old rows), so a nightly run never rewrites the big table.
When the recent tier passes ``MERGE_MIN_ROWS`` or ``MERGE_SHARE`` of the big one, the two are
merged (rewritten sorted). Stemming is Snowball English (``snowballstemmer``, pure Python, the
same algorithm as ``fts``'s default), applied to the vocabulary, not to every occurrence. No
DuckDB extension is involved, so readers need nothing beyond the published file.

Search semantics (:func:`query_terms`, :func:`matching_articles`): a piece matches when it
contains every word of the query in some form: the same stem ("ports" finds "port") or, for
three letters or more, a word that begins with it ("Kazakh" finds "Kazakhstan"). So whatever a
whole-word ``ILIKE '%text%'`` finds, the index finds too.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.storage import memory_limit_at_most

SCHEMA_SQL = Path(__file__).with_name("sql") / "search" / "schema.sql"
LANGUAGE = "english"
MIN_PREFIX = 3  # a query word this long also finds the words it begins ("kaz" -> "kazakhstan")
# The recent tier is read whole by every lookup (it is not sorted). Past this many rows (about
# eight row groups: a few ms a lookup) or this share of the bulk tier, the tiers are merged.
MERGE_MIN_ROWS = 1_000_000
MERGE_SHARE = 0.05

# The text of an article the index covers, and its words (search.words_of in schema.sql).
_ARTICLE_WORDS = "search.words_of(concat_ws(' ', a.title, a.standfirst, a.body))"
# Every word of the articles ``{where}`` selects, one (word, article_id) row each, in no order.
_WORDS = (
    "SELECT word, article_id FROM (SELECT a.article_id, unnest(" + _ARTICLE_WORDS + ") AS word "
    "FROM articles a {where})"
)
_POSTINGS = _WORDS + " ORDER BY word"
# Articles whose words a full build extracts per statement, before one sort of all the postings.
# Extracted and sorted in one statement, the words of 127k articles (the 1 GB benchmark) took the
# writer from 120 to 840 MB RSS, past its 384 MB DuckDB limit (the string work is not all in DuckDB's
# buffer pool); in parts the sort alone remains, and it spills.
BULK_PART_ARTICLES = 20_000
# DuckDB's memory limit for a full build (``refresh_search_index`` lowers the connection's to it): its
# sort spills, and the writer's peak at the end of a backfill is this build. Replayed alone on the
# 1 GB benchmark's warehouse (127k articles, quiet machine): 384 MB, 70.0 s and 656 MB RSS; 256 MB,
# 67.0 s and 541 MB.
BULK_MEMORY_LIMIT = 256 * 1024 * 1024
_WORD = re.compile(r"[^\W_]+")


# ----------------------------------------------------------------------------------- reading


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the index sees them (``search.words_of`` in SQL), in order, once each.

    Accents stripped (canonical decomposition, marks dropped), lower case, runs of letters and
    digits: "Köln's G20" -> ["koln", "s", "g20"].
    """
    decomposed = unicodedata.normalize("NFD", text)
    folded = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()
    return list(dict.fromkeys(_WORD.findall(folded)))


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - snowballstemmer has no type hints
    import snowballstemmer

    return snowballstemmer.stemmer(LANGUAGE)


def stems(words: Sequence[str]) -> list[str]:
    return list(_stemmer().stemWords(list(words)))


@dataclass(frozen=True)
class Term:
    """One word of a search: found in any form with its stem, or as the start of a longer word."""

    word: str
    stem: str

    @property
    def prefix(self) -> str | None:
        return self.word if len(self.word) >= MIN_PREFIX else None


def query_terms(text: str) -> list[Term]:
    """The terms of a search box's text (empty when it has no letter or digit)."""
    words = words_of(text)
    return [Term(w, s) for w, s in zip(words, stems(words), strict=True)]


_LOOKUP = (
    "SELECT article_id FROM search.{table} WHERE word IN "
    "(SELECT word FROM search.words WHERE stem = ? OR starts_with(word, ?))"
)


def matching_articles(terms: Sequence[Term]) -> tuple[str, list[object]]:
    """``SELECT article_id`` of every article that contains every term, and its parameters.

    One lookup per term and tier: the vocabulary gives the words of the term's stem and the words
    it begins, and their postings are a narrow range of the sorted bulk tier. An article matches
    in the bulk tier unless it was re-indexed since (``recent_articles``), then in the recent one.
    An article may come back more than once (two words of one term): count it DISTINCT.
    """
    if not terms:
        raise ValueError("a search needs at least one term (see query_terms)")
    tiers = []
    for table in ("postings", "recent_postings"):
        tiers.append(" INTERSECT ".join(_LOOKUP.format(table=table) for _ in terms))
    params = [value for term in terms for value in (term.stem, term.prefix)]
    sql = (
        f"SELECT article_id FROM ({tiers[0]}) "
        "WHERE article_id NOT IN (SELECT article_id FROM search.recent_articles) "
        f"UNION ALL SELECT article_id FROM ({tiers[1]})"
    )
    return sql, params + params


INDEX_PRESENT = (
    "SELECT count(*) = 5 AS ready FROM duckdb_tables() WHERE schema_name = 'search' "
    "AND table_name IN ('postings', 'recent_articles', 'recent_postings', 'words', 'state')"
)


# ----------------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class IndexUpdate:
    """What one refresh of the index did (for logs, the benchmark and the tests)."""

    mode: str  # "full" (every article indexed, sorted) or "incremental"
    articles: int  # articles (re)indexed
    postings: int  # postings written
    new_words: int  # words added to the vocabulary (stemmed)
    merged: bool  # the recent tier was merged into the bulk tier
    seconds: float


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``search`` schema, its tables, view and macro if missing (idempotent)."""
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))


def refresh_search_index(con: duckdb.DuckDBPyConnection, full: bool = False) -> IndexUpdate:
    """Bring the index in step with ``articles``, in the caller's transaction.

    Incremental by default: the articles a load re-derived are listed in ``refresh_pending``
    (kind ``article``; the refresh that calls this empties it afterwards), and only they are
    re-indexed, into the recent tier. Full (``full=True``, or when the index was never built)
    indexes every article into the bulk tier, sorted by word.
    """
    start = time.perf_counter()
    ensure_schema(con)
    built = con.execute("SELECT count(*) FROM search.state").fetchone()[0] > 0
    if full or not built:
        with memory_limit_at_most(con, BULK_MEMORY_LIMIT):  # its sort spills
            for table in ("postings", "recent_postings", "recent_articles"):
                con.execute(f"DELETE FROM search.{table}")
            postings = _build_bulk(con)
            _mark_written(con, postings)
            new_words = _add_new_words(con, "search.postings", "")
            con.execute("DELETE FROM search.words WHERE word NOT IN (SELECT word FROM search.postings)")
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        return IndexUpdate("full", articles, postings, new_words, False, time.perf_counter() - start)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _search_dirty AS "
        "SELECT DISTINCT key AS article_id FROM refresh_pending WHERE kind = 'article'"
    )
    articles = con.execute("SELECT count(*) FROM _search_dirty").fetchone()[0]
    if not articles:
        return IndexUpdate("incremental", 0, 0, 0, False, time.perf_counter() - start)
    dirty = "article_id IN (SELECT article_id FROM _search_dirty)"
    con.execute(f"DELETE FROM search.recent_postings WHERE {dirty}")
    con.execute(
        "INSERT INTO search.recent_articles SELECT article_id FROM _search_dirty "
        "WHERE article_id NOT IN (SELECT article_id FROM search.recent_articles)"
    )
    postings = _insert("search.recent_postings", con, _POSTINGS.format(where="WHERE a." + dirty))
    new_words = _add_new_words(con, "search.recent_postings", f"WHERE {dirty}")
    recent, bulk = con.execute(
        "SELECT (SELECT count(*) FROM search.recent_postings), (SELECT sorted_rows FROM search.state)"
    ).fetchone()
    merged = recent > max(MERGE_MIN_ROWS, MERGE_SHARE * bulk)
    if merged:
        _merge(con)
    return IndexUpdate("incremental", articles, postings, new_words, merged, time.perf_counter() - start)


def _build_bulk(con: duckdb.DuckDBPyConnection) -> int:
    """Every article's postings into the (emptied) bulk tier, sorted by word: the words extracted
    :data:`BULK_PART_ARTICLES` articles at a time, then sorted once."""
    con.execute("CREATE OR REPLACE TEMP TABLE _search_unsorted (word VARCHAR, article_id VARCHAR)")
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    parts = max(1, -(-articles // BULK_PART_ARTICLES))
    words = _WORDS.format(where="WHERE hash(a.article_id) % $parts = $part")
    for part in range(parts):
        con.execute(f"INSERT INTO _search_unsorted {words}", {"parts": parts, "part": part})
    rows = _insert("search.postings", con, "SELECT word, article_id FROM _search_unsorted ORDER BY word")
    con.execute("DROP TABLE _search_unsorted")
    return rows


def _insert(table: str, con: duckdb.DuckDBPyConnection, select: str) -> int:
    return int(con.execute(f"INSERT INTO {table} {select}").fetchone()[0])


def _merge(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the recent tier into the bulk tier, rewritten sorted by word."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _search_merged AS "
        "SELECT word, article_id FROM search.all_postings ORDER BY word"
    )
    for table in ("postings", "recent_postings", "recent_articles"):
        con.execute(f"DELETE FROM search.{table}")
    rows = _insert("search.postings", con, "SELECT * FROM _search_merged")
    con.execute("DROP TABLE _search_merged")
    _mark_written(con, rows)


def _mark_written(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    con.execute("DELETE FROM search.state")
    con.execute("INSERT INTO search.state VALUES (now()::TIMESTAMP, ?)", [rows])


def _add_new_words(con: duckdb.DuckDBPyConnection, table: str, where: str) -> int:
    """Stem the words of ``table`` (``where`` narrows it) that the vocabulary lacks."""
    new = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT word FROM {table} {where} "
            f"{'AND' if where else 'WHERE'} word NOT IN (SELECT word FROM search.words) ORDER BY word"
        ).fetchall()
    ]
    if new:
        con.register("_search_new_words", pa.table({"word": new, "stem": stems(new)}))
        try:
            con.execute("INSERT INTO search.words SELECT word, stem FROM _search_new_words")
        finally:
            con.unregister("_search_new_words")
    return len(new)
