"""The page's repeating layout, as features: posts on one page are built alike.

An archive page repeats one template per post: "title / teaser / Continue reading", "outlet /
date / paragraph", "date / title / category / intro / body". Whatever the template, a line that
sits where the first post's first line sat, one period later, is likely to open a post too. A
first-order CRF cannot see that far, so the page's period (the smallest p for which line k and
line k+p look alike) and each line's phase in it are computed here and given to the line-role
model as features; how much to trust them is learned.

Lists of one-line entries repeat with period 1; for them, a line shaped like its neighbours
(same opening, same ending, a date in the same place) is what gives the list away.
"""

from __future__ import annotations

from functools import lru_cache

from transforms.line_features import FeatureNames

MIN_PERIOD, MAX_PERIOD = 2, 6
MIN_COVER = 0.5


@lru_cache(maxsize=1 << 12)  # shapes repeat: a few thousand distinct ones on any number of pages
def line_class(shape: tuple[str, ...]) -> str:
    """One letter for a line's coarse shape: Headline, Date line, Furniture, Long prose, Short."""
    if "footer" in shape or "widget" in shape:
        return "F"
    if "dateline" in shape:
        return "D"
    if "headline" in shape:
        return "H"
    if "sentences" in shape or any(f in shape for f in ("len3", "len4", "len5", "len6")):
        return "P"
    return "S"


@lru_cache(maxsize=1 << 12)
def signature(shape: tuple[str, ...]) -> str:
    """A finer shape for telling list entries alike: how the line opens and ends, where its date is."""
    keep = [f for f in shape if f.startswith(("start:", "end:", "len"))]
    keep += [f for f in ("datelast", "headline", "dateline", "gaz") if f in shape]
    return "|".join(keep)


def period(classes: str) -> tuple[int, int] | None:
    """(period, offset of the first unit) of the class string, or None when it does not repeat.

    A page repeats with period p from offset k0 when the unit classes[k0:k0+p] (two classes at
    least) recurs, exactly, in most of the following stretches of p lines: at least three times,
    or twice on a short page, covering at least half the lines from k0 on. The smallest such p wins.
    """
    n = len(classes)
    for p in range(MIN_PERIOD, MAX_PERIOD + 1):
        if n < 2 * p:
            break
        for k0 in range(0, min(n - 2 * p, 2 * p) + 1):
            unit = classes[k0 : k0 + p]
            if len(set(unit)) < 2 or classes[k0 + p : k0 + 2 * p] != unit:
                continue
            units = range(k0, n - p + 1, p)
            same = sum(classes[k : k + p] == unit for k in units)
            if same >= min(3, len(units)) and same * p >= MIN_COVER * (n - k0):
                return p, k0
    return None


# the features' names, made once each (a page has thousands of lines, and a few dozen names)
_CLS, _TRI, _AHEAD = FeatureNames("cls:"), FeatureNames("tri:"), FeatureNames("ahead:")
_PERIOD, _PHASE = FeatureNames("period"), FeatureNames("phase")
_PROSE_BEFORE = tuple(f"prose_before{k}" for k in range(4))
_LIKE = {(a, b): f"likenb{int(a)}{int(b)}" for a in (False, True) for b in (False, True)}


def layout_features(shapes: list[tuple[str, ...]], skip: list[bool] | None = None) -> list[list[str]]:
    """Per line: its class, the page's period and the line's phase in it, likeness to neighbours.

    ``skip[k]``: line k is not read (``page_features.interior``): only its class is given, the one
    feature its neighbours read of it (a fifth of a generated page's lines are such)."""
    classes = "".join(line_class(s) for s in shapes)
    sigs = [signature(s) for s in shapes]
    found = period(classes)
    out: list[list[str]] = []
    prose = 0
    # the line before, the line and the two after, "^" and "$" past the page's ends
    around = "^" + classes + "$$"
    for k, cls in enumerate(classes):
        prose_before = prose
        prose += cls == "P" and "start:dig" not in shapes[k] and "datelast" not in shapes[k]
        if skip is not None and skip[k]:
            out.append([_CLS[cls]])
            continue
        # the shapes around a line, as one word: an intro is a paragraph before a headline before
        # prose ("PHP"); a title-first teaser a paragraph between headlines ("HPH")
        feats = [
            _CLS[cls],
            _PROSE_BEFORE[min(prose_before, 3)],
            _TRI[around[k : k + 3]],
            _AHEAD[around[k + 1 : k + 4]],
        ]
        if found is not None:
            p, k0 = found
            feats.append(_PERIOD[str(p)])
            if k >= k0:
                phase = str((k - k0) % p)
                feats.append(_PHASE[phase])
                feats.append(_PHASE[f"{phase}:{cls}"])
            else:
                feats.append("before_period")
        same_prev = k > 0 and sigs[k] == sigs[k - 1]
        same_next = k + 1 < len(sigs) and sigs[k] == sigs[k + 1]
        if same_prev or same_next:
            feats.append(_LIKE[same_prev, same_next])
        out.append(feats)
    return out


def trailing_furniture(texts: list[str], shapes: list[tuple[str, ...]]) -> int:
    """Where the block of page furniture that closes a page begins (len(texts) when there is none).

    Read from the end: short furniture-like lines (a comment form's "Name *", "Website", share
    buttons, "« Older posts") run up to a line that is unmistakably furniture ("Leave a Reply",
    "Share this:"); the block starts at the first such line. A feature, not a cut: the line-role
    model learns what to make of it.

    A furniture line that repeats one higher on the page ("Continue reading" under every teaser)
    is the posts' own template, not the page's: the block cannot reach above it. Otherwise the
    last teaser's link would take the title and first words of a post cut off by the page's end
    (an excerpt) into the page's closing block.
    """
    cut = len(texts)
    for k in range(len(texts) - 1, -1, -1):
        text, shape = texts[k], shapes[k]
        if "footer" in shape or "widget" in shape:
            if text in texts[:k]:  # a post's template line: the block, if any, starts below it
                break
            cut = k
        elif not _furniture_like(text, shape):
            break
    return cut


def _furniture_like(text: str, shape: tuple[str, ...]) -> bool:
    if text.startswith(("\u00ab", "\u2190")) or text.endswith(("\u00bb", "\u2192")):
        return len(text) <= 200
    return len(text) <= 80 and not text.endswith(".") and len(text.split()) <= 12
