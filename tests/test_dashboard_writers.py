"""The writer selector (Streamlit AppTest): on every page of a two-writer warehouse, absent with one writer,
kept in the URL and across pages; the overview compares the writers; exports are one writer's."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DASHBOARD_WRITERS, read_one
from streamlit.testing.v1 import AppTest
from test_dashboard_apptest import PAGES, _articles_table
from test_dashboard_apptest import _open as _open_page

from dashboard import queries
from dashboard.exports import publication_bibtex
from dashboard.filters import ArticleFilter

NADIA = "nadia-haddad"


def _open(warehouse: Path, monkeypatch: pytest.MonkeyPatch, page: str, **params: str) -> AppTest:
    """A page as the AppTest suite opens it, and no error shown on it either."""
    at = _open_page(warehouse, monkeypatch, page, **params)
    assert not at.error, [e.value for e in at.error]
    return at


def _selector(at: AppTest):
    found = [s for s in at.sidebar.selectbox if s.key == "writer"]
    return found[0] if found else None


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _pieces(db: Path, writer: str | None = None) -> int:
    if writer is None:
        return int(read_one(db, "SELECT count(*) FROM articles")[0])
    return int(read_one(db, "SELECT count(*) FROM articles WHERE writer_id = ?", [writer])[0])


@pytest.mark.parametrize("page_name", PAGES)
def test_the_writer_selector_is_on_every_page(writers_warehouse: Path, monkeypatch, page_name: str) -> None:
    at = _open(writers_warehouse, monkeypatch, page_name)
    selector = _selector(at)
    assert selector is not None and selector.value == ""  # all writers
    assert selector.options == ["All writers", *DASHBOARD_WRITERS.values()]


def test_no_selector_with_one_writer(built_warehouse: Path, monkeypatch) -> None:
    for page_name in ("overview", "articles"):
        at = _open(built_warehouse, monkeypatch, page_name)
        assert _selector(at) is None
        assert not any(s.value == "Writers compared" for s in at.subheader)


def test_overview_compares_the_writers_then_shows_one(writers_warehouse: Path, monkeypatch) -> None:
    db = writers_warehouse
    at = _open(db, monkeypatch, "overview")
    assert any(s.value == "Writers compared" for s in at.subheader)
    assert _metrics(at)["Pieces"] == f"{_pieces(db):,}"
    by_year = next(df.value for df in at.dataframe if list(df.value.columns) == ["writer", "year", "pieces"])
    assert set(by_year["writer"]) == set(DASHBOARD_WRITERS.values())
    assert by_year["pieces"].sum() == read_one(db, "SELECT count(*) FROM articles WHERE year IS NOT NULL")[0]
    by_outlet = next(
        df.value for df in at.dataframe if list(df.value.columns) == ["outlet", "writer", "pieces"]
    )
    assert set(by_outlet["writer"]) == set(DASHBOARD_WRITERS.values())

    _selector(at).select(NADIA).run()
    assert not at.exception
    assert _metrics(at)["Pieces"] == f"{_pieces(db, NADIA):,}" != f"{_pieces(db):,}"
    assert not any(s.value == "Writers compared" for s in at.subheader)
    chart = next(df.value for df in at.dataframe if {"year", "outlet", "pieces"} <= set(df.value.columns))
    assert (
        chart["pieces"].sum()
        == read_one(db, "SELECT count(*) FROM articles WHERE writer_id = ? AND year IS NOT NULL", [NADIA])[0]
    )
    # the selection stays when the analyst moves to another page
    at.switch_page("views/articles.py").run()
    assert _selector(at).value == NADIA
    assert len(_articles_table(at)) == _pieces(db, NADIA)


@pytest.mark.parametrize("page_name", ["overview", "articles", "outlets", "mentions", "citations", "quality"])
def test_a_shared_url_opens_on_the_writer(writers_warehouse: Path, monkeypatch, page_name: str) -> None:
    at = _open(writers_warehouse, monkeypatch, page_name, writer=DASHBOARD_WRITERS[NADIA])
    assert _selector(at).value == NADIA
    if page_name == "overview":
        assert _metrics(at)["Pieces"] == f"{_pieces(writers_warehouse, NADIA):,}"
    if page_name == "articles":
        assert len(_articles_table(at)) == _pieces(writers_warehouse, NADIA)
        assert any(
            m.value.startswith(f"**{_pieces(writers_warehouse, NADIA)}** pieces · Nadia Haddad")
            for m in at.markdown
        )
    if page_name == "mentions":
        rows = next(df.value for df in at.dataframe if "about" in df.value.columns)
        (n,) = read_one(writers_warehouse, "SELECT count(*) FROM mart_mentions WHERE writer_id = ?", [NADIA])
        assert (
            len(rows) == min(n, 100)
            and 0 < n < read_one(writers_warehouse, "SELECT count(*) FROM mentions")[0]
        )


def test_exports_are_one_writers(writers_warehouse: Path, monkeypatch) -> None:
    from dashboard.ui import export_rows

    monkeypatch.setenv("BYLINES_WAREHOUSE", str(writers_warehouse))
    rows = export_rows(queries.articles(ArticleFilter(writer=NADIA)))
    ids = set(rows["article_id"])
    assert len(ids) == _pieces(writers_warehouse, NADIA)
    (theirs,) = read_one(
        writers_warehouse, "SELECT list(article_id) FROM articles WHERE writer_id = ?", [NADIA]
    )
    assert ids == set(theirs)
    bib = publication_bibtex(rows)
    assert bib.count("\n@") + bib.startswith("@") == len(ids)
