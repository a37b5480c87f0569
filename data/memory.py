"""Which allocator Arrow's buffers come from.

Every column of the data set is an Arrow buffer (pandas' ``str`` dtype, the columnar
cache), and building a large data set allocates and frees several GB of them. pyarrow's
default pool on Linux (mimalloc) handed most freed memory back to the kernel at once and
took it again for the next column: loading the synthetic 1M set spent 13–17 s of its
~36 s of CPU in the kernel. Its jemalloc pool keeps freed memory for a few seconds and
reuses it: the same load spent 4–5 s in the kernel, with a slightly lower peak (measured
on the 2-core benchmark machine, ``bench/browser.py``'s 1M set).

The decay keeps the server's resident memory honest: memory freed and not reused within
``DECAY_MS`` goes back to the kernel, so an idle server shrinks after a load.

Only the load uses it (:func:`reusing_pool` around it): a page's rerun, which allocates
far less, was 5–10% faster in CPU on the default pool (``bench/rerun_profile.py``, 100k
and 1M events), so every other allocation stays there. Buffers keep the pool that made
them.

Pure: no streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

#: how long jemalloc keeps freed memory for reuse before returning it to the kernel
DECAY_MS = 10_000
#: Arrow's own setting: an operator who names a pool there keeps it
POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def use_reusing_pool(decay_ms: int = DECAY_MS) -> str:
    """Make jemalloc Arrow's default pool (unless ``ARROW_DEFAULT_MEMORY_POOL`` names
    one, or this pyarrow was built without it) and return the pool's name. Idempotent;
    buffers allocated before keep their pool."""
    if os.environ.get(POOL_ENV, "").strip():
        return pa.default_memory_pool().backend_name
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without jemalloc: keep its default
        return pa.default_memory_pool().backend_name
    if pa.default_memory_pool().backend_name != pool.backend_name:
        pa.set_memory_pool(pool)
    pa.jemalloc_set_decay_ms(decay_ms)
    return pool.backend_name


@contextmanager
def reusing_pool(decay_ms: int = DECAY_MS) -> Iterator[str]:
    """Arrow's allocations inside the block from the reusing pool (:func:`use_reusing_pool`),
    the pool before it given back afterwards; yields the pool's name. The pool is the
    process's: two loads at once may leave either pool in use after them, both correct
    (only the speed differs)."""
    before = pa.default_memory_pool()
    try:
        yield use_reusing_pool(decay_ms)
    finally:
        pa.set_memory_pool(before)
