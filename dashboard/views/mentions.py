"""Mentions: the interviews, broadcasts, podcasts and panels the posts report."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, ui
from dashboard.data import query

ui.page_start(
    "Mentions", "Media appearances the intros and round-ups report, with outlet, medium and subject."
)

writer = ui.selected_writer()
opts = query(*queries.mention_options(writer)).iloc[0]
media_options = list(opts["media"]) if opts["media"] is not None else []
every_medium = query(*queries.mention_options())["media"].iloc[0]  # one colour per medium, whoever's
if not media_options:
    st.info("No media appearances found in the ingested dumps.")
    st.stop()
bind = "query-params"
left, right = st.columns([2, 1])
media = left.multiselect("Medium", media_options, key="medium", bind=bind)
year_from = year_to = None
min_year, max_year = opts["min_year"], opts["max_year"]
if min_year == min_year and max_year == max_year and min_year < max_year:
    lo, hi = right.slider(
        "Years", int(min_year), int(max_year), (int(min_year), int(max_year)), key="years", bind=bind
    )
    year_from = lo if lo > int(min_year) else None
    year_to = hi if hi < int(max_year) else None

by_outlet = query(*queries.mentions_by_outlet(media, year_from, year_to, writer))
colours = ui.outlet_colours()
totals = (
    by_outlet.groupby("outlet", as_index=False)["mentions"].sum().sort_values("mentions", ascending=False)
)
left, right = st.columns(2)
with left:
    st.subheader("By outlet")
    ui.chart_with_table(
        charts.outlet_bars(totals.head(20), colours, "mentions"),
        by_outlet,
        "mentions_by_outlet",
        "mentions-outlet",
    )
with right:
    st.subheader("By year and medium")
    by_year = query(*queries.mentions_by_year_medium(media, year_from, year_to, writer))
    ui.chart_with_table(
        charts.stacked_by(by_year, "year", "medium", "mentions", domain=list(every_medium)),
        by_year,
        "mentions_by_year_medium",
        "mentions-year",
    )

st.subheader("Appearances")
ui.paged_table(
    queries.mentions(media, year_from, year_to, writer),
    "mentions",
    "mentions",
    column_config={"post_id": None, "mention_no": None},
    links=True,
)
