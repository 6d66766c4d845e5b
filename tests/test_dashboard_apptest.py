"""Every dashboard page renders on a built, an empty and a missing warehouse (Streamlit AppTest).

AppTest cannot see charts, so the assertions read the tables behind them.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import PROJECT_ROOT, read_one
from streamlit.testing.v1 import AppTest

from dashboard.ui import md_escape

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
    assert metrics["Pieces"] == f"{_count(built_warehouse, 'SELECT count(*) FROM articles'):,}"
    assert metrics["Dumps quarantined"] == "1"
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
    assert at.header[0].value == md_escape(title)
    provenance = next(df.value for df in at.dataframe if "start_line" in df.value.columns)
    assert len(provenance) >= sightings >= 1
    assert (provenance["end_line"] >= provenance["start_line"]).all()
    assert any("How the date was established" in m.value for m in at.markdown)


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


def test_year_range_from_the_url(built_warehouse: Path, monkeypatch) -> None:
    lo, hi = read_one(built_warehouse, "SELECT min(year), max(year) FROM articles")
    mid = (lo + hi) // 2
    at = _open(built_warehouse, monkeypatch, "articles", years=[str(mid), str(hi)])
    assert at.slider(key="years").value == (mid, hi)
    table = _articles_table(at)
    assert len(table) == _count(built_warehouse, f"SELECT count(*) FROM articles WHERE year >= {mid}")
    assert table["year"].min() >= mid


def test_topic_and_date_basis_filters(built_warehouse: Path, monkeypatch) -> None:
    (topic,) = read_one(
        built_warehouse,
        "SELECT t.name FROM article_topics x JOIN topics t USING (topic_id) "
        "GROUP BY 1 ORDER BY count(*) DESC, 1",
    )
    at = _open(built_warehouse, monkeypatch, "articles", topic=[topic])
    table = _articles_table(at)
    assert len(table) and all(topic in list(t) for t in table["topics"])
    at.multiselect(key="basis").select("stated").run()
    stated = _articles_table(at)
    assert set(stated["date_basis"]) == {"stated"} and len(stated) <= len(table)


def test_invalid_url_values_are_ignored_not_fatal(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "articles", years=["1800", "1900"], outlet=["No Such Outlet"])
    assert len(_articles_table(at)) == _count(built_warehouse, "SELECT count(*) FROM articles")
    at = _open(built_warehouse, monkeypatch, "articles", q="*[x](javascript:alert(1))* $5bn")
    assert any("\\[x\\]" in m.value for m in at.markdown)  # shown as typed, not as a link
    at = _open(built_warehouse, monkeypatch, "article", id="`oops`")
    assert any("No article with id" in w.value for w in at.warning)


def test_outlet_preselected_from_the_url(built_warehouse: Path, monkeypatch) -> None:
    outlet, n = read_one(
        built_warehouse,
        "SELECT outlet, count(*) FROM v_articles WHERE outlet IS NOT NULL GROUP BY 1 ORDER BY 2 ASC, 1",
    )
    at = _open(built_warehouse, monkeypatch, "outlets", outlet=outlet)
    assert at.selectbox(key="outlet").value == outlet
    pieces = next(df.value for df in at.dataframe if {"title", "kind", "open"} <= set(df.value.columns))
    assert len(pieces) == n
    by_kind = next(df.value for df in at.dataframe if list(df.value.columns) == ["year", "kind", "pieces"])
    assert by_kind["pieces"].sum() == _count(
        built_warehouse,
        f"SELECT count(*) FROM v_articles WHERE outlet = '{outlet}' AND year IS NOT NULL",
    )


def test_article_page_lists_citations_and_links_its_outlet(built_warehouse: Path, monkeypatch) -> None:
    article_id, notes, outlet = read_one(
        built_warehouse,
        "SELECT c.article_id, count(*), any_value(v.outlet) FROM citations c "
        "JOIN v_articles v USING (article_id) WHERE v.outlet IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1",
    )
    at = _open(built_warehouse, monkeypatch, "article", id=article_id)
    cited = next(df.value for df in at.dataframe if "note_number" in df.value.columns)
    assert len(cited) == notes
    links = [el for el in at.main if getattr(el, "proto", None) is not None and el.type == "page_link"]
    assert any(outlet in link.proto.label for link in links)


def test_citation_notes_filter_from_the_url(built_warehouse: Path, monkeypatch) -> None:
    (source,) = read_one(
        built_warehouse,
        "SELECT source FROM citations WHERE source IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1",
    )
    at = _open(built_warehouse, monkeypatch, "citations", cite=source)
    notes = next(df.value for df in at.dataframe if "note_number" in df.value.columns)
    total = _count(built_warehouse, "SELECT count(*) FROM mart_citation_notes")
    assert 0 < len(notes) < total


def test_mentions_charts_follow_the_filter(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "mentions")
    by_year = next(
        df.value for df in at.dataframe if list(df.value.columns)[:3] == ["year", "medium", "mentions"]
    )
    medium = by_year.groupby("medium")["mentions"].sum().idxmax()
    at.multiselect(key="medium").select(medium).run()
    narrowed = next(
        df.value for df in at.dataframe if list(df.value.columns)[:3] == ["year", "medium", "mentions"]
    )
    assert set(narrowed["medium"]) == {medium}
    assert narrowed["mentions"].sum() == by_year.loc[by_year["medium"] == medium, "mentions"].sum()


def test_quality_page_shows_runs_and_next_run(built_warehouse: Path, monkeypatch) -> None:
    at = _open(built_warehouse, monkeypatch, "quality")
    labels = {m.label for m in at.metric}
    assert "Next nightly run (UTC)" in labels and "Data published" in labels
    assert any(label.startswith("Last run") for label in labels)
    issues = next(df.value for df in at.dataframe if list(df.value.columns)[:2] == ["issue", "n"])
    assert issues["n"].sum() == _count(built_warehouse, "SELECT count(*) FROM v_data_quality")
    # Pieces without an outlet or a stated date are always listed, with 0 when there are none.
    counts = dict(zip(issues["issue"], issues["n"], strict=True))
    assert counts["piece_without_outlet"] == _count(
        built_warehouse, "SELECT count(*) FROM articles WHERE outlet_id IS NULL"
    )
    assert counts["piece_without_stated_date"] == _count(
        built_warehouse, "SELECT count(*) FROM articles WHERE published_date IS NULL"
    )


def test_a_copy_locked_by_another_program_is_explained_not_shown_as_an_error(
    built_warehouse: Path, tmp_path: Path, monkeypatch
) -> None:
    """An analyst opened the published copy read-write (duckdb CLI without -readonly)."""
    from warehouse.publish import read_copy_path

    db = tmp_path / "warehouse.duckdb"
    copy = read_copy_path(db)
    shutil.copyfile(read_copy_path(built_warehouse), copy)
    hold = (
        f"import duckdb, sys; c = duckdb.connect({str(copy)!r}); print('held', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        at = _open(db, monkeypatch, "overview")
        message = " ".join(w.value for w in at.warning)
        assert "open for writing in another program" in message and "-readonly" in message
        assert not at.error and "Conflicting lock" not in message
    finally:
        holder.communicate("", timeout=20)
    at = _open(db, monkeypatch, "overview")  # the lock is gone: the data shows again
    assert not at.warning and at.metric


def _mentions_table(at: AppTest):
    return next(df.value for df in at.dataframe if "about" in df.value.columns and "open" in df.value.columns)


def _captions(at: AppTest) -> str:
    return " | ".join(c.value for c in at.caption)


def test_lists_are_paged_with_total_next_previous_and_the_page_in_the_url(
    built_warehouse: Path, monkeypatch
) -> None:
    from dashboard import paging, queries

    total = _count(built_warehouse, "SELECT count(*) FROM mart_mentions")
    assert total > paging.DEFAULT_PAGE_SIZE  # more than one page
    at = _open(built_warehouse, monkeypatch, "mentions")
    first = _mentions_table(at)
    assert len(first) == paging.DEFAULT_PAGE_SIZE
    assert f"Rows 1–100 of {total:,}" in _captions(at)
    assert at.button(key="mentions-previous").disabled and at.button(key="mentions-first").disabled

    at.button(key="mentions-next").click().run()
    second = _mentions_table(at)
    assert len(second) == total - 100 and f"Rows 101–{total:,} of {total:,}" in _captions(at)
    assert at.button(key="mentions-next").disabled and not at.button(key="mentions-previous").disabled
    token = at.query_params["mentions_at"]
    assert token  # the page is in the URL
    # the two pages are the whole list, in its order, with nothing twice
    listing = queries.mentions([], None, None)
    monkeypatch.setenv("BYLINES_WAREHOUSE", str(built_warehouse))
    from dashboard.ui import export_rows

    whole = export_rows(listing)
    assert len(whole) == total
    shown = list(first["post_id"] + "#" + first["mention_no"].astype(str))
    shown += list(second["post_id"] + "#" + second["mention_no"].astype(str))
    assert shown == list(whole["post_id"] + "#" + whole["mention_no"].astype(str))

    at.button(key="mentions-previous").click().run()
    assert list(_mentions_table(at)["post_id"]) == list(first["post_id"])
    assert "mentions_at" not in at.query_params or not at.query_params["mentions_at"]

    # a shared link opens on the same page
    again = _open(built_warehouse, monkeypatch, "mentions", mentions_at=token)
    assert list(_mentions_table(again)["post_id"]) == list(second["post_id"])


def test_page_size_and_a_filter_change_restart_at_the_top(built_warehouse: Path, monkeypatch) -> None:
    total = _count(built_warehouse, "SELECT count(*) FROM articles")
    assert total > 50
    at = _open(built_warehouse, monkeypatch, "articles", articles_rows="50")
    assert len(_articles_table(at)) == 50 and f"Rows 1–50 of {total:,}" in _captions(at)
    at.button(key="articles-next").click().run()
    assert len(_articles_table(at)) == total - 50
    assert at.query_params["articles_at"]
    kind = _articles_table(at)["kind"].value_counts().index[0]
    at.multiselect(key="kind").select(kind).run()  # new filters: the old position means nothing
    narrowed = _articles_table(at)
    n = _count(built_warehouse, f"SELECT count(*) FROM articles WHERE kind = '{kind}'")
    assert len(narrowed) == min(n, 50) and f"Rows 1–{min(n, 50)} of {n:,}" in _captions(at)
    assert "articles_at" not in at.query_params or not at.query_params["articles_at"]


def test_whole_result_exports_are_not_the_page(built_warehouse: Path, monkeypatch) -> None:
    """The CSV/Parquet buttons export every filtered row (read when clicked), not the 100 shown."""
    from dashboard import queries
    from dashboard.exports import to_csv_bytes
    from dashboard.filters import ArticleFilter
    from dashboard.ui import export_rows

    monkeypatch.setenv("BYLINES_WAREHOUSE", str(built_warehouse))
    notes = export_rows(queries.citation_notes(""))
    assert len(notes) == _count(built_warehouse, "SELECT count(*) FROM mart_citation_notes") > 100
    (word,) = read_one(
        built_warehouse,
        "SELECT word FROM search.postings GROUP BY word HAVING count(*) > 3 ORDER BY count(*), word",
    )
    found = export_rows(queries.articles(ArticleFilter(text=word)))
    assert 3 < len(found) == len(found["article_id"].unique())
    assert len(pd.read_csv(io.BytesIO(to_csv_bytes(found)))) == len(found)
