"""Honest figures: grouped 5-fold cross-validation through the real ingest path and the shared scorer.

For each corpus (``blog``, ``others``) and each fold:

1. train every model (transforms/training.py) on the fold's training part: the corpus's other
   four folds, plus the whole other corpus and the seed gold (pages of the held-out fold never);
2. ingest the held-out pages into a fresh DuckDB warehouse with that fold's model, each page told
   only its delivery metadata (the writer and the site, transforms/gold.py), beside the other
   dumps of the same writers that a real warehouse would hold (``writer_archive``);
3. score the warehouse with ``../shared/eval/score.py`` against the held-out gold.

Why the writer's other dumps: a nightly ingest never loads a page alone. It lands in the
warehouse that holds every dump of that writer delivered so far, and year inference runs across
all of them (transforms/chronology.py, warehouse/years.py): an undated piece is dated by its
dated sightings on the writer's other pages. A fold that loaded only its own pages would give a
page the neighbours of a random fifth of its writer's archive, which no real ingest does. Only
text reaches the warehouse (no gold), the held-out pages are still read by a model that never saw
them, and only their gold is scored; the other dumps are read by the fold's model, as a real
warehouse's earlier dumps are read by the shipped model trained on them.

Counts (tp/fp/fn, ok/n) are summed over folds (micro-average) and printed per fold and per
corpus. The seeds are then scored with the shipped model (or the one given), as ``make score``
does. Folds are grouped (others: by writer, blog: by url) and assigned deterministically
(transforms/folds.py), so the figures are the same on every run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from transforms.folds import N_FOLDS, split
from transforms.gold import BLOG_WRITER, GoldPage, load_corpus, shared_root
from transforms.models import ParseSettings
from transforms.training import train

CV_CORPORA = ("blog", "others")
PRF_FIELDS = ("posts", "mentions", "citations")
ACC_FIELDS = (
    "end_line", "title", "outlet", "kind", "year", "year_stated", "date", "authors", "citation_source"
)  # fmt: skip
TABLE = ("posts", "title", "outlet", "year", "date", "authors", "mentions")
THRESHOLDS = ("start_threshold", "min_outlet_prob")  # fitted by each fold's training (its meta.json)


Writer = tuple[str | None, str | None]
"""A writer's delivery metadata: (author, site)."""


def _writer(page: GoldPage) -> Writer:
    return (page.blog_author, page.site)


def seed_dumps(root: Path) -> list[Path]:
    """Every real dump in the seed folder, annotated or not (the blog's, ``BLOG_WRITER``)."""
    return sorted((root / "seeds").glob("*.txt"))


def writer_archive(held: list[GoldPage], known: list[GoldPage], root: Path) -> dict[Writer, list[Path]]:
    """The dumps a real warehouse holds when ``held`` arrive: for each of their writers, those pages,
    that writer's pages among ``known`` (the fold's training part and the other corpora), and the
    writer's real dumps in the seed folder, annotated or not (the seeds are the blog's, BLOG_WRITER).

    Other writers' dumps stay out: they share no post with the held-out pages, and a real
    warehouse's year inference only links sightings of one post.
    """
    out: dict[Writer, set[Path]] = {_writer(p): set() for p in held}
    dumps = [(_writer(p), p.path) for p in (*held, *known)]
    dumps += [(BLOG_WRITER, path) for path in seed_dumps(root)]
    for writer, path in dumps:
        if writer in out:
            out[writer].add(path)
    names = [path.name for paths in out.values() for path in paths]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:  # the scorer knows a dump by its file name only
        raise ValueError(f"two dumps named {clash} in one cross-validation warehouse")
    return {w: sorted(paths) for w, paths in out.items()}


def ingest_dumps(dumps: dict[Writer, list[Path]], db: Path, model: Path | None) -> None:
    """Each writer's dumps through the project's ingest path (the one place it is called), all into
    one DuckDB file; each loaded with its writer's delivery metadata (author, site), since a nightly
    ingest is told them by its configuration.
    """
    for (author, site), paths in sorted(dumps.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        _ingest(sorted(paths), db, ParseSettings(blog_author=author, site=site, model_path=_str(model)))


def _ingest(paths: list[Path], db: Path, settings: ParseSettings) -> None:
    """``paths`` through the one ingest path (``warehouse.ingest.ingest``: the stages the job runs)."""
    from warehouse.connections import Warehouse
    from warehouse.ingest import IngestSettings, ingest
    from warehouse.rawstore import RawStore

    ingest(paths, Warehouse(db), RawStore(db.parent / "raw"), IngestSettings(parse=settings))


def _str(model: Path | None) -> str | None:
    return str(model) if model else None


def _scorer(root: Path) -> ModuleType:
    path = root / "eval" / "score.py"
    spec = importlib.util.spec_from_file_location("bylines_shared_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"scorer not found at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(db: Path, gold: list[Path], root: Path | None = None) -> dict:
    """The shared scorer's report (its JSON) for a warehouse against gold files."""
    root = root or shared_root()
    module = _scorer(root)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        argv = ["--warehouse", str(db), "--json", str(out), "--show", "0"]
        for g in gold:
            argv += ["--gold", str(g)]
        with contextlib.redirect_stdout(io.StringIO()):
            module.main(argv)
        return json.loads(out.read_text())


def _add(total: dict, report: dict) -> None:
    for name in PRF_FIELDS:
        for k in ("tp", "fp", "fn"):
            total.setdefault(name, {"tp": 0, "fp": 0, "fn": 0})[k] += report[name][k]
    for name in ACC_FIELDS:
        for k in ("ok", "n"):
            total.setdefault(name, {"ok": 0, "n": 0})[k] += report[name][k]
    total.setdefault("misses", []).extend(
        f"{field}: {m}" for field, rows in report.get("misses", {}).items() for m in rows
    )


def figures(total: dict) -> dict[str, float]:
    """F1 of the set fields and accuracy of the others, from summed counts."""
    out: dict[str, float] = {}
    for name in PRF_FIELDS:
        c = total[name]
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else (1.0 if c["fn"] == 0 else 0.0)
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        out[name] = round(2 * p * r / (p + r), 4) if p + r else 0.0
    for name in ACC_FIELDS:
        c = total[name]
        out[name] = round(c["ok"] / c["n"], 4) if c["n"] else 1.0
    return out


def _gold_files(pages: list[GoldPage], root: Path) -> list[Path]:
    by_corpus = {"seeds": root / "eval" / "gold", "blog": root / "corpus" / "blog" / "gold"}
    by_corpus["others"] = root / "corpus" / "others" / "gold"
    files = []
    for p in pages:
        stem = Path(p.gold["dump"]).stem
        files.append(by_corpus[p.corpus] / f"{stem}.json")
    return files


def fold_parts(
    corpora: dict[str, list[GoldPage]], corpus: str, fold: int, folds: int = N_FOLDS
) -> tuple[list[GoldPage], list[GoldPage]]:
    """(the pages a fold learns from, its held-out pages): the corpus's other folds plus every
    other corpus, and the corpus's pages of this fold."""
    train_part, held = split(corpora[corpus], fold, folds)
    return train_part + [p for c, ps in corpora.items() if c != corpus for p in ps], held


def cross_validate(
    corpus: str,
    root: Path | None = None,
    folds: int = N_FOLDS,
    log: Callable[[str], None] = print,
    workdir: Path | None = None,
) -> dict:
    """Grouped k-fold CV of one corpus; returns {'folds': [...], 'total': counts, 'figures': ...}."""
    root = root or shared_root()
    corpora = {c: load_corpus(c, root) for c in ("seeds", *CV_CORPORA)}
    total: dict = {}
    per_fold = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for fold in range(folds):
            known, held = fold_parts(corpora, corpus, fold, folds)
            model = Path(tmp) / f"{corpus}-{fold}.zip"
            meta = train(known, model)
            db = Path(tmp) / f"{corpus}-{fold}.duckdb"
            ingest_dumps(writer_archive(held, known, root), db, model)
            report = score(db, _gold_files(held, root), root)
            _add(total, report)
            fig = figures({k: report[k] for k in (*PRF_FIELDS, *ACC_FIELDS)})
            fitted = {k: meta[k] for k in THRESHOLDS}
            dedup = bool(report["dedup"]["ok"])
            per_fold.append(
                {"fold": fold, "pages": len(held), "figures": fig, "thresholds": fitted, "dedup_ok": dedup}
            )
            log(
                _row(f"{corpus} fold {fold} ({len(held)} pages)", fig)
                + f"  (dedup {'ok' if dedup else 'FAIL'}; fitted: {_thresholds(fitted)})"
            )
    result = {
        "folds": per_fold,
        "total": total,
        "figures": figures(total),
        "dedup_ok": all(f["dedup_ok"] for f in per_fold),  # one id per piece, no id joining two
    }
    log(_row(f"{corpus} CV total", result["figures"]))
    return result


def score_seeds(root: Path | None = None, model: Path | None = None, workdir: Path | None = None) -> dict:
    """The seed gold scored on a warehouse of all the seeds, read with the given (default: shipped) model."""
    root = root or shared_root()
    seeds = load_corpus("seeds", root)
    dumps = seed_dumps(root)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        db = Path(tmp) / "seeds.duckdb"
        writer = _writer(seeds[0]) if seeds else (None, None)
        ingest_dumps({writer: dumps}, db, model)
        return score(db, [root / "eval" / "gold"], root)


def _thresholds(fitted: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in fitted.items())


def _row(label: str, fig: dict[str, float]) -> str:
    cells = " ".join(f"{name} {fig[name]:.3f}" for name in TABLE)
    return f"{label:<28} {cells}"


def markdown_table(results: dict[str, dict]) -> str:
    """The CV table as Markdown (one row per corpus, plus its folds)."""
    head = "| set | " + " | ".join(TABLE) + " |"
    lines = [head, "|" + "---|" * (len(TABLE) + 1)]
    for corpus, res in results.items():
        lines.append(f"| **{corpus}** (CV) | " + " | ".join(f"{res['figures'][n]:.3f}" for n in TABLE) + " |")
        for f in res.get("folds", []):
            lines.append(
                f"| {corpus} fold {f['fold']} ({f['pages']} pages) | "
                + " | ".join(f"{f['figures'][n]:.3f}" for n in TABLE)
                + " |"
            )
    return "\n".join(lines)


def set_gazetteer(enabled: bool) -> None:
    """Switch the broad outlet list on, or off for the ablation, in this process (training and parsing)."""
    from transforms.gazetteer import NO_GAZETTEER_ENV, reread_switch

    if enabled:
        os.environ.pop(NO_GAZETTEER_ENV, None)
    else:
        os.environ[NO_GAZETTEER_ENV] = "1"
    reread_switch()
    _clear_caches()


def _clear_caches() -> None:
    """Features computed with the list (or without it) must not leak into the other setting."""
    from transforms import candidates, line_features, title_split

    for fn in (line_features.text_features, candidates.line_candidates, title_split.segments):
        fn.cache_clear()
