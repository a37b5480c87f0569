"""Playback on the map explorer: playing a few frames changes the date stamp and what is
drawn, in the browser, with no rerun of the app per frame."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser

FRAME = 'iframe[title*="streamlit_folium"]'


def _state(frame) -> tuple[str, str, int]:
    stamp = frame.locator(".pw-play-stamp").inner_text()
    index = frame.locator(".pw-play").get_attribute("data-frame") or ""
    return stamp, index, frame.locator("path.pw-play-event").count()


def test_play_a_few_frames_and_see_the_map_change(page, page_log, app_url):
    page.goto(f"{app_url}/map_explorer?dates=2020-01-01&dates=2022-12-31&mx_play=true")
    wait_for_streamlit(page)
    page.wait_for_selector(FRAME, timeout=60_000)
    frame = page.frame_locator(FRAME).first
    frame.locator(".pw-play-stamp").wait_for(timeout=60_000)
    first = _state(frame)
    assert first[0] == "Jan 2020" and first[1] == "0"

    # play: the frames advance in the browser
    frame.locator(".pw-play-toggle").click()
    frame.locator('.pw-play[data-frame="3"]').wait_for(timeout=20_000)
    frame.locator(".pw-play-toggle").click()  # pause
    played = _state(frame)
    assert played[0] != first[0] and int(played[1]) >= 3
    assert "Pause" not in frame.locator(".pw-play-toggle").inner_text()

    # step on through a year of months: the markers drawn change with the window
    counts = {played[2]}
    stamps = {played[0]}
    for _ in range(12):
        frame.locator(".pw-play-step").click()
        stamp, _, n = _state(frame)
        stamps.add(stamp)
        counts.add(n)
    assert len(stamps) == 13
    assert len(counts) > 1, "the number of drawn events never changed"

    # cumulative: everything up to the frame stays drawn, so there are at least as many
    _, _, sliding = _state(frame)
    frame.locator("select.pw-play-select").nth(2).select_option("cumulative")
    stamp, _, cumulative = _state(frame)
    assert "(since 1 Jan 2020)" in stamp and cumulative >= sliding
    page.locator(FRAME).first.scroll_into_view_if_needed()
    screenshot(page, "map_explorer_playback")
    assert not page_log.page_errors
    assert not page_log.unexpected_failures()


def test_export_the_animation_as_a_gif(page, app_url):
    import io

    from PIL import Image

    page.goto(f"{app_url}/map_explorer?dates=2020-01-01&dates=2020-06-30&mx_play=true")
    wait_for_streamlit(page)
    page.frame_locator(FRAME).first.locator(".pw-play-stamp").wait_for(timeout=60_000)
    page.get_by_role("button", name="Export the animation").click()
    button = page.get_by_role("button", name="Animation (GIF)")
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=120_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith("-month.gif")
    im = Image.open(io.BytesIO(open(download.path(), "rb").read()))
    assert im.size == (1280, 720) and im.n_frames == 6
