"""Many literal phrases as one fast regex (a prefix tree).

Why: the cue lists and the outlet gazetteer are alternations of hundreds of phrases. A flat
alternation makes the regex engine try every phrase at every position of every paragraph,
which was most of the parse time; a prefix tree fails after the first character that no
phrase continues. A greedy optional tail prefers the longest phrase, as a length-sorted
alternation does, and backtracks to a shorter one when what follows does not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_APOSTROPHES = "['\u2019]"


def phrase_regex(phrases: Iterable[str], loose: bool = False) -> str:
    """A regex source (no group of its own) matching any of ``phrases``.

    ``loose``: a space matches any run of white space and an apostrophe either apostrophe, for
    names as they appear in running text ("Spectator's", "Foreign   Affairs").
    """
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def atom(ch: str) -> str:
        if loose and ch == " ":
            return r"\s+"
        if loose and ch == "'":
            return _APOSTROPHES
        return re.escape(ch)

    def emit(node: dict[str, dict]) -> str:
        branches = [atom(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)
