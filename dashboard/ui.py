"""Page furniture shared by every page: freshness line, empty state, tables with exports.

Why: every chart must have its table one click away and every table its CSV/Parquet
download; every list that grows with the warehouse is paged (:func:`paged_table`: a page of
rows, the total, first/previous/next, exports of the whole result). Doing that in one place
keeps the pages short and the behaviour uniform.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import paging, queries
from dashboard.charts import OutletColours
from dashboard.data import (
    availability,
    empty_state_message,
    freshness,
    query,
    read_uncached,
    unreadable_message,
)
from dashboard.exports import to_csv_bytes, to_parquet_bytes

ARTICLE_PAGE = "article"  # url_path of the Article page (see app.py)
WRITER_KEY = "writer"  # the writer selector's key and URL parameter (?writer=<display name>)
ALL_WRITERS = "All writers"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#~$|])")


def page_start(title: str, caption: str | None = None) -> None:
    """Title, one-line description, and how fresh the data is; stops the page when there is none."""
    st.title(title)
    if caption:
        st.caption(caption)
    status = availability()
    if status.state == "unreadable":
        st.warning(unreadable_message(status.detail))
        if "lock" not in status.detail.lower():
            with st.expander("Details"):
                st.text(status.detail)
        st.stop()
    if status.state != "ready":
        st.info(empty_state_message())
        st.stop()


def writer_selector() -> None:
    """The writer selector, in the sidebar of every page (app.py draws it before the page).

    Hidden while the warehouse holds one writer. Its value is the writer_id; the URL keeps the
    display name (``?writer=Jane+Doe``: Streamlit binds a selectbox by its shown option), so a link
    opens on that writer; widgets of the entry page keep their value when the analyst moves between
    pages.
    """
    if availability().state != "ready":
        return
    names = writer_names()
    if len(names) < 2:
        return
    st.selectbox(
        "Writer",
        ["", *names],
        format_func=lambda w: names.get(w, ALL_WRITERS),
        key=WRITER_KEY,
        bind="query-params",
        help="Every page shows this writer's work only; 'All writers' adds them up.",
    )


def selected_writer() -> str | None:
    """The writer_id the selector is on, or None for every writer (or when there is one)."""
    return st.session_state.get(WRITER_KEY) or None


def writer_names() -> dict[str, str]:
    """writer_id -> display name, of the writers with something loaded."""
    writers = query(*queries.WRITERS)
    return dict(zip(writers["writer_id"], writers["writer"], strict=True))


def text_of(value: object, default: str = "") -> str:
    """A cell as text; missing values (None, NaN, NaT: pandas 3 has NaN for a missing string) -> default."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return default
    return str(value) or default


def md_escape(text: str) -> str:
    """Text from the dumps, the URL or a search box, shown in Markdown as written.

    Escapes what would turn it into markup: emphasis, code, links, HTML, tables and the
    ``$`` that Streamlit renders as maths ("$5bn and $3bn").
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def freshness_caption() -> str:
    fresh = freshness()
    if not fresh.exists:
        return "No published warehouse yet."
    stamp = fresh.published_at.strftime("%Y-%m-%d %H:%M UTC") if fresh.published_at else "?"
    return f"Data published {stamp} ({fresh.age_text()})."


def outlet_colours() -> OutletColours:
    return OutletColours(list(query(*queries.OUTLET_RANKING)["outlet"]))


def downloads(
    frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str, key: str, container: Any = None
) -> None:
    """CSV and Parquet of exactly the rows shown, or of what ``frame()`` reads when clicked."""
    row = container if container is not None else st.container(horizontal=True, gap="small")
    for label, convert, ext, mime in (
        ("CSV", to_csv_bytes, "csv", "text/csv"),
        ("Parquet", to_parquet_bytes, "parquet", "application/vnd.apache.parquet"),
    ):
        data: Any = _deferred(convert, frame) if callable(frame) else convert(frame)
        row.download_button(
            label,
            data,
            file_name=f"{name}.{ext}",
            mime=mime,
            key=f"{key}-{ext}",
            on_click="ignore",
            icon=":material/download:",
        )


def date_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Show DATE columns (midnight timestamps in pandas) as dates, not as '... 00:00:00'."""
    config: dict[str, Any] = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            present = values.dropna()
            if present.empty or (present == present.dt.normalize()).all():
                config[col] = st.column_config.DateColumn(col, format="YYYY-MM-DD")
    return config


def table(frame: pd.DataFrame, name: str, key: str, column_config: dict[str, Any] | None = None) -> None:
    """A sortable table with its downloads."""
    config = {**date_columns(frame), **(column_config or {})}
    st.dataframe(frame, hide_index=True, column_config=config, key=f"{key}-table")
    downloads(frame, name, key)


def chart_with_table(chart: alt.Chart, frame: pd.DataFrame, name: str, key: str) -> None:
    """A chart, and the table behind it one click away."""
    st.altair_chart(chart, key=f"{key}-chart")
    with st.expander("Table behind this chart"):
        table(frame, name, key)


def with_article_links(frame: pd.DataFrame, id_column: str = "article_id") -> pd.DataFrame:
    """Add an ``open`` column linking each row to the Article page (a shareable URL)."""
    out = frame.copy()
    out.insert(0, "open", [f"{ARTICLE_PAGE}?id={v}" if isinstance(v, str) else None for v in out[id_column]])
    return out


ARTICLE_LINK = st.column_config.LinkColumn("open", display_text="open", width="small")


# ------------------------------------------------------------------------------------ paging


def _deferred(
    convert: Callable[[pd.DataFrame], bytes], read: Callable[[], pd.DataFrame]
) -> Callable[[], bytes]:
    """What a download button runs when clicked (not on every rerun of the page)."""
    return lambda: convert(read())


def export_rows(listing: paging.Listing) -> pd.DataFrame:
    """The whole listing in its order, up to ``paging.EXPORT_ROW_LIMIT`` rows (read when downloaded)."""
    return read_uncached(*paging.export_query(listing)).head(paging.EXPORT_ROW_LIMIT)


def _go(param: str, token: str | None) -> None:
    if token is None:
        if param in st.query_params:
            del st.query_params[param]
    else:
        st.query_params[param] = token


def paged_table(
    listing: paging.Listing,
    name: str,
    key: str,
    column_config: dict[str, Any] | None = None,
    links: bool = False,
    selectable: bool = False,
) -> tuple[paging.Page, Any]:
    """One page of ``listing`` with the total, first/previous/next and exports of the whole result.

    The page's position is in the URL (``<key>_at``, a cursor tied to the listing: it is
    dropped when the filters change) and so is a page size other than the default
    (``<key>_rows``). ``links`` adds an ``open`` column to the Article page; ``selectable``
    lets one row be selected (returned as the dataframe's event).
    """
    param = f"{key}_at"
    cursor = paging.decode(st.query_params.get(param), listing)
    if cursor is None and param in st.query_params:
        del st.query_params[param]  # made for other filters (or mangled): start at the top
    table_slot = st.container()
    bar = st.container(horizontal=True, gap="small", vertical_alignment="center")
    caption_slot, nav = bar.empty(), bar.container(horizontal=True, gap="small", width="content")
    size = bar.selectbox(
        "Rows per page",
        paging.PAGE_SIZES,
        index=paging.PAGE_SIZES.index(paging.DEFAULT_PAGE_SIZE),
        key=f"{key}_rows",
        bind="query-params",
        help="Rows per page",
        label_visibility="collapsed",
        width=90,
    )
    total = int(query(*paging.count_query(listing))["n"].iloc[0])
    page = paging.fetch_page(listing, cursor, size, lambda q: query(*q))
    shown = with_article_links(page.rows) if links else page.rows
    config = {**date_columns(shown), **(column_config or {})}
    if links:
        config.update({"open": ARTICLE_LINK, "article_id": None})
    extra = {"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}
    event = table_slot.dataframe(shown, hide_index=True, column_config=config, key=f"{key}-table", **extra)
    first, last = page.start + 1, page.start + len(page.rows)
    caption_slot.caption(f"Rows {first:,}–{last:,} of {total:,}" if len(page.rows) else f"{total:,} rows")
    # the first page has no token: Previous onto it (and First) clear the position from the URL
    back = None if page.prev is None or page.start <= size else paging.encode(page.prev, listing)
    forward = None if page.next is None else paging.encode(page.next, listing)
    for label, token, disabled, icon in (
        ("First", None, page.start == 0, "first_page"),
        ("Previous", back, page.prev is None, "chevron_left"),
        ("Next", forward, page.next is None, "chevron_right"),
    ):
        nav.button(
            label,
            key=f"{key}-{label.lower()}",
            disabled=disabled,
            icon=f":material/{icon}:",
            on_click=_go,
            args=(param, token),
        )
    downloads(lambda: export_rows(listing), name, key, container=bar)
    if total > paging.EXPORT_ROW_LIMIT:
        st.caption(
            f"Downloads hold the first {paging.EXPORT_ROW_LIMIT:,} of {total:,} rows in this order; for all "
            "of them, query the published copy with the DuckDB CLI (`duckdb -readonly …` and COPY)."
        )
    return page, event
