"""The export documents: a slide (16:9 or 4:3) to be photographed into a PNG, an A4 brief
to be printed into a PDF (one page; the sources it cannot hold follow on the next), both
built from a :class:`Briefing`, and a chart alone laid out as a slide.

Pure builders (no streamlit): :func:`build_briefing` gathers what an export holds for the
current view (title, filter summary, map, chart, key figures in sentences, every source
behind the view, numbered, with its grade, the data set version, the time of export, the
link that reopens the view if the app has a public address, the handling banner);
:func:`slide_html` and :func:`brief_html` lay it out as HTML, the map, its legend, the
chart, the key figures and the sources each in a box of its own. :func:`slide_figure` lays
a single chart out as a slide of its own and :func:`chart_html` makes it a document.
``components.export_files`` turns the documents into files in headless Chromium.

Every text from the data or from the analyst goes through ``components.html.esc``. The
map is the page's own ``folium.Map`` (any page can pass its map), written into its own
document by :func:`export_map_html` with animations off, tiles hidden (the shipped vector
basemap is drawn the same every time), zoom, layer and tool buttons hidden, a scale bar and
a north arrow, framed on the filtered data; the slide or brief takes its legend out of the
map into the legend's box. The chart is any plotly figure, drawn with the plotly.js bundled
in the ``plotly`` package. Nothing in the documents comes from the internet: the renderer
serves ``/map.html``, ``/chart.html``, ``/plotly.js`` and ``/app/static/…`` itself.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import folium
import pandas as pd
import plotly.graph_objects as go

from components.html import clip, esc, link
from data.briefing import (
    Banner,
    dataset_version,
    figure_sentence,
    key_figures,
    source_notes,
)
from data.filters import EventFilter, filter_events
from data.model import DataSet

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
    a line about what the map cannot show, the reported period counts the chart draws (their
    sources join the footnote) and the area to frame (south-west, north-east; by default the
    selection's, :func:`selection_bounds`)."""

    map: folium.Map | None
    figure: go.Figure | None
    map_note: str = ""
    period_count_ids: tuple[str, ...] = ()
    focus: tuple[tuple[float, float], tuple[float, float]] | None = None


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

    @property
    def exported_text(self) -> str:
        when = self.exported_at.astimezone(UTC)
        return when.strftime("%-d %b %Y, %H:%M UTC")


def selection_bounds(
    ds: DataSet, events: pd.DataFrame, *, min_span_deg: float = 0.35
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The area the selection covers: its placed events and the routes they ran on, at
    least ``min_span_deg`` on a side so a single place keeps its surroundings. None when
    nothing is placed."""
    lats = events.loc[events["placed"], "lat"].astype(float).tolist()
    lons = events.loc[events["placed"], "lon"].astype(float).tolist()
    used = ds.routes[ds.routes["route_id"].isin(set(events["route_id"]) - {""})]
    for coords in used["coords"]:
        lats.extend(c[0] for c in coords)
        lons.extend(c[1] for c in coords)
    if not lats:
        return None
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    grow_lat = max(0.0, min_span_deg - (north - south)) / 2
    grow_lon = max(0.0, min_span_deg * 1.4 - (east - west)) / 2
    return (
        (round(south - grow_lat, 5), round(west - grow_lon, 5)),
        (round(north + grow_lat, 5), round(east + grow_lon, 5)),
    )


def standard_view(
    ds: DataSet,
    f: EventFilter,
    today: date,
    *,
    by: str = "actor",
    events: pd.DataFrame | None = None,
) -> ExportView:
    """The overview's map and monthly chart of the view, made for an export: legend open,
    no online tiles, framed on the selection. Pages with a map or chart of their own pass
    those instead."""
    from components.colours import actor_colours
    from components.patrol_map import build_overview_map, map_summary
    from components.timeline import timeline_figure
    from data.views import overview_view

    view = overview_view(ds, f, today, by=by, events=events)
    events = view.events
    m = build_overview_map(ds, events, view.map, tiles=None, legend_open=True)
    summary = map_summary(view.map)
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
    note = (
        f"{summary.placed:,} of {_count(summary.events, 'event')} drawn at "
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
        focus=selection_bounds(ds, events),
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
) -> Briefing:
    """Gather what the export of this view holds. ``today`` is the date the key figures
    count days to; ``exported_at`` is printed (pass a fixed time for identical exports);
    ``link`` reopens the view (``data.briefing.public_link``; None prints no link)."""
    events = filter_events(ds, f) if events is None else events
    figures = key_figures(ds, events, f, today)
    notes = source_notes(ds, events, figures, period_count_ids=view.period_count_ids)
    listed = notes  # every source behind the view, graded: the brief lists them all
    numbers = dict(zip(listed["source_id"], listed["number"], strict=True))
    return Briefing(
        title=" ".join(title.split()) or "PatrolWatch export",
        filter_summary=f.describe(ds, today),
        dataset_label=ds.label,
        dataset_version=dataset_version(ds),
        exported_at=exported_at,
        link=link,
        # a page that names no area to frame gets the selection's: the map is always framed
        # on the filtered data, whichever page it comes from
        map_html=None
        if view.map is None
        else export_map_html(view.map, focus=view.focus or selection_bounds(ds, events)),
        figure_json=None if view.figure is None else export_figure_json(view.figure),
        map_note=view.map_note,
        figures=tuple(figure_sentence(fig, numbers) for fig in figures),
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
    )


# --------------------------------------------------------------------------- the map

NORTH_ARROW_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='34' height='46' viewBox='0 0 34 46' "
    "role='img' aria-label='North'>"
    "<rect x='0.5' y='0.5' width='33' height='45' rx='4' fill='rgba(255,255,255,0.92)' "
    "stroke='#777'/>"
    "<text x='17' y='15' text-anchor='middle' font-family='DejaVu Sans, Arial, sans-serif' "
    "font-size='12' font-weight='bold' fill='#222'>N</text>"
    "<polygon points='17,18 25,40 17,34 9,40' fill='#222'/>"
    "<polygon points='17,18 17,34 9,40' fill='#fff' stroke='#222' stroke-width='1'/>"
    "</svg>"
)

_MAP_CSS = f"""
<style id="pw-export">
  *, *::before, *::after {{ transition: none !important; animation: none !important; }}
  .leaflet-tile-pane, .leaflet-control-zoom, .leaflet-control-layers,
  .leaflet-bar, .leaflet-top .leaflet-control {{ display: none !important; }}
  .pw-legend {{ max-height: none !important; font-size: 10.5px !important;
    line-height: 1.25 !important; padding: 5px 7px !important; }}
  .pw-legend summary {{ list-style: none; cursor: default; }}
  .pw-legend summary::-webkit-details-marker {{ display: none; }}
  .pw-town-name {{ text-shadow: none !important; -webkit-text-stroke: 3px #fff;
    paint-order: stroke fill; }}
  .leaflet-control-scale-line {{ font: 11px {FONT}; background: rgba(255,255,255,0.85); }}
  .pw-north {{ position: absolute; top: 10px; left: 10px; z-index: 1100; line-height: 0; }}
</style>
<script>
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
  function frames(n, then) {
    if (n <= 0) { then(); return; }
    requestAnimationFrame(function () { frames(n - 1, then); });
  }
  // legends and other boxes in the lower right corner (not the attribution)
  function cornerBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll(
      '.leaflet-bottom.leaflet-right .leaflet-control:not(.leaflet-control-attribution)'));
  }
  function fit() {
    if (!map || !focus) { return; }
    // frame the selection in the part of the map a legend left on it leaves free
    var right = 0;
    cornerBoxes().forEach(function (box) {
      right = Math.max(right, box.getBoundingClientRect().width);
    });
    if (right > window.innerWidth * 0.5) { right = 0; }
    map.invalidateSize({animate: false});
    // room for the north arrow at the top left, for the scale bar at the foot and for
    // the name of a place at the selection's east edge (names are written right of it)
    map.fitBounds(focus, {paddingTopLeft: [56, 30],
                          paddingBottomRight: [right + 90, 40], animate: false});
  }
  // the slide or brief calls this once it has laid itself out (and taken the legend
  // into a box of its own): the map is framed again in the room it has then
  window.__pwRefit = function () {
    return new Promise(function (resolve) {
      fit();
      frames(2, resolve);
    });
  };
  function ready() {
    document.querySelectorAll('.leaflet-control details').forEach(function (d) {
      d.open = true;
    });
    if (map && !document.querySelector('.leaflet-control-scale')) {
      L.control.scale({imperial: false}).addTo(map);
    }
    var arrow = document.createElement('div');
    arrow.className = 'pw-north';
    arrow.innerHTML = %(arrow)s;
    document.body.appendChild(arrow);
    // a legend taller than the map is scaled down to fit it
    var room = window.innerHeight - 44;
    cornerBoxes().forEach(function (box) {
      var h = box.getBoundingClientRect().height;
      if (h > room && h > 0) { box.style.zoom = String(Math.floor(room / h * 100) / 100); }
    });
    frames(2, function () {
      fit();
      frames(2, function () { window.__pwMapReady = true; });
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
    ``localise_assets``), with animations off, online tiles hidden, zoom/layer/tool buttons
    hidden, every legend opened, a scale bar (added if the map has none), a north arrow,
    framed on ``focus`` if given. Sets ``window.__pwMapReady`` once drawn. ``m`` is not
    changed."""
    html = m.get_root().render()
    head = html.find("</head>")
    html = html[:head] + _MAP_CSS + html[head:] if head >= 0 else _MAP_CSS + html
    ready = _MAP_READY % {
        "name": _script_json(m.get_name()),
        "focus": _script_json([list(focus[0]), list(focus[1])] if focus else None),
        "arrow": _script_json(NORTH_ARROW_SVG),
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
  .banner {{ color: #fff; text-align: center; font-weight: bold; letter-spacing: 0.14em;
    text-transform: uppercase; }}
  figure.map {{ position: relative; border: 1px solid #9a9a9a; background: #e4e4df;
    overflow: hidden; }}
  figure.map iframe {{ display: block; width: 100%; height: 100%; border: 0; }}
  figure.chart {{ position: relative; overflow: hidden; }}
  figure.chart > div {{ position: absolute; inset: 0; }}
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
  // counted in its .pw-more line ("+3 more … in the PDF brief").
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
  // the map's legend is taken out of the map into a box of its own, beside it
  function takeLegend() {
    var box = document.getElementById('pw-legend-box');
    var doc = null;
    try { doc = frame && frame.contentDocument; } catch (e) { doc = null; }
    if (!box || !doc) { return; }
    var legends = doc.querySelectorAll('.pw-legend');
    if (!legends.length) { box.classList.add('empty'); return; }
    var rules = [];
    Array.prototype.forEach.call(doc.styleSheets, function (sheet) {
      var list = null;
      try { list = sheet.cssRules; } catch (e) { list = null; }
      Array.prototype.forEach.call(list || [], function (rule) {
        if (rule.cssText.indexOf('pw-legend') >= 0) { rules.push(rule.cssText); }
      });
    });
    var style = document.createElement('style');
    style.textContent = rules.join(' ') + ' #pw-legend-box .pw-legend { position: static; ' +
      'max-width: none; max-height: none; overflow: visible; box-shadow: none; ' +
      'background: none; padding: 0; margin: 0; zoom: 1; }';
    document.head.appendChild(style);
    var inner = document.createElement('div');
    inner.className = 'pw-legend-inner';
    legends.forEach(function (el) {
      var copy = document.importNode(el, true);
      copy.classList.remove('leaflet-control');
      copy.style.zoom = '';  // the map may have shrunk it to fit over the map
      inner.appendChild(copy);
      el.style.display = 'none';
    });
    box.appendChild(inner);
    var room = box.clientHeight;
    if (inner.scrollHeight > room) {
      // a long legend gets a second column (the map gives up the room and is framed
      // again), and is made smaller only as a last resort, never below 80 %%
      var wide = 2 * box.getBoundingClientRect().width + 4;
      box.style.width = wide + 'px';
      box.style.flex = '0 0 ' + wide + 'px';
      inner.style.columnCount = '2';
      inner.style.columnGap = '12px';
    }
    var tall = inner.scrollHeight;
    if (tall > room && tall > 0) {
      inner.style.zoom = String(Math.max(0.8, Math.floor(room / tall * 100) / 100));
    }
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
  document.fonts.ready.then(function () {
    fitLists();
    var plotted = Promise.resolve();
    if (chart && figure) {
      var layout = figure.layout || {};
      layout.width = chart.clientWidth;
      layout.height = chart.clientHeight;
      plotted = Plotly.newPlot(chart, figure.data, layout,
                               {staticPlot: true, displayModeBar: false});
    }
    return Promise.all([plotted, mapReady()]);
  }).then(function () {
    takeLegend();
    return refit();
  }).then(function () { return frames(2); }).then(function () {
    window.__pwReady = true;
  }, function (err) { window.__pwError = String(err); });
})();
</script>
"""


def _banner(b: Briefing, css_class: str) -> str:
    if b.banner is None:
        return ""
    return (
        f"<div class='banner {css_class}' style='background:{esc(b.banner.colour)}'>"
        f"{esc(b.banner.text)}</div>"
    )


def _source_text(s: SourceLine, *, with_title: bool, linked: bool) -> str:
    publisher = link(s.url, s.publisher) if linked else esc(s.publisher)
    published = f", {esc(s.published)}" if s.published else ""
    title = f" — <i>{esc(clip(s.title, 90))}</i>" if with_title and s.title else ""
    return (
        f"<span class='src-n'>{s.number}</span>&#8201;{publisher}{published}{title} "
        f"<span class='grade'>{esc(s.grade)}</span>"
    )


def _figure_blocks(b: Briefing) -> tuple[str, str, str]:
    """The map, its legend's box (the renderer moves the map's legend into it) and the
    chart, each a box of its own; '' for what the briefing has not."""
    map_block = (
        f"<figure class='map' id='pw-map-box'><iframe id='pw-map' src='{MAP_SRC}' "
        "title='Map' scrolling='no'></iframe></figure>"
        if b.map_html is not None
        else ""
    )
    legend_block = "<aside class='legend' id='pw-legend-box'></aside>" if map_block else ""
    chart_block = (
        "<figure class='chart' id='pw-chart-box'><div id='pw-chart'></div></figure>"
        if b.figure_json is not None
        else ""
    )
    return map_block, legend_block, chart_block


def _compact_figure(figure_json: str, *, size: float = 10.5) -> str:
    """The export figure with the legend to the right of the plot, so the legend does not
    take the plot's height: for the brief's wide, low box (``size`` 10.5) and the slide's
    chart box (a larger ``size``). Type scales with ``size``."""
    fig = json.loads(figure_json)
    layout = fig.setdefault("layout", {})
    small = size - 2
    layout["font"] = {**layout.get("font", {}), "size": size}
    layout["title"] = {**layout.get("title", {}), "font": {"size": size + 2.5}}
    layout["margin"] = {"l": 50, "r": 8, "t": 30, "b": 4}
    layout["legend"] = {
        **layout.get("legend", {}),
        "orientation": "v",
        "x": 1.02,
        "xanchor": "left",
        "y": 1,
        "yanchor": "top",
        "font": {"size": small},
        "grouptitlefont": {"size": small + 0.5},
        "tracegroupgap": 2,
        "itemsizing": "constant",
    }
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


def _document(title: str, css: str, body: str, b: Briefing, *, chart_size: float) -> str:
    figure = b.figure_json
    if figure is not None:
        figure = _compact_figure(figure, size=chart_size)
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


def slide_html(b: Briefing, aspect: str = "16:9") -> str:
    """The slide: banner, title, filter summary; the map, its legend, the chart and the key
    figures each in a box of its own; the numbered sources with grades; the data set
    version, export time and (when there is one) the link. ``aspect`` is '16:9' or '4:3'
    (1280×720 or 1280×960 CSS pixels). Key figures and sources that do not fit their box
    are counted there and left to the PDF brief."""
    if aspect not in ASPECTS:
        raise ValueError(f"aspect must be one of {', '.join(ASPECTS)}")
    width, height = ASPECTS[aspect]
    map_block, legend_block, chart_block = _figure_blocks(b)
    side = bool(chart_block or b.figures)
    columns = " ".join(
        part
        for part, shown in (("1fr", map_block), ("auto", legend_block), ("540px", side))
        if shown
    )
    sources_height = 86 if aspect == "16:9" else 132
    css = f"""
  html, body {{ width: {width}px; height: {height}px; overflow: hidden; }}
  .slide {{ width: {width}px; height: {height}px; display: flex; flex-direction: column; }}
  .banner {{ flex: none; height: 22px; line-height: 22px; font-size: 12.5px; }}
  header {{ flex: none; padding: 12px 0 8px; border-bottom: 3px solid #0b3d6e;
    margin: 0 30px; }}
  h1 {{ font-size: 26px; line-height: 1.18; color: #0b2545; }}
  .filters {{ font-size: 14px; color: #3d3d3d; margin-top: 4px; }}
  main {{ flex: 1 1 auto; min-height: 0; display: grid;
    grid-template-columns: {columns or "1fr"}; gap: 16px; padding: 12px 30px 8px; }}
  .map-col {{ display: flex; flex-direction: column; min-height: 0; min-width: 0; }}
  .map-col figure.map {{ flex: 1 1 auto; min-height: 0; }}
  .map-note {{ flex: none; font-size: 11px; color: #555; margin-top: 3px; }}
  aside.legend {{ width: 172px; min-height: 0; overflow: hidden; font-size: 11.5px;
    border-left: 1px solid #d5d5d5; padding-left: 10px; }}
  .side {{ display: flex; flex-direction: column; gap: 10px; min-height: 0; min-width: 0; }}
  .side figure.chart {{ flex: 1 1 0; min-height: 0; }}
  .figures {{ flex: 0 0 {"43%" if chart_block else "100%"}; min-height: 0; overflow: hidden;
    border-top: 1px solid #d5d5d5; padding-top: 6px; }}
  h2 {{ font-size: 12px; text-transform: uppercase; letter-spacing: 0.08em; color: #0b3d6e;
    margin: 0 0 4px; }}
  .figures ul {{ margin: 0; padding-left: 16px; font-size: 12.5px; line-height: 1.34; }}
  .figures li {{ margin-bottom: 3px; }}
  .figures li.pw-more {{ list-style: none; margin-left: -16px; font-size: 12px; }}
  footer {{ flex: none; padding: 0 30px 8px; }}
  .sources {{ max-height: {sources_height}px; overflow: hidden; font-size: 12px;
    line-height: 1.4;
    color: #222; border-top: 1px solid #ccc; padding-top: 5px; }}
  .sources ul {{ display: inline; margin: 0; padding: 0; }}
  .sources li {{ display: inline; }}
  .sources li + li::before {{ content: " · "; color: #777; }}
  .meta {{ display: flex; gap: 18px; justify-content: space-between; color: #444;
    font-size: 11px; border-top: 1px solid #ccc; margin-top: 4px; padding-top: 4px; }}
  .meta .link {{ word-break: break-all; text-align: right; max-width: 62%; }}
"""
    if map_block:
        note = f"<p class='map-note'>{esc(b.map_note)}</p>" if b.map_note else ""
        map_block = f"<div class='map-col'>{map_block}{note}</div>"
    figures = ""
    if b.figures:
        figures = (
            "<section class='figures' id='pw-figures-box' data-fit><h2>Key figures</h2>"
            "<ul class='pw-items'>"
            + "".join(f"<li>{esc(t)}</li>" for t in b.figures)
            + _more_line(
                "+1 more key figure, in the PDF brief", "+{n} more key figures, in the PDF brief"
            )
            + "</ul></section>"
        )
    side_block = f"<div class='side'>{chart_block}{figures}</div>" if side else ""
    listed = b.sources
    missing = max(b.sources_total, len(listed)) - len(listed)
    items = "".join(f"<li>{_source_text(s, with_title=False, linked=False)}</li>" for s in listed)
    if missing:
        items += f"<li class='muted'>and {missing:,} more (in the PDF brief and the app)</li>"
    sources = (
        "<section class='sources' id='pw-sources-box' data-fit><b>Sources</b> "
        "<span class='muted'>(grade: reliability A–F, credibility 1–6)</span>: "
        f"<ul class='pw-items'>{items}"
        + _more_line(
            "+1 more source, listed in the PDF brief", "+{n} more sources, listed in the PDF brief"
        )
        + "</ul></section>"
        if listed
        else "<section class='sources' id='pw-sources-box'><b>Sources</b>: none behind this "
        "view.</section>"
    )
    reopen = f"<span class='link'>Reopen this view: {esc(b.link)}</span>" if b.link else ""
    body = (
        "<div class='slide'>"
        + _banner(b, "top")
        + f"<header><h1>{esc(b.title)}</h1><p class='filters'>{esc(b.filter_summary)}</p>"
        "</header>"
        + f"<main>{map_block}{legend_block}{side_block}</main>"
        + "<footer>"
        + sources
        + "<div class='meta'>"
        + f"<span>Data: {esc(b.dataset_label)} · exported {esc(b.exported_text)} · "
        "PatrolWatch</span>" + reopen + "</div></footer>" + _banner(b, "bottom") + "</div>"
    )
    return _document(b.title, css, body, b, chart_size=11.5)


def brief_html(b: Briefing) -> str:
    """The A4 brief: banner, title, filter summary, data set version, export time and (when
    there is one) the link; the key figures in sentences with citation marks; the map, its
    legend and the chart; the numbered sources with grades. It is one page; sources that do
    not fit on it are listed, all of them, on a page after it."""
    width, height = PAGE_SIZE
    with_titles = len(b.sources) <= BRIEF_TITLES_UPTO
    listed = b.sources
    more = max(b.sources_total, len(listed)) - len(listed)
    css = f"""
  @page {{ size: A4; margin: 0; }}
  html, body {{ width: {width}px; }}
  .page {{ width: {width}px; height: {height}px; display: flex; flex-direction: column;
    padding: 0; overflow: hidden; }}
  .page.more {{ height: auto; min-height: {height}px; overflow: visible;
    break-before: page; }}
  .banner {{ flex: none; height: 20px; line-height: 20px; font-size: 11px; }}
  .inner {{ flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column;
    padding: 22px 40px 14px; }}
  h1 {{ font-size: 21px; line-height: 1.2; color: #0b2545; }}
  .filters {{ font-size: 11.5px; color: #3d3d3d; margin-top: 4px; }}
  .meta {{ font-size: 9.5px; color: #555; margin-top: 3px; word-break: break-all; }}
  hr {{ border: 0; border-top: 2px solid #0b3d6e; margin: 9px 0 8px; }}
  h2 {{ font-size: 11px; text-transform: uppercase; letter-spacing: 0.08em; color: #0b3d6e;
    margin: 0 0 4px; }}
  ul.figures {{ padding-left: 16px; font-size: 11.5px; line-height: 1.42; }}
  ul.figures li {{ margin-bottom: 2px; }}
  .pictures {{ flex: 1 1 auto; min-height: 300px; display: flex; flex-direction: column;
    gap: 8px; margin-top: 10px; }}
  .map-row {{ flex: 55 1 0; min-height: 0; display: flex; gap: 10px; }}
  .map-col {{ flex: 1 1 auto; min-width: 0; display: flex; flex-direction: column; }}
  .map-col figure.map {{ flex: 1 1 auto; min-height: 0; }}
  aside.legend {{ flex: 0 0 160px; min-height: 0; overflow: hidden; font-size: 10px;
    border-left: 1px solid #d5d5d5; padding-left: 8px; }}
  .pictures figure.chart {{ flex: 45 1 0; min-height: 0; }}
  .map-note {{ flex: none; font-size: 9px; color: #555; margin-top: 2px; }}
  .sources {{ flex: 0 1 auto; max-height: 190px; min-height: 0; overflow: hidden;
    margin-top: 8px; font-size: {9.5 if with_titles else 9}px; line-height: 1.35; }}
  .pw-items {{ column-count: {2 if with_titles else 3}; column-gap: 16px; }}
  .more .pw-items {{ column-count: 3; font-size: 9px; line-height: 1.35; }}
  .pw-items div {{ break-inside: avoid; }}
  .foot {{ flex: none; font-size: 8.5px; color: #555; margin-top: 6px; line-height: 1.35; }}
"""
    map_block, legend_block, chart_block = _figure_blocks(b)
    pictures = ""
    if map_block:
        note = f"<p class='map-note'>{esc(b.map_note)}</p>" if b.map_note else ""
        pictures += (
            f"<div class='map-row'><div class='map-col'>{map_block}{note}</div>{legend_block}</div>"
        )
    pictures += chart_block
    figures = "".join(f"<li>{esc(s)}</li>" for s in b.figures)
    sources = "".join(
        f"<div>{_source_text(s, with_title=with_titles, linked=True)}</div>" for s in listed
    )
    if more:
        sources += (
            f"<div class='muted'>… and {more:,} more sources behind the events shown: "
            "open the link above to list them.</div>"
        )
    reopen = f" · reopen this view: {link(b.link, b.link)}" if b.link else ""
    continued = (
        "<div class='page more' id='pw-more-page' data-drop-if-empty>"
        + _banner(b, "top")
        + "<div class='inner'>"
        + f"<h2>Sources (continued) · {esc(b.title)}</h2>"
        + "<div class='pw-items' id='pw-more-sources'></div>"
        + "</div>"
        + _banner(b, "bottom")
        + "</div>"
    )
    body = (
        "<div class='page'>"
        + _banner(b, "top")
        + "<div class='inner'>"
        + f"<h1>{esc(b.title)}</h1>"
        + f"<p class='filters'>{esc(b.filter_summary)}</p>"
        + f"<p class='meta'>Data: {esc(b.dataset_label)} · exported {esc(b.exported_text)}"
        f"{reopen}</p>"
        + "<hr>"
        + "<h2>Key figures</h2>"
        + f"<ul class='figures' id='pw-figures-box'>{figures}</ul>"
        + (f"<div class='pictures'>{pictures}</div>" if pictures else "")
        + "<div class='sources' id='pw-sources-box' data-fit data-overflow='pw-more-sources'>"
        "<h2>Sources</h2>"
        + f"<div class='pw-items'>{sources or '<div>None behind this view.</div>'}</div>"
        + "</div>"
        + f"<p class='foot'>{esc(b.grades_note)} Numbers in brackets name the sources a "
        "figure rests on; counts the data set holds are of events recorded one by one, "
        "each with its sources, and are never added to the counts sources report.</p>"
        + "</div>"
        + _banner(b, "bottom")
        + "</div>"
        + continued
    )
    return _document(b.title, css, body, b, chart_size=10.5)
