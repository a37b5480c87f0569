"""How often: patrols per period, the gaps and what explains them, the change between two
periods, reported counts against the patrols held one by one, and patrol numbers.

In sections, one drawn at a time (a bar whose choice is in the link): frequency (the
timeline, the map and the events), reported against counted, gaps, the change between two
periods, patrol numbers. Selecting bars or a span on the timeline narrows this page's map,
event table and figures, and the link keeps the selection.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.briefing import frequency_export_view
from components.cite import render_cite
from components.colours import actor_colours
from components.export_panel import render_export_panel
from components.filters import current_selection
from components.frame import page_context
from components.frequency import (
    TABS_SCOPE,
    current_notes,
    render_comparison_section,
    render_coverage_section,
    render_frequency_settings,
    render_gaps_section,
    render_notes_editor,
    render_ordinals_section,
    render_section_bar,
    render_timeline_exports,
    selection_counts,
    timeline_caption,
    view_cards,
    view_timeline,
)
from components.html import md_escape
from components.layout import render_stacking_columns
from components.overview import render_headline, render_where
from components.tables import event_rows, render_table
from components.timeline import render_selection_status, render_timeline_selection
from data.cache import derived, frequency_view_of, strip_line_of, table_of
from data.filters import Selection
from data.timewindow import rule_line
from data.views import comparison_view, selection_view

ds, now, f, events = page_context()
st.title("How often")
render_cite(ds, f, events, now, key="freq_cite")
st.caption(md_escape(f.describe(ds, now)))
st.caption(md_escape(rule_line(ds, f, len(events))))
st.caption(md_escape(strip_line_of(events, f.theatres)))
s = render_frequency_settings()
notes = current_notes()
view = frequency_view_of(
    ds,
    f,
    now,
    events,
    (repr(s), repr(notes)),
    period=s.period,
    by=s.by,
    threshold=s.threshold,
    include_disputed=s.include_disputed,
    per_theatre=s.per_theatre,
    notes=notes,
)
figures = st.container()  # filled once the timeline says what is selected
section = render_section_bar()  # one section drawn (and worked out) at a time


def timeline() -> go.Figure:  # the view's timeline figure, built once per view for every session
    return derived(view, "timeline", lambda: view_timeline(view, actor_colours(ds.actors)))


if section == "frequency":
    fig = timeline()
    selection, warning = render_timeline_selection(fig, page="freq", period=view.period)
    st.caption(timeline_caption(view))
    timeline_exports = st.container()  # filled once the selection is known
    render_notes_editor()
else:  # the timeline is not drawn: the selection is the link's
    selection, warning = current_selection("freq", Selection())
picked = derived(
    view, f"selection:{selection!r}", lambda: selection_view(ds, f, view, selection, today=now)
)
if section == "frequency":
    with timeline_exports:
        render_timeline_exports(
            view,
            fig,
            ds.label,
            ds.version,
            picked=picked,
            counts=derived(
                view, f"selection_counts:{selection!r}", lambda: selection_counts(ds, view, picked)
            ),
        )
with figures:
    render_selection_status(picked.line(), warning or picked.note, page="freq")
    render_headline(view_cards(view, now, picked))
    if picked.active:
        st.caption(TABS_SCOPE)
    render_export_panel(
        ds,
        f,
        now,
        key="freq_export",
        events=events,
        selection=picked,
        view=lambda: frequency_export_view(
            ds, f, now, view, timeline(), events=events, selection=picked
        ),
    )
if section == "frequency":
    left, right = render_stacking_columns([1, 1.3], key="freq_where_events")
    with left:
        render_where(ds, picked.events, picked.map, key="freq_place", height=520, full=False)
    with right:
        st.subheader(f"Events ({len(picked.events):,})")
        render_table(
            table_of("event_rows", ds, picked.events, event_rows),
            key="freq_events",
            links=("Best source",),
            wide=("Description",),
            height=520,
        )
elif section == "gaps":
    render_gaps_section(view, ds.events, ds.version, now)
elif section == "coverage":
    render_coverage_section(view, ds.label, ds.version)
elif section == "comparison":
    render_comparison_section(view, lambda a, b: comparison_view(ds, f, view, a, b))
else:
    render_ordinals_section(view)
