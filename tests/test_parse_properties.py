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


# Generated pages of every shape (samples.generator variants): whatever the mix, post line ranges
# never overlap, stay inside the file, and a post starts and ends on a non-empty line.
@settings(max_examples=25, deadline=None)
@given(
    st.sets(
        st.sampled_from(
            ["old_dates", "single_breaks", "no_header", "feed", "foreign", "monthly", "single_post"]
        )
    ),
    st.integers(min_value=0, max_value=10_000),
)
def test_generated_variant_dumps_have_sane_ranges(variants: set[str], seed: int) -> None:
    import tempfile
    from pathlib import Path

    from samples.generator import generate_corpus

    with tempfile.TemporaryDirectory() as tmp:
        for path in generate_corpus(Path(tmp), n_dumps=2, seed=seed, variants=sorted(variants)):
            text = path.read_text(encoding="utf-8")
            lines = text.split("\n")
            parsed = parse_dump(text, path.name)
            assert parsed.line_count == len(lines)
            prev_end = 0
            for p in parsed.posts:
                assert prev_end < p.start_line <= p.end_line <= parsed.line_count
                assert lines[p.start_line - 1].strip() and lines[p.end_line - 1].strip()
                if p.piece is not None:
                    assert p.start_line <= p.piece.title_line <= p.end_line  # title-first posts open on it
                prev_end = p.end_line
