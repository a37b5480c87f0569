"""Where the server's memory goes, on a SYNTHETIC data set (bench/generate.py).

    .venv/bin/python -m bench.memory [--sizes 100000] [--pages] [--data artifacts/bench/data]

Per size, what each piece of the data layer holds, measured two ways: the frames' own size
(``memory_usage(deep=True)``) and the growth of this process's resident memory (RSS) when
the piece is made and kept. Also the pickled size (what each ``st.cache_data`` layer keeps,
and unpickles again on every run that reads it) and the columnar cache on disk.
With ``--pages`` it also measures what one Overview run derives from the full selection
(the filtered events, the event table, the table as Arrow as ``st.dataframe`` sends it).
"""

from __future__ import annotations

import argparse
import gc
import pickle
import tempfile
import time
from dataclasses import fields
from pathlib import Path

import pandas as pd

from bench.generate import generate
from data.load import load_dataset_files
from data.model import DataSet


def rss() -> int:
    """This process's resident memory in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def frames_bytes(ds: DataSet) -> dict[str, int]:
    """Deep memory of each frame of ``ds``."""
    out = {}
    for f in fields(ds):
        value = getattr(ds, f.name)
        if isinstance(value, pd.DataFrame):
            out[f.name] = int(value.memory_usage(deep=True, index=True).sum())
    return out


def _step(label: str, fn, keep: list) -> object:
    gc.collect()
    before = rss()
    t0 = time.perf_counter()
    out = fn()
    took = time.perf_counter() - t0
    keep.append(out)
    gc.collect()
    print(f"  {label:<46} {took * 1000:>8.0f} ms  RSS +{(rss() - before) / 1e6:>7.0f} MB")
    return out


def run(n: int, pages: bool, data: Path | None = None) -> None:
    from data import columnar

    keep: list = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = (data or Path(tmp)) / f"synthetic-{n}"
        if not (directory / "events.csv").exists():
            generate(directory, n)
        print(f"\n{n:,} synthetic events; process RSS at start {rss() / 1e6:.0f} MB")
        ds = _step(
            "read + validate + build (load_dataset_files)",
            lambda: load_dataset_files(directory),
            keep,
        )
        sizes = frames_bytes(ds)
        total = sum(sizes.values())
        print(
            f"  frames, deep size: {total / 1e6:.0f} MB ({total / max(n, 1):.0f} bytes per event)"
        )
        for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:6]:
            print(f"    {name:<16} {size / 1e6:>7.1f} MB")
        events = ds.events.memory_usage(deep=True)
        print(
            "    biggest event columns: "
            + ", ".join(
                f"{c} {b / 1e6:.1f}" for c, b in events.sort_values(ascending=False).head(6).items()
            )
        )
        blob = _step(
            "pickle (what one cache_data layer stores)", lambda: pickle.dumps(ds, protocol=5), keep
        )
        print(f"  pickled: {len(blob) / 1e6:.0f} MB")
        _step("unpickle (what each cache_data hit returns)", lambda: pickle.loads(blob), keep)
        cache_dir = Path(tmp) / "cache"
        _step("write the columnar cache", lambda: columnar.save(cache_dir, "sig", ds), keep)
        on_disk = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file())
        print(f"  columnar cache on disk: {on_disk / 1e6:.0f} MB")
        _step("read the columnar cache", lambda: columnar.load(cache_dir, "sig"), keep)
        if pages:
            from components.overview import event_table
            from data.filters import EventFilter, filter_events

            ev = _step("filter_events (all dates)", lambda: filter_events(ds, EventFilter()), keep)
            table = _step("event_table (the Overview's table)", lambda: event_table(ds, ev), keep)
            print(f"  event table deep size: {table.memory_usage(deep=True).sum() / 1e6:.0f} MB")

            def arrow():
                import pyarrow as pa

                return pa.Table.from_pandas(table).nbytes

            nbytes = _step("event table as Arrow (what st.dataframe sends)", arrow, keep)
            print(f"  as Arrow: {nbytes / 1e6:.0f} MB")
        print(f"  process RSS at end {rss() / 1e6:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--pages", action="store_true")
    parser.add_argument(
        "--data", type=Path, default=None, help="where synthetic-N sets are kept (reused)"
    )
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.pages, args.data)


if __name__ == "__main__":
    main()
