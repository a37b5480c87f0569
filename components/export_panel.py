"""The "Export for a briefing" panel any page can show, and the notice for a link made from
another version of the data set. Thin renderers: the export itself is built by
``components.briefing`` and drawn by ``components.render_export``.

A page shows the panel with its own map and chart::

    render_export_panel(ds, f, now, key="explorer_export",
                        view=lambda: ExportView(map=build_…(…), figure=…, focus=…))

``view`` is called only when a file is asked for, on a worker thread (so it must not call
streamlit); without it the export shows the overview's map and monthly chart of the view.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from components.briefing import ASPECTS, Briefing, ExportView, build_briefing, standard_view
from components.filters import date_bounds
from components.html import md_escape
from components.render_export import render_pdf, render_png, unavailable_reason
from data.briefing import (
    DSV_PARAM,
    dataset_version,
    default_title,
    handling_banner,
    version_notice,
    view_link,
)
from data.filters import EventFilter
from data.model import DataSet


def file_stem(title: str, today: date) -> str:
    """'patrolwatch-patrols-in-2021-20261124': a file name from the title, safe anywhere."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:60].rstrip("-")
    return f"patrolwatch-{slug or 'export'}-{today:%Y%m%d}"


def current_link(ds: DataSet, today: date) -> str:
    """The link that reopens the page shown, with its filters and the data set version."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    page_url = str(st.context.url or "/")
    return view_link(
        page_url, params, dataset_version(ds), window=(date_bounds(ds, today)[0], today)
    )


def render_export_panel(
    ds: DataSet,
    f: EventFilter,
    today: date,
    *,
    key: str,
    view: Callable[[], ExportView] | None = None,
    by: str = "actor",
    events: pd.DataFrame | None = None,
    label: str = "Export for a briefing",
) -> None:
    """A popover with the export of the current view: an editable title, the slide's shape,
    one button per file (a PNG slide, a one-page PDF brief; each is drawn when clicked) and
    the link that reopens the view. ``key`` prefixes the panel's widget keys; ``by`` is how
    the default chart stacks its bars."""
    suggested = default_title(ds, f, today)
    link = current_link(ds, today)
    with st.popover(label, icon=":material/slideshow:"):
        title = st.text_input(
            "Title",
            key=f"{key}_title",
            placeholder=suggested,
            max_chars=140,
            help="Leave empty to use the suggested title shown in grey.",
        )
        aspect = (
            st.segmented_control("Slide shape", list(ASPECTS), default="16:9", key=f"{key}_aspect")
            or "16:9"
        )
        reason = unavailable_reason()
        try:
            banner = handling_banner()
        except ValueError as err:
            st.error(md_escape(f"The handling banner in the configuration is not valid: {err}"))
            banner = None
            reason = reason or "fix the configuration first"
        if reason:
            st.warning(reason, icon=":material/error:")
        chosen = " ".join(str(title).split()) or suggested
        stem = file_stem(chosen, today)

        def briefing() -> Briefing:  # runs on the download's worker thread: no st calls
            shown = (
                view() if view is not None else standard_view(ds, f, today, by=by, events=events)
            )
            return build_briefing(
                ds,
                f,
                today,
                view=shown,
                title=chosen,
                link=link,
                exported_at=datetime.now(UTC),
                banner=banner,
                events=events,
            )

        left, right = st.columns(2)
        left.download_button(
            "Slide (PNG)",
            data=lambda: render_png(briefing(), aspect),
            file_name=f"{stem}.png",
            mime="image/png",
            key=f"{key}_png",
            on_click="ignore",
            icon=":material/image:",
            disabled=bool(reason),
            width="stretch",
            help=f"{ASPECTS[aspect][0] * 3 // 2}×{ASPECTS[aspect][1] * 3 // 2} px: title, "
            "map with scale bar, north arrow and legend, chart, filters, sources with grades, "
            "data set version and export time.",
        )
        right.download_button(
            "Brief (PDF)",
            data=lambda: render_pdf(briefing()),
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key=f"{key}_pdf",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
            disabled=bool(reason),
            width="stretch",
            help="One A4 page: the key figures in sentences, each citing its sources, above "
            "the map and the chart, and the numbered sources with grades.",
        )
        st.caption(
            "Each file is drawn when you click (a few seconds), on the offline basemap, so "
            "the same view always gives the same picture. This link reopens the view, with "
            "the data set version it was made from:"
        )
        st.code(link, language=None, wrap_lines=True)


def render_version_notice(ds: DataSet) -> None:
    """Say so when the page was opened from a link made from another data set version."""
    notice = version_notice(st.query_params.get(DSV_PARAM), ds)
    if notice is None:
        return
    left, right = st.columns([8, 1], vertical_alignment="center")
    left.warning(md_escape(notice), icon=":material/history:")
    if right.button("Dismiss", key="dsv_notice_dismiss"):
        del st.query_params[DSV_PARAM]
        st.rerun()
