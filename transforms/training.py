"""Training the three CRFs from annotated pages, deterministically.

``train(pages, out)`` builds the training sequences from gold (transforms/labels.py for line
roles, transforms/fields.py and transforms/title_split.py for the field passes), trains each CRF
with L-BFGS (crfsuite, single-threaded: the same input in the same order gives the same
weights), learns the outlet alias table and fits two decision thresholds (``fit_thresholds``)
from the same pages, and writes the model file (transforms/model.py). Pages are taken in a fixed
order (corpus, then name), never in the order a caller happens to list them.

Everything learned comes from the pages given: cross-validation (evaluation/crossval.py) calls
this with the training part of a fold only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pycrfsuite

from transforms.folds import N_FOLDS, split
from transforms.gold import GoldPage
from transforms.labels import line_labels
from transforms.line_roles import PageLines, read_page
from transforms.model import UNFITTED_THRESHOLD, open_tagger, write_bundle

FEATURE_VERSION = 1
LINE_PARAMS = {"c1": 0.1, "c2": 0.1, "max_iterations": 200, "feature.possible_transitions": True}
FIELD_PARAMS = {"c1": 0.05, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}
TITLE_PARAMS = {"c1": 0.05, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}

Sequence = tuple[list[list[str]], list[str]]


def ordered(pages: list[GoldPage]) -> list[GoldPage]:
    """The pages in the fixed training order (corpus, name)."""
    rank = {"seeds": 0, "blog": 1, "others": 2}
    return sorted(pages, key=lambda p: (rank.get(p.corpus, 9), p.name))


def line_sequences(pages: list[GoldPage]) -> list[Sequence]:
    """One (features, labels) sequence per page, truncated after its last labelled line."""
    out: list[Sequence] = []
    for page in ordered(pages):
        labelled = line_labels(page)
        if not labelled:
            continue
        lines = PageLines.of(page.text, until=labelled[-1][0] + 1)
        by_line = dict(labelled)
        keep, feats = lines.items()
        out.append((feats, [by_line[lines.index[k]] for k in keep]))
    return out


def train_crf(sequences: list[Sequence], params: dict) -> bytes:
    """Train one CRF (L-BFGS) and return the model file's bytes."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in sequences:
        trainer.append(xseq, yseq)
    trainer.set_params(params)
    fd, tmp = tempfile.mkstemp(suffix=".crfsuite")
    os.close(fd)
    try:
        trainer.train(tmp)
        return Path(tmp).read_bytes()
    finally:
        Path(tmp).unlink(missing_ok=True)


def train(pages: list[GoldPage], out: Path) -> dict:
    """Train every model on ``pages`` and write the model file to ``out``; returns its meta."""
    from transforms.fields import field_sequences, learn_aliases
    from transforms.title_split import title_sequences

    pages = ordered(pages)
    parts = {
        "lines": train_crf(line_sequences(pages), LINE_PARAMS),
        "fields": train_crf(field_sequences(pages), FIELD_PARAMS),
        "titles": train_crf(title_sequences(pages), TITLE_PARAMS),
    }
    meta = {
        "feature_version": FEATURE_VERSION,
        "trained_on": [f"{p.corpus}/{p.name}" for p in pages],
        "aliases": learn_aliases(pages),
        **fit_thresholds(pages),
        "part_sha256": {k: hashlib.sha256(v).hexdigest() for k, v in parts.items()},
    }
    write_bundle(out, parts, meta)
    return meta


# -- decision thresholds ------------------------------------------------------------------------
# Two decisions compare a model's probability with a threshold: a line opens a post
# (``Model.start_threshold``, line_roles.read_page) and the field model's likeliest candidate is
# taken as the piece's outlet (``Model.min_outlet_prob``, posts.py). A model is overconfident on
# the pages it was trained on, so each threshold is judged on pages its model has not seen: grouped
# inner folds of the training pages (transforms/folds.py), each read by models trained on the
# others. Only the pages given are used: cross-validation, which trains on a fold's training part,
# fits its own thresholds in every fold.
THRESHOLD_FOLDS = N_FOLDS  # as many as cross-validation's: inner models trained on as large a share
START_GRID = tuple(round(0.05 * k, 2) for k in range(3, 13))  # 0.15 .. 0.60
GATE_GRID = tuple(round(0.05 * k, 2) for k in range(1, 11))  # 0.05 .. 0.50

GateCase = tuple[float, bool, bool]
"""One post the outlet gate decides: the likeliest candidate's probability, whether taking it names
the gold outlet, and whether passing it over (to ``framed_outlet``, else no candidate) is right."""


def fit_thresholds(pages: list[GoldPage]) -> dict:
    """The fitted thresholds for models trained on ``pages`` (meta.json entries), with the inner
    folds' evidence: posts F1 of the line reading at each start threshold, and how many posts
    the outlet gate decided."""
    from transforms.fields import field_sequences

    counts = {t: [0, 0, 0] for t in START_GRID}  # true, false, missed post starts
    cases: list[GateCase] = []
    # the seed dumps are trained on in every inner fold, as in cross-validation: each is a whole
    # archive page of many posts, and one held out would outweigh the excerpts of a whole fold
    seeds = [p for p in pages if p.corpus == "seeds"]
    for fold in range(THRESHOLD_FOLDS):
        known, held = split([p for p in pages if p.corpus != "seeds"], fold, THRESHOLD_FOLDS)
        known += seeds
        if known and held:
            _count_starts(held, train_crf(line_sequences(known), LINE_PARAMS), counts)
            cases += _gate_cases(held, train_crf(field_sequences(known), FIELD_PARAMS))
    f1 = {t: 2 * tp / (2 * tp + fp + fn) if tp else 0.0 for t, (tp, fp, fn) in counts.items()}
    right = {g: sum(take if p >= g else passed for p, take, passed in cases) for g in GATE_GRID}
    return {
        "start_threshold": best_of(f1) if any(f1.values()) else UNFITTED_THRESHOLD,
        "start_threshold_f1": {str(t): round(v, 4) for t, v in f1.items()},
        "min_outlet_prob": best_of(right) if cases else UNFITTED_THRESHOLD,
        "outlet_gate_posts": len(cases),
    }


def best_of(score: dict[float, float]) -> float:
    """The threshold that scores best; of several that tie, the middle one (the edge of a plateau
    is the likelier to move on unseen pages)."""
    top = max(score.values())
    tied = [t for t in sorted(score) if score[t] == top]
    return tied[len(tied) // 2]


def _count_starts(pages: list[GoldPage], lines_model: bytes, counts: dict[float, list[int]]) -> None:
    """Add each threshold's true, false and missed post starts on ``pages`` (their labelled part)."""
    tagger = open_tagger(lines_model)
    for page in ordered(pages):
        gold = {post["start_line"] for post in page.gold["posts"]}
        until = page.labelled_until()
        lines = PageLines.of(page.text)
        for t, tally in counts.items():
            _labels, segments = read_page(lines, tagger, t)
            found = {n for n in (lines.index[s.start] + 1 for s in segments) if n <= until}
            tally[0] += len(found & gold)
            tally[1] += len(found - gold)
            tally[2] += len(gold - found)


def _gate_cases(pages: list[GoldPage], fields_model: bytes) -> list[GateCase]:
    from transforms.fields import best_candidate, framed_outlet, gold_chains, owners_title

    tagger = open_tagger(fields_model)
    if "P" not in tagger.labels():
        return []
    cases: list[GateCase] = []
    for chain, feats, gold in gold_chains(ordered(pages)):
        labels = tagger.tag(feats)
        p_marg = [tagger.marginal("P", k) for k in range(len(chain))]
        best = best_candidate(labels, p_marg)
        if best is None or labels[best] == "P":
            continue  # taken whatever the gate: not a case of it
        framed = framed_outlet(chain)
        passed = gold[chain.index(framed)] == "P" if framed is not None else "P" not in gold
        cases.append((p_marg[best], gold[owners_title(chain, best)] == "P", passed))
    return cases
