"""Filtering events: by date range, actors (with alias roll-up), kinds, routes, theatres,
statuses and minimum source reliability. Pure pandas, vectorised; no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data import vocab
from data.frames import member
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
        involved = ds.event_actors.loc[member(ds.event_actors["actor_id"], ids), "event_id"]
        keep &= member(ev["event_id"], involved)
    return in_date_order(ev if keep.all() else ev[keep])


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
