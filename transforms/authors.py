"""Authors of a piece: bylines, co-authors in intros, bio lines, else the blog's author.

The blog's own author is a setting (or detected as the most frequent subject of bio lines and
bylines in the dump), never a literal in code.
"""

from __future__ import annotations

import re
from collections import Counter

from transforms.text import clean

_WORD = r"[A-Z][a-z\u00e0-\u00ff'\u2019-]+"
_NAME = rf"{_WORD}(?:\s+(?:[A-Z]\.|{_WORD}|van|de|von|al-[A-Z][a-z]+)){{1,3}}"
NAME = re.compile(_NAME)
_BYLINE = re.compile(
    rf"^(?:(?:by|author|from)\s*[:|]?\s*)?(?P<names>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)"
    r"(?:\s*(?:[,/|]|\bfor\b).*)?$",
    re.I,
)
# words of an affiliation, not of a person's name ("From A B, Senior Fellow, Royal ... Institute")
_ROLE_WORDS = re.compile(
    r"\b(Fellow|Institute|Senior|Associate|Director|University|School|Centre|Center|Royal|Services|Editor|Correspondent|Professor)\b"
)
_BIO_SUBJECT = re.compile(rf"^(?P<name>{_NAME})\s+(?:is|was)\s+")
_COAUTHOR = re.compile(
    rf"\bwith\s+(?:the\s+|my\s+)?(?:[a-z]+\s+){{0,2}}(?P<name>{_NAME}|{_WORD}(?=\s+(?:for|on|at|in|looking)\b))"
)
_NAMES_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")  # "A B, C D and E F"
_EXPLICIT_WORD = re.compile(r"^(by|author|from)\b", re.I)
_WRITING_BEFORE = re.compile(r"\b(piece|article|paper|report|commentary|op-ed|co-?author)")


def byline_names(line: str, known: set[str] | None = None) -> list[str]:
    """Names a byline line states ("Veerle Nouwens and Raffaello Pantucci", "By X / date")."""
    text = clean(line)
    if len(text) > 120:
        return []
    m = _BYLINE.match(text)
    if not m:
        return []
    names = [n.strip() for n in _NAMES_SPLIT.split(m.group("names")) if n.strip()]
    explicit = bool(_EXPLICIT_WORD.match(text))
    if not explicit and not (known and any(n in known for n in names)):
        return []
    return [n for n in names if NAME.fullmatch(n) and not _ROLE_WORDS.search(n)]


# an explicit byline's first name: "By A B", "by A B / June 11, 2020", "Date: ... | Author: A B"
_EXPLICIT_BYLINE = re.compile(
    rf"(?i:^by\s+|^author\s*:\s*|\|\s*author\s*:\s*)(?P<names>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)(?![\w'])"
)


def detect_blog_author(lines: list[str]) -> str | None:
    """Most frequent subject of bio lines ("X is a senior fellow ...") in the dump; without any
    bio line, the name explicit bylines ("By X", "| Author: X") give most often (None on a tie:
    one co-authored byline does not say which of its names is the blog's author)."""
    counts: Counter[str] = Counter()
    bylines: Counter[str] = Counter()
    for raw in lines:
        text = clean(raw)
        # a cleaned line's only white space is " ": a bio line has " is " or " was " (the cheap
        # test first, since every line of the dump is asked)
        m = _BIO_SUBJECT.match(text) if " is " in text or " was " in text else None
        if m:
            counts[m.group("name")] += 1
        elif len(text) < 120 and text[:1] in "BbAaDd":
            b = _EXPLICIT_BYLINE.search(text)
            if b:
                names = _NAMES_SPLIT.split(b.group("names"))
                bylines.update(n for n in names if NAME.fullmatch(n) and not _ROLE_WORDS.search(n))
    if counts:
        return counts.most_common(1)[0][0]
    top = bylines.most_common(2)
    return top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else None


def intro_coauthors(intro: str, blog_author: str | None, not_names: set[str]) -> list[str]:
    """Co-authors named in an intro as "a piece ... with (the excellent) A B"."""
    found: list[str] = []
    for m in _COAUTHOR.finditer(intro):
        name = m.group("name")
        before = intro[max(0, m.start() - 120) : m.start()].lower()
        if not _WRITING_BEFORE.search(before):
            continue
        if name == blog_author or name in not_names or len(name.split()) > 3:
            continue
        found.append(name)
    return found


def complete_name(first: str, text: str) -> str | None:
    """A co-author named by first name only ("a new piece with Kabir for ...") -> the full name the
    text gives elsewhere ("Kabir Sharma is a fellow at ..."), the most frequent one; None if none."""
    pat = re.compile(rf"\b{re.escape(first)}\s+((?:[A-Z]\.\s+)?{_WORD}(?:\s+{_WORD})?)(?![\w'\u2019-])")
    counts: Counter[str] = Counter()
    for m in pat.finditer(text):
        rest = m.group(1)
        if not _ROLE_WORDS.search(rest):
            counts[f"{first} {rest}"] += 1
    if not counts:
        return None
    # "Kabir Sharma" and "Kabir Sharma Foundation": the shortest of the most frequent stems
    best = counts.most_common(1)[0][1]
    return min((n for n, c in counts.items() if c == best), key=len)
