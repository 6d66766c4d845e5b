"""Numbered notes (examples written by us; one check on a real seed's notes block)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.anatomy import Anatomy
from transforms.citations import extract_citations, looks_like_note


def test_looks_like_note() -> None:
    assert looks_like_note("12 \u201cA title,\u201d example.org, May 2, 2020.")
    assert looks_like_note("3\u201cGlued title\u201d example.org, May 2, 2020.")
    assert looks_like_note("9 Anna-Maria Holt, \u201cSome title,\u201d Example News, May 2, 2020.")
    assert not looks_like_note("The minister said 12 people were hurt.")
    assert not looks_like_note("2020 was a difficult year")
    assert not looks_like_note("5G masts were burned")
    assert looks_like_note("[4] Ibid.") and looks_like_note(
        "7. Jo Bloggs, \u201cA title,\u201d Kestrel Post, 2019."
    )


def test_several_notes_on_one_line_and_glued_numbers() -> None:
    lines = [
        (10, "1\u201cRiver levels rise in the east,\u201d floodwatch.org, March 3, 2020."),
        (
            11,
            "2 \u201cPort reopens after 11 days,\u201d Harbour News, April 4, 2020. "
            "3\u201cA ferry for 12 towns\u201d ferries.example.com, 5 May 2020.",
        ),
    ]
    cs = extract_citations(lines)
    assert [c.note_number for c in cs] == [1, 2, 3]
    assert [c.line for c in cs] == [10, 11, 11]
    assert cs[0].source == "floodwatch.org" and cs[0].title == "River levels rise in the east"
    assert cs[1].source == "Harbour News" and cs[1].cited_date == date(2020, 4, 4)
    assert cs[2].title == "A ferry for 12 towns" and cs[2].cited_date == date(2020, 5, 5)


def test_broken_url_is_rejoined_and_comment_notes_flagged() -> None:
    lines = [
        (
            20,
            "4 Sam Lee, \u201cCanal tolls explained,\u201d Shipping Weekly, June 1, 2019, "
            "https://www.example.com/news/ canal-tolls-2019/ part-2.html. See also the annex.",
        ),
        (21, "5 Some readers will remember the earlier dispute, which ended without a ruling."),
    ]
    a, b = extract_citations(lines)
    assert a.url == "https://www.example.com/news/canal-tolls-2019/part-2.html"
    assert a.source == "Shipping Weekly" and not a.is_comment
    assert b.is_comment and b.source is None and b.title is None


def test_nested_quotes_and_wrapped_line() -> None:
    lines = [
        (
            30,
            "6 \u201cEditors reply to \u201cA bad week\u201d: a short note,\u201d "
            "paper.example.cn, April 16, 2020,",
        ),
        (31, "https://paper.example.cn/a/ 123.html"),
    ]
    (c,) = extract_citations(lines)
    assert c.title == "Editors reply to \u201cA bad week\u201d: a short note"
    assert c.source == "paper.example.cn"
    assert c.url == "https://paper.example.cn/a/123.html"


def _seeds() -> Path:
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("BYLINES_SEEDS", root.parent / "shared" / "seeds"))


@pytest.mark.seeds
def test_real_notes_block_keeps_every_number() -> None:
    seeds = _seeds()
    if not seeds.is_dir():
        pytest.skip(f"seed dumps not found in {seeds} (set BYLINES_SEEDS)")
    checked = 0
    for path in sorted(seeds.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        # every maximal run of note lines (blank lines allowed) must number 1..N without gaps
        block: list[tuple[int, str]] = []
        for i, text in enumerate(lines + [""], start=1):
            if text.strip() and looks_like_note(text):
                block.append((i, text))
            elif text.strip() and block:
                if len(block) >= 10:
                    nums = [c.note_number for c in extract_citations(block)]
                    assert nums == list(range(1, len(nums) + 1)), path.name
                    checked += 1
                block = []
    if not checked:
        pytest.skip("no notes block in the seeds")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120), max_size=6))
def test_arbitrary_lines_never_raise_and_keep_line_numbers(texts: list[str]) -> None:
    lines = list(enumerate(texts, start=1))
    for c in extract_citations(lines):
        assert 1 <= c.line <= len(texts)
        assert c.note_number >= 0
    for t in texts:
        looks_like_note(t)


def _piece_ending(*tail: str) -> Anatomy:
    """The anatomy of a short piece (a title, a paragraph) whose last lines are ``tail``."""
    from transforms.anatomy import analyse

    lines = [
        "Title of the piece",
        "",
        "The talks had stalled for weeks before anyone noticed the change in tone of the statements.",
        "",
        *tail,
    ]
    return analyse(lines, 0, len(lines) - 1)


def test_a_numbered_body_line_alone_is_not_a_notes_block() -> None:
    anat = _piece_ending("10 Downing Street said on Tuesday that the talks would resume.")
    assert anat.notes == []
    assert anat.body[-1][1].startswith("10 Downing Street")


def test_a_run_of_numbered_notes_is_a_notes_block() -> None:
    notes = [
        "1 Jane Doe, Ports and Power (London: Example Press), p. 4.",
        "2 See the argument in chapter four.",
    ]
    anat = _piece_ending(*notes)
    assert [t for _l, t in anat.notes] == notes


def test_notes_after_a_bare_url_on_one_line_are_split() -> None:
    line = (
        "4\u201cPorts Rise Again,\u201d example.org, November 27, 2020, "
        "https://ex.org/n/ports-ri se "
        "5 Figures are rounded and drawn from official statistics. "
        "6 \u201cRail Talks Stall\u201d example.net, June 9, 2021."
    )
    notes = extract_citations([(40, line)])
    assert [c.note_number for c in notes] == [4, 5, 6]
    assert notes[1].is_comment and notes[2].source == "example.net"


def test_urls_broken_by_a_space_are_rejoined() -> None:
    notes = extract_citations(
        [
            (1, "1 \u201cPorts,\u201d example.org, May 2, 2020, https://ex.org/n/ports-and-pow er"),
            (2, "2 \u201cRail,\u201d example.org, May 3, 2020, https://ex.org/n/rail-ta lks-stall"),
            (3, "3 \u201cGas,\u201d example.org, May 4, 2020, https://ex.org/n/gas-deal accessed May 5."),
        ]
    )
    assert [c.url for c in notes] == [
        "https://ex.org/n/ports-and-power",
        "https://ex.org/n/rail-talks-stall",
        "https://ex.org/n/gas-deal",
    ]


def test_numbered_reader_comments_are_not_a_notes_block() -> None:
    """Comments under a post, numbered by the blog engine, rise like notes but cite nothing."""
    from transforms.citations import is_notes_block

    comments = [
        "  1. Lovely to see this in print at last. How does it feel to be read so widely?",
        "  2. Congratulations from all of us on the third floor, and well done to the editors too.",
        "  3. Shared it with my reading group. We will argue about the second half next week.",
    ]
    assert not is_notes_block(comments)
    anat = _piece_ending(*comments)
    assert anat.notes == []
    assert anat.body[-1][1] == comments[-1].strip()


def test_a_notes_block_is_mostly_references() -> None:
    from transforms.citations import is_notes_block

    refs = [
        "1 \u201cHarbour dues rise again,\u201d Example Gazette, March 3, 2020.",
        "2 Jo Bloggs, Tides and Trade (Leeds: Example Books, 2011), pp. 40-42.",
        "3 The figures are rounded throughout.",
    ]
    assert is_notes_block(refs)  # two of three cite a source; a remark among them is a note too
    assert not is_notes_block([refs[2], "4 Another remark on the method, with no source at all."])
    assert not is_notes_block([refs[1], refs[0]])  # numbers must rise
    assert is_notes_block(["7 https://example.org/report.pdf"])  # a lone line citing a URL
    assert not is_notes_block(["1 in 4 voters said they had not decided, 2019 polling found."])


def test_annotated_pages_without_notes_yield_no_citations() -> None:
    """The annotated excerpts of the blog and of other writers have no notes (their gold has no
    citation); the annotated seed with notes has a block of 63. Read with the shipped model."""
    from transforms.gold import available, load_corpus, shared_root
    from transforms.models import ParseSettings
    from transforms.parse import parse_dump

    root = shared_root()
    if not available(root):
        pytest.skip(f"annotated corpora not found under {root} (set BYLINES_SHARED to the shared folder)")
    found: dict[str, list[int]] = {}
    for corpus in ("seeds", "blog", "others"):
        for page in load_corpus(corpus, root):
            settings = ParseSettings(blog_author=page.blog_author, site=page.site)
            dump = parse_dump(page.path.read_text(encoding="utf-8"), page.path.name, settings)
            gold = sum(len(p.get("citations") or []) for p in page.gold["posts"])
            got = [len(p.citations) for p in dump.posts if p.citations]
            if gold or got:
                found[f"{corpus}/{page.path.name}"] = got
                assert (sum(got) > 0) == (gold > 0), (page.path.name, got, gold)
    assert sum(map(sum, found.values())) >= 63  # the seed's notes block is still read
