"""The playback as a file for a slide: an animated GIF or an MP4 (H.264), 16:9 at
1280×720 or more, each frame with the title, the legend, the date stamp and the sources
line.

Drawn the way the briefing export is (``components.export_files``): Debian's Chromium
driven by Playwright opens the playback map at a never-contacted origin whose every
request is answered from memory or ``static/`` (no internet), steps the same script the
explorer plays through its frames, and screenshots each. Frames are assembled by Pillow
(GIF) or imageio with the ffmpeg binary that the imageio-ffmpeg wheel ships (MP4).

No streamlit here; safe to call from a download callback's worker thread.
"""

from __future__ import annotations

import io
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from components.export_files import (
    ORIGIN,
    TIMEOUT_S,
    ExportError,
    in_chromium,
    offline_router,
)
from components.playback import build_playback_map
from data.model import DataSet

FORMATS = ("gif", "mp4")
#: the frame size (16:9); ``scale`` multiplies it (1.5 gives 1920×1080)
SIZE = (1280, 720)
#: at most this many frames: a longer play keeps every n-th frame
MAX_FRAMES = 120
#: how long each frame is shown
FRAME_S = 0.6
_ENTRY = "/playback.html"


@dataclass(frozen=True)
class Animation:
    """One exported animation: its bytes, frame count, frame size and the stamps shown."""

    data: bytes
    fmt: str
    frames: int
    size: tuple[int, int]
    stamps: tuple[str, ...]
    seconds: float


def frame_indices(n: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """Which of ``n`` frames go into the file: all of them, or every k-th (and the last)
    when there are more than ``max_frames``."""
    if n <= 0:
        return []
    step = max(1, math.ceil(n / max_frames))
    picked = list(range(0, n, step))
    if picked[-1] != n - 1:
        picked[-1] = n - 1
    return picked


def _shoot(
    browser,  # noqa: ANN001 (a playwright Browser)
    html: str,
    unit: str,
    mode: str,
    size: tuple[int, int],
    timeout_ms: int,
    cap: int,
) -> tuple[list, list[str]]:
    from PIL import Image
    from playwright.sync_api import Error as PlaywrightError

    refused: list[str] = []
    errors: list[str] = []
    images: list[Image.Image] = []
    stamps: list[str] = []
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        device_scale_factor=1,
        reduced_motion="reduce",
        locale="en-GB",
        timezone_id="UTC",
        color_scheme="light",
    )
    try:
        context.route("**/*", offline_router({_ENTRY: html}, refused))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(ORIGIN + _ENTRY, wait_until="load", timeout=timeout_ms)
        try:
            page.wait_for_function(
                "() => window.__pwReady === true && !!window.pwPlayback",
                timeout=timeout_ms,
            )
        except PlaywrightError as err:
            raise ExportError(
                "the playback did not draw" + (f" ({'; '.join(errors[:3])})" if errors else "")
            ) from err
        n = int(
            page.evaluate("([u, m]) => (pwPlayback.set(u, m), pwPlayback.frames())", [unit, mode])
        )
        page.wait_for_timeout(300)  # fonts and the basemap's first paint
        for k in frame_indices(n, cap):
            stamps.append(str(page.evaluate("k => pwPlayback.show(k)", k)))
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            shot = page.screenshot(type="png", animations="disabled", caret="hide")
            images.append(Image.open(io.BytesIO(shot)).convert("RGB"))
    finally:
        context.close()
    if not images:
        raise ExportError("the selection has no time to play: widen the date range")
    return images, stamps


def _gif(images: list, frame_s: float) -> bytes:
    buf = io.BytesIO()
    first, *rest = [im.quantize(colors=128, dither=0) for im in images]
    first.save(
        buf,
        format="GIF",
        save_all=True,
        append_images=rest,
        duration=int(frame_s * 1000),
        loop=0,
        disposal=1,
    )
    return buf.getvalue()


def _mp4(images: list, frame_s: float) -> bytes:
    import imageio.v2 as imageio
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="patrolwatch-anim-") as tmp:
        target = Path(tmp) / "playback.mp4"
        writer = imageio.get_writer(
            str(target),
            format="FFMPEG",  # type: ignore[arg-type]
            fps=1.0 / frame_s,
            codec="libx264",
            pixelformat="yuv420p",
            quality=8,
            macro_block_size=8,
            ffmpeg_log_level="error",
        )
        try:
            for im in images:
                writer.append_data(np.asarray(im))  # type: ignore[attr-defined]
        finally:
            writer.close()
        return target.read_bytes()


def _render(
    ds: DataSet,
    data: dict,
    fmt: str,
    unit: str,
    mode: str,
    size: tuple[int, int],
    frame_s: float,
    timeout_s: float,
    cap: int,
) -> Animation:
    started = time.monotonic()
    html = build_playback_map(ds, data, export=True).get_root().render()  # type: ignore[attr-defined]
    shot = in_chromium(
        lambda browser, timeout_ms: _shoot(browser, html, unit, mode, size, timeout_ms, cap),
        timeout_s,
    )
    assert isinstance(shot, tuple)
    images, stamps = shot
    out = _gif(images, frame_s) if fmt == "gif" else _mp4(images, frame_s)
    return Animation(
        data=out,
        fmt=fmt,
        frames=len(images),
        size=images[0].size,
        stamps=tuple(stamps),
        seconds=round(time.monotonic() - started, 2),
    )


def draw_animation(
    ds: DataSet,
    data: dict,
    *,
    fmt: str = "gif",
    unit: str | None = None,
    mode: str | None = None,
    size: tuple[int, int] = SIZE,
    frame_s: float = FRAME_S,
    max_frames: int = MAX_FRAMES,
    timeout_s: float = TIMEOUT_S * 3,
) -> Animation:
    """The playback ``data`` (``components.playback.build_playback``, with its ``title``
    and ``sources`` set) as a GIF or an MP4, one frame per window of ``unit`` (day, week,
    month; default the data's), sliding or cumulative. Raises ``ExportError`` with a reason
    an analyst can act on."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}")
    if size[0] < 1280 or size[0] * 9 != size[1] * 16:
        raise ValueError("an animation for a slide is 16:9 and at least 1280 px wide")
    unit = unit or data["unit"]
    mode = mode or data["mode"]
    return _render(ds, data, fmt, unit, mode, size, frame_s, timeout_s, max_frames)
