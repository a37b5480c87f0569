"""Data: import what analysts already have, add and correct events, see and undo every
change, export the filtered events anywhere."""

from __future__ import annotations

import streamlit as st

from components.data_forms import render_changes, render_event_form, render_who
from components.export_panel import render_export_panel, render_table_exports
from components.frame import page_context
from components.html import md_escape
from components.import_preview import render_import
from data.cache import current_embedded, current_snapshot, current_store
from data.store import describe_store

ds, now, f, events = page_context()
store = current_store()
snapshot = current_snapshot()

st.title("Data")
render_export_panel(ds, f, now, key="data_export")
st.caption(
    md_escape(
        f"{ds.label}: the shipped data set plus {snapshot.n_records:,} record(s) added or "
        f"corrected here, kept in {describe_store(store)} (change r{snapshot.revision}). "
        "Every change is kept with who made it and when, and can be undone."
    )
)
who = render_who()
if who.can_write:
    imports, edit, changes, export = st.tabs(
        ["Import files", "Add or correct an event", "Changes and undo", "Export"]
    )
    with imports:
        render_import(ds, current_embedded(), snapshot, store, who)
    with edit:
        render_event_form(ds, current_embedded(), snapshot, store, who)
else:  # a reader: no import, no form, no undo
    changes, export = st.tabs(["Changes", "Export"])
with changes:
    render_changes(ds, store, who)
with export:
    render_table_exports(ds, events, f.describe(ds, now))
