"""What the next integrity checks must cover, and whether they may read only that.

Owns the ``check_scope`` table (the keys the runs wrote since the integrity checks last passed),
the record beside the writer's file (``<db>.checks``) that keeps the checks' promise, and the one
function that runs the rules (``check``), for the Dagster check and the library ingest alike.

Why scoped: the rules of ``warehouse.integrity`` scanned whole tables on every run (about 5 CPU
seconds at a million articles) though a nightly run writes one dump's rows. A row can turn bad only
if it or what it points at was written, and the refresh lists every key the run wrote; so after a
run the rules read only the rows those keys reach (their scoped forms).

Why a record beside the file: the checks also promise that a defect made outside a run (a hand
edit of the writer's file with the DuckDB CLI between two runs) blocks the next publish, and such
an edit lists no key. So every bylines process notes the file's state (inode, size, modification
time, DuckDB's header blocks, which change at every checkpoint, and its WAL) when it releases the
writer lock, and compares when it next takes it: when they differ (a hand edit, a writer that was
killed), or when there is no record, the checks owe a whole pass, and say so in the record until a
whole pass has passed. A full refresh (a backfill, a rebuild, a run after a stopped one) leaves
kind ``everything`` in the scope, and a step that failed under the lock marks a whole pass owed:
both run the next checks whole too, as asking does (``full``).

Lifecycle of the scope: the refresh adds its keys in the transaction that empties
``refresh_pending``; checks that pass record the file's state in the record (``passed``); the next
writer that finds the file still in that state (nothing written since) empties the scope. A run
whose checks failed, or that died, leaves its keys for the next run's checks.

Not in the scope: resolved refusals (``warehouse.refusals``) delete their ``dumps`` rows unlisted;
nothing references a refusal row (it never loaded), and ``dumps`` is checked whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from warehouse.blockcopy import HEADER_BYTES, write_atomically
from warehouse.integrity import RULES, count

SCOPE_TABLE = "check_scope"
EVERYTHING = "everything"  # the kind a full refresh leaves: the next checks run whole
RECORD_SUFFIX = ".checks"

NO_RECORD = "no record of how the last bylines writer left the file"
CHANGED = (
    "the file is not as the last bylines writer left it (changed outside bylines, or a writer was killed)"
)
FAILED = "a bylines step failed while it held the writer lock"
ASKED = "asked for (full)"
FULL_REFRESH = "a full refresh rewrote every row (a backfill, a rebuild or a run after a stopped one)"
NO_SCOPE = "the warehouse keeps no scope yet (no writer of this version has opened it)"


class Plan(NamedTuple):
    """How the next checks run: whole (with the reason) or scoped (over how many keys)."""

    whole: bool
    reason: str
    keys: int

    def metadata(self) -> dict[str, str | int]:
        return {
            "checked": "whole" if self.whole else "scoped",
            "scope_keys": self.keys,
            "why_whole": self.reason,
        }


class Checked(NamedTuple):
    plan: Plan
    counts: dict[str, int]  # offending rows per rule of warehouse.integrity.RULES

    @property
    def passed(self) -> bool:
        return not any(self.counts.values())


def record_path(db_path: Path) -> Path:
    """The checks' record beside the writer's file: ``<db>.checks``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + RECORD_SUFFIX)


def file_state(db_path: Path) -> dict[str, Any] | None:
    """The writer's file as it is now (None: there is none), comparable with ``==``."""
    db_path = Path(db_path)
    try:
        st = os.stat(db_path)
        with open(db_path, "rb") as fh:
            # DuckDB's headers carry the checkpoint's iteration: any checkpoint, by any process,
            # changes these bytes
            header = hashlib.sha256(fh.read(HEADER_BYTES)).hexdigest()
    except FileNotFoundError:
        return None
    try:
        wal_st = os.stat(f"{db_path}.wal")
        wal: list[int] | None = [wal_st.st_size, wal_st.st_mtime_ns]
    except FileNotFoundError:
        wal = None
    return {
        "inode": [st.st_dev, st.st_ino],
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "header": header,
        "wal": wal,
    }


def _read_record(db_path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(record_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _write_record(db_path: Path, record: dict[str, Any]) -> None:
    write_atomically(record_path(db_path), json.dumps(record, sort_keys=True).encode())


def lock_taken(db_path: Path) -> None:
    """Called when this process takes the writer lock: a whole pass is owed if the file is not as the
    last bylines writer left it, or nobody recorded how it was left."""
    now = file_state(db_path)
    record = _read_record(db_path)
    if record is None:
        _write_record(db_path, {"left": None, "whole_owed": NO_RECORD, "passed": None})
    elif record.get("left") != now and not record.get("whole_owed"):
        _write_record(db_path, {**record, "whole_owed": CHANGED})


def lock_released(db_path: Path, failed: bool) -> None:
    """Called when this process releases the writer lock: note how it leaves the file (and, after a
    failed step, that a whole pass is owed)."""
    record = _read_record(db_path) or {"whole_owed": NO_RECORD, "passed": None}
    now = file_state(db_path)
    update = {"left": now}
    if failed and not record.get("whole_owed"):
        update["whole_owed"] = FAILED
    if any(record.get(k) != v for k, v in update.items()):
        _write_record(db_path, {**record, **update})


def settle(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """On a writer connection, before it writes: empty the scope when checks passed over it and nothing
    was written since (the file is in the state the passing checks saw; opening it and applying a
    schema that is current write nothing)."""
    record = _read_record(db_path)
    if record and record.get("passed") is not None and record["passed"] == file_state(db_path):
        con.execute(f"DELETE FROM {SCOPE_TABLE}")


def keep_for_checks(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """In the refresh's last transaction, before ``refresh_pending`` is emptied: what the refresh wrote.

    Incremental: the keys the loads and merges listed, and the articles and posts whose summary rows
    were rebuilt (temp tables ``_dirty_articles``, ``_dirty_posts``). Full: ``everything``.
    """
    if full:
        con.execute(
            f"INSERT INTO {SCOPE_TABLE} SELECT '{EVERYTHING}', ''"
            f" WHERE NOT EXISTS (SELECT 1 FROM {SCOPE_TABLE} WHERE kind = '{EVERYTHING}')"
        )
        return
    con.execute(
        f"""
        INSERT INTO {SCOPE_TABLE}
        SELECT kind, key FROM refresh_pending
        UNION SELECT 'article', article_id FROM _dirty_articles
        UNION SELECT 'post', post_id FROM _dirty_posts
        EXCEPT SELECT kind, key FROM {SCOPE_TABLE}
        """
    )


def plan_checks(con: duckdb.DuckDBPyConnection, db_path: Path, full: bool = False) -> Plan:
    """Whole or scoped, from the record beside the file and the scope in it (under the writer lock)."""
    has_scope = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [SCOPE_TABLE]
    ).fetchone()
    if not has_scope or not has_scope[0]:
        return Plan(whole=True, reason=NO_SCOPE, keys=0)
    everything, keys = con.execute(
        f"SELECT count(*) FILTER (kind = '{EVERYTHING}'), count(DISTINCT (kind, key)) FROM {SCOPE_TABLE}"
    ).fetchone()
    record = _read_record(db_path)
    reason = (
        ASKED
        if full
        else NO_RECORD
        if record is None
        else record.get("whole_owed") or (FULL_REFRESH if everything else "")
    )
    return Plan(whole=bool(reason), reason=reason, keys=int(keys))


def record_pass(db_path: Path, plan: Plan) -> None:
    """Checks passed (under the writer lock): the scope they covered may go, and a whole pass is no
    longer owed when this was one."""
    record = _read_record(db_path) or {"left": None, "whole_owed": NO_RECORD}
    update: dict[str, Any] = {"passed": file_state(db_path)}
    if plan.whole:
        update["whole_owed"] = ""
    _write_record(db_path, {**record, **update})


def check(con: duckdb.DuckDBPyConnection, db_path: Path, full: bool = False) -> Checked:
    """Run every integrity rule, whole or scoped as ``plan_checks`` says; a pass is recorded.

    ``con`` reads the writer's file under the writer lock (``Warehouse.reader()``).
    """
    plan = plan_checks(con, db_path, full)
    checked = Checked(plan, {r.name: count(con, r.query(scoped=not plan.whole)) for r in RULES})
    if checked.passed:
        record_pass(db_path, plan)
    return checked
