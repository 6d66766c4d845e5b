"""Keyset pagination: every list in the dashboard is read one page at a time.

Why keyset and not OFFSET: a page is "the next N rows after this row" in a total order, so page
500 of a million articles costs what page 1 costs (no rows are read and thrown away), and a
publish between two clicks cannot shift rows under the reader. A :class:`Listing` is a query
and its total order (the last keys make it unique); :func:`page_query` adds the cursor's
condition, the order and the limit. Every sort key is NULLS LAST in the listing's order.

The cursor travels in the URL (:func:`encode` / :func:`decode`), so a page can be shared; it
carries the listing's fingerprint and is ignored when the filters changed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

import pandas as pd

PAGE_SIZES = (50, 100, 200)
DEFAULT_PAGE_SIZE = 100
# The most rows an export holds: a CSV of this many articles is tens of MB, which the browser
# download still handles; past it the analyst is pointed at `bylines sql` (COPY ... TO).
EXPORT_ROW_LIMIT = 250_000


class Query(NamedTuple):
    """SQL text and its bound parameters (user input only ever travels as parameters)."""

    sql: str
    params: tuple[object, ...] = ()


class SortKey(NamedTuple):
    column: str  # an output column of the listing's SELECT
    descending: bool = False


class Listing(NamedTuple):
    """A list the dashboard pages through: its rows (any SELECT) and their total order.

    ``count`` may give a cheaper query of the same number of rows (e.g. a search without other
    filters counts its matches without joining them to the articles); ``first`` the same rows
    written for the first page, where no cursor narrows them and another plan is faster.
    """

    sql: str
    params: tuple[object, ...]
    order: tuple[SortKey, ...]
    count: Query | None = None
    first: Query | None = None

    @property
    def fingerprint(self) -> str:
        """Identifies the listing (query, filters, order): a cursor of another listing is not reused."""
        blob = json.dumps([self.sql, [_json_value(p) for p in self.params], self.order], default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: strictly after (or, going back, strictly before) a row's sort key."""

    direction: Literal["after", "before"]
    key: tuple[Any, ...]
    position: int  # 0-based index of the first row after the key (or of the row the key belongs to)


@dataclass(frozen=True)
class Page:
    rows: pd.DataFrame
    start: int  # 0-based index of the first row in the listing
    next: Cursor | None
    prev: Cursor | None


# ------------------------------------------------------------------------------------- SQL


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def order_by(order: Sequence[SortKey], reverse: bool = False) -> str:
    parts = []
    for key in order:
        descending = key.descending != reverse
        # NULLs come last in the listing's order, so first when it is read backwards
        nulls = "FIRST" if reverse else "LAST"
        parts.append(f"{_q(key.column)} {'DESC' if descending else 'ASC'} NULLS {nulls}")
    return ", ".join(parts)


def _beyond(order: Sequence[SortKey], key: Sequence[Any], after: bool) -> tuple[str, list[Any]]:
    """SQL true for the rows strictly after (or before) ``key`` in the listing's order."""
    alternatives: list[str] = []
    params: list[Any] = []
    equal: list[str] = []
    equal_params: list[Any] = []
    for sort, value in zip(order, key, strict=True):
        col = _q(sort.column)
        if value is None:
            step = None if after else f"{col} IS NOT NULL"  # NULLs sort last: nothing after them
            step_params: list[Any] = []
        else:
            greater = sort.descending != after  # moving down a descending key means smaller values
            comparison = f"{col} {'>' if greater else '<'} ?"
            step = f"({comparison} OR {col} IS NULL)" if after else comparison
            step_params = [value]
        if step is not None:
            alternatives.append(" AND ".join([*equal, step]))
            params += equal_params + step_params
        equal.append(f"{col} IS NULL" if value is None else f"{col} = ?")
        equal_params += [] if value is None else [value]
    if not alternatives:
        return "FALSE", []
    return "(" + " OR ".join(f"({a})" for a in alternatives) + ")", params


def page_query(listing: Listing, cursor: Cursor | None, size: int) -> Query:
    """The page's rows plus one (which says whether there is more), in the cursor's direction."""
    backwards = cursor is not None and cursor.direction == "before"
    where, params = ("TRUE", []) if cursor is None else _beyond(listing.order, cursor.key, not backwards)
    rows = listing.first if cursor is None and listing.first else Query(listing.sql, listing.params)
    return Query(
        f"SELECT * FROM ({rows.sql}) AS listing WHERE {where} "
        f"ORDER BY {order_by(listing.order, reverse=backwards)} LIMIT ?",
        (*rows.params, *params, size + 1),
    )


def count_query(listing: Listing) -> Query:
    if listing.count is not None:
        return listing.count
    return Query(f"SELECT count(*) AS n FROM ({listing.sql}) AS listing", listing.params)


def export_query(listing: Listing, limit: int = EXPORT_ROW_LIMIT) -> Query:
    """The whole listing in its order, up to ``limit`` rows (plus one, to tell it was cut)."""
    return Query(
        f"SELECT * FROM ({listing.sql}) AS listing ORDER BY {order_by(listing.order)} LIMIT ?",
        (*listing.params, limit + 1),
    )


# ------------------------------------------------------------------------------------ pages


def _plain(value: Any) -> Any:
    """A cell as a plain Python value a query can bind (and JSON can carry)."""
    if not pd.api.types.is_scalar(value):  # lists (authors, topics) come as numpy arrays
        return [_plain(v) for v in value] if hasattr(value, "__iter__") else value
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def key_of(rows: pd.DataFrame, index: int, order: Sequence[SortKey]) -> tuple[Any, ...]:
    return tuple(_plain(rows[key.column].iloc[index]) for key in order)


def fetch_page(
    listing: Listing, cursor: Cursor | None, size: int, run: Callable[[Query], pd.DataFrame]
) -> Page:
    """One page of ``listing`` at ``cursor`` (the first page when None), read with ``run``.

    A cursor past the end (the data changed since it was made) or before the start falls back
    to the first page, so a stale link still shows rows.
    """
    frame = run(page_query(listing, cursor, size))
    more = len(frame) > size
    rows = frame.iloc[:size]
    if cursor is not None and cursor.direction == "before":
        if not more:  # reached the start: show a full first page
            return fetch_page(listing, None, size, run)
        rows = rows.iloc[::-1]
        start = max(cursor.position - len(rows), 1)
    elif cursor is not None:
        if rows.empty:
            return fetch_page(listing, None, size, run)
        start = cursor.position
    else:
        start = 0
    rows = rows.reset_index(drop=True)
    after_last = more or (cursor is not None and cursor.direction == "before")
    next_cursor = Cursor("after", key_of(rows, -1, listing.order), start + len(rows)) if after_last else None
    prev_cursor = Cursor("before", key_of(rows, 0, listing.order), start) if start > 0 else None
    return Page(rows, start, next_cursor, prev_cursor)


# ------------------------------------------------------------------------------------ URL


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"ts": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and "ts" in value:
        return datetime.fromisoformat(value["ts"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    return value


def encode(cursor: Cursor, listing: Listing) -> str:
    """The cursor as a URL-safe token tied to ``listing``."""
    body = [listing.fingerprint, cursor.direction[0], cursor.position, [_json_value(v) for v in cursor.key]]
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(token: str | None, listing: Listing) -> Cursor | None:
    """The cursor of a token from the URL; None when absent, malformed or made for another listing."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        fingerprint, direction, position, key = json.loads(raw)
        if fingerprint != listing.fingerprint or direction not in ("a", "b"):
            return None
        if len(key) != len(listing.order):
            return None
        values = tuple(_from_json(v) for v in key)
        return Cursor("after" if direction == "a" else "before", values, int(position))
    except (ValueError, TypeError):
        return None
