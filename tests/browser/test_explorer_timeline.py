"""The map explorer's timeline, in headless Chromium with no internet: a drag across the
short chart under the map narrows the map (fewer events drawn, the counts under it) and goes
into the link; the link opens the explorer narrowed with the span shaded; Clear brings the
whole window back. The map keeps the page's width and most of its height."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import drag_timeline, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser

FRAME = 'iframe[title*="streamlit_folium"]'
ON_MAP = re.compile(r"([\d,]+) of ([\d,]+) filtered events are on the map")
NOTICE = re.compile(r"Selection: .+, ([\d,]+) of ([\d,]+) events")


def _map_frame(page):
    page.wait_for_selector(FRAME, timeout=90_000)
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame.wait_for_selector("path.pw-event", timeout=90_000)
    return frame


def _drawn(frame) -> int:
    return frame.locator("path.pw-event").count()


def _filtered(page) -> int:
    """The count the caption under the map gives of the filtered events it covers."""
    caption = page.locator('[data-testid="stCaptionContainer"]', has_text=ON_MAP).first
    caption.wait_for(timeout=60_000)
    return int(ON_MAP.search(caption.inner_text()).group(2).replace(",", ""))


def test_a_drag_on_the_explorer_timeline_narrows_its_map_and_the_link(page, page_log, app_url):
    page.goto(f"{app_url}/map_explorer", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    frame = _map_frame(page)
    before, whole = _drawn(frame), _filtered(page)
    map_box = page.locator(FRAME).first.bounding_box()
    assert map_box and map_box["width"] >= 1400 and map_box["height"] >= 600  # map first

    chart = page.locator(".js-plotly-plot").first
    chart_box = chart.bounding_box()
    assert chart_box and chart_box["height"] <= 220 and chart_box["y"] > map_box["y"]
    drag_timeline(page, chart, 0.3, 0.5)
    notice = page.locator('[data-testid="stAlert"]', has_text="Selection:")
    notice.wait_for(timeout=90_000)
    wait_for_streamlit(page)
    shown, total = (int(n.replace(",", "")) for n in NOTICE.search(notice.inner_text()).groups())
    assert 0 < shown < total == whole, notice.inner_text()
    assert "selection=" in page.url
    assert page.get_by_role("button", name="Clear selection").is_visible()
    frame = _map_frame(page)
    frame.wait_for_function(
        "n => document.querySelectorAll('path.pw-event').length < n", arg=before, timeout=60_000
    )
    after = _drawn(frame)
    assert 0 < after < before
    assert _filtered(page) == shown
    chart.scroll_into_view_if_needed()
    screenshot(page, "explorer_timeline_selection")

    # the link restores it: the same map, the span shaded on the chart (no box of its own)
    page.goto(page.url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.locator('[data-testid="stAlert"]', has_text="Selection:").wait_for(timeout=90_000)
    frame = _map_frame(page)
    assert _drawn(frame) == after and _filtered(page) == shown
    assert page.locator(".js-plotly-plot .shapelayer path").count() >= 1

    # Clear brings the whole window back and takes the selection out of the link
    page.get_by_role("button", name="Clear selection").click()
    page.locator('[data-testid="stAlert"]', has_text="Selection:").wait_for(
        state="detached", timeout=90_000
    )
    wait_for_streamlit(page)
    frame = _map_frame(page)
    frame.wait_for_function(
        "n => document.querySelectorAll('path.pw-event').length === n", arg=before, timeout=60_000
    )
    assert _filtered(page) == whole and "selection=" not in page.url
    assert not page_log.page_errors
