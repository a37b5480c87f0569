"""How often's views besides the timeline (``components.timeline``): the headline cards,
the reported-against-counted chart, the running totals, the tables behind them, and the
page's sections, each drawn from ``data.views.FrequencyView``.

Builders are pure (no ``st``) and unit-tested; the ``render_*`` functions call ``st``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import rgba
from components.html import plotly_text
from data import vocab
from data.aggregate import since_words
from data.analytics import Comparison
from data.dates import format_at_precision
from data.model import DataSet
from data.numbers import count, plural, rate_value
from data.views import FrequencyView, SelectionView


def coverage_figure(cov: pd.DataFrame, *, title: str = "Reported against held") -> go.Figure:
    """One row per reported count: what the source reports (a bar, or a bar to the low end
    and a lighter one to the high end for a range) beside the patrols we hold one by one for
    the same period and scope, labelled with the coverage ratio. Running ordinals ('the
    95th') are left to the running-totals chart."""
    rows = cov[(cov["reported_high"] > 0) & (cov["qualifier"] != "cumulative_ordinal")]
    rows = rows.iloc[::-1]
    label = [
        plotly_text(f"{r} · {a:%b %Y}–{b:%b %Y}") + "<br>" + plotly_text(s)
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
        customdata=np.column_stack(
            [rows["source"].fillna("").map(plotly_text), rows["ratio_text"]]
        ),
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
            marker={"color": rgba("#6a3d9a", 0.35)},
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
        title={"text": f"<b>{plotly_text(title)}</b>", "x": 0.01},
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
        name = plotly_text(names.get(scope, scope))
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
                    plotly_text(f"{t} · {s}")
                    for t, s in zip(rep["text"], rep["source"], strict=True)
                ],
                hovertemplate="%{text}<extra></extra>",
            )
    fig.update_layout(
        template="plotly_white",
        title={"text": f"<b>{plotly_text(title)}</b>", "x": 0.01},
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
    # only the patrols beside a gap get a date written (not every event of the data set)
    beside = pd.concat([gaps["after_event_id"], gaps["before_event_id"]]).dropna().unique()
    dates = _event_dates(events[events["event_id"].isin(beside)])
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
                rate_value(a)
                if rate_value(a) == rate_value(b)
                else f"{rate_value(a)}–{rate_value(b)}"
                for a, b in zip(cov["rate_low"], cov["rate_high"], strict=True)
            ],
            "Held a month": cov["held_rate"].map(rate_value),
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
    window_end: pd.Timestamp | None = None,
) -> list[tuple[str, str, str]]:
    """(label, value, help) for the page's headline figures: counted, held of reported,
    longest closed gap, days from the last one to the end of the window (``window_end``;
    0 when the window ends inside it). Help texts from the data are escaped."""
    from components.html import md_escape

    imprecise = int((counted["date_precision"] != "day").sum())
    one = noun[:-1]
    cards = [
        (
            f"{noun.capitalize()} counted",
            count(len(counted)),
            f"{noun.capitalize()} held one by one in the selection"
            + (f"; {imprecise} of them known only to the week or month" if imprecise else "")
            + ("; disputed ones included" if include_disputed else "; disputed ones not counted"),
        )
    ]
    if top is not None:
        cards.append(
            (
                "Held of reported",
                f"{count(top['held'])} of {top['reported']}",
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
                plural(int(g["days"]), "day"),
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
        since = since_words(int(c["days"]), c["end"], ends_today=c["end"] >= today)
        cards.append(
            (
                f"Days since the last {one}",
                count(c["days"]),
                md_escape(
                    f"From the end of the last {one}, {c['start']:%-d %b %Y} "
                    f"({c['group_name']}): {since}."
                ),
            )
        )
    elif len(counted) and window_end is not None:  # the window ends inside the last one
        last = counted["end"].max()
        days = max(0, int((window_end - last).days))
        since = since_words(days, window_end, ends_today=window_end >= today)
        cards.append(
            (
                f"Days since the last {one}",
                count(days),
                f"From the end of the last {one}'s date window, {last:%-d %b %Y}: {since}.",
            )
        )
    else:
        cards.append((f"Days since the last {one}", "–", f"No {one} in the selection."))
    return cards


# --------------------------------------------------------------------------- the page's parts

NOTES_KEY = "freq_notes"
#: under the figures while a selection is active: what follows it and what does not
TABS_SCOPE = (
    "The figures above, and the map and events of the Frequency section, follow the "
    "selection; the other sections cover the filter's whole window."
)
#: the page's sections (URL value -> label): one is drawn at a time, and only its figures
#: are worked out
SECTIONS = {
    "frequency": "Frequency",
    "coverage": "Reported against counted",
    "gaps": "Gaps",
    "comparison": "Change between periods",
    "numbering": "Patrol numbers",
}
SECTION_KEY = "freq_section"


def render_section_bar() -> str:
    """The bar of the page's sections; returns the one open (kept in the URL, so a link
    opens the same section). Only that section is drawn and worked out: a tab bar would run
    every section on every rerun."""
    import streamlit as st

    if st.session_state.get(SECTION_KEY) not in SECTIONS:
        st.session_state.pop(SECTION_KEY, None)  # a hand-edited link: the first section
    chosen = st.segmented_control(
        "Section",
        list(SECTIONS),
        default="frequency",
        required=True,
        key=SECTION_KEY,
        bind="query-params",
        format_func=SECTIONS.get,
        label_visibility="collapsed",
        width="stretch",
    )
    return chosen if chosen in SECTIONS else "frequency"


@dataclass(frozen=True)
class FrequencySettings:
    """How often's own settings, above its timeline."""

    period: str
    by: str
    threshold: int
    include_disputed: bool
    per_theatre: bool


def render_frequency_settings() -> FrequencySettings:
    """The row of settings: bars per period, stacking, gap length, disputed, per theatre."""
    import streamlit as st

    from data.aggregate import PERIODS
    from data.analytics import FREQUENCY_GROUPINGS

    # each setting at its own width, in a row that wraps onto a second line when the page is
    # narrow (columns of fixed shares cut "Week" and folded the switches' labels at 1000 px)
    row = st.container(
        horizontal=True, wrap=True, vertical_alignment="bottom", gap="small", key="freq_settings"
    )
    period = row.segmented_control(
        "Bars per",
        list(PERIODS),
        default="month",
        key="freq_period",
        format_func=str.capitalize,
        width="content",
    )
    by = row.segmented_control(
        "Stack by",
        list(FREQUENCY_GROUPINGS),
        default="actor",
        key="freq_by",
        format_func=FREQUENCY_GROUPINGS.get,
        width="content",
    )
    threshold = row.number_input(
        "Gap over (days)",
        min_value=1,
        max_value=5000,
        value=60,
        step=10,
        key="freq_threshold",
        width=170,
        help="Gaps between patrols longer than this are shaded on the timeline and listed.",
    )
    disputed = row.toggle(
        "Count disputed",
        value=False,
        key="freq_disputed",
        width="content",
        help="Patrols a source reports but others contradict. They are always drawn in red "
        "in the strip under the bars; this decides whether the bars, gaps and rates count "
        "them.",
    )
    per_theatre = row.toggle(
        "Gaps per theatre",
        value=True,
        key="freq_per_theatre",
        width="content",
        help="Look for gaps in each theatre's patrols on their own, or across all theatres "
        "of the selection at once.",
    )
    return FrequencySettings(
        period or "month", by or "actor", int(threshold), bool(disputed), bool(per_theatre)
    )


def current_notes() -> list[dict[str, str]]:
    """The analyst's notes on the timeline, kept in this browser session."""
    import streamlit as st

    return list(st.session_state.get(NOTES_KEY, []))


def timeline_caption(view: FrequencyView) -> str:
    """What the timeline shows and how to select on it (``view``: a FrequencyView)."""
    threshold, imprecise, noun = view.threshold, view.imprecise, view.noun
    return (
        "Drag across the chart to select a span of time: the map, the table and the figures "
        "narrow to it, and the link keeps it (Clear selection brings the whole window back). "
        "To pick bars one by one, choose Pan in the "
        "chart's toolbar and click a bar "
        f"(shift-click adds more). Shaded: gaps over {threshold} days, orange where a source "
        "reports a suspension, grey where a source's count says patrols ran that we do not "
        "hold (a hole in our coverage), red where no source says either. Purple bands: rates "
        "sources report."
        + (
            f" {imprecise} counted {noun} are known only to their week or month: each is "
            "counted in the bar of its first day (the bar's hover says how many) and drawn over "
            "its whole span in the strip under the bars."
            if imprecise
            else ""
        )
    )


def render_notes_editor() -> None:
    """Add and remove the analyst's notes (drawn on the timeline as green dashed lines)."""
    import streamlit as st

    notes = current_notes()
    with st.expander(f"Your notes on the timeline ({len(notes)})"):
        with st.form("freq_note_form", clear_on_submit=True, border=False):
            n1, n2, n3 = st.columns([1, 3, 1], vertical_alignment="bottom")
            day = n1.date_input("Date", value=None, key="freq_note_date", format="YYYY-MM-DD")
            text = n2.text_input("Note", max_chars=80, key="freq_note_text")
            if n3.form_submit_button("Add note") and isinstance(day, date) and text.strip():
                st.session_state[NOTES_KEY] = [
                    *notes,
                    {"date": day.isoformat(), "text": text.strip()},
                ]
                st.rerun()
        if notes:
            st.dataframe(pd.DataFrame(notes), hide_index=True)
            if st.button("Remove all notes", key="freq_notes_clear"):
                st.session_state[NOTES_KEY] = []
                st.rerun()
        st.caption("Notes stay in this browser session only and are drawn as green dashed lines.")


def render_gaps_section(
    view: FrequencyView, ds_events: pd.DataFrame, version: str, today: date
) -> None:
    """The long gaps, the time since the last one, and the disputed patrols."""
    import streamlit as st

    from components.export_panel import render_chart_exports
    from components.sources import conflict_table
    from components.tables import render_table
    from data.export import export_name

    v = view
    now = pd.Timestamp(today)
    st.subheader(f"Gaps longer than {v.threshold} days ({len(v.long_gaps):,})")
    st.caption(
        "A gap runs from the end of one patrol's date window to the start of the next (a "
        "patrol known only to its month shortens the gaps beside it to what is certain). Each "
        "day of it is explained as a reported suspension (a source reports patrols halted "
        "then), a coverage hole (a count a source reports for a period including that day "
        "says patrols ran, so we miss records), or no record either way. 'Patrols implied' is "
        "what the lowest reported rate gives over the hole days."
    )
    render_table(gap_table(v.long_gaps, ds_events, now), key="freq_gaps", wide=("Why",))
    noun = v.noun
    st.markdown("**Since the last patrol**" if noun == "patrols" else "**Since the last event**")
    current = v.gaps.current.sort_values("days")
    render_table(gap_table(current, ds_events, now), key="freq_current", wide=("Why",))
    render_chart_exports(
        key="freq_gaps_export",
        stem=export_name("gaps", version),
        table=gap_table(v.gaps.gaps, ds_events, now),
    )
    if len(v.disputed):
        st.subheader("Disputed patrols in the selection")
        st.caption(
            "Reported by one source and contradicted by others; "
            + (
                "counted above (toggle 'Count disputed')."
                if v.include_disputed
                else "not counted above unless you switch on 'Count disputed'."
            )
        )
        render_table(
            conflict_table(v.disputed_claims),
            key="freq_disputed_claims",
            wide=("Claim",),
        )


def render_coverage_section(view: FrequencyView, ds_label: str, version: str) -> None:
    """Each count a source reports beside what we hold for the same scope; running totals."""
    import streamlit as st

    from components.briefing import slide_figure
    from components.export_panel import render_chart_exports
    from components.html import md_escape
    from components.tables import render_table
    from data.export import export_name

    noun, top, cov = view.noun, view.top, view.coverage
    st.subheader("Reported against counted")
    st.caption(
        "Each count a source reports for a period overlapping the window, beside the "
        f"{noun} we hold one by one for the same whole period, theatre, kind and routes "
        "(whatever the date filter), and the coverage ratio held / reported. Reported counts "
        "are never added to ours."
    )
    if top is not None:
        st.markdown(
            md_escape(
                f"{top['source']} reports {top['reported']} {noun} from "
                f"{top['period_start']:%-d %b %Y} to {top['period_end']:%-d %b %Y} "
                f"({top['scope']}); we hold {top['ratio_text']} one by one."
            )
        )
    title = "Reported by sources against held one by one"
    cov_fig = coverage_figure(cov, title=title)
    render_chart(cov_fig, key="freq_coverage_chart")
    curves, points = view.cumulative
    render_chart(
        cumulative_figure(curves, points, title=f"Running totals of {noun}"),
        key="freq_cumulative_chart",
    )
    st.caption(
        "Running ordinals ('the 95th patrol in an area') are drawn as running totals beside "
        "the patrols we hold in the same scope; every count is in the table."
    )
    render_table(coverage_table(cov), key="freq_coverage", wide=("Note", "Scope"))
    render_chart_exports(
        key="freq_coverage_export",
        stem=export_name("reported-vs-held", version),
        table=coverage_table(cov),
        slide=lambda: slide_figure(
            cov_fig,
            title=title,
            summary=view.description,
            source_line=source_line(ds_label, cov, noun),
        ),
    )


def render_comparison_section(
    view: FrequencyView, compare: Callable[[str, str], Comparison]
) -> None:
    """Two period pickers and the change between them, counted and as reported;
    ``compare(key_a, key_b)`` gives the ``data.analytics.Comparison``."""
    import streamlit as st

    from components.html import md_escape
    from components.tables import render_table
    from data.analytics import parse_period

    st.subheader("Change between two periods")
    options = view.period_options
    first, second = view.default_periods
    p1, p2 = st.columns(2)
    key_a = p1.selectbox(
        "First period",
        options,
        index=first,
        key="freq_period_a",
        format_func=lambda k: parse_period(k).label,
    )
    key_b = p2.selectbox(
        "Second period",
        options,
        index=second,
        key="freq_period_b",
        format_func=lambda k: parse_period(k).label,
    )
    if key_a is None or key_b is None:
        return
    comparison = compare(key_a, key_b)
    a_label, b_label = comparison.a.label, comparison.b.label
    if comparison.reported:
        ra, rb = comparison.reported
        st.markdown(
            f"**As reported:** {a_label} to {b_label}, {md_escape(comparison.reported_sentence)}."
        )
        st.caption(md_escape(f"{ra.origin}. {rb.origin}."))
    else:
        st.caption(
            f"No source reports a count for exactly {a_label} and exactly {b_label}: only the "
            "counted rates are compared."
        )
    st.markdown(
        f"**As counted one by one:** {a_label} to {b_label}, "
        f"{md_escape(comparison.counted_sentence)}."
    )
    render_table(comparison.origins(), key="freq_comparison", wide=("Where from",))
    exact = comparison.exact_change
    st.caption(
        "Rates are per calendar month for whole months (a year: 12, a quarter: 3), else per "
        "30.4 days. The change is worked out from the rates as shown, so the sentence checks "
        "by hand" + (f" (on unrounded rates: {exact:+.1f}%)." if exact is not None else ".")
    )


def render_ordinals_section(view: FrequencyView) -> None:
    """Patrol numbers sources announce, checked per numbering scheme."""
    import streamlit as st

    from components.tables import render_table

    st.subheader("Patrol numbers")
    if not len(view.ordinals):
        st.caption("No source announces patrol numbers for the events of this selection.")
        return
    st.caption(
        "Where sources announce ordinal numbers ('the 4th joint land patrol'), each numbering "
        "scheme is checked on its own: numbers missing between the lowest and highest we hold "
        "(patrols we know ran but do not hold), duplicates, and numbers out of date order."
    )
    render_table(
        ordinal_table(view.ordinals), key="freq_ordinals", wide=("Missing between", "Note")
    )


def view_cards(
    view: FrequencyView, today: date, picked: SelectionView | None = None
) -> list[tuple[str, str, str]]:
    """:func:`frequency_cards` of a How often view, or of the part of it selected on the
    timeline (``picked``, from ``data.views.selection_view``)."""
    if picked is not None and picked.active and picked.gaps is not None:
        counted, top, gaps, end = picked.counted, picked.top, picked.gaps, picked.head.window_end
    else:
        counted, top, gaps, end = view.counted, view.top, view.gaps, view.head.window_end
    return frequency_cards(
        view.noun,
        counted,
        top=top,
        gaps=gaps.gaps,
        current=gaps.current,
        today=pd.Timestamp(today),
        include_disputed=view.include_disputed,
        window_end=end,
    )


def view_timeline(view: FrequencyView, colours: dict[str, str]) -> go.Figure:
    """How often's selectable timeline of a view (``components.timeline``)."""
    from components.timeline import gap_timeline_figure

    fig = gap_timeline_figure(
        view.counts,
        period=view.period,
        by=view.by,
        actor_colours=colours,
        reported=view.bands,
        marks=view.marks,
        notes=view.notes,
        gap_segments=view.gap_segments,
        gaps=view.long_gaps,
        threshold=view.threshold,
        spans=view.spans,
        title=view_title(view),
        subtitle=view.description,
        x_range=(view.head.window_start, view.head.window_end),
    )
    fig.update_layout(height=620)
    return fig


def view_title(view: FrequencyView) -> str:
    """'Patrols per month': the timeline's title."""
    return f"{view.noun.capitalize()} per {view.period}"


def selection_counts(ds: DataSet, view: FrequencyView, picked: SelectionView) -> pd.DataFrame:
    """The timeline's bars counted over the selection alone (its counted events, within
    its span), the data the timeline's CSV holds while something is selected;
    ``view.counts`` when nothing is."""
    if not picked.active or picked.counted is None:
        return view.counts
    from data.analytics import frequency_counts

    return frequency_counts(
        picked.counted,
        ds,
        view.period,
        view.by,
        start=picked.head.window_start,
        end=picked.head.window_end,
    )


def render_timeline_exports(
    view: FrequencyView,
    fig: go.Figure,
    ds_label: str,
    version: str,
    *,
    picked: SelectionView | None = None,
    counts: pd.DataFrame | None = None,
) -> None:
    """The timeline's data as CSV and the timeline as a slide. With a selection
    (``picked`` active, ``counts`` its bars: :func:`selection_counts`) the CSV holds the
    selection's counts and is named by its span, and the slide shades it and says it."""
    from components.briefing import selected, selected_figure, slide_figure
    from components.export_panel import render_chart_exports
    from data.export import export_name

    sel = selected(picked)
    stem = f"{view.noun}-per-{view.period}"
    summary = view.description
    if sel is not None:
        span = sel.selection
        stem += (
            f"-selection-{span.start:%Y-%m-%d}-{span.end:%Y-%m-%d}"
            if span.start is not None and span.end is not None
            else "-selection"
        )
        summary = f"{sel.line()} · within {view.description}"
    render_chart_exports(
        key="freq_timeline_export",
        stem=export_name(stem, version),
        table=counts_table(view.counts if sel is None or counts is None else counts, view.period),
        slide=lambda: slide_figure(
            fig if sel is None else selected_figure(fig, sel.selection),
            title=view_title(view),
            summary=summary,
            source_line=source_line(ds_label, view.coverage, view.noun),
        ),
    )
