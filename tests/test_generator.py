"""The synthetic dump generator: deterministic, overlapping, size-targeted, exact truth, own words."""

from __future__ import annotations

import os
import random
import re
from datetime import date
from pathlib import Path

import pytest

from samples.__main__ import main as samples_cli
from samples.generator import (
    VARIANTS,
    format_date_line,
    generate_corpus,
    read_truth,
    truth_path,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("BYLINES_SEEDS", ROOT.parent / "shared" / "seeds"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_corpus(tmp_path_factory.mktemp("corpus"), n_dumps=6, seed=11, with_truth=True)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    a = generate_corpus(tmp_path / "a", n_dumps=6, seed=3, with_truth=True)
    b = generate_corpus(tmp_path / "b", n_dumps=6, seed=3, with_truth=True)
    c = generate_corpus(tmp_path / "c", n_dumps=6, seed=4)
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()
        assert truth_path(pa).read_bytes() == truth_path(pb).read_bytes()
    assert a[0].read_bytes() != c[0].read_bytes()
    assert not list((tmp_path / "c").glob("*.json")), "truth is written only on request"


def test_dump_shape(corpus: list[Path]) -> None:
    assert len(corpus) == 6
    headers = [_lines(p)[0] for p in corpus]
    assert any(h.startswith("Posts Tagged ‘") for h in headers)
    assert "Archive for the ‘PRESS’ Category" in headers
    assert any(re.fullmatch(r"Archive for [A-Z][a-z]+, \d{4}", h) for h in headers)
    for p in corpus:
        data = p.read_bytes()
        assert not data.endswith(b"\n"), "the last line has no trailing newline"
        assert b"\r" not in data
        assert _lines(p)[1] == ""
    assert not list(corpus[0].parent.glob("*.part"))


def test_posts_overlap_across_dumps_with_small_edits(corpus: list[Path]) -> None:
    seen: dict[str, list[tuple[Path, dict]]] = {}
    for p in corpus:
        for post in read_truth(p)["posts"]:
            seen.setdefault(post["key"], []).append((p, post))
    shared = {k: v for k, v in seen.items() if len(v) >= 2}
    assert len(shared) >= 5
    titles = {v[0][1]["title"] for v in shared.values() if v[0][1]["title"]}
    assert len(titles) >= 3
    # the same post somewhere with a typo and somewhere without: text differs, truth agrees
    variants = [v for v in shared.values() if len({post["typo"] for _, post in v}) == 2]
    assert variants, "expected at least one post whose typo is fixed in another page"
    (p1, t1), (p2, t2) = sorted(variants[0], key=lambda x: x[1]["typo"])[:2]
    text1 = _lines(p1)[t1["start_line"] - 1 : t1["end_line"]]
    text2 = _lines(p2)[t2["start_line"] - 1 : t2["end_line"]]
    assert text1 != text2 and len(text1) == len(text2)
    assert t1["title"] == t2["title"]


def test_truth_line_numbers_match_the_files(corpus: list[Path]) -> None:
    kinds: set[str] = set()
    for p in corpus:
        lines = _lines(p)
        truth = read_truth(p)
        assert truth["dump"] == p.name
        prev_end = 1
        prev_day = date.max
        prev_year = 9999
        for seq, post in enumerate(truth["posts"], start=1):
            assert post["seq"] == seq
            start, end = post["start_line"], post["end_line"]
            assert prev_end < start <= end <= len(lines)
            assert lines[start - 2] == "", "a post starts after a blank line"
            assert lines[start - 1].strip() and lines[end - 1].strip()
            if post["title_line"] is not None:
                assert start < post["title_line"] <= end
                assert lines[post["title_line"] - 1] == post["title"]
            if post["date_stated"]:
                assert lines[post["date_line"] - 1] == post["date_stated_text"]
                assert str(post["year"]) in post["date_stated_text"]
            # newest first, also for undated posts
            day = date.fromisoformat(post["blog_date"])
            assert day <= prev_day and post["year"] <= prev_year
            prev_day, prev_end, prev_year = day, end, post["year"]
            kinds.add(post["kind"])
            for c in post["citations"]:
                body = "\n".join(lines[start - 1 : end])
                if c["title"]:
                    assert f"“{c['title']}" in body
                if c["url"]:
                    assert c["url"] not in body, "URLs are broken by a space in the text"
        assert prev_end == len(lines), "the last post ends on the last line"
    assert {"letter", "op-ed", "commentary"} <= kinds


def test_outlets_in_truth_are_the_parsers_canonical_names(corpus: list[Path]) -> None:
    """Truth names outlets as the parser writes them (transforms/canonical.py), so they compare."""
    from transforms.canonical import canonical_ref

    used: set[str] = set()
    for p in corpus:
        for post in read_truth(p)["posts"]:
            if post["outlet"]:
                used.add(post["outlet"])
            used.update(m["outlet"] for m in post["mentions"])
            assert post["outlet"] not in {m["outlet"] for m in post["mentions"]}
    listed = {name for name in used if canonical_ref(name, {}).in_gazetteer}
    assert used and len(listed) >= len(used) - 2, used - listed
    for name in listed:
        assert canonical_ref(name, {}).name == name


def test_target_bytes_is_respected_approximately(tmp_path: Path) -> None:
    target = 3_000_000
    paths = generate_corpus(tmp_path, n_dumps=4, seed=5, target_bytes=target)
    sizes = [p.stat().st_size for p in paths]
    assert target <= sum(sizes) <= target + max(sizes)
    assert sum(sizes) - sizes[-1] < target, "stops as soon as the target is reached"


def test_date_line_styles() -> None:
    rng = random.Random(0)
    d = date(2020, 7, 17)
    assert format_date_line("rusi_glued", d, rng, "A B") == "Commentary17 July 2020"
    assert format_date_line("rusi_comma", d, rng, "A B") == "Commentary, 17 July 2020"
    assert format_date_line("none", d, rng, "A B") is None
    assert re.fullmatch(
        r"Published: \d{1,2}:\d\d[ap]m, 17 Jul, 2020", format_date_line("st_published", d, rng, "x")
    )
    assert re.fullmatch(
        r"PUBLISHED \| JUL 17, 2020, \d{1,2}:\d\d [AP]M SGT", format_date_line("st_caps", d, rng, "x")
    )
    assert format_date_line("old_date_author", date(2011, 3, 2), rng, "A B") == (
        "Date: 2nd March 2011 | Author: A B"
    )
    assert format_date_line("by_slash", d, rng, "A B") == "by A B / July 17, 2020 / Leave a comment"
    with pytest.raises(ValueError):
        format_date_line("nonsense", d, rng, "x")


def test_cli_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert samples_cli([str(tmp_path), "--dumps", "2", "--seed", "9", "--truth"]) == 0
    assert len(list(tmp_path.glob("*.txt"))) == 2
    assert len(list(tmp_path.glob("*.truth.json"))) == 2
    assert "2 dumps" in capsys.readouterr().out


@pytest.mark.seeds
def test_no_seed_text_is_copied(corpus: list[Path]) -> None:
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip(f"real seed dumps not found in {SEEDS} (set BYLINES_SEEDS)")
    n = 12
    windows: set[tuple[str, ...]] = set()
    for s in seeds:
        words = s.read_text(encoding="utf-8", errors="replace").split()
        windows.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    from samples.generator import DATA_DIR

    for p in [*corpus, *DATA_DIR.iterdir()]:
        words = p.read_text(encoding="utf-8").split()
        hits = [w for i in range(len(words) - n + 1) if (w := tuple(words[i : i + n])) in windows]
        assert not hits, f"{p.name} repeats seed text: {' '.join(hits[0])}"


# --------------------------------------------------------------------------- page variants

# sha256 over (name, dump bytes, truth bytes) of generate_corpus(n_dumps=4, seed=3, with_truth=True).
# The variants draw from their own random stream, so they never move this; change it only when the
# default pages are meant to change.
DEFAULT_DIGEST = "036b96ed24189b69d08b781cbcb28a98bdf6f4bb1c8225d0a220a6376f8ce17d"


def test_default_output_is_pinned(tmp_path: Path) -> None:
    import hashlib

    h = hashlib.sha256()
    for p in generate_corpus(tmp_path, n_dumps=4, seed=3, with_truth=True, variants=()):
        h.update(p.name.encode())
        h.update(p.read_bytes())
        h.update(truth_path(p).read_bytes())
    assert h.hexdigest() == DEFAULT_DIGEST


def test_unknown_variant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown variant"):
        generate_corpus(tmp_path, n_dumps=1, variants=["purple"])


VARIANT_SETS = [[name] for name in sorted(VARIANTS)] + [
    ["old_dates", "single_breaks", "no_header", "feed", "foreign"],
    ["single_post", "single_breaks", "old_dates"],
]


@pytest.mark.parametrize("variants", VARIANT_SETS, ids=["+".join(v) for v in VARIANT_SETS])
def test_variant_pages_and_their_truth(tmp_path: Path, variants: list[str]) -> None:
    a = generate_corpus(tmp_path / "a", n_dumps=5, seed=8, with_truth=True, variants=variants)
    b = generate_corpus(tmp_path / "b", n_dumps=5, seed=8, with_truth=True, variants=variants)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b], "variants are deterministic too"
    for p in a:
        lines = _lines(p)
        truth = read_truth(p)
        assert truth["variants"] == sorted(variants)
        taken = [(f, last) for f, last in truth["furniture"]]
        prev_end = 0
        for post in truth["posts"]:
            start, end = post["start_line"], post["end_line"]
            assert prev_end < start <= end <= len(lines)
            assert lines[start - 1].strip() and lines[end - 1].strip()
            assert all(last < start or first > end for first, last in taken), "furniture outside posts"
            if post["title_line"] is not None:
                assert lines[post["title_line"] - 1] == post["title"]
            if post["date_line"] is not None:
                assert lines[post["date_line"] - 1] == post["date_stated_text"]
            prev_end = end
        if "single_breaks" in variants:
            assert "" not in lines[truth["posts"][0]["start_line"] - 1 : prev_end]
        if "no_header" in variants or "single_post" in variants:
            assert truth["archive_label"] is None and not lines[0].startswith(("Posts Tagged", "Archive for"))
        if "single_post" in variants:
            assert len(truth["posts"]) == 1 and truth["archive_kind"] == "single"
            assert "Leave a Reply" in lines[prev_end:]
        if "monthly" in variants:
            assert truth["archive_kind"] == "month" and lines[0].startswith("Archive for ")
        if "feed" in variants:
            assert truth["furniture"] and truth["furniture"][0][0] < truth["posts"][0]["start_line"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in a)
    if "old_dates" in variants:
        assert re.search(
            r"Date: \d+(st|nd|rd|th) \w+ \d{4} \| Author: |Posted: \w+ \d+, \d{4} in |Age: \d+ days", text
        )
    if "foreign" in variants:
        assert re.search(r"[àéèüöäñíóúаеиоу]", text)


def test_cli_variant_flag(tmp_path: Path) -> None:
    assert samples_cli([str(tmp_path), "--dumps", "2", "--seed", "9", "--truth", "--variant", "feed"]) == 0
    assert read_truth(sorted(tmp_path.glob("*.txt"))[0])["variants"] == ["feed"]
