"""Sources and conflicts: who said what, how far to trust them, and the claims that disagree."""

from __future__ import annotations

import streamlit as st

from components.export_panel import render_export_panel
from components.frame import page_context
from components.sources import conflict_table, source_table
from components.tables import render_table
from data.cache import current_conflicts

ds, now, f, events = page_context()

st.title("Sources and conflicts")
render_export_panel(ds, f, now, key="sources_export", events=events)
st.caption(
    "Every record cites its sources. Grades follow the Admiralty system: the letter is the "
    "source's reliability (A completely reliable … E unreliable, F cannot be judged), the "
    "digit the credibility of that particular claim (1 confirmed … 5 improbable, 6 cannot "
    "be judged)."
)

st.subheader("Reports that disagree")
st.caption(
    "Claims that disagree are kept side by side, each with its source, never merged. "
    "'Declared' conflicts were recorded by the curator; 'detected' ones are found by the "
    "data layer (a patrol reported inside a suspension another source reports)."
)
render_table(conflict_table(current_conflicts()), key="sources_conflicts", wide=("Claim",))

st.subheader(f"Sources ({len(ds.sources):,})")
render_table(source_table(ds), key="sources_table", links=("Link",), height=520)
