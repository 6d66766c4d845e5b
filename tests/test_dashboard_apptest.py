"""Every dashboard page renders on a built, an empty and a missing warehouse (Streamlit AppTest).

AppTest cannot see charts, so the assertions read the tables behind them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, read_one
from streamlit.testing.v1 import AppTest

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = ["overview", "articles", "article", "outlets", "mentions", "citations", "quality", "sql"]


def _open(warehouse: Path, monkeypatch: pytest.MonkeyPatch, page: str, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("BYLINES_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _count(db: Path, sql: str) -> int:
    return int(read_one(db, sql)[0])


def _articles_table(at: AppTest):
    return next(df.value for df in at.dataframe if "title" in df.value.columns and "open" in df.value.columns)


@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_renders_on_built_warehouse(built_warehouse: Path, monkeypatch, page_name: str) -> None:
    at = _open(built_warehouse, monkeypatch, page_name)
    assert not at.error, [e.value for e in at.error]
    assert at.title and at.title[0].value


@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_renders_on_empty_warehouse(empty_warehouse: Path, monkeypatch, page_name: str) -> None:
    at = _open(empty_warehouse, monkeypatch, page_name)
    assert any("No dumps ingested yet" in i.value for i in at.info)


def test_missing_warehouse_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    at = _open(tmp_path / "nowhere.duckdb", monkeypatch, "overview")
    message = " ".join(i.value for i in at.info)
    assert "No dumps ingested yet" in message and "bylines ingest" in message


def test_overview_counts_match_warehouse(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pieces"] == str(_count(built_warehouse, "SELECT count(*) FROM articles"))
    by_year = next(df.value for df in at.dataframe if {"year", "outlet", "pieces"} <= set(df.value.columns))
    assert by_year["pieces"].sum() == _count(
        built_warehouse, "SELECT count(*) FROM articles WHERE year IS NOT NULL"
    )


def test_article_filters_narrow_the_table_and_come_from_the_url(built_warehouse: Path, monkeypatch) -> None:
    everything = _articles_table(_open(built_warehouse, monkeypatch, "articles"))
    assert len(everything) == _count(built_warehouse, "SELECT count(*) FROM articles")
    outlet = everything["outlet"].dropna().value_counts().index[0]

    at = _open(built_warehouse, monkeypatch, "articles", outlet=[outlet])
    narrowed = _articles_table(at)
    assert 0 < len(narrowed) < len(everything)
    assert set(narrowed["outlet"]) == {outlet}
    assert at.multiselect(key="outlet").value == [outlet]

    # Changing a widget changes the table (and would change the URL).
    kind = narrowed["kind"].value_counts().index[0]
    at.multiselect(key="kind").select(kind).run()
    both = _articles_table(at)
    assert set(both["kind"]) == {kind} and set(both["outlet"]) == {outlet}
    assert len(both) <= len(narrowed)


def test_text_search_reads_titles_and_bodies(built_warehouse: Path, monkeypatch) -> None:
    article_id, title, phrase = read_one(
        built_warehouse,
        "SELECT article_id, title, array_to_string(string_split(trim(body), ' ')[20:23], ' ') "
        "FROM articles WHERE length(body) > 400 ORDER BY article_id LIMIT 1",
    )
    total = _count(built_warehouse, "SELECT count(*) FROM articles")
    by_title = _articles_table(_open(built_warehouse, monkeypatch, "articles", q=title))
    assert article_id in set(by_title["article_id"]) and len(by_title) < total
    by_body = _articles_table(_open(built_warehouse, monkeypatch, "articles", q=phrase))
    assert article_id in set(by_body["article_id"]) and len(by_body) < total


def test_article_page_shows_provenance_and_date_basis(built_warehouse: Path, monkeypatch) -> None:
    article_id, title, sightings = read_one(
        built_warehouse,
        "SELECT article_id, title, sighting_count FROM v_articles ORDER BY sighting_count DESC, article_id",
    )
    at = _open(built_warehouse, monkeypatch, "article", id=article_id)
    assert at.header[0].value == title
    provenance = next(df.value for df in at.dataframe if "start_line" in df.value.columns)
    assert len(provenance) >= sightings >= 1
    assert (provenance["end_line"] >= provenance["start_line"]).all()
    assert any("Basis:" in m.value for m in at.markdown)


def test_unknown_article_id_is_a_warning_not_a_crash(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "article", id="a_does_not_exist")
    assert any("No article with id" in w.value for w in at.warning)


def test_outlet_page_follows_the_selected_outlet(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "outlets")
    options = at.selectbox(key="outlet").options
    assert len(options) >= 2
    at.selectbox(key="outlet").select(options[1]).run()
    pieces = next(df.value for df in at.dataframe if {"title", "kind", "open"} <= set(df.value.columns))
    expected = read_one(built_warehouse, "SELECT count(*) FROM v_articles WHERE outlet = ?", [options[1]])[0]
    assert len(pieces) == expected


def test_mentions_filter_by_medium(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "mentions")
    rows = next(df.value for df in at.dataframe if "about" in df.value.columns)
    medium = rows["medium"].value_counts().index[0]
    at.multiselect(key="medium").select(medium).run()
    narrowed = next(df.value for df in at.dataframe if "about" in df.value.columns)
    assert set(narrowed["medium"]) == {medium} and len(narrowed) < len(rows)


def test_quality_page_lists_the_quarantined_input(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "quality")
    quarantined = next(
        df.value for df in at.dataframe if {"file_name", "error", "raw_path"} <= set(df.value.columns)
    )
    assert "not a dump.txt" in set(quarantined["file_name"])
    assert quarantined["error"].str.len().min() > 10


def test_sql_console_runs_a_select_and_refuses_a_write(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "sql")
    at.text_area[0].set_value("SELECT count(*) AS n FROM articles").run()
    at.button(key="sql-run").click().run()
    result = next(df.value for df in at.dataframe if list(df.value.columns) == ["n"])
    assert int(result["n"].iloc[0]) == _count(built_warehouse, "SELECT count(*) FROM articles")

    at.text_area[0].set_value("DELETE FROM articles").run()
    at.button(key="sql-run").click().run()
    assert any("not allowed" in e.value for e in at.error)
    assert _count(built_warehouse, "SELECT count(*) FROM articles") == int(result["n"].iloc[0])
