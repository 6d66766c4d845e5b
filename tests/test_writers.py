"""Many writers in one warehouse: writers.yaml, landing sub-folders, --writer, ids and authors per writer."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import main
from orchestration.resources import LandingFolder
from orchestration.sensors import landing_sensor
from samples.generator import generate_corpus
from transforms.models import ParseSettings
from warehouse.connections import Warehouse
from warehouse.ingest import ingest
from warehouse.integrity import RULES, count
from warehouse.landing import scan_landing_report
from warehouse.publish import read_copy_path
from warehouse.rawstore import RawStore
from warehouse.writers import (
    Writer,
    WriterRegistry,
    WritersFileError,
    authors_with_writer,
    default_writers_file,
    scoped_id,
)

WRITERS_YAML = """
default:
  name: Mara Kellerman
writers:
  jane-doe:
    name: Jane Doe
    site: https://www.JaneDoe.net/blog/
    aliases: [J. Doe]
"""


def _registry(tmp_path: Path, text: str) -> WriterRegistry:
    path = tmp_path / "writers.yaml"
    path.write_text(text, encoding="utf-8")
    return WriterRegistry.load(path)


def _rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(read_copy_path(db)), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# ------------------------------------------------------------------------------------ writers.yaml


def test_writers_file_names_writers_by_slug_name_and_alias(tmp_path: Path) -> None:
    reg = _registry(tmp_path, WRITERS_YAML)
    jane = reg.for_folder("jane-doe")
    assert jane == Writer(writer_id="jane-doe", name="Jane Doe", site="janedoe.net", aliases=("J. Doe",))
    assert reg.for_folder("Jane Doe") == jane and reg.for_name("j. doe") == jane  # name, alias
    assert reg.default() == Writer(writer_id="default", name="Mara Kellerman")
    assert reg.for_name("Mara Kellerman").writer_id == "default"
    # not listed: the folder name is the display name; --writer makes a new writer with its site
    assert reg.for_folder("Tom Öster") == Writer(writer_id="tom-oster", name="Tom Öster")
    assert reg.for_name("Ann Lee", site="http://annlee.org/about").site == "annlee.org"
    # the parser is told the writer's name and site
    settings = jane.parse_settings(ParseSettings(blog_author="Someone Else"))
    assert (settings.blog_author, settings.site) == ("Jane Doe", "janedoe.net")


def test_writers_file_lives_beside_the_landing_folder_unless_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BYLINES_WRITERS", raising=False)
    assert default_writers_file(tmp_path / "data" / "landing") == tmp_path / "data" / "writers.yaml"
    monkeypatch.setenv("BYLINES_WRITERS", str(tmp_path / "elsewhere.yaml"))
    assert default_writers_file(tmp_path / "data" / "landing") == tmp_path / "elsewhere.yaml"
    assert WriterRegistry.load(tmp_path / "absent.yaml").listed() == []  # no file: no listed writer


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("writers: [jane]", "writers: Input should be a valid dictionary"),
        ("writers:\n  Jane Doe:\n    name: Jane Doe\n", "'Jane Doe' is not a writer slug"),
        ("writers:\n  default:\n    name: X\n", "'default' is the writer of files directly"),
        ("writers:\n  jane:\n    nmae: Jane\n", "writers.jane.name: Field required"),
        ("writers:\n  jane:\n    name: Jane\n    site: not a site\n", "is not a web site's domain"),
        ("writers:\n  a:\n    name: Jane\n  b:\n    name: X\n    aliases: [jane]\n", "given to two writers"),
        ("unlisted_folders: maybe\n", "unlisted_folders: Input should be 'writer' or 'refuse'"),
        ("writers:\n  jane: {name: [unclosed\n", "is not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
)
def test_a_malformed_writers_file_is_a_clear_error(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(WritersFileError) as caught:
        _registry(tmp_path, text)
    assert says in str(caught.value) and str(tmp_path / "writers.yaml") in str(caught.value)


def test_authors_rule_the_writer_is_first_unless_the_text_names_others() -> None:
    jane = Writer(writer_id="jane-doe", name="Jane Doe", aliases=("J. Doe",))
    assert authors_with_writer([], jane, None) == ["Jane Doe"]
    assert authors_with_writer(["Jane Doe", "Ali Khan"], jane, "Jane Doe") == ["Jane Doe", "Ali Khan"]
    assert authors_with_writer(["J. Doe", "Ali Khan"], jane, None) == ["Jane Doe", "Ali Khan"]  # an alias
    assert authors_with_writer(["Mara Blog"], jane, "Mara Blog") == ["Jane Doe"]  # the detected blog author
    assert authors_with_writer(["Ali Khan"], jane, "Jane Doe") == ["Ali Khan"]  # a guest piece
    assert authors_with_writer([], Writer(writer_id="default"), None) == []  # unnamed default: as parsed
    # the default writer is whom its dumps were parsed for (a run's setting wins over its name)
    mara = Writer(writer_id="default", name="Mara Kellerman")
    assert authors_with_writer([], mara, "Run Setting") == ["Run Setting"]
    assert authors_with_writer(["Run Setting"], mara, "Run Setting") == ["Run Setting"]
    assert authors_with_writer([], mara, None) == ["Mara Kellerman"]


def test_ids_are_scoped_to_writers_and_the_default_writer_keeps_the_parsers() -> None:
    assert scoped_id("a_0123456789abcdef", "default") == "a_0123456789abcdef"
    jane, ann = scoped_id("a_0123456789abcdef", "jane-doe"), scoped_id("a_0123456789abcdef", "ann-lee")
    assert jane != ann and jane.startswith("a_") and len(jane) == len("a_0123456789abcdef")
    assert scoped_id("a_0123456789abcdef", "jane-doe") == jane  # stable


# ------------------------------------------------------------------------------------- landing


def _aged(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    past = time.time() - 600
    os.utime(path, (past, past))
    return path


def test_landing_sub_folders_are_writers_and_deeper_or_refused_ones_say_why(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    body = b"Posts Tagged 'Rivers'\n\nOur own short test post about rivers.\n"
    _aged(landing / "top.txt", body)
    _aged(landing / "jane-doe" / "a.txt", body + b"a")
    _aged(landing / "Ann Lee" / "b.txt", body + b"b")
    _aged(landing / "jane-doe" / "old" / "c.txt", body + b"c")
    scan = scan_landing_report(landing, 0, writers=_registry(tmp_path, WRITERS_YAML))
    assert {f.file_name: f.writer.writer_id for f in scan.ready if f.writer} == {
        "top.txt": "default",
        "a.txt": "jane-doe",
        "b.txt": "ann-lee",
    }
    (nested,) = scan.refused
    assert nested.file_name == "c.txt" and "sub-folder (jane-doe/old/c.txt)" in nested.reason

    closed = _registry(tmp_path, WRITERS_YAML + "unlisted_folders: refuse\n")
    scan = scan_landing_report(landing, 0, writers=closed)
    refused = {r.file_name: r.reason for r in scan.refused}
    assert {f.file_name for f in scan.ready} == {"top.txt", "a.txt"}
    assert "landing sub-folder Ann Lee/" in refused["b.txt"] and "'ann-lee:'" in refused["b.txt"]
    assert str(tmp_path / "writers.yaml") in refused["b.txt"]


def test_sensor_watches_the_writers_folders(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (tmp_path / "writers.yaml").write_text(WRITERS_YAML + "unlisted_folders: refuse\n", encoding="utf-8")
    body = b"Posts Tagged 'Rivers'\n\nOur own short test post about rivers.\n"
    mine = _aged(landing / "jane-doe" / "a.txt", body)
    instance = dg.DagsterInstance.ephemeral()
    resources = {"landing": LandingFolder(path=str(landing), settle_seconds=30)}

    def tick(cursor: str | None) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources)
        return landing_sensor.evaluate_tick(context)

    first = tick(None)
    assert [r.run_config["ops"]["landed_dumps"]["config"]["paths"] for r in first.run_requests] == [
        [str(mine.absolute())]
    ]
    # a file in a folder writers.yaml refuses: a whole-folder run, whose scan quarantines it with the reason
    _aged(landing / "nobody" / "b.txt", body + b"b")
    second = tick(first.cursor)
    assert [r.run_config["ops"]["landed_dumps"]["config"]["paths"] for r in second.run_requests] == [[]]
    assert not tick(second.cursor).run_requests
    # a malformed writers.yaml fails the tick with the file's problem, not silence
    (tmp_path / "writers.yaml").write_text("writers: [oops]\n", encoding="utf-8")
    with pytest.raises(Exception, match="writers.yaml is malformed"):
        tick(second.cursor)


# ------------------------------------------------------------------------------------- ingest


def _corpus(tmp_path: Path) -> list[Path]:
    return generate_corpus(tmp_path / "gen", n_dumps=3, seed=1616, author="Jane Doe")


def test_two_writers_with_the_same_pieces_never_share_an_article(tmp_path: Path) -> None:
    """The same titles under two writers are two sets of pieces; one writer's piece seen in several of their
    dumps keeps one id; supersession and the contract views go by writer."""
    pages = _corpus(tmp_path)
    landing = tmp_path / "landing"
    (tmp_path / "writers.yaml").write_text(WRITERS_YAML, encoding="utf-8")
    for page in pages:  # the same file names; a byte more for Ann (identical bytes would be one dump)
        _aged(landing / "jane-doe" / page.name, page.read_bytes())
        _aged(landing / "Ann Lee" / page.name, page.read_bytes() + b"\n")
    db = tmp_path / "warehouse.duckdb"
    summary = ingest(None, Warehouse(db), RawStore(tmp_path / "raw"), landing=landing)
    assert summary.dumps_new == 6 and summary.dumps_quarantined == 0
    assert any("'Ann Lee' (ann-lee) is named by its landing folder" in w for w in summary.warnings)

    per_writer = dict(
        _rows(
            db,
            "SELECT writer_id, list(DISTINCT article_id) FROM v_post_sightings WHERE article_id IS NOT NULL"
            " GROUP BY 1",
        )
    )
    jane, ann = set(per_writer["jane-doe"]), set(per_writer["ann-lee"])
    assert jane and len(jane) == len(ann) and not jane & ann
    # within a writer, a piece listed on several pages is one article (the pages overlap)
    (shared,) = _rows(
        db,
        "SELECT count(*) FROM (SELECT article_id FROM v_post_sightings WHERE writer_id = 'jane-doe'"
        " AND article_id IS NOT NULL GROUP BY 1 HAVING count(DISTINCT dump_file) > 1)",
    )[0]
    assert shared > 0
    titles = _rows(
        db, "SELECT writer_id, count(DISTINCT title), count(*) FROM articles GROUP BY 1 ORDER BY 1"
    )
    assert titles[0][1:] == titles[1][1:]  # the same titles, once per writer
    # same file names under two writers: neither delivery supersedes the other
    assert _rows(db, "SELECT count(*) FROM dumps WHERE superseded_by IS NOT NULL") == [(0,)]
    assert _rows(db, "SELECT writer_id, display_name, site FROM writers ORDER BY 1") == [
        ("ann-lee", "Ann Lee", None),
        ("default", "Mara Kellerman", None),
        ("jane-doe", "Jane Doe", "janedoe.net"),
    ]
    # the writer is every piece's first author unless the text names others (co-authors kept)
    authors = _rows(db, "SELECT writer_id, authors FROM articles")
    assert all(a for _w, a in authors)
    assert sum("Jane Doe" in a for w, a in authors if w == "jane-doe") == len(jane)
    # Ann's pages carry Jane's bylines ("By Jane Doe"): those name another author; the rest are Ann's
    ann_authors = [a for w, a in authors if w == "ann-lee"]
    assert all(a[0] == "Ann Lee" or "Jane Doe" in a for a in ann_authors)
    assert 0 < sum(a[0] == "Ann Lee" for a in ann_authors) < len(ann_authors)
    with Warehouse(db).reader() as con:
        assert {r.name: count(con, r.sql) for r in RULES if count(con, r.sql)} == {}

    # a re-delivery of Jane's first page, changed: supersedes Jane's page only
    changed = _aged(landing / "jane-doe" / pages[0].name, pages[0].read_bytes() + b"\n\n")
    ingest([changed], Warehouse(db), RawStore(tmp_path / "raw"), landing=landing)
    assert _rows(db, "SELECT writer_id, file_name FROM dumps WHERE superseded_by IS NOT NULL") == [
        ("jane-doe", pages[0].name)
    ]


def test_backfill_with_writer_and_site_then_rebuild_keeps_the_writers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = _corpus(tmp_path)
    db = tmp_path / "w.duckdb"
    landing = tmp_path / "landing"
    monkeypatch.setenv("BYLINES_WRITERS", str(tmp_path / "no-such-writers.yaml"))
    args = ["ingest", *map(str, pages[:2]), "--warehouse", str(db), "--landing", str(landing)]
    assert main([*args, "--writer", "Jane Doe", "--site", "https://janedoe.net/"]) == 0
    assert main(["ingest", str(pages[2]), "--warehouse", str(db), "--landing", str(landing)]) == 0
    out = capsys.readouterr().out
    assert "'Jane Doe' (jane-doe) is named by its landing folder or --writer" in out
    expected = [("default", 1), ("jane-doe", 2)]
    assert _rows(db, "SELECT writer_id, count(*) FROM dumps GROUP BY 1 ORDER BY 1") == expected
    assert _rows(db, "SELECT site FROM writers WHERE writer_id = 'jane-doe'") == [("janedoe.net",)]
    before = _rows(db, "SELECT writer_id, article_id, authors FROM articles ORDER BY 2")

    db.unlink()
    assert main(["rebuild", "--warehouse", str(db)]) == 0  # the raw store remembers whose each dump is
    assert _rows(db, "SELECT writer_id, count(*) FROM dumps GROUP BY 1 ORDER BY 1") == expected
    assert _rows(db, "SELECT writer_id, article_id, authors FROM articles ORDER BY 2") == before
    assert _rows(db, "SELECT site FROM writers WHERE writer_id = 'jane-doe'") == [("janedoe.net",)]


def test_a_malformed_writers_file_fails_the_run_with_its_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (page,) = _corpus(tmp_path)[:1]
    bad = tmp_path / "writers.yaml"
    bad.write_text("writers:\n  Jane Doe:\n    name: Jane\n", encoding="utf-8")
    monkeypatch.setenv("BYLINES_WRITERS", str(bad))
    code = main(["ingest", str(page), "--warehouse", str(tmp_path / "w.duckdb")])
    out = capsys.readouterr().out
    assert code == 1
    assert f"the writers file {bad} is malformed" in out and "'Jane Doe' is not a writer slug" in out
    assert not (tmp_path / "w.duckdb").exists() or _rows(
        tmp_path / "w.duckdb", "SELECT count(*) FROM dumps"
    ) == [(0,)]
