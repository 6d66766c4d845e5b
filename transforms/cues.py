"""The words around a name that say what it is to the post: the old hand-written outlet rules, as features.

Before the learned field model, the parser decided an outlet by rules: "a piece for X" makes X
the piece's home, "my earlier piece in X" or "spoke to X" does not, "X interview" is an
appearance. Those patterns are kept here only as features of an outlet candidate
(transforms/candidates.py); the model learns how far to trust each, in each fold.
"""

from __future__ import annotations

import re

from transforms.folding import FoldedPattern, lowered

# "feature" as a verb ("featured in", "did feature in"): an appearance; as a noun it is a piece word.
# The words before it that make it the verb are named once, for the verb and for the noun's look-behinds.
_FEATURE_AUXILIARIES = ("did", "to", "will", "would", "also")
_FEATURE_VERB = rf"featur(?:ed|es|ing)|(?:{'|'.join(_FEATURE_AUXILIARIES)})\s+feature"
_PIECE_WORDS = (
    r"piece|pieces|article|op-?ed|letter|commentary|paper|post|posting|column|essay|contribution|latest|"
    r"interview|podcast|analysis|report|chapter|blog|brief|note|review|q&a|"
    + "".join(rf"(?<!{w}\s)" for w in _FEATURE_AUXILIARIES)
    + "feature"  # the noun, not "did feature in"
)
# "a piece for", "this time for", "a short letter in", "Re-posting a piece from", "published in"
_OWN_BEFORE = FoldedPattern.compile(
    rf"(?:\b(?:{_PIECE_WORDS})\b[^.;]{{0,160}}?\b(?:for|in|from|with|on|at|to)\b[^.;]{{0,60}}?"
    rf"|\b(?:wrote|written|writing|published|ran|run|appeared|appears)\b[^.;]{{0,80}}?\b(?:for|in|on|by)\b[^.;]{{0,40}}?"
    rf"|\bthis\s+time\b[^.;]{{0,40}}?\b(?:for|in|with|at)\b[^.;]{{0,40}}?"
    rf"|\bagain\s+(?:for|in)\b[^.;]{{0,20}}?"
    rf"|\b(?:for|in)\s+(?:my|our)\b[^.;]{{0,60}}?)$"
)
# ... and words that make it something else: an earlier piece, an interview given to it, reporters.
_NOT_OWN_BEFORE = FoldedPattern.compile(
    r"\b(?:(?:my|an?|the|his|her|our)\s+(?:\w+\s+)?(?:earlier|previous|prior|last|older)|made\s+in|restat\w*|"
    rf"spoke|speaking|spoken|talk\w*|quoted|picked\s+up|appearance|{_FEATURE_VERB}|used\s+(?:in|by)|carried|"
    r"translated|written\s+up|mention\w*|reproduced|interviewed\s+by|comment\s+from|reporters?|correspondent|"
    r"courtesy|hosted|found\s+on|will\s+be\s+\w+ing|going\s+to)\b"
)
_APPEARANCE_BEFORE = FoldedPattern.compile(
    r"\b(?:interview\w*|podcast|panel|webinar|radio|tv|television|conversation|discussion|event|"
    rf"spoke|speaking|talk\w*|quoted|picked\s+up|appear\w*|{_FEATURE_VERB})\b"
)
_SPOKE_TO = FoldedPattern.compile(
    r"\b(?:spoke|speaking|talked|talking|chatted)\s+(?:to|with)\s+(?:the\s+)?$"
    r"|\b(?:picked\s+up|reproduced|republished|quoted|featured|used|cited)\s+(?:by|in|on)\s+(?:the\s+)?$"
    r"|\b(?:appeared|appearing|interview(?:ed)?|podcast|panel|was|been)\s+(?:on|with|for|by)\s+(?:the\s+)?$"
    r"|(?:[,;]\s*(?:and\s+)?|\band\s+)to\s+(?:the\s+)?$"
)
_SPOKE_TO_LINKS = ("to", "with", "by", "in", "on", "for")  # the words every _SPOKE_TO match ends with


def _may_be_spoken_to(low: str) -> bool:
    """Whether lower-cased text ends as every match of ``_SPOKE_TO`` does: one of its link words,
    white space, and perhaps "the" and white space (false: no match, without the search).

    Why: a pattern anchored at the end is tried at every character all the same; most names do
    not follow such words ("the", a verb, a comma), and the words read backwards cost three string
    tests. (``str.rstrip`` strips what the engine's ``\\s`` matches.)
    """
    tail = low.rstrip()
    if len(tail) == len(low):
        return False
    if tail.endswith("the"):  # "... spoke to the ": the link word before the article
        rest = tail[:-3]
        tail = rest.rstrip()
        if len(tail) == len(rest):
            return False
    return tail.endswith(_SPOKE_TO_LINKS)


_PIECE_AFTER = re.compile(
    r"^\s*(?:['\u2019]s\s+)?(?:[\w-]+\s+)?(?:pieces?|articles?|paper|column|op-?ed|commentary|essay|letter)\b",
    re.I,
)
_APPEARANCE_AFTER = re.compile(
    r"^\s*(?:['\u2019]s\s+)?(?:[\w-]+\s+)?(?:interview|podcast|panel|programme|program|show|briefing|webinar|"
    r"broadcast|talking|speaking|discussing|to\s+discuss|to\s+talk|"
    r"(?:quoted|interviewed|cited|featured|hosted|invited|had|asked|mentioned)\s+me|"
    r"(?:used|ran|carried|reproduced|republished|picked\s+up)\s+(?:some\s+of\s+)?(?:my|me)\b)\b",
    re.I,
)
_REPORTERS_AFTER = re.compile(
    r"^\s*(?:['\u2019]s\s+)?(?:[\w-]+\s+){0,2}(?:reporters?|journalists?|colleagues?|correspondents?|editors?|staff)\b",
    re.I,
)
# a teaser that opens by naming its source: "From The Herald: ...", "Via Foreign Policy -"
_SOURCE_OPENER = re.compile(r"^\s*(?:from|via)\s+(?:the\s+)?$", re.I)
# "Over at X, my new piece on ...": the name, then the writer's piece
_MY_PIECE_AFTER = re.compile(
    r"^\s*[,:\u2013\u2014-]?\s*(?:is\s+|has\s+)?my\s+(?:[\w-]+\s+)?(?:pieces?|articles?|column|op-?ed|commentary|essay|letter|post)\b",
    re.I,
)
# someone else's work: "the new piece by Jane Smith for", "John Doe published a paper ... in"
_OTHERS_WORK = re.compile(
    r"\bby\s+(?:[A-Z][\w'\u2019.-]*\s+){1,3}(?:for|in|at|on)\s+(?:the\s+)?$"
    r"|\b[A-Z][\w'\u2019-]+\s+[A-Z][\w'\u2019-]+\s+(?:published|wrote|writes|argued|argues)\b[^.;]{0,160}$"
)
# (== [;,:()]|\band\b|\bwhile\b|\bwhich\b, each word's opening boundary asked after its first
# letter: the engine then skips to the next "a", "w" or mark instead of trying every character)
_CLAUSE = re.compile(r"[;,:()]|a(?<!\wa)nd\b|w(?<!\ww)hi(?:le|ch)\b")


def context_cues(before: str, after: str) -> list[str]:
    """Cue features of a name from the text of its sentence before it and the words after it."""
    out: list[str] = []
    before = before[-300:]
    low = lowered(before)  # one lower-casing for the folded searches (None: they fold nothing)
    # someone else's piece is not the writer's own, whatever words of publishing stand before the name
    others = ("by" in before or "ublish" in before or "wr" in before or "argue" in before) and bool(
        _OTHERS_WORK.search(before[-200:])
    )
    if others:
        out.append("rule:others")
    elif (  # (no match of _OWN_BEFORE holds a "." or ";" and ends the text: none starts before the last)
        _OWN_BEFORE.found(before, low, max(before.rfind("."), before.rfind(";")) + 1)
        or _SOURCE_OPENER.match(before)
        or _MY_PIECE_AFTER.match(after[:60])
    ):
        out.append("rule:own")
    clause = _CLAUSE.split(before)[-1]
    clause_low = low[len(low) - len(clause) :] if low is not None else None  # lowering keeps offsets
    # a clause no longer than 80 characters ends the last 80, after a mark or a space: a match in
    # it is one in them (the same characters, the same word boundary at its start), asked once
    if (
        others
        or _NOT_OWN_BEFORE.found(before[-80:], low and low[-80:])
        or (len(clause) > 80 and _NOT_OWN_BEFORE.found(clause, clause_low))
    ):
        out.append("rule:not_own")
    if _APPEARANCE_BEFORE.found(clause, clause_low):
        out.append("rule:appearance")
    # (``low`` is None for the rare text the folded searches decline: asked of the pattern itself)
    if (low is None or _may_be_spoken_to(low[-60:])) and _SPOKE_TO.found(before[-60:], low and low[-60:]):
        out.append("rule:spoke_to")
    after = after[:60]
    if _PIECE_AFTER.match(after):
        out.append("rule:piece_after")
    if _APPEARANCE_AFTER.match(after):
        out.append("rule:appearance_after")
    if _REPORTERS_AFTER.match(after):
        out.append("rule:reporters_after")
    return out
