"""The map explorer's timeline and selection without a browser: the view-models
(``data.views.explorer_timeline``, ``explorer_selection_view``) on the SYNTHETIC fixture,
the compact figure's builder, and an AppTest run opened from a link with a selection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from components.explorer_timeline import HEIGHT, explorer_timeline_figure
from components.timeline import curve_roles, is_selectable, selection_from_chart
from data.filters import EventFilter, Selection
from data.views import (
    explorer_selection_view,
    explorer_timeline,
    explorer_view,
    overview_view,
    selection_view,
)

TODAY = date(2022, 1, 31)
NO_ZONES: dict = {"type": "FeatureCollection", "features": []}


def test_the_timeline_counts_what_the_overview_counts(mini):
    f = EventFilter()
    timeline = explorer_timeline(mini, f, TODAY)
    overview = overview_view(mini, f, TODAY)
    assert timeline.noun == overview.noun == "patrols"
    assert timeline.window == overview.window
    assert timeline.head == overview.head
    mine = timeline.counts.groupby("period_start")["count"].sum()
    theirs = overview.counts.groupby("period_start")["count"].sum()
    pd.testing.assert_series_equal(mine, theirs)


def test_the_figure_is_a_short_selectable_strip(mini):
    fig = explorer_timeline_figure(explorer_timeline(mini, EventFilter(), TODAY))
    assert fig.layout.height == HEIGHT <= 200
    assert fig.layout.showlegend is False and not fig.layout.title.text
    assert is_selectable(fig) and fig.layout.selectdirection == "h"
    assert "bar" in curve_roles(fig)
    # a drag across it reads as a span, as on the other pages
    box = {"box": [{"x": ["2020-01-03 10:00", "2020-06-20"]}], "points": []}
    chart = selection_from_chart(box, curve_roles(fig), "month")
    assert (chart.start, chart.end) == (pd.Timestamp("2020-01-03"), pd.Timestamp("2020-06-20"))


def test_a_selection_narrows_the_explorer_map_as_it_narrows_the_other_pages(mini):
    f = EventFilter(start=date(2020, 1, 1), end=date(2021, 12, 31))
    view = explorer_view(mini, f, TODAY, zones=NO_ZONES)
    timeline = explorer_timeline(mini, f, TODAY, events=view.events)
    whole = explorer_selection_view(mini, f, view, timeline, today=TODAY)
    assert not whole.active and whole.line() == "" and whole.map is view.map

    sel = Selection(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-30"))
    picked = explorer_selection_view(mini, f, view, timeline, sel, today=TODAY)
    assert picked.active and 0 < len(picked.events) < len(view.events)
    assert picked.map.events == len(picked.events) < view.map.events
    # the same events, figures and line as the Overview's selection
    same = selection_view(mini, f, overview_view(mini, f, TODAY), sel, today=TODAY)
    assert list(picked.events["event_id"]) == list(same.events["event_id"])
    assert picked.head == same.head and picked.line() == same.line()
    # the explorer's own map: routes run and visits counted over the span only
    assert picked.map.routes["runs"].sum() <= view.map.routes["runs"].sum()


def test_the_explorer_selection_is_clipped_and_keeps_the_precise_switch(mini):
    f = EventFilter(start=date(2020, 3, 1), end=date(2020, 12, 31))
    view = explorer_view(mini, f, TODAY, zones=NO_ZONES, precise_only=True)
    timeline = explorer_timeline(mini, f, TODAY, events=view.events)
    wide = Selection(pd.Timestamp("2019-01-01"), pd.Timestamp("2020-06-30"))
    picked = explorer_selection_view(mini, f, view, timeline, wide, today=TODAY, precise_only=True)
    assert picked.selection.start == pd.Timestamp("2020-03-01")
    assert "1 Mar – 30 Jun 2020 is used" in picked.note
    # precise positions only, as the switch says: the span's approximate events hidden
    assert picked.map.hidden_approximate == picked.map.approximate > 0
    assert not picked.map.markers["approx"].any()
    outside = Selection(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"))
    gone = explorer_selection_view(mini, f, view, timeline, outside, today=TODAY)
    assert not gone.active and "outside the filter's dates" in gone.note


def _notices(at) -> list[str]:
    """The page's 'Selection: …' notices, as read (markdown escapes dropped)."""
    texts = [str(i.value).replace("\\", "") for i in at.info]
    return [t for t in texts if t.startswith("Selection:")]


def test_a_link_with_a_selection_opens_the_explorer_narrowed(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    app = Path(__file__).resolve().parents[1] / "pages" / "map_explorer.py"
    at = AppTest.from_file(str(app), default_timeout=90)
    at.query_params["selection"] = "2021-01-01..2021-12-31"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    notice = _notices(at)
    assert notice and "1 Jan – 31 Dec 2021" in notice[0], [i.value for i in at.info]
    shown, total = notice[0].rsplit(", ", 1)[1].removesuffix(" events").split(" of ")
    assert 0 < int(shown.replace(",", "")) < int(total.replace(",", ""))
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"of {shown} filtered events are on the map" in captions
    at.button(key="mx_clear_selection").click().run()
    assert not at.exception
    assert "selection" not in at.query_params
    assert not _notices(at)
