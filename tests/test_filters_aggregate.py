"""Filters, alias roll-up, aggregations, headline figures, conflicts: known answers on the
synthetic fixture."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data.aggregate import (
    counts_per_period,
    days_since_last_patrol,
    headline,
    milestones,
    overlapping_period_counts,
)
from data.filters import EventFilter, filter_events, patrols, resolve_actor, with_descendants
from data.sourcing import citations_for, conflicts_for, list_conflicts


def ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["event_id"])


def test_date_range_keeps_overlapping_windows(mini):
    got = filter_events(mini, EventFilter(start=date(2020, 3, 15), end=date(2020, 12, 31)))
    # e3 is known only to March 2020: its window overlaps the range
    assert ids(got) == ["e3", "e4"]


def test_kinds_and_statuses(mini):
    got = filter_events(mini, EventFilter(kinds=("single_patrol", "convoy_escort")))
    assert ids(got) == ["e-escort", "e4"]
    got = filter_events(mini, EventFilter(statuses=("disputed",)))
    assert ids(got) == ["e-disputed"]


def test_actor_roll_up(mini):
    assert with_descendants(mini.actors, ("blue",)) == {"blue", "blue_mp"}
    blue = filter_events(mini, EventFilter(actors=("blue",)))
    assert "e2" in ids(blue)  # e2 names only Blue military police
    mp_only = filter_events(mini, EventFilter(actors=("blue_mp",)))
    assert ids(mp_only) == ["e2"]
    e2 = mini.events.set_index("event_id").loc["e2"]
    assert e2["actor_label"] == "Blue forces + Red forces"


def test_resolve_actor_by_alias(mini):
    assert resolve_actor(mini.actors, "blue mp") == "blue_mp"
    assert resolve_actor(mini.actors, "Blues") == "blue"
    assert resolve_actor(mini.actors, "nobody") is None


def test_routes_theatres_and_reliability(mini):
    assert "e7" not in ids(filter_events(mini, EventFilter(theatres=("syn_a",))))
    assert ids(filter_events(mini, EventFilter(theatres=("syn_b",)))) == ["e7"]
    assert ids(filter_events(mini, EventFilter(min_reliability="B"))) == ["e-halt"]
    on_track = filter_events(mini, EventFilter(routes=("track",)))
    assert "e5" not in ids(on_track) and "e1" in ids(on_track)


def test_filter_does_not_modify_dataset(mini):
    before = mini.events.copy()
    filter_events(mini, EventFilter(start=date(2021, 1, 1), actors=("red",)))
    pd.testing.assert_frame_equal(before, mini.events)


def test_patrols_count_rules(mini):
    counted = patrols(mini.events)
    assert "e-cancel" not in ids(counted) and "e-disputed" not in ids(counted)
    assert "e-disputed" in ids(patrols(mini.events, include_disputed=True))


def test_counts_per_month_fill_gaps(mini):
    counts = counts_per_period(
        patrols(mini.events), mini, "month", start=date(2020, 1, 1), end=date(2020, 6, 30)
    )
    by_month = counts.set_index("period_start")["count"]
    assert by_month.to_dict() == {
        pd.Timestamp("2020-01-01"): 0,
        pd.Timestamp("2020-02-01"): 2,
        pd.Timestamp("2020-03-01"): 1,
        pd.Timestamp("2020-04-01"): 0,
        pd.Timestamp("2020-05-01"): 1,
        pd.Timestamp("2020-06-01"): 0,
    }


@pytest.mark.parametrize(
    ("period", "first", "n_periods"),
    [("week", "2020-02-03", None), ("quarter", "2020-01-01", 8), ("year", "2020-01-01", 2)],
)
def test_counts_per_other_periods(mini, period, first, n_periods):
    counts = counts_per_period(patrols(mini.events), mini, period)
    assert counts["count"].sum() == len(patrols(mini.events))
    assert str(counts["period_start"].min().date()) == first
    if n_periods:
        assert counts["period_start"].nunique() == n_periods


def test_imprecise_events_are_flagged_in_weekly_counts(mini):
    counts = counts_per_period(patrols(mini.events), mini, "week")
    march = counts[counts["period_start"] == pd.Timestamp("2020-02-24")]
    assert march["imprecise"].sum() == 1  # e3 (March 2020) sits in the week of its 1st day


def test_counts_by_actor_kind_route(mini):
    ev = patrols(mini.events)
    by_actor = counts_per_period(ev, mini, "year", by="actor")
    totals = by_actor.groupby("group")["count"].sum()
    assert totals["Blue forces + Red forces"] == 6 and totals["Blue forces"] == 1
    by_kind = counts_per_period(ev, mini, "year", by="kind").groupby("group")["count"].sum()
    assert by_kind["Single-army patrol"] == 1 and by_kind["Joint patrol"] == 6
    by_route = counts_per_period(ev, mini, "year", by="route").groupby("group")["count"].sum()
    assert by_route["Synthetic track"] == 5 and by_route["No route recorded"] == 2
    with pytest.raises(ValueError, match="cannot group by"):
        counts_per_period(ev, mini, "year", by="colour")


def test_headline_and_days_since(mini):
    f = EventFilter(start=date(2020, 1, 1), end=date(2020, 12, 31))
    events = filter_events(mini, f)
    h = headline(events, f, today=date(2021, 1, 1))
    assert h.patrols == 4
    assert h.last_patrol_text == "5 May 2020"
    # counted to the end of the chosen window (31 Dec 2020), not to today
    assert h.days_since_last == (date(2020, 12, 31) - date(2020, 5, 5)).days
    assert not h.ends_today
    assert h.since_text() == "240 days before the window's end, 31 Dec 2020"
    assert h.mean_per_month == pytest.approx(4 / (366 / (365.25 / 12)), abs=0.01)
    assert h.rate_text == "0.33 a month"
    assert days_since_last_patrol(events.iloc[0:0], date(2021, 1, 1)) is None


def test_days_since_last_patrol_to_the_window_end_or_today(mini):
    open_ended = EventFilter(start=date(2020, 1, 1))
    events = filter_events(mini, open_ended)
    today = date(2030, 6, 1)
    h = headline(events, open_ended, today)
    assert h.ends_today and h.window_end == pd.Timestamp(today)
    assert h.days_since_last == (pd.Timestamp(today) - patrols(events)["end"].max()).days
    assert h.since_text().endswith("before today, 1 Jun 2030")
    # a window ending after today is measured to today; one inside the last patrol's
    # date window gives 0, never a negative count
    future = EventFilter(start=date(2020, 1, 1), end=date(2031, 1, 1))
    assert headline(filter_events(mini, future), future, today).window_end == pd.Timestamp(today)
    inside = EventFilter(start=date(2020, 1, 1), end=date(2020, 5, 5))
    h = headline(filter_events(mini, inside), inside, today)
    assert h.days_since_last == 0
    assert h.since_text() == "the day of the window's end, 5 May 2020"


def test_headline_changes_with_dates(mini):
    all_h = headline(filter_events(mini, EventFilter()), EventFilter(), date(2022, 1, 1))
    f = EventFilter(start=date(2021, 1, 1))
    h21 = headline(filter_events(mini, f), f, date(2022, 1, 1))
    assert (all_h.patrols, h21.patrols) == (7, 3)
    assert h21.disputed == 1


def test_overlapping_period_counts_are_separate(mini):
    got = overlapping_period_counts(mini, date(2021, 1, 1), date(2021, 12, 31))
    assert list(got["count_id"]) == ["pc-total"]  # the water count is not a patrol count
    assert got.iloc[0]["count_text"] == "12"
    rate = overlapping_period_counts(mini, date(2020, 1, 1), date(2020, 2, 1))
    assert set(rate["count_text"]) == {"12", "3–5 a month"}


def test_milestones(mini):
    marks = milestones(mini)
    assert list(marks["label"]) == ["Synthetic accord", "Synthetic halt", "Synthetic resumption"]


def test_conflicts_declared_and_detected(mini):
    every = list_conflicts(mini)
    assert set(every["conflict_id"]) == {"c-vehicles", "detected:e-disputed:e-halt"}
    detected = every[every["origin"] == "detected"]
    assert set(detected["subject_id"]) == {"e-disputed", "e-halt"}
    # each side keeps its own source
    assert (
        detected.set_index("subject_id").loc["e-halt", "sources_text"] == "Synthetic ministry (B2)"
    )
    assert set(conflicts_for(mini, "event", ["e1"])["claim"]) == {"8 vehicles", "12 vehicles"}


def test_citations_carry_grades(mini):
    cites = citations_for(mini, "event", ["e-halt"])
    assert list(cites["grade"]) == ["B2"]


def test_timeline_counts_patrols_unless_only_other_kinds_are_chosen(mini):
    from data.aggregate import counted_for_timeline

    ev = mini.events
    counted, kinds, noun = counted_for_timeline(ev)
    assert noun == "patrols" and kinds == ("joint_patrol", "single_patrol")
    assert ids(counted) == ids(patrols(ev))
    counted, kinds, noun = counted_for_timeline(ev, ("convoy_escort", "cancellation"))
    assert noun == "events" and kinds == ("convoy_escort", "cancellation")
    assert "e-cancel" not in ids(counted)
    _, kinds, noun = counted_for_timeline(ev, ("single_patrol", "incident"))
    assert (noun, kinds) == ("patrols", ("single_patrol",))


def test_no_overlapping_counts_is_an_empty_table(mini):
    got = overlapping_period_counts(
        mini, date(2020, 1, 1), date(2020, 2, 1), event_kinds=("agreement",)
    )
    assert got.empty and "count_text" in got.columns


def test_a_selection_travels_in_a_link_and_bad_values_are_named():
    from data.filters import Selection, selection_from_params, selection_to_params, span_words

    sel = Selection(pd.Timestamp("2021-03-03"), pd.Timestamp("2021-06-09"), ("e1", "e2"))
    params = selection_to_params(sel)
    assert params == {"selection": "2021-03-03..2021-06-09", "picked": "e1,e2"}
    assert selection_from_params(params["selection"], params["picked"]) == (sel, "")
    assert selection_to_params(Selection()) == {}
    assert selection_from_params(None) == (Selection(), "")
    # reversed ends are put in order
    back, note = selection_from_params("2021-06-09..2021-03-03")
    assert (back.start, back.end, note) == (sel.start, sel.end, "")
    for bad in ("2021-13-01..2021-06-09", "yesterday", "2021-03-03"):
        got, note = selection_from_params(bad)
        assert not got.active
        assert f"selection='{bad}'" in note and "nothing is selected" in note
    assert sel.describe() == "3 Mar – 9 Jun 2021 and 2 events picked"
    assert span_words(pd.Timestamp("2021-12-03"), pd.Timestamp("2022-01-09")) == (
        "3 Dec 2021 – 9 Jan 2022"
    )


def test_a_links_bad_dates_are_reported_with_what_was_used():
    from data.filters import check_link_dates, latest_date

    first, last, limit = date(2019, 10, 12), date(2026, 12, 1), latest_date(date(2026, 12, 1))
    assert limit == date(2126, 12, 31)  # any future date is accepted
    assert check_link_dates([], first, last, limit) == (None, [])
    fine = ["2021-01-01", "2031-06-30"]
    assert check_link_dates(fine, first, last, limit) == (None, [])
    used, notes = check_link_dates(["1900-01-01", "2021-12-31"], first, last, limit)
    assert used == (first, date(2021, 12, 31))
    assert notes == [
        "The link's dates='1900-01-01' is before the first day the data hold, 12 Oct 2019: "
        "the range starts on 12 Oct 2019 instead."
    ]
    used, notes = check_link_dates(["2021-01-01", "2021-13-45"], first, last, limit)
    assert used == (date(2021, 1, 1), last)
    assert "dates='2021-13-45' is not a date (YYYY-MM-DD)" in notes[0]
    assert "ends on 1 Dec 2026 instead" in notes[0]
    used, notes = check_link_dates(["2021-12-31", "2021-01-01"], first, last, limit)
    assert used == (date(2021, 1, 1), date(2021, 12, 31)) and "run backwards" in notes[0]
    used, notes = check_link_dates(["2021-01-01", "9999-01-01"], first, last, limit)
    assert used == (date(2021, 1, 1), limit) and "after the last day" in notes[0]
