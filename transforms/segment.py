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
from transforms.folding import FoldedPattern, GatedPattern, lowered
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
_FOR_OUTLET = re.compile(r"^\s+(?:[\w'-]+\s+){0,3}?(?:for|in|with)\s+(?:[a-z']{1,5}\s+)?[A-Z]")


@dataclass(frozen=True)
class _OwnPiece:
    """'a/another/new ... piece': find the noun first, then look back for the determiner.

    Same matches as one regex with a lazy word gap, without its backtracking on long lines.
    ``low``: ``lowered(text)`` when the caller has it (see transforms/folding.py).
    """

    noun: FoldedPattern
    det_before: FoldedPattern

    def finditer(self, text: str, low: str | None = None) -> list[_PieceMatch]:
        low = low if low is not None else lowered(text)
        out: list[_PieceMatch] = []
        for start, end in self.noun.spans(text, low):
            lo = max(0, start - 60)
            d = self.det_before.search(text[lo:start], None if low is None else low[lo:start])
            if d:
                out.append(_PieceMatch(text, lo + d.start(), end))
            elif start < 40 and _OPENING_WORDS.match(text[:start]):
                if _FOR_OUTLET.match(text[end:]):
                    out.append(_PieceMatch(text, 0, end))  # "Short piece for the FT ..."
        return out

    def search(self, text: str, low: str | None = None) -> _PieceMatch | None:
        found = self.finditer(text, low)
        return found[0] if found else None


@dataclass(frozen=True)
class Cues:
    """The segmenter's cue patterns. The case-insensitive ones are folded (searched on lower-cased
    text, see transforms/folding.py): they run over every paragraph a title could follow."""

    own_piece: _OwnPiece
    first_person: FoldedPattern
    informal: FoldedPattern
    appearance: FoldedPattern
    continuation: re.Pattern[str]
    footer: re.Pattern[str]
    piece_for: GatedPattern


def _alt(words: list[str]) -> str:
    return phrase_regex(words)


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    raw = json.loads((DATA_DIR / "segment_cues.json").read_text(encoding="utf-8"))
    dets, nouns = _alt(raw["piece_determiners"]), _alt(raw["piece_nouns"])
    piece_for_words = _alt(raw["piece_for_words"])
    return Cues(
        own_piece=_OwnPiece(
            FoldedPattern.compile(rf"\b(?:{nouns})\b(?!-)"),
            FoldedPattern.compile(rf"\b(?:{dets})\s+(?:[\w'-]+\s+){{0,3}}$"),
        ),
        first_person=FoldedPattern.compile(
            rf"\b(?:{_alt(raw['first_person'])})\b|(?:^|[.!?]\s+)(?:{_alt(raw['elided_subject'])})\b"
        ),
        informal=FoldedPattern.compile(rf"\b(?:{_alt(raw['informal'])})\b"),
        appearance=FoldedPattern.compile(rf"\b(?:{_alt(raw['appearance'])})\b"),
        continuation=re.compile(rf"^(?:{_alt(raw['continuation'])})\b", re.I),
        footer=re.compile(rf"(?:{_alt(raw['footer'])})", re.I),
        piece_for=GatedPattern(
            re.compile(
                rf"\b(?i:{nouns}|{piece_for_words})[\s,]+(?:[\w'-]+\s+){{0,2}}?(?:for|in|with|on|at)\s+"
                r"(?:[a-z']{1,5}\s+(?:[a-z]+\s+)?)?[A-Z]"
            ),
            # the case-insensitive opening of every match
            FoldedPattern.compile(rf"\b(?:{nouns}|{piece_for_words})"),
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


# Every alternative of CAPTION needs a "©" or one of these strings in lower case, so text without
# any of them cannot match. The shortcut is derived from the pattern above and switches itself
# off if the pattern changes.
_CAPTION_NEEDS = ("/", "photo", "illustration", "getty", "afp", "courtesy", "image")
_CAPTION_SHORTCUT = CAPTION.pattern == (
    r"(©|\bphoto\b|\bphotograph\b|illustration|getty|reuters/|afp\b|\bcourtesy\b|\bimage\b|banner image"
    r"|\(.*/.*\)\s*$)"
)


@lru_cache(maxsize=1 << 16)
def has_caption_mark(text: str) -> bool:
    """``CAPTION.search(text)``, faster: the anatomy asks it of every body paragraph, and the
    pattern (case-insensitive, a trailing "(.../...)") cannot skip ahead through prose."""
    if _CAPTION_SHORTCUT and "©" not in text:
        low = lowered(text)  # None for the rare text where lower case is not what IGNORECASE compares
        if low is not None and not any(w in low for w in _CAPTION_NEEDS):
            return False
    return bool(CAPTION.search(text))


_SCREEN_SHOT = re.compile(r"^screen\s*shot\s+\d{4}-\d\d-\d\d", re.I)


def is_image_name(line: str) -> bool:
    """Image file names and ids left by the page dump ("img_0356", "Screen Shot 2020-...")."""
    text = clean(line)
    if " " in text and "Screen Shot" not in text:
        # the fast answer for prose (asked of every body paragraph): with a space left, only the
        # "Screen shot 2020-..." test below can hold, and it needs an "s" (or "S", or a long s
        # that IGNORECASE equates with it) first
        return text[:1] in ("s", "S", "\u017f") and bool(_SCREEN_SHOT.match(text))
    return (
        bool(text)
        and " " not in text.replace("Screen Shot", "ScreenShot")
        and bool(_IMAGE.match(text))
        or bool(_SCREEN_SHOT.match(text))
    )


def is_bio(line: str) -> bool:
    return bool(_BIO.match(clean(line)))


# A social-media feed item left above the posts: "... 5 hours ago", "@someone thanks", "RT @x: ...".
_FEED_ITEM = re.compile(
    r"(?:\b(?:\d{1,3}|an?|about\s+(?:an?|\d{1,3}))\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)"
    r"\s+ago|\bjust\s+now)\s*$|^(?:RT\s+)?@\w+",
    re.I,
)


def is_feed_item(text: str) -> bool:
    """A tweet or status line of a feed block (site furniture), never an intro or a title."""
    if len(text) >= 320 or not (text.endswith(("ago", "now")) or text.startswith(("@", "RT @"))):
        return False  # the cheap test first: most lines end in a full stop
    return bool(_FEED_ITEM.search(text.rstrip()))


# Function words of English. A sentence whose lower-case words are almost none of these is in
# another language, and its "I" (Italian), "me" (Spanish, French) or "am" (German) is not the
# blogger's voice.
_EN_FUNCTION = frozenset(
    "the a an and of to in is are was were that this for on with as at by it its be been has have had "
    "but not from or which who will would there their they we our you he she his her about more than "
    "into over after so what when up out one all also can just some my me am do did such however while "
    "these those them may should could might being very most other only then yet if because before "
    "between both each how here now own same through under where why your any even still much many "
    "well since against during".split()
)
_LOWER_WORD = re.compile(r"(?<![\w'\u2019-])[^\W\d_A-Z\u00c0-\u00de\u0410-\u042f][^\W\d_]*")


def is_english(sentence: str) -> bool:
    """False for a sentence in another language (few English function words among its lower-case
    words); short sentences and lists of names count as English (nothing to go on)."""
    words = _LOWER_WORD.findall(sentence[:1].lower() + sentence[1:])  # "The ..." opens a sentence
    if len(words) < 7:
        return True
    return 5 * sum(map(_EN_FUNCTION.__contains__, map(str.lower, words))) >= len(words)


_SENTENCE_END = re.compile(r"(?<=[.!?\u201d\u00bb])\s+")


def _sentence_at(text: str, pos: int) -> str:
    """The sentence of ``text`` around offset ``pos`` (ends at '. ', '? ', '! ')."""
    start = max(text.rfind(". ", 0, pos), text.rfind("? ", 0, pos), text.rfind("! ", 0, pos))
    ends = [e for e in (text.find(". ", pos), text.find("? ", pos), text.find("! ", pos)) if e >= 0]
    return text[start + 2 if start >= 0 else 0 : min(ends) + 1 if ends else len(text)]


def english_part(text: str) -> str:
    """The sentences of a paragraph that are in English (the paragraph itself when all are)."""
    sents = _SENTENCE_END.split(text)
    keep = [s for s in sents if is_english(s)]
    return text if len(keep) == len(sents) else " ".join(keep)


# Headings of blog sidebar widgets and page furniture: never a piece's title.
_WIDGET_HEADINGS = frozenset(
    {"recent posts", "recent comments", "recent tweets", "latest tweets", "latest posts", "top posts",
     "popular posts", "about me", "about the author", "about this blog", "follow me on twitter", "blog stats",
     "post navigation", "share this", "like this", "leave a reply", "search this site", "email subscription",
     "follow blog via email", "older posts", "newer posts", "older entries", "newer entries", "blogroll",
     "archives", "categories", "meta", "tags", "about", "about this site", "links", "subscribe"}
)  # fmt: skip


_ABOUT_HEADINGS = frozenset({"about", "about me", "about the author", "about this blog", "about this site"})


def is_widget_heading(text: str) -> bool:
    """'Recent Posts', 'About me', 'Archives': a sidebar widget's heading."""
    return len(text) < 30 and text.lower().rstrip(" :") in _WIDGET_HEADINGS


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@lru_cache(maxsize=1 << 16)  # asked twice per line, and a post recurs on several tag pages
def title_like(line: str) -> bool:
    """Short, no closing full stop, not a date, image name or bio: a headline."""
    text = clean(line)
    if not text or len(text) > TITLE_MAX_CHARS or len(text) < 4:
        return False
    if text.endswith((".", ",", ";", ":")) and not text.endswith("..."):
        return False
    if is_feed_item(text) or is_widget_heading(text):
        return False
    if stated_date(text) or is_image_name(text) or is_bio(text) or has_caption_mark(text):
        return False
    return len(_LATIN_WORD.findall(text)) >= 2


_REPORTED = FoldedPattern.compile(
    r"\b(?:told|tells|tell|asked|said to|reminded|showed|according to)\s+(?:me|us)\b"
)


# "for the Review", "at teh Telegraph" (a typo), "for my RUSI": a preposition before a name
_NAMED_PLACE = re.compile(r"\b(?:for|in|with|on|at)\s+(?:(?:the|teh|hte|my|our)\s+)?[A-Z][\w'\u2019]+")


@lru_cache(maxsize=1 << 16)  # a post recurs on several tag pages
def intro_score(line: str) -> float:
    """How much a line reads like the blogger talking about a piece or an appearance."""
    text = clean(line)
    if len(text) < INTRO_MIN_CHARS or is_bio(text) or stated_date(text) or looks_like_note(text):
        return 0.0
    if is_feed_item(text):
        return 0.0
    cues = load_cues()
    head = " ".join(sentences(text, 3))
    # each cue is searched once (these searches are most of the segmenter's time), folded: on the
    # lower-cased text, which is lowered once for all of them
    low, head_low = lowered(text), lowered(head)
    # "one official told me" is a reporter's voice inside a body, not the blogger's
    if _REPORTED.found(text, low):
        voice = _REPORTED.ignorecase.sub(" ", text)
        voice_low = lowered(voice)
    else:
        voice, voice_low = text, low
    score = 0.0
    own_piece = cues.own_piece.search(head, head_low)
    first_person = cues.first_person.search(voice, voice_low)
    if first_person and not is_english(_sentence_at(voice, first_person.start())):
        # a passage in another language has no voice: "I numeri", "me", "am Ende" (rarely asked)
        first_person = cues.first_person.search(english_part(voice))
    informal = cues.informal.found(text, low)
    appearance = cues.appearance.found(text, low)
    piece_for = cues.piece_for.search(head, head_low)
    if not (own_piece or first_person or informal or appearance or piece_for):
        return 0.0
    if own_piece:
        score += 2.0
    if first_person:
        score += 1.0
    if informal:
        score += 1.0
    if appearance:
        score += 1.0
    if _NAMED_PLACE.search(head):
        score += 0.5
    if piece_for:
        score += 1.0
    if not text.endswith((".", "!", "?", ")", "\u201d", '"')):
        score -= 0.5
    return score


# "something I wrote for the Review", "a piece I did for RUSI": the blogger's own writing
_WROTE_FOR = re.compile(
    r"\b(?:wrote|written|penned|did)\s+(?:[\w'\u2019-]+\s+){0,3}?for\s+(?:[a-z'\u2019]{1,5}\s+)?[A-Z]"
)


@lru_cache(maxsize=1 << 14)  # asked again by _opener, and a post recurs on several tag pages
def starts_post(line: str) -> bool:
    """Inside a run of intro paragraphs: does this one open a post (not a 'beyond this...' add-on)?"""
    cues = load_cues()
    text = clean(line)
    head = " ".join(sentences(text, 2))
    if cues.continuation.match(text):
        return False
    head_low = lowered(head)
    if cues.own_piece.search(head, head_low) or _WROTE_FOR.search(head):
        return True
    # "Teamed up with X for this one in RUSI", not "The report in the Guardian said"
    return any(
        not _DEMONSTRATIVE_END.search(head[: m.start()]) for m in cues.piece_for.finditer(head, head_low)
    )


@lru_cache(maxsize=1 << 14)
def is_roundup(line: str) -> bool:
    """A paragraph about media appearances, with no piece of the blogger's own."""
    cues = load_cues()
    text = clean(line)
    low = lowered(text)
    return cues.appearance.found(text, low) and not cues.own_piece.search(text, low)


def is_continuation(line: str) -> bool:
    return bool(load_cues().continuation.match(clean(line)))


def is_footer(line: str) -> bool:
    text = clean(line)
    return len(text) < 80 and bool(load_cues().footer.search(text))


# Whole lines that open the furniture under a post: share buttons, the comment form, navigation.
_FOOTER_LINES = frozenset(
    {"related", "share this", "like this", "post navigation", "leave a reply", "leave a comment", "reply",
     "responses", "comments", "trackbacks", "comments are closed"}
)  # fmt: skip


def _furniture_like(text: str) -> bool:
    """Short lines of a comment form or share block ("Name *", "Website", "Twitter", "« Older")."""
    if text.startswith(("«", "←")) or text.endswith(("»", "→")):
        return len(text) <= TITLE_MAX_CHARS  # "« Previous post title", "Next post title »"
    return len(text) <= 80 and (not text.endswith(".") or is_footer(text)) and len(text.split()) <= 12


def content_end(lines: list[str], first: int = 0) -> int:
    """End (exclusive, 0-based) of the page's posts: the trailing block of site furniture is cut at
    its first line that is unmistakably furniture ("Share this:", "Leave a Reply", "Older entries").

    Short lines above that first footer line stay (a letter's signature block, a link post's title):
    only the block from a footer line down, made of furniture-like lines, is cut.
    """
    cut = len(lines)
    for i in range(len(lines) - 1, first - 1, -1):
        text = clean(lines[i])
        if not text:
            continue
        if text.lower().rstrip(" :") in _FOOTER_LINES or is_footer(text):
            cut = i
        elif not _furniture_like(text):
            break
    return cut


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


def find_starts(lines: list[str], first: int = 0, stop: int | None = None) -> list[Start]:
    """Scan non-empty lines from `first` up to `stop` (exclusive); return post starts in order."""
    units = [i for i in range(first, len(lines) if stop is None else stop) if clean(lines[i])]
    scores = _candidate_scores(lines, units)
    for k in range(len(units) - 1):
        if scores[units[k + 1]] and clean(lines[units[k]]).lower().rstrip(" :") in _ABOUT_HEADINGS:
            scores[units[k + 1]] = 0.0  # an "About me" blurb under its sidebar heading is not an intro
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
        if accept and j < len(units) and _link_list(lines, units[j : j + 4]) and not strong_head:
            accept = False  # a list of post titles (a sidebar), not a title with its piece
        if accept and j < len(units) and title_like(lines[units[j]]):
            title = units[j]
            opener = _opener(lines, run, scores)
            before, intro = run[:opener], run[opener:]
            if before and not _is_addon(lines[before[0]]):
                before = []  # weak paragraphs before the intro: the previous post's last lines
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


def _link_list(lines: list[str], idxs: list[int]) -> bool:
    """Four title-like lines in a row with nothing but more of them: a list of links."""
    return len(idxs) == 4 and all(title_like(lines[i]) for i in idxs)


def _is_addon(line: str) -> bool:
    """A paragraph that adds to what came before: a continuation or a media round-up."""
    return is_continuation(line) or is_roundup(line)


def _opener(lines: list[str], run: list[int], scores: dict[int, float]) -> int:
    """Index in ``run`` (intro-like paragraphs before a title) of the one that opens the post.

    - An add-on at the head of the run ("And now for some links...", "Elsewhere, spoke to...",
      a round-up post of its own): the post opens at the first paragraph that is not an add-on
      or that names a piece of the blogger's own ("Just a pointer to something I wrote for ...").
    - Otherwise weak paragraphs (a passage in another language, a body sentence with an "I")
      before the first paragraph that names a piece are the previous post's last lines.
    """
    head = lines[run[0]]
    if is_continuation(head) or (is_roundup(head) and not starts_post(head)):
        for n in range(1, len(run)):
            if starts_post(lines[run[n]]) or not _is_addon(lines[run[n]]):
                return n
        return 0
    if scores[run[0]] >= RUN_START or starts_post(head):
        return 0
    for n in range(1, len(run)):
        if starts_post(lines[run[n]]):
            weak = all(scores[r] < RUN_START and not _is_addon(lines[r]) for r in run[:n])
            return n if weak else 0
    return 0


def _roundup_posts(lines: list[str], paras: list[int]) -> list[Start]:
    """Round-up paragraphs with no piece: a new post at each one that is not a continuation
    ("A busy few weeks on the media front..." after "Round-up of ... / Elsewhere, spoke to...")."""
    posts: list[Start] = []
    for idx in paras:
        if posts and is_continuation(lines[idx]):
            posts[-1].intro.append(idx)
        else:
            # no title confirms a round-up's boundary: its confidence rests on its own words
            # ("Round-up of some recent media bits" 0.6; a bare "Spoke to X about Y" 0.5)
            conf = min(0.8, 0.4 + 0.1 * intro_score(lines[idx]))
            posts.append(Start(intro=[idx], title=None, confidence=round(conf, 3)))
    return posts
