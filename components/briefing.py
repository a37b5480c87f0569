"""The export documents: a slide (16:9 or 4:3) to be photographed into a PNG, an A4 brief
to be printed into a PDF (one page; the sources it cannot hold follow on the next), both
built from a :class:`Briefing`, and a chart alone laid out as a slide.

Pure builders (no streamlit): :func:`build_briefing` gathers what an export holds for the
current view (title, filter summary, map, its legend, chart, key figures in sentences,
every source behind the view, numbered, with its grade, the data set version, the time of
export, the link that reopens the view if the app has a public address, the handling
banner); :func:`slide_html` and :func:`brief_html` place each part absolutely in a named
box computed beforehand by ``components.export_layout`` (:func:`slide_boxes`,
:func:`brief_boxes`), none over another. :func:`slide_figure` lays a single chart out as
a slide of its own and :func:`chart_html` makes it a document. ``components.export_files``
turns the documents into files in headless Chromium.

Every text from the data or from the analyst goes through ``components.html.esc``. The
map is the page's own ``folium.Map`` (any page can pass its map), written into its own
document by :func:`export_map_html` with animations off, tiles hidden (the shipped vector
basemap is drawn the same every time), every control hidden but a metric scale bar and
the credits, a north arrow, framed on everything the page's map aggregation draws
(:func:`drawn_bounds`) clear of the arrow, the scale and the credits. Its legend is the
maps' one legend rule (``components.legend.legend_entries``: only the symbols drawn),
printed in a box of its own under the map. The chart is any plotly figure, drawn with the
plotly.js bundled in the ``plotly`` package. Nothing in the documents comes from the
internet: the renderer serves ``/map.html``, ``/chart.html``, ``/plotly.js`` and
``/app/static/…`` itself.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import folium
import pandas as pd
import plotly.graph_objects as go

from components.export_layout import (
    BRIEF_TYPE,
    SLIDE_TYPE,
    Box,
    Content,
    brief_layout,
    slide_layout,
    title_size,
)
from components.html import clip, esc, link
from data.briefing import (
    Banner,
    dataset_version,
    figure_sentence,
    key_figures,
    source_notes,
)
from data.filters import EventFilter, Selection, filter_events, narrowed
from data.mapview import MapView
from data.model import DataSet

if TYPE_CHECKING:
    from data.views import FrequencyView, SelectionView

#: the slide's size in CSS pixels; rendered at SLIDE_SCALE, so 1920 px wide
ASPECTS: dict[str, tuple[int, int]] = {"16:9": (1280, 720), "4:3": (1280, 960)}
SLIDE_SCALE = 1.5
#: A4 portrait at 96 CSS pixels per inch
PAGE_SIZE = (794, 1123)

#: where the renderer serves the map and chart documents and plotly.js
#: (see components.export_files)
MAP_SRC = "/map.html"
CHART_SRC = "/chart.html"
PLOTLY_SRC = "/plotly.js"
#: a chart drawn alone for a slide (``slide_figure``), in pixels
SLIDE_WIDTH = 1920
SLIDE_HEIGHT = 1080

#: sources listed with their titles while the brief lists no more than this many
BRIEF_TITLES_UPTO = 8

FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
GRADES_NOTE = (
    "Grades are Admiralty codes: the letter is the source's reliability (A completely "
    "reliable … E unreliable, F cannot be judged), the digit the best credibility given to "
    "what it reports here (1 confirmed … 5 improbable, 6 cannot be judged)."
)


# --------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class ExportView:
    """What a page shows, handed to the export: its map and its chart (either may be None),
    the map's aggregation (``map_view``: it frames the map and says which symbols the
    legend lists), a line about what the map cannot show, the reported period counts the
    chart draws (their sources join the footnote) and the area to frame (south-west,
    north-east; by default every thing ``map_view`` draws, :func:`drawn_bounds`, else the
    selection's, :func:`selection_bounds`)."""

    map: folium.Map | None
    figure: go.Figure | None
    map_note: str = ""
    period_count_ids: tuple[str, ...] = ()
    focus: tuple[tuple[float, float], tuple[float, float]] | None = None
    map_view: MapView | None = None
    #: the map is the Map explorer's, with these agreement zones (for its legend)
    explorer: bool = False
    zones: dict | None = None


@dataclass(frozen=True)
class SourceLine:
    """One numbered source of the footnote."""

    number: int
    publisher: str
    title: str
    published: str
    url: str
    grade: str


@dataclass(frozen=True)
class LegendLine:
    """One entry of the export's legend (``components.legend.LegendEntry`` as printed):
    ``symbol_svg`` is our own markup, ``label`` plain text."""

    group: str
    label: str
    symbol_svg: str
    count: int | None = None


@dataclass(frozen=True)
class Briefing:
    """Everything an export holds, as plain text and two prepared documents (the map's HTML
    and the chart's plotly JSON). Built by :func:`build_briefing`."""

    title: str
    filter_summary: str
    dataset_label: str
    dataset_version: str
    exported_at: datetime
    #: the link that reopens the view on the app's public address; None or '': none printed
    link: str | None
    map_html: str | None = None
    figure_json: str | None = None
    map_note: str = ""
    figures: tuple[str, ...] = ()
    sources: tuple[SourceLine, ...] = ()
    banner: Banner | None = None
    #: how many sources are behind the view in all (a briefing built here lists them all)
    sources_total: int = 0
    grades_note: str = field(default=GRADES_NOTE)
    #: the map's legend: only the symbols the map draws
    legend: tuple[LegendLine, ...] = ()

    @property
    def exported_text(self) -> str:
        when = self.exported_at.astimezone(UTC)
        return when.strftime("%-d %b %Y, %H:%M UTC")


Bounds = tuple[tuple[float, float], tuple[float, float]]


def _grown(lats: list[float], lons: list[float], min_span_deg: float, pad: float) -> Bounds:
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    grow_lat = max(0.0, min_span_deg - (north - south)) / 2 + (north - south) * pad
    grow_lon = max(0.0, min_span_deg * 1.4 - (east - west)) / 2 + (east - west) * pad
    return (
        (round(south - grow_lat, 5), round(west - grow_lon, 5)),
        (round(north + grow_lat, 5), round(east + grow_lon, 5)),
    )


def drawn_points(view: MapView) -> list[tuple[float, float]]:
    """Every position the map of ``view`` draws: the markers (events per place), the
    active sites, the visits and every vertex of the routes and tracks it draws."""
    points: list[tuple[float, float]] = []
    for frame in (view.markers, view.sites, view.visits):
        if len(frame) and {"lat", "lon"} <= set(frame.columns):
            placed = frame.dropna(subset=["lat", "lon"])
            points.extend(
                zip(placed["lat"].astype(float), placed["lon"].astype(float), strict=True)
            )
    if len(view.routes):
        for coords in view.drawn_routes["coords"]:
            points.extend((float(c[0]), float(c[1])) for c in coords)
    if len(view.tracks):
        for coords in view.tracks["coords"]:
            points.extend((float(c[0]), float(c[1])) for c in coords)
    return points


def drawn_bounds(view: MapView, *, min_span_deg: float = 0.35, pad: float = 0.04) -> Bounds | None:
    """The area that holds everything the map of ``view`` draws (:func:`drawn_points`),
    grown by ``pad`` of its size on each side and to at least ``min_span_deg`` on a side,
    so a single place keeps its surroundings. None when nothing is drawn."""
    points = drawn_points(view)
    if not points:
        return None
    return _grown([p[0] for p in points], [p[1] for p in points], min_span_deg, pad)


def selection_bounds(
    ds: DataSet, events: pd.DataFrame, *, min_span_deg: float = 0.35
) -> Bounds | None:
    """The area the selection covers: its placed events and the routes they ran on, at
    least ``min_span_deg`` on a side so a single place keeps its surroundings. None when
    nothing is placed (for a page that hands no map aggregation to the export)."""
    lats = events.loc[events["placed"], "lat"].astype(float).tolist()
    lons = events.loc[events["placed"], "lon"].astype(float).tolist()
    used = ds.routes[ds.routes["route_id"].isin(set(events["route_id"]) - {""})]
    for coords in used["coords"]:
        lats.extend(c[0] for c in coords)
        lons.extend(c[1] for c in coords)
    if not lats:
        return None
    return _grown(lats, lons, min_span_deg, 0.0)


def legend_lines(
    ds: DataSet, view: MapView | None, *, explorer: bool = False, zones: dict | None = None
) -> tuple[LegendLine, ...]:
    """The export's legend of the map of ``view``: the entries of the maps' one legend rule
    (``components.legend.legend_entries``: only the symbols present, the size scale and
    the counting rule), without the entries about the layer list (an export has none).
    ``explorer`` and ``zones``: the map is the Map explorer's (see ``legend_entries``)."""
    if view is None:
        return ()
    from components.colours import actor_colours
    from components.legend import legend_entries

    entries = legend_entries(
        view, actor_colours(ds.actors), explorer=explorer, zones=zones, places=ds.places, heat=False
    )
    return tuple(
        LegendLine(e.group, e.label, e.symbol_svg, e.count) for e in entries if e.group != "Layers"
    )


def selected(selection: SelectionView | None) -> SelectionView | None:
    """``selection`` when something is selected on the page's timeline, else None."""
    return selection if selection is not None and selection.active else None


def selected_figure(fig: go.Figure, selection: Selection) -> go.Figure:
    """A copy of the page's chart as the page shows it with ``selection``: the whole
    window, the selected span shaded, and the title saying what the shade is (the span is
    in the export's filter line). ``fig`` is not changed."""
    from components.timeline import mark_selection

    out = mark_selection(go.Figure(fig), selection)
    if selection.start is None or selection.end is None:
        return out
    title = out.layout.title.text or ""
    first, sep, rest = title.partition("<br>")
    # short: the span itself is in the export's filter line, first
    out.layout.title.text = (
        f"{first} · selection shaded{sep}{rest}" if first else "Selection shaded"
    )
    return out


def selection_summary(
    ds: DataSet, f: EventFilter, today: date, selection: SelectionView | None
) -> str:
    """The export's filter line: the filters, or, with a selection on the page's timeline,
    the selection first ('Selection: 3 Mar – 9 Jun 2021, 7 of 77 events · within …')."""
    if selected(selection) is None:
        return f.describe(ds, today)
    return f"{selection.line()} · within {f.describe(ds, today)}"  # type: ignore[union-attr]


def standard_view(
    ds: DataSet,
    f: EventFilter,
    today: date,
    *,
    by: str = "actor",
    events: pd.DataFrame | None = None,
    selection: SelectionView | None = None,
) -> ExportView:
    """The overview's map and monthly chart of the view, made for an export: no online
    tiles, framed on everything the map draws. Pages with a map or chart of their own pass
    those instead. With a ``selection`` on the page's timeline (``data.views.
    selection_view``) the map is the selection's and the chart, the whole window's, shades
    the selected span, as the page shows them."""
    from components.colours import actor_colours
    from components.patrol_map import build_overview_map, map_summary
    from components.timeline import timeline_figure
    from data.views import overview_view

    view = overview_view(ds, f, today, by=by, events=events)
    picked = selected(selection)
    shown, shown_map = (view.events, view.map) if picked is None else (picked.events, picked.map)
    m = build_overview_map(ds, shown, shown_map, tiles=None, legend_open=True)
    summary = map_summary(shown_map)
    bands = view.bands
    fig = timeline_figure(
        view.counts,
        period="month",
        by=by,
        actor_colours=actor_colours(ds.actors),
        reported=bands,
        marks=view.marks,
        title=f"{view.noun.capitalize()} per month",
        noun=view.noun,
        x_range=view.window,
    )
    if picked is not None:
        fig = selected_figure(fig, picked.selection)
    note = (
        ("The selection: " if picked is not None else "")
        + f"{summary.placed:,} of {_count(summary.events, 'event')} drawn at "
        f"{_count(summary.markers, 'place')}"
        + (
            f"; {summary.unplaced:,} without a known place are counted but not drawn"
            if summary.unplaced
            else ""
        )
        + ". Halos show how approximate a position is."
    )
    return ExportView(
        map=m,
        figure=fig,
        map_note=note,
        period_count_ids=tuple(bands["count_id"]),
        focus=drawn_bounds(shown_map),
        map_view=shown_map,
    )


def frequency_export_view(
    ds: DataSet,
    f: EventFilter,
    today: date,
    view: FrequencyView,
    figure: go.Figure,
    *,
    events: pd.DataFrame | None = None,
    selection: SelectionView | None = None,
) -> ExportView:
    """How often's export: the standard map (the selection's, with one), How often's own
    chart ``figure`` of ``view`` with the selected span shaded, and the reported counts
    that chart draws."""
    return replace(
        standard_view(ds, f, today, events=events, selection=selection),
        figure=selected_figure(
            figure, selection.selection if selection is not None else Selection()
        ),
        period_count_ids=tuple(view.bands["count_id"]),
    )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def build_briefing(
    ds: DataSet,
    f: EventFilter,
    today: date,
    *,
    view: ExportView,
    title: str,
    link: str | None,
    exported_at: datetime,
    banner: Banner | None = None,
    events: pd.DataFrame | None = None,
    selection: SelectionView | None = None,
) -> Briefing:
    """Gather what the export of this view holds. ``today`` is the date the key figures
    count days to; ``exported_at`` is printed (pass a fixed time for identical exports);
    ``link`` reopens the view (``data.briefing.public_link``; None prints no link).
    ``selection``: what is selected on the page's timeline (``data.views.selection_view``);
    when something is, the key figures and the sources are the selection's, counted over
    its span as the page's figures are, and the filter line says the selection first."""
    picked = selected(selection)
    if picked is not None:
        events, within = picked.events, narrowed(f, picked.selection)
    else:
        events, within = (filter_events(ds, f) if events is None else events), f
    figures = key_figures(ds, events, within, today)
    notes = source_notes(ds, events, figures, period_count_ids=view.period_count_ids)
    listed = notes  # every source behind the view, graded: the brief lists them all
    numbers = dict(zip(listed["source_id"], listed["number"], strict=True))
    grades = dict(zip(listed["source_id"], listed["grade"], strict=True))
    focus = view.focus
    if focus is None and view.map_view is not None:
        focus = drawn_bounds(view.map_view)
    if focus is None:
        # a page that names no area to frame gets the selection's: the map is always framed
        # on the filtered data, whichever page it comes from
        focus = selection_bounds(ds, events)
    return Briefing(
        title=" ".join(title.split()) or "PatrolWatch export",
        filter_summary=selection_summary(ds, f, today, picked),
        dataset_label=ds.label,
        dataset_version=dataset_version(ds),
        exported_at=exported_at,
        link=link or None,
        map_html=None if view.map is None else export_map_html(view.map, focus=focus),
        figure_json=None if view.figure is None else export_figure_json(view.figure),
        map_note=view.map_note,
        figures=tuple(figure_sentence(fig, numbers, grades) for fig in figures),
        sources=tuple(
            SourceLine(
                number=int(r.number),
                publisher=str(r.publisher),
                title=str(r.title),
                published=str(r.published),
                url=str(r.url),
                grade=str(r.grade),
            )
            for r in listed.itertuples(index=False)  # one per source listed, not per event
        ),
        banner=banner,
        sources_total=len(notes),
        legend=legend_lines(ds, view.map_view, explorer=view.explorer, zones=view.zones)
        if view.map is not None
        else (),
    )


# --------------------------------------------------------------------------- the map

NORTH_ARROW_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='28' height='38' viewBox='0 0 28 38' "
    "role='img' aria-label='North'>"
    "<rect x='0.5' y='0.5' width='27' height='37' rx='4' fill='rgba(255,255,255,0.92)' "
    "stroke='#777'/>"
    "<text x='14' y='13' text-anchor='middle' font-family='DejaVu Sans, Arial, sans-serif' "
    "font-size='11' font-weight='bold' fill='#222'>N</text>"
    "<polygon points='14,15 21,34 14,29 7,34' fill='#222'/>"
    "<polygon points='14,15 14,29 7,34' fill='#fff' stroke='#222' stroke-width='1'/>"
    "</svg>"
)

#: room kept free of data at the map's edges, in CSS pixels: the largest marker's radius
#: all round; the scale bar and the credits at the foot; on the right the north arrow (top
#: right, 36 px wide) and names written right of a place
MAP_PADDING_TOP_LEFT = (30, 30)
MAP_PADDING_BOTTOM_RIGHT = (84, 34)

_MAP_CSS = f"""
<style id="pw-export">
  *, *::before, *::after {{ transition: none !important; animation: none !important; }}
  .leaflet-tile-pane {{ display: none !important; }}
  /* no map control is printed: no zoom, layer list, measure tool nor legend (the export
     has a legend box of its own); only the scale bar and the credits stay */
  .leaflet-control:not(.leaflet-control-scale):not(.leaflet-control-attribution),
  .pw-legend {{ display: none !important; }}
  .leaflet-control-attribution {{ font: 9px {FONT} !important; padding: 0 4px !important;
    background: rgba(255,255,255,0.8) !important; }}
  .leaflet-control-attribution a {{ color: #333 !important; }}
  .leaflet-control-attribution svg {{ display: none !important; }}
  .pw-town-name {{ text-shadow: none !important; -webkit-text-stroke: 3px #fff;
    paint-order: stroke fill; }}
  .leaflet-control-scale {{ margin: 0 0 6px 8px !important; }}
  .leaflet-control-scale-line {{ font: 10px {FONT}; background: rgba(255,255,255,0.85); }}
  .pw-north {{ position: absolute; top: 8px; right: 8px; z-index: 1100; line-height: 0; }}
</style>
<script>
  // the export frames the map itself (on what it draws): the page map's limits are off
  window.__pwNoLimits = true;
  if (window.L) {{
    L.Map.mergeOptions({{zoomAnimation: false, fadeAnimation: false,
                         markerZoomAnimation: false, inertia: false}});
  }}
</script>
"""

_MAP_READY = """
<script>
(function () {
  var map = window[%(name)s];
  var focus = %(focus)s;
  var padTopLeft = %(top_left)s, padBottomRight = %(bottom_right)s;
  function frames(n, then) {
    if (n <= 0) { then(); return; }
    requestAnimationFrame(function () { frames(n - 1, then); });
  }
  function fit() {
    if (!map || !focus) { return; }
    map.invalidateSize({animate: false});
    // the whole of what is drawn, clear of the north arrow, the scale bar and the credits
    map.fitBounds(focus, {paddingTopLeft: padTopLeft, paddingBottomRight: padBottomRight,
                          animate: false});
  }
  // a name cut by the map's edge, or under the north arrow, the scale bar or the credits,
  // is not printed (the names themselves are placed by the map's own label rule)
  function clearNames() {
    // a still picture names what the label rule found room for at the zoom it is framed
    // at: the live maps' blanket hiding of every name when zoomed out (a whole theatre on
    // a slide's box) does not apply
    document.querySelectorAll('.pw-names-hidden').forEach(function (el) {
      el.classList.remove('pw-names-hidden');
    });
    var edge = document.body.getBoundingClientRect();
    var furniture = Array.prototype.map.call(document.querySelectorAll(
      '.pw-north, .leaflet-control-scale, .leaflet-control-attribution'),
      function (el) { return el.getBoundingClientRect(); });
    function meets(a, b) {
      return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    document.querySelectorAll('.pw-town-name, .pw-country-name').forEach(function (el) {
      el.style.visibility = '';
      if (el.style.display === 'none') { return; }
      var r = el.getBoundingClientRect();
      if (!r.width) { return; }
      var cut = r.left < edge.left + 1 || r.top < edge.top + 1 ||
                r.right > edge.right - 1 || r.bottom > edge.bottom - 1;
      if (cut || furniture.some(function (f) { return meets(r, f); })) {
        el.style.visibility = 'hidden';
      }
    });
  }
  // the slide or brief calls this once laid out: the map is framed in the room it has then
  window.__pwRefit = function () {
    return new Promise(function (resolve) {
      fit();
      frames(2, function () { clearNames(); resolve(); });
    });
  };
  function ready() {
    if (map) {
      // what the map's own layout gave it: metric scale only, no other control
      document.querySelectorAll('.leaflet-control-scale').forEach(function (el) {
        el.parentNode.removeChild(el);
      });
      L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);
    }
    var arrow = document.createElement('div');
    arrow.className = 'pw-north';
    arrow.innerHTML = %(arrow)s;
    document.body.appendChild(arrow);
    frames(2, function () {
      fit();
      frames(2, function () { clearNames(); window.__pwMapReady = true; });
    });
  }
  if (document.readyState === 'complete') { ready(); }
  else { window.addEventListener('load', ready); }
})();
</script>
"""


def _script_json(value: object) -> str:
    """``value`` as JSON safe to place inside a <script> element."""
    return _script_safe(json.dumps(value))


def _script_safe(text: str) -> str:
    """JSON text made safe to place inside a <script> element (no '</script>', no line
    separators JavaScript would choke on)."""
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def export_map_html(
    m: folium.Map,
    *,
    focus: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> str:
    """The map as a document for the export: the page's own map (its assets already local,
    ``localise_assets``), with animations off, online tiles hidden, every control hidden
    but a metric scale bar and the credits (zoom, layer list, measure tool and the legend:
    the export prints the legend in a box of its own), a north arrow, framed on ``focus``
    if given, clear of the arrow, the scale and the credits. Sets ``window.__pwMapReady``
    once drawn. ``m`` is not changed."""
    html = m.get_root().render()
    head = html.find("</head>")
    html = html[:head] + _MAP_CSS + html[head:] if head >= 0 else _MAP_CSS + html
    ready = _MAP_READY % {
        "name": _script_json(m.get_name()),
        "focus": _script_json([list(focus[0]), list(focus[1])] if focus else None),
        "arrow": _script_json(NORTH_ARROW_SVG),
        "top_left": _script_json(list(MAP_PADDING_TOP_LEFT)),
        "bottom_right": _script_json(list(MAP_PADDING_BOTTOM_RIGHT)),
    }
    end = html.rfind("</html>")
    return html[:end] + ready + html[end:] if end >= 0 else html + ready


# --------------------------------------------------------------------------- the chart


def _on_main_axis(fig: go.Figure) -> list:
    """The traces drawn against the figure's first y axis."""
    return [t for t in fig.data if getattr(t, "yaxis", None) in (None, "y")]


def _headroom(fig: go.Figure) -> None:
    """Room above the highest bar or band of a count chart (0 at the foot): plotly pads no
    line, so a band at the top would be cut in half by the plot's edge."""
    top = _max_y(fig)
    if top > 0 and fig.layout.yaxis.range is None and _min_y(fig) >= 0:
        fig.layout.yaxis.range = [0, top * 1.12]
        fig.layout.yaxis.autorange = False


def _max_y(fig: go.Figure) -> float:
    """The highest value the figure draws: stacked bars summed per x, other traces' y."""
    stacked: dict[object, float] = {}
    top = 0.0
    for trace in _on_main_axis(fig):
        raw = getattr(trace, "y", None)
        ys = [] if raw is None else [float(y) for y in raw if y is not None and y == y]
        if not ys:
            continue
        if trace.type == "bar":
            for x, y in zip(trace.x, ys, strict=False):
                stacked[x] = stacked.get(x, 0.0) + y
        else:
            top = max(top, max(ys))
    return max([top, *stacked.values()]) if stacked else top


def _min_y(fig: go.Figure) -> float:
    """The lowest y value any trace draws (0 when none has values)."""
    low = 0.0
    for trace in _on_main_axis(fig):
        raw = getattr(trace, "y", None)
        ys = [] if raw is None else [float(y) for y in raw if y is not None and y == y]
        if ys:
            low = min(low, min(ys))
    return low


def export_figure_json(fig: go.Figure) -> str:
    """The figure, restyled for a slide, as plotly JSON: sized by its box in the document,
    larger type, its legend shown below the plot, the subtitle dropped (the export prints
    the filter summary), whole-number ticks for small counts. ``fig`` is not changed."""
    out = go.Figure(fig)
    title = out.layout.title.text or ""
    first_line = title.split("<br>")[0]
    small = _max_y(out) <= 8
    out.update_layout(
        width=None,
        height=None,
        autosize=True,
        title={"text": first_line, "x": 0.01, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13, "color": "#222"},
        margin={"l": 58, "r": 14, "t": 44, "b": 10},
        showlegend=True,
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.08,
            "x": 0,
            "font": {"size": 11.5},
            "tracegroupgap": 4,
        },
        transition={"duration": 0},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
    )
    # x labels stand off the axis, so the first date does not run into the y axis's 0
    out.update_xaxes(tickfont={"size": 12}, automargin=True, ticklabelstandoff=6)
    out.update_yaxes(tickfont={"size": 12}, automargin=True)
    if small:
        out.update_yaxes(dtick=1, tick0=0)
    _headroom(out)
    _keep_labels_inside(out)
    return out.to_json()


def _keep_labels_inside(fig: go.Figure, share: float = 0.06) -> None:
    """Vertical labels hung left of a line near the left edge of a date axis would cover
    the axis's tick labels: hang them right of the line instead."""
    span = fig.layout.xaxis.range
    if not span or len(span) != 2:
        return
    try:
        lo, hi = pd.Timestamp(span[0]), pd.Timestamp(span[1])
    except (TypeError, ValueError):
        return
    edge = lo + (hi - lo) * share
    for note in fig.layout.annotations:
        if note.xref != "x" or note.xanchor != "right" or note.x is None:
            continue
        try:
            at = pd.Timestamp(note.x)
        except (TypeError, ValueError):
            continue
        if at <= edge:
            note.update(xanchor="left", xshift=1)


# --------------------------------------------------------------------------- a chart alone


def slide_figure(
    fig: go.Figure,
    *,
    title: str,
    summary: str,
    source_line: str,
    width: int = SLIDE_WIDTH,
    height: int = SLIDE_HEIGHT,
    left: int = 120,
    right: int = 500,
) -> go.Figure:
    """A copy of ``fig`` laid out for a 16:9 slide: a large title and the filter summary at
    the top left, the legend in a column on the right, the source line across the foot, and
    type sized to be read across a room. Every text from the data is made inert for plotly.

    The margins are fixed (``left`` for the axis labels, ``right`` for the legend) rather
    than grown by plotly, so the source line can start at the image's left edge."""
    slide = go.Figure(fig)
    lines = textwrap.wrap(str(source_line), width=int(width / 10.2)) or [""]
    bottom = 80 + 24 * len(lines)
    plot_width = width - left - right
    head = f"<b>{esc(title)}</b><br><span style='font-size:22px;color:#444'>{esc(summary)}</span>"
    slide.update_layout(
        width=width,
        height=height,
        title={
            "text": head,
            "xref": "container",
            "yref": "container",
            "x": 30 / width,
            "xanchor": "left",
            "y": 1 - 42 / height,
            "yanchor": "top",
            "font": {"size": 34},
        },
        font={"size": 19, "family": "DejaVu Sans, Arial, sans-serif"},
        margin={"l": left, "r": right, "t": 150, "b": bottom, "autoexpand": False},
        legend={
            "orientation": "v",
            "yanchor": "top",
            "y": 1.0,
            "x": 1.02,
            "xanchor": "left",
            "font": {"size": 16},
            "groupclick": "toggleitem",
        },
    )
    slide.update_yaxes(automargin=False)
    slide.update_xaxes(automargin=False)
    _headroom(slide)
    # annotations (milestone labels) keep their size relative to the new base font
    for annotation in slide.layout.annotations:
        size = annotation.font.size if annotation.font and annotation.font.size else 10
        annotation.font.size = max(size + 5, 15)
    slide.add_annotation(
        text="<br>".join(esc(line) for line in lines),
        xref="paper",
        yref="paper",
        x=-(left - 30) / plot_width,
        y=0,
        yshift=-(bottom - 20 - 24 * len(lines)) + 8,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font={"size": 15, "color": "#555"},
    )
    return slide


def chart_html(fig: go.Figure, width: int, height: int) -> str:
    """A document holding only ``fig``, drawn ``width``×``height`` CSS pixels by the
    plotly.js the renderer serves; sets ``window.__pwReady`` once drawn."""
    css = f"""
  html, body {{ width: {width}px; height: {height}px; overflow: hidden; }}
  #pw-chart {{ position: absolute; left: 0; top: 0; width: {width}px; height: {height}px; }}
"""
    ready = _READY_JS % {"figure": _script_safe(fig.to_json())}
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Chart</title>"
        f"<style>{_BASE_CSS}{css}</style><script src='{PLOTLY_SRC}'></script></head>"
        f"<body><div id='pw-chart'></div>{ready}</body></html>"
    )


# --------------------------------------------------------------------------- documents

_BASE_CSS = f"""
  * {{ box-sizing: border-box; }}
  html, body {{ margin: 0; padding: 0; background: #fff; color: #1b1b1b; }}
  body {{ font-family: {FONT}; -webkit-font-smoothing: antialiased; }}
  h1, h2, p, ul, ol, figure {{ margin: 0; }}
  .sheet {{ position: relative; overflow: hidden; }}
  .box {{ position: absolute; overflow: hidden; }}
  .banner {{ color: #fff; text-align: center; font-weight: bold; letter-spacing: 0.14em;
    text-transform: uppercase; }}
  figure.map {{ border: 1px solid #9a9a9a; background: #e4e4df; }}
  figure.map iframe {{ display: block; width: 100%; height: 100%; border: 0; }}
  figure.chart > div {{ position: absolute; inset: 0; }}
  h2 {{ text-transform: uppercase; letter-spacing: 0.08em; color: #0b3d6e; margin: 0 0 4px; }}
  .legend .lg-group {{ margin: 0 0 3px; }}
  .legend .lg-h {{ font-weight: bold; color: #0b3d6e; margin-right: 8px; }}
  .legend .lg-e {{ display: inline-flex; align-items: center; gap: 4px; margin-right: 12px;
    white-space: nowrap; vertical-align: middle; max-width: 100%; }}
  .legend .lg-e > span {{ white-space: normal; }}
  .legend .lg-e svg {{ flex: none; }}
  .legend .lg-note {{ color: #555; }}
  .src-n {{ font-weight: bold; color: #0b3d6e; }}
  .grade {{ font-weight: bold; }}
  .muted {{ color: #555; }}
  .pw-more[hidden] {{ display: none !important; }}
  a {{ color: #0b3d6e; text-decoration: none; }}
"""

_READY_JS = """
<script>
(function () {
  var figure = %(figure)s;
  var chart = document.getElementById('pw-chart');
  var frame = document.getElementById('pw-map');
  function frames(n) {
    return new Promise(function (resolve) {
      (function step(k) {
        if (k <= 0) { resolve(); } else { requestAnimationFrame(function () { step(k - 1); }); }
      })(n);
    });
  }
  function inside(el, box) {
    var a = el.getBoundingClientRect(), b = box.getBoundingClientRect();
    return a.bottom <= b.bottom + 0.5 && a.right <= b.right + 0.5;
  }
  // A box marked data-fit keeps the items of its .pw-items list that fit it; the others
  // go to the list its data-overflow names (a page after this one) or, without one, are
  // counted in its .pw-more line ("and 3 more in the brief").
  function fitLists() {
    document.querySelectorAll('[data-fit]').forEach(function (box) {
      var list = box.querySelector('.pw-items');
      if (!list) { return; }
      var more = box.querySelector('.pw-more');
      var target = box.dataset.overflow ? document.getElementById(box.dataset.overflow) : null;
      var items = Array.prototype.slice.call(list.children).filter(function (el) {
        return el !== more;
      });
      var cut = [];
      // every item shown, and the count line, must end inside the box (in columns the
      // last item is not always the lowest one)
      function allInside() {
        var shown = more && !more.hidden ? items.concat([more]) : items;
        return shown.every(function (el) { return inside(el, box); });
      }
      while (items.length && !allInside()) {
        var item = items.pop();
        list.removeChild(item);
        cut.unshift(item);
        if (more && !target) {
          more.hidden = false;
          more.textContent = (cut.length === 1 ? more.dataset.one : more.dataset.many)
            .replace('{n}', String(cut.length));
        }
      }
      if (target) { cut.forEach(function (item) { target.appendChild(item); }); }
    });
    document.querySelectorAll('[data-drop-if-empty]').forEach(function (el) {
      var list = el.querySelector('.pw-items');
      if (list && !list.children.length) { el.parentNode.removeChild(el); }
    });
  }
  function mapReady() {
    return new Promise(function (resolve) {
      if (!frame) { resolve(); return; }
      (function poll() {
        var done = false;
        try { done = frame.contentWindow.__pwMapReady === true; } catch (e) {}
        if (done) { resolve(); } else { setTimeout(poll, 25); }
      })();
    });
  }
  function refit() {
    try {
      if (frame && frame.contentWindow.__pwRefit) { return frame.contentWindow.__pwRefit(); }
    } catch (e) {}
    return Promise.resolve();
  }
  // a legend longer than its box is set a little smaller (never below 85 %%)
  function fitLegend() {
    var box = document.getElementById('pw-legend-box');
    if (!box || box.scrollHeight <= box.clientHeight + 1) { return; }
    var inner = document.createElement('div');
    while (box.firstChild) { inner.appendChild(box.firstChild); }
    box.appendChild(inner);
    var k = Math.max(0.85, Math.floor(box.clientHeight / inner.scrollHeight * 100) / 100);
    inner.style.zoom = String(k);
  }
  document.fonts.ready.then(function () {
    fitLists();
    fitLegend();
    var plotted = Promise.resolve();
    if (chart && figure) {
      var layout = figure.layout || {};
      layout.width = chart.clientWidth;
      layout.height = chart.clientHeight;
      plotted = Plotly.newPlot(chart, figure.data, layout,
                               {staticPlot: true, displayModeBar: false});
    }
    return Promise.all([plotted, mapReady()]);
  }).then(function () { return refit(); }).then(function () { return frames(2); }).then(
    function () { window.__pwReady = true; },
    function (err) { window.__pwError = String(err); });
})();
</script>
"""


def _banners(b: Briefing, boxes: dict[str, Box]) -> str:
    if b.banner is None:
        return ""
    return "".join(
        f"<div class='box banner' id='pw-{name.replace('_', '-')}' style='{boxes[name].css()};"
        f"line-height:{boxes[name].h:.0f}px;background:{esc(b.banner.colour)}'>"
        f"{esc(b.banner.text)}</div>"
        for name in ("banner_top", "banner_bottom")
        if name in boxes
    )


def _source_text(s: SourceLine, *, with_title: bool, linked: bool) -> str:
    publisher = link(s.url, s.publisher) if linked else esc(s.publisher)
    published = f", {esc(s.published)}" if s.published else ""
    title = f" — <i>{esc(clip(s.title, 90))}</i>" if with_title and s.title else ""
    return (
        f"<span class='src-n'>{s.number}</span>&#8201;{publisher}{published}{title} "
        f"<span class='grade'>{esc(s.grade)}</span>"
    )


def _legend_groups(b: Briefing) -> list[tuple[str, list[LegendLine]]]:
    """The legend's entries that draw a symbol, by group in the legend's order."""
    groups: dict[str, list[LegendLine]] = {}
    for entry in b.legend:
        if entry.symbol_svg:
            groups.setdefault(entry.group, []).append(entry)
    return list(groups.items())


def _legend_rules(b: Briefing) -> tuple[str, ...]:
    """The legend's rules in words (the size scale, how runs and visits are counted)."""
    return tuple(e.label for e in b.legend if not e.symbol_svg)


def _content(b: Briefing) -> Content:
    """What the layout must make room for."""
    legend = [
        [(group, 0.0)]
        + [
            (e.label + (f" ({e.count:,})" if e.count else ""), _svg_height(e.symbol_svg))
            for e in entries
        ]
        for group, entries in _legend_groups(b)
    ]
    if b.map_html is not None and b.map_note:
        legend.append([(b.map_note, 0.0)])
    return Content(
        figures=b.figures,
        legend=legend,
        sources=tuple(f"{s.number} {s.publisher}, {s.published} {s.grade}" for s in b.sources),
        has_map=b.map_html is not None,
        has_chart=b.figure_json is not None,
        banner=b.banner is not None,
        link=b.link or "",
        foot=_brief_foot(b),
        title=b.title,
    )


def _svg_height(svg: str) -> float:
    """The height an inline SVG symbol asks for (its height attribute), 12 if it names none."""
    found = re.search(r"height='([\d.]+)'", svg) or re.search(r'height="([\d.]+)"', svg)
    return float(found.group(1)) if found else 12.0


def _brief_foot(b: Briefing) -> str:
    """The brief's note at the foot: the grades, what the counts are, the legend's rules."""
    return " ".join(
        [
            b.grades_note,
            "Numbers in brackets name the sources a figure rests on; counts the data set "
            "holds are of events recorded one by one, each with its sources, and are never "
            "added to the counts sources report.",
            *(f"Map: {rule}" for rule in _legend_rules(b)),
        ]
    )


def _legend_box(b: Briefing, box: Box | None, font_px: float) -> str:
    """The map's legend in a box of its own: one line of entries per group, only the
    symbols the map draws, and what the map cannot show."""
    if box is None:
        return ""
    groups = "".join(
        f"<div class='lg-group'><span class='lg-h'>{esc(group)}</span>"
        + "".join(
            f"<span class='lg-e'>{e.symbol_svg}<span>{esc(e.label)}"
            + (f" <span class='muted'>({e.count:,})</span>" if e.count else "")
            + "</span></span>"
            for e in entries
        )
        + "</div>"
        for group, entries in _legend_groups(b)
    )
    note = f"<div class='lg-group lg-note'>{esc(b.map_note)}</div>" if b.map_note else ""
    return (
        f"<aside class='box legend' id='pw-legend-box' style='{box.css()};"
        f"font-size:{font_px}px;line-height:1.35'>{groups}{note}</aside>"
    )


def _map_box(box: Box | None) -> str:
    if box is None:
        return ""
    return (
        f"<figure class='box map' id='pw-map-box' style='{box.css()}'><iframe id='pw-map' "
        f"src='{MAP_SRC}' title='Map' scrolling='no'></iframe></figure>"
    )


def _chart_box(box: Box | None) -> str:
    if box is None:
        return ""
    return (
        f"<figure class='box chart' id='pw-chart-box' style='{box.css()}'>"
        "<div id='pw-chart'></div></figure>"
    )


def _legend_rows(fig: dict) -> int:
    """How many rows a horizontal legend of grouped items takes: the groups side by side,
    each its title and its items one under another."""
    groups: dict[str, int] = {}
    for trace in fig.get("data", []):
        if trace.get("showlegend") is False:
            continue
        key = str(trace.get("legendgroup", ""))
        groups[key] = groups.get(key, 0) + 1
    titled = any(t.get("legendgrouptitle") for t in fig.get("data", []))
    return (max(groups.values()) if groups else 0) + (1 if titled else 0)


#: the slide chart's type: tick and legend text (CSS pixels), and the average advance of a
#: character of it in ems (a little over DejaVu Sans's, so an estimate errs wide)
SLIDE_CHART_EM = 0.56
#: plotly's legend: the symbol and the gaps around an entry, in pixels
_LEGEND_ITEM_PAD = 45.0


#: the same for the legend's entries (plotly measures them; this errs a little wide)
SLIDE_LEGEND_EM = 0.53


def _text_px(text: str, size: float, em: float = SLIDE_CHART_EM) -> float:
    """The width ``text`` takes at ``size`` pixels (tags dropped; errs wide)."""
    return len(re.sub(r"<[^>]+>", "", text)) * size * em


def _is_milestone(note: dict) -> bool:
    """A milestone's label: vertical text hung from the top of the plot at a date."""
    return note.get("textangle") == -90 and note.get("xref") == "x" and note.get("yref") == "paper"


def _date_px(fig: dict, when: object, width: float) -> float | None:
    """Where the date ``when`` falls on the x axis of ``fig`` drawn ``width`` pixels wide
    (its margins from the layout); None without a date range."""
    layout = fig.get("layout", {})
    span = layout.get("xaxis", {}).get("range")
    margin = layout.get("margin", {})
    try:
        lo, hi, at = pd.Timestamp(span[0]), pd.Timestamp(span[1]), pd.Timestamp(when)
    except (TypeError, ValueError, IndexError):
        return None
    if hi <= lo:
        return None
    plot_w = width - margin.get("l", 0) - margin.get("r", 0)
    return margin.get("l", 0) + (at - lo) / (hi - lo) * plot_w


def marker_boxes(fig: dict, width: float) -> list[tuple[str, float, float, float, float]]:
    """The numbered milestone markers of a slide's chart (:func:`slide_chart`) as boxes
    (text, left, top, right, bottom) in pixels of the chart ``width`` wide: above the plot,
    each ``yshift`` pixels over its row."""
    out = []
    layout = fig.get("layout", {})
    top = layout.get("margin", {}).get("t", 0)
    for note in layout.get("annotations", []):
        if note.get("name") != "pw-milestone":
            continue
        x = _date_px(fig, note.get("x"), width)
        if x is None:
            continue
        size = note.get("font", {}).get("size", 10)
        w = _text_px(str(note["text"]), size) + 2 * (note.get("borderpad", 1) + 1)
        h = size * 1.3 + 2 * (note.get("borderpad", 1) + 1)
        bottom = top - note.get("yshift", 0)
        out.append((str(note["text"]), x - w / 2, bottom - h, x + w / 2, bottom))
    return out


def _chart_legend_groups(fig: dict) -> dict[str, list[str]]:
    """The texts of each legend group of ``fig`` (its title first), in the legend's order."""
    groups: dict[str, list[str]] = {}
    for trace in fig.get("data", []):
        if trace.get("showlegend") is False or not trace.get("name"):
            continue
        items = groups.setdefault(str(trace.get("legendgroup", "")), [])
        title = (trace.get("legendgrouptitle") or {}).get("text")
        if title and not items:
            items.append(str(title))
        items.append(str(trace["name"]))
    return groups


def _legend_id(k: int) -> str:
    return "legend" if k == 0 else f"legend{k + 1}"


def _one_legend_per_group(fig: dict) -> list[str]:
    """Give each legend group of ``fig`` a legend of its own (plotly's ``legend``,
    ``legend2``, …), its group's title the legend's title: laid out one under another,
    each a row of entries, a grouped legend's columns of one entry each are avoided.
    Returns the legends' ids, in order."""
    ids: dict[str, str] = {}
    titles: dict[str, str] = {}
    for trace in fig.get("data", []):
        group = str(trace.get("legendgroup", ""))
        if group not in ids and trace.get("showlegend") is not False and trace.get("name"):
            ids[group] = _legend_id(len(ids))
        title = (trace.pop("legendgrouptitle", None) or {}).get("text")
        if title:
            titles.setdefault(group, str(title))
    for trace in fig.get("data", []):
        trace["legend"] = ids.get(str(trace.get("legendgroup", "")), "legend")
    layout = fig.setdefault("layout", {})
    for group, lid in ids.items():
        layout[lid] = {"title": {"text": titles.get(group, "")}}
    return list(ids.values())


#: plotly's legend: the room before an entry's text (its symbol) and after it
_LEGEND_GAP = 5.0


def _legend_parts(fig: dict) -> list[tuple[str, str, list[str]]]:
    """The legends of a slide chart (:func:`_one_legend_per_group`): id, title, entries."""
    layout = fig.get("layout", {})
    parts: dict[str, list[str]] = {}
    for trace in fig.get("data", []):
        if trace.get("showlegend") is False or not trace.get("name"):
            continue
        parts.setdefault(str(trace.get("legend", "legend")), []).append(str(trace["name"]))
    return [
        (lid, str(layout.get(lid, {}).get("title", {}).get("text") or ""), names)
        for lid, names in parts.items()
    ]


def _legend_rows_of(names: list[str], width: float, size: float, itemwidth: float) -> int:
    """How many rows plotly sets a horizontal legend's ``names`` in, ``width`` wide: one
    row when they all fit it, else a grid whose columns are as wide as the widest entry."""
    if not names:
        return 0
    entry = [_text_px(n, size, SLIDE_LEGEND_EM) + itemwidth + 3 * _LEGEND_GAP for n in names]
    if sum(entry) + (len(entry) - 1) * _LEGEND_GAP < width - 2:
        return 1
    widest = max(entry)
    per_row = max(1, int((width - widest) / (widest + _LEGEND_GAP) - 1e-9) + 1)
    return math.ceil(len(names) / per_row)


def _title_left(title: str, names: list[str], width: float, size: float, itemwidth: float) -> bool:
    """Whether a legend's title goes on the left of its entries: when title and entries
    hold on one line ``width`` wide (else the title takes a line above them)."""
    if not title:
        return False
    entry = [_text_px(n, size, SLIDE_LEGEND_EM) + itemwidth + 3 * _LEGEND_GAP for n in names]
    head = _text_px(title, size, SLIDE_LEGEND_EM * 1.12) + 2 * _LEGEND_GAP
    return head + sum(entry) + len(entry) * _LEGEND_GAP < width - 2


def _legend_heights(fig: dict, width: float) -> list[tuple[str, float]]:
    """Each legend of the slide chart and the height it takes ``width`` pixels wide: its
    title's line (unless the title is on the left of a single row), its rows of entries,
    its padding (errs tall)."""
    layout = fig.get("layout", {})
    out = []
    for lid, title, names in _legend_parts(fig):
        spec = layout.get(lid, {})
        size = spec.get("font", {}).get("size", 11)
        itemwidth = spec.get("itemwidth", 30)
        rows = _legend_rows_of(names, width, size, itemwidth)
        left = _title_left(title, names, width, size, itemwidth)
        head = size * 1.3 + 5 if title and not left else 0.0
        out.append((lid, head + rows * (size * 1.3 + 6.5) + 10))
    return out


def legend_flow_rows(fig: dict, width: float) -> int:
    """How many rows of entries (titles not counted) the slide chart's legends take
    ``width`` pixels wide."""
    layout = fig.get("layout", {})
    return sum(
        _legend_rows_of(
            names,
            width,
            layout.get(lid, {}).get("font", {}).get("size", 11),
            layout.get(lid, {}).get("itemwidth", 30),
        )
        for lid, _, names in _legend_parts(fig)
    )


#: the room between two of the slide chart's legends
LEGEND_STACK_GAP = 2.0


def legend_height_px(fig: dict, width: float) -> float:
    """The height the slide chart's legends take ``width`` pixels wide, one under
    another (:func:`_legend_heights`)."""
    heights = [h for _, h in _legend_heights(fig, width)]
    return sum(heights) + LEGEND_STACK_GAP * max(0, len(heights) - 1)


def _wrapped(words: list[str], width: float, size: float) -> list[str]:
    """``words`` (each kept whole) joined by spaces on lines at most ``width`` pixels wide."""
    lines: list[str] = []
    for word in words:
        if lines and _text_px(lines[-1] + "  " + word, size, SLIDE_LEGEND_EM) <= width:
            lines[-1] += "  " + word
        else:
            lines.append(word)
    return lines


def slide_chart(fig: dict, width: float, height: float, size: float = 12) -> dict:
    """The export figure (plotly JSON as a dict, changed in place and returned) laid out for
    the slide's chart box of ``width``×``height`` CSS pixels, legible at that size:

    - a legend per legend group, one under another below the x labels: its title in bold
      on the left of its entries when they hold on one line, else over them, its entries
      in rows (plotly's grouped legend would set each group as a column, one entry a
      row); the foot margin holds exactly their rows;
    - each milestone's long vertical label replaced by a number over the plot (numbers
      too close for their width are staggered up a row, so none overlap) and the numbers
      explained in a caption under the legend;
    - gap labels kept only where they do not overlap a longer gap's;
    - the y-axis title dropped when the chart's title says it; at most 5 date ticks."""
    layout = fig.setdefault("layout", {})
    small = size - 1
    layout["font"] = {**layout.get("font", {}), "size": size}
    layout["title"] = {
        **layout.get("title", {}),
        "font": {"size": size + 2.5},
        "y": 1,
        "yanchor": "top",
        "yref": "container",
        "pad": {"t": 4},
    }
    margin = {"l": 44, "r": 10, "t": 30, "b": 0}
    layout["margin"] = margin
    plot_w = width - margin["l"] - margin["r"]
    # the legends: one per group, one under another under the x labels, each its title's
    # line then its entries in rows, starting at the box's left edge
    for lid in _one_legend_per_group(fig):
        title = layout[lid]["title"]["text"]
        names = next((n for i, _, n in _legend_parts(fig) if i == lid), [])
        left = _title_left(title, names, plot_w + margin["l"] - 2, small - 1, 30)
        layout[lid] = {
            "orientation": "h",
            "traceorder": "normal",
            "itemwidth": 30,
            "font": {"size": small - 1},
            "title": {
                "text": f"<b>{title}</b>" if title else "",
                "side": "left" if left else "top",
                "font": {"size": small - 1},
            },
            "itemsizing": "constant",
            "x": -(margin["l"] - 2) / plot_w,
            "xanchor": "left",
            "yanchor": "top",
            "bgcolor": "rgba(0,0,0,0)",
        }
    legend_h = legend_height_px(fig, plot_w + margin["l"] - 2)
    # the milestones: numbers over the plot, their labels in a caption
    notes = layout.get("annotations", [])
    milestones = sorted((n for n in notes if _is_milestone(n)), key=lambda n: str(n["x"]))
    caption: list[str] = []
    gaps = [n for n in notes if n.get("yref") == "y domain" and n.get("textangle") is None]
    kept = [n for n in notes if n not in milestones and n not in gaps]
    # the axis x positions need the final margin's l and r only (set above)
    placed: list[tuple[float, float, int]] = []  # left, right, row
    marks = []
    for number, note in enumerate(milestones, start=1):
        x = _date_px(fig, note.get("x"), width)
        if x is None:
            continue
        label = f"{number}"
        w = _text_px(label, small) + 4 + 3
        row = 0
        while any(row == r and x - w / 2 < right and left < x + w / 2 for left, right, r in placed):
            row += 1
        placed.append((x - w / 2 - 2, x + w / 2 + 2, row))
        caption.append(f"<b>{number}</b> {note['text']}")
        marks.append(
            {
                "name": "pw-milestone",
                "text": label,
                "x": note["x"],
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "yshift": 2 + row * (small * 1.3 + 6),
                "font": {"size": small, "color": "#222"},
                "bgcolor": "#ffffff",
                "bordercolor": "#555",
                "borderwidth": 1,
                "borderpad": 1,
            }
        )
    levels = 1 + max((r for _, _, r in placed), default=-1)
    margin["t"] = 30 + levels * (small * 1.3 + 6)
    # gap labels: the longest first, each kept only clear of those kept
    clear: list[tuple[float, float]] = []
    for note in sorted(gaps, key=lambda n: -float(re.sub(r"\D", "", str(n.get("text"))) or 0)):
        x = _date_px(fig, note.get("x"), width)
        if x is None:
            continue
        w = _text_px(str(note.get("text", "")), small) + 4
        if any(x - w / 2 < right and left < x + w / 2 for left, right in clear):
            continue
        clear.append((x - w / 2, x + w / 2))
        note["font"] = {**note.get("font", {}), "size": small - 1}
        kept.append(note)
    cap_size = small - 1.5
    cap_lines = _wrapped(caption, width - 8, cap_size) if caption else []
    ticks = 30.0  # the x labels under the plot
    margin["b"] = ticks + legend_h + (len(cap_lines) * (cap_size * 1.3) + 8 if cap_lines else 0)
    plot_h = max(60.0, height - margin["t"] - margin["b"])
    below = ticks
    for lid, h in _legend_heights(fig, plot_w + margin["l"] - 2):
        layout[lid]["y"] = -below / plot_h
        below += h + LEGEND_STACK_GAP
    if cap_lines:
        kept.append(
            {
                "name": "pw-caption",
                "text": "<br>".join(cap_lines),
                "xref": "paper",
                "yref": "paper",
                "x": -(margin["l"] - 4) / plot_w,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "showarrow": False,
                "yshift": -(ticks + legend_h + 4),
                "font": {"size": cap_size, "color": "#333"},
            }
        )
    layout["annotations"] = kept + marks
    title = str(layout.get("title", {}).get("text") or "").lower()
    for axis in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        spec = layout[axis]
        spec["tickfont"] = {"size": size - 1}
        if axis == "yaxis" and isinstance(spec.get("title"), dict):
            if str(spec["title"].get("text", "")).lower() in title:
                spec["title"] = {"text": ""}
            else:
                spec["title"] = {**spec["title"], "font": {"size": small}}
    layout.setdefault("xaxis", {}).update({"tickangle": 0, "nticks": 5})
    if "domain" in layout.get("yaxis2", {}) and "domain" in layout.get("yaxis", {}):
        # the strip of spans under the counts: a little taller, apart from the counts' axis
        # (its labels clear of the counts' 0), the dates under the strip, not over it
        layout["yaxis2"]["domain"] = [0.0, 0.2]
        layout["yaxis"]["domain"] = [0.32, 1.0]
        layout["xaxis"].update({"anchor": "free", "position": 0})
    return fig


#: the least height of the slide chart's plot area, in pixels
SLIDE_PLOT_LEAST = 170.0
#: the least share of the slide chart's box its plot area takes (legend, labels and
#: caption the rest)
SLIDE_PLOT_SHARE = 0.47
#: the layouts tried, in turn, for a chart that needs more room: the map column's share
#: of the width (0: the usual) and whether the chart has its column to itself
SLIDE_TRIES = ((0.0, False), (0.52, False), (0.46, False), (0.46, True))


def slide_chart_margins(figure_json: str, width: float, size: float = 12) -> float:
    """The height the slide chart ``width`` pixels wide takes around its plot area: its
    title, milestone numbers, x labels, legends and caption (:func:`slide_chart`)."""
    margin = slide_chart(json.loads(figure_json), width, 1000, size)["layout"]["margin"]
    return float(margin["t"] + margin["b"])


def slide_chart_least(figure_json: str, width: float, size: float = 12) -> float:
    """The least height of a slide chart box ``width`` pixels wide that holds the chart's
    title, milestone numbers, x labels, legend and caption (:func:`slide_chart`) around a
    plot at least :data:`SLIDE_PLOT_LEAST` pixels tall and :data:`SLIDE_PLOT_SHARE` of the
    box."""
    around = slide_chart_margins(figure_json, width, size)
    return max(around + SLIDE_PLOT_LEAST, around / (1 - SLIDE_PLOT_SHARE))


def slide_plot_share(figure_json: str, box: Box, size: float = 12) -> float:
    """The share of the chart ``box``'s height the plot area takes on the slide."""
    return max(0.0, box.h - slide_chart_margins(figure_json, box.w, size)) / box.h


def _compact_figure(
    figure_json: str,
    *,
    size: float = 10.5,
    legend_below: bool = False,
    height: float = 0,
    width: float = 0,
) -> str:
    """The export figure sized for its box: the legend to the right of the plot, so it
    does not take the plot's height (the brief's wide, low box, ``size`` 10.5), or below
    it (``legend_below``: the slide's narrower column, a larger ``size``). Type scales
    with ``size``; x labels are written level, never tilted over the axis."""
    fig = json.loads(figure_json)
    if legend_below:
        return json.dumps(slide_chart(fig, width or 520, height or 300, size))
    layout = fig.setdefault("layout", {})
    small = size - 2 if not legend_below else size - 1
    layout["font"] = {**layout.get("font", {}), "size": size}
    layout["title"] = {**layout.get("title", {}), "font": {"size": size + 2.5}}
    # room at the top for the highest band's label and at the foot for the x labels
    layout["margin"] = {"l": 50, "r": 10, "t": 34, "b": 6}
    side: dict = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"}
    if legend_below:
        # the legend under the x labels: the foot margin holds both, and the legend's top
        # sits below the labels (in the plot's fractions, from the box's known height)
        rows = _legend_rows(fig)
        below = 30 + rows * (small + 7)
        layout["margin"]["b"] = below
        plot_h = max(60.0, (height or 300) - layout["margin"]["t"] - below)
        side = {"orientation": "h", "x": 0, "xanchor": "left", "y": -30 / plot_h, "yanchor": "top"}
    layout["legend"] = {
        **layout.get("legend", {}),
        **side,
        "font": {"size": small},
        "grouptitlefont": {"size": small + 0.5},
        "tracegroupgap": 2,
        "itemsizing": "constant",
    }
    layout.setdefault("xaxis", {}).update({"tickangle": 0, "nticks": 6})
    for axis in ("xaxis", "yaxis"):
        spec = layout.setdefault(axis, {})
        spec["tickfont"] = {"size": size - 0.5}
        if isinstance(spec.get("title"), dict):
            spec["title"] = {**spec["title"], "font": {"size": size}}
    for note in layout.get("annotations", []):
        if note.get("textangle") == -90 and isinstance(note.get("text"), str):
            note["font"] = {**note.get("font", {}), "size": small}
            if len(note["text"]) > 26:  # cut at a word, never inside one
                cut = note["text"][:25].rsplit(" ", 1)[0] if " " in note["text"][:25] else ""
                note["text"] = (cut or note["text"][:25]).rstrip(" ,;:–-") + "…"
    return json.dumps(fig)


def _document(
    title: str,
    css: str,
    body: str,
    b: Briefing,
    *,
    chart_size: float,
    legend_below: bool = False,
    chart_height: float = 0,
    chart_width: float = 0,
) -> str:
    figure = b.figure_json
    if figure is not None:
        figure = _compact_figure(
            figure,
            size=chart_size,
            legend_below=legend_below,
            height=chart_height,
            width=chart_width,
        )
    plotly = f"<script src='{PLOTLY_SRC}'></script>" if figure is not None else ""
    ready = _READY_JS % {"figure": _script_safe(figure or "null")}
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{_BASE_CSS}{css}</style>{plotly}</head>"
        f"<body>{body}{ready}</body></html>"
    )


def _more_line(one: str, many: str) -> str:
    """The line a fitted box shows when some of its items do not fit ({n}: how many)."""
    return f"<li class='pw-more muted' hidden data-one='{esc(one)}' data-many='{esc(many)}'></li>"


def slide_boxes(b: Briefing, aspect: str = "16:9") -> dict[str, Box]:
    """The named boxes of the slide of ``b`` (``components.export_layout``): the chart's
    box as tall as its legend, milestone caption and a readable plot need
    (:func:`slide_chart_least`) when the key figures can give up the room; when they
    cannot, the chart's column is made wider (the map narrower), which sets the legends
    and the caption in fewer rows, and at last the chart gets the column to itself, the
    key figures going under the map's legend. Of the layouts tried, the first whose plot takes
    :data:`SLIDE_PLOT_SHARE` of the chart's box, else the one whose plot takes most."""
    content = _content(b)
    boxes = slide_layout(aspect, content)
    if b.figure_json is None or "chart" not in boxes:
        return boxes
    best: tuple[float, dict[str, Box]] | None = None
    for share, alone in SLIDE_TRIES:
        tried = replace(content, map_share=share, chart_alone=alone)
        boxes = slide_layout(aspect, tried)
        least = slide_chart_least(b.figure_json, boxes["chart"].w)
        if least > boxes["chart"].h:
            boxes = slide_layout(aspect, replace(tried, chart_least=least))
        plot = slide_plot_share(b.figure_json, boxes["chart"])
        if plot >= SLIDE_PLOT_SHARE:
            return boxes
        if best is None or plot > best[0] + 0.005:
            best = (plot, boxes)
    return best[1] if best else boxes


def brief_boxes(b: Briefing) -> dict[str, Box]:
    """The named boxes of the brief's first page (``components.export_layout``)."""
    return brief_layout(_content(b))


def slide_html(b: Briefing, aspect: str = "16:9") -> str:
    """The slide, laid out in named boxes computed beforehand (:func:`slide_boxes`):
    banner, title and filter summary; the map, its legend (only the symbols drawn) under
    it, the key figures and the chart beside it; the numbered sources with grades (as many
    as fit, then "and N more in the brief"); the data set, export time and (when there is
    a public address) the link. ``aspect`` is '16:9' or '4:3' (1280×720 or 1280×960 CSS
    pixels). Key figures that do not fit their box are counted there."""
    if aspect not in ASPECTS:
        raise ValueError(f"aspect must be one of {', '.join(ASPECTS)}")
    width, height = ASPECTS[aspect]
    boxes = slide_boxes(b, aspect)
    f_font, f_line = SLIDE_TYPE["figures"]
    s_font, s_line = SLIDE_TYPE["sources"]
    title = boxes["title"]
    h1 = title_size(b.title, title.w, 26, 17)
    css = f"""
  html, body {{ width: {width}px; height: {height}px; overflow: hidden; }}
  .sheet {{ width: {width}px; height: {height}px; }}
  .banner {{ font-size: 12.5px; }}
  header.box {{ border-bottom: 3px solid #0b3d6e; }}
  h1 {{ font-size: {h1}px; line-height: 1.2; color: #0b2545; }}
  .filters {{ font-size: 14px; color: #3d3d3d; margin-top: 4px; white-space: nowrap;
    overflow: hidden; text-overflow: ellipsis; }}
  .figures h2 {{ font-size: 12px; }}
  .figures ul {{ margin: 0; padding-left: 18px; font-size: {f_font}px;
    line-height: {f_line}px; }}
  .figures li {{ margin-bottom: 6px; }}
  .figures li.pw-more {{ list-style: none; margin-left: -18px; font-size: 12px; }}
  .sources {{ font-size: {s_font}px; line-height: {s_line}px; color: #222;
    border-top: 1px solid #ccc; padding-top: 4px; }}
  .sources ul {{ display: inline; margin: 0; padding: 0; }}
  .sources li {{ display: inline; }}
  .sources li + li::before {{ content: " · "; color: #777; }}
  .sources li.pw-more::before {{ content: " "; }}
  footer.box {{ display: flex; gap: 18px; justify-content: space-between; color: #444;
    font-size: 11px; line-height: 14px; border-top: 1px solid #ccc; padding-top: 3px; }}
  footer .link {{ word-break: break-all; text-align: right; max-width: 62%; }}
"""
    figures = ""
    if "figures" in boxes:
        figures = (
            f"<section class='box figures' id='pw-figures-box' style='{boxes['figures'].css()}'"
            " data-fit><h2>Key figures</h2><ul class='pw-items'>"
            + "".join(f"<li>{esc(t)}</li>" for t in b.figures)
            + _more_line(
                "and 1 more key figure in the brief", "and {n} more key figures in the brief"
            )
            + "</ul></section>"
        )
    listed = b.sources
    missing = max(b.sources_total, len(listed)) - len(listed)
    items = "".join(f"<li>{_source_text(s, with_title=False, linked=False)}</li>" for s in listed)
    if missing:
        items += f"<li class='muted'>and {missing:,} more in the brief</li>"
    src_box = boxes["sources"].css()
    sources = (
        f"<section class='box sources' id='pw-sources-box' style='{src_box}' data-fit>"
        "<b>Sources</b> <span class='muted'>(grade: reliability A–F, credibility 1–6)</span>: "
        f"<ul class='pw-items'>{items}"
        + _more_line("and 1 more in the brief", "and {n} more in the brief")
        + "</ul></section>"
        if listed
        else f"<section class='box sources' id='pw-sources-box' style='{src_box}'>"
        "<b>Sources</b>: none behind this view.</section>"
    )
    reopen = f"<span class='link'>Reopen this view: {esc(b.link)}</span>" if b.link else ""
    body = (
        "<div class='sheet slide'>"
        + _banners(b, boxes)
        + f"<header class='box' id='pw-title-box' style='{title.css()}'><h1>{esc(b.title)}</h1>"
        f"<p class='filters'>{esc(b.filter_summary)}</p></header>"
        + _map_box(boxes.get("map"))
        + _legend_box(b, boxes.get("legend"), SLIDE_TYPE["legend"][0])
        + figures
        + _chart_box(boxes.get("chart"))
        + sources
        + f"<footer class='box' id='pw-footer-box' style='{boxes['footer'].css()}'>"
        f"<span>Data: {esc(b.dataset_label)} · exported {esc(b.exported_text)} · "
        "PatrolWatch</span>" + reopen + "</footer></div>"
    )
    chart = boxes.get("chart")
    return _document(
        b.title,
        css,
        body,
        b,
        chart_size=12,
        legend_below=True,
        chart_height=chart.h if chart else 0,
        chart_width=chart.w if chart else 0,
    )


def brief_html(b: Briefing) -> str:
    """The A4 brief, laid out in named boxes computed beforehand (:func:`brief_boxes`):
    banner, title, filter summary, data set, export time and (when there is a public
    address) the link; the key figures in sentences with citation marks; the map with its
    legend (only the symbols drawn) under it; the chart; the numbered sources with grades
    and the note on grades. It is one page; the sources that do not fit on it are listed,
    all of them, on a page after it."""
    width, height = PAGE_SIZE
    boxes = brief_boxes(b)
    with_titles = len(b.sources) <= BRIEF_TITLES_UPTO
    listed = b.sources
    more = max(b.sources_total, len(listed)) - len(listed)
    f_font, f_line = BRIEF_TYPE["figures"]
    s_font, s_line = BRIEF_TYPE["sources"]
    title = boxes["title"]
    h1 = title_size(b.title, title.w, 21, 14)
    css = f"""
  @page {{ size: A4; margin: 0; }}
  html, body {{ width: {width}px; }}
  .sheet {{ width: {width}px; height: {height}px; }}
  .sheet.more {{ height: auto; min-height: {height}px; overflow: visible;
    break-before: page; padding: 40px 40px 20px; }}
  .banner {{ font-size: 11px; }}
  header.box {{ border-bottom: 2px solid #0b3d6e; }}
  h1 {{ font-size: {h1}px; line-height: 1.2; color: #0b2545; }}
  .filters {{ font-size: 11.5px; color: #3d3d3d; margin-top: 4px; }}
  .meta {{ font-size: 9.5px; line-height: 13px; color: #555; margin-top: 3px;
    word-break: break-all; }}
  h2 {{ font-size: 11px; }}
  .figures ul {{ padding-left: 16px; font-size: {f_font}px; line-height: {f_line}px; }}
  .figures li {{ margin-bottom: 2px; }}
  .legend .lg-group {{ margin-bottom: 1px; }}
  .legend .lg-e {{ margin-right: 9px; }}
  .sources {{ font-size: {s_font}px; line-height: {s_line}px; }}
  .pw-items {{ column-count: {2 if with_titles else 3}; column-gap: 16px; }}
  .more .pw-items {{ column-count: 3; font-size: {s_font}px; line-height: {s_line}px; }}
  .pw-items div {{ break-inside: avoid; }}
  footer.box {{ font-size: 8.5px; color: #555; line-height: 1.35; }}
"""
    figures = ""
    if "figures" in boxes:
        figures = (
            f"<section class='box figures' id='pw-figures-box' style='{boxes['figures'].css()}'>"
            "<h2>Key figures</h2><ul>"
            + "".join(f"<li>{esc(s)}</li>" for s in b.figures)
            + "</ul></section>"
        )
    sources = "".join(
        f"<div>{_source_text(s, with_title=with_titles, linked=True)}</div>" for s in listed
    )
    if more:
        sources += (
            f"<div class='muted'>… and {more:,} more sources behind the events shown: "
            "open the view in the app to list them.</div>"
        )
    reopen = f" · reopen this view: {link(b.link, b.link)}" if b.link else ""
    continued = (
        "<div class='sheet more' id='pw-more-page' data-drop-if-empty>"
        + f"<h2>Sources (continued) · {esc(b.title)}</h2>"
        + "<div class='pw-items' id='pw-more-sources'></div>"
        + "</div>"
    )
    body = (
        "<div class='sheet page'>"
        + _banners(b, boxes)
        + f"<header class='box' id='pw-title-box' style='{title.css()}'>"
        f"<h1>{esc(b.title)}</h1><p class='filters'>{esc(b.filter_summary)}</p>"
        f"<p class='meta'>Data: {esc(b.dataset_label)} · exported {esc(b.exported_text)}"
        f"{reopen}</p></header>"
        + figures
        + _map_box(boxes.get("map"))
        + _legend_box(b, boxes.get("legend"), BRIEF_TYPE["legend"][0])
        + _chart_box(boxes.get("chart"))
        + f"<section class='box sources' id='pw-sources-box' style='{boxes['sources'].css()}'"
        " data-fit data-overflow='pw-more-sources'><h2>Sources</h2>"
        + f"<div class='pw-items'>{sources or '<div>None behind this view.</div>'}</div>"
        + "</section>"
        + f"<footer class='box' id='pw-footer-box' style='{boxes['footer'].css()}'>"
        f"{esc(_brief_foot(b))}</footer>" + "</div>" + continued
    )
    return _document(b.title, css, body, b, chart_size=10.5)
