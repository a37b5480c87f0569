"""Frequency analytics: how often patrols ran, how the rate changed between two periods,
where the gaps are and what explains them, and how far the events we hold one by one are
from the counts sources report.

Pure pandas and numpy, vectorised over events (the only Python loops run over a handful
of reported period counts, numbering schemes or theatres); no streamlit. Nothing here
invents a record: counts sources report stay apart from events counted one by one, and
every figure says where it came from.

Dates are windows: an event known only to its month runs from the 1st to the last day of
that month. A gap between two patrols runs from the end of the earlier window to the start
of the later one, so it is the interval we are sure had no patrol we hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from data import vocab
from data.aggregate import DAYS_PER_MONTH, count_text, counts_per_period
from data.filters import patrols
from data.frames import arrow_order, join_ordered, member
from data.model import DataSet
from data.sourcing import citations_for

ONE_DAY = pd.Timedelta(days=1)
#: the group key when gaps are looked for across every theatre of the selection at once
ALL_THEATRES = "all"

#: whose numbering an announced ordinal follows (``events.number_scheme``)
SCHEME_NAMES: dict[str, str] = {
    "tr_mod_ne": "Turkish MoD, NE Syria joint patrols",
    "kobani_local": "North Press / SOHR running count, Kobani area",
    "m4": "M4 joint patrols (Turkish MoD / Russian Reconciliation Centre)",
    "wardiary": "WarDiary's numbering",
}

#: what explains the days of a gap, in the order they are listed
GAP_CATEGORIES: dict[str, str] = {
    "suspension": "reported suspension",
    "hole": "coverage hole",
    "none": "no record",
}

FREQUENCY_GROUPINGS: dict[str, str] = {
    "actor": "Actor",
    "kind": "Kind",
    "route": "Route",
    "source": "Source",
}


# --------------------------------------------------------------------------- helpers


def _ts(value: date | pd.Timestamp | None) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


def _day(text: pd.Series) -> pd.Series:
    """'5 Oct 2023' for each timestamp."""
    return text.dt.strftime("%-d %b %Y")


def _join_parts(parts: Sequence[pd.Series], sep: str) -> pd.Series:
    """Join non-empty strings across several aligned series, row by row, vectorised."""
    out = parts[0].astype("str")
    for part in parts[1:]:
        part = part.astype("str")
        joiner = pd.Series(np.where((out != "") & (part != ""), sep, ""), index=out.index)
        out = out + joiner + part
    return out


def period_months(start: pd.Series, end: pd.Series) -> pd.Series:
    """Months a period spans. Whole calendar months count as such (2021 is 12, Q1 2022 is 3)
    so a rate reads the way an analyst states it; other spans count their days divided by
    the mean month of 30.44 days."""
    start = pd.to_datetime(start)
    end = pd.to_datetime(end)
    whole = (start.dt.day == 1) & ((end + ONE_DAY).dt.day == 1)
    calendar = (end.dt.year - start.dt.year) * 12 + (end.dt.month - start.dt.month) + 1
    days = (end - start).dt.days + 1
    return calendar.astype(float).where(whole, days / DAYS_PER_MONTH)


def best_source_labels(ds: DataSet, record_type: str, ids: pd.Series) -> pd.Series:
    """The best graded source of each record as 'Publisher, B2', indexed by record id."""
    cites = citations_for(ds, record_type, ids).drop_duplicates("record_id")
    return (cites["publisher"] + ", " + cites["grade"]).set_axis(cites["record_id"])


# --------------------------------------------------------------------------- frequency


def source_groups(ds: DataSet, events: pd.DataFrame) -> pd.Series:
    """The label each event is counted under when stacked by source: the publisher of its
    best graded source."""
    cites = citations_for(ds, "event", events["event_id"]).drop_duplicates("record_id")
    best = cites.set_index("record_id")["publisher"]
    return events["event_id"].map(best).fillna("No source recorded")


def frequency_counts(
    events: pd.DataFrame,
    ds: DataSet,
    period: str = "month",
    by: str | None = "actor",
    start: date | pd.Timestamp | None = None,
    end: date | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """``data.aggregate.counts_per_period`` that can also stack by source ('source': the
    publisher of each event's best graded source). Same columns: period_start, group,
    count, imprecise."""
    if by == "source":
        # counts_per_period groups by the "actor_label" column when by="actor": hand it the
        # source label in that column, on a copy (the caller's frame is never modified)
        relabelled = events.assign(actor_label=source_groups(ds, events))
        return counts_per_period(relabelled, ds, period, by="actor", start=start, end=end)
    return counts_per_period(events, ds, period, by=by, start=start, end=end)


def uncertain_spans(events: pd.DataFrame, conflicts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Events dated more coarsely than a day, as the span of days they may fall on (drawn
    as a bar over their week, month, quarter or year rather than a point on its first day).

    Columns: event_id, start, end (the window's last day), end_exclusive (the day after, for
    drawing), precision, status, kind, label ('Apr 2024 (month)'), conflict (the topics of
    the disagreements in ``conflicts``, a ``list_conflicts`` frame, that involve the event).
    """
    from data.dates import format_at_precision

    coarse = events[events["date_precision"] != "day"]
    topics = pd.Series(dtype="str")
    if conflicts is not None and len(conflicts):
        about = conflicts[
            (conflicts["subject_type"] == "event")
            & conflicts["subject_id"].isin(coarse["event_id"])
        ].drop_duplicates(["subject_id", "topic"])
        topics = join_ordered(about["subject_id"], about["topic"], "; ")
    out = pd.DataFrame(
        {
            "event_id": coarse["event_id"],
            "start": coarse["start"],
            "end": coarse["end"],
            "end_exclusive": coarse["end"] + ONE_DAY,
            "precision": coarse["date_precision"],
            "status": coarse["status"],
            "kind": coarse["kind"],
            "label": format_at_precision(coarse["start"], coarse["date_precision"])
            + " ("
            + coarse["date_precision"]
            + ")",
        }
    )
    out["conflict"] = out["event_id"].map(topics).fillna("") if len(topics) else ""
    return out.reset_index(drop=True)


def events_in_span(
    events: pd.DataFrame,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    event_ids: Sequence[str] = (),
) -> pd.DataFrame:
    """The events whose date window overlaps [start, end], plus any named by id."""
    keep = pd.Series(False, index=events.index)
    if start is not None and end is not None:
        keep |= (events["end"] >= start) & (events["start"] <= end)
    if event_ids:
        keep |= events["event_id"].isin(list(event_ids))
    return events[keep]


# --------------------------------------------------------------------------- gaps


@dataclass(frozen=True)
class GapReport:
    """Every interval without a patrol, and what explains it.

    gaps      one row per interval: group (theatre id, or 'all'), group_name, gap_id, start
              (end of the last patrol's window), end (start of the next patrol's window, or
              today for the ongoing one), days, ongoing, after_event_id, before_event_id,
              disputed_bound, suspension_days, hole_days, unrecorded_days,
              expected_missing (patrols the sources' counts imply in the hole days),
              category (the explanation covering most days), explanation (short),
              reason (long, with sources)
    segments  the days of each gap by explanation, for shading: gap_id, group, start, end,
              category
    """

    gaps: pd.DataFrame
    segments: pd.DataFrame

    def longer_than(self, days: int, *, include_ongoing: bool = False) -> pd.DataFrame:
        """Gaps longer than ``days``, longest first."""
        keep = self.gaps["days"] > days
        if not include_ongoing:
            keep &= ~self.gaps["ongoing"]
        return self.gaps[keep].sort_values(["days", "start"], ascending=[False, True])

    @property
    def current(self) -> pd.DataFrame:
        """The interval since the last patrol, per group."""
        return self.gaps[self.gaps["ongoing"]]


GAP_COLUMNS = [
    "group",
    "group_name",
    "gap_id",
    "start",
    "end",
    "days",
    "ongoing",
    "after_event_id",
    "before_event_id",
    "disputed_bound",
    "suspension_days",
    "hole_days",
    "unrecorded_days",
    "expected_missing",
    "category",
    "explanation",
    "reason",
]


SEGMENT_COLUMNS = ["gap_id", "group", "start", "end", "category"]
_DTYPES = {
    "start": "datetime64[s]",
    "end": "datetime64[s]",
    "days": "int64",
    "ongoing": "bool",
    "disputed_bound": "bool",
    "suspension_days": "int64",
    "hole_days": "int64",
    "unrecorded_days": "int64",
    "expected_missing": "float64",
    # coverage
    "route_ids": "object",
    "period_start": "datetime64[s]",
    "period_end": "datetime64[s]",
    "months": "float64",
    "reported_low": "float64",
    "reported_high": "float64",
    "rate_low": "float64",
    "rate_high": "float64",
    "held": "int64",
    "held_partly": "int64",
    "held_imprecise": "int64",
    "held_rate": "float64",
    "ratio_low": "float64",
    "ratio_high": "float64",
}


def _typed_empty(columns: list[str]) -> pd.DataFrame:
    """An empty frame whose columns have the types a filled one has (so a boolean mask
    over it stays a mask)."""
    return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, "str")) for c in columns})


def _intervals(patrol_events: pd.DataFrame, group: pd.Series, until: pd.Timestamp) -> pd.DataFrame:
    """Intervals between consecutive patrol windows per group, and the ongoing one."""
    # only the columns used, ordered by pyarrow (pandas compares text keys one by one)
    ev = patrol_events[["event_id", "start", "end", "status"]].assign(group=group.to_numpy())
    ev = ev.iloc[arrow_order(ev, ["group", "start", "end"])]
    # grouped by integer codes of the (sorted) groups: the text is hashed once, not by
    # every group-by below; codes follow the sorted order, as group-by keys would
    codes, labels = pd.factorize(ev["group"].to_numpy(), sort=False)
    coded = not (codes < 0).any()
    by = pd.Series(codes, index=ev.index) if coded else ev["group"]
    reach = ev["end"].groupby(by).cummax()
    holder = ev["event_id"].where(ev["end"] == reach)
    holder = holder.groupby(by).ffill()
    prev_end = reach.groupby(by).shift()
    prev_id = holder.groupby(by).shift()
    prev_disputed = (ev["status"].where(ev["end"] == reach).groupby(by).ffill().groupby(by)).shift()
    between = ev["start"] > prev_end
    closed = pd.DataFrame(
        {
            "group": ev.loc[between, "group"],
            "start": prev_end[between],
            "end": ev.loc[between, "start"],
            "ongoing": False,
            "after_event_id": prev_id[between],
            "before_event_id": ev.loc[between, "event_id"],
            "disputed_bound": (ev.loc[between, "status"] == "disputed")
            | (prev_disputed[between] == "disputed"),
        }
    )
    last_end = reach.groupby(by).last()
    if coded:  # the codes' labels back
        last_end.index = pd.Index(labels[last_end.index.to_numpy()])
    last_id = holder.groupby(by).last()
    last_status = (ev["status"].where(ev["end"] == reach).groupby(by).ffill().groupby(by)).last()
    open_ = pd.DataFrame(
        {
            "group": last_end.index,
            "start": last_end.to_numpy(),
            "end": until,
            "ongoing": True,
            "after_event_id": last_id.to_numpy(),
            "before_event_id": "",
            "disputed_bound": (last_status == "disputed").to_numpy(),
        }
    )
    open_ = open_[open_["end"] > open_["start"]]
    out = pd.concat([closed, open_], ignore_index=True)
    out["start"] = pd.to_datetime(out["start"]).astype("datetime64[s]")
    out["end"] = pd.to_datetime(out["end"]).astype("datetime64[s]")
    out["days"] = (out["end"] - out["start"]).dt.days.astype(int)
    return out


def _expand(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For intervals of day indices [start, stop] (inclusive): (interval index, day index)
    for every day, without a Python loop."""
    lengths = np.maximum(stops - starts + 1, 0)
    which = np.repeat(np.arange(len(starts)), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return which, starts[which] + (np.arange(lengths.sum()) - first)


def _suspensions_and_next(ds: DataSet, kinds: Sequence[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Every suspension reported (not cancelled), in the data set's order, and per
    suspension's event id the start of the next patrol of ``kinds`` the data set holds in
    its theatre: the same whatever the filter, so worked out once per data set."""
    ev = ds.events
    every = ev[(ev["kind"] == "suspension") & (ev["status"] != "cancelled")]
    if every.empty:
        return every, pd.Series(dtype="datetime64[s]")
    # the patrols of the whole data set: only the columns needed taken (not every column)
    narrow = ev[["kind", "status", "theatre_id", "start"]]
    held = patrols(narrow[member(narrow["kind"], list(kinds))]).sort_values("start")
    nxt = pd.merge_asof(
        every[["event_id", "theatre_id", "start"]].sort_values("start"),
        held[["theatre_id", "start"]].rename(columns={"start": "next_patrol"}),
        left_on="start",
        right_on="next_patrol",
        by="theatre_id",
        direction="forward",
        allow_exact_matches=False,
    ).set_index("event_id")["next_patrol"]
    return every, nxt


def _suspension_windows(
    ds: DataSet, theatres: Sequence[str], kinds: Sequence[str], horizon: pd.Timestamp
) -> pd.DataFrame:
    """Suspensions reported in these theatres, each from its date to its end date; one with
    no end date runs until the next patrol the data set holds in its theatre (or the
    horizon)."""
    every, nxt = ds.event_index.memo(
        ("suspensions", tuple(kinds)), lambda: _suspensions_and_next(ds, kinds)
    )
    sus = every[member(every["theatre_id"], list(theatres))].sort_values("start")
    if sus.empty:
        return sus.assign(stop=pd.Series(dtype="datetime64[s]"), open_ended=pd.Series(dtype=bool))
    open_ended = sus["end_date"] == ""
    stop = sus["end"].where(~open_ended, sus["event_id"].map(nxt))
    return sus.assign(stop=stop.fillna(horizon).clip(upper=horizon), open_ended=open_ended)


def counts_for_routes(counts: pd.DataFrame, routes: Sequence[str] = ()) -> pd.DataFrame:
    """The counts that can be set beside events on the chosen routes: all of them when no
    route is chosen, else only those over (some of) those routes, never a theatre-wide one."""
    if not routes:
        return counts
    chosen = set(routes)
    return counts[counts["route_ids"].map(lambda r: bool(set(r) & chosen))]


def applicable_counts(
    ds: DataSet,
    theatres: Sequence[str],
    kinds: Sequence[str] = vocab.PATROL_KINDS,
    routes: Sequence[str] = (),
) -> pd.DataFrame:
    """Period counts that say how many patrols of these kinds ran in these theatres: over
    the whole theatre (or any of its sectors) when no route is chosen, or over the chosen
    routes when some are."""
    pc = ds.period_counts
    keep = pc["event_kind"].isin(list(kinds)) & pc["theatre_id"].isin(list(theatres))
    return counts_for_routes(pc[keep], routes)


def find_gaps(
    ds: DataSet,
    patrol_events: pd.DataFrame,
    *,
    today: date,
    window_end: date | pd.Timestamp | None = None,
    per_theatre: bool = True,
    kinds: Sequence[str] = vocab.PATROL_KINDS,
    routes: Sequence[str] = (),
) -> GapReport:
    """The intervals without a patrol among ``patrol_events``, and what explains each day.

    Per theatre (each theatre's patrols on their own) or across all theatres of the
    selection at once. The ongoing interval runs from the end of the last patrol's window to
    today (or to ``window_end`` if that is earlier). A gap runs from the end of one patrol's
    window to the start of the next, so a month-precision patrol shortens the gaps beside it
    to what is certain.

    Each day of a gap (after its first day, up to and including its last) is explained as:
    - a reported suspension: a suspension event of the theatre covers it (from its date to
      its end date; one with no end date until the next patrol held in its theatre);
    - a coverage hole: otherwise, a count a source reports for a period that includes the
      day says patrols of these kinds ran then (rate above zero), so we miss records;
    - no record: neither.
    """
    until = pd.Timestamp(today)
    if window_end is not None:
        until = min(until, pd.Timestamp(window_end))
    if patrol_events.empty:
        return GapReport(_typed_empty(GAP_COLUMNS), _typed_empty(SEGMENT_COLUMNS))
    theatre_names = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
    in_play = sorted(patrol_events["theatre_id"].unique())
    group = (
        patrol_events["theatre_id"]
        if per_theatre
        else pd.Series(ALL_THEATRES, index=patrol_events.index)
    )
    gaps = _intervals(patrol_events, group, until).sort_values(["group", "start"])
    gaps = gaps.reset_index(drop=True)
    if gaps.empty:  # the patrols' windows reach past the window's end: no interval at all
        return GapReport(_typed_empty(GAP_COLUMNS), _typed_empty(SEGMENT_COLUMNS))
    groups = sorted(gaps["group"].unique())
    g_index = {g: i for i, g in enumerate(groups)}

    origin = gaps["start"].min()
    horizon = max(gaps["end"].max(), origin)
    n_days = int((horizon - origin).days) + 2

    def to_day(when: pd.Series) -> np.ndarray:
        clipped = when.clip(lower=origin, upper=horizon)
        return ((clipped - origin).dt.days).to_numpy(dtype=np.int64)

    def group_of(theatre: pd.Series) -> np.ndarray:
        if per_theatre:
            return theatre.map(g_index).fillna(-1).to_numpy(dtype=np.int64)
        return np.zeros(len(theatre), dtype=np.int64)

    # which days each group had a reported suspension / a reported rate of patrols
    suspended = np.zeros((len(groups), n_days), dtype=bool)
    rate = np.zeros((len(groups), n_days), dtype=float)
    # a suspension of patrols explains gaps between patrols, not between other events
    about_patrols = any(k in vocab.PATROL_KINDS for k in kinds)
    sus = _suspension_windows(ds, in_play if about_patrols else [], kinds, horizon)
    if len(sus):
        sus = sus[(sus["stop"] >= origin) & (sus["start"] <= horizon)]
        g = group_of(sus["theatre_id"])
        ok = g >= 0
        which, day = _expand(to_day(sus["start"])[ok], to_day(sus["stop"])[ok])
        suspended[g[ok][which], day] = True
    counts = applicable_counts(ds, in_play, kinds, routes)
    counts = counts[
        (counts["rate_low"] > 0)
        & (counts["period_end"] >= origin)
        & (counts["period_start"] <= horizon)
    ]
    if len(counts):
        g = group_of(counts["theatre_id"])
        ok = g >= 0
        which, day = _expand(to_day(counts["period_start"])[ok], to_day(counts["period_end"])[ok])
        np.maximum.at(rate, (g[ok][which], day), counts["rate_low"].to_numpy()[ok][which])

    hole = (rate > 0) & ~suspended
    expected = np.where(hole, rate / DAYS_PER_MONTH, 0.0)

    def cumulative(values: np.ndarray) -> np.ndarray:
        return np.concatenate([np.zeros((len(groups), 1)), np.cumsum(values, axis=1)], axis=1)

    c_sus, c_hole, c_exp = cumulative(suspended), cumulative(hole), cumulative(expected)
    gi = gaps["group"].map(g_index).to_numpy(dtype=np.int64)
    first = to_day(gaps["start"]) + 1  # the gap's days: after the last patrol's window ends
    last = to_day(gaps["end"])  # ... up to the day the next one starts
    gaps["suspension_days"] = (c_sus[gi, last + 1] - c_sus[gi, first]).astype(int)
    gaps["hole_days"] = (c_hole[gi, last + 1] - c_hole[gi, first]).astype(int)
    gaps["unrecorded_days"] = gaps["days"] - gaps["suspension_days"] - gaps["hole_days"]
    gaps["expected_missing"] = (c_exp[gi, last + 1] - c_exp[gi, first]).round(1)
    day_cols = ["suspension_days", "hole_days", "unrecorded_days"]
    gaps["category"] = gaps[day_cols].to_numpy().argmax(axis=1).astype(object)
    gaps["category"] = gaps["category"].map(dict(enumerate(GAP_CATEGORIES)))
    gaps["group_name"] = (
        gaps["group"].map(theatre_names).fillna("All theatres in the selection")
        if per_theatre
        else "All theatres in the selection"
    )
    gaps["gap_id"] = gaps["group"] + ":" + gaps["start"].dt.strftime("%Y-%m-%d")
    gaps["explanation"] = _join_parts(
        [
            gaps[col].map(lambda d, w=word: f"{w} {d:,} d" if d > 0 else "")
            for col, word in zip(day_cols, GAP_CATEGORIES.values(), strict=True)
        ],
        " + ",
    )
    gaps["reason"] = _gap_reasons(ds, gaps, sus, counts, per_theatre)

    # runs of days with the same explanation, for shading on the timeline
    which, day = _expand(first, last)
    cat = np.where(suspended[gi[which], day], 0, np.where(hole[gi[which], day], 1, 2))
    if len(which):
        change = np.ones(len(which), dtype=bool)
        change[1:] = (which[1:] != which[:-1]) | (cat[1:] != cat[:-1])
        # a run is consecutive days of one gap: its first and last day are where it starts
        # and where the next one starts, less one (no group-by over every day)
        begin = np.flatnonzero(change)
        finish = np.append(begin[1:] - 1, len(which) - 1)
        agg = pd.DataFrame(
            {"gap": which[begin], "d0": day[begin], "d1": day[finish], "cat": cat[begin]}
        )
        segments = pd.DataFrame(
            {
                "gap_id": gaps["gap_id"].to_numpy()[agg["gap"].to_numpy()],
                "group": gaps["group"].to_numpy()[agg["gap"].to_numpy()],
                # a segment covers its days fully: from the start of its first day to the
                # start of the day after its last (the gap's last day is the next patrol's)
                "start": origin + pd.to_timedelta(agg["d0"].to_numpy(), unit="D"),
                "end": origin + pd.to_timedelta(agg["d1"].to_numpy() + 1, unit="D"),
                "category": pd.Series(agg["cat"].to_numpy()).map(dict(enumerate(GAP_CATEGORIES))),
            }
        )
        # the first segment starts where the gap starts (the end of the last patrol's day)
        segments["start"] = segments["start"] - ONE_DAY
        is_first = ~segments["gap_id"].duplicated()
        segments.loc[~is_first, "start"] = segments.loc[~is_first, "start"] + ONE_DAY
        segments["end"] = segments["end"] - ONE_DAY
        is_last = ~segments["gap_id"].duplicated(keep="last")
        segments.loc[~is_last, "end"] = segments.loc[~is_last, "end"] + ONE_DAY
    else:
        segments = _typed_empty(SEGMENT_COLUMNS)
    return GapReport(gaps[GAP_COLUMNS], segments)


def _gap_reasons(
    ds: DataSet,
    gaps: pd.DataFrame,
    sus: pd.DataFrame,
    counts: pd.DataFrame,
    per_theatre: bool,
) -> pd.Series:
    """The long explanation of each gap: which suspension and which counts, with sources."""
    key = gaps[["gap_id", "group", "start", "end"]]
    susp_text = pd.Series("", index=gaps.index)
    if len(sus):
        labels = sus["milestone"].where(sus["milestone"] != "", sus["description"].str.slice(0, 90))
        until = np.where(
            sus["open_ended"],
            "no end reported; counted until the next patrol held, " + _day(sus["stop"]),
            _day(sus["end"]),
        )
        src = (
            sus["event_id"]
            .map(best_source_labels(ds, "event", sus["event_id"]))
            .fillna("no source")
        )
        side = pd.DataFrame(
            {
                "s_group": sus["theatre_id"] if per_theatre else ALL_THEATRES,
                "s_start": sus["start"],
                "s_stop": sus["stop"],
                "s_text": labels + " (" + _day(sus["start"]) + " – " + until + "; " + src + ")",
            }
        )
        pairs = key.merge(side, left_on="group", right_on="s_group")
        pairs = pairs[(pairs["s_stop"] > pairs["start"]) & (pairs["s_start"] <= pairs["end"])]
        susp_text = gaps["gap_id"].map(join_ordered(pairs["gap_id"], pairs["s_text"], "; "))
    count_text_ = pd.Series("", index=gaps.index)
    if len(counts):
        src = counts["count_id"].map(best_source_labels(ds, "period_count", counts["count_id"]))
        side = pd.DataFrame(
            {
                "c_group": counts["theatre_id"] if per_theatre else ALL_THEATRES,
                "c_start": counts["period_start"],
                "c_end": counts["period_end"],
                "c_rate": counts["rate_low"],
                "c_text": count_text(counts)
                + " reported for "
                + _day(counts["period_start"])
                + " – "
                + _day(counts["period_end"])
                + " ("
                + counts["scope"]
                + "; "
                + src.fillna("no source")
                + ")",
            }
        )
        pairs = key.merge(side, left_on="group", right_on="c_group")
        pairs = pairs[(pairs["c_end"] > pairs["start"]) & (pairs["c_start"] < pairs["end"])]
        pairs = pairs.sort_values(["gap_id", "c_rate"], ascending=[True, False])
        pairs = pairs.groupby("gap_id").head(2)
        count_text_ = gaps["gap_id"].map(join_ordered(pairs["gap_id"], pairs["c_text"], "; "))
    susp_text = susp_text.fillna("")
    count_text_ = count_text_.fillna("")
    parts = [
        pd.Series(
            np.where(
                gaps["suspension_days"] > 0,
                "Reported suspension for "
                + gaps["suspension_days"].map("{:,}".format)
                + " d: "
                + susp_text,
                "",
            ),
            index=gaps.index,
        ),
        pd.Series(
            np.where(
                gaps["hole_days"] > 0,
                "Coverage hole for "
                + gaps["hole_days"].map("{:,}".format)
                + " d: sources' counts say patrols ran then (about "
                + gaps["expected_missing"].round(0).astype(int).map("{:,}".format)
                + " at their lowest rate) that we do not hold one by one: "
                + count_text_,
                "",
            ),
            index=gaps.index,
        ),
        pd.Series(
            np.where(
                gaps["unrecorded_days"] > 0,
                "No record for "
                + gaps["unrecorded_days"].map("{:,}".format)
                + " d: no source in the data set reports a suspension or patrols then",
                "",
            ),
            index=gaps.index,
        ),
        pd.Series(
            np.where(
                gaps["disputed_bound"],
                "Bounded by a disputed patrol (its date conflicts with other reports)",
                "",
            ),
            index=gaps.index,
        ),
    ]
    return _join_parts(parts, ". ")


# --------------------------------------------------------------------------- coverage


COVERAGE_COLUMNS = [
    "count_id",
    "theatre_id",
    "route_ids",
    "period_start",
    "period_end",
    "months",
    "scope",
    "qualifier",
    "reported",
    "reported_low",
    "reported_high",
    "rate_low",
    "rate_high",
    "held",
    "held_partly",
    "held_imprecise",
    "held_rate",
    "ratio_low",
    "ratio_high",
    "ratio_text",
    "source",
    "note",
]


def coverage(ds: DataSet, held: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Each reported period count beside the patrols we hold one by one for the same period,
    theatre, kind and routes, with the coverage ratio (held / reported).

    ``held`` are the patrols held (after every filter but the date range: each count is
    compared over its whole period). A held patrol is inside the period when its whole
    date window is; one whose window straddles an end of the period is counted apart
    (``held_partly``). A rate 'a month' is turned into a total over the period's months.

    Columns: count_id, theatre_id, period_start, period_end, months, scope, qualifier,
    reported (text), reported_low, reported_high, rate_low, rate_high, held, held_partly,
    held_imprecise, held_rate, ratio_low, ratio_high, ratio_text, source, note.
    """
    if counts.empty:
        return _typed_empty(COVERAGE_COLUMNS)
    pc = counts.copy()
    months = period_months(pc["period_start"], pc["period_end"])
    per_month = pc["unit"] == "per_month"
    pc["months"] = months
    pc["reported_low"] = pc["count_low"].where(~per_month, pc["count_low"] * months).round(0)
    pc["reported_high"] = pc["count_high"].where(~per_month, pc["count_high"] * months).round(0)
    pc["rate_low"] = pc["reported_low"] / months
    pc["rate_high"] = pc["reported_high"] / months

    inside, partly, imprecise = [], [], []
    # the held patrols' columns read once, as numbers (theatre and kind as codes): a pass
    # per reported count compares arrays, not text
    theatre, theatres = pd.factorize(held["theatre_id"])
    kind, kinds = pd.factorize(held["kind"])
    theatre_at = dict(zip(theatres, range(len(theatres)), strict=True))
    kind_at = dict(zip(kinds, range(len(kinds)), strict=True))
    starts = held["start"].to_numpy()
    ends = held["end"].to_numpy()
    coarse = (held["date_precision"] != "day").to_numpy(dtype=bool)
    for row in pc.itertuples(index=False):  # one pass per reported count, vectorised inside
        match = (theatre == theatre_at.get(row.theatre_id, -2)) & (
            kind == kind_at.get(row.event_kind, -2)
        )
        if row.route_ids:
            match &= held["route_id"].isin(list(row.route_ids)).to_numpy(dtype=bool)
        first, last = np.datetime64(row.period_start), np.datetime64(row.period_end)
        within = match & (starts >= first) & (ends <= last)
        overlaps = match & (ends >= first) & (starts <= last)
        inside.append(int(within.sum()))
        partly.append(int((overlaps & ~within).sum()))
        imprecise.append(int((within & coarse).sum()))
    pc["held"] = inside
    pc["held_partly"] = partly
    pc["held_imprecise"] = imprecise
    pc["held_rate"] = pc["held"] / months
    pc["ratio_low"] = (pc["held"] / pc["reported_high"]).where(pc["reported_high"] > 0)
    pc["ratio_high"] = (pc["held"] / pc["reported_low"]).where(pc["reported_low"] > 0)
    pc["reported"] = count_text(pc)
    low_pct = (pc["ratio_low"] * 100).map("{:.1f}%".format)
    high_pct = (pc["ratio_high"] * 100).map("{:.1f}%".format)
    totals = (
        pc["reported_low"]
        .map("{:,.0f}".format)
        .where(
            pc["reported_low"] == pc["reported_high"],
            pc["reported_low"].map("{:,.0f}".format)
            + "–"
            + pc["reported_high"].map("{:,.0f}".format),
        )
    )
    pct = low_pct.where(pc["reported_low"] == pc["reported_high"], low_pct + "–" + high_pct)
    pc["ratio_text"] = (pc["held"].map("{:,}".format) + " of " + totals + " (" + pct + ")").where(
        pc["reported_high"] > 0, pc["held"].map("{:,}".format) + " held; none reported"
    )
    pc["source"] = pc["count_id"].map(best_source_labels(ds, "period_count", pc["count_id"]))

    return pc[COVERAGE_COLUMNS].sort_values(["period_start", "period_end"]).reset_index(drop=True)


def headline_coverage(
    cov: pd.DataFrame,
    window_start: date | pd.Timestamp | None = None,
    window_end: date | pd.Timestamp | None = None,
) -> pd.Series | None:
    """The count to quote at the top: a total a source states outright (not a rate, running
    ordinal or derived figure), the one whose period lies most inside the window, the largest
    among equals; None if there is none."""
    if cov.empty:
        return None
    sure = cov[cov["qualifier"].isin(["exact", "at_least", "about"]) & (cov["reported_high"] > 0)]
    if sure.empty:
        return None
    lo = (
        sure["period_start"].clip(lower=_ts(window_start)) if window_start else sure["period_start"]
    )
    hi = sure["period_end"].clip(upper=_ts(window_end)) if window_end else sure["period_end"]
    length = (sure["period_end"] - sure["period_start"]).dt.days + 1
    inside = ((hi - lo).dt.days + 1).clip(lower=0) / length
    ranked = sure.assign(inside=inside.round(3))
    return ranked.sort_values(["inside", "reported_high"], ascending=False).iloc[0]


def cumulative_counts(
    ds: DataSet, held: pd.DataFrame, counts: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Running totals: the patrols held one by one, per scope, beside the totals sources
    report from the start.

    A reported total counts from the start when its period begins no later than the first
    patrol we hold in its scope (theatre, kind and routes): the Turkish MoD's 344 from 1 Nov
    2019, the Kobani-area ordinals, the M4 totals. Returns (curves: scope, scope_name,
    date, cumulative; points: scope, scope_name, date, low, high, text, source).
    """
    empty = (
        pd.DataFrame(columns=["scope", "scope_name", "date", "cumulative"]),
        pd.DataFrame(columns=["scope", "scope_name", "date", "low", "high", "text", "source"]),
    )
    totals = counts[
        (counts["unit"] == "total")
        & (counts["qualifier"] != "derived")
        & (counts["count_high"] > 0)
    ]
    if totals.empty:
        return empty
    theatre_names = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
    scope_text = totals["scope"]  # the source's own words for what it counts
    scope = (
        totals["theatre_id"] + "/" + totals["event_kind"] + "/" + totals["route_ids"].map("|".join)
    )
    # a whole theatre by its name; a narrower scope in the words of its first source
    narrow = totals["route_ids"].map(len) > 0
    first_words = (
        scope_text.groupby(scope).transform("first").str.replace(r"\s*\([^()]*\)$", "", regex=True)
    )
    scope_name = (
        totals["theatre_id"]
        .map(theatre_names)
        .fillna(totals["theatre_id"])
        .where(~narrow, first_words)
    )
    totals = totals.assign(scope=scope, scope_name=scope_name, scope_text=scope_text)
    curves, keep = [], []
    for sc in totals.drop_duplicates("scope").itertuples(index=False):  # one per scope
        match = (held["theatre_id"] == sc.theatre_id) & (held["kind"] == sc.event_kind)
        if sc.route_ids:
            match &= held["route_id"].isin(list(sc.route_ids))
        # the dates alone: a copy of every column of most of the data set is ~500 MB at 1M
        starts = held.loc[match, "start"].sort_values()
        first = starts.min() if len(starts) else None
        starts_early = totals[(totals["scope"] == sc.scope)]
        if first is not None:
            starts_early = starts_early[starts_early["period_start"] <= first]
        if starts_early.empty:
            continue
        keep.append(starts_early)
        curves.append(
            pd.DataFrame(
                {
                    "scope": sc.scope,
                    "scope_name": sc.scope_name,
                    "date": starts.to_numpy(),
                    "cumulative": np.arange(1, len(starts) + 1),
                }
            )
        )
    if not keep:
        return empty
    reported = pd.concat(keep)
    points = pd.DataFrame(
        {
            "scope": reported["scope"],
            "scope_name": reported["scope_name"],
            "date": reported["period_end"],
            "low": reported["count_low"],
            "high": reported["count_high"],
            "text": count_text(reported)
            + " to "
            + _day(reported["period_end"])
            + ", "
            + reported["scope_text"],
            "source": reported["count_id"].map(
                best_source_labels(ds, "period_count", reported["count_id"])
            ),
        }
    )
    return (
        pd.concat(curves, ignore_index=True) if curves else empty[0],
        points.sort_values("date").reset_index(drop=True),
    )


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A span of whole days an analyst compares: a year, quarter, month or any range."""

    key: str
    label: str
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def months(self) -> float:
        """Calendar months for whole months (2021: 12), else days / 30.44."""
        return float(period_months(pd.Series([self.start]), pd.Series([self.end])).iloc[0])


def parse_period(key: str) -> Period:
    """'2021', '2022-Q1', '2022-06' or '2021-03-01/2021-06-30' as a Period."""
    text = key.strip()
    if "/" in text:
        a, b = (pd.Timestamp(x) for x in text.split("/", 1))
        return Period(text, f"{a:%-d %b %Y} – {b:%-d %b %Y}", a, b)
    if len(text) == 4 and text.isdigit():
        p = pd.Period(text, freq="Y")
        label = text
    elif "-Q" in text:
        p = pd.Period(text.replace("-", ""), freq="Q")
        label = f"Q{p.quarter} {p.year}"
    elif len(text) == 7:
        p = pd.Period(text, freq="M")
        label = f"{p.start_time:%b %Y}"
    else:
        raise ValueError(f"not a period: {key!r} (use 2021, 2022-Q1, 2022-06 or a/b dates)")
    return Period(text, label, p.start_time.normalize(), p.end_time.normalize())


def period_options(first: date | pd.Timestamp, last: date | pd.Timestamp) -> list[str]:
    """Keys of the years, quarters and months from ``first`` to ``last``, for a picker."""
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    years = [str(y) for y in range(a.year, b.year + 1)]
    quarters = [f"{p.year}-Q{p.quarter}" for p in pd.period_range(a, b, freq="Q")]
    months = [f"{p.year}-{p.month:02d}" for p in pd.period_range(a, b, freq="M")]
    return years + quarters + months


@dataclass(frozen=True)
class Rate:
    """How many patrols in a period and how many a month, and where the figure came from."""

    period: Period
    basis: str  # "counted" (held one by one) or "reported" (a source's period count)
    low: float
    high: float
    rate_low: float
    rate_high: float
    origin: str
    count_id: str = ""
    imprecise: int = 0
    partly: int = 0

    @property
    def rate(self) -> float:
        """The middle of the rate range (the rate itself for a single figure)."""
        return (self.rate_low + self.rate_high) / 2


def counted_rate(patrol_events: pd.DataFrame, period: Period, scope: str = "") -> Rate:
    """Patrols held one by one whose whole date window lies in the period, per month.

    A patrol whose window straddles an end of the period (known only to a month that
    crosses it) is not counted but reported in ``partly``; those dated more coarsely than a
    day but inside are counted and reported in ``imprecise``."""
    ev = patrol_events
    inside = (ev["start"] >= period.start) & (ev["end"] <= period.end)
    overlaps = (ev["end"] >= period.start) & (ev["start"] <= period.end)
    n = int(inside.sum())
    imprecise = int((inside & (ev["date_precision"] != "day")).sum())
    partly = int((overlaps & ~inside).sum())
    months = period.months
    notes = []
    if imprecise:
        notes.append(f"{imprecise} dated only to the week or month")
    if partly:
        notes.append(f"{partly} more whose date may fall outside it not counted")
    origin = (
        f"{n} patrol(s) held one by one in {period.label}"
        + (f" ({scope})" if scope else "")
        + f" over {months:g} months"
        + (f"; {'; '.join(notes)}" if notes else "")
    )
    return Rate(period, "counted", n, n, n / months, n / months, origin, "", imprecise, partly)


def reported_rate(
    ds: DataSet,
    period: Period,
    theatres: Sequence[str] = (),
    routes: Sequence[str] = (),
    kinds: Sequence[str] = vocab.PATROL_KINDS,
) -> Rate | None:
    """A count a source reports for exactly this period (the best graded one if several),
    as a rate a month; None if no source counts this period."""
    pc = ds.period_counts
    keep = (
        pc["event_kind"].isin(list(kinds))
        & (pc["period_start"] == period.start)
        & (pc["period_end"] == period.end)
        & ~pc["qualifier"].isin(["cumulative_ordinal", "derived"])
    )
    if theatres:
        keep &= pc["theatre_id"].isin(list(theatres))
    if routes:
        chosen = set(routes)
        keep &= pc["route_ids"].map(lambda r: bool(set(r) & chosen))
    else:
        keep &= pc["route_ids"].map(len) == 0
    found = pc[keep]
    if found.empty:
        return None
    cites = citations_for(ds, "period_count", found["count_id"])
    best = cites.iloc[0]
    row = found.set_index("count_id").loc[best["record_id"]]
    months = period.months
    per_month = row["unit"] == "per_month"
    low = float(row["count_low"]) * (months if per_month else 1)
    high = float(row["count_high"]) * (months if per_month else 1)
    text = count_text(found.set_index("count_id").loc[[best["record_id"]]]).iloc[0]
    origin = (
        f"{text} reported for {period.label} ({row['scope']}): {best['publisher']}, "
        f"graded {best['grade']}, over {months:g} months"
    )
    return Rate(
        period, "reported", low, high, low / months, high / months, origin, best["record_id"]
    )


def _fmt_rate(low: float, high: float, decimals: int) -> str:
    a, b = f"{low:.{decimals}f}", f"{high:.{decimals}f}"
    return a if a == b else f"{a}–{b}"


def change_sentence(a: Rate, b: Rate, unit: str = "patrols a month") -> tuple[str, float | None]:
    """The sentence an analyst would write, and the change in percent it states.

    'from 5.5 to 3.3 patrols a month, down 40%'. Rates are shown to one decimal (two when
    either is under one a month) and the change is worked out from the rates as shown, so
    the sentence checks out by hand (the unrounded change is in ``Comparison.exact_change``).
    A range on either side compares the middles and says 'about'.
    """
    decimals = 1 if min(a.rate, b.rate) >= 1 or max(a.rate, b.rate) == 0 else 2
    shown_a = round(a.rate, decimals)
    shown_b = round(b.rate, decimals)
    ranged = a.rate_low != a.rate_high or b.rate_low != b.rate_high
    text_a = _fmt_rate(a.rate_low, a.rate_high, decimals)
    text_b = _fmt_rate(b.rate_low, b.rate_high, decimals)
    head = f"from {text_a} to {text_b} {unit}"
    if shown_a == 0:
        return (head + (", none in the first period" if shown_b else ", none in either")), None
    change = (shown_b - shown_a) / shown_a * 100
    pct = round(abs(change))
    if pct == 0:
        return f"{head}, about unchanged", 0.0
    word = "up" if change > 0 else "down"
    return f"{head}, {word} {'about ' if ranged else ''}{pct}%", change


@dataclass(frozen=True)
class Comparison:
    """Two periods' rates (counted one by one, and reported where a source counts that
    exact period), each change as a sentence, and where each number came from."""

    a: Period
    b: Period
    counted: tuple[Rate, Rate]
    counted_sentence: str
    counted_change: float | None
    reported: tuple[Rate, Rate] | None
    reported_sentence: str
    reported_change: float | None

    @property
    def exact_change(self) -> float | None:
        """The change in percent on unrounded rates (reported if both are, else counted)."""
        a, b = self.reported or self.counted
        return None if a.rate == 0 else (b.rate - a.rate) / a.rate * 100

    def origins(self) -> pd.DataFrame:
        """One row per number: basis, period, per month, how it was worked out."""
        rates = list(self.counted) + (list(self.reported) if self.reported else [])
        return pd.DataFrame(
            {
                "Basis": [
                    "Counted one by one" if r.basis == "counted" else "Reported by a source"
                    for r in rates
                ],
                "Period": [r.period.label for r in rates],
                "Patrols": [_fmt_rate(r.low, r.high, 0) for r in rates],
                "Per month": [_fmt_rate(r.rate_low, r.rate_high, 2) for r in rates],
                "Where from": [r.origin for r in rates],
            }
        )


def compare_periods(
    ds: DataSet,
    patrol_events: pd.DataFrame,
    a: Period,
    b: Period,
    *,
    theatres: Sequence[str] = (),
    routes: Sequence[str] = (),
    scope: str = "",
) -> Comparison:
    """The rate in each period, counted and (where a source counts that exact period)
    reported, with the change stated as an analyst would."""
    counted = (counted_rate(patrol_events, a, scope), counted_rate(patrol_events, b, scope))
    c_sentence, c_change = change_sentence(*counted)
    ra = reported_rate(ds, a, theatres, routes)
    rb = reported_rate(ds, b, theatres, routes)
    reported = (ra, rb) if ra is not None and rb is not None else None
    r_sentence, r_change = change_sentence(*reported) if reported else ("", None)
    return Comparison(a, b, counted, c_sentence, c_change, reported, r_sentence, r_change)


# --------------------------------------------------------------------------- ordinals


def number_ranges(numbers: Sequence[int]) -> str:
    """'3, 5–9, 16' for [3, 5, 6, 7, 8, 9, 16]."""
    values = np.unique(np.asarray(list(numbers), dtype=np.int64))
    if values.size == 0:
        return ""
    breaks = np.flatnonzero(np.diff(values) != 1) + 1
    parts = []
    for run in np.split(values, breaks):
        parts.append(str(run[0]) if run.size == 1 else f"{run[0]}–{run[-1]}")
    return ", ".join(parts)


def ordinal_numbers(events: pd.DataFrame) -> pd.DataFrame:
    """The events that carry an announced ordinal, parsed: scheme, low, high (a label such
    as '22-23', where sources differ, gives 22 and 23), disputed_label, and whether the
    number's date comes after a higher number's (``out_of_order``: its whole date window
    ends before a lower-numbered patrol's window starts)."""
    numbered = events[(events["patrol_number"] != "") & (events["number_scheme"] != "")]
    parts = numbered["patrol_number"].str.extract(r"^\s*(\d+)\s*(?:[-–/]\s*(\d+))?\s*$")
    out = pd.DataFrame(
        {
            "event_id": numbered["event_id"],
            "scheme": numbered["number_scheme"],
            "label": numbered["patrol_number"],
            "low": pd.to_numeric(parts[0]),
            "high": pd.to_numeric(parts[1].fillna(parts[0])),
            "start": numbered["start"],
            "end": numbered["end"],
            "date_precision": numbered["date_precision"],
            "status": numbered["status"],
        }
    ).dropna(subset=["low"])
    out["low"] = out["low"].astype(int)
    out["high"] = out["high"].astype(int)
    out["disputed_label"] = out["low"] != out["high"]
    out = out.sort_values(["scheme", "low", "start"]).reset_index(drop=True)
    # a later-dated lower number: the running latest start among lower numbers
    latest_before = out.groupby("scheme")["start"].cummax().groupby(out["scheme"]).shift()
    out["out_of_order"] = out["end"] < latest_before
    return out


def ordinal_checks(events: pd.DataFrame) -> pd.DataFrame:
    """Per numbering scheme: the numbers held, the missing ones between the lowest and the
    highest, duplicates, numbers out of date order, and labels sources disagree on.

    Columns: scheme, scheme_name, held, lowest, highest, missing, n_missing, duplicates,
    out_of_order, disputed, note.
    """
    nums = ordinal_numbers(events)
    cols = [
        "scheme", "scheme_name", "held", "lowest", "highest", "missing", "n_missing",
        "duplicates", "out_of_order", "disputed", "note",
    ]  # fmt: skip
    if nums.empty:
        return pd.DataFrame(columns=cols)
    exact = nums[~nums["disputed_label"]]
    ranged = nums[nums["disputed_label"]]
    # every number each event may carry (a disputed label covers each candidate)
    span = nums.assign(
        n=[np.arange(lo, hi + 1) for lo, hi in zip(nums["low"], nums["high"], strict=True)]
    )
    candidates = span.explode("n")
    candidates["n"] = candidates["n"].astype(int)
    dup = exact.groupby(["scheme", "low"]).size()
    dup = dup[dup > 1].reset_index()
    rows = []
    for scheme, group in nums.groupby("scheme", sort=True):  # one pass per scheme
        lo, hi = int(group["low"].min()), int(group["high"].max())
        claimed = set(candidates.loc[candidates["scheme"] == scheme, "n"])
        missing = sorted(set(range(lo, hi + 1)) - claimed)
        scheme_ranged = ranged[ranged["scheme"] == scheme]
        # each disputed label holds one patrol for several candidate numbers
        unsure = int((scheme_ranged["high"] - scheme_ranged["low"]).sum())
        dups = dup.loc[dup["scheme"] == scheme, "low"].tolist()
        late = group.loc[group["out_of_order"], "label"].tolist()
        disputed = scheme_ranged["label"].tolist()
        note = []
        if disputed:
            note.append(
                "sources differ on "
                + ", ".join(disputed)
                + f": one of those numbers is missing too ({unsure} more)"
            )
        rows.append(
            {
                "scheme": scheme,
                "scheme_name": SCHEME_NAMES.get(scheme, scheme),
                "held": len(group),
                "lowest": lo,
                "highest": hi,
                "missing": number_ranges(missing),
                "n_missing": len(missing) + unsure,
                "duplicates": ", ".join(str(d) for d in dups),
                "out_of_order": ", ".join(late),
                "disputed": ", ".join(disputed),
                "note": "; ".join(note),
            }
        )
    return pd.DataFrame(rows, columns=cols)
