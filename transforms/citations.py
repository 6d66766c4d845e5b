"""Numbered notes (footnotes/endnotes) of a piece.

Notes come out of PDF-like copy and paste: several notes can share a physical line
("45 “...” Eurasianet.org, June 4, 2020. 46“...” kaktus.media, ..."), the number can be glued
to the opening quote, a note can wrap onto the next line, and URLs are broken by spaces. Notes
are numbered consecutively, so a new note inside a line is only recognised where the *next*
number appears after the end of the previous note; numbers inside titles ("Rises To 11") never
qualify. A note with no quoted title, no date and no URL is an explanatory remark.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from transforms.dates import MONTHS as _MONTHS
from transforms.models import Citation

_OPEN_Q = "\u201c\"\u2018'"
# A line that starts a note: a 1-3 digit number, then a quote, or a name/title word.
_NOTE_START = re.compile(
    r"^\s*\[?(\d{1,3})(?!\d)(?:\]|[.)](?=\s))?(?=\s*[\u201c\"\u2018(]|\s+[A-Z][\w'\u2019.-]*(?:[\s,:]|$))\s*"
)
_MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE_MDY = re.compile(rf"\b({_MONTH_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})\b")
_DATE_DMY = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_RE}),?\s+(\d{{4}})\b")
_DATE_MY = re.compile(rf"\b({_MONTH_RE})\s+(\d{{4}})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_OPEN_QUOTE = re.compile(r"[\u201c\"]")
_CLOSE_QUOTE = re.compile(r"[\u201d\"]")
_BARE_YEAR = re.compile(r",\s*\(?(?:19|20)\d{2}\)?(?=[,.\s]|$)")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DOMAIN = re.compile(
    r"\b((?:[a-z0-9-]+\.)+(?:com|org|net|gov|edu|info|media|news|uz|kz|kg|tj|tm|ru|cn|uk|in|pk|af|"
    r"sg|hk|jp|de|fr|it|eu|int|io|co|tv|fm)(?:\.[a-z]{2})?)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1 << 16)  # asked of the same lines by the line features, the labels and the anatomy
def looks_like_note(line: str) -> bool:
    """True when a line starts a numbered note ("12 “Title,” Source, date." or "3Name, “Title”")."""
    return bool(_NOTE_START.match(line))


# A lone numbered line is a note only when it reads as a reference: the number glued to a quoted
# title ("1 “Title,” Source"), or a URL, or the scholarly words of a citation.
_CITES_ALONE = re.compile(
    r"^\s*\[?\d{1,3}\]?[.)]?\s*[\u201c\"]|https?://|www\.|\b(?:ibid|op\. cit|accessed|retrieved)\b", re.I
)
# What else a note that cites something carries: a year where a reference puts it ("..., 2019."
# "(2019)"), pages, a publisher's place ("(London: Example Press"), "et al.", a domain.
_CITES = re.compile(
    r",\s*\(?(?:1[6-9]|20)\d\d\)?(?=[,.;)\s]|$)|\((?:1[6-9]|20)\d\d\)|\bpp?\.\s*\d"
    r"|\([A-Z][\w.]+(?: [A-Z][\w.]+)*:\s*[A-Z]|\bet al\b"
)
_LEADING_NUMBER = re.compile(r"^\s*\[?(\d{1,3})")


def cites_something(text: str) -> bool:
    """Does a numbered line point at a source (a quoted title, a URL, a date, a year, pages...)?"""
    body = _NOTE_NUMBER.sub("", text.strip())
    return bool(
        _CITES_ALONE.search(text)
        or _CITES.search(body)
        or _titles(body)
        or _find_date(body)
        or _DOMAIN.search(body)
    )


def is_notes_block(texts: list[str]) -> bool:
    """Is a run of numbered lines at the end of a piece its notes (not reader comments or a list)?

    A notes block numbers its lines upwards ("1 ...", "2 ... 3 ...") and is mostly references: at
    least half its lines point at a source. Numbered reader comments under a post ("1. Great
    piece, congratulations!") and a numbered list of points rise too but cite nothing. A lone
    numbered line ("10 Downing Street said...") is a note only when it reads as a reference
    (``_CITES_ALONE``). A run under a "Notes" heading is decided by its heading, not here.
    """
    if len(texts) == 1:
        return bool(_CITES_ALONE.search(texts[0]))
    numbers = [int(m.group(1)) for t in texts if (m := _LEADING_NUMBER.match(t))]
    rising = len(numbers) >= 2 and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
    return rising and 2 * sum(map(cites_something, texts)) >= len(texts)


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower()]


def _find_date(text: str) -> date | None:
    """The first full date stated in a note."""
    best: tuple[int, date] | None = None
    for pattern, order in ((_DATE_MDY, "mdy"), (_DATE_DMY, "dmy"), (_DATE_ISO, "iso")):
        m = pattern.search(text)
        if not m:
            continue
        try:
            if order == "mdy":
                d = date(int(m.group(3)), _month(m.group(1)), int(m.group(2)))
            elif order == "dmy":
                d = date(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
            else:
                d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if best is None or m.start() < best[0]:
            best = (m.start(), d)
    return best[1] if best else None


# Where a note's source ends: its first date-like expression, URL or bare year (", 2019"). One
# search of all six as branches of one pattern: the leftmost match of an alternation starts where
# the leftmost of its branches' own first matches does. Why: six scans of every note were a third
# of reading it (a note's source is asked for each of its titles).
_SOURCE_END = re.compile(
    "|".join(f"(?:{p.pattern})" for p in (_DATE_MDY, _DATE_DMY, _DATE_MY, _DATE_ISO, _BARE_YEAR))
    + f"|(?i:{_URL.pattern})"
)


_SLUG = re.compile(r"^[a-z0-9][a-z0-9\-._~%]*$")
_NOT_URL_WORDS = frozenset({"accessed", "retrieved", "viewed", "available", "last", "archived", "and", "or"})
# the pieces of a URL a space broke: the next word, a file name, a hex id
_NEXT_PIECE = re.compile(r"\s+(\S+)")
_FILE_PIECE = re.compile(r"^[\w-]*\.(?:pdf|html?|php|aspx?|jsp)\b", re.IGNORECASE)
_HEX_PIECE = re.compile(r"^[0-9a-f]{2,}[-_]")
# what follows a closing quote that ends a title: the source, or the note's end
_BEFORE_SOURCE = re.compile(r",?\s+[^\s\u201c\u201d\"]")
_AT_END = re.compile(r"[,.]?\s*$")
_IN_FROM = re.compile(r"^(?:in|from)\s+")
_NOTE_NUMBER = re.compile(r"^\[?\d{1,3}(?:\]|[.)](?=\s))?\s*")


def _slug_tail(url: str, piece: str, after: str) -> bool:
    """'.../investment-pipelin e-ministry-delay-prices': a lower-case slug fragment after a URL
    whose last segment is a slug, when the fragment continues the slug or ends the note."""
    last_segment = url.rstrip("/").rsplit("/", 1)[-1]
    if "-" not in last_segment or not _SLUG.match(piece.rstrip(".")) or piece.rstrip(".") in _NOT_URL_WORDS:
        return False
    return "-" in piece or after.strip() in ("", ".")


def _rejoin_url(text: str) -> str | None:
    """The note's URL with the spaces that broke it removed."""
    m = _URL.search(text)
    if not m:
        return None
    url = m.group(0)
    rest = text[m.end() :]
    while True:
        tok = _NEXT_PIECE.match(rest)
        if not tok:
            break
        piece = tok.group(1)
        joinable = (
            url.endswith(("/", "-", "_", "=", "?", "&"))
            or "/" in piece
            or _FILE_PIECE.match(piece)
            or _HEX_PIECE.match(piece)
            or _slug_tail(url, piece, rest[tok.end() :])
        )
        if not joinable:
            break
        url += piece
        rest = rest[tok.end() :]
    return url.rstrip(".,;)")


def _titles(body: str) -> list[tuple[str, str]]:
    """(title, source region) for every quoted title in a note.

    A closing quote ends a title only where a title ends in print: after a comma or stop
    ('...disasters,”') or before the source ('...” kaktus.media'); an inner quoted phrase
    ('the article “Multi-country ...”: delete ...') does not.
    """
    out: list[tuple[str, str]] = []
    pos = 0
    while True:
        open_m = _OPEN_QUOTE.search(body, pos)
        if not open_m:
            break
        end = None
        for close in _CLOSE_QUOTE.finditer(body, open_m.end()):
            i = close.start()
            follow = body[i + 1 :]
            if body[i - 1] in ",.?!" or _BEFORE_SOURCE.match(follow) or _AT_END.match(follow):
                end = i
                break
        if end is None:
            break
        title = body[open_m.end() : end].strip().strip(' ,.;:\u201d\u201c"').strip()
        nxt = _OPEN_QUOTE.search(body, end + 1)
        region_end = nxt.start() if nxt else len(body)
        if title:
            out.append((title, body[end + 1 : region_end]))
        pos = region_end
    return out


def _source(rest: str, lead: str) -> str | None:
    """The publication or site named after the title (or, with no title, a domain in the note)."""
    end = _SOURCE_END.search(rest)
    head = rest[: end.start() if end else len(rest)]
    head = head.strip(' ,.;:(\u201d"')
    head = _IN_FROM.sub("", head)
    if head and len(head) <= 80:
        return head.split(";")[0].strip(" ,.") or None
    dm = _DOMAIN.search(rest) or _DOMAIN.search(lead)
    return dm.group(1) if dm else None


def _parse_note(n: int, raw: str, line: int) -> Citation:
    text = raw.strip()
    body = _NOTE_NUMBER.sub("", text)
    url = _rejoin_url(body)
    titles: list[str] = []
    sources: list[str] = []
    for title, region in _titles(body):
        titles.append(title)
        src = _source(region, "")
        if src:
            sources.append(src)
    cited = _find_date(body)
    source = "; ".join(dict.fromkeys(sources)) or None
    if source is None and not titles:
        dm = _DOMAIN.search(body)
        source = dm.group(1) if dm and url is None else None
    is_comment = not titles and cited is None and url is None
    return Citation(
        note_number=n,
        source=source,
        title="; ".join(titles) or None,
        url=url,
        cited_date=cited,
        is_comment=is_comment,
        raw_text=text,
        line=line,
    )


# A note's number inside a line: after a sentence end, glued to or followed by a quote or word; or,
# after a bare URL, before an opening quote or a capitalised word. Any number: ``_next_note`` wants one.
_NOTE_AT = re.compile(
    r"(?:(?<=[.;\u201d\"])|(?<=[.;\u201d\"]\s))\s*(\d{1,3})(?!\d)\s*(?=[\u201c\"\u2018A-Z])"
    r"|(?<=\s)(\d{1,3})(?:\s*(?=[\u201c])|\s+(?=[A-Z][a-z]))"
)


def _next_note(text: str, n: int, pos: int) -> re.Match[str] | None:
    """Where note ``n`` starts in ``text`` from ``pos``: the first ``_NOTE_AT`` whose number is ``n``.

    Why not a pattern with ``n`` written in: one compiled per note number was 2 % of the parse.
    Both read a whole run of digits (none may stand just before it or after it), so the first
    match of ``n``'s own pattern is the first match of this one that reads ``n``.
    """
    want = str(n)
    m = _NOTE_AT.search(text, pos)
    while m is not None and (m.group(1) or m.group(2)) != want:
        m = _NOTE_AT.search(text, m.start() + 1)
    return m


def _split_line(text: str, expected: int) -> list[tuple[int, str]]:
    """Cut one physical line into (number, text) notes, trusting only the expected sequence."""
    out: list[tuple[int, str]] = []
    pos = 0
    n = expected
    cut_points: list[tuple[int, int]] = []
    while True:
        m = _next_note(text, n, pos + 1)
        if not m:
            break
        group = 1 if m.group(1) is not None else 2
        cut_points.append((m.start(group), n))
        pos = m.end(group)
        n += 1
    starts = [(0, expected - 1)] + cut_points
    for i, (s, num) in enumerate(starts):
        e = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out.append((num, text[s:e].strip()))
    return out


def extract_citations(lines: list[tuple[int, str]]) -> list[Citation]:
    """Every numbered note of a notes block, in order; wrapped lines join their note."""
    notes: list[tuple[int, int, str]] = []  # (number, line, text)
    expected = 1
    for line_no, raw in lines:
        text = raw.replace("\u00a0", " ").strip()
        if not text:
            continue
        m = _NOTE_START.match(text)
        if m:
            first = int(m.group(1))
            if notes and first < notes[-1][0] and first != 1:
                notes[-1] = (notes[-1][0], notes[-1][1], notes[-1][2] + " " + text)
                continue
            for num, part in _split_line(text, first + 1):
                notes.append((num if num != first else first, line_no, part))
            expected = notes[-1][0] + 1
        elif notes:
            # a wrapped continuation (a URL cut by the line end, the rest of a comment)
            num, ln, prev = notes[-1]
            joined = prev + (" " if not prev.endswith(("/", "-")) else "") + text
            notes[-1] = (num, ln, joined)
    del expected
    return [_parse_note(num, txt, ln) for num, ln, txt in notes]
