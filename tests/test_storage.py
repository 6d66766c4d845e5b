"""The writer's file layout: an append rewrites the last small row group, not the table.

DuckDB rewrites a row group whole at the checkpoint after rows are appended to it; with its default
row group (122,880 rows) a warehouse's wide tables are one row group each and every nightly append
rewrote them whole. These tests append a dump's worth of rows to a warehouse through the writer's
real connection and count the 256 KiB blocks of the file that changed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import duckdb
import pytest

from warehouse.connections import Warehouse
from warehouse.publish import publish_read_copy, read_copy_path
from warehouse.schema import apply_schema
from warehouse.storage import ROW_GROUP_SIZE

ROWS = 32_000  # sixteen small row groups, or one of the default size
BODY_CHARS = 640


def _blocks(path: Path, size: int = 262_144) -> list[bytes]:
    with open(path, "rb") as fh:
        return [hashlib.sha256(chunk).digest() for chunk in iter(lambda: fh.read(size), b"")]


def _changed(before: list[bytes], after: list[bytes]) -> int:
    return sum(1 for i, digest in enumerate(after) if i >= len(before) or before[i] != digest)


_ARTICLES = """
INSERT INTO articles (article_id, title, kind, authors, word_count, body, best_post_id, first_seen_at,
                      last_seen_at)
SELECT ?  || i, 'Title ' || i, 'op-ed', [], 200, repeat(md5(? || i), ?), 'p' || i, now(), now()
FROM range(?) r(i)
"""


def _fill(con: duckdb.DuckDBPyConnection, prefix: str, rows: int) -> None:
    con.execute(_ARTICLES, [prefix, prefix, BODY_CHARS // 32, rows])


def _row_groups(path: Path) -> list[int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [
            n
            for (n,) in con.execute(
                "SELECT max(count) FROM pragma_storage_info('articles') GROUP BY row_group_id ORDER BY 1"
            ).fetchall()
        ]


def _append_and_count(path: Path, prefix: str) -> tuple[int, int]:
    """Append 20 rows through the ingest's writer; (blocks changed, blocks in the file)."""
    before = _blocks(path)
    with Warehouse(path).writer() as con:
        _fill(con, prefix, 20)
    after = _blocks(path)
    return _changed(before, after), len(after)


def test_the_writer_lays_tables_out_in_small_row_groups_and_an_append_rewrites_only_the_last(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    with Warehouse(db).writer() as con:
        options = con.execute(
            "SELECT options FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()[0]
        assert options.get("row_group_size") == str(ROW_GROUP_SIZE)
        _fill(con, "a", ROWS)
    groups = _row_groups(db)
    assert len(groups) >= ROWS // ROW_GROUP_SIZE and max(groups) <= ROW_GROUP_SIZE
    changed, blocks = _append_and_count(db, "b")
    # the table is most of the file; one small row group of it (and the catalog) is what changes
    assert blocks >= 40 and changed <= blocks // 4, (changed, blocks)
    with Warehouse(db).reader() as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == ROWS + 20


def test_a_warehouse_made_with_default_row_groups_appends_in_small_ones_from_its_next_run(
    tmp_path: Path,
) -> None:
    """An older warehouse (one row group per table) is not rewritten: its next append starts a small row
    group after the big one, and from then on an append rewrites only that. A plain DuckDB writer, as
    before, rewrites the whole table for the same append: the comparison the layout is for."""
    old, plain = tmp_path / "old.duckdb", tmp_path / "plain.duckdb"
    for path in (old, plain):
        with duckdb.connect(str(path)) as con:
            apply_schema(con)
            _fill(con, "a", ROWS)
        assert _row_groups(path) == [ROWS]
    before = _blocks(plain)
    with duckdb.connect(str(plain)) as con:
        _fill(con, "b", 20)
    rewritten_by_plain = _changed(before, _blocks(plain))

    for n in range(3):
        changed, blocks = _append_and_count(old, f"b{n}")
        assert changed <= blocks // 4, (n, changed, blocks)
    assert rewritten_by_plain >= blocks // 2, (rewritten_by_plain, blocks)
    assert _row_groups(old) == [60, ROWS]  # the old row group untouched, the appends after it


def test_a_writer_connection_with_nothing_to_write_changes_no_block(tmp_path: Path) -> None:
    """The views and comments are re-created only when their files changed: opening the writer on a
    current warehouse (every run does, twice) rewrites nothing, so the publish has nothing to patch."""
    db = tmp_path / "w.duckdb"
    with Warehouse(db).writer() as con:
        _fill(con, "a", 100)
    before = _blocks(db)
    for _ in range(2):
        with Warehouse(db).writer() as con:
            assert con.execute("SELECT count(*) FROM v_current_dumps").fetchone() == (0,)
    assert _blocks(db) == before


def test_the_publish_patches_only_the_blocks_an_append_changed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "w.duckdb"
    with Warehouse(db).writer() as con:
        _fill(con, "a", ROWS)
    publish_read_copy(db)
    publish_read_copy(db, force=True)  # both read copies made: the next publish patches the older one
    with Warehouse(db).writer() as con:
        _fill(con, "b", 20)
    with caplog.at_level(logging.INFO, logger="bylines.lock"):
        copy = publish_read_copy(db)
    assert copy == read_copy_path(db) and _blocks(copy) == _blocks(db)
    patched = [re.search(r"(\d+) of (\d+) blocks written", r.getMessage()) for r in caplog.records]
    written, blocks = next((int(m[1]), int(m[2])) for m in patched if m)
    assert 0 < written <= blocks // 4, (written, blocks)
