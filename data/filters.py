"""Filtering events: by date range, actors (with alias roll-up), kinds, routes, theatres,
statuses and minimum source reliability. Pure pandas, vectorised; no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data import vocab
from data.frames import member, rows_where
from data.model import DataSet
from data.timewindow import CERTAINLY, POSSIBLY, in_window


@dataclass(frozen=True)
class EventFilter:
    """What the analyst asked to see. Empty tuples mean "all". Hashable: usable as a cache key.

    An event is in the date range when its date window (a month for a month-precision
    date) overlaps the range, so an event known only to "Nov 2019" is kept by a range
    starting 15 Nov 2019. With ``date_rule="certainly"`` only events whose whole date
    window lies inside the range are kept (``data.timewindow``).
    """

    start: date | None = None
    end: date | None = None
    actors: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    theatres: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    min_reliability: str = "F"
    date_rule: str = POSSIBLY

    def describe(self, ds: DataSet, today: date | None = None) -> str:
        """One line for captions and exports: '1 Jan 2021 – 31 Dec 2021 · Russia · all kinds'."""
        fmt = "%-d %b %Y"
        first = ds.events["start"].min()
        start = self.start or (first.date() if pd.notna(first) else None)
        end = self.end or today
        when = (
            f"{start.strftime(fmt) if start else 'start'} – {end.strftime(fmt) if end else 'today'}"
        )
        names = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
        who = ", ".join(names.get(a, a) for a in self.actors) or "all actors"
        what = ", ".join(vocab.EVENT_KINDS.get(k, k) for k in self.kinds) or "all kinds"
        if self.date_rule == CERTAINLY:
            when += " (certainly in the range)"
        parts = [when, who, what]
        if self.routes:
            routes = dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True))
            parts.append(", ".join(routes.get(r, r) for r in self.routes))
        if self.theatres:
            theatres = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
            parts.append(", ".join(theatres.get(t, t) for t in self.theatres))
        if self.min_reliability != "F":
            parts.append(f"sources graded {self.min_reliability} or better")
        return " · ".join(parts)


def with_descendants(actors: pd.DataFrame, actor_ids: tuple[str, ...] | list[str]) -> set[str]:
    """The actors and every actor that rolls up into them (Russia → Russian military police…)."""
    chosen = set(actor_ids)
    if not chosen:
        return set()
    out = set(chosen)
    parents = actors.set_index("actor_id")["parent_id"]
    while True:
        more = set(parents.index[parents.isin(out)]) - out
        if not more:
            return out
        out |= more


def resolve_actor(actors: pd.DataFrame, name: str) -> str | None:
    """The actor id whose id, name or any alias is ``name`` (case-insensitive), else None."""
    key = name.strip().casefold()
    if not key:
        return None
    names = (
        (actors["actor_id"] + "|" + actors["name"] + "|" + actors["aliases"])
        .str.casefold()
        .str.split("|")
    )
    hit = names.map(lambda xs: key in [x.strip() for x in xs])
    found = actors.loc[hit, "actor_id"]
    return None if found.empty else str(found.iloc[0])


def filter_events(ds: DataSet, f: EventFilter) -> pd.DataFrame:
    """The events that pass the filter, in date order. Never modifies ``ds``."""
    ev = ds.events
    keep = passing(ds, f)
    # the data set's events are in date order: a date range keeps mostly one run of rows,
    # sliced (sharing the data set's buffers) rather than copied
    return in_date_order(ev if keep.all() else rows_where(ev, keep))


def count_events(ds: DataSet, f: EventFilter) -> int:
    """``len(filter_events(ds, f))``, without gathering the rows."""
    return int(passing(ds, f).sum())


def passing(ds: DataSet, f: EventFilter) -> pd.Series:
    """Per event of ``ds.events``: whether it passes the filter."""
    ev = ds.events
    keep = pd.Series(True, index=ev.index)
    if f.start is not None or f.end is not None:
        keep &= in_window(ev["start"], ev["end"], f.start, f.end, f.date_rule)
    if f.kinds:
        keep &= ev["kind"].isin(f.kinds)
    if f.routes:
        keep &= ev["route_id"].isin(f.routes)
    if f.theatres:
        keep &= ev["theatre_id"].isin(f.theatres)
    if f.statuses:
        keep &= ev["status"].isin(f.statuses)
    if f.min_reliability != "F":
        rank = list(vocab.RELIABILITY).index(f.min_reliability) + 1
        keep &= ev["best_reliability_rank"] <= rank
    if f.actors:
        ids = with_descendants(ds.actors, f.actors)
        chosen = member(ds.event_actors["actor_id"], ids).to_numpy()
        index = ds.event_index
        if index.usable:  # by position: no event id hashed
            rows = index.actor_rows[chosen]
            involved = np.zeros(len(ev), dtype=bool)
            involved[rows[rows >= 0]] = True
            keep &= involved
        else:
            keep &= member(ev["event_id"], ds.event_actors.loc[chosen, "event_id"])
    return keep


def in_date_order(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` by start, then event id (stable; unknown starts last), as
    ``sort_values(["start", "event_id"])`` would, but sorted by pyarrow (pandas compares
    text keys as Python objects). Returns ``events`` itself, not a copy, when it is in that
    order already (``data.cache`` keeps the data set's events in it, so a filter's rows
    need no sort)."""
    if events.empty:
        return events
    ids = pa.array(events["event_id"].astype("str"), from_pandas=True)
    start = events["start"].to_numpy(dtype="datetime64[ns]").view("i8")
    if _ordered(start, ids):
        return events
    keys = pa.table({"start": pa.array(events["start"].to_numpy(), from_pandas=True), "id": ids})
    order = pc.sort_indices(
        keys, sort_keys=[("start", "ascending", "at_end"), ("id", "ascending", "at_end")]
    )
    return events.take(np.asarray(order))


def _ordered(start: np.ndarray, ids: pa.Array) -> bool:
    """Whether rows with these start instants (int64; NaT is the smallest) and ids are in
    (start, id) order with no unknown start."""
    if len(start) < 2:
        return not (len(start) and start[0] == np.iinfo("i8").min)
    if start[0] == np.iinfo("i8").min or (np.diff(start) < 0).any():
        return False
    ties = start[1:] == start[:-1]
    if not ties.any():
        return True
    later = np.asarray(pc.greater_equal(ids.slice(1), ids.slice(0, len(ids) - 1)), dtype=bool)
    return bool(later[ties].all())


def patrols(events: pd.DataFrame, *, include_disputed: bool = False) -> pd.DataFrame:
    """The patrols among ``events`` that count: carried out or announced (and disputed ones
    only if asked). Cancelled patrols never count."""
    statuses = ["carried_out", "announced"] + (["disputed"] if include_disputed else [])
    return events[events["kind"].isin(vocab.PATROL_KINDS) & events["status"].isin(statuses)]


# --------------------------------------------------------------------------- a selection

#: the query parameter that carries a selection made on a timeline ('2021-03-03..2021-06-09')
SELECTION_PARAM = "selection"
#: the query parameter for events picked one by one on a timeline ('e1,e2')
PICKED_PARAM = "picked"
#: at most this many picked ids travel in a link (the rest are named in a warning)
MAX_PICKED_IN_LINK = 50


@dataclass(frozen=True)
class Selection:
    """A part of the filter's window picked on a timeline: a date span (first and last
    day) and/or events picked one by one. Empty: nothing selected, the whole window."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    event_ids: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return (self.start is not None and self.end is not None) or bool(self.event_ids)

    def describe(self) -> str:
        """'3 Mar – 9 Jun 2021', '3 Mar 2021 – 9 Jan 2022', '2 events picked'."""
        parts = []
        if self.start is not None and self.end is not None:
            parts.append(span_words(self.start, self.end))
        if self.event_ids:
            n = len(self.event_ids)
            parts.append(f"{n:,} event{'s' if n != 1 else ''} picked")
        return " and ".join(parts) or "nothing"


def narrowed(f: EventFilter, sel: Selection) -> EventFilter:
    """``f`` with the selection's span as its dates (the window the page's figures count
    over when a span is selected; ``f`` itself when the selection is no span)."""
    if sel.start is None or sel.end is None:
        return f
    return replace(f, start=sel.start.date(), end=sel.end.date())


def span_words(start: pd.Timestamp | date, end: pd.Timestamp | date) -> str:
    """'3 Mar – 9 Jun 2021' (one year), '3 Mar 2021 – 9 Jan 2022', '3 Mar 2021' (one day)."""
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    if a.normalize() == b.normalize():
        return f"{a:%-d %b %Y}"
    if a.year == b.year:
        return f"{a:%-d %b} – {b:%-d %b %Y}"
    return f"{a:%-d %b %Y} – {b:%-d %b %Y}"


def selection_to_params(sel: Selection) -> dict[str, str]:
    """The query parameters that carry ``sel`` ({} when nothing is selected)."""
    out: dict[str, str] = {}
    if sel.start is not None and sel.end is not None:
        out[SELECTION_PARAM] = f"{sel.start:%Y-%m-%d}..{sel.end:%Y-%m-%d}"
    if sel.event_ids:
        out[PICKED_PARAM] = ",".join(sel.event_ids[:MAX_PICKED_IN_LINK])
    return out


def selection_from_params(span: str | None, picked: str | None = None) -> tuple[Selection, str]:
    """Read a selection from a link's parameters. Returns it and '' when they are fine, or
    what could be read and a one-line warning naming the parameter and its value and what
    was used instead ('selection=2021-13-01..x is not a span of two dates (YYYY-MM-DD..
    YYYY-MM-DD): nothing is selected')."""
    ids = tuple(dict.fromkeys(i.strip() for i in (picked or "").split(",") if i.strip()))
    if not span:
        return Selection(event_ids=ids), ""
    text = span.strip()
    first, sep, last = text.partition("..")
    try:
        start = pd.Timestamp(date.fromisoformat(first.strip())) if sep else None
        end = pd.Timestamp(date.fromisoformat(last.strip())) if sep else None
    except ValueError:
        start = end = None
    if start is None or end is None:
        return Selection(event_ids=ids), (
            f"The link's {SELECTION_PARAM}={text!r} is not a span of two dates "
            "(YYYY-MM-DD..YYYY-MM-DD): nothing is selected on the timeline."
        )
    if start > end:
        start, end = end, start
    return Selection(start, end, ids), ""


def within_window(
    sel: Selection, window_start: pd.Timestamp | None, window_end: pd.Timestamp | None
) -> tuple[Selection, str]:
    """``sel`` as a sub-window of the filter's window (clipped to it), and '' or a line
    saying what was clipped or dropped."""
    if sel.start is None or sel.end is None:
        return sel, ""
    lo = (
        sel.start if window_start is None or pd.isna(window_start) else max(sel.start, window_start)
    )
    hi = sel.end if window_end is None or pd.isna(window_end) else min(sel.end, window_end)
    asked = span_words(sel.start, sel.end)
    if lo > hi:
        return Selection(event_ids=sel.event_ids), (
            f"The selection {asked} lies outside the filter's dates: nothing is selected."
        )
    if (lo, hi) != (sel.start, sel.end):
        return Selection(lo, hi, sel.event_ids), (
            f"The selection {asked} reaches past the filter's dates: {span_words(lo, hi)} is used."
        )
    return sel, ""


# --------------------------------------------------------------------------- dates in a link

#: the query parameter of the date filter (``components.filters.KEY_DATES``)
DATES_PARAM = "dates"
#: how far ahead the date filter reaches: any future date a person means to type
FUTURE_YEARS = 100


def latest_date(today: date) -> date:
    """The last day the date filter accepts: far enough ahead for any future date."""
    return date(today.year + FUTURE_YEARS, 12, 31)


def _link_date(text: str) -> date | None:
    """A link's date: 'YYYY-MM-DD' (or the 'YYYY/MM/DD' the date widget also reads)."""
    try:
        return date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        return None


def check_link_dates(
    values: list[str], first: date, last: date, limit: date
) -> tuple[tuple[date, date] | None, list[str]]:
    """Read the ``dates`` values of a link (start, end) against what the filter accepts
    (``first``: the first day the data hold; ``limit``: the last day it accepts; ``last``:
    the default end). Returns ``(None, [])`` when they are fine as they are, else the range
    to use instead and one line per value that was changed, naming the parameter, the
    value and what was used in its place. Nothing is reset silently."""
    if not values:
        return None, []
    notes: list[str] = []
    fmt = "%-d %b %Y"
    if len(values) > 2:
        notes.append(
            f"The link gives {len(values)} {DATES_PARAM} values; only the first two (start "
            f"and end) are used, {', '.join(values[2:])!s} left out."
        )
    used: list[date] = []
    for i, text in enumerate(values[:2]):
        side, fallback = ("starts", first) if i == 0 else ("ends", last)
        day = _link_date(text)
        name = f"The link's {DATES_PARAM}={text!r}"
        if day is None:
            notes.append(
                f"{name} is not a date (YYYY-MM-DD): the range {side} on "
                f"{fallback.strftime(fmt)} instead."
            )
            day = fallback
        elif day < first:
            notes.append(
                f"{name} is before the first day the data hold, {first.strftime(fmt)}: the "
                f"range {side} on {first.strftime(fmt)} instead."
            )
            day = first
        elif day > limit:
            notes.append(
                f"{name} is after the last day the filter accepts, {limit.strftime(fmt)}: the "
                f"range {side} on {limit.strftime(fmt)} instead."
            )
            day = limit
        used.append(day)
    if len(used) == 1:
        used.append(last if used[0] <= last else used[0])
    start, end = used
    if start > end:
        notes.append(
            f"The link's {DATES_PARAM} run backwards ({start.strftime(fmt)} after "
            f"{end.strftime(fmt)}): read as {end.strftime(fmt)} – {start.strftime(fmt)}."
        )
        start, end = end, start
    if not notes:
        return None, []
    return (start, end), notes
