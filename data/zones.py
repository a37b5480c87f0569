"""The geometry agreements draw on the map: strips and lines at a set distance from a border.

Zones are declared as data in ``data/agreements/zones.json`` (see the README beside it): the
Sochi memorandum's 10 km joint-patrol strip and its 30 km line, for instance, each tied to a
theatre, a border of ``data/basemap/borders.geojson`` (Natural Earth) and a side of it. The
geometry is derived here with shapely in a metric projection (Lambert azimuthal equal-area
centred on the border), so a 10 km strip is 10 km wide on the ground, not 0.1 degrees.

Pure: no streamlit (``data.cache.load_zone_layer`` caches the result for the app).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, box, mapping, shape
from shapely.geometry.base import BaseGeometry

ZONES_FILE = Path(__file__).resolve().parent / "agreements" / "zones.json"
BORDERS_FILE = Path(__file__).resolve().parent / "basemap" / "borders.geojson"

ZONE_KINDS = ("strip", "line")
SIDES = ("left", "right")
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Zone:
    """One declared zone. ``side`` is taken walking along the border line as it is stored
    (the Syria-Turkey line runs west to east, so Syria is on its right). ``spans`` are the
    longitude ranges the zone is drawn over (empty: the whole border)."""

    zone_id: str
    theatre_id: str
    kind: str
    border_id: str
    side: str
    width_km: float
    spans: tuple[tuple[float, float], ...]
    label: str
    description: str
    derivation: str
    sources: str


def files_signature(*paths: Path) -> str:
    """A short key that changes when any of the files does (for caching)."""
    digest = hashlib.sha1()
    for path in paths:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def read_zones(path: Path = ZONES_FILE) -> tuple[Zone, ...]:
    """The declared zones. Raises ValueError naming the zone and the field that is wrong."""
    items = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path.name}: must be a list of zones")
    zones = []
    for n, item in enumerate(items, start=1):
        where = f"{path.name}, zone {n} ({item.get('zone_id', '?')})"
        try:
            zone = Zone(
                zone_id=str(item["zone_id"]),
                theatre_id=str(item["theatre_id"]),
                kind=str(item["kind"]),
                border_id=str(item["border_id"]),
                side=str(item["side"]),
                width_km=float(item["width_km"]),
                spans=tuple((float(a), float(b)) for a, b in item.get("spans") or ()),
                label=str(item["label"]),
                description=str(item.get("description", "")),
                derivation=str(item.get("derivation", "")),
                sources=str(item.get("sources", "")),
            )
        except KeyError as err:
            raise ValueError(f"{where}: field {err.args[0]!r} is missing") from None
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: {err}") from None
        if zone.kind not in ZONE_KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(ZONE_KINDS)}")
        if zone.side not in SIDES:
            raise ValueError(f"{where}: side must be 'left' or 'right'")
        if not zone.width_km > 0:
            raise ValueError(f"{where}: width_km must be positive")
        if any(a >= b for a, b in zone.spans):
            raise ValueError(f"{where}: each span is [west longitude, east longitude]")
        zones.append(zone)
    return tuple(zones)


def read_borders(path: Path = BORDERS_FILE) -> dict[str, LineString]:
    """Border lines by ``id`` (``SYR-TUR``…), in lon/lat."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        str(f["properties"]["id"]): shape(f["geometry"])
        for f in data["features"]
        if f["properties"].get("id") and f["geometry"]["type"] == "LineString"
    }


# --------------------------------------------------------------------------- projection


def metric_crs(geom: BaseGeometry) -> str:
    """A Lambert azimuthal equal-area projection centred on ``geom`` (metres). Over a few
    hundred kilometres from its centre, distances in it are true to a fraction of a percent."""
    minx, miny, maxx, maxy = geom.bounds
    lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
    return f"+proj=laea +lat_0={lat0:.4f} +lon_0={lon0:.4f} +ellps=WGS84 +units=m +no_defs"


#: longitude/latitude on the WGS 84 ellipsoid, which :func:`metric_crs` projections are
#: defined on: the same transformation as from "EPSG:4326" (a plain unit conversion, then
#: the projection), set up ~30 times faster, since nothing is looked up in PROJ's database
LONLAT = "+proj=longlat +ellps=WGS84 +no_defs"


def _project(geom: BaseGeometry, crs: str, *, inverse: bool = False) -> BaseGeometry:
    src, dst = (LONLAT, crs) if not inverse else (crs, LONLAT)
    tr = Transformer.from_crs(src, dst, always_xy=True)

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def _signed(width_km: float, side: str) -> float:
    # shapely: positive distances are to the left of the line's direction
    return width_km * 1000.0 * (1 if side == "left" else -1)


def _span_mask(spans: tuple[tuple[float, float], ...], border: BaseGeometry) -> BaseGeometry:
    """The union of the longitude bands, in lon/lat, reaching well beyond the border."""
    _, miny, _, maxy = border.bounds
    bands = [box(a, miny - 3, b, maxy + 3).segmentize(0.02) for a, b in spans]
    return shapely.union_all(bands)


def side_strip(
    border: LineString, width_km: float, side: str, spans: tuple[tuple[float, float], ...] = ()
) -> BaseGeometry:
    """The area within ``width_km`` of ``border`` on one ``side`` of it, in lon/lat, cut to
    the longitude ``spans`` if any. Computed as a one-sided buffer in a metric projection."""
    crs = metric_crs(border)
    area = _project(border, crs).buffer(_signed(width_km, side), single_sided=True)
    if spans:
        area = area.intersection(_project(_span_mask(spans, border), crs))
    return _project(area, crs, inverse=True)


def offset_line(
    border: LineString, width_km: float, side: str, spans: tuple[tuple[float, float], ...] = ()
) -> BaseGeometry:
    """The line ``width_km`` from ``border`` on one ``side`` (every point of it that far from
    the nearest point of the border), in lon/lat, cut to the longitude ``spans`` if any."""
    crs = metric_crs(border)
    line = _project(border, crs).offset_curve(_signed(width_km, side), join_style="round")
    if spans:
        line = line.intersection(_project(_span_mask(spans, border), crs))
    return _project(line, crs, inverse=True)


def distance_to_line_km(lon: np.ndarray, lat: np.ndarray, line: LineString) -> np.ndarray:
    """Geodesic distance (km) from each point to the nearest point of ``line`` (densified
    to 100 m), on the WGS84 ellipsoid: the check, independent of any projection."""
    crs = metric_crs(line)
    dense = _project(_project(line, crs).segmentize(100.0), crs, inverse=True)
    bx, by = np.asarray(dense.coords).T
    out = np.empty(len(lon))
    for i, (x, y) in enumerate(zip(np.asarray(lon), np.asarray(lat), strict=True)):
        _, _, d = _GEOD.inv(np.full(bx.size, x), np.full(by.size, y), bx, by)
        out[i] = d.min() / 1000.0
    return out


# --------------------------------------------------------------------------- for the map


def _rounded(geom: BaseGeometry, simplify_m: float) -> dict:
    if simplify_m > 0:
        crs = metric_crs(geom)
        geom = _project(_project(geom, crs).simplify(simplify_m), crs, inverse=True)
    return mapping(shapely.set_precision(geom, 1e-5))


def zone_layer(
    zones: tuple[Zone, ...],
    borders: dict[str, LineString],
    *,
    simplify_m: float = 20.0,
) -> dict:
    """The zones as a GeoJSON FeatureCollection for the map, plus the borders they rest on.

    Features carry ``zone_id``, ``theatre_id``, ``kind`` (``strip``, ``line`` or
    ``border``), ``label``, ``width_km``, ``description``, ``derivation`` and ``sources``.
    Simplified by ``simplify_m`` metres (a strip drawn 20 m off is 0.2 % of 10 km) and
    rounded to 5 decimals. A zone whose border is not in ``borders`` is listed under
    ``missing`` instead of being drawn."""
    features: list[dict] = []
    missing: list[str] = []
    used: dict[str, set[str]] = {}
    for z in zones:
        border = borders.get(z.border_id)
        if border is None:
            missing.append(z.zone_id)
            continue
        used.setdefault(z.border_id, set()).add(z.theatre_id)
        if z.kind == "strip":
            geom = side_strip(border, z.width_km, z.side, z.spans)
        else:
            geom = offset_line(border, z.width_km, z.side, z.spans)
        if geom.is_empty:
            missing.append(z.zone_id)
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": _rounded(geom, simplify_m),
                "properties": {
                    "zone_id": z.zone_id,
                    "theatre_id": z.theatre_id,
                    "kind": z.kind,
                    "label": z.label,
                    "width_km": z.width_km,
                    "description": z.description,
                    "derivation": z.derivation,
                    "sources": z.sources,
                },
            }
        )
    for border_id, theatres in used.items():
        features.append(
            {
                "type": "Feature",
                "geometry": _rounded(borders[border_id], 0),
                "properties": {
                    "zone_id": f"border:{border_id}",
                    "theatre_id": "|".join(sorted(theatres)),
                    "kind": "border",
                    "label": f"Border {border_id} (Natural Earth 1:10m)",
                    "width_km": 0.0,
                    "description": "",
                    "derivation": "data/basemap/ORIGIN.md",
                    "sources": "",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "missing": missing}


def zones_for_theatres(layer: dict, theatres: tuple[str, ...]) -> dict:
    """The features of ``layer`` that belong to one of ``theatres`` (all when empty)."""
    if not theatres:
        return layer
    wanted = set(theatres)
    keep = [
        f for f in layer["features"] if wanted & set(str(f["properties"]["theatre_id"]).split("|"))
    ]
    return {**layer, "features": keep}
