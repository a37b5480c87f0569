"""The sites layer: bases, airports, border crossings, checkpoints and water stations active
in the window, each an icon of its kind filled with its operator's colour."""

from __future__ import annotations

from typing import Any

import folium
import pandas as pd

from components.html import esc, names_html
from components.leaflet import PointLayer, StyleTable, tip_html
from data import vocab
from data.mapview import MapView

SITE_SHAPES = {
    "base": "square",
    "airport": "square",
    "border_crossing": "diamond",
    "checkpoint": "triangle",
    "water_station": "drop",
}


def site_icon_svg(kind: str, colour: str, size: int = 18) -> str:
    """An inline SVG symbol for a site kind (no icon font needed offline)."""
    s = size
    stroke = "stroke='#222' stroke-width='1.5'"
    shape = SITE_SHAPES.get(kind, "square")
    if shape == "square":
        body = f"<rect x='2' y='2' width='{s - 4}' height='{s - 4}' fill='{colour}' {stroke}/>"
    elif shape == "diamond":
        h = s / 2
        body = f"<polygon points='{h},1 {s - 1},{h} {h},{s - 1} 1,{h}' fill='{colour}' {stroke}/>"
    elif shape == "triangle":
        body = f"<polygon points='{s / 2},1 {s - 1},{s - 1} 1,{s - 1}' fill='{colour}' {stroke}/>"
    else:  # drop: a water station
        body = (
            f"<path d='M{s / 2} 1 C{s / 2} 1 {s - 2} {s / 2} {s - 2} {s * 0.65} "
            f"A{s / 2 - 2} {s / 2 - 2} 0 0 1 2 {s * 0.65} C2 {s / 2} {s / 2} 1 {s / 2} 1Z' "
            f"fill='{colour}' {stroke}/>"
        )
    return f"<svg xmlns='http://www.w3.org/2000/svg' width='{s}' height='{s}'>{body}</svg>"


def _date(ts: object) -> str:
    return pd.Timestamp(ts).strftime("%-d %b %Y") if pd.notna(ts) else ""


def place_popup(r: Any, sources_html: str) -> str:
    """A place's popup (``r`` a row of ``ds.places``): name, kind, when active, position and
    how it is known, other names, sources (``sources_html``: escaped HTML)."""
    where = (
        f"{r.lat:.4f}, {r.lon:.4f} (± {r.precision_m / 1000:.1f} km, {esc(r.coord_method)})"
        if r.placed
        else "position unknown"
    )
    active = ""
    if r.active_from or r.active_to:
        active = f"<br>Active: {esc(r.active_from or '?')} – {esc(r.active_to or 'open')}"
    derivation = f"<br><span class='meta'>{esc(r.derivation)}</span>" if r.derivation else ""
    alt = f"<br><span class='meta'>Also: {names_html(r.alt_names)}</span>"
    return (
        f"<div class='pw-popup'><h4>{esc(r.name)}</h4>"
        f"{esc(vocab.PLACE_KINDS.get(r.kind, r.kind))}{active}<br>{where}{derivation}"
        f"{alt if r.alt_names else ''}{sources_html}</div>"
    )


def site_layer(
    view: MapView,
    colours: dict[str, str],
    *,
    name: str = "Bases, crossings and stations",
    popups: pd.Series | None = None,
) -> folium.FeatureGroup:
    """The placed sites of ``view``. ``popups``: per place id, the HTML of its sources, to
    give each site a popup (see :func:`place_popup`)."""
    group = folium.FeatureGroup(name=name, show=True)
    styles = StyleTable()
    icons: list[str] = []
    icon_index: dict[tuple[str, str], int] = {}
    rows = []
    for s in view.sites.itertuples(index=False):
        colour = colours.get(s.operator_root, "#ffffff")
        if (s.kind, colour) not in icon_index:
            icon_index[(s.kind, colour)] = len(icons)
            icons.append(site_icon_svg(s.kind, colour))
        style = styles(className=f"pw-site pw-site-{s.kind}")
        active = ""
        if pd.notna(s.active_from_date) or pd.notna(s.active_to_date):
            active = (
                f"Active {_date(s.active_from_date) or '?'} – {_date(s.active_to_date) or 'open'}"
                f"; shown for {_date(s.shown_from) or 'the start'} – "
                f"{_date(s.shown_to) or 'the end'} of this selection"
            )
        tip = tip_html(
            "place",
            s.place_id,
            s.name,
            vocab.PLACE_KINDS.get(s.kind, s.kind)
            + (f" · operated by {s.operator_root}" if s.operator_root else ""),
            active,
        )
        popup = place_popup(s, popups.get(s.place_id, "")) if popups is not None else ""
        rows.append(
            [
                round(float(s.lat), 5),
                round(float(s.lon), 5),
                icon_index[(s.kind, colour)],
                style,
                tip,
                popup,
            ]
        )
    PointLayer(rows, styles.styles, shape="icon", icons=icons).add_to(group)
    return group
