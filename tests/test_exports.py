"""Exports: CSV/Parquet round-trips and the publication list (Markdown by year, BibTeX)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import paging, queries
from dashboard.exports import (
    bibtex_escape,
    publication_bibtex,
    publication_csl_json,
    publication_markdown,
    to_csv_bytes,
    to_parquet_bytes,
)
from dashboard.filters import ArticleFilter
from warehouse.publish import read_copy_path


def _pieces() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3", "a4"],
            "year": [2021, 2019, 2021, None],
            "published_date": [pd.Timestamp("2021-03-04"), None, None, None],
            "title": ["Ports & power: 50% of trade", "Quiet diplomacy", "Ports again", "Undated thoughts"],
            "outlet": ["Straits Times", "RUSI", "Straits Times", None],
            "kind": ["op-ed", "commentary", "op-ed", "other"],
            "authors": [["Mara Kellerman", "Jonas Åberg"], ["Mara Kellerman"], ["Mara Kellerman"], []],
        }
    )


def test_csv_round_trip_joins_lists() -> None:
    back = pd.read_csv(io.BytesIO(to_csv_bytes(_pieces())))
    assert list(back["article_id"]) == ["a1", "a2", "a3", "a4"]
    assert back.loc[0, "authors"] == "Mara Kellerman; Jonas Åberg"


def test_parquet_round_trip_keeps_types() -> None:
    back = pd.read_parquet(io.BytesIO(to_parquet_bytes(_pieces())))
    assert list(back["authors"].iloc[0]) == ["Mara Kellerman", "Jonas Åberg"]
    assert back["published_date"].iloc[0] == pd.Timestamp("2021-03-04")


def test_markdown_groups_by_year_newest_first_undated_last() -> None:
    md = publication_markdown(_pieces(), scope="all pieces")
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == ["2021", "2019", "Undated"]
    section_2021 = md.split("## 2021")[1].split("## 2019")[0]
    assert section_2021.index("Ports & power") < section_2021.index("Ports again")  # dated first
    assert "*Straits Times*" in md and "4 March 2021" in md
    assert "nan" not in md  # a piece without an outlet has no outlet, not "nan"


def test_bibtex_entries_are_well_formed_with_unique_keys() -> None:
    frame = pd.concat([_pieces(), _pieces().iloc[[0]]], ignore_index=True)  # a duplicate piece
    bib = publication_bibtex(frame)
    keys = re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M)
    assert len(keys) == 5 and len(set(keys)) == 5
    assert keys[0] == "kellerman2021ports"
    assert (keys[2], keys[4]) == ("kellerman2021portsa", "kellerman2021portsb")  # same base key
    assert r"Ports \& power: 50\% of trade" in bib
    assert "author = {Mara Kellerman and Jonas Åberg}" in bib
    assert "month = mar" in bib and "journal = {Straits Times}" in bib
    unescaped = bib.replace(r"\{", "").replace(r"\}", "")
    assert unescaped.count("{") == unescaped.count("}")
    assert "@misc{anonndundated" in bib
    assert "{nan}" not in bib


def test_bibtex_escape_specials() -> None:
    assert bibtex_escape("a_b #1 {x} ~ ^ $") == r"a\_b \#1 \{x\} \textasciitilde{} \textasciicircum{} \$"


def test_csl_json_items_match_the_bibtex_keys() -> None:
    frame = pd.concat([_pieces(), _pieces().iloc[[0]]], ignore_index=True)
    items = json.loads(publication_csl_json(frame))
    bib_keys = re.findall(r"^@\w+\{([^,]+),", publication_bibtex(frame), flags=re.M)
    assert [i["id"] for i in items] == bib_keys
    first = items[0]
    assert first["title"] == "Ports & power: 50% of trade"  # JSON needs no TeX escaping
    assert first["author"] == [
        {"family": "Kellerman", "given": "Mara"},
        {"family": "Åberg", "given": "Jonas"},
    ]
    assert first["container-title"] == "Straits Times"
    assert first["issued"] == {"date-parts": [[2021, 3, 4]]}
    assert items[1]["issued"] == {"date-parts": [[2019]]}  # year only
    assert "issued" not in items[3] and items[3]["type"] == "document"


def _filtered_pieces(db: Path, flt: ArticleFilter) -> pd.DataFrame:
    """What the Articles page's downloads export: its listing, whole, in its order."""
    con = duckdb.connect(str(read_copy_path(db)), read_only=True)
    try:
        q = paging.export_query(queries.articles(flt))
        return con.execute(q.sql, [list(p) if isinstance(p, tuple) else p for p in q.params]).df()
    finally:
        con.close()


def test_publication_list_of_a_real_warehouse(built_warehouse: Path) -> None:
    """The exports of the Articles page's own query: every piece once, under its year."""
    frame = _filtered_pieces(built_warehouse, ArticleFilter())
    md = publication_markdown(frame, scope=ArticleFilter().describe())
    years = sorted({int(y) for y in frame["year"].dropna()}, reverse=True)
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == [str(y) for y in years] + (["Undated"] if frame["year"].isna().any() else [])
    assert len(re.findall(r"^- ", md, flags=re.M)) == len(frame)

    bib = publication_bibtex(frame)
    keys = re.findall(r"^@(?:article|misc)\{([^,]+),$", bib, flags=re.M)
    assert len(keys) == len(frame) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)  # safe for every BibTeX tool
    unescaped = bib.replace(r"\{", "").replace(r"\}", "")
    assert unescaped.count("{") == unescaped.count("}")
    assert len(json.loads(publication_csl_json(frame))) == len(frame)

    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))
    assert list(back["article_id"]) == list(frame["article_id"])
    assert len(pd.read_parquet(io.BytesIO(to_parquet_bytes(frame)))) == len(frame)


def test_publication_list_follows_the_filter(built_warehouse: Path) -> None:
    everything = _filtered_pieces(built_warehouse, ArticleFilter())
    kind = everything["kind"].value_counts().index[-1]
    narrowed = _filtered_pieces(built_warehouse, ArticleFilter(kinds=[kind]))
    md = publication_markdown(narrowed, scope=ArticleFilter(kinds=[kind]).describe())
    assert f"kinds: {kind}" in md
    assert len(re.findall(r"^- ", md, flags=re.M)) == len(narrowed) < len(everything)
