"""The field passes: outlet candidates, title lines split into parts, mentions described."""

from __future__ import annotations

import pytest

from transforms.candidates import line_candidates, tokens
from transforms.cues import context_cues
from transforms.fields import PostLine, Slot, framed_outlet
from transforms.identity import article_id, post_id
from transforms.mentions import describe, medium_of
from transforms.model import load_model
from transforms.models import OutletRef, Piece, Post
from transforms.posts import titles_of_run_on_teasers
from transforms.title_split import segments, split_title


def test_tokens_split_glued_names_and_keep_offsets() -> None:
    text = "Hot AirBloomberg Opinion, 2011The Hindu"
    toks = tokens(text)
    assert [t.text for t in toks] == ["Hot", "Air", "Bloomberg", "Opinion", ",", "2011", "The", "Hindu"]
    assert all(text[t.start : t.end] == t.text for t in toks)


def test_candidates_are_names_not_sentence_openers_or_dates() -> None:
    cands = [
        c.text for c in line_candidates("Rather late in posting a piece for the SCMP, looking at Kazakhstan.")
    ]
    assert cands == ["SCMP", "Kazakhstan"]
    # listed names even when not capitalised; connectors inside names; a month ends a name
    cands = [
        c.text
        for c in line_candidates("Published by The i paper and the Council on Foreign Relations on Aug. 3")
    ]
    assert cands == ["i paper", "Council on Foreign Relations"]
    feats = line_candidates("Yet another piece for the South China Morning Post, on trade.")[0].features
    assert {"gaz", "the", "L1:for", "L2:piece"} <= set(feats)


@pytest.mark.parametrize(
    ("line", "cuts"),
    [
        (
            "1. What If China Made First Contact?, The Diplomat, March 11, 2020.",
            ["1.", "What If China Made First Contact?", "The Diplomat", "March 11, 2020"],
        ),
        ("India China Relations (Dawn)", ["India China Relations", "Dawn"]),
        ("OPED: Why a Lunch Date Spooked Them", ["OPED", "Why a Lunch Date Spooked Them"]),
        (
            "Fiscal Smoke and MirrorsBloomberg Opinion, November 20, 2019 Simple steps.",
            ["Fiscal Smoke and Mirrors", "Bloomberg Opinion", "November 20, 2019", " Simple steps."],
        ),
        ("The quiet legacy of a defence minister", ["The quiet legacy of a defence minister"]),
    ],
)
def test_title_lines_are_cut_at_separators_dates_and_glued_names(line: str, cuts: list[str]) -> None:
    assert [s.text for s in segments(line)] == cuts


def test_a_plain_title_is_the_title_without_asking_the_model() -> None:
    parts = split_title("Widgets and the world economy", tagger=None)
    assert (parts.title, parts.outlet, parts.date_text) == ("Widgets and the world economy", None, None)


def test_the_shipped_model_splits_a_list_entry() -> None:
    titles = load_model().titles
    parts = split_title("The quiet politics of inland ports, Foreign Policy, March 11, 2020.", titles)
    assert parts.title == "The quiet politics of inland ports"
    assert parts.date_text and "2020" in parts.date_text


def test_a_mention_is_described_by_its_clause() -> None:
    text = "Separately, spoke to the BBC World Service about the protests, and to Reuters about pipelines."
    ref = OutletRef(
        name="BBC", matched_text="BBC World Service", in_gazetteer=True, outlet_kind="broadcaster"
    )
    at = text.index("BBC")
    m = describe(text, at, at + len("BBC World Service"), ref, line=12)
    assert m.outlet.name == "BBC" and m.line == 12 and m.about == "the protests"
    assert "spoke to the BBC World Service" in m.evidence and "Reuters" not in m.evidence
    assert medium_of("a long podcast with them", ref) == "podcast"
    assert medium_of("spoke to them", ref) == "tv"  # a broadcaster's medium when the words say none
    assert medium_of("spoke to them", None) == "other"


def _features(line: str, name: str) -> set[str]:
    return next(set(c.features) for c in line_candidates(line) if c.text == name)


def test_a_handle_naming_a_listed_outlet_reads_as_listed_and_my_piece_after_it_as_own() -> None:
    feats = _features("Over at @GuardianOpinion, my new piece on the roads budget.", "@GuardianOpinion")
    assert {"handle", "gaz", "gaz:newspaper", "rule:own"} <= feats
    assert "gaz" not in _features("Thanks to @JaneSmithWrites for the photo.", "@JaneSmithWrites")


def test_a_teaser_naming_its_source_first_is_own_and_a_feature_is_a_piece() -> None:
    assert "rule:own" in context_cues("From ", " 2011 - a year in review")
    assert "rule:own" in context_cues("Via the ", ": a review of the year")
    cues = context_cues("A feature on the town's festival from today's ", ". It is midnight")
    assert "rule:own" in cues and "rule:not_own" not in cues and "rule:appearance" not in cues
    assert "rule:not_own" in context_cues("Our school was featured in the ", " last week")
    cues = context_cues("Appearances were few, but I did feature in ", "'s morning programme")
    assert "rule:appearance" in cues and "rule:own" not in cues
    assert "rule:not_own" in context_cues("For a piece that I will be publishing on ", " next week")


def test_someone_elses_piece_is_not_the_writers_own() -> None:
    cues = context_cues("My last post linked to the new piece by Jane Smith for the ", ", in which")
    assert "rule:others" in cues and "rule:not_own" in cues and "rule:own" not in cues
    cues = context_cues("In 1990, John Doe published a paper called \u201cWords\u201d in ", ". Then")
    assert "rule:others" in cues and "rule:own" not in cues
    assert context_cues("Another new piece for the ", ", on trade") == ["rule:own"]
    # the opening sentence's "a piece for X" frames X as the outlet, unless the piece is another's
    mine = "A new article for the Guardian, on the roads budget."
    theirs = "A new article by Jane Smith for the Guardian, on the roads budget."
    for text, framed in ((mine, True), (theirs, False)):
        line = PostLine(3, text, "I")
        chain = [Slot(line, c) for c in line_candidates(text)]
        got = framed_outlet(chain)
        assert (got is not None and got.cand.text == "Guardian") is framed, text


def test_a_listed_one_word_name_ending_a_longer_name_is_not_the_listed_outlet() -> None:
    def read(line: str) -> list[tuple[str, bool]]:
        return [(c.text, "gaz" in c.features) for c in line_candidates(line)]

    # "Herald", "Press" alone are listed; the longer names they end are other publications
    assert read("My piece in the Glenfield Herald today.") == [("Glenfield Herald", False)]
    assert read("A book from Midvale University Press, out in May.") == [("Midvale University Press", False)]
    assert read("A piece for the Herald today.") == [("Herald", True)]
    assert ("Times", True) in read("A review in Murdoch\u2019s Times today.")  # the owner's possessive
    assert read("Sadly, no Guardian readers wrote in.") == [("Guardian", True)]


def test_a_name_holding_a_programme_word_carries_the_appearance_class() -> None:
    assert "in:appearance" in _features("I was on the Smith Show this morning.", "Smith Show")


def test_the_short_lines_under_a_title_are_read_as_its_head_not_its_body() -> None:
    from transforms.fields import PostLine, field_lines

    lines = [
        PostLine(1, "3 Feb2019", "SH"),
        PostLine(3, "Democracy was built to survive a crisis", "T"),
        PostLine(5, "Posted in Columns", "B"),
        PostLine(8, "Today in The Weekly Paper", "B"),
        PostLine(10, "The genius of democracy lies in turning adversaries into rivals, as again.", "B"),
        PostLine(12, "Click here to read the piece at the paper's website, or come back next week.", "B"),
    ]
    assert [pl.number for pl in field_lines(lines)] == [1, 5, 8, 10]


def _post(seq: int, title: str) -> Post:
    return Post(
        seq=seq,
        start_line=seq * 3,
        end_line=seq * 3 + 1,
        intro="",
        piece=Piece(title=title, title_line=seq * 3),
        confidence=0.9,
        post_id=post_id("", title),
        article_id=article_id(title),
        fingerprint="",
    )


RUN_ON_TEASER = (
    "Counting the rivers twice The ministry says the rains were normal this year, but the farmers"
    " I met on the delta tell another story […]"
)


def test_a_teaser_whose_title_ran_into_its_text_carries_the_piece_under_its_own_title() -> None:
    titles = [RUN_ON_TEASER, "Counting the rivers twice", "Iran", "Iran Sanctions Vote"]
    posts = titles_of_run_on_teasers([_post(k + 1, t) for k, t in enumerate(titles)])
    assert [p.piece.title for p in posts if p.piece] == [
        "Counting the rivers twice",
        "Counting the rivers twice",
        "Iran",
        "Iran Sanctions Vote",  # a longer title, not a teaser's text: kept
    ]
    assert posts[0].article_id == posts[1].article_id == article_id("Counting the rivers twice")
    assert posts[0].post_id == post_id("", "Counting the rivers twice")
    assert posts[3].article_id == article_id("Iran Sanctions Vote")


def test_a_run_on_teaser_takes_the_longest_title_it_runs_on_from() -> None:
    """Of the page's titles that open the teaser, the longest is its title; the others stay."""
    titles = [RUN_ON_TEASER, "Counting", "Counting the rivers twice", "Counting the rivers"]
    posts = titles_of_run_on_teasers([_post(k + 1, t) for k, t in enumerate(titles)])
    assert [p.piece.title for p in posts if p.piece] == ["Counting the rivers twice", *titles[1:]]
