"""``bylines train`` and ``bylines evaluate``: rebuild the shipped model, and report honest figures.

``train`` reads every annotated page in the shared folder (seed gold, ``corpus/blog``,
``corpus/others``) and writes the model file (default: the shipped ``transforms/data/model.zip``).
The same pages give the same file, byte for byte.

``evaluate`` runs the grouped 5-fold cross-validation of evaluation/crossval.py on both corpora,
then scores the seeds with the model given (default: the shipped one), and prints the table;
``--no-gazetteer`` repeats it without the broad outlet list (the ablation; its seeds row comes
from a model trained on every page without the list).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from transforms.gold import CORPORA, available, load_corpus, shared_root
from transforms.model import SHIPPED_MODEL


def _root(args: argparse.Namespace) -> Path:
    root = Path(args.shared) if args.shared else shared_root()
    if not available(root):
        raise SystemExit(
            f"annotated corpora not found under {root} (need eval/gold, corpus/blog, corpus/others); "
            "pass --shared or set BYLINES_SHARED"
        )
    return root


def cmd_train(args: argparse.Namespace) -> int:
    from transforms.training import train

    root = _root(args)
    start = time.perf_counter()
    pages = [p for c in CORPORA for p in load_corpus(c, root)]
    out = Path(args.out)
    meta = train(pages, out)
    took = time.perf_counter() - start
    print(
        f"trained on {len(pages)} annotated pages ({', '.join(CORPORA)}) in {took:.1f} s; wrote {out} "
        f"({out.stat().st_size / 1024:.0f} KB, {len(meta['aliases'])} learned outlet aliases; fitted "
        f"start_threshold {meta['start_threshold']:.2f}, min_outlet_prob {meta['min_outlet_prob']:.2f})"
    )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from evaluation.crossval import CV_CORPORA, cross_validate, markdown_table, score_seeds, set_gazetteer

    root = _root(args)
    set_gazetteer(not args.no_gazetteer)
    start = time.perf_counter()
    results: dict[str, dict] = {}
    for corpus in args.corpus or CV_CORPORA:
        results[corpus] = cross_validate(corpus, root)
    model, label = (Path(args.model), args.model) if args.model else (None, SHIPPED_MODEL.name)
    with tempfile.TemporaryDirectory() as tmp:
        if args.no_gazetteer and model is None:
            # the shipped model was trained with the list: the ablation's seeds need one trained without it
            from transforms.training import train

            model, label = Path(tmp) / "no-gazetteer.zip", "trained without the list"
            train([p for c in CORPORA for p in load_corpus(c, root)], model)
        seeds = score_seeds(root, model)
    print(
        f"seeds (model {label}): posts {seeds['posts']['f1']:.3f} title "
        f"{seeds['title']['acc']:.3f} outlet {seeds['outlet']['acc']:.3f} year {seeds['year']['acc']:.3f} "
        f"date {seeds['date']['acc']:.3f} mentions {seeds['mentions']['f1']:.3f} citations "
        f"{seeds['citations']['f1']:.3f} dedup {'ok' if seeds['dedup']['ok'] else 'FAIL'}"
    )
    print()
    print(markdown_table(results))
    which = "without" if args.no_gazetteer else "with"
    print(f"\n({which} the broad outlet list; {time.perf_counter() - start:.0f} s)")
    if args.json:
        slim = {c: {"figures": r["figures"], "folds": r["folds"]} for c, r in results.items()}
        slim["seeds"] = {k: v for k, v in seeds.items() if k != "misses"}
        Path(args.json).write_text(json.dumps(slim, indent=1, default=str), encoding="utf-8")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``train`` and ``evaluate`` on the ``bylines`` command line."""
    p = sub.add_parser("train", help="train the parser's models from the annotated pages in ../shared")
    p.add_argument("--shared", help="shared folder (env BYLINES_SHARED, default ../shared)")
    p.add_argument("--out", default=str(SHIPPED_MODEL), help=f"model file to write (default {SHIPPED_MODEL})")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="grouped 5-fold cross-validation and the seeds' scores")
    p.add_argument("--shared", help="shared folder (env BYLINES_SHARED, default ../shared)")
    p.add_argument(
        "--corpus", action="append", choices=["blog", "others"], help="only this corpus (repeatable)"
    )
    p.add_argument("--model", help="model scored on the seeds (default: the shipped one)")
    p.add_argument("--no-gazetteer", action="store_true", help="ablation: without the broad outlet list")
    p.add_argument("--json", help="also write the figures here")
    p.set_defaults(func=cmd_evaluate)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bylines")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
