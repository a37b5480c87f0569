"""The frequency page's builders (timeline with gaps, spans and notes; the selection turned
into a span and ids; the other charts and tables; slide and CSV exports) and an AppTest run
of the page on the embedded data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from components.colours import actor_colours
from components.frequency import (
    counts_table,
    coverage_figure,
    coverage_table,
    cumulative_figure,
    gap_table,
    ordinal_table,
    source_line,
)
from components.timeline import (
    ChartSelection,
    curve_roles,
    gap_timeline_figure,
    selection_from_chart,
    span_groups,
)
from data.aggregate import milestones, overlapping_period_counts
from data.analytics import (
    coverage,
    cumulative_counts,
    find_gaps,
    frequency_counts,
    ordinal_checks,
    uncertain_spans,
)
from data.filters import patrols
from data.sourcing import list_conflicts
from data.views import notes_frame

TODAY = date(2022, 1, 31)
T = pd.Timestamp


def _timeline(ds, **kw):
    counted = patrols(ds.events)
    report = find_gaps(ds, counted, today=TODAY)
    long = report.longer_than(60)
    return gap_timeline_figure(
        frequency_counts(counted, ds, "month", "actor"),
        period="month",
        by="actor",
        actor_colours=actor_colours(ds.actors),
        marks=milestones(ds),
        gap_segments=report.segments[report.segments["gap_id"].isin(long["gap_id"])],
        gaps=long,
        spans=uncertain_spans(patrols(ds.events, include_disputed=True), list_conflicts(ds)),
        **kw,
    )


# --------------------------------------------------------------------------- timeline


def test_timeline_shades_long_gaps_by_explanation(mini):
    fig = _timeline(mini)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    # 6 May 2020 – 4 Jan 2021 (a hole); 4 Jan – 1 Mar 2021 (a hole), 1 Mar – 1 Sep (halt)
    fills = [(str(s.x0)[:10], str(s.x1)[:10], s.fillcolor) for s in rects]
    assert ("2021-03-01", "2021-09-01", "rgba(230,145,56,0.28)") in fills
    assert ("2020-05-05", "2021-01-04", "rgba(110,110,110,0.20)") in fills
    labels = [a.text for a in fig.layout.annotations]
    assert "244 d" in labels and "240 d" in labels
    legend = [t.name for t in fig.data if t.meta == "legend"]
    assert legend == ["reported suspension", "coverage hole (reported, not held)"]
    assert fig.layout.dragmode == "select"


def test_month_precision_events_are_drawn_over_their_month(mini):
    fig = _timeline(mini)
    lines = [t for t in fig.data if t.meta == "span-line"]
    counted = next(t for t in lines if t.name == "Patrol")
    # e3 (March 2020) from its first day to the day after its last, not a point
    assert [str(x)[:10] for x in counted.x[:2]] == ["2020-03-01", "2020-04-01"]
    assert counted.yaxis == "y2"
    assert fig.layout.yaxis2.domain == (0.0, 0.13)
    disputed = next(t for t in fig.data if t.meta == "span" and "Disputed" in str(t.text))
    assert disputed.customdata[0][0] == "e-disputed"
    assert "conflicts with other reports" in disputed.texttemplate[0]


def test_events_known_to_the_same_month_share_one_span(mini):
    spans = uncertain_spans(patrols(mini.events, include_disputed=True))
    e3_again = spans[spans["event_id"] == "e3"].assign(event_id="e3-bis")
    twice = pd.concat([spans, e3_again]).reset_index(drop=True)
    groups = span_groups(twice).set_index("role")
    assert groups.loc["counted", "n"] == 2 and groups.loc["counted", "event_id"] == ""
    assert groups.loc["counted", "text"].startswith("2 events known only to Mar 2020")
    assert groups.loc["disputed", "event_id"] == "e-disputed"
    assert groups.loc["disputed", "flag"] == "disputed"


def test_notes_are_inert_labels(mini):
    notes = notes_frame(
        [
            {"date": "2020-06-01", "text": "<img src=x onerror=alert(1)> talks"},
            {"date": "not a date", "text": "dropped"},
        ]
    )
    assert len(notes) == 1
    fig = _timeline(mini, notes=notes)
    texts = [a.text for a in fig.layout.annotations]
    assert "&lt;img src=x onerror=alert(1)&gt; talks" in texts
    assert not any("<img" in t for t in texts)
    assert notes_frame([]).empty


def test_selection_of_bars_spans_whole_periods(mini):
    fig = _timeline(mini)
    roles = curve_roles(fig)
    bar = roles.index("bar")
    selection = {
        "points": [
            {"curve_number": bar, "x": "2020-02-01", "y": 2},
            {"curve_number": bar, "x": "2020-05-01T00:00:00", "y": 1},
        ],
        "box": [{"x": ["2020-01-20 03:10:00.5", "2020-05-20"], "y": [0, 3]}],
    }
    got = selection_from_chart(selection, roles, "month")
    assert got == ChartSelection(T("2020-02-01"), T("2020-05-31"), (), "bars")
    assert got.active and got.describe() == "1 Feb 2020 – 31 May 2020"
    quarter = selection_from_chart({"points": selection["points"][:1]}, roles, "quarter")
    assert (quarter.start, quarter.end) == (T("2020-01-01"), T("2020-03-31"))


def test_selection_of_a_box_over_empty_periods_and_of_spans(mini):
    fig = _timeline(mini)
    roles = curve_roles(fig)
    box = {"points": [], "box": [{"x": ["2022-03-10 12:00", "2022-04-02"], "y": [0, 1]}]}
    assert selection_from_chart(box, roles, "month") == ChartSelection(
        T("2022-03-10"), T("2022-04-02"), (), "box"
    )
    epoch = {"box": [{"x": [1577836800000, 1580515200000]}]}  # 1 Jan – 1 Feb 2020, in ms
    assert selection_from_chart(epoch, roles, "week").start == T("2020-01-01")
    span = roles.index("span")
    picked = {"points": [{"curve_number": span, "customdata": ["e3"], "x": "2020-03-16"}]}
    got = selection_from_chart(picked, roles, "month")
    assert got == ChartSelection(None, None, ("e3",), "spans")
    several = {"points": [{"curve_number": span, "customdata": ["", "2020-03-01", "2020-03-31"]}]}
    assert selection_from_chart(several, roles, "month") == ChartSelection(
        T("2020-03-01"), T("2020-03-31"), (), "spans"
    )
    # bands, unknown curves and junk pick nothing
    band = {"points": [{"curve_number": 999, "x": "2020-01-01"}, "junk", {"x": None}]}
    assert not selection_from_chart(band, roles, "month").active
    assert not selection_from_chart(None, roles, "month").active
    assert not selection_from_chart({}, roles, "month").active


# --------------------------------------------------------------------------- other views


def test_coverage_and_running_totals_figures(mini):
    held = patrols(mini.events)
    counts = overlapping_period_counts(mini, None, None)
    cov = coverage(mini, held, counts)
    fig = coverage_figure(cov)
    held_bar = next(t for t in fig.data if t.meta == "held")
    assert "4 of 12 (33.3%)" in list(held_bar.text)
    assert any(t.meta == "reported-range" for t in fig.data)  # 3–5 a month is a range
    curves, points = cumulative_counts(mini, held, counts)
    cum = cumulative_figure(curves, points)
    assert [t.name for t in cum.data] == [
        "Held one by one: Synthetic theatre A",
        "Reported: Synthetic theatre A",
    ]
    table = coverage_table(cov)
    assert table.loc[table["Reported"] == "12", "Coverage (held / reported)"].item() == (
        "4 of 12 (33.3%)"
    )
    line = source_line(mini.label, cov)
    assert line.startswith("Source: patrols held one by one in Synthetic test fixture")
    assert "12 (Synthetic ministry, B2)" in line


def test_tables_for_gaps_ordinals_and_counts(mini):
    report = find_gaps(mini, patrols(mini.events), today=TODAY)
    table = gap_table(report.gaps, mini.events, T(TODAY))
    row = table[table["From"] == "4 Jan 2021"].iloc[0]
    assert (row["To"], row["Days"], row["Next patrol"]) == ("1 Sep 2021", 240, "1 Sep 2021")
    assert table[table["Ongoing"]]["To"].str.startswith("today").all()
    checks = ordinal_table(ordinal_checks(mini.events))
    assert checks.iloc[0]["Numbers held"] == 3 and checks.iloc[0]["Missing between"] == ""
    counts = counts_table(frequency_counts(patrols(mini.events), mini, "month", "kind"), "month")
    assert list(counts.columns)[:3] == ["period", "period_start", "group"]


# --------------------------------------------------------------------------- the page


@pytest.fixture
def frequency_page(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    monkeypatch.delenv("PATROLWATCH_DATA", raising=False)
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=90)
    at.run()
    at.switch_page("pages/frequency.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _open(at, section: str):
    """Open one of the page's sections (the bar above them)."""
    at.button_group(key="freq_section").set_value(section).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _gap_table(at):
    """The first table of the Gaps section (the long gaps)."""
    return next(d.value for d in at.dataframe if "Explanation" in d.value.columns)


def test_frequency_page_states_the_numbers(frequency_page):
    at = frequency_page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Held of reported"] == "26 of 344"
    assert metrics["Longest gap"] == "504 days"
    _open(at, "comparison")
    text = " ".join(m.value for m in at.markdown)
    assert "from 5\\.5 to 3\\.3 patrols a month, down 40%" in text
    gaps = _gap_table(_open(at, "gaps"))
    halt = gaps[gaps["From"] == "6 Apr 2023"].iloc[0]
    assert halt["Explanation"] == "reported suspension 323 d + coverage hole 181 d"
    assert (gaps["Coverage hole (d)"] > 0).sum() >= 5


def test_frequency_page_counts_disputed_when_asked(frequency_page):
    at = frequency_page
    before = {m.label: m.value for m in at.metric}["Patrols counted"]
    at.toggle(key="freq_disputed").set_value(True).run()
    assert not at.exception
    assert int({m.label: m.value for m in at.metric}["Patrols counted"]) == int(before) + 1
    at.number_input(key="freq_threshold").set_value(400).run()
    assert not at.exception
    # with the April 2024 patrol counted the halt's gap splits: 361 and 114 days
    assert (_gap_table(_open(at, "gaps"))["Days"] > 400).all()


def test_frequency_page_draws_only_the_open_section(frequency_page):
    at = frequency_page
    headings = [s.value for s in at.subheader]
    assert any(h.startswith("Events (") for h in headings)
    assert not any(h.startswith("Gaps longer than") for h in headings)
    assert "Patrol numbers" not in headings and "Reported against counted" not in headings
    _open(at, "gaps")
    headings = [s.value for s in at.subheader]
    assert any(h.startswith("Gaps longer than") for h in headings)
    assert not any(h.startswith("Events (") for h in headings)
    # the figures above the sections stay
    assert {m.label for m in at.metric} >= {"Patrols counted", "Longest gap"}


def test_frequency_cards_escape_and_fall_back():
    import pandas as pd

    from components.frequency import frequency_cards

    counted = pd.DataFrame({"date_precision": ["day", "month"]})
    gaps = pd.DataFrame(
        {
            "ongoing": [False, True],
            "days": [40, 900],
            "start": pd.to_datetime(["2021-01-01", "2024-08-22"]),
            "end": pd.to_datetime(["2021-02-10", "2026-11-24"]),
            "group_name": ["NE Syria", "NE Syria"],
            "explanation": ["a [link](http://x.org) *claim*", "no record"],
        }
    )
    cards = frequency_cards(
        "patrols",
        counted,
        top=None,
        gaps=gaps,
        current=gaps[gaps["ongoing"]],
        today=pd.Timestamp("2026-11-24"),
        include_disputed=False,
    )
    labels = [c[0] for c in cards]
    assert labels == [
        "Patrols counted",
        "Held of reported",
        "Longest gap",
        "Days since the last patrol",
    ]
    assert cards[0][1] == "2" and "1 of them known only" in cards[0][2]
    assert cards[2][1] == "40 days" and "[link](" not in cards[2][2]
    assert cards[3][1] == "900" and "900 days before today" in cards[3][2]
    empty = frequency_cards(
        "events",
        counted.iloc[0:0],
        top=None,
        gaps=gaps.iloc[0:0],
        current=gaps.iloc[0:0],
        today=pd.Timestamp("2026-11-24"),
        include_disputed=True,
    )
    assert [c[1] for c in empty] == ["0", "–", "–", "–"]


def test_days_since_the_last_patrol_is_counted_to_the_window_end():
    import pandas as pd

    from components.frequency import frequency_cards

    counted = pd.DataFrame({"date_precision": ["day"], "end": pd.to_datetime(["2021-04-30"])})
    none = pd.DataFrame(
        {
            "ongoing": pd.Series(dtype=bool),
            "days": pd.Series(dtype=int),
            "start": pd.Series(dtype="datetime64[ns]"),
            "end": pd.Series(dtype="datetime64[ns]"),
            "group_name": pd.Series(dtype=str),
            "explanation": pd.Series(dtype=str),
        }
    )
    cards = frequency_cards(
        "patrols",
        counted,
        top=None,
        gaps=none,
        current=none,
        today=pd.Timestamp("2026-11-24"),
        include_disputed=False,
        window_end=pd.Timestamp("2021-04-30"),
    )
    # the window ends the day of the last patrol: 0 days, said to the window's end
    assert cards[3][1] == "0"
    assert "the day of the window's end, 30 Apr 2021" in cards[3][2]
