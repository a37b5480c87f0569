"""The overview's map (Overview, How often, and the briefing's standard view): the routes
the selection's events name, the sites active in the window and the events per place, each
with a popup to read; the shared layers of ``components.layers`` over what
``data.mapview.build_map_view`` aggregated, so the map grows with places, not events.

``build_overview_map`` and ``build_patrol_map`` are pure (no streamlit);
``render_overview_map`` shows one: it needs no interaction, so it is drawn as a plain HTML
document in an iframe (panning, zooming and popups never rerun the page), and that HTML is
built once per map for every session (``data.cache.map_html``, keyed on
:func:`map_fingerprint`: the data set, everything the map view holds and every option of
the builder).
"""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass, fields

import folium
import pandas as pd

from components.colours import actor_colours
from components.html import source_items
from components.labels import view_activity, view_obstacles
from components.layers.events import BlockSource, event_layer, popup_blocks
from components.layers.focus import focus_layer
from components.layers.routes import route_layer
from components.layers.sites import site_layer
from components.leaflet import FitBounds, Legend, StayInside, new_map
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


def map_summary(view: MapView) -> MapSummary:
    """What the overview's map of ``view`` draws, in counts."""
    return MapSummary(
        events=view.events,
        placed=view.placed,
        unplaced=view.events - view.placed,
        markers=len(view.markers),
        routes=len(view.drawn_routes),
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


def _sources_of(ds: DataSet, record_type: str, ids: pd.Series) -> pd.Series:
    """:func:`source_lists` of the ``record_type`` records ``ids`` (routes or places). The
    lists of every route and every place of the data set are built once per data set
    (``data.cache.derived``; there are few of them), then looked up."""
    from data.cache import derived

    frame = ds.routes if record_type == "route" else ds.places
    id_col = "route_id" if record_type == "route" else "place_id"
    every = derived(
        ds,
        f"source_lists:{record_type}",
        lambda: source_lists(citations_for(ds, record_type, frame[id_col])),
    )
    return every[every.index.isin(ids)]


def overview_bounds(view: MapView) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the routes, sites and markers drawn."""
    lats: list[float] = []
    lons: list[float] = []
    for coords in view.drawn_routes["coords"]:
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
    focus: str | None = None,
    blocks: BlockSource | None = None,
    names_from: float | None = None,
) -> folium.Map:
    """The map of ``view`` (``data.views.overview_map_view`` of the filtered ``events``):
    routes, sites and events per place, each with a popup. ``focus``: a place id to open
    the map on, ringed, with its popup open (``components.layers.focus``); else the map is
    framed on what it draws. ``blocks``: where the events' popup blocks come from
    (``components.layers.events.event_layer``). ``names_from``: the least zoom town names
    are placed for (default: the least an export is framed at; a live map's is
    ``components.basemap.NAMES_MIN_ZOOM``)."""
    from components.assets import localise_assets
    from components.basemap import LABEL_MIN_ZOOM, add_basemap

    colours = actor_colours(ds.actors)
    m = new_map(zoom_snap=0.25, zoom_delta=0.5)
    add_basemap(
        m,
        ds.places,
        tiles,
        vector=basemap,
        activity=pd.Series(view_activity(view, ds.route_waypoints), dtype=float),
        markers=view_obstacles(view),
        frame=overview_bounds(view) if focus is None else None,  # names kept in the frame
        names_from=LABEL_MIN_ZOOM if names_from is None else names_from,
    )
    routes = view.drawn_routes
    route_layer(
        ds, view, name="Routes", detailed=False, popups=_sources_of(ds, "route", routes["route_id"])
    ).add_to(m)
    site_sources = _sources_of(ds, "place", view.sites["place_id"])
    site_layer(view, colours, popups=site_sources).add_to(m)
    event_layer(ds, view, colours, events=events, blocks=blocks).add_to(m)
    m.add_child(Legend(legend_html(view, colours, legend_open)))
    folium.LayerControl(collapsed=True).add_to(m)
    bounds = overview_bounds(view)
    if basemap:  # the view stays on the offline basemap: never an empty band past its edge
        from components.basemap import LAND, basemap_extent

        m.add_child(StayInside(basemap_extent(), bounds, colour=LAND))
    focused = focus_layer(ds, focus)
    if focused is not None:
        m.add_child(focused)
    elif bounds is not None:
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
    focus: str | None = None,
) -> tuple[folium.Map, MapSummary]:
    """The overview's map of the filtered ``events`` and what it could and could not show
    (``data.views.overview_map_view``, then :func:`build_overview_map`)."""
    view = overview_map_view(
        ds, events, window_start=window_start, window_end=window_end, theatres=theatres
    )
    m = build_overview_map(
        ds, events, view, tiles=tiles, basemap=basemap, legend_open=legend_open, focus=focus
    )
    return m, map_summary(view)


def legend_html(view: MapView, colours: dict[str, str], open_: bool = True) -> str:
    """The overview map's legend: exactly the symbols it draws, its scale and the counting
    rule (``components.legend``)."""
    return legend_block(legend_entries(view, colours), open_)


#: the title of every display-only map's iframe (its accessible name; tests find it by it)
MAP_FRAME_TITLE = "Map of the selection"


def map_fingerprint(view: MapView, **options: object) -> str:
    """A content hash of what :func:`build_overview_map` draws from ``view`` with
    ``options`` (its keyword arguments): every field of the view, frames included, and every
    option by name, so a new builder argument is part of the key as soon as it is passed.
    The data set is not in it (``data.cache.map_html`` keys on it by identity); the events
    only give the popups' text of the events the markers list, which the data set fixes."""
    return _fingerprint(_view_fingerprint(view), options)


def _fingerprint(view_part: bytes, options: dict[str, object]) -> str:
    digest = hashlib.blake2b(view_part, digest_size=16)
    for name in sorted(options):
        digest.update(name.encode())
        digest.update(repr(options[name]).encode())
    return digest.hexdigest()


def _view_fingerprint(view: MapView) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for f in fields(view):
        digest.update(f.name.encode())
        digest.update(pickle.dumps(getattr(view, f.name), protocol=5))
    return digest.digest()


_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>", re.I)
_SCRIPT_CLOSE = re.compile(r"</script>", re.I)
# the escapes Jinja's ``tojson`` writes for < > & ' (6 bytes for 1); those a script needs
# are kept: "<" before "/", "!" or "script" (so no "</script", "<!--" nor "<script" can
# form) and ">" after "-" (no "-->"); one after a backslash is left alone (it may be the
# text "\\u003c"). Each pattern starts with its escape and looks behind it after, so the
# search runs at the speed of a plain text search (a leading look-behind made the regex
# engine try every position: ~190 ms on a 1.4 MB map, now ~20 ms).
_NEEDLESS = (
    (re.compile(r"\\u003c(?<!\\\\u003c)(?![/!]|(?i:script))"), "<"),
    (re.compile(r"\\u003e(?<![-\\]\\u003e)"), ">"),
    (re.compile(r"\\u0026(?<!\\\\u0026)"), "&"),
    (re.compile(r"\\u0027(?<!\\\\u0027)"), "'"),
)


def compact_scripts(html: str) -> str:
    """``html`` with the needless JSON escapes of its inline scripts written plainly: the
    markup in popups and tooltips is mostly "<" and ">", which ``tojson`` writes as
    ``\\u003c``, doubling the map's size. Only inside ``<script>`` blocks, where the text is
    JavaScript string content (the same string to the script either way), and never where it
    could end the script or open a comment in it."""
    out: list[str] = []
    pos = 0
    while (start := _SCRIPT_OPEN.search(html, pos)) is not None:
        end = _SCRIPT_CLOSE.search(html, start.end())
        if end is None:  # an unclosed script: left as it is
            break
        body = html[start.end() : end.start()]
        if "\\u00" in body:
            for pattern, char in _NEEDLESS:
                body = pattern.sub(char, body)
        out += [html[pos : start.end()], body]
        pos = end.start()
    out.append(html[pos:])
    return "".join(out)


def overview_map_html(
    ds: DataSet,
    events: pd.DataFrame,
    view: MapView,
    blocks: BlockSource | None = None,
    **options: object,
) -> str:
    """The whole HTML document of :func:`build_overview_map` (``options`` are its keyword
    arguments), rendered once, its scripts compacted (:func:`compact_scripts`)."""
    m = build_overview_map(ds, events, view, blocks=blocks, **options)  # type: ignore[arg-type]
    return compact_scripts(m.get_root().render())


def render_overview_map(
    ds: DataSet,
    events: pd.DataFrame,
    view: MapView,
    *,
    height: int = 560,
    **options: object,
) -> None:
    """Show the overview's map of ``view`` (``options``: :func:`build_overview_map`'s
    keyword arguments) as a display-only map: a plain HTML iframe, so panning, zooming and
    clicking never rerun the page. Its HTML is built once for every session that shows the
    same map (``data.cache.map_html``)."""
    import streamlit as st

    from components.basemap import NAMES_MIN_ZOOM
    from data.cache import map_html, per_record

    # a live map hides every town name below NAMES_MIN_ZOOM: none is placed below it
    options = {"names_from": NAMES_MIN_ZOOM, **options}

    def blocks(ids: list[str]) -> dict[str, str]:  # an event's popup block, made once
        return per_record(ds, "event_popup", ids, lambda new: popup_blocks(ds, events, new))

    html = map_html(
        ("overview", map_fingerprint(view, **options)),
        ds,
        lambda: overview_map_html(ds, events, view, blocks, **options),
    )
    st.iframe(html, height=height, alt=MAP_FRAME_TITLE)


def render_patrol_map(m: folium.Map, key: str, height: int = 560) -> None:
    """Show a display-only map: no return values, so panning never reruns the page."""
    from streamlit_folium import st_folium

    st_folium(m, key=key, height=height, returned_objects=[], use_container_width=True)
