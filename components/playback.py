"""Playback on the map: the filtered events, the routes run and the sites active, animated
window by window in the browser (no rerun per frame).

``build_playback(ds, events, …)`` is pure: it turns the events into the JSON the browser
plays — each event's date *span* as day numbers (an event known only to its month spans
the whole month, and is drawn faded for all of it, never pinned to its first day), the
runs of each route, the sites' active spans, and the frames of each window length (day,
week, month) with their date stamps. ``visible(data, unit, k, mode)`` says what one frame
shows; the browser's script applies the same rule.

``PlaybackLayer`` carries that JSON to the browser as data (``|tojson`` in a raw script:
branca renders each element's script again as a Jinja template, so no text of the data
is ever template source) and adds a Leaflet control: play/pause, step back and on, speed,
window, cumulative or sliding. Tooltips are built from text escaped with
``components.html.esc``. ``build_playback_map`` puts it on the offline basemap with the
agreements' zones; ``render_playback`` shows it (the only function here that calls st).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from components.colours import KIND_COLOURS, NEUTRAL
from components.html import esc
from data import vocab
from data.filters import EventFilter
from data.mapview import COUNTED_STATUSES, MOVEMENT_KINDS, active_sites
from data.model import DataSet

UNITS: dict[str, str] = {"day": "Day", "week": "Week", "month": "Month"}
MODES: dict[str, str] = {"sliding": "Sliding window", "cumulative": "Cumulative"}
SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
#: a frame lasts this long at speed 1
FRAME_MS = 800
#: precisions drawn faded: the event happened somewhere in its span, not on its first day
FADED_PRECISIONS = ("week", "month", "quarter", "year")


def _day(ts: object, t0: pd.Timestamp) -> int:
    return int((pd.Timestamp(ts).normalize() - t0).days)  # type: ignore[arg-type]


def _frames(t0: pd.Timestamp, t1: pd.Timestamp) -> dict[str, list[list]]:
    """Per window length, the frames [first day, last day, date stamp] covering t0–t1
    (weeks start on Monday; months are calendar months)."""
    out: dict[str, list[list]] = {}
    days = pd.date_range(t0, t1, freq="D")
    out["day"] = [[_day(d, t0), _day(d, t0), d.strftime("%-d %b %Y")] for d in days]
    weeks = pd.date_range(t0 - pd.Timedelta(days=t0.weekday()), t1, freq="7D")
    out["week"] = [
        [_day(w, t0), _day(w, t0) + 6, "Week of " + w.strftime("%-d %b %Y")] for w in weeks
    ]
    months = pd.date_range(t0.replace(day=1), t1, freq="MS")
    out["month"] = [
        [_day(m, t0), _day(m + pd.offsets.MonthEnd(0), t0), m.strftime("%b %Y")] for m in months
    ]
    return out


def days_from(ts: pd.Series, t0: pd.Timestamp) -> pd.Series:
    """Whole days from ``t0`` to each date (vectorised)."""
    return (ts.dt.normalize() - t0).dt.days.astype("int64")


def _esc_column(values: pd.Series) -> pd.Series:
    """``esc`` of each value, computed once per distinct value."""
    text = values.fillna("").astype("str")
    return text.map({v: esc(v) for v in text.unique()})


#: past this many markers' rows the events are grouped per place and week, month…
MAX_ROWS = 20_000
GROUPINGS: dict[str, str] = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def _labels(placed: pd.DataFrame) -> pd.Series:
    """'3 Feb 2020', 'Mar 2020'… for each event, formatted once per distinct date."""
    from data.dates import format_at_precision

    cols = ["start", "date_precision"]
    pairs = placed[cols].drop_duplicates()
    text = format_at_precision(pairs["start"], pairs["date_precision"])
    by_pair = pd.Series(text.to_numpy(), index=pd.MultiIndex.from_frame(pairs))
    return pd.Series(
        by_pair.reindex(pd.MultiIndex.from_frame(placed[cols])).to_numpy(), index=placed.index
    )


def event_rows(
    placed: pd.DataFrame, t0: pd.Timestamp, kind_index: dict[str, int], max_rows: int = MAX_ROWS
) -> tuple[list[list], str]:
    """The events as rows ``[lat, lon, first day, last day, faded, kind, tooltip, key, n]``:
    events at the same place with the same span, kind and precision share a row (``n`` of
    them). If that leaves more than ``max_rows`` rows, day-precision events are grouped per
    place and week (then month, quarter, year) and drawn over that period: the second
    value names it ('' when not grouped)."""
    if placed.empty:
        return [], ""
    name = _esc_column(placed["location_name"])
    kind_words = placed["kind"].map(lambda k: vocab.EVENT_KINDS.get(k, k))
    what = _esc_column(kind_words + " · " + _labels(placed))
    who = _esc_column(placed["actor_label"])
    base = pd.DataFrame(
        {
            "lat": placed["lat"].astype(float).round(5),
            "lon": placed["lon"].astype(float).round(5),
            "s": days_from(placed["start"], t0),
            "e": days_from(placed["end"], t0),
            "faded": placed["date_precision"].isin(FADED_PRECISIONS).astype("int64"),
            "kind": placed["kind"].map(kind_index).astype("int64"),
            "tip": name.where(name == "", name + "<br>")
            + what
            + who.where(who == "", "<br>" + who),
            "key": placed["event_id"].astype("str"),
        }
    )
    grouping = ""
    keys = ["lat", "lon", "s", "e", "faded", "kind"]
    g = base.groupby(keys, sort=False).agg(
        tip=("tip", "first"), key=("key", "first"), n=("key", "size")
    )
    if len(g) > max_rows:
        start = placed["start"].dt.normalize()
        day = base["faded"] == 0
        for period_name, freq in GROUPINGS.items():
            grouping = period_name
            period = start.dt.to_period(freq)
            first = days_from(period.dt.start_time, t0)
            last = days_from(period.dt.end_time.dt.normalize(), t0)
            frame = base.assign(
                s=base["s"].where(~day, first), e=base["e"].where(~day, base["e"].clip(lower=last))
            )
            # grouped: one row per place and period (the first event's kind and text)
            g = frame.groupby(keys[:5], sort=False).agg(
                kind=("kind", "first"),
                tip=("tip", "first"),
                key=("key", "first"),
                n=("key", "size"),
            )
            if len(g) <= max_rows:
                break
    g = g.reset_index()
    many = g["n"] > 1
    g.loc[many, "tip"] = g.loc[many, "tip"] + "<br>" + g.loc[many, "n"].astype("str") + " events"
    g.loc[many, "key"] = g.loc[many, "key"] + " +" + (g.loc[many, "n"] - 1).astype("str")
    cols = ["lat", "lon", "s", "e", "faded", "kind", "tip", "key", "n"]
    return g[cols].to_numpy().tolist(), grouping


def _tip(*lines: object) -> str:
    return "<br>".join(esc(line) for line in lines if line not in (None, ""))


def build_playback(
    ds: DataSet,
    events: pd.DataFrame,
    *,
    start: object = None,
    end: object = None,
    theatres: tuple[str, ...] = (),
    zones: dict | None = None,
    unit: str = "month",
    mode: str = "sliding",
    title: str = "",
    sources: str = "",
) -> dict:
    """The JSON the browser plays (see the module doc). ``start``/``end`` bound the play
    (default: the events' first and last day); ``zones`` is a GeoJSON FeatureCollection
    drawn under the frames. Events without a position are counted in ``unplaced``."""

    spans = events[events["start"].notna()]
    t0 = pd.Timestamp(start) if start is not None else spans["start"].min()
    t1 = pd.Timestamp(end) if end is not None else spans["end"].max()
    if pd.isna(t0) or pd.isna(t1):
        t0 = t1 = pd.Timestamp("2020-01-01")
    t0, t1 = pd.Timestamp(t0).normalize(), pd.Timestamp(t1).normalize()
    if t1 < t0:
        t1 = t0

    kinds = sorted(set(spans["kind"]))
    kind_index = {k: i for i, k in enumerate(kinds)}
    placed = spans[spans["placed"].fillna(False).astype(bool)]
    rows, grouped = event_rows(placed, t0, kind_index)

    runs = spans[
        spans["kind"].isin(MOVEMENT_KINDS)
        & spans["status"].isin(COUNTED_STATUSES)
        & (spans["route_id"].fillna("") != "")
    ]
    run_days = pd.DataFrame(
        {
            "route_id": runs["route_id"],
            "s": days_from(runs["start"], t0),
            "e": days_from(runs["end"], t0),
        }
    )
    run_lists = {
        str(rid): g[["s", "e"]].to_numpy().tolist() for rid, g in run_days.groupby("route_id")
    }
    routes = []
    for r in ds.routes.itertuples(index=False):
        coords = [[round(float(a), 5), round(float(b), 5)] for a, b in (r.coords or ())]
        mine = run_lists.get(str(r.route_id))
        if len(coords) < 2 or not mine:
            continue
        routes.append(
            {
                "id": str(r.route_id),
                "coords": coords,
                "runs": mine,
                "tip": _tip(r.name, f"{len(mine):,} run(s) in the selection"),
            }
        )

    far_past, far_future = -(10**6), 10**6
    sites = []
    for s in active_sites(ds, t0, t1, theatres).itertuples(index=False):
        if not s.placed:
            continue
        sites.append(
            [
                round(float(s.lat), 5),
                round(float(s.lon), 5),
                far_past if pd.isna(s.active_from_date) else _day(s.active_from_date, t0),
                far_future if pd.isna(s.active_to_date) else _day(s.active_to_date, t0),
                _tip(s.name, vocab.PLACE_KINDS.get(s.kind, s.kind)),
            ]
        )

    shapes = []
    for f in (zones or {}).get("features", []):
        kind = str(f.get("properties", {}).get("kind", ""))
        shapes.append({"type": "Feature", "geometry": f["geometry"], "properties": {"kind": kind}})

    frames = _frames(t0, t1)
    counts = {unit_: frame_counts(rows, fs) for unit_, fs in frames.items() if unit_ != "day"}
    return {
        "first": t0.strftime("%Y-%m-%d"),
        "last": t1.strftime("%Y-%m-%d"),
        "firstLabel": t0.strftime("%-d %b %Y"),
        "unit": unit if unit in UNITS else "month",
        "mode": mode if mode in MODES else "sliding",
        "frameMs": FRAME_MS,
        "speeds": list(SPEEDS),
        "units": [[k, v] for k, v in UNITS.items()],
        "modes": [[k, v] for k, v in MODES.items()],
        "frames": frames,
        "counts": counts,
        "kinds": [[k, vocab.EVENT_KINDS.get(k, k), KIND_COLOURS.get(k, NEUTRAL)] for k in kinds],
        "events": rows,
        "routes": routes,
        "sites": sites,
        "zones": {"type": "FeatureCollection", "features": shapes},
        "unplaced": int(len(spans) - len(placed)),
        "grouped": grouped,
        "title": str(title),
        "sources": str(sources),
    }


def frame_counts(rows: list[list], frames: list[list]) -> list[int]:
    """How many of the event ``rows`` each frame shows (sliding: spans overlapping it), for
    the strip of bars under the date stamp."""
    import numpy as np

    if not frames:
        return []
    starts = np.array([r[2] for r in rows], dtype=np.int64)
    ends = np.array([r[3] for r in rows], dtype=np.int64)
    n = np.array([r[8] for r in rows], dtype=np.int64)
    out = []
    for a, b, _ in frames:
        out.append(int(n[(ends >= a) & (starts <= b)].sum()) if len(rows) else 0)
    return out


def visible(data: dict, unit: str, k: int, mode: str = "sliding") -> dict[str, object]:
    """What frame ``k`` of window ``unit`` shows: the ids of the events (``faded`` the ones
    known only to a coarser span), the routes run and the number of sites active. Sliding:
    what overlaps the frame; cumulative: everything from the first day to the frame's end."""
    first, last, label = data["frames"][unit][k]
    a = 0 if mode == "cumulative" else first
    b = last
    shown = [e for e in data["events"] if e[3] >= a and e[2] <= b]
    return {
        "label": label,
        "count": sum(e[8] for e in shown),
        "events": [e[7] for e in shown],
        "faded": [e[7] for e in shown if e[4]],
        "routes": [
            r["id"] for r in data["routes"] if any(x[1] >= a and x[0] <= b for x in r["runs"])
        ],
        "sites": [i for i, s in enumerate(data["sites"]) if s[3] >= a and s[2] <= b],
    }


# --------------------------------------------------------------------------- the layer


class _RawScript(Element):
    """Already-rendered script text, added to the page as it is (never compiled again as a
    template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: object) -> str:
        return self._text


_SCRIPT = """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var D = {{ this.data|tojson }};
  var exportMode = {{ this.export|tojson }};
  var zones = L.geoJSON(D.zones, {interactive: false, style: function(f) {
    var k = f.properties.kind;
    if (k === 'strip') {
      return {color: '#b45f06', weight: 1, fillColor: '#f6b26b', fillOpacity: 0.18};
    }
    if (k === 'line') return {color: '#b45f06', weight: 1.5, dashArray: '6 4', fill: false};
    return {color: '#333', weight: 1.5, fill: false};
  }}).addTo(map);
  var layer = L.layerGroup().addTo(map);
  var st = {unit: D.unit, mode: D.mode, k: 0, speed: 1, timer: null};
  var ui = {};
  function el(tag, cls, text, parent) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    if (parent) parent.appendChild(n);
    return n;
  }
  function frames() { return D.frames[st.unit]; }
  function draw() {
    layer.clearLayers();
    var fs = frames();
    if (!fs.length) return;
    st.k = Math.max(0, Math.min(st.k, fs.length - 1));
    var f = fs[st.k], a = st.mode === 'cumulative' ? 0 : f[0], b = f[1];
    var runs = 0, sites = 0, n = 0, faded = 0;
    D.routes.forEach(function(r) {
      var c = 0;
      r.runs.forEach(function(x) { if (x[1] >= a && x[0] <= b) c++; });
      if (!c) return;
      runs += c;
      L.polyline(r.coords, {color: '#1f1f1f', weight: 2 + Math.min(c, 6), opacity: 0.65,
        className: 'pw-play-route'}).bindTooltip(r.tip).addTo(layer);
    });
    D.sites.forEach(function(s) {
      if (s[3] < a || s[2] > b) return;
      sites++;
      L.circleMarker([s[0], s[1]], {radius: 5, color: '#4c1130', weight: 2, fill: true,
        fillColor: '#ffffff', fillOpacity: 1, className: 'pw-play-site'})
        .bindTooltip(s[4]).addTo(layer);
    });
    // one marker per place: the events it holds in the window, solid if any is dated to
    // the day (or a span drawn as such), faded if all are known only to a coarser span
    var places = {}, order = [];
    D.events.forEach(function(e) {
      if (e[3] < a || e[2] > b) return;
      n += e[8];
      if (e[4] === 1) faded += e[8];
      var key = e[0] + ',' + e[1], p = places[key];
      if (!p) { p = places[key] = {e: e, n: 0, solid: 0, tips: []}; order.push(key); }
      p.n += e[8];
      if (e[4] !== 1) { p.solid += e[8]; if (p.e[4] === 1) p.e = e; }
      if (p.tips.length < 3) p.tips.push(e[6]);
    });
    order.forEach(function(key) {
      var p = places[key], e = p.e, soft = p.solid === 0, c = D.kinds[e[5]][2];
      var tip = p.tips.join('<hr>') + (p.n > p.tips.length ? '<br>\u2026 ' + p.n
        + ' events here in this window' : '');
      L.circleMarker([e[0], e[1]], {radius: 6 + Math.min(8, 2 * Math.log2(p.n)), color: c,
        weight: soft ? 1.5 : 1, opacity: soft ? 0.5 : 1, dashArray: soft ? '3 3' : null,
        fill: true, fillColor: c, fillOpacity: soft ? 0.18 : 0.85,
        className: 'pw-play-event' + (soft ? ' pw-play-faded' : '')})
        .bindTooltip(tip).addTo(layer);
    });
    ui.stamp.textContent = f[2] + (st.mode === 'cumulative' ? ' (since ' + D.firstLabel + ')' : '');
    ui.count.textContent = n + ' event(s)' + (faded ? ' (' + faded + ' faded: known only to a '
      + 'coarser span)' : '') + ' · ' + runs + ' route run(s) · ' + sites + ' site(s) active';
    ui.pos.textContent = (st.k + 1) + ' / ' + fs.length;
    bars();
    ui.root.setAttribute('data-frame', String(st.k));
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function bars() {
    var counts = D.counts[st.unit];
    var box = ui.bars;
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!counts || !counts.length) { box.style.display = 'none'; return; }
    box.style.display = '';
    var w = 400, h = 36, top = Math.max.apply(null, counts.concat([1]));
    var bw = w / counts.length;
    counts.forEach(function(c, i) {
      var r = document.createElementNS(SVG, 'rect');
      var bh = c ? Math.max(2, (h - 2) * c / top) : 0;
      r.setAttribute('x', String(i * bw));
      r.setAttribute('width', String(Math.max(bw - 1, 0.6)));
      r.setAttribute('y', String(h - bh));
      r.setAttribute('height', String(bh));
      var now = st.mode === 'cumulative' ? i <= st.k : i === st.k;
      r.setAttribute('class', 'pw-play-bar' + (i === st.k ? ' pw-play-bar-now' : ''));
      r.setAttribute('fill', i === st.k ? '#cc0000' : (now ? '#0b5394' : '#9fb8d0'));
      box.appendChild(r);
    });
    var mark = document.createElementNS(SVG, 'rect');
    mark.setAttribute('x', String(st.k * bw));
    mark.setAttribute('width', String(Math.max(bw, 1.5)));
    mark.setAttribute('y', '0');
    mark.setAttribute('height', String(h));
    mark.setAttribute('class', 'pw-play-window');
    mark.setAttribute('fill', 'rgba(204,0,0,0.12)');
    box.appendChild(mark);
  }
  function stop() {
    if (st.timer) { clearInterval(st.timer); st.timer = null; }
    if (ui.play) ui.play.textContent = '\\u25B6 Play';
  }
  function play() {
    stop();
    if (st.k >= frames().length - 1) st.k = -1;
    ui.play.textContent = 'Pause';
    st.timer = setInterval(function() {
      if (st.k >= frames().length - 1) { stop(); return; }
      st.k++; draw();
    }, D.frameMs / st.speed);
    st.k++; draw();
  }
  function select(parent, options, value, onchange) {
    var s = el('select', 'pw-play-select', null, parent);
    options.forEach(function(o) {
      var opt = el('option', null, o[1], s);
      opt.value = String(o[0]);
      if (String(o[0]) === String(value)) opt.selected = true;
    });
    s.addEventListener('change', function() { onchange(s.value); });
    return s;
  }
  if (exportMode) map.getContainer().classList.add('pw-play-export-map');
  var Control = L.Control.extend({options: {position: exportMode ? 'bottomright' : 'bottomleft'},
  onAdd: function() {
    var root = el('div', 'pw-play leaflet-bar');
    ui.root = root;
    if (D.title) el('div', 'pw-play-title', D.title, root);
    ui.stamp = el('div', 'pw-play-stamp', '', root);
    ui.count = el('div', 'pw-play-count', '', root);
    ui.bars = document.createElementNS(SVG, 'svg');
    ui.bars.setAttribute('viewBox', '0 0 400 36');
    ui.bars.setAttribute('preserveAspectRatio', 'none');
    ui.bars.setAttribute('class', 'pw-play-bars');
    root.appendChild(ui.bars);
    ui.bars.addEventListener('click', function(ev) {
      var n = frames().length, box = ui.bars.getBoundingClientRect();
      stop();
      st.k = Math.floor((ev.clientX - box.left) / box.width * n);
      draw();
    });
    var row = el('div', 'pw-play-buttons', null, root);
    var back = el('button', 'pw-play-back', '\\u25C0 Back', row);
    back.title = 'Step back';
    ui.play = el('button', 'pw-play-toggle', '\\u25B6 Play', row);
    var on = el('button', 'pw-play-step', 'On \\u25B6', row);
    on.title = 'Step on';
    ui.pos = el('span', 'pw-play-pos', '', row);
    var opts = el('div', 'pw-play-options', null, root);
    select(opts, D.speeds.map(function(s) { return [s, s + '\\u00D7']; }), 1, function(v) {
      st.speed = Number(v); if (st.timer) play();
    });
    select(opts, D.units, st.unit, function(v) {
      var day = frames()[st.k][0];
      st.unit = v;
      var fs = frames(), k = 0;
      for (var i = 0; i < fs.length; i++) { if (fs[i][0] <= day) k = i; }
      st.k = k; draw();
    });
    select(opts, D.modes, st.mode, function(v) { st.mode = v; draw(); });
    var legend = el('div', 'pw-play-legend', null, root);
    D.kinds.forEach(function(k) {
      var item = el('span', 'pw-play-key', null, legend);
      var sw = el('i', null, null, item); sw.style.background = k[2];
      el('span', null, k[1], item);
    });
    el('div', 'pw-play-note', 'Faded, dashed: date known only to a week, month or coarser, '
      + 'shown over its whole span. Dark lines: routes run; white dots: sites active.', legend);
    if (D.unplaced) el('div', 'pw-play-note', D.unplaced + ' event(s) without a known place '
      + 'are not drawn.', legend);
    if (D.grouped) el('div', 'pw-play-note', 'Too many events to play one by one: those '
      + 'dated to the day are grouped per place and ' + D.grouped + ', and shown over it.',
      legend);
    if (D.sources) el('div', 'pw-play-sources', D.sources, root);
    back.addEventListener('click', function() { stop(); st.k--; draw(); });
    on.addEventListener('click', function() { stop(); st.k++; draw(); });
    ui.play.addEventListener('click', function() { if (st.timer) stop(); else play(); });
    L.DomEvent.disableClickPropagation(root);
    L.DomEvent.disableScrollPropagation(root);
    if (exportMode) root.classList.add('pw-play-export');
    return root;
  }});
  new Control().addTo(map);
  draw();
  window.pwPlayback = {
    frames: function() { return frames().length; },
    show: function(k) { stop(); st.k = k; draw(); return ui.stamp.textContent; },
    set: function(unit, mode) {
      if (unit) st.unit = unit;
      if (mode) st.mode = mode;
      st.k = 0; draw();
    },
    play: play, stop: stop
  };
  window.__pwReady = true;
})();
{% endmacro %}
"""

_CSS = """
<style>
.pw-play { background: rgba(255,255,255,0.95); padding: 8px 10px; font: 13px/1.35 sans-serif;
  max-width: 430px; color: #1f1f1f; }
.pw-play-title { font-weight: 700; font-size: 15px; margin-bottom: 2px; }
.pw-play-stamp { font-weight: 700; font-size: 22px; }
.pw-play-count { color: #444; margin-bottom: 4px; }
.pw-play-bars { display: block; width: 100%; height: 36px; margin: 2px 0 6px; cursor: pointer;
  border-bottom: 1px solid #999; }
.pw-play-buttons button { margin-right: 4px; cursor: pointer; font-size: 13px; }
.pw-play-pos { color: #666; margin-left: 4px; }
.pw-play-options select { margin: 4px 4px 0 0; }
.pw-play-legend { margin-top: 6px; }
.pw-play-key { display: inline-block; margin-right: 8px; white-space: nowrap; }
.pw-play-key i { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 4px; vertical-align: -1px; }
.pw-play-note, .pw-play-sources { color: #555; font-size: 11px; margin-top: 3px; }
.pw-play-export { max-width: 520px; }
.pw-play-export-map .leaflet-control-zoom { display: none; }
.pw-play-export .pw-play-buttons, .pw-play-export .pw-play-options { display: none; }
.pw-play-export .pw-play-title { font-size: 20px; }
.pw-play-export .pw-play-stamp { font-size: 28px; }
</style>
"""


class PlaybackLayer(MacroElement):
    """The playback control and its frames, on the map it is added to. ``data`` is
    :func:`build_playback`'s JSON; ``export`` hides the buttons (for a GIF or MP4)."""

    _template = Template(_SCRIPT)

    def __init__(self, data: dict, *, export: bool = False) -> None:
        super().__init__()
        self._name = "Playback"
        self.data = data
        self.export = export

    def render(self, **kwargs: object) -> None:
        figure = self.get_root()
        figure.header.add_child(Element(_CSS), name="pw_playback_css")  # type: ignore[attr-defined]
        script = self._template.module.__dict__["script"]
        figure.script.add_child(  # type: ignore[attr-defined]
            _RawScript(script(self, kwargs)), name=self.get_name()
        )


def build_playback_map(
    ds: DataSet, data: dict, *, tiles: object | None = None, export: bool = False
) -> object:
    """A map of the playback ``data`` on the offline basemap (and online tiles if set)."""
    import folium

    from components.assets import localise_assets
    from components.basemap import add_tile_layer, add_vector_basemap

    m = folium.Map(
        location=[36.6, 39.5], zoom_start=7, tiles=None, control_scale=True, keyboard=False
    )
    if tiles is not None:
        add_tile_layer(m, getattr(tiles, "url", None), getattr(tiles, "attribution", None))
    towns = ds.places[ds.places["placed"] & ds.places["kind"].isin(["city", "town"])]
    add_vector_basemap(m, towns[["name", "lat", "lon"]])
    points = [e[:2] for e in data["events"]] + [s[:2] for s in data["sites"]]
    points += [c for r in data["routes"] for c in r["coords"]]
    if points:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30))
    m.add_child(PlaybackLayer(data, export=export))
    localise_assets(m)
    return m


def render_playback(m: object, *, key: str = "mx_playback", height: int = 680) -> None:
    """Show the playback map (a display map: it returns nothing to the app, so playing it
    reruns nothing)."""
    from streamlit_folium import st_folium

    st_folium(m, key=key, height=height, returned_objects=[], use_container_width=True)


# --------------------------------------------------------------------------- the page part


def sources_line(ds: DataSet, events: pd.DataFrame, most: int = 4) -> str:
    """'Sources: 42 reports (Enab Baladi, North Press, …) · PatrolWatch data set v1.0.0'."""
    cites = ds.citations[
        (ds.citations["record_type"] == "event")
        & ds.citations["record_id"].isin(events["event_id"])
    ]
    used = ds.sources[ds.sources["source_id"].isin(cites["source_id"])]
    publishers = used["publisher"].value_counts().index.tolist()
    named = ", ".join(str(p) for p in publishers[:most]) + (", …" if len(publishers) > most else "")
    return f"Sources: {len(used):,} reports ({named or 'none'}) · {ds.label}"


def render_playback_view(
    ds: DataSet,
    f: EventFilter,
    events: pd.DataFrame,
    zones: dict,
    today: date,
    *,
    tiles: object | None = None,
    key: str = "mx_play",
) -> None:
    """The playback map of the filtered events and, beside it, its export as GIF or MP4."""
    import streamlit as st

    from components.animation_export import MAX_FRAMES, draw_animation
    from components.export_files import unavailable_reason
    from data.briefing import default_title
    from data.export import file_stem

    title = default_title(ds, f, today)
    data = build_playback(
        ds,
        events,
        start=f.start,
        end=f.end,
        theatres=f.theatres,
        zones=zones,
        title=title,
        sources=sources_line(ds, events),
    )
    render_playback(build_playback_map(ds, data, tiles=tiles), key=f"{key}_map")
    with st.popover("Export the animation", icon=":material/movie:"):
        unit = (
            st.segmented_control(
                "One frame per",
                list(UNITS),
                default="month",
                key=f"{key}_unit",
                format_func=str,
            )
            or "month"
        )
        mode = (
            st.segmented_control(
                "Mode", list(MODES), default="sliding", key=f"{key}_mode", format_func=MODES.get
            )
            or "sliding"
        )
        n = len(data["frames"][unit])
        st.caption(
            f"{n:,} frame(s) of a {unit}"
            + (f", thinned to {MAX_FRAMES} (every few {unit}s)" if n > MAX_FRAMES else "")
            + ". 1280×720, with the title, legend, date stamp and sources; drawn offline "
            "when you click (a few seconds per dozen frames)."
        )
        reason = unavailable_reason()
        if reason:
            st.warning(reason, icon=":material/error:")
        stem = file_stem(title, today)
        left, right = st.columns(2)
        left.download_button(
            "Animation (GIF)",
            data=lambda: draw_animation(ds, data, fmt="gif", unit=unit, mode=mode).data,
            file_name=f"{stem}-{unit}.gif",
            mime="image/gif",
            key=f"{key}_gif",
            on_click="ignore",
            disabled=bool(reason),
            width="stretch",
        )
        right.download_button(
            "Video (MP4)",
            data=lambda: draw_animation(ds, data, fmt="mp4", unit=unit, mode=mode).data,
            file_name=f"{stem}-{unit}.mp4",
            mime="video/mp4",
            key=f"{key}_mp4",
            on_click="ignore",
            disabled=bool(reason),
            width="stretch",
        )
