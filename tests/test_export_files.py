"""The exporter run on the embedded data in Debian's Chromium, with no internet: a PNG slide
of the right size, a one-page PDF whose text holds the key figures and the sources they
cite, and the same files again for the same view; the slide's and the brief's boxes (map,
legend, chart, key figures, sources) measured in the drawn page, none over another, the
map framing every event drawn; a brief with many sources listing them all; a chart alone
drawn as a PNG slide. The files are kept in artifacts/exports/ to be looked at."""

from __future__ import annotations

import io
import re
import struct
import threading
import time
from datetime import UTC, date, datetime

import pytest

from components import export_files
from components.briefing import (
    ASPECTS,
    MAP_SRC,
    PAGE_SIZE,
    SLIDE_SCALE,
    brief_html,
    build_briefing,
    drawn_points,
    frequency_export_view,
    slide_figure,
    slide_html,
    standard_view,
)
from components.export_files import (
    TIMEOUT_S,
    ExportError,
    _draw,
    chromium_path,
    draw_chart_png,
    draw_files,
    draw_slide_png,
    in_chromium,
    offline_router,
    unavailable_reason,
)
from data.briefing import Banner, dataset_version, default_title, view_link
from data.filters import EventFilter
from data.views import overview_view
from tests.browser.conftest import ARTIFACTS
from tests.fixtures import embedded_dataset

TODAY = date(2026, 11, 24)
AT = datetime(2026, 11, 24, 14, 3, tzinfo=UTC)
EXPORTS = ARTIFACTS / "exports"
# "A person filters to 2021 and the Darbasiyah track"
VIEW = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31), routes=("darbasiyah",))
# every patrol of the data set: many places, and far more sources than one page holds
WHOLE = EventFilter(start=date(2019, 10, 1), end=TODAY)
BOXES = (
    "pw-title-box",
    "pw-figures-box",
    "pw-map-box",
    "pw-legend-box",
    "pw-chart-box",
    "pw-sources-box",
    "pw-footer-box",
)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _pdf(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def _text(data: bytes) -> str:
    """The PDF's text with runs of white space (line breaks included) made one space."""
    return " ".join(" ".join(p.extract_text() for p in _pdf(data).pages).split())


@pytest.fixture(scope="module")
def briefing():
    if chromium_path() is None:
        pytest.fail("Chromium is missing: install Debian's chromium (make chromium)")
    ds = embedded_dataset()
    link = view_link(
        "https://patrolwatch.example.org/",
        {"dates": ["2021-01-01", "2021-12-31"], "routes": ["Darbasiyah countryside"]},
        dataset_version(ds),
    )
    return build_briefing(
        ds,
        VIEW,
        TODAY,
        view=standard_view(ds, VIEW, TODAY),
        title=default_title(ds, VIEW, TODAY),
        link=link,
        exported_at=AT,
        banner=Banner("UNCLASSIFIED", "#007a33"),
    )


@pytest.fixture(scope="module")
def files(briefing):
    out = draw_files(briefing, aspect="16:9")
    EXPORTS.mkdir(parents=True, exist_ok=True)
    (EXPORTS / "darbasiyah-2021.png").write_bytes(out.png)
    (EXPORTS / "darbasiyah-2021.pdf").write_bytes(out.pdf)
    return out


def test_png_is_a_slide_at_least_1920_wide(files):
    assert _png_size(files.png) == (1920, 1080)


def test_pdf_is_one_page_holding_the_figures_and_their_sources(files, briefing):
    reader = _pdf(files.pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = _text(files.pdf)
    for part in (
        "UNCLASSIFIED",
        "Patrols in 2021 · Darbasiyah countryside",
        "KEY FIGURES",
        "In 2021, the data set holds 1 patrol on Darbasiyah countryside (Shirk - al-Darbasiyah - "
        "Amuda) recorded one by one",
        "reports 344 joint patrols",
        "PatrolWatch embedded data set v1.1.0",
        "exported 24 Nov 2026, 14:03 UTC",
        "dsv=1.1.0",
    ):
        assert part in text, part
    # every source a figure cites is listed on the page, with its grade
    listed = {s.number: s for s in briefing.sources}
    cited: set[int] = set()
    for sentence in briefing.figures:
        assert " ".join(sentence.split()) in text
        for marks in re.findall(r"\[([\d, –]+)(?: · [A-F][1-6])?\]", sentence):
            for part in marks.split(", "):
                lo, _, hi = part.partition("–")
                cited.update(range(int(lo), int(hi or lo) + 1))
    assert cited and cited <= set(listed)
    for n in sorted(cited):
        s = listed[n]
        entry = f" {n} {s.publisher}"
        assert entry in text, s.publisher
        assert f" {s.grade}" in text[text.index(entry) :][: len(entry) + 160], s.publisher


def test_the_same_view_exports_the_same_files(briefing, files):
    again = draw_files(briefing, aspect="16:9")
    assert again.png == files.png
    assert _text(again.pdf) == _text(files.pdf)


def test_four_by_three_slide(briefing):
    data = draw_slide_png(briefing, "4:3")
    EXPORTS.mkdir(parents=True, exist_ok=True)
    (EXPORTS / "darbasiyah-2021-4x3.png").write_bytes(data)
    assert _png_size(data) == (1920, 1440)


def test_missing_chromium_is_explained(briefing, monkeypatch):
    monkeypatch.setenv("PATROLWATCH_CHROMIUM", "/nonexistent/chromium")
    assert chromium_path() is None
    assert "Chromium, which is not installed" in (unavailable_reason() or "")
    with pytest.raises(ExportError, match="Chromium"):
        draw_files(briefing, pdf=False)


def _renderers_running() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("patrolwatch-export-")]


def test_exports_one_after_another_share_one_chromium_and_a_dead_one_is_replaced():
    def same(browser, _ms):
        return browser

    first = in_chromium(same, TIMEOUT_S)
    assert in_chromium(same, TIMEOUT_S) is first  # not started again
    in_chromium(lambda browser, _ms: browser.close(), TIMEOUT_S)  # Chromium dies
    fresh = in_chromium(same, TIMEOUT_S)
    assert fresh is not first
    assert in_chromium(lambda browser, _ms: browser.is_connected(), TIMEOUT_S)


def test_an_idle_renderer_closes_its_chromium_and_the_next_export_starts_one(briefing, monkeypatch):
    monkeypatch.setattr(export_files, "IDLE_S", 0.2)
    in_chromium(lambda browser, _ms: None, TIMEOUT_S)  # its next wait is the short one
    deadline = time.monotonic() + 20
    while _renderers_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _renderers_running() == []
    monkeypatch.setattr(export_files, "IDLE_S", 300.0)
    assert _png_size(draw_slide_png(briefing)) == (1920, 1080)
    assert len(_renderers_running()) == 1


class _Route:
    def __init__(self, url: str) -> None:
        self.request = type("Request", (), {"url": url})()
        self.answer: dict | None = None
        self.aborted = False

    def fulfill(self, **kw) -> None:
        self.answer = kw

    def abort(self) -> None:
        self.aborted = True


def test_the_renderer_serves_local_files_and_refuses_the_rest():
    refused: list[str] = []
    route = offline_router({"/slide.html": "<p>slide</p>"}, refused)
    asked = {
        url: _Route(url)
        for url in (
            "http://127.0.0.1:9/slide.html",
            "http://127.0.0.1:9/app/static/node_modules/leaflet/dist/leaflet.js",
            "http://127.0.0.1:9/app/static/../../etc/passwd",
            "https://tile.openstreetmap.org/7/77/50.png",
            "http://127.0.0.1:9/elsewhere.js",
        )
    }
    for r in asked.values():
        route(r)
    served = [u for u, r in asked.items() if r.answer is not None]
    assert served == [
        "http://127.0.0.1:9/slide.html",
        "http://127.0.0.1:9/app/static/node_modules/leaflet/dist/leaflet.js",
    ]
    assert len(refused) == 3 and all(asked[u].aborted for u in refused)


# --------------------------------------------------------------------------- the layout

_MEASURE = """
(ids) => {
  const out = {};
  for (const id of ids) {
    const el = document.getElementById(id);
    if (!el) { out[id] = null; continue; }
    const r = el.getBoundingClientRect();
    const shown = [...el.querySelectorAll('.pw-items > *, li, .lg-e')].filter(
      (c) => c.getClientRects().length > 0);
    out[id] = {
      left: r.left, top: r.top, right: r.right, bottom: r.bottom,
      // what a box holds ends inside it: nothing is cut off at its edge
      clipped: shown.filter((c) => c.getBoundingClientRect().bottom > r.bottom + 0.5 ||
                                   c.getBoundingClientRect().right > r.right + 0.5).length,
    };
  }
  return out;
}
"""

_CHART = """
() => {
  const chart = document.getElementById('pw-chart');
  const box = chart.getBoundingClientRect();
  const rect = (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  };
  return {
    box: rect(chart),
    plotHeight: chart._fullLayout._size.h,
    // plotly's legends (legend, legend2, …) and the milestones' caption
    parts: [...chart.querySelectorAll('.infolayer > g[class^="legend"]'),
            ...[...chart.querySelectorAll('.annotation')].filter(
              (a) => /^1 /.test(a.textContent))].map(rect),
  };
}
"""

_MAP_STATE = """
(points) => {
  const name = Object.keys(window).find((k) => k.startsWith('map_') && window[k] instanceof L.Map);
  const map = window[name];
  const bounds = map.getBounds();
  const legends = [...document.querySelectorAll('.pw-legend')];
  const controls = [...document.querySelectorAll('.leaflet-control')].filter(
    (el) => getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0);
  return {
    outside: points.filter((p) => !bounds.contains(p)),
    legendsShown: legends.filter((el) => getComputedStyle(el).display !== 'none').length,
    controls: controls.map((el) => [...el.classList].find(
      (c) => c === 'leaflet-control-scale' || c === 'leaflet-control-attribution') || el.className),
  };
}
"""


def _overlaps(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    )


def _laid_out(browser, b, f: EventFilter, doc: str, aspect: str = "16:9"):
    """Draw the slide or the brief in ``browser`` and measure its boxes and its map."""
    ds = embedded_dataset()
    if doc == "slide":
        docs = {"/slide.html": slide_html(b, aspect), MAP_SRC: b.map_html}
        entry, viewport, scale = "/slide.html", ASPECTS[aspect], SLIDE_SCALE
    else:
        docs = {"/brief.html": brief_html(b), MAP_SRC: b.map_html}
        entry, viewport, scale = "/brief.html", PAGE_SIZE, 1.0
    page = _draw(browser, docs, entry, viewport, scale, 60_000)  # the export's own page
    boxes = page.evaluate(_MEASURE, list(BOXES))
    legend_rows = page.locator("#pw-legend-box .lg-e").count()
    chart = page.evaluate(_CHART) if doc == "slide" else None
    frame = page.frame(url=re.compile(r"/map\.html$"))
    # every thing the map draws: markers, sites, route vertices
    view = overview_view(ds, f, TODAY).map
    points = [[la, lo] for la, lo in drawn_points(view)]
    assert len(points) >= len(view.markers) > 0
    state = frame.evaluate(_MAP_STATE, points)
    return boxes, legend_rows, state, viewport, chart


@pytest.fixture(scope="module")
def layout_browser():
    """``run(fn, *args)`` calls ``fn(browser, *args)`` with the export's own Chromium, on
    its renderer's thread (``components.export_files.in_chromium``), each layout case drawn
    in the page it keeps for exports, as the export draws."""
    return lambda fn, *args: in_chromium(lambda browser, _ms: fn(browser, *args), TIMEOUT_S)


@pytest.fixture(scope="module")
def whole():
    ds = embedded_dataset()
    return build_briefing(
        ds,
        WHOLE,
        TODAY,
        view=standard_view(ds, WHOLE, TODAY),
        title=default_title(ds, WHOLE, TODAY),
        link=None,
        exported_at=AT,
    )


@pytest.fixture(scope="module")
def how_often():
    """How often's export of every patrol: its own timeline (milestones, four legend
    groups), the chart that needs most room on a slide."""
    from components.colours import actor_colours
    from components.frequency import view_timeline
    from data.views import frequency_view

    ds = embedded_dataset()
    view = frequency_view(ds, WHOLE, TODAY)
    fig = view_timeline(view, actor_colours(ds.actors))
    return build_briefing(
        ds,
        WHOLE,
        TODAY,
        view=frequency_export_view(ds, WHOLE, TODAY, view, fig),
        title=default_title(ds, WHOLE, TODAY),
        link=None,
        exported_at=AT,
    )


@pytest.mark.parametrize(
    ("which", "doc", "aspect"),
    [
        ("darbasiyah", "slide", "16:9"),
        ("darbasiyah", "slide", "4:3"),
        ("darbasiyah", "brief", "16:9"),
        ("whole", "slide", "16:9"),
        ("whole", "brief", "16:9"),
        ("how-often", "slide", "16:9"),
        ("how-often", "slide", "4:3"),
    ],
)
def test_no_box_covers_another_and_the_map_frames_every_event(
    which, doc, aspect, briefing, whole, how_often, layout_browser
):
    b, f = {
        "darbasiyah": (briefing, VIEW),
        "whole": (whole, WHOLE),
        "how-often": (how_often, WHOLE),
    }[which]
    boxes, legend_rows, state, (width, height), chart = layout_browser(_laid_out, b, f, doc, aspect)
    assert all(boxes[k] is not None for k in BOXES), boxes
    for i, a in enumerate(BOXES):
        box = boxes[a]
        least = 12 if a in ("pw-title-box", "pw-footer-box") else 40
        assert box["right"] > box["left"] + 40 and box["bottom"] > box["top"] + least, (a, box)
        assert 0 <= box["left"] and box["right"] <= width + 0.5, (a, box)
        assert 0 <= box["top"] and box["bottom"] <= height + 0.5, (a, box)  # on the first page
        assert box["clipped"] == 0, (a, box)
        for other in BOXES[i + 1 :]:
            assert not _overlaps(box, boxes[other]), (a, other, box, boxes[other])
    # the legend is in its own box, none is left over the map, no map control is shown but
    # the scale and the credits; the map frames everything it draws
    assert legend_rows > 0 and state["legendsShown"] == 0
    assert state["controls"] == ["leaflet-control-scale", "leaflet-control-attribution"] or (
        sorted(state["controls"]) == ["leaflet-control-attribution", "leaflet-control-scale"]
    )
    assert state["outside"] == []
    if chart is not None:
        # the plot, as plotly drew it, takes a real share of the chart's box; the legends
        # and the caption under it end inside the box, none over another
        assert chart["plotHeight"] / (chart["box"]["bottom"] - chart["box"]["top"]) >= 0.45
        parts = chart["parts"]
        assert parts, chart
        for i, part in enumerate(parts):
            assert part["bottom"] <= chart["box"]["bottom"] + 0.5, (part, chart["box"])
            assert part["right"] <= chart["box"]["right"] + 0.5, (part, chart["box"])
            for other in parts[i + 1 :]:
                assert not _overlaps(part, other), (part, other)


def test_the_pdf_lists_every_source(whole):
    out = draw_files(whole, png=False)
    EXPORTS.mkdir(parents=True, exist_ok=True)
    (EXPORTS / "whole-period.pdf").write_bytes(out.pdf)
    reader = _pdf(out.pdf)
    assert 2 <= len(reader.pages) <= 3  # one page of brief, then the sources it cannot hold
    first = " ".join(reader.pages[0].extract_text().split())
    assert "KEY FIGURES" in first and "SOURCES" in first
    text = _text(out.pdf)
    assert "SOURCES (CONTINUED)" in text
    assert len(whole.sources) == whole.sources_total > 60
    at = 0
    for s in whole.sources:  # all of them, in their order, each with its grade
        entry = f"{s.number} {' '.join(s.publisher.split())}"
        found = text.find(entry, at)
        assert found >= 0, entry
        assert f" {s.grade}" in text[found : found + len(entry) + 160], entry
        at = found
    assert "more sources behind" not in text and "more (in the PDF" not in text
    assert "reopen this view" not in text.casefold()  # no public address configured


def test_a_page_that_fails_an_export_is_closed_and_the_next_export_draws_in_a_new_one():
    """A document that reports a drawing error is refused with the error named; the kept
    page it failed in is closed and forgotten, and the next export at that scale is drawn
    in a new page (SYNTHETIC documents)."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["2021-01", "2021-02"], y=[3, 5]))
    assert _png_size(draw_chart_png(fig, width=800, height=450)) == (800, 450)
    kept = in_chromium(lambda browser, _ms: export_files._PAGES[browser][1.0], TIMEOUT_S)
    assert not kept.is_closed()

    failing = {"/fail.html": "<script>window.__pwError = 'SYNTHETIC drawing failure';</script>"}

    def job(browser, timeout_ms: int):
        return _draw(browser, failing, "/fail.html", (800, 450), 1.0, timeout_ms)

    with pytest.raises(ExportError, match="could not be drawn: SYNTHETIC drawing failure"):
        in_chromium(job, TIMEOUT_S)
    assert kept.is_closed()
    assert in_chromium(lambda browser, _ms: 1.0 in export_files._PAGES[browser], TIMEOUT_S) is False
    assert _png_size(draw_chart_png(fig, width=800, height=450)) == (800, 450)
    again = in_chromium(lambda browser, _ms: export_files._PAGES[browser][1.0], TIMEOUT_S)
    assert again is not kept and not again.is_closed()


def test_a_chart_alone_is_drawn_as_a_slide_png():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["2021-01", "2021-02", "2021-03"], y=[3, 0, 5], name="Russia"))
    png = draw_chart_png(
        slide_figure(fig, title="Patrols per month", summary="2021", source_line="Source: x")
    )
    EXPORTS.mkdir(parents=True, exist_ok=True)
    (EXPORTS / "chart-slide.png").write_bytes(png)
    assert _png_size(png) == (1920, 1080)
    assert _png_size(draw_chart_png(fig, width=800, height=450)) == (800, 450)


def test_static_files_behind_a_link_are_served_and_dot_dot_is_not(tmp_path, monkeypatch):
    """static/node_modules may be a link to a shared install: judged by the path asked for."""
    import components.export_files as export_files

    shared = tmp_path / "shared"
    (shared / "leaflet").mkdir(parents=True)
    (shared / "leaflet" / "leaflet.js").write_text("// leaflet")
    static = tmp_path / "static"
    static.mkdir()
    (static / "node_modules").symlink_to(shared, target_is_directory=True)
    (tmp_path / "secret.txt").write_text("no")
    monkeypatch.setattr(export_files, "STATIC_DIR", static)
    found = export_files._static_file("/app/static/node_modules/leaflet/leaflet.js")
    assert found is not None and found.read_text() == "// leaflet"
    for bad in ("/app/static/../secret.txt", "/app/static/%2e%2e/secret.txt", "/app/static//x"):
        assert export_files._static_file(bad) is None, bad
