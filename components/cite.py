""" "Cite this view": a snapshot link (filters, data set version, records hash) and a
citation line; and, on a page opened from such a link, what changed since.

``render_cite(ds, f, events, today, key=...)`` is the one call a page makes. The texts are
built by pure functions (``data.snapshot``, ``diff_summary``); only ``render_*`` call st.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components.filters import date_bounds
from components.html import md_escape
from data.briefing import DSV_PARAM, default_title
from data.cache import records_hash
from data.filters import EventFilter
from data.model import DataSet
from data.snapshot import SNAP_PARAM, SnapshotDiff, change_rows, citation_line, snapshot_link


def diff_summary(diff: SnapshotDiff) -> str:
    """One plain sentence on a snapshot link against the data now."""
    then = f"version {diff.version_then}"
    if not diff.rebuilt:
        return (
            f"This snapshot was made from {then} of other shipped files than those loaded now "
            f"(version {diff.version_now}): the view as it was cannot be rebuilt; this page "
            "shows the current data."
        )
    head = f"This view was cited at {then} ({diff.shown_then:,} events)."
    if not diff.matches:
        head += (
            " Rebuilt from the audit trail, this view's records do not give the cited hash "
            f"({diff.hash_then}, not {diff.hash_wanted[:16]}): the filters were changed "
            "after the link was opened, or the link was made from another copy of the data."
        )
    if diff.unchanged:
        return head + " Nothing it shows has changed since."
    if not diff.changes:
        return head + f" It now shows {diff.shown_now:,} events; no event record changed."
    return head + (
        f" Since then: {diff.count('added'):,} added, {diff.count('edited'):,} edited, "
        f"{diff.count('deleted'):,} deleted among the events it shows "
        f"(now {diff.shown_now:,} events, version {diff.version_now})."
    )


def _params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def render_snapshot_changes(ds: DataSet, f: EventFilter, *, key: str = "cite") -> None:
    """On a page opened from a snapshot link: the panel of what changed since."""
    from data.cache import current_key, load_snapshot_diff

    wanted = str(st.query_params.get(SNAP_PARAM) or "").strip().lower()[:64]
    version = str(st.query_params.get(DSV_PARAM) or ds.version).strip()[:80]
    if not wanted:
        return
    diff = load_snapshot_diff(current_key(), f, version, wanted)
    with st.container(border=True, key=f"{key}_changes"):
        head, close = st.columns([8, 1], vertical_alignment="center")
        head.markdown("**Since this snapshot**")
        if close.button("Close", key=f"{key}_close", help="Leave the snapshot: keep the filters"):
            for param in (SNAP_PARAM, DSV_PARAM):
                if param in st.query_params:
                    del st.query_params[param]
            st.rerun()
        st.caption(md_escape(diff_summary(diff)))
        if diff.changes:
            st.dataframe(change_rows(diff), hide_index=True, width="stretch")
        if len(diff.cited):
            with st.expander(f"The events as cited ({len(diff.cited):,})"):
                st.dataframe(diff.cited, hide_index=True, width="stretch")


def render_cite(
    ds: DataSet, f: EventFilter, events: pd.DataFrame, today: date, *, key: str
) -> None:
    """The "Cite this view" expander (and, for a snapshot link, the changes since)."""
    render_snapshot_changes(ds, f, key=key)
    # the records hash reads every shown event: it is made only while the reader has the
    # expander open (a closed one reruns nothing and costs nothing)
    box = st.expander(
        "Cite this view",
        icon=":material/format_quote:",
        key=f"{key}_open",
        on_change="rerun",
    )
    with box:
        if not box.open:
            return
        link = snapshot_link(
            str(st.context.url or "/"),
            _params(),
            ds,
            events,
            window=(date_bounds(ds, today)[0], today),
            records_hash=records_hash(ds, events),
        )
        st.caption(
            "This link reopens the view with its filters, the data set version and a hash of "
            "the records it shows; opened later, it lists what changed since."
        )
        st.code(link, language=None, wrap_lines=True)
        st.caption("Citation:")
        st.code(
            citation_line(default_title(ds, f, today), ds, f, today, link),
            language=None,
            wrap_lines=True,
        )
