"""The line-role model's marginal probabilities on the page just tagged, asked only where read.

``transforms/line_roles.read_page`` reads, besides the best chain of labels, each item's
probability of opening a post and, after a start, of the items below it being its title. A
marginal is one call into the tagger per label and item, so both are asked lazily.
"""

from __future__ import annotations

MARGIN = 1e-9
"""Slack for rounding in the tagger's marginals (they sum to 1 over the labels, to about 1e-15)."""


class StartProbs:
    """Each item's marginal probability of opening a post (the sum over the start labels), asked of
    the tagger only for the items read. Indexed by item, and by line once ``lines`` (line -> item)
    is set: a line the model did not read (inside plain prose) opens nothing (0.0); a line's value
    may be set (a date header takes the start probability of the heading under it).

    Why: a marginal is one call into the tagger per label and item, and most items' best label
    leaves too little probability for the starts to reach the threshold (``may_reach``: one
    call instead of one per start label). Valid until the tagger tags another page (``read_page``
    is done with it by then).
    """

    def __init__(self, tagger, known: set[str], starts: list[str]) -> None:
        self.marginal, self.known, self.starts = tagger.marginal, known, starts
        self.lines: dict[int, int] | None = None
        self.rows: dict[int, list[float]] = {}
        self.set_lines: dict[int, float] = {}

    def row(self, i: int) -> list[float]:
        """Item i's marginal probability of each start label, in ``starts`` order."""
        got = self.rows.get(i)
        if got is None:
            got = self.rows[i] = [self.marginal(s, i) for s in self.starts]
        return got

    def may_reach(self, i: int, label: str, threshold: float) -> bool:
        """Whether item i's start probability may reach ``threshold``: false when its ``label`` (not
        a start) alone takes more than the rest of the probability."""
        return label not in self.known or self.marginal(label, i) <= 1.0 - threshold + MARGIN

    def __getitem__(self, k: int) -> float:
        if self.lines is None:
            return sum(self.row(k))
        got = self.set_lines.get(k)
        if got is not None:
            return got
        i = self.lines.get(k)
        return 0.0 if i is None else sum(self.row(i))

    def __setitem__(self, k: int, value: float) -> None:
        self.set_lines[k] = value


class TitleProbs:
    """Each item's marginal probability of being a title ("T" or "ST"), asked of the tagger only for
    the few items read (a marginal is one call into the tagger per label and item), the "ST" one
    taken from the start probabilities (``StartProbs``). Indexed by item, and by line once ``lines``
    (line -> item) is set: a line the model did not read (inside plain prose) is no title (0.0).
    Valid until the tagger tags another page (``read_page`` is done with it by then).
    """

    def __init__(self, tagger, known: set[str], start_p: StartProbs) -> None:
        self.tagger, self.known, self.start_p = tagger, known, start_p
        self.st = start_p.starts.index("ST") if "ST" in start_p.starts else None
        self.lines: dict[int, int] | None = None
        self.asked: dict[int, float] = {}

    def __getitem__(self, k: int) -> float:
        i = k if self.lines is None else self.lines.get(k)
        if i is None:
            return 0.0
        got = self.asked.get(i)
        if got is None:
            got = self.asked[i] = self._ask(i)
        return got

    def _ask(self, i: int) -> float:
        marginal, st = self.tagger.marginal, self.st
        if st is None:
            return sum(marginal(t, i) for t in ("T", "ST") if t in self.known)
        if "T" not in self.known:
            return sum((self.start_p.row(i)[st],))
        return sum((marginal("T", i), self.start_p.row(i)[st]))
