"""The archive header: what kind of WordPress archive page a dump is.

Examples: "Posts Tagged ‘Russia’" (tag), "Archive for the ‘PRESS’ Category" (category),
"Archive for June, 2008" (month). A dump may lack the header or carry site furniture above it,
so the first lines are searched, not only line 1.
"""

from __future__ import annotations

import re

from transforms.models import Archive
from transforms.text import clean

_Q = "[\u2018\u2019'\"\u201c\u201d]"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "tag",
        re.compile(
            rf"^(?:Posts\s+)?Tagged\s*:?\s*{_Q}?(?P<label>[^\u2018\u2019'\"\u201c\u201d]+?){_Q}?\s*$", re.I
        ),
    ),
    ("tag", re.compile(rf"^Tag(?:\s+Archives?)?\s*:\s*{_Q}?(?P<label>.+?){_Q}?\s*$", re.I)),
    ("category", re.compile(rf"^Archive\s+for\s+the\s+{_Q}?(?P<label>.+?){_Q}?\s+Category\s*$", re.I)),
    ("category", re.compile(rf"^Archive\s+for\s+the\s+category\s*:\s*{_Q}?(?P<label>.+?){_Q}?\s*$", re.I)),
    ("category", re.compile(rf"^Category(?:\s+Archives?)?\s*:\s*{_Q}?(?P<label>.+?){_Q}?\s*$", re.I)),
    (
        "month",
        re.compile(
            r"^(?:Monthly\s+)?Archives?(?:\s+for)?\s*:?\s*(?P<label>(?:January|February|March|April|May|June|July|"
            r"August|September|October|November|December),?\s+\d{4})\s*$",
            re.I,
        ),
    ),
    ("month", re.compile(r"^(?:Yearly\s+)?Archives?(?:\s+for)?\s*:?\s*(?P<label>\d{4})\s*$", re.I)),
    ("search", re.compile(rf"^Search\s+Results?\s+for\s*:?\s*{_Q}?(?P<label>.+?){_Q}?\s*$", re.I)),
)

HEADER_SEARCH_LINES = 40
# The letters every pattern above can start with, in either case (and the long s, which IGNORECASE
# reads as an "s"): a line starting otherwise is no header, without trying the seven patterns.
_FIRST_LETTERS = frozenset("PpTtAaCcMmYySs\u017f")


def find_archive(lines: list[str]) -> Archive:
    """The first header-like line among the first lines of the dump, else kind 'unknown'."""
    for idx, raw in enumerate(lines[:HEADER_SEARCH_LINES]):
        line = clean(raw)
        if not line or len(line) > 120 or line[0] not in _FIRST_LETTERS:
            continue
        for kind, pat in _PATTERNS:
            m = pat.match(line)
            if m:
                return Archive(label=m.group("label").strip(), kind=kind, header_line=idx + 1)  # type: ignore[arg-type]
    return Archive()


def header_kind(line: str) -> str | None:
    """The kind of archive a header line announces ('tag', 'category', 'month', 'search'), else None."""
    if not line or len(line) > 120 or line[0] not in _FIRST_LETTERS:
        return None
    for kind, pat in _PATTERNS:
        if pat.match(line):
            return kind
    return None
