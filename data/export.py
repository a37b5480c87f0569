"""Tabular exports: the filtered events, with their sources, as CSV, Excel, GeoJSON and
KML; any table (a chart's data) as CSV; and the names of export files.

Every format carries each event's data-dictionary fields (so a file exported here imports
back unchanged) and readable columns beside them: dates, places and actors by name, and
every source with its Admiralty grade and link. KML draws events at their place with
their date window (Google Earth's time slider) and the routes they use as paths.

Spreadsheets: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return could be taken for a formula by Excel, LibreOffice or Google Sheets (CSV/formula
injection); such cells get a leading apostrophe in CSV and Excel, so they are shown as the
text they are (``neutralise``: the one formula guard of every export). Pure: no streamlit.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pandas as pd

from data import vocab
from data.frames import join_ordered
from data.model import DataSet
from data.records import COLUMNS, event_texts
from data.sourcing import citations_for

#: characters that make a spreadsheet treat a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: readable columns after the data-dictionary ones (the importers ignore these)
EXTRA_COLUMNS = [
    "start",
    "end",
    "theatre",
    "kind_label",
    "status_label",
    "place_names",
    "location_name",
    "lat",
    "lon",
    "location_precision_m",
    "actors_text",
    "best_reliability",
    "sources_text",
    "source_urls",
]

KML_NS = "http://www.opengis.net/kml/2.2"
#: KML colours are aabbggrr
ROUTE_KML_COLOURS = {
    "patrol_track": "ffb27200",  # #0072B2
    "humanitarian_route": "ff739e00",  # #009E73
    "escort_corridor": "ff0055d5",  # #D55E00
}


def neutralise(values: pd.Series) -> pd.Series:
    """Text cells that a spreadsheet would read as a formula, with a leading apostrophe."""
    text = values.astype("str").where(values.notna(), "")
    risky = text.str.startswith(FORMULA_START)
    return text.where(~risky, "'" + text)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``neutralise`` on every text column (numbers and dates are left as they are)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            out[col] = neutralise(out[col])
    return out


def events_table(ds: DataSet, events: pd.DataFrame) -> pd.DataFrame:
    """One row per event: the data-dictionary fields, then the readable columns."""
    out = event_texts(ds, events).reset_index(drop=True)
    ev = events.reset_index(drop=True)
    theatres = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
    out["start"] = ev["start"].dt.strftime("%Y-%m-%d").fillna("")
    out["end"] = ev["end"].dt.strftime("%Y-%m-%d").fillna("")
    out["theatre"] = ev["theatre_id"].map(theatres).fillna(ev["theatre_id"])
    out["kind_label"] = ev["kind"].map(vocab.EVENT_KINDS).fillna(ev["kind"])
    out["status_label"] = ev["status"].map(vocab.EVENT_STATUSES).fillna(ev["status"])
    out["place_names"] = ev["place_names"].fillna("")
    out["location_name"] = ev["location_name"].fillna("")
    out["lat"] = ev["lat"]
    out["lon"] = ev["lon"]
    out["location_precision_m"] = ev["location_precision_m"]
    out["actors_text"] = ev["actors_text"].fillna("")
    out["best_reliability"] = ev["best_reliability"].fillna("")
    cites = citations_for(ds, "event", ev["event_id"])
    text = join_ordered(cites["record_id"], cites["publisher"] + " (" + cites["grade"] + ")", "; ")
    urls = join_ordered(cites["record_id"], cites["url"].fillna(""), " | ")
    out["sources_text"] = ev["event_id"].map(text).fillna("")
    out["source_urls"] = ev["event_id"].map(urls).fillna("")
    return out[[*COLUMNS["events"], *EXTRA_COLUMNS]]


def sources_table(ds: DataSet, events: pd.DataFrame) -> pd.DataFrame:
    """One row per citation of the events: event, source, grade, link."""
    cites = citations_for(ds, "event", events["event_id"])
    return cites.rename(columns={"record_id": "event_id"}).drop(columns=["record_type"])


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Any table as UTF-8 CSV with a byte-order mark (so spreadsheets read Arabic and
    Turkish names right). A text cell a spreadsheet would run as a formula is prefixed with
    an apostrophe; numbers are left as numbers."""
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_csv(ds: DataSet, events: pd.DataFrame) -> bytes:
    """The events as CSV (UTF-8 with a byte-order mark, so Excel reads Arabic names)."""
    return csv_bytes(events_table(ds, events))


def to_excel(ds: DataSet, events: pd.DataFrame, description: str = "") -> bytes:
    """The events (sheet Events), their sources (Citations) and what was exported
    (About)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, frame: pd.DataFrame) -> None:
        ws = wb.create_sheet(title)
        header = []
        for col in frame.columns:
            cell = WriteOnlyCell(ws, value=str(col))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        safe = neutralise_frame(frame)
        for row in safe.itertuples(index=False):
            cells = []
            for value in row:
                if value is None or (isinstance(value, float) and pd.isna(value)):
                    value = None
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                cells.append(cell)
            ws.append(cells)

    sheet("Events", events_table(ds, events))
    sheet("Citations", sources_table(ds, events))
    about = pd.DataFrame(
        {
            "field": ["data set", "filter", "events", "exported", "note"],
            "value": [
                ds.label,
                description,
                str(len(events)),
                datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "Text cells that begin with = + - @ are prefixed with ' so no spreadsheet "
                "runs them as formulas.",
            ],
        }
    )
    sheet("About", about)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _routes_used(ds: DataSet, events: pd.DataFrame) -> pd.DataFrame:
    """The routes the events use, with their data-dictionary fields (waypoints and sources
    rebuilt) and how many of the events use each."""
    used = events["route_id"].dropna()
    used = used[used != ""]
    routes = ds.routes[ds.routes["route_id"].isin(used)].copy()
    counts = used.value_counts()
    routes["events"] = routes["route_id"].map(counts).fillna(0).astype(int)
    wp = ds.route_waypoints[ds.route_waypoints["route_id"].isin(routes["route_id"])]
    routes["waypoints"] = routes["route_id"].map(join_ordered(wp["route_id"], wp["place_id"], "|"))
    cites = ds.citations[
        (ds.citations["record_type"] == "route")
        & ds.citations["record_id"].isin(routes["route_id"])
    ]
    joined = join_ordered(
        cites["record_id"], cites["source_id"] + ":" + cites["credibility"].astype("str"), "|"
    )
    routes["sources"] = routes["route_id"].map(joined).fillna("")
    routes["base_ids"] = routes["base_ids"].map("|".join)
    routes["waypoints"] = routes["waypoints"].fillna("")
    return routes[routes["coords"].map(len) >= 2]


ROUTE_FIELDS = (
    "route_id",
    "name",
    "theatre_id",
    "kind",
    "waypoints",
    "entry_id",
    "base_ids",
    "description",
    "sources",
)


def _clean(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    return value


def to_geojson(ds: DataSet, events: pd.DataFrame) -> bytes:
    """A FeatureCollection: each event a Point at its place (no geometry when it has no
    known place), with its fields and sources; each route the events use a LineString."""
    table = events_table(ds, events)
    cites = sources_table(ds, events)
    by_event = {
        k: g[["publisher", "title", "url", "grade"]].to_dict("records")
        for k, g in cites.groupby("event_id", sort=False)
    }
    features = []
    for row in table.to_dict("records"):
        props = {k: _clean(v) for k, v in row.items() if k not in ("lat", "lon")}
        props["sources_list"] = by_event.get(row["event_id"], [])
        geometry = None
        if pd.notna(row["lat"]) and pd.notna(row["lon"]):
            geometry = {
                "type": "Point",
                "coordinates": [round(row["lon"], 6), round(row["lat"], 6)],
            }
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    for r in _routes_used(ds, events).to_dict("records"):
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in r["coords"]],
                },
                "properties": {
                    **{k: r[k] for k in ROUTE_FIELDS},
                    "events": int(r["events"]),
                    "geometry_method": r["geometry_method"],
                },
            }
        )
    doc = {
        "type": "FeatureCollection",
        "name": ds.label,
        "features": features,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _extended(parent: ET.Element, values: dict[str, object]) -> None:
    ext = _sub(parent, "ExtendedData")
    for key, value in values.items():
        if value in ("", None) or (isinstance(value, float) and pd.isna(value)):
            continue
        data = _sub(ext, "Data", name=key)
        _sub(data, "value", str(value))


def to_kml(ds: DataSet, events: pd.DataFrame, description: str = "") -> bytes:
    """A KML document for Google Earth and other GIS: a folder of events (placemarks at
    their place, with their date window as a TimeSpan) and a folder of the routes they use
    (paths). Events with no known place are counted in the document's description."""
    ET.register_namespace("", KML_NS)
    table = events_table(ds, events)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", f"PatrolWatch export: {ds.label}")
    unplaced = int(table["lat"].isna().sum())
    _sub(
        doc,
        "description",
        f"{description}\n{len(table)} events; {unplaced} have no known place and are not drawn. "
        f"Exported {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
    )
    style = _sub(doc, "Style", id="event")
    icon = _sub(style, "IconStyle")
    _sub(icon, "color", "ff0055d5")
    _sub(icon, "scale", "0.9")
    for kind, colour in ROUTE_KML_COLOURS.items():
        s = _sub(doc, "Style", id=f"route-{kind}")
        line = _sub(s, "LineStyle")
        _sub(line, "color", colour)
        _sub(line, "width", "4")

    folder = _sub(doc, "Folder")
    _sub(folder, "name", f"Events ({len(table) - unplaced} drawn)")
    for row in table[table["lat"].notna()].to_dict("records"):
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", f"{row['date']} · {row['kind_label']}")
        lines = [
            row["description"],
            f"When: {row['date']} ({row['date_precision']}); status: {row['status_label']}",
            f"Where: {row['place_names'] or row['location_name']}",
            f"Who: {row['actors_text'] or 'no actor named'}",
            f"Sources: {row['sources_text']}",
        ]
        _sub(pm, "description", "\n".join(str(x) for x in lines if x))
        if row["start"] == row["end"]:
            ts = _sub(pm, "TimeStamp")
            _sub(ts, "when", row["start"])
        else:
            span = _sub(pm, "TimeSpan")
            _sub(span, "begin", row["start"])
            _sub(span, "end", row["end"])
        _sub(pm, "styleUrl", "#event")
        _extended(pm, {k: row[k] for k in COLUMNS["events"]})
        point = _sub(pm, "Point")
        _sub(point, "coordinates", f"{row['lon']:.6f},{row['lat']:.6f},0")

    routes = _routes_used(ds, events)
    rfolder = _sub(doc, "Folder")
    _sub(rfolder, "name", f"Routes ({len(routes)})")
    for r in routes.to_dict("records"):
        pm = _sub(rfolder, "Placemark")
        _sub(pm, "name", r["name"])
        _sub(
            pm,
            "description",
            f"{r['description']}\n{r['events']} of the events use it. "
            f"Geometry: {r['geometry_method']}.",
        )
        _sub(pm, "styleUrl", f"#route-{r['kind']}")
        _extended(pm, {"route_id": r["route_id"], "kind": r["kind"], "theatre_id": r["theatre_id"]})
        line = _sub(pm, "LineString")
        _sub(line, "tessellate", "1")
        _sub(line, "coordinates", " ".join(f"{lon:.6f},{lat:.6f},0" for lat, lon in r["coords"]))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


EXPORTS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "geojson": ("application/geo+json", "geojson"),
    "kml": ("application/vnd.google-earth.kml+xml", "kml"),
}


# --------------------------------------------------------------------------- file names


def export_name(stem: str, version: str) -> str:
    """'patrolwatch-gaps-v3' style file stems: letters, digits and dashes only."""
    safe = "".join(c if c.isalnum() else "-" for c in f"patrolwatch-{stem}-v{version}")
    return "-".join(part for part in safe.split("-") if part).lower()


def file_stem(title: str, today: date) -> str:
    """'patrolwatch-patrols-in-2021-20261124': a file name from a title, safe anywhere."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:60].rstrip("-")
    return f"patrolwatch-{slug or 'export'}-{today:%Y%m%d}"
