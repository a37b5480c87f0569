"""Where a map's names go, computed on the server: for each label, the side of its point it
is written on (right, left, above, below) and the smallest zoom at which it shows without
its box overlapping the box of any label of higher priority, or a marker.

Boxes are measured in Web-Mercator pixels (256-pixel tiles, as Leaflet draws) at each zoom
of the map. A label's width is the width of its text in DejaVu Sans Bold at the map's font
size, measured with Pillow's ``ImageFont`` (the font the map's CSS names first for labels);
where that font cannot be read, a per-character width table of the same font stands in
(:func:`text_width`). Higher-priority labels are placed first (by kind: city, crossing,
base, town, …, then activity); each later label takes the side that lets it show soonest,
checked at every zoom from its own upward, so at every zoom the boxes of the labels shown
never intersect each other or a marker. A label that cannot show at any zoom of the map is
never shown.

Pure and deterministic: no streamlit, no randomness; ties broken by text and position.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "KIND_PRIORITY",
    "SIDES",
    "Label",
    "Marker",
    "Placement",
    "label_box",
    "label_priority",
    "place_labels",
    "text_width",
    "world_px",
]

#: the sides a label may take, in order of preference
SIDES = ("right", "left", "above", "below")

#: how much a kind of place matters for its name to show first (higher first)
KIND_PRIORITY = {
    "city": 60,
    "border_crossing": 50,
    "base": 45,
    "airport": 45,
    "town": 40,
    "checkpoint": 30,
    "water_station": 30,
    "village": 20,
    "country": 100,
}

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)

#: DejaVu Sans Bold advance widths in em, for when the font file is absent
_WIDTHS = {
    **dict.fromkeys("il.,:;'|!", 0.34),
    **dict.fromkeys("fjrt()-[]", 0.45),
    **dict.fromkeys("abcdeghknopqsuvxyz", 0.66),
    **dict.fromkeys("mw", 0.95),
    **dict.fromkeys("ABCDEFGHKLNOPQRSTUVXYZ", 0.76),
    **dict.fromkeys("IJ", 0.37),
    **dict.fromkeys("MW", 1.0),
    " ": 0.35,
}
_DEFAULT_WIDTH = 0.72


@lru_cache(maxsize=8)
def _font(size: int) -> object | None:
    try:
        from PIL import ImageFont
    except ImportError:  # pragma: no cover - pillow is a runtime dependency
        return None
    for path in FONT_PATHS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return None


def text_width(text: str, font_size: float, *, measure: bool = True) -> float:
    """Width in pixels of ``text`` written in DejaVu Sans Bold at ``font_size`` px: measured
    with Pillow when the font file is there (and ``measure``), else from a width table."""
    font = _font(int(round(font_size))) if measure else None
    if font is not None:
        return float(font.getlength(text)) * font_size / int(round(font_size))  # type: ignore[attr-defined]
    return sum(_WIDTHS.get(c, _DEFAULT_WIDTH) for c in text) * font_size


@dataclass(frozen=True)
class Label:
    """A name to write at (lon, lat); ``priority`` higher shows first; ``offset`` the
    radius in px of what is drawn at its own point (its dot or marker), which the label
    clears; ``key`` identifies it (the text if empty)."""

    text: str
    lon: float
    lat: float
    priority: float = 0.0
    offset: float = 4.0
    key: str = ""


@dataclass(frozen=True)
class Marker:
    """Something drawn that a label must not cover: a circle of ``radius`` px at (lon, lat)."""

    lon: float
    lat: float
    radius: float


@dataclass(frozen=True)
class Placement:
    """Where a label goes: ``side`` of its point, shown from ``min_zoom`` on (None: at no
    zoom of the map), its box's size in px and its distance from the point (``offset``:
    the label's own, or the radius of the largest marker at its point if more)."""

    key: str
    text: str
    side: str
    min_zoom: float | None
    width: float
    height: float
    offset: float


def label_priority(kind: str, activity: float = 0.0) -> float:
    """A label's priority: its kind first (``KIND_PRIORITY``), then its activity (events
    or visits), which orders labels of one kind without ever lifting one above a kind."""
    return KIND_PRIORITY.get(kind, 10) + min(math.log10(1.0 + max(activity, 0.0)), 7.0) / 8.0


def world_px(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Web-Mercator pixel coordinates at zoom 0 (a 256-px world), y growing southwards."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -85.0511, 85.0511)
    x = (lon + 180.0) / 360.0 * 256.0
    s = np.sin(np.radians(lat))
    y = (0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)) * 256.0
    return x, y


def label_box(side: str, width: float, height: float, offset: float) -> tuple[float, ...]:
    """The label's box relative to its point, in px: (x0, y0, x1, y1) with y down; it
    clears the point's own symbol by ``offset`` plus a 2-px gap."""
    g = offset + 2.0
    if side == "right":
        return (g, -height / 2, g + width, height / 2)
    if side == "left":
        return (-g - width, -height / 2, -g, height / 2)
    if side == "above":
        return (-width / 2, -g - height, width / 2, -g)
    return (-width / 2, g, width / 2, g + height)


def _overlaps(
    ax: np.ndarray,
    ay: np.ndarray,
    a: tuple[float, ...],
    bx: np.ndarray,
    by: np.ndarray,
    b: np.ndarray,
) -> np.ndarray:
    """(n_b, n_zoom) True where box ``a`` at (ax, ay) meets box ``b[k]`` at (bx[k], by[k]);
    positions already in pixels at each zoom (ax: (n_zoom,), bx: (n_b, n_zoom))."""
    return (
        (ax + a[0] < bx + b[:, 2:3])
        & (bx + b[:, 0:1] < ax + a[2])
        & (ay + a[1] < by + b[:, 3:4])
        & (by + b[:, 1:2] < ay + a[3])
    )


def place_labels(
    labels: Sequence[Label],
    *,
    font_size: float = 12.0,
    zooms: Iterable[float] = range(5, 15),
    markers: Sequence[Marker] = (),
    padding: float = 2.0,
    measure: bool = True,
) -> list[Placement]:
    """A placement for each label (in the order given): its side and its smallest zoom
    (among ``zooms``) from which, at every zoom of ``zooms``, its box (text width by
    :func:`text_width`, height 1.3 × ``font_size``, grown by ``padding``) meets no box of a
    higher-priority label shown there, no marker and no other label's dot (a circle of that
    label's ``offset``); markers at its own point it clears (its offset grows to the
    largest of their radii)."""
    zs = np.array(sorted(set(zooms)), dtype=float)
    if not len(labels):
        return []
    scale = 2.0**zs  # (nz,)
    height = font_size * 1.3
    order = sorted(
        range(len(labels)),
        key=lambda i: (-labels[i].priority, labels[i].text, labels[i].lon, labels[i].lat),
    )
    # every label's own dot is an obstacle for the others, as the markers are
    markers = [*markers, *(Marker(lab.lon, lab.lat, lab.offset) for lab in labels)]
    mx, my = world_px([m.lon for m in markers], [m.lat for m in markers])
    mr = np.array([m.radius for m in markers], dtype=float)
    m_boxes = np.column_stack([-mr, -mr, mr, mr]) if len(markers) else np.zeros((0, 4))
    m_px = mx[:, None] * scale[None, :], my[:, None] * scale[None, :]

    placed_px: list[tuple[float, float]] = []
    placed_boxes: list[tuple[float, ...]] = []
    placed_from: list[float] = []  # index into zs from which each placed label shows
    out: dict[int, Placement] = {}
    for i in order:
        lab = labels[i]
        w = text_width(lab.text, font_size, measure=measure)
        x0, y0 = world_px(lab.lon, lab.lat)
        ax, ay = float(x0) * scale, float(y0) * scale
        own = (np.abs(mx - x0) < 1e-9) & (np.abs(my - y0) < 1e-9)
        offset = max([lab.offset, *mr[own].tolist()])
        best: tuple[int, str, tuple[float, ...]] | None = None
        for side in SIDES:
            box = label_box(side, w, height, offset)
            box = (box[0] - padding, box[1] - padding, box[2] + padding, box[3] + padding)
            blocked = np.zeros(len(zs), dtype=bool)
            if (~own).any():
                hit = _overlaps(ax, ay, box, m_px[0][~own], m_px[1][~own], m_boxes[~own])
                blocked |= hit.any(axis=0)
            if placed_px:
                px = np.array(placed_px)
                bx = px[:, 0:1] * scale[None, :]
                by = px[:, 1:2] * scale[None, :]
                hit = _overlaps(ax, ay, box, bx, by, np.array(placed_boxes))
                shown = np.array(placed_from)[:, None] <= np.arange(len(zs))[None, :]
                blocked |= (hit & shown).any(axis=0)
            last = np.nonzero(blocked)[0]
            first = int(last[-1]) + 1 if len(last) else 0
            if best is None or first < best[0]:
                best = (first, side, box)
        assert best is not None
        first, side, box = best
        if first < len(zs):
            placed_px.append((float(x0), float(y0)))
            placed_boxes.append(box)
            placed_from.append(first)
        out[i] = Placement(
            key=lab.key or lab.text,
            text=lab.text,
            side=side,
            min_zoom=float(zs[first]) if first < len(zs) else None,
            width=round(w, 1),
            height=round(height, 1),
            offset=round(offset, 2),
        )
    return [out[i] for i in range(len(labels))]


#: what a marker's outline adds to its radius, and the radius of a site's icon and of the
#: ring drawn around an entry crossing or a base (components.layers.routes)
STROKE_PX = 2.0
SITE_PX = 9.0
RING_PX = 15.5


def view_obstacles(view: object, *, visits: bool = False) -> list[Marker]:
    """What a map of ``view`` (a ``data.mapview.MapView``) draws that names must not cover:
    its event markers and sites, the rings of entry crossings and bases (and, with
    ``visits``, its visit circles), at the radius each is drawn plus its outline."""
    from components.leaflet import marker_radius

    out: list[Marker] = []
    m = view.markers  # type: ignore[attr-defined]
    if len(m):
        top = int(m["n"].max())
        out += [
            Marker(float(lon), float(lat), marker_radius(int(n), top) + STROKE_PX)
            for lat, lon, n in zip(m["lat"], m["lon"], m["n"], strict=True)
        ]
    s = view.sites  # type: ignore[attr-defined]
    r = view.routes  # type: ignore[attr-defined]
    ringed = {e for e in r["entry_id"] if e} | {b for ids in r["base_ids"] for b in ids}
    out += [
        Marker(float(x), float(y), RING_PX if pid in ringed else SITE_PX)
        for pid, y, x in zip(s["place_id"], s["lat"], s["lon"], strict=True)
    ]
    v = view.visits  # type: ignore[attr-defined]
    if visits and len(v):
        top = int(v["visits"].max())
        out += [
            Marker(float(lon), float(lat), marker_radius(int(n), top) + STROKE_PX)
            for lat, lon, n in zip(v["lat"], v["lon"], v["visits"], strict=True)
        ]
    return out


def view_activity(view: object) -> dict[str, float]:
    """Per place id, how active the place is on the map of ``view``: its events plus its
    visits (what orders labels of one kind)."""
    out: dict[str, float] = {}
    m = view.markers  # type: ignore[attr-defined]
    for key, n in zip(m["key"], m["n"], strict=True):
        out[str(key)] = out.get(str(key), 0.0) + float(n)
    v = view.visits  # type: ignore[attr-defined]
    for key, n in zip(v["key"], v["visits"], strict=True):
        out[str(key)] = out.get(str(key), 0.0) + float(n)
    return out
