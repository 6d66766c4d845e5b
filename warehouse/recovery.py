"""What a run does after an earlier one was killed half-way.

Why: an ingest commits one dump per transaction, then refreshes the cross-dump data
(superseded deliveries, inferred years, article topics) and records its ``ingest_runs`` row.
A run killed between those steps leaves every committed dump sound but the derived data one
step behind; the next run finds no new dump, so it must notice that on its own.
"""

from __future__ import annotations

from typing import Any


def derived_is_stale(con: Any) -> bool:
    """True when some dump was recorded after the last finished run (that run never got to refresh).

    Cheap (two aggregates). A warehouse built without run records (``warehouse.build``) counts
    as stale once; refreshing is idempotent, so a false alarm costs one refresh.
    """
    row = con.execute(
        "SELECT count(*) FROM dumps WHERE loaded_at IS NOT NULL AND NOT starts_with(dump_id, 'refused-')"
        " AND loaded_at > COALESCE((SELECT max(finished_at) FROM ingest_runs), TIMESTAMP '1970-01-01')"
    ).fetchone()
    # A warehouse from before the summary tables existed has articles but no facts yet.
    facts = con.execute(
        "SELECT (SELECT count(*) FROM articles) <> (SELECT count(*) FROM agg_article_facts)"
    ).fetchone()
    return bool(row and row[0]) or bool(facts and facts[0])
