"""parse_dump: one archive dump's text -> ParsedDump.

Steps: archive header, post starts (segment), line roles per post (anatomy), the piece's fields
(dates, authors, outlet via the gazetteer), mentions and citations (outlets/mentions/citations
modules), ids, then year inference over the page order (chronology).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from transforms.anatomy import analyse
from transforms.archive import find_archive
from transforms.authors import byline_names, complete_name, detect_blog_author, intro_coauthors
from transforms.chronology import infer_years
from transforms.citations import extract_citations
from transforms.dates import find_dates, latest_full_date, stated_date, year_mentions
from transforms.folding import FoldedPattern, lowered
from transforms.identity import article_id, fingerprint, post_id
from transforms.mentions import extract_mentions
from transforms.models import (
    Archive,
    DateEstimate,
    OutletRef,
    ParsedDump,
    ParseError,
    ParseSettings,
    Piece,
    Post,
)
from transforms.outlets import load_gazetteer, piece_outlet
from transforms.segment import content_end, find_starts, is_english, is_footer, load_cues, title_like
from transforms.text import clean, split_lines
from transforms.topics import topics_for

LOW_CONFIDENCE = 0.6
# folded (see transforms/folding.py): searched in every piece's whole body
_YEAR_END = FoldedPattern.compile(
    r"\b(?:year\s+(?:has\s+)?(?:drawn to a close|closed|closes|came to an end|ended))\b", needs="year"
)


_LAST_YEAR = FoldedPattern.compile(r"\blast year\b", needs="last year")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


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


_PRINT_RUN = re.compile(
    r"\b(?:ran|appeared|printed|made it|published)\s+(?:\w+\s+){0,3}?in\s+(?:the\s+)?"
    r"(?:print|paper|magazine|print edition|newspaper)\b",
    re.IGNORECASE,
)


_REPORT_WORD = re.compile(
    r"\b(?:paper|report|policy note|brief(?!\s+(?:item|piece|note|comment|post|article|look|thoughts?)\b))\b"
)


# A sentence about writing still to come ("more in a longer report which should be out shortly")
# does not name the kind of the piece this post carries.
_FUTURE_WORK = re.compile(
    r"\b(?:should be out|will be out|due out|out shortly|out soon|coming soon|forthcoming|upcoming"
    r"|in the pipeline|to come|should be landing|will follow|may follow)\b",
    re.I,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def _present_sentences(text: str) -> str:
    """The text without its sentences about future writing (kept whole when all of them are)."""
    if not _FUTURE_WORK.search(text):
        return text
    kept = [s for s in _SENTENCE_SPLIT.split(text) if not _FUTURE_WORK.search(s)]
    return " ".join(kept) or text


@lru_cache(maxsize=1 << 14)  # a pure function of its arguments, and a post recurs on several tag pages
def piece_kind(intro: str, title: str, outlet_kind: str | None, outlet_text: str | None = None) -> str:
    """Kind of piece from the words the intro uses for it, then the outlet's kind.

    The most specific word in the first intro paragraph wins ("a few pieces ... a short paper"
    is a report); a piece that "ran in the magazine" was printed, so it is an op-ed whatever
    the outlet. The outlet's own name (``outlet_text``, as the intro wrote it) is not a word for
    the piece: "a piece for China Brief" is not a brief, nor one for "Global Policy Report" a report.
    """
    first_para = _present_sentences(intro.split("\n\n")[0])
    if outlet_text:
        first_para = re.sub(re.escape(outlet_text), "Outlet", first_para, flags=re.IGNORECASE)
    found = [m.group(0).lower() for m in load_cues().own_piece.finditer(first_para)]
    own = found[0] if found else ""
    # A generic first noun ("a few pieces ... a short paper for the X Program") defers to a more
    # specific one that names where it ran (not "a longer report which should be out shortly").
    at = first_para.lower().find(own) if own else -1
    specific = first_para[at : at + len(own) + 12].lower() if at >= 0 else own  # with the next word
    if re.search(r"\b(pieces?|articles?|posts?|posting)$", own):
        specific = " ".join(m.group(0).lower() for m in load_cues().piece_for.finditer(first_para))
    if any(re.search(r"\bletter\b", f) for f in found) or title.lower().startswith("letter:"):
        return "letter"
    if re.search(r"\binterview\b", own):
        return "interview"
    if re.search(r"\bpodcast\b", own):
        return "podcast"
    # "a policy brief for RUSI" is a report; "a brief item/piece" is just short
    if _REPORT_WORD.search(specific) and outlet_kind != "newspaper":
        return "report"
    if outlet_kind == "journal":
        return "journal-article"
    if re.search(r"\bcommentary\b", own) or title.lower().startswith("commentary:"):
        return "commentary"
    if _PRINT_RUN.search(first_para):
        return "op-ed"
    if outlet_kind in ("think-tank", "magazine", "online", "wire"):
        return "commentary"
    return "op-ed"


def _kind_paragraph(intro: str, intro_lines: list[tuple[int, str]], outlet: OutletRef | None) -> str:
    """The intro paragraph that presents the piece: the one its outlet was read from, else the first.

    Why: a post may open with a round-up of appearances ("Spoke to the BBC ... did an interview
    with ...") before the paragraph about the piece ("this op-ed for the X"); the piece's kind is
    in the words of the latter.
    """
    if outlet is not None and outlet.line is not None:
        for line_no, text in intro_lines:
            if line_no == outlet.line:
                return text
    return intro


def _dating(
    anat_date: tuple[int, str] | None, texts: list[str], captions: list[str], notes: list[str], intro: str
) -> DateEstimate:
    if anat_date is not None:
        got = stated_date(anat_date[1])
        if got is not None:
            d, precision = got
            return DateEstimate(
                published_date=d,
                date_precision=precision,  # type: ignore[arg-type]
                date_text=anat_date[1].strip(),
                year=d.year,
                basis="stated",
                date_min=d,
                date_max=d,
                evidence=anat_date[1].strip(),
            )
    years: list[int] = []
    for t in texts:
        years.extend(y for y in year_mentions(t) if 1990 <= y <= date.today().year)
    texts_lower = [lowered(t) for t in texts]
    for t, t_lower in zip(texts, texts_lower, strict=True):
        if not _LAST_YEAR.found(t, t_lower):
            continue  # "last year" never spans two sentences: skip the split
        for sent in re.split(r"(?<=[.!?])\s+", t):
            # "Sitting in Beijing last year, I watched ... September 2015" -> written the year after
            if _LAST_YEAR.found(sent):
                named = [y for y in year_mentions(sent) if 1990 <= y < date.today().year]
                if len(set(named)) == 1:
                    years.append(named[0] + 1)
    dated = latest_full_date(captions + notes)
    lows = [date(y, 1, 1) for y in years]
    if dated is not None:
        lows.append(dated)
    low = max(lows) if lows else None
    evidence = []
    if low is not None:
        evidence.append(f"names {low.isoformat() if dated == low else low.year}")
    if any(
        _YEAR_END.found(t, t_lower) for t, t_lower in zip(texts + [intro], [*texts_lower, None], strict=True)
    ):
        evidence.append("year-end")
    return DateEstimate(
        year=low.year if low else None,
        basis="text" if low else None,
        date_min=low,
        evidence="; ".join(evidence) or None,
    )


def _only_headlines(lines: list[str], first: int, last: int) -> bool:
    """Lines first..last (0-based, inclusive) hold at least one non-empty line, all headline-like."""
    seen = False
    for i in range(first, last + 1):
        text = clean(lines[i])
        if text:
            if not title_like(text):
                return False
            seen = True
    return seen


def _archive_end(archive: Archive) -> date | None:
    """Last day of a date archive's period ("June, 2008" -> 2008-06-30, "2008" -> 2008-12-31)."""
    if archive.kind != "month" or not archive.label:
        return None
    found = find_dates(archive.label)
    if found and found[0][3] == "month":
        d = found[0][2]
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    m = re.fullmatch(r"\s*((?:19|20)\d\d)\s*", archive.label)
    return date(int(m.group(1)), 12, 31) if m else None


def parse_dump(text: str, dump_file: str, settings: ParseSettings | None = None) -> ParsedDump:
    """Parse one dump; raises ParseError when the text is not an archive dump."""
    settings = settings or ParseSettings()
    _check_text(text)
    lines = split_lines(text)
    archive = find_archive(lines)
    first = archive.header_line or 0
    stop = content_end(lines, first)  # share buttons, comment form, navigation under the last post
    starts = find_starts(lines, first, stop)
    if not starts:
        prose = [t for t in map(clean, lines[first:stop][:400]) if len(t) >= 60]
        if prose and sum(map(is_english, prose)) * 2 < len(prose):
            raise ParseError(
                "no recognisable blog post, and most of the text is not in English: the parser reads "
                "the English blog's archive pages"
            )
        raise ParseError("no recognisable blog post: no intro paragraph followed by a title was found")
    blog_author = settings.blog_author or detect_blog_author(lines)
    known = {blog_author} if blog_author else set()
    gaz = load_gazetteer()
    n_lines = len(lines)
    posts: list[Post] = []
    warnings: list[str] = []
    for k, st in enumerate(starts):
        nxt = starts[k + 1].intro[0] if k + 1 < len(starts) else stop
        end = nxt - 1
        while end > st.intro[0] and (
            not clean(lines[end]) or (k + 1 == len(starts) and is_footer(lines[end]))
        ):
            end -= 1
        intro_lines = [(i + 1, clean(lines[i])) for i in st.intro]
        post_warn: list[str] = []
        confidence = st.confidence
        if st.title is None:
            # a pure round-up: every line is intro
            intro_lines = [(i + 1, clean(lines[i])) for i in range(st.intro[0], end + 1) if clean(lines[i])]
            piece = None
            intro = "\n\n".join(t for _l, t in intro_lines)
            cits = []
            ment = extract_mentions(intro_lines, None, gaz)
            tags: list[str] = []
        else:
            piece_end = st.roundup[0] - 1 if st.roundup else end
            anat = analyse(lines, st.title, piece_end)
            if anat.date_line is None and not anat.body and _only_headlines(lines, st.title + 1, piece_end):
                # a "title" followed by nothing but more headline-like lines reads like a list of
                # links (a sidebar's recent posts) as much as like a link post: say so
                confidence = round(confidence * 0.7, 3)
                post_warn.append("title followed only by short headline-like lines (a list of links?)")
            # round-up paragraphs after the piece (continuations after the end) belong to the intro side
            intro = "\n\n".join(t for _l, t in intro_lines)
            outlet = piece_outlet(intro, intro_lines[0][0], anat.head, anat.tail, gaz)
            authors: list[str] = []
            for _ln, h in anat.head:
                names = byline_names(h, known)
                if names:
                    authors = names
                    break
            if not authors and anat.bio is not None:
                m = re.match(r"^(.+?)\s+(?:is|was)\s", anat.bio[1])
                if m and (not blog_author or m.group(1) == blog_author):
                    authors = [m.group(1)]
            if not authors and blog_author:
                authors = [blog_author]
            not_names = {outlet.name} if outlet else set()
            body_all = " ".join(t for _l, t in anat.body)
            for co in intro_coauthors(intro, blog_author, not_names):
                # a place or subject recurs in the piece's body; a co-author's name does not
                if co in authors or body_all.count(co) >= 2:
                    continue
                if " " not in co:
                    # "a new piece with Kabir": the full name if the dump gives it anywhere
                    full = complete_name(co, text)
                    if full is None:
                        post_warn.append(f"co-author named by first name only: {co}")
                    co = full or co
                if co not in authors and not any(a.startswith(co + " ") for a in authors):
                    authors.append(co)
            body_text = "\n\n".join(t for _l, t in anat.body)
            dating = _dating(
                anat.date_line,
                [anat.title[1], body_text],
                [t for _l, t in anat.captions],
                [t for _l, t in anat.notes],
                intro,
            )
            piece = Piece(
                title=anat.title[1],
                title_line=anat.title[0],
                standfirst=anat.standfirst[1] if anat.standfirst else None,
                outlet=outlet,
                kind=piece_kind(
                    _kind_paragraph(intro, intro_lines, outlet),
                    anat.title[1],
                    outlet.outlet_kind if outlet else None,
                    outlet.matched_text if outlet else None,
                ),  # type: ignore[arg-type]
                authors=authors,
                dating=dating,
                tags=anat.tags,
                body=body_text,
                body_start_line=anat.body[0][0] if anat.body else None,
                body_end_line=anat.body[-1][0] if anat.body else None,
                # == len(body_text.split()): cleaned paragraphs hold single spaces between words
                word_count=body_text.count(" ") + len(anat.body),
                bio=anat.bio[1] if anat.bio else None,
            )
            # round-up paragraphs after the piece ("And now for some links...") report appearances too
            # and so do add-ons after the piece's bio or signature that the segmenter left inside it
            extra = anat.addenda + [(i + 1, clean(lines[i])) for i in st.roundup]
            ment = extract_mentions(intro_lines + extra, outlet, gaz)
            cits = extract_citations(anat.notes) if anat.notes else []
            tags = anat.tags
        if confidence < LOW_CONFIDENCE:
            post_warn.append(f"low segmentation confidence {confidence:.2f}")
        title = piece.title if piece else None
        posts.append(
            Post(
                seq=k + 1,
                start_line=st.intro[0] + 1,
                end_line=end + 1,
                intro=intro,
                piece=piece,
                mentions=ment,
                citations=cits,
                # a date archive ('Archive for June, 2008') says when, not what: no topic
                topics=topics_for(archive.label if archive.kind != "month" else None, tags),
                confidence=confidence,
                warnings=post_warn,
                post_id=post_id(intro, title),
                article_id=article_id(title) if title else None,
                fingerprint=fingerprint(piece.body if piece and piece.body else intro),
            )
        )
    # a monthly archive ("Archive for June, 2008") lists posts posted that month: their pieces
    # were published by its end
    month_end = _archive_end(archive)
    if month_end is not None:
        for p in posts:
            d = p.piece.dating if p.piece is not None else None
            if d is not None and d.published_date is None and (d.date_max is None or d.date_max > month_end):
                if d.date_min is None or d.date_min <= month_end:
                    d.date_max = month_end
                    d.evidence = "; ".join(filter(None, [d.evidence, f"posted by {month_end.isoformat()}"]))
    # year inference along this page (the warehouse repeats it over all dumps)
    seq = [(p.post_id, p.piece.dating) for p in posts if p.piece is not None]
    inferred = infer_years([seq])
    for p in posts:
        if p.piece is not None and p.post_id in inferred:
            p.piece.dating = inferred[p.post_id]
    skipped = sum(1 for i in range(first, starts[0].intro[0]) if clean(lines[i]))
    if skipped:
        warnings.append(
            f"{skipped} non-empty line(s) before the first post were not read as posts (site furniture?)"
        )
    trailing = sum(1 for i in range(stop, n_lines) if clean(lines[i]))
    if trailing:
        warnings.append(
            f"{trailing} non-empty line(s) after the last post were read as page furniture (comment form, "
            "share buttons, navigation)"
        )
    low = [p.seq for p in posts if p.confidence < LOW_CONFIDENCE]
    if low:
        warnings.append(f"low-confidence post boundaries at seq {low}")
    if archive.kind == "unknown" and len(posts) == 1:
        archive = archive.model_copy(update={"kind": "single"})
    return ParsedDump(
        dump_file=dump_file,
        archive=archive,
        posts=posts,
        line_count=n_lines,
        warnings=warnings,
        blog_author=blog_author,
    )
