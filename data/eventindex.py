"""Which rows of the long tables (citations, event places, event actors) belong to a set of
the data set's events, found by position instead of by hashing event ids.

A filtered frame of events is rows of ``ds.events`` (``data.filters.filter_events`` keeps
their index labels). Once per data set the event each long-table row names is looked up
(its position in ``ds.events``); after that, "the citations of these 200,000 events" is a
mark per event and a gather per citation: no text hashed per call. pyarrow's ``is_in``
hashes every id of both sides, ~0.2 s per call at a million events, and a page's rerun
asked that a dozen times.

The fast path is taken only when it gives what ``data.frames.member`` gives: the data set's
events have a default index and unique ids, and the ids asked about are the data set's own
rows (their index labels point at rows holding the same ids, checked). Otherwise callers
fall back to ``member``. Pure: no streamlit; the per-data-set lookups are kept on the
``DataSet`` itself (``DataSet.event_index``), so they live and die with it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from data.model import DataSet

T = TypeVar("T")
#: results kept per data set by ``EventIndex.memo`` (a few per kind of question)
MEMO_ENTRIES = 32


def _text(values: pd.Series) -> pa.Array:
    arr = pa.array(values.astype("str"), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


class EventIndex:
    """Per data set: the position in ``ds.events`` of the event each row of the long tables
    names (-1 when none), worked out when first asked for. Read-only once built."""

    def __init__(self, ds: DataSet) -> None:
        self._ds = ds
        self._of_type: dict[str, np.ndarray] = {}
        self._memo: dict[Hashable, object] = {}

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()`` once per data set and ``key``: something drawn from the data set
        alone, whatever the filter (at most ``MEMO_ENTRIES`` kept, the oldest dropped).
        Two sessions asking at once may both build it; either result is the same."""
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]
        value = build()
        while len(self._memo) >= MEMO_ENTRIES:
            self._memo.pop(next(iter(self._memo)), None)
        self._memo[key] = value
        return value

    @cached_property
    def usable(self) -> bool:
        """Whether positions stand for ids: a default index and unique event ids."""
        ev = self._ds.events
        index = ev.index
        if not isinstance(index, pd.RangeIndex) or index.start != 0 or index.step != 1:
            return False
        ids = ev["event_id"]
        return bool(ids.notna().all() and ids.is_unique)

    @cached_property
    def ids(self) -> pa.Array:
        """The data set's event ids, as Arrow text."""
        return _text(self._ds.events["event_id"])

    def _positions(self, values: pd.Series) -> np.ndarray:
        found = pc.index_in(_text(values), value_set=self.ids)
        return np.asarray(pc.fill_null(found, -1), dtype=np.int64)

    @cached_property
    def place_rows(self) -> np.ndarray:
        """Per row of ``ds.event_places``: its event's position."""
        return self._positions(self._ds.event_places["event_id"])

    @cached_property
    def actor_rows(self) -> np.ndarray:
        """Per row of ``ds.event_actors``: its event's position."""
        return self._positions(self._ds.event_actors["event_id"])

    @cached_property
    def citation_rows(self) -> np.ndarray:
        """Per row of ``ds.citations``: its event's position (-1 for other records)."""
        cit = self._ds.citations
        out = np.full(len(cit), -1, dtype=np.int64)
        is_event = (cit["record_type"] == "event").to_numpy(dtype=bool)
        if is_event.any():
            out[is_event] = self._positions(cit["record_id"][is_event])
        return out

    @cached_property
    def place_of_rows(self) -> np.ndarray:
        """Per row of ``ds.event_places``: the position of its place in ``ds.places``."""
        found = pc.index_in(
            _text(self._ds.event_places["place_id"]), value_set=_text(self._ds.places["place_id"])
        )
        return np.asarray(pc.fill_null(found, -1), dtype=np.int64)

    def citations_of_type(self, record_type: str) -> np.ndarray:
        """The rows of ``ds.citations`` that cite a record of ``record_type``, in order."""
        rows = self._of_type.get(record_type)
        if rows is None:
            kinds = self._ds.citations["record_type"]
            rows = np.flatnonzero((kinds == record_type).to_numpy(dtype=bool))
            self._of_type[record_type] = rows
        return rows

    @cached_property
    def named(self) -> np.ndarray:
        """Per event (position): whether ``ds.event_places`` names a place for it."""
        out = np.zeros(len(self._ds.events), dtype=bool)
        rows = self.place_rows
        out[rows[rows >= 0]] = True
        return out

    def positions(self, ids: pd.Series) -> np.ndarray | None:
        """The positions in ``ds.events`` of the rows ``ids`` were taken from (an event id
        column of rows of ``ds.events``, by its index labels), or None when that cannot be
        vouched for (then ask ``data.frames.member``)."""
        if not isinstance(ids, pd.Series) or not self.usable:
            return None
        n = len(self._ds.events)
        index = ids.index
        if len(ids) == 0:
            return np.zeros(0, dtype=np.int64)
        if index.dtype.kind not in "iu":
            return None
        pos = index.to_numpy(dtype=np.int64)
        if pos.min() < 0 or pos.max() >= n:
            return None
        try:
            asked = _text(ids)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            return None
        if asked.null_count:
            return None
        held = self.ids.take(pa.array(pos))
        if not pc.all(pc.equal(asked, held)).as_py():
            return None
        return pos

    def mark(self, ids: pd.Series) -> np.ndarray | None:
        """A flag per event of ``ds.events``: True for the rows ``ids`` were taken from
        (None: see :meth:`positions`)."""
        pos = self.positions(ids)
        if pos is None:
            return None
        out = np.zeros(len(self._ds.events), dtype=bool)
        out[pos] = True
        return out


def _gather(marks: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``marks`` at ``rows``, False where a row names no event (-1)."""
    return np.where(rows >= 0, marks[np.maximum(rows, 0)], False)


def places_of(ds: DataSet, ids: pd.Series) -> np.ndarray | None:
    """Per row of ``ds.event_places``: whether its event is one of ``ids`` (rows of
    ``ds.events``); None when the fast path does not apply."""
    index = ds.event_index
    marks = index.mark(ids)
    return None if marks is None else _gather(marks, index.place_rows)


def actors_of(ds: DataSet, ids: pd.Series) -> np.ndarray | None:
    """Per row of ``ds.event_actors``: whether its event is one of ``ids``."""
    index = ds.event_index
    marks = index.mark(ids)
    return None if marks is None else _gather(marks, index.actor_rows)


def citations_of(ds: DataSet, ids: pd.Series) -> np.ndarray | None:
    """Per row of ``ds.citations``: whether it cites one of the events ``ids``."""
    index = ds.event_index
    marks = index.mark(ids)
    return None if marks is None else _gather(marks, index.citation_rows)


def named_places(ds: DataSet, ids: pd.Series) -> np.ndarray | None:
    """Per one of ``ids`` (rows of ``ds.events``): whether ``ds.event_places`` names a place
    for it (``member(ids, ds.event_places['event_id'])``)."""
    index = ds.event_index
    pos = index.positions(ids)
    return None if pos is None else index.named[pos]
