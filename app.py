"""PatrolWatch: the frame and router. Page config, the shared sidebar filters, navigation.
No data work happens here beyond asking the data layer for the data set.
"""

from __future__ import annotations

import streamlit as st

from components.export_panel import render_version_notice
from components.filters import render_sidebar_filters
from components.frame import mark_routed, render_dataset_error, render_footer, render_store_status
from components.icon import app_icon
from components.sign_in import render_sign_in, signed_out_page
from data.cache import current_dataset
from data.schema import DataSetError
from data.settings import today

st.set_page_config(
    page_title="PatrolWatch",
    page_icon=app_icon(),  # drawn by code (components/icon.py): nothing fetched offline
    layout="wide",
)
if render_sign_in() is None:  # sign-in configured and not (yet) signed in with a role
    st.navigation([signed_out_page()], position="hidden").run()  # the sign-in screen only
    st.stop()
mark_routed()  # only now may a page run (a direct link to one comes back through here)
render_store_status()

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/map:", default=True),
    EXPLORER := st.Page("pages/map_explorer.py", title="Map explorer", icon=":material/explore:"),
    st.Page("pages/frequency.py", title="How often", icon=":material/bar_chart:"),
    st.Page("pages/sources.py", title="Sources and conflicts", icon=":material/fact_check:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data"),
    st.Page("pages/reports.py", title="Reports", icon=":material/article:", url_path="reports"),
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

page = st.navigation(PAGES)
# the sidebar's state is given once per run, for the page about to run: the explorer is map
# first (its filters folded away, one click brings them back), every other page opens with
# them. Given twice (the app's, then the page's own), the sidebar was folded again at every
# run of the explorer, even after the person had opened it.
explorer = page.url_path == EXPLORER.url_path
st.set_page_config(initial_sidebar_state="collapsed" if explorer else "expanded")
page.run()
