"""Benchmark the data layer and the map on SYNTHETIC data at 1k, 10k and 100k events.

    .venv/bin/python -m bench.run [--sizes 1000 10000 100000]

Prints, per size: load (read + validate + build), the cache round trip (streamlit's
cache_data pickles what it returns), a filter change (filter + aggregate + headline: the
server work when an analyst moves the date range), the map build, and the bytes of map
HTML and script sent to the browser.
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
from datetime import date
from pathlib import Path

from bench import map_explorer
from bench.generate import generate
from bench.timing import best_ms
from components.patrol_map import build_patrol_map
from data.aggregate import counts_per_period, headline, overlapping_period_counts
from data.filters import EventFilter, filter_events, patrols
from data.load import load_dataset_files


def map_payload_bytes(m) -> int:
    """Bytes streamlit-folium sends for the map: its script, header and html."""
    from streamlit_folium import _get_header, _get_html, _get_map_string

    m.get_root().render()
    return sum(len(s.encode()) for s in (_get_map_string(m), _get_header(m), _get_html(m)))


def run(sizes: list[int]) -> None:
    today = date(2026, 11, 24)
    header = (
        f"{'events':>8} {'load ms':>9} {'cache ms':>9} {'filter+agg ms':>14} "
        f"{'map build ms':>13} {'markers':>8} {'map bytes':>10}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            directory = generate(Path(tmp) / f"syn-{n}", n)
            load_ms, ds = best_ms(lambda d=directory: load_dataset_files(d), repeat=1)
            cache_ms, _ = best_ms(lambda ds=ds: pickle.loads(pickle.dumps(ds)))
            f = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31))

            def filter_change(f=f, ds=ds):
                events = filter_events(ds, f)
                h = headline(events, f, today)
                counts = counts_per_period(
                    patrols(events), ds, "month", by="actor", start=f.start, end=f.end
                )
                reported = overlapping_period_counts(ds, f.start, f.end)
                return events, h, counts, reported

            filt_ms, _ = best_ms(filter_change)
            map_ms, (m, summary) = best_ms(lambda ds=ds: build_patrol_map(ds, ds.events), repeat=1)
            size = map_payload_bytes(m)
            print(
                f"{n:>8,} {load_ms:>9.0f} {cache_ms:>9.0f} {filt_ms:>14.0f} "
                f"{map_ms:>13.0f} {summary.markers:>8,} {size:>10,}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    sizes = parser.parse_args().sizes
    run(sizes)
    print("\nMap explorer (bench/map_explorer.py):")
    map_explorer.run(sizes)


if __name__ == "__main__":
    main()
