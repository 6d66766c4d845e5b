"""The integrity rules count exactly the rows that break them (warehouse/integrity.py).

Each defect is made by hand in a real warehouse (generated dumps through the one ingest path),
inside a transaction that is rolled back, and the rule that guards it must count it: references
that may be NULL, references by two columns, and the one-row-per-article summary in both
directions (an article without its row, a row without its article).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from functools import partial
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


# ---------------------------------------------------------------- scoped forms (warehouse.check_scope)


@pytest.fixture
def loose(sound: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The sound warehouse's rows in tables without their keys' constraints, so that any defect (a
    duplicate id too) can be planted; and an empty ``check_scope``."""
    with duckdb.connect(":memory:") as c:
        c.execute(f"ATTACH '{sound}' AS src (READ_ONLY)")
        tables = c.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' AND schema_name = 'main'"
        ).fetchall()
        for (t,) in tables:
            c.execute(f'CREATE TABLE "{t}" AS SELECT * FROM src.main."{t}"')
        c.execute("DETACH src")
        c.execute("DELETE FROM check_scope")  # what the last run wrote: the tests plant their own
        yield c


def _rewrite(
    con: duckdb.DuckDBPyConnection, *, table: str, column: str, value: object, key: str, kind: str
) -> list[tuple[str, str]]:
    """Set ``column`` of one ``table`` row to ``value`` (as a faulty step would write it); the key the
    step would list for it: (``kind``, the row's ``key``). A row of a current delivery where the table
    says whose delivery a row is (a current delivery's rows always count; a superseded one's only
    where it retains the post, identity.CURRENT_ROW),
    and one no other plant rewrote (two defects on one row could hide each other)."""
    columns = {c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()}
    current = (
        " AND dump_id IN (SELECT dump_id FROM dumps WHERE superseded_by IS NULL)"
        if "dump_id" in columns
        else ""
    )
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _planted (tbl VARCHAR, row_id BIGINT)")
    rowid = con.execute(
        f"SELECT min(rowid) FROM {table} WHERE {column} IS NOT NULL{current}"
        " AND rowid NOT IN (SELECT row_id FROM _planted WHERE tbl = ?)",
        [table],
    ).fetchone()[0]
    assert rowid is not None, f"no {table} row with a {column} to rewrite"
    con.execute("INSERT INTO _planted VALUES (?, ?)", [table, rowid])
    con.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", [value, rowid])
    return [(kind, con.execute(f"SELECT {key} FROM {table} WHERE rowid = ?", [rowid]).fetchone()[0])]


def _copy_row(con: duckdb.DuckDBPyConnection, *, table: str, key: str, kind: str) -> list[tuple[str, str]]:
    """A second row with the id of one ``table`` row (a load that appended instead of replacing)."""
    (value,) = con.execute(f"SELECT {key} FROM {table} ORDER BY {key} LIMIT 1").fetchone()
    con.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE {key} = ?", [value])
    return [(kind, value)]


def _second_writer(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """One sighting of a piece seen twice, recorded as another writer's (by the load of its dump)."""
    dump_id, seq = con.execute(
        "SELECT dump_id, seq FROM post_sightings WHERE article_id IN (SELECT article_id FROM post_sightings"
        " GROUP BY article_id HAVING count(*) > 1) ORDER BY ALL LIMIT 1"
    ).fetchone()
    con.execute(
        "UPDATE post_sightings SET writer_id = 'someone-else' WHERE dump_id = ? AND seq = ?", [dump_id, seq]
    )
    return [("dump", dump_id)]


def _missing_facts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    (article_id,) = con.execute("SELECT article_id FROM agg_article_facts ORDER BY 1 LIMIT 1").fetchone()
    con.execute("DELETE FROM agg_article_facts WHERE article_id = ?", [article_id])
    return [("article", article_id)]


# One defect per rule with a scoped form, as a faulty step would write it: (table, column, new value,
# the column of the key the step lists for the row, that key's kind) ...
REWRITES: dict[str, tuple[str, str, object, str, str]] = {
    "sightings_without_post": ("post_sightings", "post_id", "no-such-post", "dump_id", "dump"),
    "sightings_without_dump": ("post_sightings", "dump_id", "no-such-dump", "dump_id", "dump"),
    "posts_without_article": ("posts", "article_id", "no-such-article", "post_id", "post"),
    "posts_without_dump": ("posts", "best_dump_id", "no-such-dump", "post_id", "post"),
    "articles_without_post": ("articles", "best_post_id", "no-such-post", "article_id", "article"),
    "articles_without_outlet_row": ("articles", "outlet_id", "no-such-outlet", "article_id", "article"),
    "mentions_without_post": ("mentions", "post_id", "no-such-post", "post_id", "post"),
    "citations_without_post": ("citations", "post_id", "no-such-post", "post_id", "post"),
    "post_topics_without_post": ("post_topics", "post_id", "no-such-post", "dump_id", "dump"),
    "article_topics_without_article": ("article_topics", "article_id", "no-such", "article_id", "article"),
    "article_topics_without_topic_row": ("article_topics", "topic_id", "no-such", "article_id", "article"),
    "mentions_without_outlet_row": ("mentions", "outlet_id", "no-such-outlet", "post_id", "post"),
    "sighting_mentions_without_sighting": ("sighting_mentions", "seq", 10**6, "dump_id", "dump"),
    "sighting_citations_without_sighting": ("sighting_citations", "seq", 10**6, "dump_id", "dump"),
    "posts_without_writer": ("posts", "writer_id", "nobody", "post_id", "post"),
    "articles_without_writer": ("articles", "writer_id", "nobody", "article_id", "article"),
}
# ... or another kind of write; each returns the keys the step lists (what the run's scope then holds).
PLANTED: dict[str, Callable[[duckdb.DuckDBPyConnection], list[tuple[str, str]]]] = {
    **{name: partial(_rewrite, table=t, column=c, value=v, key=k, kind=kind)
       for name, (t, c, v, k, kind) in REWRITES.items()},
    "duplicate_article_ids": partial(_copy_row, table="articles", key="article_id", kind="article"),
    "duplicate_post_ids": partial(_copy_row, table="posts", key="post_id", kind="post"),
    "articles_shared_by_writers": _second_writer,
    "agg_article_facts_in_step": _missing_facts,
}  # fmt: skip


def _counts(con: duckdb.DuckDBPyConnection, scoped: bool) -> dict[str, int]:
    return {r.name: count(con, r.query(scoped)) for r in RULES}


def _scope(con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str]]) -> None:
    con.execute("DELETE FROM check_scope")
    if keys:
        con.executemany("INSERT INTO check_scope VALUES (?, ?)", keys)


def test_every_scoped_rule_has_a_planted_defect() -> None:
    assert {r.name for r in RULES if r.scoped} == set(PLANTED)


@pytest.mark.parametrize("rule", sorted(PLANTED))
def test_a_scoped_rule_counts_a_defect_in_the_scope_and_nothing_outside_it(
    loose: duckdb.DuckDBPyConnection, rule: str
) -> None:
    """The planted defect's own keys in scope: every rule counts what the whole rule counts; an empty
    scope: the scoped rule reads nothing (it is not the whole rule in disguise)."""
    keys = PLANTED[rule](loose)
    whole = _counts(loose, scoped=False)
    assert whole[rule] >= 1
    _scope(loose, keys)
    assert _counts(loose, scoped=True) == whole
    _scope(loose, [])
    assert count(loose, next(r for r in RULES if r.name == rule).query(scoped=True)) == 0


def test_with_every_defect_in_scope_the_scoped_rules_count_what_the_whole_rules_count(
    loose: duckdb.DuckDBPyConnection,
) -> None:
    planted = [key for plant in PLANTED.values() for key in plant(loose)]
    whole = _counts(loose, scoped=False)
    assert all(whole[name] >= 1 for name in PLANTED), whole
    _scope(loose, planted)
    assert _counts(loose, scoped=True) == whole
    # and with every key of the warehouse in scope as well (a large scope changes nothing either)
    every = loose.execute(
        "SELECT 'post', post_id FROM posts UNION SELECT 'article', article_id FROM articles"
        " UNION SELECT 'dump', dump_id FROM dumps UNION SELECT 'outlet', outlet_id FROM outlets"
        " UNION SELECT 'topic', topic_id FROM topics"
    ).fetchall()
    _scope(loose, [*planted, *every])
    assert _counts(loose, scoped=True) == whole
