"""Map explorer: routes as routes, visits per place, sites active in the window, events drawn
by how precisely they are placed, the border strip; click anything for its record. A short
timeline under the map: a drag across it narrows the map to the span, and the link keeps it."""

from __future__ import annotations

import streamlit as st

from components.briefing import ExportView, standard_view
from components.cite import render_cite
from components.colours import actor_colours
from components.explorer_map import (
    PRECISE_HELP,
    build_explorer_map,
    map_caption,
    render_explorer,
)
from components.explorer_timeline import HINT, explorer_timeline_figure
from components.export_panel import render_export_panel
from components.frame import page_context
from components.html import md_escape
from components.place_search import render_place_search
from components.playback import render_playback_view
from components.timeline import render_selection_status, render_timeline_selection
from data.cache import (
    current_conflicts,
    current_zone_layer,
    derived,
    per_selection,
    strip_line_of,
)
from data.filters import narrowed
from data.settings import tile_settings
from data.timewindow import rule_line
from data.views import explorer_selection_view, explorer_timeline, explorer_view

#: the map first: the sidebar's filters start folded away (app.py; one click brings them
#: back, and the line under the title says what they are), the page's side margins narrowed
st.html(
    "<style>.stMainBlockContainer{padding-left:1.5rem;padding-right:1.5rem;"
    "padding-top:3.2rem}</style>"
)

ds, now, f, events = page_context()

st.title("Map explorer")
view_col, precise_col, play_col, export_col = st.columns(
    [3, 1.3, 1.3, 1.4], vertical_alignment="center"
)
with view_col:
    st.caption(md_escape(f.describe(ds, now)))
with precise_col:
    precise = st.toggle(
        "Precise positions only", key="mx_precise", bind="query-params", help=PRECISE_HELP
    )
with play_col:
    play = st.toggle("Play through time", key="mx_play", bind="query-params")
view = per_selection(  # once per selection and toggle, for every session and rerun
    "view",
    events,
    ("explorer", id(ds), ds.version, repr(f), str(now), precise),
    lambda: explorer_view(
        ds, f, now, zones=current_zone_layer(), precise_only=precise, events=events
    ),
)
timeline = per_selection(  # counted once per filter, whatever the toggles
    "view",
    events,
    ("explorer_timeline", id(ds), ds.version, repr(f), str(now)),
    lambda: explorer_timeline(ds, f, now, events=events),
)
with view_col:
    st.caption(md_escape(rule_line(ds, f, len(events))))
export_area = export_col.container()  # filled once the timeline says what is selected
map_area = st.container()  # the map first; the timeline under it says what it shows
status = st.container()
selection, warning = render_timeline_selection(
    derived(
        timeline, "figure", lambda: explorer_timeline_figure(timeline, actor_colours(ds.actors))
    ),
    page="mx",
)
st.caption(HINT)
picked = per_selection(  # the map of the selected span, once per selection for everyone
    "view",
    events,
    ("explorer_selection", id(ds), ds.version, repr(f), str(now), precise, repr(selection)),
    lambda: explorer_selection_view(
        ds, f, view, timeline, selection, today=now, precise_only=precise
    ),
)
with status:
    render_selection_status(picked.line(), warning or picked.note, page="mx")
with export_area:
    render_export_panel(
        ds,
        f,
        now,
        key="mx_export",
        events=events,
        selection=picked,
        view=lambda: ExportView(
            map=build_explorer_map(ds, picked.map, view.zones, tiles=None, legend_open=True),
            figure=standard_view(ds, f, now, events=events, selection=picked).figure,
            map_note=map_caption(picked.map),
            map_view=picked.map,
            explorer=True,
            zones=view.zones,
        ),
    )
with map_area:
    if play:
        render_playback_view(
            ds,
            narrowed(f, picked.selection),
            picked.events,
            view.zones,
            now,
            tiles=tile_settings(),
        )
    else:
        focus = render_place_search(ds, events, key="mx_place", record=False)
        render_explorer(
            ds,
            picked.events,
            current_conflicts(),
            picked.map,
            view.zones,
            tiles=tile_settings(),
            key="mx_map",
            focus=focus,
        )
st.caption(md_escape(map_caption(picked.map)))
st.caption(md_escape(strip_line_of(picked.events, f.theatres)))
render_cite(ds, f, events, now, key="mx_cite")
