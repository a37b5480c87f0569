"""The Data page's event form as a person fills it, in headless Chromium with no internet:
pick actors by name and give each a role, pick a source and grade the claim in words, save;
the form comes back empty and the undo picker is on the change just saved. The app runs on
a store of its own."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_with_own_store(app_with_env, tmp_path_factory) -> str:
    """The dashboard on a store of its own (a new folder: a server no other module uses)."""
    return app_with_env({"PATROLWATCH_STORE": str(tmp_path_factory.mktemp("own-store"))})


def _pick(page, label: str, typed: str) -> None:
    """Type into a multiselect or selectbox and take the first option offered (again if a
    rerun closed the list under the typing)."""
    box = page.locator('[data-testid="stMultiSelect"], [data-testid="stSelectbox"]').filter(
        has=page.get_by_text(label, exact=True)
    )
    option = page.get_by_role("option").first
    for attempt in range(3):
        wait_for_streamlit(page)
        box.locator("input").first.click()
        box.locator("input").first.fill(typed)
        try:
            option.wait_for(timeout=10_000)
            option.click(timeout=10_000)
            break
        except PlaywrightTimeout:  # a rerun redrew the box (or the list): type again
            if attempt == 2:
                raise
    if box.get_attribute("data-testid") == "stMultiSelect":
        page.keyboard.press("Escape")  # a multiselect stays open for the next choice
    wait_for_streamlit(page)


def _fill_event(page, day: str, text: str) -> None:
    label = "Date (any day inside the week, month… it is known to)"
    page.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(day.replace("/", ""))  # the year, month and day segments in turn
    page.keyboard.press("Tab")
    wait_for_streamlit(page)
    _pick(page, "Actors (type a name)", "Russian military police")
    _pick(page, "Role of Russian military police", "patrolling")
    _pick(page, "Sources (type a publisher or a word of the title)", "Turkey, Russia begin")
    _pick(page, "Credibility of this claim (source 1)", "possibly true")
    area = page.get_by_label("What happened, as the sources say it")
    area.fill(text)
    area.press("Control+Enter")
    wait_for_streamlit(page)


def _undo_offered(page) -> str:
    page.get_by_role("tab", name="Changes and undo").click()
    button = page.get_by_role("button", name="Undo this change (r")
    button.wait_for(timeout=30_000)
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Undo a whole change")
    shown = picker.locator("input").first.input_value()
    assert shown.startswith(button.inner_text()[-3:-1] + " "), (shown, button.inner_text())
    return button.inner_text()


def test_fill_the_form_with_pickers_save_and_see_it_cleared(page, page_log, app_with_own_store):
    page.goto(f"{app_with_own_store}/data", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.get_by_role("tab", name="Add or correct an event").click()
    _fill_event(page, "2024/05/22", "SYNTHETIC patrol typed in the browser")
    screenshot(page, "data_form_filled")
    page.get_by_role("button", name="Save event").click()
    page.get_by_text("Saved event ev-2024-05-22-joint-patrol").wait_for(timeout=60_000)
    wait_for_streamlit(page)
    # cleared: "(a new event)", no actor, no source, no description
    screenshot(page, "data_form_saved")
    event = page.locator('[data-testid="stSelectbox"]').filter(has_text="Event").first
    assert event.locator("input").first.input_value() == "(a new event)", event.inner_html()
    assert page.get_by_label("What happened, as the sources say it").input_value() == ""
    assert page.get_by_text("Role of Russian military police").count() == 0
    assert _undo_offered(page) == "Undo this change (r1)"

    page.get_by_role("tab", name="Add or correct an event").click()
    _fill_event(page, "2024/06/01", "SYNTHETIC second patrol")
    page.get_by_role("button", name="Save event").click()
    page.get_by_text("Saved event ev-2024-06-01-joint-patrol").wait_for(timeout=60_000)
    wait_for_streamlit(page)
    assert _undo_offered(page) == "Undo this change (r2)"  # the newest, not the one seen
    screenshot(page, "data_form_undo")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not page_log.page_errors, page_log.page_errors
