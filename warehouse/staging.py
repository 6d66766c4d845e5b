"""Staging: a parsed dump as Arrow tables shaped like the warehouse's sighting tables.

Owns the mapping from the parser's pydantic models (``transforms.models``) to rows:
``post_sightings``, ``sighting_mentions``, ``sighting_citations``, the outlets and topics a dump
names, its ``dumps`` row, and quarantine rows. Every shape comes from the DDL
(``warehouse.schema.arrow_fields``): a column is declared once, in the migrations.

The dump's writer (``warehouse.writers``) is applied here, after parsing and outside the parser:
every row carries its ``writer_id``, post and article ids are scoped to the writer (two writers'
pieces never share an id), and a piece's authors get the writer as first author unless the text
names others (``authors_with_writer``).

Why Arrow: the loader registers these tables on the connection and moves them with
``INSERT ... SELECT`` (set-based, never row by row).

Why a parse worker stages them (``write_stage``), not the writer: building Arrow tables from the
parser's models is Python work per post; done in the parse pool it runs on every core, and the
single writer only maps the staged files (``read_stage``: Arrow IPC, memory-mapped, no decoding)
and loads them. Staging JSON instead cost the writer a pydantic decode and this conversion, about
a tenth of a 1 GB backfill.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from transforms.models import DateEstimate, OutletRef, ParsedDump
from warehouse.identity import slug
from warehouse.rawstore import DumpMeta
from warehouse.schema import arrow_schema
from warehouse.writers import DEFAULT_WRITER_ID, authors_with_writer, scoped_id

TOPIC_SOURCE_ARCHIVE = "archive"
TOPIC_SOURCE_TAGLINE = "tagline"
# The dumps columns a load or a quarantine writes from what it was given (the rest it decides itself).
DUMP_COLUMNS = ["dump_id", "file_name", "size_bytes", "encoding", "received_at", "raw_path"]
PARSED_DUMP_COLUMNS = ["archive_label", "archive_kind", "line_count", "post_count"]
OUTLET_COLUMNS = ["outlet_id", "name", "outlet_kind", "country", "domain", "in_gazetteer"]


@lru_cache(maxsize=1)
def schemas() -> dict[str, pa.Schema]:
    """The staging shapes, from the DDL: one per staging table of :func:`stage_dumps`, plus quarantine."""
    return {
        "sightings": arrow_schema(("post_sightings", None)),
        "mentions": arrow_schema(("sighting_mentions", None)),
        "citations": arrow_schema(("sighting_citations", None)),
        "outlets": arrow_schema(("outlets", OUTLET_COLUMNS), ("outlet_aliases", ["alias"])),
        "topics": arrow_schema(
            ("post_topics", ["post_id", "topic_id"]),
            ("topics", ["name"]),
            ("post_topics", ["source", "dump_id"]),
        ),  # fmt: skip
        "dumps": arrow_schema(("dumps", [*DUMP_COLUMNS, *PARSED_DUMP_COLUMNS, "writer_id"])),
        "quarantine": arrow_schema(("dumps", [*DUMP_COLUMNS, "error", "writer_id"])),
    }


def naive_utc(moment: datetime) -> datetime:
    """The warehouse stores UTC without a time zone."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _outlet_row(ref: OutletRef, rows: list[dict[str, Any]]) -> str:
    """Stage the outlet ``ref`` names (with the words that named it) and return its id."""
    oid = slug(ref.name)
    rows.append(
        {
            "outlet_id": oid,
            "name": ref.name,
            "outlet_kind": ref.outlet_kind,
            "country": ref.country,
            "domain": ref.domain,
            "in_gazetteer": ref.in_gazetteer,
            "alias": re.sub(r"\s+", " ", ref.matched_text).strip().casefold() or ref.name.casefold(),
        }
    )
    return oid


# The staged tables of one dump, in the order a stage folder holds them.
STAGED_TABLES = ("sightings", "mentions", "citations", "outlets", "topics", "dumps")
_STAGE_NOTES = "notes.json"


@dataclass
class StagedDump:
    """One parsed dump as the loader needs it: its rows as Arrow tables, shaped by :func:`schemas`
    (``dumps`` holds its one ``dumps`` row), and the parser's warnings."""

    tables: dict[str, pa.Table]
    warnings: list[str] = field(default_factory=list)

    @property
    def posts(self) -> int:
        return self.tables["sightings"].num_rows


def stage_dump(meta: DumpMeta, parsed: ParsedDump) -> StagedDump:
    """The dump as Arrow tables, one per staging table (and its ``dumps`` row)."""
    sightings: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    citations: list[dict[str, Any]] = []
    outlets: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    archive_topic = None
    if parsed.archive.label:
        from transforms.topics import normalise_topic

        archive_topic = normalise_topic(parsed.archive.label).casefold()
    did = meta.dump_id
    wid = writer_id(meta)
    for post in parsed.posts:
        piece = post.piece
        dating = piece.dating if piece else (post.dating or DateEstimate())
        outlet_id = _outlet_row(piece.outlet, outlets) if piece and piece.outlet else None
        post_id = scoped_id(post.post_id, wid)
        sightings.append(
            {
                "dump_id": did,
                "seq": post.seq,
                "post_id": post_id,
                "article_id": scoped_id(post.article_id, wid) if piece and post.article_id else None,
                "start_line": post.start_line,
                "end_line": post.end_line,
                "title_line": piece.title_line if piece else None,
                "confidence": post.confidence,
                "warnings": list(post.warnings),
                "intro": post.intro,
                "fingerprint": post.fingerprint,
                "title": piece.title if piece else None,
                "standfirst": piece.standfirst if piece else None,
                "outlet_id": outlet_id,
                "kind": piece.kind if piece else "media-roundup",
                "authors": authors_with_writer(piece.authors, meta.writer, parsed.blog_author)
                if piece
                else [],
                "published_date": dating.published_date,
                "date_precision": dating.date_precision,
                "date_text": dating.date_text,
                "year": dating.year,
                "date_basis": dating.basis,
                "date_min": dating.date_min,
                "date_max": dating.date_max,
                "date_evidence": dating.evidence,
                "word_count": piece.word_count if piece else 0,
                "body": piece.body if piece else "",
                "bio": piece.bio if piece else None,
                "writer_id": wid,
            }
        )
        for no, m in enumerate(post.mentions, start=1):
            mentions.append(
                {
                    "dump_id": did,
                    "seq": post.seq,
                    "mention_no": no,
                    "outlet_id": _outlet_row(m.outlet, outlets) if m.outlet else None,
                    "outlet_text": m.outlet.matched_text if m.outlet else None,
                    "medium": m.medium,
                    "about": m.about,
                    "evidence": m.evidence,
                    "line": m.line,
                }
            )
        for no, c in enumerate(post.citations, start=1):
            citations.append(
                {
                    "dump_id": did,
                    "seq": post.seq,
                    "citation_no": no,
                    "note_number": c.note_number,
                    "source": c.source,
                    "title": c.title,
                    "url": c.url,
                    "cited_date": c.cited_date,
                    "is_comment": c.is_comment,
                    "raw_text": c.raw_text,
                    "line": c.line,
                }
            )
        for name in post.topics:
            if not name.strip():
                continue
            source = TOPIC_SOURCE_ARCHIVE if name.casefold() == archive_topic else TOPIC_SOURCE_TAGLINE
            topics.append(
                {
                    "post_id": post_id,
                    "topic_id": slug(name),
                    "name": name,
                    "source": source,
                    "dump_id": did,
                }
            )
    rows = {
        "sightings": sightings,
        "mentions": mentions,
        "citations": citations,
        "outlets": outlets,
        "topics": topics,
    }
    shapes = schemas()
    tables = {name: pa.Table.from_pylist(table, schema=shapes[name]) for name, table in rows.items()}
    tables["dumps"] = _dump_row(meta, parsed)
    return StagedDump(tables, list(parsed.warnings))


def writer_id(meta: DumpMeta) -> str:
    """Whose dump it is: its writer's id (the default writer when the delivery named none)."""
    return meta.writer.writer_id if meta.writer is not None else DEFAULT_WRITER_ID


def _dump_row(meta: DumpMeta, parsed: ParsedDump) -> pa.Table:
    """The dump's ``dumps`` row (what the delivery and the parser say; the loader adds the rest)."""
    row = {
        **meta.model_dump(include=set(DUMP_COLUMNS)),
        "received_at": naive_utc(meta.received_at),
        "archive_label": parsed.archive.label,
        "archive_kind": parsed.archive.kind,
        "line_count": parsed.line_count,
        "post_count": len(parsed.posts),
        "writer_id": writer_id(meta),
    }
    return pa.Table.from_pylist([row], schema=schemas()["dumps"])


def write_stage(staged: StagedDump, folder: Path) -> None:
    """Write ``staged`` to ``folder`` (one Arrow IPC file per table), whole or not at all."""
    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for name in STAGED_TABLES:
            table = staged.tables[name]
            with pa.OSFile(str(tmp / f"{name}.arrow"), "wb") as sink:
                with pa.ipc.new_file(sink, table.schema) as writer:
                    writer.write_table(table)
        (tmp / _STAGE_NOTES).write_text(json.dumps({"warnings": staged.warnings}), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)  # an earlier parse of the same bytes
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_stage(folder: Path) -> StagedDump:
    """The staged dump in ``folder``, memory-mapped (raises ``OSError`` or ``ValueError`` when it is
    missing or damaged)."""
    folder = Path(folder)
    tables = {}
    for name in STAGED_TABLES:
        try:
            tables[name] = pa.ipc.open_file(pa.memory_map(str(folder / f"{name}.arrow"))).read_all()
        except pa.ArrowInvalid as exc:
            raise ValueError(f"{name}.arrow: {exc}") from exc
    if tables["dumps"].num_rows != 1:
        raise ValueError(f"dumps.arrow holds {tables['dumps'].num_rows} rows, not one")
    notes = json.loads((folder / _STAGE_NOTES).read_text(encoding="utf-8"))
    return StagedDump(tables, [str(w) for w in notes.get("warnings", [])])


def quarantine_rows(entries: list[tuple[DumpMeta, str]]) -> pa.Table:
    """The ``dumps`` rows of quarantined dumps: the delivery facts and the reason."""
    rows = [
        {
            **meta.model_dump(include=set(DUMP_COLUMNS)),
            "received_at": naive_utc(meta.received_at),
            "error": reason,
            "writer_id": writer_id(meta),
        }
        for meta, reason in entries
    ]
    return pa.Table.from_pylist(rows, schema=schemas()["quarantine"])
