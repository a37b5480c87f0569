"""The one Chromium renderer of exports: it draws a :class:`~components.briefing.Briefing`
into a PNG of the slide and a PDF of the brief, and a plotly chart laid out for a slide
(``components.briefing.slide_figure``) into a PNG, in Debian's Chromium
(``/usr/bin/chromium``, or ``$PATROLWATCH_CHROMIUM``) driven by Playwright, with no
internet. :func:`chromium_path` is the one place that finds that Chromium.

How: the documents are never written to disk nor fetched from a server. The page is opened
at ``http://127.0.0.1:9/`` (the discard port, never contacted) and every request the page
makes is answered here, from memory or from ``static/``: ``/slide.html``, ``/brief.html``
or ``/chart.html``, the map document ``/map.html``, plotly.js from the ``plotly`` package
(``/plotly.js``) and Leaflet and its plugins from ``static/node_modules`` under
``/app/static/`` (where ``components.assets.localise_assets`` points a map). Any other
request (an online tile, a CDN) is refused, so the export looks the same with or without a
network. A PNG is a screenshot of a fixed viewport at a fixed scale; the PDF is printed
from pages laid out at A4's size. Both wait until the map, the chart and the fonts are
drawn.

Pure of streamlit: the ``draw_*`` functions make files, ``components.export_panel`` offers
them. The Playwright sync API runs on a renderer's thread (:func:`in_chromium`), which
keeps its Chromium for the next export, so it can be called from a Streamlit script or a
download callback alike.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import plotly.graph_objects as go

from components.assets import STATIC_DIR
from components.briefing import (
    ASPECTS,
    CHART_SRC,
    MAP_SRC,
    PAGE_SIZE,
    PLOTLY_SRC,
    SLIDE_HEIGHT,
    SLIDE_SCALE,
    SLIDE_WIDTH,
    Briefing,
    brief_html,
    chart_html,
    slide_html,
)

#: the origin the documents are opened at; requests to it are answered in process
ORIGIN = "http://127.0.0.1:9"
CHROMIUM_ENV = "PATROLWATCH_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Chromium's command-line flags: the one list, used by the exports, the browser tests
#: (tests/browser/conftest.py) and the browser benchmark (bench/browser.py)
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
#: added to CHROMIUM_ARGS where a browser shows the app itself (the browser tests, the
#: browser benchmark): every request for a host other than loopback goes to this proxy,
#: where nothing listens, and fails at once (Chromium never proxies loopback). A flag rather
#: than Playwright's request routing, which turns the browser's cache off.
LOOPBACK_ONLY_ARGS = ["--proxy-server=http://127.0.0.1:9"]
#: how long one export may take before it is given up
TIMEOUT_S = 60.0
#: exports drawn at once by this server, each by a Chromium of its own (a renderer)
RENDERERS = 2
#: a renderer's Chromium is closed after this long without an export, and started again
#: by the next one
IDLE_S = 300.0

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


def _plotly_js() -> bytes:
    """plotly.js as bundled in the installed ``plotly`` package (never a CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


def _static_file(path: str) -> Path | None:
    """The file under static/ that ``/app/static/<rel>`` names, if it exists there. The
    path is judged as written (no '..', not absolute), so a static/node_modules that is a
    link to a shared install is still served."""
    rel = PurePosixPath(unquote(path.split(_STATIC_PREFIX, 1)[1]))
    if rel.is_absolute() or ".." in rel.parts or "\\" in str(rel):
        return None
    target = STATIC_DIR / rel
    return target if target.is_file() else None


class _Renderer:
    """One headless Chromium kept by a thread of its own: started by the first export it
    draws, reused by the next ones (an export then costs its drawing, not the start of a
    browser), closed after :data:`IDLE_S` without work, and started afresh if it has died.
    The Playwright sync API is bound to the thread that started it, so every job runs on
    that thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[tuple[Callable[[object, int], object], int, Future]] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._running = False

    def submit(self, job: Callable[[object, int], object], timeout_ms: int) -> Future:
        done: Future = Future()
        with self._lock:
            self._jobs.put((job, timeout_ms, done))
            if not self._running:
                self._running = True
                threading.Thread(target=self._serve, name=self.name, daemon=True).start()
        return done

    def _serve(self) -> None:
        from playwright.sync_api import sync_playwright

        pw = browser = None
        try:
            while True:
                try:
                    job, timeout_ms, done = self._jobs.get(timeout=IDLE_S)
                except queue.Empty:
                    with self._lock:  # a job put meanwhile is served before leaving
                        if self._jobs.empty():
                            self._running = False  # the next export starts a new thread
                            return
                    continue
                if not done.set_running_or_notify_cancel():
                    continue
                try:
                    if browser is None or not browser.is_connected():
                        path = chromium_path()
                        if path is None:
                            raise ExportError(unavailable_reason() or "Chromium is not installed")
                        if pw is None:
                            pw = sync_playwright().start()
                        browser = pw.chromium.launch(
                            executable_path=path, headless=True, args=CHROMIUM_ARGS
                        )
                    done.set_result(job(browser, timeout_ms))
                except BaseException as err:  # handed to the caller, who raises it
                    done.set_exception(err)
        except BaseException:
            with self._lock:
                self._running = False
            raise
        finally:  # after leaving (idle or not): a new thread may be serving already
            for close in (getattr(browser, "close", None), getattr(pw, "stop", None)):
                try:
                    if close is not None:
                        close()
                except Exception:  # the browser is gone already
                    pass


#: the free renderers, the one used last on top: exports one after another are all drawn
#: by one Chromium; a second starts only when two exports are drawn at once
_FREE: queue.LifoQueue[_Renderer] = queue.LifoQueue()
for _k in reversed(range(RENDERERS)):
    _FREE.put(_Renderer(f"patrolwatch-export-{_k}"))


@contextmanager
def export_slot(timeout_s: float) -> Iterator[_Renderer]:
    """Hold one of the server's renderers while it draws (at most :data:`RENDERERS`
    exports at once); raises :class:`ExportError` when none frees up within ``timeout_s``."""
    try:
        renderer = _FREE.get(timeout=timeout_s)
    except queue.Empty:
        raise ExportError(
            "the server is busy drawing other exports: try again in a moment"
        ) from None
    try:
        yield renderer
    finally:
        _FREE.put(renderer)


def offline_router(documents: dict[str, str], refused: list[str]) -> Callable[[object], None]:
    """The answer to every request of an export page (``context.route("**/*", …)``): its
    ``documents`` (path → HTML), plotly.js and the files under static/ (``/app/static/…``,
    the basemap's data included); anything else is refused (and listed in ``refused``)."""
    plotly: list[bytes] = []  # read once per page that asks for it

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
            if not plotly:
                plotly.append(_plotly_js())
            r.fulfill(body=plotly[0], content_type="application/javascript")
        elif _STATIC_PREFIX in path and (found := _static_file(path)) is not None:
            r.fulfill(
                body=found.read_bytes(),
                content_type=_TYPES.get(found.suffix, "application/octet-stream"),
            )
        else:
            refused.append(url)
            r.abort()

    return route


#: each renderer's Chromium keeps one page per device scale for the next exports: a page of
#: its own for each export made Chromium start a renderer process, which compiled plotly.js
#: and Leaflet again (a PNG and a PDF took twice as long). Only this export's documents are
#: served to it (its router replaces the last one's), and each export loads a new document.
_PAGES: weakref.WeakKeyDictionary[object, dict[float, object]] = weakref.WeakKeyDictionary()


def _export_page(browser, scale: float, viewport: tuple[int, int]):  # noqa: ANN001 (a playwright Browser)
    """The page ``browser`` keeps for exports at ``scale``, sized to ``viewport``."""
    pages = _PAGES.setdefault(browser, {})
    page = pages.get(scale)
    if page is None or page.is_closed():
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            device_scale_factor=scale,
            reduced_motion="reduce",
            locale="en-GB",
            timezone_id="UTC",
            color_scheme="light",
        )
        page = pages[scale] = context.new_page()
    else:
        page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    return page


def _forget_page(browser, scale: float) -> None:  # noqa: ANN001 (a playwright Browser)
    """Close the kept page that failed an export: the next export starts a new one."""
    page = _PAGES.get(browser, {}).pop(scale, None)
    try:
        if page is not None:
            page.context.close()
    except Exception:  # the browser is gone already
        pass


def _draw(
    browser,  # noqa: ANN001 (a playwright Browser)
    documents: dict[str, str],
    entry: str,
    viewport: tuple[int, int],
    scale: float,
    timeout_ms: int,
):
    """Load ``entry`` of ``documents`` in the page ``browser`` keeps for exports at
    ``scale`` and wait until it has drawn; the page, to be shot or printed (not closed)."""
    refused: list[str] = []
    errors: list[str] = []
    page = _export_page(browser, scale, viewport)
    context = page.context

    def on_error(e) -> None:  # noqa: ANN001 (a playwright Error)
        errors.append(str(e))

    page.on("pageerror", on_error)
    try:
        context.unroute_all(behavior="wait")
        context.route("**/*", offline_router(documents, refused))
        page.goto(ORIGIN + entry, wait_until="load", timeout=timeout_ms)
        page.wait_for_function(
            "() => window.__pwReady === true || typeof window.__pwError === 'string'",
            timeout=timeout_ms,
        )
    except Exception as err:  # playwright's TimeoutError
        _forget_page(browser, scale)
        raise ExportError(
            f"the export page did not finish drawing in {timeout_ms / 1000:.0f} s"
            + (f" ({'; '.join(errors[:3])})" if errors else "")
        ) from err
    finally:
        if not page.is_closed():
            page.remove_listener("pageerror", on_error)
    problem = page.evaluate("() => window.__pwError || null")
    if problem:
        _forget_page(browser, scale)
        raise ExportError(f"the chart could not be drawn: {problem}")
    return page


def in_chromium(job: Callable[[object, int], object], timeout_s: float) -> object:
    """Run ``job(browser, timeout_ms)`` on one of the server's renderers (a headless
    Chromium kept for the next export), waiting for a free one at most ``timeout_s``.
    Chromium's failures become :class:`ExportError`; the job's own errors are raised as
    they are."""
    from playwright.sync_api import Error as PlaywrightError

    if chromium_path() is None:
        raise ExportError(unavailable_reason() or "Chromium is not installed")
    with export_slot(timeout_s) as renderer:
        done = renderer.submit(job, int(timeout_s * 1000))
        try:
            return done.result(timeout=timeout_s * 2 + 30)
        except PlaywrightError as err:
            raise ExportError(f"Chromium failed while drawing the export: {err}") from err
        except FutureTimeout:
            raise ExportError(f"the export did not finish in {timeout_s * 2 + 30:.0f} s") from None


def draw_files(
    b: Briefing,
    *,
    png: bool = True,
    pdf: bool = True,
    aspect: str = "16:9",
    timeout_s: float = TIMEOUT_S,
) -> ExportFiles:
    """Draw the slide as a PNG (``aspect`` '16:9' → 1920×1080, '4:3' → 1920×1440) and/or
    the brief as an A4 PDF (one page of brief, and pages of sources after it when they do
    not all fit). Raises :class:`ExportError` when Chromium is missing, fails or takes
    longer than ``timeout_s``. Safe to call from any thread."""
    if aspect not in ASPECTS:
        raise ValueError(f"aspect must be one of {', '.join(ASPECTS)}")
    map_doc = {MAP_SRC: b.map_html} if b.map_html is not None else {}
    started = time.monotonic()

    def job(browser, timeout_ms: int) -> ExportFiles:  # noqa: ANN001 (a playwright Browser)
        out_png: bytes | None = None
        out_pdf: bytes | None = None
        if png:
            docs = {"/slide.html": slide_html(b, aspect), **map_doc}
            page = _draw(browser, docs, "/slide.html", ASPECTS[aspect], SLIDE_SCALE, timeout_ms)
            out_png = page.screenshot(
                type="png", animations="disabled", caret="hide", timeout=timeout_ms
            )
        if pdf:
            docs = {"/brief.html": brief_html(b), **map_doc}
            page = _draw(browser, docs, "/brief.html", PAGE_SIZE, 1.0, timeout_ms)
            page.emulate_media(media="screen")
            out_pdf = page.pdf(
                prefer_css_page_size=True,
                print_background=True,
                margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
            )
        return ExportFiles(png=out_png, pdf=out_pdf, seconds=round(time.monotonic() - started, 2))

    result = in_chromium(job, timeout_s)
    assert isinstance(result, ExportFiles)
    return result


def draw_slide_png(b: Briefing, aspect: str = "16:9") -> bytes:
    """The slide as PNG bytes (see :func:`draw_files`)."""
    files = draw_files(b, png=True, pdf=False, aspect=aspect)
    assert files.png is not None
    return files.png


def draw_brief_pdf(b: Briefing) -> bytes:
    """The brief as the bytes of a PDF (see :func:`draw_files`)."""
    files = draw_files(b, png=False, pdf=True)
    assert files.pdf is not None
    return files.pdf


def draw_chart_png(
    fig: go.Figure,
    *,
    width: int | None = None,
    height: int | None = None,
    timeout_s: float = TIMEOUT_S,
) -> bytes:
    """The figure as PNG bytes, ``width``×``height`` pixels (default: the figure's own
    size, else 1920×1080), drawn by plotly.js from the ``plotly`` package in the same
    offline Chromium as the briefing. Raises :class:`ExportError` as :func:`draw_files`."""
    w = int(width or fig.layout.width or SLIDE_WIDTH)
    h = int(height or fig.layout.height or SLIDE_HEIGHT)
    docs = {CHART_SRC: chart_html(fig, w, h)}

    def job(browser, timeout_ms: int) -> bytes:  # noqa: ANN001 (a playwright Browser)
        page = _draw(browser, docs, CHART_SRC, (w, h), 1.0, timeout_ms)
        return page.screenshot(type="png", animations="disabled", caret="hide", timeout=timeout_ms)

    result = in_chromium(job, timeout_s)
    assert isinstance(result, bytes)
    return result
