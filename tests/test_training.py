"""Training: labels from gold, grouped folds, a deterministic model file, and which model a parse uses.

The annotated pages are read from the shared folder (``$BYLINES_SHARED``, default ``../shared``);
tests that need them skip, saying so, when it is absent.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from transforms.gold import CORPORA, available, load_corpus, shared_root
from transforms.model import MODEL_ENV, SHIPPED_MODEL, ModelMissing, load_model, model_path


@pytest.fixture(scope="module")
def pages() -> list:
    root = shared_root()
    if not available(root):
        pytest.skip(f"annotated corpora not found under {root} (set BYLINES_SHARED to the shared folder)")
    return [p for c in CORPORA for p in load_corpus(c, root)]


def test_retraining_gives_the_shipped_model_byte_for_byte(pages: list, tmp_path: Path) -> None:
    from transforms.training import train

    out = tmp_path / "model.zip"
    meta = train(list(reversed(pages)), out)  # the order pages are given in does not matter
    assert out.read_bytes() == SHIPPED_MODEL.read_bytes(), (
        "run `bylines train` (make train) and commit the model"
    )
    assert len(meta["trained_on"]) == len(pages)
    assert out.stat().st_size < 3_000_000


def test_line_labels_follow_the_gold(pages: list) -> None:
    from transforms.labels import START_LABELS, line_labels

    for page in pages:
        labels = dict(line_labels(page))
        for post in page.gold["posts"]:
            assert labels[post["start_line"] - 1] in START_LABELS, (page.name, post["seq"])
            if post.get("title_line") and post["title_line"] != post["start_line"]:
                assert labels[post["title_line"] - 1] == "T", (page.name, post["seq"])
        if page.partial:  # nothing after the last annotated post is taught as "outside"
            assert max(labels, default=-1) < page.labelled_until()


def test_folds_are_grouped_deterministic_and_cover_every_page(pages: list) -> None:
    from transforms.folds import assign_folds, split

    for corpus in ("blog", "others"):
        part = [p for p in pages if p.corpus == corpus]
        folds = assign_folds(part)
        assert folds == assign_folds(list(reversed(part)))
        held = [p.name for f in range(5) for p in split(part, f)[1]]
        assert sorted(held) == sorted(p.name for p in part)
        for f in range(5):
            train_part, test_part = split(part, f)
            assert not {p.group for p in train_part} & {p.group for p in test_part}
            assert test_part, f"fold {f} of {corpus} is empty"


def test_delivery_metadata_is_the_writer_and_the_site_only(pages: list) -> None:
    others = [p for p in pages if p.corpus == "others"]
    assert all(
        p.blog_author and p.site and "/" not in p.site and not p.site.startswith("www.") for p in others
    )
    assert {p.site for p in pages if p.corpus != "others"} == {"raffaellopantucci.com"}


def test_the_model_file_holds_three_crfs_and_the_learned_aliases() -> None:
    with zipfile.ZipFile(SHIPPED_MODEL) as zf:
        assert sorted(zf.namelist()) == ["fields.crfsuite", "lines.crfsuite", "meta.json", "titles.crfsuite"]
    model = load_model()
    assert set(model.lines.labels()) >= {"O", "SI", "ST", "T", "B"}
    assert set(model.fields.labels()) == {"P", "M", "O"}
    assert isinstance(model.aliases, dict)


def test_which_model_a_parse_uses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from transforms.models import ParseSettings
    from transforms.parse import parse_dump

    monkeypatch.delenv(MODEL_ENV, raising=False)
    assert model_path() == SHIPPED_MODEL
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "other.zip"))
    assert model_path() == tmp_path / "other.zip"
    assert model_path(str(SHIPPED_MODEL)) == SHIPPED_MODEL  # an explicit path wins
    with pytest.raises(ModelMissing, match="bylines train"):
        load_model()
    text = "Another piece for the Planet, on widgets and the world.\n\nWidgets\n\nPrices rose all year long."
    parsed = parse_dump(text, "x.txt", ParseSettings(model_path=str(SHIPPED_MODEL)))
    assert parsed.posts


def test_a_tie_between_thresholds_goes_to_the_middle_of_the_plateau() -> None:
    from transforms.training import best_of

    assert best_of({0.1: 5, 0.2: 7, 0.3: 7, 0.4: 7, 0.5: 6}) == 0.3
    assert best_of({0.1: 5, 0.2: 7, 0.3: 7, 0.4: 6}) == 0.3  # of two, the upper
    assert best_of({0.3: 1.0, 0.1: 0.0, 0.2: 0.5}) == 0.3  # whatever order the scores come in


def test_the_shipped_model_carries_thresholds_fitted_on_unseen_pages() -> None:
    from transforms.model import UNFITTED_THRESHOLD, Model
    from transforms.training import GATE_GRID, START_GRID

    model = load_model()
    assert model.start_threshold in START_GRID and model.min_outlet_prob in GATE_GRID
    evidence = model.meta["start_threshold_f1"]
    assert sorted(float(t) for t in evidence) == sorted(START_GRID)
    assert evidence[str(model.start_threshold)] == max(evidence.values())
    assert model.meta["outlet_gate_posts"] > 0
    unfitted = Model(model.lines, model.fields, model.titles, {}, model.data)  # a model file from before
    assert unfitted.start_threshold == unfitted.min_outlet_prob == UNFITTED_THRESHOLD


def test_a_parse_decides_by_its_models_thresholds(pages: list, tmp_path: Path) -> None:
    """The same CRFs with other thresholds in meta.json read other posts and other outlets."""
    import json

    from transforms.model import PARTS, write_bundle
    from transforms.models import ParseSettings
    from transforms.parse import parse_dump

    with zipfile.ZipFile(SHIPPED_MODEL) as zf:
        parts = {name: zf.read(f"{name}.crfsuite") for name in PARTS}
        meta = json.loads(zf.read("meta.json"))

    def read(**thresholds: float) -> list[tuple]:
        path = tmp_path / ("-".join(f"{k}{v}" for k, v in thresholds.items()) + ".zip")
        write_bundle(path, parts, {**meta, **thresholds})
        out = []
        for page in (p for p in pages if p.corpus == "others"):
            settings = ParseSettings(model_path=str(path), site=page.site)
            for post in parse_dump(page.text, page.name, settings).posts:
                outlet = post.piece.outlet if post.piece else None
                out.append((page.name, post.start_line, outlet.name if outlet else None))
        return out

    eager, strict = read(start_threshold=0.05), read(start_threshold=0.95)
    assert len(eager) > len(strict)  # a low threshold opens more posts
    taking, passing = read(min_outlet_prob=0.01), read(min_outlet_prob=0.99)
    assert [p[:2] for p in taking] == [p[:2] for p in passing]  # the gate moves no post
    assert taking != passing  # but decides some outlets
