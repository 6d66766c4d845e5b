"""Training the three CRFs from annotated pages, deterministically.

``train(pages, out)`` builds the training sequences from gold (transforms/labels.py for line
roles, transforms/fields.py and transforms/title_split.py for the field passes), trains each CRF
with L-BFGS (crfsuite, single-threaded: the same input in the same order gives the same
weights), learns the outlet alias table and fits the outlet gate (``fit_outlet_gate``) from the
same pages, and writes the model file (transforms/model.py). Pages are taken in a fixed order
(corpus, then name), never in the order a caller happens to list them.

Everything learned comes from the pages given: cross-validation (evaluation/crossval.py) calls
this with the training part of a fold only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pycrfsuite

from transforms.folds import split
from transforms.gold import GoldPage
from transforms.labels import line_labels
from transforms.line_roles import PageLines
from transforms.model import UNFITTED_OUTLET_GATE, write_bundle

FEATURE_VERSION = 1
LINE_PARAMS = {"c1": 0.1, "c2": 0.1, "max_iterations": 200, "feature.possible_transitions": True}
FIELD_PARAMS = {"c1": 0.05, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}
TITLE_PARAMS = {"c1": 0.05, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}
# The outlet gate's candidate values, and the inner folds that judge them (fit_outlet_gate).
GATE_GRID = tuple(round(0.05 * k, 2) for k in range(1, 11))  # 0.05 .. 0.50
GATE_FOLDS = 4

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
    gate, judged = fit_outlet_gate(pages)
    meta = {
        "feature_version": FEATURE_VERSION,
        "trained_on": [f"{p.corpus}/{p.name}" for p in pages],
        "aliases": learn_aliases(pages),
        "min_outlet_prob": gate,
        "outlet_gate_judged": judged,
        "part_sha256": {k: hashlib.sha256(v).hexdigest() for k, v in parts.items()},
    }
    write_bundle(out, parts, meta)
    return meta


GateCase = tuple[float, bool, bool]
"""One post the gate decides: the likeliest candidate's probability, whether taking it names the
gold outlet, and whether passing it over (to ``framed_outlet``, else no candidate) is right."""


def fit_outlet_gate(pages: list[GoldPage]) -> tuple[float, int]:
    """The outlet gate (``Model.min_outlet_prob``) for a model trained on ``pages``, and how many
    posts decided it.

    Where the field model labels no candidate ``P``, its likeliest one is taken as the piece's
    outlet only at this probability or above (transforms/posts.py). A model's probabilities on
    the chains it was trained on are overconfident, so the gate is judged on chains it has not
    seen: grouped inner folds of ``pages`` (``GATE_FOLDS``; transforms/folds.py), each read by a
    field model trained on the other inner folds. Only ``pages`` are used, so cross-validation,
    which calls ``train`` with a fold's training part, fits its own gate in every fold.
    """
    from transforms.fields import field_sequences

    cases: list[GateCase] = []
    for fold in range(GATE_FOLDS):
        known, held = split(pages, fold, GATE_FOLDS)
        if known and held:
            cases += _gate_cases(held, train_crf(field_sequences(known), FIELD_PARAMS))
    return choose_gate(cases), len(cases)


def _gate_cases(pages: list[GoldPage], fields_model: bytes) -> list[GateCase]:
    from transforms.fields import best_candidate, framed_outlet, gold_chains, owners_title

    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(fields_model)
    if "P" not in tagger.labels():
        return []
    cases: list[GateCase] = []
    for chain, feats, gold in gold_chains(pages):
        labels = tagger.tag(feats)
        p_marg = [tagger.marginal("P", k) for k in range(len(chain))]
        best = best_candidate(labels, p_marg)
        if best is None or labels[best] == "P":
            continue  # taken whatever the gate: not a case of it
        framed = framed_outlet(chain)
        passed = gold[chain.index(framed)] == "P" if framed is not None else "P" not in gold
        cases.append((p_marg[best], gold[owners_title(chain, best)] == "P", passed))
    return cases


def choose_gate(cases: list[GateCase]) -> float:
    """The value of ``GATE_GRID`` that decides the most ``cases`` rightly; of several that tie,
    the middle one (a plateau's edge is the likelier to move on unseen pages). With no case,
    nothing was learned: ``UNFITTED_OUTLET_GATE``."""
    if not cases:
        return UNFITTED_OUTLET_GATE
    right = {gate: sum(take if p >= gate else passed for p, take, passed in cases) for gate in GATE_GRID}
    best = [gate for gate in GATE_GRID if right[gate] == max(right.values())]
    return best[len(best) // 2]
