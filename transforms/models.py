"""Pydantic models: the contract between `transforms/` (text in) and `warehouse/` (rows out).

Everything the parser knows about a dump is expressed here and nowhere else, so the
warehouse loader and the tests can rely on one shape. Line numbers are 1-based physical
lines of the decoded file (a ``\\r\\n`` ends one line), as in ``../shared/eval/CONTRACT.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ArchiveKind = Literal["tag", "category", "month", "single", "search", "unknown"]
PieceKind = Literal[
    "op-ed",
    "commentary",
    "letter",
    "interview",
    "journal-article",
    "report",
    "analysis",
    "podcast",
    "video",
    "media-roundup",
    "other",
]
Medium = Literal["print", "online", "radio", "tv", "podcast", "panel", "webinar", "wire", "other"]
DateBasis = Literal["stated", "text", "inferred"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class ParseSettings(_Model):
    """Knobs of the parser. The blog's own author is a setting, never a literal in code."""

    blog_author: str | None = Field(
        default=None,
        description="Name of the blog's author; None = detect it from the dump's bio lines.",
    )
    site: str | None = Field(
        default=None,
        description="The blog's own domain (delivery metadata): the outlet of posts published on the blog.",
    )
    model_path: str | None = Field(
        default=None,
        description="Trained model file; None = $BYLINES_MODEL, else the shipped transforms/data/model.zip.",
    )


class Archive(_Model):
    """What archive page the dump is: 'Posts Tagged ‘Russia’' -> label Russia, kind tag."""

    label: str | None = None
    kind: ArchiveKind = "unknown"
    header_line: int | None = None


class OutletRef(_Model):
    """An outlet, canonical (transforms/canonical.py): from `data/outlets_world.csv` or named by the text."""

    name: str = Field(description="canonical name, without a leading 'The'")
    matched_text: str = Field(description="the words in the dump that named it")
    line: int | None = None
    in_gazetteer: bool = Field(description="False = created from the text; flag for review")
    outlet_kind: str | None = None  # newspaper, magazine, think-tank, journal, broadcaster, wire, blog ...
    country: str | None = None
    domain: str | None = None


class Mention(_Model):
    """A media appearance the post reports (interview, radio, TV, podcast, panel, pick-up)."""

    outlet: OutletRef | None = Field(description="None when the text names no outlet")
    medium: Medium = "other"
    about: str | None = None
    evidence: str = Field(description="the clause of the intro that reports it")
    line: int


class Citation(_Model):
    """One numbered note of a piece. Several may share a physical line."""

    note_number: int
    source: str | None = None
    title: str | None = None
    url: str | None = None
    cited_date: date | None = None
    is_comment: bool = Field(default=False, description="explanatory note rather than a reference")
    raw_text: str
    line: int


class DateEstimate(_Model):
    """How well we know when a piece was published, and why."""

    published_date: date | None = Field(default=None, description="only when the dump states it")
    date_precision: Literal["day", "month", "year"] | None = None
    date_text: str | None = Field(default=None, description="the stated date line, verbatim")
    year: int | None = None
    basis: DateBasis | None = None
    date_min: date | None = None
    date_max: date | None = None
    evidence: str | None = None


class Piece(_Model):
    """The published piece a post carries (absent for a pure media round-up)."""

    title: str
    title_line: int
    standfirst: str | None = None
    outlet: OutletRef | None = None
    kind: PieceKind = "other"
    authors: list[str] = Field(default_factory=list)
    dating: DateEstimate = Field(default_factory=DateEstimate)
    tags: list[str] = Field(default_factory=list, description="the piece's own tag line, if any")
    body: str = ""
    body_start_line: int | None = None
    body_end_line: int | None = None
    word_count: int = 0
    bio: str | None = None


class Post(_Model):
    """One blog post found in a dump, in page order (newest first)."""

    seq: int = Field(description="1-based position in the dump")
    start_line: int = Field(description="first non-empty line (first intro paragraph)")
    end_line: int = Field(description="last non-empty line of the post")
    intro: str = Field(description="the blogger's intro paragraph(s), joined by blank lines")
    piece: Piece | None = None
    mentions: list[Mention] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list, description="normalised archive label + tags")
    dating: DateEstimate | None = Field(
        default=None, description="a post without a piece (a media round-up): when it reports its appearances"
    )
    confidence: float = Field(ge=0.0, le=1.0, description="how sure the segmenter is of this post")
    warnings: list[str] = Field(default_factory=list)
    post_id: str = Field(description="stable id: independent of dump, position and small edits")
    article_id: str | None = Field(default=None, description="stable id of the piece; None if no piece")
    fingerprint: str = Field(description="normalised text signature used to match near-duplicates")


class ParsedDump(_Model):
    """The parser's whole output for one dump file."""

    dump_file: str
    archive: Archive
    posts: list[Post]
    line_count: int
    warnings: list[str] = Field(default_factory=list)
    blog_author: str | None = None


class ParseError(ValueError):
    """Raised when a text cannot be read as an archive dump at all (the dump is quarantined)."""
