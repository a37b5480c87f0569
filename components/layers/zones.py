"""The zones layer: the agreements' geometry (the Syria–Turkey border, the 10 km joint-patrol
strip, the 30 km line), each with a tooltip saying what it is and that it is derived."""

from __future__ import annotations

import folium
from folium.utilities import JsCode

from components.leaflet import tip_html

LAYER_NAME = "Border, 10 km strip, 30 km line"
STRIP_COLOUR = "#e69f00"
LINE30_COLOUR = "#b35806"
BORDER_COLOUR = "#7a0019"


def zone_style(feature: dict) -> dict:
    """Leaflet style of a zone feature, by its ``kind`` (strip, line, border)."""
    kind = feature["properties"]["kind"]
    if kind == "strip":
        return {
            "color": STRIP_COLOUR,
            "weight": 1,
            "fillColor": STRIP_COLOUR,
            "fillOpacity": 0.22,
            "className": "pw-strip",
        }
    if kind == "line":
        return {
            "color": LINE30_COLOUR,
            "weight": 2.5,
            "dashArray": "10 6",
            "fill": False,
            "className": "pw-line30",
        }
    return {"color": BORDER_COLOUR, "weight": 2.5, "fill": False, "className": "pw-border"}


def zone_layer(zones: dict, *, name: str = LAYER_NAME) -> folium.FeatureGroup:
    """The ``zones`` (a GeoJSON FeatureCollection from ``data.zones.zone_layer``). Each
    feature keeps only its kind and its escaped tooltip: no other text enters the map."""
    group = folium.FeatureGroup(name=name, show=True)
    if not zones.get("features"):
        return group
    features = []
    for f in zones["features"]:
        p = f["properties"]
        lines = [p["description"]] if p.get("description") else []
        if p["kind"] != "border":
            lines.append("Derived: click for how it was drawn and the source")
        tip = tip_html("zone", str(p["zone_id"]), str(p["label"]), *lines)
        features.append({**f, "properties": {"kind": p["kind"], "tip": tip}})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="zones",
        style_function=zone_style,
        pane="pw-zones",
        control=False,
        on_each_feature=JsCode(
            "function(feature, layer) {"
            " layer.bindTooltip(feature.properties.tip, {sticky: true}); }"
        ),
    ).add_to(group)
    return group
