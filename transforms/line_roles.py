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
from transforms.line_features import page_features
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


def read_page(page: PageLines, tagger) -> tuple[list[str], list[Segment]]:
    """Line labels of a page (``tagger``: the line-role CRF) and the posts they delimit.

    When the labels hold no post at all, the line the model thought likeliest to open one opens
    the only post (its low confidence puts it on the quality page): a readable page is never
    refused for a layout the model does not know.
    """
    labels = tagger.tag(page.features())
    known = set(tagger.labels())
    starts = [s for s in START_LABELS if s in known]
    titles = [t for t in ("T", "ST") if t in known]
    n = len(labels)
    cache: dict[tuple[int, bool], float] = {}

    def prob(k: int, title: bool) -> float:  # marginals are asked only where a post opens
        key = (k, title)
        if key not in cache:
            cache[key] = sum(tagger.marginal(lab, k) for lab in (titles if title else starts))
        return cache[key]

    found = segments(labels, _Lazy(n, lambda k: prob(k, False)), _Lazy(n, lambda k: prob(k, True)))
    if not found and n:
        k = max(range(n), key=lambda i: (prob(i, False), -i))
        rest = [j for j in range(k, n) if labels[j] != "O" or j == k]
        title = max(rest, key=lambda j: (prob(j, True), -j))
        labels = list(labels)
        labels[k] = "SI" if title != k else "ST"
        found = [
            Segment(
                members=rest,
                title=title if prob(title, True) >= 0.05 else None,
                confidence=round(prob(k, False), 3),
            )
        ]
    return list(labels), found


class _Lazy:
    """A list-like view of per-line probabilities, computed when first read."""

    def __init__(self, n: int, get) -> None:
        self._n, self._get = n, get

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, k: int) -> float:
        return self._get(k)
