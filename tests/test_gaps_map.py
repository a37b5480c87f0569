"""The Overview's map stays on the offline basemap: its view is kept inside the basemap's
area wherever that still shows all it draws, it cannot be panned past it, and what the
basemap does not cover is the land colour along its edges, not Leaflet's grey."""

from __future__ import annotations

import json
import re

from components.basemap import LAND, basemap_extent, load_basemap
from components.patrol_map import build_overview_map, overview_bounds, overview_map_html
from data.views import overview_map_view


def test_the_extent_is_the_basemaps_bbox() -> None:
    west, south, east, north = load_basemap()["land"]["bbox"]
    assert basemap_extent() == [[south, west], [north, east]]
    (s, w), (n, e) = basemap_extent()
    assert s < n and w < e


def _stay_inside(html: str) -> tuple[list, object, str]:
    found = re.search(
        r"style\.background = (.*?);.*?var box = L\.latLngBounds\((.*?)\);\s*var drawn = (.*?);",
        html,
        re.S,
    )
    assert found, "the map keeps no extent"
    return json.loads(found.group(2)), json.loads(found.group(3)), json.loads(found.group(1))


def test_the_overview_map_keeps_its_view_on_the_basemap(mini) -> None:
    view = overview_map_view(mini, mini.events)
    html = overview_map_html(mini, mini.events, view)
    extent, drawn, colour = _stay_inside(html)
    assert extent == basemap_extent()
    assert drawn == overview_bounds(view)
    assert colour == LAND  # what the basemap has along its edges: no band shows
    # the limits are set before the map is fitted, so the fit happens within them
    assert html.index("map.setMaxBounds(box)") < html.index("map.fitBounds(bounds")
    # and the least zoom never pushes what is drawn out of view
    assert "Math.min(inside, all)" in html


def test_an_export_of_the_map_sets_no_limits(mini) -> None:
    from components.briefing import export_map_html

    view = overview_map_view(mini, mini.events)
    html = export_map_html(build_overview_map(mini, mini.events, view), focus=None)
    # the export frames the map on what it draws itself: the page map's limits are off
    assert html.index("window.__pwNoLimits = true") < html.index("if (window.__pwNoLimits)")


def test_a_map_without_the_basemap_keeps_no_extent(mini) -> None:
    view = overview_map_view(mini, mini.events)
    m = build_overview_map(mini, mini.events, view, basemap=False)
    assert "setMaxBounds" not in m.get_root().render()
