"""Cross-dump year inference onto ``posts`` and ``articles``.

Owns reading the page sequences ``transforms.chronology.infer_years`` needs (whole pages, or the
reduced pages of the posts to infer again) and writing the inferred years back. Why across dumps:
archive pages run newest first, so an undated post is bounded by its dated neighbours on every
page that lists it; the parser sees one page, the warehouse sees them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa

from transforms.models import DateEstimate
from warehouse.identity import CURRENT_PAGES, post_parts
from warehouse.schema import arrow_schema

YEAR_COLUMNS = ["year", "date_basis", "date_min", "date_max", "date_evidence"]


def _estimate(row: tuple[Any, ...]) -> DateEstimate:
    published, precision, text, year, basis, lo, hi, evidence = row
    return DateEstimate(
        published_date=published,
        date_precision=precision,
        date_text=text,
        year=year,
        basis=basis,
        date_min=lo,
        date_max=hi,
        evidence=evidence,
    )


# Stands for a run of a page's other posts in the sequences given to ``infer_years`` (never a post id).
_PAGE_RUN = "\x00page-run"

# The incremental year inference's input (see ``year_rows``): the wanted posts' own sightings as
# they are, and each run of other posts between them on a page reduced to at most three rows that
# bound their neighbours exactly as the whole run does. Columns: dump_id, post_id (NULL for a run),
# then the eight DateEstimate columns; sorted by page, position on the page, then ``sub``.
_YEAR_ROWS_REDUCED = f"""
WITH page AS (
    SELECT s.dump_id, s.seq, s.post_id, s.published_date, s.date_precision, s.date_text, s.year,
           s.date_basis, s.date_min, s.date_max, s.date_evidence,
           s.post_id IN (SELECT post_id FROM _yr_posts) AS wanted
    FROM ({CURRENT_PAGES}) s
    WHERE s.dump_id IN (SELECT DISTINCT dump_id FROM post_sightings
                        WHERE post_id IN (SELECT post_id FROM _yr_posts))
), numbered AS (
    -- rows of other posts with the same count of wanted rows above them form one run
    SELECT *, count(*) FILTER (WHERE wanted) OVER (PARTITION BY dump_id ORDER BY seq) AS run FROM page
), runs AS (
    SELECT dump_id, min(seq) AS seq,
           min(published_date) AS min_published,
           max(COALESCE(published_date, date_min)) AS max_lower,
           arg_max(date_min, seq) FILTER (WHERE published_date IS NULL AND date_min IS NOT NULL) AS last_soft
    FROM numbered WHERE NOT wanted GROUP BY dump_id, run
), reduced AS (
    SELECT dump_id, seq, 0 AS sub, post_id, published_date, date_precision, date_text, year, date_basis,
           date_min, date_max, date_evidence
    FROM numbered WHERE wanted
    UNION ALL  -- the run's highest lower bound, for the posts above it (as a text date only when the
               -- run has one, since a text date also sets the "soft" bound below, which row 3 resets)
    SELECT dump_id, seq, 1, NULL, CASE WHEN last_soft IS NULL THEN max_lower END, NULL, NULL, NULL, NULL,
           CASE WHEN last_soft IS NOT NULL THEN max_lower END, NULL, NULL
    FROM runs WHERE max_lower IS NOT NULL
    UNION ALL  -- its earliest stated date: the upper bound of the posts below it
    SELECT dump_id, seq, 2, NULL, min_published, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM runs WHERE min_published IS NOT NULL
    UNION ALL  -- its last text date without a stated one: the "soft" bound of the posts below it
    SELECT dump_id, seq, 3, NULL, NULL, NULL, NULL, NULL, NULL, last_soft, NULL, NULL
    FROM runs WHERE last_soft IS NOT NULL
)
SELECT dump_id, post_id, published_date, date_precision, date_text, year, date_basis,
       date_min, date_max, date_evidence
FROM reduced ORDER BY dump_id, seq, sub
"""


def year_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """The page sequences year inference reads: the reduced pages of the posts in temp table
    ``_yr_posts`` (``_YEAR_ROWS_REDUCED``).

    Why reduced: a post's inferred year depends on the other posts of its pages only through three
    values per run of them (``transforms.chronology._bounds``): the highest lower bound below it,
    the earliest stated date above it and the nearest text date above it. So one new dump whose
    posts recur on many pages reads a few rows per page in SQL instead of every sighting of every
    such page in Python (110,000 rows for a 53 KB dump on the 1 GB benchmark warehouse), with the
    same result; and a full refresh, a part of the posts at a time, holds a part's rows, not every
    sighting. This leans on what ``_bounds`` reads from a post's neighbours: if that changes,
    ``test_incremental_year_inference_reads_reduced_pages_with_the_same_result`` (against whole
    pages) fails.
    """
    return con.execute(_YEAR_ROWS_REDUCED).fetchall()


def year_sequences(rows: list[tuple[Any, ...]]) -> list[list[tuple[str, DateEstimate]]]:
    """Rows of ``year_rows`` as ``infer_years`` input: one (post_id, estimate) list per page."""
    sequences: list[list[tuple[str, DateEstimate]]] = []
    current: str | None = None
    made: dict[tuple[Any, ...], DateEstimate] = {}  # one object per distinct estimate (read-only)
    for r in rows:
        if r[0] != current:
            sequences.append([])
            current = r[0]
        key = r[2:]
        est = made.get(key)
        if est is None:
            est = made[key] = _estimate(key)
        sequences[-1].append((r[1] if r[1] is not None else _PAGE_RUN, est))
    return sequences


def infer_years_into(con: duckdb.DuckDBPyConnection) -> None:
    """Cross-dump year inference (``transforms.chronology.infer_years``) onto ``posts`` and ``articles``
    for the posts in temp table ``_yr_posts``.

    A post's years depend only on the pages that list it (``identity.CURRENT_PAGES``), so reading just those
    pages (reduced, see ``year_rows``) gives it exactly the estimate a pass over every sighting would.
    """
    try:
        from transforms.chronology import infer_years
    except ImportError:  # no chronology yet: the per-article estimates stay as loaded
        return
    sequences = year_sequences(year_rows(con))
    if not sequences:
        return
    inferred = infer_years(sequences)
    # the other posts on those pages were not given all their pages
    wanted = {r[0] for r in con.execute("SELECT post_id FROM _yr_posts").fetchall()}
    _write_years(con, {pid: est for pid, est in inferred.items() if pid in wanted})


def infer_every_year(con: duckdb.DuckDBPyConnection, part_posts: int) -> Iterator[int]:
    """Infer every post's years, ``part_posts`` posts at a time (so the memory it needs is bounded by
    the part); yields after each."""
    for part in post_parts(con, "SELECT post_id FROM posts", "_yr_posts", part_posts):
        infer_years_into(con)
        yield part


def _write_years(con: duckdb.DuckDBPyConnection, inferred: dict[str, DateEstimate]) -> None:
    """Write inferred years onto ``posts`` and the articles whose best post they are."""
    estimates = list(inferred.values())
    columns = {
        "post_id": list(inferred),
        "year": [e.year for e in estimates],
        "date_basis": [e.basis for e in estimates],
        "date_min": [e.date_min for e in estimates],
        "date_max": [e.date_max for e in estimates],
        "date_evidence": [e.evidence for e in estimates],
    }
    table = pa.table(columns, schema=arrow_schema(("posts", ["post_id"]), ("articles", YEAR_COLUMNS)))
    con.register("_in_years", table)
    try:
        con.execute(
            """
            UPDATE posts p SET year = y.year, date_basis = y.date_basis FROM _in_years y
            WHERE y.post_id = p.post_id AND y.year IS NOT NULL
              AND (p.year IS DISTINCT FROM y.year OR p.date_basis IS DISTINCT FROM y.date_basis)
            """
        )
        # Only the year and its basis/bounds change; a stated date is never overwritten.
        con.execute(
            """
            UPDATE articles a SET year = y.year, date_basis = y.date_basis,
                   date_min = COALESCE(y.date_min, a.date_min), date_max = COALESCE(y.date_max, a.date_max),
                   date_evidence = COALESCE(y.date_evidence, a.date_evidence)
            FROM _in_years y
            WHERE y.post_id = a.best_post_id AND a.published_date IS NULL AND y.year IS NOT NULL
              AND (a.year IS DISTINCT FROM y.year OR a.date_basis IS DISTINCT FROM y.date_basis
                   OR a.date_min IS DISTINCT FROM COALESCE(y.date_min, a.date_min)
                   OR a.date_max IS DISTINCT FROM COALESCE(y.date_max, a.date_max))
            """
        )
    finally:
        con.unregister("_in_years")
