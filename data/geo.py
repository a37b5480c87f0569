"""Geodesy for the data set: positions derived from "N km <direction> of <place>", and
the lengths of routes drawn through their waypoints. Uses pyproj's geodesic on WGS84.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Geod

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
