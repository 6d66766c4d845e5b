"""A post the line model read as a title-less round-up: a piece's post when its lines report a piece;
and a line ending with a colon that the line model read as a title: no title.

Made-up lines only. The posts are built with the shipped model's field model (a real component)
from line roles set here as the line model gives them to such a post ("SR" first, "I" after), so
that the reading is tested whatever the line model makes of the made-up page.
"""

from __future__ import annotations

from transforms.archive import find_archive
from transforms.head_readings import untitled_heading
from transforms.line_roles import PageLines, Segment
from transforms.model import load_model
from transforms.models import Post
from transforms.posts import PageContext, build_post
from transforms.text import split_lines


def _as_round_up(text: str) -> Post:
    """The page's lines as one post the model opened as a round-up ("SR", then "I" lines)."""
    lines = split_lines(text)
    page = PageLines.of(lines)
    roles = ["SR"] + ["I"] * (len(page.texts) - 1)
    ctx = PageContext(text, lines, page, roles, load_model(), None, None, find_archive(lines))
    return build_post(1, Segment(members=list(range(len(page.texts)))), ctx)


def _with_title(text: str, roles: list[str]) -> Post:
    """The page's lines as one post with the given line roles, titled by its "T" line."""
    lines = split_lines(text)
    page = PageLines.of(lines)
    ctx = PageContext(text, lines, page, roles, load_model(), None, None, find_archive(lines))
    return build_post(1, Segment(members=list(range(len(page.texts))), title=roles.index("T")), ctx)


def test_a_line_ending_with_a_colon_titles_nothing() -> None:
    # a round-up whose share widget's label the line model read as its title ("SR", "I", then "T")
    roles = ["SR", "I", "T", "B"]
    text = "Recent Radio Spots\n\nSpoke to Radio Widget on Monday about the budget.\n\n{}\n\n2 Comments\n"
    post = _with_title(text.format("Tell a friend:"), roles)
    assert post.piece is None and post.article_id is None
    titled = _with_title(text.format("Tell a Friend"), roles)  # the same line as a headline titles the post
    assert titled.piece is not None and titled.piece.title == "Tell a Friend"


def test_the_heading_of_a_title_less_post_is_a_headline_with_prose_under_it() -> None:
    prose = "I woke early that morning. The dog had other plans, and so did the rain outside."
    texts = ["Thursday, March 9, 2017", "Walking the Dog", prose]
    assert untitled_heading(texts, [0, 1, 2]) == 1  # under its date header
    assert untitled_heading(texts[1:], [0, 1]) == 0  # first
    # no prose under the headline (another headline, a date line), or the heading is a date: none
    assert untitled_heading(["Walking the Dog", "Another Short Heading", prose], [0, 1, 2]) is None
    assert untitled_heading(["Walking the Dog", "Thursday, March 9, 2017", prose], [0, 1, 2]) is None
    assert untitled_heading(["Thursday, March 9, 2017", prose], [0, 1]) is None
    assert untitled_heading(["By Jane Doe", prose], [0, 1]) is None  # a byline titles nothing
    assert untitled_heading(["Walking the Dog"], [0]) is None


def test_a_date_title_and_intro_naming_the_piece_is_a_piece_post() -> None:
    # the field model reads the outlet of the piece: a piece, even with a word of appearing beside it
    post = _as_round_up(
        "Thursday, March 9, 2017\n\nMy Daily Planet Column\n\n"
        "I had an op-ed in the Daily Planet today on the price of widgets; "
        "I also talked to Radio Widget about it.\n\n"
        "The link is below, for those who asked.\n"
    )
    assert post.piece is not None and post.piece.title == "My Daily Planet Column"
    assert post.piece.title_line == 3 and post.intro == "Thursday, March 9, 2017"
    assert post.article_id is not None
    assert post.piece.outlet is not None and post.piece.outlet.name == "Daily Planet"


def test_a_title_first_post_with_no_names_is_a_piece_post() -> None:
    post = _as_round_up(
        "Walking the Dog\n\n"
        "I woke early that morning. The dog had other plans, and so did the rain that fell on the "
        "hills all day long while we waited by the door.\n"
    )
    assert post.piece is not None and post.piece.title == "Walking the Dog"
    assert post.start_line == post.piece.title_line == 1


def test_a_round_up_of_appearances_stays_pieceless() -> None:
    # a word of appearing in the prose under the heading
    post = _as_round_up(
        "Thursday, March 9, 2017\n\nBusy Week\n\n"
        "I was interviewed on the breakfast show about widget prices, and then on the evening news.\n"
    )
    assert post.piece is None and post.article_id is None


def test_a_round_up_whose_names_are_mentions_stays_pieceless() -> None:
    # a heading and an opening that say nothing of appearing, then names the field model reads as mentions
    post = _as_round_up(
        "Some Recent Bits\n\n"
        "Have been remiss in posting these lately, so here is a catch-up for the record.\n\n"
        "Spoke to Radio Widget about the budget, and was quoted in the Morning Bugle on taxes.\n"
    )
    assert post.piece is None
