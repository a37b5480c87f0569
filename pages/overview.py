"""Overview: headline figures, the map and the frequency timeline, and the event table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.cite import render_cite
from components.colours import actor_colours
from components.export_panel import render_export_panel
from components.frame import page_context
from components.html import md_escape
from components.layout import render_stacking_columns
from components.overview import (
    WHOLE_TABLE_EVENTS,
    event_table,
    event_table_rows,
    headline_cards,
    render_headline,
    render_where,
    reported_line,
    reported_table,
)
from components.sources import conflict_table
from components.tables import LazyTable, event_rows, render_table
from components.timeline import (
    make_selectable,
    render_selection_status,
    render_timeline_selection,
    timeline_figure,
)
from data.cache import derived, overview_view_of, table_of
from data.model import DataSet
from data.timewindow import rule_line
from data.views import selection_view

ds, now, f, events = page_context()
by = st.session_state.get("overview_by") or "actor"
view = overview_view_of(ds, f, now, events, by=by)

st.title("Patrols at a glance")
export = st.container()  # filled once the timeline says what is selected
render_cite(ds, f, events, now, key="overview_cite")
# what depends on the view alone is built once per view, for every session (``derived``)
st.caption(md_escape(view.description))
st.caption(md_escape(derived(view, "rule_line", lambda: rule_line(ds, f, len(events)))))
figures = st.container()  # filled once the timeline says what is selected
st.caption(md_escape(derived(view, "reported_line", lambda: reported_line(view.reported))))

# the map and the chart side by side on a wide page, the map on top of the chart on a
# narrower one (the sidebar open in a 1000-1400 px window): each stays wide enough to read
left, right = render_stacking_columns([3, 2], key="overview_where_when")
with right:
    st.subheader("How often")
    st.segmented_control(
        "Stack bars by",
        ["actor", "kind", "route"],
        default="actor",
        key="overview_by",
        format_func=str.capitalize,
    )
    fig = derived(
        view,
        f"timeline:{by}",
        lambda: make_selectable(
            timeline_figure(
                view.counts,
                period="month",
                by=by,
                actor_colours=actor_colours(ds.actors),
                reported=view.bands,
                marks=view.marks,
                title=f"{view.noun.capitalize()} per month",
                noun=view.noun,
                subtitle=view.description,
                x_range=view.window,
            )
        ),
    )
    selection, warning = render_timeline_selection(fig, page="overview")
    st.caption(
        "Drag across the chart to select a span: the map, the table and the figures narrow to it."
    )
picked = derived(
    view, f"selection:{selection!r}", lambda: selection_view(ds, f, view, selection, today=now)
)
with export:
    render_export_panel(ds, f, now, key="overview_export", by=by, events=events, selection=picked)
with figures:
    render_selection_status(picked.line(), warning or picked.note, page="overview")
    render_headline(headline_cards(picked.head))
with left:
    render_where(ds, picked.events, picked.map, key="overview_place", height=600)

st.subheader("Reported by sources for overlapping periods")
st.caption(
    "Counts sources give for whole periods. They are not events we hold one by one and are "
    "never added to the counts above; the chart draws them as rate bands."
)
render_table(
    derived(view, "reported_table", lambda: reported_table(view.reported, ds)),
    key="overview_reported",
    links=("Link",),
)

if len(view.disputes):
    st.subheader("Reports that disagree")
    render_table(
        derived(view, "conflict_table", lambda: conflict_table(view.disputes)),
        key="overview_conflicts",
        wide=("Claim",),
    )

st.subheader(f"Events ({len(picked.events):,})")


def _event_table(ds: DataSet, events: pd.DataFrame) -> pd.DataFrame | LazyTable:
    if len(ds.events) > WHOLE_TABLE_EVENTS:  # a big set: cells written for the page shown
        return event_rows(ds, events)
    if not ds.events["event_id"].is_unique:
        return event_table(ds, events)
    return event_table_rows(derived(ds, "event_table", lambda: event_table(ds, ds.events)), events)


render_table(
    table_of("events", ds, picked.events, _event_table),
    key="overview_events",
    links=("Best source",),
    wide=("Description",),
    height=420,
)
