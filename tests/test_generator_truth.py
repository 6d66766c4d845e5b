"""Post boundaries on generated dumps, measured against the generator's truth sidecars.

The generator writes intros the way the blogger does (with and without 'a/another piece',
consecutive media round-ups, notes blocks, typos); the segmenter must find every post start.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samples.generator import generate_corpus
from transforms.parse import parse_dump


@pytest.mark.parametrize("seed", [3, 99])
def test_post_starts_match_truth(tmp_path: Path, seed: int) -> None:
    files = generate_corpus(tmp_path, n_dumps=12, seed=seed, with_truth=True)
    tp = fp = fn = 0
    misses: list[str] = []
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
            assert parsed[line].end_line == expected[line]["end_line"], f"{path.name}:{line} end_line"
            title = parsed[line].piece.title if parsed[line].piece else None
            assert title == expected[line]["title"], f"{path.name}:{line} title"
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.98 and recall >= 0.98, (precision, recall, misses[:10])


def test_shared_scorer_on_generated_truth(tmp_path: Path, eval_dir: Path) -> None:
    """The whole pipeline against the generator's truth, scored by the shared scorer.

    Year is the one field below 1.0 by design: undated pieces get a best year from archive
    order ("context"), and the truth knows the real one.
    """
    import subprocess
    import sys

    from warehouse.build import build_warehouse

    files = generate_corpus(tmp_path / "dumps", n_dumps=16, seed=2026, with_truth=True)
    gold = tmp_path / "gold"
    gold.mkdir()
    for path in files:
        (gold / f"{path.stem}.json").write_bytes(path.with_suffix(".truth.json").read_bytes())
    db = tmp_path / "w.duckdb"
    build_warehouse(files, db, raw_dir=tmp_path / "raw")
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
