"""CLI: ``python -m samples OUT_DIR --dumps N --seed S [--size-mb X] [--truth] [--variant NAME ...]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from samples.generator import VARIANTS, generate_corpus


def main(argv: list[str] | None = None) -> int:
    """Generate a synthetic corpus and print what was written and how fast."""
    ap = argparse.ArgumentParser(prog="python -m samples", description=__doc__)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--dumps", type=int, default=6, help="dumps (per group when --size-mb is set)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--size-mb", type=float, default=None, help="write about this many MB")
    ap.add_argument("--author", default="Mara Kellerman")
    ap.add_argument("--truth", action="store_true", help="write <dump>.truth.json sidecars")
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        choices=sorted(VARIANTS),
        help="older/odder page shape (repeatable): " + "; ".join(f"{k}: {v}" for k, v in VARIANTS.items()),
    )
    args = ap.parse_args(argv)
    target = int(args.size_mb * 1_000_000) if args.size_mb else None
    t0 = time.perf_counter()
    paths = generate_corpus(
        args.out_dir,
        n_dumps=args.dumps,
        seed=args.seed,
        target_bytes=target,
        author=args.author,
        with_truth=args.truth,
        variants=args.variant,
    )
    secs = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in paths)
    print(
        f"{len(paths)} dumps, {size / 1e6:.1f} MB in {secs:.2f}s "
        f"({size / 1e6 / max(secs, 1e-9):.1f} MB/s) -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
