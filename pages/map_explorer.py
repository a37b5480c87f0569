"""Map explorer: routes as routes, visits per place, sites active in the window, events drawn
by how precisely they are placed, the border strip; click anything for its record."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.basemap import tile_settings
from components.briefing import ExportView, standard_view
from components.cite import render_cite
from components.explorer_map import build_explorer_map, map_caption, render_explorer
from components.export_panel import render_export_panel
from components.frame import page_context
from components.html import md_escape
from components.playback import render_playback_view
from data.cache import current_conflicts, current_zone_layer
from data.mapview import APPROX_M, build_map_view
from data.timewindow import rule_line, strip_area, strip_line
from data.zones import zones_for_theatres

ds, now, f, events = page_context()

st.title("Map explorer")
render_cite(ds, f, events, now, key="mx_cite")
st.caption(md_escape(f.describe(ds, now)))
st.caption(md_escape(rule_line(ds, f, len(events))))
precise = st.toggle(
    "Precise positions only",
    key="mx_precise",
    bind="query-params",
    help="Hide the events whose place is known only approximately (derived from 'about N km "
    f"from X', or known to within more than {APPROX_M / 1000:g} km). Routes, tracks and "
    "visits still count every run.",
)

view = build_map_view(
    ds,
    events,
    window_start=pd.Timestamp(f.start) if f.start else None,
    window_end=pd.Timestamp(f.end or now),
    theatres=f.theatres,
    routes=f.routes,
    precise_only=precise,
)
zones = zones_for_theatres(current_zone_layer(), f.theatres)
st.caption(md_escape(map_caption(view)))
st.caption(md_escape(strip_line(events, strip_area(current_zone_layer(), f.theatres))))
render_export_panel(
    ds,
    f,
    now,
    key="mx_export",
    events=events,
    view=lambda view=view, zones=zones: ExportView(
        map=build_explorer_map(ds, view, zones, tiles=None, legend_open=True),
        figure=standard_view(ds, f, now, events=events).figure,
        map_note=map_caption(view),
    ),
)
if st.toggle("Play through time", key="mx_play", bind="query-params"):
    render_playback_view(ds, f, events, zones, now, tiles=tile_settings())
else:
    render_explorer(
        ds, events, current_conflicts(), view, zones, tiles=tile_settings(), key="mx_map"
    )
