"""What a person sees of the last gaps, in headless Chromium with no internet: How often's
export follows a selection drawn on its timeline; a link's repaired dates go into the
link; the narrow Overview map shows no Leaflet grey and keeps what it draws in view."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from tests.browser.conftest import (
    SCREENSHOTS,
    drag_timeline,
    events_shown,
    screenshot,
    wait_for_streamlit,
)

pytestmark = pytest.mark.browser


def test_how_often_exports_the_selection_drawn_on_its_timeline(page, page_log, app_url):
    page.goto(f"{app_url}/frequency", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    before = events_shown(page)
    drag_timeline(page, page.locator(".js-plotly-plot").first, 0.35, 0.6)
    notice = page.locator('[data-testid="stAlert"]', has_text="Selection:")
    notice.wait_for(timeout=90_000)
    wait_for_streamlit(page)
    after = events_shown(page)
    assert 0 < after < before, (before, after)
    line = notice.inner_text().strip().splitlines()[-1].strip()
    assert line.startswith("Selection: ") and "selection=" in page.url
    span = line.removeprefix("Selection: ").split(",")[0]
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    screenshot(page, "gaps_frequency_selection")

    page.get_by_role("button", name="Export for a briefing").click()
    panel = page.locator('[data-testid="stPopoverBody"]')
    panel.get_by_role("button", name="Slide (PNG)").wait_for(timeout=30_000)
    said = panel.get_by_text("The files show the selection on the timeline")
    assert span in said.inner_text()
    screenshot(page, "gaps_frequency_export_panel")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with page.expect_download(timeout=120_000) as slide:
        panel.get_by_role("button", name="Slide (PNG)").click()
    slide.value.save_as(SCREENSHOTS / "gaps_frequency_selection_slide.png")
    data = (SCREENSHOTS / "gaps_frequency_selection_slide.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1920, 1080)

    with page.expect_download(timeout=120_000) as brief:
        panel.get_by_role("button", name="Brief (PDF)").click()
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(Path(brief.value.path()).read_bytes()))
    text = " ".join(reader.pages[0].extract_text().split())
    assert f"Selection: {span}, {after:,} of {before:,} events" in text, text[:400]
    assert not page_log.page_errors


def test_a_links_repaired_dates_go_into_the_link(page, browser, app_url):
    page.goto(f"{app_url}/?dates=1900-01-01&dates=2021-12-31", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    note = page.locator('[data-testid="stAlert"]', has_text="is before the first day")
    note.wait_for(timeout=90_000)
    # the link is mended once the page has been drawn: it carries the range used
    page.wait_for_function(
        "() => /dates=2019-10-16&dates=2021-12-31/.test(location.search)", timeout=120_000
    )
    wait_for_streamlit(page)
    assert note.count() == 1  # the note stays
    mended = page.url
    page.wait_for_timeout(3000)
    assert page.url == mended  # once: no loop rewriting it

    # the mended link opened afresh: the view, and no warning
    other = browser.new_context(viewport={"width": 1600, "height": 1000})
    fresh = other.new_page()
    fresh.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(app_url) else r.abort(),
    )
    fresh.goto(mended, wait_until="domcontentloaded")
    wait_for_streamlit(fresh)
    events_shown(fresh)
    sidebar = fresh.locator('[data-testid="stSidebar"]')
    end_year = sidebar.locator('[aria-label="year, Date range end date"]')
    assert end_year.inner_text() == "2021"
    assert fresh.locator('[data-testid="stAlert"]', has_text="is before the first day").count() == 0
    other.close()


_MAP_STATE = """() => {
  const m = Object.values(window).find(v => v && v._leaflet_id && v.getBounds && v.getZoom);
  if (!m) { return null; }
  const b = m.getBounds(), s = m.getSize();
  return {zoom: m.getZoom(), min: m.getMinZoom(), w: s.x, h: s.y,
          south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(),
          bg: getComputedStyle(m.getContainer()).backgroundColor};
}"""


@pytest.mark.parametrize(("width", "height"), [(1000, 1000), (1600, 1000)])
def test_the_overview_map_shows_no_leaflet_grey(page, app_url, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(app_url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    frame = page.locator(f'iframe[title="{_map_title()}"]').first
    frame.wait_for(timeout=90_000)
    frame.scroll_into_view_if_needed()
    inner = frame.element_handle().content_frame()
    inner.wait_for_function(_MAP_STATE.replace("return {", "return m._loaded && {"), timeout=60_000)
    page.wait_for_timeout(1500)
    state = inner.evaluate(_MAP_STATE)
    frame.screenshot(path=str(SCREENSHOTS / f"gaps_overview_map_{width}.png"))
    assert state["bg"] == "rgb(244, 241, 232)", state  # the land along the basemap's edges
    assert state["min"] > 0 and state["zoom"] >= state["min"], state
    # what the map draws stays in view (the whole border strip, west to east)
    assert state["west"] < 36.2 and state["east"] > 42.0, state


def _map_title() -> str:
    from components.patrol_map import MAP_FRAME_TITLE

    return MAP_FRAME_TITLE
