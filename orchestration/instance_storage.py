"""The Dagster instance's SQLite storage, with its connections kept open for the life of the process.

Why: Dagster's SQLite storage makes a new SQLAlchemy engine, and so a new SQLite connection, for
every read and write (``NullPool``), and closes it after. Closing the last connection to a WAL-mode
database checkpoints the log into the file and deletes it, each with its own ``fsync``: about 25 ms
of wall-clock time per event on this machine, against 3.6 ms on a kept connection (whose commit
still syncs its log: no run record is less durable). A one-new-dump run writes about 80 events
(steps, outputs, check results, the run's status) into the run's shard and the index shard, and
about 40 run records: 1.5-2 s of a run whose target is 3 s (docs/performance.md).

So this is Dagster's ``DagsterSqliteStorage`` (same files, same schema, same base folder: an
instance made before keeps working) with two changes: the run storage keeps one engine, and the
event log keeps one engine per shard (the index, and the few runs touched last). Connections are
pooled by SQLAlchemy and only used under the storage's own lock or one per thread, as before.
``.dagster/dagster.yaml`` selects it (``storage: custom``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
)
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.schedules import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine

RUN_SHARDS_KEPT = 4  # run shards with an open engine (the index shard is always kept)


def _engine(conn_string: str) -> Engine:
    """A pooled engine: its connections stay open between uses (SQLAlchemy's default pool for a file)."""
    return db.create_engine(conn_string, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})


class KeptRunStorage(SqliteRunStorage):
    """Dagster's SQLite run storage on one engine for the life of the process."""

    def __init__(self, conn_string: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(conn_string, inst_data)
        self._engine = _engine(conn_string)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self._engine.dispose()
        super().dispose()


class KeptEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one database per run plus an index) with engines kept per shard."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()  # shard -> engine, least recent first
        super().__init__(base_dir, inst_data)  # (which connects already)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = self._engines[shard] = _engine(self.conn_string_for_shard(shard))
                self._forget_old_shards()
            self._engines.move_to_end(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _forget_old_shards(self) -> None:
        runs = [shard for shard in self._engines if shard != INDEX_SHARD_NAME]
        for shard in runs[: max(0, len(runs) - RUN_SHARDS_KEPT)]:
            self._engines.pop(shard).dispose()

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # before the shard files are deleted
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


class KeptSqliteStorage(DagsterSqliteStorage):
    """``DagsterSqliteStorage`` (runs, event log, schedules under ``base_dir``) with kept connections."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # DagsterSqliteStorage.__init__ with the two storages swapped (it would open Dagster's own first)
        self.base_dir = base_dir
        self._run_storage = KeptRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = KeptEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        DagsterStorage.__init__(self)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Any) -> KeptSqliteStorage:  # type: ignore[override]
        return cls.from_local(inst_data=inst_data, **config_value)
