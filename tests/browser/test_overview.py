"""The overview as a person uses it, in headless Chromium with no internet: the map drawn
with its routes and sites, the figures and chart, a narrower date range, a shared link."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_overview_map_shows_no_grey, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser


def _map_frame(page):
    page.wait_for_selector('iframe[title="Map of the selection"]', timeout=60_000)
    frame = page.frame_locator('iframe[title="Map of the selection"]').first
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    return frame


def _metrics(page) -> dict[str, str]:
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


def _chart_ticks(page) -> list[str]:
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=60_000)
    return chart.locator(".xtick text").evaluate_all("els => els.map(e => e.textContent)")


def _wait_rerun(page) -> None:
    page.wait_for_timeout(600)
    wait_for_streamlit(page)


def test_overview_narrow_dates_and_share(page, page_log, app_url):
    page.goto(app_url, wait_until="domcontentloaded")
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=60_000)
    wait_for_streamlit(page)

    # the map draws offline: routes, sites and event markers from local Leaflet
    frame = _map_frame(page)
    frame.locator("path.pw-route-darbasiyah").wait_for(timeout=30_000)
    assert frame.locator("path.pw-route").count() >= 3
    assert frame.locator(".pw-site-base").count() >= 1  # Qamishli airport among them
    assert frame.locator(".pw-site-border_crossing").count() >= 1  # the Shirk crossing
    assert frame.locator("path.pw-event").count() >= 5
    assert_overview_map_shows_no_grey(page, "overview_map_1600")
    scripts = [u for u, kind in page_log.requests if kind in ("script", "stylesheet")]
    assert scripts and all(u.startswith("http://127.0.0.1") for u in scripts)

    before = _metrics(page)
    ticks_before = _chart_ticks(page)
    assert int(before["Patrols counted"].replace(",", "")) > 30
    assert "2020" in " ".join(ticks_before)
    screenshot(page, "overview_all")

    # narrow the date range to 2021 by typing into the date filter
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[aria-label="year, Date range start date"]').click()
    page.keyboard.type("20210101", delay=30)
    sidebar.locator('[aria-label="year, Date range end date"]').click()
    page.keyboard.type("20211231", delay=30)
    page.keyboard.press("Escape")
    page.locator("h1").first.click()  # leaving the field commits the range
    _wait_rerun(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
        ".some(e => e.innerText.includes('2021'))",
        timeout=30_000,
    )
    after = _metrics(page)
    assert after["Patrols counted"] != before["Patrols counted"]
    assert "2021" in after["Last patrol"]
    ticks_after = _chart_ticks(page)
    assert ticks_after != ticks_before
    assert not any(re.search(r"\b2024\b", t) for t in ticks_after)
    frame = _map_frame(page)
    frame.locator("path.pw-route-darbasiyah").wait_for(timeout=30_000)
    assert "dates=2021-01-01" in page.url
    screenshot(page, "overview_2021")

    # the link restores the same view for a colleague
    shared = page.context.new_page()
    shared.goto(page.url, wait_until="domcontentloaded")
    shared.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=60_000)
    wait_for_streamlit(shared)
    # the figures are drawn once the chart has said what is selected: wait for all of them
    for _ in range(60):
        try:
            seen = _metrics(shared)
        except ValueError:  # labels and values caught between two draws
            seen = {}
        if len(seen) >= len(after):
            break
        shared.wait_for_timeout(500)
    wait_for_streamlit(shared)
    seen = _metrics(shared)
    assert seen.get("Patrols counted") == after["Patrols counted"], (seen, shared.url)
    shared.close()

    assert not page_log.page_errors
