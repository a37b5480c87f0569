"""Map explorer: routes as routes, visits per place, sites active in the window, events drawn
by how precisely they are placed, the border strip; click anything for its record."""

from __future__ import annotations

import streamlit as st

from components.briefing import ExportView, standard_view
from components.cite import render_cite
from components.explorer_map import (
    PRECISE_HELP,
    build_explorer_map,
    map_caption,
    render_explorer,
)
from components.export_panel import render_export_panel
from components.frame import page_context
from components.html import md_escape
from components.place_search import render_place_search
from components.playback import render_playback_view
from data.cache import current_conflicts, current_zone_layer, per_selection, strip_line_of
from data.settings import tile_settings
from data.timewindow import rule_line
from data.views import explorer_view

#: the map first: the sidebar's filters folded away (one click brings them back, and the line
#: under the title says what they are), the page's side margins narrowed
st.set_page_config(initial_sidebar_state="collapsed")
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
with view_col:
    st.caption(md_escape(rule_line(ds, f, len(events))))
with export_col:
    render_export_panel(
        ds,
        f,
        now,
        key="mx_export",
        events=events,
        view=lambda view=view: ExportView(
            map=build_explorer_map(ds, view.map, view.zones, tiles=None, legend_open=True),
            figure=standard_view(ds, f, now, events=events).figure,
            map_note=map_caption(view.map),
            map_view=view.map,
            explorer=True,
            zones=view.zones,
        ),
    )
if play:
    render_playback_view(ds, f, events, view.zones, now, tiles=tile_settings())
else:
    focus = render_place_search(ds, events, key="mx_place", record=False)
    render_explorer(
        ds,
        events,
        current_conflicts(),
        view.map,
        view.zones,
        tiles=tile_settings(),
        key="mx_map",
        focus=focus,
    )
st.caption(md_escape(map_caption(view.map)))
st.caption(md_escape(strip_line_of(events, f.theatres)))
render_cite(ds, f, events, now, key="mx_cite")
