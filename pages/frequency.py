"""How often: patrols per period, the gaps and what explains them, the change between two
periods, reported counts against the patrols held one by one, and patrol numbers.

In tabs: frequency (the timeline, the map and the events), reported against counted, gaps,
the change between two periods, patrol numbers. Selecting bars or a span on the timeline
narrows this page's map, event table and figures, and the link keeps the selection.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from components.briefing import standard_view
from components.cite import render_cite
from components.colours import actor_colours
from components.export_panel import render_export_panel
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
    render_timeline_exports,
    timeline_caption,
    view_cards,
    view_timeline,
)
from components.html import md_escape
from components.overview import event_table, render_headline, render_where
from components.tables import render_table
from components.timeline import render_selection_status, render_timeline_selection
from data.cache import current_zone_layer, derived, frequency_view_of, table_of
from data.timewindow import rule_line, strip_area, strip_line
from data.views import comparison_view, selection_view

ds, now, f, events = page_context()
st.title("How often")
render_cite(ds, f, events, now, key="freq_cite")
st.caption(md_escape(f.describe(ds, now)))
st.caption(md_escape(rule_line(ds, f, len(events))))
st.caption(md_escape(strip_line(events, strip_area(current_zone_layer(), f.theatres))))
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
frequency, coverage, gaps, comparison, numbering = st.tabs(
    ["Frequency", "Reported against counted", "Gaps", "Change between periods", "Patrol numbers"]
)
with frequency:
    fig = derived(view, "timeline", lambda: view_timeline(view, actor_colours(ds.actors)))
    selection, warning = render_timeline_selection(fig, page="freq", period=view.period)
    st.caption(timeline_caption(view))
    render_timeline_exports(view, fig, ds.label, ds.version)
    render_notes_editor()
picked = derived(
    view, f"selection:{selection!r}", lambda: selection_view(ds, f, view, selection, today=now)
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
        view=lambda: replace(
            standard_view(ds, f, now, events=events),
            figure=fig,
            period_count_ids=tuple(view.bands["count_id"]),
        ),
    )
with frequency:
    left, right = st.columns([1, 1.3], gap="medium")
    with left:
        render_where(ds, picked.events, picked.map, key="freq_place", height=520, full=False)
    with right:
        st.subheader(f"Events ({len(picked.events):,})")
        render_table(
            table_of("events", ds, picked.events, event_table),
            key="freq_events",
            links=("Best source",),
            wide=("Description",),
            height=520,
        )
with gaps:
    render_gaps_section(view, ds.events, ds.version, now)
with coverage:
    render_coverage_section(view, ds.label, ds.version)
with comparison:
    render_comparison_section(view, lambda a, b: comparison_view(ds, f, view, a, b))
with numbering:
    render_ordinals_section(view)
