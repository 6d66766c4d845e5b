"""End to end on the real seeds: `bylines ingest` builds a warehouse, the shared scorer grades it.

This is the acceptance test of the extraction (issue 3): the bars below are the ones the
project commits to on the shared gold. It runs the real CLI in a subprocess, exactly as a
user (and the pre-stop hook) would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# metric -> (field in the scorer's JSON report, minimum)
BARS: dict[str, tuple[str, float]] = {
    "posts": ("f1", 0.99),
    "end_line": ("acc", 0.95),
    "title": ("acc", 0.98),
    "outlet": ("acc", 0.97),
    "year": ("acc", 0.97),
    "date": ("acc", 1.00),
    "authors": ("acc", 0.95),
    "mentions": ("f1", 0.90),
    "citations": ("f1", 0.99),
    "citation_source": ("acc", 0.90),
}


@pytest.fixture(scope="module")
def seeds_report(seeds: list[Path], eval_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("score")
    warehouse = work / "w.duckdb"
    bylines = Path(sys.executable).with_name("bylines")
    ingest = subprocess.run(
        [str(bylines), "ingest", *map(str, seeds), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "BYLINES_RAW": str(work / "raw")},
    )
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    report_path = work / "report.json"
    score = subprocess.run(
        [
            sys.executable,
            str(eval_dir / "score.py"),
            "--warehouse",
            str(warehouse),
            "--gold",
            str(eval_dir / "gold"),
            "--json",
            str(report_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert score.returncode == 0, score.stdout + score.stderr
    assert "posts" in score.stdout and "f1" in score.stdout  # the scorer printed its table
    return json.loads(report_path.read_text())


def test_every_gold_dump_is_in_the_warehouse(seeds_report: dict) -> None:
    assert seeds_report["dumps_missing_from_warehouse"] == []


@pytest.mark.parametrize("metric", sorted(BARS))
def test_extraction_meets_bar(seeds_report: dict, metric: str) -> None:
    field, minimum = BARS[metric]
    value = seeds_report[metric][field]
    misses = seeds_report["misses"].get(metric, [])[:10]
    assert value >= minimum, f"{metric} {field} {value} < {minimum}; first misses: {misses}"


def test_articles_deduplicated_across_dumps(seeds_report: dict) -> None:
    dedup = seeds_report["dedup"]
    assert dedup["ok"], dedup
