"""Export for a briefing as a person does it, in headless Chromium with no internet: filter
to 2021 and the Darbasiyah track, open the export panel, download the PNG slide and the PDF
brief, and reopen the view from the link after the data set version has changed."""

from __future__ import annotations

import io
import struct
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser

DARBASIYAH = "Darbasiyah countryside (Shirk - al-Darbasiyah - Amuda)"


def test_export_from_the_overview(page, page_log, app_url):
    page.goto(
        f"{app_url}/?dates=2021-01-01&dates=2021-12-31&routes={quote(DARBASIYAH)}",
        wait_until="domcontentloaded",
    )
    wait_for_streamlit(page)
    page.get_by_role("button", name="Export for a briefing").click()
    panel = page.locator('[data-testid="stPopoverBody"]')
    panel.get_by_role("button", name="Slide (PNG)").wait_for(timeout=30_000)
    title = panel.get_by_role("textbox", name="Title")
    assert "Patrols in 2021 · Darbasiyah countryside" in title.get_attribute("placeholder")
    screenshot(page, "export_panel")

    out = ARTIFACTS / "exports"
    out.mkdir(parents=True, exist_ok=True)
    with page.expect_download(timeout=90_000) as slide:
        panel.get_by_role("button", name="Slide (PNG)").click()
    png = slide.value
    assert png.suggested_filename.startswith("patrolwatch-patrols-in-2021-darbasiyah")
    assert png.suggested_filename.endswith(".png")
    png.save_as(out / "browser-slide.png")
    data = (out / "browser-slide.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1920, 1080)

    with page.expect_download(timeout=90_000) as brief:
        panel.get_by_role("button", name="Brief (PDF)").click()
    pdf = brief.value
    assert pdf.suggested_filename.endswith(".pdf")
    pdf.save_as(out / "browser-brief.pdf")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO((out / "browser-brief.pdf").read_bytes()))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert f"In 2021, the data set holds 1 patrol on {DARBASIYAH} recorded one by one" in text
    assert "localhost" not in text and "127.0.0.1" not in text  # no public address: no link
    assert "SOURCES" in text

    # the link reopens this view; made from another version, it says the data changed
    link = panel.locator('[data-testid="stCode"]').inner_text().replace("\n", "")
    assert "dates=2021-01-01" in link and "routes=darbasiyah" in link and "dsv=" in link
    old = link.split("dsv=")[0] + "dsv=0.0.1-old"
    later = page.context.new_page()
    later.goto(old, wait_until="domcontentloaded")
    wait_for_streamlit(later)
    alert = later.locator('[data-testid="stAlert"]').filter(has_text="data set version 0.0.1-old")
    assert "the data have changed since" in alert.inner_text()
    # the last patrol's date; under load the figures can still be filling in: wait for it
    expect(later.locator('[data-testid="stMetricValue"]').nth(1)).to_contain_text(
        "2021", timeout=60_000
    )
    later.close()

    assert not page_log.page_errors
