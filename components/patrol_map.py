"""The folium map of routes, sites (bases, crossings, water stations, checkpoints) and
events. ``build_patrol_map`` is pure (no streamlit); ``render_patrol_map`` shows it.

Events are drawn per place, never one marker per event: a place's marker carries how
many filtered events it holds and a popup listing the latest of them, so the HTML sent to
the browser grows with the number of places, not of events. Past ``GRID_THRESHOLD``
distinct places, places are binned to a grid first.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd

from components.colours import NEUTRAL, actor_colours, group_style
from components.html import clip, clip_series, esc, esc_series, source_items
from components.leaflet import Css, FitBounds, Legend
from data import vocab
from data.dates import format_at_precision
from data.frames import join_ordered
from data.model import DataSet
from data.sourcing import citations_for

POPUP_EVENTS = 8
#: at most this many events are written into popups in all, so the HTML stays small
POPUP_BUDGET = 1200
GRID_THRESHOLD = 1500
GRID_DEG = 0.05
#: a place known to within more than this many metres is drawn as approximate
APPROX_M = 2500

ROUTE_COLOURS = {
    "patrol_track": "#0b5394",
    "humanitarian_route": "#38761d",
    "escort_corridor": "#7f6000",
}

SITE_SHAPES = {
    "base": "square",
    "airport": "square",
    "border_crossing": "diamond",
    "checkpoint": "triangle",
    "water_station": "drop",
}


@dataclass(frozen=True)
class MapSummary:
    """What the map shows and what it cannot."""

    events: int
    placed: int
    unplaced: int
    markers: int
    routes: int
    sites: int
    sites_unplaced: int
    binned: bool


def site_icon_svg(kind: str, colour: str, size: int = 18) -> str:
    """An inline SVG symbol for a site kind (no icon font needed offline)."""
    s = size
    stroke = "stroke='#222' stroke-width='1.5'"
    shape = SITE_SHAPES.get(kind, "square")
    if shape == "square":
        body = f"<rect x='2' y='2' width='{s - 4}' height='{s - 4}' fill='{colour}' {stroke}/>"
    elif shape == "diamond":
        h = s / 2
        body = f"<polygon points='{h},1 {s - 1},{h} {h},{s - 1} 1,{h}' fill='{colour}' {stroke}/>"
    elif shape == "triangle":
        body = f"<polygon points='{s / 2},1 {s - 1},{s - 1} 1,{s - 1}' fill='{colour}' {stroke}/>"
    else:  # drop: a water station
        body = (
            f"<path d='M{s / 2} 1 C{s / 2} 1 {s - 2} {s / 2} {s - 2} {s * 0.65} "
            f"A{s / 2 - 2} {s / 2 - 2} 0 0 1 2 {s * 0.65} C2 {s / 2} {s / 2} 1 {s / 2} 1Z' "
            f"fill='{colour}' {stroke}/>"
        )
    return f"<svg xmlns='http://www.w3.org/2000/svg' width='{s}' height='{s}'>{body}</svg>"


def _active_in_window(
    places: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> pd.Series:
    keep = pd.Series(True, index=places.index)
    if end is not None:
        keep &= places["active_from_date"].isna() | (places["active_from_date"] <= end)
    if start is not None:
        keep &= places["active_to_date"].isna() | (places["active_to_date"] >= start)
    return keep


def event_locations(events: pd.DataFrame) -> pd.DataFrame:
    """Placed events grouped into map markers: one per place (or grid cell past the
    threshold). Columns: key, lat, lon, n, precision_m, name, label (dominant actor group),
    event_ids (latest first: up to POPUP_EVENTS, fewer when there are many markers, so that
    about POPUP_BUDGET events are written into popups in all)."""
    placed = events[events["placed"]]
    if placed.empty:
        return pd.DataFrame(
            columns=["key", "lat", "lon", "n", "precision_m", "name", "label", "event_ids"]
        )
    binned = placed["location_id"].nunique() > GRID_THRESHOLD
    if binned:
        key = (
            (placed["lat"] / GRID_DEG).round().astype(int).astype(str)
            + ":"
            + (placed["lon"] / GRID_DEG).round().astype(int).astype(str)
        )
    else:
        key = placed["location_id"]
    frame = placed.assign(key=key)
    grouped = frame.groupby("key", sort=False)
    out = grouped.agg(
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        n=("event_id", "size"),
        precision_m=("location_precision_m", "max"),
        name=("location_name", "first"),
    )
    out["label"] = (
        frame.groupby(["key", "actor_label"])
        .size()
        .sort_values(ascending=False)
        .reset_index()
        .drop_duplicates("key")
        .set_index("key")["actor_label"]
    )
    per_marker = max(2, min(POPUP_EVENTS, POPUP_BUDGET // max(len(out), 1)))
    latest = frame.sort_values("start", ascending=False).groupby("key").head(per_marker)
    out["event_ids"] = latest.groupby("key")["event_id"].agg(tuple)
    if binned:
        out["name"] = "Grid cell of " + out["n"].astype(str) + " events"
    out.attrs["binned"] = binned
    return out.reset_index()


def _event_blocks(ds: DataSet, events: pd.DataFrame) -> pd.Series:
    """HTML per event for popups (date at its precision, kind, status, actors, text,
    graded sources), built column-wise and indexed by event id."""
    if events.empty:
        return pd.Series(dtype="str")
    cites = citations_for(ds, "event", events["event_id"])
    sources = join_ordered(cites["record_id"], source_items(cites), "")
    ev = events.set_index("event_id")
    span = (" → " + ev["end"].dt.strftime("%-d %b %Y")).where(ev["end_date"] != "", "")
    number = (" · no. " + esc_series(ev["patrol_number"])).where(ev["patrol_number"] != "", "")
    return (
        "<div class='ev'><b>"
        + esc_series(format_at_precision(ev["start"], ev["date_precision"]))
        + "</b>"
        + span
        + " <span class='meta'>("
        + esc_series(ev["date_precision"])
        + " precision)</span><br>"
        + esc_series(ev["kind"].map(vocab.EVENT_KINDS))
        + number
        + " · "
        + esc_series(ev["status"].map(vocab.EVENT_STATUSES))
        + "<br><span class='meta'>Actors: "
        + esc_series(ev["actors_text"])
        + "</span><br>"
        + esc_series(clip_series(ev["description"], 320))
        + ("<ul class='pw-sources'>" + ev.index.to_series().map(sources).fillna("") + "</ul>")
        + "</div>"
    )


def source_lists(cites: pd.DataFrame) -> pd.Series:
    """Per record id, its sources as one '<ul>' of graded links, built column-wise once for
    all records rather than once per marker."""
    if cites.empty:
        return pd.Series(dtype="str")
    items = join_ordered(cites["record_id"], source_items(cites), "")
    return "<ul class='pw-sources'>" + items + "</ul>"


def _place_popup(row: pd.Series | object, ds: DataSet, sources_html: str) -> str:
    r = row
    where = (
        f"{r.lat:.4f}, {r.lon:.4f} (± {r.precision_m / 1000:.1f} km, {esc(r.coord_method)})"
        if r.placed
        else "position unknown"
    )
    active = ""
    if r.active_from or r.active_to:
        active = f"<br>Active: {esc(r.active_from or '?')} – {esc(r.active_to or 'open')}"
    derivation = f"<br><span class='meta'>{esc(r.derivation)}</span>" if r.derivation else ""
    alt = f"<br><span class='meta'>Also: {esc(clip(r.alt_names.replace('|', ', '), 200))}</span>"
    return (
        f"<div class='pw-popup'><h4>{esc(r.name)}</h4>"
        f"{esc(vocab.PLACE_KINDS.get(r.kind, r.kind))}{active}<br>{where}{derivation}"
        f"{alt if r.alt_names else ''}{sources_html}</div>"
    )


def build_patrol_map(
    ds: DataSet,
    events: pd.DataFrame,
    *,
    window_start: pd.Timestamp | None = None,
    window_end: pd.Timestamp | None = None,
    theatres: tuple[str, ...] = (),
    basemap: bool = True,
    tiles: object | None = None,
    legend_open: bool = True,
) -> tuple[folium.Map, MapSummary]:
    """The map of the filtered ``events``: routes they ran on, sites active in the window,
    and the events per place. Returns the map and what it could and could not show."""
    from components.assets import localise_assets
    from components.basemap import add_tile_layer, add_vector_basemap

    colours = actor_colours(ds.actors)
    m = folium.Map(
        location=[36.8, 39.5],
        zoom_start=7,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    m.add_child(Css())
    if tiles is not None:
        add_tile_layer(m, getattr(tiles, "url", None), getattr(tiles, "attribution", None))
    if basemap:
        towns = ds.places[ds.places["placed"] & ds.places["kind"].isin(["city", "town"])]
        add_vector_basemap(m, towns[["name", "lat", "lon"]])

    bounds: list[tuple[float, float]] = []

    # routes the filtered events ran on, width by how many
    per_route = events.loc[events["route_id"] != "", "route_id"].value_counts()
    routes = ds.routes[ds.routes["route_id"].isin(per_route.index) & (ds.routes["n_placed"] >= 2)]
    route_layer = folium.FeatureGroup(name="Routes", show=True)
    top = max(per_route.max() if len(per_route) else 1, 1)
    route_sources = source_lists(citations_for(ds, "route", routes["route_id"]))
    for r in routes.itertuples(index=False):
        n = int(per_route.get(r.route_id, 0))
        weight = 3 + 7 * float(np.sqrt(n / top))
        unplaced = r.n_waypoints - r.n_placed
        note = f" ({unplaced} waypoint(s) not placed)" if unplaced else ""
        popup = (
            f"<div class='pw-popup'><h4>{esc(r.name)}</h4>"
            f"{esc(vocab.ROUTE_KINDS.get(r.kind, r.kind))} · {n} event(s) in this selection"
            f"<br><span class='meta'>Geometry {esc(r.geometry_method)}{esc(note)}; "
            f"{r.length_km:.0f} km</span><br>{esc(clip(r.description, 300))}"
            f"{route_sources.get(r.route_id, '')}</div>"
        )
        folium.PolyLine(
            locations=[list(p) for p in r.coords],
            color=ROUTE_COLOURS.get(r.kind, NEUTRAL),
            weight=weight,
            opacity=0.8,
            dash_array="10 6" if r.kind != "patrol_track" else None,
            tooltip=folium.Tooltip(esc(f"{r.name}: {n} event(s)")),
            popup=folium.Popup(popup, max_width=380),
            class_name=f"pw-route pw-route-{esc(r.route_id)}",
        ).add_to(route_layer)
        bounds.extend(r.coords)
    route_layer.add_to(m)

    # sites active in the window (bases, crossings, water stations, checkpoints)
    places = ds.places
    sites = places[
        places["kind"].isin(vocab.SITE_KINDS) & _active_in_window(places, window_start, window_end)
    ]
    if theatres:
        in_theatre = _places_in_theatres(ds, theatres)
        sites = sites[sites["place_id"].isin(in_theatre)]
    site_layer = folium.FeatureGroup(name="Bases, crossings and stations", show=True)
    site_sources = source_lists(citations_for(ds, "place", sites["place_id"]))
    operator_root = dict(zip(ds.actors["actor_id"], ds.actors["root_name"], strict=True))
    placed_sites = sites[sites["placed"]]
    for s in placed_sites.itertuples(index=False):
        colour = colours.get(operator_root.get(s.operator_id, ""), "#ffffff")
        folium.Marker(
            location=[s.lat, s.lon],
            icon=folium.DivIcon(
                html=site_icon_svg(s.kind, colour),
                icon_size=(18, 18),
                icon_anchor=(9, 9),
                class_name=f"pw-site pw-site-{esc(s.kind)}",
            ),
            tooltip=folium.Tooltip(esc(f"{s.name} ({vocab.PLACE_KINDS.get(s.kind, s.kind)})")),
            popup=folium.Popup(
                _place_popup(s, ds, site_sources.get(s.place_id, "")),
                max_width=380,
            ),
        ).add_to(site_layer)
        bounds.append((s.lat, s.lon))
    site_layer.add_to(m)

    # events, grouped per place
    locations = event_locations(events)
    event_layer = folium.FeatureGroup(name="Events", show=True)
    shown = events[
        events["event_id"].isin(
            [e for ids in locations["event_ids"] for e in ids] if len(locations) else []
        )
    ]
    blocks = _event_blocks(ds, shown)
    for loc in locations.itertuples(index=False):
        fill, second = group_style(loc.label, colours)
        approx = bool(loc.precision_m > APPROX_M) if pd.notna(loc.precision_m) else True
        radius = 5 + 3 * float(np.sqrt(loc.n))
        more = loc.n - len(loc.event_ids)
        popup = (
            f"<div class='pw-popup'><h4>{esc(loc.name)}: {loc.n} event(s)</h4>"
            + (
                f"<span class='meta'>Placed approximately: within {loc.precision_m / 1000:.1f} km"
                "</span>"
                if approx
                else ""
            )
            + "".join(blocks.get(e, "") for e in loc.event_ids)
            + (
                f"<div class='meta'>… and {more} earlier event(s): see the table.</div>"
                if more
                else ""
            )
            + "</div>"
        )
        if approx and pd.notna(loc.precision_m):
            folium.Circle(
                location=[loc.lat, loc.lon],
                radius=float(loc.precision_m),
                color=fill,
                weight=1,
                dash_array="4 4",
                fill=True,
                fill_opacity=0.06,
                interactive=False,
                class_name="pw-halo",
            ).add_to(event_layer)
        folium.CircleMarker(
            location=[loc.lat, loc.lon],
            radius=radius,
            color=second or "#222",
            weight=3 if second else 1.5,
            fill=True,
            fill_color=fill,
            fill_opacity=0.25 if approx else 0.85,
            tooltip=folium.Tooltip(esc(f"{loc.name}: {loc.n} event(s)")),
            popup=folium.Popup(popup, max_width=400),
            class_name="pw-event" + (" pw-approx" if approx else ""),
        ).add_to(event_layer)
        bounds.append((loc.lat, loc.lon))
    event_layer.add_to(m)

    m.add_child(Legend(_legend_html(events, colours, legend_open)))
    folium.LayerControl(collapsed=True).add_to(m)
    if bounds:
        lats = [b[0] for b in bounds]
        lons = [b[1] for b in bounds]
        m.add_child(FitBounds([[min(lats), min(lons)], [max(lats), max(lons)]]))
    localise_assets(m)
    summary = MapSummary(
        events=len(events),
        placed=int(events["placed"].sum()),
        unplaced=int((~events["placed"]).sum()),
        markers=len(locations),
        routes=len(routes),
        sites=len(placed_sites),
        sites_unplaced=int((~sites["placed"]).sum()),
        binned=bool(locations.attrs.get("binned", False)),
    )
    return m, summary


def _places_in_theatres(ds: DataSet, theatres: tuple[str, ...]) -> set[str]:
    ev = ds.events[ds.events["theatre_id"].isin(theatres)]
    ids = set(ds.event_places.loc[ds.event_places["event_id"].isin(ev["event_id"]), "place_id"])
    rt = ds.routes[ds.routes["theatre_id"].isin(theatres)]
    ids |= set(
        ds.route_waypoints.loc[ds.route_waypoints["route_id"].isin(rt["route_id"]), "place_id"]
    )
    for base_ids in rt["base_ids"]:
        ids |= set(base_ids)
    ids |= set(rt["entry_id"])
    return ids


def _legend_html(events: pd.DataFrame, colours: dict[str, str], open_: bool = True) -> str:
    groups = events["actor_label"].value_counts().index[:6] if len(events) else []
    rows = []
    for g in groups:
        fill, second = group_style(g, colours)
        border = second or "#222"
        rows.append(
            f"<div class='pw-row'><span class='pw-sw' style='background:{fill};"
            f"border-color:{border}'></span>{esc(g)}</div>"
        )
    sites = "".join(
        f"<div class='pw-row'>{site_icon_svg(kind, '#ffffff', 13)}"
        f"{esc(vocab.PLACE_KINDS[kind])}</div>"
        for kind in ("base", "border_crossing", "water_station", "checkpoint")
    )
    routes = "".join(
        f"<div class='pw-row'><span class='pw-ln' style='border-top-color:{c};"
        f"border-top-style:{'solid' if k == 'patrol_track' else 'dashed'}'></span>"
        f"{esc(vocab.ROUTE_KINDS[k])}</div>"
        for k, c in ROUTE_COLOURS.items()
    )
    return (
        f"<details{' open' if open_ else ''}><summary>Legend</summary>"
        "<div class='pw-h'>Events by actor (size: count at place)</div>"
        + "".join(rows)
        + "<div class='pw-row'><span class='pw-sw' style='background:rgba(0,0,0,.08);"
        "border-style:dashed'></span>placed approximately (halo = precision)</div>"
        + "<div class='pw-h'>Routes (width: events in selection)</div>"
        + routes
        + "<div class='pw-h'>Sites (fill: operator's colour)</div>"
        + sites
        + "</details>"
    )


def render_patrol_map(m: folium.Map, key: str, height: int = 560) -> None:
    """Show a display-only map: no return values, so panning never reruns the page."""
    from streamlit_folium import st_folium

    st_folium(m, key=key, height=height, returned_objects=[], use_container_width=True)
