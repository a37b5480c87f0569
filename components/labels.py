"""Where a map's names go, computed on the server: for each label, the smallest zoom from
which it shows and, at each zoom from there on, where it is written: on a side of its point
(right, left, above, below), else on a diagonal (above-right, above-left, below-right,
below-left), else displaced along one of those eight directions and joined to its point by
a thin leader line, so that at no zoom does a name or a leader meet another name, another
leader or a marker.

Boxes are measured in Web-Mercator pixels (256-pixel tiles, as Leaflet draws) at each zoom
of the map. A label's width is the width of its text in DejaVu Sans Bold at the map's font
size, measured with Pillow's ``ImageFont`` (the font the map's CSS names first for labels);
where that font cannot be read, a per-character width table of the same font stands in
(:func:`text_width`).

The rule, as a cartographic label engine has it:

- **Priority.** Labels are placed one after the other, the highest :func:`label_priority`
  first: the places most active in the view (events, visits and route runs there) first,
  then by kind (city, crossing, base, town, …), then by text and position. A lesser name
  yields: it takes only the room the names placed before it leave.
- **Candidates.** At each zoom a label takes the first free one of :data:`POSITIONS` (the
  four sides, then the four diagonals, in the conventional order of preference: right,
  left, above, below; above-right, above-left, below-right, below-left), each just clear of
  what is drawn at its point; only if none of them is free, the first free displaced
  position (:data:`LEADER_STEPS` further out, shortest first, along the same eight
  directions) whose box *and* leader line meet nothing, and keep
  :data:`LEADER_CLEARANCE_PX` from other places' dots (but those right beside its own
  point, whose crowd it is led out of), so it is not read as naming one of them. So
  diagonals and leaders appear only where the sides fail, and the names a view is about
  win the room there is.
- **Zooms.** A label shows from the zoom after the last one (of the zooms checked) at which
  no candidate is free, and at every zoom above it; the client needs its min zoom and the
  zooms at which its position changes (:attr:`Placement.stages`). A label that fits at no
  zoom of the map is never shown.

Pure and deterministic: no streamlit, no randomness; ties broken by text and position.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "DIAGONALS",
    "HIDDEN",
    "FixedBox",
    "KIND_PRIORITY",
    "LEADER_CLEARANCE_PX",
    "LEADER_STEPS",
    "POSITIONS",
    "SIDES",
    "Label",
    "Marker",
    "Placement",
    "Stage",
    "UNIT",
    "label_box",
    "label_priority",
    "leader_line",
    "place_labels",
    "text_width",
    "world_px",
]

#: the sides a label may take, in order of preference
SIDES = ("right", "left", "above", "below")
#: the diagonals, tried only where no side is free, in order of preference
DIAGONALS = ("above-right", "above-left", "below-right", "below-left")
#: every direction a label may be written in from its point, in order of preference
POSITIONS = SIDES + DIAGONALS
#: the position of a stage in which the label is not shown (nothing is free there)
HIDDEN = "hidden"
#: how far (px) round the area a map is framed on it is sure to show (the exports keep 30 px
#: of padding round it, the live maps fit it with some too)
FRAME_MARGIN_PX = 24.0
#: how much further out (px) a displaced label may sit, joined by a leader line, tried
#: shortest first where none of the eight positions next to the point is free
LEADER_STEPS = (12.0, 24.0, 40.0, 60.0)
#: how far (px) a displaced name, its box and its leader, keeps from the dots of the other
#: places named: led past another place's dot, or ending beside it, it would be read as
#: naming that place
LEADER_CLEARANCE_PX = 6.0

_R = math.sqrt(0.5)
#: the unit vector of each position, in px (x east, y south)
UNIT = {
    "right": (1.0, 0.0),
    "left": (-1.0, 0.0),
    "above": (0.0, -1.0),
    "below": (0.0, 1.0),
    "above-right": (_R, -_R),
    "above-left": (-_R, -_R),
    "below-right": (_R, _R),
    "below-left": (-_R, _R),
}

#: how much a kind of place matters for its name to show first (higher first), among
#: places equally active in the view
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
#: one unit of activity outweighs any difference of kind (every kind is below this)
ACTIVITY_WEIGHT = 1000.0

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


@lru_cache(maxsize=4096)
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
class FixedBox:
    """Something written at (lon, lat) at every zoom that labels must not meet (a country's
    name): its ``box`` (x0, y0, x1, y1) in px relative to that point, y down, the same at
    every zoom."""

    lon: float
    lat: float
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Stage:
    """Where a label is written from zoom ``from_zoom`` on (until its next stage):
    ``position`` (one of :data:`POSITIONS`), its box's corner or edge nearest the point
    ``distance`` px from the point along that direction, and whether a ``leader`` line
    joins it to its point (drawn from the edge of what is at the point to that corner).
    ``box`` (x0, y0, x1, y1) and ``line`` (x0, y0, x1, y1, or None) are in px relative to
    the point, y down."""

    from_zoom: float
    position: str
    distance: float
    leader: bool
    box: tuple[float, float, float, float] | None
    line: tuple[float, float, float, float] | None


@dataclass(frozen=True)
class Placement:
    """Where a label goes: shown from ``min_zoom`` on (None: at no zoom of the map), written
    at each zoom as its ``stages`` say (the last stage whose ``from_zoom`` is at most the
    zoom); ``side`` is its position at ``min_zoom``; its box's size in px and its distance
    from the point (``offset``: the label's own, or the radius of the largest marker at its
    point if more)."""

    key: str
    text: str
    side: str
    min_zoom: float | None
    width: float
    height: float
    offset: float
    stages: tuple[Stage, ...] = field(default=())

    def stage_at(self, zoom: float) -> Stage | None:
        """The stage the label is written in at ``zoom`` (None: not shown there)."""
        if self.min_zoom is None or zoom + 1e-9 < self.min_zoom:
            return None
        out = None
        for st in self.stages:
            if st.from_zoom <= zoom + 1e-9:
                out = st
        return None if out is None or out.position == HIDDEN else out


def label_priority(kind: str, activity: float = 0.0) -> float:
    """A label's priority: its activity in the view first (events, visits and route runs
    at the place), then its kind (``KIND_PRIORITY``), which orders places equally active."""
    return ACTIVITY_WEIGHT * min(max(float(activity), 0.0), 1e12) + KIND_PRIORITY.get(kind, 10)


def world_px(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Web-Mercator pixel coordinates at zoom 0 (a 256-px world), y growing southwards."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -85.0511, 85.0511)
    x = (lon + 180.0) / 360.0 * 256.0
    s = np.sin(np.radians(lat))
    y = (0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)) * 256.0
    return x, y


def label_box(
    side: str, width: float, height: float, offset: float, leader: float = 0.0
) -> tuple[float, float, float, float]:
    """The label's box relative to its point, in px: (x0, y0, x1, y1) with y down. Its
    edge (a side) or corner (a diagonal) nearest the point lies ``offset`` + 2 px (the
    point's own symbol and a gap) + ``leader`` px from the point along ``side``."""
    d = offset + 2.0 + leader
    ux, uy = UNIT[side]
    ax, ay = ux * d, uy * d  # the anchor: the box's point nearest the label's point
    x0 = ax if ux > 0 else ax - width if ux < 0 else -width / 2
    y0 = ay if uy > 0 else ay - height if uy < 0 else -height / 2
    return (x0, y0, x0 + width, y0 + height)


def leader_line(
    side: str, offset: float, leader: float
) -> tuple[float, float, float, float] | None:
    """The leader line of a label displaced ``leader`` px along ``side`` (None if not
    displaced): from the edge of what is drawn at the point to the box's nearest point."""
    if leader <= 0:
        return None
    ux, uy = UNIT[side]
    d = offset + 2.0 + leader
    return (ux * offset, uy * offset, ux * d, uy * d)


# --------------------------------------------------------------------------- geometry
# Every test below is vectorised: a candidate axis (n_c), an obstacle axis (n_o) and a zoom
# axis (n_z); NaN coordinates (an obstacle not drawn at a zoom) never meet anything.


def _box_box(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Boxes ``a`` (..., 4) and ``b`` (..., 4), broadcast: True where they overlap."""
    return (
        (a[..., 0] < b[..., 2])
        & (b[..., 0] < a[..., 2])
        & (a[..., 1] < b[..., 3])
        & (b[..., 1] < a[..., 3])
    )


def _seg_box(s: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Segments ``s`` (..., 4: x0, y0, x1, y1) and boxes ``b`` (..., 4), broadcast: True
    where the segment passes through the box's inside (Liang–Barsky clipping)."""
    px, py = s[..., 0], s[..., 1]
    dx, dy = s[..., 2] - px, s[..., 3] - py
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.zeros(np.broadcast_shapes(s.shape[:-1], b.shape[:-1]))
        hi = np.ones_like(lo)
        for p, d, b0, b1 in ((px, dx, b[..., 0], b[..., 2]), (py, dy, b[..., 1], b[..., 3])):
            # along an axis the segment does not move on, it is inside the slab or never
            flat = np.abs(d) < 1e-12
            inside = (b0 < p) & (p < b1)
            t0, t1 = (b0 - p) / d, (b1 - p) / d
            lo = np.fmax(lo, np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t0, t1)))
            hi = np.fmin(hi, np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t0, t1)))
        return (lo < hi - 1e-9) & np.isfinite(b[..., 0]) & np.isfinite(px)


def _cross(ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray) -> np.ndarray:
    return ax * by - ay * bx


def _seg_seg(s: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Segments ``s`` and ``t`` (..., 4), broadcast: True where they cross (touching at an
    end, or running parallel, does not count)."""
    rx, ry = s[..., 2] - s[..., 0], s[..., 3] - s[..., 1]
    qx, qy = t[..., 2] - t[..., 0], t[..., 3] - t[..., 1]
    wx, wy = t[..., 0] - s[..., 0], t[..., 1] - s[..., 1]
    den = _cross(rx, ry, qx, qy)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = _cross(wx, wy, qx, qy) / den
        v = _cross(wx, wy, rx, ry) / den
    return (np.abs(den) > 1e-12) & (u > 1e-9) & (u < 1 - 1e-9) & (v > 1e-9) & (v < 1 - 1e-9)


def _box_circle(b: np.ndarray, sq: np.ndarray) -> np.ndarray:
    """Boxes ``b`` and circles given by their bounding squares ``sq`` (..., 4), broadcast:
    True where the box reaches inside the circle."""
    cx, cy = (sq[..., 0] + sq[..., 2]) / 2, (sq[..., 1] + sq[..., 3]) / 2
    r = (sq[..., 2] - sq[..., 0]) / 2
    dx = np.maximum(np.maximum(b[..., 0] - cx, cx - b[..., 2]), 0.0)
    dy = np.maximum(np.maximum(b[..., 1] - cy, cy - b[..., 3]), 0.0)
    return dx * dx + dy * dy < r * r


def _seg_circle(s: np.ndarray, sq: np.ndarray) -> np.ndarray:
    """Segments ``s`` and circles given by their bounding squares ``sq`` (..., 4),
    broadcast: True where the segment passes inside the circle."""
    cx, cy = (sq[..., 0] + sq[..., 2]) / 2, (sq[..., 1] + sq[..., 3]) / 2
    r = (sq[..., 2] - sq[..., 0]) / 2
    px, py = s[..., 0], s[..., 1]
    dx, dy = s[..., 2] - px, s[..., 3] - py
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip(((cx - px) * dx + (cy - py) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    ex, ey = px + t * dx - cx, py + t * dy - cy
    return ex * ex + ey * ey < r * r


def _bbox(s: np.ndarray, grow: float = 1e-6) -> np.ndarray:
    """The bounding box of segments ``s`` (..., 4), grown a hair (a prefilter)."""
    return np.stack(
        [
            np.minimum(s[..., 0], s[..., 2]) - grow,
            np.minimum(s[..., 1], s[..., 3]) - grow,
            np.maximum(s[..., 0], s[..., 2]) + grow,
            np.maximum(s[..., 1], s[..., 3]) + grow,
        ],
        axis=-1,
    )


def _sparse(
    test: Callable[[np.ndarray, np.ndarray], np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
    a_box: np.ndarray,
    b_box: np.ndarray,
) -> np.ndarray:
    """``test(a, b)`` broadcast, computed only where the boxes ``a_box`` and ``b_box``
    (which hold ``a`` and ``b``) overlap; False elsewhere."""
    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    out = np.zeros(shape, dtype=bool)
    idx = np.nonzero(np.broadcast_to(_box_box(a_box, b_box), shape))
    if len(idx[0]):
        aa = np.broadcast_to(a, (*shape, 4))[idx]
        bb = np.broadcast_to(b, (*shape, 4))[idx]
        out[idx] = test(aa, bb)
    return out


def _blocked(
    boxes: np.ndarray,
    lines: np.ndarray,
    markers: np.ndarray,
    markers_for_lines: np.ndarray,
    placed: np.ndarray,
    placed_lines: np.ndarray,
) -> np.ndarray:
    """(n_c, n_z) True where candidate ``boxes`` / ``lines`` (n_c, 4; lines NaN where the
    candidate has none) meet a marker (a circle, given by its bounding square) or a placed
    label's box or leader ((n, n_z, 4) each, all relative to the label's point)."""
    b = boxes[:, None, None, :]
    out = np.zeros((len(boxes), markers.shape[1]), dtype=bool)
    # (each test only where there is something to meet: most calls have few obstacles)
    if len(markers):
        m = markers[None]
        out |= _sparse(_box_circle, b, m, b, m).any(axis=1)
    if len(placed):
        out |= _box_box(b, placed[None]).any(axis=1)
    pl = placed_lines[None]
    if len(placed_lines):
        out |= _sparse(_seg_box, pl, b, _bbox(pl), b).any(axis=1)
    if not np.isnan(lines).all():
        ln = lines[:, None, None, :]
        lb = _bbox(ln)
        if len(markers_for_lines):
            ml = markers_for_lines[None]
            out |= _sparse(_seg_circle, ln, ml, lb, ml).any(axis=1)
        if len(placed):
            out |= _sparse(_seg_box, ln, placed[None], lb, placed[None]).any(axis=1)
        if len(placed_lines):
            out |= _sparse(_seg_seg, ln, pl, lb, _bbox(pl)).any(axis=1)
    return out


@dataclass(frozen=True)
class _Candidates:
    names: tuple[str, ...]
    leaders: np.ndarray  # (n_c,) px beyond the gap
    boxes: np.ndarray  # (n_c, 4) padded, for the tests
    drawn: np.ndarray  # (n_c, 4) as drawn
    lines: np.ndarray  # (n_c, 4), NaN where no leader


@lru_cache(maxsize=4096)
def _candidates(width: float, height: float, offset: float, padding: float) -> _Candidates:
    """The candidate positions of a label of this size, made once per size (the same towns
    are named on every map); their arrays are read-only, as they are shared."""
    steps = [(pos, 0.0) for pos in POSITIONS] + [
        (pos, step) for step in LEADER_STEPS for pos in POSITIONS
    ]
    drawn = np.array([label_box(pos, width, height, offset, lead) for pos, lead in steps])
    pad = np.array([-padding, -padding, padding, padding])
    nan = (math.nan,) * 4
    lines = np.array([leader_line(pos, offset, lead) or nan for pos, lead in steps])
    out = _Candidates(
        names=tuple(pos for pos, _ in steps),
        leaders=np.array([lead for _, lead in steps]),
        boxes=drawn + pad,
        drawn=drawn,
        lines=lines,
    )
    for arr in (out.leaders, out.boxes, out.drawn, out.lines):
        arr.flags.writeable = False
    return out


#: candidates are tested in tiers: the sides, the diagonals, then the displaced ones; a
#: tier's class (0 sides, 1 diagonals, 2 displaced) is what a label keeps from one zoom to
#: the next while free
def _tiers() -> list[tuple[slice, int]]:
    n = len(POSITIONS)
    return [
        (slice(0, len(SIDES)), 0),
        (slice(len(SIDES), n), 1),
        (slice(n, n * (1 + len(LEADER_STEPS))), 2),
    ]


#: zooms are checked this many at a time (each chunk against what is near at its widest):
#: the same placements for any size; the embedded Overview's 20 names over 53 zooms took
#: 130 ms in chunks of 16, 80-90 ms in chunks of 32 or 64
_CHUNK = 32


def place_labels(
    labels: Sequence[Label],
    *,
    font_size: float = 12.0,
    zooms: Iterable[float] = range(5, 15),
    markers: Sequence[Marker] = (),
    padding: float = 2.0,
    measure: bool = True,
    leaders: bool = True,
    frame: tuple[float, float, float, float] | None = None,
    frame_margin: float = FRAME_MARGIN_PX,
    fixed: Sequence[FixedBox] = (),
) -> list[Placement]:
    """A placement for each label (in the order given): its smallest zoom (among ``zooms``)
    from which, at every zoom of ``zooms``, one of its candidate positions (module doc;
    without the displaced ones unless ``leaders``) is free, and the most preferred free one
    at each such zoom. A box (text width by :func:`text_width`, height 1.3 × ``font_size``,
    grown by ``padding``) or leader line is free where it meets no box or leader of a
    higher-priority label shown there, no marker (a circle) and no other label's dot (a
    circle of that label's ``offset``); markers at its own point it clears (its offset
    grows to the largest of their radii). ``frame`` (west, south, east, north): the area a
    map is sure to show (what it is framed on, and ``frame_margin`` px round it); at each
    zoom a candidate whose box lies inside it is preferred, tier by tier, to one that runs
    past its edge (where an export would cut it), taken only where nothing free lies
    inside; for the names of places inside the frame only. ``fixed``: what is written at
    every zoom already (country names), which no box or leader meets."""
    zs = np.array(sorted(set(zooms)), dtype=float)
    if not len(labels):
        return []
    nz = len(zs)
    scale = 2.0**zs  # (nz,)
    height = font_size * 1.3
    order = sorted(
        range(len(labels)),
        key=lambda i: (-labels[i].priority, labels[i].text, labels[i].lon, labels[i].lat),
    )
    # every label's own dot is an obstacle for the others, as the markers are; a displaced
    # name keeps a wider berth from those dots (LEADER_CLEARANCE_PX)
    dots = np.r_[np.zeros(len(markers), dtype=bool), np.ones(len(labels), dtype=bool)]
    markers = [*markers, *(Marker(lab.lon, lab.lat, lab.offset) for lab in labels)]
    mx, my = world_px([m.lon for m in markers], [m.lat for m in markers])
    mr = np.array([m.radius for m in markers], dtype=float)
    m_box = np.column_stack([-mr, -mr, mr, mr])
    mr_led = mr + np.where(dots, LEADER_CLEARANCE_PX, 0.0)
    m_box_led = np.column_stack([-mr_led, -mr_led, mr_led, mr_led])
    tiers = _tiers() if leaders else _tiers()[:2]
    frame_px = None
    if frame is not None:
        fx, fy = world_px([frame[0], frame[2]], [frame[3], frame[1]])  # north-west, south-east
        frame_px = np.array([fx[0], fy[0], fx[1], fy[1]], dtype=float)
        margin = np.array([-frame_margin, -frame_margin, frame_margin, frame_margin])
    n_cand = tiers[-1][0].stop
    # each class's candidates: sides, diagonals, displaced ones
    spans = {
        c: (min(t.start for t, k in tiers if k == c), max(t.stop for t, k in tiers if k == c))
        for _, c in tiers
    }

    # what is placed so far: its point (zoom-0 px) and, per zoom, its box and leader in px
    # relative to that point (NaN where it is not shown)
    n = len(labels) + len(fixed)
    p_x = np.zeros(n)
    p_y = np.zeros(n)
    p_box = np.full((n, nz, 4), np.nan)
    p_line = np.full((n, nz, 4), np.nan)
    p_reach = np.zeros(n)  # how far (px) its box or leader reaches from its point
    p_led = np.zeros(n, dtype=bool)  # whether it has a leader at any zoom
    n_placed = len(fixed)  # what is fixed counts as placed before any label
    for k, f in enumerate(fixed):
        fx0, fy0 = (float(v) for v in world_px(f.lon, f.lat))
        p_x[k], p_y[k] = fx0, fy0
        p_box[k] = np.asarray(f.box, dtype=float)
        p_reach[k] = float(np.abs(np.asarray(f.box, dtype=float)).max())
    out: dict[int, Placement] = {}
    for i in order:
        lab = labels[i]
        w = text_width(lab.text, font_size, measure=measure)
        x0, y0 = (float(v) for v in world_px(lab.lon, lab.lat))
        own = (np.abs(mx - x0) < 1e-9) & (np.abs(my - y0) < 1e-9)
        offset = max([lab.offset, *mr[own].tolist()])
        cand = _candidates(w, height, offset, padding)
        reach = float(np.abs(cand.boxes[:n_cand]).max())
        other = ~own
        o_x, o_y, o_r, o_box = mx[other] - x0, my[other] - y0, mr_led[other], m_box[other]
        o_box_led = m_box_led[other]
        q_x, q_y = p_x[:n_placed] - x0, p_y[:n_placed] - y0
        q_reach = p_reach[:n_placed]
        # the frame matters to the names of places inside it (the others are cut anyway)
        framed = frame_px is not None and bool(
            frame_px[0] <= x0 <= frame_px[2] and frame_px[1] <= y0 <= frame_px[3]
        )

        # per zoom, which candidates are free (``free_any``) and free inside the frame
        # (``free``); ``cls`` / ``cls_any``: the best class with such a one
        free = np.zeros((n_cand, nz), dtype=bool)
        free_any = np.zeros((n_cand, nz), dtype=bool)
        cls = np.full(nz, -1)
        cls_any = np.full(nz, -1)
        for hi in range(nz, 0, -_CHUNK):
            zk = np.arange(max(0, hi - _CHUNK), hi)
            s_lo = scale[zk[0]]  # the chunk's widest view: what is near there is near
            near = (np.abs(o_x) * s_lo < reach + o_r) & (np.abs(o_y) * s_lo < reach + o_r)
            sx = o_x[near, None] * scale[zk]
            sy = o_y[near, None] * scale[zk]
            at = np.stack([sx, sy, sx, sy], axis=-1)
            ob = at + o_box[near][:, None, :]
            # (a dot beside the label's own point, which any leader starts next to, is not
            # kept clear of: the leader leads the name out of that crowd)
            beside = np.hypot(sx, sy) < offset + 2.0 + LEADER_CLEARANCE_PX - o_box[near, None, 0]
            ob_led = at + np.where(
                beside[..., None], o_box[near][:, None, :], o_box_led[near][:, None, :]
            )
            # a leader may start from under a marker that covers the point at that zoom (a
            # base's ring over its town): it leads the name out of the crowd
            covers = sx * sx + sy * sy < (-o_box[near, None, 0]) ** 2
            ob_line = np.where(covers[..., None], np.nan, ob_led)
            pnear = (np.abs(q_x) * s_lo < reach + q_reach) & (np.abs(q_y) * s_lo < reach + q_reach)
            tx = q_x[pnear, None] * scale[zk]
            ty = q_y[pnear, None] * scale[zk]
            shift = np.stack([tx, ty, tx, ty], axis=-1)
            pb = shift + p_box[:n_placed][pnear][:, zk]
            # (only the leaders of those placed with one: most have none)
            led = p_led[:n_placed][pnear]
            pl = shift[led] + p_line[:n_placed][pnear][led][:, zk]
            if framed:  # the frame relative to the point, at each zoom
                fr = (frame_px[None, :] - np.array([x0, y0, x0, y0])[None, :]) * scale[zk, None]
                fr = fr + margin[None, :]
            # tier by tier, each tested only at the zooms the tiers before left unsolved
            for tier, c in tiers:
                todo = np.nonzero(cls[zk] < 0)[0]
                if not len(todo):
                    break
                ok = ~_blocked(
                    cand.boxes[tier],
                    cand.lines[tier],
                    (ob_led if c == 2 else ob)[:, todo],
                    ob_line[:, todo],
                    pb[:, todo],
                    pl[:, todo],
                )
                free_any[tier.start : tier.stop, zk[todo]] = ok
                fresh = todo[ok.any(axis=0) & (cls_any[zk[todo]] < 0)]
                cls_any[zk[fresh]] = c
                if framed:
                    d = cand.drawn[tier][:, None, :]
                    f = fr[todo][None, :, :]
                    ok = ok & (d[..., 0] >= f[..., 0]) & (d[..., 1] >= f[..., 1])
                    ok &= (d[..., 2] <= f[..., 2]) & (d[..., 3] <= f[..., 3])
                free[tier.start : tier.stop, zk[todo]] = ok
                cls[zk[todo[ok.any(axis=0)]]] = c

        # at each zoom where one is free, the first free candidate of the best tier free
        # there; the one of the zoom below kept while it is free and of that tier (no
        # needless jumps); hidden where none is
        # (where nothing free lies inside the frame, what is free outside it)
        outside = (cls < 0) & (cls_any >= 0)
        cls = np.where(outside, cls_any + len(spans), cls)
        free = np.where(outside[None, :], free_any, free)
        shown = cls >= 0
        chosen = np.zeros(nz, dtype=int)
        prev, prev_cls = -1, -1
        for k in np.nonzero(shown)[0]:
            lo, hi = spans[int(cls[k]) % len(spans)]
            if not (prev_cls == cls[k] and free[prev, k]):
                prev = lo + int(free[lo:hi, k].argmax())
            prev_cls = int(cls[k])
            chosen[k] = prev
        stages: list[Stage] = []
        first = int(np.argmax(shown)) if shown.any() else nz
        for k in range(first, nz):
            c = int(chosen[k]) if shown[k] else -1
            dist = round(offset + 2.0 + float(cand.leaders[c]), 2) if c >= 0 else 0.0
            name = cand.names[c] if c >= 0 else HIDDEN
            if stages and stages[-1].position == name and stages[-1].distance == dist:
                continue
            if c < 0:
                stages.append(Stage(float(zs[k]), HIDDEN, 0.0, False, None, None))
                continue
            line = cand.lines[c]
            stages.append(
                Stage(
                    from_zoom=float(zs[k]),
                    position=name,
                    distance=dist,
                    leader=bool(cand.leaders[c] > 0),
                    box=tuple(round(float(v), 2) for v in cand.drawn[c]),  # type: ignore[arg-type]
                    line=None if np.isnan(line).any() else tuple(round(float(v), 2) for v in line),  # type: ignore[arg-type]
                )
            )
        if first < nz:
            idx = np.where(shown, chosen, 0)
            p_x[n_placed], p_y[n_placed] = x0, y0
            p_box[n_placed] = np.where(shown[:, None], cand.boxes[idx], np.nan)
            p_line[n_placed] = np.where(shown[:, None], cand.lines[idx], np.nan)
            p_led[n_placed] = not np.isnan(p_line[n_placed]).all()
            p_reach[n_placed] = float(np.abs(cand.boxes[np.unique(idx[shown])]).max())
            n_placed += 1
        out[i] = Placement(
            key=lab.key or lab.text,
            text=lab.text,
            side=stages[0].position if stages else SIDES[0],
            min_zoom=float(zs[first]) if first < nz else None,
            width=round(w, 1),
            height=round(height, 1),
            offset=round(offset, 2),
            stages=tuple(stages),
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


def view_activity(view: object, waypoints: object | None = None) -> dict[str, float]:
    """Per place id, how active the place is on the map of ``view``: its events, its visits
    and the runs of the view's routes that start at it, are based at it or (given the data
    set's ``route_waypoints``: route_id, place_id) pass through it; what puts the names a
    view is about first (:func:`label_priority`)."""
    out: dict[str, float] = {}

    def add(key: object, n: float) -> None:
        if key is not None and key == key and str(key) and n:
            out[str(key)] = out.get(str(key), 0.0) + float(n)

    m = view.markers  # type: ignore[attr-defined]
    for key, n in zip(m["key"], m["n"], strict=True):
        add(key, n)
    v = view.visits  # type: ignore[attr-defined]
    for key, n in zip(v["key"], v["visits"], strict=True):
        add(key, n)
    r = view.routes  # type: ignore[attr-defined]
    if len(r) and "runs" in r:
        runs = dict(zip(r["route_id"], r["runs"], strict=True))
        entries = r["entry_id"] if "entry_id" in r else [None] * len(r)
        bases = r["base_ids"] if "base_ids" in r else [()] * len(r)
        firsts: set[object] = set()  # a route listed twice counts as its first row does
        for route, entry, based in zip(r["route_id"], entries, bases, strict=True):
            if route in firsts:
                continue
            firsts.add(route)
            n = runs[route]
            add(entry, n)
            for base in based or ():
                add(base, n)
        if waypoints is not None and len(waypoints):  # type: ignore[arg-type]
            wp = waypoints.drop_duplicates(["route_id", "place_id"])  # type: ignore[attr-defined]
            for route, place in zip(wp["route_id"], wp["place_id"], strict=True):
                add(place, runs.get(route, 0))
    return out
