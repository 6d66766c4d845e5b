"""Post boundaries on generated dumps, measured against the generator's truth sidecars.

The generator writes intros the way the blogger does (with and without 'a/another piece',
consecutive media round-ups, notes blocks, typos); the segmenter must find every post start.
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
    ok = {"end_line": 0, "title": 0, "date": 0, "outlet": 0}
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


@pytest.mark.parametrize("seed", [3, 99])
def test_post_starts_match_truth(tmp_path: Path, seed: int) -> None:
    got = _measure(generate_corpus(tmp_path, n_dumps=12, seed=seed, with_truth=True))
    assert got["precision"] >= 0.98 and got["recall"] >= 0.98, got
    assert got["end_line"] == 1.0 and got["title"] == 1.0, got


# Older and odder page shapes (samples.generator.VARIANTS), one at a time and all together.
VARIANT_SETS = [[name] for name in sorted(VARIANTS)] + [
    ["old_dates", "single_breaks", "no_header", "feed", "foreign"],
    ["single_post", "single_breaks", "old_dates", "foreign"],
    ["monthly", "feed", "old_dates"],
]


@pytest.mark.parametrize("variants", VARIANT_SETS, ids=["+".join(v) for v in VARIANT_SETS])
def test_post_starts_match_truth_on_every_variant(tmp_path: Path, variants: list[str]) -> None:
    files = []
    for seed in (3, 99):
        files += generate_corpus(
            tmp_path / str(seed), n_dumps=12, seed=seed, with_truth=True, variants=variants
        )
    got = _measure(files)
    assert got["precision"] >= 0.98 and got["recall"] >= 0.98, got
    for field in ("end_line", "title", "date", "outlet"):
        assert got[field] >= 0.98, (field, got)


def test_shared_scorer_on_generated_truth(tmp_path: Path, eval_dir: Path) -> None:
    """The whole pipeline against the generator's truth, scored by the shared scorer.

    Year is the one field below 1.0 by design: undated pieces get a best year from archive
    order ("context"), and the truth knows the real one.
    """
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
    for metric in ("posts", "mentions", "citations"):
        assert scores[metric]["f1"] >= 0.99, (metric, scores[metric])
    for metric in ("end_line", "title", "outlet", "date", "authors", "citation_source"):
        assert scores[metric]["acc"] >= 0.99, (metric, scores[metric])
    assert scores["kind"]["acc"] >= 0.95 and scores["year"]["acc"] >= 0.85
    assert scores["dedup"]["ok"]
