"""Citations: what the pieces cite, the most-cited sources and domains, and every note."""

from __future__ import annotations

import streamlit as st

from dashboard import queries, ui
from dashboard.data import query

ui.page_start("Citations", "The numbered notes of the pieces: sources, domains and links.")

writer = ui.selected_writer()
left, right = st.columns(2)
with left:
    st.subheader("Most-cited sources")
    ui.table(query(*queries.citation_sources(writer)), "citation_sources", "sources")
with right:
    st.subheader("Most-cited domains")
    ui.table(query(*queries.citation_domains(writer)), "citation_domains", "domains")

st.subheader("Notes")
needle = st.text_input("Filter notes by source, title or URL", key="cite", bind="query-params")
ui.paged_table(
    queries.citation_notes(needle or "", writer),
    "citation_notes",
    "notes",
    column_config={"url": st.column_config.LinkColumn("url"), "post_id": None, "citation_no": None},
    links=True,
)
