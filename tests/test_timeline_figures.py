"""The timelines are built without plotly's property checks (components.timeline.VALIDATE):
the figures must be the same as checked ones, and a shared figure is never changed by
drawing it. SYNTHETIC fixture (tests/fixtures.py)."""

from __future__ import annotations

import json

import pandas as pd

from components import timeline
from components.colours import actor_colours
from components.timeline import is_selectable, make_selectable, mark_selection, timeline_figure
from data.aggregate import counts_per_period, milestones, overlapping_period_counts
from data.filters import Selection, patrols
from tests.test_frequency_components import _timeline


def _overview_figure(ds):
    ev = patrols(ds.events)
    return make_selectable(
        timeline_figure(
            counts_per_period(ev, ds, "month", by="actor"),
            by="actor",
            actor_colours=actor_colours(ds.actors),
            reported=overlapping_period_counts(ds, None, None),
            marks=milestones(ds),
            subtitle="<b>all</b>",
            x_range=(pd.Timestamp("2019-10-01"), pd.Timestamp("2022-01-31")),
        )
    )


def _both(build, monkeypatch) -> tuple[dict, dict]:
    monkeypatch.setattr(timeline, "VALIDATE", True)
    checked = json.loads(build().to_json())
    monkeypatch.setattr(timeline, "VALIDATE", False)
    return checked, json.loads(build().to_json())


def test_unchecked_timelines_are_the_same_as_checked_ones(mini, monkeypatch):
    for build in (lambda: _overview_figure(mini), lambda: _timeline(mini)):
        checked, unchecked = _both(build, monkeypatch)
        assert unchecked == checked


def test_a_selectable_figure_is_recognised_and_marking_a_copy_leaves_it_alone(mini):
    fig = _overview_figure(mini)
    assert is_selectable(fig) and is_selectable(_timeline(mini))
    assert not is_selectable(timeline_figure(counts_per_period(patrols(mini.events), mini)))
    before = json.loads(fig.to_json())
    span = Selection(start=pd.Timestamp("2020-03-01"), end=pd.Timestamp("2020-06-30"))
    marked = mark_selection(timeline.new_figure(fig), span)
    assert json.loads(fig.to_json()) == before
    assert len(marked.layout.shapes) == len(fig.layout.shapes) + 1
