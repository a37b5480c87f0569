"""The agreements' geometry: strips and lines at a distance from a border, checked on the
WGS84 ellipsoid (pyproj's geodesic), independently of the projection they are built in."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point, shape

from data.zones import (
    distance_to_line_km,
    offset_line,
    read_borders,
    read_zones,
    side_strip,
    zone_layer,
    zones_for_theatres,
)

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def border():
    return read_borders()["SYR-TUR"]


@pytest.fixture(scope="module")
def layer():
    return zone_layer(read_zones(), read_borders())


def _vertices(geom) -> np.ndarray:
    parts = getattr(geom, "geoms", [geom])
    coords = []
    for part in parts:
        ring = getattr(part, "exterior", part)
        coords.extend(ring.coords)
    return np.asarray(coords)


def test_border_runs_west_to_east_from_the_sea_to_the_tripoint(border):
    (lon0, lat0), (lon1, lat1) = border.coords[0], border.coords[-1]
    assert lon0 == pytest.approx(35.912, abs=0.01) and lat0 == pytest.approx(35.918, abs=0.01)
    assert lon1 == pytest.approx(42.356, abs=0.01) and lat1 == pytest.approx(37.110, abs=0.01)


def test_the_strip_is_10_km_wide_within_one_percent(border):
    strip = side_strip(border, 10, "right")
    xy = _vertices(strip)
    d = distance_to_line_km(xy[:, 0], xy[:, 1], border)
    # leave out the straight ends that close the strip at the sea and at the tripoint
    ends = np.full(len(xy), np.inf)
    for lon, lat in (border.coords[0], border.coords[-1]):
        _, _, m = GEOD.inv(xy[:, 0], xy[:, 1], np.full(len(xy), lon), np.full(len(xy), lat))
        ends = np.minimum(ends, m / 1000)
    edge = d[(d > 0.05) & (ends > 10.5)]
    assert len(edge) > 100  # the far edge, all along the border
    assert np.all(np.abs(edge - 10.0) <= 0.1), (edge.min(), edge.max())


def test_the_30_km_line_is_30_km_from_the_border_within_one_percent(border):
    line = offset_line(border, 30, "right")
    xy = _vertices(line)
    d = distance_to_line_km(xy[::3, 0], xy[::3, 1], border)
    assert np.all(np.abs(d - 30.0) <= 0.3), (d.min(), d.max())


def test_the_strip_lies_on_the_side_asked_for(border):
    # a point 5 km south (Syria) and 5 km north (Turkey) of a point on the border
    lon, lat = border.interpolate(0.6, normalized=True).coords[0]
    s_lon, s_lat, _ = GEOD.fwd(lon, lat, 180, 5000)
    n_lon, n_lat, _ = GEOD.fwd(lon, lat, 0, 5000)
    syria = side_strip(border, 10, "right")
    turkey = side_strip(border, 10, "left")
    assert syria.contains(Point(s_lon, s_lat)) and not syria.contains(Point(n_lon, n_lat))
    assert turkey.contains(Point(n_lon, n_lat)) and not turkey.contains(Point(s_lon, s_lat))


def test_declared_zones_follow_the_memorandum_stretches(layer):
    by_id = {f["properties"]["zone_id"]: f for f in layer["features"]}
    assert {"sochi_10km", "sochi_30km", "border:SYR-TUR"} <= set(by_id)
    assert layer["missing"] == []
    strip = shape(by_id["sochi_10km"]["geometry"])
    west, _, east, _ = strip.bounds
    assert west == pytest.approx(38.02, abs=0.01)  # the Euphrates at Jarabulus
    assert east == pytest.approx(42.356, abs=0.01)  # the tripoint
    # nothing over the Operation Peace Spring area between Tal Abyad and Ras al-Ain
    assert not strip.intersects(shape({"type": "Point", "coordinates": [39.5, 36.75]}).buffer(0.2))
    # a few km south of Kobani, al-Darbasiyah and Qamishli: inside
    for lon, lat in ((38.35, 36.85), (40.65, 37.03), (41.23, 37.01)):
        assert strip.contains(Point(lon, lat)), (lon, lat)
    props = by_id["sochi_10km"]["properties"]
    assert props["sources"] == "xinhua-c138494545:1" and props["width_km"] == 10
    assert "Tal Abyad" in props["derivation"]
    # the simplified, rounded line on the map is still 30 km out within 1 %
    line = shape(by_id["sochi_30km"]["geometry"])
    xy = _vertices(line)
    d = distance_to_line_km(xy[:, 0], xy[:, 1], read_borders()["SYR-TUR"])
    assert np.all(np.abs(d - 30.0) <= 0.3)


def test_the_euphrates_crosses_the_border_where_the_strip_begins(border):
    rivers = json.loads(
        (read_borders.__defaults__[0].parent / "rivers.geojson").read_text(encoding="utf-8")
    )
    euphrates = next(
        shape(f["geometry"]) for f in rivers["features"] if f["properties"]["name"] == "Euphrates"
    )
    crossing = border.intersection(euphrates)
    zone = next(z for z in read_zones() if z.zone_id == "sochi_10km")
    assert crossing.x == pytest.approx(zone.spans[0][0], abs=0.001)


def test_zones_are_kept_per_theatre(layer):
    assert zones_for_theatres(layer, ()) is layer
    ne = zones_for_theatres(layer, ("ne_syria",))
    assert len(ne["features"]) == len(layer["features"])
    assert zones_for_theatres(layer, ("idlib_m4",))["features"] == []


def test_a_bad_declaration_is_refused_with_its_zone_named(tmp_path):
    path = tmp_path / "zones.json"
    path.write_text(
        json.dumps(
            [
                {
                    "zone_id": "odd",
                    "theatre_id": "t",
                    "kind": "circle",
                    "border_id": "SYR-TUR",
                    "side": "right",
                    "width_km": 10,
                    "label": "x",
                }
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"zone 1 \(odd\).*kind"):
        read_zones(path)
    path.write_text(json.dumps([{"zone_id": "short"}]), encoding="utf-8")
    with pytest.raises(ValueError, match=r"short.*'theatre_id' is missing"):
        read_zones(path)


def test_a_zone_on_an_unknown_border_is_listed_not_drawn():
    zones = tuple(z for z in read_zones() if z.zone_id == "sochi_10km")
    layer = zone_layer(zones, {})
    assert layer["features"] == [] and layer["missing"] == ["sochi_10km"]
