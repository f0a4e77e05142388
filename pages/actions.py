"""Action lists: for each agency, the places where people gave reasons it can act on."""

import pandas as pd
import streamlit as st

from safetymap.analysis.actions import RANKING_RULE
from safetymap.analysis.exports import to_csv_bytes
from safetymap.reports.actions import action_list_pdf, nothing_listed
from safetymap.ui import app, cached
from safetymap.ui.action_log import show_log
from safetymap.ui.text import escape_markdown

context = app.context()
role = context.role
agencies = context.agencies

st.title("Action lists: who can act on what people report")
name = st.selectbox("Agency", list(agencies.names), key="actions.agency",
                    help="Who acts on which reason comes from the agency settings file.")
agency = agencies.find(name) or agencies.agencies[0]
action_list = cached.action_list(context.dataset, context.reports, context.reports.key,
                                 context.filters, agency, role)
st.write(escape_markdown(action_list.summary))
if agency.acts_on:
    st.caption(escape_markdown(f"{agency.name}: {agency.acts_on}"))

table = action_list.table
if table.empty:
    st.write(escape_markdown(nothing_listed(action_list)))
else:
    st.dataframe(table, hide_index=True, width="stretch")
st.caption(escape_markdown(RANKING_RULE))
with st.expander("How the list is made"):
    for note in action_list.notes:
        st.write(escape_markdown(note))

slug = "".join(c if c.isalnum() else "_" for c in agency.name.lower()).strip("_")[:40]
csv_col, pdf_col = st.columns(2)
csv_col.download_button(
    "Download the list (CSV)",
    app.audited_download(context, f"Action list CSV, {agency.name}",
                         lambda: to_csv_bytes(table)),
    file_name=f"action_list_{slug}.csv", mime="text/csv", on_click="ignore",
    key="actions.csv",
)
pdf_col.download_button(
    "Download the list (PDF)",
    app.audited_download(context, f"Action list PDF, {agency.name}",
                         lambda: action_list_pdf(action_list)),
    file_name=f"action_list_{slug}.pdf", mime="application/pdf", on_click="ignore",
    key="actions.pdf",
)

st.subheader("Who can act on which reason")
st.dataframe(
    pd.DataFrame({
        "Agency": list(agencies.names),
        "Reasons": [a.reason_words for a in agencies.agencies],
        "Can act on": [a.acts_on for a in agencies.agencies],
    }),
    hide_index=True, width="stretch",
)
st.caption(escape_markdown(f"From {agencies.source.name}; a deployment sets its own with "
                           "SAFETYMAP_AGENCIES."))

show_log(context, agency.name)
