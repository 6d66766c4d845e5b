"""Older and odder page shapes of the same blog, in our own invented words.

Each must parse into the right posts, or raise ParseError with a reason; never confident garbage.
"""

from __future__ import annotations

from datetime import date

import pytest

from transforms.models import ParseError
from transforms.parse import parse_dump

SINGLE_LINE_BREAKS = """Posts Tagged ‘Pakistan’
A new piece for the Diplomat, looking at the security situation along the border after the latest \
wave of attacks. Have been travelling a lot so a bit slow in posting it here.
Borderlands on Edge
By Mara Kellerman
March 3, 2015
The attacks came within days of each other, and both targeted police posts that had been reinforced.
Officials in the provincial capital said the pattern suggested a single group was responsible.
Mara Kellerman is an associate fellow at a London think tank.
Rather late in posting a piece for the South China Morning Post, written with Tomas Reyes, on \
the new corridor projects. Also spoke to Al Jazeera about the attacks.
Corridors of Influence
Mara Kellerman and Tomas Reyes
Published: 12 February 2015
The corridor has become a symbol of the relationship between the two countries, and a test of trust.
Much depends on security, which remains the great unknown along the route.
"""

NO_HEADER = """Another piece for the Straits Times, this time looking at the question of water in \
Central Asia. A topic I keep returning to.

Water Wars That Never Come

The rivers of Central Asia have long been described as a source of future conflict, but the wars \
predicted for decades have not materialised.

Instead, the states of the region have muddled through with a patchwork of agreements.

Mara Kellerman is a senior fellow at a London think tank.

A short letter in the Financial Times responding to an editorial last week on sanctions.

Letter: Sanctions need a clearer goal

Sir, your editorial on sanctions (June 4) misses the central point that without a clear goal, no \
sanctions regime can be judged a success or a failure.

Mara Kellerman, London, UK
"""


def _titles(text: str) -> list[str | None]:
    return [p.piece.title if p.piece else None for p in parse_dump(text, "x.txt").posts]


def test_paragraphs_separated_by_single_line_breaks() -> None:
    dump = parse_dump(SINGLE_LINE_BREAKS, "pakistan.txt")
    assert [p.piece.title for p in dump.posts] == ["Borderlands on Edge", "Corridors of Influence"]
    assert [(p.start_line, p.end_line) for p in dump.posts] == [(2, 8), (9, 14)]
    assert dump.posts[1].piece.authors == ["Mara Kellerman", "Tomas Reyes"]
    assert dump.posts[1].piece.dating.published_date == date(2015, 2, 12)


def test_no_header_line_and_a_letter_without_standfirst() -> None:
    dump = parse_dump(NO_HEADER, "noheader.txt")
    assert dump.archive.label is None
    assert _titles(NO_HEADER) == ["Water Wars That Never Come", "Letter: Sanctions need a clearer goal"]
    water, letter = (p.piece for p in dump.posts)
    assert water.standfirst is None and water.body.startswith("The rivers of Central Asia")
    assert letter.kind == "letter" and letter.tags == []  # a signature is not a tag line
    assert letter.body.startswith("Sir, your editorial")


@pytest.mark.parametrize(
    "text",
    [
        "Shopping list\neggs\nmilk\n\nRemember to call the plumber on Tuesday about the leak.\n",
        "<!DOCTYPE html><html><head><title>x</title></head><body><p>Hello</p></body></html>\n",
        "   \n\n\t\n",
    ],
)
def test_text_that_is_not_a_dump_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_dump(text, "odd.txt")
    assert len(str(info.value)) > 15


# --------------------------------------------------------------------------- more page shapes


FOREIGN_BEFORE_INTRO = """Posts Tagged ‘Trade’

Another piece for the Diplomat, looking at the border markets and the traders who run them.

Markets at the Edge

The border markets are busy again after two quiet years, and prices have started to settle.

I numeri ufficiali raccontano una storia più modesta dei discorsi, e nessuno nella capitale vuole scegliere.

Los funcionarios insisten en que el proyecto sigue adelante, aunque las obras llevan meses paradas.

Slightly belated posting of a piece for Le Monde, in French, about the new rail corridor.

Les routes qui ne mènent nulle part

Les autorités locales affirment que les travaux reprendront au printemps, mais personne ne sait quand.
"""


def test_passages_in_other_languages_do_not_open_posts() -> None:
    dump = parse_dump(FOREIGN_BEFORE_INTRO, "trade.txt")
    assert [(p.start_line, p.end_line) for p in dump.posts] == [(3, 11), (13, 17)]
    assert dump.posts[1].piece.title == "Les routes qui ne mènent nulle part"
    assert "I numeri ufficiali" in dump.posts[0].piece.body  # the passage stays in the body


def test_monthly_archive_bounds_the_year_of_undated_pieces() -> None:
    text = """Archive for March, 2009

Another piece for the Telegraph, this time on the harbour deal and what it means for the region.

Why the harbour deal matters

The deal was signed quietly, but its effects will be felt for a long time across the region.
"""
    piece = parse_dump(text, "2009-03.txt").posts[0].piece
    assert piece.dating.published_date is None
    assert piece.dating.year == 2009 and piece.dating.date_max == date(2009, 3, 31)


# --------------------------------------------------------------------------- known bugs


def _body_then(last: str) -> str:
    return f"""Posts Tagged ‘UK’

Another piece for the Telegraph, this time on the new security review and its critics.

What the review leaves out

The review was published on Tuesday after months of delay and several drafts.

{last}
"""


def test_a_numbered_body_line_is_not_a_notes_block() -> None:
    post = parse_dump(
        _body_then("10 Downing Street said in 2021 that the review would be “the first of many”."), "x"
    )
    assert post.posts[0].citations == []
    assert post.posts[0].piece.body.endswith("“the first of many”.")


def test_a_co_author_named_by_first_name_only() -> None:
    text = """Posts Tagged ‘Terrorism’

A new piece written with Kabir for his fine institution, the Observer Research Foundation.

Beware of easy answers

The threat has changed shape over the past year, and the answers have not kept up with it.
"""
    post = parse_dump(text, "x").posts[0]
    assert post.piece.authors[-1] == "Kabir"
    assert any("first name only" in w for w in post.warnings)
    bio = "\n\nKabir Sharma is a fellow at the Observer Research Foundation in New Delhi.\n"
    assert parse_dump(text + bio, "x").posts[0].piece.authors[-1] == "Kabir Sharma"


def test_a_page_in_another_language_is_refused_with_that_reason() -> None:
    text = "\n\n".join(
        [
            "Archivo de junio de 2008",
            "Los funcionarios insisten en que el proyecto sigue adelante, aunque las obras siguen paradas.",
            "La frontera que nadie vigila",
            "En los mercados de la frontera se habla más del precio del combustible que de las potencias.",
        ]
    )
    with pytest.raises(ParseError, match="not in English"):
        parse_dump(text, "es.txt")


@pytest.mark.parametrize(
    ("line", "labels"),
    [
        ("Posted: March 4th, 2011 in Articles, China", ["Articles", "China"]),
        ("Posted in China, Russia | Leave a comment", ["China", "Russia"]),
        ("Filed under: Central Asia", ["Central Asia"]),
        ("Tags: china, ports", ["china", "ports"]),
        ("Posted in the Guardian last week, a piece about ports that drew a lot of comment.", None),
        ("Tags are a poor guide to what the blog is about, as anyone who reads it knows.", None),
        ("The report was posted in full on the ministry's website.", None),
    ],
)
def test_post_meta_labels(line: str, labels: list[str] | None) -> None:
    from transforms.anatomy import post_meta_labels

    assert post_meta_labels(line) == labels
