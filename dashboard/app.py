"""bylines dashboard: the entry point ``streamlit run dashboard/app.py`` (or ``bylines dashboard``).

It only reads: every page queries the published read-only copy of the warehouse through
``dashboard.data``. Pages live in ``dashboard/views``; their URL paths are stable so views
(with their filters in the query string) can be shared.
"""

from __future__ import annotations

import sys
from pathlib import Path

# ``streamlit run`` puts this file's folder on sys.path, not the project root.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from dashboard.data import next_nightly_run  # noqa: E402
from dashboard.ui import freshness_caption, writer_selector  # noqa: E402

# Not "pages/": a folder of that name switches Streamlit to its legacy file-based router.
VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="bylines", page_icon=":material/newspaper:", layout="wide")

navigation = st.navigation(
    {
        "Output": [
            st.Page(
                VIEWS / "overview.py",
                title="Overview",
                icon=":material/dashboard:",
                url_path="overview",
                default=True,
            ),
            st.Page(VIEWS / "articles.py", title="Articles", icon=":material/article:", url_path="articles"),
            st.Page(VIEWS / "article.py", title="Article", icon=":material/description:", url_path="article"),
            st.Page(VIEWS / "outlets.py", title="Outlets", icon=":material/apartment:", url_path="outlets"),
            st.Page(VIEWS / "mentions.py", title="Mentions", icon=":material/mic:", url_path="mentions"),
            st.Page(
                VIEWS / "citations.py",
                title="Citations",
                icon=":material/format_quote:",
                url_path="citations",
            ),
        ],
        "Operations": [
            st.Page(
                VIEWS / "quality.py", title="Data quality", icon=":material/fact_check:", url_path="quality"
            ),
            st.Page(VIEWS / "sql.py", title="SQL", icon=":material/terminal:", url_path="sql"),
        ],
    }
)

with st.sidebar:
    writer_selector()  # every page's, kept across pages (a widget of the entry page)
    st.caption(freshness_caption())
    st.caption(f"Next nightly run: {next_nightly_run():%Y-%m-%d %H:%M} UTC.")

navigation.run()
