"""The cross-dump refresh after loads: supersession, re-derivation, years, summary tables.

Owns ``refresh_derived``, which every ingest runs once after its loads.
Why a separate pass: these depend on every dump, not on the one being loaded (a newer delivery
supersedes an older one; a post's year is bounded by its neighbours on every page that lists
it). Loads list what they re-derived in ``refresh_pending``, so a nightly run refreshes what its
dumps touched; a run killed between its loads and the end of this refresh leaves the list for the
next run (``warehouse.bookkeeping.derived_is_stale``), which then refreshes everything.

Transactions: a refresh of what changed is two (deliveries and re-derivation, then years,
summaries, search index and emptying the list). A full refresh (asked for, after a stopped run, or
when most articles changed: a backfill) works in parts of :data:`PART_ROWS` and commits each part,
because DuckDB holds a transaction's changes in memory until it ends: in one transaction a million
articles needed more than the writer's 384 MB and failed ("failed to pin block"), and the 1 GB
benchmark ingest failed so at 127k. Until the last part commits, ``refresh_pending`` still lists
the work, and readers never see a half-refreshed file: the read copy is published after the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import duckdb

from warehouse.aggregates import needs_full_refresh, rebuild_aggregates, refresh_aggregates
from warehouse.check_scope import keep_for_checks
from warehouse.identity import CURRENT_SIGHTINGS, derive, derive_everything, settle_retained
from warehouse.search_index import refresh_search_index
from warehouse.stops import checkpoint
from warehouse.years import infer_every_year, infer_years_into

# Posts or articles per part of a full refresh (see the module's docstring). Within a part DuckDB
# also needs memory it does not spill (list() and count(DISTINCT) states, several big hash tables at
# once): parts of this size ran at a million synthetic articles under the writer's 384 MB.
PART_ROWS = 100_000

T = TypeVar("T")


def refresh_derived(con: duckdb.DuckDBPyConnection, full: bool = False, part_rows: int = PART_ROWS) -> None:
    """Recompute cross-dump data after loads (idempotent).

    Incremental by default (only posts whose dumps changed status are re-derived; loads
    already derived theirs); ``full=True`` re-derives every post and article from the
    sightings, e.g. after a parser upgrade changed the best-sighting rule.

    - ``dumps.superseded_by``: an older delivery under the same file name (of the same writer: two
      writers' ``page-1.txt`` are two pages) points at the newest, and ``dumps.retained_from`` says
      which of its posts still count (those that fell off the end of the page,
      ``identity.settle_retained``); the posts of dumps whose status changed are re-derived from the
      remaining current sightings;
    - years inferred across dumps (pages run newest first) for the posts the loads listed in
      ``refresh_pending``, reading only the pages that list them (every post when ``full``);
    - ``article_topics`` as the union of the current sightings' post topics;
    - the ``agg_*`` summary tables behind the dashboard (``warehouse.aggregates``): only the rows
      of what changed, or all of them when ``full``, when most articles changed (a backfill) or
      when they are out of step;
    - the text search index (``warehouse.search_index``): the re-derived articles, or all.
    """
    in_transaction(con, lambda: _settle_deliveries(con, derive_affected=not full))
    if full:
        each_part_committed(con, derive_everything(con, part_rows))
    checkpoint("warehouse_tables:mid_refresh")
    if full or needs_full_refresh(con):
        each_part_committed(con, infer_every_year(con, part_rows))
        each_part_committed(con, rebuild_aggregates(con, part_rows))
        in_transaction(con, lambda: _finish(con, full=True))
    else:
        in_transaction(con, lambda: _refresh_changes(con))


def _settle_deliveries(con: duckdb.DuckDBPyConnection, derive_affected: bool) -> None:
    """Mark superseded deliveries and what they retain; re-derive the posts whose dumps changed status or
    whose every current sighting is gone (unless a full re-derivation follows)."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _supersede AS
        SELECT d.dump_id, n.newest AS superseded_by
        FROM dumps d
        LEFT JOIN (
            SELECT writer_id, file_name, arg_max(dump_id, (received_at, dump_id)) AS newest
            FROM dumps WHERE status = 'loaded' GROUP BY writer_id, file_name
        ) n ON n.writer_id = d.writer_id AND n.file_name = d.file_name AND n.newest <> d.dump_id
               AND d.status = 'loaded'
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _aff_posts AS
        SELECT DISTINCT s.post_id FROM post_sightings s
        JOIN dumps d USING (dump_id) JOIN _supersede x USING (dump_id)
        WHERE d.superseded_by IS DISTINCT FROM x.superseded_by
        """
    )
    con.execute(
        """
        INSERT INTO refresh_pending SELECT 'dump', x.dump_id
        FROM _supersede x JOIN dumps d USING (dump_id)
        WHERE d.superseded_by IS DISTINCT FROM x.superseded_by
        """
    )
    con.execute(
        """
        UPDATE dumps SET superseded_by = x.superseded_by FROM _supersede x
        WHERE x.dump_id = dumps.dump_id AND dumps.superseded_by IS DISTINCT FROM x.superseded_by
        """
    )
    # What the superseded deliveries of the pages that changed still count (posts that fell off the end).
    settle_retained(con)
    # Posts whose every sighting is gone from the current ones leave the canonical tables too.
    con.execute(
        f"""
        INSERT INTO _aff_posts SELECT post_id FROM posts
        WHERE post_id NOT IN (SELECT post_id FROM ({CURRENT_SIGHTINGS}))
        """
    )
    if derive_affected and con.execute("SELECT count(*) FROM _aff_posts").fetchone()[0]:
        con.execute("CREATE OR REPLACE TEMP TABLE _aff_posts AS SELECT DISTINCT post_id FROM _aff_posts")
        derive(con)


def _refresh_changes(con: duckdb.DuckDBPyConnection) -> None:
    """Years, summaries and search index of what the loads and the re-derivation listed."""
    # the posts to infer again: those re-derived, and the best posts of re-derived articles
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _yr_posts AS
        SELECT key AS post_id FROM refresh_pending WHERE kind = 'post'
        UNION
        SELECT a.best_post_id FROM articles a
        WHERE a.article_id IN (SELECT key FROM refresh_pending WHERE kind = 'article')
        """
    )
    infer_years_into(con)
    refresh_aggregates(con)
    _finish(con, full=False)


def _finish(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    refresh_search_index(con, full)  # reads refresh_pending: before it is emptied
    keep_for_checks(con, full)  # and what the integrity checks must cover: also before
    con.execute("DELETE FROM refresh_pending")


def in_transaction(con: duckdb.DuckDBPyConnection, step: Callable[[], T]) -> T:
    """Run ``step`` in one transaction: committed whole, or rolled back whole; returns what it returns."""
    con.execute("BEGIN TRANSACTION")
    try:
        result = step()
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return result


def each_part_committed(con: duckdb.DuckDBPyConnection, parts: Iterator[object]) -> None:
    """Run ``parts`` (a generator that yields after each part of its work), each part in its own
    transaction, checkpointed.

    Why the checkpoint: the primary keys' indexes a part changed stay in memory until DuckDB writes
    them at a checkpoint (260 MB of the writer's 384 MB after one part at a million articles; 45 MB
    after the checkpoint), so without it the parts' memory adds up after all.
    """
    end = object()
    while True:
        step = in_transaction(con, lambda: next(parts, end))
        con.execute("CHECKPOINT")
        if step is end:
            return
