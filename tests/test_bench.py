"""The benchmark runs end to end on a tiny corpus (figures are not asserted: they belong in
BENCHMARKS.md, not in timed unit tests)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run import main, parse_size


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
    for query in ("headline", "articles_all", "mentions", "citation_notes", "quality_rows"):
        assert f"| {query} |" in text
    assert "parse MB/s" in capsys.readouterr().out
