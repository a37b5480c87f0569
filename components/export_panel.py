"""Every export a person is offered, and the only export module that calls streamlit: the
"Export for a briefing" panel any page can show (a PNG slide, a PDF brief, the link that
reopens the view), the downloads of a chart (its data as CSV, the chart alone as a PNG
slide), the downloads of the filtered events (CSV, Excel, GeoJSON, KML), and the notice for
a link made from another version of the data set. Thin renderers: the files are made by
``data.export`` (tables), ``components.briefing`` (the documents) and
``components.export_files`` (drawn in Chromium).

A page shows the panel with its own map and chart::

    render_export_panel(ds, f, now, key="explorer_export",
                        view=lambda: ExportView(map=build_…(…), figure=…, focus=…))

``view`` is called only when a file is asked for, on a worker thread (so it must not call
streamlit); without it the export shows the overview's map and monthly chart of the view.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.briefing import (
    ASPECTS,
    Briefing,
    ExportView,
    build_briefing,
    selected,
    standard_view,
)
from components.export_files import (
    draw_brief_pdf,
    draw_chart_png,
    draw_slide_png,
    unavailable_reason,
)
from components.filters import date_bounds
from components.html import md_escape
from data.briefing import (
    DSV_PARAM,
    dataset_version,
    default_title,
    handling_banner,
    public_link,
    version_notice,
    view_link,
)
from data.export import EXPORTS, csv_bytes, file_stem, to_csv, to_excel, to_geojson, to_kml
from data.filters import EventFilter, narrowed
from data.model import DataSet
from data.settings import public_url
from data.views import SelectionView


def _page_path() -> str:
    """The page's path under the app ('frequency'; '' for the first page)."""
    path = urlsplit(str(st.context.url or "/")).path
    prefix = "/" + str(st.get_option("server.baseUrlPath") or "").strip("/")
    if prefix != "/" and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix) :]
    return path.strip("/")


def current_link(ds: DataSet, today: date) -> str:
    """The link that reopens the page shown, as this browser reaches it, with its filters
    and the data set version (for the panel; exports print :func:`printed_link`)."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    page_url = str(st.context.url or "/")
    return view_link(
        page_url, params, dataset_version(ds), window=(date_bounds(ds, today)[0], today)
    )


def printed_link(ds: DataSet, today: date, public: str | None) -> str | None:
    """The link an export prints: the page shown, with its filters and the data set
    version, on the configured public address; None when none is configured."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    return public_link(
        public,
        _page_path(),
        params,
        dataset_version(ds),
        window=(date_bounds(ds, today)[0], today),
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
    selection: SelectionView | None = None,
) -> None:
    """A popover with the export of the current view: an editable title, the slide's shape,
    one button per file (a PNG slide, a one-page PDF brief; each is drawn when clicked) and
    the link that reopens the view. ``key`` prefixes the panel's widget keys; ``by`` is how
    the default chart stacks its bars. ``selection``: what is selected on the page's
    timeline (``data.views.selection_view``); the files show it as the page does (the
    selection's map, key figures and sources, the span shaded on the chart) and say it."""
    picked = selected(selection)
    suggested = default_title(ds, f if picked is None else narrowed(f, picked.selection), today)
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
        try:
            public = public_url()
        except ValueError as err:
            st.error(md_escape(f"The public address in the configuration is not valid: {err}"))
            public = None
        link = printed_link(ds, today, public)
        if reason:
            st.warning(reason, icon=":material/error:")
        if picked is not None:
            st.caption(
                md_escape(
                    f"The files show the selection on the timeline ({picked.line()}): its "
                    "map, key figures and sources, the span shaded on the chart."
                )
            )
        chosen = " ".join(str(title).split()) or suggested
        stem = file_stem(chosen, today)

        def briefing() -> Briefing:  # runs on the download's worker thread: no st calls
            shown = (
                view()
                if view is not None
                else standard_view(ds, f, today, by=by, events=events, selection=picked)
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
                selection=picked,
            )

        left, right = st.columns(2)
        left.download_button(
            "Slide (PNG)",
            data=lambda: draw_slide_png(briefing(), aspect),
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
            data=lambda: draw_brief_pdf(briefing()),
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key=f"{key}_pdf",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
            disabled=bool(reason),
            width="stretch",
            help="One A4 page: the key figures in sentences, each citing its sources, above "
            "the map and the chart, and the numbered sources with grades (every one of them: "
            "those that do not fit follow on a second page).",
        )
        st.caption(
            "Each file is drawn when you click (a few seconds), on the offline basemap, so "
            "the same view always gives the same picture. This link reopens the view, with "
            "the data set version it was made from"
            + (
                "; the files print it."
                if link
                else ". The files print no link: set the app's public address "
                "(public_url under [export] in patrolwatch.toml, or PATROLWATCH_PUBLIC_URL) "
                "to have them print one."
            )
        )
        st.code(link or current_link(ds, today), language=None, wrap_lines=True)


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


def render_chart_exports(
    *,
    key: str,
    stem: str,
    table: pd.DataFrame,
    slide: Callable[[], go.Figure] | None = None,
) -> None:
    """A CSV download of a chart's data and, when ``slide`` is given, a PNG of the chart
    laid out for a slide (``components.briefing.slide_figure``), drawn only when clicked
    (a headless Chromium draws it in about two seconds)."""
    left, right = st.columns(2)
    with left:
        st.download_button(
            "Data (CSV)",
            data=csv_bytes(table),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/table:",
        )
    if slide is None:
        return
    problem = unavailable_reason()
    with right:
        st.download_button(
            "Slide (PNG, 1920×1080)",
            data=(lambda: draw_chart_png(slide())) if problem is None else b"",
            file_name=f"{stem}.png",
            mime="image/png",
            key=f"{key}_png",
            on_click="ignore",
            disabled=problem is not None,
            help=problem or "Title, filter summary and source line on the image.",
            icon=":material/image:",
        )


def render_table_exports(ds: DataSet, events: pd.DataFrame, description: str) -> None:
    """Download the filtered events with their sources (CSV, Excel, GeoJSON, KML)."""
    st.markdown(
        f"**{len(events):,} events** pass the filters in the sidebar: "
        + md_escape(description)
        + "."
    )
    st.caption(
        "Spreadsheet cells that begin with = + - @ get a leading ' so no spreadsheet "
        "runs them as formulas. The KML opens in Google Earth with routes as paths."
    )
    makers = {
        "csv": ("CSV", lambda: to_csv(ds, events)),
        "xlsx": ("Excel", lambda: to_excel(ds, events, description)),
        "geojson": ("GeoJSON", lambda: to_geojson(ds, events)),
        "kml": ("KML (Google Earth)", lambda: to_kml(ds, events, description)),
    }
    cols = st.columns(len(makers))
    for col, (fmt, (label, make)) in zip(cols, makers.items(), strict=True):
        mime, ext = EXPORTS[fmt]
        col.download_button(
            label,
            data=make,
            file_name=f"patrolwatch-events.{ext}",
            mime=mime,
            key=f"data_export_{fmt}",
            disabled=events.empty,
            on_click="ignore",
            width="stretch",
        )
