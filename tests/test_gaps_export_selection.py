"""An export follows what the page shows: with a span selected on the timeline (How often,
Overview), the slide and brief hold the selection's map, key figures and sources, shade the
span on the whole window's chart and say the selection in their filter line; How often's
timeline CSV holds the selection's counts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd

from components.briefing import (
    build_briefing,
    drawn_points,
    selected_figure,
    selection_summary,
    standard_view,
)
from components.frequency import counts_table, selection_counts
from components.timeline import SELECTION_SHAPE, mark_selection
from data.filters import EventFilter, Selection, narrowed
from data.views import frequency_view, overview_view, selection_view

TODAY = date(2026, 11, 24)
AT = datetime(2026, 11, 24, 14, 3, tzinfo=UTC)
F = EventFilter(start=date(2020, 1, 1), end=date(2021, 12, 31))
SPAN = Selection(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-30"))


def test_narrowed_takes_the_selected_span_as_the_dates() -> None:
    assert narrowed(F, SPAN).start == date(2020, 1, 1)
    assert narrowed(F, SPAN).end == date(2020, 6, 30)
    assert narrowed(F, SPAN).actors == F.actors
    assert narrowed(F, Selection(event_ids=("e1",))) is F


def test_the_export_of_a_selection_holds_the_selection(mini) -> None:
    for view in (overview_view(mini, F, TODAY), frequency_view(mini, F, TODAY)):
        picked = selection_view(mini, F, view, SPAN, today=TODAY)
        assert 0 < len(picked.events) < len(view.events)
        whole = build_briefing(
            mini, F, TODAY, view=standard_view(mini, F, TODAY), title="t", link=None,
            exported_at=AT,
        )  # fmt: skip
        shown = standard_view(mini, F, TODAY, selection=picked)
        b = build_briefing(
            mini, F, TODAY, view=shown, title="t", link=None, exported_at=AT, selection=picked
        )
        # the filter line says the selection first (the slide cuts a long line at its end)
        assert b.filter_summary.startswith(picked.line() + " · within ")
        assert b.filter_summary.endswith(F.describe(mini, TODAY))
        assert not whole.filter_summary.startswith("Selection")
        # the key figures count over the selected span, as the page's figures do
        lead = f"In Jan–Jun 2020, the data set holds {picked.head.patrols:,} patrols"
        assert b.figures[0].startswith(lead), b.figures[0]
        assert "before the window's end, 30 Jun 2020" in b.figures[2]
        assert b.figures != whole.figures
        # the map is the selection's: it draws the selected events' places only
        assert shown.map_view is not None and shown.map_view.events == len(picked.events)
        assert len(drawn_points(shown.map_view)) <= len(
            drawn_points(standard_view(mini, F, TODAY).map_view)
        )
        assert shown.map_note.startswith("The selection: ")
        # the chart is the whole window's, the span shaded and named in its title
        spec = json.loads(shown.figure.to_json())
        shapes = [s for s in spec["layout"].get("shapes", []) if s.get("name") == SELECTION_SHAPE]
        assert len(shapes) == 1 and shapes[0]["x0"].startswith("2020-01-01")
        assert spec["layout"]["title"]["text"].endswith("per month</b> · selection shaded")


def test_nothing_selected_exports_the_window_as_before(mini) -> None:
    view = overview_view(mini, F, TODAY)
    none = selection_view(mini, F, view, today=TODAY)
    assert selection_summary(mini, F, TODAY, none) == F.describe(mini, TODAY)
    plain = standard_view(mini, F, TODAY)
    same = standard_view(mini, F, TODAY, selection=none)
    assert same.map_note == plain.map_note and same.focus == plain.focus
    assert not [s for s in same.figure.layout.shapes if s.name == SELECTION_SHAPE]


def test_selected_figure_leaves_the_page_figure_alone_and_shades_once(mini) -> None:
    fig = standard_view(mini, F, TODAY).figure
    mark_selection(fig, SPAN)  # the page shaded a selection opened from a link
    before = fig.to_json()
    out = selected_figure(fig, SPAN)
    assert fig.to_json() == before
    assert [s.name for s in out.layout.shapes].count(SELECTION_SHAPE) == 1
    mark_selection(fig, Selection())  # cleared: the shade goes
    assert not [s for s in fig.layout.shapes if s.name == SELECTION_SHAPE]


def test_the_timeline_csv_of_a_selection_counts_the_selection(mini) -> None:
    view = frequency_view(mini, F, TODAY)
    picked = selection_view(mini, F, view, SPAN, today=TODAY)
    table = counts_table(selection_counts(mini, view, picked), view.period)
    whole = counts_table(view.counts, view.period)
    assert int(table["patrols_counted"].sum()) == picked.head.patrols
    assert int(table["patrols_counted"].sum()) < int(whole["patrols_counted"].sum())
    assert (table["period_start"] <= "2020-06-30").all()
    assert (table.loc[table["patrols_counted"] > 0, "period_start"] >= "2020-01-01").all()
    none = selection_view(mini, F, view, today=TODAY)
    assert selection_counts(mini, view, none) is view.counts
