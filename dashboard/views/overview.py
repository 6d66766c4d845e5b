"""Overview: the writers compared, then headline counts and the four charts an analyst looks at first.

Everything follows the writer selector (sidebar): one writer's work, or every writer's added up.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, ui
from dashboard.data import query

ui.page_start("Overview", "Where and how much each writer published, about what, and who interviewed them.")

writer = ui.selected_writer()
names = ui.writer_names()
if writer:
    st.caption(f"**{ui.md_escape(names.get(writer, writer))}** only; choose {ui.ALL_WRITERS} to compare.")
elif len(names) > 1:
    st.subheader("Writers compared")
    writers = query(*queries.WRITERS)
    ui.table(writers.drop(columns=["writer_id"]), "writers", "writers")
    left, right = st.columns(2)
    with left:
        st.markdown("**Pieces by year**")
        years = query(*queries.WRITER_YEARS)
        ui.chart_with_table(
            charts.side_by_side(years, "year", "writer", "pieces"), years, "writers_by_year", "writer-years"
        )
    with right:
        st.markdown("**Pieces by outlet** (the outlets with most pieces)")
        outlets = query(*queries.writer_outlets())
        chart = charts.side_by_side(outlets, "outlet", "writer", "pieces", horizontal=True)
        ui.chart_with_table(chart, outlets, "writers_by_outlet", "writer-outlets")
    st.caption("Below: every writer's work added up. Choose a writer in the sidebar for theirs alone.")

head = query(*queries.headline(writer)).iloc[0]
first, last = head["first_year"], head["last_year"]
top_row, bottom_row = st.columns(4), st.columns(4)
top_row[0].metric("Pieces", f"{int(head['articles']):,}")
top_row[1].metric("Outlets", f"{int(head['outlets']):,}")
top_row[2].metric("Years", f"{int(first)}–{int(last)}" if first == first and last == last else "–")
top_row[3].metric("Posts", f"{int(head['posts']):,}")
bottom_row[0].metric("Media appearances", f"{int(head['mentions']):,}")
bottom_row[1].metric("Citations", f"{int(head['citations']):,}")
bottom_row[2].metric("Dumps loaded", f"{int(head['dumps_loaded']):,}")
bottom_row[3].metric(
    "Dumps quarantined",
    f"{int(head['dumps_quarantined']):,}",
    help="Inputs that could not be read as archive dumps: see Data quality.",
)

colours = ui.outlet_colours()

st.subheader("Output by year, by outlet")
by_year = query(*queries.output_by_year_outlet(writer))
ui.chart_with_table(charts.stacked_years(by_year, colours), by_year, "output_by_year_outlet", "by-year")

left, right = st.columns(2)
with left:
    st.subheader("Top outlets")
    top = query(*queries.top_outlets(writer))
    ui.chart_with_table(charts.outlet_bars(top, colours), top, "top_outlets", "top-outlets")
with right:
    st.subheader("Topics by year")
    topics = query(*queries.topic_year(writer))
    ui.chart_with_table(charts.heatmap(topics, "topic", "year", "pieces"), topics, "topics_by_year", "topics")

st.subheader("Media appearances by year and medium")
mentions = query(*queries.mentions_by_year_medium([], None, None, writer))
all_media = query(*queries.mention_options())["media"].iloc[0]
ui.chart_with_table(
    charts.stacked_by(
        mentions, "year", "medium", "mentions", domain=list(all_media) if all_media is not None else None
    ),
    mentions,
    "mentions_by_year_medium",
    "mentions",
)
