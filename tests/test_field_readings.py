"""Readings inside a post that hold on layouts the training pages show rarely (issue 13, round 2).

Each is a general pattern a new writer's page shows too: list entries "Title, Outlet, Date",
bracketed and glued outlets, outlets named under the title or against the date, a category
named after an outlet, a list's heading, owners' publications and acronyms, date headings.
"""

from __future__ import annotations

from datetime import date

import pytest

from transforms.candidates import line_candidates
from transforms.canonical import canonical_ref, label_outlet
from transforms.dates import find_dates, is_date_only, year_mentions
from transforms.fields import PostLine, Slot, framed_outlet, owners_title, slots
from transforms.list_heads import list_outlet
from transforms.model import load_model
from transforms.title_split import split_title


@pytest.mark.parametrize(
    ("line", "title", "outlet"),
    [
        ("Ports and their hinterlands (Dawn)", "Ports and their hinterlands", "Dawn"),
        ("3. Against the grain, Foreign Policy, March 29, 2017.", "Against the grain", "Foreign Policy"),
        ("OPED: Why the ports matter", "Why the ports matter", None),
        ("Inland waterways and their limits [pdf]", "Inland waterways and their limits", None),
        # the number of a piece in a series stays: the article's id is its title
        ("Why the ports matter (part 2)", "Why the ports matter (part 2)", None),
        ("Trade talks (II), Foreign Policy, March 3, 2019", "Trade talks (II)", "Foreign Policy"),
    ],
)
def test_title_lines_lose_their_outlet_date_kind_and_link_notes(
    line: str, title: str, outlet: str | None
) -> None:
    parts = split_title(line, load_model().titles)
    assert parts.title == title
    assert parts.outlet == outlet


def test_a_date_set_off_by_a_comma_is_the_entry_date() -> None:
    titles = load_model().titles
    parts = split_title("The quiet politics of inland ports, Foreign Policy, March 23-29, 2019.", titles)
    assert parts.title == "The quiet politics of inland ports"
    assert parts.date_text and find_dates(parts.date_text)[0][2] == date(2019, 3, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 23-29, 2019", date(2019, 3, 23)),  # a weekly issue, dated by its first day
        ("16 January \u201910", date(2010, 1, 16)),  # an apostrophe year next to a month
        ("3 Feb2019", date(2019, 2, 3)),
    ],
)
def test_date_shapes(text: str, expected: date) -> None:
    assert find_dates(text)[0][2] == expected
    assert is_date_only(text)


def test_a_sentence_is_not_a_date_heading() -> None:
    assert not is_date_only("On 3 May 2019 the minister resigned over the affair.")


def test_a_span_counted_from_a_named_year_names_the_year_of_writing() -> None:
    assert 2021 in year_mentions("Two decades on from the 2001 attacks, the region is quieter.")
    assert year_mentions("The 2001 attacks changed the region.") == [2001]


def test_a_span_later_counts_on_from_the_year_named_before_it() -> None:
    # a decade's part bounds it from below: "the late 1980s" is 1987 at the earliest
    text = "The band first toured in the late 1980s. Its songs sound different twenty years later."
    assert max(year_mentions(text)) == 2007
    assert year_mentions("Twenty years later, the songs sound different.") == []
    assert year_mentions("The 1980s were loud.") == [1980]


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("RUSI Newsbrief, 3 May 2016", ["RUSI Newsbrief"]),  # a listed owner and its title, whole
        ("A new post over at Asia Rising?, the new blog", ["Asia Rising?"]),
        ("a column for The Herald Looking back at the vote", ["Herald", "Looking"]),  # no run-on
    ],
)
def test_candidates_take_a_publication_whole(line: str, names: list[str]) -> None:
    assert [c.text for c in line_candidates(line)] == names


def test_canonical_forms_keep_an_owners_publication_and_a_question_mark() -> None:
    assert canonical_ref("RUSI Journal", {}).name == "RUSI Journal"
    assert canonical_ref("Asia Rising?", {}).name == "Asia Rising?"


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("CNN", "CNN"),
        ("The Wire China", "Wire China"),
        ("PRESS", None),  # a section word, written in capitals, not the paper of that name
        ("News", None),
        ("Middle East", None),
        ("The Art of Travel", None),
    ],
)
def test_a_category_named_exactly_as_a_listed_outlet_is_that_outlet(label: str, name: str | None) -> None:
    ref = label_outlet(label)
    assert (ref.name if ref else None) == name


def _chain(*lines: tuple[str, str]) -> list[Slot]:
    return slots([PostLine(k + 1, text, role) for k, (role, text) in enumerate(lines)])


def test_an_outlet_under_the_title_or_against_the_date_is_read_without_the_model() -> None:
    chain = _chain(("T", "A title"), ("B", "Today in The Herald"))
    assert framed_outlet(chain).cand.text == "Herald"
    teaser = "A standfirst that runs on and on about ports, inland waterways, the trade they carry and "
    teaser += "what the budget means for both of them 3 May 2016The Hindu A headline … Continue reading"
    assert len(teaser) > 150  # past the opening of a body line that is read
    chain = _chain(("T", "A title"), ("B", teaser))
    assert framed_outlet(chain).cand.text == "Hindu"
    chain = _chain(("SI", "A new article for PortsToday. More soon."), ("T", "A title"))
    assert framed_outlet(chain).cand.text == "PortsToday"


def test_a_section_of_an_owner_named_in_a_publishing_sentence_is_the_owners() -> None:
    chain = _chain(
        ("SI", "Another post, published this time on my publisher Harbourside\u2019s blog."), ("T", "A")
    )
    assert framed_outlet(chain).cand.text == "Harbourside\u2019s"
    assert framed_outlet(_chain(("SI", "I liked reading Harbourside\u2019s blog today."), ("T", "A"))) is None


def test_a_category_line_or_a_word_against_a_date_is_no_outlet() -> None:
    assert framed_outlet(_chain(("T", "A title"), ("B", "Posted in Politics"))) is None
    assert framed_outlet(_chain(("T", "A title"), ("D", "Commentary, 9 March 2016"))) is None


def test_an_owner_yields_to_its_publication_and_an_acronym_to_its_full_name() -> None:
    chain = _chain(("SI", "A new essay for my institution RUSI\u2019s own RUSI Journal."))
    assert [s.cand.text for s in chain] == ["RUSI\u2019s", "RUSI Journal"]
    assert owners_title(chain, 0) == 1
    chain = _chain(("SI", "Commissioned by the European Institute for Conflict Prevention (EICP) last year."))
    names = [s.cand.text for s in chain]
    assert names[owners_title(chain, names.index("EICP"))] == "European Institute for Conflict Prevention"


def test_a_list_entry_takes_the_outlet_its_heading_or_intro_names() -> None:
    texts = [
        "Articles",
        "Harbour Weekly logo",
        "\u201cThe market at night\u201d, May 3rd 2020",
        "(A favourite of mine.)",
        "\u201cGrowing up by the sea\u201d, Dec 18th 2019",
    ]
    assert list_outlet(texts, 4) == ("Harbour Weekly", 1)
    texts = [
        "Over the years I wrote several pieces for the Herald on ports, and some on the budget.",
        "Harbours in a warmer world, 2 December, 2021.",
        "The budget and the docks, 5 February 2022.",
    ]
    assert list_outlet(texts, 2) == ("Herald", 0)
    assert list_outlet(["Some prose without a name in it at all.", "A title, 2 May 2020."], 1) is None
    assert list_outlet(["Harbour Weekly logo", "A long paragraph of prose " * 10], 1) is None  # not an entry
