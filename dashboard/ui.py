"""Page furniture shared by every page: freshness line, empty state, tables with exports.

Why: every chart must have its table one click away and every table its CSV/Parquet
download; doing that in one place keeps the pages short and the behaviour uniform.
"""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.charts import OutletColours
from dashboard.data import availability, empty_state_message, freshness, query, unreadable_message
from dashboard.exports import to_csv_bytes, to_parquet_bytes

ARTICLE_PAGE = "article"  # url_path of the Article page (see app.py)
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


def downloads(frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Parquet of exactly the rows shown."""
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "CSV",
        to_csv_bytes(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}-csv",
        on_click="ignore",
        icon=":material/download:",
    )
    row.download_button(
        "Parquet",
        to_parquet_bytes(frame),
        file_name=f"{name}.parquet",
        mime="application/vnd.apache.parquet",
        key=f"{key}-parquet",
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
