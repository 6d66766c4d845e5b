"""Data quality: what was ingested, what was quarantined and why, what to double-check."""

from __future__ import annotations

import streamlit as st

from dashboard import queries, ui
from dashboard.data import next_nightly_run, query

ui.page_start(
    "Data quality", "Trust each number: inputs, quarantines, low-confidence posts, missing fields, runs."
)

runs = query(*queries.RUNS)
cols = st.columns(3)
cols[0].metric("Last run", f"{runs['started_at'].iloc[0]:%Y-%m-%d %H:%M}" if not runs.empty else "never")
cols[1].metric("Next nightly run (UTC)", f"{next_nightly_run():%Y-%m-%d %H:%M}")
cols[2].metric("Data published", ui.freshness_caption().removeprefix("Data published ").rstrip("."))

st.subheader("Quarantined inputs")
quarantined = query(*queries.QUARANTINED)
open_cases = int((~quarantined["replaced"]).sum()) if not quarantined.empty else 0
if quarantined.empty:
    st.success("Nothing quarantined.")
elif open_cases == 0:
    st.success(f"Every quarantined input ({len(quarantined)}) was replaced by a later delivery that loaded.")
else:
    st.warning(
        f"{open_cases} input(s) could not be read as archive dumps. Their bytes are kept in the "
        "raw store; fix or replace the file and drop it into the landing folder again."
    )
if not quarantined.empty:
    ui.table(quarantined, "quarantined", "quarantined")

st.subheader("Issues to review")
summary = query(*queries.QUALITY_SUMMARY)
if summary.empty:
    st.success("No open data-quality issues.")
else:
    st.dataframe(summary, hide_index=True, key="quality-summary")
    kinds = st.multiselect("Issue", list(summary["issue"]), key="issue", bind="query-params")
    issues = query(*queries.quality_rows(kinds))
    ui.table(
        ui.with_article_links(issues), "data_quality", "quality", column_config={"open": ui.ARTICLE_LINK}
    )

st.subheader("Dumps")
ui.table(query(*queries.DUMPS), "dumps", "dumps")

st.subheader("Runs")
ui.table(runs, "ingest_runs", "runs")
