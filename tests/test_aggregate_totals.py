"""The small summary tables (agg_mentions_year_medium, agg_citation_sources, agg_outlet_stats) are
recomputed by group by an incremental refresh (warehouse/aggregates.py, sql/refresh/total_groups.sql
and aggregate_totals.sql); after every refresh they must equal a whole recomputation exactly.

A real warehouse of two writers (generated dumps through the one ingest path), then re-deliveries
of one of its dumps (the same file name, delivered later: the older is superseded) whose posts moved
between groups: a piece's year, a piece's outlet, a mention's medium and outlet, a note's source
and domain, a post dropped, an outlet renamed in the same load; then the original again. Each is
loaded and refreshed as a run does (``load_dump``, ``refresh_derived``) on the real DuckDB file,
with the backfill threshold raised so that the refresh is the incremental one a nightly run's is.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import ingest_files

from transforms.models import Citation, OutletRef, ParsedDump, Post
from transforms.parse import parse_dump
from warehouse import aggregates, refresh
from warehouse.connections import Warehouse
from warehouse.ingest import ingest
from warehouse.load import load_dump
from warehouse.rawstore import DumpMeta, RawStore
from warehouse.refresh import refresh_derived
from warehouse.storage import connect_writer
from warehouse.writers import Writer

TOTALS = aggregates.TOTAL_TABLES
OTHER = Writer(writer_id="nadia-haddad", name="Nadia Haddad")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Two writers' warehouse; returns it and the default writer's dumps."""
    from samples.generator import generate_corpus

    root = tmp_path_factory.mktemp("totals")
    mine = generate_corpus(root / "mine", n_dumps=5, seed=61)
    theirs = generate_corpus(root / "theirs", n_dumps=2, seed=62, author="Nadia Haddad")
    db = root / "warehouse.duckdb"
    ingest_files(mine, db)
    ingest(theirs, Warehouse(db), RawStore(root / "raw"), writer=OTHER)
    return db, mine


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    return {t: sorted(repr(r) for r in con.execute(f"SELECT * FROM {t}").fetchall()) for t in TOTALS}


def _whole(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The three tables as a whole recomputation leaves them (the full refresh's way: emptied, then
    every group), rolled back."""
    con.execute("BEGIN TRANSACTION")
    try:
        aggregates.recompute_every_total(con)
        return _totals(con)
    finally:
        con.execute("ROLLBACK")


def _redeliver(
    con: duckdb.DuckDBPyConnection, pages: list[tuple[ParsedDump, Writer | None]], tag: str
) -> None:
    """Load each page as a newer delivery of its file, then refresh once, as a run does."""
    latest = con.execute("SELECT max(received_at) FROM dumps").fetchone()[0]
    for n, (parsed, writer) in enumerate(pages, start=1):
        meta = DumpMeta(
            dump_id=hashlib.sha256(f"{tag} {n}".encode()).hexdigest(),
            file_name=parsed.dump_file,
            size_bytes=1000,
            received_at=latest + timedelta(minutes=n),
            raw_path=f"/raw/{tag}/{n}",
            writer=writer,
        )
        load_dump(con, meta, parsed)
    refresh_derived(con)


def _outlet(name: str) -> OutletRef:
    return OutletRef(name=name, matched_text=name, in_gazetteer=False)


def _first_note(posts: list[Post]) -> Citation:
    return next(c for p in posts for c in p.citations if not c.is_comment)


def _moved(parsed: ParsedDump, courier: str = "Quay Courier") -> ParsedDump:
    """The same page with posts moved between the summaries' groups: a piece's year and another's
    outlet, a mention's medium and outlet, a note's source and domain, a post dropped; and a mention
    of a new outlet (``courier``), this writer's only one."""
    posts = [p.model_copy(deep=True) for p in parsed.posts]
    pieces = [p for p in posts if p.piece]
    year_post = next(p for p in pieces if p.piece.dating.year)
    dating = year_post.piece.dating
    year_post.piece.dating = dating.model_copy(
        update={"year": dating.year - 3, "published_date": None, "date_min": None, "date_max": None}
    )
    outlet_post = next(p for p in pieces if p is not year_post)
    outlet_post.piece.outlet = _outlet("Harbour Gazette")
    mention = next(m for p in posts for m in p.mentions if m.outlet)
    mention.medium = "podcast" if mention.medium != "podcast" else "radio"
    mention.outlet = _outlet("Valley Radio")
    template = mention.model_copy()
    year_post.mentions.append(template.model_copy(update={"outlet": _outlet(courier), "medium": "tv"}))
    note = _first_note(posts)
    note.source, note.url = "Moved Source", "https://www.moved-example.org/a"
    posts.remove(next(p for p in pieces if p not in (year_post, outlet_post) and not p.mentions))
    return parsed.model_copy(update={"posts": posts})


def _renamed(parsed: ParsedDump) -> ParsedDump:
    """The same page with a piece naming the ``_moved`` page's new outlet with a name that sorts first
    (same outlet id: the outlet is renamed) and one note's URL, so its domain, changed."""
    posts = [p.model_copy(deep=True) for p in parsed.posts]
    next(p for p in posts if p.piece).piece.outlet = _outlet("QUAY COURIER")
    _first_note(posts).url = "https://elsewhere-example.net/b"
    return parsed.model_copy(update={"posts": posts})


def test_totals_by_group_equal_a_whole_recomputation(
    base: tuple[Path, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, mine = base
    monkeypatch.setattr(aggregates, "FULL_REFRESH_SHARE", 1.0)
    incremental: list[int] = []
    by_group = refresh.refresh_aggregates

    def counted(con: duckdb.DuckDBPyConnection) -> None:
        incremental.append(1)
        by_group(con)

    monkeypatch.setattr(refresh, "refresh_aggregates", counted)
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    con = connect_writer(copy)
    try:
        page = parse_dump(mine[1].read_text(encoding="utf-8"), mine[1].name)
        known = {r[0] for r in con.execute("SELECT post_id FROM posts").fetchall()}
        assert {p.post_id for p in page.posts} <= known, "the re-delivery names the same posts"
        theirs_file, raw = con.execute(
            "SELECT file_name, raw_path FROM dumps WHERE writer_id = ? ORDER BY file_name LIMIT 1",
            [OTHER.writer_id],
        ).fetchone()
        theirs = parse_dump(Path(raw).read_text(encoding="utf-8"), theirs_file)
        assert _totals(con) == _whole(con)

        moved = _moved(page)
        # the courier's mention moves to another outlet while another writer's piece renames it: the
        # group it leaves is known by the outlet's old name only
        left = _moved(page, courier="Valley Radio")
        steps = [
            ("moved", [(moved, None)]),
            ("left a renamed outlet", [(left, None), (_renamed(theirs), OTHER)]),
            ("original again", [(page, None), (theirs, OTHER)]),
        ]
        for tag, pages in steps:
            before = _totals(con)
            _redeliver(con, pages, tag)
            after = _totals(con)
            assert after != before, f"{tag}: the step must move rows between groups"
            assert after == _whole(con), f"{tag}: by group differs from whole"
            if tag == "moved":  # the courier's group, which the next step leaves
                courier = (
                    "SELECT mentions FROM agg_outlet_stats"
                    " WHERE outlet_id = 'quay-courier' AND writer_id = 'default'"
                )
                assert con.execute(courier).fetchall() == [(1,)]
        assert len(incremental) == len(steps), "each refresh was the incremental one"
        assert con.execute("SELECT name FROM outlets WHERE outlet_id = 'quay-courier'").fetchone()[0] == (
            "QUAY COURIER"
        )
    finally:
        con.close()


def test_a_full_refresh_recomputes_every_group(base: tuple[Path, list[Path]], tmp_path: Path) -> None:
    """A full refresh empties the small tables and recomputes every group: the same rows as before (the
    warehouse was sound), and a stale or stray row is gone."""
    db, _mine = base
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    con = connect_writer(copy)
    try:
        sound = _totals(con)
        con.execute("UPDATE agg_mentions_year_medium SET mentions = mentions + 5")
        con.execute(
            "INSERT INTO agg_outlet_stats (outlet_id, pieces, mentions, writer_id)"
            " VALUES ('gone', 1, 0, 'default')"
        )
        refresh_derived(con, full=True)
        assert _totals(con) == sound
    finally:
        con.close()
