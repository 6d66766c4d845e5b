"""The fast paths give the same warehouse as the plain ones: batched loads, parsing streamed into the
writer, and the incremental refresh (checked against one-dump-at-a-time loads and a full refresh)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import warehouse.aggregates as aggregates
import warehouse.load as load
from samples.generator import generate_corpus
from warehouse.integrity import content_digest
from warehouse.parsing import defer, parse_one, resolve_deferred
from warehouse.rawstore import DumpMeta, RawStore
from warehouse.refresh import refresh_derived
from warehouse.schema import apply_schema
from warehouse.storage import connect_writer


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two groups of overlapping tag pages (posts seen in several dumps), plus a re-delivery."""
    root = tmp_path_factory.mktemp("streaming_corpus")
    files = generate_corpus(root, n_dumps=12, seed=5)
    changed = root / "redelivered" / files[1].name  # same name, fewer posts: supersedes the first
    changed.parent.mkdir()
    text = files[1].read_text(encoding="utf-8")
    changed.write_text(text[: text.rfind("\n\n", 0, len(text) // 2)], encoding="utf-8")
    return [*files, changed]


def _metas(store: RawStore, files: list[Path]) -> list[DumpMeta]:
    start = datetime(2026, 1, 1)
    return [store.put_file(f, received_at=start + timedelta(hours=k)) for k, f in enumerate(files)]


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Content of every table (volatile columns left out) and of every view."""
    out = content_digest(con)
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal")
    for (view,) in views.fetchall():
        if view == "v_current_dumps":
            continue  # SELECT * FROM dumps: load times
        rows = sorted(map(repr, con.execute(f"SELECT * FROM {view}").fetchall()))
        out[f"view {view}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    apply_schema(con)
    return con


def test_streamed_batches_and_incremental_refresh_match_plain_loads(
    tmp_path: Path, corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RawStore(tmp_path / "raw")
    metas = _metas(store, corpus)

    # the plain way: one dump per transaction, in order, one full refresh at the end
    plain = _connect(tmp_path / "plain.duckdb")
    for meta in metas:
        item = parse_one(meta)
        assert item.parsed is not None
        load.load_dump(plain, item.meta, item.parsed)
    refresh_derived(plain, full=True)
    reference = _snapshot(plain)
    assert reference["articles"].split(":")[0] != "0"

    # streamed: parsed by a pool while batches of three are loaded; an incremental refresh after
    # every batch (the share threshold raised so it never falls back to a full one)
    monkeypatch.setattr(load, "LOAD_BATCH_DUMPS", 3)
    monkeypatch.setattr(aggregates, "FULL_REFRESH_SHARE", 10.0)
    fast = _connect(tmp_path / "fast.duckdb")
    half = len(metas) // 2
    for part in (metas[:half], metas[half:-1], metas[-1:]):
        items = resolve_deferred(defer(part, max_workers=2, stage_dir=str(tmp_path / "stage")))
        result = load.load_or_quarantine(fast, items)
        assert result.loaded == len(part) and not result.quarantined
        refresh_derived(fast)
    assert _snapshot(fast) == reference
    assert not any((tmp_path / "stage").iterdir()), "staged parse results are removed once loaded"
    assert fast.execute("SELECT count(*) FROM refresh_pending").fetchone() == (0,)


def test_incremental_refresh_after_each_dump_matches_a_full_one(
    tmp_path: Path, corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aggregates, "FULL_REFRESH_SHARE", 10.0)
    store = RawStore(tmp_path / "raw")
    con = _connect(tmp_path / "w.duckdb")
    for meta in _metas(store, corpus):
        item = parse_one(meta)
        assert item.parsed is not None
        load.load_dump(con, item.meta, item.parsed)
        refresh_derived(con)  # incremental: only what this dump touched
    incremental = _snapshot(con)
    refresh_derived(con, full=True)
    assert _snapshot(con) == incremental


def test_a_batch_holding_the_same_dump_twice_is_refused(tmp_path: Path, corpus: list[Path]) -> None:
    store = RawStore(tmp_path / "raw")
    item = parse_one(_metas(store, corpus[:1])[0])
    assert item.parsed is not None
    con = _connect(tmp_path / "w.duckdb")
    with pytest.raises(ValueError, match="same dump twice"):
        load.load_dumps(con, [(item.meta, item.parsed), (item.meta, item.parsed)])


def test_a_damaged_stage_quarantines_its_dump_and_the_others_load(tmp_path: Path, corpus: list[Path]) -> None:
    """Parse workers stage the loader's Arrow tables; a stage damaged on disk (truncated, or one file
    gone) costs its dump a quarantine row with the reason, never the run or the other dumps."""
    store = RawStore(tmp_path / "raw")
    metas = _metas(store, corpus[:3])
    items = [parse_one(m, stage_dir=str(tmp_path / "stage")) for m in metas]
    assert all(i.parsed is None and i.parsed_path for i in items)
    truncated = Path(items[0].parsed_path or "") / "sightings.arrow"
    truncated.write_bytes(truncated.read_bytes()[:100])
    (Path(items[1].parsed_path or "") / "notes.json").unlink()
    con = _connect(tmp_path / "w.duckdb")
    result = load.load_or_quarantine(con, items)
    assert result.loaded == 1
    reasons = dict(con.execute("SELECT dump_id, error FROM dumps WHERE status = 'quarantined'").fetchall())
    assert set(reasons) == {items[0].meta.dump_id, items[1].meta.dump_id}
    assert all(r.startswith("staged parse result unreadable") for r in reasons.values())
    loaded = con.execute("SELECT count(*) FROM post_sightings WHERE dump_id = ?", [metas[2].dump_id])
    assert loaded.fetchone()[0] > 0


def test_loads_run_under_the_load_memory_limit_and_checkpoint_as_they_go(
    tmp_path: Path, corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the loads run, DuckDB's buffer pool is capped at ``LOAD_MEMORY_LIMIT`` (the writer's own
    limit is back afterwards, exactly as given, and a lower one is kept), and every
    ``LOAD_CHECKPOINT_BYTES`` of dumps a checkpoint writes out what DuckDB would otherwise hold until
    the end (the write-ahead log is empty after the last batch's)."""
    store = RawStore(tmp_path / "raw")
    items = [parse_one(m) for m in _metas(store, corpus[:6])]
    monkeypatch.setattr(load, "LOAD_BATCH_DUMPS", 3)
    monkeypatch.setattr(load, "LOAD_CHECKPOINT_BYTES", 1)
    seen: list[str] = []
    load_dumps = load.load_dumps

    def recording(con: duckdb.DuckDBPyConnection, batch: list) -> list:
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return load_dumps(con, batch)

    monkeypatch.setattr(load, "load_dumps", recording)
    for own_limit, during in (("2GB", "256.0 MiB"), ("200MB", "190.7 MiB")):
        path = tmp_path / f"w{own_limit}.duckdb"
        con = connect_writer(path, {"memory_limit": own_limit})
        apply_schema(con)
        before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        seen.clear()
        assert load.load_or_quarantine(con, items).loaded == len(items)
        assert seen == [during, during]
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == before
        wal = path.with_name(path.name + ".wal")
        assert not wal.exists() or wal.stat().st_size == 0
        con.close()


def test_a_deferred_dump_the_warehouse_holds_is_not_parsed_again(
    tmp_path: Path, corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retried writer step (or a second backfill racing the first) finds dumps already loaded: they are
    counted as skipped without being parsed again; the others are parsed and loaded."""
    import warehouse.parsing as parsing
    from warehouse.ingest import LandedBatch, RunInfo, stage_dir
    from warehouse.ingest import load as load_step

    store = RawStore(tmp_path / "raw")
    metas = _metas(store, corpus[:3])
    con = _connect(tmp_path / "w.duckdb")
    load.load_or_quarantine(con, [parse_one(metas[0])])
    parsed: list[str] = []

    def counted(meta: DumpMeta, *args: object) -> object:
        parsed.append(meta.file_name)
        return parse_one(meta, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(parsing, "parse_one", counted)
    items = defer(metas, None, 1, str(stage_dir(store)))
    summary = load_step(con, LandedBatch(new=metas), items, RunInfo(trigger="test"))
    assert parsed == [m.file_name for m in metas[1:]]
    assert (summary.dumps_new, summary.dumps_skipped) == (2, 1)
