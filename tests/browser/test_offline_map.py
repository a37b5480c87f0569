"""Harness self-test: a folium map drawn by st_folium with no internet at all.

Runs tests/browser/apps/offline_map_app.py and checks, inside the component's iframe, that
Leaflet drew the map, the data and the offline basemap, with every script, stylesheet and
font served by our own server."""

from __future__ import annotations

import pytest

from tests.browser.conftest import is_local, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser

APP = "tests/browser/apps/offline_map_app.py"
FRAME = 'iframe[title*="streamlit_folium"]'


def open_map(page, url: str):
    page.goto(url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    frame = page.frame_locator(FRAME)
    # the data's polyline is drawn after the basemap and the plugins have loaded
    frame.locator(".leaflet-overlay-pane svg path.pw-test-route").wait_for(timeout=30_000)
    page.wait_for_timeout(500)  # let the labels, fonts and tile aborts settle
    return frame


def test_leaflet_draws_the_map_offline(page, page_log, streamlit_app):
    """The self-test app with its default online tiles, which the harness aborts: the map,
    its data and the offline basemap are drawn, styled and named, and nothing it needed came
    from the internet (one page load for all three checks)."""
    frame = open_map(page, streamlit_app(APP))
    assert screenshot(page, "offline_map").stat().st_size > 10_000
    _css_and_fonts_are_applied(page_log, frame)
    _map_data_and_names_are_drawn(page, frame)
    _nothing_needed_the_internet(page_log)


def _map_data_and_names_are_drawn(page, frame) -> None:
    assert frame.locator(".leaflet-container").count() == 1
    # data: the polyline and the CircleMarker in the overlay pane, the cluster's icon
    assert frame.locator(".leaflet-overlay-pane svg path.pw-test-route").count() == 1
    assert frame.locator(".leaflet-overlay-pane svg path.pw-test-event").count() == 1
    assert frame.locator(".marker-cluster").count() >= 1
    assert frame.locator(".awesome-marker i.fa-car").count() == 1
    # the offline basemap: sea, coast, rivers, borders in its own pane; names in another
    assert frame.locator(".leaflet-pw-basemap-pane svg path").count() >= 4
    names = frame.locator(".leaflet-pw-basemap-labels-pane .pw-town-name").all_text_contents()
    assert "Kobani" in names and "Qamishli" in names
    # the label holding markup is shown as text, not turned into an element
    assert '<img src="x" onerror="alert(1)">' in names
    assert frame.locator(".pw-town-name img").count() == 0
    # zoomed out, town names give way (dots stay); zoomed back in, they return
    assert frame.locator(".leaflet-container.pw-names-hidden").count() == 0
    for _ in range(2):  # 8 -> 6, one step at a time (a click during the animation is lost)
        frame.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(600)
    frame.locator(".leaflet-container.pw-names-hidden").wait_for(timeout=5_000)
    assert not frame.locator(".pw-town-name").first.is_visible()
    assert frame.locator(".pw-town-dot").first.is_visible()
    frame.locator(".leaflet-control-zoom-in").click()
    frame.locator(".leaflet-container:not(.pw-names-hidden)").wait_for(timeout=5_000)
    page.wait_for_timeout(600)

    # a name the map's edge would cut is hidden, not shown in part: Kobani's point is moved
    # to 2 px inside the left edge, then the right one; its name (on one side of the point)
    # crosses one of them, and is hidden there; a name that shows is whole
    hidden_at = []
    for edge in ("left", "right"):
        cut = frame.locator(".leaflet-container").evaluate(PAN_AND_CHECK, ["Kobani", edge])
        assert cut["partly_shown"] == [], cut
        if cut["kobani_hidden"]:
            hidden_at.append(edge)
    assert len(hidden_at) == 1, hidden_at


# moves the named town's point 2 px inside one edge of the map, waits for the map to settle,
# then reports the names shown only in part, and whether the town's name is hidden
PAN_AND_CHECK = """
async (container, [town, edge]) => {
  const win = container.ownerDocument.defaultView;
  const map = Object.keys(win).filter(k => k.startsWith("map_")).map(k => win[k])
    .find(m => m && m.getContainer && m.getContainer() === container);
  const names = [...container.querySelectorAll(".pw-town-name")];
  const el = names.find(n => n.textContent === town);
  const marker = el.closest(".pw-label").getBoundingClientRect();
  const box = container.getBoundingClientRect();
  const dx = edge === "left" ? marker.left - box.left - 2 : marker.left - box.right + 2;
  await new Promise(done => { map.once("moveend", done); map.panBy([dx, 0], {animate: false}); });
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const partly = names.filter(n => {
    const style = win.getComputedStyle(n);
    if (style.display === "none" || style.visibility === "hidden") return false;
    const r = n.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left || r.right > box.right);
  }).map(n => n.textContent);
  return {partly_shown: partly, kobani_hidden: win.getComputedStyle(el).visibility === "hidden"};
}
"""


def _css_and_fonts_are_applied(log, frame) -> None:
    container = frame.locator(".leaflet-container")
    # leaflet.css (position) and our basemap CSS (the colour beyond the basemap)
    assert container.evaluate("e => getComputedStyle(e).overflow") == "hidden"
    assert container.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(228, 228, 223)"
    # MarkerCluster.Default.css
    cluster = frame.locator(".marker-cluster").first
    assert cluster.evaluate("e => getComputedStyle(e).backgroundClip") == "padding-box"
    # leaflet.awesome-markers.css (sprite) and Font Awesome's web font
    icon = frame.locator(".awesome-marker-icon-darkblue").first
    assert "markers-soft.png" in icon.evaluate("e => getComputedStyle(e).backgroundImage")
    fonts = [u for u, kind in log.requests if kind == "font" and "fontawesome" in u]
    assert fonts and all(is_local(u) for u in fonts)
    assert frame.locator("body").evaluate(
        """async () => { await document.fonts.ready;
                         return document.fonts.check('900 16px "Font Awesome 6 Free"'); }"""
    )


def _nothing_needed_the_internet(log) -> None:
    remote_code = [
        (url, kind)
        for url, kind in log.requests
        if kind in ("script", "stylesheet", "font") and not is_local(url)
    ]
    assert remote_code == []
    # only online tiles may have been tried (and were aborted)
    assert {kind for _, kind in log.blocked} <= {"image"}, log.blocked
    assert log.unexpected_failures() == []
    assert log.page_errors == []
    assert log.http_errors == []  # e.g. no 404 for Leaflet's default marker images
    local_code = [u for u, kind in log.requests if kind in ("script", "stylesheet")]
    assert any(u.endswith("/app/static/node_modules/leaflet/dist/leaflet.js") for u in local_code)
    assert any("/app/static/node_modules/leaflet.markercluster/" in u for u in local_code)


def test_no_online_tiles_at_all(page, page_log, streamlit_app):
    """With tiles off (PATROLWATCH_TILES=none) nothing leaves the machine and the offline
    basemap alone carries the map; MarkerCluster still works without a tile layer."""
    frame = open_map(page, streamlit_app(APP) + "/?tiles=none")
    screenshot(page, "offline_map_no_tiles")
    assert page_log.blocked == []
    assert page_log.page_errors == []
    assert page_log.http_errors == []
    assert frame.locator(".leaflet-tile-pane img").count() == 0
    assert frame.locator(".marker-cluster").count() >= 1
    assert frame.locator(".leaflet-pw-basemap-pane svg path").count() >= 4
