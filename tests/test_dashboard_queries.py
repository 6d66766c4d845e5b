"""Every query in dashboard/queries.py runs on a built and on an empty warehouse, read-only.

Why by introspection: a query added for a page is covered without editing this file, and a
parameter this file does not know how to fill fails loudly instead of being skipped. A paged
listing runs as the pages run it: its first page, its count and its export.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import read_one

from dashboard import paging, queries
from dashboard.data import open_reader
from dashboard.filters import ArticleFilter
from warehouse.publish import read_copy_path
from warehouse.search_index import matching_articles, query_terms


def _samples(db: Path) -> dict[str, Any]:
    """Representative argument values by parameter name (real ids from the warehouse when any)."""
    row = read_one(db, "SELECT article_id, outlet_id FROM articles WHERE outlet_id IS NOT NULL LIMIT 1")
    article_id, outlet_id = row if row else ("a_none", "o_none")
    return {
        "flt": ArticleFilter(year_from=2000, kinds=["op-ed"], text="the", topics=["China"]),
        "article_id": article_id,
        "outlet_id": outlet_id,
        "media": ["tv", "radio"],
        "year_from": 2000,
        "year_to": 2030,
        "text": "com",
        "issues": ["low_confidence_post"],
        "outlet": "Straits Times",
        # an empty warehouse was published before any refresh built the search index
        "indexed": bool(read_one(db, queries.SEARCH_INDEX.sql)[0]),
    }


def _runnable(name: str, value: Any) -> dict[str, queries.Query]:
    if isinstance(value, queries.Listing):
        return {
            f"{name}.page": paging.page_query(value, None, paging.DEFAULT_PAGE_SIZE),
            f"{name}.count": paging.count_query(value),
            f"{name}.export": paging.export_query(value),
        }
    return {name: value} if isinstance(value, queries.Query) else {}


def _all_queries(samples: dict[str, Any]) -> dict[str, queries.Query]:
    found: dict[str, queries.Query] = {}
    for name, value in vars(queries).items():
        if name.startswith("_") or isinstance(value, type):
            continue
        if inspect.isfunction(value) and value.__module__ == queries.__name__:
            value = _call(value, samples)
        found.update(_runnable(name, value))
    return found


def _call(fn: Callable[..., Any], samples: dict[str, Any]) -> Any:
    args = {}
    for param in inspect.signature(fn).parameters.values():
        if param.name in samples:
            args[param.name] = samples[param.name]
        elif param.default is inspect.Parameter.empty:
            raise AssertionError(f"queries.{fn.__name__}: no sample value for parameter {param.name!r}")
    return fn(**args)


@pytest.mark.parametrize("fixture", ["built_warehouse", "empty_warehouse"])
def test_every_dashboard_query_runs(fixture: str, request: pytest.FixtureRequest) -> None:
    db: Path = request.getfixturevalue(fixture)
    all_queries = _all_queries(_samples(db))
    assert len(all_queries) >= 30
    with open_reader(read_copy_path(db)) as (con, _):
        for name, q in all_queries.items():
            assert "?" not in q.sql or q.params, name
            params = [list(p) if isinstance(p, tuple) else p for p in q.params]
            try:
                con.execute(q.sql, params).df()
            except Exception as exc:  # pragma: no cover - the message names the query
                raise AssertionError(f"queries.{name} failed: {exc}") from exc


def test_user_text_only_travels_as_parameters(built_warehouse: Path) -> None:
    hostile = "x' OR 1=1; DROP TABLE articles; --"
    flt = ArticleFilter(text=hostile, outlets=[hostile], topics=[hostile], authors=[hostile])
    for q in (queries.articles(flt), queries.citation_notes(hostile), queries.article(hostile)):
        assert hostile not in q.sql and "DROP" not in q.sql
    with open_reader(read_copy_path(built_warehouse)) as (con, _):
        assert con.execute(*paging.count_query(queries.articles(flt))).fetchone() == (0,)
        assert con.execute(*paging.count_query(queries.articles(flt, indexed=False))).fetchone() == (0,)


def _ids(con: Any, q: queries.Query | paging.Listing) -> list[str]:
    params = [list(p) if isinstance(p, tuple) else p for p in q.params]
    return sorted(r[0] for r in con.execute(f"SELECT article_id FROM ({q.sql})", params).fetchall())


def test_fast_forms_keep_the_plain_meaning(built_warehouse: Path) -> None:
    """The forms chosen for speed at a million articles (one ``list_contains`` per topic or author,
    a plain ``IN`` once outlets narrow a search, totals from the per-year summary) keep the rows
    and numbers of the plain definitions."""
    with open_reader(read_copy_path(built_warehouse)) as (con, _):
        topics = [t for (t,) in con.execute("SELECT name FROM topics ORDER BY name LIMIT 3").fetchall()]
        (author,) = con.execute("SELECT authors[1] FROM articles WHERE len(authors) > 0 LIMIT 1").fetchone()
        matches, match_params = matching_articles(query_terms("the"))
        (outlet,) = con.execute(
            "SELECT outlet FROM v_articles WHERE outlet IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC"
        ).fetchone()
        cases = {
            "topics": (ArticleFilter(topics=topics), "list_has_any(topics, ?::VARCHAR[])", [topics]),
            "authors": (ArticleFilter(authors=[author]), "list_has_any(authors, ?::VARCHAR[])", [[author]]),
            "outlet and text": (
                ArticleFilter(outlets=[outlet], text="the"),
                f"outlet = ? AND article_id IN ({matches})",
                [outlet, *match_params],
            ),
        }
        for name, (flt, plain, params) in cases.items():
            sql = f"SELECT article_id FROM v_articles WHERE {plain}"
            expected = sorted(r[0] for r in con.execute(sql, params).fetchall())
            assert expected, name
            assert _ids(con, queries.articles(flt)) == expected, name
        plain_headline = con.execute(
            "SELECT count(DISTINCT outlet_id), min(year), max(year) FROM articles"
        ).fetchone()
        headline = con.execute(queries.headline().sql).df().iloc[0]
        assert (headline["outlets"], headline["first_year"], headline["last_year"]) == plain_headline
        plain_writers = con.execute(
            "SELECT writer_id, count(*), count(DISTINCT outlet_id), min(year), max(year) FROM articles "
            "GROUP BY ALL ORDER BY 1"
        ).fetchall()
        plain_options = con.execute(
            "SELECT min(year), max(year), list(DISTINCT kind ORDER BY kind), (SELECT list(DISTINCT au "
            "ORDER BY au) FROM (SELECT unnest(authors) AS au FROM articles)), list(DISTINCT date_basis "
            "ORDER BY date_basis) FILTER (WHERE date_basis IS NOT NULL) FROM articles"
        ).fetchone()
        options = con.execute(queries.filter_options().sql).fetchone()  # years, outlets, topics, kinds, ...
        assert (*options[:2], *options[4:]) == plain_options
        writers = "SELECT writer_id, pieces, outlets, first_year, last_year FROM v_writers WHERE pieces > 0"
        assert con.execute(writers + " ORDER BY 1").fetchall() == plain_writers
