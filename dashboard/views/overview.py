"""Overview: headline counts and the four charts an analyst looks at first."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, ui
from dashboard.data import query

ui.page_start("Overview", "Where and how much the author published, about what, and who interviewed them.")

head = query(*queries.HEADLINE).iloc[0]
cols = st.columns(6)
cols[0].metric("Pieces", int(head["articles"]))
cols[1].metric("Outlets", int(head["outlets"]))
first, last = head["first_year"], head["last_year"]
cols[2].metric("Years", f"{int(first)}–{int(last)}" if first == first and last == last else "–")
cols[3].metric("Media appearances", int(head["mentions"]))
cols[4].metric("Citations", int(head["citations"]))
cols[5].metric(
    "Dumps",
    int(head["dumps_loaded"]),
    delta=f"{int(head['dumps_quarantined'])} quarantined",
    delta_color="off",
)

colours = ui.outlet_colours()

st.subheader("Output by year, by outlet")
by_year = query(*queries.OUTPUT_BY_YEAR_OUTLET)
ui.chart_with_table(charts.stacked_years(by_year, colours), by_year, "output_by_year_outlet", "by-year")

left, right = st.columns(2)
with left:
    st.subheader("Top outlets")
    top = query(*queries.top_outlets())
    ui.chart_with_table(charts.outlet_bars(top, colours), top, "top_outlets", "top-outlets")
with right:
    st.subheader("Topics by year")
    topics = query(*queries.topic_year())
    ui.chart_with_table(charts.heatmap(topics, "topic", "year", "pieces"), topics, "topics_by_year", "topics")

st.subheader("Media appearances by year and medium")
mentions = query(*queries.MENTIONS_BY_YEAR_MEDIUM)
ui.chart_with_table(
    charts.stacked_by(mentions, "year", "medium", "mentions"), mentions, "mentions_by_year_medium", "mentions"
)
