"""The line features' word classes by a lookup per word run agree with the pattern of every word.

Why: ``line_features._classes`` looks each run of word characters up in the lexicon instead of
searching the text with one pattern of all the lexicon's words (faster); both must find the same
classes, or the line-role model reads different features.
"""

from __future__ import annotations

from transforms.lexicon import load_lexicon
from transforms.line_features import _classes, _lexicon_pattern


def _by_pattern(low: str) -> set[str]:
    classes_of = load_lexicon().classes
    return {c for w in _lexicon_pattern().findall(low) for c in classes_of[w]}


def test_classes_by_run_match_the_pattern() -> None:
    words = sorted(w for w in load_lexicon().classes if " " not in w)
    glue = [" ", "-", "'", ".", ",", "\u2019", "_", "x", "&", "@", "(", "0", "\u00e9"]
    samples = ["", "another piece for the straits times", "q&a with the bbc", "op-ed, pieces; 'piece'"]
    for k, w in enumerate(words):
        nxt = words[(k * 7 + 3) % len(words)]
        for g in glue:
            samples += [w + g + nxt, g + w, w + g, f"my {w}{g}{nxt} today"]
    for low in samples:
        assert _classes(low) == _by_pattern(low), repr(low)
