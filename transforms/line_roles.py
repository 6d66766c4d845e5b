"""Line roles of a page from the line-role CRF, and the posts they delimit.

The model labels each non-empty line with one of ``transforms.labels.LINE_LABELS`` (outside,
post start in four shapes, intro, title, date line, body, post end). A post is a run of lines
from a start label up to the next start or the next line outside every post. Its confidence is
the model's marginal probability that its first line starts a post: a boundary the model was
unsure of shows up as a low-confidence post on the dashboard's quality page, instead of the
page being refused for its layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transforms import edge_readings
from transforms.head_readings import (
    bodiless_heads,
    date_headed_posts,
    dates_outside_posts,
    end_label,
    list_headings,
    outlet_headings,
    repeated_heads,
    title_first_tail,
)
from transforms.labels import START_LABELS
from transforms.lexicon import load_lexicon
from transforms.line_features import date_header, list_entry, no_title, text_features
from transforms.line_marginals import StartProbs, TitleProbs
from transforms.page_features import interior, page_features
from transforms.page_layout import trailing_furniture
from transforms.text import clean, split_lines


@dataclass
class PageLines:
    """A page's physical lines and the non-empty ones the models read."""

    lines: list[str]
    index: list[int]  # 0-based physical line of each non-empty line
    texts: list[str]  # cleaned text of each non-empty line
    blank_before: list[int]

    @classmethod
    def of(cls, text: str | list[str], until: int | None = None) -> PageLines:
        lines = split_lines(text) if isinstance(text, str) else text
        index: list[int] = []
        texts: list[str] = []
        blank_before: list[int] = []
        blanks = 0
        for i, raw in enumerate(lines[:until] if until is not None else lines):
            t = clean(raw)
            if not t or not t.replace("\u200b", "").replace("\ufeff", "").strip():
                blanks += 1
                continue
            index.append(i)
            texts.append(t)
            blank_before.append(blanks)
            blanks = 0
        return cls(lines, index, texts, blank_before)

    def features(self, skip: list[bool] | None = None) -> list[list[str]]:
        return page_features(self.texts, self.blank_before, skip)

    def items(self) -> tuple[list[int], list[list[str]]]:
        """The lines the line-role model reads (all but the inside of plain-prose runs) and their features."""
        skip = interior(self.texts)
        feats = self.features(skip)
        keep = [k for k in range(len(self.texts)) if not skip[k]]
        return keep, [feats[k] for k in keep]

    def furniture_from(self) -> int:
        """First line of the furniture block that closes the page (comment form, share buttons)."""
        return trailing_furniture(self.texts, [text_features(t)[1] for t in self.texts])


@dataclass
class Segment:
    """One post as the line roles delimit it (positions into ``PageLines.texts``)."""

    members: list[int] = field(default_factory=list)
    title: int | None = None
    confidence: float = 1.0

    @property
    def start(self) -> int:
        return self.members[0]

    @property
    def end(self) -> int:
        return self.members[-1]


def segments(
    labels: list[str], start_prob: list[float] | StartProbs, title_prob: list[float] | TitleProbs
) -> list[Segment]:
    """Posts from line labels: a start label opens one, an outside line closes it.

    A title with no start before it (the model's start was outside) opens a post of its own
    (a title-first post), so a found title is never dropped; so does an intro line or a title that
    comes after a post's title (the chain of labels missed the start between them). Numbered lines
    that no post holds (notes need a piece above them) are a list's entries, a post each.
    """
    out: list[Segment] = []
    current: Segment | None = None
    entries = False  # in a run of numbered lines that no post holds: a list, one entry a post
    for k, label in enumerate(labels):
        if label == "N" and (current is None or entries):
            # notes belong to a post; numbered lines outside every post are the entries of a list
            # ("1. Title, Outlet, date."), each a post that opens with its title
            current = Segment(members=[k], confidence=round(max(start_prob[k], title_prob[k], 0.0), 3))
            current.title = k
            out.append(current)
            entries = True
            continue
        entries = False
        # an intro line or a second title after a post's title (the chain skipped a start) opens the next post
        late = current is not None and current.title is not None and label in ("I", "T")
        if late and current is not None:
            # the missed start is the likeliest of this line and the few just before it
            tail = [m for m in current.members[-LATE_LOOKBACK:] if m > (current.title or 0)]
            first = max([*tail, k], key=lambda m: (start_prob[m], m))
            moved = [m for m in current.members if m >= first]
            current.members = [m for m in current.members if m < first]
            current = Segment(
                members=[*moved, k] if first != k else [k], confidence=round(start_prob[first], 3)
            )
            if label == "T":
                current.title = k
            out.append(current)
            continue
        if label in START_LABELS or (label == "T" and current is None):
            current = Segment(members=[k], confidence=round(max(start_prob[k], 0.0), 3))
            if label == "ST" or label == "T":
                current.title = k
            out.append(current)
        elif label == "O":
            current = None
        elif current is not None:
            current.members.append(k)
            if label == "T" and current.title is None:
                current.title = k
    for seg in out:
        if seg.title is not None and seg.title != seg.start:
            seg.confidence = round(min(seg.confidence, max(title_prob[seg.title], 0.0)), 3)
    return out


# the label of a line inside a plain-prose run, from the line before it
_CONTINUE = {"SI": "I", "SH": "I", "SR": "I", "ST": "Bt", "T": "B", "D": "B", "Dt": "Bt"}
TITLE_THRESHOLD = 0.2
LATE_LOOKBACK = 3
TITLE_LOOKAHEAD = 6


def read_page(page: PageLines, tagger, start_threshold: float) -> tuple[list[str], list[Segment]]:
    """Line labels of a page (``tagger``: the line-role CRF) and the posts they delimit.

    Labels come from the best chain; starts also from each item's marginal probability of opening
    a post: a line given at least ``start_threshold`` opens one (a new start taking the likeliest
    title within the next items), even where the best chain runs on through it, since the chain's
    preference for a body to go on would otherwise hide an intro that follows a body with nothing
    between (no bio, no furniture). The threshold is the model's (``Model.start_threshold``),
    fitted in training (transforms/training.py).
    When nothing opens a post, the item the model thought likeliest to open one opens the only
    post (its low confidence puts it on the quality page): a readable page is never refused for a
    layout the model does not know. Deterministic readings follow the model's: the closing
    furniture block (``closing_block``), the post-head layouts of ``transforms/head_readings.py``,
    the readings of posts' edges of ``transforms/edge_readings.py`` (archive headers, comment
    sections, closing links), date headers (``_date_headers``), lists of dated entries
    (``_list_entries``) and titles after a teaser's "Continue reading" (``_after_closing_links``):
    layouts that 81 annotated pages show too rarely for the model to learn.
    """
    keep, feats = page.items()
    labels = list(tagger.tag(feats))
    known = set(tagger.labels())
    starts = [s for s in START_LABELS if s in known]
    n = len(labels)
    p_start = StartProbs(tagger, known, starts)
    p_title = TitleProbs(tagger, known, p_start)
    for i in range(n):
        label = labels[i]
        if label in START_LABELS or not p_start.may_reach(i, label, start_threshold):
            continue
        if p_start[i] >= start_threshold:
            row = p_start.row(i)
            start = starts[max(range(len(starts)), key=lambda j: row[j])]
            if start == "ST" and _byline(page.texts[keep[i]]):
                continue
            labels[i] = start
            _give_title(labels, p_title, i)
    # back to every line: the inside of a plain-prose run continues the line before it
    at = {k: i for i, k in enumerate(keep)}
    full: list[str] = []
    for k in range(len(page.texts)):
        i = at.get(k)
        full.append(_CONTINUE.get(full[-1], full[-1]) if i is None else labels[i])
    labels, n = full, len(full)
    p_start.lines = p_title.lines = at
    # the block of furniture that closes a page (a comment form, share buttons, "Older posts") is
    # never part of a post: a deterministic reading, as the old parser's, not left to the model
    for i in range(closing_block(page.texts, labels, page.furniture_from()), n):
        labels[i] = "O"
    edge_readings.above_the_archive_header(labels, page.texts, page.index)
    repeated_heads(labels, page.texts)
    dates_outside_posts(labels, page.texts)
    list_headings(labels, page.texts)
    bodiless_heads(labels, page.texts)
    _date_headers(labels, p_start, page.texts)
    date_headed_posts(labels, page.texts)
    _headers_under_untitled_intros(labels)
    _list_entries(labels, page.texts)
    _after_closing_links(labels, page.texts)
    edge_readings.titles_named_by_links(labels, page.texts)
    edge_readings.headers_over_round_ups(labels, page.texts)
    edge_readings.sentences_run_on(labels, page.texts)
    edge_readings.closing_links_between_posts(labels, page.texts)
    edge_readings.comment_sections(labels, page.texts)
    edge_readings.comment_counts(labels, page.texts)
    outlet_headings(labels, page.texts)
    if n and not any(lab in START_LABELS or lab == "N" for lab in labels):  # "N": a list's entries
        i = max(range(n), key=lambda j: (p_start[j], -j))
        labels[i] = "SI"
        for j in range(i + 1, n):
            if labels[j] == "O":
                labels[j] = "B"
        _give_title(labels, p_title, i)
    return labels, segments(labels, p_start, p_title)


def closing_block(texts: list[str], labels: list[str], start: int) -> int:
    """Where the page's closing furniture block begins, given where its furniture-like lines do.

    Lines that repeat a line of a post above it (the posts' own template: "Posted in Columns"
    under every title) are the last post's, not the page's furniture: the block starts after them.
    """
    inside = {texts[k] for k in range(start) if labels[k] != "O"}
    while start < len(texts) and texts[start] in inside:
        start += 1
    return start


def _date_headers(labels: list[str], p_start: list[float] | StartProbs, texts: list[str]) -> None:
    """A date line right above a post's heading opens that post, as its header.

    Blogs that head each post with its date ("Thursday, May 9, 2013", "3 Feb2019",
    "Written on: 3. 5. 2021 in the category: ...") and then its title: the date is the post's
    first line ("SH") and the title its title; above a round-up's heading, the date opens the
    round-up. Applied where the model left the date outside every post or opened a post of its
    own there; a date below a title, or inside the post before, stays as the model read it. A
    deterministic reading, like the closing furniture block. (Not above an intro paragraph:
    "Posted: <date>" between a blog title and the intro is the blog's header, outside the post.)
    Likewise a post the model opened with its title on a line that cannot be a title (a bare
    date, a list bullet "-"): that line is the header, the one under it the title.
    """
    for i in range(1, len(labels)):
        opens = labels[i] in ("ST", "SR") or (labels[i] == "T" and labels[i - 1] == "O")
        if not opens or labels[i - 1] not in ("O", *START_LABELS) or not date_header(texts[i - 1]):
            continue
        if labels[i] == "SR":
            if "headline" not in text_features(texts[i])[1]:
                continue
            labels[i - 1], labels[i] = "SR", "I"
        else:
            labels[i - 1], labels[i] = "SH", "T"
        p_start[i - 1] = max(p_start[i - 1], p_start[i])
    # a post the model opened with its title on a line that cannot be one (a bare date, a bullet):
    # that line is the post's header and the line under it the title, also where the model left
    # that line outside (a list's first entry under the page's heading): a header heads something
    for i in range(len(labels) - 1):
        if labels[i] != "ST" or labels[i + 1] in START_LABELS or not no_title(texts[i]):
            continue
        if labels[i + 1] == "O" and not _may_head_below(texts[i + 1]):
            continue
        labels[i], labels[i + 1] = "SH", "T"


def _byline(text: str) -> bool:
    """ "By A and B": a piece's authors under its title. It titles no post, so the start
    marginals do not open a title-first post on it (the chain may still, with its context)."""
    return "byline" in text_features(text)[1]


def _headers_under_untitled_intros(labels: list[str]) -> None:
    """A header ("SH": a short line, a dated image name) right under an intro that has no title
    yet: an intro ("SI") opens a post whose title follows, so the header is more of that intro
    (an image's caption between the intro and the title), not a new post's first line."""
    for i in range(1, len(labels)):
        if labels[i] != "SH":
            continue
        m = i - 1
        while m > 0 and labels[m] == "I":
            m -= 1
        if labels[m] == "SI":
            labels[i] = "I"


def _may_head_below(text: str) -> bool:
    """A line that can be the title under a post's header: words, and no furniture phrase."""
    shape = text_features(text)[1]
    return not no_title(text) and "footer" not in shape and "widget" not in shape


ENTRY_RUN = 3
"""Lines that name a piece and end with its date, this many or more with at most one other line
between each two, are a list of pieces (hand-set)."""


def _list_entries(labels: list[str], texts: list[str]) -> None:
    """A list of pieces without numbers ("Title, 25 February 2022." line after line): one post each.

    Each entry opens a post with its title ("ST"); a line between two entries (a comment on the
    one above) belongs to the entry above it. An entry right under an intro whose post
    has no title yet is that post's title: a list's shared intro goes with its first entry. The
    model, which meets few such lists, tends to read them as one post's body. Numbered lists
    are the model's own (label "N"); lines it put outside every post are left out. A heading
    between two entries (a section's or a publication's name: a short headline with no date) is
    the page's, outside every post.
    """
    entries = [k for k, t in enumerate(texts) if labels[k] != "O" and list_entry(t)]
    runs: list[list[int]] = []
    for k in entries:
        if runs and k - runs[-1][-1] <= 2:
            runs[-1].append(k)
        else:
            runs.append([k])
    for run in runs:
        if len(run) < ENTRY_RUN:
            continue
        for j, k in enumerate(run):
            labels[k] = "T" if j == 0 and _intro_above(labels, texts, k) else "ST"
            if j + 1 < len(run):
                for m in range(k + 1, run[j + 1]):
                    if _between_heading(texts[m]):
                        labels[m] = "O"
                    elif labels[m] in START_LABELS or labels[m] in ("T", "I", "O"):
                        labels[m] = "Bt"


HEADING_WORDS = 6
"""A heading between a list's entries (a section's, a publication's name) has at most this many
words; a comment on an entry is a sentence (hand-set)."""


def _between_heading(text: str) -> bool:
    shape = text_features(text)[1]
    return "headline" in shape and "hasdate" not in shape and len(text.split()) <= HEADING_WORDS


def _after_closing_links(labels: list[str], texts: list[str]) -> None:
    """A teaser closes at its "Continue reading" (a short furniture-shaped line right after prose):
    a title-like line that the model ran on after it, with no furniture phrase in it (not a
    comment form's "... to log in"), opens the next post with its title."""
    for i in range(1, len(labels) - 1):
        link, nxt = texts[i], texts[i + 1]
        if labels[i] == "O" or len(link) > 30 or "footer" not in text_features(link)[1]:
            continue
        if labels[i + 1] in START_LABELS or labels[i + 1] in ("O", "E", "Et", "N"):
            continue
        before, shape = text_features(texts[i - 1])[1], text_features(nxt)[1]
        if not _prose_shape(before) or "titlelike" not in shape or len(nxt) > 120:
            continue
        if load_lexicon().footer.search(nxt.lower()):  # "Fill in your details below ... to log in"
            continue
        labels[i] = end_label(labels[i])
        labels[i + 1] = "ST"
        title_first_tail(labels, i + 2)


_PROSE_LENGTHS = frozenset({"len4", "len5", "len6"})


def _prose_shape(shape: tuple[str, ...]) -> bool:
    """Sentences, or a paragraph's length (a teaser cut short with "..." has no sentence break)."""
    return "sentences" in shape or "plain" in shape or not _PROSE_LENGTHS.isdisjoint(shape)


def _intro_above(labels: list[str], texts: list[str], k: int) -> bool:
    """The post that line k would continue opened with an intro or a header and has no piece yet.

    No piece yet: no title, or only a line the model took for one among the intro's lines (a
    publication's logo line between a list's intro and its first entry), with no body or date line
    after it. That line then goes back to the intro: the list's first entry is the title. Not when
    the "intro" follows an entry of a list (a comment on that entry, not the start of a list).
    """
    titled = None
    for m in range(k - 1, -1, -1):
        if labels[m] in ("ST", "O", "SR") or (labels[m] != "T" and labels[m] not in ("SI", "SH", "I")):
            return False
        if labels[m] == "T":
            if titled is not None:
                return False
            titled = m
        if labels[m] in ("SI", "SH"):
            if titled is not None:
                if m > 0 and list_entry(texts[m - 1]):
                    return False
                labels[titled] = "I"
            return True
    return False


def _give_title(labels: list[str], p_title: list[float] | TitleProbs, i: int) -> None:
    """A start the marginals added: its title is the likeliest one in the next few items (if any)."""
    if labels[i] == "ST":
        return
    stop = next(
        (j for j in range(i + 1, len(labels)) if labels[j] in START_LABELS or labels[j] == "O"), len(labels)
    )
    window = range(i + 1, min(stop, i + 1 + TITLE_LOOKAHEAD))
    if any(labels[j] == "T" for j in window):
        return
    best = max(window, key=lambda j: p_title[j], default=None)
    if best is None or p_title[best] < TITLE_THRESHOLD:
        labels[i] = "SR" if labels[i] in ("SI", "SH") else labels[i]
        return
    for j in range(i + 1, best):
        if labels[j] in ("B", "Bt", "E", "Et"):
            labels[j] = "I"
    labels[best] = "T"
