from transforms.authors import byline_names, detect_blog_author, intro_coauthors


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
