"""Where one rerun of a page spends its CPU, on the embedded data set (or a SYNTHETIC one).

    .venv/bin/python -m bench.rerun_profile [--page overview] [--runs 6] [--top 40]
                                            [--warm] [--sort tottime] [--events 100k]

Runs the app in Streamlit's AppTest (in this process, no server), opens ``--page``, then
changes the sidebar date range ``--runs`` times, each to a range not seen before (as
``bench.browser``'s concurrency measure does); with ``--warm`` the ranges were all seen
once before (what the 19 other sessions of a crowd cost once the first asked). It prints
the CPU time of each rerun's script (thread CPU) and a cProfile of the measured reruns.
The script runs in AppTest's script thread; the profiler is started there, around the
script alone.

``--events 10k|100k|1m`` (or a number) loads the SYNTHETIC data set of that many events
the way ``bench.browser`` does (generated once under artifacts/bench/data), with an empty
store in a temporary folder and the columnar cache kept in ``--cache-dir`` (default
artifacts/bench/cache, so that only the first run validates the files).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.browser import ARTIFACTS, RANGES, SIZES, TODAY, dataset_for

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE_FILES = {
    "overview": None,
    "frequency": "pages/frequency.py",
    "map_explorer": "pages/map_explorer.py",
}


class _Probe:
    """Wraps ScriptRunner._run_script: thread CPU of each run, and a profile when asked.
    (``bench.wire`` counts what a run sends.)"""

    def __init__(self) -> None:
        self.profile = cProfile.Profile()
        self.profiling = False
        self.cpu: list[float] = []

    def install(self) -> None:
        from streamlit.runtime.scriptrunner import script_runner

        original = script_runner.ScriptRunner._run_script
        probe = self

        def run_script(runner, rerun_data):
            t0 = time.thread_time()
            if probe.profiling:
                probe.profile.enable()
            try:
                return original(runner, rerun_data)
            finally:
                if probe.profiling:
                    probe.profile.disable()
                probe.cpu.append(time.thread_time() - t0)

        script_runner.ScriptRunner._run_script = run_script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="overview", choices=sorted(PAGE_FILES))
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--warm", action="store_true", help="ranges seen once before")
    parser.add_argument("--out", type=Path, help="write the profile here (pstats)")
    parser.add_argument("--no-profile", action="store_true", help="CPU times only")
    parser.add_argument(
        "--events", help="a SYNTHETIC data set of this many events (10k, 100k, 1m or a number)"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=ARTIFACTS / "cache",
        help="the columnar cache of a synthetic data set (with --events)",
    )
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds a run may take (1M: 600)"
    )
    args = parser.parse_args()
    os.environ.setdefault("PATROLWATCH_TODAY", TODAY)
    if args.events:
        n = SIZES.get(args.events.lower()) or int(args.events.replace("_", ""))
        directory, _ = dataset_for(n)
        store = tempfile.mkdtemp(prefix="pw-profile-")
        os.environ["PATROLWATCH_DATA"] = str(directory)
        os.environ["PATROLWATCH_STORE"] = str(Path(store) / "store")
        os.environ["PATROLWATCH_CACHE_DIR"] = str(args.cache_dir)

    from streamlit.testing.v1 import AppTest

    probe = _Probe()
    probe.install()
    at = AppTest.from_file(APP, default_timeout=args.timeout)
    at.run()
    if PAGE_FILES[args.page]:
        at.switch_page(PAGE_FILES[args.page])
        at.run()

    def change(i: int) -> None:
        start, end = (date.fromisoformat(d) for d in RANGES[i % len(RANGES)])
        at.session_state["dates"] = (start, end)  # as the sidebar's date range widget
        at.run()
        assert not at.exception, [e.message for e in at.exception]

    if args.warm:
        for i in range(args.runs):
            change(i)
    first = len(probe.cpu)
    probe.profiling = not args.no_profile
    for i in range(args.runs):
        change(i)
    probe.profiling = False
    cpus = probe.cpu[first:]
    print(f"{args.page}: script CPU per rerun (ms):", [round(c * 1000) for c in cpus])
    print(f"  median {sorted(cpus)[len(cpus) // 2] * 1000:.0f} ms")
    if args.no_profile:
        return
    if args.out:
        probe.profile.dump_stats(args.out)
    pstats.Stats(probe.profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
