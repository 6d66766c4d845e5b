"""Authors of a piece: bylines, co-authors in intros, bio lines, else the blog's author.

The blog's own author is a setting (or detected as the most frequent subject of bio lines and
bylines in the dump), never a literal in code. A bio line says what a person is professionally
("X is a senior fellow at ..."): its role noun comes from ``data/people_cues.json`` (the roles that
also mark a person in a media appearance), so a news sentence or a title that merely opens with a
name and " is " ("X is free at last ...", "X is dead: what next?") names no one.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from transforms.lexicon import load_people_cues
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
# between " is " and the role noun: an article and a few qualifiers ("a senior visiting fellow",
# "the deputy director"), never a clause's worth of words ("is set to meet the editor") nor a
# sentence's end ("is free. The editor ...")
_BIO_QUALIFIERS = 3


@lru_cache(maxsize=1)
def _bio_line() -> re.Pattern[str]:
    """A bio line, "<Name> is [a|an|the] [a few words] <role noun>", and its subject.

    Present tense only: a writer's author box says what they are now; "X was director of ..." tells
    of someone's past post (an interviewee's, a news subject's), not the blog's author.
    """
    roles = "|".join(map(re.escape, sorted(load_people_cues()["roles"], key=len, reverse=True)))
    return re.compile(
        rf"^(?P<name>{_NAME})\s+is\s+(?:[\w'\u2019-]+\s+){{0,{_BIO_QUALIFIERS}}}?(?i:{roles})s?(?![\w-])"
    )


def bio_subject(line: str) -> str | None:
    """The person a bio line describes ("Jane Doe is a senior fellow at X." -> "Jane Doe"), else None."""
    return _cleaned_bio_subject(clean(line))


def _cleaned_bio_subject(text: str) -> str | None:
    # a cleaned line's only white space is " " (the cheap test first: every line of a dump is asked)
    m = _bio_line().match(text) if " is " in text else None
    return m.group("name") if m else None


# "with (the wonderful | my | RUSI colleagues) A B (and C D)", or a first name before a link word
# ("with Kabir for ...", "with Niva from ..."); an acronym stands only before a lower-case word
_COAUTHOR = re.compile(
    rf"\bwith\s+(?:the\s+|my\s+)?(?:[a-z]+\s+|[A-Z]{{2,}}\s+(?=[a-z]+\s)){{0,2}}"
    rf"(?P<name>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*|{_WORD}(?=\s+(?:for|on|at|in|looking|from)\b))"
)
_NAMES_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")  # "A B, C D and E F"
_EXPLICIT_WORD = re.compile(r"^(by|author|from)\b", re.I)
_WRITING_BEFORE = re.compile(r"\b(piece|article|paper|report|commentary|op-ed|co-?author)")
# a capitalised run that opens with one of these names a thing, not a person ("with the excellent
# The Wire China", "with This Week in Asia"): no person's name begins with a determiner
_NOT_A_PERSON_START = frozenset("The This That These Those My Our Your His Her Its Their".split())


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
    """Most frequent subject of bio lines (``bio_subject``) in the dump; without any bio line, the
    name explicit bylines ("By X", "| Author: X") give most often. None on a tie (two people's
    bios once each, or one co-authored byline, do not say which is the blog's author) and None when
    neither is found: a page of another writer that never states their name gets no name rather
    than a wrong one."""
    bios: Counter[str] = Counter()
    bylines: Counter[str] = Counter()
    for raw in lines:
        text = clean(raw)
        subject = _cleaned_bio_subject(text)
        if subject:
            bios[subject] += 1
        elif len(text) < 120 and text[:1] in "BbAaDd":
            b = _EXPLICIT_BYLINE.search(text)
            if b:
                names = _NAMES_SPLIT.split(b.group("names"))
                bylines.update(n for n in names if NAME.fullmatch(n) and not _ROLE_WORDS.search(n))
    return _sole_top(bios) if bios else _sole_top(bylines)


def _sole_top(counts: Counter[str]) -> str | None:
    """The most frequent name, None when none is or two share the top."""
    top = counts.most_common(2)
    return top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else None


def intro_coauthors(intro: str, blog_author: str | None, not_names: set[str]) -> list[str]:
    """Co-authors named in an intro as "a piece ... with (the excellent) A B"."""
    found: list[str] = []
    for m in _COAUTHOR.finditer(intro):
        before = intro[max(0, m.start() - 120) : m.start()].lower()
        if not _WRITING_BEFORE.search(before):
            continue
        for name in _NAMES_SPLIT.split(m.group("name")):
            if name == blog_author or name in not_names or len(name.split()) > 3:
                continue
            if name.split()[0] in _NOT_A_PERSON_START:
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
