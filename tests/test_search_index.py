"""The text search index: finds what ILIKE found on the real seeds, stays in step incrementally,
and needs no DuckDB extension (nothing is installed or downloaded at run time)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import ingest_files

from dashboard import paging, queries
from dashboard.data import READER_CONFIG, open_reader
from dashboard.filters import ArticleFilter
from warehouse import search_index
from warehouse.publish import read_copy_path

TEXT = "concat_ws(' ', title, standfirst, body)"


@pytest.fixture(scope="module")
def seeds_warehouse(seeds: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("search_seeds") / "warehouse.duckdb"
    ingest_files(seeds, db)
    return db


def _search(con: duckdb.DuckDBPyConnection, text: str, indexed: bool = True) -> set[str]:
    """The article ids the Articles page lists for ``text`` (its listing, exported whole)."""
    q = paging.export_query(queries.articles(ArticleFilter(text=text), indexed))
    params = [list(p) if isinstance(p, tuple) else p for p in q.params]
    return {r[0] for r in con.execute(q.sql, params).fetchall()}


def _ilike(con: duckdb.DuckDBPyConnection, text: str) -> dict[str, str]:
    """Article id -> text, of the articles ``ILIKE '%text%'`` finds."""
    sql = f"SELECT article_id, {TEXT} FROM articles WHERE {TEXT} ILIKE ?"
    return dict(con.execute(sql, [f"%{text}%"]).fetchall())


def _at_word_start(text: str, doc: str) -> bool:
    """Whether ``text`` occurs in ``doc`` beginning a word ("right" in "right now", not in "copyright")."""
    return re.search(r"(?<![^\W_])" + re.escape(text), doc, flags=re.IGNORECASE) is not None


def _seed_queries(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Whole titles, three-word runs of the bodies, single words and names from the seeds."""
    found: list[str] = []
    for title, body in con.execute("SELECT title, body FROM articles ORDER BY article_id").fetchall():
        found.append(title)
        words = re.findall(r"\w[\w'’-]*\w|\w", body)
        for start in (5, 40, 120):
            if len(words) > start + 3:
                found.append(" ".join(words[start : start + 3]))
        found += [w for w in words[:60:7] if len(w) > 3]
    return list(dict.fromkeys(found))


def test_search_finds_what_ilike_found_on_the_seeds(seeds_warehouse: Path) -> None:
    with open_reader(read_copy_path(seeds_warehouse)) as (con, _):
        total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        # every third: the kinds of query stay mixed, the test a third as long
        texts = _seed_queries(con)[::3]
        assert len(texts) > 100
        narrower = mid_word = 0
        for text in texts:
            found = _ilike(con, text)
            by_index = _search(con, text)
            assert _search(con, text, indexed=False) == set(found), text  # the fallback is ILIKE itself
            # nothing ILIKE found is missed, unless it was inside a word ("right" in "copyright")
            whole = {a for a, doc in found.items() if _at_word_start(text, doc)}
            assert whole <= by_index, text
            mid_word += len(set(found) - whole)
            narrower += len(by_index) < total
            # and what the index adds contains every word, in some form (same stem, or a longer word)
            terms = search_index.query_terms(text)
            for article_id in by_index - set(found):
                sql = f"SELECT {TEXT} FROM articles WHERE article_id = ?"
                words = search_index.words_of(con.execute(sql, [article_id]).fetchone()[0])
                stems = set(search_index.stems(words))
                for term in terms:
                    assert term.stem in stems or any(w.startswith(term.prefix or "\0") for w in words)
        assert mid_word < len(texts)  # hits inside a word are the exception
        assert narrower > len(texts) * 0.9


def test_python_and_sql_see_the_same_words(seeds_warehouse: Path) -> None:
    """Queries are split in Python, articles in SQL (search.words_of): they must agree."""
    tricky = "Köln’s G20 — naïve “Belt-and-Road” café_society 2024/25 İstanbul ÆSIR ﬁnance Ωmega"
    with open_reader(read_copy_path(seeds_warehouse)) as (con, _):
        texts = [t for (t,) in con.execute(f"SELECT {TEXT} FROM articles").fetchall()] + [tricky]
        for text in texts:
            (sql_words,) = con.execute("SELECT search.words_of(?)", [text]).fetchone()
            assert sorted(sql_words) == sorted(search_index.words_of(text))


def test_search_semantics_on_the_seeds(seeds_warehouse: Path) -> None:
    with open_reader(read_copy_path(seeds_warehouse)) as (con, _):
        (word,) = con.execute(
            "SELECT word FROM search.postings WHERE length(word) > 6 AND word NOT SIMILAR TO '[0-9]+' "
            "GROUP BY word ORDER BY count(*) DESC, word"
        ).fetchone()
        # a word's beginning finds the whole word; case and accents do not matter
        assert _search(con, word) <= _search(con, word[:4].upper())
        assert _search(con, word) == _search(con, word.upper())
        # every word must be there: adding one narrows
        (other,) = con.execute(
            "SELECT word FROM search.postings WHERE length(word) > 6 AND word <> ? GROUP BY word "
            "ORDER BY count(*) DESC, word",
            [word],
        ).fetchone()
        both = _search(con, f"{word} {other}")
        assert both == _search(con, word) & _search(con, other)
        assert _search(con, "zzqxv nothingsuchword") == set()


def _postings(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT word, article_id, count(*) FROM search.all_postings GROUP BY ALL ORDER BY ALL"
    ).fetchall()


def _rebuilt(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    con.execute("BEGIN TRANSACTION")
    update = search_index.refresh_search_index(con, full=True)
    rows = _postings(con)
    con.execute("ROLLBACK")
    assert update.mode == "full"
    return rows


def test_incremental_updates_equal_a_full_rebuild(tmp_path: Path) -> None:
    """Dumps loaded one run at a time (new pieces, repeats, a changed re-delivery) index like a rebuild."""
    from samples.generator import generate_corpus

    dumps = generate_corpus(tmp_path / "dumps", n_dumps=18, seed=23)
    db = tmp_path / "warehouse.duckdb"
    ingest_files(dumps[:15], db)
    for path in dumps[15:]:
        ingest_files([path], db)
    changed = tmp_path / "changed" / dumps[0].name  # same name, other bytes: supersedes the first delivery
    changed.parent.mkdir()
    text = dumps[0].read_text(encoding="utf-8")
    changed.write_text(text.replace(" the ", " a ", 40), encoding="utf-8")
    ingest_files([changed], db)
    con = duckdb.connect(str(db))
    try:
        recent = con.execute("SELECT count(*) FROM search.recent_articles").fetchone()[0]
        assert recent > 0  # the later runs were incremental, not rebuilds
        assert _postings(con) == _rebuilt(con)
        articles = {r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()}
        indexed = {
            r[0] for r in con.execute("SELECT DISTINCT article_id FROM search.all_postings").fetchall()
        }
        assert indexed == articles
        # the vocabulary has every indexed word with its stem (stale words may linger until a rebuild)
        missing = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT word FROM search.all_postings) "
            "WHERE word NOT IN (SELECT word FROM search.words)"
        ).fetchone()[0]
        assert missing == 0
        # nothing pending: a refresh does nothing
        con.execute("BEGIN TRANSACTION")
        assert search_index.refresh_search_index(con).articles == 0
        con.execute("ROLLBACK")
    finally:
        con.close()


def test_a_full_build_in_parts_is_the_build_in_one(
    seeds_warehouse: Path, tmp_path: Path, monkeypatch
) -> None:
    """The bulk tier's words are extracted a part of the articles at a time, then sorted once: in parts
    of 5 articles it holds the same postings, sorted by word, as in one part."""
    db = tmp_path / "w.duckdb"
    shutil.copy(seeds_warehouse, db)
    con = duckdb.connect(str(db))
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] > 3 * 5
        whole = _rebuilt(con)
        monkeypatch.setattr(search_index, "BULK_PART_ARTICLES", 5)
        assert _rebuilt(con) == whole
        con.execute("BEGIN TRANSACTION")
        search_index.refresh_search_index(con, full=True)
        stored = [r[0] for r in con.execute("SELECT word FROM search.postings ORDER BY rowid").fetchall()]
        con.execute("ROLLBACK")
        assert stored == sorted(stored)
    finally:
        con.close()


def test_the_recent_tier_is_merged_back_in_sorted_order(tmp_path: Path, monkeypatch) -> None:
    from samples.generator import generate_corpus

    dumps = generate_corpus(tmp_path / "dumps", n_dumps=4, seed=5)
    db = tmp_path / "warehouse.duckdb"
    ingest_files(dumps[:3], db)
    con = duckdb.connect(str(db))
    try:
        con.execute("INSERT INTO refresh_pending SELECT 'article', article_id FROM articles LIMIT 5")
        con.execute("BEGIN TRANSACTION")
        small = search_index.refresh_search_index(con)
        before = _postings(con)
        assert small.mode == "incremental" and not small.merged and small.postings > 10
        assert con.execute("SELECT count(*) FROM search.recent_articles").fetchone()[0] == 5
        monkeypatch.setattr(search_index, "MERGE_MIN_ROWS", 10)
        monkeypatch.setattr(search_index, "MERGE_SHARE", 0.0)
        update = search_index.refresh_search_index(con)  # the same five again: now over the limit
        con.execute("COMMIT")
        assert update.merged and _postings(con) == before
        words = [w for (w,) in con.execute("SELECT word FROM search.postings").fetchall()]  # storage order
        assert words == sorted(words)
        left = con.execute(
            "SELECT (SELECT count(*) FROM search.recent_articles) "
            "+ (SELECT count(*) FROM search.recent_postings)"
        ).fetchone()[0]
        assert left == 0
    finally:
        con.close()


def test_no_extension_is_installed_or_loaded(built_warehouse: Path, tmp_path: Path) -> None:
    """Readers search with autoinstall and autoload off; an extension function fails, nothing downloads."""
    assert READER_CONFIG["autoinstall_known_extensions"] is False
    assert READER_CONFIG["autoload_known_extensions"] is False
    with open_reader(read_copy_path(built_warehouse)) as (con, _):
        settings = con.execute(
            "SELECT current_setting('autoinstall_known_extensions'), "
            "current_setting('autoload_known_extensions')"
        ).fetchone()
        assert settings == (False, False)
        assert _search(con, "the")  # the search works with nothing but the file
        with pytest.raises(duckdb.CatalogException, match="fts"):
            con.execute("SELECT stem('ports', 'porter')")  # would need the fts extension: not fetched
    # the writer builds the index with autoloading off and an empty extension folder: it stays empty
    extensions = tmp_path / "extensions"
    extensions.mkdir()
    db = tmp_path / "w.duckdb"
    shutil.copyfile(built_warehouse, db)
    con = duckdb.connect(
        str(db),
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "extension_directory": str(extensions),
        },
    )
    try:
        con.execute("BEGIN TRANSACTION")
        assert search_index.refresh_search_index(con, full=True).postings > 0
        con.execute("COMMIT")
        loaded = con.execute(
            "SELECT extension_name FROM duckdb_extensions() "
            "WHERE loaded AND install_mode <> 'STATICALLY_LINKED'"
        ).fetchall()
        assert loaded == []
    finally:
        con.close()
    assert list(extensions.iterdir()) == []


def test_every_search_table_view_and_column_is_commented(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        search_index.ensure_schema(con)
        search_index.ensure_schema(con)  # re-applied on every refresh: idempotent, comments kept
        objects = con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'search' "
            "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'search'"
        ).fetchall()
        assert {name for name, _ in objects} >= {"postings", "recent_postings", "recent_articles", "words"}
        assert all(comment for _, comment in objects)
        columns = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'search'"
        ).fetchall()
        assert columns and all(comment for *_, comment in columns)
    finally:
        con.close()
