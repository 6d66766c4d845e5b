"""The outlet a publication list names once, above its entries.

A list of pieces often states where they ran only once: a heading per outlet (a logo, dumped as
its alt text: "Harbour Weekly logo"), or the list's intro ("Over the years I wrote several pieces for
the Herald."). An entry whose own line names no outlet ("Harbours in a warmer world, 2 December
2021.") takes the one its list names; without it, it would fall back to the site.
"""

from __future__ import annotations

import re

from transforms.candidates import line_candidates
from transforms.dates import find_dates

MAX_ENTRIES = 30  # entries walked over, upwards, to the list's heading
ENTRY_CHARS = 200  # a longer line is prose (an intro), not an entry
HEAD_CHARS = 1500  # of an intro, what is read
LOGO_WORDS = 4
_LOGO = re.compile(r"^(?P<name>.+?)\s+logo$", re.I)
_FRAMES = ("via:piece:for", "via:publish:for")


def _entry(text: str) -> bool:
    """A list's row: a short line with a date ("Title, 12 June 2022."), or a note on one in brackets."""
    t = text.strip()
    if t[:1] in "([" and t[-1:] in ")]":
        return True
    return len(t) <= ENTRY_CHARS and bool(find_dates(t))


def list_outlet(texts: list[str], entry: int) -> tuple[str, int] | None:
    """The outlet name the heading above list entry ``entry`` (a position in ``texts``) gives, and
    that heading's position; None when the entry does not stand in a list under such a heading."""
    own = texts[entry].strip()
    if len(own) > ENTRY_CHARS or not find_dates(own):
        return None
    k = entry - 1
    while k >= 0 and entry - k <= MAX_ENTRIES and _entry(texts[k]):
        k -= 1
    if k < 0 or entry - k > MAX_ENTRIES:
        return None
    head = texts[k].strip()
    logo = _LOGO.match(head)
    if logo is not None:
        name = logo.group("name").strip()
        return (name, k) if len(name.split()) <= LOGO_WORDS else None
    for c in line_candidates(head[:HEAD_CHARS]):
        if any(f in c.features for f in _FRAMES):
            return c.text, k  # "... several pieces for the Herald ..."
    return None
