"""Events over time, every timeline chart of the app: ``timeline_figure`` draws counted
events as stacked bars, the counts sources report as rate bands (never bars), milestones
as marked lines; ``gap_timeline_figure`` (How often) adds the gaps shaded by what explains
them, the analyst's notes, a strip of the events known only to their week or month, and
box selection, which ``selection_from_chart`` turns into a date span and event ids.

Builders are pure (no ``st``); ``render_timeline`` and ``render_selectable_timeline`` show
a figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import group_colours, group_style, rgba
from components.html import plotly_text
from data import vocab
from data.aggregate import PERIODS
from data.filters import Selection
from data.numbers import PLOTLY_COUNT, rate_value

PERIOD_WORD = {"week": "week", "month": "month", "quarter": "quarter", "year": "year"}
#: the line under a selectable timeline
SELECT_HINT = (
    "Drag across the chart to select a span of time: the map, the table and the figures "
    "narrow to it, and the link keeps it. Clear selection (above the figures) brings the "
    "whole window back."
)
BAND_COLOURS = ["#6a3d9a", "#b15928", "#33a02c", "#e31a1c", "#1f78b4", "#ff7f00", "#b2df8a"]


@cache
def chart_template() -> go.layout.Template:
    """plotly's "plotly_white" look, with the trace defaults of the kinds of trace the
    timelines draw only (bars, scatters): drawn the same, but set on a figure in a fraction
    of the time (plotly validates a template's every trace kind on each figure) and half the
    bytes in the figure's JSON. Made once per process; a figure holds a copy."""
    import plotly.io as pio

    white = pio.templates["plotly_white"]
    return go.layout.Template(
        layout=white.layout, data={"bar": white.data.bar, "scatter": white.data.scatter}
    )


#: plotly checks every property set on a figure against its schema (most of a figure's
#: build time); the timelines' properties are all set here, by code, and tests check that
#: their JSON is the same either way, so they are built unchecked (plotly's own switch)
VALIDATE = False


def new_figure(fig: go.Figure | None = None) -> go.Figure:
    """An empty figure, or a copy of ``fig``, checked only when ``VALIDATE``."""
    return go.Figure(fig, _validate=VALIDATE)


def _rate_factor(period: str) -> float:
    """Months per period: a rate per month times this is a rate per period."""
    return {"week": 7 / (365.25 / 12), "month": 1.0, "quarter": 3.0, "year": 12.0}[period]


def timeline_figure(
    counts: pd.DataFrame,
    *,
    period: str = "month",
    by: str | None = "actor",
    actor_colours: dict[str, str] | None = None,
    reported: pd.DataFrame | None = None,
    marks: pd.DataFrame | None = None,
    title: str = "Patrols counted one by one",
    subtitle: str = "",
    x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    noun: str = "patrols",
) -> go.Figure:
    """Stacked bars of ``counts`` (period_start, group, count, imprecise), with

    - ``reported``: period counts from sources (period_start, period_end, rate_low,
      rate_high, count_text, scope, source_label, qualifier) as translucent bands of the
      implied rate per period, labelled with the source;
    - ``marks``: milestones (start, label) as dotted vertical lines.
    """
    colours = actor_colours or {}
    fig = new_figure()
    groups = list(
        counts.groupby("group", sort=False)["count"].sum().sort_values(ascending=False).index
    )
    fills = group_colours(groups, by, colours)
    for group in groups:
        rows = counts[counts["group"] == group]
        fill = fills[group]
        pattern = None
        if by == "actor":
            fill, second = group_style(group, colours)
            if second:
                pattern = {"shape": "/", "fgcolor": second, "bgcolor": fill, "solidity": 0.35}
        fig.add_bar(
            x=rows["period_start"],
            y=rows["count"],
            name=group,
            marker={"color": fill, "pattern": pattern, "line": {"width": 0}},
            customdata=rows[["imprecise"]].to_numpy(),
            hovertemplate=(
                f"<b>{plotly_text(group)}</b><br>%{{x|%b %Y}}: %{{y:{PLOTLY_COUNT}}} counted"
                f"<br>%{{customdata[0]:{PLOTLY_COUNT}}} dated more coarsely than the bar"
                "<extra></extra>"
            ),
            legendgroup="counted",
            legendgrouptitle_text="Counted one by one",
        )

    if reported is not None and len(reported):
        factor = _rate_factor(period)
        for i, row in enumerate(reported.itertuples(index=False)):
            colour = BAND_COLOURS[i % len(BAND_COLOURS)]
            low, high = row.rate_low * factor, row.rate_high * factor
            if high - low < 0.05:
                low, high = low - 0.06, high + 0.06
            x0, x1 = row.period_start, row.period_end
            name = f"{row.count_text}, {x0:%b %Y}–{x1:%b %Y}"
            fig.add_scatter(
                x=[x0, x1, x1, x0, x0],
                y=[low, low, high, high, low],
                fill="toself",
                mode="lines",
                line={"color": colour, "width": 1.5, "dash": "dot"},
                fillcolor=rgba(colour, 0.13),
                name=plotly_text(name),
                legendgroup="reported",
                legendgrouptitle_text="Reported by sources (rate per " + PERIOD_WORD[period] + ")",
                hoveron="fills+points",
                text=plotly_text(
                    f"{row.count_text} ({row.scope}), "
                    f"{x0:%-d %b %Y} – {x1:%-d %b %Y}: about {rate_value(row.rate_low * factor)}"
                    + (
                        f"–{rate_value(row.rate_high * factor)}"
                        if row.rate_high != row.rate_low
                        else ""
                    )
                    + f" per {PERIOD_WORD[period]} · {row.source_label}"
                ),
                hovertemplate="%{text}<extra></extra>",
                visible=True
                if row.qualifier not in ("cumulative_ordinal", "derived")
                else "legendonly",
            )

    if marks is not None and len(marks):
        for row in merge_close_marks(marks).itertuples(index=False):
            fig.add_shape(
                type="line",
                xref="x",
                yref="paper",
                x0=row.start,
                x1=row.start,
                y0=0,
                y1=1,
                line={"color": "#555", "width": 1, "dash": "dot"},
            )
            fig.add_annotation(
                x=row.start,
                xref="x",
                y=1.0,
                yref="paper",
                text=plotly_text(row.label),
                showarrow=False,
                textangle=-90,
                xanchor="right",
                yanchor="top",
                xshift=-1,
                font={"size": 10, "color": "#333"},
                bgcolor="rgba(255,255,255,0.75)",
                hovertext=plotly_text(row.hover),
            )

    full_title = f"<b>{plotly_text(title)}</b>"
    if subtitle:
        full_title += f"<br><span style='font-size:12px;color:#555'>{plotly_text(subtitle)}</span>"
    fig.update_layout(
        barmode="stack",
        template=chart_template(),
        title={"text": full_title, "x": 0.01, "xanchor": "left"},
        height=560,
        margin={"l": 50, "r": 20, "t": 70, "b": 40},
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.12,
            "x": 0,
            "font": {"size": 10},
            "groupclick": "toggleitem",
        },
        yaxis={"title": f"{noun} per {PERIOD_WORD[period]}", "rangemode": "tozero"},
        xaxis={
            "title": None,
            "type": "date",
            "range": [x_range[0] - pd.Timedelta(days=20), x_range[1] + pd.Timedelta(days=20)]
            if x_range
            else None,
        },
        bargap=0.1,
        hovermode="closest",
        font={"family": "DejaVu Sans, Arial, sans-serif"},
    )
    return fig


def merge_close_marks(marks: pd.DataFrame, min_gap_days: int = 75) -> pd.DataFrame:
    """Milestones closer than ``min_gap_days`` share one line and one label, so labels on a
    multi-year axis do not overprint each other. Columns: start, label, hover."""
    ordered = marks.sort_values("start")
    cluster = (ordered["start"].diff().dt.days.fillna(min_gap_days) >= min_gap_days).cumsum()
    dated = ordered["start"].dt.strftime("%-d %b %Y") + ": " + ordered["label"]
    return pd.DataFrame(
        {
            "start": ordered.groupby(cluster)["start"].first(),
            "label": ordered.groupby(cluster)["label"]
            .agg(" · ".join)
            .map(lambda t: t if len(t) <= 42 else t[:41] + "…"),
            "hover": dated.groupby(cluster).agg("<br>".join),
        }
    ).reset_index(drop=True)


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
    out["text"] = pd.Series([plotly_text(t) for t in first], index=out.index) + pd.Series(
        np.where(
            out["conflict"] != "",
            "<br>conflicts with other reports: "
            + pd.Series([plotly_text(t) for t in out["conflict"]], index=out.index),
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


def gap_timeline_figure(
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
    """:func:`timeline_figure` (stacked bars, rate bands, milestones) plus:

    - ``gap_segments`` (gap_id, start, end, category) of the gaps longer than ``threshold``
      shaded by what explains them, each gap in ``gaps`` (gap_id, start, end, days) labelled
      with its length;
    - ``notes`` (start, label): the analyst's notes as green dashed lines;
    - ``spans`` (from ``data.analytics.uncertain_spans``): events known only to their week,
      month, quarter or year as bars over that span in a strip under the chart;
    - box selection along the time axis (drag), for ``selection_from_chart``.
    """
    fig = timeline_figure(
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
                text=plotly_text(note.label),
                showarrow=False,
                textangle=-90,
                xanchor="left",
                xshift=2,
                font={"size": 10, "color": NOTE_COLOUR},
                bgcolor="rgba(255,255,255,0.8)",
                hovertext=plotly_text(note.hover),
            )

    if x_range is not None:
        # room on the left for the first milestone's label, which hangs left of its line
        fig.update_xaxes(
            range=[x_range[0] - pd.Timedelta(days=75), x_range[1] + pd.Timedelta(days=20)]
        )
    return make_selectable(fig)


def make_selectable(fig: go.Figure) -> go.Figure:
    """Box selection along the time axis (drag) and bar picking (click in Pan mode) on any
    timeline figure, for ``selection_from_chart``: bars are marked as such."""
    for trace in fig.data:
        if trace.type == "bar" and trace.meta is None:
            trace.meta = "bar"
    fig.update_layout(dragmode="select", selectdirection="h", clickmode="event+select")
    return fig


#: the name of the shape that shades the selected span
SELECTION_SHAPE = "pw-selection"


def is_selectable(fig: go.Figure) -> bool:
    """True when ``make_selectable`` has been applied to ``fig`` (nothing left to do)."""
    return fig.layout.dragmode == "select" and all(
        t.meta is not None for t in fig.data if t.type == "bar"
    )


def mark_selection(fig: go.Figure, selection: Selection) -> go.Figure:
    """Shade the selected span on the chart (a selection restored from a link has no box
    of its own). Shading it again replaces the earlier shade."""
    fig.layout.shapes = [s for s in fig.layout.shapes if s.name != SELECTION_SHAPE]
    if selection.start is None or selection.end is None:
        return fig
    fig.add_shape(
        name=SELECTION_SHAPE,
        type="rect",
        xref="x",
        yref="paper",
        x0=selection.start,
        x1=selection.end + ONE_DAY,
        y0=0,
        y1=1,
        fillcolor="rgba(11,83,148,0.08)",
        line={"color": "#0b5394", "width": 1, "dash": "dot"},
        layer="below",
    )
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

    def as_selection(self) -> Selection:
        """The data layer's ``Selection`` of this chart selection."""
        return Selection(self.start, self.end, self.event_ids)

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


def render_timeline(fig: go.Figure, key: str) -> None:
    """Show the figure at full width, with a PNG download in the toolbar."""
    import streamlit as st

    st.plotly_chart(
        fig,
        key=key,
        width="stretch",
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "width": 1920, "height": 1080, "scale": 1},
        },
    )


def render_selectable_timeline(fig: go.Figure, key: str) -> Mapping[str, object]:
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


def render_timeline_selection(
    fig: go.Figure, *, page: str, period: str = "month"
) -> tuple[Selection, str]:
    """Every page's selectable timeline: draw ``fig`` made selectable, and return the
    page's selection (``components.filters.current_selection``: the chart's when it
    changed, else the link's) and '' or a warning about a malformed link value. A
    selection the chart has not drawn itself (one opened from a link) is shaded."""
    import streamlit as st

    from components.filters import current_selection, selection_round
    from data.cache import derived

    # ``fig`` may be shared by every session (a cached view's chart): never changed here;
    # its selectable copy (unless built selectable) and that copy shaded for a span are
    # made once for everyone
    shared = fig
    fig = (
        shared
        if is_selectable(shared)
        else derived(shared, "selectable", lambda: make_selectable(new_figure(shared)))
    )
    key = f"{page}_timeline_{selection_round(page)}"
    state = st.session_state.get(key)
    prior = state.get("selection") if isinstance(state, Mapping) else None
    chart = selection_from_chart(prior or {}, curve_roles(fig), period).as_selection()
    selection, warning = current_selection(page, chart)
    if not chart.active and selection.start is not None and selection.end is not None:
        plain = fig
        fig = derived(
            plain,
            f"marked:{selection.start}:{selection.end}",
            lambda: mark_selection(new_figure(plain), selection),
        )
    render_selectable_timeline(fig, key=key)
    return selection, warning


def render_selection_status(line: str, note: str, *, page: str) -> None:
    """'Selection: 3 Mar – 9 Jun 2021, 7 of 77 events' and a button that clears it; a
    note about a selection clipped or a link value that could not be read."""
    import streamlit as st

    from components.filters import clear_selection
    from components.html import md_escape

    if note:
        st.warning(md_escape(note), icon=":material/warning:")
    if not line:
        return
    s1, s2 = st.columns([5, 1], vertical_alignment="center")
    s1.info(md_escape(line), icon=":material/filter_alt:")
    if s2.button("Clear selection", key=f"{page}_clear_selection"):
        clear_selection(page)
        st.rerun()
