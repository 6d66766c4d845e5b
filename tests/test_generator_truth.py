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
