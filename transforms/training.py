"""Training the three CRFs from annotated pages, deterministically.

``train(pages, out)`` builds the training sequences from gold (transforms/labels.py for line
roles, transforms/fields.py and transforms/title_split.py for the field passes), trains each CRF
with L-BFGS (crfsuite, single-threaded: the same input in the same order gives the same
weights), learns the outlet alias table from the same pages, and writes the model file
(transforms/model.py). Pages are taken in a fixed order (corpus, then name), never in the order
a caller happens to list them.

Everything learned comes from the pages given: cross-validation (evaluation/crossval.py) calls
this with the training part of a fold only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pycrfsuite

from transforms.gold import GoldPage
from transforms.labels import line_labels
from transforms.line_roles import PageLines
from transforms.model import write_bundle

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
        "part_sha256": {k: hashlib.sha256(v).hexdigest() for k, v in parts.items()},
    }
    write_bundle(out, parts, meta)
    return meta
