"""The pages' view-models (data.views): pure functions of the data set, the filter and
today, tested without streamlit on the SYNTHETIC fixture."""

from __future__ import annotations

import copy
from datetime import date

from data.filters import EventFilter
from data.load import load_dataset_files
from data.sourcing import list_conflicts
from data.views import (
    comparison_defaults,
    explorer_view,
    frequency_view,
    notes_frame,
    overview_view,
    selection_view,
)
from tests import fixtures

TODAY = date(2022, 1, 31)


def test_overview_view_holds_what_the_page_draws(mini):
    view = overview_view(mini, EventFilter(), TODAY, conflicts=list_conflicts(mini))
    assert view.head.patrols == len(view.events[view.events["kind"].str.contains("patrol")]) - 1
    assert set(view.counts.columns) >= {"period_start", "group", "count"}
    assert view.map.events == len(mini.events) and len(view.map.markers) > 0
    assert "event_ids" in view.map.markers  # the markers list their newest events
    assert {"c-vehicles", "detected:e-disputed:e-halt"} <= set(view.disputes["conflict_id"])
    assert list(view.bands["count_id"]) == ["pc-total"]


def test_explorer_view_keeps_the_theatres_zones(mini):
    zones = {"features": [{"properties": {"zone_id": "z", "theatre_id": "elsewhere"}}]}
    view = explorer_view(mini, EventFilter(theatres=("syn_a",)), TODAY, zones=zones)
    assert view.map.events == len(view.events) and not view.zones["features"]


def test_frequency_view_counts_disputed_only_when_asked(mini):
    without = frequency_view(mini, EventFilter(), TODAY)
    with_ = frequency_view(mini, EventFilter(), TODAY, include_disputed=True)
    assert len(with_.counted) == len(without.counted) + 1
    assert len(without.disputed) == 1
    notes = [{"date": "2020-06-01", "text": "mine"}, {"date": "nonsense", "text": "x"}]
    noted = frequency_view(mini, EventFilter(), TODAY, notes=notes)
    assert list(noted.notes["label"]) == ["mine"]
    picked = selection_view(mini, EventFilter(), without, event_ids=("e1",))
    assert picked.active and list(picked.events["event_id"]) == ["e1"]
    assert not selection_view(mini, EventFilter(), without).active


def test_the_periods_compared_first_come_from_the_data(tmp_path, mini):
    view = frequency_view(mini, EventFilter(), TODAY)
    options = view.period_options
    # no source counts a whole period theatre-wide: the last two years with patrols
    a, b = view.default_periods
    assert (options[a], options[b]) == ("2020", "2021")
    counts = copy.deepcopy(fixtures.PERIOD_COUNTS)
    for pc, (start, end) in zip(
        counts[:2], [("2020-04-01", "2020-06-30"), ("2020-02-01", "2020-02-29")], strict=True
    ):
        # `exact` needs a citation graded 1 or 2 (the data set's exact-needs-grade rule)
        pc.update(
            period_start=start,
            period_end=end,
            route_ids="",
            qualifier="exact",
            sources="synthetic-official:2",
        )
    ds = load_dataset_files(fixtures.write_mini_dataset(tmp_path / "pc", period_counts=counts))
    view = frequency_view(ds, EventFilter(), TODAY)
    a, b = comparison_defaults(ds, EventFilter(), view.period_options, view.counted)
    assert (view.period_options[a], view.period_options[b]) == ("2020-Q2", "2020-02")


def test_notes_frame_drops_unreadable_dates():
    assert notes_frame([]).empty
    assert len(notes_frame([{"date": "2021-13-40", "text": "x"}])) == 0
