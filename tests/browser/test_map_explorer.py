"""The map explorer as an analyst uses it, in headless Chromium with no internet: the border
strip, the Darbasiyah and Kobani tracks with their direction, Qamishli airport and the Shirk
crossing, halos for approximate places; a layer switched off and on; a marker clicked and its
sources read in the detail panel; the dates narrowed to 2021 and the route widths changing."""

from __future__ import annotations

import pandas as pd
import pytest

from data.load import load_dataset_files
from data.sourcing import citations_for
from tests.browser.conftest import screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser


def _map_frame(page):
    page.wait_for_selector('iframe[title*="streamlit_folium"]', timeout=60_000)
    frame = page.frame_locator('iframe[title*="streamlit_folium"]').first
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    return frame


def _tag_layer(page, ref: str, tag: str) -> None:
    """Mark the SVG path of the Leaflet layer whose tooltip carries ``ref`` so that a real
    mouse click can be aimed at it."""
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    found = frame.evaluate(
        """([ref, tag]) => {
            for (const layer of Object.values(window.map._layers)) {
                const tip = layer._tooltip && layer._tooltip._content;
                if (typeof tip === "string" && tip.includes(ref) && layer._path) {
                    layer._path.setAttribute("data-pw-test", tag);
                    return true;
                }
            }
            return false;
        }""",
        [ref, tag],
    )
    assert found, ref


def _stroke(frame, selector: str) -> float:
    return float(frame.locator(selector).first.get_attribute("stroke-width"))


def _latest_sources_at(place_id: str) -> list[str]:
    ds = load_dataset_files()
    at = ds.events[ds.events["location_id"] == place_id].sort_values(
        ["start", "event_id"], ascending=[False, True]
    )
    return list(citations_for(ds, "event", pd.Series([at.iloc[0]["event_id"]]))["publisher"])


def test_map_explorer_offline(page, page_log, app_url):
    page.goto(app_url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Map explorer").click()
    page.wait_for_timeout(600)
    wait_for_streamlit(page)
    frame = _map_frame(page)

    # what "done" asks to see, with no internet
    frame.locator("path.pw-route-darbasiyah").wait_for(timeout=30_000)
    assert frame.locator("path.pw-route-kobani_west").count() == 1
    assert frame.locator(".pw-arrow").count() >= 4  # direction of travel
    assert frame.locator("path.pw-strip").count() >= 1
    assert frame.locator("path.pw-line30").count() >= 1
    assert frame.locator("path.pw-border").count() == 1
    assert frame.locator(".pw-site-base").count() >= 1  # Qamishli airport among them
    assert frame.locator(".pw-site-border_crossing").count() >= 1  # Shirk among them
    assert frame.locator("path.pw-halo").count() >= 3
    assert frame.locator("path.pw-event.pw-approx").count() >= 3
    assert frame.locator("path.pw-event.pw-exact").count() >= 3
    assert frame.locator("path.pw-visit").count() >= 5
    scripts = [u for u, kind in page_log.requests if kind in ("script", "stylesheet")]
    assert scripts and all(u.startswith("http://127.0.0.1") for u in scripts)
    screenshot(page, "map_explorer")

    # switch the events layer off and on in the layer control (folded: open it first)
    frame.locator(".leaflet-control-layers").hover()
    events_box = frame.locator(".leaflet-control-layers-overlays label", has_text="Events").locator(
        "input"
    )
    events_box.uncheck()
    assert frame.locator("path.pw-event").count() == 0
    assert frame.locator("path.pw-route-darbasiyah").count() == 1  # the rest stays
    events_box.check()
    assert frame.locator("path.pw-event").count() >= 6

    # click the Kobani marker: its latest event's sources show in the detail panel
    _tag_layer(page, "[[pw:events:kobani]]", "kobani")
    frame.locator('path[data-pw-test="kobani"]').click()
    detail = page.locator('[class*="st-key-mx_map_detail"]')
    detail.get_by_text("Sources (").first.wait_for(timeout=30_000)
    text = detail.inner_text()
    assert "Kobani" in text
    for publisher in _latest_sources_at("kobani"):
        assert publisher in text, publisher
    assert detail.locator('a[href^="http"]').count() >= 1
    detail.locator('a[href^="http"]').last.scroll_into_view_if_needed()
    screenshot(page, "map_explorer_detail")

    # narrow the dates to 2021: the route widths change
    frame = _map_frame(page)
    before = _stroke(frame, "path.pw-route-darbasiyah")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count():  # the explorer folds the filters away, map first
        expand.first.click()
        page.wait_for_timeout(400)
    sidebar.locator('[aria-label="year, Date range start date"]').click()
    page.keyboard.type("20210101", delay=30)
    sidebar.locator('[aria-label="year, Date range end date"]').click()
    page.keyboard.type("20211231", delay=30)
    page.keyboard.press("Escape")
    page.locator("h1").first.click()
    page.wait_for_timeout(600)
    wait_for_streamlit(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        ".some(e => e.innerText.includes('1 Jan 2021'))",
        timeout=30_000,
    )
    frame = _map_frame(page)
    frame.locator("path.pw-route-darbasiyah").wait_for(timeout=30_000)
    after = _stroke(frame, "path.pw-route-darbasiyah")
    assert after != before
    screenshot(page, "map_explorer_2021")

    assert not page_log.page_errors, page_log.page_errors
