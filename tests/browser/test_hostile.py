"""Every page in a real browser on a store holding the hostile corpus's accepted records
(tests/hostile/site.py, SYNTHETIC): no alert, confirm or prompt ever opens, no script error,
no exception drawn, and the map frames hold the hostile text as text."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser

PAGES = ["", "map_explorer", "frequency", "sources", "data", "reports"]


@pytest.fixture(scope="module")
def hostile_url(app_with_env, hostile_site):
    return app_with_env({**hostile_site.env(), "PATROLWATCH_TODAY": "2026-11-24"})


def test_no_page_runs_anything_from_the_hostile_records(page, page_log, hostile_url):
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)  # the page is the next test's too: removed at the end
    try:
        carried = _open_every_page(page, hostile_url)
    finally:
        page.remove_listener("dialog", on_dialog)
    assert carried, "no map frame held the hostile records"
    assert dialogs == [], dialogs
    assert page_log.page_errors == [], page_log.page_errors


def _open_every_page(page, hostile_url: str) -> int:
    """Open each page and check it; the number of map frames that held the hostile text.
    Dialogs opened inside a map's iframe reach the page's handler too."""
    carried = 0
    for path in PAGES:
        page.goto(f"{hostile_url}/{path}")
        wait_for_streamlit(page, timeout_ms=90_000)
        page.wait_for_timeout(1500)  # the maps' iframes run their scripts
        assert page.locator('[data-testid="stException"]').count() == 0, path
        for frame in page.frames[1:]:
            text = frame.evaluate("() => document.documentElement.outerHTML")
            assert "<script>alert(1)" not in text and "onerror=alert" not in text, path
            carried += "7*7" in text  # the hostile text did reach the map, as text
        screenshot(page, f"hostile_{path or 'overview'}")
    return carried
