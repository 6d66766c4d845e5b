import json
from pathlib import Path

import pytest

from transforms.models import ParseError
from transforms.parse import parse_dump


def test_gold_boundaries(seeds: list[Path], eval_dir: Path) -> None:
    gold_dir = eval_dir / "gold"
    if not gold_dir.is_dir():
        pytest.skip(f"gold not found in {gold_dir}")
    checked = 0
    for seed in seeds:
        gold_file = gold_dir / (seed.stem + ".json")
        if not gold_file.exists():
            continue
        gold = json.loads(gold_file.read_text())
        parsed = parse_dump(seed.read_text(encoding="utf-8"), seed.name)
        got = [(p.start_line, p.end_line) for p in parsed.posts]
        assert got == [(g["start_line"], g["end_line"]) for g in gold["posts"]]
        checked += 1
    assert checked


def test_every_seed_parses(seeds: list[Path]) -> None:
    for seed in seeds:
        parsed = parse_dump(seed.read_text(encoding="utf-8"), seed.name)
        assert parsed.posts and all(p.piece is not None for p in parsed.posts)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n ",
        "\x00\x01\x02" * 100,
        "<html><body><p>hi</p></body></html>",
        "just some words\n\nand more",
    ],
)
def test_not_a_dump(text: str) -> None:
    with pytest.raises(ParseError):
        parse_dump(text, "bad.txt")


def test_decode_and_lines() -> None:
    from transforms.text import decode, split_lines

    text = "Caf\u00e9 line one\r\nline two\n"
    for enc in ("utf-8", "utf-16", "cp1252"):
        got, _name = decode(text.encode(enc))
        assert split_lines(got) == ["Caf\u00e9 line one", "line two"]
