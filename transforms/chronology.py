"""Year inference from page order: pages run newest first.

A post is bounded below by the latest known date of any post under it (older) and above by the
earliest stated date of any post over it (newer), in every dump where it appears. Text clues
(a year the post names as past, a dated note or caption) bound a post from below too.

Choosing a year inside the bounds: the upper bound's year when a stated date above exists
(posts are usually written shortly before they are posted); a year-end clue ("as the year
closed") picks the one December inside the bounds; without any stated date above, the nearest
text-dated post above is the best proxy for "shortly after".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from transforms.models import DateEstimate

YEAR_END_CLUE = "year-end"


@dataclass
class _Bounds:
    lo: date | None = None
    hi: date | None = None
    soft: date | None = None  # nearest text lower bound of a post above (no stated date between)


def _lower(est: DateEstimate) -> date | None:
    return est.published_date if est.published_date is not None else est.date_min


def _merge(b: _Bounds, lo: date | None, hi: date | None, soft: date | None) -> None:
    if lo is not None and (b.lo is None or lo > b.lo):
        b.lo = lo
    if hi is not None and (b.hi is None or hi < b.hi):
        b.hi = hi
    if soft is not None and (b.soft is None or soft > b.soft):
        b.soft = soft


def _bounds(
    sequences: list[list[tuple[str, DateEstimate]]],
) -> tuple[dict[str, _Bounds], dict[str, DateEstimate]]:
    bounds: dict[str, _Bounds] = {}
    base: dict[str, DateEstimate] = {}
    for seq in sequences:
        n = len(seq)
        los: list[date | None] = [None] * n
        run: date | None = None
        for i in range(n - 1, -1, -1):
            own = _lower(seq[i][1])
            if own is not None and (run is None or own > run):
                run = own
            los[i] = run
        hi: date | None = None
        soft: date | None = None
        for i, (pid, est) in enumerate(seq):
            base.setdefault(pid, est)
            # the post's own upper bound (a monthly archive page it was posted on) counts too
            own_hi = est.date_max if est.published_date is None else None
            top = own_hi if hi is None or (own_hi is not None and own_hi < hi) else hi
            _merge(bounds.setdefault(pid, _Bounds()), los[i], top, soft if top is None else None)
            if est.published_date is not None:
                hi = est.published_date if hi is None or est.published_date < hi else hi
            elif est.date_min is not None:
                soft = est.date_min
    return bounds, base


def _choose(est: DateEstimate, b: _Bounds) -> int | None:
    lo, hi = b.lo, b.hi
    if lo is not None and hi is not None and lo > hi:
        lo = hi  # a late re-post: trust the stated neighbour above
    if est.evidence and YEAR_END_CLUE in est.evidence and lo is not None:
        top = hi.year if hi is not None else lo.year
        decembers = [y for y in range(lo.year, top + 1) if hi is None or date(y, 12, 1) <= hi]
        if len(decembers) == 1 or (decembers and hi is None):
            return decembers[0]
    if hi is not None:
        return hi.year
    if b.soft is not None:
        return max(b.soft.year, lo.year) if lo is not None else b.soft.year
    if lo is not None:
        # the post's own text may place it past its lower bound's year (a late-December caption)
        return max(lo.year, est.year) if est.year is not None else lo.year
    return est.year


def infer_years(sequences: list[list[tuple[str, DateEstimate]]]) -> dict[str, DateEstimate]:
    """Best DateEstimate per post_id over all sequences (each newest first)."""
    bounds, base = _bounds(sequences)
    out: dict[str, DateEstimate] = {}
    for pid, est in base.items():
        if est.basis == "stated" and est.year is not None:
            out[pid] = est
            continue
        b = bounds[pid]
        year = _choose(est, b)
        text_year = est.year if est.basis == "text" else None
        basis = "text" if text_year is not None and year == text_year else ("inferred" if year else None)
        out[pid] = est.model_copy(
            update={
                "year": year,
                "basis": basis,
                "date_min": b.lo or est.date_min,
                "date_max": b.hi or est.date_max,
            }
        )
    return out
