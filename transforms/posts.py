"""One post of a page, assembled from its lines' roles: piece, outlet, date, authors, mentions.

The line-role model says which lines are the post's intro, title, date line and body; the field
models find the outlet of its piece and its media mentions among the names in those lines; the
rest is deterministic: the anatomy of the piece's lines (transforms/anatomy.py: head, body,
notes, bio), dates (transforms/dating.py), authors (transforms/authors.py), citations, ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from transforms.anatomy import Anatomy, analyse
from transforms.authors import bio_subject, byline_names, complete_name, intro_coauthors
from transforms.canonical import canonical_ref, label_outlet, site_ref
from transforms.citations import extract_citations
from transforms.dates import find_dates, is_date_only, stated_date
from transforms.dating import bound_by, stated, text_clues
from transforms.fields import PostLine, Slot, features, framed_outlet, outlet_candidate, owners_title, slots
from transforms.head_readings import untitled_heading
from transforms.identity import article_id, fingerprint, post_id
from transforms.kinds import kind_paragraph, piece_kind
from transforms.line_roles import PageLines, Segment
from transforms.list_heads import list_outlet
from transforms.mentions import appearances
from transforms.model import Model
from transforms.models import Archive, DateEstimate, OutletRef, Piece, Post
from transforms.title_split import TitleParts, split_title
from transforms.topics import topics_for
from transforms.word_readings import word_classes

LOW_CONFIDENCE = 0.6
DATE_ROLES = ("D", "Dt")
EARLY_DATE_CHARS = 60
_POSTED = re.compile(r"^(?:posted|published|date|written)\b", re.I)
_POSTED_ON = re.compile(r"\b(?:posted|published|written)\s+(?:on\b|:)\s*", re.I)


@dataclass
class PageContext:
    """What every post of a page is read against."""

    text: str
    lines: list[str]
    page: PageLines
    roles: list[str]
    model: Model
    blog_author: str | None
    site: str | None
    archive: Archive


_CACHE_SIZE = 1 << 14
_FIELD_CACHE: dict[tuple, tuple[list[str], list[float]]] = {}
_TITLE_CACHE: dict[tuple[str, str], TitleParts] = {}
_T = TypeVar("_T")
# a PostLine from its fields, without NamedTuple's Python-level __new__ (one per line of every post)
_new_line = tuple.__new__


def _remember(cache: dict[Any, _T], key: Any, compute: Callable[[], _T]) -> _T:
    """``compute()``, remembered in ``cache`` under ``key`` (all forgotten at once when it is full).

    Why: a post recurs on several tag pages; what the models read of it is read once. Keys hold
    the model's key, so another model never reads a remembered answer.
    """
    hit = cache.get(key)
    if hit is None:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        hit = cache[key] = compute()
    return hit


def _title_parts(ctx: PageContext, title_text: str) -> TitleParts:
    """The title, outlet and date of the post's title line (remembered per line and model)."""
    key = (ctx.model.key, title_text)
    return _remember(_TITLE_CACHE, key, lambda: split_title(title_text, ctx.model.titles))


def _fields(
    ctx: PageContext, post_lines: list[PostLine], title: str | None
) -> tuple[list, list[str], list[float]]:
    """The post's outlet candidates, their labels and each one's probability of being the piece's outlet.

    Remembered per post text (its lines and their roles, title, blog author, model): a post
    repeated on several tag pages is read by the field model once.
    """
    chain = slots(post_lines)
    if not chain:
        return chain, [], []
    tagger = ctx.model.fields
    first = chain[0].line.number
    key = (
        ctx.model.key,
        title,
        ctx.blog_author,
        *((s.line.number - first, s.line.role, s.line.text) for s in chain),
    )

    def read() -> tuple[list[str], list[float]]:
        labels = tagger.tag(features(chain, title, ctx.blog_author))
        p_marg = (
            [tagger.marginal("P", k) for k in range(len(chain))]
            if "P" in tagger.labels()
            else [0.0] * len(chain)
        )
        return labels, p_marg

    labels, p_marg = _remember(_FIELD_CACHE, key, read)
    return chain, list(labels), list(p_marg)


def _piece_outlet(
    ctx: PageContext,
    chain: list,
    labels: list[str],
    p_marg: list[float],
    from_title: str | None,
    title_line: int,
) -> tuple[OutletRef | None, Slot | None]:
    """The piece's outlet, and the candidate it was read from (None for a title line's or the site)."""
    if from_title:
        ref = canonical_ref(from_title, ctx.model.aliases, title_line)
        if ref is not None:
            return ref, None
    if ctx.archive.kind == "category":
        filed = label_outlet(ctx.archive.label)  # a category the writer files an outlet's pieces under
        if filed is not None:
            return filed, None
    best = outlet_candidate(labels, p_marg, ctx.model.min_outlet_prob)
    if best is not None:
        slot = chain[owners_title(chain, best)]
        return canonical_ref(slot.cand.text, ctx.model.aliases, slot.line.number), slot
    framed = framed_outlet(chain)
    if framed is not None:
        ref = canonical_ref(framed.cand.text, ctx.model.aliases, framed.line.number)
        if ref is not None:
            return ref, framed
    return _site(ctx), None


def _site(ctx: PageContext) -> OutletRef | None:
    return site_ref(ctx.site) if ctx.site else None


def _listed_under(ctx: PageContext, entry: int) -> OutletRef | None:
    """The outlet the heading or intro of the publication list holding ``entry`` names."""
    found = list_outlet(ctx.page.texts, entry)
    if found is None:
        return None
    name, at = found
    return canonical_ref(name, ctx.model.aliases, ctx.page.index[at] + 1)


def _date_by_outlet(slot: Slot | None) -> DateEstimate | None:
    """A date written against the outlet's name ("9 May 2012The Hindu", "Dawn, 3 May 2019"): stated.

    A list of pieces gives each entry's outlet and date side by side, wherever in the line; a date
    elsewhere in a sentence is not the piece's date (dates.py reads those as text clues).
    """
    if slot is None:
        return None
    text, a, b = slot.line.text, slot.cand.start, slot.cand.end
    feats = slot.cand.features
    if "date_before" not in feats and "date_after" not in feats:
        return None
    for start, end, _d, _p in find_dates(text):
        if (end <= a and a - end <= 7) or (b <= start and start - b <= 3):
            return stated(text[start:end])
    return None


def _dating(
    ctx: PageContext,
    post_lines: list[PostLine],
    anat: Anatomy,
    title_date: str | None,
    intro: str,
    outlet_slot: Slot | None,
    body_text: str,
) -> DateEstimate:
    for pl in post_lines:
        if pl.role in DATE_ROLES:
            got = stated(pl.text)
            if got is not None:
                return got
    if anat.date_line is not None:
        got = stated(anat.date_line[1].strip())
        if got is not None:
            return got
    if title_date:
        got = stated(title_date, evidence=title_date)
        if got is not None:
            return got
    got = _date_by_outlet(outlet_slot)
    if got is not None:
        return got
    first = post_lines[0]
    if first.number != anat.title[0]:
        # a date block above the title ("3 Feb2019", "Written on: 3. 5. 2021 in the category: ...")
        got = stated(first.text) if stated_date(first.text) else _opening_date(first.text)
        if got is not None:
            return got
    elif is_date_only(first.text):
        return stated(first.text)  # what opens the post is a date heading, not a title
    else:
        # a title-first post: a date opening the line under its title ("Published by X (30th May, 2022)")
        after = next((pl for pl in post_lines if pl.number > first.number), None)
        if after is not None:
            found = find_dates(after.text[:EARLY_DATE_CHARS])
            if found:
                got = stated(after.text[: found[0][1]])
                if got is not None:
                    return got
    return text_clues(
        [anat.title[1], intro, body_text], [t for _l, t in anat.captions], [t for _l, t in anat.notes], intro
    )


def _opening_date(text: str) -> DateEstimate | None:
    """The date that opens a header line ("Written on: 3. 5. 2021 in the category: News")."""
    found = find_dates(text[:EARLY_DATE_CHARS])
    return stated(text[: found[0][1]]) if found else None


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text[:20])


def _lead_in(text: str) -> bool:
    """A line that ends with a colon introduces what follows it (a list, a quotation, a share
    widget's buttons: "Share this:"): never a title, though the line model, which reads a short
    line under a post's text as its next title, may label it one. No title in the three corpora's
    gold ends with a colon."""
    return text.rstrip().endswith(":")


def _roundup_dating(post_lines: list[PostLine], intro: str) -> DateEstimate:
    """A round-up's date: its own date line (a media list's "3 May 2023"), else the years it names."""
    for pl in post_lines[:3]:
        if pl.role in DATE_ROLES or stated_date(pl.text):
            got = stated(pl.text)
            if got is not None:
                return got
    for pl in post_lines[:3]:
        m = _POSTED_ON.search(pl.text)
        if m is not None:  # "... Posted on July 26, 2007 ...": a post's own date, inside its line
            found = find_dates(pl.text[m.end() : m.end() + EARLY_DATE_CHARS])
            if found and found[0][0] <= 3:
                got = stated(pl.text[m.start() : m.end() + found[0][1]])
                if got is not None:
                    return got
    return text_clues([intro], [], [], intro)


def _posted(ctx: PageContext, first: int) -> date | None:
    """The blog's own posting date in the page furniture just above a post ("Posted: March 4, 2011 in X")."""
    for k in range(first - 1, max(-1, first - 5), -1):
        if ctx.roles[k] != "O":
            break
        text = ctx.page.texts[k]
        if text[:1] in "PpDdWw" and _POSTED.match(text):
            found = find_dates(text)
            if found:
                return found[0][2]
    return None


def _authors(
    ctx: PageContext, anat: Anatomy, intro: str, outlet: OutletRef | None, own_text: str
) -> tuple[list[str], list[str]]:
    known = {ctx.blog_author} if ctx.blog_author else set()
    warnings: list[str] = []
    authors: list[str] = []
    for _ln, h in anat.head:
        names = byline_names(h, known)
        if names:
            authors = names
            break
    if not authors and anat.bio is not None:
        subject = bio_subject(anat.bio[1])  # the rule the blog author's detection reads bios by
        if subject and (not ctx.blog_author or subject == ctx.blog_author):
            authors = [subject]
    if not authors and ctx.blog_author:
        authors = [ctx.blog_author]
    body_all = " ".join(t for _l, t in anat.body)
    for co in intro_coauthors(intro, ctx.blog_author, {outlet.name} if outlet else set()):
        if co in authors or body_all.count(co) >= 2:
            continue  # a place or subject recurs in the piece's body; a co-author's name does not
        if " " not in co:
            full = complete_name(co, own_text)
            if full is None:
                warnings.append(f"co-author named by first name only: {co}")
            co = full or co
        if co not in authors and not any(a.startswith(co + " ") for a in authors):
            authors.append(co)
    return authors, warnings


APPEARANCE_WORDS = 30
"""Words of a heading's first prose line read for a word of appearing ("interview", "spoke"):
a round-up says what it reports early (hand-set)."""


def _heading_of_piece(seg: Segment, ctx: PageContext, labels: list[str], p_marg: list[float]) -> int | None:
    """The title of a post the model read as a round-up, when its lines report a piece, not appearances.

    The post opens with a headline (or has one under its date header) and prose under it
    (``head_readings.untitled_heading``): a layout of pieces' posts ("date / title / intro", a
    title-first post on a page of them) that the line model, which learns round-ups from few
    pages, may take for a round-up under its heading. The lines report a piece when the field
    model takes one of their names as the piece's outlet (``fields.outlet_candidate``, as for any
    post), or when nothing in them is an appearance: no name read as a mention and
    no word of appearing in the heading or the opening of the prose under it. A round-up ("Recent
    interviews / I spoke to ...", "Media round-up / ... / I was on ... radio") keeps no title.
    """
    at = untitled_heading(ctx.page.texts, seg.members)
    if at is None:
        return None
    if outlet_candidate(labels, p_marg, ctx.model.min_outlet_prob) is not None:
        return at
    if "M" in labels:
        return None
    k = seg.members.index(at)
    under = " ".join(ctx.page.texts[seg.members[k + 1]].split()[:APPEARANCE_WORDS])
    heard = word_classes(ctx.page.texts[at].lower()) | word_classes(under.lower())
    return None if "appearance" in heard else at


def _piece_roles(post_lines: list[PostLine], title_line: int) -> list[PostLine]:
    """The post's lines with the roles of a piece's post whose title is ``title_line``: a header
    above it ("SH"), or the title first ("ST", then "Bt" lines); body lines ("B") under it, a date
    line the model read as one staying one ("D")."""
    first = post_lines[0].number == title_line
    out = []
    for pl in post_lines:
        if pl.number < title_line:
            role = "SH" if pl is post_lines[0] else "I"
        elif pl.number == title_line:
            role = "ST" if first else "T"
        else:
            role = "D" if pl.role in DATE_ROLES else "B"
            role = role + "t" if first else role
        out.append(_new_line(PostLine, (pl.number, pl.text, role)))
    return out


def build_post(seq: int, seg: Segment, ctx: PageContext) -> Post:
    """The Post a segment of the page delimits."""
    idx, texts = ctx.page.index, ctx.page.texts
    roles = ctx.roles
    post_lines = [_new_line(PostLine, (idx[m] + 1, texts[m], roles[m])) for m in seg.members]
    start_line, end_line = post_lines[0].number, post_lines[-1].number
    title_pos = seg.title
    title_text = texts[title_pos] if title_pos is not None else None
    chain, labels, p_marg = _fields(ctx, post_lines, title_text)
    warnings: list[str] = []
    citations = []
    post_dating = None
    if title_pos is not None and _letters(texts[title_pos]) < 2:
        # a bullet or a rule opened the post: its title is the next line with words
        title_pos = next((m for m in seg.members if m > title_pos and _letters(texts[m]) >= 2), None)
        title_text = texts[title_pos] if title_pos is not None else None
    if title_text is not None and _lead_in(title_text):
        title_pos = title_text = None
        chain, labels, p_marg = _fields(ctx, post_lines, None)
    if title_pos is None:
        title_pos = _heading_of_piece(seg, ctx, labels, p_marg)
        if title_pos is not None:  # a piece's post after all: read again as one
            title_text = texts[title_pos]
            post_lines = _piece_roles(post_lines, idx[title_pos] + 1)
            chain, labels, p_marg = _fields(ctx, post_lines, title_text)
    if title_pos is None:
        intro_lines = [(pl.number, pl.text) for pl in post_lines]
        intro = "\n\n".join(t for _n, t in intro_lines)
        piece = None
        mentions = appearances(chain, labels, None, ctx.model.aliases, roundup=True)
        tags: list[str] = []
        post_dating = _roundup_dating(post_lines, intro)
    else:
        title_line = idx[title_pos] + 1
        intro_lines = [(pl.number, pl.text) for pl in post_lines if pl.number < title_line]
        intro = "\n\n".join(t for _n, t in intro_lines)
        parts = _title_parts(ctx, title_text or "")
        anat = analyse(ctx.lines, title_line - 1, end_line - 1)
        anat.title = (title_line, parts.title)
        outlet, outlet_slot = _piece_outlet(ctx, chain, labels, p_marg, parts.outlet, title_line)
        if outlet_slot is None and title_pos == seg.members[0] and outlet == _site(ctx):
            outlet = _listed_under(ctx, title_pos) or outlet  # a list entry naming no outlet of its own
        own_text = "\n".join(pl.text for pl in post_lines)  # a co-author's full name, as the post gives it
        authors, warn = _authors(ctx, anat, intro, outlet, own_text)
        warnings.extend(warn)
        # one string for the piece's body, its date clues and its fingerprint (both remembered by it)
        body_text = "\n\n".join(t for _l, t in anat.body)
        dating = _dating(ctx, post_lines, anat, parts.date_text, intro, outlet_slot, body_text)
        posted = _posted(ctx, seg.start)
        if posted is not None:
            bound_by(dating, posted, f"posted {posted.isoformat()}")
        piece = Piece(
            title=parts.title,
            title_line=title_line,
            standfirst=anat.standfirst[1] if anat.standfirst else None,
            outlet=outlet,
            kind=piece_kind(  # type: ignore[arg-type]
                kind_paragraph(intro_lines, outlet),
                parts.title,
                outlet.outlet_kind if outlet else None,
                outlet.matched_text if outlet else None,
            ),
            authors=authors,
            dating=dating,
            tags=anat.tags,
            body=body_text,
            body_start_line=anat.body[0][0] if anat.body else None,
            body_end_line=anat.body[-1][0] if anat.body else None,
            word_count=body_text.count(" ") + len(anat.body),
            bio=anat.bio[1] if anat.bio else None,
        )
        mentions = appearances(chain, labels, outlet, ctx.model.aliases, roundup=False)
        citations = extract_citations(anat.notes) if anat.notes else []
        tags = anat.tags
    if seg.confidence < LOW_CONFIDENCE:
        warnings.append(f"low segmentation confidence {seg.confidence:.2f}")
    title = piece.title if piece else None
    label = ctx.archive.label if ctx.archive.kind != "month" else None
    return Post(
        seq=seq,
        start_line=start_line,
        end_line=end_line,
        intro=intro,
        piece=piece,
        mentions=mentions,
        citations=citations,
        topics=topics_for(label, tags),
        confidence=seg.confidence,
        warnings=warnings,
        dating=post_dating,
        post_id=post_id(intro, title),
        article_id=article_id(title) if title else None,
        fingerprint=fingerprint(piece.body if piece and piece.body else intro or (title or "")),
    )


TEASER_TEXT_WORDS = 12  # words after a title that make the rest a teaser's text, not a longer title


def titles_of_run_on_teasers(posts: list[Post]) -> list[Post]:
    """A teaser whose title ran into its text ("Title Opening words of the piece ... [...]") on a
    page that also carries the piece under its own title: the teaser's title is that title, so
    both posts carry one piece (one ``article_id``). Why on the page and not the line: only another
    post of the page tells where the run-on title ends. Another title is a prefix of a real, longer
    title too ("Iran" and "Iran Sanctions Vote"), so the rest must read as text: at least
    ``TEASER_TEXT_WORDS`` words."""
    titles = {p.piece.title for p in posts if p.piece is not None and p.piece.title}
    fixed: list[Post] = []
    for post in posts:
        title = post.piece.title if post.piece is not None else None
        cut = _run_on_title(title, titles) if title else None
        if cut is None or post.piece is None:
            fixed.append(post)
            continue
        fixed.append(
            post.model_copy(
                update={
                    "piece": post.piece.model_copy(update={"title": cut}),
                    "article_id": article_id(cut),
                    "post_id": post_id(post.intro, cut),
                }
            )
        )
    return fixed


def _run_on_title(title: str, titles: set[str]) -> str | None:
    """The longest of ``titles`` that ``title`` runs on from (the title, a space, then at least
    ``TEASER_TEXT_WORDS`` words), or None.

    Such a title is ``title`` cut at one of its spaces: looked up at each space from the right
    (a set lookup per word of the title, where comparing with every title of the page was one
    pass per pair of posts).
    """
    at = len(title)
    while (at := title.rfind(" ", 0, at)) > 0:
        head = title[:at]
        if head in titles and len(title[at:].split()) >= TEASER_TEXT_WORDS:
            return head
    return None
