"""Readings of where posts begin and end that the line model meets too rarely to learn: applied
by ``transforms/line_roles.read_page`` after the model's labels, in its order, as the closing
furniture block and the post-head layouts of ``transforms/head_readings.py`` are.

Each is a shape many blogs share (an archive's header, a teaser's "Continue reading" link that
quotes the title, a comment section, a post's comment count, a closing link left between two posts,
a sentence that runs on over a line break, a category heading over a round-up), never a page's
text. Each takes the page's labels (``transforms.labels.LINE_LABELS``) and its lines, and
relabels in place. Their phrases are the lexicon's (``transforms/data/lexicon.json``: furniture
phrases, comment openers and counts); their limits are hand-set and named here.
"""

from __future__ import annotations

import re

from transforms.archive import HEADER_SEARCH_LINES, header_kind
from transforms.head_readings import end_label, title_first_tail
from transforms.labels import HEADER_MAX_CHARS, START_LABELS, loose
from transforms.lexicon import load_lexicon
from transforms.line_features import list_entry, text_features


def above_the_archive_header(labels: list[str], texts: list[str], index: list[int]) -> None:
    """The archive's header ("Tag: Trade", "Archive for June, 2008") among the page's first
    lines heads the list of posts: it and the lines above it (the site's furniture, or the end of
    a post the excerpt begins inside) are outside every post. Not when a post with a title was
    read above it (then the line is no page header, but a post's own category line)."""
    for k, text in enumerate(texts):
        if index[k] >= HEADER_SEARCH_LINES:
            return
        if header_kind(text) is not None:
            for m in range(k + 1):
                labels[m] = "O"
            # a post the model opened above the header now opens under it
            if k + 1 < len(labels) and labels[k + 1] in _OPENING:
                labels[k + 1] = _OPENING[labels[k + 1]]
            return
        if labels[k] in ("T", "ST"):
            return


# the start label of a post's first line, from the label it had as a later line of the post
_OPENING = {"I": "SI", "T": "ST", "D": "SH", "Dt": "SH"}


# a quoted name at a line's end: "... Continue reading “Title”" (the words before it are read
# with the lexicon's furniture phrases)
_QUOTED_END = re.compile(r"[\"\u201c\u2018']([^\"\u201d\u2019]{4,200})[\"\u201d\u2019']\s*$")
_CLOSING_QUOTES = "\"'\u201d\u2019"
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z])")
LINK_LOOKBACK = 6
"""Lines above a teaser's closing link where the title it names is looked for (title, a standfirst
or a date, the teaser's paragraphs)."""


def titles_named_by_links(labels: list[str], texts: list[str]) -> None:
    """A line that a teaser's closing link names ("... Continue reading “Title”") is that post's
    title, and the post opens with it: whatever the model made of it (an intro, when the title
    reads like sentences: "A decade on, more or less. A farewell piece for the Paper"). The
    lines from it to the link are the teaser's. The link's words are the blog's own statement of
    the title, so this is a deterministic reading, as the closing furniture block is."""
    quoted = [i for i, t in enumerate(texts) if t[-1] in _CLOSING_QUOTES and len(t) >= 20]
    for i in quoted:
        text = texts[i]
        if labels[i] == "O":
            continue
        m = _QUOTED_END.search(text)
        if m is None:
            continue
        # the link is often glued to the teaser's last word ("...would giveContinue reading")
        before = _GLUED.sub(" ", text[max(0, m.start() - 25) : m.start()])
        if not load_lexicon().footer.search(before.lower()):
            continue
        named = loose(m.group(1))
        at = next(
            (k for k in range(i, max(-1, i - LINK_LOOKBACK - 1), -1) if loose(texts[k]) == named and k < i),
            None,
        )
        if at is None or labels[at] in ("T", "ST"):
            continue
        labels[at] = "ST"
        for k in range(at + 1, i + 1):
            labels[k] = _AFTER_TITLE.get(labels[k], labels[k])


def headers_over_round_ups(labels: list[str], texts: list[str]) -> None:
    """A short heading the model read as a post of its own line ("ST" and nothing under it) right
    above a title-less round-up's heading: it is the round-up's header (a category label: "Radio
    Video Europe"), the round-up opens with it and its heading is its first intro line, as
    ``line_roles._date_headers`` reads a date there. Not an entry of a list of titles (one "ST"
    after another).
    Likewise a short heading read as a round-up of its own line ("Recent Interviews") above the
    round-up's first line: one round-up, not two."""
    for i in range(1, len(labels)):
        if labels[i] != "SR" or labels[i - 1] not in ("ST", "SR") or (i > 1 and labels[i - 2] == "ST"):
            continue
        head, shape = texts[i - 1], text_features(texts[i - 1])[1]
        if len(head) > HEADER_MAX_CHARS or "headline" not in shape or "footer" in shape or list_entry(head):
            continue
        if labels[i - 1] == "ST" and "headline" not in text_features(texts[i])[1]:
            continue
        labels[i - 1], labels[i] = "SR", "I"


def sentences_run_on(labels: list[str], texts: list[str]) -> None:
    """A post whose first line's sentence began on the line above ("The morning show, today," then
    "was more fun than I expected"): a line that ends mid-sentence (a comma, a word) over a line
    that opens in lower case is the same paragraph, so a post starts on the upper line. Applied
    where the model left that line outside and opened the post on the lower one."""
    for i in range(len(labels) - 1):
        if labels[i] != "O" or labels[i + 1] not in ("SI", "SR"):
            continue
        upper, lower = texts[i], texts[i + 1]
        if not lower[0].islower() or upper[-1] in ".!?:;\u2026" or "footer" in text_features(upper)[1]:
            continue
        labels[i], labels[i + 1] = labels[i + 1], "I"


COMMENT_OPENER_CHARS = 80
"""A comment section's first line ("Leave a Reply", "Jane Doe said...") is at most this long."""


def comment_sections(labels: list[str], texts: list[str]) -> None:
    """A comment section (from "Leave a Reply", "3 Responses to ...", "Jane Doe said...") up to
    the next post's start is outside every post, as the gold's convention has it: the model,
    which sees few comment sections, runs a post's body on through them. The lexicon's comment
    openers say where one begins; a commenter's line the model opened a post on is one too."""
    n, end = len(labels), 0
    for i in [k for k, t in enumerate(texts) if _opens_comment(t)]:
        if i < end or i == 0 or not _dated_if_colon(texts, i):
            continue
        labels[i] = "O"
        end = i + 1
        while end < n and (labels[end] not in START_LABELS or _opens_comment(texts[end])):
            labels[end] = "O"
            end += 1


def comment_counts(labels: list[str], texts: list[str]) -> None:
    """A post's link to its comments ("1 Comment") that the model read as the next post's header:
    it closes the post above, and the title under it opens the next post."""
    count = load_lexicon().comment_count
    for i in range(1, len(labels)):
        if labels[i] not in START_LABELS or labels[i - 1] == "O" or len(texts[i]) > CLOSING_LINK_CHARS:
            continue
        if count.match(texts[i]) is None:
            continue
        labels[i] = end_label(labels[i - 1])
        if i + 1 < len(labels) and labels[i + 1] == "T":
            labels[i + 1] = "ST"
            title_first_tail(labels, i + 2)


def _dated_if_colon(texts: list[str], i: int) -> bool:
    """A commenter's line that ends with a colon ("Jane Doe says:") opens a comment only with the
    comment's date right under it: "The minister said:" introduces a quote in a piece's body."""
    if not texts[i].endswith(":"):
        return True
    return i + 1 < len(texts) and "hasdate" in text_features(texts[i + 1])[1]


_SIGNATURE_ENDS = frozenset(".:\u2026")  # how a commenter's line ends ("said...", "says:")


def _opens_comment(text: str) -> bool:
    """The lexicon's comment opener, or a commenter's line (tried only on a line ending as one)."""
    if len(text) > COMMENT_OPENER_CHARS:
        return False
    lexicon = load_lexicon()
    if lexicon.comment_opener.match(text) is not None:
        return True
    return text[-1] in _SIGNATURE_ENDS and lexicon.comment_signature.match(text) is not None


CLOSING_LINK_CHARS = 30
"""A post's closing link ("Read More", "Continue reading") is at most this long (as labels.py's
furniture lines)."""


def closing_links_between_posts(labels: list[str], texts: list[str]) -> None:
    """A closing link ("Read More") that the model left outside, between a post's last line and the
    next post's first, is the end of the post above (the gold's end_line convention); a widget
    heading there ("Share this:") stays outside, and so does the page's closing block."""
    for i in range(1, len(labels) - 1):
        if labels[i] != "O" or labels[i - 1] == "O" or labels[i + 1] not in START_LABELS:
            continue
        text, shape = texts[i], text_features(texts[i])[1]
        if len(text) > CLOSING_LINK_CHARS or "footer" not in shape or "widget" in shape:
            continue
        labels[i] = end_label(labels[i - 1])


# what a line after a title-first post's title is, from what the model made of it
_AFTER_TITLE = {
    "SI": "Bt",
    "SH": "Bt",
    "SR": "Bt",
    "ST": "Bt",
    "I": "Bt",
    "T": "Bt",
    "B": "Bt",
    "D": "Dt",
    "E": "Et",
}
