"""The routes layer: routes drawn through their waypoints in order, width by how often they
were run; on the explorer also the routes not run (grey), arrowheads for the direction of
travel, the tracks implied by events' places, and the entry crossings and bases ringed."""

from __future__ import annotations

import math
from typing import Any

import folium
import pandas as pd

from components.colours import NEUTRAL
from components.html import clip, esc
from components.leaflet import LineLayer, PointLayer, StyleTable, rounded, tip_html
from data import vocab
from data.mapview import MapView
from data.model import DataSet

ROUTE_COLOURS = {
    "patrol_track": "#0b5394",
    "humanitarian_route": "#38761d",
    "escort_corridor": "#7f6000",
}
TRACK_COLOUR = "#4d4d4d"
ENTRY_COLOUR = "#1b7837"
BASE_COLOUR = "#762a83"
UNRUN_COLOUR = "#8c8c8c"


def route_weight(runs: int, top: int) -> float:
    """Line width in pixels for a route run ``runs`` times, the busiest run ``top`` times:
    a bounded scale, 2.5 to 10 px."""
    if runs <= 0:
        return 1.5
    return round(2.5 + 7.5 * math.sqrt(min(runs / max(top, 1), 1.0)), 2)


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


def route_popup(r: Any, n: int, sources_html: str) -> str:
    """A route's popup (``r`` a row of ``MapView.routes``): name, kind, events in the
    selection, geometry, description and sources (``sources_html``: escaped HTML)."""
    unplaced = r.n_waypoints - r.n_placed
    note = f" ({unplaced} waypoint(s) not placed)" if unplaced else ""
    return (
        f"<div class='pw-popup'><h4>{esc(r.name)}</h4>"
        f"{esc(vocab.ROUTE_KINDS.get(r.kind, r.kind))} · {n} event(s) in this selection"
        f"<br><span class='meta'>Geometry {esc(r.geometry_method)}{esc(note)}; "
        f"{r.length_km:.0f} km</span><br>{esc(clip(r.description, 300))}"
        f"{sources_html}</div>"
    )


def route_layer(
    ds: DataSet,
    view: MapView,
    *,
    name: str = "Routes",
    detailed: bool = True,
    popups: pd.Series | None = None,
    active_places: set[str] | None = None,
) -> folium.FeatureGroup:
    """The routes of ``view``. ``detailed`` (the explorer): every drawable route in scope,
    width by runs, grey where not run, with arrowheads, the implied tracks and the entry
    crossings and bases (those in ``active_places``) ringed. Otherwise (the overview): the
    routes the selection's events name, width by those events. ``popups``: per route id,
    the HTML of its sources, to give each route a popup (see :func:`route_popup`)."""
    group = folium.FeatureGroup(name=name, show=True)
    styles = StyleTable()
    rows: list[list] = []
    count = "runs" if detailed else "events"
    drawn = view.drawable_routes if detailed else view.drawn_routes
    top = int(
        max(
            drawn[count].max() if len(drawn) else 0,
            view.tracks["runs"].max() if detailed and len(view.tracks) else 0,
            1,
        )
    )
    names = dict(zip(ds.places["place_id"], ds.places["name"], strict=True))
    for r in drawn.itertuples(index=False):
        n = int(getattr(r, count))
        colour = ROUTE_COLOURS.get(r.kind, NEUTRAL) if n else UNRUN_COLOUR
        style = styles(
            color=colour,
            opacity=0.85 if n else 0.5,
            dashArray=None if r.kind == "patrol_track" and n else "8 6",
            lineCap="round",
            className=f"pw-route pw-route-{r.route_id}",
            pane="pw-routes",
        )
        unplaced = r.n_waypoints - r.n_placed
        what = "run(s)" if detailed else "event(s)"
        tip = tip_html(
            "route",
            r.route_id,
            r.name,
            f"{vocab.ROUTE_KINDS.get(r.kind, r.kind)} · {n} {what} in this selection",
            f"Drawn through {r.n_placed} of {r.n_waypoints} waypoints, in order"
            + (f" ({unplaced} not placed)" if unplaced else ""),
            f"Enters at {names.get(r.entry_id, r.entry_id)}" if r.entry_id else "",
        )
        coords = rounded(r.coords)
        popup = route_popup(r, n, popups.get(r.route_id, "")) if popups is not None else ""
        rows.append(
            [
                coords,
                route_weight(n, top),
                style,
                tip,
                arrowheads(coords) if detailed else [],
                popup,
            ]
        )
    if detailed:
        rows.extend(_track_rows(view, styles, top))
    LineLayer(rows, styles.styles).add_to(group)
    if detailed:
        _rings(ds, view, active_places or set()).add_to(group)
    return group


def _track_rows(view: MapView, styles: StyleTable, top: int) -> list[list]:
    rows: list[list] = []
    for t in view.tracks.itertuples(index=False):
        style = styles(
            color=TRACK_COLOUR,
            opacity=0.8,
            dashArray="2 7",
            lineCap="round",
            className="pw-track",
            pane="pw-routes",
        )
        tip = tip_html(
            "track",
            t.key,
            t.names,
            f"{t.runs} run(s) with no recorded route, drawn through their places in order",
        )
        coords = rounded(t.coords)
        weight = max(route_weight(t.runs, top) - 1, 1.5)
        rows.append([coords, weight, style, tip, arrowheads(coords), ""])
    return rows


def _rings(ds: DataSet, view: MapView, active_places: set[str]) -> PointLayer:
    """The entry crossings and the bases the drawn routes start from, ringed."""
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
            tip = tip_html("place", place_id, str(p["name"]), f"{what} " + "; ".join(routes))
            ring_rows.append([round(float(p["lat"]), 5), round(float(p["lon"]), 5), 14, style, tip])
    return PointLayer(ring_rows, rings.styles)
