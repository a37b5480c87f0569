"""One module per kind of map layer, shared by every map (the overview's, How often's, the
explorer's and the briefing's): ``routes``, ``sites``, ``events``, ``zones``; the basemap is
``components.basemap``. Each takes what ``data.mapview.build_map_view`` aggregated and
returns a folium ``FeatureGroup`` built from the compact JSON layers of
``components.leaflet``, every text from the data escaped with ``components.html.esc``.
"""
