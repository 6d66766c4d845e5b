"""The outlet of a post's piece and its media mentions: a CRF over the post's outlet candidates.

Within one post, the candidates (transforms/candidates.py) of its intro, header, title, date
and first body lines form a chain in reading order; the CRF labels each ``P`` (the outlet that
published the post's own piece), ``M`` (an outlet the writer appeared in: a mention) or ``O``
(anything else: people, places, the subject of a sentence). The chain lets one decision inform
the next ("spoke to the BBC, Sky and ITV": a list of mentions).

Training labels come from the gold's outlet and mention evidence: the candidates inside the
evidence that name the gold outlet. The aliases that training teaches (the words a page used ->
the canonical name the gold gives) are learned here too, from the training pages only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from transforms.candidates import Candidate, line_candidates
from transforms.canonical import SECTION_WORDS, display_name
from transforms.dates import four_digit_year
from transforms.gazetteer import load_gazetteer, norm_key
from transforms.gold import GoldPage, shared_root
from transforms.labels import HEADER_MAX_CHARS, line_labels, loose

FIELD_ROLES = frozenset({"SI", "SH", "SR", "I", "D", "Dt"})  # title lines: transforms/title_split.py
BODY_ROLES = frozenset({"B", "Bt"})
BODY_LINES = 1  # first body lines read (a teaser often opens "Published in X")
MAX_CHARS = 1500
_LIST_FEATURES = ("gaz", "p:gaz")
BODY_CHARS = 150  # of a body line, its opening (a title-first post's teaser line is read whole)
DATE_REACH = 10  # a year this close before the opening's end may stand against a name it cuts


class PostLine(NamedTuple):
    """A line of a post as the field pass sees it (a named tuple: one is made for every line of
    every post, and a frozen dataclass costs twice as much to make)."""

    number: int  # 1-based physical line
    text: str
    role: str


class Slot(NamedTuple):
    """One candidate of a post, where it is (a named tuple, as ``PostLine``)."""

    line: PostLine
    cand: Candidate


def field_lines(lines: list[PostLine]) -> list[PostLine]:
    """The lines of a post whose candidates are read: all before the body, then its first lines.

    Header-length lines under the title before the text (a byline, "Posted in Columns", "Today in
    The Australian") are the piece's head, not its body: read too, without counting as body lines.
    """
    out: list[PostLine] = []
    body = 0
    for pl in lines:
        if pl.role in FIELD_ROLES:
            out.append(pl)
        elif pl.role in BODY_ROLES and body < BODY_LINES:
            out.append(pl)
            if len(pl.text) > HEADER_MAX_CHARS:
                body += 1
    return out


def _read(pl: PostLine) -> str:
    return pl.text[: BODY_CHARS if pl.role == "B" else MAX_CHARS]


def _candidates(pl: PostLine) -> tuple[Candidate, ...]:
    """A line's candidates: of a body line, its opening, and any name written against a date.

    A teaser may run on into the piece's date and outlet ("... what it means for the port 3 May
    2016The Hindu How ..."): where a site glues a post's date line to its standfirst. A name the
    opening's end cuts is read whole from the line.
    """
    read = _read(pl)
    cands = line_candidates(read)
    if len(read) == len(pl.text):
        return cands
    cut = min((c.start for c in cands if c.end >= len(read.rstrip())), default=len(read))
    if four_digit_year(pl.text, max(0, cut - DATE_REACH), MAX_CHARS) is None:
        return cands
    late = tuple(
        c
        for c in line_candidates(pl.text[:MAX_CHARS])
        if c.start >= cut and ("date_before" in c.features or "date_after" in c.features)
    )
    return tuple(c for c in cands if c.start < cut) + late


def slots(lines: list[PostLine]) -> list[Slot]:
    return [Slot(pl, c) for pl in field_lines(lines) for c in _candidates(pl)]


def features(post: list[Slot], title: str | None, author: str | None) -> list[list[str]]:
    """Per candidate: its own features, its line's role, and how it relates to the post."""
    title_low = (title or "").lower()
    author_words = set((author or "").lower().split())
    out: list[list[str]] = []
    lines_seen: list[int] = []
    for k, s in enumerate(post):
        if not lines_seen or lines_seen[-1] != s.line.number:
            lines_seen.append(s.line.number)
        f = list(s.cand.features)
        role = s.line.role.rstrip("t") if s.line.role != "ST" else "ST"
        f.append(f"role:{role}")
        f.append(f"lineord{min(len(lines_seen) - 1, 3)}")
        text_low = s.cand.text.lower()
        if title_low and s.line.role not in ("T", "ST") and text_low in title_low:
            f.append("intitle")
        if author_words and set(text_low.split()) <= author_words:
            f.append("author")
        if k > 0:
            f.extend(f"p:{x}" for x in post[k - 1].cand.features if x.startswith(("gaz", "L1:", "R1:")))
        else:
            f.append("p:none")
        out.append(f)
    return out


# -- training labels ---------------------------------------------------------------------------


_POSSESSIVE = re.compile(r"['\u2019]s$")
_SECTION_NEXT = frozenset(f"R1:{w}" for w in SECTION_WORDS)
_PUBLISHING = frozenset({"cl:piece", "cl:publish"})
HEADER_WORDS = 6  # a line naming the outlet on its own ("Today in The Herald") is this short
_FRAME_LINKS = frozenset({"L1:in", "L1:for", "L1:at"})
_NOT_OWN_CUES = frozenset({"rule:not_own", "rule:others"})  # transforms/cues.py: a piece not the post's own
_NOT_FRAMES = frozenset({"line0:posted", "line0:filed", "line0:tagged", "line0:categories", "line0:category"})


def framed_outlet(chain: list[Slot]) -> Slot | None:
    """A name the post's head sets apart as its outlet, for when the model named none.

    A post's opening sentence saying what it is a piece for ("A new article for PortsToday."), a
    publishing sentence naming a section of the owner's ("published ... on the Herald's blog"), and two
    layouts that a page states once per post and that few training pages show, so the model weighs
    them little: a name written against the piece's date ("3 May 2016The Hindu", "Dawn,
    3 May 2019"), and a short line under the title that ends with the name after "in" or "for"
    ("Today in The Herald", "Published in Dawn"; not a category line, "Posted in Politics").
    In those two, only names the broad list knows or that carry a "The" qualify: a word that merely stands
    against a date ("Commentary, 9 March 2016") does not.
    The opening sentence's piece must be the writer's: "the new piece by Jo Bloggs for X", "my
    earlier piece for X" (cues.py: ``rule:others``, ``rule:not_own``) frame nothing.
    """
    for s in chain:
        f = set(s.cand.features)
        if "initial" in f:
            continue
        if "via:piece:for" in f and "sent0" in f and not f & _NOT_OWN_CUES:
            return s  # the opening sentence: "A new article for PortsToday." (not "an earlier piece by ...")
        if _POSSESSIVE.search(s.cand.text) and f & _SECTION_NEXT and f & _PUBLISHING:
            return s  # "published ... on my publisher X's blog": the owner of the section
        if not ({"gaz", "the"} & f) or s.line.role in ("I", "SI"):
            continue
        if "date_before" in f or "date_after" in f:
            return s
        short = s.line.text.count(" ") < HEADER_WORDS
        if short and "eol" in f and f & _FRAME_LINKS and not f & _NOT_FRAMES:
            return s
    return None


def owners_title(chain: list[Slot], k: int) -> int:
    """The owner's own publication, where the chosen name is its owner's possessive.

    "for RUSI's in-house magazine ... RUSI Newsbrief, 3 May 2016", "my institution RUSI's own RUSI
    Journal": a later name that opens with the owner's is where the piece ran. An acronym yields
    to the full name it abbreviates (``_spelled_out``).
    """
    owner = _POSSESSIVE.sub("", chain[k].cand.text)
    if owner == chain[k].cand.text:
        return _spelled_out(chain, k)
    prefix = owner.casefold() + " "
    return next((j for j in range(k + 1, len(chain)) if chain[j].cand.text.casefold().startswith(prefix)), k)


def _spelled_out(chain: list[Slot], k: int) -> int:
    """The full name an acronym in brackets abbreviates ("European Institute for Conflict Prevention (EICP)").

    The name the writer spells out is the outlet's name; its letters in brackets only abbreviate it.
    """
    short = chain[k].cand
    if k == 0 or "bracketed" not in short.features or not short.text.isupper():
        return k
    full = chain[k - 1]
    if full.line.number != chain[k].line.number or full.line.text[full.cand.end : short.start].strip() != "(":
        return k
    capitals = iter(ch for ch in full.cand.text if ch.isupper())
    letters = short.text.replace(".", "")
    spelled = letters[:1] == full.cand.text[:1] and all(ch in capitals for ch in letters)
    return k - 1 if spelled else k


@lru_cache(maxsize=1)
def _scorer_aliases() -> dict[str, str]:
    """The scorer's alias table (variant -> canonical), used only to read training gold's names."""
    path = shared_root() / "eval" / "gold" / "outlets.json"
    if not path.is_file():
        return {}
    table: dict[str, str] = {}
    for canonical, variants in json.loads(path.read_text(encoding="utf-8")).items():
        for v in [canonical, *variants]:
            table[norm_key(v)] = norm_key(canonical)
    return table


def names_outlet(surface: str, gold: str) -> bool:
    """Do the words of a candidate name the gold outlet (the name, an alias, or a station of it)?"""
    a, b = norm_key(display_name(surface)), norm_key(gold)
    if not a or not b:
        return False
    aliases = _scorer_aliases()
    if (
        aliases.get(a, a) == aliases.get(b, b)
        or a.startswith(b + " ")
        or a.replace(" ", "") == b.replace(" ", "")
    ):
        return True
    listed = load_gazetteer().lookup(display_name(surface))
    return listed is not None and norm_key(listed.name) == b


def _evidence_spans(lines: list[PostLine], evidence: str | None) -> list[tuple[int, int, int]]:
    """(line number, start, end) where each part of a gold evidence string sits in the post."""
    out: list[tuple[int, int, int]] = []
    for part in (evidence or "").split(";"):
        target = loose(part)
        if len(target) < 2:
            continue
        for pl in lines:
            at = loose(pl.text).find(target)
            if at >= 0:
                out.append((pl.number, at, at + len(target)))
                break
    return out


def _label(slot: Slot, post: dict, lines: list[PostLine]) -> str:
    text = slot.cand.text
    where = (slot.line.number, slot.cand.start, slot.cand.end)

    def inside(spans: list[tuple[int, int, int]]) -> bool:
        return any(n == where[0] and a <= where[1] and where[2] <= b + 1 for n, a, b in spans)

    outlet = post.get("outlet")
    if outlet and post.get("title") is not None and names_outlet(text, outlet):
        return "P"
    for m in post.get("mentions") or []:
        if m.get("outlet") and names_outlet(text, m["outlet"]):
            return "M"
    if (
        outlet
        and post.get("title") is not None
        and inside(_evidence_spans(lines, post.get("outlet_evidence")))
    ):
        if not slot.cand.features or "initial" not in slot.cand.features:
            return "P" if _only_candidate(slot, lines, post.get("outlet_evidence")) else "O"
    return "O"


def _only_candidate(slot: Slot, lines: list[PostLine], evidence: str | None) -> bool:
    """The candidate is the one non-initial candidate inside the evidence (it names the outlet)."""
    spans = _evidence_spans(lines, evidence)
    inside = [
        c
        for pl in lines
        for c in _candidates(pl)
        if "initial" not in c.features
        and any(n == pl.number and a <= c.start and c.end <= b + 1 for n, a, b in spans)
    ]
    return len(inside) == 1 and inside[0] == slot.cand


def gold_posts(page: GoldPage) -> list[tuple[dict, list[PostLine]]]:
    """Each gold post with its lines and their (gold-derived) roles."""
    roles = dict(line_labels(page))
    lines = page.lines()
    out: list[tuple[dict, list[PostLine]]] = []
    for post in page.gold["posts"]:
        end = post.get("end_line") or post["start_line"]
        pls = [
            PostLine(n, lines[n - 1].strip(), roles[n - 1])
            for n in range(post["start_line"], end + 1)
            if n - 1 in roles and roles[n - 1] != "O"
        ]
        out.append((post, pls))
    return out


def gold_chains(pages: list[GoldPage]) -> Iterator[tuple[list[Slot], list[list[str]], list[str]]]:
    """Each gold post's candidate chain, as a parse would read it, with its features and gold labels."""
    for page in pages:
        for post, pls in gold_posts(page):
            chain = slots(pls)
            if not chain:
                continue
            title = next((pl.text for pl in pls if pl.number == post.get("title_line")), None)
            yield chain, features(chain, title, page.blog_author), [_label(s, post, pls) for s in chain]


def field_sequences(pages: list[GoldPage]) -> list[tuple[list[list[str]], list[str]]]:
    """Training chains: one per gold post that has candidates."""
    out = []
    for _, feats, labels in gold_chains(pages):
        out.append((feats, labels))
        # the same chain without the broad list's hits: so that the words around a name, not
        # only the list, teach the model what an outlet is (outlets it has never heard of)
        out.append(([[f for f in row if not f.startswith(_LIST_FEATURES)] for row in feats], labels))
    return out


def best_candidate(labels: list[str], p_marg: list[float]) -> int | None:
    """The candidate the model ranks first as the piece's outlet: one it labelled ``P``, else the
    likeliest."""
    return max(range(len(labels)), key=lambda k: (labels[k] == "P", p_marg[k]), default=None)


def outlet_candidate(labels: list[str], p_marg: list[float], gate: float) -> int | None:
    """The candidate taken as the piece's outlet, if any: the best one (``best_candidate``) when the
    model labelled it ``P`` or its probability reaches the outlet gate (``Model.min_outlet_prob``,
    fitted in training: transforms/training.py)."""
    best = best_candidate(labels, p_marg)
    return best if best is not None and (labels[best] == "P" or p_marg[best] >= gate) else None


def _gold_name(slot: Slot, post: dict, label: str) -> str | None:
    """The canonical name the gold gives the outlet a P or M candidate names."""
    if label == "P":
        return post.get("outlet")
    for m in post.get("mentions") or []:
        if m.get("outlet") and names_outlet(slot.cand.text, m["outlet"]):
            return m["outlet"]
    return None


def learn_aliases(pages: list[GoldPage]) -> dict[str, str]:
    """surface -> canonical name, where training gold named an outlet differently from its words."""
    found: dict[str, str] = {}
    for page in pages:
        for post, pls in gold_posts(page):
            for s in slots(pls):
                label = _label(s, post, pls)
                gold = _gold_name(s, post, label) if label != "O" else None
                if gold and not names_outlet(s.cand.text, gold):
                    continue  # labelled from the evidence alone: no alias to learn from it
                key = norm_key(display_name(s.cand.text))
                if gold and key and key != norm_key(gold):
                    found.setdefault(key, gold)
    return dict(sorted(found.items()))
