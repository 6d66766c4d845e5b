"""Deterministic generator of synthetic archive dumps, written in our own words.

Why: the real seeds are few and may not be copied into the project, yet demos, tests and
benchmarks need realistic input of any size. The generator builds one underlying timeline of
posts per "group" (one blog's history) and renders tag, category and monthly archive pages of
it, newest post first, so the same post appears in several dumps (sometimes with a small typo
difference, to exercise identity). Every random choice comes from ``random.Random`` seeded from
the arguments, so the same arguments give byte-identical files. Vocabulary lives in
``samples/data/vocab.json``; this module holds only the assembly rules.

A truth sidecar (``<dump stem>.truth.json``) per dump, written when ``with_truth=True``, states
per post the exact 1-based physical line numbers, title, outlet, stated date, year, authors,
mentions and citations, in the shape of the gold annotations (see shared/eval/gold/README.md).

Opt-in page variants (``variants=``, see ``VARIANTS``) render older and odder shapes of the same
blog: older byline and date lines, single line breaks between paragraphs, no header line, a
social-media feed before the first post, non-English passages, monthly date archives and
single-post pages. Their random choices come from a separate stream, so the default output
(no variants) stays byte-identical for a given seed.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
LATEST_DAY = date(2021, 10, 29)
"""Newest possible blog post; older posts are spread backwards from here."""
DEFAULT_POSTS_PER_GROUP = 60
MAX_POSTS_PER_GROUP = 2000
SENTENCES_PER_TEMPLATE = 12
OLD_STYLE_BEFORE = 2013
"""Pages older than this used the older WordPress date/byline lines more often."""
OLD_LATEST_DAY = date(2012, 6, 28)
"""Newest post of an ``old_dates`` corpus: the older pages of the blog."""
VARIANTS: dict[str, str] = {
    "old_dates": "older pages: 'Date: 10th March 2011 | Author: ...', 'Posted: <date> in <category>', "
    "timestamps with 'Age: N days', journal 'Volume: 5 Issue: 33' lines",
    "single_breaks": "paragraphs separated by single line breaks (no blank lines)",
    "no_header": "no archive header line",
    "feed": "site furniture (a social-media feed, recent posts) before the first post",
    "foreign": "non-English passages and whole pieces in other languages",
    "monthly": "monthly date archives ('Archive for June, 2008') only",
    "single_post": "single-post pages: a masthead, one post, then the comment form",
}
"""Opt-in page variants: name -> what it renders."""
_VARIANT_SALT = 0x5EED_0F_0DD


@lru_cache(maxsize=1)
def load_vocab() -> dict[str, Any]:
    """The generator's vocabulary (data file, cached)."""
    return json.loads((DATA_DIR / "vocab.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_variant_vocab() -> dict[str, Any]:
    """Words used only by the opt-in variants (data file, cached)."""
    return json.loads((DATA_DIR / "variants.json").read_text(encoding="utf-8"))


def check_variants(variants: Any) -> frozenset[str]:
    """The variant names as a set; unknown names raise ValueError."""
    chosen = frozenset([variants] if isinstance(variants, str) else (variants or ()))
    unknown = sorted(chosen - VARIANTS.keys())
    if unknown:
        raise ValueError(f"unknown variant(s) {unknown}; known: {sorted(VARIANTS)}")
    return chosen


# --------------------------------------------------------------------------- dates


def _ordinal(d: int) -> str:
    if 11 <= d % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")


def _clock(rng: random.Random) -> tuple[int, int, str]:
    hour24 = rng.choice((1, 5, 6, 7, 9, 10, 11, 13, 14, 15, 17, 18, 20))
    minute = rng.choice((0, 0, 5, 15, 30, 45))
    h12 = hour24 % 12 or 12
    return h12, minute, "am" if hour24 < 12 else "pm"


def format_date_line(
    style: str,
    day: date,
    rng: random.Random,
    author: str,
    category: str = "Commentary",
    crawl_day: date | None = None,
) -> str | None:
    """Render the date line of a piece in one outlet-typical style (None = no date line)."""
    mon = MONTHS[day.month - 1]
    if style == "none":
        return None
    if style == "st_published":
        h, m, ap = _clock(rng)
        return f"Published: {h}:{m:02d}{ap}, {day.day} {mon[:3]}, {day.year}"
    if style == "st_caps":
        h, m, ap = _clock(rng)
        return f"PUBLISHED | {mon[:3].upper()} {day.day}, {day.year}, {h}:{m:02d} {ap.upper()} SGT"
    if style == "rusi_comma":
        return f"Commentary, {day.day} {mon} {day.year}"
    if style == "rusi_glued":
        return f"Commentary{day.day} {mon} {day.year}"
    if style == "dmy_time":
        h, m, ap = _clock(rng)
        return f"{day.day} {mon} {day.year} | {h}:{m:02d} {ap.upper()}"
    if style == "dmy":
        return f"{day.day} {mon} {day.year}"
    if style == "mdy":
        return f"{mon} {day.day}, {day.year}"
    if style == "by_slash":
        return f"by {author} / {mon} {day.day}, {day.year} / Leave a comment"
    if style == "old_date_author":
        return f"Date: {day.day}{_ordinal(day.day)} {mon} {day.year} | Author: {author}"
    if style == "posted_in":
        return f"Posted: {mon} {day.day}, {day.year} in {category}"
    if style == "posted_age":
        h, m, ap = _clock(rng)
        age = (crawl_day - day).days if crawl_day else rng.randint(2, 30)
        return f"{day.day} {mon[:3]} {day.year} {h}:{m:02d}{ap} | Age: {age} days"
    if style == "journal_issue":
        return f"Date: {day.day}{_ordinal(day.day)} {mon} {day.year} | Author: {author}"
    raise ValueError(f"unknown date style {style!r}")


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class PostSpec:
    """One post of the underlying timeline; its rendering is a pure function of these fields."""

    key: str
    seed: int
    day: date  # blog posting day
    piece_day: date  # publication day of the piece (never after ``day``, non-increasing)
    kind: str  # piece | link | roundup | letter
    tags: tuple[str, ...]
    has_roundup: bool
    typo: bool


@dataclass
class Rendered:
    """A post's lines (no leading/trailing blank line) and its truth with post-relative lines."""

    lines: list[str]
    truth: dict[str, Any]
    rel: dict[str, int | None] = field(default_factory=dict)
    typo_line: int | None = None  # relative index of the line that may carry the typo


def build_timeline(
    group_seed: int, n_posts: int, vocab: dict[str, Any], latest: date = LATEST_DAY
) -> list[PostSpec]:
    """Newest-first list of posts of one group, spread over a span that grows with n_posts."""
    rng = random.Random(group_seed)
    topics = sorted(vocab["topics"])
    span_days = int(365 * min(13, max(2, n_posts / 30)))
    gaps = [rng.randint(0, max(1, 2 * span_days // max(1, n_posts))) for _ in range(n_posts)]
    posts: list[PostSpec] = []
    day = latest
    last_piece = latest
    for i in range(n_posts):
        day -= timedelta(days=gaps[i])
        r = rng.random()
        # media appearances are reported in a piece's intro (a second paragraph), as on the real blog,
        # whose archive pages hold no stand-alone round-up posts, and few link posts (no body)
        kind = "link" if 0.15 <= r < 0.18 else "letter" if 0.18 <= r < 0.22 else "piece"
        piece_day = min(day - timedelta(days=rng.randint(0, 4)), last_piece)
        last_piece = piece_day
        tags = tuple(sorted(rng.sample(topics, rng.choice((1, 2, 2, 3)))))
        posts.append(
            PostSpec(
                key=f"g{group_seed}-p{i:05d}",
                seed=rng.getrandbits(48),
                day=day,
                piece_day=piece_day,
                kind=kind,
                tags=tags,
                has_roundup=kind == "roundup" or rng.random() < 0.2,
                typo=rng.random() < 0.15,
            )
        )
    return posts


# --------------------------------------------------------------------------- rendering


class Renderer:
    """Turns PostSpecs into lines. Holds pre-filled sentence pools so bodies are cheap to build."""

    def __init__(
        self, vocab: dict[str, Any], author: str, pool_seed: int, variants: frozenset[str] = frozenset()
    ) -> None:
        self.v = vocab
        self.variants = variants
        self.vx = load_variant_vocab() if variants else {}
        self.author = author
        self.surname = author.split()[-1]
        rng = random.Random(pool_seed)
        self.outlets = vocab["outlets"]
        self.outlet_weights = [o["weight"] for o in self.outlets]
        self.pools: dict[str, list[str]] = {}
        for topic, words in vocab["topics"].items():
            pool = []
            for tmpl in vocab["sentence_templates"]:
                for _ in range(SENTENCES_PER_TEMPLATE):
                    pool.append(self._fill(tmpl, words, rng))
            pool = sorted(set(pool))
            rng.shuffle(pool)
            self.pools[topic] = pool

    def _fill(self, tmpl: str, words: dict[str, list[str]], rng: random.Random) -> str:
        actor = rng.choice(words["actors"])
        actor2 = rng.choice([a for a in words["actors"] if a != actor] or words["actors"])
        thing = rng.choice(words["things"])
        thing2 = rng.choice([t for t in words["things"] if t != thing] or words["things"])
        return tmpl.format(
            Actor=actor[0].upper() + actor[1:],
            actor=actor,
            actor2=actor2,
            thing=thing,
            thing2=thing2,
            region=rng.choice(self.v["regions"]),
        )

    # -- pieces of a post

    def _mentions(self, rng: random.Random, exclude: str | None) -> tuple[str, list[dict[str, Any]]]:
        cands = [m for m in self.v["mention_outlets"] if m["canonical"] != exclude]
        picks = rng.sample(cands, rng.randint(2, 4))
        parts: list[str] = []
        truth: list[dict[str, Any]] = []
        for m in picks:
            name = rng.choice(m["names"])
            verb = rng.choice(m["verbs"])
            about = rng.choice(self.v["abouts"])
            parts.append(f"{verb} {name} about {about}")
            truth.append(
                {
                    "outlet": m["canonical"],
                    "medium": m["medium"],
                    "about": about,
                    "evidence": f"{verb} {name}",
                }
            )
        text = ", ".join(parts[:-1]) + ", and " + parts[-1] if len(parts) > 1 else parts[0]
        tail = rng.choice(self.v["roundup_tails"]) if rng.random() < 0.5 else ""
        opener = rng.choice(self.v["roundup_openers"])
        para = f"{opener} {text}" + (f", {tail}" if tail else ".")
        return para, truth

    def _citations(self, rng: random.Random, day: date) -> tuple[list[str], list[dict[str, Any]]]:
        n_notes = rng.randint(3, 12)
        notes: list[tuple[str, dict[str, Any]]] = []
        for n in range(1, n_notes + 1):
            if rng.random() < 0.12:
                text = rng.choice(self.v["note_comments"])
                notes.append(
                    (
                        f"{n} {text}",
                        {
                            "n": n,
                            "source": None,
                            "title": None,
                            "date": None,
                            "url": None,
                            "is_comment": True,
                        },
                    )
                )
                continue
            words = rng.sample(self.v["note_title_words"], rng.randint(4, 7))
            title = " ".join(words)
            site = rng.choice(self.v["note_sites"])
            nd = day - timedelta(days=rng.randint(5, 400))
            dtxt = f"{MONTHS[nd.month - 1]} {nd.day}, {nd.year}"
            sep = " " if rng.random() < 0.6 else ""
            comma = "," if rng.random() < 0.7 else ""
            url = None
            text = f"{n}{sep}“{title}{comma}” {site}, {dtxt}."
            if "." in site and " " not in site and rng.random() < 0.3:
                slug = "-".join(w.lower() for w in words)
                cut = rng.randint(1, len(slug) - 1)
                shown = f"https://www.{site}/news/{slug[:cut]} {slug[cut:]}"
                url = f"https://www.{site}/news/{slug}"
                text = f"{n}{sep}“{title}{comma}” {site}, {dtxt}, {shown}"
            notes.append(
                (
                    text,
                    {
                        "n": n,
                        "source": site,
                        "title": title,
                        "date": nd.isoformat(),
                        "url": url,
                        "is_comment": False,
                    },
                )
            )
        lines: list[str] = []
        i = 0
        while i < len(notes):
            k = 1 if rng.random() < 0.6 else rng.randint(2, 3)
            lines.append(" ".join(t for t, _ in notes[i : i + k]))
            i += k
        return lines, [c for _, c in notes]

    def _body(self, rng: random.Random, topic: str, n_paras: int) -> list[str]:
        pool = self.pools[topic]
        last = len(pool)
        paras: list[str] = []
        sub_at = {rng.randint(2, n_paras - 1)} if n_paras > 4 else set()
        if n_paras > 9:
            sub_at.add(rng.randint(5, n_paras - 1))
        quote_at = rng.randint(1, n_paras - 1) if n_paras > 3 and rng.random() < 0.4 else -1
        for i in range(n_paras):
            if i in sub_at:
                paras.append(rng.choice(self.v["subheadings"]))
            if i == quote_at:
                paras.append(rng.choice(self.v["pull_quotes"]))
            # two windows of a shuffled pool: cheap (no per-sentence draw) and no repeats inside
            k1, k2 = rng.randint(1, 3), rng.randint(1, 3)
            a = rng.randrange(last - k1)
            b = rng.randrange(last - k2)
            paras.append(" ".join(pool[a : a + k1] + pool[b : b + k2]))
        return paras

    def render(self, spec: PostSpec, used_titles: set[str]) -> Rendered:
        """Render one post. ``used_titles`` keeps titles unique within a group."""
        rng = random.Random(spec.seed)
        v = self.v
        topic = spec.tags[0]
        words = v["topics"][topic]
        # paragraphs: each entry is a list of consecutive physical lines (a block)
        blocks: list[list[str]] = []
        truth: dict[str, Any] = {
            "key": spec.key,
            "kind": None,
            "title": None,
            "outlet": None,
            "authors": [],
            "date_stated": None,
            "date_stated_text": None,
            "year": spec.piece_day.year,
            "year_basis": "context",
            "tags_line": [],
            "mentions": [],
            "citations": [],
            "topics": list(spec.tags),
            "blog_date": spec.day.isoformat(),
        }
        rel: dict[str, int | None] = {"title": None, "date": None}
        typo_block: int | None = None

        if spec.kind == "roundup":
            # a round-up post opens with its blog title, as real ones do (it names no piece: title null)
            blocks.append([rng.choice(v["roundup_headings"])])
            blocks.append([rng.choice(v["roundup_posts"])])
            para, mentions = self._mentions(rng, None)
            blocks.append([para])
            truth.update(kind="media-roundup", mentions=mentions)
            typo_block = 1
            return self._assemble(blocks, truth, rel, typo_block, title_block=None, date_block=None)

        outlet = rng.choices(self.outlets, self.outlet_weights)[0]
        if spec.kind == "letter":
            outlet = next(o for o in self.outlets if o.get("letter"))
        # variants draw from their own stream, so the default rendering never changes
        vrng = random.Random(spec.seed ^ _VARIANT_SALT) if self.variants else None
        lang: str | None = None  # a whole piece in another language
        if vrng is not None and spec.kind in ("piece", "link"):
            if "old_dates" in self.variants and vrng.random() < 0.45:
                olds = self.vx["old_outlets"]
                outlet = vrng.choices(olds, [o["weight"] for o in olds])[0]
            elif "foreign" in self.variants and spec.kind == "piece" and vrng.random() < 0.15:
                outlet = vrng.choice(self.vx["foreign_outlets"])
                lang = outlet["lang"]
        intro_name = rng.choice(outlet["intro"])
        coauthor = rng.choice(v["coauthors"]) if spec.kind == "piece" and rng.random() < 0.2 else None
        fill = {
            "outlet": intro_name,
            "thing": rng.choice(words["things"]),
            "actor2": rng.choice(words["actors"]),
            "coauthor": coauthor or "",
        }
        if spec.kind == "letter":
            opener = f"A short letter in {intro_name} this week, responding to a piece on {fill['thing']}."
        elif lang is not None and vrng is not None:
            opener = vrng.choice(self.vx["foreign_openers"]).format(language=outlet["language"], **fill)
        elif spec.kind == "link":
            opener = rng.choice(v["link_openers"]).format(**fill)
        elif coauthor:
            opener = rng.choice(v["coauthor_openers"]).format(**fill)
        else:
            opener = rng.choice(v["intro_openers"]).format(**fill)
        # real intros are one paragraph, now and then two (a media round-up makes the second)
        extra = rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 0, 1))
        follow = rng.sample(v["intro_followups"], 1 + 2 * extra)
        intro = opener + (" " + follow[0] if rng.random() < 0.7 else "")
        blocks.append([intro])
        typo_block = 0
        for k in range(extra):
            blocks.append([follow[1 + 2 * k] + " " + follow[2 + 2 * k]])
        if spec.has_roundup:
            para, mentions = self._mentions(rng, outlet["canonical"])
            blocks.append([para])
            truth["mentions"] = mentions
        if rng.random() < 0.1:
            blocks.append([" "])  # whitespace-only line, as WordPress leaves behind images

        title = ""
        for attempt in range(8):
            title = self._fill(rng.choice(v["title_templates"]), words, rng)
            if attempt == 7:
                title += f" (part {len(used_titles) + 1})"
            if title not in used_titles:
                break
        if lang is not None and vrng is not None:
            fresh = [t for t in self.vx["foreign_titles"][lang] if t not in used_titles]
            title = vrng.choice(fresh) if fresh else title
        used_titles.add(title)
        title_block = len(blocks)
        authors = [self.author] + ([coauthor] if coauthor else [])
        truth.update(
            title=title,
            outlet=outlet["canonical"],
            authors=authors,
            kind="letter" if spec.kind == "letter" else outlet["kind"],
        )
        if spec.kind == "link":
            blocks.append([title])
            return self._assemble(blocks, truth, rel, typo_block, title_block, None)

        compact = rng.random() < 0.4  # byline/date/tags on lines right under the title
        head: list[str] = [title]
        blocks.append(head)
        if rng.random() < 0.45:
            standfirst = self._fill(rng.choice(v["standfirsts"]), words, rng)
            if lang is None:
                blocks.append([standfirst])
        if rng.random() < 0.35:
            img = rng.choice(v["image_prefixes"])
            img_day = spec.piece_day - timedelta(days=rng.randint(0, 3))
            if img.startswith("Screenshot"):
                hh, mm, ss = rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59)
                name = f"Screenshot {img_day.isoformat()} at {hh:02d}.{mm:02d}.{ss:02d}"
            else:
                name = f"{img}{rng.randint(1000, 9999)}"
            blocks.append([name])
            if rng.random() < 0.6:
                blocks.append([rng.choice(v["captions"]) + " " + rng.choice(v["caption_credits"])])
        meta: list[str] = []
        if outlet["kind"] == "journal-article" and rng.random() < 0.6:
            meta.append(f"Volume: {spec.piece_day.year - 2008} Issue: {rng.randint(1, 12)}")
        old = vrng is not None and "old_dates" in self.variants
        if old and vrng is not None and "journal_issue" in outlet["date_styles"] and not meta:
            meta.append(f"Volume: {spec.piece_day.year - 2002} Issue: {vrng.randint(1, 40)}")
        if spec.kind != "letter" and (coauthor or rng.random() < 0.35):
            if coauthor:
                pair = (self.author, coauthor) if rng.random() < 0.6 else (coauthor, self.author)
                meta.append(("" if pair[0] == self.author else "By ") + f"{pair[0]} and {pair[1]}")
            else:
                suffix = outlet.get("byline_suffix", "") if rng.random() < 0.5 else ""
                meta.append(f"By {self.author}{suffix}")
        style = rng.choice(outlet["date_styles"])
        if spec.piece_day.year < OLD_STYLE_BEFORE and style != "none" and rng.random() < 0.5:
            style = rng.choice(("old_date_author", "posted_in"))
        if spec.kind == "letter":
            style = "none"
        category = "Commentary"
        if old and vrng is not None and spec.kind != "letter":
            style = vrng.choice(outlet["date_styles"] if outlet.get("canonical") in self._old_canon
                                else self.vx["old_date_styles"])  # fmt: skip
            category = vrng.choice(self.vx["old_categories"])
            if style == "journal_issue" and outlet["kind"] != "journal-article":
                style = "old_date_author"
            if vrng.random() < 0.12:
                style = "none"
        byline_names = " and ".join(authors) if old else self.author
        crawl_day = OLD_LATEST_DAY if old else None
        date_line = format_date_line(
            style, spec.piece_day, rng, byline_names, category=category, crawl_day=crawl_day
        )
        date_pos: int | None = None
        if date_line:
            date_pos = len(meta)
            meta.append(date_line)
            truth.update(
                date_stated=spec.piece_day.isoformat(), date_stated_text=date_line, year_basis="stated"
            )
        if outlet.get("tagline") and rng.random() < 0.7:
            tags = rng.sample(v["tagline_topics"], rng.randint(2, 4))
            meta.append("".join(tags))
            truth["tags_line"] = tags
        date_block: tuple[int, int] | None = None
        if meta:
            if compact:
                date_block = (title_block, 1 + date_pos) if date_pos is not None else None
                head.extend(meta)
            else:
                date_block = (len(blocks), date_pos) if date_pos is not None else None
                blocks.append(meta)

        if spec.kind == "letter":
            blocks.append(["Sir, " + " ".join(rng.sample(self.pools[topic], 3))])
            for para in self._body(rng, topic, rng.randint(1, 3)):
                blocks.append([para])
            blocks.append([self.author, *v["letter_closers"]])
            return self._assemble(blocks, truth, rel, typo_block, title_block, date_block)

        long_form = bool(outlet.get("endnotes"))
        n_paras = rng.randint(14, 26) if long_form else rng.choice((5, 8, 10, 12, 14, 18))
        for para in self._body(rng, topic, n_paras):
            if vrng is not None and "foreign" in self.variants:
                para = self._foreign(vrng, para, lang)
            blocks.append([para])
        if rng.random() < 0.75:
            bio = rng.choice(v["bios"]).format(author=self.author)
            if coauthor:
                bio = f"{bio} {coauthor} is a research fellow at the same institute."
            blocks.append([bio])
        if outlet.get("endnotes") or rng.random() < 0.05:
            note_lines, cites = self._citations(rng, spec.piece_day)
            blocks.append(note_lines)
            truth["citations"] = cites
        return self._assemble(blocks, truth, rel, typo_block, title_block, date_block)

    @property
    def _old_canon(self) -> set[str]:
        return {o["canonical"] for o in self.vx.get("old_outlets", ())}

    def _foreign(self, vrng: random.Random, para: str, lang: str | None) -> str:
        """A body paragraph of a piece in another language, or now and then a passage in one."""
        langs = sorted(self.vx["foreign_sentences"])
        if lang is not None:
            return " ".join(vrng.sample(self.vx["foreign_sentences"][lang], 2))
        if para.isupper() or not para.endswith(".") or vrng.random() >= 0.18:
            return para  # subheadings and pull quotes stay English
        other = self.vx["foreign_sentences"][vrng.choice(langs)]
        if vrng.random() < 0.5:
            return " ".join(vrng.sample(other, vrng.randint(2, 3)))  # a whole paragraph
        return f"{para} {vrng.choice(other)}"  # a quoted passage inside an English one

    def _assemble(
        self,
        blocks: list[list[str]],
        truth: dict[str, Any],
        rel: dict[str, int | None],
        typo_block: int | None,
        title_block: int | None,
        date_block: tuple[int, int] | None,
    ) -> Rendered:
        lines: list[str] = []
        starts: list[int] = []
        blank = "single_breaks" not in self.variants
        for b in blocks:
            if lines and blank:
                lines.append("")
            starts.append(len(lines))
            lines.extend(b)
        rel["title"] = starts[title_block] if title_block is not None else None
        rel["date"] = starts[date_block[0]] + date_block[1] if date_block is not None else None
        r = Rendered(lines=lines, truth=truth, rel=rel)
        r.typo_line = starts[typo_block] if typo_block is not None else None
        return r


def _apply_typo(line: str, pairs: list[list[str]]) -> str:
    """Introduce a small typo (the kind an author later fixes) into one line."""
    for good, bad in pairs:
        if good in line:
            return line.replace(good, bad, 1)
    return line


# --------------------------------------------------------------------------- dumps


@dataclass(frozen=True)
class DumpPlan:
    """One archive page of a group: its header and which posts it lists."""

    header: str
    label: str | None
    kind: str  # tag | category | month | single
    slug: str


def plan_dumps(
    posts: list[PostSpec], n: int, vocab: dict[str, Any], seed: int, variants: frozenset[str] = frozenset()
) -> list[tuple[DumpPlan, list[int]]]:
    """Choose up to n archive pages for one group (tag pages, a PRESS category, a month).

    Variants: ``single_post`` gives n single-post pages, ``monthly`` the n busiest months.
    """
    if "single_post" in variants:
        picks = sorted(random.Random(seed ^ _VARIANT_SALT).sample(range(len(posts)), min(n, len(posts))))
        return [(DumpPlan("", None, "single", f"post-{i:05d}"), [i]) for i in picks]
    if "monthly" in variants:
        months = Counter((p.day.year, p.day.month) for p in posts)
        busiest = sorted(months, key=lambda ym: (-months[ym], -ym[0], -ym[1]))[:n]
        month_plans: list[tuple[DumpPlan, list[int]]] = []
        for y, m in busiest:
            label = f"{MONTHS[m - 1]}, {y}"
            idx = [i for i, p in enumerate(posts) if (p.day.year, p.day.month) == (y, m)]
            month_plans.append((DumpPlan(f"Archive for {label}", label, "month", f"{y}-{m:02d}"), idx))
        return month_plans
    rng = random.Random(seed)
    tag_counts = Counter(t for p in posts for t in p.tags)
    tags = [t for t, _ in sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    rng.shuffle(tags)
    plans: list[tuple[DumpPlan, list[int]]] = []
    kinds: list[str] = []
    for i in range(n):
        if i == 2 and n >= 4:
            kinds.append("category")
        elif i == n - 1 and n >= 5:
            kinds.append("month")
        else:
            kinds.append("tag")
    tag_iter = iter(tags)
    for kind in kinds:
        if kind == "category":
            idx = [i for i, p in enumerate(posts) if p.has_roundup]
            plans.append((DumpPlan("Archive for the ‘PRESS’ Category", "PRESS", "category", "press"), idx))
        elif kind == "month":
            months = Counter((p.day.year, p.day.month) for p in posts)
            (y, m), _ = max(months.items(), key=lambda kv: (kv[1], kv[0]))
            idx = [i for i, p in enumerate(posts) if (p.day.year, p.day.month) == (y, m)]
            label = f"{MONTHS[m - 1]}, {y}"
            plans.append((DumpPlan(f"Archive for {label}", label, "month", f"{y}-{m:02d}"), idx))
        else:
            tag = next(tag_iter, None)
            if tag is None:
                break
            idx = [i for i, p in enumerate(posts) if tag in p.tags]
            slug = tag.lower().replace(" ", "-")
            plans.append((DumpPlan(f"Posts Tagged ‘{tag}’", tag, "tag", slug), idx))
    return plans


def _ago(rng: random.Random) -> str:
    n = rng.randint(2, 23)
    return rng.choice((f"{n} hours ago", f"{n} days ago", "about a week ago", f"{n} minutes ago"))


def page_furniture(
    titles: list[str],
    variants: frozenset[str],
    rng: random.Random,
    older: str | None = None,
    newer: str | None = None,
) -> tuple[list[list[str]], list[list[str]]]:
    """Blocks of site furniture above the first post and below the last one (variants only).

    ``titles``: the page's piece titles (a feed's "Recent Posts"); ``older``/``newer``: titles of
    the neighbouring posts, linked from a single-post page's navigation.
    """
    vx = load_variant_vocab() if variants else {}
    top: list[list[str]] = []
    bottom: list[list[str]] = []
    if "single_post" in variants:
        top.append(list(rng.choice(vx["mastheads"])))
        nav = ["Post navigation"] + ([f"« {older}"] if older else []) + ([f"{newer} »"] if newer else [])
        bottom.append(list(vx["single_post_footer"]) + nav)
    if "feed" in variants:
        v = load_vocab()
        handle = rng.choice(vx["feed_handles"])
        outlets = [name for o in v["outlets"] for name in o["intro"]]
        things = sorted({t for words in v["topics"].values() for t in words["things"]})
        tweets = [
            t.format(
                handle=rng.choice(vx["feed_handles"]),
                city=rng.choice(vx["feed_cities"]),
                outlet=rng.choice(outlets),
                thing=rng.choice(things),
                link=f"http://t.co/{rng.getrandbits(40):010x}",
                ago=_ago(rng),
            )
            for t in rng.sample(vx["tweets"], rng.randint(3, 6))
        ]
        closer = rng.choice(vx["feed_closers"]).format(handle=handle)
        top.append([rng.choice(vx["feed_headings"]), *tweets, closer])
        if rng.random() < 0.5:  # the blogger's own voice, then a list of titles: neither is a post
            top.append([rng.choice(vx["about_headings"]), rng.choice(vx["about_blurbs"])])
        recent = [t for t in titles[:5] if t]
        if recent and rng.random() < 0.7:
            top.append([rng.choice(vx["sidebar_recent"]), *recent])
        if rng.random() < 0.4:
            months = [MONTHS[(11 - k) % 12] + f" {2019 - (k > 11)}" for k in range(rng.randint(2, 4))]
            top.append(["Archives", *months])
        if rng.random() < 0.5:
            cats = rng.sample(vx["sidebar_categories"], 3)
            top.append(["Categories", *(f"{c} ({rng.randint(3, 140)})" for c in cats)])
    return top, bottom


def _write_dump(
    path: Path,
    plan: DumpPlan,
    post_idx: list[int],
    rendered: dict[int, Rendered],
    posts: list[PostSpec],
    dump_no: int,
    typo_pairs: list[list[str]],
    with_truth: bool,
    variants: frozenset[str] = frozenset(),
) -> int:
    """Stream one dump to disk (via a .part file, so landing scanners never see half a file)."""
    tmp = path.with_name(path.name + ".part")
    truth_posts: list[dict[str, Any]] = []
    written = 0
    line_no = 0
    gap = 1 if "single_breaks" in variants else 2  # line breaks between blocks
    header = "" if "no_header" in variants else plan.header
    top: list[list[str]] = []
    bottom: list[list[str]] = []
    if variants:
        titles = [rendered[i].truth["title"] for i in post_idx if rendered[i].truth["title"]]
        older = rendered[post_idx[-1] + 1].truth["title"] if post_idx[-1] + 1 in rendered else None
        newer = rendered[post_idx[0] - 1].truth["title"] if post_idx[0] - 1 in rendered else None
        rng = random.Random(f"{dump_no}:{plan.slug}")
        top, bottom = page_furniture(titles, variants, rng, older, newer)
    furniture: list[tuple[int, int]] = []
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:

        def emit(block: list[str]) -> int:
            """Write one block of lines after a block gap; returns its first line number."""
            nonlocal written, line_no
            start = line_no + gap if line_no else 1
            chunk = ("\n" * gap if line_no else "") + "\n".join(block)
            fh.write(chunk)
            written += len(chunk.encode("utf-8"))
            line_no = start + len(block) - 1
            return start

        if header:
            emit([header])
        for block in top:
            furniture.append((emit(block), line_no))
        for seq, i in enumerate(post_idx, start=1):
            r = rendered[i]
            lines = r.lines
            # the typo shows in some pages only: the fixed and unfixed versions both survive
            if posts[i].typo and r.typo_line is not None and (dump_no + i) % 2 == 0:
                lines = list(lines)
                lines[r.typo_line] = _apply_typo(lines[r.typo_line], typo_pairs)
            start = emit(lines)
            if with_truth:
                t = dict(r.truth)
                end = start + max(k for k, s in enumerate(lines) if s.strip())
                t.update(
                    seq=seq,
                    start_line=start,
                    end_line=end,
                    title_line=start + r.rel["title"] if r.rel["title"] is not None else None,
                    date_line=start + r.rel["date"] if r.rel["date"] is not None else None,
                    typo=lines is not r.lines,
                )
                truth_posts.append(t)
        for block in bottom:
            furniture.append((emit(block), line_no))
    os.replace(tmp, path)
    if with_truth:
        doc: dict[str, Any] = {
            "dump": path.name,
            "archive_label": plan.label if header else None,
            "archive_kind": plan.kind if header or plan.kind == "single" else "unknown",
            "posts": truth_posts,
            "notes": ["synthetic: generated by samples.generator"],
        }
        if variants:
            doc["variants"] = sorted(variants)
            doc["furniture"] = [list(f) for f in furniture]  # (first, last) line of each block
        truth_path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return written


def truth_path(dump_path: Path) -> Path:
    """Where the truth sidecar of a dump lives (``x.txt`` -> ``x.truth.json``)."""
    return dump_path.with_name(dump_path.stem + ".truth.json")


def generate_corpus(
    out_dir: Path,
    n_dumps: int = 6,
    seed: int = 7,
    target_bytes: int | None = None,
    author: str = "Mara Kellerman",
    with_truth: bool = False,
    variants: Any = (),
) -> list[Path]:
    """Write synthetic archive dumps to out_dir and return their paths in writing order.

    ``variants``: names from ``VARIANTS`` (one name or several) for older and odder page shapes;
    none (the default) gives the standard pages, byte-identical for a given seed.

    Without target_bytes: n_dumps dumps (groups of up to n_dumps pages of one timeline; when
    n_dumps exceeds what one timeline offers, further groups follow). With target_bytes: groups
    of n_dumps pages each are written until the total reaches target_bytes (the last dump may
    overshoot by its own size); timelines grow with the target so files stay a few MB.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab = load_vocab()
    per_group = max(1, n_dumps)
    posts_per_group = DEFAULT_POSTS_PER_GROUP
    if target_bytes:
        posts_per_group = max(DEFAULT_POSTS_PER_GROUP, min(MAX_POSTS_PER_GROUP, target_bytes // 40_000))
    chosen = check_variants(variants)
    renderer = Renderer(vocab, author, pool_seed=seed, variants=chosen)
    latest = OLD_LATEST_DAY if "old_dates" in chosen else LATEST_DAY
    paths: list[Path] = []
    total = 0
    group = 0
    used: set[str] = set()  # titles already rendered anywhere in the corpus
    while True:
        if target_bytes is None and len(paths) >= n_dumps:
            break
        if target_bytes is not None and total >= target_bytes:
            break
        group_seed = seed * 1_000_003 + group
        posts = build_timeline(group_seed, posts_per_group, vocab, latest)
        plans = plan_dumps(posts, per_group, vocab, group_seed + 1, chosen)
        if not plans:
            break
        # render only posts some page lists, once each, in timeline order; titles stay unique across
        # the corpus, as on a real blog (the warehouse keys a piece by its title)
        needed = sorted({i for _, idx in plans for i in idx})
        if "single_post" in chosen:  # a single-post page links its neighbours by title
            needed = sorted({n for i in needed for n in (i - 1, i, i + 1) if 0 <= n < len(posts)})
        rendered = {i: renderer.render(posts[i], used) for i in needed}
        for plan, idx in plans:
            if target_bytes is None and len(paths) >= n_dumps:
                break
            if target_bytes is not None and total >= target_bytes:
                break
            if not idx:
                continue
            path = out_dir / f"synth_{group:04d}_{len(paths):05d}_{plan.slug}.txt"
            total += _write_dump(
                path, plan, idx, rendered, posts, len(paths), vocab["typo_pairs"], with_truth, chosen
            )
            paths.append(path)
        group += 1
    return paths


def read_truth(dump_path: Path) -> dict[str, Any]:
    """Load the truth sidecar written next to a dump by ``generate_corpus(with_truth=True)``."""
    return json.loads(truth_path(Path(dump_path)).read_text(encoding="utf-8"))
