"""A full refresh runs in parts so its memory does not grow with the warehouse (``PART_ROWS`` in
warehouse/refresh.py: derive, years, summaries); in parts it must leave exactly what one pass leaves.

The parts are made tiny here, so a small real warehouse (generated dumps of two writers, ingested
through the one ingest path) is refreshed in many parts.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from warehouse import search_index
from warehouse.integrity import content_digest
from warehouse.refresh import refresh_derived
from warehouse.search_index import BULK_MEMORY_LIMIT
from warehouse.storage import connect_writer

PART = 7


def _dashboard_order(row: tuple[int | None, date | None, str]) -> tuple[bool, int, bool, int, str]:
    """agg_article_facts' stored order: year DESC NULLS LAST, published_date DESC NULLS LAST, title."""
    year, published, title = row
    return (
        year is None,
        -(year or 0),
        published is None,
        -(published.toordinal() if published else 0),
        title,
    )


def test_full_refresh_in_parts_leaves_what_the_loads_left(writers_warehouse: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(writers_warehouse, db)
    con = connect_writer(db)
    try:
        before = content_digest(con)
        articles, posts = con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM posts)"
        ).fetchone()
        assert articles > 3 * PART and posts > 3 * PART, "the warehouse must need several parts"
        refresh_derived(con, full=True, part_rows=PART)

        assert content_digest(con) == before
        stored = con.execute(
            "SELECT year, published_date, title FROM agg_article_facts ORDER BY rowid"
        ).fetchall()
        assert len(stored) == articles
        assert stored == sorted(stored, key=_dashboard_order), (
            "parts are consecutive in the dashboard's order"
        )
        assert (
            con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = '_article_order'"
            ).fetchone()[0]
            == 0
        )
    finally:
        con.close()


def test_the_full_search_build_runs_under_its_own_memory_limit(
    writers_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index built whole (a full refresh's last step, the writer's memory peak after a backfill)
    runs under ``BULK_MEMORY_LIMIT``; the connection's own limit is back afterwards, exactly as given."""
    db = tmp_path / "w.duckdb"
    shutil.copy(writers_warehouse, db)
    seen: list[str] = []
    build = search_index._build_bulk

    def recording(con: duckdb.DuckDBPyConnection) -> int:
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return build(con)

    monkeypatch.setattr(search_index, "_build_bulk", recording)
    con = connect_writer(db, {"memory_limit": "1GB"})
    try:
        own = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        refresh_derived(con, full=True)
        assert seen == [f"{BULK_MEMORY_LIMIT / 2**20:.1f} MiB"]
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == own
    finally:
        con.close()
