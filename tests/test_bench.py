"""The benchmark runs end to end on a tiny corpus (figures are not asserted: they belong in
BENCHMARKS.md, not in timed unit tests)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.run import _tree_memory, main, parse_size


def test_parse_size() -> None:
    assert parse_size("10MB") == 10_000_000 and parse_size("1gb") == 1_000_000_000


def test_bench_writes_every_section(tmp_path: Path, capsys) -> None:
    report = tmp_path / "BENCHMARKS.md"
    code = main(
        ["--sizes", "600KB", "--articles", "3000", "--repeat", "2", "--workdir", str(tmp_path / "w"),
         "--write", str(report)]
    )  # fmt: skip
    assert code == 0
    text = report.read_text()
    assert "## Ingest" in text and "| 600KB" in text
    assert "## Dashboard queries at 3,000 articles" in text
    for query in ("headline", "articles_page", "articles_search_page", "mentions_page", "quality_rows_page"):
        assert f"| {query} |" in text
    # the synthetic warehouse fills every table the dashboard reads, so no query times an empty result
    rows = re.findall(r"^\| (\w+) \| (\d+) \| [\d.]+ \| [\d.]+ \|$", text, flags=re.M)
    assert len(rows) > 30 and not [name for name, n in rows if n == "0"]
    assert "parse MB/s" in capsys.readouterr().out


def test_tree_memory_adds_up_the_processes_alive_at_one_instant() -> None:
    """A child holding 200 MB shows in this process tree's sums; PSS never exceeds RSS."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; b = bytearray(200 * 1024 * 1024); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while _tree_memory(child.pid).rss_sum < 200 * 1024 * 1024 and time.monotonic() < deadline:
            time.sleep(0.05)  # the child is still starting or touching its pages
        now = _tree_memory(os.getpid())
        alone = _tree_memory(child.pid)
        assert alone.rss_sum >= 200 * 1024 * 1024 and alone.rss_largest == alone.rss_sum
        assert 0 < alone.pss_sum <= alone.rss_sum
        assert now.rss_sum >= alone.rss_sum + 1 and now.pss_sum <= now.rss_sum
    finally:
        child.communicate(b"")
