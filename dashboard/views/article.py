"""Article: one piece with its text, intro, topics, mentions, citations and provenance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import queries, ui
from dashboard.data import query

ui.page_start("Article")

article_id = st.query_params.get("id")
if not article_id:
    st.info("Pick a piece on the Articles page (or open a link such as `article?id=a_…`).")
    st.page_link("views/articles.py", label="Go to Articles", icon=":material/article:")
    st.stop()

found = query(*queries.article(article_id))
if found.empty:
    shown_id = article_id.replace("`", "'")[:80]  # the id comes from the URL: no markup from it
    st.warning(f"No article with id `{shown_id}` in this warehouse.")
    st.stop()
art = found.iloc[0]
esc = ui.md_escape
BASIS = {
    "stated": "the dump states the publication date",
    "text": "a clue in the post's own text (no date line was given)",
    "inferred": "bounded by the dated posts around it: archive pages run newest first, in every dump "
    "where the post appears",
}


def _day(value: object) -> str:
    return pd.Timestamp(value).date().isoformat() if pd.notna(value) else "…"


st.header(esc(ui.text_of(art["title"], "Untitled")))
if ui.text_of(art["standfirst"]):
    st.markdown(f"*{esc(ui.text_of(art['standfirst']))}*")

year = int(art["year"]) if pd.notna(art["year"]) else None
meta = st.columns(4)
meta[0].metric("Outlet", ui.text_of(art["outlet"], "unknown"))
meta[1].metric("Kind", ui.text_of(art["kind"], "unknown"))
meta[2].metric("Year", year or "unknown")
meta[3].metric("Words", f"{int(art['word_count']):,}")
authors = ", ".join(art["authors"]) if len(art["authors"]) else "unknown"
topics = ", ".join(art["topics"]) if len(art["topics"]) else "none"
date_text = _day(art["published_date"]) if pd.notna(art["published_date"]) else "no stated date"
writer = ui.text_of(art["writer"], "unknown") + (
    f" ({ui.text_of(art['writer_site'])})" if ui.text_of(art["writer_site"]) else ""
)
st.markdown(
    f"**Writer:** {esc(writer)}  \n"
    f"**Authors:** {esc(authors)}  \n**Topics:** {esc(topics)}  \n**Date:** {date_text}  \n"
    f"**Seen in:** {int(art['dump_count'])} dump(s), {int(art['sighting_count'])} sighting(s); "
    f"first delivered {pd.Timestamp(art['first_seen_at']):%Y-%m-%d %H:%M} UTC"
)
if ui.text_of(art["outlet"]):
    st.page_link(
        "views/outlets.py",
        label=f"Everything in {ui.text_of(art['outlet'])}",
        icon=":material/apartment:",
        query_params={"outlet": ui.text_of(art["outlet"])},
    )

with st.container(border=True):
    basis = ui.text_of(art["date_basis"], "unknown")
    st.markdown(f"**How the date was established:** {basis}, {BASIS.get(basis, 'no date evidence found')}.")
    lines = []
    if pd.notna(art["date_min"]) or pd.notna(art["date_max"]):
        lines.append(f"Bounds: {_day(art['date_min'])} to {_day(art['date_max'])}")
    lines.append(f"Stated date line: {esc(ui.text_of(art['date_text'], '(none)'))}")
    lines.append(f"Evidence: {esc(ui.text_of(art['date_evidence'], '(none)'))}")
    st.markdown("  \n".join(lines))

st.subheader("The post's intro")
intro = ui.text_of(art["intro"])
st.markdown(f"> {esc(intro)}" if intro else "_(no intro)_")
if pd.notna(art["confidence"]):
    st.caption(f"Segmenter confidence {float(art['confidence']):.2f} (below 0.60 is listed on Data quality).")

with st.expander("Body", expanded=True):
    st.text(ui.text_of(art["body"]))
    if ui.text_of(art["bio"]):
        st.caption(esc(ui.text_of(art["bio"])))

st.subheader("Media appearances reported in the post")
mentions = query(*queries.article_mentions(article_id))
if mentions.empty:
    st.caption("None.")
else:
    ui.table(mentions, f"mentions_{article_id}", "article-mentions")

st.subheader("Citations")
notes = query(*queries.article_citations(article_id))
if notes.empty:
    st.caption("No numbered notes.")
else:
    ui.table(
        notes,
        f"citations_{article_id}",
        "article-citations",
        column_config={"url": st.column_config.LinkColumn("url")},
    )

st.subheader("Provenance")
st.caption("Every dump and line range this piece was read from.")
ui.table(query(*queries.article_provenance(article_id)), f"provenance_{article_id}", "article-provenance")
