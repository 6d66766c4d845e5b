"""Authors of a piece and the blog's author detected from a page without delivery metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.authors import bio_subject, byline_names, detect_blog_author, intro_coauthors
from transforms.gold import BLOG_WRITER, available, load_corpus, shared_root
from transforms.text import decode, split_lines


def test_bylines() -> None:
    known = {"Jane Doe"}
    assert byline_names("Alex Roe and Jane Doe", known) == ["Alex Roe", "Jane Doe"]
    assert byline_names("By Jane Doe") == ["Jane Doe"]
    assert byline_names("From Jane Doe, Senior Fellow, Royal Institute of Widgets") == ["Jane Doe"]
    assert byline_names("Persistent Tensions", known) == []


def test_blog_author_detected_from_bios() -> None:
    lines = [
        "Jane Doe is a senior fellow at X.",
        "noise",
        "Jane Doe is director of Y.",
        "Alex Roe is a writer.",
    ]
    assert detect_blog_author(lines) == "Jane Doe"


def test_intro_coauthor() -> None:
    intro = "A new piece for the Planet with the wonderful Alex Roe looking at widgets."
    assert intro_coauthors(intro, "Jane Doe", set()) == ["Alex Roe"]


def test_co_authors_after_their_institution_and_in_a_list() -> None:
    """ "with ACME colleagues A B and C D": both are co-authors; "with Kim from ...": a first name."""
    intro = "A new report written with ACME colleagues Alex Roe and Sam Poe as part of a project."
    assert intro_coauthors(intro, "Jane Doe", set()) == ["Alex Roe", "Sam Poe"]
    intro = "A longer piece with the wonderful Kim from the Widget Academy for the Review."
    assert intro_coauthors(intro, "Jane Doe", set()) == ["Kim"]
    assert intro_coauthors("A new piece with ACME on widgets.", "Jane Doe", set()) == []


def test_a_name_opening_with_a_determiner_is_no_co_author() -> None:
    """ "with the excellent The Daily Widget": a publication, not a person."""
    intro = "A new piece, written with the excellent The Daily Widget looking at widgets."
    assert intro_coauthors(intro, "Jane Doe", set()) == []
    assert intro_coauthors(intro.replace("The Daily Widget", "Alex Roe"), "Jane Doe", set()) == ["Alex Roe"]


def test_a_bio_line_states_a_role() -> None:
    """A bio line says what its subject is professionally; a sentence or a title that only opens
    with a name and " is " is not one, nor a past post ("was"), nor a role a clause away."""
    assert bio_subject("Jane Doe is a senior visiting fellow at the Institute of Widgets.") == "Jane Doe"
    assert bio_subject("Jane Doe is Director, Widget Studies, at the Example Centre") == "Jane Doe"
    assert bio_subject("Jane Doe is the author of a book on widgets.") == "Jane Doe"
    assert bio_subject("Jane Doe is a lecturer in politics at Example University.") == "Jane Doe"
    assert bio_subject("Alex Roe is free at last to go home after a long trial, editors say.") is None
    assert bio_subject("Alex Roe is dead: what next for the widget trade?") is None
    assert bio_subject("Alex Roe is set to meet the editor of the paper on Monday.") is None
    assert bio_subject("Alex Roe is free. The editor of the paper said so.") is None
    assert bio_subject("Alex Roe was director of the agency between 2001 and 2004.") is None
    assert bio_subject("Alex Roe is an authority on widgets.") is None  # "author" is not "authority"


def test_blog_author_is_none_rather_than_a_wrong_name() -> None:
    assert detect_blog_author(["Alex Roe is free at last to go home after a long trial."]) is None
    assert detect_blog_author(["Alex Roe is dead: what next for widgets?"]) is None
    # a news sentence beside a real bio: the bio's subject, not the first name seen
    assert (
        detect_blog_author(["Alex Roe is set to attend the summit.", "Jane Doe is a fellow at X."])
        == "Jane Doe"
    )
    # two people's bios once each do not say which is the blog's author
    assert detect_blog_author(["Jane Doe is a fellow at X.", "Alex Roe is an editor at Y."]) is None
    # without a bio line, the explicit bylines decide
    assert detect_blog_author(["Alex Roe is free at last.", "By Jane Doe", "By Jane Doe"]) == "Jane Doe"


def _shared_or_skip() -> Path:
    root = shared_root()
    if not available(root):
        pytest.skip(f"annotated corpora not found under {root} (set BYLINES_SHARED to the shared folder)")
    return root


def test_annotated_pages_detect_their_writer_or_no_one(seeds: list[Path]) -> None:
    """On every annotated page without delivery metadata, the detected blog author is the page's
    writer or None, never someone else; the seed dumps and the blog's pages that name their writer
    in a bio or a byline still detect it; the news sentence of one page of another writer, the
    title of a second and a "was also seen" sentence of a third no longer give a name."""
    root = _shared_or_skip()
    detected: dict[str, str | None] = {}
    wrong: list[str] = []
    for corpus in ("blog", "others"):
        for page in load_corpus(corpus, root):
            found = detect_blog_author(page.lines())
            detected[f"{corpus}/{page.name}"] = found
            if found not in (None, page.blog_author):
                wrong.append(f"{corpus}/{page.name}: {found!r} (writer {page.blog_author!r})")
    assert not wrong, "\n".join(wrong)
    for corpus, name in [("others", "003.txt"), ("others", "005.txt"), ("others", "007.txt")]:
        assert detected[f"{corpus}/{name}"] is None
    writer = BLOG_WRITER[0]
    named = ["007", "009", "011", "012", "015", "016", "017", "025", "029", "033", "036"]
    assert [n for n in named if detected[f"blog/{n}.txt"] != writer] == []
    for path in seeds:
        text, _ = decode(path.read_bytes())
        assert detect_blog_author(split_lines(text)) == writer, path.name
