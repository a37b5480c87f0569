"""Reports: from a news report to reviewed events, each field beside the sentence it came
from. Paste or upload a report; accept, edit or reject each candidate."""

from __future__ import annotations

import streamlit as st

from components.data_forms import render_who
from components.frame import page_context
from components.reports import render_reports
from data.cache import current_embedded, current_snapshot, current_store

ds, now, f, events = page_context()

st.title("Reports")
st.caption(
    "Paste a report (a SOHR note, a Hawar or North Press dispatch, a TASS line, an Enab "
    "Baladi article) or upload it. The report is read offline by rules and the data set's "
    "own tables of places, actors and keywords; each field shows the words it came from. "
    "Nothing is written until you accept a candidate; what you accept cites the report and "
    "is kept in the trail of changes on the Data page."
)
who = render_who()
if who.can_write:
    render_reports(ds, current_embedded(), current_snapshot(), current_store(), who)
else:  # a reader: the store refuses their writes, so no review is offered
    st.info("Reading reports into events is for editors: ask your team's admin for the role.")
