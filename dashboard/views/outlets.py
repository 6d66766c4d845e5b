"""Outlets: every outlet with its output; pick one for pieces by year and kind, and its aliases."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, ui
from dashboard.data import query

ui.page_start(
    "Outlets", "Where the pieces appeared, first and last appearance, and the names each outlet goes by."
)

writer = ui.selected_writer()
ui.paged_table(
    queries.outlet_summaries(writer),
    "outlets",
    "outlets",
    column_config={
        "outlet_id": None,
        "first_date": st.column_config.DateColumn("first stated date", format="YYYY-MM-DD"),
        "last_date": st.column_config.DateColumn("last stated date", format="YYYY-MM-DD"),
    },
)

names = list(query(*queries.outlet_names(writer))["outlet"])
if not names:
    st.info("No outlet has pieces yet.")
    st.stop()
choice = st.selectbox("Outlet", names, key="outlet", bind="query-params")
row = query(*queries.outlet_summary(choice, writer)).iloc[0]
outlet_id = str(row["outlet_id"])

cols = st.columns(4)
cols[0].metric("Pieces", int(row["pieces"]))
cols[1].metric("Media appearances", int(row["mentions"]))
cols[2].metric("First year", int(row["first_year"]) if row["first_year"] == row["first_year"] else "–")
cols[3].metric("Last year", int(row["last_year"]) if row["last_year"] == row["last_year"] else "–")
st.caption(
    f"Kind: {ui.text_of(row['outlet_kind'], 'unknown')} · country: {ui.text_of(row['country'], 'unknown')} · "
    f"domain: {ui.text_of(row['domain'], 'unknown')}"
    + (" · created from the text, needs review" if row["needs_review"] else "")
)

by_kind = query(*queries.outlet_year_kind(outlet_id, writer))
if not by_kind.empty:
    ui.chart_with_table(
        charts.stacked_by(by_kind, "year", "kind", "pieces"),
        by_kind,
        f"{outlet_id}_by_year_kind",
        "outlet-kind",
    )

left, right = st.columns([2, 1])
with left:
    st.markdown("**Pieces**")
    ui.paged_table(
        queries.outlet_articles(outlet_id, writer), f"{outlet_id}_pieces", "outlet_pieces", links=True
    )
with right:
    st.markdown("**Aliases**")
    ui.table(query(*queries.outlet_aliases(outlet_id)), f"{outlet_id}_aliases", "outlet-aliases")
