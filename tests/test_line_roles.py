"""Posts from line roles: what opens, continues and closes a post, and what never is one."""

from __future__ import annotations

from transforms.edge_readings import (
    above_the_archive_header,
    closing_links_between_posts,
    comment_counts,
    comment_sections,
    headers_over_round_ups,
    sentences_run_on,
    titles_named_by_links,
)
from transforms.head_readings import (
    bodiless_heads,
    date_headed_posts,
    dates_outside_posts,
    list_headings,
    outlet_headings,
    repeated_heads,
)
from transforms.line_roles import (
    PageLines,
    Segment,
    _after_closing_links,
    _byline,
    _date_headers,
    _headers_under_untitled_intros,
    _list_entries,
    closing_block,
    read_page,
    segments,
)
from transforms.model import load_model


def _seg(labels: list[str]) -> list[tuple[list[int], int | None]]:
    return [(s.members, s.title) for s in segments(labels, [0.9] * len(labels), [0.9] * len(labels))]


def test_a_start_opens_a_post_and_an_outside_line_closes_it() -> None:
    labels = ["O", "SI", "I", "T", "B", "B", "E", "O", "ST", "Bt", "Et"]
    assert _seg(labels) == [([1, 2, 3, 4, 5, 6], 3), ([8, 9, 10], 8)]


def test_a_round_up_has_no_title_and_a_stray_title_opens_a_post() -> None:
    assert _seg(["SR", "I", "I"]) == [([0, 1, 2], None)]
    assert _seg(["O", "T", "B"]) == [([1, 2], 1)]


def test_an_intro_after_a_posts_title_opens_the_next_post() -> None:
    # the chain missed a start: the late intro (or a second title) begins the next post
    assert _seg(["SI", "T", "B", "I", "T", "B"]) == [([0, 1, 2], 1), ([3, 4, 5], 4)]


def test_confidence_is_the_start_probability() -> None:
    (seg,) = segments(["SI", "T", "B"], [0.42, 0.1, 0.0], [0.0, 0.8, 0.0])
    assert isinstance(seg, Segment) and seg.confidence == 0.42


def test_page_lines_count_physical_lines_and_blank_runs() -> None:
    page = PageLines.of("Header\r\n\r\n\r\nIntro paragraph.\n \nTitle")
    assert page.index == [0, 3, 5] and page.texts == ["Header", "Intro paragraph.", "Title"]
    assert page.blank_before == [0, 2, 1]


def test_a_page_the_model_finds_no_post_in_still_gives_one_low_confidence_post() -> None:
    text = "\n\n".join(["Lorem ipsum dolor sit amet " * 3] * 3)
    page = PageLines.of(text)
    model = load_model()
    labels, found = read_page(page, model.lines, model.start_threshold)
    assert len(found) == 1 and 0.0 <= found[0].confidence <= 1.0
    assert len(labels) == len(page.texts)


def test_the_furniture_closing_a_page_is_outside_every_post() -> None:
    text = "\n\n".join(
        [
            "Another piece for the Telegraph, this time on ports and what they mean for trade.",
            "The quiet politics of inland ports",
            "Prices rose steadily across most markets and supply stayed tight for months on end.",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Name *",
        ]
    )
    page = PageLines.of(text)
    model = load_model()
    labels, found = read_page(page, model.lines, model.start_threshold)
    assert labels[-3:] == ["O", "O", "O"]
    assert all(m < 3 for seg in found for m in seg.members)


def test_a_date_header_above_a_title_first_post_opens_it() -> None:
    texts = [
        "Thursday, May 9, 2013",
        "My Boston Globe Editorial",
        "I had an op-ed in the paper edition of the New York Times this week, on birth rates.",
        "Written on: 3. 5. 2021 in the category: News | read the full article",
        "The Puzzles of Asia's Paper Tiger",
        "The silence from the ministry is always the tell, and here it is once more.",
        "Archives",
        "Second title, with no date above it",
    ]
    labels = ["O", "ST", "Bt", "O", "T", "B", "O", "ST"]
    p_start = [0.1, 0.8, 0.0, 0.2, 0.6, 0.0, 0.0, 0.9]
    _date_headers(labels, p_start, texts)
    assert labels == ["SH", "T", "Bt", "SH", "T", "B", "O", "ST"]
    assert p_start[:4] == [0.8, 0.8, 0.0, 0.6]
    assert [(s.members, s.title) for s in segments(labels, p_start, p_start)][:2] == [
        ([0, 1, 2], 1),
        ([3, 4, 5], 4),
    ]


def test_a_date_inside_the_post_before_or_below_a_title_stays_where_the_model_put_it() -> None:
    texts = ["Intro paragraph, a piece for the Irish Times.", "3 May 2019", "A title", "3 May 2019", "Body."]
    labels = ["SI", "D", "ST", "Dt", "Bt"]
    _date_headers(labels, [0.9, 0.0, 0.9, 0.0, 0.0], texts)
    assert labels == ["SI", "D", "ST", "Dt", "Bt"]


def test_a_date_header_that_the_model_opened_alone_joins_the_heading_below_it() -> None:
    texts = [
        "Sunday, 16 October 2011",
        "Al Jazeera interview about the floods",
        "Only now found a web link to a chat I recorded in August, during the floods.",
        "Monday, 10 October 2011",
        "Another title",
        "Its teaser, a paragraph that ends as paragraphs do.",
    ]
    labels = ["O", "SR", "I", "SR", "ST", "Bt"]
    _date_headers(labels, [0.0, 0.7, 0.0, 0.5, 0.9, 0.0], texts)
    assert labels == ["SR", "I", "I", "SH", "T", "Bt"]


def test_lines_that_name_a_piece_and_end_with_its_date_are_a_list_one_post_each() -> None:
    texts = [
        "Below are a few of the pieces I have written for them this year:",
        "Stubbornness on every side has led to a stalemate, 22 December, 2021.",
        "Trade talks stall again, 14 March 2022.",
        "(Several readers said this was the one they liked best.)",
        "The fighting may stop but the peace will be hard to accept, 12 March 2022.",
        "Posted on 3 May 2019",
    ]
    labels = ["SI", "T", "B", "T", "B", "B"]
    _list_entries(labels, texts)
    assert labels == ["SI", "T", "ST", "Bt", "ST", "B"]
    assert [s.members for s in segments(labels, [0.9] * 6, [0.9] * 6)] == [[0, 1], [2, 3], [4, 5]]
    # two such lines are not yet a list; a dated line with no piece's name before its date is no entry
    two = ["SI", "B", "B", "B"]
    _list_entries(two, texts[:3] + ["Posted on 3 May 2019"])
    assert two == ["SI", "B", "B", "B"]


def test_a_post_opened_on_a_line_that_cannot_be_a_title_takes_the_next_line_as_its_title() -> None:
    texts = [
        "October, 2013",
        "Thinking big about a small island",
        "Are we a forgetful nation? I think we are.",
        "-",
    ]
    texts += [
        "The iPhone of 1939 Helped Liberate Europe. Opinion, October 25, 2019",
        "Blockbusters Can Make Good Art",
    ]
    labels = ["ST", "Bt", "Bt", "ST", "Bt", "ST"]
    _date_headers(labels, [0.9, 0.0, 0.0, 0.9, 0.0, 0.9], texts)
    assert labels == ["SH", "T", "Bt", "SH", "T", "ST"]


def test_a_title_after_a_teasers_closing_link_opens_the_next_post() -> None:
    texts = [
        "NATO at Sea: More is Less",
        "Here is another article fretting over the Union punching below its weight. It is not. [...]",
        "Continue Reading",
        "Iran Sanctions Vote",
        "Across the world the sensors will have shown within seconds a great many things.",
        "Leave a Reply",
        "Sign in with your account or leave a name and an email: Logo",
    ]
    labels = ["ST", "Bt", "B", "B", "B", "B", "T"]
    _after_closing_links(labels, texts)
    assert labels == ["ST", "Bt", "E", "ST", "Bt", "Bt", "T"]


def test_a_posts_title_and_date_head_repeated_below_its_body_opens_the_next_post() -> None:
    texts = [
        "My latest for a weekly, this one looking at a long trial and what it meant for two allies.",
        "The Verdict That Strained an Alliance",
        "by A. Writer",
        "Monday, 14 June 2010",
        "The trial ended last week, and the jury found the three men guilty on every count of the plot.",
        "Things have been slow here lately; meanwhile, a shorter piece for the same weekly.",
        "Threat level lowered",
        "by A. Writer",
        "Thursday, 6 August 2009",
        "The threat level was lowered this week, the first change in four years of the old system.",
    ]
    labels = ["SI", "T", "B", "D", "B", "B", "B", "B", "D", "B"]
    repeated_heads(labels, texts)
    assert labels == ["SI", "T", "B", "D", "B", "SI", "T", "B", "D", "B"]
    # a date line under prose with no head above it (a dated quote in the body) stays body
    labels = ["SI", "T", "B", "D", "B", "B", "D", "B"]
    repeated_heads(labels, [*texts[:6], texts[8], texts[9]])
    assert labels == ["SI", "T", "B", "D", "B", "B", "D", "B"]


def test_a_head_without_a_body_takes_the_title_less_run_under_it() -> None:
    texts = [
        "3 Feb2019",
        "Democracy was built to survive a crisis",
        "Posted in Columns",
        "Today in The Weekly Paper",
        "The genius of democracy lies in turning adversaries into rivals, and it has done so again.",
        "08 Feb2019",
        "The anthem belongs to the nation",
        "Posted in Columns",
    ]
    labels = ["SI", "T", "O", "SR", "I", "I", "T", "B"]
    bodiless_heads(labels, texts)
    assert labels == ["SI", "T", "B", "B", "B", "SH", "T", "B"]
    # a post whose title has prose under it keeps the round-up the model found after it
    labels = ["SI", "T", "B", "SR", "I"]
    bodiless_heads(labels, [texts[0], texts[1], texts[4], texts[3], texts[4]])
    assert labels == ["SI", "T", "B", "SR", "I"]


def test_an_outlets_name_over_a_date_and_a_paragraph_is_an_appearance_each() -> None:
    texts = [
        "BBC Radio Leeds",
        "12 April 2022",
        "For the second time, I was on the radio talking about the new rules for voting, and who they miss.",
        "Toronto Star",
        "30 November 2022",
        "A charity has switched to generated images in its advertising; I told the paper what I thought.",
    ]
    labels = ["O", "SH", "T", "ST", "SH", "T"]
    outlet_headings(labels, texts)
    assert labels == ["SR", "D", "I", "SR", "D", "I"]
    # one such entry is not a list: a title-first post stays as the model read it
    labels = ["ST", "Dt", "Bt"]
    outlet_headings(labels, texts[:3])
    assert labels == ["ST", "Dt", "Bt"]


def test_every_date_header_over_a_headline_opens_a_post_once_the_page_shows_the_layout() -> None:
    texts = [
        "Written on: 3. 5. 2021 in the category: News | read the full article",
        "The wonders of a bear",
        "The silence of the watchdog is always the tell, and there is none of it this year.",
        "Written on: 7. 9. 2020 in the category: News | read the full article",
        "Remembering a poet",
        "A column written six years back, which turned up again by accident this week.",
    ]
    labels = ["SH", "T", "SI", "T", "ST", "SI"]
    date_headed_posts(labels, texts)
    assert labels == ["SH", "T", "B", "SH", "T", "B"]
    # the model never read the layout on this page: nothing to follow
    labels = ["SI", "T", "B", "B", "T", "B"]
    date_headed_posts(labels, texts)
    assert labels == ["SI", "T", "B", "B", "T", "B"]


def test_a_date_line_no_post_holds_opens_one_with_the_headline_beside_it() -> None:
    texts = [
        "Skip to main content",
        "OPED: Why a lunch with a congressman has citizens spooked?",
        "Published in a quarterly / Oct 2017",
        "When someone like him meets someone like the congressman, people take notice of it all.",
    ]
    labels = ["O", "O", "D", "B"]
    dates_outside_posts(labels, texts)
    assert labels == ["O", "ST", "Dt", "Bt"]
    texts = [
        "A blog: Appearing on the radio",
        "Monday, May 15, 2006",
        "Appearing on the radio",
        "Listeners heard me.",
    ]
    labels = ["O", "D", "B", "B"]
    dates_outside_posts(labels, texts)
    assert labels == ["O", "SH", "T", "B"]


def test_a_short_heading_over_a_lists_entries_is_the_lists_not_a_post() -> None:
    texts = [
        "Media brief",
        "A long title of an interview, Interview for a caucus, May 23, 2019.",
        "1. Another, X, 2020.",
    ]
    labels = ["SR", "N", "N"]
    list_headings(labels, texts)
    assert labels == ["O", "N", "N"]
    labels = ["N", "N", "N"]
    list_headings(labels, ["1. A title, X, 2020.", *texts[1:]])
    assert labels == ["N", "N", "N"]


def test_the_closing_furniture_starts_after_the_lines_every_post_repeats() -> None:
    texts = [
        "08 Feb2019",
        "A title",
        "Posted in Columns",
        "Body.",
        "21 Feb2020",
        "Another",
        "Posted in Columns",
        "Share",
    ]
    labels = ["SH", "T", "B", "B", "SH", "T", "B", "O"]
    assert closing_block(texts, labels, 6) == 7
    assert closing_block(texts, ["O"] * 8, 6) == 6  # nothing above was a post's


def test_start_probabilities_asked_lazily_are_the_eager_ones(tmp_path) -> None:
    """``StartProbs`` skips the start marginals of an item whose best label leaves them too little
    room: on generated pages, every item it skips has a start sum under the threshold, and every
    value it gives is the sum of the start marginals asked item by item."""
    from samples.generator import generate_corpus
    from transforms.labels import START_LABELS
    from transforms.line_marginals import StartProbs

    tagger, threshold = load_model().lines, load_model().start_threshold
    known = set(tagger.labels())
    starts = [s for s in START_LABELS if s in known]
    skipped = 0
    for dump in generate_corpus(tmp_path, n_dumps=2, seed=5):
        _keep, feats = PageLines.of(dump.read_text(encoding="utf-8")).items()
        labels = tagger.tag(feats)
        lazy = StartProbs(tagger, known, starts)
        for i, label in enumerate(labels):
            eager = sum(tagger.marginal(s, i) for s in starts)
            if label not in START_LABELS and not lazy.may_reach(i, label, threshold):
                skipped += 1
                assert eager < threshold
            assert lazy[i] == eager
    assert skipped > 0  # the gate is exercised


def test_a_posts_repeated_closing_link_does_not_open_the_pages_closing_block() -> None:
    """An excerpt cut inside its last post: the teaser link every post repeats, then a title and
    the first words of a paragraph. Those are a post, not the page's closing furniture; a real
    closing block ("Leave a Reply" and a comment form) under the same link still is."""
    from transforms.line_features import text_features
    from transforms.page_layout import trailing_furniture

    posts = [
        "An Old Treaty Revisited",
        "Some long teaser paragraph about the treaty that goes on for a while and ends here.",
        "Continue Reading",
        "Talks Resume: What Now?",
        "Another teaser paragraph about the talks that runs on and on for quite a while too.",
        "Continue Reading",
        "Budget Outcomes: All Change?",
        "Plenty of talk about the way the early stages of",
    ]
    shapes = [text_features(t)[1] for t in posts]
    assert trailing_furniture(posts, shapes) == len(posts)
    closed = [*posts[:6], "Leave a Reply", "Name *", "Website"]
    assert trailing_furniture(closed, [text_features(t)[1] for t in closed]) == 6


def test_a_bullet_that_opens_a_list_takes_the_entry_left_outside_under_it_as_its_title() -> None:
    """A list of "- " bullets, each over its entry: the first entry, under the page's heading, was
    left outside every post; the bullet above it cannot be a title, so the entry is (not a furniture
    line such as a comment link, which stays outside)."""
    texts = [
        "Writing 2030",
        "-",
        "A Made Up Headline Glued To Some WeeklyMade Up Weekly, May 3, 2019 The teaser goes on",
        "-",
        "Another Made Up HeadlineMade Up Weekly, April 2, 2019 More teaser text here",
    ]
    labels = ["O", "ST", "O", "SH", "T"]
    _date_headers(labels, [0.5] * len(labels), texts)
    assert labels == ["O", "SH", "T", "SH", "T"]
    labels = ["O", "ST", "O", "SH", "T"]
    _date_headers(labels, [0.5] * len(labels), [*texts[:2], "Leave a comment", *texts[3:]])
    assert labels == ["O", "ST", "O", "SH", "T"]


def test_a_lists_first_entry_is_its_intros_title_over_a_logo_line_the_model_took_for_one() -> None:
    """An intro, a publication's logo line the model read as a title, then a list of dated
    entries: the first entry is the intro's piece and the logo line goes back to the intro. A
    comment under an entry that the model read as an intro does not take the next run's entry."""
    texts = [
        "Some pieces I have written for local papers over the years, newest first in each group.",
        "Paper logo",
        "“A Made Up Headline About Rivers”, May 25th 2017",
        "“Another Made Up Headline”, Mar 24th 2015",
        "“A Third Made Up Headline, On Hills”, Aug 9th 2014",
    ]
    labels = ["SI", "T", "B", "B", "B"]
    _list_entries(labels, texts)
    assert labels == ["SI", "I", "T", "ST", "ST"]
    after_entry = [
        *texts[2:],
        "(A comment on the piece above, read as an intro.)",
        "Paper logo",
        "“A Fourth Made Up Headline”, Apr 9th 2020",
        "“A Fifth Made Up Headline”, Sep 6th 2019",
        "“A Sixth Made Up Headline”, Jan 2nd 2018",
    ]
    labels = ["ST", "ST", "ST", "SI", "T", "B", "B", "B"]
    _list_entries(labels, after_entry)
    assert labels == ["ST", "ST", "ST", "SI", "T", "ST", "ST", "ST"]


def test_a_line_that_a_teasers_closing_link_names_is_its_posts_title() -> None:
    """ "...Continue reading “Title”" names the teaser's title: the line above that says the same
    opens the post as its title, even when it reads like an intro's sentences; a link naming no
    line above, or a title already read as one, changes nothing."""
    title = "It was ten years ago…ish. One last piece for the Weekly"
    texts = [
        "A Made Up Earlier Title",
        "Its teaser, short.Continue reading “A Made Up Earlier Title”",
        title,
        "Back then I was trying to write for papers, and this is how it went until I wouldContinue reading “"
        + title
        + "”",
    ]
    labels = ["ST", "Bt", "SI", "T"]
    titles_named_by_links(labels, texts)
    assert labels == ["ST", "Bt", "ST", "Bt"]
    labels = ["ST", "Bt", "SI", "T"]
    titles_named_by_links(labels, [*texts[:3], texts[3].replace("ten years", "nine years")])
    assert labels == ["ST", "Bt", "SI", "T"]


def test_a_category_heading_over_a_round_ups_heading_opens_the_round_up() -> None:
    """A short heading read as a one-line post, right above a round-up's heading: one round-up
    that opens with the heading. A one-line round-up heading over a round-up's first line joins
    it too; an entry of a list of titles (an "ST" after an "ST") is left alone."""
    texts = [
        "Radio Talk Shows",
        "On the morning show: budgets and buses",
        "I took part in a talk on the radio.",
    ]
    labels = ["ST", "SR", "I"]
    headers_over_round_ups(labels, texts)
    assert labels == ["SR", "I", "I"]
    labels = ["SR", "SR", "I"]
    headers_over_round_ups(labels, ["Recent Interviews", "Here are links to a few talks I gave:", texts[2]])
    assert labels == ["SR", "I", "I"]
    labels = ["ST", "ST", "SR", "I"]
    headers_over_round_ups(labels, ["A Made Up Title", *texts])
    assert labels == ["ST", "ST", "SR", "I"]


def test_a_closing_link_left_outside_between_two_posts_ends_the_post_above() -> None:
    """ "Read More" between a post's last line and the next post's start is the post's; a widget
    heading ("Share this:") there, or a link after the last post, stays outside."""
    texts = ["Heading", "Some intro text of the round-up.", "Read More", "Next heading", "More text."]
    labels = ["SR", "I", "O", "SR", "I"]
    closing_links_between_posts(labels, texts)
    assert labels == ["SR", "I", "E", "SR", "I"]
    labels = ["ST", "Bt", "O", "ST", "Bt"]
    closing_links_between_posts(labels, [*texts[:2], "Share this:", *texts[3:]])
    assert labels == ["ST", "Bt", "O", "ST", "Bt"]
    labels = ["SR", "I", "O", "O"]
    closing_links_between_posts(labels, [*texts[:3], "Older posts"])
    assert labels == ["SR", "I", "O", "O"]


def test_a_sentence_that_runs_on_over_a_blank_line_opens_the_post_on_its_first_line() -> None:
    """ "The morning show, today," over "was more fun than I thought": one paragraph, so the post
    the model opened on the lower line starts on the upper one; a full stop or a capital between
    them leaves the page as read."""
    texts = ["The morning show, today,", "was more fun than I thought it would be, all in all.", "Title"]
    labels = ["O", "SR", "I"]
    sentences_run_on(labels, texts)
    assert labels == ["SR", "I", "I"]
    labels = ["O", "SI", "T"]
    sentences_run_on(labels, ["Welcome to my blog.", *texts[1:]])
    assert labels == ["O", "SI", "T"]
    labels = ["O", "SI", "T"]
    sentences_run_on(labels, [texts[0], "Was more fun than I thought.", "Title"])
    assert labels == ["O", "SI", "T"]


def test_a_short_heading_between_a_lists_entries_is_outside_every_post() -> None:
    """A publication's name between two entries of a list heads the entries under it: outside
    every post (the entry above ends before it); a comment on an entry stays the entry's."""
    texts = [
        "“A Made Up Headline About Rivers”, May 25th 2017",
        "(Many readers liked this one best of all, it seems.)",
        "“Another Made Up Headline”, Mar 24th 2015",
        "Weekly Paper logo",
        "“A Third Made Up Headline, On Hills”, Aug 9th 2014",
    ]
    labels = ["ST", "I", "B", "B", "B"]
    _list_entries(labels, texts)
    assert labels == ["ST", "Bt", "ST", "O", "ST"]


def test_a_header_under_an_intro_with_no_title_yet_is_more_of_the_intro() -> None:
    """An intro opens a post whose title follows: a header-shaped line under it (a dated image
    name) is the intro's, not a new post's first line; under a titled post it stays a header."""
    labels = ["O", "SI", "SH", "T", "B"]
    _headers_under_untitled_intros(labels)
    assert labels == ["O", "SI", "I", "T", "B"]
    labels = ["SI", "T", "B", "SH", "T"]
    _headers_under_untitled_intros(labels)
    assert labels == ["SI", "T", "B", "SH", "T"]


def test_a_byline_is_never_a_posts_title() -> None:
    assert _byline("By Ann Example and Bob Sample")
    assert not _byline("Undercover: Inside a Made Up Story")


def test_the_archive_header_and_the_lines_above_it_are_outside_every_post() -> None:
    """A tag page's excerpt that begins inside a post, then "Tag: ...", then the posts: the
    header is no title, and the paragraph above it opens no post. A category line under a post's
    title is that post's own and changes nothing."""
    page = PageLines.of(
        "The end of a post that began above the excerpt, as its last paragraph says.\n\n"
        "Tag: Made Up Places\n\nA Made Up Title\n\nIts teaser."
    )
    labels = ["SI", "T", "ST", "Bt"]
    above_the_archive_header(labels, page.texts, page.index)
    assert labels == ["O", "O", "ST", "Bt"]
    # a post the model opened on the header line itself now opens on the line under it
    page = PageLines.of("Posts Tagged ‘Made Up Places’\n\nAn intro paragraph.\n\nA Made Up Title\n\nBody.")
    labels = ["SI", "I", "T", "B"]
    above_the_archive_header(labels, page.texts, page.index)
    assert labels == ["O", "SI", "T", "B"]
    assert [s.members for s in segments(labels, [0.9] * 4, [0.9] * 4)] == [[1, 2, 3]]
    page = PageLines.of("A Made Up Title\n\nCategory: Made Up Places\n\nIts teaser.")
    labels = ["ST", "Bt", "Bt"]
    above_the_archive_header(labels, page.texts, page.index)
    assert labels == ["ST", "Bt", "Bt"]


def test_a_teaser_cut_short_with_an_ellipsis_is_prose_before_its_closing_link() -> None:
    """A teaser paragraph cut with "..." has no sentence break, but it is prose: the title-like
    line after its "Continue Reading" (one that asks, "So What? Not ...!") opens the next post."""
    texts = [
        "NATO at Sea: More is Less",
        "Yet one more report worrying whether the bloc counts for less than its size abroad and"
        " at home, which plainly it does not, or not by much, whatever its critics like to...",
        "Continue Reading",
        "Sanctions – So What? Not our Concern!",
        "Over at the ministry this morning I spoke with a few officials who follow the file and",
    ]
    labels = ["ST", "Bt", "B", "B", "B"]
    _after_closing_links(labels, texts)
    assert labels == ["ST", "Bt", "E", "ST", "Bt"]


def test_a_comment_section_is_outside_every_post_up_to_the_next_post() -> None:
    """From "Jane Doe said..." (a commenter's line, also where the model opened a post on one) or
    "Leave a Reply" to the next post's start, the lines are no post's; a post's "Leave a comment"
    link and a sentence that ends in "said" are the post's own."""
    texts = [
        "A Made Up Title",
        "The post's last paragraph, which ends here.",
        "Ann Example said...",
        "Good interview!",
        "4/17/2006 02:21:00 pm",
        "Blogger Bob Sample said...",
        "Next Made Up Title",
        "Its teaser.",
    ]
    labels = ["ST", "Bt", "Bt", "Bt", "Bt", "ST", "ST", "Bt"]
    comment_sections(labels, texts)
    assert labels == ["ST", "Bt", "O", "O", "O", "O", "ST", "Bt"]
    labels = ["ST", "Bt", "Bt", "Bt"]
    comment_sections(labels, ["A Made Up Title", "Its teaser.", "Leave a comment", "And then he said"])
    assert labels == ["ST", "Bt", "Bt", "Bt"]
    labels = ["SI", "T", "B", "E", "B", "B"]
    comment_sections(labels, ["Intro.", "Title", "Body.", "Leave a Reply", "Name *", "Website"])
    assert labels == ["SI", "T", "B", "O", "O", "O"]
    # "X says:" opens a comment only over the comment's date; in a body it introduces a quote
    quote = [
        "Intro.",
        "Title",
        "The minister said:",
        "“We will see.”",
        "Jane Doe says:",
        "May 3, 2019 at 4:12 pm",
    ]
    labels = ["SI", "T", "B", "B", "B", "B"]
    comment_sections(labels, quote)
    assert labels == ["SI", "T", "B", "B", "O", "O"]


def test_a_posts_comment_count_read_as_the_next_posts_header_closes_the_post_above() -> None:
    """ "1 Comment" under a teaser is the post's link to its comments: it ends that post and the
    title under it opens the next one; a title that merely starts with a number is left alone."""
    texts = ["A Made Up Title", "Its teaser.", "1 Comment", "Next Made Up Title", "Its teaser too."]
    labels = ["ST", "Bt", "SH", "T", "B"]
    comment_counts(labels, texts)
    assert labels == ["ST", "Bt", "Et", "ST", "Bt"]
    labels = ["ST", "Bt", "SH", "T", "B"]
    comment_counts(labels, [*texts[:2], "1 Comment on Rivers", *texts[3:]])
    assert labels == ["ST", "Bt", "SH", "T", "B"]
