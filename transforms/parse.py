"""parse_dump: one archive page's text -> ParsedDump.

The cascade, in the manner of GROBID: the line-role CRF labels every line of the page (outside,
post start, intro, title, date line, body, end) and so delimits its posts (transforms/line_roles.py);
for each post the field CRFs find its piece's outlet and its media mentions among the names of its
intro, title and first lines, and split its title line into title, outlet and date
(transforms/posts.py); deterministic helpers read dates, authors, notes and ids. Year inference
along the page's order closes (transforms/chronology.py; the warehouse repeats it over all dumps).

Which model: ``settings.model_path``, else ``$BYLINES_MODEL``, else the shipped one
(transforms/model.py). A page is refused (ParseError, quarantined by the loader) only when it is
not text, or holds too little English prose to be an archive page at all; never for its layout.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager

from transforms.archive import find_archive
from transforms.authors import detect_blog_author
from transforms.chronology import infer_years
from transforms.dating import archive_end, bound_by
from transforms.kinds import piece_kind
from transforms.line_roles import PageLines, read_page
from transforms.model import load_model
from transforms.models import ParsedDump, ParseError, ParseSettings
from transforms.posts import LOW_CONFIDENCE, PageContext, build_post, titles_of_run_on_teasers
from transforms.shapes import is_english
from transforms.text import split_lines

__all__ = ["LOW_CONFIDENCE", "parse_dump", "piece_kind"]

MIN_PROSE_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# a record of structured data: a JSON object or array, an XML element, a row of comma-separated fields
_RECORD = re.compile(r"^(?:[{\[].*[}\],]$|<[\w/!?][^>]*>|[^\s,]+(?:,[^\s,]*){2,}$)")


def _check_text(text: str) -> None:
    if not text or not text.strip():
        raise ParseError("empty text: nothing to parse")
    # control characters other than \r \n \t \f, and replacement characters
    bad = len(_CONTROL.findall(text, 0, 20000)) + text[:20000].count("\ufffd")
    if bad > max(10, len(text[:20000]) // 50):
        raise ParseError("binary or garbled content: too many control or replacement characters")
    head = text[:3000].lower()
    if "<html" in head or "<!doctype" in head or head.count("</div>") + head.count("<p>") > 5:
        raise ParseError("this is an HTML page, not a plain-text archive dump")


def _not_a_page(page: PageLines) -> str | None:
    """Why a text is not an archive page at all (structured data, one line over and over), or None."""
    texts = page.texts[:2000]
    others = 0  # lines that are not records; past 40 % the text is not structured data (stop early)
    for t in texts:
        if not _RECORD.match(t):
            others += 1
            if others * 10 > len(texts) * 4:
                break
    else:
        if texts:
            return "no recognisable blog post: the text is structured data (JSON, CSV or XML records)"
    distinct = len(set(texts))
    if len(texts) >= 10 and distinct * 10 < len(texts) and distinct <= 5:
        return "no recognisable blog post: the page repeats the same few lines over and over"
    return None


def _check_readable(page: PageLines) -> None:
    """Refuse what cannot be an English blog's archive page: not its layout, but its nature.

    A page whose intro is English and whose piece is in another language is read (the intro says
    what the piece is); one with nine prose lines in ten in another language is refused."""
    why = _not_a_page(page)
    if why:
        raise ParseError(why)
    prose = [t for t in page.texts[:400] if len(t) >= 60]
    if sum(map(len, page.texts[:400])) < MIN_PROSE_CHARS:
        raise ParseError("too little text to be an archive page")
    need = -(-len(prose) // 10)  # English lines enough to read the page (stop counting there)
    english = 0
    # shortest first: whether ``need`` of them are English does not depend on the order they are
    # counted in, and ``is_english`` scans each line's first 600 characters (read so, the lines
    # counted on the generated pages hold 72 % fewer characters)
    for t in sorted(prose, key=len):
        english += is_english(t)
        if english >= need:
            break
    if prose and english < need:
        raise ParseError(
            "most of the text is not in English: the parser reads the English blogs' archive pages"
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block, back as it was after it.

    Why: a parse allocates hundreds of thousands of short-lived objects (feature lists, tuples,
    matches), so the collector ran dozens of times per page, and every few pages a full
    collection walked the whole heap (the model, the gazetteer, the per-text caches); none of it
    found garbage, since a parse makes no reference cycles (92 pages parsed with it off, then
    collected: 92 unreachable objects in all). Reference counting frees a parse's objects as
    always; the collector's first run after the parse sees what the parse kept.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def parse_dump(text: str, dump_file: str, settings: ParseSettings | None = None) -> ParsedDump:
    """Parse one dump; raises ParseError when the text is not an archive page at all."""
    with _collector_paused():
        return _parse(text, dump_file, settings)


def _parse(text: str, dump_file: str, settings: ParseSettings | None) -> ParsedDump:
    settings = settings or ParseSettings()
    _check_text(text)
    lines = split_lines(text)
    page = PageLines.of(lines)
    _check_readable(page)
    model = load_model(settings.model_path)
    archive = find_archive(lines)
    roles, segs = read_page(page, model.lines, model.start_threshold)
    blog_author = settings.blog_author or detect_blog_author(lines)
    ctx = PageContext(text, lines, page, roles, model, blog_author, settings.site, archive)
    posts = titles_of_run_on_teasers([build_post(k + 1, seg, ctx) for k, seg in enumerate(segs)])
    # a monthly archive ("Archive for June, 2008") lists posts posted that month: their pieces
    # were published by its end
    month_end = archive_end(archive)
    if month_end is not None:
        for p in posts:
            if p.piece is not None:
                bound_by(p.piece.dating, month_end, f"posted by {month_end.isoformat()}")
    seq = [(p.post_id, p.piece.dating if p.piece else p.dating) for p in posts if (p.piece or p.dating)]
    inferred = infer_years([seq])  # type: ignore[list-item]
    for p in posts:
        if p.post_id in inferred:
            if p.piece is not None:
                p.piece.dating = inferred[p.post_id]
            elif p.dating is not None:
                p.dating = inferred[p.post_id]
    warnings: list[str] = []
    low = [p.seq for p in posts if p.confidence < LOW_CONFIDENCE]
    if low:
        warnings.append(f"low-confidence post boundaries at seq {low}")
    if posts:
        before = sum(1 for i in page.index if i + 1 < posts[0].start_line)
        if before:
            warnings.append(f"{before} non-empty line(s) before the first post were read as page furniture")
        after = sum(1 for i in page.index if i + 1 > posts[-1].end_line)
        if after:
            warnings.append(f"{after} non-empty line(s) after the last post were read as page furniture")
    if archive.kind == "unknown" and len(posts) == 1:
        archive = archive.model_copy(update={"kind": "single"})
    return ParsedDump(
        dump_file=dump_file,
        archive=archive,
        posts=posts,
        line_count=len(lines),
        warnings=warnings,
        blog_author=blog_author,
    )
