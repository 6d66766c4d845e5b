"""When a piece was published: its stated date, else clues in its text, else its page's bounds.

Deterministic (no learning is needed to read a date). The stated date comes from the line the
line-role model marked as the post's date line, else from the date part of its title line
("Title, Outlet, 3 May 2019"), else from a date block that opens the post ("15 Jan 2021"
above the title). Without one, years the text names as past or present bound the year from
below, as do dated captions and notes (a piece follows its photo by days: DATED_CAPTION_LAG);
a monthly archive bounds it from above; and the page order bounds it on both sides
(transforms/chronology.py, across every dump in the warehouse).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from transforms.dates import find_dates, latest_full_date, stated_date, year_mentions
from transforms.folding import FoldedPattern, lowered
from transforms.models import Archive, DateEstimate

_YEAR_END = FoldedPattern.compile(
    r"\b(?:year\s+(?:has\s+)?(?:drawn to a close|closed|closes|came to an end|ended))\b", needs="year"
)
_LAST_YEAR = FoldedPattern.compile(r"\blast year\b", needs="last year")
# Hand-set: a piece comes out after the dated photo or note it shows, typically days later, so
# a caption dated on the last days of December dates the piece in the next year.
DATED_CAPTION_LAG = timedelta(days=7)


def line_date(text: str) -> tuple[date, str] | None:
    """The date a date line states: the line as a whole when it is mostly a date, else its first date."""
    got = stated_date(text)
    if got is not None:
        return got
    found = find_dates(text)
    return (found[0][2], found[0][3]) if found else None


def stated(text: str | None, evidence: str | None = None) -> DateEstimate | None:
    """The estimate of a stated date line, or None when the text holds no date."""
    if not text:
        return None
    got = line_date(text)
    if got is None:
        return None
    d, precision = got
    return DateEstimate(
        published_date=d,
        date_precision=precision,  # type: ignore[arg-type]
        date_text=text.strip(),
        year=d.year,
        basis="stated",
        date_min=d,
        date_max=d,
        evidence=(evidence or text).strip(),
    )


def text_clues(texts: list[str], captions: list[str], notes: list[str], intro: str) -> DateEstimate:
    """Years the text names (as past or present), dated captions and notes: a lower bound."""
    year, low, evidence = _clues(tuple(texts), tuple(captions), tuple(notes), intro, date.today())
    return DateEstimate(year=year, basis="text" if low else None, date_min=low, evidence=evidence)


CLUES_CACHE = 2048  # posts whose clues are remembered (a tag page's worth of bodies, several times over)


@lru_cache(maxsize=CLUES_CACHE)
def _clues(
    texts: tuple[str, ...], captions: tuple[str, ...], notes: tuple[str, ...], intro: str, today: date
) -> tuple[int | None, date | None, str | None]:
    """``text_clues``'s year, lower bound and evidence, remembered per post text and day.

    Why: a post recurs on several tag pages, and reading the years of its whole body was a tenth
    of the parse of a page of repeats. The answer is plain values (a fresh estimate is made of
    them each time: later steps change an estimate in place); ``today`` is part of the key.
    """
    years: list[int] = []
    for t in texts:
        years.extend(y for y in year_mentions(t) if 1990 <= y <= today.year)
    lows = [lowered(t) for t in texts]
    for t, t_low in zip(texts, lows, strict=True):
        if not _LAST_YEAR.found(t, t_low):
            continue
        for sent in re.split(r"(?<=[.!?])\s+", t):
            # "Sitting in Beijing last year, I watched ... September 2015" -> written the year after
            if _LAST_YEAR.found(sent):
                named = [y for y in year_mentions(sent) if 1990 <= y < today.year]
                if len(set(named)) == 1:
                    years.append(named[0] + 1)
    dated = latest_full_date([*captions, *notes])
    bounds = [date(y, 1, 1) for y in years] + ([dated] if dated is not None else [])
    low = max(bounds) if bounds else None
    evidence = []
    if low is not None:
        evidence.append(f"names {low.isoformat() if dated == low else low.year}")
    if any(_YEAR_END.found(t, t_low) for t, t_low in zip([*texts, intro], [*lows, None], strict=True)):
        evidence.append("year-end")
    year = low.year if low else None
    if low is not None and low == dated:
        year = min(today, low + DATED_CAPTION_LAG).year
    return year, low, "; ".join(evidence) or None


def archive_end(archive: Archive) -> date | None:
    """Last day of a date archive's period ("June, 2008" -> 2008-06-30, "2008" -> 2008-12-31)."""
    if archive.kind != "month" or not archive.label:
        return None
    found = find_dates(archive.label)
    if found and found[0][3] == "month":
        d = found[0][2]
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    m = re.fullmatch(r"\s*((?:19|20)\d\d)\s*", archive.label)
    return date(int(m.group(1)), 12, 31) if m else None


def bound_by(est: DateEstimate, limit: date, why: str) -> None:
    """Cap an undated estimate's upper bound at ``limit`` (a month archive's end, a posting date)."""
    if est.published_date is not None or (est.date_max is not None and est.date_max <= limit):
        return
    if est.date_min is None or est.date_min <= limit:
        est.date_max = limit
        est.evidence = "; ".join(filter(None, [est.evidence, why]))
