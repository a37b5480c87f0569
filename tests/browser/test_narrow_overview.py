"""The Overview in a 1000 px window with the sidebar open, as a laptop shows it: the map
and the chart stack (the map first, the content's full width) instead of sharing a row of
two ~250 px columns; in a 1920 px window they stand side by side. The timeline's
milestones are numbered tags that do not overlap, with a key under the chart. How often's
row of settings keeps every label whole at that width."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    SCREENSHOTS,
    assert_overview_map_shows_no_grey,
    screenshot,
    wait_for_streamlit,
)

pytestmark = pytest.mark.browser

MAP = 'iframe[title="Map of the selection"]'


def _open(page, url: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url, wait_until="domcontentloaded")
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=90_000)
    wait_for_streamlit(page, 90_000)
    page.wait_for_selector(MAP, timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def _tags(page) -> list[dict]:
    """The milestone tags drawn on the chart, as the browser laid them out."""
    return page.locator(".js-plotly-plot").first.evaluate(
        """plot => [...plot.querySelectorAll('.annotation')]
            .filter(a => /^[0-9]+$/.test(a.textContent.trim()))
            .map(a => { const b = a.querySelector('.annotation-text-g').getBoundingClientRect();
                        return {text: a.textContent.trim(), l: b.left, r: b.right,
                                t: b.top, b: b.bottom}; })"""
    )


def test_a_1000px_window_stacks_the_map_over_the_chart_and_1920px_does_not(page, app_url):
    _open(page, app_url, 1000, 800)
    assert page.locator('[data-testid="stSidebar"]').first.is_visible()  # open
    content = _box(page, '[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]')
    map_box = _box(page, MAP)
    chart = _box(page, ".js-plotly-plot")
    assert map_box["width"] >= min(600, content["width"] - 4)  # the content's full width
    assert chart["width"] >= map_box["width"] - 4
    assert chart["y"] >= map_box["y"] + map_box["height"]  # under the map
    # the map's Leaflet view is as wide as its frame (fitted at that width)
    frame = page.frame_locator(MAP).first
    leaflet = frame.locator(".leaflet-container").first
    leaflet.wait_for(timeout=60_000)
    assert leaflet.bounding_box()["width"] >= map_box["width"] - 4
    assert_overview_map_shows_no_grey(page, "overview_map_1000")
    # the milestones: numbered tags over the plot, none overlapping, and their key
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    tags = _tags(page)
    assert len(tags) >= 5
    assert [t["text"] for t in tags] == [str(i) for i in range(1, len(tags) + 1)]
    for i, a in enumerate(tags):
        for b in tags[i + 1 :]:
            apart = a["r"] <= b["l"] or b["r"] <= a["l"] or a["b"] <= b["t"] or b["b"] <= a["t"]
            assert apart, (a, b)
    assert page.get_by_text("Milestones:", exact=False).first.is_visible()
    screenshot(page, "overview_1000_stacked")

    # the same page widened to 1920 px: map and chart side by side (the stacking is the
    # container's own width rule, so a window resized is laid out as one opened at that size)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_function(
        """([map, plot]) => {
            const m = document.querySelector(map).getBoundingClientRect();
            const c = document.querySelector(plot).getBoundingClientRect();
            return c.left >= m.right && m.width >= 800;
        }""",
        arg=[MAP, ".js-plotly-plot"],
        timeout=30_000,
    )
    map_box = _box(page, MAP)
    chart = _box(page, ".js-plotly-plot")
    assert chart["x"] >= map_box["x"] + map_box["width"]  # beside it
    assert abs(chart["y"] - map_box["y"]) < 120
    screenshot(page, "overview_1920_side_by_side")


_CUT = """() => {
  const row = document.querySelector('.st-key-freq_settings').getBoundingClientRect();
  return [...document.querySelectorAll(
        '.st-key-freq_settings button p, .st-key-freq_settings label p')]
    .filter(e => e.innerText.trim())
    .map(e => { const r = e.getBoundingClientRect();
      return {text: e.innerText.trim(), h: r.height, l: r.left, r: r.right, t: r.top, b: r.bottom,
              cut: e.scrollWidth > e.clientWidth + 1 || r.left < row.left - 1
                   || r.right > row.right + 1}; });
}"""


def test_how_often_settings_keep_every_label_whole_at_1000px(page, app_url):
    """How often's row of settings at 1000 px with the sidebar open: every option and label
    on one line and whole (the row wraps instead of squeezing them), and so are its
    headline figures."""
    page.set_viewport_size({"width": 1000, "height": 800})
    page.goto(f"{app_url}/frequency", wait_until="domcontentloaded")
    wait_for_streamlit(page, 90_000)
    row = page.locator(".st-key-freq_settings").first
    row.wait_for(timeout=60_000)
    # the row's container is drawn before its widgets, and they come one by one: measure
    # once every option and label looked for is there (on a loaded machine the toggles can
    # be drawn before the buttons)
    wanted_texts = ("Week", "Quarter", "Source", "Gap over (days)", "Count disputed")
    for wanted in wanted_texts:
        row.locator("button p, label p", has_text=wanted).first.wait_for(timeout=60_000)
    labels = page.evaluate(_CUT)
    texts = [item["text"] for item in labels]
    for wanted in wanted_texts:
        assert wanted in texts, texts
    assert [i for i in labels if i["cut"] or i["h"] > 30] == [], labels  # whole, one line
    for k, a in enumerate(labels):
        for b in labels[k + 1 :]:
            apart = a["r"] <= b["l"] or b["r"] <= a["l"] or a["b"] <= b["t"] or b["b"] <= a["t"]
            assert apart, (a, b)
    row.screenshot(path=str(SCREENSHOTS / "frequency_settings_1000.png"))
    # and the headline figures under it, each whole ("26 of 344", not "26 of …")
    figures = page.locator('[data-testid="stMetricValue"] div')
    assert figures.count() == 4
    cut = figures.evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"
    )
    assert cut == [], cut
