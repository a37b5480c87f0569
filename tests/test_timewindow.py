"""Certain and possible: date spans at each precision against a window, and precision
circles across the edge of a 10 km strip. Known answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString

from components.filters import KEY_CERTAIN, KEY_DATES, filter_from_state
from data.dates import date_window
from data.filters import EventFilter, filter_events
from data.timewindow import (
    CERTAINLY,
    POSSIBLY,
    certainly_in_window,
    circles_inside,
    possibly_in_window,
    rule_line,
    strip_area,
    strip_line,
)
from data.zones import side_strip

# window: 15 Nov 2019 - 31 Dec 2019
WS, WE = pd.Timestamp("2019-11-15"), pd.Timestamp("2019-12-31")

SPANS = [
    # (written date, certainly, possibly)
    ("2019-11-15", True, True),  # day, first day of the window
    ("2019-11-14", False, False),  # day, just before
    ("2019-12-31", True, True),  # day, last day
    ("2019-W46", False, True),  # week 11-17 Nov: crosses the start
    ("2019-W47", True, True),  # week 18-24 Nov: inside
    ("2020-W01", False, True),  # ISO week 30 Dec 2019 - 5 Jan 2020: crosses the end
    ("2019-11", False, True),  # month: 1-30 Nov, crosses the start
    ("2019-12", True, True),  # month inside
    ("2019-10", False, False),  # month before
    ("2019-Q4", False, True),  # quarter Oct-Dec: crosses the start
    ("2019", False, True),  # year: overlaps only
    ("2018", False, False),
]


@pytest.mark.parametrize(("text", "certain", "possible"), SPANS)
def test_spans_at_each_precision(text: str, certain: bool, possible: bool) -> None:
    start, end = date_window(pd.Series([text]))
    assert bool(certainly_in_window(start, end, WS, WE).iloc[0]) is certain
    assert bool(possibly_in_window(start, end, WS, WE).iloc[0]) is possible


def test_certain_implies_possible_and_open_windows() -> None:
    texts = pd.Series([t for t, _, _ in SPANS])
    start, end = date_window(texts)
    c = certainly_in_window(start, end, WS, WE)
    p = possibly_in_window(start, end, WS, WE)
    assert not (c & ~p).any()
    # an open end keeps everything from the start on, certainly for spans starting after it
    open_end = certainly_in_window(start, end, WS, None)
    assert open_end[texts == "2019-12"].all() and open_end[texts == "2020-W01"].all()
    assert not open_end[texts.isin(["2019-11", "2019-Q4", "2019"])].any()
    # no date at all: never certain, never in a bounded window
    s, e = date_window(pd.Series([""]))
    assert not certainly_in_window(s, e, WS, WE).iloc[0]
    assert not possibly_in_window(s, e, WS, WE).iloc[0]


# --------------------------------------------------------------------------- places

_GEOD = Geod(ellps="WGS84")
# west to east: the right side is south
BORDER = LineString([(38.0, 36.8), (41.0, 36.8)]).segmentize(0.01)
STRIP = side_strip(BORDER, 10.0, "right")


def _south_of_border(km: float, lon: float = 39.5) -> tuple[float, float]:
    """The point ``km`` south of the border line (negative: north of it)."""
    az = 180.0 if km >= 0 else 0.0
    lon2, lat2, _ = _GEOD.fwd(lon, 36.8, az, abs(km) * 1000.0)
    return lat2, lon2


CIRCLES = [
    # (km south of the border, radius km, certainly, possibly)
    (5.0, 1.0, True, True),  # well inside
    (5.0, 6.0, False, True),  # crosses the border edge
    (9.0, 2.0, False, True),  # crosses the 10 km edge
    (12.0, 1.0, False, False),  # outside, out of reach
    (12.0, 3.0, False, True),  # outside, but its circle reaches in
    (-1.0, 2.0, False, True),  # across the border, circle reaches in
    (-3.0, 1.0, False, False),
    (0.5, 0.0, True, True),  # an exact position just inside
]


def test_circles_across_the_strip_edges() -> None:
    pts = [_south_of_border(km) for km, _, _, _ in CIRCLES]
    lat = np.array([p[0] for p in pts])
    lon = np.array([p[1] for p in pts])
    radius = np.array([r * 1000.0 for _, r, _, _ in CIRCLES])
    got = circles_inside(lat, lon, radius, STRIP)
    assert got.certain.tolist() == [c for _, _, c, _ in CIRCLES]
    assert got.possible.tolist() == [p for _, _, _, p in CIRCLES]


def test_circles_far_from_the_area_are_left_out_before_measuring(monkeypatch) -> None:
    import data.timewindow as tw

    rng = np.random.default_rng(7)
    west, south, east, north = STRIP.bounds
    lat = rng.uniform(south - 1.0, north + 1.0, 3000)
    lon = rng.uniform(west - 1.0, east + 1.0, 3000)
    radius = rng.choice([0.0, 500.0, 5_000.0, 30_000.0, 90_000.0], 3000)
    quick = circles_inside(lat, lon, radius, STRIP)
    monkeypatch.setattr(tw, "_near_bounds", lambda lat, *_: np.ones(len(lat), dtype=bool))
    every = circles_inside(lat, lon, radius, STRIP)
    assert (quick.certain == every.certain).all() and (quick.possible == every.possible).all()
    assert every.possible.any() and not every.possible.all()


def test_events_at_one_place_get_its_circles_verdict() -> None:
    """Circles are measured once per distinct circle: many events at each of the places of
    CIRCLES, shuffled, get the verdict of their place's circle measured alone."""
    pts = [_south_of_border(km) for km, _, _, _ in CIRCLES]
    rng = np.random.default_rng(11)
    pick = rng.integers(0, len(CIRCLES), 2000)
    lat = np.array([p[0] for p in pts])[pick]
    lon = np.array([p[1] for p in pts])[pick]
    radius = np.array([r * 1000.0 for _, r, _, _ in CIRCLES])[pick]
    got = circles_inside(lat, lon, radius, STRIP)
    assert got.certain.tolist() == [CIRCLES[k][2] for k in pick]
    assert got.possible.tolist() == [CIRCLES[k][3] for k in pick]


def test_the_metric_projection_is_the_one_from_epsg_4326() -> None:
    from pyproj import Transformer

    from data.zones import LONLAT, metric_crs

    crs = metric_crs(STRIP)
    lon, lat = np.linspace(36.0, 42.5, 9), np.linspace(35.5, 37.5, 9)
    ours = Transformer.from_crs(LONLAT, crs, always_xy=True).transform(lon, lat)
    epsg = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    assert np.allclose(ours, epsg, rtol=0, atol=1e-6)  # metres


def test_unplaced_events_are_neither() -> None:
    got = circles_inside(np.array([np.nan]), np.array([np.nan]), np.array([100.0]), STRIP)
    assert not got.certain[0] and not got.possible[0] and not got.placed[0]


def test_strip_area_from_the_zone_layer_and_its_line() -> None:
    from data.zones import read_borders, read_zones, zone_layer

    layer = zone_layer(read_zones(), read_borders())
    area = strip_area(layer)
    assert not area.is_empty
    assert strip_area(layer, theatres=("idlib_m4",)).is_empty
    lat, lon = 37.03, 40.65  # about 5 km south of the border at al-Darbasiyah
    events = pd.DataFrame({"lat": [lat, np.nan], "lon": [lon, np.nan]})
    events["location_precision_m"] = [500.0, np.nan]
    line = strip_line(events, area)
    assert line.startswith("10 km strip: 1 event(s) certainly inside")
    assert strip_line(events, strip_area(layer, theatres=("idlib_m4",))) == ""


# --------------------------------------------------------------------------- the filter


def test_filter_rule_on_the_fixture(mini) -> None:
    f = EventFilter(start=date(2020, 3, 15), end=date(2020, 12, 31))
    possibly = sorted(filter_events(mini, f)["event_id"])
    certainly = sorted(filter_events(mini, replace(f, date_rule=CERTAINLY))["event_id"])
    # e3 is known only to March 2020: it overlaps the range but does not lie inside it
    assert possibly == ["e3", "e4"]
    assert certainly == ["e4"]
    line = rule_line(mini, f)
    assert "possibly in the window" in line and "leave out 1 " in line
    line = rule_line(mini, replace(f, date_rule=CERTAINLY))
    assert "certainly in the window" in line and '"possibly" would add 1 ' in line
    assert "(certainly in the range)" in replace(f, date_rule=CERTAINLY).describe(mini)


def test_rule_from_the_url_state(mini) -> None:
    today = date(2026, 1, 1)
    state = {KEY_DATES: (date(2020, 3, 15), date(2020, 12, 31)), KEY_CERTAIN: "true"}
    assert filter_from_state(state, mini, today).date_rule == CERTAINLY
    assert filter_from_state({**state, KEY_CERTAIN: False}, mini, today).date_rule == POSSIBLY
    assert filter_from_state({}, mini, today).date_rule == POSSIBLY


# --------------------------------------------------------------------------- the page


def test_the_switch_on_the_overview_changes_the_counts_and_says_so(monkeypatch) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.run()
    at.date_input(key="dates").set_value((date(2019, 11, 15), date(2020, 12, 31))).run()
    assert not at.exception
    line = next(c.value for c in at.caption if "Date rule" in c.value)
    assert "possibly in the window" in line and "would leave out" in line
    dropped = int(line.split("leave out ")[1].split(" ")[0])
    assert dropped > 0  # events known only to a week or month crossing 15 Nov 2019
    events_before = next(s.value for s in at.subheader if s.value.startswith("Events ("))
    at.session_state[KEY_CERTAIN] = True  # the sidebar switch (keyed, bound to the URL)
    at.run()
    assert not at.exception
    line = next(c.value for c in at.caption if "Date rule" in c.value)
    assert "certainly in the window" in line and f"would add {dropped} " in line
    events_after = next(s.value for s in at.subheader if s.value.startswith("Events ("))
    n = int(events_before.strip("Events ()").replace(",", ""))
    assert events_after == f"Events ({n - dropped:,})"


def test_a_link_with_an_out_of_range_date_is_reported(monkeypatch) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.query_params["dates"] = ["1900-01-01", "2021-12-31"]
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    # the warning is Markdown with the link's text escaped: compare it unescaped
    warned = [w.value.replace("\\", "") for w in at.warning if "link's dates" in w.value]
    assert warned and "dates='1900-01-01' is before the first day" in warned[0]
    assert "instead" in warned[0]
    assert at.date_input(key="dates").value[1] == date(2021, 12, 31)
