"""The parser's fast paths answer exactly as the slow forms they replace."""

import re

import pytest

from transforms import cues
from transforms.folding import FoldedPattern, lowered
from transforms.gazetteer import _name_starts, _word_start
from transforms.lexicon import load_lexicon
from transforms.page_features import _rhythms
from transforms.shapes import _IMAGE, _SCREEN_SHOT, is_image_name
from transforms.text import clean, normalise_key, normalise_words, sentences
from transforms.word_readings import (
    HEAD_READINGS,
    HEAD_WORD,
    WORD_CLASSES,
    _head_reading,
    _word_classes,
    cases,
    lexicon_pattern,
    low_words,
    voice_in,
    voice_to_name,
    word_classes,
)

TEXTS = [
    "",
    "I spoke to the BBC about it. Back at it: a new piece for the Review.",
    "ANOTHER PIECE FOR THE TIMES, as usual. My latest!",
    "Het is een Stuk; \u201cBelated\u201d posting \u2014 caf\u00e9 \u00c9T\u00c9 na\u00efve Stra\u00dfe",
    "Kelvin \u212a and long \u017f and dotless \u0131 and dotted \u0130 in: I'M BACK AT IT",
    "\u0130 spoke with the panel, then \u017fpoke to Reuters.",
    "Teamed up with Jane for this one in RUSI. Last year was busy; the year has drawn to a close.",
    "\u03a3\u039f\u03a6\u0399\u0391 \u00b5 \u03bc \u2126 \u212b \u00c5 op-ed oped OP-ED- round-up",
    "Ranting on TVs, the radiotv ran_on air: tv. Radio, then tv_ and _tv; atv-tv on air",
]

SOURCES = [
    r"\b(?:i|i'm|my|me|am)\b|(?:^|[.!?]\s+)(?:been|have been)\b",
    r"\b(?:back at|belated|as usual|latest|this one|round-up)\b",
    r"\b(?:spoke to|spoke with|panel|interview with)\b",
    r"\b(?:piece|op-ed|oped)\b(?!-)",
    r"\b(?:a|an|another|new)\s+(?:[\w'-]+\s+){0,3}$",
    r"\blast year\b",
    r"(?P<cont>[,;]\s*(?:and\s+)?|\band\s+)to\s+(the\s+)?",
    r"\b(?:tv|radio|ran|on air)\b",
    r"\b(?:tv|radio)|ran\b",  # a top-level alternation: the boundary is the first branch's alone
    r"\b(?:tv)?",  # empty matches
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


def test_boundary_first_patterns_scan_without_it() -> None:
    # the bare twin is used exactly where the pattern as a whole opens with a boundary
    assert FoldedPattern.compile(r"\b(?:tv|radio|ran|on air)\b").bare is not None
    assert FoldedPattern.compile(r"\b(?:tv|radio)|ran\b").bare is None
    assert FoldedPattern.compile(r"(?:tv|radio)\b").bare is None
    assert FoldedPattern.compile(r"\b(?:tv)?").bare is None  # it can match empty text


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


def test_clean_lines_are_their_own_clean_form() -> None:
    """``clean`` returns a printable line with no double space and no space at either end as it
    is: it relies on every white-space character but the space being unprintable."""
    for code in range(0x110000):
        ch = chr(code)
        if ch != " " and len(f"a{ch}b".split()) == 2:
            assert not ch.isprintable(), hex(code)
    odd = ["", " ", "a", "a b", " a", "a ", "a  b", "a\u00a0b", "a\tb", "a\u2009 b"]
    odd += ["\u200ba", "a\x1cb", "\u3000"]
    for text in TEXTS + odd + [a + b for a in odd for b in odd]:
        assert clean(text) == re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


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


_FIRST = re.compile(r"[A-Z0-9\u00c0-\u00de]")  # the characters a listed name's search may start on


def _reference_starts(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if _FIRST.match(ch) and _word_start(text, i)]


def test_name_start_scan_relies_on_facts_that_hold_for_every_character() -> None:
    """``gazetteer._name_starts`` (one regex scan) for ``_word_start`` at every capital: regex \\w
    is str.isalnum() or "_"; a lower-case word character is a letter to the regex; the upper-case
    first characters are exactly those of its "glued" branch."""
    word, letter = re.compile(r"\w"), re.compile(r"[^\W\d_]")
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        is_word = word.match(ch) is not None
        assert is_word == (ch.isalnum() or ch == "_"), hex(code)
        if ch.islower() and is_word:
            assert letter.match(ch), hex(code)
    firsts = [chr(c) for c in range(0x100) if _FIRST.match(chr(c))]
    upper = [c for c in firsts if re.fullmatch(r"[A-Z\u00c0-\u00d6\u00d8-\u00de]", c)]
    assert [c for c in firsts if c.isupper()] == upper


def test_name_starts_match_word_start() -> None:
    samples = [
        "A piece for the Straits Times (ST), on BBC's iPlayer; TimesWashington, 2011The Hindu",
        "@Reuters_UK x\u00c9l\u00c8 \u00e9\u00c0 _B 3C \u24d0D \u2170E \u00aaF \u00d7G a\u00d7 MacDonald",
        "\u00c0\u00d7\u00de0A",
        *TEXTS,
    ]
    prev_chars = "aZ0_@ .,'\"(\u00e9\u00c9\u00df\u00aa\u02b0\u2170\u24d0\u0131\u00b5\u01c5\u2c65\U0001d41a"
    samples += [p + f for p in prev_chars for f in "A0\u00c0\u00d7\u00de"]
    for text in samples:
        assert _name_starts(text) == _reference_starts(text), repr(text)


_VOICE_TAILS = (" to x", " on Monocle 24", " it at Foreign Policy", " it at the Times", "-up to", "s to")
_VOICE_TAILS += (" up remittances", "\u2019s on The", " \u0130n X", " it in \u212aiev")


def test_voice_to_name_tried_where_its_words_are() -> None:
    """``line_features._voice_in`` tries the voice pattern only where one of its words starts (found
    in lower-cased text): it answers as the pattern searched at every character."""
    classes_of = load_lexicon().classes
    soft = {"appearance", "link_words"}
    words = sorted(w for w, cs in classes_of.items() if " " not in w and soft.intersection(cs))
    texts = list(TEXTS)
    for w in words[:: max(1, len(words) // 15)]:
        for case in (w, w.upper(), w.title()):
            for tail in _VOICE_TAILS:
                for head in ("", "I ", "x", "We were " * 20):
                    texts.append(head + case + tail)
    for text in texts:
        for end in (150, 20):
            assert voice_in(text, end) == (voice_to_name().search(text, 0, end) is not None), (text, end)


def test_line_read_word_by_word_as_whole() -> None:
    """``text_features`` reads a line's words one at a time (remembered per word): the head words,
    their classes and the later words' classes are those of the whole text."""
    texts = TEXTS + [
        "q&a: @BBC's u.s. \u2019tis a&b -x- (talk)...",
        "\u03a3\u039f\u03a3 \u0130STANBUL & co \u039f\u03a3\u2019\u03a3 A\u03a3",
    ]
    for text in texts:
        words = text.split()
        head = [w for word in words for w in HEAD_READINGS[word][0]]
        assert head == HEAD_WORD.findall(low_words(words))
        assert set().union(*(HEAD_READINGS[word][1] for word in words)) == word_classes(" ".join(head))
        assert set().union(*map(WORD_CLASSES.__getitem__, words)) == word_classes(low_words(words))


def test_words_of_letters_read_as_the_general_reading() -> None:
    """A word of letters only skips the head-word pattern and the runs (``_letters_classes``):
    its head words and classes are what the general reading gives, for every lexicon word in
    three casings and for letters that lower-case to more than letters ("\u0130")."""
    words = [w for w in load_lexicon().classes if " " not in w]
    words += ["Stra\u00dfe", "\u0130stanbul", "\u03a3\u039f\u03a6\u0399\u0391", "caf\u00e9", "Kelvin\u212a"]
    words += ["xyzzy", "a"]
    for word in {f(w) for w in words for f in (str, str.upper, str.title)}:
        low = low_words([word])
        head = tuple(HEAD_WORD.findall(low))
        assert _head_reading(word) == (head, frozenset(word_classes(" ".join(head)))), word
        assert _word_classes(word) == frozenset(word_classes(low)), word


def test_case_counts_as_str_methods() -> None:
    """``line_features._cases`` counts A-Z and a-z in ASCII text: the only cased ASCII characters."""
    for text in [*TEXTS, "".join(map(chr, range(128))), "\u01c5Ab", "ABC def 123"]:
        assert cases(text) == (sum(map(str.isupper, text)), sum(map(str.islower, text)))


def test_word_classes_by_run_match_the_pattern_of_every_word() -> None:
    """``line_features._classes`` looks each run of word characters up instead of searching the
    pattern of all the lexicon's words (unless the text holds a character such as the "&" of
    "q&a"): both must find the same classes."""
    classes_of = load_lexicon().classes
    words = sorted(w for w in classes_of if " " not in w)
    glue = [" ", "-", "'", ".", ",", "\u2019", "_", "x", "&", "@", "(", "0", "\u00e9"]
    samples = ["", "another piece for the straits times", "q&a with the bbc", "op-ed, pieces; 'piece'"]
    for k, w in enumerate(words):
        nxt = words[(k * 7 + 3) % len(words)]
        for g in glue:
            samples += [w + g + nxt, g + w, w + g, f"my {w}{g}{nxt} today"]
    for low in samples + [t.lower() for t in TEXTS]:
        want = {c for w in lexicon_pattern().findall(low) for c in classes_of[w]}
        assert word_classes(low) == want, repr(low)


def test_context_cues_answer_as_the_ignorecase_patterns() -> None:
    """The cue patterns before a name run as folded twins over one lower-cased copy, sliced for
    the last 80 and 60 characters and the clause: the same cues as IGNORECASE searches."""

    def slow(before: str, after: str) -> list[str]:
        plain = {
            name: re.compile(getattr(cues, name).lower.pattern, re.IGNORECASE)
            for name in ("_OWN_BEFORE", "_NOT_OWN_BEFORE", "_APPEARANCE_BEFORE", "_SPOKE_TO")
        }
        out = []
        before = before[-300:]
        others = cues._OTHERS_WORK.search(before[-200:]) is not None  # (without the quick word tests)
        if others:
            out.append("rule:others")
        elif (
            plain["_OWN_BEFORE"].search(before)
            or cues._SOURCE_OPENER.match(before)
            or cues._MY_PIECE_AFTER.match(after[:60])
        ):
            out.append("rule:own")
        clause = re.split(r"[;,:()]|\band\b|\bwhile\b|\bwhich\b", before)[-1]
        if others or plain["_NOT_OWN_BEFORE"].search(before[-80:]) or plain["_NOT_OWN_BEFORE"].search(clause):
            out.append("rule:not_own")
        if plain["_APPEARANCE_BEFORE"].search(clause):
            out.append("rule:appearance")
        if plain["_SPOKE_TO"].search(before[-60:]):
            out.append("rule:spoke_to")
        return out + [c for c in cues.context_cues("", after) if c.endswith("_after")]

    befores = TEXTS + [
        "Another PIECE for ",
        "My earlier piece in ",
        "I SPOKE TO the ",
        "Quoted by the ",
        "a long paragraph, " * 30 + "then an op-ed written for my colleagues, and to the ",
        "\u0130 spoke with the panel, and to ",
        "Teamed up again for ",
        "A piece. Written for the ",
        "a piece in Foo; then for ",
        "a piece for the sandwich-maker whiles, brand and, whichever andwhile, which ",
        "An interview. For my ",
        "word " * 30 + "(my earlier piece in ",
        "my earlier " + "word " * 30 + "and then in ",
        "my earlier piece, " + "word " * 30 + "in ",
        "the new piece by Jane Smith for the ",
        "the new piece by\u00a0Jane Smith for ",
        "In 1990, John Doe published a long paper called \u201cWords\u201d in ",
        "From ",
        "Via the ",
        "Over at ",
        "a piece that I will be publishing on ",
        "A feature on the town from ",
        "I did feature in the ",
    ]
    for before in befores + [t.swapcase() for t in befores]:
        for after in ("", " interview", "'s reporters", ", my new piece on"):
            assert cues.context_cues(before, after) == slow(before, after), repr(before)


def test_headline_distances_in_one_pass() -> None:
    """``page_features._rhythms``: the nearest headline before and after each line, 1..4 or 5."""
    for titles in (set(), {0}, {3}, {0, 1, 2}, {2, 7, 9, 10}, {5, 11}):
        got = _rhythms(12, titles)
        for k in range(12):
            before = next((d for d in range(1, 5) if k - d in titles), 5)
            after = next((d for d in range(1, 5) if k + d in titles), 5)
            assert got[k][:2] == (f"tl_prev{before}", f"tl_next{after}"), (titles, k)
            assert ("tl_self" in got[k]) == (k in titles)


def test_year_word_and_sentence_gap_lead_with_what_they_consume() -> None:
    """``dates._YEAR_WORD`` and ``dates._SENTENCE_GAP`` match as their look-behind-first forms."""
    import random

    from transforms.dates import _SENTENCE_GAP, _YEAR_WORD

    year_first = re.compile(
        r"(?<![\d$£€.,/-])(?P<year>(?:19|20)\d\d)(?![\d%])(?!\s*(?:bn|m|million|billion|km|people|troops))"
    )
    gap_first = re.compile(r"(?<=[.!?])\s+")
    rng = random.Random(3)
    alpha = [*"12 09.,/-$£€%\n\t!?ab", "2019", "1999", "20", "19", " bn", " m", "million"]
    alpha += [". ", "!\n ", "?\u00a0"]
    texts = TEXTS + ["".join(rng.choice(alpha) for _ in range(rng.randint(0, 20))) for _ in range(20000)]
    for t in texts:
        assert [m.span() for m in _YEAR_WORD.finditer(t)] == [m.span() for m in year_first.finditer(t)], t
        for pos in (0, 3):
            a, b = _YEAR_WORD.search(t, pos, pos + 10), year_first.search(t, pos, pos + 10)
            assert (a and a.span()) == (b and b.span()), t
        assert _SENTENCE_GAP.split(t) == gap_first.split(t), t


def test_year_searches_start_where_a_year_can() -> None:
    """``dates.four_digit_year`` and ``dates.year_digits`` find what their patterns' searches find,
    within the same bounds."""
    import random

    from transforms.dates import four_digit_year, year_digits

    patterns = {
        four_digit_year: re.compile(r"(?:19|20)\d\d"),
        year_digits: re.compile(r"(?:19|20)\d\d|['\u2019]\d\d"),
    }
    rng = random.Random(5)
    alpha = [*"1920'\u2019 x9", "2019", "\u20190"]
    texts = TEXTS + ["".join(rng.choice(alpha) for _ in range(rng.randint(0, 14))) for _ in range(20000)]
    for t in texts:
        for fast, pattern in patterns.items():
            a, b = fast(t), pattern.search(t)
            assert (a and a.span()) == (b and b.span()), t
            for pos, end in ((0, 4), (1, 9), (3, 7), (2, 40)):
                a, b = fast(t, pos, end), pattern.search(t, pos, end)
                assert (a and a.span()) == (b and b.span()), (t, pos, end)


def test_spoke_to_is_asked_only_of_text_ending_as_its_matches_do() -> None:
    """``cues._may_be_spoken_to`` turns away no text that ``_SPOKE_TO`` matches."""
    import random

    from transforms.cues import _SPOKE_TO, _may_be_spoken_to

    rng = random.Random(11)
    words = [
        "spoke",
        "to",
        "with",
        "the",
        "by",
        "in",
        "on",
        "for",
        "and",
        ",",
        ";",
        "used",
        "was",
        "x",
        "bathe",
    ]
    gaps = [" ", "  ", "\n", "\t", "", "\u00a0"]
    texts = TEXTS + [
        "".join(rng.choice(words) + rng.choice(gaps) for _ in range(rng.randint(0, 6))) for _ in range(20000)
    ]
    matched = 0
    for t in texts:
        low = t.lower()
        if _SPOKE_TO.lower.search(low):
            matched += 1
            assert _may_be_spoken_to(low), t
    assert matched > 300
