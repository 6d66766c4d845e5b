"""Grouped, deterministic fold assignment for cross-validation.

Pages of one group (a writer in ``corpus/others``, a url in ``corpus/blog``) always fall in the
same fold, so a repeated page or a writer's habits never straddle training and test. Groups are
dealt largest first (by annotated posts, then name) to the fold with the fewest posts so far.
"""

from __future__ import annotations

from collections import defaultdict

from transforms.gold import GoldPage

N_FOLDS = 5


def assign_folds(pages: list[GoldPage], k: int = N_FOLDS) -> dict[str, int]:
    """group -> fold number (0..k-1)."""
    size: dict[str, int] = defaultdict(int)
    for p in pages:
        size[p.group] += max(1, len(p.gold["posts"]))
    load = [0] * k
    out: dict[str, int] = {}
    for group in sorted(size, key=lambda g: (-size[g], g)):
        fold = min(range(k), key=lambda f: (load[f], f))
        out[group] = fold
        load[fold] += size[group]
    return out


def split(pages: list[GoldPage], fold: int, k: int = N_FOLDS) -> tuple[list[GoldPage], list[GoldPage]]:
    """(training part, held-out part) of ``pages`` for one fold."""
    folds = assign_folds(pages, k)
    held = [p for p in pages if folds[p.group] == fold]
    rest = [p for p in pages if folds[p.group] != fold]
    return rest, held
