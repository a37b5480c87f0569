"""Map first: at 1600×1000 with no internet the explorer's map takes the page's width, its
layer list and legend start folded, and opened together they do not meet; the offline
basemap is the layer shown and no tile server is credited; the sidebar's filters start
folded and, once opened, stay open through the page's runs."""

from __future__ import annotations

import pytest

from components.basemap import basemap_extent
from tests.browser.conftest import _MAP_STATE, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser

FRAME = 'iframe[title*="streamlit_folium"]'


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


def _meet(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_explorer_is_map_first(page, page_log, app_url):
    page.goto(f"{app_url}/map_explorer", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.wait_for_selector(FRAME, timeout=60_000)
    frame = page.frame_locator(FRAME).first
    frame.locator("path.pw-route-darbasiyah").wait_for(timeout=60_000)
    page.wait_for_timeout(800)  # the sidebar folding away, the map refitting

    assert _box(page.locator(FRAME).first)["width"] >= 1400
    # fitted to the whole border, the map shows the basemap to its edges: no grey band
    # beyond the files' extent (the east had one at this width)
    state = page.locator(FRAME).first.element_handle().content_frame().evaluate(_MAP_STATE)
    (south, west), (north, east) = basemap_extent()
    assert state["west"] >= west and state["east"] <= east, (state, west, east)
    assert state["south"] >= south and state["north"] <= north, (state, south, north)
    # folded at start: the layer list is a button, the legend a summary line
    layers = frame.locator(".leaflet-control-layers")
    assert "leaflet-control-layers-expanded" not in (layers.get_attribute("class") or "")
    legend = frame.locator(".pw-legend", has=frame.locator("details"))
    assert legend.locator("details[open]").count() == 0
    # offline by default: the vector basemap shown, no tiles asked for, no credit to them
    assert frame.locator(".leaflet-pw-basemap-pane svg path").count() >= 3
    assert frame.locator(".leaflet-tile").count() == 0
    assert "OpenStreetMap" not in frame.locator(".leaflet-control-attribution").inner_text()

    legend.locator("summary").click()
    layers.hover()
    frame.locator(".leaflet-control-layers-expanded").wait_for(timeout=5_000)
    page.wait_for_timeout(300)
    screenshot(page, "map_first_explorer")
    legend_box, layers_box = _box(legend), _box(layers)
    assert legend_box["height"] > 100 and layers_box["height"] > 60  # both really open
    assert not _meet(legend_box, layers_box)

    # the filters folded away at start, and through the page's runs; opened, they stay open
    sidebar = page.locator('[data-testid="stSidebar"]')

    def sidebar_open() -> bool:
        box = _box(sidebar)
        return box["x"] >= 0 and box["width"] > 200

    def rerun() -> None:
        page.get_by_text("Precise positions only").click()
        page.wait_for_timeout(500)
        wait_for_streamlit(page)
        page.wait_for_timeout(800)  # a sidebar opened or folded by the run has moved by now

    assert not sidebar_open()
    rerun()
    assert "mx_precise=true" in page.url
    assert not sidebar_open()
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().x >= 0"
    )
    rerun()
    assert sidebar_open()
