"""The integrity rules count exactly the rows that break them (warehouse/integrity.py).

Each defect is made by hand in a real warehouse (generated dumps through the one ingest path),
inside a transaction that is rolled back, and the rule that guards it must count it: references
that may be NULL, references by two columns, and the one-row-per-article summary in both
directions (an article without its row, a row without its article).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ingest_files
from warehouse.integrity import RULES, count


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from samples.generator import generate_corpus

    root = tmp_path_factory.mktemp("integrity")
    dumps = generate_corpus(root / "dumps", n_dumps=2, seed=5)
    db = root / "warehouse.duckdb"
    ingest_files(dumps, db, raw=root / "raw")
    return db


@pytest.fixture
def con(sound: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(sound, db)
    with duckdb.connect(str(db)) as c:
        c.execute("BEGIN")
        yield c
        c.execute("ROLLBACK")


def _broken(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {r.name: n for r in RULES if (n := count(con, r.sql))}


def test_a_sound_warehouse_breaks_no_rule(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] > 10
    assert _broken(con) == {}


def test_a_null_reference_is_allowed_a_dangling_one_counted(con: duckdb.DuckDBPyConnection) -> None:
    first, second = (r[0] for r in con.execute("SELECT post_id FROM posts ORDER BY 1 LIMIT 2").fetchall())
    # a post of no piece is allowed
    con.execute("UPDATE posts SET article_id = NULL WHERE post_id = ?", [first])
    assert "posts_without_article" not in _broken(con)
    con.execute("UPDATE posts SET article_id = 'no-such-article' WHERE post_id = ?", [second])
    assert _broken(con)["posts_without_article"] == 1


def test_a_reference_by_two_columns_counts_a_row_whose_pair_names_nothing(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # the dump exists and so does the seq, but not as one sighting
    dump_id = con.execute("SELECT dump_id FROM post_sightings LIMIT 1").fetchone()[0]
    con.execute(
        "INSERT INTO sighting_mentions (dump_id, seq, mention_no, medium, evidence, line)"
        " VALUES (?, (SELECT max(seq) + 1 FROM post_sightings WHERE dump_id = ?), 1, 'radio', 'test', 1)",
        [dump_id, dump_id],
    )
    assert _broken(con) == {"sighting_mentions_without_sighting": 1}


def test_the_article_summary_counts_rows_missing_on_either_side(con: duckdb.DuckDBPyConnection) -> None:
    first, second = (
        r[0] for r in con.execute("SELECT article_id FROM agg_article_facts ORDER BY 1 LIMIT 2").fetchall()
    )
    con.execute("DELETE FROM agg_article_facts WHERE article_id = ?", [first])
    assert _broken(con) == {"agg_article_facts_in_step": 1}
    con.execute(  # and a summary row of no article
        "INSERT INTO agg_article_facts"
        " SELECT * REPLACE ('no-such-article' AS article_id) FROM agg_article_facts WHERE article_id = ?",
        [second],
    )
    assert _broken(con) == {"agg_article_facts_in_step": 2}
