"""Vectorised helpers on frames that the data layer and the views share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.extensions import ExtensionDtype, take


def _text_array(values: pd.Series) -> pa.Array:
    """``values`` as a pyarrow text array (missing values null), without a round trip
    through Python objects when they are already Arrow-backed text."""
    arr = pa.array(values.astype("str"), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def _to_str(arr: pa.Array | pa.ChunkedArray, index: pd.Index | None = None) -> pd.Series:
    """A pyarrow text array as a pandas ``str`` Series (nulls missing)."""
    return pd.Series(pd.array(arr.cast(pa.large_string()), dtype="str"), index=index)


def join_ordered(keys: pd.Series, values: pd.Series, sep: str) -> pd.Series:
    """Join ``values`` per key, in the order given, indexed by key (sorted).

    No Python call per group: the values are grouped by key with a stable sort and each
    group's list joined by pyarrow, so a million keys cost a few vectorised passes.
    Missing values are left out; a key with none is not in the result.
    """
    if keys.empty:
        return pd.Series(dtype="str")
    keep = values.notna().to_numpy()
    if keys.dtype == "str":  # sort and group the keys by pyarrow (stable: order kept)
        keep = keep & keys.notna().to_numpy()  # (a missing key names no group)
        if not keep.all():
            keys, values = keys[keep], values[keep]
        if keys.empty:
            return pd.Series(dtype="str")
        key_text = _text_array(keys)
        order = pc.sort_indices(key_text)
        ranked = key_text.take(order)
        n = len(ranked)
        change = np.asarray(pc.not_equal(ranked.slice(1), ranked.slice(0, n - 1)), dtype=bool)
        starts = np.flatnonzero(np.concatenate([[True], change]))
        offsets = np.append(starts, n).astype(np.int64)
        uniques = pd.Index(_to_str(ranked.take(pa.array(starts))))
    else:
        frame = pd.DataFrame({"key": keys.to_numpy(), "value": values.to_numpy()})
        frame = frame.dropna(subset=["value"])
        if frame.empty:
            return pd.Series(dtype="str")
        codes, uniques = pd.factorize(frame["key"], sort=True)
        order = pa.array(np.argsort(codes, kind="stable"))
        offsets = np.zeros(len(uniques) + 1, dtype=np.int64)
        np.cumsum(np.bincount(codes, minlength=len(uniques)), out=offsets[1:])
        values = frame["value"]
    text = _text_array(values).take(order)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), text)
    joined = pc.binary_join(lists, pa.scalar(sep, type=pa.large_string()))
    out = _to_str(joined, index=pd.Index(uniques))
    out.name = 0  # as the pivot this replaced named it (its first column)
    return out


def split_lists(cells: pd.Series, sep: str) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """``cells.str.split(sep).explode()`` by pyarrow: for each piece, the position of its
    cell in ``cells``, its position within the cell (from 0) and the piece itself. An
    empty cell gives one empty piece, a missing cell one missing piece, as pandas does."""
    arr = _text_array(cells)
    lists = pc.split_pattern(arr, sep)
    if arr.null_count:
        lists = pc.if_else(pc.is_null(arr), pa.scalar([None], type=lists.type), lists)
    parents = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
    pieces = pc.list_flatten(lists)
    starts = np.asarray(lists.offsets, dtype=np.int64)[:-1]
    seq = np.arange(len(parents), dtype=np.int64) - (starts[parents] - starts[0])
    return parents, seq, _to_str(pieces)


def split_once(cells: pd.Series, sep: str) -> pd.DataFrame:
    """``cells.str.split(sep, n=1, expand=True)`` by pyarrow: column 0 the text before the
    first ``sep`` (the whole cell if it has none), column 1 the rest (missing if none; no
    column 1 at all when no cell has ``sep``, as pandas gives; no cells give both columns,
    empty, where pandas gives none)."""
    arr = _text_array(cells)
    lists = pc.split_pattern(arr, sep, max_splits=1)
    flat = pc.list_flatten(lists)
    valid = np.asarray(pc.is_valid(lists), dtype=bool)
    first = np.asarray(lists.offsets, dtype=np.int64)[:-1] - lists.offsets[0].as_py()
    two = np.asarray(pc.fill_null(pc.list_value_length(lists), 0), dtype=np.int64) == 2
    head = flat.take(pa.array(first, mask=~valid))
    out = pd.DataFrame({0: _to_str(head, index=cells.index)})
    if len(arr) == 0 or two.any():
        out[1] = _to_str(flat.take(pa.array(first + 1, mask=~two)), index=cells.index)
    return out


def lookup(keys: pd.Series, mapping: pd.Series) -> pd.Series:
    """``keys.map(mapping)`` for text keys and a ``mapping`` indexed by unique text,
    found by pyarrow: pandas hashes each key as a Python string. Keys not in the index
    give a missing value (an integer mapping turns float, as with ``map``)."""
    if keys.empty or not mapping.index.is_unique:  # pandas' own answer (and dtype)
        return keys.map(mapping)
    at = pc.index_in(_text_array(keys), value_set=_text_array(mapping.index.to_series()))
    indexer = np.asarray(pc.fill_null(at, -1), dtype=np.intp)
    values = mapping.array if isinstance(mapping.dtype, ExtensionDtype) else mapping.to_numpy()
    taken = take(values, indexer, allow_fill=True)
    return pd.Series(taken, index=keys.index, name=keys.name)


def member(values: pd.Series, of: pd.Series | pd.Index | list[str] | set[str]) -> pd.Series:
    """``values.isin(of)`` for text, computed by pyarrow. pandas' ``isin`` on Arrow-backed
    strings turns every element of ``of`` into a scalar one by one (a second for 200,000
    ids); this takes a few milliseconds."""
    if isinstance(of, (set, frozenset)):
        of = list(of)
    left = pa.array(values.astype("str"), from_pandas=True)
    right = pa.array(pd.Series(of, dtype="str"), from_pandas=True)
    if len(right) > max(64, 4 * len(values)):
        # a few values among many (a handful of claims' subjects among a selection's
        # 300,000 event ids): the few are hashed and the many scanned, and only those of
        # the many that hit are hashed for the answer (~80 ms -> a few ms at 300,000)
        right = right.filter(pc.is_in(right, value_set=left.cast(right.type)))
    right = right.cast(left.type).unique()
    hit = pc.fill_null(pc.is_in(left, value_set=right), False)
    return pd.Series(np.asarray(hit, dtype=bool), index=values.index)


def arrow_order(frame: pd.DataFrame, by: list[str]) -> np.ndarray:
    """Positions that put ``frame`` in the order ``frame.sort_values(by, kind="stable")``
    gives (ascending, ties in the frame's order, missing values last), computed by pyarrow:
    pandas compares text keys as Python objects, 10-50 times slower."""
    try:
        keys = pa.table(
            {f"k{i}": pa.array(frame[col], from_pandas=True) for i, col in enumerate(by)}
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # mixed objects: pandas can
        ranked = frame.reset_index(drop=True).sort_values(by, kind="stable")
        return ranked.index.to_numpy()
    order = pc.sort_indices(
        keys, sort_keys=[(f"k{i}", "ascending", "at_end") for i in range(len(by))]
    )
    return np.asarray(order)


def distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of equal-length ``columns`` (numbers; NaN is one value): ``first``,
    the position of each distinct row's first occurrence, and ``which``, the distinct row of
    every row (``columns[k][first][which]`` is ``columns[k]``). By factorizing one column at
    a time, ~20 times faster than ``np.unique(..., axis=0)`` on 100,000 rows."""
    n = len(columns[0]) if columns else 0
    which = np.zeros(n, dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(np.asarray(column), use_na_sentinel=False)
        which, _ = pd.factorize(which * len(uniques) + codes)
    _, first = np.unique(which, return_index=True)
    return first, which.astype(np.int64)


def rows_where(frame: pd.DataFrame, keep: np.ndarray | pd.Series) -> pd.DataFrame:
    """``frame[keep]`` (``keep`` a boolean per row): the same rows, labels and order, but
    the longest run of consecutive kept rows is sliced rather than gathered. A slice shares
    its text columns' buffers, so when the rows kept are mostly one run (a date range of
    events in date order), this costs what the few rows outside it cost: ~10 times faster
    for a year of a million events."""
    mask = np.asarray(keep, dtype=bool)
    at = np.flatnonzero(mask)
    if len(at) == len(frame):
        return frame.iloc[:]
    if len(at) < 2:
        return frame.iloc[at]
    breaks = np.flatnonzero(np.diff(at) != 1)
    starts = np.r_[0, breaks + 1]  # each run's first position in ``at``
    stops = np.r_[breaks + 1, len(at)]
    longest = int(np.argmax(stops - starts))
    i, j = int(starts[longest]), int(stops[longest])
    if j - i < len(at) // 2:  # no run holds most of the rows: a gather is as cheap
        return frame.iloc[at]
    pieces = [frame.iloc[at[:i]], frame.iloc[int(at[i]) : int(at[j - 1]) + 1], frame.iloc[at[j:]]]
    return pd.concat([p for p in pieces if len(p)])  # the run itself is never empty
