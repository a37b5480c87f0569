"""Cold load of a SYNTHETIC data set (bench/generate.py): read the CSVs, validate, build.

    .venv/bin/python -m bench.load [--sizes 10000,100000,1000000] [--data DIR] [--runs 1]

Per size, ``data.load.load_dataset_files`` runs in a fresh process (no columnar cache, no
warm imports of the data) and the script prints its wall time and the process's peak
resident memory. Data sets are generated into ``--data`` (a temporary directory unless
given) as ``synthetic-<n>``; an existing one there is reused.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import generate

_CHILD = """
import json, resource, sys, time
from pathlib import Path
import data.load  # imports (pandas, pandera, shapely) are not part of the load
t = time.perf_counter()
ds = data.load.load_dataset_files(Path(sys.argv[1]))
took = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": took, "peak_rss": peak, "events": len(ds.events)}))
"""


def load_once(directory: Path) -> dict[str, float]:
    """Load ``directory`` in a fresh interpreter: seconds, peak RSS (bytes), events."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(directory)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--data", type=Path, default=None, help="where the data sets are")
    parser.add_argument("--runs", type=int, default=1, help="loads per size (median shown)")
    args = parser.parse_args(argv)
    root = args.data or Path(tempfile.mkdtemp(prefix="bench-load-"))
    print(f"{'events':>9}  {'load s':>7}  {'peak RSS MB':>11}   (SYNTHETIC data, {root})")
    for size in (int(s) for s in args.sizes.split(",")):
        directory = root / f"synthetic-{size}"
        if not (directory / "events.csv").exists():
            generate(directory, size)
        runs = [load_once(directory) for _ in range(args.runs)]
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_rss"] for r in runs) / 2**20
        print(f"{size:>9}  {seconds:>7.1f}  {peak:>11.0f}", flush=True)


if __name__ == "__main__":
    main()
