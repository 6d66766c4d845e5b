from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.models import ParseError
from transforms.parse import parse_dump

PARAS = st.sampled_from(
    [
        "Another piece for the Daily Planet, this time about widgets. I wrote it last week.",
        "Widgets and the world",
        "Prices rose steadily across most markets and supply stayed tight for months.",
        "Jane Doe is a senior fellow at the Institute of Widgets.",
        "Published: 1:00am, 3 Jan, 2020",
        "img_0001",
        "",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(PARAS, st.text(max_size=80)), max_size=40), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_never_raises_and_ranges_are_sane(paras: list[str], sep: str) -> None:
    text = sep.join(paras)
    try:
        parsed = parse_dump(text, "h.txt")
    except ParseError:
        return
    n = parsed.line_count
    assert [p.seq for p in parsed.posts] == list(range(1, len(parsed.posts) + 1))
    prev_end = 0
    for p in parsed.posts:
        assert prev_end < p.start_line <= p.end_line <= n
        prev_end = p.end_line
