"""The single writer's step alone (``warehouse_tables``, its checkpoint): CPU seconds against the load limit.

Why apart from ``bylines bench``: on a shared machine the wall clock of an ingest says little, and
the writer's step is mixed there with parsing, Dagster and publishing. Here a generated corpus is
landed and parsed once (staged as the parse workers stage it), then only the writer's part runs,
as the Dagster step runs it: open the warehouse and apply the schema, load every staged dump in
batches, refresh, record, close (DuckDB's checkpoint). CPU time is the process's (every DuckDB
thread included), which other jobs on the machine do not inflate much. The load limit is the
same as ``bylines bench``'s (a bare ``COPY`` from Parquet of every row the step left), in CPU
seconds too.

    python -m benchmarks.writer_step --size 100MB --workdir /tmp/wstep
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any

from benchmarks.run import load_limit, parse_size


def _timed(module: Any, name: str, into: dict[str, float]) -> None:
    """Add the CPU seconds of ``module.name`` calls to ``into[name]`` (this run's own bookkeeping)."""
    inner: Callable[..., Any] = getattr(module, name)

    @wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            into[name] = into.get(name, 0.0) + time.process_time() - start

    setattr(module, name, timed)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="10MB", help="generated corpus size, e.g. 10MB, 100MB")
    ap.add_argument("--workdir", default="/tmp/bylines-writer-step")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)

    from samples.generator import generate_corpus
    from warehouse import load, refresh
    from warehouse.connections import Warehouse
    from warehouse.ingest import IngestSettings, RunInfo, land, stage_dir
    from warehouse.ingest import load as writer_load
    from warehouse.parsing import parse_many
    from warehouse.rawstore import RawStore

    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    corpus = generate_corpus(work / "corpus", target_bytes=parse_size(args.size), seed=args.seed)
    megabytes = sum(p.stat().st_size for p in corpus) / 1e6
    store = RawStore(work / "raw")
    warehouse = Warehouse(work / "w.duckdb")
    batch = land([str(work / "corpus")], work / "landing", 0.0, store, warehouse)
    items = parse_many(batch.new, IngestSettings.from_env().parse, 0, str(stage_dir(store)))

    cpu: dict[str, float] = {}
    for module, name in ((load, "load_dumps"), (refresh, "refresh_search_index")):
        _timed(module, name, cpu)
    start, wall = time.process_time(), time.perf_counter()
    with warehouse.writer() as con:
        opened = time.process_time()
        writer_load(con, batch, items, RunInfo(trigger="bench"))
        loaded = time.process_time()
    total, wall = time.process_time() - start, time.perf_counter() - wall
    limit = load_limit(warehouse.path, work / "limit", clock=time.process_time)
    search = cpu.get("refresh_search_index", 0.0)
    print(f"corpus {megabytes:.1f} MB, {len(items)} dumps; writer step {total:.2f} CPU s ({wall:.2f} s wall)")
    rows = [
        ("open + schema", opened - start),
        ("loads (batches)", cpu.get("load_dumps", 0.0)),
        ("refresh (years, summaries), bookkeeping", loaded - opened - cpu.get("load_dumps", 0.0) - search),
        ("search index (warehouse.search_index)", search),
        ("close (DuckDB checkpoint)", total - (loaded - start)),
    ]
    for what, seconds in rows:
        print(f"  {what:40s} {seconds:6.2f} CPU s  {seconds / megabytes * 1000:6.1f} ms/MB")
    print(f"load limit (bare COPY from Parquet) {limit:.2f} CPU s: writer step {total / limit:.1f}x, "
          f"without the search index {(total - search) / limit:.1f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
