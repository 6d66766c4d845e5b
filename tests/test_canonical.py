"""One name per outlet: the broad list, display forms, learned aliases, stations and sections."""

from __future__ import annotations

import pytest

from transforms.canonical import canonical_ref, display_name, site_ref
from transforms.gazetteer import Gazetteer, Outlet, load_gazetteer, norm_key


@pytest.mark.parametrize(
    ("surface", "name"),
    [
        ("the Financial Times", "Financial Times"),
        ("FT", "Financial Times"),
        ("The Daily Telegraph", "Telegraph"),
        ("BBC Radio Leeds", "BBC"),  # a station of a listed broadcaster
        ("BBC Sheffield", "BBC"),
        ("ABC Radio National", "Australian Broadcasting Corporation"),
        ("Financial Times BeyondBRICS", "Financial Times"),  # a listed name and a section of it
        ("ST’s Forum page", "Straits Times"),  # a section of the owner's outlet
        ("The Guardian's technology pages", "Guardian"),
        ("@TelegraphBlogs", "Telegraph"),  # a handle: its words split
        ("reuters.com", "Reuters"),
        ("the i paper", "i paper"),
    ],
)
def test_listed_names_and_their_variants_come_out_canonical(surface: str, name: str) -> None:
    ref = canonical_ref(surface, {})
    assert ref is not None and ref.name == name and ref.in_gazetteer
    assert ref.matched_text == surface.strip()


def test_unknown_names_are_kept_as_written_and_flagged() -> None:
    ref = canonical_ref("the Kestrel Review's", {}, line=7)
    assert ref is not None and ref.name == "Kestrel Review" and not ref.in_gazetteer and ref.line == 7
    assert canonical_ref("  ", {}) is None
    # a possessive inside a name joins owner and publication
    assert display_name("Halvorsen’s Steppe Brief") == "Halvorsen Steppe Brief"


def test_a_learned_alias_wins_over_the_written_form() -> None:
    aliases = {norm_key("Kestrel Rev."): "Kestrel Review"}
    assert canonical_ref("the Kestrel Rev.", aliases).name == "Kestrel Review"
    # an alias onto a listed outlet takes the list's details
    ref = canonical_ref("Pink Un", {norm_key("Pink Un"): "Financial Times"})
    assert ref.name == "Financial Times" and ref.in_gazetteer and ref.domain == "ft.com"


def test_the_writers_site_is_the_outlet_of_blog_native_posts() -> None:
    ref = site_ref("example.org")
    assert ref.name == "example.org" and ref.outlet_kind == "blog" and not ref.in_gazetteer


def test_the_list_finds_names_in_running_text() -> None:
    gaz = load_gazetteer()
    text = "Quoted by the New York TimesWashington Post and the FT, then by openDemocracy (ft.com)."
    found = [(text[h.start : h.end], h.outlet.name) for h in gaz.find(text)]
    assert found == [
        ("New York Times", "New York Times"),
        ("Washington Post", "Washington Post"),  # glued links are split at the capital
        ("FT", "Financial Times"),
        ("openDemocracy", "openDemocracy"),
        ("ft.com", "Financial Times"),
    ]
    assert gaz.find("A good prospect of current history in the times ahead.") == []


def test_the_list_is_general_knowledge_with_its_provenance_stated() -> None:
    from transforms.gazetteer import GAZETTEER_FILE

    head = GAZETTEER_FILE.read_text(encoding="utf-8").split("canonical,", 1)[0]
    assert "general knowledge" in head and "NOT from any annotated page" in head
    assert len(load_gazetteer().outlets) >= 400
    countries = {o.country for o in load_gazetteer().outlets}
    assert len(countries) >= 30


def test_an_empty_list_finds_nothing() -> None:
    empty = Gazetteer([])
    assert empty.find("The Guardian and the FT") == [] and empty.lookup("Guardian") is None
    one = Gazetteer([Outlet("Kestrel Review", ("the Kestrel",), "magazine", "GB", "kestrel.example")])
    assert one.lookup("The Kestrel").name == "Kestrel Review"
    assert [h.outlet.name for h in one.find("see kestrel.example today")] == ["Kestrel Review"]
