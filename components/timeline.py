"""Events over time, every timeline chart of the app: ``timeline_figure`` draws counted
events as stacked bars, the counts sources report as rate bands (never bars), milestones
as marked lines; ``gap_timeline_figure`` (How often) adds the gaps shaded by what explains
them, the analyst's notes, a strip of the events known only to their week or month, and
box selection, which ``selection_from_chart`` turns into a date span and event ids.

A page draws its timeline through ``render_timeline_selection``, which shows the figure's
live copy (``live_timeline``): its milestones and notes as short numbered or lettered tags
over the plot that never overlap, whatever the chart's width, their labels on hover and in a
key under the chart. Exports take the figure itself (the slide numbers milestones its own
way, ``components.briefing.slide_chart``).

Builders are pure (no ``st``); ``render_timeline`` and ``render_selectable_timeline`` show
a figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
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


def new_figure(
    fig: go.Figure | None = None, *, data: list[dict] | None = None, layout: dict | None = None
) -> go.Figure:
    """A new figure of ``data`` (trace dicts) and ``layout``, given whole (added one by one,
    through ``add_bar`` or ``update_layout``, plotly checks and walks them property by
    property whatever its switch says: ~1 ms a trace, ~0.5 ms a layout key), or a copy of
    ``fig``, checked only when ``VALIDATE``. The copy is
    made from ``fig``'s dict: plotly copies a figure's own layout object checked whatever
    its switch says (~10 ms for a timeline, its template included; ~3 ms from the dict).
    The dict is plotly's own ``to_dict`` without its last step, which writes number arrays
    as base64 for the browser (a copy keeps them arrays)."""
    if fig is None:
        return go.Figure(data=data, layout=layout, _validate=VALIDATE)
    if fig.frames:  # (timelines have none) animation frames: plotly's own copy
        return go.Figure(fig, _validate=VALIDATE)
    props = {"data": deepcopy(fig._data), "layout": deepcopy(fig._layout)}
    return go.Figure(props, _validate=VALIDATE)


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
    full_title = f"<b>{plotly_text(title)}</b>"
    if subtitle:
        full_title += f"<br><span style='font-size:12px;color:#555'>{plotly_text(subtitle)}</span>"
    layout = dict(
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
        yaxis={"title": {"text": f"{noun} per {PERIOD_WORD[period]}"}, "rangemode": "tozero"},
        xaxis={"type": "date"},
        bargap=0.1,
        hovermode="closest",
        font={"family": "DejaVu Sans, Arial, sans-serif"},
    )
    traces: list[dict] = []
    shapes: list[dict] = []
    annotations: list[dict] = []
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
        traces.append(
            dict(
                type="bar",
                x=rows["period_start"],
                y=rows["count"],
                name=group,
                marker={
                    "color": fill,
                    "line": {"width": 0},
                    **({"pattern": pattern} if pattern else {}),
                },
                customdata=rows[["imprecise"]].to_numpy(),
                hovertemplate=(
                    f"<b>{plotly_text(group)}</b><br>%{{x|%b %Y}}: %{{y:{PLOTLY_COUNT}}} counted"
                    f"<br>%{{customdata[0]:{PLOTLY_COUNT}}} dated more coarsely than the bar"
                    "<extra></extra>"
                ),
                legendgroup="counted",
                legendgrouptitle={"text": "Counted one by one"},
            )
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
            traces.append(
                dict(
                    type="scatter",
                    x=[x0, x1, x1, x0, x0],
                    y=[low, low, high, high, low],
                    fill="toself",
                    mode="lines",
                    line={"color": colour, "width": 1.5, "dash": "dot"},
                    fillcolor=rgba(colour, 0.13),
                    name=plotly_text(name),
                    legendgroup="reported",
                    legendgrouptitle={
                        "text": "Reported by sources (rate per " + PERIOD_WORD[period] + ")"
                    },
                    hoveron="fills+points",
                    text=plotly_text(
                        f"{row.count_text} ({row.scope}), "
                        f"{x0:%-d %b %Y} – {x1:%-d %b %Y}: "
                        f"about {rate_value(row.rate_low * factor)}"
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
            )

    if marks is not None and len(marks):
        for row in merge_close_marks(marks).itertuples(index=False):
            shapes.append(
                dict(
                    type="line",
                    xref="x",
                    yref="paper",
                    x0=row.start,
                    x1=row.start,
                    y0=0,
                    y1=1,
                    line={"color": "#555", "width": 1, "dash": "dot"},
                )
            )
            annotations.append(
                dict(
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
                    hovertext=hover_text(row.dated),
                )
            )

    if x_range:
        layout["xaxis"]["range"] = [
            x_range[0] - pd.Timedelta(days=20),
            x_range[1] + pd.Timedelta(days=20),
        ]
    if shapes:
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    fig = new_figure(data=traces, layout=layout)
    return fig


def merge_close_marks(marks: pd.DataFrame, min_gap_days: int = 75) -> pd.DataFrame:
    """Milestones closer than ``min_gap_days`` share one line and one label, so labels on a
    multi-year axis do not overprint each other. Columns: start, label, hover (the dated
    labels, one a line, as plain text), dated (the same as a tuple: one per milestone)."""
    ordered = marks.sort_values("start", kind="stable")
    cluster = (ordered["start"].diff().dt.days.fillna(min_gap_days) >= min_gap_days).cumsum()
    dated = ordered["start"].dt.strftime("%-d %b %Y") + ": " + ordered["label"]
    return pd.DataFrame(
        {
            "start": ordered.groupby(cluster)["start"].first(),
            "label": ordered.groupby(cluster)["label"]
            .agg(" · ".join)
            .map(lambda t: t if len(t) <= 42 else t[:41] + "…"),
            "hover": dated.groupby(cluster).agg("\n".join),
            "dated": dated.groupby(cluster).agg(tuple),
        }
    ).reset_index(drop=True)


def hover_text(lines: Sequence[str]) -> str:
    """Plain-text ``lines`` as one plotly hover text, each escaped, one a line."""
    return "<br>".join(plotly_text(line) for line in lines)


def _plain_lines(hover: str) -> list[str]:
    """The plain-text lines of a :func:`hover_text` (its inverse)."""
    return [
        line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        for line in str(hover).split("<br>")
    ]


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
                name=f"{GAP_LABEL}:{int(gap.days)}",
                x=gap.start + (gap.end - gap.start) / 2,
                xref="x",
                y=0.0,
                yref=main,
                yanchor="bottom",
                text=f"{gap.days:,} d",
                hovertext=(
                    f"A gap of {gap.days:,} days: "
                    f"{pd.Timestamp(gap.start):%-d %b %Y} – {pd.Timestamp(gap.end):%-d %b %Y}"
                ),
                showarrow=False,
                font={"size": GAP_FONT, "color": "#333"},
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
                hovertext=hover_text(note.dated),
            )

    if x_range is not None:
        # room on the left for the first milestone's label, which hangs left of its line
        fig.update_xaxes(
            range=[x_range[0] - pd.Timedelta(days=75), x_range[1] + pd.Timedelta(days=20)]
        )
    return make_selectable(fig)


# --------------------------------------------------------------------------- live tags
# On a live chart the long vertical labels of milestones and notes collide as soon as the
# chart is narrow or two dates are close, and the chart's width is only known in the
# browser. So the live chart shows each label as a short tag over the plot (a number for a
# milestone, as the slide numbers them, a letter for a note) with the label on hover, and
# the labels in full in a key under the chart (``tag_key``). The tags are laid out for the
# narrowest the chart is ever drawn: a tag's distance to another grows with the width and
# its size does not, so tags clear of each other at that width are clear at every width.

#: the narrowest a live timeline is drawn, in CSS pixels (a phone held upright; Streamlit
#: stacks columns below 640 px)
MIN_LIVE_WIDTH = 320
#: the tags' font size and padding (inside their border), in pixels
TAG_FONT = 11
TAG_PAD = 2
#: a tag's height (a line of text, padding and border) and the height of a row of tags
TAG_HEIGHT = TAG_FONT * 1.3 + 2 * (TAG_PAD + 1)
TAG_ROW = TAG_HEIGHT + 3
#: clear pixels kept between two tags in one row
TAG_GAP = 3
#: the top of the figure kept for its title and subtitle, above the tags, and the height
#: of the title's middle there (where plotly centres it in ``timeline_figure``'s margin)
TITLE_BAND = 60
TITLE_MIDDLE = 35
#: the name of the tags' annotations and of the lines joining a raised tag to its date
TAG_NAME = "pw-tag"
TAG_STEM = "pw-tag-stem"
#: the gap labels' annotations are named "pw-gap:<days>"; their font size in pixels
GAP_LABEL = "pw-gap"
GAP_FONT = 10
#: a live chart's gap labels are thinned for a chart this wide: How often's at a 1000 px
#: window with the sidebar open (a label's distance to another grows with the width, so
#: labels clear of each other there are clear at every wider width)
GAP_LABEL_WIDTH = 540


@dataclass(frozen=True)
class Tag:
    """A milestone's or note's short tag on a live chart: its text ('3', 'B'), its date,
    its row over the plot (0 right above it), whether it is a 'milestone' or a 'note', and
    the dated labels it stands for, as plain text (several milestones close in time share a
    line and a tag, ``merge_close_marks``)."""

    text: str
    x: pd.Timestamp
    row: int
    kind: str
    lines: tuple[str, ...]


def tag_width_px(text: str, size: float = TAG_FONT) -> float:
    """The width of a tag showing ``text``, in pixels, erring wide: a digit is 0.64 of the
    font size in DejaVu Sans, the widest letter under one; padding and border both sides."""
    return sum(0.64 if c.isdigit() else 1.0 for c in text) * size + 2 * (TAG_PAD + 1)


def _letters(n: int) -> str:
    """1 -> 'A', 26 -> 'Z', 27 -> 'AA': the notes' tags."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _label_kind(note: object) -> str | None:
    """What a long vertical label of a timeline (an annotation, or its dict) labels:
    'milestone' (hung from the top of the plot, ``timeline_figure``), 'note' (an analyst's
    note, ``gap_timeline_figure``), or None for any other annotation."""
    get = note.get if isinstance(note, Mapping) else lambda key: getattr(note, key, None)
    if get("textangle") != -90 or get("xref") != "x":
        return None
    return {"paper": "milestone", "y domain": "note"}.get(get("yref"))


def _vertical_labels(fig: go.Figure) -> list[tuple[str, object]]:
    """The long vertical labels of ``fig`` with what each labels (:func:`_label_kind`)."""
    kinds = ((_label_kind(note), note) for note in fig.layout.annotations)
    return [(kind, note) for kind, note in kinds if kind is not None]


def _axis_span(fig: go.Figure, dates: Sequence[pd.Timestamp]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates at the two ends of the x axis: its range when set, else the span of what
    the figure plots along it and of ``dates``."""
    span = fig.layout.xaxis.range
    if span is not None and len(span) == 2:
        return pd.Timestamp(span[0]), pd.Timestamp(span[1])
    seen = list(dates)
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is None or getattr(trace, "yaxis", None) not in (None, "y"):
            continue
        values = pd.to_datetime(pd.Series(list(xs), dtype=object), errors="coerce").dropna()
        if len(values):
            seen.extend([values.min(), values.max()])
    if not seen:
        return pd.Timestamp(0), pd.Timestamp(0)
    return min(seen), max(seen)


def _plot_px(fig: go.Figure, width: float) -> tuple[float, float]:
    """The left edge and the width of the plot of ``fig`` drawn ``width`` pixels wide."""
    margin = fig.layout.margin
    left = 80.0 if margin.l is None else float(margin.l)
    right = 80.0 if margin.r is None else float(margin.r)
    return left, max(1.0, width - left - right)


def _x_px(
    fig: go.Figure, width: float, lo: pd.Timestamp, hi: pd.Timestamp
) -> Callable[[pd.Timestamp], float]:
    """Where a date falls, in pixels from the left of ``fig`` drawn ``width`` pixels wide,
    its x axis running from ``lo`` to ``hi``."""
    left, plot_w = _plot_px(fig, width)
    days = max((hi - lo).total_seconds(), 1.0)
    return lambda when: left + (pd.Timestamp(when) - lo).total_seconds() / days * plot_w


def _is_gap_label(note: object) -> bool:
    """Whether an annotation is a gap's length (``gap_timeline_figure``)."""
    return (getattr(note, "name", None) or "").startswith(GAP_LABEL + ":")


def stagger_rows(
    centres: Sequence[float], widths: Sequence[float], gap: float = TAG_GAP
) -> list[int]:
    """A row for each tag centred at ``centres`` (pixels, in date order) ``widths`` wide:
    the lowest row in which it keeps ``gap`` pixels clear of every tag placed before it."""
    placed: list[tuple[float, float, int]] = []
    rows = []
    for x, w in zip(centres, widths, strict=True):
        left, right = x - w / 2, x + w / 2
        row = 0
        while any(r == row and left < b + gap and a - gap < right for a, b, r in placed):
            row += 1
        placed.append((left, right, row))
        rows.append(row)
    return rows


def chart_tags(fig: go.Figure, min_width: float = MIN_LIVE_WIDTH) -> list[Tag]:
    """The tags of the milestones and notes of a timeline ``fig`` (``timeline_figure``,
    ``gap_timeline_figure``): milestones numbered in date order (as the slide numbers them),
    notes lettered, each in the lowest row over the plot where it overlaps no other tag
    with the chart ``min_width`` pixels wide (:func:`stagger_rows`), and so at any width.
    A label dated off the x axis (which plotly would not draw) gets no tag."""
    labels = sorted(
        ((kind, pd.Timestamp(note.x), note) for kind, note in _vertical_labels(fig)),
        key=lambda item: (item[1], item[0]),
    )
    if not labels:
        return []
    lo, hi = _axis_span(fig, [when for _, when, _ in labels])
    labels = [item for item in labels if lo <= item[1] <= hi]  # plotly hides the others
    x_of = _x_px(fig, min_width, lo, hi)
    counters = {"milestone": 0, "note": 0}
    texts, centres = [], []
    for kind, when, _ in labels:
        counters[kind] += 1
        n = counters[kind]
        texts.append(str(n) if kind == "milestone" else _letters(n))
        centres.append(x_of(when))
    rows = stagger_rows(centres, [tag_width_px(t) for t in texts])
    return [
        Tag(text, when, row, kind, tuple(_plain_lines(note.hovertext or plotly_text(note.text))))
        for text, row, (kind, when, note) in zip(texts, rows, labels, strict=True)
    ]


def tagged_figure(fig: go.Figure, tags: Sequence[Tag]) -> go.Figure:
    """A copy of the timeline ``fig`` with the long vertical labels of its milestones and
    notes replaced by ``tags`` (``chart_tags(fig)``) over the plot, each with its labels on
    hover and, when raised above the first row, a line down to its date; the top margin
    grown to hold the rows of tags under the title, which is pinned to the top."""
    if not tags:
        return new_figure(fig)
    # made as dicts, then one figure of them (added to a figure one by one, plotly walks
    # every property of each: ~1 ms a tag)
    layout = deepcopy(fig._layout)
    shapes = list(layout.get("shapes", ()))
    annotations = [a for a in layout.get("annotations", ()) if _label_kind(a) is None]
    colours = {"milestone": ("#222", "#555"), "note": (NOTE_COLOUR, NOTE_COLOUR)}
    for tag in tags:
        text_colour, border = colours[tag.kind]
        lift = 3 + tag.row * TAG_ROW
        if tag.row:
            shapes.append(
                {
                    "name": TAG_STEM,
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": tag.x,
                    "x1": tag.x,
                    "ysizemode": "pixel",
                    "yanchor": 1,
                    "y0": 0,
                    "y1": lift,
                    "line": {"color": border, "width": 1, "dash": "dot"},
                }
            )
        annotations.append(
            {
                "name": TAG_NAME,
                "text": tag.text,
                "x": tag.x,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "yshift": lift,
                "showarrow": False,
                "font": {"size": TAG_FONT, "color": text_colour},
                "bgcolor": "#ffffff",
                "bordercolor": border,
                "borderwidth": 1,
                "borderpad": TAG_PAD,
                "hovertext": hover_text(tag.lines),
            }
        )
    rows = 1 + max(tag.row for tag in tags)
    top = TITLE_BAND + rows * TAG_ROW + 3
    margin = dict(layout.get("margin") or {})
    margin["t"] = max(top, margin.get("t") or 0)
    # the title (and subtitle) where plotly centres it in the usual top margin
    title = dict(layout.get("title") or {})
    title.update(y=1 - TITLE_MIDDLE / (layout.get("height") or 450), yanchor="middle")
    layout.update(margin=margin, title=title, annotations=annotations)
    if shapes:
        layout["shapes"] = shapes
    return new_figure(data=deepcopy(fig._data), layout=layout)


def tag_boxes(fig: go.Figure, width: float) -> list[tuple[str, float, float, float, float]]:
    """The tags of a :func:`tagged_figure` as boxes (text, left, top, right, bottom) in
    pixels of the chart drawn ``width`` wide, its top at 0."""
    tags = [a for a in fig.layout.annotations if a.name == TAG_NAME]
    x_of = _x_px(fig, width, *_axis_span(fig, [pd.Timestamp(a.x) for a in tags]))
    top = float(fig.layout.margin.t or 0)
    out = []
    for a in tags:
        x = x_of(a.x)
        w = tag_width_px(str(a.text), a.font.size or TAG_FONT)
        bottom = top - (a.yshift or 0)
        out.append((str(a.text), x - w / 2, bottom - TAG_HEIGHT, x + w / 2, bottom))
    return out


def gap_label_boxes(fig: go.Figure, width: float) -> list[tuple[int, float, float]]:
    """The gap labels of ``fig`` (``gap_timeline_figure``) as (days, left, right) in pixels
    of the chart drawn ``width`` wide, erring wide."""
    labels = [a for a in fig.layout.annotations if _is_gap_label(a)]
    x_of = _x_px(fig, width, *_axis_span(fig, [pd.Timestamp(a.x) for a in labels]))
    out = []
    for a in labels:
        x = x_of(a.x)
        w = tag_width_px(str(a.text), a.font.size or GAP_FONT)
        out.append((int(str(a.name).split(":", 1)[1]), x - w / 2, x + w / 2))
    return out


def thin_gap_labels(fig: go.Figure, width: float = GAP_LABEL_WIDTH) -> go.Figure:
    """``fig`` (changed in place) keeping the gap labels that fit side by side with the
    chart ``width`` pixels wide, the longest gaps first; a gap whose label is left out is
    still shaded, and listed with its length in the page's table of gaps."""
    notes = fig.layout.annotations
    labels = [a for a in notes if _is_gap_label(a)]
    placed: list[tuple[float, float]] = []
    dropped: set[int] = set()  # the labels' ids
    boxes = zip(labels, gap_label_boxes(fig, width), strict=True)
    for note, (_, a, b) in sorted(boxes, key=lambda item: -item[1][0]):
        if all(b + TAG_GAP <= left or right + TAG_GAP <= a for left, right in placed):
            placed.append((a, b))
        else:
            dropped.add(id(note))
    fig.layout.annotations = [a for a in notes if id(a) not in dropped]
    return fig


#: the flags written beside a strip's span (``span_groups``), each with the shorter form a
#: chart too narrow for it writes (its meaning then in the legend and on hover)
SHORT_FLAGS = {"conflicts with other reports": "conflict"}
#: what the legend says a shortened flag means
SHORT_FLAG_LEGEND = "conflict: other reports disagree with it (the topics on hover)"
#: a flag's font size (plotly's default) and the average advance of its characters in
#: ems, erring wide (DejaVu Sans, lower case: 0.48 measured)
FLAG_FONT = 12
FLAG_EM = 0.56
#: the room plotly leaves between a span's marker and the flag written beside it, and
#: how near (in lanes) another mark of the strip is to be covered by a flag
FLAG_GAP = 6.0
FLAG_LANES = 0.6


def _strip_marks(fig: go.Figure, x_of: Callable[[pd.Timestamp], float]) -> list[tuple]:
    """What the strip of ``fig`` draws, as (left, right, lane) in pixels: each span's bar
    and each span's marker."""
    marks: list[tuple] = []
    for trace in fig.data:
        if trace.meta == "span-line":
            xs, ys = list(trace.x), list(trace.y)
            for i in range(0, len(xs) - 1, 3):
                if xs[i] is None or xs[i + 1] is None or ys[i] is None:
                    continue
                marks.append((x_of(xs[i]), x_of(xs[i + 1]), float(ys[i])))
        elif trace.meta == "span":
            for x, y in zip(trace.x, trace.y, strict=True):
                px = x_of(pd.Timestamp(x))
                marks.append((px - 4.0, px + 4.0, float(y)))
    return marks


def fit_span_flags(fig: go.Figure, width: float = MIN_LIVE_WIDTH) -> go.Figure:
    """``fig`` (changed in place) with each flag of its strip (``disputed``, ``conflicts
    with other reports``) written where it is whole with the chart ``width`` pixels wide,
    and so at every width from there (a flag keeps its size in pixels while the dates
    move apart): right of its span, else left of it, in full, else in its short form
    (:data:`SHORT_FLAGS`), never over another mark of the strip or another flag; a flag
    with room nowhere is left out (its marker and hover stay). The flags are one text
    trace (meta ``span-flag``) anchored at the ends of their spans, so a wider chart never
    brings a span's own bar under its flag. When a short form is written the legend says
    what it means."""
    lo, hi = _axis_span(fig, [])
    x_of = _x_px(fig, width, lo, hi)
    left_edge, plot_w = _plot_px(fig, width)
    right_edge = left_edge + plot_w
    marks = _strip_marks(fig, x_of)
    shortened = None
    for trace in list(fig.data):
        flags = trace.texttemplate
        if trace.meta != "span" or flags is None or isinstance(flags, str):
            continue
        xs, ys, texts, sides = [], [], [], []
        for y, flag, data in zip(trace.y, flags, trace.customdata, strict=True):
            if not flag:
                continue
            first, after = pd.Timestamp(data[1]), pd.Timestamp(data[2]) + ONE_DAY
            lane = float(y)
            for text in dict.fromkeys([flag, SHORT_FLAGS.get(flag, flag)]):
                w = len(text) * FLAG_EM * FLAG_FONT
                start, end = x_of(first), x_of(after)
                fits = [
                    (after, "middle right", end + FLAG_GAP, end + FLAG_GAP + w),
                    (first, "middle left", start - FLAG_GAP - w, start - FLAG_GAP),
                ]
                free = [
                    (x, side, a, b)
                    for x, side, a, b in fits
                    if left_edge <= a
                    and b <= right_edge
                    and all(b <= m[0] or m[1] <= a or abs(m[2] - lane) >= FLAG_LANES for m in marks)
                ]
                if free:
                    x, side, a, b = free[0]
                    xs.append(x)
                    ys.append(lane)
                    texts.append(text)
                    sides.append(side)
                    marks.append((a, b, lane))  # later flags keep clear of it
                    if text != flag:
                        shortened = trace
                    break
        trace.mode = "markers"  # its flags drawn by the text trace instead
        if texts:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="text",
                    text=texts,
                    textposition=sides,
                    textfont=trace.textfont,
                    yaxis="y2",
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup="spans",
                    meta="span-flag",
                )
            )
    if shortened is not None:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=shortened.marker,
                yaxis="y2",
                name=SHORT_FLAG_LEGEND,
                legendgroup="spans",
                hoverinfo="skip",
                meta="legend",
            )
        )
    return fig


def live_timeline(fig: go.Figure) -> tuple[go.Figure, list[Tag]]:
    """What a page draws of the timeline ``fig`` (never changed): a selectable copy with
    tags for its milestones and notes (:func:`tagged_figure`), the gap labels that fit
    (:func:`thin_gap_labels`) and the strip's flags written where they are whole
    (:func:`fit_span_flags`), and the tags, for the key."""
    tags = chart_tags(fig)
    live = thin_gap_labels(make_selectable(tagged_figure(fig, tags)))
    return fit_span_flags(live), tags


def tag_key(tags: Sequence[Tag]) -> str:
    """The key under a live chart, as Streamlit Markdown (the labels escaped): each tag's
    text in bold and its dated labels, milestones then notes."""
    from components.html import md_escape

    parts = []
    for kind, title in (("milestone", "Milestones"), ("note", "Notes")):
        items = [
            f"**{t.text}** " + "; ".join(md_escape(line) for line in t.lines)
            for t in tags
            if t.kind == kind
        ]
        if items:
            parts.append(f"{title}: " + " · ".join(items))
    return "  \n".join(parts)


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
    # its live copy (selectable, milestones tagged: ``live_timeline``) and that copy shaded
    # for a span are made once for everyone
    shared = fig
    fig, tags = derived(shared, "live", lambda: live_timeline(shared))
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
    if tags:
        st.caption(tag_key(tags))
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
