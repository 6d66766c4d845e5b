"""The parser's figures on pages it has not seen: grouped 5-fold cross-validation, and the seeds.

Runs the cross-validation of evaluation/crossval.py (train in each fold on its training part,
ingest the held-out pages through the real ingest path, score them with the shared scorer) on
``corpus/blog`` and ``corpus/others``, and scores the seeds with the shipped model. It reads the
shared folder (``$BYLINES_SHARED``, default ``../shared``) and skips, saying so, when it is absent.

``ISSUE_BARS`` are the targets of issue 13, each asserted; the ones the parser does not reach
yet are ``OPEN_GAPS``, expected to fail (strictly: closing a gap makes the test say so, and the
gap comes off the list). ``FLOORS`` are what the parser reaches today (the README's
extraction-quality table), less a small margin: the test fails when a change makes them worse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.gold import available, shared_root

pytestmark = pytest.mark.cv

# corpus -> metric -> minimum (F1 for posts and mentions, accuracy for the rest)
ISSUE_BARS: dict[str, dict[str, float]] = {
    "blog": {"posts": 0.95, "title": 0.93, "outlet": 0.90, "year": 0.60, "date": 1.00, "mentions": 0.80},
    "others": {"posts": 0.85, "title": 0.80, "outlet": 0.75, "year": 0.70, "date": 0.95},
    "seeds": {
        "posts": 0.99,
        "title": 0.98,
        "outlet": 0.97,
        "year": 0.97,
        "mentions": 0.90,
        "citations": 0.99,
    },
}
FLOORS: dict[str, dict[str, float]] = {
    "blog": {
        "posts": 0.97,
        "title": 0.97,
        "outlet": 0.92,  # 0.933 since the gates are fitted in each fold (0.978 with hand-set ones)
        "year": 0.63,
        "date": 0.95,
        "mentions": 0.90,
        "citations": 0.99,  # no notes in these excerpts: any citation row is spurious
    },
    "others": {
        "posts": 0.93,
        "title": 0.91,
        "outlet": 0.80,
        "year": 0.75,
        "date": 0.95,
        "mentions": 0.62,
        "citations": 0.99,
    },
    "seeds": {
        "posts": 0.99,
        "title": 0.98,
        "outlet": 0.97,
        "year": 0.97,
        "mentions": 0.90,
        "citations": 0.99,
    },
}


OPEN_GAPS: frozenset[tuple[str, str]] = frozenset()


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    root = shared_root()
    if not available(root):
        pytest.skip(f"annotated corpora not found under {root} (set BYLINES_SHARED to the shared folder)")
    from evaluation.crossval import cross_validate, score_seeds
    from evaluation.crossval import figures as summarise

    work = tmp_path_factory.mktemp("cv")
    out = {}
    for c in ("blog", "others"):
        result = cross_validate(c, root, log=lambda _line: None, workdir=work)
        out[c] = {**result["figures"], "dedup": float(result["dedup_ok"])}
    seeds = score_seeds(root, workdir=Path(work))
    out["seeds"] = summarise({k: v for k, v in seeds.items() if isinstance(v, dict) and k not in ("dedup",)})
    out["seeds"]["dedup"] = float(seeds["dedup"]["ok"])
    return out


@pytest.mark.parametrize(
    ("corpus", "metric"), [(c, m) for c, bars in FLOORS.items() for m in bars], ids=lambda v: str(v)
)
def test_figure_holds_its_floor(figures: dict, corpus: str, metric: str) -> None:
    got = figures[corpus][metric]
    assert got >= FLOORS[corpus][metric], (
        f"{corpus} {metric} {got:.3f} below its floor {FLOORS[corpus][metric]} "
        f"(issue bar {ISSUE_BARS[corpus].get(metric, '-')}); all figures: {figures[corpus]}"
    )


@pytest.mark.parametrize(
    ("corpus", "metric"),
    [
        pytest.param(
            c,
            m,
            marks=[pytest.mark.xfail(strict=True, reason="open gap (README)")] if (c, m) in OPEN_GAPS else [],
        )
        for c, bars in ISSUE_BARS.items()
        for m in bars
    ],
    ids=lambda v: str(v),
)
def test_issue_bar(figures: dict, corpus: str, metric: str) -> None:
    got = figures[corpus][metric]
    assert got >= ISSUE_BARS[corpus][metric], (
        f"{corpus} {metric} {got:.3f} < issue bar {ISSUE_BARS[corpus][metric]}"
    )


@pytest.mark.parametrize("corpus", ["seeds", "blog", "others"])
def test_one_piece_one_id(figures: dict, corpus: str) -> None:
    """The scorer's de-duplication check in every fold: one article id per piece, none for two."""
    assert figures[corpus]["dedup"] == 1.0
