"""The frequency page as an analyst uses it, in headless Chromium with no internet: drag a
span on the timeline, see the event table narrow to it, export the selection for a
briefing, take the chart away as a slide, pick a single bar, and open the page's other
sections."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import pytest

from tests.browser.conftest import (
    EVENTS_HEADING,
    SCREENSHOTS,
    events_shown,
    screenshot,
    wait_for_streamlit,
)

pytestmark = pytest.mark.browser


def _section(page, name: str):
    """The button of one of the page's sections, in the bar above them."""
    return page.locator('[data-testid="stButtonGroup"] button', has_text=name).first


def _scroll_to(page, locator) -> None:
    locator.scroll_into_view_if_needed()
    page.wait_for_timeout(400)


def test_select_a_span_narrows_the_table_and_exports_a_slide(page, page_log, app_url):
    page.goto(app_url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="How often").click()
    wait_for_streamlit(page)
    page.locator("h1", has_text="How often").wait_for(timeout=60_000)
    assert "/frequency" in page.url
    before = events_shown(page)
    assert before > 40

    # the timeline: drag a box across 2021–2022 (the chart is in box-select mode)
    chart = page.locator(".js-plotly-plot").first
    area = chart.locator(".draglayer .xy .nsewdrag").first
    area.wait_for(timeout=60_000)
    _scroll_to(page, chart)
    box = area.bounding_box()
    assert box and box["width"] > 300
    y = box["y"] + box["height"] * 0.5
    x0, x1 = box["x"] + box["width"] * 0.30, box["x"] + box["width"] * 0.45
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y, steps=6)
    page.mouse.move(x1, y, steps=6)
    page.mouse.up()
    notice = page.locator('[data-testid="stAlert"]', has_text="Selection:")
    notice.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    after = events_shown(page)
    assert 0 < after < before, (before, after)
    assert f"{after:,} of {before:,} events" in notice.inner_text()
    assert "selection=" in page.url
    screenshot(page, "frequency_selected_chart")
    _scroll_to(page, page.locator("h3", has_text=EVENTS_HEADING).first)
    screenshot(page, "frequency_selected_table")

    # the export for a briefing follows the selection: its panel says so, the brief says it
    line = notice.inner_text().strip().splitlines()[-1].strip()
    assert line.startswith("Selection: ")
    span = line.removeprefix("Selection: ").split(",")[0]
    page.get_by_role("button", name="Export for a briefing").click()
    panel = page.locator('[data-testid="stPopoverBody"]')
    panel.get_by_role("button", name="Slide (PNG)").wait_for(timeout=30_000)
    said = panel.get_by_text("The files show the selection on the timeline")
    assert span in said.inner_text()
    screenshot(page, "frequency_export_panel")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with page.expect_download(timeout=120_000) as slide:
        panel.get_by_role("button", name="Slide (PNG)").click()
    slide.value.save_as(SCREENSHOTS / "frequency_selection_slide.png")
    data = (SCREENSHOTS / "frequency_selection_slide.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1920, 1080)
    with page.expect_download(timeout=120_000) as brief:
        panel.get_by_role("button", name="Brief (PDF)").click()
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(Path(brief.value.path()).read_bytes()))
    text = " ".join(reader.pages[0].extract_text().split())
    assert f"Selection: {span}, {after:,} of {before:,} events" in text, text[:400]
    page.locator("h1").first.click()  # a click beside the panel closes it
    panel.wait_for(state="hidden", timeout=30_000)

    # the chart as a PNG for a slide, drawn offline by the export renderer in Debian's Chromium
    button = page.get_by_role("button", name=re.compile(r"Slide \(PNG")).first
    _scroll_to(page, button)
    with page.expect_download(timeout=90_000) as download:
        button.click()
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1920, 1080)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "frequency_slide.png").write_bytes(png)

    # clearing the selection brings every event back
    page.get_by_role("button", name="Clear selection").click()
    page.wait_for_timeout(600)
    wait_for_streamlit(page)
    page.wait_for_function(
        "n => [...document.querySelectorAll('h3')].some(h => h.innerText.trim() === "
        "`Events (${n})`)",
        arg=before,
        timeout=60_000,
    )

    # or pick one bar: choose Pan in the chart's toolbar, then click it
    chart = page.locator(".js-plotly-plot").first
    _scroll_to(page, chart)
    chart.hover()
    chart.locator('.modebar-btn[data-val="pan"]').first.click()
    bars = chart.locator(".barlayer .point path")
    boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
    tall = sorted((b for b in boxes if b and b["height"] > 5), key=lambda b: b["x"])
    bar = tall[len(tall) // 2]  # one in the middle: the first ones sit under milestone labels
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    notice.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    assert re.search(r"Selection: 1 \w+( \d{4})? – \d{1,2} \w+ \d{4}", notice.inner_text())
    assert 0 < events_shown(page) < before

    # the page's other parts are sections, one drawn at a time, the open one in the link
    for name in ("Reported against counted", "Gaps", "Change between periods", "Patrol numbers"):
        _section(page, name).click()
        wait_for_streamlit(page)
        screenshot(page, "frequency_section_" + name.split()[0].lower())
    assert "freq_section=Patrol+numbers" in page.url
    assert page.locator("h3", has_text=EVENTS_HEADING).count() == 0  # not drawn meanwhile
    _section(page, "Gaps").click()
    page.get_by_role("heading", name=re.compile(r"^Gaps longer than")).first.wait_for()
    _section(page, "Frequency").click()
    assert events_shown(page) > 0

    assert not page_log.page_errors
    assert not [u for u, _ in page_log.blocked if "kaleido" in u or "plot.ly" in u]
