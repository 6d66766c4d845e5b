"""Posts from line roles: what opens, continues and closes a post, and what never is one."""

from __future__ import annotations

from transforms.line_roles import PageLines, Segment, read_page, segments
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
    labels, found = read_page(page, load_model().lines)
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
    labels, found = read_page(page, load_model().lines)
    assert labels[-3:] == ["O", "O", "O"]
    assert all(m < 3 for seg in found for m in seg.members)
