"""How often: patrols per period, the gaps and what explains them, the change between two
periods, reported counts against the patrols held one by one, and patrol numbers.

Selecting bars or a span on the timeline narrows this page's map and event table.
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
    current_notes,
    render_comparison_section,
    render_coverage_section,
    render_frequency_settings,
    render_gaps_section,
    render_notes_editor,
    render_ordinals_section,
    render_selection_banner,
    render_timeline_exports,
    timeline_caption,
    timeline_key,
    view_cards,
    view_timeline,
)
from components.html import md_escape
from components.overview import event_table, render_headline, render_map_caption
from components.patrol_map import build_overview_map, map_summary, render_patrol_map
from components.tables import render_table
from components.timeline import curve_roles, render_selectable_timeline, selection_from_chart
from data.cache import current_conflicts, current_zone_layer
from data.settings import tile_settings
from data.timewindow import rule_line, strip_area, strip_line
from data.views import comparison_view, frequency_view, selection_view

ds, now, f, events = page_context()
st.title("How often")
render_cite(ds, f, events, now, key="freq_cite")
st.caption(md_escape(f.describe(ds, now)))
st.caption(md_escape(rule_line(ds, f, len(events))))
st.caption(md_escape(strip_line(events, strip_area(current_zone_layer(), f.theatres))))
s = render_frequency_settings()
view = frequency_view(
    ds,
    f,
    now,
    period=s.period,
    by=s.by,
    threshold=s.threshold,
    include_disputed=s.include_disputed,
    per_theatre=s.per_theatre,
    conflicts=current_conflicts(),
    notes=current_notes(),
    events=events,
)
render_headline(view_cards(view, now))
fig = view_timeline(view, actor_colours(ds.actors))
chosen = render_selectable_timeline(fig, key=timeline_key())
selection = selection_from_chart(chosen, curve_roles(fig), view.period)
st.caption(timeline_caption(view))
render_timeline_exports(view, fig, ds.label, ds.version)
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
render_notes_editor()

picked = selection_view(
    ds, f, view, start=selection.start, end=selection.end, event_ids=selection.event_ids
)
if picked.active:
    render_selection_banner(selection.describe(), len(picked.events), len(events))
left, right = st.columns([1, 1.3], gap="medium")
with left:
    st.subheader("Where")
    m = build_overview_map(ds, picked.events, picked.map, tiles=tile_settings(), legend_open=False)
    render_patrol_map(m, key="freq_map", height=520)
    render_map_caption(map_summary(picked.map), full=False)
with right:
    st.subheader(f"Events ({len(picked.events):,})")
    render_table(
        event_table(ds, picked.events),
        key="freq_events",
        links=("Best source",),
        wide=("Description",),
        height=520,
    )

render_gaps_section(view, ds.events, ds.version, now)
render_coverage_section(view, ds.label, ds.version)
render_comparison_section(view, lambda a, b: comparison_view(ds, f, view, a, b))
render_ordinals_section(view)
