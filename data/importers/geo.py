"""Maps: KML and KMZ (as Google Earth writes them) and GeoJSON.

Each placemark (KML) or feature (GeoJSON) becomes one record:

- a point with a time (KML ``TimeStamp``/``TimeSpan``; a GeoJSON ``date`` or
  ``event_id`` property) is an event, drawn at a place: the one its ``place``/``location``
  field or else its own name names (matched through our gazetteer, its position as
  evidence), else a new place at the point;
- a point without a time is a place (matched through our gazetteer by its name: a place
  we hold already is not added again);
- a line (``LineString``; each part of a ``MultiLineString`` or ``MultiGeometry``) is a
  route, drawn as the path in the file and linked to the places it passes.

Fields the data dictionary knows (``kind``, ``status``, ``actors``, ``sources``…) are taken
from GeoJSON properties and KML ``ExtendedData``; what is missing comes from the
analyst's import options. KML is parsed with defusedxml: no DTD, no entities, no external
references. Pure.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from data import vocab
from data.dates import precision_of
from data.importers.base import (
    ImportLimits,
    ImportOptions,
    ImportRefused,
    Parsed,
    RowProblem,
    Unpacked,
    check_text,
    check_zip,
    over_limit,
    place_refs,
    records_frame,
    short_hash,
    slugify,
    visible,
)
from data.records import COLUMNS

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Feature:
    """One placemark or feature: its number in the file, name, description, time, geometry
    (``Point`` or ``LineString``) as (lat, lon) points, and its other fields."""

    row: int
    name: str = ""
    description: str = ""
    when: str = ""
    begin: str = ""
    end: str = ""
    geometry: str = ""
    coords: list[tuple[float, float]] = field(default_factory=list)
    props: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- KML


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: object, name: str) -> object | None:
    for c in elem:  # type: ignore[attr-defined]
        if _local(c.tag) == name:
            return c
    return None


def _text(elem: object | None) -> str:
    return "" if elem is None else "".join(elem.itertext()).strip()  # type: ignore[attr-defined]


def _coords(text: str, limit: int) -> list[tuple[float, float]]:
    """'lon,lat[,alt] lon,lat …' → [(lat, lon), …]. Raises ValueError; a path of more than
    ``limit`` points raises ``OverflowError`` (before its numbers are read)."""
    tuples = text.split()
    if len(tuples) > limit:
        raise OverflowError(len(tuples))
    out = []
    for tup in tuples:
        parts = tup.split(",")
        if len(parts) < 2:
            raise ValueError(f"'{tup[:40]}' is not lon,lat")
        out.append((float(parts[1]), float(parts[0])))
    return out


def _too_many_points(name: str, unit: str, row: int, n: int, limits: ImportLimits) -> Exception:
    return over_limit(
        name, f"{unit} {row} has a path of {n:,} points", f"{limits.max_vertices:,} points per path"
    )


def parse_xml(name: str, data: bytes, limits: ImportLimits) -> object:
    """The root element of an XML document, its nesting counted while it is parsed
    (defusedxml: no DTD, no entities)."""
    depth, root = 0, None
    try:
        for event, elem in iterparse(io.BytesIO(data), ("start", "end"), forbid_dtd=True):
            if event == "end":
                depth -= 1
                continue
            depth += 1
            root = elem if root is None else root
            if depth > limits.max_depth:
                raise over_limit(
                    name, f"its XML nests more than {limits.max_depth} elements deep",
                    f"{limits.max_depth} levels of nesting",
                )  # fmt: skip
    except DefusedXmlException:
        raise ImportRefused(
            f"{name} declares a DTD or entities, which we refuse in KML (unsafe XML). "
            "Nothing was imported."
        ) from None
    except ParseError as err:
        raise ImportRefused(
            f"{name} is not well-formed XML ({err}). Nothing was imported."
        ) from None
    if root is None:
        raise ImportRefused(f"{name} holds no XML element. Nothing was imported.")
    return root


def read_kml(
    name: str, data: bytes, problems: list[RowProblem], limits: ImportLimits | None = None
) -> list[Feature]:
    """The placemarks of a KML document, in file order (row = placemark number)."""
    limits = limits or ImportLimits()
    root = parse_xml(name, data, limits)
    if _local(root.tag) != "kml":  # type: ignore[attr-defined]
        raise ImportRefused(
            f"{name} is XML but not KML (its root element is "
            f"<{visible(_local(root.tag), 40)}>). Nothing was imported."  # type: ignore[attr-defined]
        )
    features: list[Feature] = []
    placemarks = [e for e in root.iter() if _local(e.tag) == "Placemark"]  # type: ignore[attr-defined]

    def text(elem: object | None, n: int, what: str) -> str:
        return check_text(name, _text(elem), limits, f"placemark {n}", what)

    for n, pm in enumerate(placemarks, start=1):
        props: dict[str, str] = {}
        ext = _child(pm, "ExtendedData")
        if ext is not None:
            for d in ext.iter():
                if _local(d.tag) in ("Data", "SimpleData") and d.get("name"):
                    value = _child(d, "value") if _local(d.tag) == "Data" else d
                    key = d.get("name").strip().lower()
                    props[key] = text(value, n, f"'{visible(key, 40)}'")
        stamp = _child(pm, "TimeStamp")
        span = _child(pm, "TimeSpan")
        base = Feature(
            row=n,
            name=text(_child(pm, "name"), n, "name"),
            description=_plain(text(_child(pm, "description"), n, "description")),
            when=text(_child(stamp, "when"), n, "when") if stamp is not None else "",
            begin=text(_child(span, "begin"), n, "begin") if span is not None else "",
            end=text(_child(span, "end"), n, "end") if span is not None else "",
            props=props,
        )
        geoms = [g for g in pm.iter() if _local(g.tag) in ("Point", "LineString")]
        if not geoms:
            others = sorted({_local(g.tag) for g in pm.iter()} & {"Polygon", "Track", "Model"})
            problems.append(
                RowProblem(
                    n,
                    "geometry",
                    f"has no point or path ({', '.join(others) or 'no geometry'}): not read",
                )
            )
            continue
        for g in geoms:
            try:
                coords = _coords(_text(_child(g, "coordinates")), limits.max_vertices)
            except OverflowError as err:
                raise _too_many_points(name, "placemark", n, err.args[0], limits) from None
            except ValueError as err:
                problems.append(RowProblem(n, "coordinates", f"are not numbers ({err})"))
                continue
            if not coords:
                problems.append(RowProblem(n, "coordinates", "are empty"))
                continue
            features.append(
                Feature(**{**base.__dict__, "geometry": _local(g.tag), "coords": coords})
            )
    if not placemarks:
        raise ImportRefused(f"{name} holds no placemarks. Nothing was imported.")
    return features


def read_kmz(
    name: str, data: bytes, limits: ImportLimits, problems: list[RowProblem]
) -> list[Feature]:
    """The placemarks of the KML inside a KMZ (``doc.kml``, or its first .kml), unpacked
    within the limits (``Unpacked``): the KML no bigger than a KML file may be."""
    archive = check_zip(name, data, limits)
    kmls = [i for i in archive.namelist() if i.lower().endswith(".kml")]
    if not kmls:
        raise ImportRefused(f"{name} is a zip archive with no KML inside. Nothing was imported.")
    inner = "doc.kml" if "doc.kml" in kmls else sorted(kmls, key=lambda p: (p.count("/"), p))[0]
    text = Unpacked(name, archive, limits).read(inner, cap=limits.max_bytes)
    return read_kml(f"{name} ({visible(inner, 80)})", text, problems, limits)


def _plain(text: str) -> str:
    """Google Earth descriptions are HTML: keep the words."""
    import html

    if "<" not in text:
        return html.unescape(text).strip()
    return re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", text))).strip()


# --------------------------------------------------------------------------- GeoJSON


def read_geojson(
    name: str, doc: dict, problems: list[RowProblem], limits: ImportLimits | None = None
) -> list[Feature]:
    """The features of a GeoJSON document (row = feature number)."""
    limits = limits or ImportLimits()
    items = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    if not isinstance(items, list):
        raise ImportRefused(f"{name}: 'features' must be a list. Nothing was imported.")
    if not items:
        raise ImportRefused(f"{name} holds no features. Nothing was imported.")
    features: list[Feature] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            problems.append(RowProblem(n, "type", "is not a GeoJSON Feature"))
            continue
        raw = item.get("properties") or {}
        if not isinstance(raw, dict):
            problems.append(RowProblem(n, "properties", "is not an object"))
            continue
        props = {
            str(k).strip().lower(): "|".join(map(str, v))
            if isinstance(v, list)
            else ("" if v is None else str(v).strip())
            for k, v in raw.items()
        }
        for k, v in props.items():
            check_text(name, v, limits, f"feature {n}", f"'{visible(k, 40)}'")
        base = Feature(
            row=n,
            name=props.get("name", "") or props.get("title", ""),
            description=props.get("description", ""),
            when=props.get("date", "") or props.get("when", "") or props.get("event_date", ""),
            end=props.get("end_date", ""),
            props=props,
        )
        geom = item.get("geometry")
        if geom is None:
            if "event_id" in props and "places" in props:
                features.append(Feature(**{**base.__dict__, "geometry": "Point"}))
            else:
                problems.append(RowProblem(n, "geometry", "is empty"))
            continue
        kind = geom.get("type") if isinstance(geom, dict) else None
        try:
            if kind == "Point":
                parts = [("Point", [geom["coordinates"]])]
            elif kind == "MultiPoint":
                parts = [("Point", [c]) for c in geom["coordinates"]]
            elif kind == "LineString":
                parts = [("LineString", geom["coordinates"])]
            elif kind == "MultiLineString":
                parts = [("LineString", c) for c in geom["coordinates"]]
            else:
                what = visible(str(kind), 40)
                problems.append(
                    RowProblem(n, "geometry", f"is a {what}: only points and lines are read")
                )
                continue
            points = sum(len(pts) for _, pts in parts if isinstance(pts, list))
            if points > limits.max_vertices:
                break
            for g, pts in parts:
                coords = [(float(p[1]), float(p[0])) for p in pts]
                features.append(Feature(**{**base.__dict__, "geometry": g, "coords": coords}))
        except (KeyError, TypeError, ValueError, IndexError):
            problems.append(RowProblem(n, "coordinates", "are not [lon, lat] numbers"))
    else:
        return features
    raise _too_many_points(name, "feature", n, points, limits)


# --------------------------------------------------------------------------- to records


def _day(text: str) -> str:
    """A KML/ISO time at its own precision: '2020-03-04T10:00:00Z' → '2020-03-04'."""
    text = text.strip()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})T", text)
    return m.group(1) if m else text


def features_to_parsed(
    features: list[Feature],
    fmt: str,
    options: ImportOptions,
    problems: list[RowProblem],
    *,
    prefix: str,
    unit: str,
) -> Parsed:
    """Events, places and routes from the features (see the module's notes)."""
    parsed = Parsed(
        format=fmt,
        rows=len({f.row for f in features}) + len({p.row for p in problems}),
        row_unit=unit,
        problems=problems,
    )
    events, routes, refs = [], [], []
    for f in features:
        p = f.props
        bad = [
            (lat, lon)
            for lat, lon in f.coords
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0)
        ]
        if bad:
            lat, lon = bad[0]
            why = "0,0 is not a position" if (lat, lon) == (0, 0) else "is out of range"
            parsed.problems.append(RowProblem(f.row, "coordinates", f"{lat},{lon} {why}"))
            continue
        if f.geometry == "LineString":
            if len(f.coords) < 2:
                parsed.problems.append(RowProblem(f.row, "coordinates", "a path needs two points"))
                continue
            path = "|".join(f"{lat:.6f},{lon:.6f}" for lat, lon in f.coords)
            rid = p.get("route_id", "")
            if not _SLUG.match(rid):
                rid = f"{prefix}-{slugify(f.name or 'path', 30) or 'path'}-{short_hash(path, n=6)}"
            routes.append(
                {
                    **{k: p.get(k, "") for k in COLUMNS["routes"]},
                    "route_id": rid,
                    "name": p.get("name", "") or f.name or "Path from an imported file",
                    "theatre_id": p.get("theatre_id", "") or options.theatre_id,
                    "kind": p.get("kind", "")
                    if p.get("kind") in vocab.ROUTE_KINDS
                    else options.route_kind,
                    "description": p.get("description", "") or f.description,
                    "sources": p.get("sources", "") or options.citation,
                    "path": path,
                    "_row": f.row,
                }
            )
            continue
        lat, lon = f.coords[0] if f.coords else (float("nan"), float("nan"))
        when = f.when or f.begin
        if when or "event_id" in p:
            date = _day(p.get("date", "") or when)
            eid = p.get("event_id", "")
            if not _SLUG.match(eid):
                eid = f"{prefix}-{short_hash(f.name, date, lat, lon)}"
            event = {
                **{k: p.get(k, "") for k in COLUMNS["events"]},
                "event_id": eid,
                "theatre_id": p.get("theatre_id", "") or options.theatre_id,
                "date": date,
                "end_date": _day(p.get("end_date", "") if "date" in p else f.end),
                "kind": p.get("kind", "") or options.event_kind,
                "status": p.get("status", "") or options.event_status,
                "actors": p.get("actors", "") or options.actors,
                "description": p.get("description", "") or f.description or f.name,
                "sources": p.get("sources", "") or options.citation,
                "_row": f.row,
            }
            if not event["date_precision"]:
                event["date_precision"] = str(precision_of(pd.Series([date])).iloc[0])
            events.append(event)
            if not event["places"] and f.coords:
                named = p.get("place", "") or p.get("location", "")
                refs.append(
                    {
                        "event_id": eid,
                        "_row": f.row,
                        "name": named or f.name or f"Position of {eid}",
                        "lat": lat,
                        "lon": lon,
                        "precision_m": p.get("precision_m", "") or options.precision_m,
                        "country": p.get("country", ""),
                        "kind": "",
                        "note": f"Position of placemark {f.row} ('{f.name}') in an imported file",
                    }
                )
            continue
        refs.append(
            {
                "event_id": "",
                "_row": f.row,
                "name": p.get("name", "") or f.name,
                "alt_names": p.get("alt_names", ""),
                "lat": lat,
                "lon": lon,
                "precision_m": p.get("precision_m", "") or options.precision_m,
                "kind": p.get("kind", "") if p.get("kind") in vocab.PLACE_KINDS else "",
                "country": p.get("country", ""),
                "note": p.get("note", "") or f.description,
            }
        )
    unnamed = [r for r in refs if not r["name"]]
    for r in unnamed:
        parsed.problems.append(RowProblem(r["_row"], "name", "a place needs a name"))
    refs = [r for r in refs if r["name"]]
    if events:
        frame = records_frame("events", events)
        todo = frame["kind"] == ""
        if todo.any():  # the kind the words of the placemark say (keyword tables)
            from data.importers.keywords import kinds_from_notes

            words = frame.loc[todo, "description"]
            frame.loc[todo, "kind"] = kinds_from_notes(words, default="")
        parsed.records["events"] = frame
    if routes:
        parsed.records["routes"] = records_frame("routes", routes)
    parsed.place_refs = place_refs(refs)
    return parsed


def read_kml_bytes(
    name: str, data: bytes, options: ImportOptions, limits: ImportLimits, *, kmz: bool = False
) -> Parsed:
    """A KML or KMZ file, read into records."""
    problems: list[RowProblem] = []
    if kmz:
        features = read_kmz(name, data, limits, problems)
    else:
        features = read_kml(name, data, problems, limits)
    fmt = "KMZ (zipped KML)" if kmz else "KML"
    parsed = features_to_parsed(features, fmt, options, problems, prefix="kml", unit="placemark")
    parsed.field_names = {"date": "TimeStamp", "places": "Point", "path": "LineString"}
    return parsed


def read_geojson_doc(
    name: str, doc: dict, options: ImportOptions, limits: ImportLimits | None = None
) -> Parsed:
    """A GeoJSON document, read into records."""
    problems: list[RowProblem] = []
    features = read_geojson(name, doc, problems, limits)
    return features_to_parsed(
        features, "GeoJSON", options, problems, prefix="geojson", unit="feature"
    )
