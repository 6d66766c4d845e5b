"""Older and odder page shapes of the same blog, in our own invented words.

Each must parse into the right posts, or raise ParseError with a reason; never confident garbage.
"""

from __future__ import annotations

from datetime import date

import pytest

from transforms.models import ParseError
from transforms.parse import parse_dump

OLD_MONTH_ARCHIVE = """Archive for June, 2008

Latest tweets
@someone thanks for the link! 2 hours ago
Off to the conference tomorrow, slides nearly done 5 hours ago
Follow me on Twitter

Another short piece for the Jamestown Foundation's Terrorism Monitor, this time looking at the networks \
around a recent plot. Have been meaning to post this for a while.

Tracing the Network Behind the Plot
Date: 10th June 2008 | Author: Mara Kellerman
Volume: 5 Issue: 33

The plot that came to light earlier this month revealed a web of contacts stretching across three \
countries. Investigators say the men met in a gym.

Much of the planning took place online, in forums that have since been closed down by the authorities.

Mara Kellerman is a research fellow at a London think tank.

A quick note to flag a piece in the Guardian's Comment is Free section, written on the train back \
from Manchester. Also spoke to BBC Radio 4 about the same subject last week.

Why the Prisons Matter
Posted: June 2, 2008 in Commentary
Age: 5 days

Prisons have long been a breeding ground for radical ideas, and the British system is no exception.

Los funcionarios dijeron que la investigación continúa. The phrase was widely quoted at the time.

The answer is not more prisons but better ones, with proper staff and proper training for them.
"""

SINGLE_LINE_BREAKS = """Posts Tagged ‘Pakistan’
A new piece for the Diplomat, looking at the security situation along the border after the latest \
wave of attacks. Have been travelling a lot so a bit slow in posting it here.
Borderlands on Edge
By Mara Kellerman
March 3, 2015
The attacks came within days of each other, and both targeted police posts that had been reinforced.
Officials in the provincial capital said the pattern suggested a single group was responsible.
Mara Kellerman is an associate fellow at a London think tank.
Slightly belated posting of a piece for the South China Morning Post, written with Tomas Reyes, on \
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

SINGLE_POST_PAGE = """Another piece for the Telegraph, looking at the aftermath of the attack in Manchester \
and what it means for the security services.

After Manchester, Hard Questions

Published 24 May 2017 • 6:00pm

The attack in Manchester has raised hard questions about how the security services track people.

It is not the first time such questions have been asked, and it will not be the last.

Mara Kellerman is a senior fellow at a London think tank.

Leave a Reply
Your email address will not be published.
"""


def _titles(text: str) -> list[str | None]:
    return [p.piece.title if p.piece else None for p in parse_dump(text, "x.txt").posts]


def test_monthly_archive_with_feed_furniture_and_old_date_lines() -> None:
    dump = parse_dump(OLD_MONTH_ARCHIVE, "2008-06.txt")
    assert dump.archive.kind == "month"
    assert [p.piece.title for p in dump.posts] == [
        "Tracing the Network Behind the Plot",
        "Why the Prisons Matter",
    ]
    first, second = (p.piece for p in dump.posts)
    assert first.dating.published_date == date(2008, 6, 10) and first.authors == ["Mara Kellerman"]
    assert second.dating.published_date == date(2008, 6, 2) and second.outlet.name == "Guardian"
    assert [m.medium for m in dump.posts[1].mentions] == ["radio"]
    assert all(p.topics == [] for p in dump.posts)  # a date archive says when, not what
    assert any("before the first post" in w for w in dump.warnings)  # the feed is reported, not parsed
    assert "investigación" in second.body  # non-English passages stay in the body


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


def test_single_post_page_stops_before_the_comment_form() -> None:
    dump = parse_dump(SINGLE_POST_PAGE, "post.txt")
    assert len(dump.posts) == 1
    post = dump.posts[0]
    assert post.piece.title == "After Manchester, Hard Questions"
    assert post.end_line == 11  # the bio, not "Leave a Reply"
    assert post.piece.dating.published_date == date(2017, 5, 24)


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
