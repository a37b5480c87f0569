"""The exporter run on the embedded data in Debian's Chromium, with no internet: a PNG slide
of the right size, a one-page PDF whose text holds the key figures and the sources they
cite, and the same files again for the same view. The files are kept in
artifacts/exports/ to be looked at."""

from __future__ import annotations

import io
import re
import struct
from datetime import UTC, date, datetime

import pytest

from components.briefing import build_briefing, standard_view
from components.export_files import (
    ExportError,
    _router,
    chromium_path,
    draw_files,
    draw_slide_png,
    unavailable_reason,
)
from data.briefing import Banner, dataset_version, default_title, view_link
from data.filters import EventFilter
from data.load import load_dataset_files
from tests.browser.conftest import ARTIFACTS

TODAY = date(2026, 11, 24)
AT = datetime(2026, 11, 24, 14, 3, tzinfo=UTC)
EXPORTS = ARTIFACTS / "exports"
# "A person filters to 2021 and the Darbasiyah track"
VIEW = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31), routes=("darbasiyah",))


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
    ds = load_dataset_files()
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
        "The data set holds 1 patrol on Darbasiyah countryside (Shirk - al-Darbasiyah - Amuda) "
        "one by one for 1 Jan 2021 – 31 Dec 2021",
        "reports 344 joint patrols",
        "PatrolWatch embedded data set v1.0.0",
        "exported 24 Nov 2026, 14:03 UTC",
        "dsv=1.0.0",
    ):
        assert part in text, part
    # every source a figure cites is listed on the page, with its grade
    listed = {s.number: s for s in briefing.sources}
    cited: set[int] = set()
    for sentence in briefing.figures:
        assert " ".join(sentence.split()) in text
        for marks in re.findall(r"\[([\d, –]+)\]", sentence):
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
    (EXPORTS / "darbasiyah-2021-4x3.png").write_bytes(data)
    assert _png_size(data) == (1920, 1440)


def test_missing_chromium_is_explained(briefing, monkeypatch):
    monkeypatch.setenv("PATROLWATCH_CHROMIUM", "/nonexistent/chromium")
    assert chromium_path() is None
    assert "Chromium, which is not installed" in (unavailable_reason() or "")
    with pytest.raises(ExportError, match="Chromium"):
        draw_files(briefing, pdf=False)


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
    route = _router({"/slide.html": "<p>slide</p>"}, refused)
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
