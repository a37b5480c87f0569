"""How many bytes a cached result holds, for memos bounded by size rather than count.

A result (a view-model, a table, a map's HTML) often shares most of its frames with what it
was built from: a page's view holds the filtered events it was given, a selection holds its
view's frames. ``held_bytes`` counts the memory buffers a value reaches (numpy arrays,
Arrow buffers, text), each buffer once, leaving out those reached from ``shared`` (the
objects that stay alive anyway), so a copy counts and a frame handed through does not.

Pure: no streamlit. Walks containers a few levels deep and stops there; an estimate, never
an exact account of every Python object.
"""

from __future__ import annotations

import dataclasses
import sys
import weakref
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from data.model import DataSet

_DEPTH = 6
#: at most this many items of a list or tuple are walked (the rest estimated from them)
_ITEMS = 2_000


def buffers(obj: object) -> dict[int, int]:
    """Every memory buffer reachable from ``obj``: address (or id) -> bytes."""
    out: dict[int, int] = {}
    _walk(obj, out, {}, 0)
    return out


def held_bytes(value: object, shared: Iterable[object] = ()) -> int:
    """The bytes ``value`` holds that none of ``shared`` holds already."""
    mine = buffers(value)
    for other in shared:
        if other is not None:
            for address in _shared_buffers(other):
                mine.pop(address, None)
    return sum(mine.values())


#: the buffers of the objects results were last weighed against (a page's view, the
#: filtered events): the same few are asked for by every result drawn from them
_SHARED: dict[int, tuple[weakref.ref, int, dict[int, int]]] = {}
_SHARED_LIMIT = 64


def _shared_buffers(obj: object) -> dict[int, int]:
    """``buffers(obj)``, kept while ``obj`` lives and has worked out nothing new since (a
    shared object is never changed; a view only adds what it works out to its ``__dict__``)."""
    try:
        ref = weakref.ref(obj)
    except TypeError:  # a tuple, a list: nothing to keep it by
        return buffers(obj)
    grown = len(getattr(obj, "__dict__", ()))
    kept = _SHARED.get(id(obj))
    if kept is not None and kept[0]() is obj and kept[1] == grown:
        return kept[2]
    # a data set is never walked as part of a result (``_walk``), but as what a result is
    # weighed against it is: a frame sliced from its events shares its buffers
    found = buffers(vars(obj)) if isinstance(obj, DataSet) else buffers(obj)
    if len(_SHARED) >= _SHARED_LIMIT:
        _SHARED.clear()
    _SHARED[id(obj)] = (ref, grown, found)
    return found


def _walk(obj: object, out: dict[int, int], seen: dict[int, object], depth: int) -> None:
    if depth > _DEPTH or obj is None or id(obj) in seen:
        return
    seen[id(obj)] = obj  # kept alive while walking, so that a temporary's id is not reused
    if isinstance(obj, DataSet):  # held by the server's data set cache, never by a result
        return
    if isinstance(obj, pd.DataFrame):
        _walk(obj.index, out, seen, depth + 1)
        # the frame's column arrays as they are held, without a Series made for each
        for arr in obj._mgr.arrays:
            _array(arr, out, seen, depth)
    elif isinstance(obj, (pd.Series, pd.Index)):
        if isinstance(obj, pd.RangeIndex):
            return
        _array(obj.array, out, seen, depth)
    elif isinstance(obj, np.ndarray):
        _ndarray(obj, out)
    elif isinstance(obj, pa.ChunkedArray):
        for chunk in obj.chunks:
            _walk(chunk, out, seen, depth + 1)
    elif isinstance(obj, pa.Array):
        for buf in obj.buffers():
            if buf is not None:
                out[buf.address] = buf.size
    elif isinstance(obj, pa.Table):
        for column in obj.columns:
            _walk(column, out, seen, depth + 1)
    elif isinstance(obj, (str, bytes, bytearray)):
        out[id(obj)] = sys.getsizeof(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _walk(v, out, seen, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj)
        if len(items) > _ITEMS:  # a long list of small things: sampled
            sample: dict[int, int] = {}
            for v in items[:_ITEMS]:
                _walk(v, sample, seen, depth + 1)
            out[id(obj)] = sum(sample.values()) * len(items) // _ITEMS + sys.getsizeof(obj)
            return
        for v in items:
            _walk(v, out, seen, depth + 1)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            _walk(getattr(obj, f.name), out, seen, depth + 1)
        for v in getattr(obj, "__dict__", {}).values():  # what it has worked out since
            _walk(v, out, seen, depth + 1)
    elif hasattr(obj, "to_plotly_json") and hasattr(obj, "_data"):  # a plotly figure
        _walk(obj._data, out, seen, depth + 1)  # its traces' dicts (no validated copy)
    elif hasattr(obj, "__dict__"):
        _walk(vars(obj), out, seen, depth + 1)


def _array(arr: object, out: dict[int, int], seen: dict, depth: int) -> None:
    if isinstance(arr, np.ndarray):
        _ndarray(arr, out)
        return
    arrow = getattr(arr, "_pa_array", None)
    if arrow is not None:
        _walk(arrow, out, seen, depth + 1)
        return
    for part in ("_ndarray", "_data", "_mask", "_codes"):
        inner = getattr(arr, part, None)
        if isinstance(inner, np.ndarray):
            _ndarray(inner, out)
    categories = getattr(arr, "categories", None)
    if categories is not None:
        _walk(categories, out, seen, depth + 1)
    if not any(isinstance(getattr(arr, p, None), np.ndarray) for p in ("_ndarray", "_data")):
        if getattr(arr, "_codes", None) is None:
            _ndarray(np.asarray(arr), out)


def _ndarray(arr: np.ndarray, out: dict[int, int]) -> None:
    base = arr
    while isinstance(base.base, np.ndarray):
        base = base.base
    address = base.__array_interface__["data"][0]
    out[address] = base.nbytes
    if arr.dtype == object and arr.size:  # the Python objects it points to, sampled
        flat = arr.ravel()
        step = max(1, flat.size // _ITEMS)
        sample = flat[::step]
        out[address + 1] = sum(sys.getsizeof(v) for v in sample) * flat.size // len(sample)
