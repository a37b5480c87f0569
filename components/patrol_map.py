"""The overview's map (Overview, How often, and the briefing's standard view): the routes
the selection's events name, the sites active in the window and the events per place, each
with a popup to read; the shared layers of ``components.layers`` over what
``data.mapview.build_map_view`` aggregated, so the map grows with places, not events.

``build_overview_map`` and ``build_patrol_map`` are pure (no streamlit);
``render_patrol_map`` shows a map.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import pandas as pd

from components.colours import actor_colours
from components.html import source_items
from components.labels import view_activity, view_obstacles
from components.layers.events import event_layer
from components.layers.routes import route_layer
from components.layers.sites import site_layer
from components.leaflet import FitBounds, Legend, new_map
from components.legend import legend_entries
from components.legend import legend_html as legend_block
from data.frames import join_ordered
from data.mapview import MapView
from data.model import DataSet
from data.sourcing import citations_for
from data.views import overview_map_view


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


def _drawn_routes(view: MapView) -> pd.DataFrame:
    return view.routes[view.routes["drawable"] & (view.routes["events"] > 0)]


def map_summary(view: MapView) -> MapSummary:
    """What the overview's map of ``view`` draws, in counts."""
    return MapSummary(
        events=view.events,
        placed=view.placed,
        unplaced=view.events - view.placed,
        markers=len(view.markers),
        routes=len(_drawn_routes(view)),
        sites=len(view.sites),
        sites_unplaced=view.sites_unplaced,
        binned=view.binned,
    )


def source_lists(cites: pd.DataFrame) -> pd.Series:
    """Per record id, its sources as one '<ul>' of graded links, built column-wise once for
    all records rather than once per marker."""
    if cites.empty:
        return pd.Series(dtype="str")
    items = join_ordered(cites["record_id"], source_items(cites), "")
    return "<ul class='pw-sources'>" + items + "</ul>"


def overview_bounds(view: MapView) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the routes, sites and markers drawn."""
    lats: list[float] = []
    lons: list[float] = []
    for coords in _drawn_routes(view)["coords"]:
        for lat, lon in coords:
            lats.append(float(lat))
            lons.append(float(lon))
    for frame in (view.sites, view.markers):
        lats.extend(frame["lat"].astype(float))
        lons.extend(frame["lon"].astype(float))
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def build_overview_map(
    ds: DataSet,
    events: pd.DataFrame,
    view: MapView,
    *,
    tiles: object | None = None,
    basemap: bool = True,
    legend_open: bool = True,
) -> folium.Map:
    """The map of ``view`` (``data.views.overview_map_view`` of the filtered ``events``):
    routes, sites and events per place, each with a popup."""
    from components.assets import localise_assets
    from components.basemap import add_basemap

    colours = actor_colours(ds.actors)
    m = new_map(zoom_snap=0.25, zoom_delta=0.5)
    add_basemap(
        m,
        ds.places,
        tiles,
        vector=basemap,
        activity=pd.Series(view_activity(view), dtype=float),
        markers=view_obstacles(view),
    )
    routes = _drawn_routes(view)
    route_sources = source_lists(citations_for(ds, "route", routes["route_id"]))
    route_layer(ds, view, name="Routes", detailed=False, popups=route_sources).add_to(m)
    site_sources = source_lists(citations_for(ds, "place", view.sites["place_id"]))
    site_layer(view, colours, popups=site_sources).add_to(m)
    event_layer(ds, view, colours, events=events).add_to(m)
    m.add_child(Legend(legend_html(view, colours, legend_open)))
    folium.LayerControl(collapsed=True).add_to(m)
    bounds = overview_bounds(view)
    if bounds is not None:
        m.add_child(FitBounds(bounds))
    localise_assets(m)
    return m


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
    """The overview's map of the filtered ``events`` and what it could and could not show
    (``data.views.overview_map_view``, then :func:`build_overview_map`)."""
    view = overview_map_view(
        ds, events, window_start=window_start, window_end=window_end, theatres=theatres
    )
    m = build_overview_map(ds, events, view, tiles=tiles, basemap=basemap, legend_open=legend_open)
    return m, map_summary(view)


def legend_html(view: MapView, colours: dict[str, str], open_: bool = True) -> str:
    """The overview map's legend: exactly the symbols it draws, its scale and the counting
    rule (``components.legend``)."""
    return legend_block(legend_entries(view, colours), open_)


def render_patrol_map(m: folium.Map, key: str, height: int = 560) -> None:
    """Show a display-only map: no return values, so panning never reruns the page."""
    from streamlit_folium import st_folium

    st_folium(m, key=key, height=height, returned_objects=[], use_container_width=True)
