"""The Dagster instance's SQLite storage, with its connections kept open for the life of the process.

Why: Dagster's SQLite storage makes a new SQLAlchemy engine, and so a new SQLite connection, for
every read and write (``NullPool``), and closes it after. Closing the last connection to a WAL-mode
database checkpoints the log into the file and deletes it, each with its own ``fsync``: about 25 ms
of wall-clock time per event on this machine, against 3.6 ms on a kept connection (whose commit
still syncs its log: no run record is less durable). A one-new-dump run writes about 80 events
(steps, outputs, check results, the run's status) into the run's shard and the index shard, and
about 40 run records: 1.5-2 s of a run whose target is 3 s (docs/performance.md).

So these are Dagster's SQLite run storage and event log (same files, same schema, same folders:
an instance made before keeps working) with one change each: the run storage keeps one engine, and
the event log keeps one engine per shard (the index, and the few runs touched last). Connections are
pooled by SQLAlchemy and used under the storage's own lock or one per thread, as before.
``.dagster/dagster.yaml`` selects them (``instance_class``, see ``BylinesInstance``).
"""

from __future__ import annotations

import os
import shutil
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import sqlalchemy as db
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
)
from dagster._core.storage.runs import SqliteRunStorage
from dagster._serdes import ConfigurableClassData
from dagster.version import __version__ as dagster_version
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
                if shard == INDEX_SHARD_NAME or not self._new_run_shard(shard):
                    self._initdb(engine)  # Dagster's own: creates, or checks the schema of, the shard
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _new_run_shard(self, shard: str) -> bool:
        """Make a run's shard as a copy of an empty one; False if it exists (Dagster's own check then runs).

        Why: Dagster creates each run's database through SQLAlchemy's DDL and an alembic stamp, 0.2-0.45 s
        of every run here; the empty shard it makes is the same every time for one Dagster version, so it
        is made once (``.bylines-empty-run-<version>.db``, hidden from Dagster's ``*.db`` listings) and
        copied. The copy is linked into place, so a shard another process made meanwhile is never replaced.
        """
        path = Path(self.path_for_shard(shard))
        if path.exists():
            return False
        template = path.with_name(f".bylines-empty-run-{dagster_version}.db")
        if not template.exists() and not self._make_empty_shard(template):
            return False
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            shutil.copyfile(template, tmp)
            os.link(tmp, path)
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def _make_empty_shard(self, template: Path) -> bool:
        """Make the empty shard with Dagster's own init; False (nothing made) if its file is not whole."""
        tmp = template.with_name(f"{template.name}.{os.getpid()}.tmp")
        engine = _engine(f"sqlite:///{tmp}")
        try:
            self._initdb(engine)
        finally:
            engine.dispose()  # closes its connection: the log is folded into the file and removed
        if Path(f"{tmp}-wal").exists():  # still open elsewhere: the file alone may lack the schema
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                leftover.unlink(missing_ok=True)
            return False
        os.replace(tmp, template)
        return True

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


class BylinesInstance(dg.DagsterInstance):
    """Dagster's instance, its SQLite run storage and event log swapped for the kept-connection ones.

    Why an instance class and not ``storage: custom``: the storage of a custom block is told its folder
    in the config (only ``$DAGSTER_HOME`` could be named there), while Dagster's default SQLite storage
    lives in the folder of the instance, however it is opened (``DagsterInstance.get()``,
    ``from_config(folder)``). Here Dagster makes that default storage and this class reopens its own
    folders; a storage configured otherwise (Postgres, ``deploy/``) is left as it is.
    """

    def __init__(self, *args: Any, run_storage: Any = None, event_storage: Any = None, **kwargs: Any):
        if type(run_storage) is SqliteRunStorage:
            run_storage = KeptRunStorage(run_storage._conn_string, run_storage.inst_data)
        if type(event_storage) is SqliteEventLogStorage:
            event_storage = KeptEventLogStorage(event_storage._base_dir, event_storage.inst_data)
        super().__init__(*args, run_storage=run_storage, event_storage=event_storage, **kwargs)

    @classmethod
    def config_schema(cls) -> dict[str, Any]:
        return {}  # no settings of its own

    @classmethod
    def config_defaults(cls, base_dir: str) -> Any:
        return InstanceRef.config_defaults(base_dir)
