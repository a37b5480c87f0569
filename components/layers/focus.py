"""The place a search chose: the map opens centred on it (zoom 11, or wide enough for its
precision circle), with a ring round it, its precision drawn as a dashed circle and its
record in an open popup (``components.layers.sites.place_popup``: names in every script,
kind, position with its precision and how it is known, graded sources).

Pure: no streamlit. Added by the map builders in place of their ``FitBounds`` when their
``focus`` argument names a placed place.
"""

from __future__ import annotations

import pandas as pd
from folium.template import Template

from components.html import source_items
from components.layers.sites import place_popup
from components.leaflet import RawMacroElement
from data.model import DataSet
from data.sourcing import citations_for

FOCUS_COLOUR = "#e6550d"
FOCUS_ZOOM = 11


class FocusPlace(RawMacroElement):
    """Centre the map on ``location`` once its container has its size (and again when it
    is resized, as ``FitBounds`` does), ring it and open ``popup`` (escaped HTML) there."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var at = {{ this.location|tojson }};
  if (!map.getPane("pw-focus")) {
    map.createPane("pw-focus");
    map.getPane("pw-focus").style.zIndex = 460;
  }
  var halo = L.circle(at, {radius: {{ this.radius|tojson }}, color: {{ this.colour|tojson }},
    weight: 2, dashArray: "5 4", fillOpacity: 0.05, interactive: false,
    className: "pw-focus-halo", pane: "pw-focus"}).addTo(map);
  var ring = L.circleMarker(at, {radius: 12, color: {{ this.colour|tojson }}, weight: 4,
    fill: false, className: "pw-focus", pane: "pw-focus"}).addTo(map);
  ring.bindPopup({{ this.popup|tojson }}, {maxWidth: 400, maxHeight: 380});
  window.pwFocus = {lat: at[0], lng: at[1], id: {{ this.place_id|tojson }}};
  var show = function() {
    map.invalidateSize();
    var zoom = Math.min({{ this.zoom|tojson }}, map.getBoundsZoom(halo.getBounds()));
    map.setView(at, zoom);
  };
  show();
  ring.openPopup();
  if (window.ResizeObserver) {
    var last = null;
    new ResizeObserver(function(entries) {
      var box = entries[0].contentRect;
      var w = Math.round(box.width), h = Math.round(box.height);
      var key = w + "x" + h;
      if (w > 0 && h > 0 && key !== last) { last = key; show(); }
    }).observe(map.getContainer());
  }
})();
{% endmacro %}
"""
    )

    def __init__(
        self, place_id: str, location: list[float], radius_m: float, popup: str, zoom: int
    ) -> None:
        super().__init__()
        self._name = "FocusPlace"
        self.place_id = place_id
        self.location = location
        self.radius = radius_m
        self.popup = popup
        self.zoom = zoom
        self.colour = FOCUS_COLOUR


def place_sources_html(ds: DataSet, place_id: str) -> str:
    """The place's sources as one escaped '<ul>' of graded links ('' if none)."""
    cites = citations_for(ds, "place", [place_id])
    if cites.empty:
        return ""
    return "<ul class='pw-sources'>" + "".join(source_items(cites)) + "</ul>"


def focus_layer(ds: DataSet, place_id: str | None, zoom: int = FOCUS_ZOOM) -> FocusPlace | None:
    """The focus element for ``place_id``; None if it is None, unknown or has no position
    (the map then frames itself as usual)."""
    if not place_id:
        return None
    rows = ds.places[ds.places["place_id"] == place_id]
    if rows.empty or not bool(rows["placed"].iloc[0]):
        return None
    r = next(rows.itertuples(index=False))
    radius = float(r.precision_m) if pd.notna(r.precision_m) else 500.0
    return FocusPlace(
        str(r.place_id),
        [round(float(r.lat), 5), round(float(r.lon), 5)],
        max(radius, 50.0),
        place_popup(r, place_sources_html(ds, str(r.place_id))),
        zoom,
    )
