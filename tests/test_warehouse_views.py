"""Schema, comments and analyst views on real DuckDB files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from test_warehouse_load import _dumps, _load_all

from warehouse.integrity import content_digest
from warehouse.schema import apply_schema, schema_files

CONTRACT = {
    "v_post_sightings": [
        "dump_file",
        "seq",
        "start_line",
        "end_line",
        "post_id",
        "article_id",
        "title",
        "outlet",
        "kind",
        "published_date",
        "year",
        "date_basis",
        "authors",
        "topics",
    ],
    "v_mentions": ["dump_file", "seq", "outlet", "medium", "about"],
    "v_citations": ["dump_file", "seq", "note_number", "source", "title", "url", "cited_date"],
}
ANALYST_VIEWS = [
    "v_articles",
    "v_data_quality",
    "mart_output_by_year_outlet",
    "mart_output_by_topic_year",
    "mart_mentions_by_year_medium",
    "mart_citation_sources",
    "mart_outlet_summary",
    "v_writers",
]


def _user_objects(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables()"
            " WHERE schema_name = 'main' AND NOT internal AND NOT temporary"
            " UNION ALL SELECT view_name FROM duckdb_views()"
            " WHERE schema_name = 'main' AND NOT internal AND NOT temporary"
        ).fetchall()
    ]


def test_schema_files_in_order_and_idempotent(tmp_path: Path) -> None:
    names = [p.name for p in schema_files()]
    assert names[0] == "001_initial.sql" and names[-2:] == ["views.sql", "comments.sql"]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert apply_schema(con) == list(range(1, len(names) - 1))  # every migration, once
    assert apply_schema(con) == []
    objects = set(_user_objects(con))
    assert {"dumps", "articles", "post_sightings", *CONTRACT, *ANALYST_VIEWS} <= objects


def test_every_table_view_and_column_is_commented(tmp_path: Path) -> None:
    con = _load_all(tmp_path / "w.duckdb", _dumps())
    apply_schema(con)  # re-applying (CREATE OR REPLACE VIEW) must not lose comments
    missing_objects = con.execute(
        "SELECT table_name FROM duckdb_tables()"
        " WHERE schema_name = 'main' AND NOT temporary AND comment IS NULL"
        " UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
        " AND NOT temporary AND comment IS NULL"
    ).fetchall()
    objects = _user_objects(con)
    missing_columns = con.execute(
        "SELECT table_name || '.' || column_name FROM duckdb_columns()"
        " WHERE schema_name = 'main' AND table_name IN (SELECT unnest(?))"
        " AND (comment IS NULL OR comment = '')",
        [objects],
    ).fetchall()
    assert len(objects) >= 25
    assert missing_objects == [] and missing_columns == []


def test_contract_view_columns(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    apply_schema(con)
    for view, cols in CONTRACT.items():
        got = [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()]
        assert got[: len(cols)] == cols


@pytest.mark.parametrize("view", ANALYST_VIEWS + list(CONTRACT))
def test_views_run_on_empty_warehouse(tmp_path: Path, view: str) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    apply_schema(con)
    if view == "v_writers":  # the default writer is there from the start, with nothing of theirs yet
        assert con.execute("SELECT writer_id, dumps, pieces FROM v_writers").fetchall() == [("default", 0, 0)]
        return
    assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] == 0 or view == "v_data_quality"


def test_marts_add_up(tmp_path: Path) -> None:
    con = _load_all(tmp_path / "w.duckdb", _dumps())
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert con.execute("SELECT sum(pieces) FROM mart_output_by_year_outlet").fetchone()[0] == articles == 4
    assert con.execute("SELECT count(*) FROM v_articles").fetchone()[0] == articles
    row = con.execute(
        "SELECT pieces, first_year, last_year, pieces_by_kind FROM mart_outlet_summary"
        " WHERE outlet = 'Harbour Gazette'"
    ).fetchone()
    assert row[:3] == (4, 2018, 2021) and row[3] == {"op-ed": 4}
    y = con.execute("SELECT topics, dump_count FROM v_articles WHERE article_id = 'a-y'").fetchone()
    assert y == (["Ports", "Ships"], 2)
    assert con.execute("SELECT sum(mentions) FROM mart_mentions_by_year_medium").fetchone()[0] == 4
    assert (
        con.execute("SELECT sum(pieces) FROM mart_output_by_topic_year WHERE topic = 'Ports'").fetchone()[0]
        == 3
    )
    assert con.execute("SELECT citations FROM mart_citation_sources").fetchall() == [(3,)]
    issues = dict(con.execute("SELECT issue, count(*) FROM v_data_quality GROUP BY 1").fetchall())
    assert issues.get("piece_without_stated_date") == 1 and "piece_without_outlet" not in issues
    assert isinstance(content_digest(con)["articles"], str)


def test_old_schema_gets_a_clear_message(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE TABLE post_sightings (dump_id VARCHAR, seq INTEGER)")
    with pytest.raises(RuntimeError, match="bylines rebuild"):
        apply_schema(con)
