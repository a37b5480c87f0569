"""Certain and possible: which events lie *certainly* in a window of time or a strip of land,
and which only *possibly*.

An event's date is a span, not a day: "Nov 2019" is 1-30 Nov 2019, "2019-W46" a week
(``data.dates.date_window``). Its place is a circle: the point and its precision radius.

- **certainly in the window**: the whole span lies inside it (start on or after the
  window's first day, end on or before its last);
- **possibly in the window**: the span overlaps it (the rule the filters always used).

- **certainly inside the strip**: the whole precision circle lies inside it;
- **possibly inside**: the circle reaches it (the point inside, or within its radius of
  the edge). Computed in a metric projection (``data.zones.metric_crs``), so a 10 km strip
  and a 5 km circle are measured on the ground, not in degrees.

Pure pandas and shapely, vectorised; no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from data.frames import distinct_rows
from data.zones import _project, metric_crs

if TYPE_CHECKING:
    from data.filters import EventFilter
    from data.model import DataSet

CERTAINLY = "certainly"
POSSIBLY = "possibly"
DATE_RULES: dict[str, str] = {
    POSSIBLY: "possibly in the window (its date span overlaps it)",
    CERTAINLY: "certainly in the window (its whole date span lies inside it)",
}


def _ts(value: object) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)  # type: ignore[arg-type]


def certainly_in_window(
    start: pd.Series, end: pd.Series, window_start: object = None, window_end: object = None
) -> pd.Series:
    """True where the span ``start``–``end`` (first and last day) lies wholly inside the
    window (``None``: open on that side). A span with no known date is never certain."""
    ws, we = _ts(window_start), _ts(window_end)
    keep = start.notna() & end.notna()
    if ws is not None:
        keep &= start >= ws
    if we is not None:
        keep &= end <= we
    return keep.fillna(False).astype(bool)


def possibly_in_window(
    start: pd.Series, end: pd.Series, window_start: object = None, window_end: object = None
) -> pd.Series:
    """True where the span ``start``–``end`` overlaps the window (``None``: open)."""
    ws, we = _ts(window_start), _ts(window_end)
    keep = pd.Series(True, index=start.index)
    if ws is not None:
        keep &= end >= ws
    if we is not None:
        keep &= start <= we
    return keep.fillna(False).astype(bool)


def in_window(
    start: pd.Series,
    end: pd.Series,
    window_start: object = None,
    window_end: object = None,
    rule: str = POSSIBLY,
) -> pd.Series:
    """The events in the window by ``rule`` (``certainly`` or ``possibly``)."""
    fn = certainly_in_window if rule == CERTAINLY else possibly_in_window
    return fn(start, end, window_start, window_end)


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Inside:
    """Per event: ``certain`` (its circle lies inside the area), ``possible`` (its circle
    reaches the area) and ``placed`` (it has a position at all)."""

    certain: np.ndarray
    possible: np.ndarray
    placed: np.ndarray

    @property
    def n_certain(self) -> int:
        return int(self.certain.sum())

    @property
    def n_possible(self) -> int:
        return int(self.possible.sum())


def circles_inside(
    lat: np.ndarray | pd.Series,
    lon: np.ndarray | pd.Series,
    radius_m: np.ndarray | pd.Series,
    area: BaseGeometry,
) -> Inside:
    """Which circles (centre ``lat``/``lon``, radius ``radius_m`` metres; a missing radius
    counts as 0) lie certainly or possibly inside ``area`` (a lon/lat polygon). Measured in
    a metric projection centred on the area."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    r = np.nan_to_num(np.asarray(radius_m, dtype=float), nan=0.0)
    placed = np.isfinite(lat) & np.isfinite(lon)
    certain = np.zeros(len(lat), dtype=bool)
    possible = np.zeros(len(lat), dtype=bool)
    if area.is_empty or not placed.any():
        return Inside(certain, possible, placed)
    near = placed & _near_bounds(lat, lon, r, area.bounds)  # the others cannot touch it
    if not near.any():
        return Inside(certain, possible, placed)
    # events share their places: each distinct circle is measured once
    at = np.flatnonzero(near)
    first, which = distinct_rows(lon[at], lat[at], r[at])
    one = at[first]
    crs = metric_crs(area)
    metric_area = _project(area, crs)
    points = _project(shapely.points(lon[one], lat[one]), crs)  # type: ignore[arg-type]
    shapely.prepare(metric_area)
    within = shapely.contains(metric_area, points)
    to_edge = shapely.distance(points, metric_area.boundary)
    to_area = shapely.distance(points, metric_area)
    radius = r[one]
    certain[at] = (within & (to_edge >= radius))[which]
    possible[at] = (within | (to_area <= radius))[which]
    return Inside(certain, possible, placed)


def _near_bounds(
    lat: np.ndarray, lon: np.ndarray, r: np.ndarray, bounds: tuple[float, float, float, float]
) -> np.ndarray:
    """Which circles may reach the box ``bounds`` (west, south, east, north; degrees): a
    cheap test before projecting, generous (a tenth more than the radius, plus 1 km), so
    that no circle that touches the area is left out."""
    west, south, east, north = bounds
    with np.errstate(invalid="ignore"):
        d_lat = np.maximum(np.maximum(south - lat, lat - north), 0.0) * 110_000.0
        widest = np.maximum(np.abs(lat), max(abs(south), abs(north)))
        per_lon = 111_320.0 * np.cos(np.radians(np.minimum(widest, 89.9)))
        d_lon = np.maximum(np.maximum(west - lon, lon - east), 0.0) * per_lon
        reach = r * 1.1 + 1_000.0
        return (d_lat <= reach) & (d_lon <= reach)


def strip_area(layer: dict, theatres: tuple[str, ...] = (), width_km: float = 10.0) -> BaseGeometry:
    """The strips of ``width_km`` in a zone layer (``data.zones.zone_layer``), of the given
    theatres (all when empty), as one lon/lat geometry (empty if there is none)."""
    parts = [
        shape(f["geometry"])
        for f in layer.get("features", [])
        if f["properties"].get("kind") == "strip"
        and float(f["properties"].get("width_km", 0)) == width_km
        and (not theatres or f["properties"].get("theatre_id") in theatres)
    ]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def events_in_strip(events: pd.DataFrame, area: BaseGeometry) -> Inside:
    """Certain/possible per event of ``events`` (its first placed place and its precision
    radius, ``location_precision_m``)."""
    return circles_inside(
        events["lat"], events["lon"], events["location_precision_m"].fillna(0.0), area
    )


def strip_line(events: pd.DataFrame, area: BaseGeometry, width_km: float = 10.0) -> str:
    """One line for a caption: how many of the events lie certainly, and how many more only
    possibly, inside the strip; '' when there is no strip."""
    if area.is_empty:
        return ""
    inside = events_in_strip(events, area)
    more = inside.n_possible - inside.n_certain
    return (
        f"{width_km:g} km strip: {inside.n_certain:,} event(s) certainly inside (their "
        f"precision circle lies within it), {more:,} more possibly (the circle crosses its edge)."
    )


# --------------------------------------------------------------------------- captions


def other_rule(rule: str) -> str:
    """The rule the switch would change to."""
    return POSSIBLY if rule == CERTAINLY else CERTAINLY


def rule_line(ds: DataSet, f: EventFilter, shown: int | None = None) -> str:
    """One line saying which date rule the counts use and how many events the other rule
    would add (or drop): 'Date rule: possibly in the window (…): 412 events; "certainly"
    would leave out 37 of them (known only to a week, month…).'"""
    from data.filters import count_events

    rule = getattr(f, "date_rule", POSSIBLY)
    if shown is None:
        shown = count_events(ds, f)
    if f.start is None and f.end is None:
        return f"Date rule: {DATE_RULES[rule]}; no date range is set, so both rules agree."
    other = count_events(ds, replace(f, date_rule=other_rule(rule)))
    head = f"Date rule: {DATE_RULES[rule]}: {shown:,} event(s); "
    if rule == CERTAINLY:
        return head + (
            f'"possibly" would add {other - shown:,} whose date span only overlaps the range.'
        )
    return head + (
        f'"certainly" would leave out {shown - other:,} whose date span crosses the range\'s '
        "edge (known only to a week, month, quarter or year)."
    )
