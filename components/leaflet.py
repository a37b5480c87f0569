"""The map elements every PatrolWatch map is made of, and the one way data reaches them.

branca renders each element's script macro, then wraps the result in a new ``Element``
whose text is rendered *again* as a Jinja template; anything in that text that looks like
``{{ ... }}`` or ``{% ... %}`` would run on the server. So, by construction:

- every text from the data is escaped with :func:`components.html.esc` (which turns
  ``{``, ``}``, ``%`` and ``#`` into HTML entities too) before it is put in any HTML that
  a map shows, and
- our own elements (:class:`RawMacroElement` and everything built on it) pass their data
  to the script as JSON values (``|tojson``) and add the rendered script to the page as it
  is, with no second render; and
- importing this module makes folium's own elements (``MacroElement.render``) render so
  too: no rendered text is compiled or evaluated as a template again, whatever reached it.

Markers and lines are written as compact JSON rows (:class:`PointLayer`,
:class:`LineLayer`) that one small script turns into Leaflet layers, instead of one folium
element per marker: the HTML grows by about a hundred bytes per place.

Pure: no streamlit.
"""

from __future__ import annotations

import math
import re
from urllib.parse import quote

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from components.html import esc

__all__ = [
    "CONTROL_MAX_VH",
    "FULL_AT",
    "FONT_FACES",
    "LEGEND_CSS",
    "MAP_FONT",
    "MAX_RADIUS",
    "MIN_RADIUS",
    "PANES",
    "Css",
    "FitBounds",
    "Legend",
    "LineLayer",
    "PointLayer",
    "RawMacroElement",
    "RawText",
    "StyleTable",
    "marker_radius",
    "new_map",
    "parse_ref",
    "ref_tag",
    "rounded",
    "tip_html",
]


class RawText(Element):
    """Already-rendered text, added to the page as it is (never parsed as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: object) -> str:
        return self._text


def _render_once(self: MacroElement, **kwargs: object) -> None:
    """``MacroElement.render`` without the second render: the header, html and script
    macros are rendered once, with the element's values, and added to the page as text."""
    figure = self.get_root()
    assert isinstance(figure, Figure), "render the map's root, not a lone element"
    module = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            getattr(figure, part).add_child(RawText(macro(self, kwargs)), name=self.get_name())
    for child in self._children.values():
        child.render(**kwargs)


# folium's own elements (the map, its layer groups, controls and plugins) render through
# branca's MacroElement.render, which made each rendered macro a new template: compiled on
# every run (about 30 per map, 30 ms of a rerun) and evaluated again. They render once too.
MacroElement.render = _render_once


class RawMacroElement(MacroElement):
    """A ``MacroElement`` whose header, html and script macros are rendered once, with the
    element's values, and added to the page as text: nothing rendered is a template again.
    (Compiling a template the size of a few hundred markers' JSON would also cost more than
    building the whole map.) Since this module is imported, every ``MacroElement``, folium's
    included, renders so (``_render_once``)."""

    render = _render_once


class PointLayer(RawMacroElement):
    """Circle markers (radius in pixels), circles (radius in metres) or icon markers from
    rows, added to the parent feature group. ``styles`` are Leaflet options shared by many
    rows; a row is ``[lat, lon, radius or icon index, style index, tooltip html or '',
    popup html or '' (optional)]``. Tooltip and popup HTML must be built with ``esc``.
    A popup scrolls past ``maxHeight`` (380 px): a busy place's list of events stays
    inside a map 560 px high instead of running off its top."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
  var group = {{ this._parent.get_name() }};
  var styles = {{ this.styles|tojson }};
  var icons = {{ this.icons|tojson }};
  var rows = {{ this.rows|tojson }};
  var shape = {{ this.shape|tojson }};
  var size = {{ this.icon_size|tojson }};
  for (var i = 0; i < rows.length; i++) {
    var r = rows[i], layer;
    var o = Object.assign({}, styles[r[3]]);
    if (shape === "icon") {
      o.icon = L.divIcon({html: icons[r[2]], iconSize: size,
                          iconAnchor: [size[0] / 2, size[1] / 2], className: o.className || ""});
      delete o.className;
      layer = L.marker([r[0], r[1]], o);
    } else {
      o.radius = r[2];
      layer = (shape === "metres" ? L.circle : L.circleMarker)([r[0], r[1]], o);
    }
    if (r[4]) { layer.bindTooltip(r[4], {sticky: shape !== "icon"}); }
    if (r[5]) { layer.bindPopup(r[5], {maxWidth: 400, maxHeight: 380}); }
    layer.addTo(group);
  }
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        rows: list[list],
        styles: list[dict],
        *,
        shape: str = "pixels",
        icons: list[str] | None = None,
        icon_size: tuple[int, int] = (18, 18),
    ) -> None:
        super().__init__()
        self._name = "PointLayer"
        self.rows = rows
        self.styles = styles
        self.shape = shape
        self.icons = icons or []
        self.icon_size = list(icon_size)


class LineLayer(RawMacroElement):
    """Polylines from rows ``[[[lat, lon], …], weight, style index, tooltip html, arrows,
    popup html (optional)]``. ``arrows`` are ``[lat, lon, angle]``: an arrowhead drawn
    there, turned ``angle`` degrees clockwise from east on the screen, in the line's colour,
    in the ``pw-arrows`` pane and taking no clicks."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
  var group = {{ this._parent.get_name() }};
  var styles = {{ this.styles|tojson }};
  var rows = {{ this.rows|tojson }};
  for (var i = 0; i < rows.length; i++) {
    var r = rows[i];
    var o = Object.assign({}, styles[r[2]]);
    o.weight = r[1];
    var line = L.polyline(r[0], o);
    if (r[3]) { line.bindTooltip(r[3], {sticky: true}); }
    if (r[5]) { line.bindPopup(r[5], {maxWidth: 400, maxHeight: 380}); }
    line.addTo(group);
    var size = Math.round(Math.max(12, 7 + 1.6 * r[1]));
    for (var j = 0; j < r[4].length; j++) {
      var a = r[4][j];
      var html = '<div style="width:' + size + 'px;height:' + size + 'px;transform:rotate(' +
        a[2] + 'deg)"><svg viewBox="0 0 12 12" width="' + size + '" height="' + size +
        '"><path d="M1 1.5 L11 6 L1 10.5 L3.5 6 Z" fill="' + o.color +
        '" stroke="#fff" stroke-width="0.8"/></svg></div>';
      L.marker([a[0], a[1]], {
        icon: L.divIcon({html: html, iconSize: [size, size], iconAnchor: [size / 2, size / 2],
                         className: "pw-arrow"}),
        interactive: false, keyboard: false, pane: "pw-arrows"
      }).addTo(group);
    }
  }
})();
{% endmacro %}
"""
    )

    def __init__(self, rows: list[list], styles: list[dict]) -> None:
        super().__init__()
        self._name = "LineLayer"
        self.rows = rows
        self.styles = styles


class StyleTable:
    """Leaflet option dicts, each stored once and referred to by index."""

    def __init__(self) -> None:
        self.styles: list[dict] = []
        self._index: dict[str, int] = {}

    def __call__(self, **options: object) -> int:
        key = repr(sorted(options.items()))
        if key not in self._index:
            self._index[key] = len(self.styles)
            self.styles.append(dict(options))
        return self._index[key]


class Legend(RawMacroElement):
    """A Leaflet control holding legend HTML built with ``esc`` (passed as a JSON string),
    bottom left by default: the layer list is top right, and both are at most
    ``CONTROL_MAX_VH`` of the map's height, so opened together they never meet."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
  var legend = L.control({position: {{ this.position|tojson }}});
  legend.onAdd = function() {
    var div = L.DomUtil.create('div', 'pw-legend');
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(self, html: str, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.position = position


class FitBounds(RawMacroElement):
    """Fit the map to bounds once its container has its final size, and again whenever the
    container is resized (an iframe laid out after the map was created otherwise keeps the
    zoom computed for the wrong size)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var bounds = {{ this.bounds|tojson }};
  // refit when the container is resized (the detail panel opening, an iframe laid out
  // late) until the reader has moved the map; after that only redraw at the new size
  var moved = false;
  var fit = function() {
    map.invalidateSize();
    if (!moved) { map.fitBounds(bounds, {padding: [24, 24]}); }
  };
  var el = map.getContainer();
  ["mousedown", "wheel", "touchstart", "keydown"].forEach(function(t) {
    el.addEventListener(t, function() { moved = true; }, {passive: true});
  });
  fit();
  if (window.ResizeObserver) {
    var last = null;
    new ResizeObserver(function(entries) {
      var box = entries[0].contentRect;
      var w = Math.round(box.width), h = Math.round(box.height);
      var key = w + "x" + h;
      if (w > 0 && h > 0 && key !== last) { last = key; fit(); }
    }).observe(map.getContainer());
  }
})();
{% endmacro %}
"""
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitBounds"
        self.bounds = bounds


class StayInside(RawMacroElement):
    """Keep the map's view on ``extent`` (the offline basemap's area, south-west and
    north-east, grown to hold ``bounds``, what the map draws, should that reach past it):
    the smallest zoom is the one at which the view fits inside the area, so no empty band
    shows past the basemap's edge, unless the box is too narrow or tall to show all of
    ``bounds`` inside it (what is drawn is never pushed out of view: then the smallest
    zoom is the one that shows it all, as :class:`FitBounds` frames it). Recomputed
    whenever the box is resized; the view cannot be panned past the area. Any part of the
    box the basemap does not cover is ``colour``, not Leaflet's grey: the land colour the
    basemap has along its edges (its area is cut from land on the north, east and south),
    so a box too tall for the area shows no band past the edge, only the borders and
    rivers ending there. Add it before :class:`FitBounds`."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  map.getContainer().style.background = {{ this.colour|tojson }};
  if (window.__pwNoLimits) { return; }  // an export frames the map itself
  var box = L.latLngBounds({{ this.extent|tojson }});
  var drawn = {{ this.bounds|tojson }};
  if (drawn) { box.extend(L.latLngBounds(drawn)); }
  map.options.maxBoundsViscosity = 1.0;
  var keep = function() {
    map.invalidateSize();
    var size = map.getSize();
    if (!size.x || !size.y) { return; }
    var inside = map.getBoundsZoom(box, true);
    // FitBounds' padding of 24 px a side: the zoom at which all that is drawn shows
    var all = drawn ? map.getBoundsZoom(L.latLngBounds(drawn), false, L.point(48, 48)) : inside;
    map.setMinZoom(Math.min(inside, all));
    map.setMaxBounds(box);
  };
  keep();
  if (window.ResizeObserver) {
    var last = null;
    new ResizeObserver(function(entries) {
      var r = entries[0].contentRect;
      var key = Math.round(r.width) + "x" + Math.round(r.height);
      if (r.width > 0 && r.height > 0 && key !== last) { last = key; keep(); }
    }).observe(map.getContainer());
  }
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        extent: list[list[float]],
        bounds: list[list[float]] | None = None,
        *,
        colour: str = "#f4f1e8",
    ) -> None:
        super().__init__()
        self._name = "StayInside"
        self.extent = extent
        self.bounds = bounds
        self.colour = colour


#: the maps' font stack: Debian's Noto faces (``make chromium`` installs fonts-noto-core)
#: for Arabic and Syriac script, named through faces limited to those scripts so that Latin
#: text (Kurdish and Turkish letters included) stays in DejaVu Sans or Noto Sans
MAP_FONT = "'PW Arabic','PW Syriac','DejaVu Sans','Noto Sans',Arial,sans-serif"
_ARABIC_RANGE = "U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF"
FONT_FACES = (
    "@font-face{font-family:'PW Arabic';src:local('Noto Sans Arabic Regular'),"
    "local('NotoSansArabic-Regular'),local('Noto Naskh Arabic Regular'),"
    f"local('NotoNaskhArabic-Regular');unicode-range:{_ARABIC_RANGE}}}\n"
    "@font-face{font-family:'PW Arabic';font-weight:bold;src:local('Noto Sans Arabic Bold'),"
    "local('NotoSansArabic-Bold'),local('Noto Naskh Arabic Bold'),"
    f"local('NotoNaskhArabic-Bold');unicode-range:{_ARABIC_RANGE}}}\n"
    "@font-face{font-family:'PW Syriac';src:local('Noto Sans Syriac Regular'),"
    "local('NotoSansSyriac-Regular'),local('Noto Sans Syriac');"
    "unicode-range:U+0700-074F,U+0860-086F}\n"
)

#: the most of the map's height the legend and the layer list may take, each (the map's
#: iframe is its own viewport, so ``vh`` is the map's height)
CONTROL_MAX_VH = 44


def _svg_url(body: str, size: int = 18) -> str:
    """A CSS ``url()`` of an icon drawn here (dark strokes on a ``size`` px square)."""
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{size}' height='{size}' "
        f"viewBox='0 0 {size} {size}' fill='none' stroke='#333' stroke-width='2' "
        f"stroke-linecap='square'>{body}</svg>"
    )
    return f'url("data:image/svg+xml,{quote(svg, safe="")}")'


#: the icons of the plugins' map controls, drawn here and written into the map's own CSS:
#: the plugins' icons are image files their style sheets fetch after the map is drawn, and
#: until (unless) they arrive the buttons are empty (the full-screen button under + and −,
#: the measuring tool's under it). More specific than the plugins' rules, so they hold
#: whichever style sheet loads last.
ICON_FULLSCREEN = _svg_url("<path d='M2 7V2h5M11 2h5v5M16 11v5h-5M7 16H2v-5'/>")
ICON_FULLSCREEN_OFF = _svg_url("<path d='M7 2v5H2M11 2v5h5M16 11h-5v5M2 11h5v5'/>")
ICON_MEASURE = _svg_url(
    "<rect x='1.5' y='5.5' width='15' height='7' rx='1' stroke-width='1.5'/>"
    "<path d='M4.5 6v3M7.5 6v2M10.5 6v3M13.5 6v2' stroke-width='1.3' stroke-linecap='butt'/>"
)
CONTROL_ICONS_CSS = f"""
.leaflet-container .leaflet-bar a.fullscreen-icon,
.leaflet-container.leaflet-touch .leaflet-bar a.fullscreen-icon{{
 background-image:{ICON_FULLSCREEN};background-size:18px 18px;
 background-position:50% 50%;background-repeat:no-repeat}}
.leaflet-container .leaflet-bar a.fullscreen-icon.leaflet-fullscreen-on,
.leaflet-container.leaflet-touch .leaflet-bar a.fullscreen-icon.leaflet-fullscreen-on{{
 background-image:{ICON_FULLSCREEN_OFF};background-position:50% 50%}}
.leaflet-container .leaflet-control-measure a.leaflet-control-measure-toggle,
.leaflet-container .leaflet-control-measure a.leaflet-control-measure-toggle:hover,
.leaflet-container.leaflet-retina .leaflet-control-measure a.leaflet-control-measure-toggle,
.leaflet-container.leaflet-retina .leaflet-control-measure a.leaflet-control-measure-toggle:hover{{
 background-image:{ICON_MEASURE};background-size:18px 18px;
 background-position:50% 50%;background-repeat:no-repeat}}
"""

#: (the credit, bottom right, wraps short of the scale bar, bottom left, on a narrow map)
LEGEND_CSS = f"""
<style>
{FONT_FACES}
div.leaflet-container{{font-family:{MAP_FONT}}}
.pw-legend{{background:rgba(255,255,255,.95);padding:5px 8px;border-radius:4px;
 font:11px/1.3 {MAP_FONT};color:#222;box-shadow:0 1px 4px rgba(0,0,0,.3);
 max-width:260px;max-height:{CONTROL_MAX_VH}vh;overflow:auto;box-sizing:border-box}}
.pw-legend summary{{font-weight:bold;cursor:pointer;padding:1px 2px}}
.pw-legend details:not([open]) summary{{list-style:none}}
.pw-legend details:not([open]) summary::-webkit-details-marker{{display:none}}
.pw-legend details:not([open]) summary::before{{content:"\\25B8  "}}
.pw-legend .pw-note{{color:#444;margin:3px 0}}
.pw-legend .pw-n{{color:#666}}
.leaflet-control-layers-expanded .leaflet-control-layers-list{{
 max-height:calc({CONTROL_MAX_VH}vh - 16px);overflow-y:auto}}
.leaflet-control-layers-expanded{{font:12px/1.4 {MAP_FONT}}}
.pw-legend .pw-h{{font-weight:bold;margin:5px 0 1px}}
.pw-legend .pw-row{{display:flex;align-items:center;gap:5px;margin:1px 0}}
.pw-legend .pw-sw{{flex:none;display:inline-block;width:11px;height:11px;border-radius:50%;
 border:2px solid #333}}
.pw-legend .pw-ln{{flex:none;display:inline-block;width:20px;height:0;border-top:4px solid #0b5394}}
.pw-legend svg{{flex:none}}
.pw-popup{{font:12px/1.4 {MAP_FONT};max-width:360px}}
.pw-popup h4{{font-size:13px;margin:0 0 4px}}
.pw-popup .ev{{border-top:1px solid #ddd;padding-top:4px;margin-top:4px}}
.pw-popup .meta{{color:#555}}
.pw-sources{{margin:2px 0 0 14px;padding:0}}
.pw-grade{{font-weight:bold;color:#0b5394}}
.pw-title{{color:#555}}
.leaflet-bottom.leaflet-right .leaflet-control-attribution{{max-width:calc(100vw - 140px)}}
{CONTROL_ICONS_CSS}
</style>
"""


class Css(RawMacroElement):
    """Static CSS added to the map's header (``LEGEND_CSS`` unless given)."""

    _template = Template("{% macro header(this, kwargs) %}{{ this.css }}{% endmacro %}")

    def __init__(self, css: str = LEGEND_CSS) -> None:
        super().__init__()
        self._name = "Css"
        self.css = css


# --------------------------------------------------------------------------- sizes

#: the largest marker radius in pixels, whatever the count, and the smallest any marker gets
MAX_RADIUS = 28.0
MIN_RADIUS = 4.0
#: the count a marker reaches ``MAX_RADIUS`` at, unless a map holds larger counts: maps whose
#: largest count is at most this share one scale
FULL_AT = 20


def marker_radius(n: int, top: int | None = None) -> float:
    """Radius in pixels of a marker standing for ``n`` events (or visits): its area in
    proportion to the count, ``MAX_RADIUS`` for the larger of ``FULL_AT`` and ``top`` (the
    largest count on the map), never below ``MIN_RADIUS``. One event and seven read apart
    (6.3 and 16.6 px); a map of a million events keeps every marker within the cap, and the
    legend states the scale (``components.legend``)."""
    full = max(int(top or 0), FULL_AT)
    share = math.sqrt(min(max(int(n), 0) / full, 1.0))
    return round(max(MIN_RADIUS, MAX_RADIUS * share), 2)


#: panes, bottom to top: zones under routes, routes under visits, visits under events
PANES = {
    "pw-zones": 380,
    "pw-routes": 410,
    "pw-arrows": 415,
    "pw-visits": 420,
    "pw-halos": 430,
    "pw-events": 440,
}


def new_map(**options: object) -> folium.Map:
    """An empty map with the legend and popup CSS and the layers' panes, no online tiles
    yet; its view is set by :class:`FitBounds` from what it draws (the start view only
    matters for an empty selection)."""
    m = folium.Map(location=[36.8, 39.5], zoom_start=7, tiles=None, control_scale=True, **options)
    m.add_child(Css())
    for pane, z in PANES.items():
        folium.map.CustomPane(pane, z_index=z).add_to(m)
    return m


# --------------------------------------------------------------------------- tooltips

_REF = re.compile(r"\[\[pw:([a-z]+):([^\]]*)\]\]")


def ref_tag(kind: str, ident: str) -> str:
    """The hidden reference put in a clickable object's tooltip: streamlit-folium returns
    the clicked object's tooltip text, and :func:`parse_ref` turns it back into (kind, id)."""
    return f"<span hidden>[[pw:{esc(kind)}:{esc(ident)}]]</span>"


def parse_ref(tooltip_text: object) -> tuple[str, str] | None:
    """(kind, id) from the text of a clicked object's tooltip, or None."""
    if not isinstance(tooltip_text, str):
        return None
    found = _REF.search(tooltip_text)
    return (found.group(1), found.group(2)) if found else None


def tip_html(kind: str, ident: str, title: str, *lines: str) -> str:
    """Tooltip HTML: hidden reference, bold title, plain lines (all escaped)."""
    body = "".join(f"<br>{esc(line)}" for line in lines if line)
    return f"{ref_tag(kind, ident)}<b>{esc(title)}</b>{body}"


def rounded(coords: tuple | list) -> list[list[float]]:
    """(lat, lon) pairs rounded to 5 decimals (about a metre), as JSON-ready lists."""
    return [[round(float(a), 5), round(float(b), 5)] for a, b in coords]
