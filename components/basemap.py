"""The map's background: an offline vector basemap, and optional online tiles.

The vector basemap (data/basemap/, Natural Earth, see its ORIGIN.md) keeps the map legible
with no tile server at all: a pale land colour, the sea, the Syria–Turkey and Syria–Iraq
borders, the main rivers and town names. Online tiles are an option on top of it, set by
environment variables (:func:`tile_settings`) so a site can point them at its own tile
server or switch them off.

Pure builders: no streamlit import (all streamlit caching lives in data/cache.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import folium
import pandas as pd
import xyzservices
from folium.template import Template

from components.html import esc
from components.labels import (
    UNIT,
    FixedBox,
    Label,
    Marker,
    Stage,
    label_priority,
    place_labels,
    text_width,
)
from components.leaflet import RawMacroElement, RawText
from data.settings import (
    OSM_ATTRIBUTION,
    OSM_TILES,
    TILES_ATTRIBUTION_ENV,
    TILES_ENV,
    TileSettings,
    default_attribution,
    tile_settings,
)

__all__ = [
    "BASEMAP_DIR",
    "BASEMAP_LAYER_NAME",
    "LAYERS",
    "OSM_ATTRIBUTION",
    "OSM_TILES",
    "TILES_ATTRIBUTION_ENV",
    "TILES_ENV",
    "TileSettings",
    "add_basemap",
    "add_tile_layer",
    "add_vector_basemap",
    "load_basemap",
    "tile_settings",
]

BASEMAP_DIR = Path(__file__).resolve().parents[1] / "data" / "basemap"
#: layer name -> file in BASEMAP_DIR
LAYERS = {"land": "land.geojson", "borders": "borders.geojson", "rivers": "rivers.geojson"}
BASEMAP_LAYER_NAME = "Basemap (offline)"

# --- online tiles: the settings (read from the environment in data.settings) ---------------


class _UrlTemplate(xyzservices.TileProvider):
    """A tile server's URL template handed to folium as it is: a provider's URL is
    formatted by Python (which a Leaflet template such as ``{-y}`` breaks); this one's is
    not, as folium takes a string that names no provider."""

    def build_url(self, *args: object, **kwargs: object) -> str:
        return str(self["url"])


def add_tile_layer(
    m: folium.Map, url: str | None, attribution: str | None, *, show: bool = False
) -> None:
    """Online tiles under everything else, as a base layer the reader opts into (off at
    start unless ``show``: the offline basemap is the default); nothing if ``url`` is None.
    Leaflet shows a layer's attribution only while the layer is on, so no tile server is
    credited while nothing of it is drawn.

    ``attribution`` is trusted HTML from the site's settings (it may hold a link); when
    None, OpenStreetMap's for OpenStreetMap tiles, else the tile server's host name."""
    if url is None:
        return
    host = urlsplit(url).hostname or "online"
    attr = attribution or default_attribution(url)
    name = f"Online map tiles ({host})"
    folium.TileLayer(
        # given as a provider, not a string: folium looks a string up among every provider
        # xyzservices knows (~2 ms a map) before taking it as a URL; the layer is the same
        tiles=_UrlTemplate(name=name, url=url, attribution=attr),
        attr=attr,
        name=name,
        overlay=False,
        control=True,
        show=show,
    ).add_to(m)


# --- the offline vector basemap --------------------------------------------------------------


def load_basemap() -> dict[str, dict]:
    """The basemap layers as GeoJSON FeatureCollections: ``land`` (land and sea polygons,
    coastline; ``kind`` says which), ``borders`` (lines with ``id`` SYR-TUR, SYR-IRQ,
    SYR-LBN, TUR-IRQ) and ``rivers`` (lines with a ``name``). Each has a ``bbox``: the area
    the files cover. Every call returns fresh dicts (the files are read once, and kept by
    ``data.cache.basemap_texts``)."""
    from data.cache import basemap_texts

    texts = basemap_texts(str(BASEMAP_DIR), tuple(LAYERS.items()))
    return {name: json.loads(text) for name, text in texts}


OUTSIDE = "#e4e4df"  # beyond the basemap's extent
LAND = "#f4f1e8"
SEA = "#cfe0ec"
RIVER = "#5b8fc7"
BORDER = "#3b3b3b"


def basemap_extent() -> list[list[float]]:
    """The area the offline basemap covers, [[south, west], [north, east]] (the land
    file's ``bbox``; every file is clipped to the same)."""
    from data.cache import basemap_texts

    texts = dict(basemap_texts(str(BASEMAP_DIR), tuple(LAYERS.items())))
    west, south, east, north = _bbox_of(texts["land"])
    return [[south, west], [north, east]]


@lru_cache(maxsize=4)
def _bbox_of(text: str) -> tuple[float, ...]:
    """The ``bbox`` of a GeoJSON text, read once per text (every map asks for it)."""
    return tuple(float(v) for v in json.loads(text)["bbox"])


MAX_ZOOM = 18
#: below this zoom level town names are hidden (their dots stay)
NAMES_MIN_ZOOM = 7

_PANE = "pw-basemap"
_LABEL_PANE = "pw-basemap-labels"
_ATTRIBUTION = "Basemap: Natural Earth"

# country names, placed by hand away from the border and the towns
_COUNTRY_LABELS = (("TURKEY", 37.5, 39.35), ("SYRIA", 35.6, 39.75), ("IRAQ", 35.9, 42.05))

_CSS = f"""
<style>
  .leaflet-container {{ background: {OUTSIDE}; }}
  .pw-label {{ pointer-events: none; }}
  .pw-label span {{ position: absolute; white-space: nowrap; }}
  .pw-town-dot {{
    left: -3px; top: -3px; width: 6px; height: 6px; border-radius: 50%;
    background: #4a4a4a; box-shadow: 0 0 0 1px #fff;
  }}
  .pw-town-name {{
    font: 700 12px/1.3 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif;
    color: #2f2f2f;
    text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff;
  }}
  .pw-side-right, .pw-side-left {{ transform: translateY(-50%); }}
  .pw-side-above, .pw-side-below {{ transform: translateX(-50%); }}
  .pw-leader {{
    position: absolute; width: 1px; height: 1px; overflow: visible; pointer-events: none;
  }}
  .pw-leader line {{ stroke-linecap: round; fill: none; }}
  .pw-names-hidden .pw-town-name {{ display: none !important; }}
  .pw-country-name {{
    transform: translate(-50%, -50%);
    font: 600 15px/1 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
    letter-spacing: 0.35em; color: rgba(60, 60, 60, 0.45);
  }}
</style>
"""


class _HideNamesWhenZoomedOut(RawMacroElement):
    """Town names crowd each other when zoomed out: below ``min_zoom`` only their dots show."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map) {
                function update() {
                    map.getContainer().classList.toggle(
                        "pw-names-hidden", map.getZoom() < {{ this.min_zoom|tojson }});
                }
                map.on("zoomend", update);
                update();
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, min_zoom: int) -> None:
        super().__init__()
        self._name = "HideNamesWhenZoomedOut"
        self.min_zoom = min_zoom


def _style(feature: dict) -> dict:
    kind = feature["properties"].get("kind")
    if kind == "land":
        return {"stroke": False, "fill": True, "fillColor": LAND, "fillOpacity": 1.0}
    if kind == "sea":
        return {"stroke": False, "fill": True, "fillColor": SEA, "fillOpacity": 1.0}
    if kind == "coast":
        return {"color": "#8aa9c1", "weight": 1, "opacity": 1.0, "fill": False}
    if kind == "river":
        return {"color": RIVER, "weight": 2, "opacity": 0.85, "fill": False}
    return {"color": BORDER, "weight": 2, "opacity": 0.9, "dashArray": "8 5", "fill": False}


def _geojson(data: dict, name: str) -> folium.GeoJson:
    return folium.GeoJson(
        data,
        name=name,
        style_function=_style,
        control=False,
        pane=_PANE,
        interactive=False,
        attribution=_ATTRIBUTION,
    )


class LabelLayer(RawMacroElement):
    """Names drawn on the map, taking no clicks: rows ``[lat, lon, text, class, stages,
    min_zoom, offset, dot]`` added to the parent group as Leaflet markers in the labels'
    pane by one script with the rows as JSON. The text is escaped with ``esc`` (so the page
    holds no markup from the data, even inside JSON), decoded by an inert ``DOMParser``
    document and inserted as text (``textContent``), never as HTML. A name shows only at
    zoom ≥ ``min_zoom`` (null: never); ``stages`` (``[from_zoom, position, ax, ay, line]``,
    as :func:`town_label_rows` makes them from :func:`components.labels.place_labels`) say
    where it is written at each zoom: its box's point nearest the label's point at (ax, ay)
    px from it, on ``position`` (a side, a diagonal, or ``centre``), and ``line`` (x0, y0,
    x1, y1 px from the point, or null) a leader line joining a displaced name to its point
    (a stage whose position is ``hidden`` hides the name: no room is free there),
    drawn as SVG inside the name's own element (so whatever hides the name hides its line).
    ``dot`` draws a town's dot at the point. A name the map's edge would cut is hidden
    (checked whenever the map has moved, zoomed or been resized), never shown in part."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map, group, rows, pane) {
                // names arrive HTML-escaped (components.html.esc); an inert parsed
                // document turns the entities back into text, set as text, never as HTML
                var parser = new DOMParser();
                var SVG = "http://www.w3.org/2000/svg";
                function text(s) {
                    return parser.parseFromString(s, "text/html").documentElement.textContent;
                }
                function px(v) { return v + "px"; }
                // the leader: a white halo under a thin dark line, from the edge of what is
                // drawn at the point to the name's nearest corner or edge
                function leader(name) {
                    var svg = document.createElementNS(SVG, "svg");
                    svg.setAttribute("class", "pw-leader");
                    var parts = [["#fff", "3"], ["#4a4a4a", "1.1"]].map(function (p) {
                        var l = document.createElementNS(SVG, "line");
                        l.setAttribute("stroke", p[0]);
                        l.setAttribute("stroke-width", p[1]);
                        svg.appendChild(l);
                        return l;
                    });
                    name.appendChild(svg);
                    return {svg: svg, parts: parts};
                }
                // writes the name as one stage says: its anchor (ax, ay) px from the point,
                // the box hung from it on the side facing away from the point
                function place(item, st) {
                    var el = item.name, s = el.style, ax = st[2], ay = st[3];
                    el.className = item.cls + " pw-side-" + st[1];
                    s.left = ax > 0 ? px(ax) : ax === 0 ? "0px" : "";
                    s.right = ax < 0 ? px(-ax) : "";
                    s.top = ay > 0 ? px(ay) : ay === 0 ? "0px" : "";
                    s.bottom = ay < 0 ? px(-ay) : "";
                    var line = st[4];
                    if (!line) {
                        if (item.leader) { item.leader.svg.style.display = "none"; }
                        return;
                    }
                    if (!item.leader) { item.leader = leader(el); }
                    var g = item.leader.svg.style;
                    g.display = "";
                    // the SVG's origin at the anchor, whichever corner or edge that is
                    g.left = ax > 0 ? "0" : ax < 0 ? "100%" : "50%";
                    g.top = ay > 0 ? "0" : ay < 0 ? "100%" : "50%";
                    item.leader.parts.forEach(function (l) {
                        l.setAttribute("x1", line[0] - ax);
                        l.setAttribute("y1", line[1] - ay);
                        l.setAttribute("x2", line[2] - ax);
                        l.setAttribute("y2", line[3] - ay);
                    });
                }
                var items = [];
                for (var i = 0; i < rows.length; i++) {
                    var r = rows[i];
                    var root = document.createElement("div");
                    if (r[7]) {
                        var dot = document.createElement("span");
                        dot.className = "pw-town-dot";
                        root.appendChild(dot);
                    }
                    var name = document.createElement("span");
                    name.textContent = text(r[2]);
                    root.appendChild(name);
                    var item = {name: name, cls: r[3], stages: r[4], min: r[5],
                                leader: null, at: -1};
                    place(item, r[4].length ? r[4][0] : [0, "right", 0, 0, null]);
                    items.push(item);
                    L.marker([r[0], r[1]], {
                        icon: L.divIcon({html: root, iconSize: [0, 0], iconAnchor: [0, 0],
                                         className: "pw-label"}),
                        pane: pane, interactive: false, keyboard: false
                    }).addTo(group);
                }
                function update() {
                    var z = map.getZoom() + 1e-6;
                    for (var j = 0; j < items.length; j++) {
                        var it = items[j];
                        var k = 0;
                        while (k + 1 < it.stages.length && it.stages[k + 1][0] <= z) { k++; }
                        // hidden below its min zoom and where its stage says so
                        var on = it.min !== null && z >= it.min &&
                                 (!it.stages.length || it.stages[k][1] !== "hidden");
                        it.name.style.display = on ? "" : "none";
                        if (!on) { continue; }
                        if (k !== it.at && it.stages.length) {
                            place(it, it.stages[k]);
                            it.at = k;
                        }
                    }
                }
                // a name the map's edge would cut ("r al-Shughur") is not written at all:
                // checked once the map has settled, never while it moves
                var frame = map.getContainer();
                function clip() {
                    var outer = frame.getBoundingClientRect();
                    for (var j = 0; j < items.length; j++) {
                        var el = items[j].name;
                        if (el.style.display === "none" || !el.isConnected) { continue; }
                        var r = el.getBoundingClientRect();
                        var cut = r.left < outer.left || r.right > outer.right ||
                                  r.top < outer.top || r.bottom > outer.bottom;
                        el.style.visibility = cut ? "hidden" : "";
                    }
                }
                map.on("zoomend", update);
                map.on("moveend resize", clip);
                group.on("add", function () { requestAnimationFrame(clip); });
                update();
                requestAnimationFrame(clip);
            })({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }},
               {{ this.rows|tojson }}, {{ this.pane|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list], pane: str = _LABEL_PANE) -> None:
        super().__init__()
        self._name = "LabelLayer"
        self.rows = rows
        self.pane = pane
        self.options = {"interactive": False}


#: the least zoom names are placed for: a whole theatre on an export's map (a still picture
#: framed at the zoom its box allows, 6.5 for the embedded data's whole period on a slide)
#: names what fits there, though the live maps hide every name below NAMES_MIN_ZOOM
LABEL_MIN_ZOOM = 5
#: label placement: the zooms checked (quarter steps, as the maps snap), the font size
LABEL_ZOOMS = tuple(z / 4 for z in range(4 * LABEL_MIN_ZOOM, 4 * MAX_ZOOM + 1))
LABEL_FONT_PX = 12.0
#: the radius of a town's dot, which its name clears
DOT_PX = 3.0


def town_label_rows(
    labels: pd.DataFrame,
    markers: Sequence[Marker] = (),
    *,
    font_size: float = LABEL_FONT_PX,
    frame: Sequence[Sequence[float]] | None = None,
    fixed: Sequence[FixedBox] = (),
    names_from: float = LABEL_MIN_ZOOM,
) -> list[list]:
    """Label rows for :class:`LabelLayer` from ``labels`` (``name``, ``lat``, ``lon`` and
    optionally ``kind`` and ``activity``), placed by :func:`components.labels.place_labels`
    away from each other and from ``markers`` (what the map draws over the basemap), inside
    ``frame`` ([[south, west], [north, east]], what the map is framed on) where they can,
    clear of what is ``fixed`` (the country names, :func:`country_name_boxes`), at the
    zooms of :data:`LABEL_ZOOMS` from ``names_from`` on (a live map, which hides every name
    below :data:`NAMES_MIN_ZOOM`, needs none below it)."""
    keep = [
        r
        for r in labels.to_dict("records")
        if isinstance(r.get("name"), str) and r["name"] and _finite(r["lat"]) and _finite(r["lon"])
    ]
    items = [
        Label(
            text=r["name"],
            lon=float(r["lon"]),
            lat=float(r["lat"]),
            priority=label_priority(str(r.get("kind") or "town"), float(r.get("activity") or 0)),
            offset=DOT_PX,
            key=str(i),
        )
        for i, r in enumerate(keep)
    ]
    box = None
    if frame is not None:
        (south, west), (north, east) = frame
        box = (float(west), float(south), float(east), float(north))
    zooms = [z for z in LABEL_ZOOMS if z >= names_from]
    placed = place_labels(
        items, font_size=font_size, zooms=zooms, markers=markers, frame=box, fixed=fixed
    )
    return [
        [
            round(lab.lat, 5),
            round(lab.lon, 5),
            esc(lab.text),
            "pw-town-name",
            [_stage_row(st) for st in p.stages],
            p.min_zoom,
            p.offset,
            1,
        ]
        for lab, p in zip(items, placed, strict=True)
    ]


#: the country names' type (``.pw-country-name``): size and letter spacing in px
COUNTRY_FONT_PX = 15.0
COUNTRY_SPACING_PX = 0.35 * COUNTRY_FONT_PX


def country_name_boxes(pad: float = 2.0) -> list[FixedBox]:
    """The boxes of the country names the basemap writes (centred on their points, the
    same size at every zoom), erring wide (measured in DejaVu Sans Bold, wider than the
    semi-bold face they are written in), ``pad`` px round: town names keep clear of them."""
    out = []
    for text, lat, lon in _COUNTRY_LABELS:
        w = text_width(text, COUNTRY_FONT_PX) + len(text) * COUNTRY_SPACING_PX
        h = COUNTRY_FONT_PX * 1.2
        out.append(FixedBox(lon, lat, (-w / 2 - pad, -h / 2 - pad, w / 2 + pad, h / 2 + pad)))
    return out


def _stage_row(st: Stage) -> list:
    """A stage as :class:`LabelLayer` reads it: [from_zoom, position, ax, ay, line]."""
    ux, uy = UNIT.get(st.position, (0.0, 0.0))  # a hidden stage has no direction
    return [
        st.from_zoom,
        st.position,
        round(ux * st.distance, 2),
        round(uy * st.distance, 2),
        list(st.line) if st.line is not None else None,
    ]


def add_vector_basemap(
    m: folium.Map,
    labels: pd.DataFrame | None = None,
    *,
    country_names: bool = True,
    markers: Sequence[Marker] = (),
    frame: Sequence[Sequence[float]] | None = None,
    names_from: float = LABEL_MIN_ZOOM,
) -> None:
    """Add the offline basemap to ``m`` as the overlay "Basemap (offline)": land and sea,
    borders (dark, dashed), rivers (blue), country names and, from ``labels`` (columns
    ``name``, ``lat``, ``lon``, optionally ``kind`` and ``activity``), town names placed so
    that none overlaps another or one of ``markers``, inside ``frame`` where they can, from
    zoom ``names_from`` on (:func:`town_label_rows`). Nothing in
    it takes clicks or hovers, and everything drawn on the map later sits above it. Beyond
    the basemap's extent the map is a flat light grey, so without tiles it still reads as a
    map, not a broken page.
    """
    root = m.get_root()
    root.header.add_child(RawText(_CSS), name="patrolwatch_basemap_css")  # type: ignore[attr-defined]
    # With no tile layer Leaflet's map has no maxZoom, and MarkerCluster then refuses to
    # start ("Map has no maxZoom specified"): give the map one.
    if "max_zoom" not in m.options and "maxZoom" not in m.options:
        m.options["max_zoom"] = MAX_ZOOM
    # panes: lines above the tiles (200) and below the data (overlays 400); names above the
    # data's lines but below its markers (600). Neither takes pointer events.
    folium.map.CustomPane(_PANE, z_index=250, pointer_events=False).add_to(m)
    folium.map.CustomPane(_LABEL_PANE, z_index=450, pointer_events=False).add_to(m)

    layers = load_basemap()
    # a base layer, the default one: online tiles, where offered, are the other choice
    group = folium.FeatureGroup(name=BASEMAP_LAYER_NAME, overlay=False, control=True, show=True)
    for name in ("land", "rivers", "borders"):
        if layers[name]["features"]:
            _geojson(layers[name], name).add_to(group)

    rows: list[list] = []
    if country_names:
        for text, lat, lon in _COUNTRY_LABELS:
            centre = [[0, "centre", 0, 0, None]]
            rows.append([lat, lon, esc(text), "pw-country-name", centre, 0, 0, 0])
    if labels is not None and len(labels):
        fixed = country_name_boxes() if country_names else ()
        rows.extend(
            town_label_rows(labels, markers, frame=frame, fixed=fixed, names_from=names_from)
        )
    if rows:
        LabelLayer(rows).add_to(group)
    group.add_to(m)
    _HideNamesWhenZoomedOut(NAMES_MIN_ZOOM).add_to(m)


#: the kinds of place whose names the basemap shows
LABELLED_KINDS = ("city", "town")


def add_basemap(
    m: folium.Map,
    places: pd.DataFrame,
    tiles: object | None = None,
    *,
    vector: bool = True,
    activity: pd.Series | None = None,
    markers: Sequence[Marker] = (),
    frame: Sequence[Sequence[float]] | None = None,
    names_from: float = LABEL_MIN_ZOOM,
) -> None:
    """The background of every map: the offline vector basemap (``vector``), the default
    layer, naming the placed cities and towns of ``places`` (their labels placed by kind and
    ``activity`` per place id, clear of ``markers``, inside ``frame`` — [[south, west],
    [north, east]], what the map is framed on — where they can, from zoom ``names_from``
    on: :data:`NAMES_MIN_ZOOM` for a live map, which hides names below it; the least zoom
    an export may be framed at, by default), and online ``tiles`` (a ``TileSettings``; None
    for none) as a layer to switch to, off at start."""
    if vector:
        towns = places[places["placed"] & places["kind"].isin(LABELLED_KINDS)]
        towns = towns[["place_id", "name", "lat", "lon", "kind"]].assign(
            activity=towns["place_id"].map(activity).fillna(0.0) if activity is not None else 0.0
        )
        add_vector_basemap(m, towns, markers=markers, frame=frame, names_from=names_from)
    if tiles is not None:
        add_tile_layer(
            m, getattr(tiles, "url", None), getattr(tiles, "attribution", None), show=not vector
        )


def _finite(x: object) -> bool:
    try:
        return math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
