"""``bylines``: the command line (ingest, sql, dashboard, demo, rebuild; train and evaluate: evaluation/).

Why the CLI runs the Dagster job in-process instead of its own loop: a backfill from a
script, a test and the nightly run then share one code path (same assets, checks and
quarantine rules), and the run is recorded in the project's Dagster instance like any
other. Paths come from flags, else the environment, else the documented defaults.
"""

from __future__ import annotations

import argparse
import gc
import importlib.abc
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from orchestration.settings import RUN_LOCKS_FOLDER

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD_APP = PROJECT_ROOT / "dashboard" / "app.py"
DEFAULT_PORT = 8501
DEMO_DUMPS = 6
DEMO_SEED = 7
# The demo follows two writers (sub-folder slug, display name, site): the first screen compares them.
DEMO_WRITERS = (
    ("mara-kellerman", "Mara Kellerman", "marakellerman.net"),
    ("nadia-haddad", "Nadia Haddad", "nadiahaddad.org"),
)
MAX_WARNINGS_SHOWN = 10
MAX_FILES_SHOWN = 50  # quarantined / skipped lines in the summary; the rest are in table dumps
# Set by ``console_main``: this process is one ``bylines`` command and ends with it (see _heap_settled).
_ONE_COMMAND = False


def _ensure_dagster_home() -> None:
    """Use the project-local instance (run history, cursors) unless the caller chose one."""
    if os.environ.get("DAGSTER_HOME"):
        return
    base = PROJECT_ROOT if (PROJECT_ROOT / "workspace.yaml").is_file() else Path.cwd()
    home = base / ".dagster"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)


def _instance() -> Any:
    """The Dagster instance, opened under a file lock in ``$DAGSTER_HOME``.

    Why: opening a brand-new instance creates its SQLite schema; two ingests started at once on
    a fresh home race on that migration and one fails. Opening an existing instance is quick.
    """
    import dagster as dg
    from filelock import FileLock

    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(home / ".bylines-instance.lock"), timeout=300):
        return dg.DagsterInstance.get()


def _warehouse_path(args: argparse.Namespace) -> Path:
    from orchestration.settings import default_warehouse_path

    return Path(args.warehouse) if getattr(args, "warehouse", None) else default_warehouse_path()


def _landing_path(args: argparse.Namespace) -> Path:
    from warehouse.landing import default_landing_dir

    return Path(args.landing) if getattr(args, "landing", None) else default_landing_dir()


def _raw_path(args: argparse.Namespace) -> Path:
    from orchestration.settings import raw_root_for

    return Path(args.raw) if getattr(args, "raw", None) else raw_root_for(_warehouse_path(args))


# ---------------------------------------------------------------------------------------- ingest


def _say(line: str) -> None:
    """A line for the person at the terminal (stderr: stdout carries the summary)."""
    print(line, file=sys.stderr, flush=True)


def _lines_to_stderr() -> None:
    """Warnings of the warehouse layer (e.g. "waiting for the writer lock ...") reach the terminal."""
    logger = logging.getLogger("bylines")
    if not any(getattr(h, "bylines_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.bylines_cli = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)


def run_ingest(
    paths: Sequence[str],
    warehouse: Path,
    landing: Path,
    raw: Path,
    settle_seconds: float = 0.0,
    trigger: str = "cli",
    max_workers: int = 0,
    log_level: str = "ERROR",
    writer: str = "",
    site: str = "",
    full_checks: bool = False,
) -> tuple[int, dict[str, Any]]:
    """Execute ``ingest_job`` in-process, supervised (``orchestration.supervise``): dead runs reaped first,
    the writer pool waited for, SIGTERM/SIGINT obeyed. ``writer`` (and its ``site``): whose the files
    are, else by where they lie. ``full_checks``: the integrity checks read whole tables, not only
    what the runs since they last passed wrote. Returns (exit code, summary from the load step)."""
    _ensure_dagster_home()
    _lines_to_stderr()
    import dagster as dg

    from orchestration.definitions import build_defs
    from orchestration.jobs import INGEST_JOB_NAME
    from orchestration.resources import LandingFolder, RawStoreResource, WarehouseResource
    from orchestration.supervise import run_supervised

    defs = build_defs(
        {
            "warehouse": WarehouseResource(path=str(warehouse)),
            "landing": LandingFolder(path=str(landing), settle_seconds=settle_seconds),
            "raw_store": RawStoreResource(path=str(raw)),
            # One process, one run: stage outputs stay in memory instead of piling up as pickles.
            "io_manager": dg.mem_io_manager,
        }
    )
    job = defs.resolve_job_def(INGEST_JOB_NAME)
    run_config = {
        "ops": {
            "landed_dumps": {
                "config": {"paths": [str(Path(p).absolute()) for p in paths], "writer": writer, "site": site}
            },
            "parsed_dumps": {"config": {"max_workers": max_workers}},
            "warehouse_checks": {"config": {"full": full_checks}},
        },
        # The summary is the CLI's output; Dagster's step log stays quiet unless something goes wrong.
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }
    instance = _instance()
    _heap_settled()  # Dagster imported, definitions built, instance open: the run's own work starts
    outcome = run_supervised(job, run_config, instance, {"bylines/trigger": trigger}, _say)
    summary: dict[str, Any] = {}
    result = outcome.result
    for mat in result.asset_materializations_for_node("warehouse_tables") if result is not None else []:
        value = mat.metadata.get("summary")  # the run's own record
        if value is not None:
            summary = dict(getattr(value, "data", None) or {})
    checks = []
    evaluations = result.get_asset_check_evaluations() if result is not None else []
    for ev in evaluations:
        if not ev.passed:
            checks.append(f"check {ev.check_name} failed ({ev.severity.value}): {dict(ev.metadata)}")
    summary["failed_checks"] = checks
    summary["checks"] = checks_line(evaluations)
    errors = [
        *outcome.errors,
        *(_failure_reasons(result) if result is not None and not result.success else []),
    ]
    if errors:
        summary["errors"] = errors[:5]
    return outcome.exit_code, summary


def checks_line(evaluations: Sequence[Any]) -> str:
    """How many integrity checks ran and passed, and how far they read: whole tables (and why) or
    only what the runs since the last passing checks wrote (``warehouse.check_scope``). Empty when
    no check ran (a run that failed before them)."""
    if not evaluations:
        return ""
    passed = sum(1 for ev in evaluations if ev.passed)
    warned = sum(1 for ev in evaluations if not ev.passed and ev.severity.value == "WARN")
    failed = len(evaluations) - passed - warned
    line = f"{len(evaluations)} ran: {passed} passed, {warned} warned, {failed} failed"
    meta = next((ev.metadata for ev in evaluations if "checked" in ev.metadata), None)
    if meta is None:
        return line
    value = {k: getattr(v, "value", v) for k, v in meta.items()}  # metadata values -> plain values
    if value["checked"] == "scoped":
        return f"{line}, over what this run wrote ({value['scope_keys']:,} keys)"
    return f"{line}, over whole tables ({value['why_whole']})"


def _failure_reasons(result: Any) -> list[str]:
    """Why the run failed, per failed step: the error the step's code raised, not only "step X failed"."""
    reasons: list[str] = []
    for event in result.all_events:
        if not event.is_failure:
            continue
        if event.is_step_failure and event.step_failure_data is not None:
            error = event.step_failure_data.error
            cause = error.cause if error is not None and error.cause is not None else error
            if cause is not None:
                message = cause.message.strip()  # "package.module.Class: text": name the class only
                if cause.cls_name and ": " in message:
                    message = f"{cause.cls_name}: {message.split(': ', 1)[1]}"
                reasons.append(f"{event.step_key}: {message}")
                continue
        if event.message:
            reasons.append(event.message)
    return list(dict.fromkeys(reasons))


def format_summary(summary: dict[str, Any], seconds: float | None = None, out: TextIO | None = None) -> str:
    """The lines ``bylines ingest`` prints (also used by ``demo`` and ``rebuild``)."""
    lines = [
        f"dumps:    {summary.get('dumps_new', 0)} new, {summary.get('dumps_skipped', 0)} skipped, "
        f"{summary.get('dumps_quarantined', 0)} quarantined",
        f"posts:    {summary.get('posts', 0)}",
        f"articles: {summary.get('articles_new', 0)} new, {summary.get('articles_updated', 0)} updated, "
        f"{summary.get('articles_left', 0)} left",
    ]
    warnings = list(summary.get("warnings") or [])
    lines.append(f"warnings: {len(warnings)}")
    lines.extend(f"  - {w}" for w in warnings[:MAX_WARNINGS_SHOWN])
    if len(warnings) > MAX_WARNINGS_SHOWN:
        lines.append(f"  ... and {len(warnings) - MAX_WARNINGS_SHOWN} more (table ingest_runs)")
    quarantined = list(summary.get("quarantined") or [])
    lines.extend(f"quarantined {q['file_name']}: {q['reason']}" for q in quarantined[:MAX_FILES_SHOWN])
    if len(quarantined) > MAX_FILES_SHOWN:
        lines.append(
            f"  ... and {len(quarantined) - MAX_FILES_SHOWN} more quarantined "
            "(table dumps, status 'quarantined'; dashboard: Data quality)"
        )
    skipped = list(summary.get("skipped") or [])
    lines.extend(f"skipped {s['file_name']}: {s['reason']}" for s in skipped[:MAX_FILES_SHOWN])
    if len(skipped) > MAX_FILES_SHOWN:
        lines.append(f"  ... and {len(skipped) - MAX_FILES_SHOWN} more skipped")
    if summary.get("checks"):
        lines.append(f"checks:   {summary['checks']}")
    lines.extend(summary.get("failed_checks") or [])
    lines.extend(f"error: {e}" for e in summary.get("errors") or [])
    if seconds is not None:
        lines.append(f"took {seconds:.1f} s")
    return "\n".join(lines)


def nothing_new(paths: Sequence[str], args: argparse.Namespace) -> dict[str, Any] | None:
    """The summary of an ingest that would change nothing, told without starting Dagster, else None.

    Why: importing Dagster and opening its instance cost about two seconds, every run. A run is
    needed anyway when a run lock file exists (a live run, or a dead one to reap: see
    ``orchestration.runs``); otherwise ``warehouse.idle`` tells, read-only, whether anything is new.
    """
    _ensure_dagster_home()
    locks = Path(os.environ["DAGSTER_HOME"]) / RUN_LOCKS_FOLDER
    if (locks.is_dir() and any(locks.glob("*.lock"))) or args.writer or args.site:
        return None  # --writer/--site: the run resolves (and may record) that writer
    from warehouse.hash_cache import hash_cache
    from warehouse.idle import nothing_to_do
    from warehouse.rawstore import RawStore
    from warehouse.writers import WriterRegistry, WritersFileError, default_writers_file

    landing = _landing_path(args)
    try:
        writers = WriterRegistry.load(default_writers_file(landing))
    except WritersFileError:
        return None  # the run says what is wrong with writers.yaml
    store = RawStore(_raw_path(args))
    skipped = nothing_to_do(paths, landing, args.settle, _warehouse_path(args), hash_cache(store), writers)
    return None if skipped is None else {"dumps_skipped": len(skipped), "skipped": skipped}


class _PandasKeptOut(importlib.abc.MetaPathFinder):
    """Makes ``import pandas`` fail, with a message that says why (see ``_pandas_kept_out``)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(
                f"{name} is kept out of `bylines ingest` (orchestration/cli.py, _pandas_kept_out): "
                "the ingest hands DuckDB Arrow tables and Python values, never DataFrames",
                name=name,
            )


@contextmanager
def _pandas_kept_out() -> Iterator[None]:
    """Within, pandas cannot be imported (unless it already was).

    Why: DuckDB's Python client imports pandas the first time a query binds a parameter, to learn
    whether the value is a pandas object; the ingest binds hundreds and never passes one, and the
    import alone cost 0.35 CPU seconds of every run (a tenth of one new dump's). DuckDB treats
    pandas as optional: without it, parameters bind as before. Scoped, not process-wide: once the
    finder is removed DuckDB imports pandas as usual (the tests run ingests in-process, then use it).
    """
    if "pandas" in sys.modules:
        yield
        return
    finder = _PandasKeptOut()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def cmd_ingest(args: argparse.Namespace) -> int:
    with _pandas_kept_out():
        return _ingest(args)


def _ingest(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        print(f"not found: {p}", file=sys.stderr)
    if args.paths and len(missing) == len(args.paths):
        return 2  # never fall back to the landing folder when the named files are all absent
    idle = (
        None
        if args.full_checks
        else nothing_new([str(Path(p).absolute()) for p in args.paths if p not in missing], args)
    )
    if idle is not None:
        print(format_summary(idle, time.perf_counter() - start))
        print("nothing new: no run started", file=sys.stderr)
        return 0
    code, summary = run_ingest(
        [p for p in args.paths if p not in missing],
        _warehouse_path(args),
        _landing_path(args),
        _raw_path(args),
        settle_seconds=args.settle,
        max_workers=args.workers,
        writer=args.writer or "",
        site=args.site or "",
        full_checks=args.full_checks,
    )
    print(format_summary(summary, time.perf_counter() - start))
    if code:
        print("ingest run STOPPED" if code > 128 else "ingest run FAILED", file=sys.stderr)
    return code


# ------------------------------------------------------------------------------------------- sql


def cmd_sql(args: argparse.Namespace) -> int:
    from orchestration.sql_shell import sql_shell

    return sql_shell(_warehouse_path(args), args.query)


# ------------------------------------------------------------------------- dashboard, demo, rebuild


def cmd_dashboard(args: argparse.Namespace) -> int:
    if not DASHBOARD_APP.is_file():
        print(f"dashboard app not found at {DASHBOARD_APP}", file=sys.stderr)
        return 2
    env = {**os.environ, "BYLINES_WAREHOUSE": str(_warehouse_path(args).absolute())}
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(DASHBOARD_APP),
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    print(f"dashboard on http://localhost:{args.port} (warehouse {env['BYLINES_WAREHOUSE']})", flush=True)
    os.execvpe(sys.executable, argv, env)
    return 0  # not reached


def demo_writers(landing: Path) -> Path:
    """``writers.yaml`` beside the landing folder naming the demo's writers (an existing file is kept)."""
    from warehouse.writers import default_writers_file

    path = default_writers_file(landing)
    if not path.exists():
        lines = [
            "# Written by `bylines demo`: landing sub-folder -> writer (see warehouse/writers.py).",
            "writers:",
        ]
        for slug, name, site in DEMO_WRITERS:
            lines += [f"  {slug}:", f"    name: {name}", f"    site: {site}"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cmd_demo(args: argparse.Namespace) -> int:
    from samples.generator import generate_corpus

    landing = _landing_path(args)
    landing.mkdir(parents=True, exist_ok=True)
    registry = demo_writers(landing)
    files: list[Path] = []
    for k, (slug, name, _site) in enumerate(DEMO_WRITERS):
        files += generate_corpus(landing / slug, n_dumps=args.dumps, seed=args.seed + k, author=name)
    print(f"generated {len(files)} sample dumps of {len(DEMO_WRITERS)} writers in {landing} ({registry})")
    start = time.perf_counter()
    code, summary = run_ingest(
        [str(f) for f in files], _warehouse_path(args), landing, _raw_path(args), trigger="demo"
    )
    print(format_summary(summary, time.perf_counter() - start))
    if code:
        print("demo ingest FAILED", file=sys.stderr)
        return code
    if args.no_serve:
        return 0
    return cmd_dashboard(args)


def cmd_rebuild(args: argparse.Namespace) -> int:
    from orchestration.runs import reap_dead_runs
    from orchestration.supervise import caught_signals
    from warehouse.ingest import IngestSettings
    from warehouse.landing import default_landing_dir
    from warehouse.rawstore import RawStore
    from warehouse.rebuild import rebuild_warehouse
    from warehouse.stops import IngestInterrupted
    from warehouse.writers import WriterRegistry, default_writers_file

    raw = RawStore(_raw_path(args))
    if not any(True for _ in raw.iter_ids()):
        print(f"raw store {raw.root} is empty: nothing to rebuild from", file=sys.stderr)
        return 2
    _ensure_dagster_home()
    _lines_to_stderr()
    reap_dead_runs(_instance(), _say, by="bylines rebuild")  # a dead run must not keep the writer pool
    start = time.perf_counter()
    settings = IngestSettings.from_env(max_workers=args.workers)
    writers = WriterRegistry.load(default_writers_file(default_landing_dir()))
    with caught_signals(stop_at_once=True) as signals:
        try:
            summary = rebuild_warehouse(_warehouse_path(args), raw, settings, writers=writers)
        except IngestInterrupted as exc:
            print(f"rebuild stopped, the warehouse is as it was: {exc}", file=sys.stderr)
            return 128 + (signals.received or 15)
    print(f"rebuilt {_warehouse_path(args)} from {raw.root}")
    print(format_summary(summary.model_dump(), time.perf_counter() - start))
    return 0


# ------------------------------------------------------------------------------------------ main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bylines", description="Blog archive dumps -> DuckDB warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, landing: bool = False, raw: bool = False) -> None:
        p.add_argument(
            "--warehouse", help="DuckDB file (env BYLINES_WAREHOUSE, default data/warehouse.duckdb)"
        )
        if landing:
            p.add_argument("--landing", help="landing folder (env BYLINES_LANDING, default data/landing)")
        if raw:
            p.add_argument("--raw", help="raw store (env BYLINES_RAW, default: 'raw' beside the warehouse)")

    p = sub.add_parser("ingest", help="ingest dumps (or the landing folder) through the Dagster job")
    p.add_argument("paths", nargs="*", help="dump files or folders; none = the landing folder")
    common(p, landing=True, raw=True)
    p.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds a landing file must be unchanged to count as complete (default 0)",
    )
    p.add_argument("--workers", type=int, default=0, help="parser processes (0 = one per CPU)")
    p.add_argument(
        "--writer",
        help="whose dumps these are: a writer's display name (or slug or alias in writers.yaml); "
        "default: by where they lie (<landing>/<writer>/, else the default writer)",
    )
    p.add_argument("--site", help="the writer's site (the blog's domain), when writers.yaml gives none")
    p.add_argument(
        "--full-checks",
        action="store_true",
        help="run the integrity checks over whole tables (default: over what the runs since they last passed"
        " wrote, or whole when the warehouse was changed outside bylines)",
    )
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("sql", help="read-only SQL on the published copy (interactive without QUERY)")
    p.add_argument("query", nargs="*", help="SQL text; none = read statements from stdin")
    common(p)
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    common(p)
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("demo", help="generate sample dumps, ingest them, serve the dashboard")
    common(p, landing=True, raw=True)
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--dumps", type=int, default=DEMO_DUMPS)
    p.add_argument("--seed", type=int, default=DEMO_SEED)
    p.add_argument("--no-serve", action="store_true", help="stop after ingesting (tests, CI)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("rebuild", help="recreate the warehouse from the raw store alone")
    common(p, raw=True)
    p.add_argument("--workers", type=int, default=0)
    p.set_defaults(func=cmd_rebuild)

    from evaluation.commands import add_commands

    add_commands(sub)  # train, evaluate

    p = sub.add_parser(
        "bench", help="benchmark parse, ingest and dashboard queries (see benchmarks/run.py)", add_help=False
    )
    p.set_defaults(func=lambda _args: main(["bench", "--help"]))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # its own options (argparse cannot pass '--sizes' through a subparser)
        _heap_settled()
        from benchmarks.run import main as bench_main

        return bench_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.func not in (cmd_ingest, cmd_demo):  # those settle once Dagster is up (run_ingest)
        _heap_settled()
    return int(args.func(args))


def _heap_settled() -> None:
    """Start-up is over: in a process that is one command, put what exists now out of the garbage
    collector's sight and turn collection back on (``console_main`` turned it off).

    Why: the modules, Dagster's definitions and the instance are a few hundred thousand objects that
    live until the command ends, and every full collection walks them all. One new dump paid about
    0.75 CPU s of 3.5-3.8 in collections that found next to nothing to free: three during the
    imports, one during the parse, and the interpreter's last one at exit (docs/performance.md,
    "The fourth round"). A no-op in a process that is not one command (tests call ``main`` in-process).
    """
    if _ONE_COMMAND:
        gc.freeze()
        gc.enable()


def console_main() -> int:
    """The ``bylines`` command: ``main`` in a process of its own.

    The cyclic garbage collector is off during start-up (imports make long-lived objects, not
    garbage) until ``_heap_settled``, and everything left when the command ends is frozen, so the
    interpreter's exit does not walk the whole heap once more to free memory the exit frees anyway.
    Reference counting frees as always; only cycles wait, and only during start-up.
    """
    global _ONE_COMMAND
    _ONE_COMMAND = True
    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    raise SystemExit(console_main())
