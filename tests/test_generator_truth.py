"""The shipped model reads the generator's pages back: posts, titles, outlets, dates and years.

The model is trained on real annotated pages only (never on generated ones), so this measures
how far the generator's pages read like real archive pages, and guards the demo and the
benchmarks: they run on generated pages. The bars are what the shipped model reaches, with a
margin; the real measure of the parser is the cross-validation (tests/test_cv_bars.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samples.generator import VARIANTS, generate_corpus
from transforms.parse import parse_dump


def _measure(files: list[Path]) -> dict[str, object]:
    """Post-start precision/recall and field accuracy of the parser against the truth sidecars."""
    tp = fp = fn = 0
    misses: list[str] = []
    ok = {"end_line": 0, "title": 0, "date": 0, "outlet": 0, "year": 0}
    for path in files:
        truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
        expected = {p["start_line"]: p for p in truth["posts"]}
        parsed = {p.start_line: p for p in parse_dump(path.read_text(encoding="utf-8"), path.name).posts}
        tp += len(expected.keys() & parsed.keys())
        fp += len(parsed.keys() - expected.keys())
        fn += len(expected.keys() - parsed.keys())
        misses += [f"{path.name}:{n} missed" for n in sorted(expected.keys() - parsed.keys())]
        misses += [f"{path.name}:{n} spurious" for n in sorted(parsed.keys() - expected.keys())]
        for line in expected.keys() & parsed.keys():
            got, want = parsed[line], expected[line]
            piece = got.piece
            stated = piece.dating.published_date if piece else None
            checks = {
                "end_line": got.end_line == want["end_line"],
                "title": (piece.title if piece else None) == want["title"],
                "date": (stated.isoformat() if stated else None) == want["date_stated"],
                "outlet": (piece.outlet.name if piece and piece.outlet else None) == want["outlet"],
                "year": (piece.dating.year if piece else None) == want["year"],
            }
            for name, good in checks.items():
                ok[name] += good
                if not good:
                    misses.append(f"{path.name}:{line} {name}")
    return {
        "precision": tp / max(1, tp + fp),
        "recall": tp / max(1, tp + fn),
        **{name: n / max(1, tp) for name, n in ok.items()},
        "misses": misses[:10],
    }


# What the shipped model reaches on the default pages (seeds 3 and 99: P 0.92-0.96, R 0.86-0.91,
# titles and dates 0.96-0.98, outlets 0.84-0.96), with a margin.
DEFAULT_BARS = {"precision": 0.88, "recall": 0.83, "title": 0.94, "date": 0.94, "outlet": 0.8, "year": 0.75}


@pytest.mark.parametrize("seed", [3, 99])
def test_the_shipped_model_reads_generated_pages_back(tmp_path: Path, seed: int) -> None:
    got = _measure(generate_corpus(tmp_path, n_dumps=12, seed=seed, with_truth=True))
    low = {k: got[k] for k, bar in DEFAULT_BARS.items() if got[k] < bar}  # type: ignore[operator]
    assert not low, got


# Older and odder page shapes (samples.generator.VARIANTS), one at a time and all together.
VARIANT_SETS = [[name] for name in sorted(VARIANTS)] + [
    ["old_dates", "single_breaks", "no_header", "feed", "foreign"],
    ["single_post", "single_breaks", "old_dates", "foreign"],
    ["monthly", "feed", "old_dates"],
]


# The variants draw odder page shapes (older date lines, no blank lines, no header, feeds and
# sidebars, other languages, monthly archives, single-post pages with mastheads and comment forms).
# Feeds of tweets and single-post mastheads have no counterpart in the annotated pages, and the
# model reads some of their lines as posts: their precision bar is lower.
VARIANT_BARS = {"precision": 0.8, "recall": 0.75, "title": 0.86, "date": 0.9, "outlet": 0.75}
WEAK_PRECISION = {"feed": 0.35, "single_post": 0.4}


@pytest.mark.parametrize("variants", VARIANT_SETS, ids=["+".join(v) for v in VARIANT_SETS])
def test_generated_variants_are_read_back(tmp_path: Path, variants: list[str]) -> None:
    files = []
    for seed in (3, 99):
        files += generate_corpus(
            tmp_path / str(seed), n_dumps=12, seed=seed, with_truth=True, variants=variants
        )
    got = _measure(files)
    bars = dict(VARIANT_BARS)
    bars["precision"] = min([bars["precision"], *(WEAK_PRECISION.get(v, 1.0) for v in variants)])
    low = {k: got[k] for k, bar in bars.items() if got[k] < bar}  # type: ignore[operator]
    assert not low, (variants, got)


def test_shared_scorer_on_generated_truth(tmp_path: Path, eval_dir: Path) -> None:
    """The whole pipeline against the generator's truth, scored by the shared scorer."""
    import subprocess
    import sys

    from conftest import ingest_files

    files = generate_corpus(tmp_path / "dumps", n_dumps=16, seed=2026, with_truth=True)
    gold = tmp_path / "gold"
    gold.mkdir()
    for path in files:
        (gold / f"{path.stem}.json").write_bytes(path.with_suffix(".truth.json").read_bytes())
    db = tmp_path / "w.duckdb"
    ingest_files(files, db, raw=tmp_path / "raw")
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(eval_dir / "score.py"), "--warehouse", str(db), "--gold", str(gold),
         "--outlets", str(eval_dir / "gold" / "outlets.json"), "--json", str(report)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    scores = json.loads(report.read_text())
    # measured with the shipped model: posts 0.89, title 0.85, outlet 0.75, date 0.89, year 0.85,
    # authors 0.99, mentions 0.95, citations 0.85 (notes go with their post only when it is found)
    for metric, bar in (("posts", 0.85), ("mentions", 0.9), ("citations", 0.78)):
        assert scores[metric]["f1"] >= bar, (metric, scores[metric])
    bars = {"title": 0.8, "outlet": 0.7, "date": 0.85, "year": 0.8, "authors": 0.95, "citation_source": 0.95}
    for metric, bar in bars.items():
        assert scores[metric]["acc"] >= bar, (metric, scores[metric])
    # no id joins two pieces; a piece whose title one page's parse missed shows as unlinked there
    dedup = scores["dedup"]
    assert dedup["merged_ids"] == 0 and dedup["split_or_unlinked"] <= 0.05 * dedup["pieces"], dedup


def test_a_long_archive_page_is_read_post_by_post(tmp_path: Path) -> None:
    """A tag page of some 250 posts (the largest dump of a 40 MB corpus, 1.2 MB) reads like the
    small ones: the page-wide readings of line_roles must not take a few posts' layout for the
    page's (three date-headed posts among 250 intro-first ones once merged the 90 between them)."""
    files = generate_corpus(tmp_path, target_bytes=40_000_000, seed=2026, with_truth=True)
    largest = max(files, key=lambda f: f.stat().st_size)
    assert largest.stat().st_size > 1_000_000
    got = _measure([largest])
    low = {k: got[k] for k, bar in DEFAULT_BARS.items() if got[k] < bar}  # type: ignore[operator]
    assert not low, got
