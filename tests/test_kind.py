"""Piece kinds from the words of the intro, then the outlet's kind (our own invented intros)."""

from __future__ import annotations

import pytest

from transforms.parse import piece_kind


@pytest.mark.parametrize(
    ("intro", "outlet_kind", "expected"),
    [
        ("Another piece for the Planet, looking at ports.", "newspaper", "op-ed"),
        ("A short letter in the Planet, restating a point.", "newspaper", "letter"),
        ("An interview rather than an article, with the Eurasia Network.", "online", "interview"),
        ("A new policy brief for the Halvorsen Institute on debt.", "think-tank", "report"),
        ("A brief item in the Interpreter on debt, linked rather than reproduced.", "online", "commentary"),
        (
            "A few things have come out lately. This one is a short paper for the fine Steppe Program.",
            "think-tank",
            "report",
        ),
        (
            "Another piece for the Institute. More on this in a longer report which should be out shortly.",
            "think-tank",
            "commentary",
        ),
        (
            "A new article for Monthly Review which ran in the magazine with a better title.",
            "magazine",
            "op-ed",
        ),
        ("A piece for Monthly Review about the summit.", "magazine", "commentary"),
        # a report still to come is not this post's piece
        (
            "Back at the Institute with thoughts on ports. More in a longer report, out shortly.",
            "think-tank",
            "commentary",
        ),
        ("A short commentary piece for the Wire Service on the talks.", "wire", "commentary"),
        ("A new podcast for the Halvorsen Institute, talking with a colleague.", "think-tank", "podcast"),
        (
            "Rather late in posting a piece for the Journal of Steppe Studies.",
            "journal",
            "journal-article",
        ),
    ],
)
def test_piece_kind(intro: str, outlet_kind: str, expected: str) -> None:
    assert piece_kind(intro, "Some title", outlet_kind) == expected


def test_the_outlets_own_name_is_not_a_word_for_the_piece() -> None:
    intro = "A new piece for the Halvorsen Foundation's Steppe Brief, looking at how Beijing sees the border."
    # without the outlet's name, "Brief, looking at how B..." reads as a policy brief
    assert piece_kind(intro, "Some title", "journal") == "report"
    assert piece_kind(intro, "Some title", "journal", outlet_text="Steppe Brief") == "journal-article"
