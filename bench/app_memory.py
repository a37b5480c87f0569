"""Where the server's memory goes while the pages run, on a SYNTHETIC data set.

    .venv/bin/python -m bench.app_memory [--size 1000000] [--cache-dir DIR] [--inventory]

Runs the app in this process (Streamlit's AppTest: the pages' scripts as a server runs
them, each element serialised as it would be sent) on ``artifacts/bench/data/synthetic-N``
(made by ``bench/generate.py``), the way ``bench/browser.py`` drives it: open the Overview,
How often and Map explorer, and change the date range on each. After each step it prints
the process's resident memory (RSS), its peak (VmHWM) and the CPU seconds the step took.
With ``--inventory`` it then lists what each cache and shared memo holds, counting every
buffer (a numpy array, an Arrow buffer) once however many frames share it, so a copy shows
as bytes and a shared column does not.

Without ``--cache-dir`` the columnar cache starts empty (a cold start: read, validate,
write the cache); give a folder already filled to measure a restart.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "artifacts" / "bench" / "data"
RANGES = [(date(2021, 1, 1), date(2021, 12, 31)), (date(2022, 1, 1), date(2022, 12, 31))]
PAGES = ["pages/overview.py", "pages/frequency.py", "pages/map_explorer.py"]


def status(field: str) -> int:
    """A ``/proc/self/status`` memory figure (VmRSS, VmHWM) in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def cpu() -> float:
    """CPU seconds of this process and of its children that have ended (a child that
    validates the data set)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def child_peak() -> int:
    """The largest peak resident memory of an ended child process, in bytes."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


# --------------------------------------------------------------------------- buffers


def held(obj: object) -> dict[int, int]:
    """Every buffer ``obj`` reaches (``data.memsize.buffers``); a data set, which that
    leaves out (no result holds one), by its frames and whatever it has worked out."""
    from data.memsize import buffers
    from data.model import DataSet

    if not isinstance(obj, DataSet):
        return buffers(obj)
    out: dict[int, int] = {}
    for value in vars(obj).values():
        out.update(buffers(value))
    return out


def inventory() -> None:
    """What the caches and shared memos hold, each buffer counted once."""
    from streamlit.runtime.caching.cache_data_api import _data_caches
    from streamlit.runtime.caching.cache_resource_api import _resource_caches

    from data import cache

    counted: dict[int, int] = {}
    rows: list[tuple[str, int, int]] = []

    def add(label: str, value: object) -> None:
        mine = held(value)
        new = {a: s for a, s in mine.items() if a not in counted}
        if dataclasses.is_dataclass(value) and sum(new.values()) > 50e6:  # a view: by part
            for part, inner in vars(value).items():
                own = {a: s for a, s in held(inner).items() if a in new}
                if sum(own.values()) > 10e6:
                    rows.append((f"  .{part}", sum(own.values()), sum(own.values())))
        counted.update(new)
        rows.append((label, sum(mine.values()), sum(new.values())))

    ds = cache.current_dataset()
    add("the data set (all frames)", ds)
    for kind, caches in (("resource", _resource_caches), ("data", _data_caches)):
        for per_session in caches._function_caches.values():
            for c in per_session.values():
                mem = getattr(c, "_mem_cache", {})
                for i, result in enumerate(list(mem.values())):
                    value = getattr(result, "value", result)
                    add(f"cache_{kind} {c.display_name.split('.')[-1]}[{i}]", value)
    for name in cache.SHARED_MEMOS:
        memo = cache.shared_memo(name)
        for (key, _owner), (value, *_kept) in list(memo._entries.items()):
            label = key[0] if isinstance(key, tuple) else key
            add(f"memo {name}: {str(label)[:40]}", value)
    print(f"\n{'holder':<58} {'holds MB':>9} {'new MB':>8}")
    for label, total, new in rows:
        print(f"{label:<58} {total / 1e6:>9.1f} {new / 1e6:>8.1f}")
    print(f"{'all, each buffer once':<58} {'':>9} {sum(counted.values()) / 1e6:>8.1f}")


# --------------------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--inventory", action="store_true")
    parser.add_argument("--changes", type=int, default=2, help="date changes per page")
    args = parser.parse_args()
    directory = DATA / f"synthetic-{args.size}"
    if not (directory / "events.csv").exists():
        from bench.generate import generate

        generate(directory, args.size)
    tmp = tempfile.mkdtemp(prefix="pw-appmem-")
    os.environ.update(
        PATROLWATCH_DATA=str(directory),
        PATROLWATCH_TODAY="2026-11-24",
        PATROLWATCH_STORE=str(Path(tmp) / "store"),
        PATROLWATCH_CACHE_DIR=str(args.cache_dir or Path(tmp) / "cache"),
    )
    from streamlit.testing.v1 import AppTest

    print(f"{args.size:,} SYNTHETIC events; RSS at start {status('VmRSS') / 1e6:.0f} MB")
    print(f"{'step':<44} {'wall s':>7} {'CPU s':>6} {'RSS MB':>7} {'peak MB':>8}")

    def step(label: str, fn) -> None:
        t, c = time.perf_counter(), cpu()
        fn()
        gc.collect()
        print(
            f"{label:<44} {time.perf_counter() - t:>7.1f} {cpu() - c:>6.1f} "
            f"{status('VmRSS') / 1e6:>7.0f} {status('VmHWM') / 1e6:>8.0f}",
            flush=True,
        )

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)

    def check() -> None:
        if at.exception:
            raise SystemExit(f"page failed: {[e.message for e in at.exception]}")

    step("first run (load + Overview)", lambda: (at.run(), check()))
    for page in PAGES:
        if page != PAGES[0]:  # the first run opened the Overview
            step(f"open {page}", lambda p=page: (at.switch_page(p).run(), check()))
        for a, b in RANGES[: args.changes]:
            step(
                f"  dates {a}..{b}",
                lambda a=a, b=b: (at.session_state.__setitem__("dates", (a, b)), at.run(), check()),
            )
    if child_peak():
        print(f"peak RSS of a child process (validation): {child_peak() / 1e6:.0f} MB")
    if args.inventory:
        inventory()


if __name__ == "__main__":
    main()
