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
