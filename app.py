"""PatrolWatch: the frame and router. Page config, the shared sidebar filters, navigation.
No data work happens here beyond asking the data layer for the data set.
"""

from __future__ import annotations

import streamlit as st

from components.export_panel import render_version_notice
from components.filters import render_sidebar_filters
from components.frame import mark_routed, render_dataset_error, render_footer
from data.cache import current_dataset
from data.schema import DataSetError
from data.settings import today

st.set_page_config(
    page_title="PatrolWatch",
    layout="wide",
    initial_sidebar_state="expanded",
)
mark_routed()

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/map:", default=True),
    st.Page("pages/map_explorer.py", title="Map explorer", icon=":material/explore:"),
    st.Page("pages/frequency.py", title="How often", icon=":material/bar_chart:"),
    st.Page("pages/sources.py", title="Sources and conflicts", icon=":material/fact_check:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data"),
]

try:
    dataset = current_dataset()
except DataSetError as err:
    st.navigation(PAGES)  # the app's own page list (not the pages folder's), no page run
    render_dataset_error(err)
    st.stop()

render_sidebar_filters(dataset, today())
render_footer(dataset)
render_version_notice(dataset)

st.navigation(PAGES).run()
