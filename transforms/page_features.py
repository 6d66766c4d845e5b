"""The features of every line of a page: its own (transforms/line_features.py) and the page's.

Added per line: the page's repeating layout (transforms/page_layout.py), how far the nearest
headline-like lines are, the blank lines around it, its position, a repeat of the same text
nearby or elsewhere, numbered lines read as notes or as list entries by what comes before them,
and the features of the lines one and two away. Lines inside a run of plain prose are not read
at all (``interior``): the line-role model gives them their neighbours' role.
"""

from __future__ import annotations

from transforms.line_features import FeatureNames, text_features
from transforms.page_layout import layout_features, trailing_furniture


def interior(texts: list[str]) -> list[bool]:
    """Lines inside a run of plain prose: plain, and so are the lines before and after them.

    Plain prose (a long paragraph with no cue word early, no date, not a bio: see text_features)
    between two more such paragraphs is the inside of a piece's body, whatever the page; the
    line-role model reads only the first and the last line of such a run (which is much of its
    time on long pages, and of the chain's evidence that a body goes on).
    """
    plain = ["plain" in text_features(t)[1] for t in texts]
    n = len(plain)
    return [0 < k < n - 1 and plain[k - 1] and plain[k] and plain[k + 1] for k in range(n)]


def page_features(
    texts: list[str], blank_before: list[int], skip: list[bool] | None = None
) -> list[list[str]]:
    """Feature lists of the non-empty lines of a page (``texts``: cleaned, in order).

    ``blank_before[k]``: how many blank lines precede line k (the page's spacing says much about
    what is a title and what a paragraph). ``skip[k]``: line k is not read (its list is empty).
    """
    n = len(texts)
    cached = [text_features(t) for t in texts]
    shapes = [c[1] for c in cached]
    is_title = {k for k, sh in enumerate(shapes) if _is_headline(sh)}
    count: dict[str, int] = {}
    for t in texts:
        count[t] = count.get(t, 0) + 1
    layout = layout_features(shapes, skip)
    rhythm = _rhythms(n, is_title)
    dated = ["datelast" in sh for sh in shapes]
    tail = trailing_furniture(texts, shapes)
    out: list[list[str]] = []
    notes_follow_prose = False
    for k in range(n):
        if skip is not None and skip[k]:
            out.append([])
            continue
        feats = list(cached[k][0])
        if "noteshape" in feats:
            # a run of numbered lines is a piece's notes only under the prose they annotate; at the
            # top of a page, or under an intro, it is a list of entries
            if k == 0 or "noteshape" not in cached[k - 1][0]:
                notes_follow_prose = k > 0 and _body_prose(shapes[k - 1])
            feats[feats.index("noteshape")] = "note" if notes_follow_prose else "numbered"
        if dated[k] and not notes_follow_prose and ((k > 0 and dated[k - 1]) or (k + 1 < n and dated[k + 1])):
            feats.append("entry")  # one of several lines in a row that end with a date: a list of pieces
        feats += layout[k]
        feats += rhythm[k]
        feats.append(_BB[min(blank_before[k], 2)])
        feats.append(_BA[min(blank_before[k + 1], 2)] if k + 1 < n else "ba2")
        if k >= tail:
            feats.append("tailfurn")
        if k == 0:
            feats.append("first")
        elif k < 3:
            feats.append("near_top")
        if k == n - 1:
            feats.append("last")
        text = texts[k]
        if count[text] > 1:  # the same line again nearby (a title repeated under it) or elsewhere
            ahead = text in texts[k + 1 : k + 9]
            behind = text in texts[max(0, k - 8) : k]
            if ahead:
                feats.append("dup_ahead")
            if behind:
                feats.append("dup_behind")
            if count[text] > 1 + ahead + behind:
                feats.append("dup_far")
        if k >= 1:
            feats.append(_PREV_CLS[layout[k - 1][0]])
            feats += cached[k - 1][2]
        else:
            feats.append("-1:none")
        if k + 1 < n:
            feats.append(_NEXT_CLS[layout[k + 1][0]])
            feats += cached[k + 1][3]
        else:
            feats.append("+1:none")
        feats += cached[k - 2][4] if k >= 2 else ("-2:none",)
        feats += cached[k + 2][5] if k + 2 < n else ("+2:none",)
        out.append(feats)
    return out


_BB = ("bb0", "bb1", "bb2")
_BA = ("ba0", "ba1", "ba2")
_PREV_CLS, _NEXT_CLS = FeatureNames("-1:"), FeatureNames("+1:")  # a neighbour's layout class


def _body_prose(shape: tuple[str, ...]) -> bool:
    """A paragraph of a piece's body, or its author's bio (what notes come under)."""
    if "bio" in shape or "plain" in shape:
        return True
    return "end:." in shape and any(f in shape for f in ("len3", "len4", "len5", "len6"))


def _is_headline(shape: tuple[str, ...]) -> bool:
    return "headline" in shape and "footer" not in shape and "widget" not in shape


def _rhythm_features(before: int, after: int, self_title: bool) -> tuple[str, ...]:
    out = [f"tl_prev{before}", f"tl_next{after}", f"tl_pn{min(before, 3)}{min(after, 3)}"]
    if self_title:
        out.append("tl_self")
        for period in (2, 3):
            if (before == period or after == period) and before >= period and after >= period:
                out.append(f"tl_alt{period}")
                if before == period and after == period:
                    out.append(f"tl_alt{period}x2")
    return tuple(out)


_RHYTHM = {
    (b, a, t): _rhythm_features(b, a, t) for b in range(1, 6) for a in range(1, 6) for t in (False, True)
}


def _rhythms(n: int, titles: set[int]) -> list[tuple[str, ...]]:
    """For each of n lines: how far the nearest headline-like lines are, before and after it
    (1..4, 5 = farther).

    A list of posts that open with their titles repeats a headline every two or three lines; a
    piece's subheadings stand many paragraphs apart. Written from the headlines (a few per page)
    rather than walking every line twice: each headline marks the four lines after it and the four
    before it, the nearer headline last.
    """
    before = [5] * n
    after = [5] * n
    ordered = sorted(titles)
    for t in ordered:  # ascending: a later headline overwrites an earlier one's farther distance
        for d in range(1, min(5, n - t)):
            before[t + d] = d
    for t in reversed(ordered):
        for d in range(1, min(5, t + 1)):
            after[t - d] = d
    return [_RHYTHM[b, a, k in titles] for k, (b, a) in enumerate(zip(before, after, strict=True))]
