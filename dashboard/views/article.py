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
    st.warning(f"No article with id `{article_id}` in this warehouse.")
    st.stop()
art = found.iloc[0]


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


st.header(_text(art["title"]))
if _text(art["standfirst"]):
    st.markdown(f"*{_text(art['standfirst'])}*")

date_text = art["published_date"].date().isoformat() if pd.notna(art["published_date"]) else "no stated date"
year = int(art["year"]) if pd.notna(art["year"]) else None
meta = st.columns(4)
meta[0].metric("Outlet", _text(art["outlet"]) or "unknown")
meta[1].metric("Kind", _text(art["kind"]))
meta[2].metric("Year", year or "unknown")
meta[3].metric("Words", int(art["word_count"]))
authors = ", ".join(art["authors"]) if len(art["authors"]) else "unknown"
topics = ", ".join(art["topics"]) if len(art["topics"]) else "none"
st.markdown(f"**Authors:** {authors}  \n**Topics:** {topics}  \n**Date:** {date_text}")

with st.container(border=True):
    st.markdown("**How the date was established**")
    bounds = ""
    if pd.notna(art["date_min"]) or pd.notna(art["date_max"]):
        lo = art["date_min"].date().isoformat() if pd.notna(art["date_min"]) else "…"
        hi = art["date_max"].date().isoformat() if pd.notna(art["date_max"]) else "…"
        bounds = f" Bounds: {lo} to {hi}."
    st.markdown(
        f"Basis: **{_text(art['date_basis']) or 'unknown'}**.{bounds}  \n"
        f"Stated date line: {_text(art['date_text']) or '(none)'}  \n"
        f"Evidence: {_text(art['date_evidence']) or '(none)'}"
    )

st.subheader("The post's intro")
st.markdown(f"> {_text(art['intro'])}" if _text(art["intro"]) else "_(no intro)_")
st.caption(f"Segmenter confidence {float(art['confidence']):.2f}" if pd.notna(art["confidence"]) else "")

with st.expander("Body", expanded=True):
    st.text(_text(art["body"]))
    if _text(art["bio"]):
        st.caption(_text(art["bio"]))

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
