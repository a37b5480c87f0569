"""The hostile corpus through the whole app: every record the importers accept from it is
committed to a store (tests/hostile/site.py); then every page runs on that store (AppTest),
every map builder's page and every export of the events hold the hostile text literally,
never evaluated and never as live markup. The browser half is
tests/browser/test_hostile.py. All records are SYNTHETIC."""

from __future__ import annotations

import html
import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.filters import EventFilter
from tests.hostile.corpus import SCRIPT, TEMPLATES
from tests.test_template_safety import js_decoded, shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/map_explorer.py",
    "pages/frequency.py",
    "pages/sources.py",
    "pages/data.py",
    "pages/reports.py",
]
TODAY = date(2026, 11, 24)
#: what the corpus's templates and script would become if anything evaluated or ran them
LIVE = ("<script>alert(1)", "<img src=x onerror")


@pytest.fixture(scope="module")
def site(hostile_site):
    return hostile_site  # built once per session (tests/conftest.py), read only here


@pytest.fixture(scope="module")
def ds(site):
    return site.dataset()


def test_the_store_holds_the_hostile_records(site, ds):
    assert sum(1 for o in site.outcomes if o.revision) >= 10
    text = "\n".join(ds.events["description"].tolist() + ds.places["name"].tolist())
    for literal in TEMPLATES[:4]:
        assert literal in text, literal
    assert "<script>alert(1)</script>" in text


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_hostile_store(page, site, monkeypatch):
    monkeypatch.setenv("PATROLWATCH_TODAY", TODAY.isoformat())
    for key, value in site.env().items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    texts = [m.value for m in (*at.markdown, *at.caption, *at.title, *at.subheader)]
    for text in texts:
        assert "Traceback" not in text
        # markdown shown from the data is backslash-escaped: a '<' never opens a tag
        assert "<script" not in text.replace("\\<", ""), text


def _placed_literals(ds) -> list[str]:
    placed = ds.events[ds.events["placed"]]
    return [t for t in TEMPLATES[:4] if placed["description"].str.contains(t, regex=False).any()]


def _assert_inert(page: str, expect: list[str]) -> None:
    seen = shown(page)
    for literal in expect:
        assert literal in seen, literal
    script = js_decoded(page)
    for markup in LIVE:
        assert markup not in script, markup


def test_every_map_builder_shows_the_hostile_text_as_text(ds):
    from components.briefing import standard_view
    from components.explorer_map import build_explorer_map
    from components.patrol_map import build_patrol_map
    from data.mapview import build_map_view

    m, _ = build_patrol_map(ds, ds.events, tiles=None)
    names = [n for n in ds.places["name"] if "{{" in n and n in set(ds.events["location_name"])]
    _assert_inert(m.get_root().render(), names)
    view = build_map_view(ds, ds.events, window_end=pd.Timestamp(TODAY))
    _assert_inert(build_explorer_map(ds, view, {"type": "FeatureCollection", "features": []})
                  .get_root().render(), names)  # fmt: skip
    _assert_inert(standard_view(ds, EventFilter(), TODAY).map.get_root().render(), [])


def test_every_export_keeps_the_hostile_text_literally(ds):
    from openpyxl import load_workbook

    from data.export import to_csv, to_excel, to_geojson, to_kml

    events = ds.events
    table = pd.read_csv(io.BytesIO(to_csv(ds, events)), dtype=str, keep_default_na=False)
    csv = "\n".join(table.to_numpy().ravel().tolist())
    for literal in TEMPLATES[:4]:
        assert literal in csv, literal
    assert SCRIPT.split("<img")[0] in csv  # text, as typed: a CSV is not a page
    book = load_workbook(io.BytesIO(to_excel(ds, events, "hostile")), read_only=True)
    cells = "\n".join(
        str(v) for row in book["Events"].iter_rows(values_only=True) for v in row if v
    )
    for literal in TEMPLATES[:4]:
        assert literal in cells, literal
    for v in cells.splitlines():  # the formula guard: no cell starts a formula
        assert not v.startswith(("=", "+", "@")) or v.startswith("'"), v
    geo = json.loads(to_geojson(ds, events))
    props = json.dumps([f["properties"] for f in geo["features"]], ensure_ascii=False)
    assert TEMPLATES[0] in props
    kml = to_kml(ds, events, "hostile").decode("utf-8")
    assert "<script>alert(1)" not in kml  # escaped as XML text
    assert TEMPLATES[0] in html.unescape(kml)
