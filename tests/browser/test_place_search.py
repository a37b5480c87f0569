"""The place search as an analyst uses it, in headless Chromium with no internet: an Arabic
spelling and a Turkish one typed on the Overview, a result picked, the map centred on the
place with its record shown, and the link carrying the place."""

from __future__ import annotations

import pytest

from data.load import load_dataset_files
from tests.browser.conftest import screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser


def _rerun(page) -> None:
    page.wait_for_timeout(600)
    wait_for_streamlit(page)


def _focused_map(page, place_id: str) -> dict:
    """The Leaflet map's centre and zoom once the map has opened on ``place_id``."""
    page.wait_for_function(
        """(id) => Array.from(document.querySelectorAll('iframe')).some(f => {
            try { const w = f.contentWindow; const m = w.map || Object.keys(w).map(k => w[k])
                      .find(v => w.L && v instanceof w.L.Map);
                  return w.pwFocus && w.pwFocus.id === id && m && m.getZoom() >= 9;
            } catch (e) { return false; } })""",
        arg=place_id,
        timeout=60_000,
    )
    frame = next(
        f
        for f in page.frames
        if f != page.main_frame and f.evaluate("() => !!(window.pwFocus && window.pwFocus.id)")
    )
    return frame.evaluate(
        """() => { const map = window.map || Object.keys(window).map(k => window[k])
                      .find(v => v instanceof L.Map);
                   return {lat: map.getCenter().lat, lon: map.getCenter().lng, zoom: map.getZoom(),
                   popup: (document.querySelector('.leaflet-popup-content') || {}).innerText
                          || ''}; }"""
    )


def _search(page, query: str, result: str) -> None:
    box = page.get_by_label("Find a place", exact=True).first
    box.fill(query)
    box.press("Enter")
    _rerun(page)
    page.locator('[data-testid="stButton"] button', has_text=result).first.click()
    _rerun(page)


def test_search_arabic_and_turkish_spellings(page, page_log, app_url):
    places = load_dataset_files().places.set_index("place_id")
    page.goto(app_url, wait_until="domcontentloaded")
    wait_for_streamlit(page)

    _search(page, "الدرباسية", "→ al-Darbasiyah")
    seen = _focused_map(page, "al_darbasiyah")
    here = places.loc["al_darbasiyah"]
    assert abs(seen["lat"] - here["lat"]) < 0.05 and abs(seen["lon"] - here["lon"]) < 0.05
    assert seen["zoom"] >= 10
    assert "al-Darbasiyah" in seen["popup"] and "ܕܪܒܐܣܝܐ" in seen["popup"]
    assert "place=al_darbasiyah" in page.url
    page.locator('iframe[title="Map of the selection"]').first.scroll_into_view_if_needed()
    screenshot(page, "place_search_darbasiyah_map")
    record = page.locator('[data-testid="stExpander"]', has_text="names, position, sources").first
    record.locator("summary").click()
    record.get_by_text("Also written").wait_for(timeout=30_000)
    text = record.inner_text()
    assert "ܕܪܒܐܣܝܐ" in text and "Dirbêsiyê" in text  # names in every script
    assert "± 1.0 km" in text and "published" in text  # precision, how it is known
    assert "Sources (" in text  # with their grades
    record.scroll_into_view_if_needed()
    screenshot(page, "place_search_darbasiyah_record")

    _search(page, "Kamışlı", "Kamışlı → Qamishli")
    seen = _focused_map(page, "qamishli")
    here = places.loc["qamishli"]
    assert abs(seen["lat"] - here["lat"]) < 0.05 and abs(seen["lon"] - here["lon"]) < 0.05
    assert "place=qamishli" in page.url

    # a shared link opens on the place
    page.goto(page.url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    seen = _focused_map(page, "qamishli")
    assert abs(seen["lat"] - here["lat"]) < 0.05
    assert not page_log.page_errors, page_log.page_errors
