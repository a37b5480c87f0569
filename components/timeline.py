"""Patrol frequency over time: counted events as stacked bars, the counts sources report
as rate bands (never bars), milestones as marked lines.

``frequency_figure`` is a pure builder; ``render_frequency`` shows it.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.colours import group_colours, group_style

PERIOD_WORD = {"week": "week", "month": "month", "quarter": "quarter", "year": "year"}
BAND_COLOURS = ["#6a3d9a", "#b15928", "#33a02c", "#e31a1c", "#1f78b4", "#ff7f00", "#b2df8a"]


def _rate_factor(period: str) -> float:
    """Months per period: a rate per month times this is a rate per period."""
    return {"week": 7 / (365.25 / 12), "month": 1.0, "quarter": 3.0, "year": 12.0}[period]


def frequency_figure(
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
    fig = go.Figure()
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
                f"<b>{_plain(group)}</b><br>%{{x|%b %Y}}: %{{y}} counted"
                "<br>%{customdata[0]} dated more coarsely than the bar<extra></extra>"
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
                fillcolor=_rgba(colour, 0.13),
                name=_plain(name),
                legendgroup="reported",
                legendgrouptitle_text="Reported by sources (rate per " + PERIOD_WORD[period] + ")",
                hoveron="fills+points",
                text=_plain(
                    f"{row.count_text} ({row.scope}), "
                    f"{x0:%-d %b %Y} – {x1:%-d %b %Y}: about {row.rate_low * factor:.1f}"
                    + (f"–{row.rate_high * factor:.1f}" if row.rate_high != row.rate_low else "")
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
                text=_plain(row.label),
                showarrow=False,
                textangle=-90,
                xanchor="right",
                yanchor="top",
                xshift=-1,
                font={"size": 10, "color": "#333"},
                bgcolor="rgba(255,255,255,0.75)",
                hovertext=_plain(row.hover),
            )

    full_title = f"<b>{_plain(title)}</b>"
    if subtitle:
        full_title += f"<br><span style='font-size:12px;color:#555'>{_plain(subtitle)}</span>"
    fig.update_layout(
        barmode="stack",
        template="plotly_white",
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


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _plain(text: str) -> str:
    """Text from the data, made inert for plotly (which renders a subset of HTML in labels)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_frequency(fig: go.Figure, key: str) -> None:
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
