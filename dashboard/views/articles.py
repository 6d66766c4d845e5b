"""Articles: filter the pieces (every filter lives in the URL), read the table, export it.

The exports include a publication list of exactly the filtered pieces, grouped by year, as
Markdown and BibTeX, for a CV or a funder's report.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, ui
from dashboard.data import query
from dashboard.exports import publication_bibtex, publication_csl_json, publication_markdown
from dashboard.filters import ArticleFilter

ui.page_start("Articles", "Every published piece; filters are kept in the URL, so a view can be shared.")

opts = query(*queries.FILTER_OPTIONS).iloc[0]
bind = "query-params"
with st.sidebar:
    st.header("Filters")
    min_year, max_year = opts["min_year"], opts["max_year"]
    years: tuple[int, int] | None = None
    if min_year == min_year and max_year == max_year and min_year < max_year:  # NaN-safe
        years = st.slider(
            "Years", int(min_year), int(max_year), (int(min_year), int(max_year)), key="years", bind=bind
        )
    outlets = st.multiselect("Outlet", list(opts["outlets"]), key="outlet", bind=bind)
    topics = st.multiselect("Topic", list(opts["topics"]), key="topic", bind=bind)
    kinds = st.multiselect("Kind", list(opts["kinds"]), key="kind", bind=bind)
    authors = st.multiselect("Author", list(opts["authors"]), key="author", bind=bind)
    bases = st.multiselect(
        "Date basis",
        list(opts["date_bases"]),
        key="basis",
        bind=bind,
        help="stated: the dump gives the date; text: a clue in the post; "
        "inferred: bounded by dated neighbours in archive order",
    )
text = st.text_input("Search titles and text", key="q", bind=bind, placeholder="e.g. Belt and Road")

flt = ArticleFilter(
    year_from=years[0] if years and years[0] > int(min_year) else None,
    year_to=years[1] if years and years[1] < int(max_year) else None,
    outlets=outlets,
    topics=topics,
    kinds=kinds,
    authors=authors,
    date_bases=bases,
    text=text or "",
)

frame = query(*queries.articles(flt))
total = int(query(*queries.articles_count(flt))["n"].iloc[0])
shown_note = f" (the newest {len(frame):,} shown and exported)" if total > len(frame) else ""
st.markdown(f"**{total:,}** pieces · {ui.md_escape(flt.describe())}{shown_note}")
if frame.empty:
    st.info("No piece matches these filters. Widen the year range or clear a filter.")
    st.stop()

by_year = query(*queries.articles_by_year_outlet(flt))
if not by_year.empty:
    ui.chart_with_table(
        charts.stacked_years(by_year, ui.outlet_colours()),
        by_year,
        "articles_by_year_outlet",
        "articles-by-year",
    )

shown = ui.with_article_links(frame.drop(columns=["standfirst"]))
event = st.dataframe(
    shown,
    hide_index=True,
    key="articles-table",
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "open": ui.ARTICLE_LINK,
        "article_id": None,
        "word_count": st.column_config.NumberColumn("words"),
        "published_date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
    },
)
selected = event.selection.rows if event is not None and hasattr(event, "selection") else []
if selected:
    st.switch_page("views/article.py", query_params={"id": frame["article_id"].iloc[selected[0]]})

ui.downloads(frame, "articles", "articles")
st.subheader("Publication list")
st.caption("The filtered pieces grouped by year, for a CV or a funder's report.")
markdown = publication_markdown(frame, scope=flt.describe())
pubs = st.container(horizontal=True, gap="small")
pubs.download_button(
    "Markdown",
    markdown,
    "publications.md",
    mime="text/markdown",
    key="pubs-md",
    on_click="ignore",
    icon=":material/download:",
)
pubs.download_button(
    "BibTeX",
    publication_bibtex(frame),
    "publications.bib",
    mime="application/x-bibtex",
    key="pubs-bib",
    on_click="ignore",
    icon=":material/download:",
)
pubs.download_button(
    "CSL-JSON",
    publication_csl_json(frame),
    "publications.json",
    mime="application/vnd.citationstyles.csl+json",
    key="pubs-csl",
    on_click="ignore",
    icon=":material/download:",
    help="For Zotero and other reference managers.",
)
PREVIEW_PIECES = 100
with st.expander("Preview (Markdown)"):
    if len(frame) > PREVIEW_PIECES:
        st.caption(f"The first {PREVIEW_PIECES} of {len(frame):,} pieces; the download has them all.")
        st.markdown(publication_markdown(frame.head(PREVIEW_PIECES), scope=flt.describe()))
    else:
        st.markdown(markdown)
