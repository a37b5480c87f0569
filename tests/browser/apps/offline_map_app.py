"""A tiny Streamlit app for the browser harness's self-test (tests/browser/test_offline_map.py):
one folium map with a polyline, a CircleMarker, a MarkerCluster, an awesome-markers icon and
the offline vector basemap, its assets localised, shown with st_folium."""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st
from folium import plugins
from streamlit_folium import st_folium

from components.assets import localise_assets, missing_assets
from components.basemap import TileSettings, add_tile_layer, add_vector_basemap, tile_settings

st.set_page_config(page_title="Offline map self-test", layout="wide")
st.title("Offline map self-test")

gone = missing_assets()
if gone:
    st.error(f"Front-end files missing (run `make assets`): {', '.join(gone)}")

TOWNS = pd.DataFrame(
    [
        ("Kobani", 36.891, 38.354),
        ("Jarabulus", 36.817, 38.011),
        ("Manbij", 36.528, 37.955),
        ("Tal Abyad", 36.697, 38.956),
        ("Raqqa", 35.951, 39.009),
        ("Ras al-Ayn", 36.851, 40.071),
        ("Al-Hasakah", 36.502, 40.748),
        ("Amuda", 37.104, 40.930),
        ("Qamishli", 37.052, 41.225),
        ("Al-Malikiyah", 37.173, 42.139),
        ("Şanlıurfa", 37.167, 38.794),
        ("Aleppo", 36.202, 37.134),
        ("Idlib", 35.931, 36.633),
        ("Saraqib", 35.864, 36.800),
        ('<img src="x" onerror="alert(1)">', 35.30, 41.60),
    ],
    columns=["name", "lat", "lon"],
)

m = folium.Map(location=[36.55, 39.0], zoom_start=8, tiles=None, control_scale=True)
# ?tiles=none: no online tile layer at all (as with PATROLWATCH_TILES=none)
tiles = TileSettings(None, None) if st.query_params.get("tiles") == "none" else tile_settings()
add_tile_layer(m, tiles.url, tiles.attribution)
add_vector_basemap(m, TOWNS)

folium.PolyLine(
    [(37.052, 41.225), (37.00, 41.50), (37.08, 41.80), (37.173, 42.139)],
    color="#c0392b",
    weight=5,
    tooltip="joint patrol (test)",
    class_name="pw-test-route",
).add_to(m)
folium.CircleMarker(
    [37.075, 40.651],
    radius=9,
    color="#222",
    fill=True,
    fill_color="#e67e22",
    fill_opacity=0.9,
    class_name="pw-test-event",
).add_to(m)
cluster = plugins.MarkerCluster(name="clustered (test)").add_to(m)
for lat, lon in [(36.90, 38.36), (36.91, 38.37), (36.89, 38.35)]:
    folium.Marker([lat, lon]).add_to(cluster)
folium.Marker(
    [35.75, 37.9], icon=folium.Icon(color="darkblue", icon="car", prefix="fa", angle=30)
).add_to(m)
folium.LayerControl(collapsed=False).add_to(m)

localise_assets(m)
st_folium(m, key="m", returned_objects=[], height=500, use_container_width=True)
st.caption("done")
