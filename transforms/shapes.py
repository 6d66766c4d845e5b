"""Shapes of single lines: headline-like, image name, caption, bio, feed item, widget heading, language.

These were the hand-written segmentation rules; they are now features of the line-role model
(see transforms/line_features.py), which learns how far to trust each one. The image name and
caption tests are no longer features of their own (they carried almost no weight in the trained
model): ``title_like`` and a post's anatomy (transforms/anatomy.py) still ask them. Cheap and
cached: every line of every page is asked.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.dates import stated_date
from transforms.folding import lowered
from transforms.text import clean

TITLE_MAX_CHARS = 200

_BIO = re.compile(
    r"^[A-Z][\w'\u2019.-]+(?:\s+[A-Z][\w'\u2019.-]+){1,3}\s+(?:is|was|has been)\s+"
    r"(?i:an?\s|the\s|director|senior|head|professor|fellow|visiting|associate|co-|chief|editor|research)"
)
_IMAGE = re.compile(
    r"^(?:screen\s*shot\b.*|[\w.-]*\.(?:jpe?g|png|gif|webp)|[0-9a-f]{8}-[0-9a-f-]{20,}.*|[\w-]*\d[\w-]*"
    r"|[a-z0-9]+(?:[-_][a-z0-9]+)+)$",
    re.I,
)
CAPTION = re.compile(
    r"(©|\bphoto\b|\bphotograph\b|illustration|getty|reuters/|afp\b|\bcourtesy\b|\bimage\b|banner image"
    r"|\(.*/.*\)\s*$)",
    re.I,
)
# Every alternative of CAPTION needs a "©" or one of these strings in lower case.
_CAPTION_NEEDS = ("/", "photo", "illustration", "getty", "afp", "courtesy", "image")
_SCREEN_SHOT = re.compile(r"^screen\s*shot\s+\d{4}-\d\d-\d\d", re.I)


@lru_cache(maxsize=1 << 16)
def has_caption_mark(text: str) -> bool:
    """A photo credit or caption mark ("©", "PHOTO:", "Getty", "(Reuters/...)")."""
    if "©" not in text:
        low = lowered(text)
        if low is not None and not any(w in low for w in _CAPTION_NEEDS):
            return False
    return bool(CAPTION.search(text))


def is_image_name(line: str) -> bool:
    """Image file names and ids left by the page dump ("img_0356", "Screen Shot 2020-...")."""
    text = clean(line)
    if " " in text and "Screen Shot" not in text:
        return text[:1] in ("s", "S", "\u017f") and bool(_SCREEN_SHOT.match(text))
    return (
        bool(text)
        and " " not in text.replace("Screen Shot", "ScreenShot")
        and bool(_IMAGE.match(text))
        or bool(_SCREEN_SHOT.match(text))
    )


def is_bio(line: str) -> bool:
    """'A B is a senior fellow at ...': an author's bio line."""
    return bool(_BIO.match(clean(line)))


_FEED_ITEM = re.compile(
    r"(?:\b(?:\d{1,3}|an?|about\s+(?:an?|\d{1,3}))\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)"
    r"\s+ago|\bjust\s+now)\s*$|^(?:RT\s+)?@\w+",
    re.I,
)


def is_feed_item(text: str) -> bool:
    """A tweet or status line of a feed block ("... 5 hours ago", "RT @x: ...")."""
    if len(text) >= 320 or not (text.endswith(("ago", "now")) or text.startswith(("@", "RT @"))):
        return False
    return bool(_FEED_ITEM.search(text.rstrip()))


EN_FUNCTION = frozenset(
    "the a an and of to in is are was were that this for on with as at by it its be been has have had "
    "but not from or which who will would there their they we our you he she his her about more than "
    "into over after so what when up out one all also can just some my me am do did such however while "
    "these those them may should could might being very most other only then yet if because before "
    "between both each how here now own same through under where why your any even still much many "
    "well since against during".split()
)
_LOWER_WORD = re.compile(r"(?<![\w'\u2019-])[^\W\d_A-Z\u00c0-\u00de\u0410-\u042f][^\W\d_]*")


@lru_cache(maxsize=1 << 16)
def is_english(sentence: str) -> bool:
    """False for text in another language (few English function words among its lower-case words)."""
    words = _LOWER_WORD.findall(sentence[:1].lower() + sentence[1:600])
    if len(words) < 7:
        return True
    return 5 * sum(map(EN_FUNCTION.__contains__, map(str.lower, words))) >= len(words)


_WIDGET_HEADINGS = frozenset(
    {"recent posts", "recent comments", "recent tweets", "latest tweets", "latest posts", "top posts",
     "popular posts", "about me", "about the author", "about this blog", "follow me on twitter", "blog stats",
     "post navigation", "share this", "like this", "leave a reply", "search this site", "email subscription",
     "follow blog via email", "older posts", "newer posts", "older entries", "newer entries", "blogroll",
     "archives", "categories", "meta", "tags", "about", "about this site", "links", "subscribe", "blog",
     "skip to main content", "skip to content", "top of page", "menu", "search", "home"}
)  # fmt: skip


def is_widget_heading(text: str) -> bool:
    """'Recent Posts', 'About me', 'Archives': a sidebar widget's heading or a skip link."""
    return len(text) < 30 and text.lower().rstrip(" :") in _WIDGET_HEADINGS


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@lru_cache(maxsize=1 << 16)
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
