"""Frequency analytics with known answers: gaps on the synthetic fixture's hand-made series,
rates and changes, ordinal checks, month-precision spans, coverage and running totals; and
the figures the page quotes on the embedded data."""

from __future__ import annotations

import copy
from datetime import date

import pandas as pd
import pytest

from data.aggregate import overlapping_period_counts
from data.analytics import (
    GapReport,
    Period,
    Rate,
    change_sentence,
    compare_periods,
    counted_rate,
    counts_for_routes,
    coverage,
    cumulative_counts,
    events_in_span,
    find_gaps,
    frequency_counts,
    headline_coverage,
    number_ranges,
    ordinal_checks,
    parse_period,
    period_months,
    period_options,
    reported_rate,
    uncertain_spans,
)
from data.filters import EventFilter, filter_events, patrols
from data.load import load_dataset_files
from data.sourcing import list_conflicts
from tests import fixtures
from tests.fixtures import embedded_dataset

TODAY = date(2022, 1, 31)
T = pd.Timestamp


def _gaps(ds, **kw) -> GapReport:
    return find_gaps(ds, patrols(ds.events, include_disputed=kw.pop("disputed", False)), **kw)


def _row(report: GapReport, start: str, group: str = "syn_a") -> pd.Series:
    g = report.gaps
    hit = g[(g["group"] == group) & (g["start"] == T(start))]
    assert len(hit) == 1, g[["group", "start", "end", "days"]]
    return hit.iloc[0]


# --------------------------------------------------------------------------- gaps


def test_gaps_between_windows_per_theatre(mini):
    report = _gaps(mini, today=TODAY)
    a = report.gaps[report.gaps["group"] == "syn_a"].sort_values("start")
    # e1 3 Feb, e2 17 Feb, e3 March (month), e4 5 May, e5 4 Jan 2021, e6 1 Sep 2021
    assert list(zip(a["start"].dt.strftime("%Y-%m-%d"), a["days"], strict=True)) == [
        ("2020-02-03", 14),
        ("2020-02-17", 13),  # to the first day of e3's month
        ("2020-03-31", 35),  # from the last day of e3's month
        ("2020-05-05", 244),
        ("2021-01-04", 240),
        ("2021-09-01", 152),  # ongoing, to today
    ]
    assert list(a["ongoing"]) == [False] * 5 + [True]
    b = report.gaps[report.gaps["group"] == "syn_b"]
    assert list(b["days"]) == [(T(TODAY) - T("2021-11-15")).days]
    assert b["group_name"].iloc[0] == "Synthetic theatre B"


def test_gap_days_explained_by_suspension_and_hole(mini):
    report = _gaps(mini, today=TODAY)
    # 5 Jan – 28 Feb 2021: the synthetic ministry's count of 12 runs to 28 Feb (a hole);
    # 1 Mar – 1 Sep 2021: the reported halt
    gap = _row(report, "2021-01-04")
    assert (gap["hole_days"], gap["suspension_days"], gap["unrecorded_days"]) == (55, 185, 0)
    assert gap["category"] == "suspension"
    assert gap["explanation"] == "reported suspension 185 d + coverage hole 55 d"
    assert "Synthetic halt (1 Mar 2021 – 1 Sep 2021; Synthetic ministry, B2)" in gap["reason"]
    assert "12 reported for 1 Jan 2020 – 28 Feb 2021" in gap["reason"]
    # 6 May 2020 – 4 Jan 2021: counts say patrols ran, none held: a hole; the rate of 3–5
    # a month in 2020 implies about 24 patrols at its lowest
    hole = _row(report, "2020-05-05")
    assert (hole["hole_days"], hole["suspension_days"]) == (244, 0)
    assert hole["category"] == "hole"
    assert hole["expected_missing"] == pytest.approx(23.8, abs=0.05)
    # after the counts end and no suspension: no record either way
    current = _row(report, "2021-09-01")
    assert current["ongoing"] and current["category"] == "none"
    assert current["unrecorded_days"] == current["days"]


def test_gap_segments_split_at_the_suspension(mini):
    report = _gaps(mini, today=TODAY)
    seg = report.segments[report.segments["gap_id"] == "syn_a:2021-01-04"]
    assert list(seg["category"]) == ["hole", "suspension"]
    assert seg["start"].iloc[0] == T("2021-01-04") and seg["end"].iloc[-1] == T("2021-09-01")
    assert seg["end"].iloc[0] == seg["start"].iloc[1] == T("2021-03-01")


def test_threshold_lists_longest_first(mini):
    report = _gaps(mini, today=TODAY)
    assert list(report.longer_than(60)["days"]) == [244, 240]
    assert len(report.longer_than(60, include_ongoing=True)) == 4
    assert report.longer_than(1000).empty
    assert set(report.current["group"]) == {"syn_a", "syn_b"}


def test_disputed_patrol_splits_a_gap_when_counted(mini):
    report = _gaps(mini, today=TODAY, disputed=True)
    before, after = _row(report, "2021-01-04"), _row(report, "2021-05-31")
    assert before["end"] == T("2021-05-01") and after["end"] == T("2021-09-01")
    assert before["disputed_bound"] and after["disputed_bound"]
    assert "Bounded by a disputed patrol" in after["reason"]
    assert not _row(report, "2020-05-05")["disputed_bound"]


def test_gaps_across_theatres_and_window_end(mini):
    pooled = _gaps(mini, today=TODAY, per_theatre=False)
    assert set(pooled.gaps["group"]) == {"all"}
    assert pooled.current.iloc[0]["start"] == T("2021-11-15")  # e7, theatre B
    ended = _gaps(mini, today=TODAY, window_end=date(2021, 10, 1))
    assert (ended.current["end"] == T("2021-10-01")).all()


def test_open_ended_suspension_runs_to_the_next_patrol(tmp_path):
    events = copy.deepcopy(fixtures.EVENTS)
    halt = next(e for e in events if e["event_id"] == "e-halt")
    halt["end_date"] = ""
    ds = load_dataset_files(fixtures.write_mini_dataset(tmp_path / "open", events=events))
    gap = _row(_gaps(ds, today=TODAY), "2021-01-04")
    assert gap["suspension_days"] == 185  # 1 Mar until e6 on 1 Sep
    assert "no end reported; counted until the next patrol held, 1 Sep 2021" in gap["reason"]


def test_no_patrols_no_gaps(mini):
    report = find_gaps(mini, mini.events.iloc[0:0], today=TODAY)
    assert report.gaps.empty and report.segments.empty


def test_gaps_of_other_kinds_ignore_patrol_suspensions(mini):
    escorts = mini.events[mini.events["kind"] == "convoy_escort"]
    report = find_gaps(mini, escorts, today=TODAY, kinds=("convoy_escort",))
    assert (report.gaps["suspension_days"] == 0).all()


# --------------------------------------------------------------------------- rates


def test_period_parsing_and_months():
    assert parse_period("2021") == Period("2021", "2021", T("2021-01-01"), T("2021-12-31"))
    q = parse_period("2022-Q1")
    assert (q.label, q.start, q.end, q.months) == ("Q1 2022", T("2022-01-01"), T("2022-03-31"), 3)
    assert parse_period("2022-06").label == "Jun 2022"
    custom = parse_period("2021-03-01/2021-03-16")
    assert custom.months == pytest.approx(16 / (365.25 / 12))
    with pytest.raises(ValueError):
        parse_period("spring")
    months = period_months(pd.Series([T("2019-11-01")]), pd.Series([T("2023-10-05")]))
    assert months.iloc[0] == pytest.approx(1435 / (365.25 / 12))
    assert period_options(date(2021, 11, 5), date(2022, 1, 2)) == [
        "2021",
        "2022",
        "2021-Q4",
        "2022-Q1",
        "2021-11",
        "2021-12",
        "2022-01",
    ]


def _rate(n: float, months: float, basis: str = "reported", high: float | None = None) -> Rate:
    hi = n if high is None else high
    p = Period("p", "p", T("2021-01-01"), T("2021-12-31"))
    return Rate(p, basis, n, hi, n / months, hi / months, "")


def test_change_sentence_as_an_analyst_writes_it():
    # 66 in 2021 and 10 in Q1 2022: 5.5 and 3.3 a month; the change is worked out from the
    # rates as shown (3.3 / 5.5 = 0.6), so the sentence checks by hand
    sentence, change = change_sentence(_rate(66, 12), _rate(10, 3))
    assert sentence == "from 5.5 to 3.3 patrols a month, down 40%"
    assert change == pytest.approx(-40.0)
    assert (
        change_sentence(_rate(3, 3), _rate(9, 3))[0] == "from 1.0 to 3.0 patrols a month, up 200%"
    )
    # small rates get two decimals
    assert change_sentence(_rate(9, 12), _rate(2, 3))[0] == (
        "from 0.75 to 0.67 patrols a month, down 11%"
    )
    assert change_sentence(_rate(0, 12), _rate(2, 3))[0].endswith("none in the first period")
    assert change_sentence(_rate(6, 3), _rate(6, 3))[0].endswith("about unchanged")
    ranged, _ = change_sentence(_rate(3, 1, high=5), _rate(8, 1))
    assert ranged == "from 3.0–5.0 to 8.0 patrols a month, up about 100%"


def test_counted_rate_with_month_precision(mini):
    counted = patrols(mini.events)
    q1 = counted_rate(counted, parse_period("2020-Q1"))
    assert (q1.low, q1.imprecise, q1.partly) == (3, 1, 0)  # e1, e2 and e3 (March)
    assert q1.rate == pytest.approx(1.0)
    straddle = counted_rate(counted, parse_period("2020-02-15/2020-03-15"))
    assert (straddle.low, straddle.partly) == (1, 1)  # e2 in; e3 may fall outside
    assert "may fall outside" in straddle.origin


def test_reported_rate_for_exactly_that_period(mini):
    rate = reported_rate(mini, parse_period("2020-01-01/2021-02-28"))
    assert rate is not None and rate.count_id == "pc-total"
    assert rate.rate == pytest.approx(12 / 14)
    assert "Synthetic ministry, graded B2" in rate.origin
    assert reported_rate(mini, parse_period("2020")) is None  # only a per-route rate
    on_track = reported_rate(mini, parse_period("2020"), routes=("track",))
    assert on_track is not None and (on_track.rate_low, on_track.rate_high) == (3, 5)


def test_compare_periods(mini):
    comp = compare_periods(mini, patrols(mini.events), parse_period("2020"), parse_period("2021"))
    assert comp.reported is None
    # 4 patrols in 2020 (e1–e4), 3 in 2021 (e5, e6, e7)
    assert comp.counted_sentence == "from 0.33 to 0.25 patrols a month, down 24%"
    assert list(comp.origins()["Basis"]) == ["Counted one by one"] * 2


# --------------------------------------------------------------------------- ordinals


def _numbered(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["event_id", "number_scheme", "patrol_number", "date"])
    frame["start"] = pd.to_datetime(frame["date"])
    frame["end"] = frame["start"]
    frame["date_precision"] = "day"
    frame["status"] = "carried_out"
    return frame


def test_ordinals_missing_duplicated_out_of_order_and_disputed():
    events = _numbered(
        [
            ("a1", "s", "1", "2020-01-01"),
            ("a2", "s", "2", "2020-01-05"),
            ("a2b", "s", "2", "2020-01-06"),  # a second patrol numbered 2
            ("a4", "s", "4", "2020-01-03"),  # dated before 2
            ("a5", "s", "5", "2020-01-10"),
            ("a8", "s", "8-9", "2020-01-20"),  # sources differ: 8th or 9th
            ("b7", "t", "7", "2020-02-01"),
            ("x", "", "3", "2020-02-01"),  # no scheme: not checked
            ("y", "s", "", "2020-02-01"),
        ]
    )
    checks = ordinal_checks(events).set_index("scheme")
    s = checks.loc["s"]
    assert (s["held"], s["lowest"], s["highest"]) == (6, 1, 9)
    assert s["missing"] == "3, 6–7"
    assert s["n_missing"] == 4  # 3, 6, 7 and one of 8/9
    assert s["duplicates"] == "2"
    assert s["out_of_order"] == "4"
    assert s["disputed"] == "8-9"
    assert checks.loc["t", "missing"] == "" and checks.loc["t", "n_missing"] == 0
    assert ordinal_checks(events.iloc[0:0]).empty


def test_number_ranges():
    assert number_ranges([3, 5, 6, 7, 8, 9, 16, 5]) == "3, 5–9, 16"
    assert number_ranges([]) == ""


# --------------------------------------------------------------------------- spans etc.


def test_month_precision_is_a_span(mini):
    spans = uncertain_spans(mini.events, list_conflicts(mini)).set_index("event_id")
    assert set(spans.index) == {"e3", "e-disputed"}
    e3 = spans.loc["e3"]
    assert (e3["start"], e3["end"], e3["end_exclusive"]) == (
        T("2020-03-01"),
        T("2020-03-31"),
        T("2020-04-01"),
    )
    assert e3["label"] == "Mar 2020 (month)"
    assert spans.loc["e-disputed", "conflict"] == "Patrol reported during a reported suspension"
    assert e3["conflict"] == ""


def test_events_in_span_and_by_id(mini):
    got = events_in_span(mini.events, T("2020-03-15"), T("2020-03-20"))
    assert list(got["event_id"]) == ["e3"]  # its month overlaps the span
    got = events_in_span(mini.events, None, None, ["e7"])
    assert list(got["event_id"]) == ["e7"]


def test_frequency_by_source(mini):
    labels = mini.events["actor_label"].copy()
    counts = frequency_counts(patrols(mini.events), mini, "year", "source")
    assert set(counts["group"]) == {"Synthetic test publisher"}
    assert counts["count"].sum() == len(patrols(mini.events))
    pd.testing.assert_series_equal(mini.events["actor_label"], labels)  # never modified


# --------------------------------------------------------------------------- coverage


def test_coverage_ratio_per_reported_count(mini):
    cov = coverage(mini, patrols(mini.events), overlapping_period_counts(mini, None, None))
    by_id = cov.set_index("count_id")
    total = by_id.loc["pc-total"]
    # joint patrols of theatre A inside 2020-01-01 – 2021-02-28: e1, e2, e3, e5 (e4 is single)
    assert (total["held"], total["held_imprecise"]) == (4, 1)
    assert total["ratio_text"] == "4 of 12 (33.3%)"
    rate = by_id.loc["pc-rate"]  # 3–5 a month over 2020 on the track: 36–60
    assert (rate["reported_low"], rate["reported_high"], rate["held"]) == (36, 60, 3)
    assert rate["ratio_text"] == "3 of 36–60 (5.0%–8.3%)"
    assert headline_coverage(cov)["count_id"] == "pc-total"
    assert headline_coverage(cov.iloc[0:0]) is None
    on_track = counts_for_routes(overlapping_period_counts(mini, None, None), ("track",))
    assert list(on_track["count_id"]) == ["pc-rate"]  # never a theatre-wide count


def test_headline_coverage_prefers_the_count_inside_the_window(embedded):
    held = patrols(embedded.events)
    cov = coverage(embedded, held, overlapping_period_counts(embedded, None, None))
    assert headline_coverage(cov)["count_id"] == "pc-mod-344"
    # the seed's 66 for 2021 is `unconfirmed` (no other source): listed, never the headline
    seed = cov.set_index("count_id").loc["pc-seed-2021"]
    assert seed["qualifier"] == "unconfirmed" and seed["ratio_text"] == "9 of 66 (13.6%)"
    in_2021 = headline_coverage(cov, date(2021, 1, 1), date(2021, 12, 31))
    assert in_2021["count_id"] == "pc-mod-344"


def test_running_totals_beside_reported_totals(mini):
    curves, points = cumulative_counts(
        mini, patrols(mini.events), overlapping_period_counts(mini, None, None)
    )
    assert list(points["high"]) == [12] and points["date"].iloc[0] == T("2021-02-28")
    assert points["scope_name"].iloc[0] == "Synthetic theatre A"
    assert list(curves["cumulative"]) == [1, 2, 3, 4, 5]  # e1, e2, e3, e5, e6


# --------------------------------------------------------------------------- embedded data


@pytest.fixture(scope="module")
def embedded():
    return embedded_dataset()


def test_embedded_halt_is_a_reported_suspension(embedded):
    report = find_gaps(embedded, patrols(embedded.events), today=date(2026, 11, 24))
    halt = _row(report, "2023-04-06", "ne_syria")
    assert halt["end"] == T("2024-08-22") and halt["days"] == 504
    assert halt["suspension_days"] == 323  # 5 Oct 2023 – 22 Aug 2024
    assert halt["hole_days"] == 181  # the MoD's 344 run to 5 Oct 2023
    assert "Turkish MoD: patrols halted" in halt["reason"]
    holes = report.longer_than(60)
    assert (holes["category"] == "hole").sum() >= 5


def test_embedded_344_and_the_article_comparison(embedded):
    held = patrols(embedded.events)
    cov = coverage(embedded, held, overlapping_period_counts(embedded, None, None))
    top = headline_coverage(cov)
    assert top["count_id"] == "pc-mod-344" and top["ratio_text"].endswith("of 344 (7.6%)")
    comp = compare_periods(embedded, held, parse_period("2021"), parse_period("2022-Q1"))
    assert comp.reported_sentence == "from 5.5 to 3.3 patrols a month, down 40%"
    assert "Enab Baladi" in comp.reported[0].origin and "C3" in comp.reported[0].origin


def test_embedded_april_2024_claim_is_flagged(embedded):
    events = filter_events(embedded, EventFilter())
    spans = uncertain_spans(patrols(events, include_disputed=True), list_conflicts(embedded))
    april = spans.set_index("event_id").loc["ev-2024-04-joint-disputed"]
    assert april["status"] == "disputed" and "reported suspension" in april["conflict"]
    checks = ordinal_checks(events).set_index("scheme")
    assert checks.loc["m4", "disputed"] == "22-23"
