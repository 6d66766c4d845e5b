"""Exports: CSV/Parquet round-trips and the publication list (Markdown by year, BibTeX)."""

from __future__ import annotations

import io
import re

import pandas as pd

from dashboard.exports import (
    bibtex_escape,
    publication_bibtex,
    publication_markdown,
    to_csv_bytes,
    to_parquet_bytes,
)


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


def test_bibtex_escape_specials() -> None:
    assert bibtex_escape("a_b #1 {x} ~ ^ $") == r"a\_b \#1 \{x\} \textasciitilde{} \textasciicircum{} \$"
