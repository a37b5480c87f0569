"""components.assets: every JS/CSS file a map needs is served by us, never by a CDN."""

from __future__ import annotations

import json
import re

import branca.colormap
import folium
import folium.elements
import pytest
import streamlit_folium
from folium import plugins

from components.assets import (
    ASSETS,
    STATIC_DIR,
    STATIC_URL,
    UnknownAssetError,
    local_url,
    localise_assets,
    missing_assets,
    remote_urls,
)

URL = re.compile(r"https?://[^\s\"'<>]+")
# text (not a fetch) that folium's MeasureControl template carries in a JS comment
KNOWN_COMMENT_URLS = {"https://github.com/ljagis/leaflet-measure/issues/171"}

USED_CLASSES = [
    folium.Map,
    plugins.MarkerCluster,
    plugins.Fullscreen,
    plugins.MeasureControl,
    plugins.HeatMap,
    plugins.PolyLineTextPath,
]


def full_map() -> folium.Map:
    """A map using folium itself and every plugin the app may use."""
    m = folium.Map(location=[36.8, 39.5], zoom_start=7, tiles=None)
    line = folium.PolyLine([[36.8, 38.0], [36.9, 40.0]], color="red").add_to(m)
    plugins.PolyLineTextPath(line, "M4 highway").add_to(m)
    cluster = plugins.MarkerCluster(name="events").add_to(m)
    folium.CircleMarker([36.6, 39.1], radius=6).add_to(cluster)
    folium.Marker([36.7, 39.0], icon=folium.Icon(icon="car", prefix="fa", angle=45)).add_to(m)
    plugins.Fullscreen().add_to(m)
    plugins.MeasureControl().add_to(m)
    plugins.HeatMap([[36.6, 39.1, 2.0], [36.7, 39.2, 1.0]]).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def walk(el):
    """The same walk st_folium does to collect default_js / default_css."""
    if isinstance(el, folium.elements.JSCSSMixin):
        yield el
    for child in el._children.values():
        yield from walk(child)


def links(m: folium.Map) -> tuple[list[str], list[str]]:
    js = [u for el in walk(m) for _, u in el.default_js]
    css = [u for el in walk(m) for _, u in el.default_css]
    return js, css


@pytest.mark.parametrize("cls", USED_CLASSES, ids=lambda c: c.__name__)
def test_table_covers_every_url_of_the_plugins_we_use(cls):
    for _, url in [*cls.default_js, *cls.default_css]:
        assert url in ASSETS, f"{cls.__name__} needs {url}, which has no local copy"


def test_every_url_of_a_full_map_becomes_local():
    m = localise_assets(full_map())
    js, css = links(m)
    assert js and css
    for url in js + css:
        assert url.startswith(STATIC_URL), url
        path = url.removeprefix(STATIC_URL)
        assert path in {a.path for a in ASSETS.values()}, url
    # the order folium needs is kept: Leaflet first, then jQuery
    assert js[0].endswith("/leaflet/dist/leaflet.js")
    assert js[1].endswith("/jquery/dist/jquery.min.js")


def test_dropped_files_are_dropped():
    m = localise_assets(full_map())
    _, css = links(m)
    assert not any("glyphicons" in u or "rotate" in u for u in css)


def test_class_level_lists_are_not_mutated():
    before = (list(folium.Map.default_js), list(folium.Map.default_css))
    localise_assets(full_map())
    assert (folium.Map.default_js, folium.Map.default_css) == before
    assert all(u.startswith("https://") for _, u in folium.Map.default_js)


def test_unknown_url_raises_naming_it():
    m = folium.Map(tiles=None)
    plugins.Draw().add_to(m)
    with pytest.raises(UnknownAssetError) as err:
        localise_assets(m)
    assert "leaflet.draw" in str(err.value)
    assert "components/assets.py" in str(err.value)


def test_unknown_url_in_local_url():
    with pytest.raises(UnknownAssetError, match=r"https://example\.org/x\.js"):
        local_url("https://example.org/x.js")


def test_colormap_raises():
    m = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(m)
    with pytest.raises(UnknownAssetError, match="d3"):
        localise_assets(m)


def test_rendered_html_fetches_nothing_remote():
    m = localise_assets(full_map())
    page = m.get_root().render()
    assert remote_urls(page) == []
    assert set(URL.findall(page)) <= KNOWN_COMMENT_URLS
    assert "/app/static/node_modules/leaflet/dist/leaflet.js" in page


def test_plain_map_html_has_no_url_at_all():
    m = folium.Map(location=[36.8, 39.5], tiles=None)
    folium.PolyLine([[36.8, 38.0], [36.9, 40.0]]).add_to(m)
    page = localise_assets(m).get_root().render()
    assert URL.findall(page) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']//""", page)


def test_map_rendered_before_localising_is_fixed_too():
    m = full_map()
    first = m.get_root().render()
    assert remote_urls(first)  # CDN links, as folium made them
    localise_assets(m)
    header = m.get_root().header.render()
    assert remote_urls(header) == []
    assert remote_urls(m.get_root().render()) == []


def test_localising_twice_is_harmless():
    m = localise_assets(localise_assets(full_map()))
    js, css = links(m)
    assert all(u.startswith(STATIC_URL) for u in js + css)


def test_other_base_url():
    m = localise_assets(full_map(), base_url="/patrolwatch/app/static")
    js, _ = links(m)
    assert js[0] == "/patrolwatch/app/static/node_modules/leaflet/dist/leaflet.js"


def test_rotation_css_replaces_the_dropped_stylesheet():
    m = localise_assets(full_map())
    header = m.get_root().header.render()
    assert ".fa-rotate-45{transform:rotate(45deg);}" in header


def test_st_folium_gets_only_local_links(monkeypatch):
    seen: dict = {}

    def fake_component(**kwargs):
        seen.update(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(streamlit_folium, "_component_func", fake_component)
    m = localise_assets(full_map())
    streamlit_folium.st_folium(m, key="m", returned_objects=[], height=500)
    assert seen["js_links"] and seen["css_links"]
    for url in seen["js_links"] + seen["css_links"]:
        assert "http" not in url and url.startswith(STATIC_URL), url
    assert remote_urls(seen["header"]) == []
    assert set(URL.findall(seen["header"])) == set()
    assert set(URL.findall(seen["script"])) <= KNOWN_COMMENT_URLS


def test_missing_assets_lists_what_is_not_installed(tmp_path):
    wanted = sorted({a.path for a in ASSETS.values() if a.path})
    assert missing_assets(tmp_path) == wanted
    for p in wanted:
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text("x")
    assert missing_assets(tmp_path) == []


def test_assets_are_installed():
    gone = missing_assets(STATIC_DIR)
    assert gone == [], f"front-end files missing: run `make assets` ({gone[:3]}...)"


def test_package_json_pins_what_the_table_names():
    pkg = json.loads((STATIC_DIR / "package.json").read_text())
    deps = pkg["dependencies"]
    assert pkg["private"] is True
    for name, version in deps.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned exactly"
    for asset in ASSETS.values():
        m = re.match(r"npm (\S+)@(\d+\.\d+\.\d+)", asset.source)
        if m:
            assert deps.get(m[1]) == m[2], asset
            assert asset.path and asset.path.startswith(f"node_modules/{m[1]}/")
