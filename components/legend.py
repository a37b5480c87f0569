"""What a map's legend says, computed from what the map draws: one entry per symbol present
on the map of a view (no entry for a kind, actor or site type not drawn), the size scale
(what a circle's area and a line's width mean, with reference sizes inside the data's
range) and the rule by which visits and route runs are counted.

Every map's legend (``components.patrol_map.legend_html``,
``components.explorer_map.legend_html``) and the briefing's are written from these entries,
so one rule serves all. Pure: no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.colours import group_style
from components.html import esc
from components.layers.routes import (
    BASE_COLOUR,
    ENTRY_COLOUR,
    ROUTE_COLOURS,
    TRACK_COLOUR,
    UNRUN_COLOUR,
    route_weight,
)
from components.layers.sites import site_icon_svg
from components.leaflet import FULL_AT, MAX_RADIUS, MIN_RADIUS, marker_radius
from data import vocab
from data.mapview import APPROX_M, COUNTING_RULE, MapView

__all__ = [
    "GROUPS",
    "LegendEntry",
    "VISIT_COLOUR",
    "legend_entries",
    "legend_html",
    "scale_steps",
]

VISIT_COLOUR = "#6a3d9a"

#: the order of the legend's groups
GROUPS = ("Routes", "Events", "Visits", "Sites", "Agreements", "Layers", "Scale", "Counting")

#: the zone kinds of ``data.zones.zone_layer`` and how the legend names them
ZONE_LABELS = {
    "strip": "10 km joint-patrol strip (Sochi memorandum)",
    "line": "30 km line (YPG withdrawal)",
    "border": "Syria–Turkey border (Natural Earth)",
}


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend. ``label`` is plain text (escape it to show it as HTML);
    ``symbol_svg`` a small self-contained inline SVG of the symbol as the map draws it
    (our own markup, no text from the data); ``count`` how many of it the map holds (None
    where a count means nothing, such as a scale step or a rule)."""

    group: str
    label: str
    symbol_svg: str
    count: int | None = None


# --------------------------------------------------------------------------- symbols


def _svg(w: float, h: float, body: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{w:g}' height='{h:g}' "
        f"viewBox='0 0 {w:g} {h:g}'>{body}</svg>"
    )


def line_svg(colour: str, width: float = 4, dash: str | None = None, length: int = 22) -> str:
    """A line segment as the routes layer draws it."""
    h = max(8, int(width) + 4)
    d = f" stroke-dasharray='{dash}'" if dash else ""
    return _svg(
        length,
        h,
        f"<line x1='1' y1='{h / 2:g}' x2='{length - 1}' y2='{h / 2:g}' stroke='{colour}' "
        f"stroke-width='{width:g}' stroke-linecap='round'{d}/>",
    )


def circle_svg(
    r: float,
    fill: str,
    stroke: str,
    *,
    fill_opacity: float = 0.9,
    stroke_width: float = 1.5,
    dash: str | None = None,
    halo: bool = False,
) -> str:
    """A circle marker of radius ``r`` px (with a dashed halo around it if ``halo``)."""
    pad = 5 if halo else 1
    size = 2 * (r + pad) + stroke_width
    c = size / 2
    d = f" stroke-dasharray='{dash}'" if dash else ""
    ring = (
        f"<circle cx='{c:g}' cy='{c:g}' r='{r + 4:g}' fill='{fill}' fill-opacity='0.07' "
        f"stroke='{fill}' stroke-width='1' stroke-dasharray='3 3'/>"
        if halo
        else ""
    )
    return _svg(
        round(size, 1),
        round(size, 1),
        ring + f"<circle cx='{c:g}' cy='{c:g}' r='{r:g}' fill='{fill}' "
        f"fill-opacity='{fill_opacity:g}' stroke='{stroke}' stroke-width='{stroke_width:g}'{d}/>",
    )


def arrow_svg(colour: str) -> str:
    """The arrowhead drawn along routes (``components.leaflet.LineLayer``)."""
    return _svg(
        14,
        14,
        f"<path d='M1 1.5 L11 6 L1 10.5 L3.5 6 Z' fill='{colour}' stroke='#fff' "
        "stroke-width='0.8' transform='translate(1 1)'/>",
    )


def area_svg(fill: str, opacity: float = 1.0) -> str:
    """A filled area (a zone, an operator's colour)."""
    return _svg(
        18,
        12,
        f"<rect x='0.5' y='0.5' width='17' height='11' fill='{fill}' fill-opacity='{opacity:g}' "
        "stroke='#222' stroke-width='1'/>",
    )


# --------------------------------------------------------------------------- scale


def scale_steps(top: int) -> list[int]:
    """Two or three reference counts inside ``[1, top]``: one, the largest, and a round
    number between them when there is room for one that reads apart from both."""
    top = max(int(top), 1)
    if top <= 2:
        return sorted({1, top})
    mid = top / 3 if top < 30 else top**0.5 * 2
    nice = max(2, _round_nice(mid))
    steps = {1, top}
    if 1 < nice < top:
        steps.add(nice)
    return sorted(steps)


def _round_nice(x: float) -> int:
    """``x`` rounded to 1, 2 or 5 times a power of ten."""
    if x < 1:
        return 1
    power = 10 ** (len(str(int(x))) - 1)
    for m in (1, 2, 5, 10):
        if x <= m * power * 1.5:
            return int(m * power)
    return int(10 * power)


def _scale_entries(kind: str, top: int, colour: str, fill_opacity: float) -> list[LegendEntry]:
    out = []
    for n in scale_steps(top):
        r = marker_radius(n, top)
        word = kind if n != 1 else kind.removesuffix("s")
        out.append(
            LegendEntry(
                "Scale",
                f"{n:,} {word}",
                circle_svg(r, colour, "#333", fill_opacity=fill_opacity, stroke_width=1),
            )
        )
    return out


def scale_rule() -> str:
    """The size rule of every circle, in words."""
    return (
        f"Circle area grows in proportion to the count; the largest count on the map (or "
        f"{FULL_AT:,}, whichever is more) is {MAX_RADIUS:g} px in radius, and no circle is "
        f"smaller than {MIN_RADIUS:g} px."
    )


# --------------------------------------------------------------------------- the entries


def _drawn_routes(view: MapView, explorer: bool) -> pd.DataFrame:
    return view.drawable_routes if explorer else view.drawn_routes


def _route_entries(view: MapView, explorer: bool, places: pd.DataFrame | None) -> list[LegendEntry]:
    out: list[LegendEntry] = []
    drawn = _drawn_routes(view, explorer)
    count = "runs" if explorer else "events"
    used = drawn[drawn[count] > 0]
    for kind, colour in ROUTE_COLOURS.items():
        n = int((used["kind"] == kind).sum())
        if n:
            dash = None if kind == "patrol_track" else "8 6"
            out.append(LegendEntry("Routes", vocab.ROUTE_KINDS[kind], line_svg(colour, 4, dash), n))
    other = used[~used["kind"].isin(list(ROUTE_COLOURS))]
    if len(other):
        out.append(LegendEntry("Routes", "other route", line_svg("#777777", 4, "8 6"), len(other)))
    unrun = int((drawn[count] <= 0).sum())
    if unrun:
        out.append(
            LegendEntry(
                "Routes",
                "route not run in this selection",
                line_svg(UNRUN_COLOUR, 1.5, "8 6"),
                unrun,
            )
        )
    if explorer and len(view.tracks):
        out.append(
            LegendEntry(
                "Routes",
                "track implied by a run's places (no route recorded)",
                line_svg(TRACK_COLOUR, 3, "2 5"),
                len(view.tracks),
            )
        )
    if explorer and (len(drawn) or len(view.tracks)):
        out.append(
            LegendEntry(
                "Routes",
                "direction of travel (waypoint order)",
                arrow_svg(ROUTE_COLOURS["patrol_track"]),
            )
        )
    if explorer:
        placed = set(places.loc[places["placed"], "place_id"]) if places is not None else None
        entries = {e for e in view.routes["entry_id"] if e}
        if placed is not None:
            entries &= placed
        if entries:
            out.append(
                LegendEntry(
                    "Routes",
                    "entry crossing",
                    circle_svg(7, ENTRY_COLOUR, ENTRY_COLOUR, fill_opacity=0, stroke_width=3),
                    len(entries),
                )
            )
        active = set(view.sites["place_id"])
        bases = {b for ids in view.routes["base_ids"] for b in ids} & active
        if bases:
            out.append(
                LegendEntry(
                    "Routes",
                    "base the patrols start from",
                    circle_svg(
                        7, BASE_COLOUR, BASE_COLOUR, fill_opacity=0, stroke_width=3, dash="3 3"
                    ),
                    len(bases),
                )
            )
    return out


def _event_entries(view: MapView, colours: dict[str, str]) -> list[LegendEntry]:
    m = view.markers
    if not len(m):
        return []
    out: list[LegendEntry] = []
    per_label = m.groupby("label", sort=False)["n"].sum().sort_values(ascending=False)
    for label, n in per_label.items():
        fill, second = group_style(str(label), colours)
        out.append(
            LegendEntry(
                "Events",
                str(label),
                circle_svg(6, fill, second or "#222222", stroke_width=3 if second else 1.5),
                int(n),
            )
        )
    approx = m["approx"].astype(bool)
    if (~approx).any():
        out.append(
            LegendEntry(
                "Events",
                "solid: placed exactly",
                circle_svg(6, "#555555", "#222222"),
                int(m.loc[~approx, "n"].sum()),
            )
        )
    if approx.any():
        out.append(
            LegendEntry(
                "Events",
                "hollow with a dashed halo: placed approximately (derived, or known to more "
                f"than {APPROX_M / 1000:g} km); the halo's radius is the precision",
                circle_svg(6, "#555555", "#555555", fill_opacity=0.04, stroke_width=2.5, halo=True),
                int(m.loc[approx, "n"].sum()),
            )
        )
    return out


def _site_entries(view: MapView, colours: dict[str, str]) -> list[LegendEntry]:
    s = view.sites
    if not len(s):
        return []
    out: list[LegendEntry] = []
    for kind in vocab.SITE_KINDS:
        n = int((s["kind"] == kind).sum())
        if n:
            out.append(
                LegendEntry(
                    "Sites",
                    vocab.PLACE_KINDS.get(kind, kind),
                    site_icon_svg(kind, "#ffffff", 13),
                    n,
                )
            )
    operators = s["operator_root"].fillna("")
    for op, n in operators[operators != ""].value_counts().sort_index().items():
        out.append(
            LegendEntry("Sites", f"operated by {op}", area_svg(colours.get(str(op), "#ffffff")), n)
        )
    unknown = int((operators == "").sum())
    if unknown:
        out.append(LegendEntry("Sites", "operator not known", area_svg("#ffffff"), unknown))
    return out


def legend_entries(
    view: MapView,
    colours: dict[str, str],
    *,
    explorer: bool = False,
    zones: dict | None = None,
    places: pd.DataFrame | None = None,
    heat: bool | None = None,
) -> list[LegendEntry]:
    """The legend of the map of ``view``: exactly the symbols it draws, then the size scale
    and the counting rule.

    ``explorer``: the map explorer's map (every drawable route, unrun ones grey, implied
    tracks, arrows, entry and base rings, visits, zones, heat map); otherwise the overview's
    (the routes the selection's events name, sites and events). ``zones``: the agreement
    features drawn (explorer). ``places``: ``ds.places``, to leave out entry crossings that
    have no position. ``heat``: whether the map offers the heat map (default: explorer)."""
    out: list[LegendEntry] = []
    out += _route_entries(view, explorer, places)
    out += _event_entries(view, colours)
    if explorer and len(view.visits):
        top_v = int(view.visits["visits"].max())
        out.append(
            LegendEntry(
                "Visits",
                "runs that passed a village or town (area: visits)",
                circle_svg(7, VISIT_COLOUR, VISIT_COLOUR, fill_opacity=0.16),
                int(view.visits["visits"].sum()) if top_v else 0,
            )
        )
    out += _site_entries(view, colours)
    if explorer and zones:
        kinds = pd.Series([f["properties"]["kind"] for f in zones.get("features", [])])
        from components.layers.zones import BORDER_COLOUR, LINE30_COLOUR, STRIP_COLOUR

        symbols = {
            "strip": area_svg(STRIP_COLOUR, 0.5),
            "line": line_svg(LINE30_COLOUR, 2.5, "10 6"),
            "border": line_svg(BORDER_COLOUR, 2.5),
        }
        for kind, label in ZONE_LABELS.items():
            n = int((kinds == kind).sum()) if len(kinds) else 0
            if n:
                out.append(LegendEntry("Agreements", label, symbols[kind], n))
    if (explorer if heat is None else heat) and len(view.markers):
        out.append(
            LegendEntry(
                "Layers",
                "heat map of events per place (off at start; turn it on in the layer list)",
                area_svg("#f03b20", 0.6),
            )
        )
    # the scale: circles of events (and visits), widths of routes
    if len(view.markers):
        out += _scale_entries("events", int(view.markers["n"].max()), "#000000", 0.12)
    if explorer and len(view.visits):
        out += _scale_entries("visits", int(view.visits["visits"].max()), VISIT_COLOUR, 0.16)
    drawn = _drawn_routes(view, explorer)
    count = "runs" if explorer else "events"
    top_r = int(max(drawn[count].max() if len(drawn) else 0, 0))
    if explorer and len(view.tracks):
        top_r = max(top_r, int(view.tracks["runs"].max()))
    if top_r > 0:
        word = "run" if explorer else "event"
        for n in scale_steps(top_r):
            out.append(
                LegendEntry(
                    "Scale",
                    f"route width: {n:,} {word}{'s' if n != 1 else ''}",
                    line_svg(ROUTE_COLOURS["patrol_track"], route_weight(n, top_r)),
                )
            )
    if len(view.markers) or (explorer and len(view.visits)):
        out.append(LegendEntry("Scale", scale_rule(), ""))
    if len(drawn) or (explorer and (len(view.visits) or len(view.tracks))):
        out.append(LegendEntry("Counting", COUNTING_RULE, ""))
    return out


def legend_html(entries: list[LegendEntry], open_: bool = True, title: str = "Legend") -> str:
    """The legend as HTML (a ``<details>`` that opens on click), every label escaped."""
    parts = [f"<details{' open' if open_ else ''}><summary>{esc(title)}</summary>"]
    for group in GROUPS:
        rows = [e for e in entries if e.group == group]
        if not rows:
            continue
        parts.append(f"<div class='pw-h'>{esc(group)}</div>")
        for e in rows:
            n = f" <span class='pw-n'>({e.count:,})</span>" if e.count is not None else ""
            cls = "pw-row" if e.symbol_svg else "pw-row pw-note"
            parts.append(f"<div class='{cls}'>{e.symbol_svg}<span>{esc(e.label)}{n}</span></div>")
    parts.append("</details>")
    return "".join(parts)
