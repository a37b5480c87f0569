"""The frequency page's views: the selectable timeline (bars counted one by one, reported
rate bands, milestones and the analyst's notes, long gaps shaded by what explains them, and
a strip of the events known only to their week or month drawn over their whole span), the
reported-against-counted chart, the running totals, and the tables behind them.

Builders are pure (no ``st``) and unit-tested; the ``render_*`` functions at the end call
``st``. ``selection_from_chart`` turns a plotly selection into a date span and event ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.timeline import _plain, _rgba, frequency_figure, merge_close_marks
from data import vocab
from data.aggregate import PERIODS
from data.dates import format_at_precision

#: how each explanation of a gap is shaded on the timeline
GAP_FILLS: dict[str, str] = {
    "suspension": "rgba(230,145,56,0.28)",
    "hole": "rgba(110,110,110,0.20)",
    "none": "rgba(214,39,40,0.13)",
}
GAP_WORDS: dict[str, str] = {
    "suspension": "reported suspension",
    "hole": "coverage hole (reported, not held)",
    "none": "no record either way",
}
NOTE_COLOUR = "#1b7837"
SPAN_LANES = {"week": 0, "month": 1, "quarter": 2, "year": 3}
SPAN_COLOURS = {"counted": "#0b5394", "disputed": "#c0392b", "other": "#999999"}
ONE_DAY = pd.Timedelta(days=1)
#: share of the figure's height given to the strip of week/month-dated events
STRIP = 0.13


# --------------------------------------------------------------------------- timeline


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


def span_groups(spans: pd.DataFrame) -> pd.DataFrame:
    """Events known only to the same window (same precision, same first and last day) and of
    the same standing (counted patrol, disputed patrol, other event) drawn as one span, so
    the strip grows with the number of distinct windows, not of events.

    Columns: role, precision, start, end_exclusive, n, event_id (the event's id when the
    span holds one event, else ''), text (hover, escaped), flag (label beside the span for
    disputed or conflicting events, else ''), lane.
    """
    patrol = spans["kind"].isin(vocab.PATROL_KINDS)
    role = np.where(spans["status"] == "disputed", "disputed", np.where(patrol, "counted", "other"))
    conflict = spans["conflict"] if "conflict" in spans else pd.Series("", index=spans.index)
    frame = spans.assign(role=role, conflict=conflict.fillna(""))
    keys = ["role", "precision", "start", "end_exclusive"]
    grouped = frame.groupby(keys, sort=True)
    out = grouped.agg(
        n=("event_id", "size"),
        event_id=("event_id", "first"),
        label=("label", "first"),
        kind=("kind", "first"),
        status=("status", "first"),
        conflict=("conflict", "max"),
    ).reset_index()
    out["event_id"] = out["event_id"].where(out["n"] == 1, "")
    what = (
        out["kind"].map(vocab.EVENT_KINDS).fillna(out["kind"])
        + " · "
        + out["status"].map(vocab.EVENT_STATUSES).fillna(out["status"])
    )
    many = out["n"].astype(str) + " events known only to " + out["label"]
    first = (out["label"] + " · " + what).where(out["n"] == 1, many)
    out["text"] = pd.Series([_plain(t) for t in first], index=out.index) + pd.Series(
        np.where(
            out["conflict"] != "",
            "<br>conflicts with other reports: "
            + pd.Series([_plain(t) for t in out["conflict"]], index=out.index),
            "",
        ),
        index=out.index,
    )
    out["flag"] = np.where(
        out["conflict"] != "",
        "conflicts with other reports",
        np.where(out["role"] == "disputed", "disputed", ""),
    )
    out["lane"] = out["precision"].map(SPAN_LANES).fillna(1).astype(float) + np.where(
        out["role"] == "counted", 0.0, 0.25
    )
    return out


def _span_traces(spans: pd.DataFrame) -> list[go.Scatter]:
    """Events dated to a week, month, quarter or year as bars over their span, on the strip
    axis (y2), with a selectable marker in the middle of each (customdata: event id or '',
    first day, last day)."""
    if spans.empty:
        return []
    groups = span_groups(spans)
    names = {"counted": "Patrol", "disputed": "Disputed patrol", "other": "Other event"}
    traces: list[go.Scatter] = []
    for key in ("counted", "disputed", "other"):
        rows = groups[groups["role"] == key]
        if rows.empty:
            continue
        n = len(rows)
        xs = np.empty(n * 3, dtype=object)
        ys = np.empty(n * 3, dtype=object)
        xs[0::3], xs[1::3], xs[2::3] = rows["start"].to_numpy(), rows["end_exclusive"], None
        ys[0::3], ys[1::3], ys[2::3] = rows["lane"].to_numpy(), rows["lane"].to_numpy(), None
        colour = SPAN_COLOURS[key]
        traces.append(
            go.Scatter(
                x=list(xs),
                y=list(ys),
                mode="lines",
                line={"color": colour, "width": 9},
                yaxis="y2",
                name=names[key],
                legendgroup="spans",
                legendgrouptitle_text="Dated to a week or month (its span)",
                hoverinfo="skip",
                meta="span-line",
            )
        )
        flagged = bool((rows["flag"] != "").any())
        last = rows["end_exclusive"] - ONE_DAY
        traces.append(
            go.Scatter(
                x=rows["start"] + (rows["end_exclusive"] - rows["start"]) / 2,
                y=rows["lane"],
                mode="markers+text" if flagged else "markers",
                marker={"color": colour, "size": 8, "symbol": "line-ns-open", "line": {"width": 2}},
                yaxis="y2",
                customdata=np.column_stack(
                    [
                        rows["event_id"].to_numpy(dtype=object),
                        rows["start"].dt.strftime("%Y-%m-%d").to_numpy(dtype=object),
                        last.dt.strftime("%Y-%m-%d").to_numpy(dtype=object),
                    ]
                ),
                text=rows["text"].tolist(),
                texttemplate=rows["flag"].tolist() if flagged else None,
                textposition="middle right",
                textfont={"color": colour},
                hovertemplate="%{text}<extra></extra>",
                showlegend=False,
                legendgroup="spans",
                meta="span",
            )
        )
    return traces


def timeline_figure(
    counts: pd.DataFrame,
    *,
    period: str = "month",
    by: str | None = "actor",
    actor_colours: dict[str, str] | None = None,
    reported: pd.DataFrame | None = None,
    marks: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
    gap_segments: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    threshold: int = 60,
    spans: pd.DataFrame | None = None,
    title: str = "Patrols counted one by one",
    subtitle: str = "",
    x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> go.Figure:
    """``components.timeline.frequency_figure`` (stacked bars, rate bands, milestones) plus:

    - ``gap_segments`` (gap_id, start, end, category) of the gaps longer than ``threshold``
      shaded by what explains them, each gap in ``gaps`` (gap_id, start, end, days) labelled
      with its length;
    - ``notes`` (start, label): the analyst's notes as green dashed lines;
    - ``spans`` (from ``data.analytics.uncertain_spans``): events known only to their week,
      month, quarter or year as bars over that span in a strip under the chart;
    - box selection along the time axis (drag), for ``selection_from_chart``.
    """
    fig = frequency_figure(
        counts,
        period=period,
        by=by,
        actor_colours=actor_colours,
        reported=reported,
        marks=marks,
        title=title,
        subtitle=subtitle,
        x_range=x_range,
    )
    for trace in fig.data:
        if trace.type == "bar":
            trace.meta = "bar"
    has_strip = spans is not None and len(spans) > 0
    main = "y domain"
    if has_strip:
        lanes = int(spans["precision"].map(SPAN_LANES).fillna(1).max()) + 1
        lanes = max(lanes, 2)
        fig.update_layout(
            yaxis={"domain": [STRIP + 0.05, 1.0]},
            yaxis2={
                "domain": [0.0, STRIP],
                "anchor": "x",
                "range": [lanes - 0.4, -0.6],
                "tickvals": list(range(lanes)),
                "ticktext": ["week", "month", "quarter", "year"][:lanes],
                "fixedrange": True,
                "showgrid": False,
                "zeroline": False,
            },
        )
        fig.add_traces(_span_traces(spans))

    if gap_segments is not None and len(gap_segments):
        for seg in gap_segments.itertuples(index=False):
            fig.add_shape(
                type="rect",
                xref="x",
                yref=main,
                x0=seg.start,
                x1=seg.end,
                y0=0,
                y1=1,
                fillcolor=GAP_FILLS.get(seg.category, GAP_FILLS["none"]),
                line={"width": 0},
                layer="below",
            )
        for category in GAP_FILLS:
            if (gap_segments["category"] == category).any():
                fig.add_scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker={"symbol": "square", "size": 14, "color": GAP_FILLS[category]},
                    name=GAP_WORDS[category],
                    legendgroup="gaps",
                    legendgrouptitle_text=f"Gaps over {threshold} days",
                    meta="legend",
                )
    if gaps is not None and len(gaps):
        for gap in gaps.itertuples(index=False):
            fig.add_annotation(
                x=gap.start + (gap.end - gap.start) / 2,
                xref="x",
                y=0.0,
                yref=main,
                yanchor="bottom",
                text=f"{gap.days:,} d",
                showarrow=False,
                font={"size": 10, "color": "#333"},
                bgcolor="rgba(255,255,255,0.7)",
            )

    if notes is not None and len(notes):
        for note in merge_close_marks(notes, min_gap_days=20).itertuples(index=False):
            fig.add_shape(
                type="line",
                xref="x",
                yref=main,
                x0=note.start,
                x1=note.start,
                y0=0,
                y1=1,
                line={"color": NOTE_COLOUR, "width": 1.5, "dash": "dash"},
            )
            fig.add_annotation(
                x=note.start,
                xref="x",
                y=0.5,
                yref=main,
                text=_plain(note.label),
                showarrow=False,
                textangle=-90,
                xanchor="left",
                xshift=2,
                font={"size": 10, "color": NOTE_COLOUR},
                bgcolor="rgba(255,255,255,0.8)",
                hovertext=_plain(note.hover),
            )

    if x_range is not None:
        # room on the left for the first milestone's label, which hangs left of its line
        fig.update_xaxes(
            range=[x_range[0] - pd.Timedelta(days=75), x_range[1] + pd.Timedelta(days=20)]
        )
    fig.update_layout(dragmode="select", selectdirection="h", clickmode="event+select")
    return fig


def curve_roles(fig: go.Figure) -> list[str]:
    """What each trace of a timeline figure is, by curve number: 'bar' (counted bars),
    'span' (week/month-dated events), or another role (bands, legend keys)."""
    return [
        str(t.meta) if t.meta is not None else ("bar" if t.type == "bar" else "other")
        for t in fig.data
    ]


@dataclass(frozen=True)
class ChartSelection:
    """What the analyst selected on the timeline: a date span (whole periods when bars are
    picked, the dragged range otherwise) and events picked by id in the strip."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    event_ids: tuple[str, ...] = ()
    how: str = "none"  # "bars", "box", "spans", "none"

    @property
    def active(self) -> bool:
        """True when the selection narrows anything."""
        return self.start is not None or bool(self.event_ids)

    def describe(self) -> str:
        """'1 Mar 2021 – 31 Oct 2021' and/or '2 events picked'."""
        parts = []
        if self.start is not None and self.end is not None:
            parts.append(f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}")
        if self.event_ids:
            parts.append(f"{len(self.event_ids)} event(s) picked in the strip")
        return " + ".join(parts) or "nothing selected"


def _when(value: object) -> pd.Timestamp | None:
    """A plotly date value (ISO text, 'YYYY-MM-DD HH:MM:SS.ffff', or epoch milliseconds)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return pd.Timestamp(value, unit="ms")
        return pd.Timestamp(str(value).replace("T", " ").strip())
    except (ValueError, TypeError):
        return None


def selection_from_chart(
    selection: Mapping[str, object] | None, roles: Sequence[str], period: str
) -> ChartSelection:
    """Turn ``st.plotly_chart``'s selection (points, box) into a date span and event ids.

    - bars picked (clicked, or inside a dragged box): from the start of the first picked
      bar's period to the end of the last one's;
    - events picked in the week/month strip: their ids (a span holding several events: its
      whole window);
    - a box that picked neither: the dragged date range itself.
    """
    if not selection:
        return ChartSelection()
    points = selection.get("points") or []
    boxes = selection.get("box") or []
    freq = PERIODS[period]
    bar_starts: list[pd.Timestamp] = []
    windows: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    ids: list[str] = []
    for point in points:  # one per selected bar or marker (a handful), not per event
        if not isinstance(point, Mapping):
            continue
        curve = point.get("curve_number")
        role = roles[curve] if isinstance(curve, int) and 0 <= curve < len(roles) else "other"
        if role == "bar":
            when = _when(point.get("x"))
            if when is not None:
                bar_starts.append(when)
        elif role == "span":
            data = point.get("customdata")
            data = [data] if isinstance(data, str) else data
            if not isinstance(data, list | tuple) or not data:
                continue
            if data[0]:
                ids.append(str(data[0]))
            elif len(data) >= 3:  # a span of several events: its whole window
                first_day, last_day = _when(data[1]), _when(data[2])
                if first_day is not None and last_day is not None:
                    windows.append((first_day, last_day))
    if bar_starts:
        first = pd.Period(min(bar_starts), freq=freq)
        last = pd.Period(max(bar_starts), freq=freq)
        windows.append((first.start_time.normalize(), last.end_time.normalize()))
    if windows:
        return ChartSelection(
            min(w[0] for w in windows),
            max(w[1] for w in windows),
            tuple(dict.fromkeys(ids)),
            "bars" if bar_starts else "spans",
        )
    if ids:
        return ChartSelection(None, None, tuple(dict.fromkeys(ids)), "spans")
    edges = [
        _when(x) for box in boxes if isinstance(box, Mapping) for x in (box.get("x") or [])[:2]
    ]
    edges = [e for e in edges if e is not None]
    if len(edges) >= 2:
        return ChartSelection(min(edges).normalize(), max(edges).normalize(), (), "box")
    return ChartSelection()


# --------------------------------------------------------------------------- other charts


def coverage_figure(cov: pd.DataFrame, *, title: str = "Reported against held") -> go.Figure:
    """One row per reported count: what the source reports (a bar, or a bar to the low end
    and a lighter one to the high end for a range) beside the patrols we hold one by one for
    the same period and scope, labelled with the coverage ratio. Running ordinals ('the
    95th') are left to the running-totals chart."""
    rows = cov[(cov["reported_high"] > 0) & (cov["qualifier"] != "cumulative_ordinal")]
    rows = rows.iloc[::-1]
    label = [
        _plain(f"{r} · {a:%b %Y}–{b:%b %Y}") + "<br>" + _plain(s)
        for r, a, b, s in zip(
            rows["reported"], rows["period_start"], rows["period_end"], rows["scope"], strict=True
        )
    ]
    fig = go.Figure()
    fig.add_bar(
        y=label,
        x=rows["reported_low"],
        orientation="h",
        offsetgroup="reported",
        name="Reported by the source",
        marker={"color": "#6a3d9a"},
        customdata=np.column_stack([rows["source"].fillna("").map(_plain), rows["ratio_text"]]),
        hovertemplate="%{y}<br>reported %{x:,.0f} · %{customdata[0]}<extra></extra>",
        meta="reported",
    )
    extra = rows["reported_high"] - rows["reported_low"]
    if (extra > 0).any():
        fig.add_bar(
            y=label,
            x=extra,
            base=rows["reported_low"],
            orientation="h",
            offsetgroup="reported",
            name="Upper end of a reported range",
            marker={"color": _rgba("#6a3d9a", 0.35)},
            hoverinfo="skip",
            meta="reported-range",
        )
    fig.add_bar(
        y=label,
        x=rows["held"],
        orientation="h",
        offsetgroup="held",
        name="Held one by one in PatrolWatch",
        marker={"color": "#0b5394"},
        text=rows["ratio_text"],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}<br>held %{x:,} one by one<extra></extra>",
        meta="held",
    )
    fig.update_layout(
        barmode="group",
        template="plotly_white",
        title={"text": f"<b>{_plain(title)}</b>", "x": 0.01},
        height=max(340, 90 + 44 * len(rows)),
        margin={"l": 20, "r": 140, "t": 50, "b": 40},
        xaxis={"title": "patrols over the reported period", "rangemode": "tozero"},
        yaxis={"automargin": True},
        legend={"orientation": "h", "y": -0.12, "x": 0},
        font={"family": "DejaVu Sans, Arial, sans-serif"},
        bargap=0.25,
        bargroupgap=0.05,
    )
    return fig


def cumulative_figure(
    curves: pd.DataFrame, points: pd.DataFrame, *, title: str = "Running totals"
) -> go.Figure:
    """Per scope, the running total of patrols held one by one (a step line) beside the
    totals sources report from the start (diamonds, hover for the source)."""
    palette = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#7f6000", "#45818e"]
    fig = go.Figure()
    scopes = list(dict.fromkeys(list(curves["scope"]) + list(points["scope"])))
    names = dict(zip(curves["scope"], curves["scope_name"], strict=False))
    names.update(dict(zip(points["scope"], points["scope_name"], strict=False)))
    for i, scope in enumerate(scopes):
        colour = palette[i % len(palette)]
        name = _plain(names.get(scope, scope))
        held = curves[curves["scope"] == scope]
        if len(held):
            fig.add_scatter(
                x=held["date"],
                y=held["cumulative"],
                mode="lines",
                line={"shape": "hv", "color": colour, "width": 2},
                name=f"Held one by one: {name}",
                hovertemplate="%{x|%-d %b %Y}: %{y} held<extra></extra>",
            )
        rep = points[points["scope"] == scope]
        if len(rep):
            fig.add_scatter(
                x=rep["date"],
                y=rep["high"],
                mode="markers",
                marker={"symbol": "diamond", "size": 11, "color": colour, "line": {"width": 1}},
                name=f"Reported: {name}",
                text=[
                    _plain(f"{t} · {s}") for t, s in zip(rep["text"], rep["source"], strict=True)
                ],
                hovertemplate="%{text}<extra></extra>",
            )
    fig.update_layout(
        template="plotly_white",
        title={"text": f"<b>{_plain(title)}</b>", "x": 0.01},
        height=460,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        yaxis={"title": "patrols since the start", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.15, "x": 0, "font": {"size": 10}},
        font={"family": "DejaVu Sans, Arial, sans-serif"},
        hovermode="closest",
    )
    return fig


# --------------------------------------------------------------------------- tables


def _event_dates(events: pd.DataFrame) -> pd.Series:
    """'1 Nov 2019', 'Apr 2024' per event id."""
    return format_at_precision(events["start"], events["date_precision"]).set_axis(
        events["event_id"]
    )


def gap_table(gaps: pd.DataFrame, events: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """Gaps for analysts: theatre, from, to, days, explanation, the days of each kind, the
    patrols sources' counts imply we miss, why, and the patrols on either side."""
    dates = _event_dates(events)
    to = gaps["end"].dt.strftime("%-d %b %Y")
    to = to.where(~gaps["ongoing"] | (gaps["end"] < today), "today (" + to + ")")
    return pd.DataFrame(
        {
            "Theatre": gaps["group_name"],
            "From": gaps["start"].dt.strftime("%-d %b %Y"),
            "To": to,
            "Days": gaps["days"],
            "Ongoing": gaps["ongoing"],
            "Explanation": gaps["explanation"],
            "Reported suspension (d)": gaps["suspension_days"],
            "Coverage hole (d)": gaps["hole_days"],
            "No record (d)": gaps["unrecorded_days"],
            "Patrols implied, not held": gaps["expected_missing"],
            "Why": gaps["reason"],
            "Last patrol before": gaps["after_event_id"].map(dates).fillna(""),
            "Next patrol": gaps["before_event_id"].map(dates).fillna(""),
        }
    ).reset_index(drop=True)


def coverage_table(cov: pd.DataFrame) -> pd.DataFrame:
    """Reported counts beside the patrols held for the same period, for analysts."""
    return pd.DataFrame(
        {
            "Period": cov["period_start"].dt.strftime("%-d %b %Y")
            + " – "
            + cov["period_end"].dt.strftime("%-d %b %Y"),
            "Reported": cov["reported"],
            "Counted as": cov["qualifier"].map(vocab.PERIOD_QUALIFIERS).fillna(cov["qualifier"]),
            "Scope": cov["scope"],
            "Held one by one": cov["held"],
            "Coverage (held / reported)": cov["ratio_text"],
            "Reported a month": [
                f"{a:.1f}" if abs(a - b) < 0.05 else f"{a:.1f}–{b:.1f}"
                for a, b in zip(cov["rate_low"], cov["rate_high"], strict=True)
            ],
            "Held a month": cov["held_rate"].round(2),
            "Held but dated to the week/month": cov["held_imprecise"],
            "Held, date may fall outside": cov["held_partly"],
            "Source (grade)": cov["source"],
            "Note": cov["note"],
        }
    )


def ordinal_table(checks: pd.DataFrame) -> pd.DataFrame:
    """Numbering checks per scheme, for analysts."""
    return pd.DataFrame(
        {
            "Numbering": checks["scheme_name"],
            "Numbers held": checks["held"],
            "Lowest": checks["lowest"],
            "Highest": checks["highest"],
            "Missing between": checks["missing"],
            "Patrols missing": checks["n_missing"],
            "Duplicates": checks["duplicates"],
            "Out of date order": checks["out_of_order"],
            "Labels sources differ on": checks["disputed"],
            "Note": checks["note"],
        }
    )


def counts_table(counts: pd.DataFrame, period: str) -> pd.DataFrame:
    """The timeline's bars as data: period, group, patrols counted, how many of them are
    dated more coarsely than the period."""
    return pd.DataFrame(
        {
            "period": period,
            "period_start": counts["period_start"].dt.strftime("%Y-%m-%d"),
            "group": counts["group"],
            "patrols_counted": counts["count"],
            "dated_more_coarsely": counts["imprecise"],
        }
    )


def source_line(ds_label: str, cov: pd.DataFrame | None = None, noun: str = "patrols") -> str:
    """The line at the foot of an exported chart: what was counted and who reported what
    (theatre-wide counts a source states outright first)."""
    line = f"Source: {noun} held one by one in {ds_label}, each cited in its own record."
    if cov is not None and len(cov):
        narrow = cov["route_ids"].map(len) > 0 if "route_ids" in cov else False
        rank = (cov["qualifier"] == "cumulative_ordinal").astype(int) + narrow
        shown = (
            cov.assign(rank=rank)[cov["reported_high"] > 0]
            .sort_values(["rank", "reported_high"], ascending=[True, False], kind="stable")
            .head(4)
        )
        if len(shown):
            line += " Reported counts: " + "; ".join(
                f"{r} ({s})" for r, s in zip(shown["reported"], shown["source"], strict=True)
            )
            line += "."
    return line


# --------------------------------------------------------------------------- renderers


def render_timeline(fig: go.Figure, key: str) -> Mapping[str, object]:
    """Show the timeline with box and point selection; returns the selection state."""
    import streamlit as st

    event = st.plotly_chart(
        fig,
        key=key,
        width="stretch",
        on_select="rerun",
        selection_mode=("box", "points"),
        config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d"]},
    )
    return (event or {}).get("selection") or {}


def render_chart(fig: go.Figure, key: str) -> None:
    """Show a display-only chart."""
    import streamlit as st

    st.plotly_chart(fig, key=key, width="stretch", config={"displaylogo": False})


def frequency_cards(
    noun: str,
    counted: pd.DataFrame,
    *,
    top: pd.Series | None,
    gaps: pd.DataFrame,
    current: pd.DataFrame,
    today: pd.Timestamp,
    include_disputed: bool,
) -> list[tuple[str, str, str]]:
    """(label, value, help) for the page's headline figures: counted, held of reported,
    longest closed gap, days since the last one. Help texts from the data are escaped."""
    from components.html import md_escape

    imprecise = int((counted["date_precision"] != "day").sum())
    one = noun[:-1]
    cards = [
        (
            f"{noun.capitalize()} counted",
            f"{len(counted):,}",
            f"{noun.capitalize()} held one by one in the selection"
            + (f"; {imprecise} of them known only to the week or month" if imprecise else "")
            + ("; disputed ones included" if include_disputed else "; disputed ones not counted"),
        )
    ]
    if top is not None:
        cards.append(
            (
                "Held of reported",
                f"{top['held']:,} of {top['reported']}",
                md_escape(
                    f"{top['reported']} reported for {top['period_start']:%-d %b %Y} – "
                    f"{top['period_end']:%-d %b %Y} ({top['scope']}; {top['source']}); we "
                    f"hold {top['ratio_text']} one by one for the same period."
                ),
            )
        )
    else:
        cards.append(("Held of reported", "–", "No source reports a total for this window."))
    closed = gaps[~gaps["ongoing"]].sort_values("days", ascending=False)
    if len(closed):
        g = closed.iloc[0]
        cards.append(
            (
                "Longest gap",
                f"{g['days']:,} days",
                md_escape(
                    f"{g['start']:%-d %b %Y} – {g['end']:%-d %b %Y} ({g['group_name']}): "
                    f"{g['explanation']}"
                ),
            )
        )
    else:
        cards.append(("Longest gap", "–", "No gap between two patrols in the selection."))
    latest = current.sort_values("days")
    if len(latest):
        c = latest.iloc[0]
        until = "today." if c["end"] >= today else f"the end of the window, {c['end']:%-d %b %Y}."
        cards.append(
            (
                f"Days since the last {one}",
                f"{c['days']:,}",
                md_escape(f"Since {c['start']:%-d %b %Y} ({c['group_name']}), to {until}"),
            )
        )
    else:
        cards.append((f"Days since the last {one}", "–", f"No {one} in the selection."))
    return cards
