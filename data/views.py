"""View-models: for each page, one pure function that returns everything the page draws.

A page reads its widgets, calls its view function with the data set, the shared filter and
today, and hands the parts to ``components``; the briefing export calls the same function,
so a slide cannot drift from the page. Pure pandas: no streamlit, nothing cached here
(``data.cache`` holds every cache).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import pandas as pd

from data.aggregate import (
    Headline,
    chart_bands,
    counted_for_timeline,
    counts_per_period,
    headline,
    milestones,
    overlapping_period_counts,
)
from data.analytics import (
    Comparison,
    GapReport,
    compare_periods,
    counts_for_routes,
    coverage,
    cumulative_counts,
    find_gaps,
    frequency_counts,
    headline_coverage,
    ordinal_checks,
    parse_period,
    period_options,
    reported_rate,
    uncertain_spans,
)
from data.filters import (
    EventFilter,
    Selection,
    filter_events,
    narrowed,
    patrols,
    within_window,
)
from data.mapview import POPUP_EVENTS, MapView, build_map_view
from data.model import DataSet
from data.numbers import count
from data.sourcing import claims_involving
from data.timewindow import in_window

Window = tuple[pd.Timestamp, pd.Timestamp]


def _window(head: Headline) -> Window | None:
    start = head.window_start
    if start is None or pd.isna(start):
        return None
    return (start, head.window_end)


def overview_map_view(
    ds: DataSet,
    events: pd.DataFrame,
    *,
    window_start: pd.Timestamp | None = None,
    window_end: pd.Timestamp | None = None,
    theatres: tuple[str, ...] = (),
) -> MapView:
    """What the overview's map draws (Overview, How often, the briefing): the one map
    aggregation without implied tracks or visits, each marker listing its newest events."""
    return build_map_view(
        ds,
        events,
        window_start=window_start,
        window_end=window_end,
        theatres=theatres,
        detail=False,
        popup_events=POPUP_EVENTS,
    )


# --------------------------------------------------------------------------- overview


@dataclass(frozen=True)
class OverviewView:
    """Everything the Overview draws, for one filter."""

    description: str
    events: pd.DataFrame
    head: Headline
    noun: str
    reported: pd.DataFrame
    bands: pd.DataFrame
    by: str
    counts: pd.DataFrame
    marks: pd.DataFrame
    window: Window | None
    map: MapView
    disputes: pd.DataFrame


#: what ``counts_per_period`` reads of the events counted (and what picks them)
_TIMELINE_COLUMNS = ("start", "date_precision", "actor_label", "kind", "route_id", "status")


def overview_view(
    ds: DataSet,
    f: EventFilter,
    today: date,
    *,
    by: str = "actor",
    events: pd.DataFrame | None = None,
    conflicts: pd.DataFrame | None = None,
) -> OverviewView:
    """The headline figures, the map, the monthly timeline stacked ``by`` actor, kind or
    route, the counts sources report for overlapping periods, and the disagreements about
    the filtered events (from ``conflicts``, the data set's conflicts)."""
    events = filter_events(ds, f) if events is None else events
    head = headline(events, f, today)
    # the timeline's counts read these columns only: the rows counted are taken of them
    columns = [c for c in _TIMELINE_COLUMNS if c in events.columns]
    counted, kinds, noun = counted_for_timeline(events[columns], f.kinds)
    reported = overlapping_period_counts(
        ds, head.window_start, head.window_end, theatres=f.theatres, event_kinds=kinds
    )
    window = _window(head)
    start, end = window if window else (None, None)
    counts = counts_per_period(counted, ds, "month", by=by, start=start, end=end)
    disputes = (
        claims_involving(conflicts, "event", events["event_id"])
        if conflicts is not None
        else pd.DataFrame()
    )
    return OverviewView(
        description=f.describe(ds, today),
        events=events,
        head=head,
        noun=noun,
        reported=reported,
        bands=chart_bands(reported, f.routes),
        by=by,
        counts=counts,
        marks=milestones(ds, events),
        window=window,
        map=overview_map_view(
            ds,
            events,
            window_start=head.window_start,
            window_end=head.window_end,
            theatres=f.theatres,
        ),
        disputes=disputes,
    )


# --------------------------------------------------------------------------- map explorer


@dataclass(frozen=True)
class ExplorerView:
    """Everything the Map explorer draws."""

    description: str
    events: pd.DataFrame
    map: MapView
    zones: dict


def _explorer_map(
    ds: DataSet,
    events: pd.DataFrame,
    f: EventFilter,
    dates: EventFilter,
    today: date,
    precise_only: bool,
) -> MapView:
    """The explorer's map of ``events`` of filter ``f`` over the dates of ``dates`` (the
    filter itself, or the filter narrowed to a timeline selection)."""
    return build_map_view(
        ds,
        events,
        window_start=pd.Timestamp(dates.start) if dates.start else None,
        window_end=pd.Timestamp(dates.end or today),
        theatres=f.theatres,
        routes=f.routes,
        precise_only=precise_only,
    )


def explorer_view(
    ds: DataSet,
    f: EventFilter,
    today: date,
    *,
    zones: dict,
    precise_only: bool = False,
    events: pd.DataFrame | None = None,
) -> ExplorerView:
    """The explorer's map of the filtered events (routes, tracks, visits, sites, events by
    precision) and the agreements' ``zones`` (``data.zones.zone_layer``) of the filter's
    theatres."""
    from data.zones import zones_for_theatres

    events = filter_events(ds, f) if events is None else events
    view = _explorer_map(ds, events, f, f, today, precise_only)
    return ExplorerView(
        description=f.describe(ds, today),
        events=events,
        map=view,
        zones=zones_for_theatres(zones, f.theatres),
    )


@dataclass(frozen=True)
class ExplorerTimeline:
    """The explorer's compact timeline of one filter: what it counts per month (patrols, or
    the kinds of event chosen), the figures of the whole window (whose span a selection is
    clipped to) and the noun for labels. Counted once per filter, whatever the toggles."""

    counts: pd.DataFrame
    head: Headline
    noun: str
    window: Window | None


#: what the explorer's timeline and its window figures read of the filtered events
TIMELINE_COLUMNS = ("start", "end", "date_precision", "kind", "status", "actor_label")


def explorer_timeline(
    ds: DataSet, f: EventFilter, today: date, *, events: pd.DataFrame | None = None
) -> ExplorerTimeline:
    """The monthly counts (stacked by actor) the explorer's timeline draws, as the
    Overview's timeline counts them (``counted_for_timeline``, ``counts_per_period``)."""
    events = filter_events(ds, f) if events is None else events
    # the columns counted, not copies of every column (a third of the time at 1M events)
    slim = events[[c for c in TIMELINE_COLUMNS if c in events.columns]]
    head = headline(slim, f, today)
    counted, _kinds, noun = counted_for_timeline(slim, f.kinds)
    window = _window(head)
    start, end = window if window else (None, None)
    return ExplorerTimeline(
        counts=counts_per_period(counted, ds, "month", by="actor", start=start, end=end),
        head=head,
        noun=noun,
        window=window,
    )


def explorer_selection_view(
    ds: DataSet,
    f: EventFilter,
    view: ExplorerView,
    timeline: ExplorerTimeline,
    selection: Selection | None = None,
    *,
    today: date,
    precise_only: bool = False,
) -> SelectionView:
    """The explorer's map narrowed to what is selected on its timeline (the span clipped to
    the filter's window, events by the filter's date rule, plus any picked by id): the same
    detailed map as ``explorer_view`` over those events and that span. Everything of
    ``view`` when nothing is selected."""
    sel, note = within_window(
        selection or Selection(), timeline.head.window_start, timeline.head.window_end
    )
    if not sel.active:
        return SelectionView(
            active=False,
            selection=sel,
            events=view.events,
            total=len(view.events),
            head=timeline.head,
            map=view.map,
            note=note,
        )
    sub = narrowed(f, sel)
    shown = selected_events(view.events, sel, f.date_rule)
    return SelectionView(
        active=True,
        selection=sel,
        events=shown,
        total=len(view.events),
        head=headline(shown, sub, today),
        map=_explorer_map(ds, shown, f, sub, today, precise_only),
        note=note,
    )


# --------------------------------------------------------------------------- how often


def notes_frame(notes: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The analyst's notes ({'date': 'YYYY-MM-DD', 'text': ...}) as marks: start, label.
    Notes with an unreadable date are dropped; text is kept as typed (escaped when drawn)."""
    if not notes:
        return pd.DataFrame({"start": pd.Series(dtype="datetime64[s]"), "label": []})
    frame = pd.DataFrame(list(notes))
    start = pd.to_datetime(frame.get("date"), errors="coerce")
    label = frame.get("text", pd.Series("", index=frame.index)).fillna("").astype("str")
    out = pd.DataFrame({"start": start, "label": label.str.strip()})
    return out.dropna(subset=["start"]).sort_values("start").reset_index(drop=True)


def comparison_defaults(
    ds: DataSet, f: EventFilter, options: Sequence[str], counted: pd.DataFrame
) -> tuple[int, int]:
    """Positions in ``options`` of the two periods compared at first: the first two, in the
    picker's order (years, quarters, months), that a source reports a count of exactly that
    period for (so both the reported and the counted change show); failing those, the year
    before the latest year with a counted event and that year; failing those, the first and
    the last option. Read from the data, nothing about a data set assumed."""
    if not len(options):
        return 0, 0
    pc = ds.period_counts
    spans = set(zip(pc["period_start"], pc["period_end"], strict=True))
    reported = []
    for i, key in enumerate(options):
        period = parse_period(key)
        if (period.start, period.end) in spans and reported_rate(ds, period, f.theatres, f.routes):
            reported.append(i)
            if len(reported) == 2:
                return reported[0], reported[1]
    if not counted.empty:
        year = int(counted["start"].max().year)
        a, b = str(year - 1), str(year)
        if a in options and b in options:
            return list(options).index(a), list(options).index(b)
    return 0, len(options) - 1


#: what is read of the patrols held (``coverage``, ``cumulative_counts``): only these
#: columns are kept, so that the patrols of every date (most of a big data set) are a
#: small frame, held once per filter without its dates rather than rebuilt each rerun
HELD_COLUMNS = (
    "event_id",
    "theatre_id",
    "kind",
    "status",
    "route_id",
    "start",
    "end",
    "date_precision",
)


def counted_events(
    events: pd.DataFrame, kinds: tuple[str, ...] = (), *, include_disputed: bool = False
) -> pd.DataFrame:
    """What How often counts among ``events``: the patrols that count (disputed ones only
    with ``include_disputed``), or the events of ``kinds`` when those are not patrols
    (``counted_for_timeline``). Every column of ``events``."""
    _, _, noun = counted_for_timeline(events.iloc[:0], kinds)
    if noun == "patrols":
        return patrols(events, include_disputed=include_disputed)
    return counted_for_timeline(events, kinds)[0]


def held_events(
    every_date: pd.DataFrame, kinds: tuple[str, ...] = (), *, include_disputed: bool = False
) -> pd.DataFrame:
    """What How often holds one by one against the counts sources report, whatever the date
    filter: ``counted_events`` of ``every_date`` (the filter's events without its dates),
    with the ``HELD_COLUMNS`` only."""
    columns = [c for c in HELD_COLUMNS if c in every_date.columns]
    return counted_events(every_date[columns], kinds, include_disputed=include_disputed)


@dataclass(frozen=True)
class FrequencyView:
    """Everything How often draws, for one filter and the page's own settings."""

    description: str
    events: pd.DataFrame
    head: Headline
    noun: str
    kinds: tuple[str, ...]
    counted: pd.DataFrame
    held: pd.DataFrame
    period: str
    by: str
    threshold: int
    include_disputed: bool
    counts: pd.DataFrame
    reported: pd.DataFrame
    bands: pd.DataFrame
    marks: pd.DataFrame
    notes: pd.DataFrame
    coverage: pd.DataFrame
    top: pd.Series | None
    gaps: GapReport
    long_gaps: pd.DataFrame
    gap_segments: pd.DataFrame
    spans: pd.DataFrame
    imprecise: int
    disputed: pd.DataFrame
    per_theatre: bool = True
    # what the sections other than the timeline need, worked out when first asked for (one
    # section is drawn at a time): the inputs, kept out of repr and comparisons
    ds: DataSet | None = field(default=None, repr=False, compare=False)
    filter: EventFilter | None = field(default=None, repr=False, compare=False)
    today: date | None = field(default=None, repr=False, compare=False)
    conflicts: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    for_routes: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    # cached_property writes the instance's __dict__ directly, so it works on a frozen
    # dataclass; Python 3.11's holds a lock, so two sessions sharing a view compute it once

    @cached_property
    def disputed_claims(self) -> pd.DataFrame:
        """The claims about the disputed events (Gaps)."""
        conflicts = self.conflicts
        if conflicts is None or not len(conflicts):
            return pd.DataFrame()
        return claims_involving(conflicts, "event", self.disputed["event_id"])

    @cached_property
    def cumulative(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Running totals held against reported ordinals (Reported against counted)."""
        assert self.ds is not None and self.for_routes is not None
        return cumulative_counts(self.ds, self.held, self.for_routes)

    @cached_property
    def ordinals(self) -> pd.DataFrame:
        """Patrol-number checks (Patrol numbers)."""
        return ordinal_checks(self.events)

    @cached_property
    def period_options(self) -> list[str]:
        """The periods the comparison can pick (Change between periods)."""
        assert self.ds is not None and self.today is not None
        last_day = max(pd.Timestamp(self.today), self.ds.events["end"].max())
        return period_options(self.ds.events["start"].min(), last_day)

    @cached_property
    def default_periods(self) -> tuple[int, int]:
        """The two periods compared at first (``comparison_defaults``)."""
        assert self.ds is not None and self.filter is not None
        return comparison_defaults(self.ds, self.filter, self.period_options, self.counted)


def frequency_view(
    ds: DataSet,
    f: EventFilter,
    today: date,
    *,
    period: str = "month",
    by: str = "actor",
    threshold: int = 60,
    include_disputed: bool = False,
    per_theatre: bool = True,
    conflicts: pd.DataFrame | None = None,
    notes: Sequence[Mapping[str, object]] = (),
    events: pd.DataFrame | None = None,
    every_date: pd.DataFrame | None = None,
    held: pd.DataFrame | None = None,
) -> FrequencyView:
    """Events per ``period`` stacked ``by``, gaps longer than ``threshold`` days and what
    explains them (per theatre or across the selection), the counts sources report against
    those held one by one, running totals, disputed patrols (counted only with
    ``include_disputed``) and patrol-number checks. ``events``: the filtered events,
    ``every_date``: those of the filter without its dates, and ``held``: ``held_events`` of
    those, when the caller holds them.
    What only one section needs (running totals, patrol numbers, the comparison's periods,
    the disputed claims) is worked out when first read."""
    events = filter_events(ds, f) if events is None else events
    conflicts = pd.DataFrame() if conflicts is None else conflicts
    head = headline(events, f, today)
    if held is None:
        if every_date is None:
            every_date = filter_events(ds, replace(f, start=None, end=None))
        held = held_events(every_date, f.kinds, include_disputed=include_disputed)
    counted = counted_events(events, f.kinds, include_disputed=include_disputed)
    _, kinds, noun = counted_for_timeline(events.iloc[:0], f.kinds)
    patrols_only = noun == "patrols"
    reported = overlapping_period_counts(
        ds, head.window_start, head.window_end, theatres=f.theatres, event_kinds=kinds
    )
    for_routes = counts_for_routes(reported, f.routes)
    cov = coverage(ds, held, for_routes)
    report = find_gaps(
        ds,
        counted,
        today=today,
        window_end=head.window_end,
        per_theatre=per_theatre,
        kinds=kinds,
        routes=f.routes,
    )
    long_gaps = report.longer_than(threshold)
    spans = uncertain_spans(
        patrols(events, include_disputed=True)
        if patrols_only and not include_disputed
        else counted,
        conflicts if len(conflicts) else None,
    )
    disputed = events[events["status"] == "disputed"]
    return FrequencyView(
        description=f.describe(ds, today),
        events=events,
        head=head,
        noun=noun,
        kinds=tuple(kinds),
        counted=counted,
        held=held,
        period=period,
        by=by,
        threshold=threshold,
        include_disputed=include_disputed,
        counts=frequency_counts(
            counted, ds, period, by, start=head.window_start, end=head.window_end
        ),
        reported=reported,
        bands=chart_bands(reported, f.routes),
        marks=milestones(ds, events),
        notes=notes_frame(notes),
        coverage=cov,
        top=headline_coverage(cov, head.window_start, head.window_end),
        gaps=report,
        long_gaps=long_gaps,
        gap_segments=report.segments[report.segments["gap_id"].isin(long_gaps["gap_id"])],
        spans=spans,
        imprecise=int((counted["date_precision"] != "day").sum()),
        disputed=disputed,
        per_theatre=per_theatre,
        ds=ds,
        filter=f,
        today=today,
        conflicts=conflicts,
        for_routes=for_routes,
    )


@dataclass(frozen=True)
class SelectionView:
    """A page's map, table and headline figures narrowed to what was selected on its
    timeline, a sub-window of the filter's window; the whole window when nothing is.

    ``counted``, ``gaps`` and ``top`` are How often's figures for the selection (its
    counted events, the gaps among them, the reported count that best covers it); the
    Overview leaves them as they come (``gaps`` None)."""

    active: bool
    selection: Selection
    events: pd.DataFrame
    total: int
    head: Headline
    map: MapView
    note: str = ""
    counted: pd.DataFrame | None = None
    gaps: GapReport | None = None
    top: pd.Series | None = None

    def line(self) -> str:
        """'Selection: 3 Mar – 9 Jun 2021, 7 of 77 events' ('' when nothing is selected)."""
        if not self.active:
            return ""
        return (
            f"Selection: {self.selection.describe()}, {count(len(self.events))} of "
            f"{count(self.total)} events"
        )


def selected_events(events: pd.DataFrame, sel: Selection, date_rule: str) -> pd.DataFrame:
    """The rows of ``events`` within the span of ``sel`` (by ``date_rule``, the filter's
    rule) or picked by id."""
    keep = pd.Series(False, index=events.index)
    if sel.start is not None:
        keep |= in_window(events["start"], events["end"], sel.start, sel.end, date_rule)
    if sel.event_ids:
        keep |= events["event_id"].isin(list(sel.event_ids))
    return events[keep]


def selection_view(
    ds: DataSet,
    f: EventFilter,
    view: OverviewView | FrequencyView,
    selection: Selection | None = None,
    *,
    today: date,
) -> SelectionView:
    """The page's events within ``selection`` (its span, clipped to the filter's window,
    by the filter's date rule, plus any events picked by id), their map, and the headline
    figures over the selected span (the days since the last patrol counted to its end).
    ``view``: the page's ``OverviewView`` or ``FrequencyView``. Everything of ``view``
    when nothing is selected."""
    sel, note = within_window(
        selection or Selection(), view.head.window_start, view.head.window_end
    )
    freq = isinstance(view, FrequencyView)
    if not sel.active:
        return SelectionView(
            active=False,
            selection=sel,
            events=view.events,
            total=len(view.events),
            head=view.head,
            map=view.map
            if isinstance(view, OverviewView)
            else overview_map_view(
                ds,
                view.events,
                window_start=view.head.window_start,
                window_end=view.head.window_end,
                theatres=f.theatres,
            ),
            note=note,
            counted=view.counted if freq else None,
            gaps=view.gaps if freq else None,
            top=view.top if freq else None,
        )
    sub = replace(f, start=sel.start.date(), end=sel.end.date()) if sel.start is not None else f

    def narrow(events: pd.DataFrame) -> pd.DataFrame:
        return selected_events(events, sel, f.date_rule)

    shown = narrow(view.events)
    head = headline(shown, sub, today)
    counted = gaps = top = None
    if freq:
        counted = narrow(view.counted)
        gaps = find_gaps(
            ds,
            counted,
            today=today,
            window_end=head.window_end,
            per_theatre=view.per_theatre,
            kinds=view.kinds,
            routes=f.routes,
        )
        top = headline_coverage(view.coverage, head.window_start, head.window_end)
    return SelectionView(
        active=True,
        selection=sel,
        events=shown,
        total=len(view.events),
        head=head,
        map=overview_map_view(
            ds,
            shown,
            window_start=head.window_start,
            window_end=head.window_end,
            theatres=f.theatres,
        ),
        note=note,
        counted=counted,
        gaps=gaps,
        top=top,
    )


def comparison_view(
    ds: DataSet, f: EventFilter, view: FrequencyView, key_a: str, key_b: str
) -> Comparison:
    """The rates of the counted events in two periods (keys from ``period_options``), and
    as reported where a source counts exactly those periods."""
    return compare_periods(
        ds,
        view.counted,
        parse_period(key_a),
        parse_period(key_b),
        theatres=f.theatres,
        routes=f.routes,
        scope="the filtered set",
    )
