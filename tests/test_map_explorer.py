"""The map explorer without a browser: what the data layer aggregates for the map, what the
builder draws (asserting on the Leaflet layers and the script it generates), the detail
records, escaping, and one AppTest run of the page."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest

from components.explorer_map import build_explorer_map, legend_html, map_caption
from components.layers.routes import arrowheads, route_weight
from components.leaflet import LineLayer, PointLayer, parse_ref, ref_tag
from components.map_detail import (
    event_detail,
    md_escape,
    md_link,
    record_for,
    sources_markdown,
)
from data.filters import EventFilter, filter_events
from data.load import load_dataset_files
from data.mapview import (
    GRID_THRESHOLD,
    MAX_CELLS,
    active_sites,
    build_map_view,
    event_markers,
    events_for,
    implied_tracks,
    index_in,
    member,
    place_visits,
    route_runs,
)
from data.sourcing import list_conflicts
from data.zones import read_borders, read_zones, zone_layer
from tests import fixtures
from tests.fixtures import embedded_dataset

END = pd.Timestamp("2026-11-24")


def _view(ds, events=None, start=None, end=END, **kw):
    return build_map_view(
        ds, ds.events if events is None else events, window_start=start, window_end=end, **kw
    )


def _children(el, cls):
    out = []
    if isinstance(el, cls):
        out.append(el)
    for child in getattr(el, "_children", {}).values():
        out.extend(_children(child, cls))
    return out


def _html(m) -> str:
    return m.get_root().render()


# --------------------------------------------------------------------------- the data layer


def test_routes_count_their_runs_and_narrowing_the_dates_changes_them(mini):
    everything = route_runs(mini, mini.events).set_index("route_id")
    # e1, e2, e3, e4, e6: cancelled and disputed runs do not count
    assert everything.loc["track", "runs"] == 5 and everything.loc["track", "drawable"]
    f = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31))
    narrowed = route_runs(mini, filter_events(mini, f)).set_index("route_id")
    assert narrowed.loc["track", "runs"] == 1
    w_all, w_2021 = route_weight(5, 5), route_weight(1, 5)
    assert w_all > w_2021 > route_weight(0, 5)
    assert route_runs(mini, mini.events, theatres=("syn_b",)).empty


def test_visits_count_patrols_per_village_and_town(mini):
    visits, unplaced = place_visits(mini, mini.events)
    counts = dict(zip(visits["key"], visits["visits"], strict=True))
    # every run of the track passes both towns, the escort names both; the gate is a crossing
    assert counts == {"town_a": 6, "town_b": 6}
    assert unplaced == 1  # the unplaced hamlet, visited by e5
    f = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31))
    visits21, _ = place_visits(mini, filter_events(mini, f))
    counts21 = dict(zip(visits21["key"], visits21["visits"], strict=True))
    assert counts21 == {"town_a": 2, "town_b": 2}


def test_a_run_with_places_but_no_route_is_drawn_through_its_places(mini):
    tracks, more = implied_tracks(mini, mini.events)
    assert more == 0
    assert list(tracks["key"]) == ["town_a>town_b"]  # the escorted convoy, in order
    assert tracks.iloc[0]["coords"] == ((37.0, 40.0), (37.0, 41.0))
    assert tracks.iloc[0]["names"] == "Synthtown → Fakeburg"
    assert list(events_for(mini, mini.events, "track", "town_a>town_b")["event_id"]) == ["e-escort"]


def test_markers_say_how_precisely_each_place_is_known(mini):
    markers = event_markers(mini, mini.events).set_index("key")
    gate = markers.loc["gate"]  # derived "13 km west of Synthtown": approximate
    assert bool(gate["approx"]) and gate["precision_m"] == 3000 and gate["n"] == 5
    assert not bool(markers.loc["town_a", "approx"])  # published within 1 km
    view = _view(mini)
    assert (view.events, view.placed) == (12, 8)
    assert (view.no_place_named, view.places_unplaced) == (3, 1)
    assert view.approximate == 5
    precise = _view(mini, precise_only=True)
    assert "gate" not in set(precise.markers["key"]) and precise.hidden_approximate == 5
    assert "have no place at all" in map_caption(view)


def test_sites_show_only_while_active(mini):
    start_2020, end_2020 = pd.Timestamp("2020-01-01"), pd.Timestamp("2020-12-31")
    sites = active_sites(mini, start_2020, end_2020).set_index("place_id")
    assert "base" in sites.index
    assert sites.loc["base", "shown_from"] == pd.Timestamp("2020-01-01")
    # active to 30 Jun 2021: a window running on past it is cut there
    late = active_sites(mini, pd.Timestamp("2021-03-01"), pd.Timestamp("2021-12-31"))
    assert late.set_index("place_id").loc["base", "shown_to"] == pd.Timestamp("2021-06-30")
    gone = active_sites(mini, pd.Timestamp("2022-01-01"), pd.Timestamp("2022-12-31"))
    assert "base" not in set(gone["place_id"]) and "gate" in set(gone["place_id"])


def test_past_the_threshold_events_are_binned_and_a_cell_gives_back_its_events(mini):
    rng = np.random.default_rng(3)
    n = GRID_THRESHOLD + 500
    fake = pd.DataFrame(
        {
            "event_id": [f"syn-{i}" for i in range(n)],
            "placed": True,
            "lat": rng.uniform(35.8, 37.2, n),
            "lon": rng.uniform(36.3, 42.2, n),
            "location_id": [f"nowhere-{i}" for i in range(n)],  # not a place: exact
            "location_precision_m": 1000.0,
            "location_name": "synthetic",
            "actor_label": "Blue forces",
            "start": pd.Timestamp("2021-01-01"),
        }
    )
    markers = event_markers(mini, fake)
    assert markers.attrs["binned"] and len(markers) <= 2 * MAX_CELLS
    assert markers["n"].sum() == n
    top = markers.iloc[0]
    hit = events_for(mini, fake, "cell", top["key"].removeprefix("cell:"))
    assert len(hit) == top["n"]


def test_arrow_backed_lookups_agree_with_pandas():
    values = pd.Series(["a", "b", "c", None, "a"], dtype="str")
    keys = pd.Series(["c", "a"], dtype="str")
    assert list(member(values, keys)) == list(values.isin(keys))
    assert list(member(values, {"b"})) == [False, True, False, False, False]
    assert list(index_in(values, keys)) == [1, -1, 0, -1, 1]


# --------------------------------------------------------------------------- the builder


@pytest.fixture(scope="module")
def zones():
    return zone_layer(read_zones(), read_borders())


def test_an_approximate_events_halo_radius_is_its_precision(mini, zones):
    m = build_explorer_map(mini, _view(mini), zones, tiles=None, basemap=False)
    halos = [p for p in _children(m, PointLayer) if p.shape == "metres"]
    assert len(halos) == 1
    (row,) = halos[0].rows  # only the gate is approximate
    assert row[:3] == [pytest.approx(37.0, abs=0.01), pytest.approx(39.854, abs=0.001), 3000.0]
    marks = [p for p in _children(m, PointLayer) if any("pw-event" in str(s) for s in p.styles)]
    styles = marks[0].styles
    hollow = [s for s in styles if "pw-approx" in s["className"]]
    solid = [s for s in styles if "pw-exact" in s["className"]]
    assert hollow and hollow[0]["fillOpacity"] < 0.1
    assert solid and solid[0]["fillOpacity"] > 0.5


def test_an_inactive_base_is_absent(mini, zones):
    during = _view(mini, start=pd.Timestamp("2020-01-01"), end=pd.Timestamp("2020-12-31"))
    after = _view(mini, start=pd.Timestamp("2022-01-01"), end=pd.Timestamp("2022-12-31"))
    html_during = _html(build_explorer_map(mini, during, zones, tiles=None, basemap=False))
    html_after = _html(build_explorer_map(mini, after, zones, tiles=None, basemap=False))
    assert "pw-site-base" in html_during and "Synthetic base" in html_during
    assert "pw-site-base" not in html_after and "pw:place:base" not in html_after


def test_routes_are_drawn_with_arrows_entry_and_base(mini, zones):
    m = build_explorer_map(mini, _view(mini), zones, tiles=None, basemap=False)
    lines = _children(m, LineLayer)
    (layer,) = lines
    route = next(r for r in layer.rows if "pw:route:track" in r[3])
    assert len(route[0]) == 3 and len(route[4]) == 2  # three waypoints, two arrowheads
    html = _html(m)
    assert "pw-route-track" in html and "pw-entry" in html and "pw-base" in html
    assert "pw-track" in html  # the convoy's implied track
    for name in ("Routes and tracks", "Visits per place", "Heat map of activity"):
        assert name in html
    assert "MeasureControl" in html or "measure" in html.lower()
    assert "pw-strip" in html and "pw-line30" in html
    assert "4 of 12 filtered events have no place at all" in html  # said on the map itself


def test_arrowheads_point_along_the_segment():
    east, north = arrowheads([(36.0, 40.0), (36.0, 41.0), (37.0, 41.0)])
    assert east == [36.0, 40.5, pytest.approx(0.0)]
    assert north[2] == pytest.approx(-90.0)


def test_text_from_the_data_is_escaped_on_the_map(tmp_path, zones):
    places = copy.deepcopy(fixtures.PLACES)
    places[0]["name"] = "<img src=x onerror=alert(1)>${alert(2)}`"
    actors = copy.deepcopy(fixtures.ACTORS)
    actors[0]["name"] = "<b>Blue</b> forces"
    ds = load_dataset_files(
        fixtures.write_mini_dataset(tmp_path / "x", places=places, actors=actors)
    )
    view = _view(ds)
    m = build_explorer_map(ds, view, zones, tiles=None, basemap=True)
    tooltips = " ".join(
        str(row[4]) for layer in _children(m, PointLayer) for row in layer.rows
    ) + " ".join(str(row[3]) for layer in _children(m, LineLayer) for row in layer.rows)
    assert "&lt;img src=x" in tooltips and "<img" not in tooltips
    assert "&lt;b&gt;Blue" in tooltips and "<b>Blue" not in tooltips
    legend = legend_html(view, {})
    assert "&lt;b&gt;Blue" in legend and "<b>Blue" not in legend
    html = _html(m)
    assert "<img src=x" not in html and "<b>Blue" not in html
    # texts reach the page only as JSON strings: no folium Tooltip or Popup, whose text is
    # pasted into a JavaScript template literal where `${…}` would run
    assert not _children(m, folium.Tooltip) and not _children(m, folium.Popup)


def test_click_references_survive_the_round_trip():
    tag = ref_tag("track", "town_a>town_b")
    assert "&gt;" in tag
    text = "[[pw:track:town_a>town_b]]Synthtown → Fakeburg"  # tooltip text, unescaped
    assert parse_ref(text) == ("track", "town_a>town_b")
    assert parse_ref("no reference here") is None and parse_ref(None) is None


# --------------------------------------------------------------------------- the detail panel


def test_an_event_record_has_dates_actors_sources_and_conflicts(mini):
    conflicts = list_conflicts(mini)
    rec = event_detail(mini, conflicts, "e1")
    facts = dict(rec.facts)
    assert facts["Date"] == "3 Feb 2020 (day precision)"
    assert "Synthetic gate" in facts["Drawn at"] and "approximate" in facts["Drawn at"]
    assert set(rec.actors["Role"]) == {"patrolling"}
    assert list(rec.sources["grade"]) == ["F6"]
    assert set(rec.conflicts["claim"]) == {"8 vehicles", "12 vehicles"}
    month = dict(event_detail(mini, conflicts, "e3").facts)["Date"]
    assert month == "Mar 2020 (month precision)"


def test_records_for_what_can_be_clicked(mini, zones):
    conflicts = list_conflicts(mini)
    marker = record_for(mini, conflicts, mini.events, ("events", "gate"))
    assert marker.events_total == 5 and marker.title == "Synthetic gate"
    route = record_for(mini, conflicts, mini.events, ("route", "track"))
    assert (
        "Synthetic gate → Synthtown → Fakeburg"
        in dict(route.facts)["Waypoints, in the direction drawn"]
    )
    assert route.events_total == 7  # every event on it, cancelled and disputed too
    zone = record_for(mini, conflicts, mini.events, ("zone", "sochi_10km"), zones=zones)
    assert zone.title.startswith("10 km")
    assert record_for(mini, conflicts, mini.events, ("route", "nope")) is None


def test_markdown_in_the_panel_is_inert():
    assert md_escape("*x* [a](javascript:alert(1)) <b>$1$") == (
        r"\*x\* \[a\]\(javascript\:alert\(1\)\) \<b\>\$1\$"
    )
    assert md_link("javascript:alert(1)", "x") == "x"
    assert md_link("https://example.org/a", "A [b]") == r"[A \[b\]](https://example.org/a)"
    table = pd.DataFrame(
        [{"publisher": "P*", "grade": "B2", "title": "T_", "url": "https://e.org", "published": ""}]
    )
    assert sources_markdown(table) == r"- **B2** [P\*](https://e.org): T\_"


# --------------------------------------------------------------------------- the real data


def test_the_embedded_data_shows_what_the_issue_asks_for(zones):
    ds = embedded_dataset()
    view = _view(ds)
    drawn = view.routes.set_index("route_id")
    assert drawn.loc["darbasiyah", "drawable"] and drawn.loc["kobani_west", "drawable"]
    assert {"qamishli_airport", "shirk_crossing"} <= set(view.sites["place_id"])
    html = _html(build_explorer_map(ds, view, zones, tiles=None))
    for cls in ("pw-route-darbasiyah", "pw-route-kobani_west", "pw-halo", "pw-strip"):
        assert cls in html, cls
    # Qamishli airport, a Russian base from Nov 2019 to Jan 2026, is gone in late 2026
    late = _view(ds, start=pd.Timestamp("2026-03-01"), end=pd.Timestamp("2026-11-24"))
    assert "qamishli_airport" not in set(late.sites["place_id"])
    # narrowing to 2021 changes route widths and visit counts
    f = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31))
    y2021 = _view(ds, filter_events(ds, f), pd.Timestamp(f.start), pd.Timestamp(f.end))
    assert not y2021.routes["runs"].equals(view.routes["runs"])
    assert not y2021.visits.set_index("key")["visits"].equals(
        view.visits.set_index("key")["visits"]
    )


# --------------------------------------------------------------------------- the page


def test_the_page_runs_and_the_precise_switch_hides_approximate_events(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/map_explorer.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Map explorer"
    before = " ".join(c.value for c in at.caption)
    assert (
        "have no place at all" in before and "approximately placed events are hidden" not in before
    )
    at.toggle(key="mx_precise").set_value(True).run()
    assert not at.exception
    after = " ".join(c.value for c in at.caption)
    assert "approximately placed events are hidden" in after
