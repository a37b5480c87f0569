"""The map explorer's map: routes drawn as routes (width by runs, arrows for the direction of
travel, entry crossing and bases ringed), tracks implied by events' places, visits per
village and town, sites active in the window, events drawn by how precisely their place is
known (solid: exact; hollow with a halo as wide as the precision: approximate), a heat map,
and the agreements' geometry (border, 10 km strip, 30 km line).

``build_explorer_map`` is pure (no streamlit): it lays out the shared layers of
``components.layers`` over what ``data.mapview`` aggregated. Every clickable object's
tooltip carries a hidden reference (``components.leaflet.ref_tag``); streamlit-folium
returns the clicked object's tooltip text, and ``parse_ref`` turns it back into (kind, id)
for the detail panel.
"""

from __future__ import annotations

import folium
import folium.plugins
import numpy as np
import pandas as pd
import streamlit as st

from components.colours import actor_colours
from components.html import esc
from components.labels import view_activity, view_obstacles
from components.layers.events import event_layer
from components.layers.focus import focus_layer
from components.layers.routes import route_layer
from components.layers.sites import site_layer
from components.layers.zones import zone_layer
from components.leaflet import (
    Css,
    FitBounds,
    Legend,
    PointLayer,
    StyleTable,
    marker_radius,
    new_map,
    parse_ref,
    tip_html,
)
from components.legend import VISIT_COLOUR, legend_entries
from components.legend import legend_html as legend_block
from data.mapview import APPROX_M, MapView
from data.model import DataSet

LAYER_ROUTES = "Routes and tracks"
LAYER_VISITS = "Visits per place"
LAYER_SITES = "Bases, crossings, stations"
LAYER_EVENTS = "Events"
LAYER_HEAT = "Heat map of activity"
LAYER_STRIP = "Border, 10 km strip, 30 km line"

#: the help of the explorer's "Precise positions only" switch
PRECISE_HELP = (
    "Hide the events whose place is known only approximately (derived from 'about N km "
    f"from X', or known to within more than {APPROX_M / 1000:g} km). Routes, tracks and "
    "visits still count every run."
)

EXTRA_CSS = """
<style>
.pw-legend .pw-ring{flex:none;display:inline-block;width:12px;height:12px;border-radius:50%;
 background:transparent}
.pw-legend .pw-area{flex:none;display:inline-block;width:18px;height:10px}
.pw-legend .pw-arrowtxt{flex:none;display:inline-block;width:20px;font-size:11px}
.leaflet-control-layers-expanded{font-size:12px;line-height:1.4}
.pw-arrow{pointer-events:none;background:none;border:none}
.pw-unplaced{max-width:260px}
</style>
"""


# --------------------------------------------------------------------------- sizes


def _visit_layer(view: MapView) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=LAYER_VISITS, show=True)
    styles = StyleTable()
    style = styles(
        color=VISIT_COLOUR,
        weight=1.5,
        fillColor=VISIT_COLOUR,
        fillOpacity=0.16,
        className="pw-visit",
        pane="pw-visits",
    )
    rows = []
    top = int(view.visits["visits"].max()) if len(view.visits) else 1
    for v in view.visits.itertuples(index=False):
        kind = "cell" if str(v.key).startswith("cell:") else "place"
        ident = str(v.key).removeprefix("cell:")
        tip = tip_html(
            kind if kind == "place" else "vcell",
            ident,
            str(v.name),
            f"{int(v.visits):,} run(s) passed in this selection (named it, or ran a route "
            "through it)",
        )
        rows.append(
            [
                round(float(v.lat), 5),
                round(float(v.lon), 5),
                marker_radius(int(v.visits), top),
                style,
                tip,
            ]
        )
    PointLayer(rows, styles.styles).add_to(group)
    return group


def _heat_layer(view: MapView) -> folium.plugins.HeatMap:
    m = view.markers
    data = (
        np.column_stack(
            [m["lat"].to_numpy(float), m["lon"].to_numpy(float), m["n"].to_numpy(float)]
        )
        .round(5)
        .tolist()
        if len(m)
        else []
    )
    return folium.plugins.HeatMap(
        data, name=LAYER_HEAT, show=False, radius=28, blur=22, min_opacity=0.3, max_zoom=11
    )


# --------------------------------------------------------------------------- legend


def legend_html(
    view: MapView,
    colours: dict[str, str],
    open_: bool = True,
    *,
    zones: dict | None = None,
    places: pd.DataFrame | None = None,
) -> str:
    """The legend: exactly the symbols on the map, its scale and the counting rule, in words
    (``components.legend``; escaped)."""
    entries = legend_entries(view, colours, explorer=True, zones=zones, places=places)
    return legend_block(entries, open_)


# --------------------------------------------------------------------------- the map


def activity_bounds(view: MapView) -> list[list[float]] | None:
    """[[south, west], [north, east]] of what happened in the selection: routes run, implied
    tracks and event markers; failing those, every route and site drawn."""
    lats: list[float] = []
    lons: list[float] = []

    def add(coords: object) -> None:
        for lat, lon in coords:  # type: ignore[attr-defined]
            lats.append(float(lat))
            lons.append(float(lon))

    run = view.routes[view.routes["drawable"] & (view.routes["runs"] > 0)]
    for coords in [*run["coords"], *view.tracks["coords"]]:
        add(coords)
    add(zip(view.markers["lat"], view.markers["lon"], strict=True))
    if not lats:
        for coords in view.drawable_routes["coords"]:
            add(coords)
        add(zip(view.sites["lat"], view.sites["lon"], strict=True))
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def build_explorer_map(
    ds: DataSet,
    view: MapView,
    zones: dict,
    *,
    tiles: object | None = None,
    basemap: bool = True,
    legend_open: bool = True,
    focus: str | None = None,
    names_from: float | None = None,
) -> folium.Map:
    """The explorer map of ``view`` (see ``data.mapview.build_map_view``) and the agreement
    ``zones`` (a GeoJSON FeatureCollection from ``data.zones.zone_layer``). ``tiles`` is a
    ``TileSettings``; None draws no online tiles. ``focus``: a place id to open the map on
    (``components.layers.focus``); else it is framed on the selection's activity.
    ``names_from``: the least zoom town names are placed for (default: the least an export
    is framed at; the live map's is ``components.basemap.NAMES_MIN_ZOOM``)."""
    from components.assets import localise_assets
    from components.basemap import LABEL_MIN_ZOOM, add_basemap

    colours = actor_colours(ds.actors)
    m = new_map(
        prefer_canvas=False,
        # Leaflet's keyboard handler focuses the map on mousedown; inside streamlit's iframe
        # that scrolls the page when the map is partly out of view, and the click then
        # lands beside the marker it was aimed at
        keyboard=False,
    )
    m.add_child(Css(EXTRA_CSS))
    add_basemap(
        m,
        ds.places,
        tiles,
        vector=basemap,
        activity=pd.Series(view_activity(view, ds.route_waypoints), dtype=float),
        markers=view_obstacles(view),  # names may sit on the pale visit circles
        names_from=LABEL_MIN_ZOOM if names_from is None else names_from,
    )

    active_places = set(view.sites["place_id"])
    zone_layer(zones, name=LAYER_STRIP).add_to(m)
    route_layer(ds, view, name=LAYER_ROUTES, detailed=True, active_places=active_places).add_to(m)
    _visit_layer(view).add_to(m)
    site_layer(view, colours, name=LAYER_SITES).add_to(m)
    event_layer(ds, view, colours, name=LAYER_EVENTS).add_to(m)
    _heat_layer(view).add_to(m)

    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="miles",
        primary_area_unit="sqkilometers",
        secondary_area_unit="hectares",
    ).add_to(m)
    m.add_child(Legend(legend_html(view, colours, legend_open, zones=zones, places=ds.places)))
    note = Legend(f"<div class='pw-unplaced'>{esc(unplaced_note(view))}</div>", "bottomright")
    m.add_child(note, name="unplaced_note")
    folium.LayerControl(collapsed=True, position="topright").add_to(m)

    bounds = activity_bounds(view)
    focused = focus_layer(ds, focus)
    if focused is not None:
        m.add_child(focused)
    elif bounds is not None:
        m.add_child(FitBounds(bounds))
    localise_assets(m)
    return m


# --------------------------------------------------------------------------- rendering


def unplaced_note(view: MapView) -> str:
    """How many filtered events have no place at all, and why (plain text)."""
    unplaced = view.no_place_named + view.places_unplaced
    if not unplaced:
        return "Every filtered event has a place."
    return (
        f"{unplaced:,} of {view.events:,} filtered events have no place at all and are not "
        f"drawn: {view.no_place_named:,} name no place, {view.places_unplaced:,} name only "
        "places without coordinates."
    )


def map_caption(view: MapView) -> str:
    """What the map shows and what it cannot, in one paragraph (plain text)."""
    parts = [
        f"{view.placed:,} of {view.events:,} filtered events are on the map, "
        f"{view.approximate:,} of them placed approximately (hollow, with a halo as wide as "
        "the precision).",
        unplaced_note(view),
    ]
    if view.hidden_approximate:
        parts.append(f"{view.hidden_approximate:,} approximately placed events are hidden.")
    undrawn = view.routes[~view.routes["drawable"]]
    if len(undrawn):
        parts.append(
            "Not drawable (fewer than two placed waypoints): "
            + ", ".join(f"{r.name} ({r.runs} run(s))" for r in undrawn.itertuples(index=False))
            + "."
        )
    if view.tracks_more:
        parts.append(f"{view.tracks_more:,} rarer implied tracks are not drawn.")
    if view.visits_unplaced:
        parts.append(f"{view.visits_unplaced:,} visited village(s) or town(s) have no position.")
    if view.sites_unplaced:
        parts.append(f"{view.sites_unplaced:,} active site(s) have no position.")
    if view.binned:
        parts.append(
            f"Many places: events are grouped per grid cell of {view.grid_deg:g}° "
            "(exact and approximate positions apart); click a cell for its events."
        )
    return " ".join(parts)


#: the columns of map and detail panel: the map alone until something is selected
PANEL_CLOSED = [1000, 1]
PANEL_OPEN = [7, 3]


@st.fragment
def render_explorer(
    ds: DataSet,
    events: pd.DataFrame,
    conflicts: pd.DataFrame,
    view: MapView,
    zones: dict,
    *,
    tiles: object | None = None,
    key: str = "mx_map",
    height: int = 700,
    focus: str | None = None,
) -> None:
    """The map, the page's full width, and the record of what was clicked in a panel
    beside it that opens on a click and closes with its button. Runs as a fragment: a click
    reruns only this part, and panning or zooming reruns nothing (the map returns only the
    clicked object's tooltip, under a stable key). The map stays in the same column when the
    panel opens (only the column's width changes), so it is not mounted again and keeps the
    reader's view.

    The map is built afresh on every run (a few tens of milliseconds): folium adds elements
    to a map each time it is rendered, so a map object rendered twice no longer produces
    the same script, and streamlit-folium would mount a new map and forget the click.

    ``focus``: a place chosen by the place search; the map opens on it and, when it
    changes, the panel shows its record."""
    from streamlit_folium import st_folium

    from components.basemap import NAMES_MIN_ZOOM

    # the live map hides every town name below NAMES_MIN_ZOOM: none is placed below it
    m = build_explorer_map(
        ds, view, zones, tiles=tiles, legend_open=False, focus=focus, names_from=NAMES_MIN_ZOOM
    )
    state_key, seen_key = f"{key}_selected", f"{key}_seen"
    if focus and st.session_state.get(f"{key}_focus") != focus:
        st.session_state[state_key] = ("place", focus)  # a place chosen by the search
    st.session_state[f"{key}_focus"] = focus
    ref = st.session_state.get(state_key)
    left, right = st.columns(PANEL_OPEN if ref is not None else PANEL_CLOSED, gap="small")
    with left:
        out = st_folium(
            m,
            # a map opened on a chosen place is a new widget: it returns no earlier click
            key=f"{key}_at_{focus}" if focus else key,
            height=height,
            returned_objects=["last_object_clicked_tooltip"],
            use_container_width=True,
        )
    raw = (out or {}).get("last_object_clicked_tooltip")
    if raw != st.session_state.get(seen_key):  # a new click (not the last one returned again)
        st.session_state[seen_key] = raw
        clicked = parse_ref(raw)
        if clicked is not None and clicked != ref:
            st.session_state[state_key] = clicked
            st.rerun(scope="fragment")  # open the panel beside the map
    if ref is None:
        st.caption(
            "Click an event, a route, a village or a site on the map to open its record "
            "beside the map: dates at their precision, actors, every source with its grade, "
            "and any claim that conflicts with it."
        )
        return
    with right:
        with st.container(height=height, border=False, key=f"{key}_detail"):
            if st.button(
                "Close ✕",
                key=f"{key}_close",
                help="Close the record; the map takes the page's width",
            ):
                st.session_state[state_key] = None
                st.rerun(scope="fragment")
            render_detail(ds, conflicts, events, view, zones, tuple(ref), key=key)


def render_detail(
    ds: DataSet,
    conflicts: pd.DataFrame,
    events: pd.DataFrame,
    view: MapView,
    zones: dict,
    ref: tuple[str, str],
    *,
    key: str,
) -> None:
    """The record of the clicked object ``ref`` (kind, id), and its events to choose from."""
    from components.map_detail import event_detail, md_escape, record_for, render_record

    rec = record_for(ds, conflicts, events, ref, sites=view.sites, zones=zones)
    if rec is None:
        st.warning("That object is not in the current selection.")
        return
    if rec.events.empty:
        render_record(rec)
        return
    labels = dict(zip(rec.events["event_id"], rec.events["label"], strict=True))
    more = rec.events_total - len(rec.events)
    choose = f"{rec.events_total:,} event(s) in this selection" + (
        f" (the newest {len(rec.events):,} listed)" if more > 0 else ""
    )
    pick_key = f"{key}_pick_{ref[0]}_{ref[1]}"
    if rec.kind == "events":
        # an event marker: the events come first, the place's own record after
        st.markdown(f"#### {md_escape(rec.title)}")
        pick = st.selectbox(
            choose, options=list(labels), format_func=labels.__getitem__, key=pick_key
        )
        ev = event_detail(ds, conflicts, pick)
        if ev is not None:
            render_record(ev)
        with st.expander(f"About {md_escape(rec.title)}"):
            render_record(rec, heading=False)
        return
    render_record(rec)
    pick = st.selectbox(choose, options=list(labels), format_func=labels.__getitem__, key=pick_key)
    ev = event_detail(ds, conflicts, pick)
    if ev is not None:
        st.divider()
        render_record(ev)
