"""Benchmark the map explorer on SYNTHETIC data at 1k, 10k and 100k events.

    .venv/bin/python -m bench.map_explorer [--sizes 1000 10000 100000]

Per size, the server work the page does (best of 3):
  all ms      aggregate what the map draws for every event (the page with no filter)
  view ms     a filter change to 2021: filter the events and aggregate what the map draws
              (routes and their runs, implied tracks, visits, event markers, sites)
  map ms      build the folium map and render what streamlit-folium sends (script,
              header, html); the page does this on a filter change and on a click
  change ms   view + map: the server time of a filter change
  click ms    a click on the busiest marker: map again + the detail record
  markers     event markers sent (one per place, or per grid cell past the threshold)
  MB          the map's HTML and script sent to the browser
The last row uses 5,000 distinct places, so events and visits are binned to a grid.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

from bench.generate import generate
from bench.timing import best_ms
from components.explorer_map import build_explorer_map
from components.map_detail import record_for
from data.filters import EventFilter, filter_events
from data.load import load_dataset_files
from data.mapview import build_map_view
from data.sourcing import list_conflicts
from data.zones import read_borders, read_zones, zone_layer


def payload_bytes(m) -> int:
    """Bytes streamlit-folium sends for the map, rendered the way st_folium renders it."""
    from streamlit_folium import _get_header, _get_html, _get_map_string

    m.get_root().render()
    m.render()
    return sum(len(s.encode()) for s in (_get_html(m), _get_header(m), _get_map_string(m)))


def run(sizes: list[int], many_places: int = 5_000) -> None:
    zones = zone_layer(read_zones(), read_borders())
    header = (
        f"{'events':>8} {'places':>7} {'all ms':>7} {'view ms':>8} {'map ms':>7} {'change ms':>10} "
        f"{'click ms':>9} {'markers':>8} {'MB':>6}"
    )
    print(header)
    print("-" * len(header))
    cases = [(n, 400) for n in sizes] + [(max(sizes), many_places)]
    with tempfile.TemporaryDirectory() as tmp:
        for n, n_places in cases:
            directory = generate(Path(tmp) / f"syn-{n}-{n_places}", n, n_places=n_places)
            ds = load_dataset_files(directory)
            conflicts = list_conflicts(ds)
            f = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31))

            def everything(ds=ds):
                return build_map_view(ds, ds.events, window_end=pd.Timestamp("2026-11-24"))

            all_ms, _ = best_ms(everything)

            def change(f=f, ds=ds):
                events = filter_events(ds, f)
                view = build_map_view(
                    ds,
                    events,
                    window_start=pd.Timestamp(f.start),
                    window_end=pd.Timestamp(f.end),
                )
                return events, view

            view_ms, (events, view) = best_ms(change)

            def draw(ds=ds, view=view):
                m = build_explorer_map(ds, view, zones, tiles=None, legend_open=False)
                return payload_bytes(m)

            draw()  # templates compiled once per process, as on a running server
            map_ms, size = best_ms(draw)
            top = view.markers.iloc[0]
            ref = (
                ("cell", top["key"].removeprefix("cell:"))
                if view.binned
                else ("events", top["key"])
            )

            def click(ds=ds, events=events, view=view, ref=ref, conflicts=conflicts, draw=draw):
                draw()
                return record_for(ds, conflicts, events, ref, sites=view.sites, zones=zones)

            click_ms, _ = best_ms(click)
            print(
                f"{n:>8,} {n_places:>7,} {all_ms:>7.0f} {view_ms:>8.0f} {map_ms:>7.0f} "
                f"{view_ms + map_ms:>10.0f} {click_ms:>9.0f} {len(view.markers):>8,} "
                f"{size / 1e6:>6.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    run(parser.parse_args().sizes)


if __name__ == "__main__":
    main()
