"""The map explorer's map: routes drawn as routes (width by runs, arrows for the direction of
travel, entry crossing and bases ringed), tracks implied by events' places, visits per
village and town, sites active in the window, events drawn by how precisely their place is
known (solid: exact; hollow with a halo as wide as the precision: approximate), a heat map,
and the agreements' geometry (border, 10 km strip, 30 km line).

``build_explorer_map`` is pure (no streamlit). Markers and lines are written as compact
JSON rows that one small script turns into Leaflet layers, instead of one folium element
(and one template render) per marker: the HTML grows by about a hundred bytes per place.

Every clickable object's tooltip carries a hidden reference (``[[pw:kind:id]]``);
streamlit-folium returns the clicked object's tooltip text, and :func:`parse_ref` turns it
back into (kind, id) for the detail panel.
"""

from __future__ import annotations

import math
import re

import folium
import folium.plugins
import numpy as np
import pandas as pd
import streamlit as st
from folium.utilities import JsCode

from components.colours import NEUTRAL, actor_colours, group_style
from components.html import esc
from components.leaflet import (
    Css,
    FitBounds,
    Legend,
    LineLayer,
    PointLayer,
    StyleTable,
    marker_radius,
)
from components.patrol_map import ROUTE_COLOURS, site_icon_svg
from data import vocab
from data.mapview import APPROX_M, MapView
from data.model import DataSet

LAYER_ROUTES = "Routes and tracks"
LAYER_VISITS = "Visits per place"
LAYER_SITES = "Bases, crossings, stations"
LAYER_EVENTS = "Events"
LAYER_HEAT = "Heat map of activity"
LAYER_STRIP = "Border, 10 km strip, 30 km line"

TRACK_COLOUR = "#4d4d4d"
VISIT_COLOUR = "#6a3d9a"
ENTRY_COLOUR = "#1b7837"
BASE_COLOUR = "#762a83"
STRIP_COLOUR = "#e69f00"
LINE30_COLOUR = "#b35806"
BORDER_COLOUR = "#7a0019"

#: panes, bottom to top: the strip under routes, routes under visits, visits under events
PANES = {
    "pw-zones": 380,
    "pw-routes": 410,
    "pw-arrows": 415,
    "pw-visits": 420,
    "pw-halos": 430,
    "pw-events": 440,
}

_REF = re.compile(r"\[\[pw:([a-z]+):([^\]]*)\]\]")


def ref_tag(kind: str, ident: str) -> str:
    """The hidden reference put in a clickable object's tooltip."""
    return f"<span hidden>[[pw:{esc(kind)}:{esc(ident)}]]</span>"


def parse_ref(tooltip_text: object) -> tuple[str, str] | None:
    """(kind, id) from the text of a clicked object's tooltip, or None."""
    if not isinstance(tooltip_text, str):
        return None
    found = _REF.search(tooltip_text)
    return (found.group(1), found.group(2)) if found else None


def _tip(kind: str, ident: str, title: str, *lines: str) -> str:
    """Tooltip HTML: hidden reference, bold title, plain lines (all escaped)."""
    body = "".join(f"<br>{esc(line)}" for line in lines if line)
    return f"{ref_tag(kind, ident)}<b>{esc(title)}</b>{body}"


# --------------------------------------------------------------------------- compact layers


def arrowheads(coords: list[tuple[float, float]] | tuple) -> list[list[float]]:
    """One arrowhead at the middle of each segment of a line through ``coords`` (lat, lon),
    pointing along it: ``[lat, lon, angle]``, the angle in degrees clockwise from east as
    the segment appears on a Web Mercator map (screen y grows downwards)."""
    out: list[list[float]] = []
    for (lat1, lon1), (lat2, lon2) in zip(coords[:-1], coords[1:], strict=True):
        y1 = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat1) / 2)))
        y2 = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat2) / 2)))
        dx, dy = lon2 - lon1, y2 - y1
        if dx == 0 and dy == 0:
            continue
        angle = -math.degrees(math.atan2(dy, dx))
        out.append([round((lat1 + lat2) / 2, 5), round((lon1 + lon2) / 2, 5), round(angle, 1)])
    return out


EXTRA_CSS = """
<style>
.pw-legend .pw-ring{flex:none;display:inline-block;width:12px;height:12px;border-radius:50%;
 background:transparent}
.pw-legend .pw-area{flex:none;display:inline-block;width:18px;height:10px}
.pw-legend .pw-arrowtxt{flex:none;display:inline-block;width:20px;font-size:11px}
.leaflet-control-layers-expanded{font:12px/1.4 'DejaVu Sans',Arial,sans-serif}
.pw-arrow{pointer-events:none;background:none;border:none}
.pw-unplaced{max-width:260px}
</style>
"""


# --------------------------------------------------------------------------- sizes


def route_weight(runs: int, top: int) -> float:
    """Line width in pixels for a route run ``runs`` times, the busiest run ``top`` times."""
    if runs <= 0:
        return 1.5
    return round(2.5 + 7.5 * math.sqrt(runs / max(top, 1)), 2)


def _rounded(coords: tuple | list) -> list[list[float]]:
    return [[round(float(a), 5), round(float(b), 5)] for a, b in coords]


def _date(ts: object) -> str:
    return pd.Timestamp(ts).strftime("%-d %b %Y") if pd.notna(ts) else ""


# --------------------------------------------------------------------------- the layers


def _route_layer(ds: DataSet, view: MapView, active_places: set[str]) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=LAYER_ROUTES, show=True)
    styles = StyleTable()
    rows: list[list] = []
    drawn = view.routes[view.routes["drawable"]]
    top = int(
        max(
            drawn["runs"].max() if len(drawn) else 0,
            view.tracks["runs"].max() if len(view.tracks) else 0,
            1,
        )
    )
    names = dict(zip(ds.places["place_id"], ds.places["name"], strict=True))
    for r in drawn.itertuples(index=False):
        colour = ROUTE_COLOURS.get(r.kind, NEUTRAL) if r.runs else "#8c8c8c"
        style = styles(
            color=colour,
            opacity=0.85 if r.runs else 0.5,
            dashArray=None if r.kind == "patrol_track" and r.runs else "8 6",
            lineCap="round",
            className=f"pw-route pw-route-{r.route_id}",
            pane="pw-routes",
        )
        unplaced = r.n_waypoints - r.n_placed
        tip = _tip(
            "route",
            r.route_id,
            r.name,
            f"{vocab.ROUTE_KINDS.get(r.kind, r.kind)} · {r.runs} run(s) in this selection",
            f"Drawn through {r.n_placed} of {r.n_waypoints} waypoints, in order"
            + (f" ({unplaced} not placed)" if unplaced else ""),
            f"Enters at {names.get(r.entry_id, r.entry_id)}" if r.entry_id else "",
        )
        coords = _rounded(r.coords)
        rows.append([coords, route_weight(r.runs, top), style, tip, arrowheads(coords)])
    if len(view.tracks):
        for t in view.tracks.itertuples(index=False):
            style = styles(
                color=TRACK_COLOUR,
                opacity=0.8,
                dashArray="2 7",
                lineCap="round",
                className="pw-track",
                pane="pw-routes",
            )
            tip = _tip(
                "track",
                t.key,
                t.names,
                f"{t.runs} run(s) with no recorded route, drawn through their places in order",
            )
            coords = _rounded(t.coords)
            weight = max(route_weight(t.runs, top) - 1, 1.5)
            rows.append([coords, weight, style, tip, arrowheads(coords)])
    LineLayer(rows, styles.styles).add_to(group)

    # the entry crossings and the bases the drawn routes start from
    places = ds.places.set_index("place_id")
    rings = StyleTable()
    ring_rows: list[list] = []
    entries: dict[str, list[str]] = {}
    bases: dict[str, list[str]] = {}
    for r in view.routes.itertuples(index=False):
        if r.entry_id:
            entries.setdefault(r.entry_id, []).append(r.name)
        for b in r.base_ids:
            bases.setdefault(b, []).append(r.name)
    for ids, what, colour, dash, cls in (
        (entries, "Entry crossing of", ENTRY_COLOUR, None, "pw-entry"),
        (bases, "Base the patrols start from:", BASE_COLOUR, "3 3", "pw-base"),
    ):
        style = rings(
            color=colour,
            weight=3,
            fill=True,
            fillOpacity=0.0,
            dashArray=dash,
            className=cls,
            pane="pw-visits",
        )
        for place_id, routes in ids.items():
            if place_id not in places.index or not places.at[place_id, "placed"]:
                continue
            if cls == "pw-base" and place_id not in active_places:
                continue  # a base not active in the window is not drawn
            p = places.loc[place_id]
            tip = _tip("place", place_id, str(p["name"]), f"{what} " + "; ".join(routes))
            ring_rows.append([round(float(p["lat"]), 5), round(float(p["lon"]), 5), 14, style, tip])
    PointLayer(ring_rows, rings.styles).add_to(group)
    return group


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
    for v in view.visits.itertuples(index=False):
        kind = "cell" if str(v.key).startswith("cell:") else "place"
        ident = str(v.key).removeprefix("cell:")
        tip = _tip(
            kind if kind == "place" else "vcell",
            ident,
            str(v.name),
            f"{int(v.visits):,} patrol(s) passed in this selection",
        )
        rows.append(
            [
                round(float(v.lat), 5),
                round(float(v.lon), 5),
                marker_radius(int(v.visits)) + 3,
                style,
                tip,
            ]
        )
    PointLayer(rows, styles.styles).add_to(group)
    return group


def _site_layer(ds: DataSet, view: MapView, colours: dict[str, str]) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=LAYER_SITES, show=True)
    styles = StyleTable()
    icons: list[str] = []
    icon_index: dict[tuple[str, str], int] = {}
    rows = []
    for s in view.sites.itertuples(index=False):
        colour = colours.get(s.operator_root, "#ffffff")
        if (s.kind, colour) not in icon_index:
            icon_index[(s.kind, colour)] = len(icons)
            icons.append(site_icon_svg(s.kind, colour))
        style = styles(className=f"pw-site pw-site-{s.kind}")
        active = ""
        if pd.notna(s.active_from_date) or pd.notna(s.active_to_date):
            active = (
                f"Active {_date(s.active_from_date) or '?'} – {_date(s.active_to_date) or 'open'}"
                f"; shown for {_date(s.shown_from) or 'the start'} – "
                f"{_date(s.shown_to) or 'the end'} of this selection"
            )
        tip = _tip(
            "place",
            s.place_id,
            s.name,
            vocab.PLACE_KINDS.get(s.kind, s.kind)
            + (f" · operated by {s.operator_root}" if s.operator_root else ""),
            active,
        )
        rows.append(
            [
                round(float(s.lat), 5),
                round(float(s.lon), 5),
                icon_index[(s.kind, colour)],
                style,
                tip,
            ]
        )
    PointLayer(rows, styles.styles, shape="icon", icons=icons).add_to(group)
    return group


def _event_layer(view: MapView, colours: dict[str, str]) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=LAYER_EVENTS, show=True)
    marks = StyleTable()
    halos = StyleTable()
    rows: list[list] = []
    halo_rows: list[list] = []
    for mk in view.markers.itertuples(index=False):
        fill, second = group_style(str(mk.label), colours)
        approx = bool(mk.approx)
        if approx:
            style = marks(
                color=fill,
                weight=2.5,
                fill=True,
                fillColor=fill,
                fillOpacity=0.04,
                className="pw-event pw-approx",
                pane="pw-events",
            )
        else:
            style = marks(
                color=second or "#222222",
                weight=3 if second else 1.5,
                fill=True,
                fillColor=fill,
                fillOpacity=0.9,
                className="pw-event pw-exact",
                pane="pw-events",
            )
        cell = str(mk.key).startswith("cell:")
        precision = float(mk.precision_m) if pd.notna(mk.precision_m) else None
        where = (
            f"placed approximately: within {precision / 1000:.1f} km"
            if approx and precision
            else (f"placed exactly (within {precision / 1000:.1f} km)" if precision else "")
        )
        tip = _tip(
            "cell" if cell else "events",
            str(mk.key).removeprefix("cell:"),
            f"{mk.name}: {int(mk.n):,} event(s)",
            f"{mk.label} · latest {_date(mk.latest)}",
            where,
        )
        rows.append(
            [round(float(mk.lat), 5), round(float(mk.lon), 5), marker_radius(int(mk.n)), style, tip]
        )
        if approx and precision:
            halo = halos(
                color=fill,
                weight=1,
                dashArray="4 4",
                fill=True,
                fillColor=fill,
                fillOpacity=0.07,
                interactive=False,
                className="pw-halo",
                pane="pw-halos",
            )
            halo_rows.append(
                [round(float(mk.lat), 5), round(float(mk.lon), 5), precision, halo, ""]
            )
    PointLayer(halo_rows, halos.styles, shape="metres").add_to(group)
    PointLayer(rows, marks.styles).add_to(group)
    return group


def _zone_style(feature: dict) -> dict:
    kind = feature["properties"]["kind"]
    if kind == "strip":
        return {
            "color": STRIP_COLOUR,
            "weight": 1,
            "fillColor": STRIP_COLOUR,
            "fillOpacity": 0.22,
            "className": "pw-strip",
        }
    if kind == "line":
        return {
            "color": LINE30_COLOUR,
            "weight": 2.5,
            "dashArray": "10 6",
            "fill": False,
            "className": "pw-line30",
        }
    return {"color": BORDER_COLOUR, "weight": 2.5, "fill": False, "className": "pw-border"}


def _zone_layer(zones: dict) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=LAYER_STRIP, show=True)
    if not zones.get("features"):
        return group
    features = []
    for f in zones["features"]:
        p = f["properties"]
        lines = [p["description"]] if p.get("description") else []
        if p["kind"] != "border":
            lines.append("Derived: click for how it was drawn and the source")
        tip = _tip("zone", str(p["zone_id"]), str(p["label"]), *lines)
        # only what the style and the tooltip need: no unescaped text enters the map
        features.append({**f, "properties": {"kind": p["kind"], "tip": tip}})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="zones",
        style_function=_zone_style,
        pane="pw-zones",
        control=False,
        on_each_feature=JsCode(
            "function(feature, layer) {"
            " layer.bindTooltip(feature.properties.tip, {sticky: true}); }"
        ),
    ).add_to(group)
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


def legend_html(view: MapView, colours: dict[str, str], open_: bool = True) -> str:
    """The legend: every symbol and colour on the map, in words (escaped)."""
    top = int(max(view.routes["runs"].max() if len(view.routes) else 0, 1))
    widths = sorted({1, max(top // 2, 1), top})

    def row(symbol: str, text: str) -> str:
        return f"<div class='pw-row'>{symbol}{esc(text)}</div>"

    def line(colour: str, width: float, dash: str = "solid") -> str:
        return f"<span class='pw-ln' style='border-top:{width}px {dash} {colour}'></span>"

    routes = "".join(
        row(line(c, 4, "solid" if k == "patrol_track" else "dashed"), vocab.ROUTE_KINDS[k])
        for k, c in ROUTE_COLOURS.items()
    )
    routes += "".join(
        row(line(ROUTE_COLOURS["patrol_track"], route_weight(w, top)), f"{w} run(s)")
        for w in widths
    )
    routes += row(line("#8c8c8c", 1.5, "dashed"), "no run in this selection")
    routes += row(
        f"<span class='pw-arrowtxt' style='color:{ROUTE_COLOURS['patrol_track']}'>\u25b6</span>",
        "direction of travel (waypoint order)",
    )
    routes += row(line(TRACK_COLOUR, 3, "dotted"), "track implied by an event's places")
    routes += row(
        f"<span class='pw-ring' style='border:3px solid {ENTRY_COLOUR}'></span>",
        "entry crossing",
    )
    routes += row(
        f"<span class='pw-ring' style='border:3px dashed {BASE_COLOUR}'></span>",
        "base the patrols start from",
    )
    groups = view.markers["label"].value_counts().index[:6] if len(view.markers) else []
    events = ""
    for g in groups:
        fill, second = group_style(str(g), colours)
        events += row(
            f"<span class='pw-sw' style='background:{fill};border-color:{second or '#222'}'>"
            "</span>",
            str(g),
        )
    events += row(
        "<span class='pw-sw' style='background:#555;border-color:#222'></span>",
        "solid: placed exactly",
    )
    events += row(
        "<span class='pw-sw' style='background:transparent;border-color:#555;"
        "box-shadow:0 0 0 4px rgba(0,0,0,.08)'></span>",
        f"hollow + dashed halo: placed approximately (derived, or known to more than "
        f"{APPROX_M / 1000:g} km); halo radius = precision",
    )
    operators = sorted({o for o in view.sites["operator_root"] if o}) if len(view.sites) else []
    sites = "".join(
        row(site_icon_svg(kind, "#ffffff", 13), vocab.PLACE_KINDS[kind])
        for kind in ("base", "border_crossing", "water_station", "checkpoint")
    )
    sites += "".join(
        row(
            f"<span class='pw-area' style='background:{colours.get(o, '#fff')};"
            "border:1px solid #222'></span>",
            f"operated by {o}",
        )
        for o in operators
    )
    sites += row(
        "<span class='pw-area' style='background:#fff;border:1px solid #222'></span>",
        "operator not known",
    )
    strip = (
        row(
            f"<span class='pw-area' style='background:{STRIP_COLOUR};opacity:.5'></span>",
            "10 km joint-patrol strip (Sochi memorandum)",
        )
        + row(line(LINE30_COLOUR, 2.5, "dashed"), "30 km line (YPG withdrawal)")
        + row(line(BORDER_COLOUR, 2.5), "Syria–Turkey border (Natural Earth)")
    )
    return (
        f"<details{' open' if open_ else ''}><summary>Legend</summary>"
        "<div class='pw-h'>Routes (width: runs in this selection)</div>"
        + routes
        + "<div class='pw-h'>Events by actor (size: events at the place)</div>"
        + events
        + "<div class='pw-h'>Visits</div>"
        + row(
            f"<span class='pw-sw' style='background:rgba(106,61,154,.16);"
            f"border-color:{VISIT_COLOUR};border-width:1.5px'></span>",
            "patrols that passed a village or town (size: count)",
        )
        + "<div class='pw-h'>Sites (icon: kind; fill: operator)</div>"
        + sites
        + "<div class='pw-h'>Agreements</div>"
        + strip
        + "<div class='pw-h'>Heat map</div>"
        + row("", "events per place, blurred (off by default)")
        + "</details>"
    )


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
        for coords in view.routes.loc[view.routes["drawable"], "coords"]:
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
) -> folium.Map:
    """The explorer map of ``view`` (see ``data.mapview.build_map_view``) and the agreement
    ``zones`` (a GeoJSON FeatureCollection from ``data.zones.zone_layer``). ``tiles`` is a
    ``TileSettings``; None draws no online tiles."""
    from components.assets import localise_assets
    from components.basemap import add_tile_layer, add_vector_basemap

    colours = actor_colours(ds.actors)
    m = folium.Map(
        location=[36.8, 39.5],
        zoom_start=7,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        # Leaflet's keyboard handler focuses the map on mousedown; inside streamlit's iframe
        # that scrolls the page when the map is partly out of view, and the click then
        # lands beside the marker it was aimed at
        keyboard=False,
    )
    m.add_child(Css())
    m.add_child(Css(EXTRA_CSS))
    for pane, z in PANES.items():
        folium.map.CustomPane(pane, z_index=z).add_to(m)
    if tiles is not None:
        add_tile_layer(m, getattr(tiles, "url", None), getattr(tiles, "attribution", None))
    if basemap:
        towns = ds.places[ds.places["placed"] & ds.places["kind"].isin(["city", "town"])]
        add_vector_basemap(m, towns[["name", "lat", "lon"]])

    active_places = set(view.sites["place_id"])
    _zone_layer(zones).add_to(m)
    _route_layer(ds, view, active_places).add_to(m)
    _visit_layer(view).add_to(m)
    _site_layer(ds, view, colours).add_to(m)
    _event_layer(view, colours).add_to(m)
    _heat_layer(view).add_to(m)

    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="miles",
        primary_area_unit="sqkilometers",
        secondary_area_unit="hectares",
    ).add_to(m)
    m.add_child(Legend(legend_html(view, colours, legend_open)))
    note = Legend(f"<div class='pw-unplaced'>{esc(unplaced_note(view))}</div>", "bottomleft")
    m.add_child(note, name="unplaced_note")
    folium.LayerControl(collapsed=False, position="topright").add_to(m)

    bounds = activity_bounds(view)
    if bounds is not None:
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
    height: int = 680,
) -> None:
    """The map and, beside it, the record of what was last clicked. Runs as a fragment: a
    click reruns only this part, and panning or zooming reruns nothing (the map returns
    only the clicked object's tooltip, under a stable key).

    The map is built afresh on every run (a few tens of milliseconds): folium adds elements
    to a map each time it is rendered, so a map object rendered twice no longer produces
    the same script, and streamlit-folium would mount a new map and forget the click."""
    from streamlit_folium import st_folium

    from components.map_detail import event_record, md_escape, record_for, render_record

    m = build_explorer_map(ds, view, zones, tiles=tiles, legend_open=False)
    left, right = st.columns([5, 3], gap="medium")
    with left:
        out = st_folium(
            m,
            key=key,
            height=height,
            returned_objects=["last_object_clicked_tooltip"],
            use_container_width=True,
        )
    clicked = parse_ref((out or {}).get("last_object_clicked_tooltip"))
    state_key = f"{key}_selected"
    if clicked is not None:
        st.session_state[state_key] = clicked
    ref = st.session_state.get(state_key)
    with right:
        with st.container(height=height, border=False, key=f"{key}_detail"):
            if ref is None:
                st.info(
                    "Click an event, a route, a village or a site on the map to see its "
                    "record: dates at their precision, actors, every source with its grade, "
                    "and any claim that conflicts with it."
                )
                return
            rec = record_for(ds, conflicts, events, tuple(ref), sites=view.sites, zones=zones)
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
            if rec.kind == "events":
                # an event marker: the events come first, the place's own record after
                st.markdown(f"#### {md_escape(rec.title)}")
                pick = st.selectbox(
                    choose,
                    options=list(labels),
                    format_func=labels.__getitem__,
                    key=f"{key}_pick_{ref[0]}_{ref[1]}",
                )
                ev = event_record(ds, conflicts, pick)
                if ev is not None:
                    render_record(ev)
                with st.expander(f"About {md_escape(rec.title)}"):
                    render_record(rec, heading=False)
                return
            render_record(rec)
            pick = st.selectbox(
                choose,
                options=list(labels),
                format_func=labels.__getitem__,
                key=f"{key}_pick_{ref[0]}_{ref[1]}",
            )
            ev = event_record(ds, conflicts, pick)
            if ev is not None:
                st.divider()
                render_record(ev)
