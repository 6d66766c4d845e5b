"""Exports of filtered tables: CSV, Parquet, and a publication list (Markdown, BibTeX, CSL-JSON).

Why pure functions over DataFrames: the same bytes are offered by the download buttons and
checked by the tests, with no Streamlit involved.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Piece kinds that appeared in a periodical; the rest are cited as @misc.
_PERIODICAL_KINDS = frozenset({"op-ed", "commentary", "journal-article", "review", "letter", "interview"})


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV; list columns joined with '; ' so spreadsheets show them readably."""
    return _flatten_lists(frame).to_csv(index=False).encode("utf-8")


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet keeps types (dates, lists) for analysts who load the file elsewhere."""
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _flatten_lists(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and any(
            isinstance(v, (list, tuple)) or hasattr(v, "tolist") for v in out[col]
        ):
            out[col] = out[col].map(_join)
    return out


def _join(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "tolist"):
        value = value.tolist()
    return "; ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else value


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if hasattr(value, "tolist"):
        value = value.tolist()
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _as_date(value: Any) -> date | None:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _year(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _records(frame: pd.DataFrame) -> Iterable[dict[str, Any]]:
    """Rows as dicts with every missing value as None (pandas 3 gives NaN for a missing string)."""
    for rec in frame.to_dict(orient="records"):
        yield {k: (None if pd.api.types.is_scalar(v) and pd.isna(v) else v) for k, v in rec.items()}


# ---------------------------------------------------------------------------------------- Markdown


def publication_markdown(frame: pd.DataFrame, heading: str = "Publications", scope: str = "") -> str:
    """A publication list grouped by year (newest first), one bullet per piece.

    Authors, "Title", *Outlet*, date. Pieces without a year close the list under "Undated".
    """
    lines = [f"# {heading}", ""]
    if scope:
        lines += [f"_{scope}_", ""]
    groups: dict[int | None, list[dict[str, Any]]] = {}
    for rec in _records(frame):
        groups.setdefault(_year(rec.get("year")), []).append(rec)
    order = sorted((y for y in groups if y is not None), reverse=True) + ([None] if None in groups else [])
    for year in order:
        lines += [f"## {year if year is not None else 'Undated'}", ""]
        for rec in sorted(groups[year], key=_sort_key):
            lines.append("- " + _md_entry(rec))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _sort_key(rec: dict[str, Any]) -> tuple[str, str]:
    d = _as_date(rec.get("published_date"))
    return ((d.isoformat() if d else "9999"), str(rec.get("title") or ""))


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def _md_entry(rec: dict[str, Any]) -> str:
    parts = []
    authors = _as_list(rec.get("authors"))
    if authors:
        parts.append(_md_escape(", ".join(authors)) + ".")
    parts.append(f"“{_md_escape(str(rec.get('title') or 'Untitled'))}”.")
    if rec.get("outlet"):
        parts.append(f"*{_md_escape(str(rec['outlet']))}*")
    d = _as_date(rec.get("published_date"))
    if d:
        parts.append(f"{d.day} {d.strftime('%B %Y')}.")
    elif parts[-1].startswith("*"):
        parts[-1] += "."
    if rec.get("kind"):
        parts.append(f"({rec['kind']})")
    return " ".join(parts)


# ------------------------------------------------------------------------------------------ BibTeX


def bibtex_escape(text: str) -> str:
    """Escape BibTeX/LaTeX specials so a title with '&' or '%' compiles."""
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _base_key(rec: dict[str, Any]) -> str:
    authors = _as_list(rec.get("authors"))
    surname_words = re.findall(r"[A-Za-z0-9]+", _ascii(authors[0])) if authors else []
    surname = surname_words[-1] if surname_words else "anon"
    words = [w for w in re.findall(r"[A-Za-z0-9]+", _ascii(str(rec.get("title") or ""))) if len(w) > 3]
    year = _year(rec.get("year"))
    return f"{surname.lower()}{year or 'nd'}{words[0].lower() if words else ''}"


def _keyed(frame: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    """Each piece with a unique citation key (``surname + year + word``, then a, b, ...)."""
    seen: dict[str, int] = {}
    out = []
    for rec in _records(frame):
        base = _base_key(rec)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append((base if n == 0 else f"{base}{_suffix(n)}", rec))
    return out


def publication_bibtex(frame: pd.DataFrame) -> str:
    """One BibTeX entry per piece, keys unique (``surname + year + word``, then a, b, ...)."""
    entries = [_bib_entry(key, rec) for key, rec in _keyed(frame)]
    return "\n\n".join(entries) + ("\n" if entries else "")


def _suffix(n: int) -> str:
    letters = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def _bib_entry(key: str, rec: dict[str, Any]) -> str:
    kind = str(rec.get("kind") or "")
    entry_type = "article" if kind in _PERIODICAL_KINDS and rec.get("outlet") else "misc"
    fields: list[tuple[str, str]] = []
    authors = _as_list(rec.get("authors"))
    if authors:
        fields.append(("author", " and ".join(bibtex_escape(a) for a in authors)))
    fields.append(("title", "{" + bibtex_escape(str(rec.get("title") or "Untitled")) + "}"))
    if rec.get("outlet"):
        fields.append(
            ("journal" if entry_type == "article" else "howpublished", bibtex_escape(str(rec["outlet"])))
        )
    year = _year(rec.get("year"))
    if year:
        fields.append(("year", str(year)))
    d = _as_date(rec.get("published_date"))
    if d:
        fields.append(("month", _MONTHS[d.month - 1]))
        fields.append(("date", d.isoformat()))
    if kind:
        fields.append(("note", bibtex_escape(kind)))
    body = ",\n".join(f"  {name} = {_bib_value(name, value)}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}"


def _bib_value(name: str, value: str) -> str:
    if name in {"year"} or (name == "month" and value in _MONTHS):
        return value
    return "{" + value + "}"


# ---------------------------------------------------------------------------------------- CSL-JSON

# CSL item types by piece kind (reference managers such as Zotero import CSL-JSON directly).
_CSL_TYPES = {
    "journal-article": "article-journal",
    "report": "report",
    "interview": "interview",
    "review": "review",
}


def _csl_name(name: str) -> dict[str, str]:
    """'Mara Kellerman' -> family Kellerman, given Mara; a one-word name stays literal."""
    words = name.split()
    if len(words) < 2:
        return {"literal": name}
    return {"family": words[-1], "given": " ".join(words[:-1])}


def publication_csl_json(frame: pd.DataFrame) -> str:
    """The publication list as CSL-JSON: one item per piece, ids the same as the BibTeX keys."""
    items: list[dict[str, Any]] = []
    for key, rec in _keyed(frame):
        kind = str(rec.get("kind") or "")
        item: dict[str, Any] = {
            "id": key,
            "type": _CSL_TYPES.get(kind, "article" if rec.get("outlet") else "document"),
            "title": str(rec.get("title") or "Untitled"),
        }
        authors = _as_list(rec.get("authors"))
        if authors:
            item["author"] = [_csl_name(a) for a in authors]
        if rec.get("outlet"):
            item["container-title"] = str(rec["outlet"])
        d = _as_date(rec.get("published_date"))
        year = _year(rec.get("year"))
        if d:
            item["issued"] = {"date-parts": [[d.year, d.month, d.day]]}
        elif year:
            item["issued"] = {"date-parts": [[year]]}
        if kind:
            item["genre"] = kind
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
