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

from transforms.labels import START_LABELS
from transforms.line_features import page_features, text_features
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

    def features(self) -> list[list[str]]:
        return page_features(self.texts, self.blank_before)

    def runs(self) -> list[tuple[int, int]]:
        """Spans (first, last) of the items the model labels: a line, or a run of plain prose lines.

        Why runs: a piece's body is many long paragraphs of plain prose (no cue word early, no
        date); read one by one they teach the chain of labels that a body goes on and on, which
        drowns the few lines where a post ends and the next one's intro begins. A run is one item
        with one label, so that evidence is weighed once; and the model reads fewer items.
        """
        out: list[tuple[int, int]] = []
        for k, t in enumerate(self.texts):
            if out and _plain(t) and _plain(self.texts[out[-1][1]]) and out[-1][1] == k - 1:
                out[-1] = (out[-1][0], k)
            else:
                out.append((k, k))
        return out

    def items(self) -> tuple[list[tuple[int, int]], list[list[str]]]:
        """The runs and the features of each (its first line's, looking past its last line)."""
        lines = self.features()
        runs = self.runs()
        feats: list[list[str]] = []
        for a, b in runs:
            if a == b:
                feats.append(lines[a])
                continue
            row = [f for f in lines[a] if not f.startswith(("+1:", "+2:"))]
            row += [f for f in lines[b] if f.startswith(("+1:", "+2:"))]
            row.append(f"run{min(b - a + 1, 4)}")
            feats.append(row)
        return runs, feats


# the label of a run's later lines: a run opens a post, a title or a date line only at its first
_CONTINUE = {"SI": "I", "SH": "I", "SR": "I", "ST": "Bt", "T": "B", "D": "B", "Dt": "Bt"}


def _plain(text: str) -> bool:
    return "plain" in text_features(text)[1]


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


def segments(labels: list[str], start_prob, title_prob) -> list[Segment]:
    """Posts from line labels: a start label opens one, an outside line closes it.

    A title with no start before it (the model's start was outside) opens a post of its own
    (a title-first post), so a found title is never dropped.
    """
    out: list[Segment] = []
    current: Segment | None = None
    for k, label in enumerate(labels):
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


START_THRESHOLD = 0.35
"""A line the model gives at least this probability of opening a post opens one, even where the
single best chain of labels runs on through it: the chain's preference for a body to go on would
otherwise hide an intro that follows a body with nothing between (no bio, no furniture). Measured
on the cross-validation folds and on generated pages (see the README's extraction section)."""
TITLE_THRESHOLD = 0.2
TITLE_LOOKAHEAD = 6


def read_page(page: PageLines, tagger) -> tuple[list[str], list[Segment]]:
    """Line labels of a page (``tagger``: the line-role CRF) and the posts they delimit.

    Labels come from the best chain; starts also from each item's marginal probability of opening
    a post (``START_THRESHOLD``), a new start taking the likeliest title within the next items.
    When nothing opens a post, the item the model thought likeliest to open one opens the only
    post (its low confidence puts it on the quality page): a readable page is never refused for a
    layout the model does not know.
    """
    runs, feats = page.items()
    labels_i = list(tagger.tag(feats))
    known = set(tagger.labels())
    starts = [s for s in START_LABELS if s in known]
    n = len(runs)
    start_p = [[tagger.marginal(s, i) for s in starts] for i in range(n)]
    p_start = [sum(row) for row in start_p]
    p_title = [sum(tagger.marginal(t, i) for t in ("T", "ST") if t in known) for i in range(n)]
    for i in range(n):
        if labels_i[i] not in START_LABELS and p_start[i] >= START_THRESHOLD:
            labels_i[i] = starts[max(range(len(starts)), key=lambda j: start_p[i][j])]
            _give_title(labels_i, p_title, i)
    if n and not any(lab in START_LABELS for lab in labels_i):
        i = max(range(n), key=lambda j: (p_start[j], -j))
        labels_i[i] = "SI"
        for j in range(i + 1, n):
            if labels_i[j] == "O":
                labels_i[j] = "B"
        _give_title(labels_i, p_title, i)
    labels = [
        lab if k == a else _CONTINUE.get(lab, lab)
        for (a, b), lab in zip(runs, labels_i, strict=True)
        for k in range(a, b + 1)
    ]
    item_of = [i for i, (a, b) in enumerate(runs) for _ in range(a, b + 1)]
    found = segments(
        labels,
        [p_start[item_of[k]] for k in range(len(labels))],
        [p_title[item_of[k]] for k in range(len(labels))],
    )
    return labels, found


def _give_title(labels: list[str], p_title: list[float], i: int) -> None:
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


class _Lazy:
    """A list-like view of per-line probabilities, computed when first read."""

    def __init__(self, n: int, get) -> None:
        self._n, self._get = n, get

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, k: int) -> float:
        return self._get(k)
