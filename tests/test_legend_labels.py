"""The legend lists exactly the symbols a map draws, with a stated scale and counting rule;
server-side label placement never lets two shown labels' boxes (or a label and a marker)
intersect at any zoom."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pandas as pd
import pytest

from components.labels import (
    Label,
    Marker,
    label_box,
    label_priority,
    place_labels,
    text_width,
    world_px,
)
from components.leaflet import FULL_AT, MAX_RADIUS, MIN_RADIUS, marker_radius
from components.legend import LegendEntry, legend_entries, legend_html, scale_steps
from data.filters import EventFilter, filter_events
from data.mapview import COUNTING_RULE, build_map_view, place_visits, route_runs
from tests.fixtures import embedded_dataset

END = pd.Timestamp("2026-11-24")


def _labels(entries: list[LegendEntry], group: str) -> list[str]:
    return [e.label for e in entries if e.group == group]


# --------------------------------------------------------------------------- the legend


def test_legend_lists_exactly_the_symbols_of_the_whole_selection(mini):
    view = build_map_view(mini, mini.events, window_end=END)
    entries = legend_entries(view, {}, explorer=True, places=mini.places)
    assert set(_labels(entries, "Events")) >= {"Blue forces + Red forces", "Blue forces"}
    actors = {e.label for e in entries if e.group == "Events"} - {
        "solid: placed exactly",
        next(e.label for e in entries if e.label.startswith("hollow")),
    }
    assert actors == set(view.markers["label"])
    assert _labels(entries, "Sites")[:2] == ["Base", "Border crossing"]  # no checkpoint, station
    assert "Patrol track" in _labels(entries, "Routes")
    assert "Humanitarian route" not in " ".join(_labels(entries, "Routes"))  # none drawn
    assert COUNTING_RULE in _labels(entries, "Counting")
    counts = {e.label: e.count for e in entries}
    assert counts["Base"] == 1 and counts["Patrol track"] == 1
    for e in entries:
        assert e.symbol_svg == "" or e.symbol_svg.startswith("<svg xmlns=")


def test_legend_of_a_narrow_selection_drops_what_is_not_drawn(mini):
    f = EventFilter(start=date(2021, 7, 1), end=date(2021, 12, 31))
    events = filter_events(mini, f)
    view = build_map_view(
        mini, events, window_start=pd.Timestamp("2021-07-01"), window_end=pd.Timestamp("2021-12-31")
    )
    entries = legend_entries(view, {}, explorer=True, places=mini.places)
    assert "Base" not in _labels(entries, "Sites")  # the base closed in June 2021
    assert "base the patrols start from" not in _labels(entries, "Routes")
    assert set(_labels(entries, "Events")) & set(view.markers["label"]) == set(
        view.markers["label"]
    )
    overview = legend_entries(view, {})
    assert not _labels(overview, "Visits") and not _labels(overview, "Agreements")
    assert "direction of travel (waypoint order)" not in _labels(overview, "Routes")


def test_an_empty_view_has_an_empty_legend(mini):
    view = build_map_view(mini, mini.events.iloc[0:0], window_end=END)
    entries = legend_entries(view, {}, explorer=False)
    assert [e for e in entries if e.group in ("Events", "Scale", "Counting")] == []


def test_legend_html_escapes_labels_and_keeps_the_svg():
    entries = [LegendEntry("Events", "<b>x</b> {{ 7*7 }}", "<svg xmlns='a'></svg>", 3)]
    html = legend_html(entries, open_=False)
    assert "<b>x" not in html and "&lt;b&gt;" in html and "{{" not in html
    assert "<svg xmlns='a'></svg>" in html and "(3)" in html and "<details>" in html


def test_scale_steps_lie_in_the_data_range():
    for top in (1, 2, 3, 7, 20, 55, 1_000, 1_000_000):
        steps = scale_steps(top)
        assert 2 <= len(steps) <= 3 or top == 1
        assert steps[0] == 1 and steps[-1] == top and all(1 <= s <= top for s in steps)


def test_the_scale_reads_apart_and_is_capped():
    assert marker_radius(7, 7) / marker_radius(1, 7) > 2.5  # the issue: 1 vs 7 patrols
    assert marker_radius(FULL_AT, 7) == MAX_RADIUS == marker_radius(10**9, 10**6)
    assert marker_radius(1, 10**6) == MIN_RADIUS
    # area in proportion to the count, above the floor
    a, b = marker_radius(100, 1000), marker_radius(400, 1000)
    assert b**2 / a**2 == pytest.approx(4, rel=0.01)


def test_visits_and_runs_follow_one_rule(mini):
    runs = route_runs(mini, mini.events).set_index("route_id")
    visits, _ = place_visits(mini, mini.events)
    per_place = dict(zip(visits["key"], visits["visits"], strict=True))
    # every town on the track is passed by each of the track's runs (and the escort too)
    assert per_place["town_a"] >= runs.loc["track", "runs"]
    assert per_place["town_b"] >= runs.loc["track", "runs"]


# --------------------------------------------------------------------------- labels


def _shown_boxes(labels, placements, zoom, font_size):
    out = []
    for lab, p in zip(labels, placements, strict=True):
        if p.min_zoom is None or p.min_zoom > zoom:
            continue
        x, y = world_px(lab.lon, lab.lat)
        s = 2.0**zoom
        b = label_box(p.side, text_width(lab.text, font_size), font_size * 1.3, p.offset)
        out.append((p.key, (x * s + b[0], y * s + b[1], x * s + b[2], y * s + b[3])))
    return out


def _meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


JAZIRA = [  # real towns along the border (rounded positions), a crowded row
    ("Qamishli", 41.23, 37.05, "city", 400),
    ("Amuda", 40.93, 37.10, "town", 120),
    ("Darbasiyah", 40.65, 37.07, "town", 200),
    ("Ras al-Ain", 40.07, 36.85, "town", 90),
    ("Abu Rasin", 40.37, 36.88, "town", 30),
    ("Tell Tamer", 40.37, 36.65, "town", 30),
    ("Kobani", 38.40, 36.89, "town", 150),
    ("Nusaybin", 41.21, 37.08, "town", 0),
    ("Ceylanpınar", 40.04, 36.85, "town", 0),
    ("Al-Malikiyah", 42.14, 37.18, "town", 60),
]


@pytest.mark.parametrize(
    ("font_size", "zooms"),
    [
        (11.0, range(6, 14)),
        (12.0, [z / 4 for z in range(24, 56)]),  # quarter steps, as the maps snap
        (14.0, range(6, 14)),
    ],
)
def test_label_boxes_never_intersect_at_any_zoom(font_size, zooms):
    labels = [
        Label(name, lon, lat, label_priority(kind, n), offset=3, key=name)
        for name, lon, lat, kind, n in JAZIRA
    ]
    markers = [Marker(38.40, 36.89, 20.0), Marker(40.2, 36.9, 9.0), Marker(41.23, 37.05, 15.0)]
    placed = place_labels(labels, font_size=font_size, zooms=zooms, markers=markers)
    assert [p.key for p in placed] == [lab.key for lab in labels]
    assert all(p.min_zoom is None or p.min_zoom in zooms for p in placed)
    for z in zooms:
        boxes = _shown_boxes(labels, placed, z, font_size)
        for (ka, a), (kb, b) in itertools.combinations(boxes, 2):
            assert not _meet(a, b), (z, ka, kb)
        for m in markers:
            x, y = world_px(m.lon, m.lat)
            mb = (
                x * 2**z - m.radius,
                y * 2**z - m.radius,
                x * 2**z + m.radius,
                y * 2**z + m.radius,
            )
            for k, b in boxes:
                assert not _meet(b, mb), (z, k)
    # once shown, a label stays shown: the client needs only its min zoom
    by_key = {p.key: p for p in placed}
    assert by_key["Qamishli"].min_zoom is not None
    # at the most detailed zoom every label shows
    assert all(p.min_zoom is not None for p in placed)


def test_priority_by_kind_then_activity():
    assert label_priority("city", 0) > label_priority("town", 10**6)
    assert label_priority("town", 100) > label_priority("town", 1)
    a = Label("Aaaa", 40.0, 37.0, label_priority("town", 100))
    b = Label("Bbbb", 40.01, 37.0, label_priority("town", 1))
    pb, pa = place_labels([b, a], zooms=range(6, 14))
    assert pa.min_zoom == 6  # the busier town first, on the side the other's dot leaves
    assert pa.side == "left" and pb.side == "right"  # the other takes the free side
    c = Label("Cccc", 40.0, 37.001, label_priority("town", 0))
    pc = place_labels([a, b, c], zooms=range(6, 14))[2]
    assert pc.min_zoom is None or pc.min_zoom > 6  # a third waits until there is room


def test_placement_is_deterministic_and_measured():
    labels = [Label(n, lon, lat, label_priority(k, c)) for n, lon, lat, k, c in JAZIRA]
    assert place_labels(labels) == place_labels(list(labels))
    assert text_width("Darbasiyah", 12) > text_width("Amuda", 12) > 0
    # the width table is close to the measured font
    measured, table = text_width("Darbasiyah", 12), text_width("Darbasiyah", 12, measure=False)
    assert abs(measured - table) / measured < 0.2
    assert np.isfinite(world_px(40.0, 37.0)[0])


def test_the_shipped_towns_never_overlap_on_the_explorer_map():
    """The embedded data's town names (Darbasiyah, Amuda, Qamishli, Ras al-Ain, Abu Rasin,
    Kobani, …) over the explorer's markers: at every zoom the map can take, no two names
    shown meet, none meets a marker, and each clears the markers at its own town."""
    from components.basemap import LABEL_FONT_PX, LABEL_ZOOMS, LABELLED_KINDS, town_label_rows
    from components.labels import view_obstacles

    ds = embedded_dataset()
    view = build_map_view(ds, ds.events, window_end=END)
    obstacles = view_obstacles(view)
    towns = ds.places[ds.places["placed"] & ds.places["kind"].isin(LABELLED_KINDS)]
    rows = town_label_rows(towns[["name", "lat", "lon", "kind"]], obstacles)
    assert {"Qamishli", "Amuda", "Kobani", "Ras al-Ain", "Abu Rasin"} <= {r[2] for r in rows}
    for z in LABEL_ZOOMS:
        boxes = []
        for lat, lon, _text, _cls, side, min_zoom, offset, _dot in rows:
            if min_zoom is None or min_zoom > z:
                continue
            x, y = world_px(lon, lat)
            w = text_width(_text, LABEL_FONT_PX)
            b = label_box(side, w, LABEL_FONT_PX * 1.3, offset)
            boxes.append(
                (_text, (x * 2**z + b[0], y * 2**z + b[1], x * 2**z + b[2], y * 2**z + b[3]))
            )
        for (ka, a), (kb, b) in itertools.combinations(boxes, 2):
            assert not _meet(a, b), (z, ka, kb)
        for m in obstacles:
            x, y = world_px(m.lon, m.lat)
            cx, cy, r = x * 2**z, y * 2**z, m.radius
            for k, b in boxes:
                assert not _meet(b, (cx - r, cy - r, cx + r, cy + r)), (z, k, m)
    assert all(r[5] is not None for r in rows if r[2] in ("Qamishli", "Kobani", "Amuda"))
