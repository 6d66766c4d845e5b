"""Which of the field model's names are media appearances (transforms/mentions.py).

The model's labels are given by hand here, as it could give them on a page it never saw: the
checks on top of it are what is tested. Every sentence is invented; outlet names are the broad
list's (general knowledge).
"""

from __future__ import annotations

from transforms.canonical import canonical_ref
from transforms.fields import PostLine, Slot, slots
from transforms.mentions import appearances, heading_outlet, names_a_person, reported_appearance


def _chain(*lines: tuple[str, str]) -> list[Slot]:
    return slots([PostLine(k + 1, text, role) for k, (text, role) in enumerate(lines)])


def _labels(chain: list[Slot], **by_name: str) -> list[str]:
    return [by_name.get(s.cand.text.replace(" ", "_"), "O") for s in chain]


def _person(text: str, name: str, aliases: dict[str, str] | None = None) -> bool:
    at = text.index(name)
    ref = canonical_ref(name, aliases or {})
    assert ref is not None
    return names_a_person(text, at, at + len(name), ref, aliases or {})


def test_a_person_spoken_to_is_not_an_outlet() -> None:
    assert _person("This morning I spoke to Petra Lindqvist about the new bus lanes.", "Petra Lindqvist")
    assert _person("I was talking to Jo McBride on the late show.", "Jo McBride")
    assert _person("A podcast hosted by Amir Haddad on the week's events.", "Amir Haddad")
    assert _person(
        "With Tom Reyes and Ana Ortiz, the channel's political correspondent.", "Ana Ortiz"
    )  # a role beside the name
    assert _person("We heard from presenter Nils Berg first.", "Nils Berg")


def test_an_outlet_named_like_a_person_stays_an_outlet() -> None:
    # people take no article; an outlet word makes it an outlet; a listed or a learned name is one
    assert not _person("Quoted at length in the Kestrel Sentinel on the strike.", "Kestrel Sentinel")
    assert not _person("I spoke to Kestrel Radio about the strike.", "Kestrel Radio")
    assert not _person("I spoke to Sky News about the strike.", "Sky News")
    assert not _person(
        "I spoke to Harbour Lights about the strike.", "Harbour Lights", {"harbour lights": "Harbour Lights"}
    )
    # no person's place: a name alone is not taken for one
    assert not _person("Harbour Lights ran a long feature on the strike.", "Harbour Lights")


def test_a_roundup_that_names_only_its_host_takes_its_heading() -> None:
    chain = _chain(
        ("BBC Radio Leeds", "SH"),
        ("14 March 2023", "D"),
        ("I spoke to Petra Lindqvist on the breakfast show about the new bus lanes.", "I"),
    )
    labels = _labels(chain, Petra_Lindqvist="M")
    assert [m.outlet.name for m in appearances(chain, labels, None, {}, roundup=True)] == ["BBC"]
    # a post carrying a piece has no such heading: the person is dropped, nothing is invented
    assert appearances(chain, labels, None, {}, roundup=False) == []
    # the heading must be the outlet's name and nothing else
    assert heading_outlet(_chain(("Notes from a week on BBC Radio Leeds", "SH")), {}) is None


def test_a_listed_broadcaster_in_a_reported_appearance_is_a_mention() -> None:
    chain = _chain(
        ("A busy morning, with Sky News sending a crew round to interview me about the strike.", "I"),
        ("Here is my piece for the Guardian on what it means.", "I"),
    )
    labels = _labels(chain, Guardian="P")
    piece = canonical_ref("Guardian", {})
    got = appearances(chain, labels, piece, {}, roundup=False)
    assert [m.outlet.name for m in got] == ["Sky News"]
    assert reported_appearance(chain[0], canonical_ref("Sky News", {}))  # type: ignore[arg-type]
    # no first-person report of appearing: a broadcaster named as a source is not an appearance
    plain = _chain(("The BBC reported that the strike was over by noon.", "I"))
    assert appearances(plain, _labels(plain), None, {}, roundup=False) == []


def test_a_listed_paper_in_the_clause_of_an_interview_is_a_mention() -> None:
    chain = _chain(
        ("I did some media this week, including a short interview for the Daily Telegraph.", "I"),
        ("Meanwhile, my column for Reuters looks at the port.", "I"),
    )
    labels = _labels(chain, Daily_Telegraph="P", Reuters="P")
    piece = canonical_ref("Reuters", {})
    got = appearances(chain, labels, piece, {}, roundup=False)
    assert [m.outlet.name for m in got] == ["Telegraph"]
