"""The bylines benchmark: one command, every figure of BENCHMARKS.md.

    bylines bench --sizes 10MB,100MB,1GB --articles 1000000 --write BENCHMARKS.md

For each corpus size it generates overlapping tag-page dumps with the project's generator and
measures: parse throughput of ``transforms`` alone on one core against a baseline scan of the
same bytes (read, split lines, one compiled regex over every line); end-to-end ingest (the real
``bylines ingest`` in a subprocess: Dagster job, parser pool, single writer, publish) with its
peak RSS; a nightly run with nothing new and one with a single new dump on top; the warehouse
size. Then it times every dashboard query (``dashboard/queries.py``) on a warehouse of N
articles built in SQL. Figures are printed; ``--write`` also writes them as Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from benchmarks.bytecode import compile_project
from benchmarks.synthetic_warehouse import SearchIndexTiming
from dashboard.paging import Cursor, Listing, Query

_UNITS = {"KB": 10**3, "MB": 10**6, "GB": 10**9}
_BASELINE = re.compile(r"\b(?:19|20)\d\d\b")
DAGSTER_YAML = Path(__file__).resolve().parents[1] / ".dagster" / "dagster.yaml"


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB)\s*", text.upper())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 10MB, 1GB)")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


@dataclass
class CorpusResult:
    label: str
    bytes: int
    files: int
    generate_s: float
    parse_sample_bytes: int = 0
    baseline_mb_s: float = 0.0
    parse_mb_s: float = 0.0
    ingest_s: float = 0.0
    ingest_mb_s: float = 0.0
    ingest_peak_rss_mb: float = 0.0
    ingest_peak_tree_rss_mb: float = 0.0
    ingest_peak_tree_pss_mb: float = 0.0
    ingest_peak_when: str = ""  # when the PSS peak was sampled, and what was running then
    ingest_cores: float = 0.0  # CPU seconds of all the run's processes per wall second
    io_limit_s: float = 0.0  # a bare read of the corpus's bytes
    load_limit_s: float = 0.0  # a bare DuckDB COPY of the warehouse's rows from Parquet
    nothing_new_s: float = 0.0
    one_new_s: float = 0.0
    one_new_bytes: int = 0
    one_new_cpu_s: float = 0.0  # CPU seconds of that run (all processes): less inflated by contention
    warehouse_mb: float = 0.0
    articles: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class QueryTiming:
    name: str
    rows: int
    p50_ms: float
    p95_ms: float
    # CPU time of the benchmark process (DuckDB's threads included), median: what the query costs
    # whoever else shares the machine; wall time on a busy machine also counts the waiting.
    cpu_p50_ms: float = 0.0


def _mb(n: float) -> float:
    return n / 1e6


def _generate(out: Path, target: int, seed: int) -> tuple[list[Path], float]:
    from samples.generator import generate_corpus

    start = time.perf_counter()
    files = generate_corpus(out, target_bytes=target, seed=seed)
    return files, time.perf_counter() - start


def _sample(files: Sequence[Path], limit: int) -> list[Path]:
    picked, total = [], 0
    for f in files:
        if total >= limit:
            break
        picked.append(f)
        total += f.stat().st_size
    return picked


def parse_throughput(files: Sequence[Path]) -> tuple[int, float, float]:
    """(bytes, baseline MB/s, parse MB/s) on one core over the same bytes.

    Timed in CPU seconds of this process (``time.process_time``), not wall-clock: both loops are
    single-threaded, and on a shared machine other jobs stretch wall-clock time but not the CPU
    time the parser itself needs.
    """
    from transforms.parse import parse_dump
    from transforms.text import decode

    blobs = [f.read_bytes() for f in files]
    size = sum(len(b) for b in blobs)
    start = time.process_time()
    hits = 0
    for b in blobs:
        for line in b.decode("utf-8", "replace").splitlines():
            hits += bool(_BASELINE.search(line))
    baseline = time.process_time() - start
    start = time.process_time()
    for f, b in zip(files, blobs, strict=True):
        text, _enc = decode(b)
        parse_dump(text, f.name)
    parse = time.process_time() - start
    return size, _mb(size) / max(baseline, 1e-9), _mb(size) / max(parse, 1e-9)


def _bylines() -> str:
    exe = Path(sys.executable).with_name("bylines")
    return str(exe) if exe.exists() else "bylines"


@dataclass
class TreeMemory:
    """Memory of a process tree at one instant, in bytes."""

    rss_sum: int = 0  # resident set sizes added up: shared pages (libraries) count once per process
    pss_sum: int = 0  # proportional set sizes added up: each shared page split among its users
    rss_largest: int = 0
    processes: int = 0
    by_role: dict[str, list[int]] = field(default_factory=dict)  # role -> PSS of each such process

    def breakdown(self) -> str:
        """PSS per role ("writer 615, parse workers 134 + 109, ..." MB): where a peak's memory was."""
        return ", ".join(
            f"{role} {' + '.join(f'{b / 1e6:.0f}' for b in sizes)}" for role, sizes in self.by_role.items()
        )


def _role(pid: int, root: int, parent: dict[int, int]) -> str:
    """What a process of an ingest's tree is: the writer (the ``bylines ingest`` process itself), the
    parse pool's fork server (a child of the writer running multiprocessing's forkserver), a parse
    worker (a child of that server), or other (Dagster's log watchers, multiprocessing's tracker)."""
    if pid == root:
        return "writer"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        command = b""
    if b"multiprocessing.forkserver" in command:
        return "parse server" if parent.get(pid) == root else "parse workers"
    return "other"


def _pss(pid: int) -> int | None:
    """Proportional set size of ``pid`` (``/proc/<pid>/smaps_rollup``, Linux 4.14+), None if unreadable."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _tree_memory(root: int) -> TreeMemory:
    """Memory of process ``root`` and all its descendants alive now (one instant, not per-process peaks).

    Why PSS besides RSS: the writer and its parse workers each map the same interpreter and
    libraries; RSS counts those pages in every process, PSS splits them, so the PSS sum is what
    the whole run occupies in RAM. Where PSS cannot be read, the process's RSS stands in.
    """
    children: dict[int, list[int]] = {}
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            pid, ppid = int(entry.name), int(fields[1])
            rss[pid] = int(fields[21]) * page
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(pid)
        parent[pid] = ppid
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo.extend(children.get(pid, []))
    out = TreeMemory()
    for pid in seen:
        size = rss.get(pid, 0)
        pss = _pss(pid) if size else None
        out.rss_sum += size
        out.pss_sum += pss if pss is not None else size
        out.rss_largest = max(out.rss_largest, size)
        out.processes += 1 if size else 0
        if size:
            out.by_role.setdefault(_role(pid, root, parent), []).append(pss if pss is not None else size)
    return out


@dataclass
class IngestRun:
    seconds: float
    peak_rss_mb: float  # largest single process (the writer, or one parser)
    peak_tree_rss_mb: float  # all processes of the run at once (writer + parser pool), RSS added up
    peak_tree_pss_mb: float = 0.0  # the same instant-by-instant sum with PSS (shared pages counted once)
    cores: float = 0.0  # CPU seconds of the run's processes (user + system) per wall second
    peak_when: str = ""  # at the PSS peak: seconds into the run, processes alive, largest RSS, PSS by role


def _run_ingest(args: list[str], env: dict[str, str], sample_every: float = 0.2) -> IngestRun:
    """Run ``bylines ingest`` as a child, sampling the memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [_bylines(), "ingest", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak_sum = peak_pss = peak_one = 0
    peak_when = ""
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_sum, peak_pss, peak_one, peak_when
        while not stop.is_set():
            now = _tree_memory(proc.pid)
            peak_sum, peak_one = max(peak_sum, now.rss_sum), max(peak_one, now.rss_largest)
            if now.pss_sum > peak_pss:
                peak_pss = now.pss_sum
                peak_when = (
                    f"at {time.perf_counter() - start:.0f} s of {{seconds:.0f}}, {now.processes} processes, "
                    f"largest {now.rss_largest / 1e6:.0f} MB RSS; MB PSS: {now.breakdown()}"
                )
            stop.wait(sample_every)

    sampler = threading.Thread(target=sample, daemon=True)
    if sys.platform.startswith("linux"):
        sampler.start()
    _out, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    if sampler.is_alive():
        sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"bylines ingest failed ({proc.returncode}): {err[-2000:]}")
    # ru_maxrss of children: the largest single descendant waited for so far (KiB); catches a peak
    # between two samples.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_one = max(peak_one, after.ru_maxrss * 1024)
    # pool workers are waited for by the run, so their CPU time is in the children's usage too
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return IngestRun(
        seconds,
        peak_one / 1e6,
        max(peak_sum, peak_one) / 1e6,
        peak_pss / 1e6,
        cpu / seconds,
        peak_when.format(seconds=seconds),
    )


def io_limit(files: Sequence[Path]) -> float:
    """Seconds to read the bytes of ``files`` once, in 1 MiB chunks: the ingest's I/O limit."""
    start = time.perf_counter()
    for f in files:
        with open(f, "rb", buffering=0) as fh:
            while fh.read(1 << 20):
                pass
    return time.perf_counter() - start


def load_limit(warehouse: Path, work: Path, clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds for a bare DuckDB ``COPY`` of every row the ingest left in ``warehouse``, from Parquet,
    into a new warehouse of the same schema: the load's limit (no parsing, no identity rules, no
    aggregates, no publish). ``clock``: wall time, or ``time.process_time`` for CPU seconds."""
    from warehouse.schema import apply_schema
    from warehouse.storage import connect_writer

    work.mkdir(parents=True, exist_ok=True)
    target = work / "copy_limit.duckdb"
    target.unlink(missing_ok=True)
    tables: list[str] = []
    with connect_writer(target) as con:
        apply_schema(con)  # tables the schema fills itself (its migration log) are left out
        names = [
            name
            for (name,) in con.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
                " WHERE database_name = current_database() AND NOT temporary ORDER BY 1"
            ).fetchall()
            if not con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        ]
    with duckdb.connect(str(warehouse), read_only=True) as src:
        for name in names:
            if src.execute(f"SELECT count(*) FROM {name}").fetchone()[0]:
                src.execute(f"COPY {name} TO '{work / name}.parquet' (FORMAT parquet)")
                tables.append(name)
    start = clock()
    with connect_writer(target) as con:  # the writer's layout (row groups), as the ingest's load
        for name in tables:
            con.execute(f"COPY {name} FROM '{work / name}.parquet' (FORMAT parquet)")
        con.execute("CHECKPOINT")
    seconds = clock() - start
    target.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    return seconds


def _expect_dumps(warehouse: Path, dumps: int, what: str) -> None:
    """Refuse to report a figure of work that did not happen: the warehouse must hold ``dumps`` dumps
    after the ingest of ``what`` (a file already loaded is skipped, and its run costs next to nothing)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (found,) = con.execute("SELECT count(*) FROM dumps").fetchone()
    if found != dumps:
        raise RuntimeError(f"bench: after ingesting {what} the warehouse holds {found} dumps, not {dumps}")


def run_corpus(
    label: str, target: int, root: Path, workers: int, parse_sample: int, seed: int
) -> CorpusResult:
    corpus = root / f"corpus_{label}"
    files, gen_s = _generate(corpus, target, seed)
    size = sum(f.stat().st_size for f in files)
    result = CorpusResult(label=label, bytes=size, files=len(files), generate_s=gen_s)
    sample = _sample(files, parse_sample)
    result.parse_sample_bytes, result.baseline_mb_s, result.parse_mb_s = parse_throughput(sample)

    warehouse = root / f"wh_{label}" / "warehouse.duckdb"
    # a warehouse an earlier run left in --workdir would make every figure below a nothing-new run
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    env = {
        **os.environ,
        "BYLINES_RAW": str(warehouse.parent / "raw"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    (root / "dagster_home").mkdir(exist_ok=True)
    # the project's instance settings (writer pool, run monitoring, no telemetry): what a real run pays
    shutil.copyfile(DAGSTER_YAML, root / "dagster_home" / "dagster.yaml")
    common = ["--warehouse", str(warehouse), "--workers", str(workers)]
    run = _run_ingest([str(corpus), *common], env)
    _expect_dumps(warehouse, len(files), "the corpus")
    result.ingest_s, result.ingest_peak_rss_mb, result.ingest_peak_tree_rss_mb = (
        run.seconds,
        run.peak_rss_mb,
        run.peak_tree_rss_mb,
    )
    result.ingest_peak_tree_pss_mb = run.peak_tree_pss_mb
    result.ingest_peak_when = run.peak_when
    result.ingest_cores = run.cores
    result.ingest_mb_s = _mb(size) / result.ingest_s
    result.io_limit_s = io_limit(files)
    result.load_limit_s = load_limit(warehouse, root / f"limit_{label}")
    result.nothing_new_s = _run_ingest([str(corpus), *common], env).seconds
    extra = root / f"extra_{label}"
    new_files, _ = _generate(extra, 1, seed + 1000)  # the smallest corpus: one group's first dump
    # a new page, not a re-delivery of one already loaded (same file name would supersede it)
    one = new_files[0].rename(new_files[0].with_name("new_" + new_files[0].name))
    result.one_new_bytes = one.stat().st_size
    one_run = _run_ingest([str(one), *common], env)
    _expect_dumps(warehouse, len(files) + 1, f"the new dump {one.name}")
    result.one_new_s, result.one_new_cpu_s = one_run.seconds, one_run.seconds * one_run.cores
    result.warehouse_mb = _mb(warehouse.stat().st_size)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        result.articles = int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        con.close()
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(extra, ignore_errors=True)
    return result


@dataclass(frozen=True)
class SearchWords:
    """Search texts of known selectivity, picked from the benchmark warehouse's own index."""

    one: str  # a word in about 1 % of the articles
    two: str  # two words in about 5 % each (both must match)
    prefix: str  # the first four letters of a word in about 0.5 %
    common: str  # a word in about 30 % (the slow case of any word index)

    @classmethod
    def pick(cls, con: duckdb.DuckDBPyConnection, articles: int) -> SearchWords:
        df = con.execute(
            "SELECT word, count(*) AS n FROM search.postings WHERE length(word) >= 5 GROUP BY word"
        ).df()

        def near(share: float, skip: int = 0) -> str:
            ranked = df.assign(gap=(df["n"] - share * articles).abs()).sort_values(["gap", "word"])
            return str(ranked["word"].iloc[skip])

        return cls(near(0.01), f"{near(0.05)} {near(0.05, 1)}", near(0.005)[:4], near(0.3))


Runner = Callable[["Query"], object]


def dashboard_queries(
    article_id: str, outlet_id: str, words: SearchWords, deep: dict[str, Cursor]
) -> list[tuple[str, Callable[[Runner], object]]]:
    """Every dashboard query by name, run the way the pages run it (paged lists through ``fetch_page``).

    ``deep`` holds a cursor half-way down each big listing (a page far from the first).
    """
    from dashboard import queries as q
    from dashboard.filters import ArticleFilter
    from dashboard.paging import DEFAULT_PAGE_SIZE, count_query, fetch_page

    narrowed = ArticleFilter(year_from=2010, year_to=2020, outlets=["Outlet 1", "Outlet 2"], kinds=["op-ed"])
    listings = {
        "articles": q.articles(ArticleFilter()),
        "articles_filtered": q.articles(narrowed),
        "articles_topic": q.articles(ArticleFilter(topics=["Topic 3"])),
        "articles_search": q.articles(ArticleFilter(text=words.one)),
        "articles_search_two_words": q.articles(ArticleFilter(text=words.two)),
        "articles_search_prefix": q.articles(ArticleFilter(text=words.prefix)),
        "articles_search_filtered": q.articles(narrowed.model_copy(update={"text": words.common})),
        "articles_search_common_word": q.articles(ArticleFilter(text=words.common)),
        "outlet_summary": q.outlet_summaries(),
        "outlet_articles": q.outlet_articles(outlet_id),
        "mentions": q.mentions([], None, None),
        "citation_notes": q.citation_notes(""),
        "citation_notes_search": q.citation_notes("site7"),
        "dumps": q.dumps(),
        "quarantined": q.quarantined(),
        "quality_rows": q.quality_rows([]),
        "runs": q.RUNS,
    }

    def page(listing: Listing, cursor: Cursor | None = None) -> Callable[[Runner], object]:
        return lambda run: fetch_page(listing, cursor, DEFAULT_PAGE_SIZE, run).rows

    def plain(query: Query) -> Callable[[Runner], object]:
        return lambda run: run(query)

    timed: list[tuple[str, Callable[[Runner], object]]] = [
        ("writers", plain(q.WRITERS)),
        ("writer_years", plain(q.WRITER_YEARS)),
        ("writer_outlets", plain(q.writer_outlets())),
        ("headline", plain(q.headline())),
        ("output_by_year_outlet", plain(q.output_by_year_outlet())),
        ("outlet_ranking", plain(q.OUTLET_RANKING)),
        ("top_outlets", plain(q.top_outlets())),
        ("topic_year", plain(q.topic_year())),
        ("mentions_by_year_medium", plain(q.mentions_by_year_medium([], None, None))),
        ("filter_options", plain(q.filter_options())),
        ("search_index_present", plain(q.SEARCH_INDEX)),
        ("articles_chart", plain(q.articles_by_year_outlet(narrowed))),
        ("articles_search_chart", plain(q.articles_by_year_outlet(ArticleFilter(text=words.one)))),
        ("article", plain(q.article(article_id))),
        ("article_provenance", plain(q.article_provenance(article_id))),
        ("article_mentions", plain(q.article_mentions(article_id))),
        ("article_citations", plain(q.article_citations(article_id))),
        ("outlet_names", plain(q.outlet_names())),
        ("outlet_summary_row", plain(q.outlet_summary("Outlet 1"))),
        ("outlet_year_kind", plain(q.outlet_year_kind(outlet_id))),
        ("outlet_aliases", plain(q.outlet_aliases(outlet_id))),
        ("mention_options", plain(q.mention_options())),
        ("mentions_by_outlet", plain(q.mentions_by_outlet(["radio", "tv"], 2010, None))),
        ("mentions_by_year_medium_filtered", plain(q.mentions_by_year_medium(["radio", "tv"], 2010, None))),
        ("citation_sources", plain(q.citation_sources())),
        ("citation_domains", plain(q.citation_domains())),
        ("quarantined_counts", plain(q.quarantined_counts())),
        ("quality_summary", plain(q.quality_summary())),
        ("last_run", plain(q.LAST_RUN)),
        ("schema", plain(q.SCHEMA)),
        ("relations", plain(q.RELATIONS)),
    ]
    for name, listing in listings.items():
        timed.append((f"{name}_page", page(listing)))
        timed.append((f"{name}_count", plain(count_query(listing))))
        if name in deep:
            timed.append((f"{name}_page_deep", page(listing, deep[name])))
    return timed


DEEP_LISTINGS = ("articles", "articles_search", "mentions", "citation_notes", "dumps")


def _deep_cursors(con: duckdb.DuckDBPyConnection, words: SearchWords) -> dict[str, Cursor]:
    """A cursor half-way down each of ``DEEP_LISTINGS`` (what "Next" gives after many pages)."""
    from dashboard import queries as q
    from dashboard.filters import ArticleFilter
    from dashboard.paging import key_of, order_by

    listings = {
        "articles": q.articles(ArticleFilter()),
        "articles_search": q.articles(ArticleFilter(text=words.one)),
        "mentions": q.mentions([], None, None),
        "citation_notes": q.citation_notes(""),
        "dumps": q.dumps(),
    }
    cursors = {}
    for name in DEEP_LISTINGS:
        listing = listings[name]
        params = [list(p) if isinstance(p, tuple) else p for p in listing.params]
        total = con.execute(f"SELECT count(*) FROM ({listing.sql})", params).fetchone()[0]
        middle = con.execute(
            f"SELECT * FROM ({listing.sql}) ORDER BY {order_by(listing.order)} LIMIT 1 OFFSET ?",
            [*params, total // 2],
        ).df()
        cursors[name] = Cursor("after", key_of(middle, 0, listing.order), total // 2 + 1)
    return cursors


def time_dashboard(db_path: Path, repeat: int) -> tuple[list[QueryTiming], SearchWords]:
    """p50/p95 per dashboard query, each run on its own connection opened as the dashboard opens it.

    ``dashboard.data.open_reader`` keeps the copy's DuckDB instance open between queries (its
    catalog and cache stay warm), so the first sample of a query pays for reading its blocks
    and the others mostly do not, as on a dashboard that is in use.
    """
    from dashboard.data import close_readers, open_reader

    try:
        with open_reader(db_path) as (con, _):
            article_id, outlet_id, articles = con.execute(
                "SELECT article_id, outlet_id, (SELECT count(*) FROM articles) FROM articles "
                "WHERE outlet_id IS NOT NULL ORDER BY article_id LIMIT 1"
            ).fetchone()
            words = SearchWords.pick(con, articles)
            deep = _deep_cursors(con, words)
        timings = []
        for name, make in dashboard_queries(article_id, outlet_id, words, deep):
            samples, cpu, rows = [], [], 0
            for _ in range(repeat):
                with open_reader(db_path) as (con, _):

                    def run(query: Query, con: duckdb.DuckDBPyConnection = con) -> object:
                        params = [list(p) if isinstance(p, tuple) else p for p in query.params]
                        return con.execute(query.sql, params).df()

                    start, start_cpu = time.perf_counter(), time.process_time()
                    rows = len(make(run))  # type: ignore[arg-type]
                    samples.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
            samples.sort()
            p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
            timings.append(QueryTiming(name, rows, statistics.median(samples), p95, statistics.median(cpu)))
    finally:
        close_readers()
    return timings, words


def machine() -> str:
    mem = ""
    try:
        kb = int(
            next(
                x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
            ).split()[1]
        )
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def search_notes(index: SearchIndexTiming, words: SearchWords, articles: int) -> list[str]:
    """How the text search index was built and what the search queries looked for."""
    full, step = index.full, index.incremental
    return [
        f"Text search index at {articles:,} articles: full build {full.seconds:.1f} s "
        f"({full.postings:,} postings, {full.new_words:,} words); re-indexing the {step.articles} "
        f"articles of one new dump {step.seconds:.2f} s. Searched: `{words.one}` (about 1 % of "
        f"the articles), `{words.two}` (two words of about 5 % each), `{words.prefix}` (a word's "
        f"beginning), `{words.common}` (about 30 %). `_page` = one page "
        "(100 rows) through `dashboard.paging.fetch_page`, as the pages read it; `_page_deep` = a page "
        "half-way down the list; `_count` = the total shown above the table.",
        "",
    ]


def limits(corpora: Sequence[CorpusResult]) -> list[str]:
    """The ingest against a bare read of its bytes (I/O limit) and a bare COPY of its rows (load limit)."""
    lines = [
        "Measured in the same run: the I/O limit is a bare read of the corpus's bytes; the load limit a "
        "bare DuckDB `COPY` from Parquet of every row the ingest left in the warehouse, into a new file "
        "of the same schema (no parsing, identity rules, aggregates or publish).",
        "",
        "| corpus | ingest s | I/O limit s (MB/s) | ingest / I/O limit | load limit s "
        "| ingest / load limit |",
        "|---|---|---|---|---|---|",
    ]
    for c in corpora:
        io_mb_s = _mb(c.bytes) / c.io_limit_s if c.io_limit_s else float("nan")
        lines.append(
            f"| {c.label} | {c.ingest_s:.1f} | {c.io_limit_s:.2f} ({io_mb_s:,.0f}) "
            f"| {_ratio(c.ingest_s, c.io_limit_s)} | {c.load_limit_s:.2f} "
            f"| {_ratio(c.ingest_s, c.load_limit_s)} |"
        )
    return lines


def _ratio(a: float, b: float) -> str:
    return f"{a / b:,.0f}x" if b > 0 else "n/a"


# The bars of issue 17: (figure, target text, test on the measured value).
INGEST_MB_S = 8.0  # 10 MB; 8.5 MB/s at 1 GB (< 120 s)
INGEST_MB_S_1GB = 8.5
PEAK_PSS_MB = 1000.0
NOTHING_NEW_S = 1.0
ONE_NEW_S = 3.0
QUERY_P95_MS = 100.0


def targets(corpora: Sequence[CorpusResult], queries: Sequence[QueryTiming]) -> list[str]:
    """Every figure of the issue's table next to its target (``met``: yes or NO)."""
    rows: list[tuple[str, str, str, bool]] = []
    for c in corpora:
        big = c.bytes >= 0.9e9
        bar = INGEST_MB_S_1GB if big else INGEST_MB_S
        rows += [
            (
                f"end-to-end ingest, {c.label}",
                f"{c.ingest_s:.1f} s ({c.ingest_mb_s:.2f} MB/s)",
                f">= {bar} MB/s" + (" (< 120 s)" if big else ""),
                c.ingest_mb_s >= bar,
            ),
            (
                f"peak memory, {c.label} run (all processes, PSS)",
                f"{c.ingest_peak_tree_pss_mb:,.0f} MB",
                f"<= {PEAK_PSS_MB:,.0f} MB",
                c.ingest_peak_tree_pss_mb <= PEAK_PSS_MB,
            ),
            (f"nothing-new run at {c.label}", f"{c.nothing_new_s:.2f} s", f"<= {NOTHING_NEW_S:.0f} s",
             c.nothing_new_s <= NOTHING_NEW_S),
            (
                f"one new {c.one_new_bytes / 1000:.0f} KB dump into the {c.label} warehouse",
                f"{c.one_new_s:.2f} s ({c.one_new_cpu_s:.2f} CPU s)",
                f"<= {ONE_NEW_S:.0f} s",
                c.one_new_s <= ONE_NEW_S,
            ),
        ]  # fmt: skip
    groups = (
        ("article listings (p95, worst page)", lambda n: n.startswith("articles") and "search" not in n),
        ("article text search (p95, worst)", lambda n: "search" in n),
        ("every dashboard query (p95, worst)", lambda n: True),
    )
    for figure, picks in groups:
        picked = [q for q in queries if picks(q.name)]
        if picked:
            worst = max(picked, key=lambda q: q.p95_ms)
            rows.append(
                (figure, f"{worst.p95_ms:.1f} ms ({worst.name})", f"< {QUERY_P95_MS:.0f} ms",
                 worst.p95_ms < QUERY_P95_MS)
            )  # fmt: skip
    out = ["| figure | measured | target | met |", "|---|---|---|---|"]
    out += [f"| {f} | {m} | {t} | {'yes' if ok else 'NO'} |" for f, m, t, ok in rows]
    return out


def report(
    corpora: list[CorpusResult],
    queries: list[QueryTiming],
    articles: int,
    command: str,
    notes: Sequence[str] = (),
) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}  ",
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average at the end "
        f"{os.getloadavg()[0]:.1f} (other jobs on the machine show up here)",
        "",
        "## Ingest",
        "",
        "| corpus | files | parse sample | baseline scan MB/s | parse MB/s (1 core) | parse/baseline "
        "| ingest s | ingest MB/s | cores busy | peak RSS MB (largest process / all; all as PSS) "
        "| nothing new s | one new dump s | warehouse MB | articles |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in corpora:
        ratio = c.baseline_mb_s / c.parse_mb_s if c.parse_mb_s else float("nan")
        lines.append(
            f"| {c.label} ({_mb(c.bytes):.0f} MB) | {c.files} | {_mb(c.parse_sample_bytes):.0f} MB "
            f"| {c.baseline_mb_s:.1f} | {c.parse_mb_s:.2f} | {ratio:.1f}x slower | {c.ingest_s:.1f} "
            f"| {c.ingest_mb_s:.2f} | {c.ingest_cores:.2f} "
            f"| {c.ingest_peak_rss_mb:.0f} / {c.ingest_peak_tree_rss_mb:.0f}; "
            f"{c.ingest_peak_tree_pss_mb:.0f} "
            f"| {c.nothing_new_s:.1f} | {c.one_new_s:.1f} ({c.one_new_bytes / 1000:.0f} KB; "
            f"{c.one_new_cpu_s:.1f} CPU s) "
            f"| {c.warehouse_mb:.0f} | {c.articles} |"
        )
    lines += ["", "## Limits", "", *limits(corpora), "", "## Against the targets of issue 17", ""]
    lines += targets(corpora, queries)
    if not queries:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        f"## Dashboard queries at {articles:,} articles",
        "",
        *notes,
        "| query | rows | p50 ms | p95 ms | CPU p50 ms |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {t.name} | {t.rows} | {t.p50_ms:.1f} | {t.p95_ms:.1f} | {t.cpu_p50_ms:.1f} |" for t in queries
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bylines bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10MB,100MB", help="corpus sizes, e.g. 10MB,100MB,1GB")
    parser.add_argument("--articles", type=int, default=1_000_000, help="dashboard warehouse size (0: none)")
    parser.add_argument("--repeat", type=int, default=20, help="runs per dashboard query")
    parser.add_argument("--workers", type=int, default=0, help="parser processes (0 = one per core)")
    parser.add_argument(
        "--parse-sample",
        type=parse_size,
        default=parse_size("20MB"),
        help="bytes parsed single-core per corpus (the parser is timed on a sample)",
    )
    parser.add_argument("--workdir", type=Path, help="where corpora and warehouses go (default: a temp dir)")
    parser.add_argument("--write", type=Path, help="also write the report here (e.g. BENCHMARKS.md)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse-dashboard",
        action="store_true",
        help="time the dashboard on the warehouse a previous run left in --workdir (same --articles)",
    )
    args = parser.parse_args(argv)
    sizes = [(s.strip().upper(), parse_size(s)) for s in args.sizes.split(",") if s.strip()]

    compile_project()  # time what a deployed run pays, not compiling the project's sources (see there)
    root = args.workdir or Path(tempfile.mkdtemp(prefix="bylines-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    corpora = []
    try:
        for label, target in sizes:
            print(f"[bench] corpus {label} ...", flush=True)
            c = run_corpus(label, target, root, args.workers, args.parse_sample, args.seed)
            print(
                f"[bench] {label}: parse {c.parse_mb_s:.2f} MB/s (baseline {c.baseline_mb_s:.1f}), "
                f"ingest {c.ingest_mb_s:.2f} MB/s, peak RSS {c.ingest_peak_rss_mb:.0f} MB "
                f"(all processes {c.ingest_peak_tree_rss_mb:.0f} MB, "
                f"as PSS {c.ingest_peak_tree_pss_mb:.0f} MB, {c.ingest_peak_when}), "
                f"nothing new {c.nothing_new_s:.2f} s, "
                f"one new dump {c.one_new_s:.2f} s ({c.one_new_cpu_s:.2f} CPU s); "
                f"{c.ingest_cores:.2f} cores busy; "
                f"limits: I/O {c.io_limit_s:.2f} s, load {c.load_limit_s:.2f} s",
                flush=True,
            )
            corpora.append(c)
        queries: list[QueryTiming] = []
        notes: list[str] = []
        if args.articles:
            print(f"[bench] dashboard warehouse with {args.articles:,} articles ...", flush=True)
            from benchmarks.synthetic_warehouse import build_or_reuse

            db = root / "dashboard_bench.duckdb"
            index = build_or_reuse(db, args.articles, args.reuse_dashboard)
            load_before = os.getloadavg()
            queries, words = time_dashboard(db, args.repeat)
            notes = search_notes(index, words, args.articles) + [
                "Load average (1 / 5 min) when the timing started: {:.1f} / {:.1f}, when it ended: "
                "{:.1f} / {:.1f}. `CPU p50 ms` is the process's CPU time (DuckDB's threads included), "
                "which other jobs on the machine disturb far less than the wall time.".format(
                    *load_before[:2], *os.getloadavg()[:2]
                ),
                "",
            ]
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    command = "bylines bench " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(corpora, queries, args.articles, command.strip(), notes)
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
