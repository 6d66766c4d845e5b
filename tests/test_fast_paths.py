"""The parser's fast paths answer exactly as the slow forms they replace."""

import re

import pytest

from transforms.folding import FoldedPattern, lowered
from transforms.shapes import _IMAGE, _SCREEN_SHOT, is_image_name
from transforms.text import clean, normalise_key, normalise_words, sentences

TEXTS = [
    "",
    "I spoke to the BBC about it. Back at it: a new piece for the Review.",
    "ANOTHER PIECE FOR THE TIMES, as usual. My latest!",
    "Het is een Stuk; \u201cBelated\u201d posting \u2014 caf\u00e9 \u00c9T\u00c9 na\u00efve Stra\u00dfe",
    "Kelvin \u212a and long \u017f and dotless \u0131 and dotted \u0130 in: I'M BACK AT IT",
    "\u0130 spoke with the panel, then \u017fpoke to Reuters.",
    "Teamed up with Jane for this one in RUSI. Last year was busy; the year has drawn to a close.",
    "\u03a3\u039f\u03a6\u0399\u0391 \u00b5 \u03bc \u2126 \u212b \u00c5 op-ed oped OP-ED- round-up",
]

SOURCES = [
    r"\b(?:i|i'm|my|me|am)\b|(?:^|[.!?]\s+)(?:been|have been)\b",
    r"\b(?:back at|belated|as usual|latest|this one|round-up)\b",
    r"\b(?:spoke to|spoke with|panel|interview with)\b",
    r"\b(?:piece|op-ed|oped)\b(?!-)",
    r"\b(?:a|an|another|new)\s+(?:[\w'-]+\s+){0,3}$",
    r"\blast year\b",
    r"(?P<cont>[,;]\s*(?:and\s+)?|\band\s+)to\s+(the\s+)?",
]


def test_lowered_keeps_offsets_or_declines() -> None:
    for text in TEXTS:
        low = lowered(text)
        if low is None:
            assert any(ch in text for ch in "\u0130\u0131\u017f\u212a")
        else:
            assert len(low) == len(text)


def test_only_four_characters_fold_onto_ascii_letters() -> None:
    # IGNORECASE equates these, and only these, non-ASCII characters with ASCII word characters
    ascii_word = re.compile(r"[a-z0-9_]", re.IGNORECASE)
    found = {c for c in map(chr, range(0x80, 0x3000)) if ascii_word.match(c)}
    assert found == {"\u0130", "\u0131", "\u017f", "\u212a"}


@pytest.mark.parametrize("source", SOURCES)
def test_folded_pattern_answers_as_ignorecase(source: str) -> None:
    folded = FoldedPattern.compile(source)
    plain = re.compile(source, re.IGNORECASE)
    for text in TEXTS + [t.upper() for t in TEXTS] + [t.swapcase() for t in TEXTS]:
        want = plain.search(text)
        got = folded.search(text)
        assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))
        assert folded.found(text) == bool(want)
        assert folded.found(text, pos=5) == bool(plain.search(text, 5))
        assert folded.spans(text) == [m.span() for m in plain.finditer(text)]
        got_all = [(m.span(), m.groups()) for m in folded.finditer(text)]
        assert got_all == [(m.span(), m.groups()) for m in plain.finditer(text)]


def test_folded_pattern_refuses_case_sensitive_sources() -> None:
    for source in (r"[A-Z]\w+", r"caf\u00e9", "café", r"(?-i:x)", r"\x41"):
        with pytest.raises(ValueError):
            FoldedPattern.compile(source)
    with pytest.raises(ValueError):
        FoldedPattern.compile(r"\blast year\b", needs="Last")


def test_needs_is_a_shortcut_only() -> None:
    folded = FoldedPattern.compile(r"\blast year\b", needs="last year")
    assert folded.found("Since LAST YEAR, ...") and not folded.found("last  year")


def test_normalise_words_are_the_key_split() -> None:
    for text in TEXTS + ["The end", "  the  the ", "the-end", "\u00a0The \u2018quoted\u2019 \u2014 word"]:
        assert normalise_words(text) == normalise_key(text).split()


def test_sentences_limit_gives_the_first_sentences() -> None:
    text = "One. Two? Three! Four \u201cfive.\u201d Six (seven). Eight"
    for limit in range(1, 9):
        assert sentences(text, limit) == sentences(text)[:limit]
    assert sentences("", 3) == []


def test_is_image_name_fast_path() -> None:
    def slow(line: str) -> bool:
        text = clean(line)
        return (
            bool(text)
            and " " not in text.replace("Screen Shot", "ScreenShot")
            and bool(_IMAGE.match(text))
            or bool(_SCREEN_SHOT.match(text))
        )

    for line in [
        "img_0356",
        "Screen Shot 2020-05-01 at 10.00.00",
        "screen shot 2020-05-01 at 10",
        "\u017fcreen shot 2020-05-01 at 10",
        "Screenshot 2020-05-01",
        "A body paragraph with words.",
        "photo.jpg",
        "",
    ]:
        assert is_image_name(line) == slow(line), line


def test_archive_headers_pass_the_first_letter_test() -> None:
    from transforms.archive import find_archive

    for header, kind in [
        ("Posts Tagged \u2018Russia\u2019", "tag"),
        ("tagged: china", "tag"),
        ("Tag Archives: Iran", "tag"),
        ("Archive for the \u2018PRESS\u2019 Category", "category"),
        ("category: Media", "category"),
        ("Monthly Archives: June 2008", "month"),
        ("Archive for June, 2008", "month"),
        ("Yearly Archives: 2011", "month"),
        ("\u017fearch Results for: widgets", "search"),
    ]:
        assert find_archive(["", header, "text"]).kind == kind, header
