"""The explorer map's buttons, in headless Chromium with no internet: every button under
the zoom controls shows its icon as the map is drawn, even when the plugins' own image
files never arrive (they are fetched by their style sheets after the map is drawn; the
icons are drawn in the map's CSS), and the full-screen button's icon turns into 'leave'."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.conftest import ARTIFACTS, wait_for_streamlit

pytestmark = pytest.mark.browser

FRAME = 'iframe[title*="streamlit_folium"]'
#: the image files the plugins' style sheets fetch for these buttons
PLUGIN_ICONS = ("icon-fullscreen.svg", "rulers.png", "rulers_@2X.png")


def _ink(locator) -> int:
    """Pixels of a screenshot of the button well darker than its face: an empty button
    has none (its border is lighter than any icon drawn on it)."""
    shot = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    values = list(shot.tobytes())
    face = max(values)
    return sum(1 for v in values if v < face - 70)


def test_every_button_under_the_zoom_controls_shows_its_icon(page, page_log, app_url):
    # the plugins' icon files never arrive: the buttons must not depend on them
    page.route(
        "**/*", lambda r: r.abort() if r.request.url.endswith(PLUGIN_ICONS) else r.fallback()
    )
    page.goto(f"{app_url}/map_explorer", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.wait_for_selector(FRAME, timeout=90_000)
    frame = page.frame_locator(FRAME).first
    frame.locator(".leaflet-control-zoom a").first.wait_for(timeout=90_000)
    frame.locator(".leaflet-control-measure-toggle").wait_for(timeout=30_000)
    page.wait_for_timeout(500)

    buttons = {
        "zoom in": frame.locator("a.leaflet-control-zoom-in"),
        "zoom out": frame.locator("a.leaflet-control-zoom-out"),
        "full screen": frame.locator("a.fullscreen-icon"),
        "measure": frame.locator("a.leaflet-control-measure-toggle"),
        "layers": frame.locator("a.leaflet-control-layers-toggle"),
    }
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    frame.locator(".leaflet-top.leaflet-left").screenshot(
        path=str(ARTIFACTS / "screenshots" / "explorer_map_controls.png")
    )
    for name, button in buttons.items():
        assert button.count() == 1 and button.is_visible(), name
        assert _ink(button) > 8, f"the {name} button is empty"
    # nothing else sits in the zoom bar or under it without an icon or a word
    for button in frame.locator(".leaflet-top.leaflet-left a").all():
        if button.is_visible():
            assert _ink(button) > 8, button.evaluate("e => e.outerHTML")

    # full screen, and its icon says how to leave it
    before = buttons["full screen"].screenshot()
    buttons["full screen"].click()
    frame.locator("a.fullscreen-icon.leaflet-fullscreen-on").wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    assert _ink(buttons["full screen"]) > 8
    assert buttons["full screen"].screenshot() != before
    buttons["full screen"].click()
    assert not page_log.page_errors
