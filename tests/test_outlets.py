"""Gazetteer matching and the outlet of a post's own piece (examples written by us)."""

from __future__ import annotations

from transforms.outlets import load_gazetteer, piece_outlet

GAZ = load_gazetteer()


def names(text: str) -> list[str]:
    return [ref.name for _, _, ref in GAZ.find_all(text)]


def test_resolve_aliases_to_canonical_names() -> None:
    assert GAZ.resolve("The Straits Times").name == "Straits Times"
    assert GAZ.resolve("SCMP").name == "South China Morning Post"
    assert GAZ.resolve("Nikkei Asian Review").name == "Nikkei Asia"
    assert GAZ.resolve("the Lowy\u2019s Interpreter").name == "Lowy Interpreter"
    ref = GAZ.resolve("Royal United Services Institute", line=7)
    assert (ref.name, ref.line, ref.in_gazetteer, ref.outlet_kind) == ("RUSI", 7, True, "think-tank")


def test_unknown_outlet_is_kept_and_flagged() -> None:
    ref = GAZ.resolve("The Kestrel Gazette")
    assert ref.name == "Kestrel Gazette"
    assert ref.in_gazetteer is False


def test_find_all_prefers_longest_and_splits_run_together_names() -> None:
    text = "an old quote was reused in the MetroDaily Star and in the Sunday Times of last week"
    assert names(text) == ["Metro", "Daily Star", "Sunday Times"]
    assert names("a chat with the Observer Research Foundation (ORF)") == [
        "Observer Research Foundation",
        "Observer Research Foundation",
    ]


def test_generic_single_words_need_outlet_like_context() -> None:
    assert names("I also rang the National press office and Handelsblatt.") == ["Handelsblatt"]
    assert names("Prospect of rain. The call ended at 9PM Indian Standard Time.") == []
    assert names("I talked to The National about drones.") == ["National"]
    spans = GAZ.find_all("spoke to the Independent about it")
    assert spans and spans[0][2].name == "Independent" and spans[0][2].matched_text == "the Independent"


def test_piece_outlet_from_intro_ignores_earlier_pieces_and_interviews() -> None:
    intro = (
        "A quick letter printed in the Financial Times, repeating an argument from an earlier article "
        "for the Straits Times. Also spoke to the Guardian about it."
    )
    assert piece_outlet(intro, 3, [], [], GAZ).name == "Financial Times"
    intro = "Spoke to the BBC last week. Now a piece for my institutional home RUSI on Arctic shipping."
    assert piece_outlet(intro, 3, [], [], GAZ).name == "RUSI"


def test_piece_outlet_creates_unknown_outlet_from_intro() -> None:
    ref = piece_outlet("A new article for the Harbour Review on port politics.", 10, [], [], GAZ)
    assert ref is not None and ref.name == "Harbour Review" and ref.in_gazetteer is False


def test_piece_outlet_from_byline_date_line_and_disclaimer() -> None:
    intro = "Catching up on some older writing."
    head = [(12, "Jane Doe For The Straits Times")]
    assert piece_outlet(intro, 3, head, [], GAZ).name == "Straits Times"
    head = [(12, "PUBLISHED | MAR 3, 2021, 5:00 AM SGT")]
    assert piece_outlet(intro, 3, head, [], GAZ).name == "Straits Times"
    head = [(12, "Published: 9:15am, 2 June, 2020")]
    assert piece_outlet(intro, 3, head, [], GAZ).name == "South China Morning Post"
    tail = [
        (40, "Jane Doe is a fellow at the Royal United Services Institute."),
        (
            41,
            "The views expressed in this Commentary are the author\u2019s, "
            "and do not represent those of RUSI.",
        ),
    ]
    assert piece_outlet(intro, 3, [], tail, GAZ).name == "RUSI"
    # a bio's affiliation alone is not the publisher
    assert piece_outlet(intro, 3, [], tail[:1], GAZ) is None


def test_piece_outlet_prefers_piece_words_and_the_possessed_publication() -> None:
    intro = "Did an interview panel with Sky News last week. Now a piece for the Lowy Interpreter."
    assert piece_outlet(intro, 3, [], [], GAZ).name == "Lowy Interpreter"
    assert (
        piece_outlet("A piece for Jamestown's China Brief on Xinjiang.", 3, [], [], GAZ).name == "China Brief"
    )
    intro = "Posting one from last month, looking at ports in Pakistan for the excellent Nikkei Asian Review."
    assert piece_outlet(intro, 3, [], [], GAZ).name == "Nikkei Asia"
    ref = piece_outlet("Wrote this for the Kestrel Review a while back.", 3, [], [], GAZ)
    assert ref is not None and (ref.name, ref.in_gazetteer) == ("Kestrel Review", False)


def test_no_outlet_when_intro_names_none() -> None:
    assert piece_outlet("Some thoughts on a long trip through the region.", 3, [], [], GAZ) is None


def test_piece_outlet_line_points_at_the_paragraph_that_names_it() -> None:
    ref = piece_outlet("Back from a trip.\n\nA piece for the Telegraph on ports.", 10, [], [], GAZ)
    assert ref is not None and (ref.name, ref.line) == ("Telegraph", 12)
    ref = piece_outlet(
        "Some notes from the road.", 10, [(14, "PUBLISHED | MAR 3, 2021, 5:00 AM SGT")], [], GAZ
    )
    assert ref is not None and ref.line == 14


def test_weak_evidence_is_used_only_when_nothing_better() -> None:
    assert (
        piece_outlet("Over at the Lowy Interpreter, some thoughts.", 3, [], [], GAZ).name
        == "Lowy Interpreter"
    )
    assert piece_outlet("Spoke to the BBC about ports. Some thoughts below.", 3, [], [], GAZ) is None


def test_outlet_typical_head_lines() -> None:
    intro = "Catching up on older writing."
    cases = {
        "by Jane Doe / June 2, 2021 / Leave a comment": "Prospect",
        "Author: Jane Doe, Kestrel Institute": "East Asia Forum",
        "4 March 2019 | 6:30 PM": "Spectator",
        "telegraph_ports-2019": "Telegraph",
    }
    for line, outlet in cases.items():
        ref = piece_outlet(intro, 3, [(9, line)], [], GAZ)
        assert ref is not None and ref.name == outlet, line
    assert piece_outlet(intro, 3, [(9, "img_0356")], [], GAZ) is None


def test_generic_outlet_followed_by_a_preposition_is_the_home() -> None:
    ref = piece_outlet("Short piece for Prospect off the back of some recent fieldwork.", 3, [], [], GAZ)
    assert ref is not None and ref.name == "Prospect"


def test_outlet_of_a_later_appearance_is_not_the_piece_home() -> None:
    intro = (
        "A brief item in Foreign Policy on mineral concessions, linked rather than reproduced.\n\n"
        "On the media side, spoke to Reuters about the latest sanctions package, appeared on Sky News "
        "about the border talks."
    )
    assert piece_outlet(intro, 3, [], [], GAZ).name == "Foreign Policy"


def test_recurring_intro_keeps_its_outlet_with_the_new_line() -> None:
    """piece_outlet remembers an intro's verdict (it recurs on every tag page); the line is the new one."""
    intro = "A new piece for the Financial Times on shipping.\n\nAlso spoke to the BBC about it."
    first = piece_outlet(intro, 3, [], [], GAZ)
    again = piece_outlet(intro, 30, [], [], GAZ)
    assert first is not None and again is not None and first is not again
    assert first.model_dump(exclude={"line"}) == again.model_dump(exclude={"line"})
    assert (first.name, first.line, again.line) == ("Financial Times", 3, 30)


def test_a_roundup_paragraph_before_the_intro_does_not_give_the_piece_its_outlet() -> None:
    intro = (
        "Busy weeks. Spoke to the Financial Times about the port deal, and was quoted in the Economist "
        "on the region. A longer interview with the South China Morning Post is up too.\n\n"
        "A new report for RUSI, written with two colleagues, looking at private security firms."
    )
    ref = piece_outlet(intro, 3, [], [], GAZ)
    assert (ref.name, ref.line) == ("RUSI", 5)
    # the same round-up as the only paragraph: its outlets are all there is
    assert piece_outlet(intro.split("\n\n")[0], 3, [], [], GAZ).name == "South China Morning Post"


def test_a_podcast_post_has_its_host_as_outlet() -> None:
    intro = "A new podcast for the International Institute for Strategic Studies, with a colleague."
    assert piece_outlet(intro, 3, [], [], GAZ).name == "International Institute for Strategic Studies"
    # a podcast among the appearances of a post about a piece is not the piece
    intro = "Another piece for the Straits Times on ports. Also did a podcast for the Lowy Institute on it."
    assert piece_outlet(intro, 3, [], [], GAZ).name == "Straits Times"
