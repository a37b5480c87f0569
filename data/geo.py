"""Geodesy for the data set: positions derived from "N km <direction> of <place>", and
the lengths of routes drawn through their waypoints. Uses pyproj's geodesic on WGS84.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Geod
from shapely.geometry import LineString

WGS84 = Geod(ellps="WGS84")

COMPASS = ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"]


def compass_word(bearing_deg: float) -> str:
    """'west' for 270°, 'north-east' for 45°: how a source would say it."""
    return COMPASS[int(((bearing_deg % 360) + 22.5) // 45) % 8]


def offset_points(
    lat: pd.Series, lon: pd.Series, bearing_deg: pd.Series, distance_km: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Points ``distance_km`` along ``bearing_deg`` from each (lat, lon), geodesically."""
    lon2, lat2, _ = WGS84.fwd(
        lon.to_numpy(dtype=float),
        lat.to_numpy(dtype=float),
        bearing_deg.to_numpy(dtype=float),
        distance_km.to_numpy(dtype=float) * 1000.0,
    )
    return np.asarray(lat2), np.asarray(lon2)


def path_length_km(latlons: list[tuple[float, float]]) -> float:
    """Geodesic length of a path through the points, in km (0 for fewer than two)."""
    if len(latlons) < 2:
        return 0.0
    lats = [p[0] for p in latlons]
    lons = [p[1] for p in latlons]
    return float(WGS84.line_length(lons, lats)) / 1000.0


def bearing_gap(a: float | np.ndarray, b: float | np.ndarray) -> np.ndarray:
    """The angle between two bearings, 0–180°."""
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def point_on_line_at_distance(
    lat: float,
    lon: float,
    bearing_deg: float,
    distance_km: float,
    line: LineString,
    max_turn_deg: float = 45.0,
) -> tuple[float, float, float] | None:
    """The point of ``line`` (lon/lat) that lies ``distance_km`` from (lat, lon), geodesically,
    in the direction nearest ``bearing_deg``: (lat, lon, its bearing from the start). None
    when no point of the line at that distance lies within ``max_turn_deg`` of the bearing.

    This is how "a border gate about 13 km west of the town" is placed: on the border, at
    the distance the source gives, in the direction closest to the one it gives."""
    dense = np.asarray(line.segmentize(0.0005).coords)  # about 50 m between vertices
    bx, by = dense[:, 0], dense[:, 1]
    _, _, dist = WGS84.inv(np.full(bx.size, lon), np.full(by.size, lat), bx, by)
    gap = dist / 1000.0 - distance_km
    crossing = np.nonzero(np.sign(gap[:-1]) != np.sign(gap[1:]))[0]
    best: tuple[float, float, float] | None = None
    best_turn = max_turn_deg
    for i in crossing:
        t = gap[i] / (gap[i] - gap[i + 1])
        x = float(bx[i] + t * (bx[i + 1] - bx[i]))
        y = float(by[i] + t * (by[i + 1] - by[i]))
        az, _, _ = WGS84.inv(lon, lat, x, y)
        turn = float(bearing_gap(az, bearing_deg))
        if turn <= best_turn:
            best, best_turn = (y, x, float(az % 360.0)), turn
    return best
