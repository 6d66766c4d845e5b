"""Keyset pagination: walking every page gives the unpaged query's rows, in its order.

On a DuckDB table built to be awkward (ties in every leading sort key, NULLs in descending and
ascending keys, dates and timestamps in the keys) and on every paged list of the dashboard over
the real built warehouse, forwards and backwards, with and without filters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import read_one

from dashboard import paging, queries
from dashboard.data import open_reader
from dashboard.filters import ArticleFilter
from dashboard.paging import Cursor, Listing, SortKey
from warehouse.publish import read_copy_path


def _runner(con: duckdb.DuckDBPyConnection):
    def run(q: paging.Query) -> pd.DataFrame:
        return con.execute(q.sql, [list(p) if isinstance(p, tuple) else p for p in q.params]).df()

    return run


def _walk_forward(listing: Listing, size: int, run) -> Iterator[paging.Page]:
    page = paging.fetch_page(listing, None, size, run)
    yield page
    while page.next is not None:
        # through the URL, as the Next button sends it
        cursor = paging.decode(paging.encode(page.next, listing), listing)
        assert cursor == page.next
        page = paging.fetch_page(listing, cursor, size, run)
        yield page


def _unpaged(listing: Listing, run) -> pd.DataFrame:
    return run(paging.export_query(listing)).reset_index(drop=True)


def _records(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain tuples, every missing value as None (pages concatenate with other dtypes)."""
    return [tuple(paging._plain(v) for v in row) for row in frame.itertuples(index=False)]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert _records(a) == _records(b)


def _check_listing(listing: Listing, size: int, run) -> int:
    """Every page forwards, then every page backwards from the last: the unpaged rows, in order."""
    whole = _unpaged(listing, run)
    pages = list(_walk_forward(listing, size, run))
    assert all(len(p.rows) == size for p in pages[:-1]) and len(pages[-1].rows) <= size
    assert [p.start for p in pages] == [i * size for i in range(len(pages))]
    _same(pd.concat([p.rows for p in pages]) if pages else whole.head(0), whole)
    assert pages[-1].next is None and pages[0].prev is None
    # back from the last page with Previous: the same pages, in reverse
    page = pages[-1]
    for expected in reversed(pages[:-1]):
        assert page.prev is not None
        page = paging.fetch_page(listing, page.prev, size, run)
        _same(page.rows, expected.rows)
        assert page.start == expected.start
    assert page.prev is None
    total = int(run(paging.count_query(listing))["n"].iloc[0])
    assert total == len(whole)
    return total


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """Rows whose sort keys tie, hold NULLs in every key but the last, and are dates and timestamps."""
    db = tmp_path_factory.mktemp("paging") / "t.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        """
        CREATE TABLE t AS
        SELECT i AS id,
               CASE WHEN i % 7 = 0 THEN NULL ELSE 2000 + i % 3 END AS year,
               CASE WHEN i % 5 = 0 THEN NULL ELSE DATE '2020-01-01' + INTERVAL (i % 4) DAY END AS day,
               CASE WHEN i % 11 = 0 THEN NULL ELSE ['b', 'a', 'c'][1 + i % 3] END AS label,
               TIMESTAMP '2026-01-01 10:00:00.123456' + INTERVAL (i % 2) SECOND AS seen,
               'row ' || i AS text
        FROM range(157) r(i)
        """
    )
    yield con
    con.close()


ORDER = (SortKey("year", True), SortKey("day", True), SortKey("label"), SortKey("seen", True), SortKey("id"))


@pytest.mark.parametrize("size", [1, 7, 50, 200])
def test_pages_of_an_awkward_table_are_the_unpaged_rows(
    awkward: duckdb.DuckDBPyConnection, size: int
) -> None:
    listing = Listing("SELECT * FROM t", (), ORDER)
    assert _check_listing(listing, size, _runner(awkward)) == 157
    # the order really is the one asked for: NULLs last whether the key runs up or down
    whole = _unpaged(listing, _runner(awkward))
    years = list(whole["year"])
    assert pd.isna(years[-1]) and years[0] == 2002
    expected = awkward.execute(
        "SELECT * FROM t ORDER BY year DESC NULLS LAST, day DESC NULLS LAST, label NULLS LAST, seen DESC, id"
    ).df()
    _same(whole, expected)


def test_filters_and_parameters_page_the_same_way(awkward: duckdb.DuckDBPyConnection) -> None:
    listing = Listing("SELECT * FROM t WHERE label IS DISTINCT FROM ? AND id >= ?", ("a", 20), ORDER)
    total = _check_listing(listing, 9, _runner(awkward))
    assert (
        total
        == awkward.execute("SELECT count(*) FROM t WHERE label IS DISTINCT FROM 'a' AND id >= 20").fetchone()[
            0
        ]
    )


def test_a_cursor_is_tied_to_its_listing_and_survives_the_url(awkward: duckdb.DuckDBPyConnection) -> None:
    listing = Listing("SELECT * FROM t", (), ORDER)
    other = Listing("SELECT * FROM t WHERE id > ?", (3,), ORDER)
    cursor = Cursor(
        "after", (2001, datetime(2020, 1, 3), "b", datetime(2026, 1, 1, 10, 0, 1, 123456), 42), 10
    )
    token = paging.encode(cursor, listing)
    assert paging.decode(token, listing) == cursor
    assert paging.decode(token, other) is None  # filters changed: back to the first page
    for junk in ("", "not-base64!", token[:-3], "W10"):
        assert paging.decode(junk, listing) is None
    dated = Cursor("before", (None, date(2020, 1, 2), None, None, 1), 3)
    assert paging.decode(paging.encode(dated, listing), listing) == dated


def test_a_stale_cursor_falls_back_to_the_first_page(awkward: duckdb.DuckDBPyConnection) -> None:
    listing = Listing("SELECT * FROM t", (), ORDER)
    run = _runner(awkward)
    first = paging.fetch_page(listing, None, 10, run)
    past_the_end = Cursor("after", (None, None, None, None, 10_000), 5000)  # rows since deleted
    _same(paging.fetch_page(listing, past_the_end, 10, run).rows, first.rows)
    before_the_start = Cursor("before", (2002, datetime(2020, 1, 4), "a", None, -1), 70)
    page = paging.fetch_page(listing, before_the_start, 10, run)
    assert page.start == 0 and page.prev is None
    _same(page.rows, first.rows)


# ------------------------------------------------------------------ the dashboard's own lists


def _rows(db: Path, sql: str) -> list[tuple]:
    with open_reader(read_copy_path(db)) as (con, _):
        return con.execute(sql).fetchall()


def _dashboard_listings(db: Path) -> dict[str, Listing]:
    outlet_id, outlet = read_one(
        db,
        "SELECT outlet_id, outlet FROM v_articles WHERE outlet_id IS NOT NULL "
        "GROUP BY ALL ORDER BY count(*) DESC",
    )
    (word,) = read_one(
        db, "SELECT word FROM search.postings GROUP BY word HAVING count(*) > 5 ORDER BY count(*), word"
    )
    topics = [t for (t,) in _rows(db, "SELECT name FROM topics ORDER BY name LIMIT 2")]
    return {
        "articles_topics": queries.articles(ArticleFilter(topics=topics)),  # page: lists; count: links
        "articles_topic_search": queries.articles(ArticleFilter(topics=topics[:1], text=word)),
        "articles": queries.articles(ArticleFilter()),
        "articles_filtered": queries.articles(ArticleFilter(outlets=[outlet], year_from=2005)),
        "articles_search": queries.articles(ArticleFilter(text=word)),
        "articles_substring": queries.articles(ArticleFilter(text=word), indexed=False),
        "outlet_articles": queries.outlet_articles(outlet_id),
        "outlet_summary": queries.outlet_summaries(),
        "mentions": queries.mentions([], None, None),
        "mentions_filtered": queries.mentions(["radio", "tv", "print"], 2000, None),
        "citation_notes": queries.citation_notes(""),
        "citation_notes_search": queries.citation_notes("com"),
        "quality_rows": queries.quality_rows([]),
        "dumps": queries.dumps(),
        "quarantined": queries.quarantined(),
        "runs": queries.RUNS,
    }


@pytest.mark.parametrize("size", [3, 50])
def test_every_dashboard_list_pages_to_its_unpaged_rows(built_warehouse: Path, size: int) -> None:
    listings = _dashboard_listings(built_warehouse)
    with open_reader(read_copy_path(built_warehouse)) as (con, _):
        run = _runner(con)
        totals = {name: _check_listing(listing, size, run) for name, listing in listings.items()}
    assert totals["articles"] == read_one(built_warehouse, "SELECT count(*) FROM articles")[0]
    assert totals["mentions"] > 100 and totals["citation_notes"] > 100  # more than one page of 100
    assert 0 < totals["articles_filtered"] < totals["articles"]
    assert totals["articles_search"] > 5 and totals["articles_substring"] > 5
    assert 0 < totals["articles_topics"] < totals["articles"]


def test_paged_articles_match_the_unpaged_query_the_page_ran_before(built_warehouse: Path) -> None:
    """The old Articles query (no id in its order): the same rows, in the same order where it had one."""
    old = (
        "SELECT a.article_id, a.year, a.published_date, a.title FROM v_articles a "
        "ORDER BY a.year DESC NULLS LAST, a.published_date DESC NULLS LAST, a.title"
    )
    with open_reader(read_copy_path(built_warehouse)) as (con, _):
        before = con.execute(old).df()
        run = _runner(con)
        paged = pd.concat([p.rows for p in _walk_forward(queries.articles(ArticleFilter()), 7, run)])
    key = ["year", "published_date", "title"]
    assert before[key].astype(str).values.tolist() == paged[key].astype(str).values.tolist()
    assert sorted(before["article_id"]) == sorted(paged["article_id"])
    ties = before.groupby(["year", "published_date"], dropna=False).size()
    assert (ties > 1).any()  # the warehouse has ties in the leading keys, so the id decides
