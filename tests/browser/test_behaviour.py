"""One behaviour on every page, in headless Chromium with no internet: a drag on the
Overview's timeline narrows its map, table and figures and goes into the link; a link's
bad date is reported on the page, not silently reset, and the range used instead goes into
the link; a hand-written link's ids restore the filters they name, and a value that names
nothing is reported."""

from __future__ import annotations

import pytest

from data.load import load_dataset_files
from tests.browser.conftest import drag_timeline, events_shown, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser


def test_a_drag_on_the_overview_chart_narrows_the_page_and_the_link(page, page_log, app_url):
    page.goto(app_url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    before = events_shown(page)
    patrols = page.locator('[data-testid="stMetricValue"]').first.inner_text()

    drag_timeline(page, page.locator(".js-plotly-plot").first, 0.35, 0.55)
    notice = page.locator('[data-testid="stAlert"]', has_text="Selection:")
    notice.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    after = events_shown(page)
    assert 0 < after < before, (before, after)
    assert f"{after:,} of {before:,} events" in notice.inner_text()
    assert "selection=" in page.url
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() != patrols
    screenshot(page, "overview_selection")

    # the link restores the selection (shaded on the chart, no box of its own)
    page.goto(page.url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.locator('[data-testid="stAlert"]', has_text="Selection:").wait_for(timeout=60_000)
    assert events_shown(page) == after
    assert not page_log.page_errors


def test_a_links_out_of_range_date_is_reported(page, app_url):
    page.goto(
        f"{app_url}/?dates=1900-01-01&dates=2021-12-31&selection=nonsense&kinds=nonsense",
        wait_until="domcontentloaded",
    )
    wait_for_streamlit(page)
    dates = page.locator('[data-testid="stAlert"]', has_text="is before the first day")
    dates.wait_for(timeout=60_000)
    text = dates.inner_text()
    assert "dates='1900-01-01'" in text and "instead" in text
    sel = page.locator('[data-testid="stAlert"]', has_text="is not a span of two dates")
    assert "selection='nonsense'" in sel.inner_text()
    kinds = page.locator('[data-testid="stAlert"]', has_text="is not an event kind")
    assert "kinds='nonsense' is not an event kind: it was left out" in kinds.inner_text()
    sidebar = page.locator('[data-testid="stSidebar"]')
    end_year = sidebar.locator('[aria-label="year, Date range end date"]')
    assert end_year.inner_text() == "2021"
    screenshot(page, "overview_bad_link")

    # the link is mended once the page has been drawn: it carries the range used, once
    # (no loop rewriting it), and the note stays
    page.wait_for_function(
        "() => /dates=2019-10-16&dates=2021-12-31/.test(location.search)", timeout=120_000
    )
    wait_for_streamlit(page)
    mended = page.url
    page.wait_for_timeout(2000)
    assert page.url == mended
    assert dates.count() == 1

    # the range used instead, and the note, hold through the next run
    page.locator("button", has_text="Kind").first.click()
    page.wait_for_timeout(600)
    wait_for_streamlit(page)
    assert end_year.inner_text() == "2021"
    assert dates.count() == 1

    # the mended link opened afresh: the view, and no warning
    fresh = page.context.new_page()
    fresh.goto(mended, wait_until="domcontentloaded")
    wait_for_streamlit(fresh)
    events_shown(fresh)
    fresh_end = fresh.locator('[data-testid="stSidebar"]').locator(
        '[aria-label="year, Date range end date"]'
    )
    assert fresh_end.inner_text() == "2021"
    assert fresh.locator('[data-testid="stAlert"]', has_text="is before the first day").count() == 0
    fresh.close()


def _chosen(page, label: str) -> list[str]:
    """The values a sidebar multiselect shows chosen, once it shows one (on a loaded
    machine the chips were once not drawn yet when the page's figures already were)."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]', has_text=label)
    chips = box.first.locator("[data-tag] span[title]")
    chips.first.wait_for(timeout=30_000)
    return chips.all_inner_texts()


def test_a_hand_written_link_names_kinds_by_their_ids(page, app_url):
    events = load_dataset_files().events
    joint = int((events["kind"] == "joint_patrol").sum())
    assert 0 < joint < len(events)

    page.goto(f"{app_url}/?kinds=joint_patrol", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    assert events_shown(page) == joint
    assert _chosen(page, "Event kinds") == ["Joint patrol"]
    assert "kinds=joint_patrol" in page.url  # the link keeps the id, not the label
    screenshot(page, "link_kinds_by_id")

    # what the app writes when a person picks a kind: the id, which reopens the view
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Event kinds"
    )
    box.first.locator("input").click()
    page.get_by_role("option", name="Convoy escort", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => /kinds=joint_patrol&kinds=convoy_escort/.test(location.search)", timeout=60_000
    )
    wait_for_streamlit(page)
    both = int(events["kind"].isin(["joint_patrol", "convoy_escort"]).sum())
    assert events_shown(page) == both
