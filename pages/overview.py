"""Overview: headline figures, the map and the frequency timeline, and the event table."""

from __future__ import annotations

import streamlit as st

from components.basemap import tile_settings
from components.cite import render_cite
from components.colours import actor_colours
from components.export_panel import render_export_panel
from components.frame import page_context
from components.html import md_escape
from components.overview import (
    event_table,
    headline_cards,
    render_headline,
    reported_line,
    reported_table,
)
from components.patrol_map import build_patrol_map, render_patrol_map
from components.sources import conflict_table
from components.tables import render_table
from components.timeline import chart_bands, frequency_figure, render_frequency
from data.aggregate import (
    counted_for_timeline,
    counts_per_period,
    headline,
    milestones,
    overlapping_period_counts,
)
from data.cache import current_conflicts
from data.sourcing import claims_involving
from data.timewindow import rule_line

ds, now, f, events = page_context()
head = headline(events, f, now)
counted, counted_kinds, noun = counted_for_timeline(events, f.kinds)
reported = overlapping_period_counts(
    ds, head.window_start, head.window_end, theatres=f.theatres, event_kinds=counted_kinds
)

st.title("Patrols at a glance")
render_export_panel(
    ds,
    f,
    now,
    key="overview_export",
    by=st.session_state.get("overview_by") or "actor",
    events=events,
)
render_cite(ds, f, events, now, key="overview_cite")
st.caption(md_escape(f.describe(ds, now)))
st.caption(md_escape(rule_line(ds, f, len(events))))
render_headline(headline_cards(head))
st.caption(md_escape(reported_line(reported)))

left, right = st.columns(2, gap="medium")
with left:
    st.subheader("Where")
    m, summary = build_patrol_map(
        ds,
        events,
        window_start=head.window_start,
        window_end=head.window_end,
        theatres=f.theatres,
        tiles=tile_settings(),
        legend_open=False,
    )
    render_patrol_map(m, key="overview_map", height=600)
    st.caption(
        f"{summary.placed:,} of {summary.events:,} events drawn at {summary.markers:,} places; "
        f"**{summary.unplaced:,} event(s) have no known place** and are counted in the figures "
        f"and table but cannot be shown. {summary.routes} route(s), {summary.sites} site(s)"
        + (
            f" ({summary.sites_unplaced} more without a known position)"
            if summary.sites_unplaced
            else ""
        )
        + ". Positions marked approximate carry a halo as wide as their precision."
    )
with right:
    st.subheader("How often")
    by = (
        st.segmented_control(
            "Stack bars by",
            ["actor", "kind", "route"],
            default="actor",
            key="overview_by",
            format_func=str.capitalize,
        )
        or "actor"
    )
    counts = counts_per_period(
        counted, ds, "month", by=by, start=head.window_start, end=head.window_end
    )
    fig = frequency_figure(
        counts,
        period="month",
        by=by,
        actor_colours=actor_colours(ds.actors),
        reported=chart_bands(reported, f.routes),
        marks=milestones(ds, events),
        title=f"{noun.capitalize()} per month",
        noun=noun,
        subtitle=f.describe(ds, now),
        x_range=(head.window_start, head.window_end),
    )
    render_frequency(fig, key="overview_timeline")

st.subheader("Reported by sources for overlapping periods")
st.caption(
    "Counts sources give for whole periods. They are not events we hold one by one and are "
    "never added to the counts above; the chart draws them as rate bands."
)
render_table(reported_table(reported, ds), key="overview_reported", links=("Link",))

shown = claims_involving(current_conflicts(), "event", events["event_id"])
if len(shown):
    st.subheader("Reports that disagree")
    render_table(conflict_table(shown), key="overview_conflicts", wide=("Claim",))

st.subheader(f"Events ({len(events):,})")
render_table(
    event_table(ds, events),
    key="overview_events",
    links=("Best source",),
    wide=("Description",),
    height=420,
)
