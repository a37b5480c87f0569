"""Browser harness: the real app in Debian's headless Chromium, with no internet.

Fixtures (names and signatures are stable: browser tests are written against them)
  streamlit_app  (session) ``streamlit_app(script) -> URL``: start a Streamlit script (path
                 relative to the repo root, or absolute) on a free localhost port, once per
                 session; later calls with the same script and environment get the same
                 server
  app_url        (session) the dashboard (app.py, or $PATROLWATCH_TEST_APP) -> its URL
  app_with_env   (module) ``app_with_env(env) -> URL``: the dashboard with extra environment
                 variables (another data set, store, secrets file). One server per
                 configuration (the env given plus the PATROLWATCH_* and STREAMLIT_*
                 variables in force) for the whole session: two modules asking for the same
                 configuration share a server, so a test must not count on a server no other
                 module has used (give it a store of its own: a new folder in the env)
  browser        (session) one Chromium for the session, launched with the app's own
                 flags (components.export_files.CHROMIUM_ARGS)
  page_log       what the page did: console errors, failed and blocked requests
  page           a Playwright page, 1600x1000, in the session's browser context: no cookie
                 and no local storage of an earlier test, the cache kept. It is one page,
                 which the tests of a worker take turns on: a listener a test adds to it,
                 the test removes. Every request to a host other than loopback fails
                 (LOOPBACK_ONLY_ARGS) and is recorded in page_log.blocked
  new_context(browser, **options)   a context of one's own (another person, size)
Helpers
  _start(script, tmp, extra_env=None) -> _Server   start one server of one's own (stop it
                 with ``.stop()``), for a test that needs a server just started; prefer the
                 fixtures above, which share servers
  wait_for_streamlit(page)   wait until the app has finished running
  screenshot(page, name)     save artifacts/screenshots/<name>.png

Mark browser tests with ``@pytest.mark.browser``. Chromium is Debian's (/usr/bin/chromium,
``make chromium``); nothing here downloads a browser: never run ``playwright install``.
Wait on a condition (``locator.wait_for``, ``page.wait_for_function``), not a fixed time.
The suite may run in parallel workers (pytest-xdist): servers take a free port each and
their logs are named by port, temporary folders come from ``tmp_path``/``tempfile``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from components.export_files import (  # the one list of Chromium's flags
    CHROMIUM_ARGS,
    LOOPBACK_ONLY_ARGS,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOGS = ARTIFACTS / "logs"

CHROMIUM = os.environ.get("PATROLWATCH_CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
STARTUP_TIMEOUT_S = 60.0
VIEWPORT = {"width": 1600, "height": 1000}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float = 2.0) -> str:
    # no proxy: the server is on this machine
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as r:
        return r.read().decode("utf-8", "replace")


@dataclass
class _Server:
    script: Path
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def _streamlit_command() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "streamlit"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "streamlit"]


def _launcher(script: Path, tmp: Path) -> Path:
    """Streamlit serves the ``static/`` folder that sits next to the main script. A script
    outside the repo root (a harness self-test app) is run through a launcher in a temporary
    folder holding a link to the repo's ``static/``."""
    if script.parent == ROOT:
        return script
    folder = tmp / script.stem
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "static"
    if not link.exists():
        link.symlink_to(ROOT / "static", target_is_directory=True)
    launcher = folder / script.name
    launcher.write_text(
        f"import runpy\n\nrunpy.run_path({str(script)!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    return launcher


def _start(script: Path, tmp: Path, extra_env: dict[str, str] | None = None) -> _Server:
    port = _free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"streamlit-{script.stem}-{port}.log"
    env = {**os.environ, **(extra_env or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    cmd = [
        *_streamlit_command(),
        "run",
        str(_launcher(script, tmp)),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = _Server(script, port, proc, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {proc.returncode} before answering:\n"
                f"{' '.join(cmd)}\n{server.output()}"
            )
        try:
            if _get(f"{server.url}/_stcore/health").strip() == "ok":
                return server
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(
        f"streamlit did not answer /_stcore/health within {STARTUP_TIMEOUT_S:.0f} s:\n"
        f"{' '.join(cmd)}\n{server.output()}"
    )


#: environment variables that change what a server shows: part of its configuration
_CONFIG_PREFIXES = ("PATROLWATCH_", "STREAMLIT_", "AUTHLIB_")


def _configuration(script: Path, extra_env: dict[str, str] | None) -> tuple:
    """What makes two servers the same: the script and the environment it runs with (the
    harness's own variables and the extra ones; the rest of the environment is the same for
    every server of the session)."""
    env = {k: v for k, v in os.environ.items() if k.startswith(_CONFIG_PREFIXES)}
    env.update(extra_env or {})
    return (str(script), tuple(sorted(env.items())))


class _ServerPool:
    """The session's servers, one per configuration, stopped when the session ends."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.servers: dict[tuple, _Server] = {}

    def url(self, script: Path, extra_env: dict[str, str] | None = None) -> str:
        key = _configuration(script, extra_env)
        server = self.servers.get(key)
        if server is None or server.proc.poll() is not None:
            server = self.servers[key] = _start(script, self.tmp, extra_env)
        return server.url

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.servers.clear()


@pytest.fixture(scope="session")
def _server_pool() -> Iterator[_ServerPool]:
    tmp = Path(tempfile.mkdtemp(prefix="patrolwatch-apps-"))
    pool = _ServerPool(tmp)
    try:
        yield pool
    finally:
        pool.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def streamlit_app(_server_pool: _ServerPool) -> Callable[[str | Path], str]:
    """Start a Streamlit script (path relative to the repo root, or absolute) and return
    its base URL; each script is started once per session and stopped at the end."""

    def start(script: str | Path) -> str:
        path = Path(script)
        path = (path if path.is_absolute() else ROOT / path).resolve()
        if not path.is_file():
            raise FileNotFoundError(path)
        return _server_pool.url(path)

    return start


@pytest.fixture(scope="module")
def app_with_env(_server_pool: _ServerPool) -> Callable[[dict[str, str]], str]:
    """Start the dashboard with extra environment variables (another data set or store)
    and return its base URL. One server per configuration for the whole session: a module
    asking for a configuration already running gets that server."""

    def start(env: dict[str, str]) -> str:
        return _server_pool.url(ROOT / "app.py", env)

    return start


@pytest.fixture(scope="session")
def app_script() -> str:
    """The dashboard's entry script; $PATROLWATCH_TEST_APP points the harness elsewhere."""
    return os.environ.get("PATROLWATCH_TEST_APP", "app.py")


@pytest.fixture(scope="session")
def app_url(streamlit_app: Callable[[str | Path], str], app_script: str) -> str:
    """Base URL (http://127.0.0.1:PORT) of the running dashboard."""
    return streamlit_app(app_script)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright gives every launch a new, empty --user-data-dir of its own.
        b = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + LOOPBACK_ONLY_ARGS
        )
        try:
            yield b
        finally:
            b.close()


def new_context(browser: object, **options: object) -> object:
    """A browser context of its own (its own cookies and cache: one person), 1600x1000
    unless ``options`` say otherwise."""
    return browser.new_context(**{"viewport": VIEWPORT, **options})


@pytest.fixture(scope="session")
def _shared_context(browser) -> Iterator[object]:
    """The context every ``page`` opens in: its cache is kept from test to test (the app's
    scripts are fetched and compiled once), its cookies are not."""
    context = new_context(browser)
    try:
        yield context
    finally:
        context.close()


@dataclass
class PageLog:
    """What a page did. ``blocked`` holds requests to other hosts, which all fail."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # url, type, error
    blocked: list[tuple[str, str]] = field(default_factory=list)  # url, resource type
    requests: list[tuple[str, str]] = field(default_factory=list)  # url, resource type
    http_errors: list[tuple[str, int]] = field(default_factory=list)  # url, status >= 400

    def unexpected_failures(self) -> list[tuple[str, str, str]]:
        """Failed requests other than the ones to other hosts."""
        blocked = {u for u, _ in self.blocked}
        return [f for f in self.failed if f[0] not in blocked]


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


#: the cookie that names the test now running (set for loopback, every port: each server)
_TEST_COOKIE = "pw-test"
#: run in every document the test page loads, before the page's own scripts: what an
#: earlier test left in the site's storage is forgotten at this test's first load of it
#: (Streamlit keeps there whether a person folded the sidebar, and more)
_FORGET_STORAGE = """(() => { try {
  const m = document.cookie.match(/(?:^|; )NAME=([^;]*)/);
  if (m && localStorage.getItem("NAME") !== m[1]) {
    localStorage.clear(); sessionStorage.clear(); localStorage.setItem("NAME", m[1]);
  }
} catch (e) {} })();""".replace("NAME", _TEST_COOKIE)


@dataclass
class _TestPage:
    """The one page the tests of a worker take turns on. A page of its own for each test
    made Chromium start a renderer process for it, which then fetched the app's code from
    the cache and compiled it again: twice the CPU of a load in a page kept open. Between
    tests it is sent to about:blank, which ends the app's session and keeps the process."""

    context: object
    current: object | None = None

    def get(self) -> object:
        if self.current is None or self.current.is_closed():
            self.current = self.context.new_page()
            self.current.add_init_script(_FORGET_STORAGE)
        return self.current


@pytest.fixture(scope="session")
def _test_page(_shared_context) -> _TestPage:
    return _TestPage(_shared_context)


@pytest.fixture
def page(_shared_context, _test_page: _TestPage, page_log: PageLog) -> Iterator[object]:
    context = _shared_context
    p = _test_page.get()
    p.set_viewport_size(VIEWPORT)
    token = f"{os.getpid()}-{time.monotonic_ns()}"
    context.add_cookies([{"name": _TEST_COOKIE, "value": token, "url": "http://127.0.0.1"}])

    def request(r) -> None:
        page_log.requests.append((r.url, r.resource_type))
        if not is_local(r.url):
            page_log.blocked.append((r.url, r.resource_type))

    listeners = {
        "console": lambda m: m.type == "error" and page_log.console_errors.append(m.text),
        "pageerror": lambda e: page_log.page_errors.append(str(e)),
        "response": lambda r: r.status >= 400 and page_log.http_errors.append((r.url, r.status)),
        "request": request,
        "requestfailed": lambda r: page_log.failed.append(
            (r.url, r.resource_type, r.failure or "")
        ),
    }
    for event, listener in listeners.items():
        p.on(event, listener)
    try:
        yield p
    finally:
        # whatever the test opened is closed, its routes and sign-ins forgotten; the page
        # leaves the app (its session ends) and the cache stays
        for event, listener in listeners.items():
            p.remove_listener(event, listener)
        for other in context.pages:
            if other is not p:
                other.close()
        if not p.is_closed():
            p.unroute_all(behavior="ignoreErrors")
            p.goto("about:blank")
        context.clear_cookies()


#: the made-up places of the ACLED import fixture lie at 37° N, which is Turkey, though
#: the file says Syria: the embedded data set's geography refuses them (the import test
#: shows that); moved this far south they lie in Syria, and the rest of the file is kept
ACLED_FIXTURE = ROOT / "tests" / "fixtures_import" / "acled_current.csv"
ACLED_SOUTH_DEG = 0.5


def acled_in_syria() -> dict:
    """The ACLED import fixture (SYNTHETIC) with its places moved ``ACLED_SOUTH_DEG`` south,
    into Syria, under the same file name, as Playwright's ``set_input_files`` takes it. The
    latitude the importer refuses (97.5) is kept."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(ACLED_FIXTURE.read_text(encoding="utf-8"))))
    for row in rows:
        lat = float(row["latitude"])
        if -90 <= lat <= 90:
            row["latitude"] = f"{lat - ACLED_SOUTH_DEG:.4f}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return {"name": ACLED_FIXTURE.name, "mimeType": "text/csv", "buffer": out.getvalue().encode()}


def wait_for_streamlit(page, timeout_ms: int = 60_000) -> None:
    """Wait until the Streamlit app has finished its run: connected, the script not
    running, the main block drawn and no "running" indicator left."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )
    page.wait_for_selector('[data-testid="stMainBlockContainer"]', timeout=timeout_ms)
    # a freshly loaded page reports "notRunning" before its first run has even started:
    # wait for the run to have drawn something
    page.wait_for_selector(
        '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]',
        timeout=timeout_ms,
    )
    page.wait_for_function(
        """() => !document.querySelector(
                '[data-testid="stStatusWidgetRunningIcon"],'
                + ' [data-testid="stStatusWidgetRunningManIcon"]')
            && document.querySelector('[data-testid="stApp"]')
                .getAttribute('data-test-script-state') === 'notRunning'""",
        timeout=timeout_ms,
        polling=100,  # not at every frame: that keeps Chromium painting while it waits
    )


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


EVENTS_HEADING = re.compile(r"^Events \((\d[\d,]*)\)$")


def events_shown(page, timeout_ms: int = 90_000) -> int:
    """The count in the page's "Events (N)" heading, once it is drawn."""
    heading = page.locator("h3", has_text=EVENTS_HEADING).first
    heading.wait_for(timeout=timeout_ms)
    return int(EVENTS_HEADING.match(heading.inner_text().strip()).group(1).replace(",", ""))


def drag_timeline(page, chart, a: float, b: float, timeout_ms: int = 90_000) -> None:
    """Drag across a plotly ``chart`` from fraction ``a`` to ``b`` of its plot's width."""
    area = chart.locator(".draglayer .xy .nsewdrag").first
    area.wait_for(timeout=timeout_ms)
    chart.scroll_into_view_if_needed()
    box = area.bounding_box()
    assert box and box["width"] > 200
    y = box["y"] + box["height"] * 0.6
    x0, x1 = box["x"] + box["width"] * a, box["x"] + box["width"] * b
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y, steps=6)
    page.mouse.move(x1, y, steps=6)
    page.mouse.up()


_MAP_STATE = """() => {
  const m = Object.values(window).find(v => v && v._leaflet_id && v.getBounds && v.getZoom);
  if (!m || !m._loaded) { return null; }
  const b = m.getBounds(), s = m.getSize();
  return {zoom: m.getZoom(), min: m.getMinZoom(), w: s.x, h: s.y,
          south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(),
          bg: getComputedStyle(m.getContainer()).backgroundColor};
}"""


def assert_overview_map_shows_no_grey(page, shot: str) -> None:
    """The whole period's Overview map, as drawn at the page's width: no Leaflet grey (its
    container has the basemap's land colour, it cannot zoom out past the basemap) and what
    it draws in view (the whole border strip, west to east). Saves the frame as <shot>.png."""
    from components.patrol_map import MAP_FRAME_TITLE

    frame = page.locator(f'iframe[title="{MAP_FRAME_TITLE}"]').first
    frame.wait_for(timeout=90_000)
    frame.scroll_into_view_if_needed()
    inner = frame.element_handle().content_frame()
    inner.wait_for_function(_MAP_STATE, timeout=60_000)
    page.wait_for_timeout(1000)  # a resize after the first draw would refit it
    state = inner.evaluate(_MAP_STATE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    frame.screenshot(path=str(SCREENSHOTS / f"{shot}.png"))
    assert state["bg"] == "rgb(244, 241, 232)", state  # the land along the basemap's edges
    assert state["min"] > 0 and state["zoom"] >= state["min"], state
    assert state["west"] < 36.2 and state["east"] > 42.0, state
