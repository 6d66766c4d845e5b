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
    # a date archive says when, not what: the only topic is the post's own category line
    assert [p.topics for p in dump.posts] == [[], ["Commentary"]]
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


# --------------------------------------------------------------------------- more page shapes

FEED_THEN_POSTS = """Posts Tagged ‘Ports’

Latest tweets
New piece for the Straits Times on port politics: http://t.co/abc123 3 hours ago
Off to Tashkent tomorrow, slides nearly done 5 hours ago
@harbour_watch thanks, will send it over about a week ago
Follow me on Twitter

Recent Posts
The quiet politics of inland ports
Why the harbour deal matters

Another piece for the Straits Times, this time on the politics of inland ports and the money \
behind them. Have been meaning to write this up for a while.

The quiet politics of inland ports

PUBLISHED | MAR 3, 2015, 5:00 AM SGT

Inland ports rarely make the news, yet they decide where trade flows and who profits from it.

The new terminals have changed the habits of traders across the region within a few years.

Mara Kellerman is a senior fellow at a Copenhagen institute.
"""


def test_feed_furniture_is_not_read_as_posts() -> None:
    dump = parse_dump(FEED_THEN_POSTS, "ports.txt")
    assert [(p.start_line, p.piece.title) for p in dump.posts] == [(13, "The quiet politics of inland ports")]
    assert dump.posts[0].confidence >= 0.6
    assert any("before the first post" in w for w in dump.warnings)


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


SINGLE_POST_WITH_COMMENT_FORM = """Steppe Notes
Writing on Eurasia and the places in between

Just a pointer this time to something I wrote for the Telegraph on the rail corridor; the full \
text is on their site.

Why the corridor matters more than it looks

Share this:
Twitter
Facebook
Like this:
Related
Leave a Reply
Your email address will not be published. Required fields are marked *
Comment
Name *
Website
Post navigation
« An older post about ports
A newer post about pipelines »
"""


def test_single_post_page_ends_before_the_share_block_and_comment_form() -> None:
    dump = parse_dump(SINGLE_POST_WITH_COMMENT_FORM, "one.txt")
    assert dump.archive.kind == "single"
    assert [(p.start_line, p.end_line) for p in dump.posts] == [(4, 6)]
    assert dump.posts[0].piece.outlet.name == "Telegraph"
    assert any("after the last post" in w for w in dump.warnings)


def test_single_round_up_post_above_a_comment_form_parses() -> None:
    text = (
        "Round-up of some recent media bits, for the record.\n\n"
        "Elsewhere, spoke to the Guardian about the border talks and appeared on Sky News about it.\n\n"
        "Leave a Reply\nYour email address will not be published.\nComment\nName *\n"
    )
    dump = parse_dump(text, "roundup.txt")
    assert [(p.start_line, p.end_line, p.piece) for p in dump.posts] == [(1, 3, None)]
    assert {m.outlet.name for m in dump.posts[0].mentions} == {"Guardian", "Sky News"}


def test_monthly_archive_bounds_the_year_of_undated_pieces() -> None:
    text = """Archive for March, 2009

Another piece for the Telegraph, this time on the harbour deal and what it means for the region.

Why the harbour deal matters

The deal was signed quietly, but its effects will be felt for a long time across the region.
"""
    piece = parse_dump(text, "2009-03.txt").posts[0].piece
    assert piece.dating.published_date is None
    assert piece.dating.year == 2009 and piece.dating.date_max == date(2009, 3, 31)


def test_round_up_post_then_a_link_post_without_a_piece_noun() -> None:
    text = """Posts Tagged ‘Media’

Round-up of some recent media bits and pieces.

Elsewhere, spoke to the Guardian about the border talks, and appeared on Sky News about the summit.

Just a pointer this time to something I wrote for the Telegraph on the summit; the full text is there.

What the summit did not say
"""
    dump = parse_dump(text, "media.txt")
    assert [(p.start_line, p.end_line) for p in dump.posts] == [(3, 5), (7, 9)]
    assert dump.posts[0].piece is None and dump.posts[1].piece.title == "What the summit did not say"


def test_a_typo_in_the_intro_does_not_hide_the_post() -> None:
    text = """Posts Tagged ‘Ports’

Short piece for teh South China Morning Post off the back of some recent fieldwork, on ports.

Beyond the headlines on ports

Few observers expected the port to open so quickly once the decision was made in the capital.

Short piece for teh Straits Times off the back of a recent trip, focused on rail.

The long road to the rail link

Nobody in the region wants to be forced into choosing sides over the new rail link.
"""
    dump = parse_dump(text, "typo.txt")
    assert [p.start_line for p in dump.posts] == [3, 9]
    assert [p.piece.outlet.name for p in dump.posts] == ["South China Morning Post", "Straits Times"]


OLD_DATE_LINES = """Posts Tagged ‘Militancy’

A new post in a mini-series for the Jamestown Foundation's Terrorism Monitor, looking at the \
networks behind a recent plot.

Tracing the Network

The plot revealed a web of contacts across three countries, investigators said this week.

Volume: 9 Issue: 8
By Mara Kellerman
Date: 5th April 2011 | Author: Mara Kellerman and Tomas Ridley

The men met in a gym and planned most of it online, in forums that have since been closed.

Another piece for the Guardian, this time on prisons and the ideas that spread inside them.

Why the Prisons Matter

2 Mar 2011 9:15am | Age: 480 days

Prisons have long been a breeding ground for radical ideas, and the British system is no exception.
"""


def test_old_date_lines_issue_lines_and_age_timestamps() -> None:
    first, second = (p.piece for p in parse_dump(OLD_DATE_LINES, "old.txt").posts)
    assert first.standfirst is not None and first.standfirst.startswith("The plot revealed")
    assert first.dating.published_date == date(2011, 4, 5)
    assert first.kind == "journal-article"
    assert second.dating.published_date == date(2011, 3, 2)
    assert second.body.startswith("Prisons have long")


# --------------------------------------------------------------------------- known bugs


LETTER_WITH_ADDONS = """Posts Tagged ‘Sanctions’

A short letter in the Financial Times this week, responding to an editorial on sanctions.

Letter: Sanctions need a clearer goal

Sir, your editorial on sanctions misses the point that no regime of sanctions can be judged without a goal.

Mara Kellerman
Senior Fellow, Halvorsen Institute
Copenhagen, Denmark

Also on TRT World talking about the border talks, and on Monocle about the new rail link.
"""


def test_round_up_paragraphs_after_a_signature_block_report_mentions() -> None:
    post = parse_dump(LETTER_WITH_ADDONS, "letter.txt").posts[0]
    assert post.end_line == 13 and post.piece.kind == "letter"
    assert {m.outlet.name for m in post.mentions} == {"TRT World", "Monocle 24"}
    assert "TRT World" not in post.piece.body


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


def test_a_run_of_numbered_notes_or_a_notes_heading_is_a_notes_block() -> None:
    run = parse_dump(_body_then("1 “Review Published,” BBC News, March 16, 2021.\n2 Interview, London."), "x")
    assert [c.note_number for c in run.posts[0].citations] == [1, 2]
    headed = parse_dump(_body_then("Notes\n\n1 Figures are rounded and drawn from official statistics."), "x")
    assert [c.note_number for c in headed.posts[0].citations] == [1]
    assert "Notes" not in headed.posts[0].piece.body


def test_a_co_author_named_by_first_name_only() -> None:
    text = """Posts Tagged ‘Terrorism’

Here is a new piece with Kabir for his excellent institution the Observer Research Foundation.

Beware of easy answers

The threat has changed shape over the past year, and the answers have not kept up with it.
"""
    post = parse_dump(text, "x").posts[0]
    assert post.piece.authors[-1] == "Kabir"
    assert any("first name only" in w for w in post.warnings)
    bio = "\n\nKabir Sharma is a fellow at the Observer Research Foundation in New Delhi.\n"
    assert parse_dump(text + bio, "x").posts[0].piece.authors[-1] == "Kabir Sharma"


def test_weak_evidence_gives_a_low_confidence_post_that_is_reported() -> None:
    text = """Posts Tagged ‘Ports’

Been thinking about the ports again after the last trip, and the traders there.

The port of the future

By Mara Kellerman
3 March 2015

The port of the future is smaller than the planners think and busier than they hope.
"""
    dump = parse_dump(text, "weak.txt")
    assert [p.start_line for p in dump.posts] == [3]
    assert dump.posts[0].confidence < 0.6
    assert any("low segmentation confidence" in w for w in dump.posts[0].warnings)
    assert any("low-confidence" in w for w in dump.warnings)


def test_an_about_blurb_over_an_unlabelled_list_of_titles_is_flagged_not_trusted() -> None:
    text = """Posts Tagged ‘Ports’

About
I work on security across Eurasia and write for newspapers and think tanks; this is where I collect \
my pieces and the media bits.

The quiet politics of inland ports
Why the harbour deal matters

Another piece for the Straits Times, this time on the politics of inland ports and the money behind them.

The quiet politics of inland ports

Inland ports rarely make the news, yet they decide where trade flows and who profits from it.
"""
    dump = parse_dump(text, "about.txt")
    assert dump.posts[-1].start_line == 9 and dump.posts[-1].confidence >= 0.6
    assert all(p.confidence < 0.6 for p in dump.posts[:-1])


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


FOOTER_META = """Posts Tagged ‘Ports’

A new piece for the Jamestown Foundation's China Brief, looking at how port deals are changing hands \
along the coast. A longer read than usual, with notes at the end.

Harbours Changing Hands
Date: 10th March 2011 | Author: Mara Kellerman

Over the past year, three ports along the coast have changed hands in deals that drew little notice.[1]

The pattern is consistent: small stakes first, then management contracts, then the rest.[2]

Notes
[1] “Port stake sold,” Coastal Daily, 12 February 2011, http://coastal.example/2011/02/12/port.htm
[2] Interview with a harbour official, March 2011.
Posted in Articles, Shipping & Ports | 2 Comments »

A short note to flag a piece for the Diplomat on the same subject, written on the train.

The Quiet Port Race

The race for ports is quiet because nobody wants to be seen to be racing, least of all the winners.

It will not stay quiet for long, and the losers will be the first to say so.
Age: 3 days
This entry was posted on Friday, March 4th, 2011 at 9:15 am and is filed under China, Shipping & Ports. \
You can follow any responses to this entry through the RSS 2.0 feed.
"""


def test_post_meta_lines_give_topics_and_are_neither_body_nor_notes() -> None:
    notes_post, short_post = parse_dump(FOOTER_META, "ports.txt").posts
    assert [c.note_number for c in notes_post.citations] == [1, 2]  # the meta line under them is not a note
    assert notes_post.citations[0].url == "http://coastal.example/2011/02/12/port.htm"
    assert notes_post.topics == ["Ports", "Articles", "Shipping & Ports"]
    assert notes_post.piece.kind == "journal-article"  # "China Brief" names the outlet, not a policy brief
    assert short_post.topics == ["Ports", "China", "Shipping & Ports"]
    assert short_post.piece.body.endswith("the first to say so.")  # no "Age: 3 days", no meta line


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
