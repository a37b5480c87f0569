"""Importing a file through the data page, as a person does it, in headless Chromium with no
internet: drop a (SYNTHETIC) ACLED export, read the preview with its refused rows, confirm,
and see the new events on the overview's map and timeline. The app runs on a store of its
own, so the other browser tests never see these records."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ACLED_FIXTURE, acled_in_syria, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser

BAR_TOTAL = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    if (!plot || !plot._fullData) return null;
    return plot._fullData.filter(t => t.type === 'bar' && t.visible !== false)
        .reduce((s, t) => s + Array.from(t.y || []).reduce((a, b) => a + (Number(b) || 0), 0), 0);
}"""


@pytest.fixture(scope="module")
def app_with_own_store(app_with_env, tmp_path_factory) -> str:
    """The app on a store of its own, one server for the module (the refused hostile file
    writes nothing, and the import test compares the overview before and after)."""
    return app_with_env({"PATROLWATCH_STORE": str(tmp_path_factory.mktemp("import-store"))})


def _overview(page, url: str) -> tuple[int, int, float]:
    """Patrols counted, event markers on the map, patrols in the timeline's bars."""
    page.goto(url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.wait_for_selector('iframe[title="Map of the selection"]', timeout=60_000)
    frame = page.frame_locator('iframe[title="Map of the selection"]').first
    frame.locator("path.pw-event").first.wait_for(timeout=60_000)
    page.wait_for_function(f"({BAR_TOTAL})() !== null", timeout=60_000)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    metrics = {k.strip(): v.strip() for k, v in zip(labels, values, strict=True)}
    patrols = int(metrics["Patrols counted"].replace(",", ""))
    return patrols, frame.locator("path.pw-event").count(), page.evaluate(BAR_TOTAL)


def test_import_an_acled_export_and_see_it_on_the_overview(page, page_log, app_with_own_store):
    url = app_with_own_store
    patrols, markers, bars = _overview(page, url)

    page.goto(f"{url}/data", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    preview = page.get_by_text("7 rows read (ACLED export, current format (31 columns))")
    # the file as it is: its made-up places say Syria but lie at 37° N, in Turkey; the
    # data set's geography refuses their rows, naming the place and the distance
    upload.set_input_files(str(ACLED_FIXTURE))
    preview.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    assert "2 events" in preview.inner_text() and "5 row(s) refused" in preview.inner_text()
    turkey = page.locator('[data-testid="stDataFrame"]').filter(has_text="lies in Turkey").first
    turkey.wait_for(timeout=30_000)
    assert "Synthtown (synthtown) lies in Turkey" in turkey.text_content()
    assert "not in Syria as its country says" in turkey.text_content()
    screenshot(page, "import_preview_refused_in_turkey")

    # the same file with its places moved into Syria, on the page opened afresh
    page.goto(f"{url}/data", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    upload.set_input_files(acled_in_syria())
    preview = page.get_by_text(re.compile(r"^7 rows read \(ACLED.*5 events.*2 row\(s\) refused"))
    preview.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    assert page.get_by_text("5 row(s) refused").count() == 0  # the first file's preview is gone
    refused = page.locator('[data-testid="stDataFrame"]').filter(has_text="event_date").first
    refused.wait_for(timeout=30_000)
    screenshot(page, "import_preview")

    # two rows are refused: nothing is written until the analyst agrees to leave them out
    # 5 events, 6 places (4 named in the file, 2 areas around them), the file's source
    button = page.get_by_role("button", name="Import 12 record(s)")
    assert button.is_disabled()
    page.get_by_text("Import the rest without the 2 refused row(s)").click()
    wait_for_streamlit(page)
    button.click()
    page.get_by_text("Imported 12 record(s) from acled_current.csv").wait_for(timeout=60_000)
    wait_for_streamlit(page)
    page.get_by_role("tab", name="Changes and undo").click()
    page.get_by_role("button", name="Undo this change").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "import_changes")

    # three of the five events are patrols (two joint, one single), at places not shown before
    after_patrols, after_markers, after_bars = _overview(page, url)
    assert after_patrols == patrols + 3
    assert after_bars == bars + 3
    assert after_markers > markers
    screenshot(page, "import_overview")
    assert not page_log.page_errors


def test_a_hostile_file_is_refused_on_upload_and_its_name_shown_as_typed(
    page, page_log, app_with_own_store
):
    """A 100,000-deep JSON with a Markdown and bidi-override file name: refused at once
    (before any import option is asked), one line naming the file and the limit, the name
    shown literally (no bold, the override written out), no traceback."""
    url = app_with_own_store
    page.goto(f"{url}/data", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    name = "**bold** \u202eevil.json"
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": b"[" * 100_000 + b"]" * 100_000}
    )
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="levels of nesting")
    alert.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    text = alert.inner_text()
    assert "**bold** <U+202E>evil.json" in text and "Nothing was imported" in text
    assert page.locator("strong", has_text="bold").count() == 0
    assert page.get_by_text("Import options").count() == 0
    assert page.get_by_text("Traceback").count() == 0
    screenshot(page, "import_hostile_refused")
