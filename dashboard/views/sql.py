"""SQL: a read-only console over the warehouse, with the documented schema beside it."""

from __future__ import annotations

import streamlit as st

from dashboard import queries, ui
from dashboard.data import query, read_path
from dashboard.sqlguard import DEFAULT_ROW_LIMIT, DEFAULT_TIME_LIMIT_S, SqlRefused, run_guarded

# Examples offered in the console (an analyst's starting points; the dashboard itself never runs them).
EXAMPLE_SQL: dict[str, str] = {
    "Pieces per year and outlet": (
        "SELECT year, outlet, pieces FROM mart_output_by_year_outlet ORDER BY year DESC, pieces DESC"
    ),
    "Undated pieces and how their year was inferred": (
        "SELECT title, outlet, year, date_basis, date_min, date_max FROM v_articles\n"
        "WHERE date_basis <> 'stated' ORDER BY year DESC"
    ),
    "Pieces per writer and year (every writer side by side)": (
        "SELECT writer, year, sum(pieces)::INT AS pieces FROM mart_output_by_year_outlet\n"
        "GROUP BY ALL ORDER BY writer, year DESC"
    ),
    "Who interviewed the author most": (
        "SELECT outlet, medium, count(*) AS n FROM v_mentions GROUP BY ALL ORDER BY n DESC LIMIT 20"
    ),
    "Most-cited sources": (
        "SELECT source, sum(citations) AS citations FROM mart_citation_sources GROUP BY source\n"
        "ORDER BY citations DESC"
    ),
    "Pieces containing a word (the search index)": (
        "SELECT title, outlet, year FROM v_articles\n"
        "WHERE article_id IN (SELECT article_id FROM search.all_postings WHERE word = 'pipeline')\n"
        "ORDER BY year DESC"
    ),
    "Pieces seen in several dumps": (
        "SELECT title, outlet, dump_count, topics FROM v_articles\n"
        "WHERE dump_count > 1 ORDER BY dump_count DESC"
    ),
}

ui.page_start(
    "SQL",
    f"Read-only: one SELECT at a time, at most {DEFAULT_ROW_LIMIT:,} rows and {DEFAULT_TIME_LIMIT_S:g} s; "
    "no files, no ATTACH, COPY, INSTALL or LOAD.",
)

main, side = st.columns([3, 2])
with side:
    st.markdown("**Schema**")
    relations = query(*queries.RELATIONS)
    st.dataframe(relations, hide_index=True, key="sql-relations", height=250)
    schema = query(*queries.SCHEMA)
    pick = st.selectbox("Columns of", list(relations["name"]), key="sql-relation")
    st.dataframe(
        schema.loc[schema["table_name"] == pick, ["column_name", "data_type", "comment"]],
        hide_index=True,
        key="sql-columns",
    )
with main:
    example = st.selectbox("Example queries", ["(write your own)", *EXAMPLE_SQL], key="sql-example")
    default = EXAMPLE_SQL.get(example, "SELECT * FROM v_articles LIMIT 20")
    sql = st.text_area("Query", default, height=160, key=f"sql-text-{example}")
    if st.button("Run", type="primary", key="sql-run"):
        try:
            result = run_guarded(read_path(), sql)
        except SqlRefused as exc:
            st.error(str(exc))
        else:
            note = f" (first {result.row_limit:,} shown)" if result.truncated else ""
            st.caption(f"{len(result.frame):,} rows{note}.")
            ui.table(result.frame, "query_result", "sql-result")
