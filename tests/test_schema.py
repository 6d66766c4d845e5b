"""The schema's one source: numbered migrations applied once, in order, in one transaction; a warehouse
made by the release before migrations upgrades in place with nothing lost; the loader's Arrow shapes
are the DDL's, column by column and type by type."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from conftest import ingest_files

import warehouse.schema as schema
from warehouse.connections import Warehouse
from warehouse.integrity import content_digest, duplicate_counts, orphan_counts
from warehouse.refresh import refresh_derived
from warehouse.staging import schemas as staging_schemas

OLD_RELEASE = Path(__file__).with_name("fixtures") / "warehouse_1868be6"
# staging shape -> the table its rows go to
STAGED_INTO = {
    "sightings": "post_sightings",
    "mentions": "sighting_mentions",
    "citations": "sighting_citations",
    "dumps": "dumps",
    "quarantine": "dumps",
}


# Tables the migrations after the release before them add (left out of "nothing lost" comparisons).
NEW_TABLES = ("writers", "agg_article_values", "check_scope")


@pytest.fixture(scope="module")
def old_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's warehouse, as that release made it: its own schema files, then its rows."""
    db = tmp_path_factory.mktemp("old_release") / "w.duckdb"
    con = duckdb.connect(str(db))
    try:
        for sql in sorted((OLD_RELEASE / "schema").glob("*.sql")):
            con.execute(sql.read_text(encoding="utf-8"))
        for csv in sorted((OLD_RELEASE / "data").glob("*.csv")):
            con.execute(f"COPY {csv.stem} FROM '{csv}' (FORMAT csv, HEADER, allow_quoted_nulls false)")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db


def _copy(old_release: Path, tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(old_release, db)
    return db


def _old_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """What the upgrade adds (migration 002: the writers table, a writer_id column; 003: the filter
    values' summary; 005: dumps.retained_from; 006: ingest_runs.articles_left), left out of a digest."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    added = {t: {"*"} for t in NEW_TABLES}
    columns = {t: {"writer_id"} for t in tables} | {
        "dumps": {"writer_id", "retained_from"},
        "ingest_runs": {"writer_id", "articles_left"},
    }
    return {**columns, "schema_version": {"*"}, **added}


def _counts(db: Path) -> dict[str, int]:
    """Rows per table of the old release (every one it had)."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        old = [t for t in names if t not in ("schema_version", *NEW_TABLES)]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(old)}


def _state(db: Path) -> dict[str, Any]:
    """Everything an upgrade must keep: every column of every table, and the ids and values people use."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "digest": content_digest(con, exclude=_old_columns(con)),
            "dumps": con.execute(
                "SELECT dump_id, file_name, status, superseded_by FROM dumps ORDER BY 1"
            ).fetchall(),
            "articles": con.execute(
                "SELECT article_id, title, outlet_id, year FROM articles ORDER BY 1"
            ).fetchall(),
            "posts": con.execute("SELECT post_id, article_id FROM posts ORDER BY 1").fetchall(),
            "runs": con.execute("SELECT run_id, dumps_new FROM ingest_runs ORDER BY 1").fetchall(),
        }


def test_a_warehouse_from_the_release_before_migrations_upgrades_in_place(
    old_release: Path, tmp_path: Path
) -> None:
    db = _copy(old_release, tmp_path)
    before = _state(db)
    statuses = sorted((s, sup is not None) for _id, _name, s, sup in before["dumps"])
    assert statuses == [("loaded", False)] * 4 + [("loaded", True), ("quarantined", False)]
    assert len(before["articles"]) == 6 and len(before["runs"]) == 2
    with duckdb.connect(str(db), read_only=True) as con:
        assert schema.schema_version(con) == 0  # that release kept no version

    counts = _counts(db)
    assert counts["articles"] == 6 and counts["post_sightings"] == 12 and len(counts) == 24, counts
    with Warehouse(db).writer() as con:  # the writer's path: migrations run on open
        assert schema.schema_version(con) == len(schema.migrations())
        applied = con.execute("SELECT version, name FROM schema_version ORDER BY 1").fetchall()
        assert applied == [
            (1, "initial"), (2, "writers"), (3, "article_values"), (4, "check_scope"), (5, "retained_tails"),
            (6, "articles_left"),
        ]  # fmt: skip
        # what its superseded delivery still counts is settled by the next run, not by the migration
        unsettled = "SELECT count(*) FROM dumps WHERE superseded_by IS NOT NULL AND retained_from IS NULL"
        assert con.execute(unsettled).fetchone() == (1,)
        # the checks' scope starts empty: the upgraded warehouse has no record yet, so its checks run whole
        assert con.execute("SELECT count(*) FROM check_scope").fetchone() == (0,)
        # the filter values' summary is filled from the summary of the articles it upgraded
        kinds = con.execute(
            "SELECT value, pieces FROM agg_article_values WHERE field = 'kind' ORDER BY 1"
        ).fetchall()
        assert kinds == con.execute("SELECT kind, count(*) FROM articles GROUP BY 1 ORDER BY 1").fetchall()
        # every row is the default writer's, and the default writer is the only one
        assert con.execute("SELECT writer_id, display_name FROM writers").fetchall() == [
            ("default", "Default writer")
        ]
        with_writer = [
            t for (t,) in con.execute(
                "SELECT table_name FROM duckdb_columns() WHERE column_name = 'writer_id' AND NOT internal"
                " AND table_name IN (SELECT table_name FROM duckdb_tables())"
            ).fetchall()
        ]  # fmt: skip
        assert {"dumps", "post_sightings", "posts", "articles", "agg_article_facts"} <= set(with_writer)
        for table in with_writer:
            found = con.execute(f"SELECT DISTINCT writer_id FROM {table}").fetchall()
            assert found in ([("default",)], []), (table, found)
        assert con.execute("SELECT writer_id, pieces FROM v_writers").fetchall() == [("default", 6)]
    assert _counts(db) == counts  # every count before and after agrees
    assert _state(db) == before  # nothing lost, nothing changed

    with Warehouse(db).writer() as con:  # and again: nothing to do
        assert schema.apply_schema(con) == []

    # it goes on ingesting: new pages load beside the old ones, the old ids stay
    from samples.generator import generate_corpus

    new = generate_corpus(tmp_path / "new", n_dumps=2, seed=1969)
    summary = ingest_files(new, db)
    assert summary["dumps_new"] == 2 and summary["dumps_quarantined"] == 0
    after = _state(db)
    assert set(before["dumps"]) <= set(after["dumps"]) and len(after["dumps"]) == len(before["dumps"]) + 2
    assert {a[0] for a in before["articles"]} <= {a[0] for a in after["articles"]}
    assert len(after["articles"]) > len(before["articles"]) and len(after["runs"]) == 3
    with duckdb.connect(str(db)) as con:
        assert not any(orphan_counts(con).values()) and not any(duplicate_counts(con).values())
        assert con.execute(unsettled).fetchone() == (0,)
        incremental = content_digest(con)
        refresh_derived(con, full=True)  # the incremental refresh left what a full one computes
        assert content_digest(con) == incremental
        assert con.execute("SELECT count(*) FROM v_articles").fetchone()[0] == len(after["articles"])


def _migrations_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: dict[str, str]) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, folder)
    for name, sql in extra.items():
        (folder / name).write_text(sql, encoding="utf-8")
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", folder)
    return folder


NEXT = """
CREATE TABLE reviewers (reviewer_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
ALTER TABLE dumps ADD COLUMN reviewed_by VARCHAR;
UPDATE dumps SET reviewed_by = 'the-desk';
"""


def test_a_new_migration_runs_once_and_keeps_the_rows(
    old_release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next change after the writers: a numbered file that adds a table and a column to a full table."""
    db = _copy(old_release, tmp_path)
    dumps = _state(db)["dumps"]
    after = len(schema.migrations()) + 1  # the number after the last shipped migration
    _migrations_copy(tmp_path, monkeypatch, {f"{after:03d}_reviewers.sql": NEXT})
    with Warehouse(db).writer() as con:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone() == (after,)
        rows = con.execute(
            "SELECT dump_id, file_name, status, superseded_by, reviewed_by FROM dumps ORDER BY 1"
        )
        assert rows.fetchall() == [(*d, "the-desk") for d in dumps]
        assert con.execute("SELECT count(*) FROM v_current_dumps").fetchone() == (4,)  # views re-created
        assert schema.apply_schema(con) == []  # the UPDATE did not run twice: nothing to do


def test_a_failing_migration_leaves_the_warehouse_as_it_was(
    old_release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _copy(old_release, tmp_path)
    before = _state(db)
    broken = (
        "ALTER TABLE dumps ADD COLUMN half_done VARCHAR;\nALTER TABLE no_such_table ADD COLUMN x INTEGER;\n"
    )
    after = len(schema.migrations()) + 1
    _migrations_copy(
        tmp_path, monkeypatch, {f"{after:03d}_reviewers.sql": NEXT, f"{after + 1:03d}_broken.sql": broken}
    )
    con = duckdb.connect(str(db))
    try:
        with pytest.raises(schema.SchemaError, match=f"{after + 1:03d}_broken.sql"):
            schema.apply_schema(con)
        assert schema.schema_version(con) == 0  # not even 001 to the one before it: all or nothing
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'dumps'"
            ).fetchall()
        }
        assert not {"writer_id", "reviewed_by", "half_done"} & columns
    finally:
        con.close()
    assert _state(db) == before


def test_migrations_are_numbered_without_gaps_and_never_run_backwards(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "001_initial.sql").write_text("SELECT 1;")
    (folder / "003_skipped_two.sql").write_text("SELECT 1;")
    with pytest.raises(schema.SchemaError, match="without gaps"):
        schema.migrations(folder)
    (folder / "002 bad name.sql").write_text("SELECT 1;")
    with pytest.raises(schema.SchemaError, match="NNN_"):
        schema.migrations(folder)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    schema.apply_schema(con)
    con.execute("INSERT INTO schema_version VALUES (99, 'from_the_future', now())")
    with pytest.raises(schema.SchemaError, match="newer than this code"):
        schema.apply_schema(con)
    con.close()


def _target(shape: str, column: str) -> str:
    """The table a staged column is inserted into."""
    if shape == "outlets":
        return "outlet_aliases" if column == "alias" else "outlets"
    if shape == "topics":
        return "topics" if column == "name" else "post_topics"
    return STAGED_INTO[shape]


def test_staging_shapes_are_the_tables_columns_type_by_type(tmp_path: Path) -> None:
    """Every staged column goes into a column of the same name and the same DuckDB type."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    schema.apply_schema(con)
    declared = {
        (t, c): d
        for t, c, d in con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns()"
        ).fetchall()
    }
    checked = 0
    for name, shape in staging_schemas().items():
        con.register("_probe", pa.Table.from_pylist([], schema=shape))
        staged = con.execute("SELECT column_name, column_type FROM (DESCRIBE _probe)").fetchall()
        con.unregister("_probe")
        for column, staged_type in staged:
            assert declared[(_target(name, column), column)] == staged_type, (name, column)
            checked += 1
    assert checked == sum(len(s) for s in staging_schemas().values()) > 60
    con.close()
