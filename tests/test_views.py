"""The pages' view-models (data.views): pure functions of the data set, the filter and
today, tested without streamlit on the SYNTHETIC fixture."""

from __future__ import annotations

import copy
from datetime import date

import pandas as pd

from data.filters import EventFilter, Selection, filter_events
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
    picked = selection_view(mini, EventFilter(), without, Selection(event_ids=("e1",)), today=TODAY)
    assert picked.active and list(picked.events["event_id"]) == ["e1"]
    assert not selection_view(mini, EventFilter(), without, today=TODAY).active


def test_a_selection_narrows_every_page_the_same_way(mini):
    """One mechanism for both pages: the map, table and figures narrow to the selected
    span, a sub-window of the filter's window."""
    f = EventFilter(start=date(2020, 1, 1), end=date(2021, 12, 31))
    sel = Selection(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-30"))
    for view in (overview_view(mini, f, TODAY), frequency_view(mini, f, TODAY)):
        whole = selection_view(mini, f, view, today=TODAY)
        assert not whole.active and whole.line() == "" and len(whole.events) == len(view.events)
        picked = selection_view(mini, f, view, sel, today=TODAY)
        assert picked.active
        assert 0 < len(picked.events) < len(view.events)
        assert (picked.events["start"] <= sel.end).all()
        assert picked.map.events == len(picked.events)
        # the figures are the selection's: window, patrols, days to its end
        assert picked.head.window_start == sel.start and picked.head.window_end == sel.end
        assert picked.head.patrols < view.head.patrols
        assert not picked.head.ends_today
        assert picked.line() == (
            f"Selection: 1 Jan – 30 Jun 2020, {len(picked.events)} of {len(view.events)} events"
        )
    assert picked.gaps is not None and picked.counted is not None  # How often's cards
    assert len(picked.counted) < len(view.counted)


def test_a_selection_is_clipped_to_the_filter_window(mini):
    f = EventFilter(start=date(2020, 3, 1), end=date(2020, 12, 31))
    view = overview_view(mini, f, TODAY)
    wide = Selection(pd.Timestamp("2019-01-01"), pd.Timestamp("2020-06-30"))
    picked = selection_view(mini, f, view, wide, today=TODAY)
    assert picked.selection.start == pd.Timestamp("2020-03-01")
    assert "1 Mar – 30 Jun 2020 is used" in picked.note
    outside = Selection(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"))
    gone = selection_view(mini, f, view, outside, today=TODAY)
    assert not gone.active and "outside the filter's dates" in gone.note
    assert len(gone.events) == len(view.events)


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


def test_frequency_view_works_out_a_section_only_when_it_is_read(mini):
    view = frequency_view(mini, EventFilter(), TODAY, conflicts=list_conflicts(mini))
    lazy = ("cumulative", "ordinals", "period_options", "default_periods", "disputed_claims")
    assert not set(lazy) & set(vars(view))  # the timeline's view computes none of them
    curves, _ = view.cumulative
    assert "cumulative" in vars(view) and view.cumulative[0] is curves  # once, then kept
    assert view.period_options and len(view.default_periods) == 2
    assert len(view.disputed_claims)  # the claims about the disputed patrol
    # the filter without its dates, when the caller holds it, gives the same figures
    held = filter_events(mini, EventFilter())
    every_date = frequency_view(mini, EventFilter(), TODAY, every_date=held)
    assert every_date.coverage.equals(view.coverage)


def test_a_frequency_view_given_the_patrols_of_every_date_is_the_same_view(mini):
    """The caller may keep the events of every date and what is counted among them once
    (data.cache.frequency_view_of); the view is the one it would compute itself."""
    from dataclasses import fields, replace

    from data.filters import filter_events
    from data.views import held_events

    for f, disputed in (
        (EventFilter(), False),
        (EventFilter(), True),
        (EventFilter(start=date(2020, 1, 1), end=date(2021, 6, 30)), False),
        (EventFilter(kinds=("water_cut",)), False),
    ):
        alone = frequency_view(mini, f, TODAY, include_disputed=disputed)
        every = filter_events(mini, replace(f, start=None, end=None))
        held = held_events(every, f.kinds, include_disputed=disputed)
        given = frequency_view(
            mini,
            f,
            TODAY,
            include_disputed=disputed,
            events=filter_events(mini, f),
            every_date=every,
            held=held,
        )
        assert given.held is held
        for field in fields(alone):
            a, b = getattr(alone, field.name), getattr(given, field.name)
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b)
            elif field.name not in ("gaps", "cumulative", "top"):
                assert a == b, field.name
        assert alone.gaps.segments.equals(given.gaps.segments)
