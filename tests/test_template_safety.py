"""No text from the data is ever evaluated as a template or rendered as markup, on any map.

Every free-text field of a SYNTHETIC data set holds Jinja syntax, a script tag and an
event-handler attribute; each map builder is rendered to its full HTML (as st_folium does:
``m.get_root().render()``) and the text must be there literally, never evaluated, and never
as live markup. Pages are then run on that data set and must not fail.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests import fixtures

#: what every text field holds (after a tag naming the record and field)
PAYLOAD = (
    'T1[{{ 7*7 }}] T2[{% if 1 %}x{% endif %}] T3[{# c #}] T4[{{ "x" }}] T5[{{ 1/0 }}] '
    "<script>alert(1)</script> <img src=x onerror=alert(1)>"
)
LITERALS = (
    "T1[{{ 7*7 }}]",
    "T2[{% if 1 %}x{% endif %}]",
    "T3[{# c #}]",
    'T4[{{ "x" }}]',
    "T5[{{ 1/0 }}]",
)
EVALUATED = ("T1[49]", "T2[x]", "T3[]", "T4[x]", "T5[]")
LIVE_MARKUP = ("<script>alert(1)", "<img src=x onerror")

TEXT_FIELDS = {
    "sources": ("publisher", "title", "reliability_basis"),
    "theatres": ("name", "description"),
    "actors": ("name", "aliases"),
    "places": ("name", "alt_names", "derivation", "note"),
    "events": ("description", "milestone"),
    "period_counts": ("scope", "note"),
    "conflicts": ("topic", "claim"),
}
ID_FIELD = {
    "sources": "source_id",
    "theatres": "theatre_id",
    "actors": "actor_id",
    "places": "place_id",
    "events": "event_id",
    "period_counts": "count_id",
    "conflicts": "conflict_id",
}
TABLES = {
    "sources": fixtures.SOURCES,
    "theatres": fixtures.THEATRES,
    "actors": fixtures.ACTORS,
    "places": fixtures.PLACES,
    "events": fixtures.EVENTS,
    "period_counts": fixtures.PERIOD_COUNTS,
    "conflicts": fixtures.CONFLICTS,
}


def hostile(tag: str) -> str:
    return f"{tag} {PAYLOAD}"


def write_hostile_dataset(directory: Path) -> Path:
    """The synthetic fixture with every free-text field replaced by ``PAYLOAD`` (ids are
    checked to be slugs on load, so they cannot hold it)."""
    tables: dict[str, list[dict]] = {}
    for stem, rows in TABLES.items():
        out = copy.deepcopy(rows)
        for i, row in enumerate(out):
            for field in TEXT_FIELDS[stem]:
                row[field] = hostile(f"{row[ID_FIELD[stem]]}-{i}-{field}")
        tables[stem] = out
    routes = copy.deepcopy(fixtures.ROUTES)
    for r in routes:
        r["name"] = hostile(f"{r['route_id']}-name")
        r["description"] = hostile(f"{r['route_id']}-description")
    return fixtures.write_mini_dataset(directory, routes=routes, **tables)


def hostile_zones() -> dict:
    """A zone whose every text holds the payload (zones are shipped files, but the map must
    not trust them either)."""
    ring = [[40.0, 36.8], [41.0, 36.8], [41.0, 37.0], [40.0, 37.0], [40.0, 36.8]]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "zone_id": "hostile-zone",
                    "kind": "strip",
                    "label": hostile("zone-label"),
                    "description": hostile("zone-description"),
                    "derivation": hostile("zone-derivation"),
                    "sources": "synthetic-test-source:6",
                    "width_km": 10,
                },
            }
        ],
    }


_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def js_decoded(text: str) -> str:
    """The page with JSON/JavaScript string escapes undone (what a script sees)."""
    text = _JS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.replace('\\"', '"').replace("\\/", "/").replace("\\n", "\n")


def shown(text: str) -> str:
    """What a person reads: string escapes and HTML entities undone."""
    return html.unescape(js_decoded(text))


def assert_inert(page: str, *, expect: tuple[str, ...] = LITERALS) -> None:
    seen = shown(page)
    for literal in expect:
        assert literal in seen, literal
    for evaluated in EVALUATED:
        assert evaluated not in seen, evaluated
    script = js_decoded(page)
    for markup in LIVE_MARKUP:
        assert markup not in script, markup


@pytest.fixture(scope="module")
def hostile_ds(tmp_path_factory: pytest.TempPathFactory):
    from data.load import load_dataset_files

    return load_dataset_files(write_hostile_dataset(tmp_path_factory.mktemp("hostile")))


def test_the_fixture_holds_the_payload_everywhere(hostile_ds):
    assert hostile_ds.places["name"].str.contains("{{ 7*7 }}", regex=False).all()
    assert hostile_ds.events["description"].str.contains("{% if 1 %}", regex=False).all()
    assert hostile_ds.actors["name"].str.contains("<script>", regex=False).all()
    assert hostile_ds.routes["name"].str.contains("{# c #}", regex=False).all()


def test_escape_turns_template_syntax_into_entities():
    from components.html import esc, esc_series

    raw = "a&b#c {{ 7*7 }} {% x %} {# c #} 50% <b> `x` ${y}"
    out = esc(raw)
    for char in "{}%<>`$":
        assert char not in out
    assert html.unescape(out) == raw
    assert esc_series(pd.Series([raw, None])).tolist() == [out, ""]


def test_patrol_map_never_evaluates_the_data(hostile_ds):
    from components.patrol_map import build_patrol_map

    m, summary = build_patrol_map(hostile_ds, hostile_ds.events, tiles=None)
    assert summary.markers > 0 and summary.routes > 0
    page = m.get_root().render()
    assert_inert(page)
    seen = shown(page)
    for tag in ("town_a-0-name", "blue-0-name", "track-name", "synthetic-test-source-0-publisher"):
        assert tag in seen, tag


def test_explorer_map_never_evaluates_the_data(hostile_ds):
    from components.explorer_map import build_explorer_map
    from data.mapview import build_map_view

    view = build_map_view(hostile_ds, hostile_ds.events, window_end=pd.Timestamp("2026-11-24"))
    m = build_explorer_map(hostile_ds, view, hostile_zones())
    page = m.get_root().render()
    assert_inert(page)
    seen = shown(page)
    for tag in ("town_a-0-name", "track-name", "zone-label", "zone-description"):
        assert tag in seen, tag


def test_streamlit_folium_script_never_evaluates_the_data(hostile_ds):
    """st_folium builds the page's script by calling each element's macro itself."""
    from streamlit_folium import generate_leaflet_string

    from components.patrol_map import build_patrol_map

    m, _ = build_patrol_map(hostile_ds, hostile_ds.events, tiles=None)
    m.get_root().render()
    assert_inert(generate_leaflet_string(m), expect=LITERALS[:1])


def test_briefing_map_never_evaluates_the_data(hostile_ds):
    from datetime import date

    from components.briefing import standard_view
    from data.filters import EventFilter

    view = standard_view(hostile_ds, EventFilter(), date(2026, 11, 24))
    assert_inert(view.map.get_root().render())


def test_detail_panel_shows_the_data_as_text(hostile_ds):
    from components.map_detail import facts_markdown, record_for, sources_markdown
    from data.sourcing import list_conflicts

    conflicts = list_conflicts(hostile_ds)
    for ref in (("events", "town_a"), ("route", "track"), ("place", "base")):
        rec = record_for(hostile_ds, conflicts, hostile_ds.events, ref)
        assert rec is not None
        text = facts_markdown(rec) + sources_markdown(rec.sources)
        assert not re.search(r"(?<!\\)<(script|img)", text)  # every '<' backslashed
        assert "\\{\\{ 7\\*7 \\}\\}" in text


HOSTILE_PAGES = [
    "pages/overview.py",
    "pages/map_explorer.py",
    "pages/frequency.py",
    "pages/sources.py",
    "pages/data.py",
]


@pytest.mark.parametrize("page", HOSTILE_PAGES)
def test_pages_run_on_hostile_data(page, tmp_path, monkeypatch):
    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    monkeypatch.setenv("PATROLWATCH_DATA", str(write_hostile_dataset(tmp_path / "hostile")))
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title


def test_folium_own_elements_are_not_rendered_a_second_time():
    """folium's own elements (a layer group's name in the layer control, say) render once:
    what their macros wrote is never compiled and evaluated as a template again."""
    import folium

    import components.leaflet  # noqa: F401 (the import is what makes them render once)

    m = folium.Map(tiles=None)
    folium.FeatureGroup(name="G[{{ 7*7 }}] H[{% if 1 %}x{% endif %}]").add_to(m)
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    assert "G[{{ 7*7 }}] H[{% if 1 %}x{% endif %}]" in page
    assert "G[49]" not in page and "H[x]" not in page
