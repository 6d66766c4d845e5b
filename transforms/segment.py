"""Post boundaries from scored paragraph evidence.

A post opens with the blogger's intro: informal, often first person or subject-elided
("Slightly belated posting of..."), talking about a piece or an appearance. It is followed,
after any round-up paragraphs, by a title-like line (short, no closing full stop). First-person
sentences inside article bodies are not intros because no title follows them and they do not
talk about a piece. Each start carries a confidence built from the same evidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from transforms.citations import looks_like_note
from transforms.dates import stated_date
from transforms.phrases import phrase_regex
from transforms.text import clean, sentences

DATA_DIR = Path(__file__).resolve().parent / "data"
INTRO_MIN_CHARS = 40
TITLE_MAX_CHARS = 200
INTRO_THRESHOLD = 2.5  # a run with a paragraph this intro-like opens a post before any title
RUN_START = 2.0  # enough when the title is followed by a byline or date line
RUN_CONTINUE = 1.0  # further intro paragraphs only need some of the blogger's voice
MAX_INTRO_PARAS = 10  # intro and round-up paragraphs before one title (round-up posts may precede)
HEAD_LOOKAHEAD = 4


class _PieceMatch:
    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def group(self, _n: int = 0) -> str:
        return self._text[self._start : self._end]


# "Short piece for the FT ...": a paragraph that opens with up to two words (not a determiner or
# pronoun: "The report in the Guardian said" is a body sentence) before a piece noun that is
# "for/in/with" a named outlet. A sentence start needs no "a/another".
_OPENING_WORDS = re.compile(
    r"^(?!(?:the|this|that|these|those|his|her|its|our|their|your|every|each|such|no|one|any|some|"
    r"which|what|whose|last|next|previous|recent)\b)[A-Z][a-z'-]*(?:\s+[a-z'-]+)?\s+$",
    re.I,
)
_DEMONSTRATIVE_END = re.compile(r"\b(?:the|that|those|these|his|her|their|its)\s+$", re.I)
_FOR_OUTLET = re.compile(r"^\s+(?:[\w'-]+\s+){0,3}?(?:for|in|with)\s+(?:the\s+|my\s+)?[A-Z]")


@dataclass(frozen=True)
class _OwnPiece:
    """'a/another/new ... piece': find the noun first, then look back for the determiner.

    Same matches as one regex with a lazy word gap, without its backtracking on long lines.
    """

    noun: re.Pattern[str]
    det_before: re.Pattern[str]

    def finditer(self, text: str) -> list[_PieceMatch]:
        out: list[_PieceMatch] = []
        for m in self.noun.finditer(text):
            window = text[max(0, m.start() - 60) : m.start()]
            d = self.det_before.search(window)
            if d:
                out.append(_PieceMatch(text, m.start() - len(window) + d.start(), m.end()))
            elif m.start() < 40 and _OPENING_WORDS.match(text[: m.start()]):
                if _FOR_OUTLET.match(text[m.end() :]):
                    out.append(_PieceMatch(text, 0, m.end()))  # "Short piece for the FT ..."
        return out

    def search(self, text: str) -> _PieceMatch | None:
        found = self.finditer(text)
        return found[0] if found else None


@dataclass(frozen=True)
class Cues:
    own_piece: _OwnPiece
    first_person: re.Pattern[str]
    informal: re.Pattern[str]
    appearance: re.Pattern[str]
    continuation: re.Pattern[str]
    footer: re.Pattern[str]
    piece_for: re.Pattern[str]


def _alt(words: list[str]) -> str:
    return phrase_regex(words)


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    raw = json.loads((DATA_DIR / "segment_cues.json").read_text(encoding="utf-8"))
    dets, nouns = _alt(raw["piece_determiners"]), _alt(raw["piece_nouns"])
    return Cues(
        own_piece=_OwnPiece(
            re.compile(rf"\b(?:{nouns})\b(?!-)", re.I),
            re.compile(rf"\b(?:{dets})\s+(?:[\w'-]+\s+){{0,3}}$", re.I),
        ),
        first_person=re.compile(
            rf"\b(?:{_alt(raw['first_person'])})\b|(?:^|[.!?]\s+)(?:{_alt(raw['elided_subject'])})\b", re.I
        ),
        informal=re.compile(rf"\b(?:{_alt(raw['informal'])})\b", re.I),
        appearance=re.compile(rf"\b(?:{_alt(raw['appearance'])})\b", re.I),
        continuation=re.compile(rf"^(?:{_alt(raw['continuation'])})\b", re.I),
        footer=re.compile(rf"(?:{_alt(raw['footer'])})", re.I),
        piece_for=re.compile(
            rf"\b(?i:{nouns}|{_alt(raw['piece_for_words'])})[\s,]+(?:[\w'-]+\s+){{0,2}}?(?:for|in|with|on|at)\s+"
            r"(?:[a-z']{1,5}\s+(?:[a-z]+\s+)?)?[A-Z]"
        ),
    )


_BIO = re.compile(
    r"^[A-Z][\w'\u2019.-]+(?:\s+[A-Z][\w'\u2019.-]+){1,3}\s+(?:is|was|has been)\s+"
    r"(?i:an?\s|the\s|director|senior|head|professor|fellow|visiting|associate|co-|chief|editor|research)"
)
_IMAGE = re.compile(
    r"^(?:screen\s*shot\b.*|[\w.-]*\.(?:jpe?g|png|gif|webp)|[0-9a-f]{8}-[0-9a-f-]{20,}.*|[\w-]*\d[\w-]*|[a-z0-9]+(?:[-_][a-z0-9]+)+)$",
    re.I,
)


CAPTION = re.compile(
    r"(©|\bphoto\b|\bphotograph\b|illustration|getty|reuters/|afp\b|\bcourtesy\b|\bimage\b|banner image"
    r"|\(.*/.*\)\s*$)",
    re.I,
)


def is_image_name(line: str) -> bool:
    """Image file names and ids left by the page dump ("img_0356", "Screen Shot 2020-...")."""
    text = clean(line)
    return (
        bool(text)
        and " " not in text.replace("Screen Shot", "ScreenShot")
        and bool(_IMAGE.match(text))
        or bool(re.match(r"^screen\s*shot\s+\d{4}-\d\d-\d\d", text, re.I))
    )


def is_bio(line: str) -> bool:
    return bool(_BIO.match(clean(line)))


def title_like(line: str) -> bool:
    """Short, no closing full stop, not a date, image name or bio: a headline."""
    text = clean(line)
    if not text or len(text) > TITLE_MAX_CHARS or len(text) < 4:
        return False
    if text.endswith((".", ",", ";", ":")) and not text.endswith("..."):
        return False
    if stated_date(text) or is_image_name(text) or is_bio(text) or CAPTION.search(text):
        return False
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 2


_REPORTED = re.compile(
    r"\b(?:told|tells|tell|asked|said to|reminded|showed|according to)\s+(?:me|us)\b", re.I
)


def intro_score(line: str) -> float:
    """How much a line reads like the blogger talking about a piece or an appearance."""
    text = clean(line)
    if len(text) < INTRO_MIN_CHARS or is_bio(text) or stated_date(text) or looks_like_note(text):
        return 0.0
    cues = load_cues()
    head = " ".join(sentences(text)[:3])
    # "one official told me" is a reporter's voice inside a body, not the blogger's
    voice = _REPORTED.sub(" ", text)
    score = 0.0
    if not (
        cues.own_piece.search(head)
        or cues.first_person.search(voice)
        or cues.informal.search(text)
        or cues.appearance.search(text)
        or cues.piece_for.search(head)
    ):
        return 0.0
    if cues.own_piece.search(head):
        score += 2.0
    if cues.first_person.search(voice):
        score += 1.0
    if cues.informal.search(text):
        score += 1.0
    if cues.appearance.search(text):
        score += 1.0
    if re.search(r"\b(?:for|in|with|on|at)\s+(?:the\s+)?[A-Z][\w'\u2019]+", head):
        score += 0.5
    if cues.piece_for.search(head):
        score += 1.0
    if not text.endswith((".", "!", "?", ")", "\u201d", '"')):
        score -= 0.5
    return score


def starts_post(line: str) -> bool:
    """Inside a run of intro paragraphs: does this one open a post (not a 'beyond this...' add-on)?"""
    cues = load_cues()
    text = clean(line)
    head = " ".join(sentences(text)[:2])
    if cues.continuation.match(text):
        return False
    if cues.own_piece.search(head):
        return True
    # "Teamed up with X for this one in RUSI", not "The report in the Guardian said"
    return any(not _DEMONSTRATIVE_END.search(head[: m.start()]) for m in cues.piece_for.finditer(head))


def is_roundup(line: str) -> bool:
    """A paragraph about media appearances, with no piece of the blogger's own."""
    cues = load_cues()
    text = clean(line)
    return bool(cues.appearance.search(text)) and not cues.own_piece.search(text)


def is_continuation(line: str) -> bool:
    return bool(load_cues().continuation.match(clean(line)))


def is_footer(line: str) -> bool:
    text = clean(line)
    return len(text) < 80 and bool(load_cues().footer.search(text))


_BYLINE_START = re.compile(r"^(?:by\b|author\s*:|from\s+[A-Z])", re.I)


def _strong_head(lines: list[str], following: list[int]) -> bool:
    """A date line or an explicit byline right after a candidate title confirms it is one."""
    for idx in following:
        text = clean(lines[idx])
        if stated_date(text) or (len(text) < 100 and _BYLINE_START.match(text)):
            return True
    return False


@dataclass
class Start:
    """One post start: its intro lines (0-based indices) and the title index (None: round-up)."""

    intro: list[int]
    title: int | None
    confidence: float
    roundup: list[int] = field(default_factory=list)  # add-on paragraphs after the piece


def _candidate_scores(lines: list[str], units: list[int]) -> dict[int, float]:
    """Intro scores, computed only where an accepted run could lie.

    Why: scoring is most of the parse time and most paragraphs are article body. A run is
    accepted only when it ends right before a title (at most MAX_INTRO_PARAS paragraphs, each
    scoring RUN_CONTINUE or more) or is the media round-up that ends a page. So walking back
    from each title-like line and stopping at the first paragraph below RUN_CONTINUE finds
    every score the segmenter can use; every other paragraph scores 0 without a look.
    """
    n = len(units)
    scores: dict[int, float] = dict.fromkeys(units, 0.0)
    done = [False] * n

    def score(k: int) -> float:
        if not done[k]:
            done[k] = True
            scores[units[k]] = intro_score(lines[units[k]])
        return scores[units[k]]

    for k in range(max(0, n - MAX_INTRO_PARAS), n):
        score(k)
    for k, i in enumerate(units):
        if k and title_like(lines[i]):
            for m in range(k - 1, max(-1, k - 1 - MAX_INTRO_PARAS), -1):
                if score(m) < RUN_CONTINUE:
                    break
    return scores


def find_starts(lines: list[str], first: int = 0) -> list[Start]:
    """Scan non-empty lines from `first`; return post starts in order."""
    units = [i for i in range(first, len(lines)) if clean(lines[i])]
    scores = _candidate_scores(lines, units)
    starts: list[Start] = []
    k = 0
    while k < len(units):
        i = units[k]
        if scores[i] < RUN_CONTINUE:
            k += 1
            continue
        # gather the run of intro-like lines
        run = [i]
        j = k + 1
        while (
            j < len(units)
            and scores[units[j]] >= RUN_CONTINUE
            and j - k < MAX_INTRO_PARAS
            and not title_like(lines[units[j]])
        ):
            run.append(units[j])
            j += 1
        best = max(scores[r] for r in run)
        strong_head = j < len(units) and _strong_head(lines, units[j + 1 : j + 1 + HEAD_LOOKAHEAD])
        accept = best >= INTRO_THRESHOLD or (strong_head and best >= RUN_CONTINUE)
        if (
            accept
            and best < INTRO_THRESHOLD
            and scores[run[0]] < RUN_START
            and len(run) == 1
            and not strong_head
        ):
            accept = False
        if accept and j < len(units) and title_like(lines[units[j]]):
            title = units[j]
            opener = 0
            if starts and is_continuation(lines[run[0]]):
                # "And now for some links..." after a post, then the next post's own intro
                for n, idx in enumerate(run):
                    if starts_post(lines[idx]):
                        opener = n
            else:
                # a media round-up of its own, then the next post's intro
                first_piece = next((n for n, idx in enumerate(run) if starts_post(lines[idx])), 0)
                if first_piece and all(
                    is_roundup(lines[idx]) or is_continuation(lines[idx]) for idx in run[:first_piece]
                ):
                    opener = first_piece
            before, intro = run[:opener], run[opener:]
            if before:
                # an add-on ("And now for some links...") stays with the previous post as its tail
                if starts and is_continuation(lines[before[0]]):
                    starts[-1].roundup.extend(before)
                else:
                    starts.extend(_roundup_posts(lines, before))
            conf = min(1.0, 0.45 + 0.1 * scores[intro[0]] + (0.15 if starts_post(lines[intro[0]]) else 0.0))
            starts.append(Start(intro=intro, title=title, confidence=round(conf, 3)))
            k = j + 1
            continue
        if j >= len(units) and all(is_roundup(lines[idx]) or is_continuation(lines[idx]) for idx in run):
            # the page ends with a media round-up that has no piece (and so no title) of its own
            if starts and is_continuation(lines[run[0]]):
                starts[-1].roundup.extend(run)
            else:
                starts.extend(_roundup_posts(lines, run))
            break
        k += 1
    return starts


def _roundup_posts(lines: list[str], paras: list[int]) -> list[Start]:
    """Round-up paragraphs with no piece: a new post at each one that is not a continuation
    ("A busy few weeks on the media front..." after "Round-up of ... / Elsewhere, spoke to...")."""
    posts: list[Start] = []
    for idx in paras:
        if posts and is_continuation(lines[idx]):
            posts[-1].intro.append(idx)
        else:
            posts.append(Start(intro=[idx], title=None, confidence=0.5))
    return posts
