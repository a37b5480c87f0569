"""How often: patrols per period, the gaps and what explains them, the change between two
periods, reported counts against the patrols held one by one, and patrol numbers.

Selecting bars or a span on the timeline narrows this page's map and event table.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from components.basemap import tile_settings
from components.briefing import ExportView, standard_view
from components.cite import render_cite
from components.colours import actor_colours
from components.export import export_name, slide_figure
from components.export_panel import render_export_panel
from components.frame import page_context
from components.frequency import (
    counts_table,
    coverage_figure,
    coverage_table,
    cumulative_figure,
    curve_roles,
    frequency_cards,
    gap_table,
    notes_frame,
    ordinal_table,
    render_chart,
    render_exports,
    render_timeline,
    selection_from_chart,
    source_line,
    timeline_figure,
)
from components.html import md_escape
from components.overview import event_table, render_headline
from components.patrol_map import build_patrol_map, render_patrol_map
from components.sources import conflict_table
from components.tables import render_table
from components.timeline import chart_bands
from data.aggregate import (
    PERIODS,
    counted_for_timeline,
    headline,
    milestones,
    overlapping_period_counts,
)
from data.analytics import (
    FREQUENCY_GROUPINGS,
    compare_periods,
    counts_for_routes,
    coverage,
    cumulative_counts,
    events_in_span,
    find_gaps,
    frequency_counts,
    headline_coverage,
    ordinal_checks,
    parse_period,
    period_options,
    uncertain_spans,
)
from data.cache import current_conflicts, current_zone_layer
from data.filters import filter_events, patrols
from data.sourcing import claims_involving
from data.timewindow import rule_line, strip_area, strip_line

ds, now, f, events = page_context()
head = headline(events, f, now)

st.title("How often")
render_cite(ds, f, events, now, key="freq_cite")
st.caption(md_escape(f.describe(ds, now)))
st.caption(md_escape(rule_line(ds, f, len(events))))
st.caption(md_escape(strip_line(events, strip_area(current_zone_layer(), f.theatres))))

c1, c2, c3, c4, c5 = st.columns([1.45, 1.5, 0.8, 0.8, 0.8], vertical_alignment="bottom")
period = (
    c1.segmented_control(
        "Bars per", list(PERIODS), default="month", key="freq_period", format_func=str.capitalize
    )
    or "month"
)
by = (
    c2.segmented_control(
        "Stack by",
        list(FREQUENCY_GROUPINGS),
        default="actor",
        key="freq_by",
        format_func=FREQUENCY_GROUPINGS.get,
    )
    or "actor"
)
threshold = int(
    c3.number_input(
        "Gap over (days)",
        min_value=1,
        max_value=5000,
        value=60,
        step=10,
        key="freq_threshold",
        help="Gaps between patrols longer than this are shaded on the timeline and listed.",
    )
)
include_disputed = c4.toggle(
    "Count disputed",
    value=False,
    key="freq_disputed",
    help="Patrols a source reports but others contradict (the April 2024 patrol against the "
    "Turkish MoD's halt). They are always drawn in red in the strip under the bars; this "
    "decides whether the bars, gaps and rates count them.",
)
per_theatre = c5.toggle(
    "Gaps per theatre",
    value=True,
    key="freq_per_theatre",
    help="Look for gaps in each theatre's patrols on their own (NE Syria, the M4…), or "
    "across all theatres of the selection at once.",
)

counted, kinds, noun = counted_for_timeline(events, f.kinds)
if include_disputed and noun == "patrols":
    counted = patrols(events, include_disputed=True)
every_date = filter_events(ds, replace(f, start=None, end=None))
held = (
    patrols(every_date, include_disputed=include_disputed)
    if noun == "patrols"
    else counted_for_timeline(every_date, f.kinds)[0]
)
reported = overlapping_period_counts(
    ds, head.window_start, head.window_end, theatres=f.theatres, event_kinds=kinds
)
cov = coverage(ds, held, counts_for_routes(reported, f.routes))
report = find_gaps(
    ds,
    counted,
    today=now,
    window_end=head.window_end,
    per_theatre=per_theatre,
    kinds=kinds,
    routes=f.routes,
)
long_gaps = report.longer_than(threshold)
spans = uncertain_spans(
    patrols(events, include_disputed=True) if noun == "patrols" else counted,
    current_conflicts(),
)

# ---------------------------------------------------------------- headline figures
top = headline_coverage(cov, head.window_start, head.window_end)
imprecise = int((counted["date_precision"] != "day").sum())
render_headline(
    frequency_cards(
        noun,
        counted,
        top=top,
        gaps=report.gaps,
        current=report.current,
        today=pd.Timestamp(now),
        include_disputed=include_disputed,
    )
)

# ---------------------------------------------------------------- the timeline
st.session_state.setdefault("freq_notes", [])
st.session_state.setdefault("freq_selection_round", 0)
counts_frame = frequency_counts(
    counted, ds, period, by, start=head.window_start, end=head.window_end
)
fig = timeline_figure(
    counts_frame,
    period=period,
    by=by,
    actor_colours=actor_colours(ds.actors),
    reported=chart_bands(reported, f.routes),
    marks=milestones(ds, events),
    notes=notes_frame(st.session_state["freq_notes"]),
    gap_segments=report.segments[report.segments["gap_id"].isin(long_gaps["gap_id"])],
    gaps=long_gaps,
    threshold=threshold,
    spans=spans,
    title=f"{noun.capitalize()} per {period}",
    subtitle=f.describe(ds, now),
    x_range=(head.window_start, head.window_end),
)
fig.update_layout(height=620)
chart_key = f"freq_timeline_{st.session_state['freq_selection_round']}"
selection = selection_from_chart(render_timeline(fig, key=chart_key), curve_roles(fig), period)
st.caption(
    "Drag across the chart to select a span of time: the map and the table below narrow to "
    "it. To pick bars one by one, choose Pan in the chart's toolbar and click a bar "
    f"(shift-click adds more). Shaded: gaps over {threshold} days, orange where a source reports a "
    "suspension, grey where a source's count says patrols ran that we do not hold (a hole in "
    "our coverage), red where no source says either. Purple bands: rates sources report."
    + (
        f" {imprecise} counted {noun} are known only to their week or month: each is counted in "
        "the bar of its first day (the bar's hover says how many) and drawn over its whole "
        "span in the strip under the bars."
        if imprecise
        else ""
    )
)
render_exports(
    key="freq_timeline_export",
    stem=export_name(f"{noun}-per-{period}", ds.version),
    table=counts_table(counts_frame, period),
    slide=lambda: slide_figure(
        fig,
        title=f"{noun.capitalize()} per {period}",
        summary=f.describe(ds, now),
        source_line=source_line(ds.label, cov, noun),
    ),
)

band_ids = tuple(chart_bands(reported, f.routes)["count_id"])
render_export_panel(
    ds,
    f,
    now,
    key="freq_export",
    events=events,
    view=lambda fig=fig, band_ids=band_ids: ExportView(
        map=standard_view(ds, f, now, events=events).map,
        figure=fig,
        period_count_ids=band_ids,
    ),
)

with st.expander(f"Your notes on the timeline ({len(st.session_state['freq_notes'])})"):
    with st.form("freq_note_form", clear_on_submit=True, border=False):
        n1, n2, n3 = st.columns([1, 3, 1], vertical_alignment="bottom")
        note_day = n1.date_input("Date", value=None, key="freq_note_date", format="YYYY-MM-DD")
        note_text = n2.text_input("Note", max_chars=80, key="freq_note_text")
        if n3.form_submit_button("Add note") and isinstance(note_day, date) and note_text.strip():
            st.session_state["freq_notes"] = [
                *st.session_state["freq_notes"],
                {"date": note_day.isoformat(), "text": note_text.strip()},
            ]
            st.rerun()
    if st.session_state["freq_notes"]:
        st.dataframe(pd.DataFrame(st.session_state["freq_notes"]), hide_index=True)
        if st.button("Remove all notes", key="freq_notes_clear"):
            st.session_state["freq_notes"] = []
            st.rerun()
    st.caption("Notes stay in this browser session only and are drawn as green dashed lines.")

# ---------------------------------------------------------------- selection → map and table
shown = (
    events_in_span(events, selection.start, selection.end, selection.event_ids)
    if selection.active
    else events
)
if selection.active:
    s1, s2 = st.columns([4, 1], vertical_alignment="center")
    s1.info(
        f"Selected on the timeline: {selection.describe()} · {len(shown):,} of "
        f"{len(events):,} events",
        icon=":material/filter_alt:",
    )
    if s2.button("Clear selection", key="freq_clear_selection"):
        st.session_state["freq_selection_round"] += 1
        st.rerun()
left, right = st.columns([1, 1.3], gap="medium")
with left:
    st.subheader("Where")
    m, summary = build_patrol_map(
        ds,
        shown,
        window_start=selection.start or head.window_start,
        window_end=selection.end or head.window_end,
        theatres=f.theatres,
        tiles=tile_settings(),
        legend_open=False,
    )
    render_patrol_map(m, key="freq_map", height=520)
    st.caption(
        f"{summary.placed:,} of {summary.events:,} events drawn; {summary.unplaced:,} have no "
        "known place."
    )
with right:
    st.subheader(f"Events ({len(shown):,})")
    render_table(
        event_table(ds, shown),
        key="freq_events",
        links=("Best source",),
        wide=("Description",),
        height=520,
    )

# ---------------------------------------------------------------- gaps
st.subheader(f"Gaps longer than {threshold} days ({len(long_gaps):,})")
st.caption(
    "A gap runs from the end of one patrol's date window to the start of the next (a patrol "
    "known only to its month shortens the gaps beside it to what is certain). Each day of it "
    "is explained as a reported suspension (a source reports patrols halted then), a coverage "
    "hole (a count a source reports for a period including that day says patrols ran, so we "
    "miss records), or no record either way. 'Patrols implied' is what the lowest reported "
    "rate gives over the hole days."
)
render_table(
    gap_table(long_gaps, ds.events, pd.Timestamp(now)),
    key="freq_gaps",
    wide=("Why",),
)
st.markdown("**Since the last patrol**" if noun == "patrols" else "**Since the last event**")
render_table(
    gap_table(report.current.sort_values("days"), ds.events, pd.Timestamp(now)),
    key="freq_current",
    wide=("Why",),
)
render_exports(
    key="freq_gaps_export",
    stem=export_name("gaps", ds.version),
    table=gap_table(report.gaps, ds.events, pd.Timestamp(now)),
)

disputed = events[events["status"] == "disputed"]
if len(disputed):
    st.subheader("Disputed patrols in the selection")
    st.caption(
        "Reported by one source and contradicted by others; "
        + (
            "counted above (toggle 'Count disputed')."
            if include_disputed
            else "not counted above unless you switch on 'Count disputed'."
        )
    )
    claims = claims_involving(current_conflicts(), "event", disputed["event_id"])
    render_table(conflict_table(claims), key="freq_disputed_claims", wide=("Claim",))

# ---------------------------------------------------------------- reported against counted
st.subheader("Reported against counted")
st.caption(
    "Each count a source reports for a period overlapping the window, beside the "
    f"{noun} we hold one by one for the same whole period, theatre, kind and routes "
    "(whatever the date filter), and the coverage ratio held / reported. Reported counts are "
    "never added to ours."
)
if top is not None:
    st.markdown(
        md_escape(
            f"{top['source']} reports {top['reported']} {noun} from "
            f"{top['period_start']:%-d %b %Y} to {top['period_end']:%-d %b %Y} "
            f"({top['scope']}); we hold {top['ratio_text']} one by one."
        )
    )
cov_fig = coverage_figure(cov, title="Reported by sources against held one by one")
render_chart(cov_fig, key="freq_coverage_chart")
curves, points = cumulative_counts(ds, held, counts_for_routes(reported, f.routes))
cum_fig = cumulative_figure(curves, points, title=f"Running totals of {noun}")
render_chart(cum_fig, key="freq_cumulative_chart")
st.caption(
    "Running ordinals ('the 95th patrol in the Kobani area') are drawn as running totals "
    "beside the patrols we hold in the same scope; every count is in the table."
)
render_table(coverage_table(cov), key="freq_coverage", wide=("Note", "Scope"))
render_exports(
    key="freq_coverage_export",
    stem=export_name("reported-vs-held", ds.version),
    table=coverage_table(cov),
    slide=lambda: slide_figure(
        cov_fig,
        title="Reported by sources against held one by one",
        summary=f.describe(ds, now),
        source_line=source_line(ds.label, cov, noun),
    ),
)

# ---------------------------------------------------------------- change between periods
st.subheader("Change between two periods")
first_day = ds.events["start"].min()
options = period_options(first_day, max(pd.Timestamp(now), ds.events["end"].max()))
p1, p2 = st.columns(2)
key_a = p1.selectbox(
    "First period",
    options,
    index=options.index("2021") if "2021" in options else 0,
    key="freq_period_a",
    format_func=lambda k: parse_period(k).label,
)
key_b = p2.selectbox(
    "Second period",
    options,
    index=options.index("2022-Q1") if "2022-Q1" in options else len(options) - 1,
    key="freq_period_b",
    format_func=lambda k: parse_period(k).label,
)
comparison = compare_periods(
    ds,
    counted,
    parse_period(key_a),
    parse_period(key_b),
    theatres=f.theatres,
    routes=f.routes,
    scope="the filtered set",
)
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
    f"**As counted one by one:** {a_label} to {b_label}, {md_escape(comparison.counted_sentence)}."
)
render_table(comparison.origins(), key="freq_comparison", wide=("Where from",))
st.caption(
    "Rates are per calendar month for whole months (2021: 12, Q1: 3), else per 30.4 days. "
    "The change is worked out from the rates as shown, so the sentence checks by hand"
    + (
        f" (on unrounded rates: {comparison.exact_change:+.1f}%)."
        if comparison.exact_change is not None
        else "."
    )
)

# ---------------------------------------------------------------- patrol numbers
checks = ordinal_checks(events)
if len(checks):
    st.subheader("Patrol numbers")
    st.caption(
        "Where sources announce ordinal numbers ('the 4th joint land patrol'), each numbering "
        "scheme is checked on its own: numbers missing between the lowest and highest we hold "
        "(patrols we know ran but do not hold), duplicates, and numbers out of date order."
    )
    render_table(ordinal_table(checks), key="freq_ordinals", wide=("Missing between", "Note"))
