"""The playback exported as GIF and MP4 in Debian's Chromium, offline: 16:9 at 1280×720, one
frame per window, the date stamps in order. SYNTHETIC fixture (tests/fixtures.py). The files
are kept in artifacts/exports/ to be looked at."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from components.animation_export import draw_animation, frame_indices
from components.playback import build_playback
from data.filters import EventFilter, filter_events
from tests.browser.conftest import ARTIFACTS

EXPORTS = ARTIFACTS / "exports"


def test_frame_indices_thin_long_plays() -> None:
    assert frame_indices(0) == []
    assert frame_indices(5, 10) == [0, 1, 2, 3, 4]
    picked = frame_indices(365, 120)
    assert len(picked) <= 120 and picked[0] == 0 and picked[-1] == 364
    assert picked == sorted(set(picked))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from data.load import load_dataset_files
    from tests.fixtures import write_mini_dataset

    ds = load_dataset_files(write_mini_dataset(tmp_path_factory.mktemp("mini")))
    f = EventFilter(start=date(2020, 1, 1), end=date(2020, 6, 30))
    events = filter_events(ds, f)
    return ds, build_playback(
        ds,
        events,
        start=f.start,
        end=f.end,
        title="SYNTHETIC patrols, Jan–Jun 2020",
        sources="Sources: synthetic test fixture",
    )


def test_gif_has_one_frame_per_month(data) -> None:
    ds, playback = data
    out = draw_animation(ds, playback, fmt="gif", unit="month", mode="sliding")
    EXPORTS.mkdir(parents=True, exist_ok=True)
    (EXPORTS / "playback-synthetic.gif").write_bytes(out.data)
    assert out.frames == 6
    assert out.stamps == ("Jan 2020", "Feb 2020", "Mar 2020", "Apr 2020", "May 2020", "Jun 2020")
    im = Image.open(io.BytesIO(out.data))
    assert im.format == "GIF" and im.size == (1280, 720)
    assert im.n_frames == 6
    assert 20_000 < len(out.data) < 8_000_000
    # the frames differ (the stamp and the markers change)
    im.seek(0)
    first = im.convert("RGB").tobytes()
    im.seek(2)
    assert im.convert("RGB").tobytes() != first


def test_mp4_has_the_same_frames(data) -> None:
    import imageio_ffmpeg

    ds, playback = data
    out = draw_animation(ds, playback, fmt="mp4", unit="month", mode="cumulative")
    EXPORTS.mkdir(parents=True, exist_ok=True)
    path = EXPORTS / "playback-synthetic.mp4"
    path.write_bytes(out.data)
    assert out.data[4:8] == b"ftyp"
    assert out.frames == 6 and out.size == (1280, 720)
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 6
    meta = next(imageio_ffmpeg.read_frames(str(path)))
    assert tuple(meta["size"]) == (1280, 720)
    assert 5_000 < len(out.data) < 8_000_000
    assert out.stamps[-1] == "Jun 2020 (since 1 Jan 2020)"


def test_refuses_a_shape_that_is_not_for_a_slide(data) -> None:
    ds, playback = data
    with pytest.raises(ValueError, match="16:9"):
        draw_animation(ds, playback, size=(800, 450))
    with pytest.raises(ValueError, match="fmt"):
        draw_animation(ds, playback, fmt="avi")
