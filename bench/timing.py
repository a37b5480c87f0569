"""Timing for the benchmarks: the best of a few runs, in milliseconds."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_ms(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """The fastest of ``repeat`` calls of ``fn`` in ms, and what the last call returned."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000, out
