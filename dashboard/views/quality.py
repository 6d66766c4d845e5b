"""Data quality: what was ingested, what was quarantined and why, what to double-check."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import queries, ui
from dashboard.data import freshness, next_nightly_run, query

# The issues of v_data_quality, in the order an analyst should look at them, with what each means.
ISSUES = {
    "quarantined_dump": "an input that is not an archive dump (see Quarantined inputs above)",
    "low_confidence_post": "post boundaries the segmenter was unsure of (confidence below 0.60)",
    "piece_without_outlet": "no outlet found in the intro, byline or bio",
    "piece_without_year": "no stated date, text clue or dated neighbour: the year is unknown",
    "piece_without_stated_date": "the year comes from a text clue or the dated posts around it",
    "outlet_needs_review": "an outlet created from the text, not in the gazetteer",
}

ui.page_start(
    "Data quality", "Trust each number: inputs, quarantines, low-confidence posts, missing fields, runs."
)

runs = query(*queries.LAST_RUN)
fresh = freshness()
cols = st.columns(3)
if runs.empty:
    cols[0].metric("Last run", "none recorded", help="Runs of `bylines ingest`, the sensor or the schedule.")
else:
    last = runs.iloc[0]
    left = "" if pd.isna(last["articles_left"]) else f", {last['articles_left']} left the record"
    cols[0].metric(
        "Last run (UTC)",
        f"{last['started_at']:%Y-%m-%d %H:%M}",
        help=f"Trigger: {last['trigger']}; new dumps {last['dumps_new']}, quarantined "
        f"{last['dumps_quarantined']}, skipped {last['dumps_skipped']}; articles {last['articles_new']} new, "
        f"{last['articles_updated']} updated{left}.",
    )
cols[1].metric("Next nightly run (UTC)", f"{next_nightly_run():%Y-%m-%d %H:%M}")
cols[2].metric(
    "Data published",
    fresh.age_text(),
    help=f"{fresh.published_at:%Y-%m-%d %H:%M UTC}: {fresh.path}" if fresh.published_at else None,
)

writer = ui.selected_writer()
st.subheader("Quarantined inputs")
counts = query(*queries.quarantined_counts(writer)).iloc[0]
quarantined, open_cases = int(counts["total"]), int(counts["open"])
if not quarantined:
    st.success("Nothing quarantined.")
elif open_cases == 0:
    st.success(f"Every quarantined input ({quarantined}) was replaced by a later delivery that loaded.")
else:
    st.warning(
        f"{open_cases} input(s) could not be read as archive dumps; the error column says why. "
        "Fix or replace the file and drop it into the landing folder again."
    )
if quarantined:
    ui.paged_table(queries.quarantined(writer), "quarantined", "quarantined")

st.subheader("Issues to review")
found = query(*queries.quality_summary(writer))
counts = dict(zip(found["issue"], found["n"], strict=True))
summary = pd.DataFrame(
    [(issue, int(counts.get(issue, 0)), why) for issue, why in ISSUES.items()]
    + [(issue, int(n), "") for issue, n in counts.items() if issue not in ISSUES],
    columns=["issue", "n", "what it means"],
)
st.dataframe(summary, hide_index=True, key="quality-summary")
# quarantined inputs have their own table above
open_issues = [i for i in summary.loc[summary["n"] > 0, "issue"] if i != "quarantined_dump"]
if not open_issues:
    st.success("No open data-quality issues.")
else:
    kinds = st.multiselect("Issue", open_issues, key="issue", bind="query-params")
    ui.paged_table(queries.quality_rows(kinds, writer), "data_quality", "quality", links=True)

st.subheader("Dumps")
ui.paged_table(queries.dumps(writer), "dumps", "dumps")

st.subheader("Runs")
ui.paged_table(queries.RUNS, "ingest_runs", "runs")
