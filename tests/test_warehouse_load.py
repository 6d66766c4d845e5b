"""The loader on real DuckDB files: idempotent, order-independent, de-duplicating, topics accumulate."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from conftest import ingest_files

from dashboard import queries
from transforms.models import Archive, Citation, DateEstimate, Mention, OutletRef, ParsedDump, Piece, Post
from warehouse.integrity import content_digest, duplicate_counts, orphan_counts
from warehouse.load import load_dump, quarantine_dump
from warehouse.publish import read_copy_path
from warehouse.rawstore import DumpMeta
from warehouse.refresh import refresh_derived
from warehouse.schema import apply_schema


def _outlet(name: str) -> OutletRef:
    return OutletRef(name=name, matched_text=name, in_gazetteer=True, outlet_kind="newspaper")


def _post(
    seq: int,
    key: str,
    line: int,
    year: int | None,
    conf: float = 0.9,
    topics: list[str] | None = None,
    notes: int = 0,
) -> Post:
    stated = date(year, 3, seq) if year else None
    piece = Piece(
        title=f"Thoughts on harbour {key}",
        title_line=line + 2,
        outlet=_outlet("Harbour Gazette"),
        kind="op-ed",
        authors=["Ann Writer"],
        dating=DateEstimate(
            published_date=stated,
            date_precision="day" if stated else None,
            year=year,
            basis="stated" if year else None,
        ),
        body=f"A body about harbour {key}.",
        word_count=4,
    )
    return Post(
        seq=seq,
        start_line=line,
        end_line=line + 6,
        intro=f"My newest piece on harbour {key}.",
        piece=piece,
        mentions=[
            Mention(
                outlet=_outlet("Valley Radio"), medium="radio", about="ports", evidence="spoke to", line=line
            )
        ],
        citations=[
            Citation(note_number=n, source="Port Authority", raw_text=f"[{n}] Port Authority", line=line + 5)
            for n in range(1, notes + 1)
        ],
        topics=topics or [],
        confidence=conf,
        post_id=f"p-{key}",
        article_id=f"a-{key}",
        fingerprint=f"f-{key}",
    )


def _dump(name: str, label: str, posts: list[Post]) -> tuple[DumpMeta, ParsedDump]:
    dump_id = (name.encode().hex() * 8)[:64]
    meta = DumpMeta(
        dump_id=dump_id,
        file_name=name,
        size_bytes=100,
        encoding="utf-8",
        received_at=datetime(2024, 1, 1 + len(name) % 20),
        raw_path=f"/raw/{dump_id}",
    )
    parsed = ParsedDump(dump_file=name, archive=Archive(label=label, kind="tag"), posts=posts, line_count=100)
    return meta, parsed


def _dumps() -> list[tuple[DumpMeta, ParsedDump]]:
    a = _dump(
        "ports.txt",
        "Ports",
        [
            _post(1, "x", 3, 2021, topics=["Ports"], notes=2),
            _post(2, "y", 12, None, topics=["Ports"]),
            _post(3, "z", 21, 2019, topics=["Ports"]),
        ],
    )
    b = _dump(
        "ships.txt",
        "Ships",
        [
            _post(1, "y", 3, None, conf=0.95, topics=["Ships"]),
            _post(2, "w", 12, 2018, topics=["Ships"], notes=1),
        ],
    )
    return [a, b]


def _load_all(db: Path, dumps: list[tuple[DumpMeta, ParsedDump]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db))
    apply_schema(con)
    for meta, parsed in dumps:
        load_dump(con, meta, parsed)
    refresh_derived(con)
    return con


def test_load_is_idempotent(tmp_path: Path) -> None:
    con = _load_all(tmp_path / "w.duckdb", _dumps())
    before = content_digest(con)
    meta, parsed = _dumps()[0]
    stats = load_dump(con, meta, parsed)
    refresh_derived(con)
    assert content_digest(con) == before
    assert stats.articles_new == 0 and stats.articles_updated == 0
    assert before["articles"].startswith("4:")


def test_load_order_does_not_matter(tmp_path: Path) -> None:
    one = content_digest(_load_all(tmp_path / "a.duckdb", _dumps()))
    two = content_digest(_load_all(tmp_path / "b.duckdb", list(reversed(_dumps()))))
    assert one == two


def test_topics_accumulate_and_best_sighting_wins(tmp_path: Path) -> None:
    con = _load_all(tmp_path / "w.duckdb", _dumps())
    topics = con.execute(
        "SELECT list(t.name ORDER BY t.name) FROM article_topics a JOIN topics t USING (topic_id)"
        " WHERE article_id = 'a-y'"
    ).fetchone()[0]
    assert topics == ["Ports", "Ships"]
    best = con.execute(
        "SELECT p.best_dump_id, d.file_name FROM posts p JOIN dumps d ON d.dump_id = p.best_dump_id"
        " WHERE post_id = 'p-y'"
    ).fetchone()
    assert best[1] == "ships.txt"  # higher confidence
    rows = con.execute(
        "SELECT dump_file, topics FROM v_post_sightings WHERE post_id = 'p-y' ORDER BY 1"
    ).fetchall()
    assert rows == [("ports.txt", ["Ports", "Ships"]), ("ships.txt", ["Ports", "Ships"])]


def test_contract_views(tmp_path: Path) -> None:
    con = _load_all(tmp_path / "w.duckdb", _dumps())
    row = con.execute(
        "SELECT dump_file, seq, start_line, end_line, title, outlet, kind, published_date, year,"
        " date_basis, authors"
        " FROM v_post_sightings WHERE dump_file = 'ports.txt' AND seq = 1"
    ).fetchone()
    assert row == (
        "ports.txt",
        1,
        3,
        9,
        "Thoughts on harbour x",
        "Harbour Gazette",
        "op-ed",
        date(2021, 3, 1),
        2021,
        "stated",
        ["Ann Writer"],
    )
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'v_post_sightings'"
        ).fetchall()
    )
    assert types["year"] == "INTEGER" and types["published_date"] == "DATE" and types["topics"] == "VARCHAR[]"
    assert con.execute("SELECT count(*) FROM v_mentions WHERE outlet = 'Valley Radio'").fetchone()[0] == 5
    assert con.execute(
        "SELECT list(note_number ORDER BY note_number) FROM v_citations"
        " WHERE dump_file = 'ports.txt' AND seq = 1"
    ).fetchone()[0] == [1, 2]


def _delivery(meta: DumpMeta, day: int, posts: list[Post]) -> tuple[DumpMeta, ParsedDump]:
    """A newer delivery of ``meta``'s page (same file name, other bytes) listing ``posts``, in order."""
    newer = meta.model_copy(update={"dump_id": f"{day:x}" * 64, "received_at": datetime(2025, 1, day)})
    listed = [post.model_copy(update={"seq": k}) for k, post in enumerate(posts, start=1)]
    page = ParsedDump(
        dump_file=meta.file_name, archive=Archive(label="Ports", kind="tag"), posts=listed, line_count=100
    )
    return newer, page


def _articles(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()}


def test_a_page_crawled_again_keeps_the_posts_that_fell_off_its_end(tmp_path: Path) -> None:
    """Page 1 crawled twice more, each time with newer posts on top: the posts pushed off its end
    (to page 2, not crawled) stay pieces, retained by the delivery that last listed them."""
    dumps = _dumps()
    meta, parsed = dumps[0]  # ports.txt: x, y, z (z on no other page)
    x = parsed.posts[0]
    n, m = _post(1, "n", 3, 2022, topics=["Ports"]), _post(1, "m", 3, 2023, topics=["Ports"])
    second, third = _delivery(meta, 2, [n, x]), _delivery(meta, 3, [m, n])
    con = _load_all(tmp_path / "w.duckdb", [*dumps, second, third])
    current = {r[0] for r in con.execute("SELECT dump_id FROM v_current_dumps").fetchall()}
    assert meta.dump_id not in current and second[0].dump_id not in current
    # the page as delivered now lists m and n; the pieces x, y and z stay in the record
    assert (
        con.execute("SELECT count(*) FROM v_post_sightings WHERE dump_file = 'ports.txt'").fetchone()[0] == 2
    )
    assert _articles(con) == {"a-m", "a-n", "a-x", "a-y", "a-z", "a-w"}
    retained = dict(
        con.execute("SELECT dump_id, retained_from FROM dumps WHERE superseded_by IS NOT NULL").fetchall()
    )
    assert retained == {meta.dump_id: 2, second[0].dump_id: 2}  # after x; after n
    # z keeps its topic and its year; its provenance is its old delivery
    assert con.execute(
        "SELECT t.name FROM article_topics a JOIN topics t USING (topic_id) WHERE a.article_id = 'a-z'"
    ).fetchall() == [("Ports",)]
    assert con.execute("SELECT year, best_dump_id FROM posts WHERE post_id = 'p-z'").fetchone() == (
        2019,
        meta.dump_id,
    )
    assert not any(orphan_counts(con).values()) and not any(duplicate_counts(con).values())
    # the same tables as a full re-derivation, and as loading in another order
    before = content_digest(con)
    refresh_derived(con, full=True)
    assert content_digest(con) == before
    other = _load_all(tmp_path / "o.duckdb", [third, second, *reversed(dumps)])
    assert content_digest(other) == before


def test_a_post_missing_from_the_middle_of_a_page_crawled_again_leaves(tmp_path: Path) -> None:
    """A post the newer delivery no longer lists above one it still lists was withdrawn (or retitled):
    it leaves the canonical tables, while the older delivery's sightings stay as history."""
    dumps = _dumps()
    meta, parsed = dumps[0]
    newer = _delivery(meta, 2, parsed.posts[1:])  # y, z: x (the newest, on top) is gone
    con = _load_all(tmp_path / "w.duckdb", [*dumps, newer])
    assert con.execute(
        "SELECT superseded_by, retained_from FROM dumps WHERE dump_id = ?", [meta.dump_id]
    ).fetchone() == (
        newer[0].dump_id,
        4,  # past z, its last post (seq 3): none retained
    )
    assert "a-x" not in _articles(con) and {"a-y", "a-z"} <= _articles(con)
    kept = con.execute("SELECT count(*) FROM post_sightings WHERE dump_id = ?", [meta.dump_id]).fetchone()[0]
    assert kept == len(parsed.posts)
    # the rules hold (they did not: a re-delivered page that dropped a post failed every later run's checks)
    assert not any(orphan_counts(con).values()) and not any(duplicate_counts(con).values())


def test_a_real_page_crawled_again_keeps_what_fell_off_and_counts_what_left(tmp_path: Path) -> None:
    """Through the parser and the one ingest path: a generated tag page crawled again later, with a
    newer post on top, its last two posts pushed off (to page 2, not crawled) and one piece in the
    middle withdrawn. The pushed-off pieces stay; the withdrawn one leaves, and the run says so."""
    from samples.generator import generate_corpus, read_truth

    first, other, *_ = generate_corpus(tmp_path / "dumps", n_dumps=4, seed=31, with_truth=True)
    lines = first.read_text(encoding="utf-8").splitlines()
    truth, newer_post = read_truth(first), read_truth(other)["posts"][0]
    posts = truth["posts"]
    assert len(posts) >= 6 and newer_post["title"] not in {t["title"] for t in posts}
    withdrawn = next(k for k in range(1, len(posts) - 3) if posts[k]["title"])

    def block(post: dict, page: list[str]) -> str:
        return "\n".join(page[post["start_line"] - 1 : post["end_line"]])

    newer = [block(newer_post, other.read_text(encoding="utf-8").splitlines())]
    newer += [block(post, lines) for k, post in enumerate(posts[:-2]) if k != withdrawn]
    recrawled = tmp_path / "later" / first.name
    recrawled.parent.mkdir()
    recrawled.write_text("\n\n".join([lines[0], *newer]) + "\n", encoding="utf-8")

    db = tmp_path / "w.duckdb"
    assert ingest_files([first], db)["articles_left"] == 0
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        before = {r[0] for r in con.execute("SELECT title FROM articles").fetchall()}
    summary = ingest_files([recrawled], db)
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        after = {r[0] for r in con.execute("SELECT title FROM articles").fetchall()}
        retained = con.execute(
            "SELECT count(*) FROM posts p JOIN dumps d ON d.dump_id = p.best_dump_id"
            " WHERE d.superseded_by IS NOT NULL AND p.article_id IS NOT NULL"
        ).fetchone()[0]
        logged = con.execute("SELECT articles_left FROM ingest_runs ORDER BY started_at").fetchall()
        listing = queries.dumps()  # the Data quality page's list of deliveries
        shown = con.execute(
            f"SELECT superseded, posts_retained FROM ({listing.sql}) ORDER BY received_at", listing.params
        ).fetchall()
        assert not any(orphan_counts(con).values()) and not any(duplicate_counts(con).values())
    assert retained > 0  # the pieces pushed off are kept, by the older delivery
    assert len(before - after) == summary["articles_left"] == 1 and len(after - before) == 1
    assert logged == [(0,), (1,)]
    assert shown[1] == (False, None) and shown[0][0] and shown[0][1] == retained


def test_quarantine_recorded(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    apply_schema(con)
    meta, _ = _dump("broken.txt", "x", [])
    quarantine_dump(con, meta, "not an archive dump: no posts found")
    assert con.execute("SELECT status, error FROM dumps").fetchall() == [
        ("quarantined", "not an archive dump: no posts found")
    ]
    assert con.execute("SELECT count(*) FROM v_post_sightings").fetchone()[0] == 0


def test_ingest_quarantines_bad_file_and_loads_the_rest(tmp_path: Path, seeds: list[Path]) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"   \n")
    summary = ingest_files([bad, seeds[0]], tmp_path / "w.duckdb")
    assert summary["dumps_quarantined"] == 1 and summary["dumps_new"] == 1
    con = duckdb.connect(str(read_copy_path(tmp_path / "w.duckdb")), read_only=True)
    assert (
        con.execute("SELECT status FROM dumps WHERE file_name = 'empty.txt'").fetchone()[0] == "quarantined"
    )


@pytest.fixture(scope="module")
def seeds_warehouse(tmp_path_factory: pytest.TempPathFactory, seeds: list[Path]) -> Path:
    db = tmp_path_factory.mktemp("seeds") / "w.duckdb"
    ingest_files(seeds, db)
    return db


def test_seeds_order_independent(tmp_path: Path, seeds: list[Path], seeds_warehouse: Path) -> None:
    other = tmp_path / "rev.duckdb"
    ingest_files(list(reversed(seeds)), other)
    with (
        duckdb.connect(str(seeds_warehouse), read_only=True) as a,
        duckdb.connect(str(other), read_only=True) as b,
    ):
        assert content_digest(a) == content_digest(b)


def test_seeds_dedup_and_score(seeds_warehouse: Path, eval_dir: Path) -> None:
    gold = [
        json.loads(p.read_text())
        for p in sorted((eval_dir / "gold").glob("*.json"))
        if p.name != "outlets.json"
    ]
    con = duckdb.connect(str(seeds_warehouse), read_only=True)
    ids: dict[str, set[str | None]] = {}
    for g in gold:
        for gp in g["posts"]:
            if gp.get("title") is None:
                continue
            row = con.execute(
                "SELECT article_id FROM v_post_sightings WHERE dump_file = ? AND start_line = ?",
                [Path(g["dump"]).name, gp["start_line"]],
            ).fetchone()
            ids.setdefault(gp["title"].casefold(), set()).add(row[0] if row else None)
    con.close()
    assert ids and all(len(v) == 1 and None not in v for v in ids.values())
    out = subprocess.run(
        [
            sys.executable,
            str(eval_dir / "score.py"),
            "--warehouse",
            str(seeds_warehouse),
            "--gold",
            str(eval_dir / "gold"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "dedup                 ok" in out.stdout


def test_full_refresh_changes_nothing(tmp_path: Path) -> None:
    con = _load_all(tmp_path / "w.duckdb", _dumps())
    before = content_digest(con)
    refresh_derived(con, full=True)
    assert content_digest(con) == before


def _random_pages(con: duckdb.DuckDBPyConnection, rnd: random.Random) -> None:
    """Pages (dumps) of posts drawn from one pool, each with a random mix of what dates a post can carry."""
    day = date(2005, 1, 1).toordinal()
    for page in range(40):
        status = "quarantined" if page % 17 == 16 else "loaded"
        superseded = f"d{page - 1:03d}" if page % 13 == 12 else None
        con.execute(
            "INSERT INTO dumps (dump_id, file_name, size_bytes, received_at, raw_path, status, superseded_by)"
            " VALUES (?, ?, 1, TIMESTAMP '2024-01-01', '-', ?, ?)",
            [f"d{page:03d}", f"p{page}.txt", status, superseded],
        )
        # three groups of pages, each with its own posts; in one no page states a date (text dates decide)
        group = page % 3
        stated = (0.0, 0.05, 0.3)[group]
        for seq in range(1, rnd.randint(2, 40)):
            kind = rnd.random()
            when = date.fromordinal(day + 3000 - 60 * seq + rnd.randint(-400, 400))  # pages run newest first
            published = when if kind < stated else None
            lo = when if stated <= kind < stated + 0.3 else None
            hi = date.fromordinal(when.toordinal() + rnd.randint(0, 900)) if rnd.random() < 0.2 else None
            evidence = rnd.choice([None, None, "year-end", "a note"])
            con.execute(
                "INSERT INTO post_sightings (dump_id, seq, post_id, start_line, end_line, confidence,"
                " warnings, intro, fingerprint, published_date, date_precision, year, date_basis, date_min,"
                " date_max, date_evidence) VALUES (?, ?, ?, 1, 2, 0.9, [], '', '', ?, ?, ?, ?, ?, ?, ?)",
                [
                    f"d{page:03d}",
                    seq,
                    f"post{group}-{rnd.randint(0, 50)}",
                    published,
                    "day" if published else None,
                    published.year if published else (lo.year if lo else None),
                    "stated" if published else ("text" if lo else None),
                    lo,
                    hi,
                    evidence,
                ],
            )


def test_incremental_year_inference_reads_reduced_pages_with_the_same_result(tmp_path: Path) -> None:
    """The reduced pages (each run of other posts as at most three rows) give every wanted post the
    estimate a pass over every page gives it."""
    from transforms.chronology import infer_years
    from warehouse.identity import CURRENT_SIGHTINGS
    from warehouse.years import year_rows, year_sequences

    rnd = random.Random(7)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    apply_schema(con)
    _random_pages(con, rnd)
    whole_pages = con.execute(  # every current sighting, page by page: what a pass over everything reads
        f"""
        SELECT s.dump_id, s.post_id, s.published_date, s.date_precision, s.date_text, s.year,
               s.date_basis, s.date_min, s.date_max, s.date_evidence
        FROM ({CURRENT_SIGHTINGS}) s ORDER BY s.dump_id, s.seq
        """
    ).fetchall()
    everything = infer_years(year_sequences(whole_pages))
    posts = sorted(everything)
    for size in (1, 2, 5, 20, 60, len(posts)):
        wanted = set(rnd.sample(posts, size))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _yr_posts AS SELECT unnest(?::VARCHAR[]) AS post_id",
            [sorted(wanted)],
        )
        rows = year_rows(con)
        got = {p: e for p, e in infer_years(year_sequences(rows)).items() if p in wanted}
        assert got == {p: everything[p] for p in wanted}
        if size <= 5:
            assert len(rows) < con.execute("SELECT count(*) FROM post_sightings").fetchone()[0] / 2
    con.close()
