"""Headline figures and the event table of the overview: pure builders of plain data,
and thin renderers.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.patrol_map import MapSummary, map_summary, render_overview_map
from components.place_search import render_place_search
from data import vocab
from data.aggregate import Headline
from data.dates import format_at_precision
from data.model import DataSet
from data.numbers import count, decimal
from data.settings import tile_settings
from data.sourcing import citations_for, citations_text


def headline_cards(h: Headline) -> list[tuple[str, str, str]]:
    """(label, value, help) for each headline figure."""
    disputed = (
        f" A further {count(h.disputed)} disputed patrol(s) are not counted." if h.disputed else ""
    )
    imprecise = (
        f" {count(h.imprecise)} of them are dated only to a week, month or coarser."
        if h.imprecise
        else ""
    )
    end = "today" if h.ends_today else "the window's end"
    until = f"{end}, {h.window_end:%-d %b %Y}" if h.window_end is not None else end
    return [
        (
            "Patrols counted",
            count(h.patrols),
            "Joint and single-army patrols carried out or announced, held one by one in the "
            "data set." + imprecise + disputed,
        ),
        (
            "Last patrol",
            h.last_patrol_text,
            "The latest counted patrol in the selection, at the precision its sources give.",
        ),
        (
            "Days since last patrol",
            count(h.days_since_last),
            f"From the end of the last patrol's date window to {until}"
            + (f": {h.since_text()}." if h.days_since_last is not None else "."),
        ),
        (
            "Patrols a month",
            h.rate_text,
            f"Patrols counted over the {decimal(h.months).removesuffix('.0')} months of the "
            "window (from its "
            "start to its end, or to today); a rarer rate is given as one in so many months. "
            "Not shown for windows under a month.",
        ),
    ]


def reported_line(reported: pd.DataFrame, limit: int = 4) -> str:
    """One plain-text line naming the counts sources report for periods overlapping the
    window (theatre-wide ones first), for under the headline figures."""
    if reported.empty:
        return "No source reports a count for a period overlapping this window."
    wide = reported["route_ids"].map(len) == 0
    ordinal = reported["qualifier"].isin(["cumulative_ordinal", "derived"])
    ranked = reported.assign(rank=(~wide).astype(int) + ordinal.astype(int)).sort_values(
        ["rank", "period_start"], kind="stable"
    )
    parts = (
        ranked["count_text"]
        + " ("
        + ranked["period_start"].dt.strftime("%b %Y")
        + "–"
        + ranked["period_end"].dt.strftime("%b %Y")
        + ", "
        + ranked["scope"]
        + "; "
        + ranked["source_label"]
        + ")"
    ).head(limit)
    more = len(ranked) - len(parts)
    tail = f" · and {more} more in the table below" if more > 0 else ""
    return "Sources report: " + " · ".join(parts) + tail


def reported_table(reported: pd.DataFrame, ds: DataSet) -> pd.DataFrame:
    """The period counts sources report, as a table for analysts."""
    if reported.empty:
        return pd.DataFrame(columns=["Period", "Reported", "Scope", "Source", "Grade", "Link"])
    cites = citations_for(ds, "period_count", reported["count_id"])
    first = cites.drop_duplicates("record_id").set_index("record_id")
    return pd.DataFrame(
        {
            "Period": reported["period_start"].dt.strftime("%-d %b %Y")
            + " – "
            + reported["period_end"].dt.strftime("%-d %b %Y"),
            "Reported": reported["count_text"],
            "Scope": reported["scope"],
            "Source": reported["count_id"].map(first["publisher"]),
            "Grade": reported["count_id"].map(first["grade"]),
            "Link": reported["count_id"].map(first["url"]),
        }
    ).reset_index(drop=True)


def event_table(ds: DataSet, events: pd.DataFrame) -> pd.DataFrame:
    """The filtered events with their sources, newest first, for display and export."""
    cites = citations_for(ds, "event", events["event_id"])
    all_sources = citations_text(cites)
    first_url = cites.drop_duplicates("record_id").set_index("record_id")["url"]
    routes = dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True))
    ev = events.sort_values("start", ascending=False)
    return pd.DataFrame(
        {
            "Date": format_at_precision(ev["start"], ev["date_precision"]),
            "Precision": ev["date_precision"],
            "Kind": ev["kind"].map(vocab.EVENT_KINDS),
            "Status": ev["status"].map(vocab.EVENT_STATUSES),
            "Actors": ev["actors_text"],
            "Places": ev["place_names"],
            "Route": ev["route_id"].map(routes).fillna(""),
            "No.": ev["patrol_number"],
            "Description": ev["description"],
            "Sources (grade)": ev["event_id"].map(all_sources).fillna(""),
            "Best source": ev["event_id"].map(first_url).fillna(""),
            "Event id": ev["event_id"],
        }
    ).reset_index(drop=True)


#: a data set of up to this many events keeps the table of all its events (built once) and
#: a selection's table is made of its rows (``event_table_rows``); a larger one builds each
#: selection's table from its own rows, as a table of the whole set would be another copy
#: of the data set in memory
WHOLE_TABLE_EVENTS = 50_000


def event_table_rows(whole: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """``event_table(ds, events)`` made of the rows of ``whole`` (``event_table(ds,
    ds.events)``): a row depends on its event alone, so only the order is worked out
    here, as ``event_table`` does (newest first)."""
    order = events.sort_values("start", ascending=False)["event_id"]
    rows = pd.Index(whole["Event id"]).get_indexer(order)
    return whole.iloc[rows].reset_index(drop=True)


def render_headline(cards: list[tuple[str, str, str]]) -> None:
    """The headline figures in a row of metrics that wraps, each figure whole: in columns
    of equal shares a narrow page cut them ("26 of …", "504 d…")."""
    row = st.container(horizontal=True, wrap=True, gap="medium", key="headline")
    for label, value, help_text in cards:
        row.metric(label, value, help=help_text, width="content")


def map_caption(summary: MapSummary, *, full: bool = True) -> str:
    """What the overview's map draws and what it cannot, as Markdown (numbers only)."""
    if not full:
        return (
            f"{summary.placed:,} of {summary.events:,} events drawn; {summary.unplaced:,} have "
            "no known place."
        )
    return (
        f"{summary.placed:,} of {summary.events:,} events drawn at {summary.markers:,} places; "
        f"**{summary.unplaced:,} event(s) have no known place** and are counted in the figures "
        f"and table but cannot be shown. {summary.routes} route(s), {summary.sites} site(s)"
        + (
            f" ({summary.sites_unplaced} more without a known position)"
            if summary.sites_unplaced
            else ""
        )
        + ". Positions marked approximate carry a halo as wide as their precision."
        + (
            " Many places: events are grouped per grid cell; click a cell for its newest events."
            if summary.binned
            else ""
        )
    )


def render_map_caption(summary: MapSummary, *, full: bool = True) -> None:
    """The caption under the overview's map."""
    st.caption(map_caption(summary, full=full))


def render_where(
    ds: DataSet, events: pd.DataFrame, view: object, *, key: str, height: int, full: bool = True
) -> None:
    """A page's "Where": the place search, the display-only map of ``view`` (a
    ``data.mapview.MapView`` of ``events``) opened on the chosen place, and its caption."""
    st.subheader("Where")
    focus = render_place_search(ds, events, key=key)
    render_overview_map(
        ds, events, view, height=height, tiles=tile_settings(), legend_open=False, focus=focus
    )
    render_map_caption(map_summary(view), full=full)
