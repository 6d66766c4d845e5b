"""Media appearances from intro and round-up paragraphs (examples written by us)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from transforms.outlets import load_gazetteer, piece_outlet

from transforms.mentions import extract_mentions

GAZ = load_gazetteer()


def outlets(text: str, piece: str | None = None) -> list[str]:
    ref = GAZ.resolve(piece) if piece else None
    return [m.outlet.name for m in extract_mentions([(5, text)], ref, GAZ) if m.outlet]


def test_list_continuation_after_spoke_to() -> None:
    text = (
        "Elsewhere, spoke to the Guardian about prison policy, to the LA Times about a court case, "
        "to AFP about drones, and finally an interview on the radio for TalkRadio about the verdict."
    )
    ms = extract_mentions([(5, text)], None, GAZ)
    assert [m.outlet.name for m in ms if m.outlet] == [
        "Guardian",
        "Los Angeles Times",
        "Agence France-Presse",
        "TalkRadio",
    ]
    assert ms[0].about == "prison policy" and ms[0].line == 5
    assert ms[3].medium == "radio"


def test_own_pieces_are_not_mentions_but_their_pickups_are() -> None:
    text = (
        "My earlier piece on ports for the Telegraph was picked up in the Hindustan Times, "
        "and my recent Observer piece was reproduced by El Mundo."
    )
    assert outlets(text) == ["Hindustan Times", "El Mundo"]


def test_post_piece_outlet_and_subject_outlets_are_excluded() -> None:
    text = (
        "A fresh piece for the Telegraph. "
        "Also spoke to Reuters about a leak found by some Sunday Times reporters."
    )
    assert outlets(text, piece="Telegraph") == ["Reuters"]


def test_sentences_without_appearance_cue_give_nothing() -> None:
    assert outlets("Builds on longer work in Current History and China Economic Quarterly pieces.") == []
    assert outlets("Another piece for Prospect on water politics.", piece="Prospect") == []


def test_unknown_outlet_after_strong_cue_is_created() -> None:
    ms = extract_mentions([(9, "Also spoke to the Kestrel Gazette about floods.")], None, GAZ)
    assert len(ms) == 1
    assert ms[0].outlet.name == "Kestrel Gazette" and ms[0].outlet.in_gazetteer is False
    assert ms[0].about == "floods"


def test_run_together_links_and_wire_interview() -> None:
    text = "Separately, a Press Association interview was used in the MetroDaily Star."
    assert outlets(text) == ["Press Association", "Metro", "Daily Star"]


def test_webinar_and_panel_hosts() -> None:
    text = (
        "A webinar with some RSIS colleagues is online, "
        "and I joined a panel at the Observer Research Foundation (ORF)."
    )
    assert outlets(text) == ["RSIS", "Observer Research Foundation"]


def test_outlet_as_subject_and_other_peoples_pieces() -> None:
    assert outlets("The Economist quoted me on the summit.") == ["Economist"]
    assert outlets("Also quoted in this Wall Street Journal piece about ports.") == ["Wall Street Journal"]
    assert outlets("Was on BBC World Service talking about the attack.") == ["BBC"]
    assert outlets("A panel at IISS with colleagues from RUSI is now online.") == [
        "International Institute for Strategic Studies"
    ]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    for m in extract_mentions([(1, text)], None, GAZ):
        assert m.line == 1 and m.evidence
    ref = piece_outlet(text, 1, [(2, text)], [(3, text)], GAZ)
    assert ref is None or ref.name.strip()
    for start, end, _ in GAZ.find_all(text):
        assert 0 <= start < end <= len(text)


def test_fuzzed_round_up_words_still_parse() -> None:
    text = "spoke to the BBC, to AFP, and to the Kestrel Gazette about it; picked up by Inkstone."
    assert outlets(text) == ["BBC", "Agence France-Presse", "Kestrel Gazette", "Inkstone"]


def test_unnamed_event_is_kept_without_outlet() -> None:
    ms = extract_mentions([(4, "Also, a seminar I spoke at in Vienna is now online.")], None, GAZ)
    assert [(m.outlet, m.medium, m.line) for m in ms] == [(None, "panel", 4)]


def test_own_work_as_a_subject_does_not_end_the_list() -> None:
    text = "Spoke to the Guardian about the piece and to the BBC about my paper."
    assert outlets(text) == ["Guardian", "BBC"]


def test_recurring_intro_gives_the_mentions_a_fresh_parse_gives() -> None:
    """A post's intro recurs on every tag page that lists it: remembered mentions carry the new line
    numbers (the mention's and its outlet's) and the piece's own outlet as passed in, nothing else."""
    from transforms import mentions as mod

    text = (
        "Spoke to the Guardian about prison policy, and to the Kabul Daily about drones. "
        "Am doing a webinar today about it with my colleagues."
    )
    piece_a = GAZ.resolve("RUSI", 3)
    piece_b = GAZ.resolve("RUSI", 41)
    first = extract_mentions([(3, text)], piece_a, GAZ)
    again = extract_mentions([(40, text)], piece_b, GAZ)
    mod._SENTENCE_CACHE.clear()
    fresh = extract_mentions([(40, text)], piece_b, GAZ)
    assert [m.model_dump() for m in again] == [m.model_dump() for m in fresh]
    assert len(first) == len(fresh) >= 3
    assert {m.line for m in first} == {3} and {m.line for m in again} == {40}
    assert all(m.outlet is None or m.outlet.line in (40, 41) for m in again)
    assert any(m.outlet is piece_b for m in again)  # the webinar about the piece: its outlet as given
