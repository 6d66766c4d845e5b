"""Articles: filter the pieces (every filter lives in the URL), read the table, export it.

The exports include a publication list of exactly the filtered pieces, grouped by year, as
Markdown and BibTeX, for a CV or a funder's report: one writer's, when the selector is on one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, paging, queries, ui
from dashboard.data import query, search_indexed
from dashboard.exports import publication_bibtex, publication_csl_json, publication_markdown
from dashboard.filters import ArticleFilter

ui.page_start("Articles", "Every published piece; filters are kept in the URL, so a view can be shared.")

writer = ui.selected_writer()
opts = query(*queries.filter_options(writer)).iloc[0]
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
text = st.text_input(
    "Search titles and text",
    key="q",
    bind=bind,
    placeholder="e.g. Belt and Road",
    help="Finds pieces containing every word, in any form ('port' finds 'ports'); a word's beginning "
    "finds the whole word ('Kazakh' finds 'Kazakhstan').",
)

flt = ArticleFilter(
    writer=writer,
    year_from=years[0] if years and years[0] > int(min_year) else None,
    year_to=years[1] if years and years[1] < int(max_year) else None,
    outlets=outlets,
    topics=topics,
    kinds=kinds,
    authors=authors,
    date_bases=bases,
    text=text or "",
)

indexed = search_indexed()
listing = queries.articles(flt, indexed)
total = int(query(*paging.count_query(listing))["n"].iloc[0])
who = ui.writer_names().get(writer, writer) if writer else None
scope = f"{who}: {flt.describe()}" if who else flt.describe()
st.markdown(f"**{total:,}** pieces · {ui.md_escape(scope)}")
if text and not indexed:
    st.caption(
        "This copy of the warehouse has no search index yet (the next ingest builds it): the text is "
        "matched as written, more slowly."
    )
if not total:
    st.info("No piece matches these filters. Widen the year range or clear a filter.")
    st.stop()

by_year = query(*queries.articles_by_year_outlet(flt, indexed))
if not by_year.empty:
    ui.chart_with_table(
        charts.stacked_years(by_year, ui.outlet_colours()),
        by_year,
        "articles_by_year_outlet",
        "articles-by-year",
    )

page, event = ui.paged_table(
    listing,
    f"articles-{writer}" if writer else "articles",  # the file name of the downloads
    "articles",
    column_config={
        "standfirst": None,
        "word_count": st.column_config.NumberColumn("words"),
        "published_date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
    },
    links=True,
    selectable=True,
)
selected = event.selection.rows if event is not None and hasattr(event, "selection") else []
if selected:
    st.switch_page("views/article.py", query_params={"id": page.rows["article_id"].iloc[selected[0]]})


def _pieces() -> pd.DataFrame:
    """Every filtered piece (up to the export limit), read when a publication list is downloaded."""
    return ui.export_rows(listing)


st.subheader(f"Publication list of {who}" if who else "Publication list")
st.caption(
    f"The {total:,} filtered pieces grouped by year, for a CV or a funder's report"
    + (f" (the first {paging.EXPORT_ROW_LIMIT:,})." if total > paging.EXPORT_ROW_LIMIT else ".")
)
pubs = st.container(horizontal=True, gap="small")
stem = f"publications-{writer}" if writer else "publications"  # one writer's list says whose
for label, build, file_name, mime, help_text in (
    ("Markdown", lambda: publication_markdown(_pieces(), scope=scope), f"{stem}.md", "text/markdown", None),
    ("BibTeX", lambda: publication_bibtex(_pieces()), f"{stem}.bib", "application/x-bibtex", None),
    ("CSL-JSON", lambda: publication_csl_json(_pieces()), f"{stem}.json",
     "application/vnd.citationstyles.csl+json", "For Zotero and other reference managers."),
):  # fmt: skip
    pubs.download_button(
        label,
        build,
        file_name,
        mime=mime,
        key=f"pubs-{file_name.rsplit('.', 1)[1]}",
        on_click="ignore",
        icon=":material/download:",
        help=help_text,
    )
with st.expander("Preview (Markdown)"):
    st.caption(f"The {len(page.rows):,} pieces of this page; the download has all {total:,}.")
    st.markdown(publication_markdown(page.rows, scope=scope))
