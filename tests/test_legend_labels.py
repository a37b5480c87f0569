"""The legend lists exactly the symbols a map draws, with a stated scale and counting rule;
server-side label placement never lets two shown names, a name and a leader line, or a
name or leader and a marker meet at any zoom; the places a view is about are named first,
on a side of their point where one is free, else on a diagonal, else led out of the crowd."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
import shapely

from components.labels import (
    DIAGONALS,
    HIDDEN,
    LEADER_CLEARANCE_PX,
    POSITIONS,
    SIDES,
    Label,
    Marker,
    label_box,
    label_priority,
    leader_line,
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
# Checked with shapely, apart from the engine's own geometry: what each label draws at a
# zoom (its box and leader, in px at that zoom) against the others and the markers.


def _drawn(labels, placements, zoom):
    """(key, box polygon, leader line or None, point) of every label shown at ``zoom``."""
    out = []
    for lab, p in zip(labels, placements, strict=True):
        st = p.stage_at(zoom)
        if st is None:
            continue
        x, y = world_px(lab.lon, lab.lat)
        cx, cy = float(x) * 2**zoom, float(y) * 2**zoom
        box = shapely.box(cx + st.box[0], cy + st.box[1], cx + st.box[2], cy + st.box[3])
        line = None
        if st.line is not None:
            x0, y0, x1, y1 = st.line
            line = shapely.LineString([(cx + x0, cy + y0), (cx + x1, cy + y1)])
        out.append((p.key, box, line, (cx, cy)))
    return out


def _marker_discs(markers, zoom):
    """Each marker as the disc it draws (its centre, and the disc) at ``zoom``."""
    out = []
    for m in markers:
        x, y = world_px(m.lon, m.lat)
        cx, cy = float(x) * 2**zoom, float(y) * 2**zoom
        out.append(((cx, cy), shapely.Point(cx, cy).buffer(m.radius, quad_segs=32)))
    return out


def _assert_clear(labels, placements, markers, zoom):
    """At ``zoom``: no two names meet; no leader meets another name or crosses another
    leader; no name meets a marker (or another label's dot); no leader runs through a
    marker, but those at its own point or covering it there (it leads out of them)."""
    drawn = _drawn(labels, placements, zoom)
    dots = [Marker(lab.lon, lab.lat, lab.offset) for lab in labels]
    discs = _marker_discs([*markers, *dots], zoom)
    for (ka, a, la, _), (kb, b, lb, _) in itertools.combinations(drawn, 2):
        assert not a.intersects(b), (zoom, ka, kb)
        assert la is None or not la.intersects(b), (zoom, ka, "leader meets", kb)
        assert lb is None or not lb.intersects(a), (zoom, kb, "leader meets", ka)
        if la is not None and lb is not None:
            assert not la.intersects(lb), (zoom, ka, kb, "leaders cross")
    for key, box, line, (px, py) in drawn:
        for (cx, cy), sq in discs:
            if abs(cx - px) < 1e-6 and abs(cy - py) < 1e-6:
                continue  # what is drawn at its own point: the name clears it by its offset
            assert not box.intersects(sq), (zoom, key, (cx, cy))
            if line is not None and not sq.contains(shapely.Point(px, py)):
                assert not line.intersects(sq), (zoom, key, "leader through", (cx, cy))


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
JAZIRA_MARKERS = [Marker(38.40, 36.89, 20.0), Marker(40.2, 36.9, 9.0), Marker(41.23, 37.05, 15.0)]


def _jazira() -> list[Label]:
    return [
        Label(name, lon, lat, label_priority(kind, n), offset=3, key=name)
        for name, lon, lat, kind, n in JAZIRA
    ]


@pytest.mark.parametrize(
    ("font_size", "zooms"),
    [
        (11.0, range(6, 14)),
        (12.0, [z / 4 for z in range(20, 56)]),  # quarter steps, as the maps snap
        (14.0, range(6, 14)),
    ],
)
def test_names_and_leaders_never_meet_at_any_zoom(font_size, zooms):
    labels = _jazira()
    placed = place_labels(labels, font_size=font_size, zooms=zooms, markers=JAZIRA_MARKERS)
    assert [p.key for p in placed] == [lab.key for lab in labels]
    assert all(p.min_zoom is None or p.min_zoom in zooms for p in placed)
    for z in zooms:
        _assert_clear(labels, placed, JAZIRA_MARKERS, z)
    # the client needs a label's min zoom and the zooms at which its position changes
    for p in placed:
        if p.min_zoom is None:
            assert p.stages == ()
            continue
        assert p.stages[0].from_zoom == p.min_zoom and p.side == p.stages[0].position
        assert p.stages[0].position != HIDDEN
        assert [s.from_zoom for s in p.stages] == sorted({s.from_zoom for s in p.stages})
        assert all(p.stage_at(z) is None for z in zooms if z < p.min_zoom)
        for a, b in itertools.pairwise(p.stages):  # each stage says something new
            assert (a.position, a.distance) != (b.position, b.distance)
    # at the most detailed zoom every label shows, on a side of its point
    assert all(p.min_zoom is not None for p in placed)
    assert all(p.stage_at(max(zooms)).position in SIDES for p in placed)


def _crowd(n_ring: int = 6, *, busy: float = 50.0) -> tuple[list[Label], list[Marker]]:
    """A busy town ringed by markers close enough to block its four sides and its four
    diagonals, and lesser towns around it that want the same room."""
    lon, lat = 40.65, 37.07
    markers = [Marker(lon, lat, 8.0)]  # its own events
    # base rings and crossings right round it, ~0.05° away (≈ 9 px at zoom 8: over it),
    # off its eight directions (so that, zoomed in, there is room between them)
    for k in range(n_ring):
        a = 2 * math.pi * (k + 0.5) / n_ring
        markers.append(Marker(lon + 0.05 * math.cos(a), lat + 0.04 * math.sin(a), 10.0))
    labels = [
        Label("al-Darbasiyah", lon, lat, label_priority("town", busy), offset=3, key="busy"),
        Label("Şenyurt", lon - 0.006, lat + 0.007, label_priority("town", 0), offset=3),
        Label("Tell Halaf", lon + 0.08, lat - 0.03, label_priority("town", 1), offset=3),
        Label("Qaramanis", lon - 0.07, lat - 0.06, label_priority("city", 0), offset=3),
    ]
    return labels, markers


@pytest.mark.parametrize("zoom", [7.0, 7.5, 7.75, 8.0])
def test_the_busiest_place_of_a_crowded_cluster_is_named(zoom):
    labels, markers = _crowd()
    zooms = [z / 4 for z in range(20, 73)]
    placed = place_labels(labels, zooms=zooms, markers=markers)
    busy = placed[0]
    st = busy.stage_at(zoom)
    assert st is not None, zoom
    # every side and every diagonal is blocked there, so it is led out of the crowd
    assert st.leader and st.line is not None
    _assert_clear(labels, placed, markers, zoom)
    # without displaced positions it could not be named at that zoom
    plain = place_labels(labels, zooms=zooms, markers=markers, leaders=False)[0]
    assert plain.stage_at(zoom) is None
    # the lesser names yield: however much room they would want, the busy town is placed
    # the same (their dots, which are drawn anyway, are what it keeps clear of)
    wordy = [labels[0], *(replace(lab, text=lab.text * 4) for lab in labels[1:])]
    assert place_labels(wordy, zooms=zooms, markers=markers)[0] == busy


def test_a_displaced_name_keeps_clear_of_the_other_places_dots():
    """A name led out on a leader keeps LEADER_CLEARANCE_PX from every other named place's
    dot, its box (as drawn) and its leader alike, so that it is not read as naming that
    place; but for the dots right beside its own point, whose crowd it is led out of. The
    2021 slide had al-Darbasiyah's leader run past al-Hasakah's dot to a name under it."""
    labels, markers = _crowd()
    labels += _jazira()
    markers += JAZIRA_MARKERS
    zooms = [z / 4 for z in range(24, 49)]
    placed = place_labels(labels, zooms=zooms, markers=markers)
    led = 0
    for zoom in zooms:
        for key, box, line, (px, py) in _drawn(labels, placed, zoom):
            if line is None:
                continue
            led += 1
            own = next(lab for lab, p in zip(labels, placed, strict=True) if p.key == key)
            offset = next(p.offset for p in placed if p.key == key)
            for lab in labels:
                x, y = world_px(lab.lon, lab.lat)
                dot = shapely.Point(float(x) * 2**zoom, float(y) * 2**zoom)
                if lab is own or dot.distance(shapely.Point(px, py)) < (
                    offset + 2 + LEADER_CLEARANCE_PX + lab.offset
                ):
                    continue
                least = lab.offset + LEADER_CLEARANCE_PX - 1e-6
                assert box.distance(dot) >= least, (zoom, key, lab.text)
                assert line.distance(dot) >= least, (zoom, key, "leader", lab.text)
    assert led > 0  # the case is one where names are led out


def test_diagonals_and_leaders_only_where_the_sides_fail():
    """Wherever a label is written on a diagonal, each of its four sides would have met
    something drawn there (a marker, another label's dot, or the name or leader of a label
    placed before it); wherever it is displaced, each diagonal would have too."""
    labels, markers = _crowd()
    labels += _jazira()
    markers += JAZIRA_MARKERS
    zooms = [z / 4 for z in range(24, 49)]
    placed = place_labels(labels, zooms=zooms, markers=markers)
    order = sorted(range(len(labels)), key=lambda i: -labels[i].priority)
    used = {"diagonal": 0, "leader": 0}
    for z in zooms:
        drawn = {k: (b, ln) for k, b, ln, _ in _drawn(labels, placed, z)}
        for rank, i in enumerate(order):
            lab, p = labels[i], placed[i]
            st = p.stage_at(z)
            if st is None or st.position in SIDES and not st.leader:
                continue
            x, y = world_px(lab.lon, lab.lat)
            cx, cy = float(x) * 2**z, float(y) * 2**z
            before = [drawn[placed[j].key] for j in order[:rank] if placed[j].key in drawn]
            dots = [Marker(m.lon, m.lat, m.offset) for m in labels if m is not lab]
            obstacles = [
                sq
                for (mx_, my_), sq in _marker_discs([*markers, *dots], z)
                if abs(mx_ - cx) > 1e-6 or abs(my_ - cy) > 1e-6
            ]
            tried = SIDES if not st.leader else SIDES + DIAGONALS
            used["leader" if st.leader else "diagonal"] += 1
            for pos in tried:
                b = label_box(pos, p.width, p.height, p.offset)
                grown = shapely.box(cx + b[0] - 2, cy + b[1] - 2, cx + b[2] + 2, cy + b[3] + 2)
                hit = any(grown.intersects(o) for o in obstacles) or any(
                    grown.intersects(bb.buffer(2, join_style="mitre"))
                    or (ln is not None and grown.intersects(ln))
                    for bb, ln in before
                )
                assert hit, (z, lab.key, st.position, "would fit at", pos)
    assert used["diagonal"] and used["leader"]  # both are exercised


def test_priority_by_activity_then_kind():
    assert label_priority("town", 2) > label_priority("city", 1) > label_priority("town", 1)
    assert label_priority("town", 1) > label_priority("city", 0) > label_priority("town", 0)
    assert label_priority("town", 100) > label_priority("town", 99)
    a = Label("Aaaa", 40.0, 37.0, label_priority("town", 100))
    b = Label("Bbbb", 40.01, 37.0, label_priority("city", 1))
    pb, pa = place_labels([b, a], zooms=range(6, 14))
    assert pa.min_zoom == 6  # the busier town first, on the side the other's dot leaves
    assert pa.side == "left" and pb.side == "right"  # the other takes the free side
    c = Label("Cccc", 40.0, 37.001, label_priority("town", 0))
    pa3, pb3, pc = place_labels([a, b, c], zooms=range(6, 14))
    assert (pa3, pb3) == (pa, pb)  # a third, lesser name takes only the room left
    st = pc.stage_at(6)
    assert st is None or st.position not in ("left", "right")


def test_placement_is_deterministic_and_measured():
    labels, markers = _crowd()
    labels += _jazira()
    first = place_labels(labels, markers=markers)
    assert first == place_labels(list(labels), markers=markers)
    # the order of the input does not matter: only priority, text and position do
    again = place_labels(list(reversed(labels)), markers=markers)
    assert {p.key: p for p in first} == {p.key: p for p in again}
    assert text_width("Darbasiyah", 12) > text_width("Amuda", 12) > 0
    # the width table is close to the measured font
    measured, table = text_width("Darbasiyah", 12), text_width("Darbasiyah", 12, measure=False)
    assert abs(measured - table) / measured < 0.2
    assert np.isfinite(world_px(40.0, 37.0)[0])


def test_label_boxes_of_each_position():
    w, h, off = 40.0, 15.6, 3.0
    assert label_box("right", w, h, off) == (5.0, -7.8, 45.0, 7.8)
    assert label_box("left", w, h, off) == (-45.0, -7.8, -5.0, 7.8)
    assert label_box("above", w, h, off) == pytest.approx((-20.0, -20.6, 20.0, -5.0))
    x0, y0, x1, y1 = label_box("above-right", w, h, off)
    assert math.hypot(x0, y1) == pytest.approx(5.0) and (x1 - x0, y1 - y0) == (w, pytest.approx(h))
    assert leader_line("right", off, 0) is None
    assert leader_line("below", off, 12.0) == (0.0, 3.0, 0.0, 17.0)
    assert label_box("below", w, h, off, 12.0)[1] == 17.0  # the line ends at the box
    assert POSITIONS == SIDES + DIAGONALS and len(set(POSITIONS)) == 8


# --------------------------------------------------------------------------- real views

TODAY = date(2026, 12, 1)
AT = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def _leaflet_fit_zoom(bounds, size, top_left, bottom_right, snap=0.25, current=7.0):
    """The zoom Leaflet's ``fitBounds`` gives (``getBoundsZoom``, not inside, snapped)."""
    (south, west), (north, east) = bounds
    s = 2.0**current
    xw, yn = world_px(west, north)
    xe, ys = world_px(east, south)
    bw, bh = (float(xe) - float(xw)) * s, (float(ys) - float(yn)) * s
    sx = (size[0] - top_left[0] - bottom_right[0]) / bw
    sy = (size[1] - top_left[1] - bottom_right[1]) / bh
    zoom = current + math.log2(min(sx, sy))
    zoom = round(zoom / (snap / 100)) * (snap / 100)
    return math.floor(zoom / snap) * snap


def _rows_at(rows, zoom):
    """Per name, the stage its row says it is written in at ``zoom`` (None: hidden)."""
    out = {}
    for _lat, _lon, text, _cls, stages, min_zoom, _offset, _dot in rows:
        if min_zoom is None or zoom + 1e-9 < min_zoom:
            out[text] = None
            continue
        st = [s for s in stages if s[0] <= zoom + 1e-9][-1]
        out[text] = None if st[1] == HIDDEN else st
    return out


@pytest.mark.parametrize("routes", [(), ("darbasiyah",)], ids=["2021", "darbasiyah-2021"])
def test_the_places_a_2021_slide_is_about_are_named_at_its_zoom(routes):
    """The issue's slide: the Overview filtered to 2021 (and to the Darbasiyah track),
    exported 16:9. At the zoom the export's map takes (Leaflet's fit of the view's frame in
    the slide's map box), al-Darbasiyah, Amuda, Qamishli and Kobani are named, clear of
    every other name, leader and marker; so they are a quarter zoom either side."""
    from components.basemap import LABELLED_KINDS, town_label_rows
    from components.briefing import (
        MAP_PADDING_BOTTOM_RIGHT,
        MAP_PADDING_TOP_LEFT,
        build_briefing,
        slide_boxes,
        standard_view,
    )
    from components.labels import view_activity, view_obstacles
    from data.load import load_dataset_files
    from data.views import overview_view

    ds = load_dataset_files()
    f = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31), routes=routes)
    view = overview_view(ds, f, TODAY).map
    sv = standard_view(ds, f, TODAY)
    b = build_briefing(ds, f, TODAY, view=sv, title="t", link=None, exported_at=AT)
    box = slide_boxes(b, "16:9")["map"]
    size = (int(box.w) - 2, int(box.h) - 2)  # inside its 1-px frame
    zoom = _leaflet_fit_zoom(sv.focus, size, MAP_PADDING_TOP_LEFT, MAP_PADDING_BOTTOM_RIGHT)
    assert 7.5 <= zoom <= 8.5, zoom  # the frame of the Jazira: all of it in the map

    activity = pd.Series(view_activity(view, ds.route_waypoints), dtype=float)
    assert activity["al_darbasiyah"] > 0 and activity["amuda"] > 0  # the track's runs
    towns = ds.places[ds.places["placed"] & ds.places["kind"].isin(LABELLED_KINDS)]
    towns = towns[["place_id", "name", "lat", "lon", "kind"]].assign(
        activity=towns["place_id"].map(activity).fillna(0.0)
    )
    obstacles = view_obstacles(view)
    rows = town_label_rows(towns, obstacles)
    wanted = {"al-Darbasiyah", "Amuda", "Qamishli", "Kobani"}
    for z in (zoom - 0.25, zoom, zoom + 0.25):
        at = _rows_at(rows, z)
        assert {name for name in wanted if at[name] is None} == set(), z
    # and the placements behind the rows are clear of each other and of the markers
    labels = [
        Label(
            r["name"],
            float(r["lon"]),
            float(r["lat"]),
            label_priority(r["kind"], r["activity"]),
            3.0,
            str(k),
        )
        for k, r in enumerate(towns.to_dict("records"))
    ]
    from components.basemap import LABEL_ZOOMS

    placed = place_labels(labels, zooms=LABEL_ZOOMS, markers=obstacles)
    for z in (zoom - 0.25, zoom, zoom + 0.25):
        _assert_clear(labels, placed, obstacles, z)


def test_names_keep_clear_of_what_is_fixed_such_as_country_names():
    """A box written at every zoom (a country's name) is kept clear as a placed name is:
    the town's right side is taken by it, so the name goes to its left."""
    from components.labels import FixedBox

    town = Label("Raqqa", 39.0, 35.95, label_priority("town", 3), offset=3)
    country = FixedBox(39.3, 35.95, (-20.0, -10.0, 20.0, 10.0))
    zooms = [7.0, 8.0]
    free = place_labels([town], zooms=zooms)[0]
    assert {free.stage_at(z).position for z in zooms} == {"right"}
    hemmed = place_labels([town], zooms=zooms, fixed=[country])[0]
    for z in zooms:
        st = hemmed.stage_at(z)
        assert st is not None and st.position != "right", z
        x, y = world_px(town.lon, town.lat)
        fx, fy = world_px(country.lon, country.lat)
        dx, dy = (float(fx) - float(x)) * 2**z, (float(fy) - float(y)) * 2**z
        a = shapely.box(*st.box)
        b = shapely.box(dx - 20, dy - 10, dx + 20, dy + 10)
        assert not a.intersects(b), z


def _label_rows(m):
    """The town-name rows of the basemap's label layer of the folium map ``m``."""
    from components.basemap import LabelLayer

    todo, rows = [m], []
    while todo:
        el = todo.pop()
        if isinstance(el, LabelLayer):
            rows += [r for r in el.rows if r[3] == "pw-town-name"]
        todo.extend(el._children.values())
    return rows


def test_the_whole_period_how_often_slide_names_its_most_active_places():
    """How often with no date filter, exported 16:9: its map (the whole theatre, framed at
    zoom 6.5 in the slide's map box, below the zoom the live maps start naming towns at)
    names the most active places there is room for, inside the map, clear of each other,
    of every leader and of every marker: at that zoom and a quarter zoom either side."""
    from components.basemap import LABEL_FONT_PX, LABEL_ZOOMS, country_name_boxes
    from components.briefing import (
        MAP_PADDING_BOTTOM_RIGHT,
        MAP_PADDING_TOP_LEFT,
        build_briefing,
        frequency_export_view,
        slide_boxes,
    )
    from components.colours import actor_colours
    from components.frequency import view_timeline
    from components.labels import view_obstacles
    from data.load import load_dataset_files
    from data.views import frequency_view

    ds = load_dataset_files()
    f = EventFilter()
    view = frequency_view(ds, f, TODAY)
    ev = frequency_export_view(ds, f, TODAY, view, view_timeline(view, actor_colours(ds.actors)))
    b = build_briefing(ds, f, TODAY, view=ev, title="t", link=None, exported_at=AT)
    box = slide_boxes(b, "16:9")["map"]
    size = (int(box.w) - 2, int(box.h) - 2)  # inside its 1-px frame
    tl, br = MAP_PADDING_TOP_LEFT, MAP_PADDING_BOTTOM_RIGHT
    zoom = _leaflet_fit_zoom(ev.focus, size, tl, br)
    assert zoom < 7, zoom  # the whole theatre in a short box: zoomed out

    rows = _label_rows(ev.map)
    # the map's view at each zoom (fitBounds centres the frame inside the padding)
    (south, west), (north, east) = ev.focus
    xw, yn = world_px(west, north)
    xe, ys = world_px(east, south)
    cx = (float(xw) + float(xe)) / 2
    cy = (float(yn) + float(ys)) / 2
    h = LABEL_FONT_PX * 1.3
    for z in (zoom - 0.25, zoom, zoom + 0.25):
        s = 2.0**z
        left = cx * s + (br[0] - tl[0]) / 2 - size[0] / 2
        top = cy * s + (br[1] - tl[1]) / 2 - size[1] / 2
        inside = set()
        for text, st in _rows_at(rows, z).items():
            if st is None:
                continue
            row = next(r for r in rows if r[2] == text)
            _from, pos, ax, ay, _line = st
            lead = max(0.0, math.hypot(ax, ay) - row[6] - 2.0)
            lead = 0.0 if lead < 0.05 else lead
            bx = label_box(pos, text_width(text, LABEL_FONT_PX), h, row[6], lead)
            x, y = world_px(row[1], row[0])
            px, py = float(x) * s - left, float(y) * s - top
            if px + bx[0] >= 1 and py + bx[1] >= 1:
                if px + bx[2] <= size[0] - 1 and py + bx[3] <= size[1] - 1:
                    inside.add(text)
        assert len(inside) >= 8, (z, sorted(inside))
        # the busiest towns on the map are among them
        assert {"Qamishli", "Kobani", "Ain Issa", "Saraqib"} <= inside, (z, sorted(inside))

    # the names as the rows write them are clear of each other, of leaders and of markers
    labels = [Label(r[2], r[1], r[0], 0.0, r[6], str(k)) for k, r in enumerate(rows)]
    placed = [_placement_of(lab, r) for lab, r in zip(labels, rows, strict=True)]
    assert all(r[5] is None or r[5] in LABEL_ZOOMS for r in rows)
    obstacles = view_obstacles(ev.map_view)
    countries = country_name_boxes(pad=0.0)
    for z in (zoom - 0.25, zoom, zoom + 0.25):
        _assert_clear(labels, placed, obstacles, z)
        for key, box, _line, _ in _drawn(labels, placed, z):
            for c in countries:
                x, y = world_px(c.lon, c.lat)
                cx, cy = float(x) * 2**z, float(y) * 2**z
                assert not box.intersects(
                    shapely.box(cx + c.box[0], cy + c.box[1], cx + c.box[2], cy + c.box[3])
                ), (z, key)


def _placement_of(lab, row):
    """The :class:`Placement` a label layer's ``row`` was made from (its stages' boxes
    and leaders in px from the point, as the map draws them)."""
    from components.basemap import LABEL_FONT_PX
    from components.labels import Placement, Stage

    h = LABEL_FONT_PX * 1.3
    w = text_width(lab.text, LABEL_FONT_PX)
    stages = []
    for from_zoom, pos, ax, ay, line in row[4]:
        if pos == HIDDEN:
            stages.append(Stage(from_zoom, pos, 0.0, False, None, None))
            continue
        dist = math.hypot(ax, ay)
        lead = dist - row[6] - 2.0
        lead = 0.0 if lead < 0.05 else lead  # the rows round to 0.01 px
        box = label_box(pos, w, h, row[6], lead)
        stages.append(Stage(from_zoom, pos, dist, line is not None, box, line and tuple(line)))
    return Placement(lab.key, lab.text, SIDES[0], row[5], w, h, row[6], tuple(stages))


def test_view_activity_counts_events_visits_and_route_runs(mini):
    from components.labels import view_activity

    view = build_map_view(mini, mini.events, window_end=END)
    act = view_activity(view, mini.route_waypoints)
    runs = dict(zip(view.routes["route_id"], view.routes["runs"], strict=True))
    events = dict(zip(view.markers["key"], view.markers["n"], strict=True))
    visits = dict(zip(view.visits["key"], view.visits["visits"], strict=True))
    on_route = mini.route_waypoints.drop_duplicates(["route_id", "place_id"])
    for place in set(act):
        expected = events.get(place, 0) + visits.get(place, 0)
        expected += sum(
            runs.get(r, 0) for r in on_route.loc[on_route["place_id"] == place, "route_id"]
        )
        for r in view.routes.itertuples():
            expected += runs[r.route_id] * ((r.entry_id == place) + (place in (r.base_ids or ())))
        assert act[place] == pytest.approx(expected), place
    assert view_activity(view) != act or not len(on_route)  # the waypoints add the runs


def test_the_shipped_towns_never_overlap_on_the_explorer_map():
    """The embedded data's town names (Darbasiyah, Amuda, Qamishli, Ras al-Ain, Abu Rasin,
    Kobani, …) over the explorer's markers: at every zoom the map can take, no two names
    shown meet, no leader meets a name or a marker, none meets a marker, and each clears
    the markers at its own town — read back from the rows the map is given."""
    from components.basemap import LABEL_FONT_PX, LABEL_ZOOMS, LABELLED_KINDS, town_label_rows
    from components.labels import view_obstacles

    ds = embedded_dataset()
    view = build_map_view(ds, ds.events, window_end=END)
    obstacles = view_obstacles(view)
    towns = ds.places[ds.places["placed"] & ds.places["kind"].isin(LABELLED_KINDS)]
    rows = town_label_rows(towns[["name", "lat", "lon", "kind"]], obstacles)
    assert {"Qamishli", "Amuda", "Kobani", "Ras al-Ain", "Abu Rasin"} <= {r[2] for r in rows}
    h = LABEL_FONT_PX * 1.3
    for z in LABEL_ZOOMS:
        drawn = []
        for lat, lon, text, _cls, _stages, _min, offset, _dot in rows:
            st = _rows_at([[lat, lon, text, _cls, _stages, _min, offset, _dot]], z)[text]
            if st is None:
                continue
            _from, pos, ax, ay, line = st
            lead = math.hypot(ax, ay) - offset - 2.0
            lead = 0.0 if lead < 0.05 else lead  # the rows round to 0.01 px
            assert (line is None) == (lead == 0.0), (z, text)
            b = label_box(pos, text_width(text, LABEL_FONT_PX), h, offset, lead)
            x, y = world_px(lon, lat)
            cx, cy = float(x) * 2**z, float(y) * 2**z
            box = shapely.box(cx + b[0], cy + b[1], cx + b[2], cy + b[3])
            ln = (
                shapely.LineString([(cx + line[0], cy + line[1]), (cx + line[2], cy + line[3])])
                if line
                else None
            )
            drawn.append((text, box, ln, (cx, cy)))
        for (ka, a, la, _), (kb, bb, lb, _) in itertools.combinations(drawn, 2):
            assert not a.intersects(bb), (z, ka, kb)
            assert la is None or not la.intersects(bb), (z, ka, kb)
            assert lb is None or not lb.intersects(a), (z, kb, ka)
        for (mx_, my_), sq in _marker_discs(obstacles, z):
            for text, box, ln, (px, py) in drawn:
                if abs(mx_ - px) < 1e-6 and abs(my_ - py) < 1e-6:
                    continue
                assert not box.intersects(sq), (z, text)
                if ln is not None and not sq.contains(shapely.Point(px, py)):
                    assert not ln.intersects(sq), (z, text)
    at = _rows_at(rows, LABEL_ZOOMS[-1])
    assert all(at[name] is not None for name in ("Qamishli", "Kobani", "Amuda"))


def test_names_of_framed_places_stay_inside_the_frame_where_they_can():
    """A map framed on its data (an export) cuts what runs past the frame: a place at the
    frame's top edge is written inside it, where anything is free inside."""
    # a town on the frame's northern edge, its right side and above blocked by markers
    town = Label("al-Darbasiyah", 40.65, 37.07, label_priority("town", 5), offset=3)
    markers = [Marker(40.70, 37.07, 10.0), Marker(40.65, 37.10, 10.0)]
    frame = (39.5, 36.6, 42.5, 37.075)  # west, south, east, north
    zooms = [z / 4 for z in range(28, 41)]
    free = place_labels([town], zooms=zooms, markers=markers)[0]
    kept = place_labels([town], zooms=zooms, markers=markers, frame=frame, frame_margin=4.0)[0]
    fx0, fy0 = world_px(frame[0], frame[3])
    fx1, fy1 = world_px(frame[2], frame[1])
    x, y = world_px(town.lon, town.lat)
    moved = 0
    for z in zooms:
        st = kept.stage_at(z)
        assert st is not None, z
        s = 2.0**z
        box = (x * s + st.box[0], y * s + st.box[1], x * s + st.box[2], y * s + st.box[3])
        assert fx0 * s - 4 <= box[0] and box[2] <= fx1 * s + 4, z
        assert fy0 * s - 4 <= box[1] and box[3] <= fy1 * s + 4, z
        moved += free.stage_at(z) != st
    assert moved  # without the frame it would have run past the top edge at some zoom
    # a place outside the frame is placed as if there were none
    away = Label("Raqqa", 39.0, 35.95, label_priority("city", 0), offset=3)
    assert place_labels([away], zooms=zooms, frame=frame) == place_labels([away], zooms=zooms)
