"""The benchmark runs end to end on a tiny corpus (figures are not asserted: they belong in
BENCHMARKS.md, not in timed unit tests)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.run import CorpusResult, QueryTiming, _tree_memory, main, parse_size, targets


def test_parse_size() -> None:
    assert parse_size("10MB") == 10_000_000 and parse_size("1gb") == 1_000_000_000


def test_bench_writes_every_section(tmp_path: Path, capsys, monkeypatch) -> None:
    report = tmp_path / "BENCHMARKS.md"
    code = main(
        ["--sizes", "600KB", "--articles", "3000", "--repeat", "2", "--workdir", str(tmp_path / "w"),
         "--write", str(report)]
    )  # fmt: skip
    assert code == 0
    text = report.read_text()
    assert "## Ingest" in text and "| 600KB" in text
    # the limits measured in the same run, with their ratios, and every figure against its target
    assert re.search(
        r"^\| 600KB \| [\d.]+ \| [\d.]+ \([\d,]+\) \| [\d,]+x \| [\d.]+ \| [\d,]+x \|$", text, re.M
    )
    for figure in (
        "end-to-end ingest, 600KB",
        "peak memory, 600KB run",
        "nothing-new run at 600KB",
        "dump into the 600KB warehouse",
        "article listings",
        "article text search",
    ):
        assert re.search(rf"^\| (one new \d+ KB )?{figure}.* \| (yes|NO) \|$", text, re.M), figure
    assert "## Dashboard queries at 3,000 articles" in text
    for query in ("headline", "articles_page", "articles_search_page", "mentions_page", "quality_rows_page"):
        assert f"| {query} |" in text
    # the synthetic warehouse fills every table the dashboard reads, so no query times an empty result
    rows = re.findall(r"^\| (\w+) \| (\d+) \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$", text, flags=re.M)
    assert len(rows) > 30 and not [name for name, n in rows if n == "0"]
    assert "parse MB/s" in capsys.readouterr().out
    # timed again on the same warehouse: not built a second time
    import benchmarks.synthetic_warehouse as synthetic

    monkeypatch.setattr(synthetic, "build", lambda *a: (_ for _ in ()).throw(AssertionError("rebuilt")))
    again = tmp_path / "again.md"
    assert main(["--sizes", "", "--articles", "3000", "--repeat", "1", "--workdir", str(tmp_path / "w"),
                 "--reuse-dashboard", "--write", str(again)]) == 0  # fmt: skip
    assert "## Dashboard queries at 3,000 articles" in again.read_text()


def test_tree_memory_adds_up_the_processes_alive_at_one_instant() -> None:
    """A child holding 200 MB shows in this process tree's sums, under its role; PSS never exceeds RSS."""
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
        # by role: the tree's root is "the writer", a child that is no parse pool process "other"
        assert list(alone.by_role) == ["writer"] and alone.breakdown().startswith("writer 2")
        assert sum(alone.by_role["writer"]) == alone.pss_sum and "other" in now.by_role
    finally:
        child.communicate(b"")


def test_targets_are_judged_against_the_issues_bars() -> None:
    """The 1 GB bar is stricter than the small-corpus one; a query at the bar fails it (p95 < 100 ms)."""
    gb = CorpusResult("1GB", 10**9, 1, 0.0, ingest_s=119.0, ingest_mb_s=8.4, ingest_peak_tree_pss_mb=1000.0,
                      nothing_new_s=0.4, one_new_s=3.5, one_new_bytes=53_000)  # fmt: skip
    small = CorpusResult("10MB", 10**7, 1, 0.0, ingest_mb_s=8.4)
    rows = targets(
        [gb, small], [QueryTiming("articles_page", 100, 20.0, 100.0), QueryTiming("x_search", 1, 1, 5)]
    )
    met = {line.split(" | ")[0].lstrip("| "): line.rsplit(" | ", 1)[1].rstrip(" |") for line in rows[2:]}
    assert met == {
        "end-to-end ingest, 1GB": "NO",
        "peak memory, 1GB run (all processes, PSS)": "yes",
        "nothing-new run at 1GB": "yes",
        "one new 53 KB dump into the 1GB warehouse": "NO",
        "end-to-end ingest, 10MB": "yes",
        "peak memory, 10MB run (all processes, PSS)": "yes",
        "nothing-new run at 10MB": "yes",
        "one new 0 KB dump into the 10MB warehouse": "yes",
        "article listings (p95, worst page)": "NO",
        "article text search (p95, worst)": "yes",
        "every dashboard query (p95, worst)": "NO",
    }


def test_a_workdir_used_before_is_measured_afresh(tmp_path: Path) -> None:
    """The second bench in one --workdir measures a real ingest again, not a nothing-new run on the
    warehouse the first one left (it reported a skip of every dump as the ingest's figures)."""
    args = ["--sizes", "200KB", "--articles", "0", "--workdir", str(tmp_path / "w")]
    assert main(args) == 0
    assert main([*args, "--write", str(tmp_path / "again.md")]) == 0
    with duckdb.connect(str(tmp_path / "w" / "wh_200KB" / "warehouse.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT dumps_new, dumps_skipped FROM ingest_runs ORDER BY started_at").fetchall()
    assert runs[0][0] > 1 and runs[0][1] == 0 and runs[-1] == (1, 0)  # the corpus, then the one new dump
