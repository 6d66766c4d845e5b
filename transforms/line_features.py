"""Features of one line of a page, for the line-role model (transforms/line_roles.py).

In the manner of GROBID's segmentation features: the line's shape (length, case, punctuation at
both ends), its first words, word classes (transforms/lexicon.py), dates, listed outlet names,
the old hand-written line tests (transforms/shapes.py). What depends on the page around the
line (spacing, position, repeats, the neighbours' features) is added in
transforms/page_features.py.

Speed: everything that depends on the line's text alone is computed once per distinct text and
cached (pages repeat lines and whole posts across dumps), with the copies prefixed for use as a
neighbour's features made at the same time.
The words' readings (word classes, the voice of an appearance) are in transforms/word_readings.py.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from functools import lru_cache
from operator import itemgetter

from transforms.authors import NAME
from transforms.citations import looks_like_note
from transforms.dates import find_dates, four_digit_year, stated_date
from transforms.gazetteer import load_gazetteer
from transforms.lexicon import load_lexicon
from transforms.shapes import EN_FUNCTION as _EN_FUNCTION
from transforms.shapes import is_bio, is_feed_item, is_widget_heading, title_like
from transforms.word_readings import HEAD_READINGS, SOFT_CUES, WORD_CLASSES, cases, voice_in

DATE_HEAD_CHARS = 40  # a short line whose date starts this early reads as a date header
ENTRY_TITLE_CHARS = 15  # a list entry names its piece before the date ("Title, 25 February 2022.")
FIRST_WORDS = 12  # words of a line read as a bag (intros give themselves away early)
_FIRST_CHAR = itemgetter(0)
_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)]?\s+[A-Z\u201c\"']")
_BYLINE = re.compile(r"^(?:by|di|par|von|from|author\s*:)\s+[A-Z]", re.I)
_PREP_NAME = re.compile(r"(?:for|in|on|at|with|to|by) (?:the )?[A-Z]")
_BULLET = "-\u2022*\u2013\u2014\u25aa\u25cf\u00b7"
_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"
_LEN_EDGES = (15, 30, 60, 100, 200, 400)
_WORD_EDGES = (1, 2, 5, 12, 25, 60)


_LEN_NAMES = tuple(f"len{k}" for k in range(len(_LEN_EDGES) + 1))  # bucket k: up to _LEN_EDGES[k] chars
_WORD_NAMES = tuple(f"nw{k}" for k in range(len(_WORD_EDGES) + 1))


class _CharClasses(dict[str, str]):
    """Character -> its class (``_char_class``), remembered: lines open and end with few characters."""

    def __missing__(self, ch: str) -> str:
        value = self[ch] = _char_class(ch)
        return value


def _char_class(ch: str) -> str:
    if not ch:
        return "none"
    if ch.isupper():
        return "up"
    if ch.islower():
        return "low"
    if ch.isdigit():
        return "dig"
    if ch in _QUOTES:
        return "q"
    if ch in _BULLET:
        return "bul"
    if ch in ".!?":
        return ch
    if ch in ",;:":
        return ","
    if ch in ")]}":
        return ")"
    if ch in "([{":
        return "("
    if ch == "\u2026":
        return "..."
    return "oth"


_CLASS_OF = _CharClasses()


_PROSE_ENDS = frozenset({".", "?", "!", "q", ")"})
_CUE_CLASSES = frozenset(
    {"first_person", "piece", "publish", "appearance", "link_words", "weekdays", "months"}
)


def _plain(shape: list[str], classes: set[str], head_words: list[str]) -> LineFeatures:
    """Features of a long line of plain prose (no cue word early, no date): the common case, kept cheap."""
    shape.append("sentences")
    shape.append("plain")
    shape += sorted(map(_CLASS_NAMES.__getitem__, classes))
    feats = [f"w0:{head_words[0]}"] if head_words else []
    if len(head_words) > 1:
        feats.append(f"w01:{head_words[0]} {head_words[1]}")
    return _finish(shape, feats)


LineFeatures = tuple[tuple[str, ...], ...]
"""Of one line: (its own features, its shape (what the other modules test: ``"headline" in
text_features(t)[1]``), the subset of the shape a neighbour sees as the line before ("-1:") and
after ("+1:"), and the fewer seen from two lines away ("-2:", "+2:"))."""


class FeatureNames(dict[str, str]):
    """Feature name -> the one interned copy of it with a prefix (built once per name)."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, name: str) -> str:
        value = self[name] = sys.intern(self.prefix + name)
        return value


_OWN, _PREV, _NEXT, _PREV2, _NEXT2 = (FeatureNames(p) for p in ("", "-1:", "+1:", "-2:", "+2:"))
# a word class's feature early in the line, later in it, and as a cue (sorted as the class names
# are: the prefix is common to all)
_CLASS_NAMES, _REST_NAMES, _CUE_NAMES = FeatureNames("c:"), FeatureNames("c*:"), FeatureNames("cue:")


class _Forms(dict[tuple[str, ...], LineFeatures]):
    """A line's shape -> its forms (own, and as seen from the neighbours), built once per shape.

    Shapes repeat (a few thousand distinct ones on any number of pages), so the selection of the
    features a neighbour sees is made once per shape, not once per line.
    """

    def __missing__(self, shape: tuple[str, ...]) -> LineFeatures:
        near = [f for f in shape if f.startswith(_NEAR_PREFIXES) or f in _NEAR_FLAGS]
        far = [f for f in near if f.startswith(("len", "end:")) or f in _FAR_FLAGS]
        own = tuple(map(_OWN.__getitem__, shape))
        value = self[shape] = (
            own,
            own,
            tuple(map(_PREV.__getitem__, near)),
            tuple(map(_NEXT.__getitem__, near)),
            tuple(map(_PREV2.__getitem__, far)),
            tuple(map(_NEXT2.__getitem__, far)),
        )
        return value


_FORMS = _Forms()


def _finish(shape: list[str], feats: list[str]) -> LineFeatures:
    """All the forms of a line's features at once, as shared strings.

    Shared (one copy of each name, looked up): a page repeats the same few hundred feature names,
    and the cache of distinct lines then holds pointers rather than a fresh copy of every name.
    """
    forms = _FORMS[tuple(shape)]
    return (forms[0] + tuple(map(_OWN.__getitem__, feats)), *forms[1:])


def date_header(text: str) -> bool:
    """A line that heads a post with its date: a date line, or a short line whose date comes early
    ("Written on: 3. 5. 2021 in the category: News")."""
    shape = text_features(text)[1]
    if "dateline" in shape:
        return True
    if "hasdate" not in shape or len(text) > 140:
        return False
    return find_dates(text)[0][0] <= DATE_HEAD_CHARS


_WORD = re.compile(r"[^\W\d_]{2,}")


def no_title(text: str) -> bool:
    """A line that cannot be a post's title: no words at all ("-", "* * *"), or a date with at
    most one word beside it ("October, 2013", "Thursday, May 9, 2013")."""
    if _WORD.search(text) is None:
        return True
    dates = find_dates(text) if len(text) <= 60 else []
    if not dates:
        return False
    rest, at = [], 0
    for start, end, _d, _p in dates:
        rest.append(text[at:start])
        at = end
    rest.append(text[at:])
    return len(_WORD.findall(" ".join(rest))) <= 1


def list_entry(text: str) -> bool:
    """A short line that names a piece and ends with its date: "Trade talks stall again,
    14 March 2022.", "“A Statesman Remembered”, Apr 2nd 2016" (not "Posted on 3 May 2019")."""
    if len(text) > 200 or text[0].isdigit() or "datelast" not in text_features(text)[1]:
        return False
    before = text[: find_dates(text)[-1][0]].strip(" ,;:-\u2013\u2014(")
    return len(before) >= ENTRY_TITLE_CHARS and "sentences" not in text_features(text)[1]


def _first_hit(text: str) -> tuple[int, int] | None:
    hits = load_gazetteer().find(text)
    if not hits:
        return None
    return hits[0].start, hits[-1].end


@lru_cache(maxsize=1 << 16)
def text_features(text: str) -> LineFeatures:
    """The features of a cleaned, non-empty line, in the forms ``LineFeatures`` lists.

    Written for speed (every distinct line of every page comes through here once): one word scan
    serves the case, length, language and word-class features; the tests that only short lines
    can pass are asked of short lines only. Templates the trained model gave almost no weight were
    dropped rather than computed for every line (all caps, a time, an image name, an archive
    header's kind, a URL, a caption mark, glued words, a listed name filling the line, a
    preposition before a name as a flag; docs/performance.md, eighth round). A feed item and
    another language carry little weight too but stay: the generated feed and foreign-language
    pages (tests/test_generator_truth.py) need them.
    """
    classes_of = load_lexicon().classes
    feats: list[str] = []
    n = len(text)
    split = text.split(None, 41)
    nwords = len(split) if len(split) <= 40 else max(41, n // 6)
    if text.endswith(("...", "\u2026", "[\u2026]", "[...]")):
        end_class = "..."
    else:
        end_class = _CLASS_OF[text[-1]]
    firsts = "".join(map(_FIRST_CHAR, split[:40]))
    ups, lows = cases(firsts)
    upper_share = ups / (ups + lows) if ups + lows else 0.0
    shape = [
        _LEN_NAMES[bisect_left(_LEN_EDGES, n)],
        _WORD_NAMES[bisect_left(_WORD_EDGES, nwords)],
        f"end:{end_class}",
        f"start:{_CLASS_OF[text[0]]}",
        f"caps{int(upper_share * 4)}",
    ]
    # what HEAD_WORD.findall(low_words(head)) and word_classes(" ".join(head_words)) give, read word by word
    readings = list(map(HEAD_READINGS.__getitem__, split[:FIRST_WORDS]))
    head_words = [w for ws, _c in readings for w in ws]
    classes = set().union(*[c for _ws, c in readings])
    if n > 200 and end_class in _PROSE_ENDS and firsts[0].isupper():
        cues = classes & _CUE_CLASSES
        if (not cues or (cues <= SOFT_CUES and not voice_in(text, 150))) and not (
            four_digit_year(text, 0, 150) or (n < 600 and is_bio(text))
        ):
            return _plain(shape, classes, head_words)
    sentences = n >= 400 or bool(_SENTENCE.search(text))
    if sentences:
        shape.append("sentences")
    if n <= 200:
        if title_like(text):
            shape.append("titlelike")
            if n <= 120 and nwords <= 20 and not sentences:
                shape.append("headline")
        if n < 150 and stated_date(text) is not None:
            shape.append("dateline")
        if is_feed_item(text):
            shape.append("feed")
        if n < 30 and is_widget_heading(text):
            shape.append("widget")
        if n < 120 and _BYLINE.match(text):
            shape.append("byline")
        if n < 60 and NAME.fullmatch(text):
            shape.append("nameonly")
    # a long line is prose: what it says comes early, and the short-line shapes cannot hold
    head = text[:150] if n > 200 else text
    dates = find_dates(head)
    if dates:
        shape.append("hasdate")
        if dates[0][0] <= 3:
            shape.append("datefirst")
        if dates[-1][1] >= n - 3:
            shape.append("datelast")
    if n < 600 and (" is " in text[:120] or " was " in text[:120]):
        if is_bio(text):
            shape.append("bio")
    if (text[0].isdigit() or text[0] == "[") and "dateline" not in shape and looks_like_note(text):
        feats.append("noteshape")  # a note or a numbered entry: the page around it decides (page_features)
    footer = load_lexicon().footer
    if n <= 80:
        m = footer.search(text.lower())
        if m and (n <= 30 or m.end() - m.start() >= n // 2):
            shape.append("footer")
    elif footer.search(text[-30:].lower()):
        shape.append("footer_end")
    if n > 60 and lows >= 7:
        function = sum(map(_EN_FUNCTION.__contains__, split[:40]))
        if 5 * function < lows:
            shape.append("foreign")
    hit = _first_hit(head if n <= 200 else text[:100])
    if hit is not None:
        shape.append("gaz")
        if hit[0] > 4 and hit[1] >= n - 2:  # a name that ends the line but does not fill it
            feats.append("gazend")
    prep_name = any(m.start() == 0 or not head[m.start() - 1].isalnum() for m in _PREP_NAME.finditer(head))
    # the blogger presenting a piece or an appearance: a word for it and a named outlet, early
    voice = classes & _VOICE
    if voice and (prep_name or hit is not None):
        shape += sorted(map(_CUE_NAMES.__getitem__, voice))
    if "first_person" in classes and voice - {"first_person"}:
        shape.append("cue:fp_work")
    rest = set().union(*map(WORD_CLASSES.__getitem__, split[FIRST_WORDS:30])) - classes
    shape += sorted(map(_CLASS_NAMES.__getitem__, classes))
    feats += sorted(map(_REST_NAMES.__getitem__, rest))
    if head_words:
        first = head_words[0]
        feats.append(f"w0:{first}")
        shape.append(f"w0c:{'|'.join(classes_of.get(first, ())) or '-'}")
        if len(head_words) > 1:
            feats.append(f"w01:{first} {head_words[1]}")
        last = split[-1].lower().strip(".,;:!?()[]\"\u201c\u201d\u2019'") if len(split) <= 40 else ""
        feats.append(f"wl:{last or '-'}")
    return _finish(shape, feats)


_NEAR_PREFIXES = ("len", "end:", "start:", "caps", "c:", "cue:")
_VOICE = frozenset({"piece", "publish", "appearance", "first_person"})
_NEAR_FLAGS = frozenset(
    {"sentences", "plain", "titlelike", "headline", "dateline", "hasdate", "datelast", "bio", "nameonly",
     "feed", "footer", "footer_end", "foreign", "gaz"}
)  # fmt: skip


_FAR_FLAGS = frozenset({"headline", "dateline", "footer", "sentences"})
