"""The events layer: one marker per place (or grid cell), its area by how many events it
stands for on a bounded scale, coloured by the actors with most events there; solid where
the place is known exactly, hollow with a dashed halo as wide as the precision where it is
approximate. On maps without a detail panel each marker has a popup listing its newest
events, written by :func:`event_blocks` from ``data.eventtext.event_texts``."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import folium
import pandas as pd

from components.colours import group_style
from components.html import clip_series, esc, source_items
from components.leaflet import MAX_RADIUS, PointLayer, StyleTable, marker_radius, tip_html
from data.eventtext import event_texts
from data.frames import join_ordered, member
from data.mapview import MapView
from data.model import DataSet
from data.sourcing import citations_for

LAYER_NAME = "Events"


def _date(ts: object) -> str:
    return pd.Timestamp(ts).strftime("%-d %b %Y") if pd.notna(ts) else ""


def _esc_list(text: pd.Series) -> list[str]:
    """``esc_series(text)`` as a list: the same escaping (``esc``), one ``str.translate`` per
    text, which for the few thousand texts of the popups is cheaper than a pass of pandas
    per entity."""
    return [esc(t) for t in text.fillna("").astype("str").tolist()]


def event_blocks(ds: DataSet, events: pd.DataFrame) -> pd.Series:
    """Popup HTML per event, indexed by event id: date at its precision, kind, number,
    status, actors, description and graded sources, every text escaped."""
    if events.empty:
        return pd.Series(dtype="str")
    text = event_texts(events)
    cites = citations_for(ds, "event", events["event_id"])
    sources = join_ordered(cites["record_id"], source_items(cites), "")
    what = (text["kind"] + (" · " + text["number"]).where(text["number"] != "", "")) + (
        " · " + text["status"]
    )
    columns = zip(
        _esc_list(text["date"]),
        _esc_list(what),
        _esc_list(text["actors"]),
        _esc_list(clip_series(text["description"], 320)),
        sources.reindex(text.index, fill_value="").astype("str").tolist(),
        strict=True,
    )
    return pd.Series(
        [
            f"<div class='ev'><b>{date}</b><br>{kind}<br><span class='meta'>Actors: {actors}"
            f"</span><br>{description}<ul class='pw-sources'>{items}</ul></div>"
            for date, kind, actors, description, items in columns
        ],
        index=text.index,
        dtype="str",
    )


def popup_blocks(ds: DataSet, events: pd.DataFrame, ids: Collection[str]) -> dict[str, str]:
    """:func:`event_blocks` of the events of ``events`` whose id is in ``ids``, by id."""
    return event_blocks(ds, events[member(events["event_id"], set(ids))]).to_dict()


#: where a map gets its events' popup blocks: ``blocks(ids)`` -> {event id: HTML}
BlockSource = Callable[[list[str]], Mapping[str, str]]


def _marker_popup(mk: Any, blocks: Mapping[str, str]) -> str:
    ids = getattr(mk, "event_ids", ()) or ()
    n = int(mk.n)
    precision = mk.precision_m
    more = n - len(ids)
    return (
        f"<div class='pw-popup'><h4>{esc(mk.name)}: {n:,} event(s)</h4>"
        + (
            f"<span class='meta'>Placed approximately: within {precision / 1000:.1f} km</span>"
            if bool(mk.approx) and pd.notna(precision)
            else ""
        )
        + "".join(blocks.get(e, "") for e in ids)
        + (
            f"<div class='meta'>… and {more:,} earlier event(s): see the table.</div>"
            if more
            else ""
        )
        + "</div>"
    )


def event_layer(
    ds: DataSet,
    view: MapView,
    colours: dict[str, str],
    *,
    events: pd.DataFrame | None = None,
    name: str = LAYER_NAME,
    blocks: BlockSource | None = None,
) -> folium.FeatureGroup:
    """The event markers of ``view``, with their halos. With ``events`` (the filtered events,
    and ``view`` built with ``popup_events``) each marker gets a popup of its newest events,
    whose blocks come from ``blocks`` (a memo of :func:`popup_blocks` kept per data set,
    since an event's block is the same in every view) or else are written here."""
    group = folium.FeatureGroup(name=name, show=True)
    marks = StyleTable()
    halos = StyleTable()
    rows: list[list] = []
    halo_rows: list[list] = []
    markers = view.markers
    top = int(markers["n"].max()) if len(markers) else 1
    written: Mapping[str, str] = {}
    if events is not None and "event_ids" in markers:
        listed = sorted({e for ids in markers["event_ids"] for e in ids})
        shown = events
        written = (blocks or (lambda ids: popup_blocks(ds, shown, ids)))(listed)
    for mk in markers.itertuples(index=False):
        fill, second = group_style(str(mk.label), colours)
        approx = bool(mk.approx)
        if approx:
            style = marks(
                color=fill,
                weight=2.5,
                fill=True,
                fillColor=fill,
                fillOpacity=0.04,
                className="pw-event pw-approx",
                pane="pw-events",
            )
        else:
            style = marks(
                color=second or "#222222",
                weight=3 if second else 1.5,
                fill=True,
                fillColor=fill,
                fillOpacity=0.9,
                className="pw-event pw-exact",
                pane="pw-events",
            )
        cell = str(mk.key).startswith("cell:")
        precision = float(mk.precision_m) if pd.notna(mk.precision_m) else None
        where = (
            f"placed approximately: within {precision / 1000:.1f} km"
            if approx and precision
            else (f"placed exactly (within {precision / 1000:.1f} km)" if precision else "")
        )
        tip = tip_html(
            "cell" if cell else "events",
            str(mk.key).removeprefix("cell:"),
            f"{mk.name}: {int(mk.n):,} event(s)",
            f"{mk.label} · latest {_date(mk.latest)}",
            where,
        )
        popup = _marker_popup(mk, written) if events is not None else ""
        rows.append(
            [
                round(float(mk.lat), 5),
                round(float(mk.lon), 5),
                marker_radius(int(mk.n), top),
                style,
                tip,
                popup,
            ]
        )
        if approx and precision:
            halo = halos(
                color=fill,
                weight=1,
                dashArray="4 4",
                fill=True,
                fillColor=fill,
                fillOpacity=0.07,
                interactive=False,
                className="pw-halo",
                pane="pw-halos",
            )
            halo_rows.append(
                [round(float(mk.lat), 5), round(float(mk.lon), 5), precision, halo, ""]
            )
    PointLayer(halo_rows, halos.styles, shape="metres").add_to(group)
    PointLayer(rows, marks.styles).add_to(group)
    return group


def size_steps(top: int) -> list[int]:
    """The counts the legend shows the marker size of: one, the largest, and one between."""
    top = max(int(top), 1)
    mid = int(round(top**0.5)) if top >= 9 else (top + 1) // 2
    return sorted({1, mid, top})


def size_legend_html(top: int, noun: str = "events") -> str:
    """Legend rows giving the marker scale: a circle of the size drawn for 1, a middle count
    and the largest ``top`` (area by count, capped at ``MAX_RADIUS`` pixels)."""
    rows = []
    for n in size_steps(top):
        r = marker_radius(n, top)
        d = int(2 * r + 2)
        rows.append(
            "<div class='pw-row'>"
            f"<svg width='{d}' height='{d}'><circle cx='{d / 2}' cy='{d / 2}' r='{r}' "
            "fill='rgba(0,0,0,.12)' stroke='#333' stroke-width='1'/></svg>"
            f"{n:,} {esc(noun if n != 1 else noun.removesuffix('s'))}</div>"
        )
    return (
        f"<div class='pw-scale' title='Area grows with the count; the largest is "
        f"{MAX_RADIUS:g} px across the radius'>" + "".join(rows) + "</div>"
    )
