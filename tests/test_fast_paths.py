"""The data layer's fast paths (rows found by position, joins by lookup, group-bys on
integer codes) give exactly what the plain pandas way gives, on the mini, the embedded and
a small SYNTHETIC data set (``bench.generate``)."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data import views
from data.eventindex import EventIndex
from data.filters import EventFilter, filter_events, in_date_order
from data.frames import arrow_order, member
from data.load import load_dataset_files
from data.mapview import _visits_per_place, build_map_view, run_places
from data.model import DataSet
from data.sourcing import CITATION_COLUMNS, citations_for, list_conflicts
from tests.fixtures import embedded_dataset

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from bench.generate import generate

    directory = generate(tmp_path_factory.mktemp("synthetic") / "s", 1500)
    ds = load_dataset_files(directory)
    events = in_date_order(ds.events).reset_index(drop=True)  # as data.cache holds it
    return pickle.dumps(dataclasses.replace(ds, events=events))


@pytest.fixture(params=["mini", "embedded", "synthetic"])
def dataset(request: pytest.FixtureRequest, synthetic: bytes) -> DataSet:
    if request.param == "mini":
        return request.getfixturevalue("mini")
    if request.param == "embedded":
        return embedded_dataset()
    return pickle.loads(synthetic)


def _slow(ds: DataSet) -> DataSet:
    """A copy of ``ds`` on which every lookup by position is refused (the plain path)."""
    copy = pickle.loads(pickle.dumps(dataclasses.replace(ds)))
    copy.__dict__.pop("event_index", None)
    index = EventIndex(copy)
    index.__dict__["usable"] = False
    copy.__dict__["event_index"] = index
    return copy


def _filters(ds: DataSet) -> list[EventFilter]:
    first = ds.events["start"].min().date()
    last = ds.events["end"].max().date()
    middle = first + (last - first) / 2
    roots = tuple(ds.actors.loc[ds.actors["parent_id"] == "", "actor_id"].head(1))
    return [
        EventFilter(),
        EventFilter(start=first, end=middle),
        EventFilter(start=middle, end=last),
        EventFilter(start=middle, end=middle),
        EventFilter(actors=roots),
        EventFilter(start=first, end=middle, actors=roots, date_rule="certainly"),
    ]


def _plain_citations(ds: DataSet, record_type: str, ids: pd.Series) -> pd.DataFrame:
    """``citations_for`` as it was written before its fast path."""
    cites = ds.citations[
        (ds.citations["record_type"] == record_type) & member(ds.citations["record_id"], ids)
    ]
    out = cites.merge(ds.sources, on="source_id", how="left")
    out["grade"] = out["reliability"] + out["credibility"].astype(str)
    order = arrow_order(out, ["record_id", "reliability_rank", "credibility"])
    return out.iloc[order][CITATION_COLUMNS]


def _same(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            if f.compare:
                _same(getattr(a, f.name), getattr(b, f.name))
    else:
        assert a == b or (pd.isna(a) and pd.isna(b)), (a, b)


def test_filtered_events_are_the_same(dataset: DataSet) -> None:
    slow = _slow(dataset)
    for f in _filters(dataset):
        pd.testing.assert_frame_equal(filter_events(dataset, f), filter_events(slow, f))


def test_citations_are_the_same(dataset: DataSet) -> None:
    for f in _filters(dataset):
        events = filter_events(dataset, f)
        for ids in (events["event_id"], events["event_id"].iloc[::3], list(events["event_id"])):
            fast = citations_for(dataset, "event", ids)
            pd.testing.assert_frame_equal(fast, _plain_citations(dataset, "event", pd.Series(ids)))
    counts = dataset.period_counts["count_id"]
    pd.testing.assert_frame_equal(
        citations_for(dataset, "period_count", counts),
        _plain_citations(dataset, "period_count", counts),
    )


def test_ids_not_of_the_data_set_rows_are_looked_up_by_id(dataset: DataSet) -> None:
    events = filter_events(dataset, _filters(dataset)[1])
    moved = events["event_id"].set_axis(events.index[::-1])  # labels no longer its rows
    assert dataset.event_index.positions(moved) is None or len(moved) < 2
    pd.testing.assert_frame_equal(
        citations_for(dataset, "event", moved), _plain_citations(dataset, "event", moved)
    )


@pytest.mark.parametrize("options", [{}, {"detail": False, "popup_events": 8}])
def test_map_views_are_the_same(dataset: DataSet, options: dict) -> None:
    slow = _slow(dataset)
    for f in _filters(dataset):
        events = filter_events(dataset, f)
        _same(build_map_view(dataset, events, **options), build_map_view(slow, events, **options))


def test_visits_are_counted_as_run_places_pairs(dataset: DataSet) -> None:
    for ds in (dataset, _slow(dataset)):
        for f in _filters(dataset):
            events = filter_events(ds, f)
            expected = run_places(ds, events)["place_id"].value_counts()
            got = _visits_per_place(ds, events)
            want = ds.places["place_id"].map(expected).fillna(0).astype(int).to_numpy()
            np.testing.assert_array_equal(got, want)


def test_page_views_are_the_same(dataset: DataSet) -> None:
    slow = _slow(dataset)
    conflicts = list_conflicts(dataset)
    for f in _filters(dataset)[1:4]:  # [3]: one day
        events = filter_events(dataset, f)
        _same(
            views.overview_view(dataset, f, TODAY, events=events, conflicts=conflicts),
            views.overview_view(slow, f, TODAY, events=events, conflicts=conflicts),
        )
        _same(
            views.frequency_view(dataset, f, TODAY, events=events, conflicts=conflicts),
            views.frequency_view(slow, f, TODAY, events=events, conflicts=conflicts),
        )


def test_the_index_is_kept_with_its_data_set_only(mini: DataSet) -> None:
    index = mini.event_index
    assert mini.event_index is index
    other = dataclasses.replace(mini)
    assert other.event_index is not index
    assert isinstance(index.place_rows, np.ndarray)
    assert len(index.place_rows) == len(mini.event_places)
