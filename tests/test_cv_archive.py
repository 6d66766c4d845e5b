"""What each cross-validation fold's warehouse holds besides its held-out pages.

A real ingest loads a page into the warehouse of every dump its writer has delivered, and year
inference runs across them; the CV gives a held-out page the same company (its writer's other
pages and seed dumps, text only) and nothing else: no other writer's page, no gold.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.crossval import fold_parts, seed_dumps, writer_archive
from transforms.folds import N_FOLDS
from transforms.gold import BLOG_WRITER, GoldPage, available, load_corpus, shared_root


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[GoldPage]]:
    root = shared_root()
    if not available(root):
        pytest.skip(f"annotated corpora not found under {root} (set BYLINES_SHARED to the shared folder)")
    return {c: load_corpus(c, root) for c in ("seeds", "blog", "others")}


@pytest.mark.parametrize("fold", range(N_FOLDS))
def test_a_blog_fold_holds_the_whole_blog_and_every_seed_dump(corpora: dict, fold: int) -> None:
    known, held = fold_parts(corpora, "blog", fold)
    root = shared_root()
    archive = writer_archive(held, known, root)
    assert list(archive) == [BLOG_WRITER]
    every_blog_page = {p.path for p in corpora["blog"]}
    every_seed_dump = set(seed_dumps(root))
    assert len(every_seed_dump) > len(corpora["seeds"])  # the unannotated seed dumps count too
    assert set(archive[BLOG_WRITER]) == every_blog_page | every_seed_dump
    assert not {p.path for p in corpora["others"]} & set(archive[BLOG_WRITER])


@pytest.mark.parametrize("fold", range(N_FOLDS))
def test_an_others_fold_holds_only_its_writers_pages(corpora: dict, fold: int) -> None:
    known, held = fold_parts(corpora, "others", fold)
    archive = writer_archive(held, known, shared_root())
    writers = {(p.blog_author, p.site) for p in held}
    assert set(archive) == writers
    for writer, paths in archive.items():
        # folds of corpus/others are grouped by writer: a writer's pages are all held out together
        assert set(paths) == {p.path for p in held if (p.blog_author, p.site) == writer}


def _page(path: Path, writer: tuple[str, str]) -> GoldPage:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Archive for the 'Press' Category\n", encoding="utf-8")
    return GoldPage("others", path.name, path, writer[0], path.read_text(), {}, writer[0], writer[1])


def test_two_dumps_of_one_name_are_refused(tmp_path: Path) -> None:
    writer = ("A Writer", "writer.example")
    held = [_page(tmp_path / "a" / "001.txt", writer)]
    known = [_page(tmp_path / "b" / "001.txt", writer), _page(tmp_path / "b" / "002.txt", ("B", "b.example"))]
    with pytest.raises(ValueError, match="001.txt"):
        writer_archive(held, known, tmp_path)
    assert writer_archive(held, known[1:], tmp_path) == {writer: [tmp_path / "a" / "001.txt"]}
