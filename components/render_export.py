"""Turn a :class:`~components.briefing.Briefing` into files: a PNG of the slide and a
one-page PDF of the brief, drawn by Debian's Chromium (``/usr/bin/chromium``) driven by
Playwright, with no internet.

How: the documents are never written to disk nor fetched from a server. The page is opened
at ``http://127.0.0.1:9/`` (the discard port, never contacted) and every request the page
makes is answered here, from memory or from ``static/``: ``/slide.html`` or
``/brief.html``, the map document ``/map.html``, plotly.js from the ``plotly`` package
(``/plotly.js``) and Leaflet and its plugins from ``static/node_modules`` under
``/app/static/`` (where ``components.assets.localise_assets`` points a map). Any other
request (an online tile, a CDN) is refused, so the export looks the same with or without a
network. The PNG is a screenshot of a fixed viewport at a fixed scale; the PDF is printed
from a page laid out at A4's size. Both wait until the map, the chart and the fonts are
drawn.

No streamlit here. The Playwright sync API runs in a thread of its own, so it can be called
from a Streamlit script or a download callback alike.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from components.assets import STATIC_DIR
from components.briefing import (
    ASPECTS,
    MAP_SRC,
    PAGE_SIZE,
    PLOTLY_SRC,
    SLIDE_SCALE,
    Briefing,
    brief_html,
    slide_html,
)

#: the origin the documents are opened at; requests to it are answered in process
ORIGIN = "http://127.0.0.1:9"
CHROMIUM_ENV = "PATROLWATCH_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--font-render-hinting=none",
    "--force-color-profile=srgb",
]
#: how long one export may take before it is given up
TIMEOUT_S = 60.0
#: exports drawn at once by this server (each runs a Chromium of its own)
_SLOTS = threading.BoundedSemaphore(2)

_STATIC_PREFIX = "/app/static/"
_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".gif": "image/gif",
}


class ExportError(RuntimeError):
    """An export could not be made; the message says why in words an analyst can act on."""


@dataclass(frozen=True)
class ExportFiles:
    """The files of one export and how long they took."""

    png: bytes | None
    pdf: bytes | None
    seconds: float


def chromium_path(env: dict[str, str] | None = None) -> str | None:
    """The Chromium the export drives: the one ``PATROLWATCH_CHROMIUM`` names if set, else
    /usr/bin/chromium or ``chromium`` on the PATH; None if there is none."""
    env = dict(os.environ) if env is None else env
    chosen = (env.get(CHROMIUM_ENV) or "").strip()
    for wanted in [chosen] if chosen else [DEFAULT_CHROMIUM, "chromium"]:
        if Path(wanted).is_file() and os.access(wanted, os.X_OK):
            return wanted
        found = shutil.which(wanted)
        if found:
            return found
    return None


def unavailable_reason(env: dict[str, str] | None = None) -> str | None:
    """Why exports cannot be made on this server, or None if they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "Exports need the Python package 'playwright' (in requirements.txt): run "
            "'make run' or 'pip install -r requirements.txt'."
        )
    if chromium_path(env) is None:
        return (
            "Exports are drawn by Chromium, which is not installed on this server: run "
            "'make run' (it installs Debian's chromium package) or 'apt-get install "
            "chromium fonts-dejavu-core'."
        )
    return None


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


def _static_file(path: str) -> Path | None:
    """The file under static/ that ``/app/static/<rel>`` names, if it exists there."""
    rel = unquote(path.split(_STATIC_PREFIX, 1)[1])
    root = STATIC_DIR.resolve()
    target = (root / rel).resolve()
    if root in target.parents and target.is_file():
        return target
    return None


def _router(documents: dict[str, str], refused: list[str]) -> Callable[[object], None]:
    def route(r) -> None:  # noqa: ANN001 (a playwright Route)
        url = r.request.url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
            refused.append(url)
            r.abort()
            return
        path = parts.path
        if path in documents:
            r.fulfill(body=documents[path], content_type="text/html; charset=utf-8")
        elif path == PLOTLY_SRC:
            r.fulfill(body=_plotly_js(), content_type="application/javascript")
        elif _STATIC_PREFIX in path and (found := _static_file(path)) is not None:
            r.fulfill(
                body=found.read_bytes(),
                content_type=_TYPES.get(found.suffix, "application/octet-stream"),
            )
        else:
            refused.append(url)
            r.abort()

    return route


def _draw(
    browser,  # noqa: ANN001 (a playwright Browser)
    documents: dict[str, str],
    entry: str,
    viewport: tuple[int, int],
    scale: float,
    timeout_ms: int,
):
    refused: list[str] = []
    errors: list[str] = []
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        device_scale_factor=scale,
        reduced_motion="reduce",
        locale="en-GB",
        timezone_id="UTC",
        color_scheme="light",
    )
    context.route("**/*", _router(documents, refused))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(ORIGIN + entry, wait_until="load", timeout=timeout_ms)
    try:
        page.wait_for_function(
            "() => window.__pwReady === true || typeof window.__pwError === 'string'",
            timeout=timeout_ms,
        )
    except Exception as err:  # playwright's TimeoutError
        context.close()
        raise ExportError(
            f"the export page did not finish drawing in {timeout_ms / 1000:.0f} s"
            + (f" ({'; '.join(errors[:3])})" if errors else "")
        ) from err
    problem = page.evaluate("() => window.__pwError || null")
    if problem:
        context.close()
        raise ExportError(f"the chart could not be drawn: {problem}")
    return context, page


def _render(b: Briefing, *, png: bool, pdf: bool, aspect: str, timeout_s: float) -> ExportFiles:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise ExportError(unavailable_reason() or "Chromium is not installed")
    started = time.monotonic()
    timeout_ms = int(timeout_s * 1000)
    map_doc = {MAP_SRC: b.map_html} if b.map_html is not None else {}
    out_png: bytes | None = None
    out_pdf: bytes | None = None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
            try:
                if png:
                    docs = {"/slide.html": slide_html(b, aspect), **map_doc}
                    context, page = _draw(
                        browser, docs, "/slide.html", ASPECTS[aspect], SLIDE_SCALE, timeout_ms
                    )
                    out_png = page.screenshot(
                        type="png", animations="disabled", caret="hide", timeout=timeout_ms
                    )
                    context.close()
                if pdf:
                    docs = {"/brief.html": brief_html(b), **map_doc}
                    context, page = _draw(browser, docs, "/brief.html", PAGE_SIZE, 1.0, timeout_ms)
                    page.emulate_media(media="screen")
                    out_pdf = page.pdf(
                        prefer_css_page_size=True,
                        print_background=True,
                        margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
                    )
                    context.close()
            finally:
                browser.close()
    except PlaywrightError as err:
        raise ExportError(f"Chromium failed while drawing the export: {err}") from err
    return ExportFiles(png=out_png, pdf=out_pdf, seconds=round(time.monotonic() - started, 2))


def render_files(
    b: Briefing,
    *,
    png: bool = True,
    pdf: bool = True,
    aspect: str = "16:9",
    timeout_s: float = TIMEOUT_S,
) -> ExportFiles:
    """Draw the slide as a PNG (``aspect`` '16:9' → 1920×1080, '4:3' → 1920×1440) and/or
    the brief as a one-page A4 PDF. Raises :class:`ExportError` when Chromium is missing,
    fails or takes longer than ``timeout_s``. Safe to call from any thread."""
    if aspect not in ASPECTS:
        raise ValueError(f"aspect must be one of {', '.join(ASPECTS)}")
    if not _SLOTS.acquire(timeout=timeout_s):
        raise ExportError("the server is busy drawing other exports: try again in a moment")
    try:
        # the sync API refuses to run inside an asyncio loop: give it a thread of its own
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="patrolwatch-export") as ex:
            job = ex.submit(_render, b, png=png, pdf=pdf, aspect=aspect, timeout_s=timeout_s)
            return job.result(timeout=timeout_s * 2 + 30)
    finally:
        _SLOTS.release()


def render_png(b: Briefing, aspect: str = "16:9") -> bytes:
    """The slide as PNG bytes (see :func:`render_files`)."""
    files = render_files(b, png=True, pdf=False, aspect=aspect)
    assert files.png is not None
    return files.png


def render_pdf(b: Briefing) -> bytes:
    """The brief as the bytes of a one-page PDF (see :func:`render_files`)."""
    files = render_files(b, png=False, pdf=True)
    assert files.pdf is not None
    return files.pdf
