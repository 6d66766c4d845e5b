"""Bookkeeping: the run log (``ingest_runs``) and what a run finds an earlier one left undone.

Owns recording a run's counts, telling whether an earlier run was killed between its loads and
its refresh (``derived_is_stale``), and crediting a retried step with what its first attempt
committed (``done_between``). Why: an ingest commits its loads batch by batch, then refreshes the
cross-dump data and records its run; a run killed between those steps leaves every committed dump
sound but the derived data one step behind, and the next run (finding no new dump) must notice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def record_ingest_run(
    con: Any, run_id: str, started_at: datetime, trigger: str, summary: dict[str, Any]
) -> None:
    """One ``ingest_runs`` row per run (replaced on retry, so a retried step leaves one row)."""
    con.execute("DELETE FROM ingest_runs WHERE run_id = ?", [run_id])
    con.execute(
        "INSERT INTO ingest_runs (run_id, started_at, finished_at, trigger, dumps_new, dumps_skipped,"
        " dumps_quarantined, posts, articles_new, articles_updated, articles_left, warnings)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            started_at,
            datetime.now(UTC).replace(tzinfo=None),
            trigger,
            summary["dumps_new"],
            summary["dumps_skipped"],
            summary["dumps_quarantined"],
            summary["posts"],
            summary["articles_new"],
            summary["articles_updated"],
            summary["articles_left"],
            summary["warnings"],
        ],
    )


def derived_is_stale(con: Any) -> bool:
    """True when an earlier run never got to refresh the derived data after its loads.

    Signs (each cheap): work listed in ``refresh_pending`` (loads write it, the refresh empties
    it); a dump recorded after the last finished run; summary tables out of step with the
    articles. A warehouse whose loads have no run record yet counts as stale once; refreshing is
    idempotent, so a false alarm costs one refresh.
    """
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "refresh_pending" in tables:
        pending = con.execute("SELECT EXISTS (SELECT 1 FROM refresh_pending)").fetchone()
        if pending and pending[0]:
            return True
    row = con.execute(
        "SELECT count(*) FROM dumps WHERE loaded_at IS NOT NULL AND NOT starts_with(dump_id, 'refused-')"
        " AND loaded_at > COALESCE((SELECT max(finished_at) FROM ingest_runs), TIMESTAMP '1970-01-01')"
    ).fetchone()
    if row and row[0]:
        return True
    if "agg_article_facts" not in tables:
        return False
    # A warehouse from before the summary tables existed has articles but no facts yet.
    facts = con.execute(
        "SELECT (SELECT count(*) FROM articles) <> (SELECT count(*) FROM agg_article_facts)"
    ).fetchone()
    return bool(facts and facts[0])


def done_between(
    con: Any, dump_ids: list[str], since: datetime, until: datetime
) -> tuple[int, list[dict[str, str]]]:
    """Of ``dump_ids``, how many were loaded and which were quarantined in ``[since, until)``.

    Why: a step that is retried (Dagster's RetryPolicy) after its first attempt committed some
    loads finds those dumps already done; they are still this run's work, and its summary must
    say so (above all what was quarantined, and why).
    """
    if not dump_ids:
        return 0, []
    rows = con.execute(
        "SELECT dump_id, file_name, status, error FROM dumps WHERE dump_id IN (SELECT unnest(?))"
        " AND loaded_at >= ? AND loaded_at < ? ORDER BY file_name",
        [dump_ids, since, until],
    ).fetchall()
    loaded = sum(1 for r in rows if r[2] == "loaded")
    quarantined = [
        {"file_name": name, "dump_id": dump_id, "reason": error or "unknown error"}
        for dump_id, name, status, error in rows
        if status == "quarantined"
    ]
    return loaded, quarantined
