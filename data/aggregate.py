"""Aggregations for the views: patrols per week, month, quarter or year by actor, kind or
route; headline figures; the period counts sources report; milestones. Pure pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from data import vocab
from data.filters import EventFilter, patrols
from data.model import DataSet
from data.numbers import monthly_rate, plural

PERIODS: dict[str, str] = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
GROUPINGS: dict[str, str] = {"actor": "By actor", "kind": "By kind", "route": "By route"}
DAYS_PER_MONTH = 365.25 / 12
NO_ROUTE = "No route recorded"


def period_start(when: pd.Series, period: str) -> pd.Series:
    """The first day of the week (Monday), month, quarter or year containing each date."""
    return when.dt.to_period(PERIODS[period]).dt.start_time.dt.normalize()


def group_labels(events: pd.DataFrame, ds: DataSet, by: str | None) -> pd.Series:
    """The label each event is counted under when grouped ``by`` actor, kind or route."""
    if by is None:
        return pd.Series("Patrols", index=events.index)
    if by == "actor":
        return events["actor_label"]
    if by == "kind":
        return events["kind"].map(vocab.EVENT_KINDS)
    if by == "route":
        names = dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True))
        return events["route_id"].map(names).fillna(NO_ROUTE)
    raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUPINGS)}")


def counts_per_period(
    events: pd.DataFrame,
    ds: DataSet,
    period: str = "month",
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Events counted per period and group, with empty periods filled with 0.

    Columns: ``period_start``, ``group``, ``count``, ``imprecise`` (how many of those events
    are dated more coarsely than the period, so placed in it by their first day).
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    coarse = {
        "week": {"month", "quarter", "year"},
        "month": {"quarter", "year"},
        "quarter": {"year"},
        "year": set(),
    }[period]
    frame = pd.DataFrame(
        {
            "period_start": period_start(events["start"], period),
            "group": group_labels(events, ds, by),
            "imprecise": events["date_precision"].isin(coarse).astype(int),
        }
    )
    # two plain reductions of one grouping (named aggregations cost ~10 ms more a call)
    grouped = frame.groupby(["period_start", "group"], observed=True)["imprecise"]
    # (kept on the grouping's index, which the filled frame is reindexed from)
    counts = pd.DataFrame({"count": grouped.size(), "imprecise": grouped.sum()})
    first = pd.Timestamp(start) if start else (events["start"].min() if len(events) else None)
    last = pd.Timestamp(end) if end else (events["start"].max() if len(events) else None)
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return counts.reset_index()
    index = pd.period_range(first, last, freq=PERIODS[period]).start_time.normalize()
    groups = counts.index.get_level_values("group").unique() if len(counts) else ["Patrols"]
    full = pd.MultiIndex.from_product([index, groups], names=["period_start", "group"])
    return counts.reindex(full, fill_value=0).reset_index().astype({"count": int, "imprecise": int})


@dataclass(frozen=True)
class Headline:
    """The figures at the top of the overview, for the filtered set.

    ``window_end`` is the end of the chosen window, never later than today; the days since
    the last patrol are counted to it (``ends_today`` says whether that is today)."""

    patrols: int
    disputed: int
    imprecise: int
    last_patrol: pd.Timestamp | None
    last_patrol_text: str
    days_since_last: int | None
    months: float
    mean_per_month: float | None
    window_start: pd.Timestamp | None
    window_end: pd.Timestamp | None
    ends_today: bool = True

    @property
    def rate_text(self) -> str:
        """'3.4 a month', '1 in 36 months', '–' for a window under a month."""
        return monthly_rate(self.patrols, self.months)

    def since_text(self) -> str:
        """'1,857 days before the window's end, 31 Dec 2021' (or '… before today, 1 Dec
        2026'), '' when no patrol is counted."""
        if self.days_since_last is None or self.window_end is None:
            return ""
        return since_words(self.days_since_last, self.window_end, ends_today=self.ends_today)


def since_words(days: int, end: pd.Timestamp | date, *, ends_today: bool) -> str:
    """'81 days before the window's end, 31 Dec 2021'; 'the day the window ends' for 0."""
    where = "today" if ends_today else "the window's end"
    when = pd.Timestamp(end).strftime("%-d %b %Y")
    if days <= 0:
        return f"on or after {where}, {when}" if days < 0 else f"the day of {where}, {when}"
    return f"{plural(days, 'day')} before {where}, {when}"


def counted_for_timeline(
    events: pd.DataFrame, kinds: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, tuple[str, ...], str]:
    """What a frequency timeline counts: patrols, unless the analyst chose only other kinds
    of event (convoy escorts, water cuts…), then those events (cancelled ones excluded).
    Returns the events, the kinds they stand for, and the noun for labels."""
    if not kinds or any(k in vocab.PATROL_KINDS for k in kinds):
        chosen = tuple(k for k in kinds if k in vocab.PATROL_KINDS) or vocab.PATROL_KINDS
        return patrols(events), chosen, "patrols"
    return events[events["status"] != "cancelled"], kinds, "events"


def days_since_last_patrol(events: pd.DataFrame, until: date | pd.Timestamp) -> int | None:
    """Days from the end of the last counted patrol's date window to ``until`` (the end of
    the chosen window); 0 when that window reaches ``until``."""
    # the rule of ``patrols``, on masks: no copy of the rows
    counts = events["kind"].isin(vocab.PATROL_KINDS) & events["status"].isin(
        ["carried_out", "announced"]
    )
    if not counts.any():
        return None
    return max(0, int((pd.Timestamp(until) - events.loc[counts, "end"].max()).days))


def window_end(f: EventFilter, today: date) -> pd.Timestamp:
    """The end of the window the figures cover: the filter's end, never later than today."""
    now = pd.Timestamp(today)
    return min(pd.Timestamp(f.end), now) if f.end else now


def headline(events: pd.DataFrame, f: EventFilter, today: date) -> Headline:
    """Patrols counted, the last one and the days from it to the end of the window, and the
    mean per month over the window (the filter's range, or from the first event, ending no
    later than today)."""
    from data.dates import format_at_precision

    # the rule of ``patrols``, on masks: no copy of every column of the selection
    is_patrol = events["kind"].isin(vocab.PATROL_KINDS)
    counts = is_patrol & events["status"].isin(["carried_out", "announced"])
    disputed = int((is_patrol & events["status"].isin(["disputed"])).sum())
    counted = events.loc[counts, ["start", "date_precision"]]
    last = counted.loc[counted["start"].idxmax()] if len(counted) else None
    window_start = (
        pd.Timestamp(f.start) if f.start else (events["start"].min() if len(events) else None)
    )
    end = window_end(f, today)
    months = 0.0
    if window_start is not None and not pd.isna(window_start) and end >= window_start:
        months = ((end - window_start).days + 1) / DAYS_PER_MONTH
    last_text = "none"
    if last is not None:
        last_text = format_at_precision(
            pd.Series([last["start"]]), pd.Series([last["date_precision"]])
        ).iloc[0]
    return Headline(
        patrols=len(counted),
        disputed=disputed,
        imprecise=int((counted["date_precision"] != "day").sum()),
        last_patrol=None if last is None else last["start"],
        last_patrol_text=last_text,
        days_since_last=days_since_last_patrol(events, end),
        months=round(months, 1),
        mean_per_month=len(counted) / months if months >= 1 else None,
        window_start=window_start,
        window_end=end,
        ends_today=end >= pd.Timestamp(today),
    )


def overlapping_period_counts(
    ds: DataSet,
    start: date | pd.Timestamp | None,
    end: date | pd.Timestamp | None,
    *,
    theatres: tuple[str, ...] = (),
    event_kinds: tuple[str, ...] = vocab.PATROL_KINDS,
) -> pd.DataFrame:
    """The counts sources report over periods that overlap [start, end], for these kinds
    of event. Kept apart from events counted one by one."""
    pc = ds.period_counts
    keep = pc["event_kind"].isin(event_kinds)
    if start is not None:
        keep &= pc["period_end"] >= pd.Timestamp(start)
    if end is not None:
        keep &= pc["period_start"] <= pd.Timestamp(end)
    if theatres:
        keep &= pc["theatre_id"].isin(theatres)
    out = pc[keep].copy()
    out["count_text"] = count_text(out)
    out["source_label"] = out["count_id"].map(ds.count_source_labels).fillna("")
    return out.sort_values(["period_start", "period_end"])


def first_source_labels(ds: DataSet, count_ids: pd.Series) -> pd.Series:
    """'publisher, grade' of the best-graded source of each of these period counts, indexed
    by count id (``DataSet.count_source_labels`` holds them for every count)."""
    from data.sourcing import citations_for

    cites = citations_for(ds, "period_count", count_ids).drop_duplicates("record_id")
    return (cites["publisher"] + ", " + cites["grade"]).set_axis(cites["record_id"])


def count_text(pc: pd.DataFrame) -> pd.Series:
    """'344', '3–5 a month', 'at least 24', 'about 40'."""
    if pc.empty:
        return pd.Series(dtype="str", index=pc.index)
    low = pc["count_low"].map("{:,.0f}".format)
    high = pc["count_high"].map("{:,.0f}".format)
    text = low.where(pc["count_low"] == pc["count_high"], low + "–" + high)
    text = text.mask(pc["qualifier"] == "at_least", "at least " + text)
    text = text.mask(pc["qualifier"] == "about", "about " + text)
    return text.mask(pc["unit"] == "per_month", text + " a month")


def milestones(ds: DataSet, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Events marked on timelines: those with a milestone label, and agreements,
    suspensions and resumptions. From ``events`` if given (a filtered set), else all."""
    ev = ds.events if events is None else events
    columns = ["event_id", "start", "end", "kind", "milestone", "description", "theatre_id"]
    keep = (ev["milestone"] != "") | ev["kind"].isin(vocab.MILESTONE_KINDS)
    marked = ev.loc[keep, columns]  # a new frame of these columns only
    marked["label"] = marked["milestone"].where(
        marked["milestone"] != "", marked["kind"].map(vocab.EVENT_KINDS)
    )
    return marked[["event_id", "start", "end", "kind", "label", "description", "theatre_id"]]


def chart_bands(reported: pd.DataFrame, routes: tuple[str, ...] = ()) -> pd.DataFrame:
    """The reported counts worth drawing as bands: totals and rates over a theatre (or over
    the chosen routes). Running ordinals and counts for a sub-area stay in the table."""
    keep = ~reported["qualifier"].isin(["cumulative_ordinal", "derived"])
    sub_area = reported["route_ids"].map(len) > 0
    if routes:
        keep &= ~sub_area | reported["route_ids"].map(lambda r: bool(set(r) & set(routes)))
    else:
        keep &= ~sub_area
    return reported[keep]
