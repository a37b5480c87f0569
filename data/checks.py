"""Checks of a built data set beyond its schema: positions against geography, and grades
against the rules stated in ``data/embedded/README.md``.

Called from ``data.load`` once the records are built; each finding is a ``Problem`` naming
the file, the row as a spreadsheet counts it (header row 1) and the field, so a data set
that breaks a rule is refused like any other bad file.

Geography: the country polygons are cut from the shipped Natural Earth basemap
(``data/basemap/land.geojson`` split along ``borders.geojson``, see ORIGIN.md). A data set
opts in by naming a geography in its ``dataset.json`` (``"geography": "natural_earth_10m"``);
a data set that names none (the synthetic test fixtures) is not checked against one.

Pure: no streamlit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import shapely.ops
from shapely.geometry import LineString, Point, box, shape
from shapely.geometry.base import BaseGeometry

from data.frames import lookup, member
from data.geo import WGS84, bearing_gap, compass_word, point_on_line_at_distance
from data.schema import Problem

BASEMAP_DIR = Path(__file__).resolve().parent / "basemap"

#: Natural Earth 1:10m is good to about 0.2 km along the Syria-Turkey line and 0.9 km near
#: its ends (ORIGIN.md): a place this close to a border is not judged on its side of it.
BORDER_ACCURACY_KM = 1.0

#: which country lies on each side of each border line, walking along it as stored
#: (SYR-TUR runs west to east, SYR-IRQ north to south from the tripoint, TUR-IRQ east to
#: west to the tripoint, SYR-LBN from the coast eastwards): (left, right), ISO 3166 alpha-2
NATURAL_EARTH_SIDES: dict[str, tuple[str, str]] = {
    "SYR-TUR": ("TR", "SY"),
    "SYR-IRQ": ("IQ", "SY"),
    "TUR-IRQ": ("IQ", "TR"),
    "SYR-LBN": ("SY", "LB"),
}

COUNTRY_NAMES: dict[str, str] = {"SY": "Syria", "TR": "Turkey", "IQ": "Iraq", "LB": "Lebanon"}


@dataclass(frozen=True)
class Border:
    border_id: str
    name: str
    line: LineString  # lon/lat
    left: str
    right: str


@dataclass(frozen=True)
class Geography:
    """Country polygons (lon/lat) and the border lines between them, over ``coverage``."""

    name: str
    countries: dict[str, BaseGeometry]
    borders: tuple[Border, ...]
    coverage: BaseGeometry

    def borders_of(self, country: str) -> tuple[Border, ...]:
        return tuple(b for b in self.borders if country in (b.left, b.right))

    def country_at(self, lon: float, lat: float) -> str | None:
        point = Point(lon, lat)
        for code, area in self.countries.items():
            if area.covers(point):
                return code
        return None


def _extend_ends(line: LineString, shared: set[tuple[float, float]], km: float) -> LineString:
    """The line with each end that no other line shares pushed ``km`` further along its
    last segment, so that a border ending on the coast crosses the coastline."""
    coords = list(line.coords)

    def push(end: tuple[float, float], before: tuple[float, float]) -> tuple[float, float]:
        az, _, _ = WGS84.inv(before[0], before[1], end[0], end[1])
        lon, lat, _ = WGS84.fwd(end[0], end[1], az, km * 1000.0)
        return (float(lon), float(lat))

    if coords[0] not in shared:
        coords.insert(0, push(coords[0], coords[1]))
    if coords[-1] not in shared:
        coords.append(push(coords[-1], coords[-2]))
    return LineString(coords)


def _probe_points(line: LineString, offset_deg: float) -> tuple[list[Point], list[Point]]:
    """Points just left and right of the middle of each segment of ``line``."""
    xy = np.asarray(line.coords)
    left, right = [], []
    for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:], strict=True):
        dx, dy = x1 - x0, y1 - y0
        norm = float(np.hypot(dx, dy))
        if norm == 0:
            continue
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        nx, ny = -dy / norm * offset_deg, dx / norm * offset_deg  # to the left
        left.append(Point(mx + nx, my + ny))
        right.append(Point(mx - nx, my - ny))
    return left, right


def build_geography(
    name: str,
    land_file: Path,
    borders_file: Path,
    sides: dict[str, tuple[str, str]],
) -> Geography:
    """Cut the land of ``land_file`` along the border lines of ``borders_file`` and name
    each piece by the country ``sides`` puts on that side of its borders. Raises ValueError
    if a piece would belong to two countries."""
    land_data = json.loads(land_file.read_text(encoding="utf-8"))
    land = shapely.union_all(
        [shape(f["geometry"]) for f in land_data["features"] if f["properties"]["kind"] == "land"]
    )
    coverage = box(*land_data["bbox"]) if "bbox" in land_data else land.envelope
    border_data = json.loads(borders_file.read_text(encoding="utf-8"))
    borders = []
    for f in border_data["features"]:
        bid = str(f["properties"].get("id", ""))
        if bid in sides and f["geometry"]["type"] == "LineString":
            left, right = sides[bid]
            borders.append(
                Border(
                    bid, str(f["properties"].get("name", bid)), shape(f["geometry"]), left, right
                )
            )
    ends = [c for b in borders for c in (b.line.coords[0], b.line.coords[-1])]
    shared = {c for c in ends if ends.count(c) > 1}
    cutters = [_extend_ends(b.line, shared, 3.0) for b in borders]
    pieces = shapely.polygonize(
        list(shapely.get_parts(shapely.union_all([land.boundary, *cutters])))
    )
    faces = [p for p in shapely.get_parts(pieces) if land.contains(p.representative_point())]
    # each piece of land belongs to the country most probes just beside its borders name
    votes: dict[int, dict[str, int]] = {}
    tree = shapely.STRtree(faces)
    for b in borders:
        left_pts, right_pts = _probe_points(b.line, 0.0005)
        for pts, code in ((left_pts, b.left), (right_pts, b.right)):
            for pt in pts:
                for i in tree.query(pt, predicate="within"):
                    tally = votes.setdefault(int(i), {})
                    tally[code] = tally.get(code, 0) + 1
    owner: dict[int, str] = {}
    for i, tally in votes.items():
        ranked = sorted(tally.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[1][1] * 4 > ranked[0][1]:
            raise ValueError(
                f"{name}: a piece of land lies in both {ranked[0][0]} and {ranked[1][0]}"
            )
        owner[i] = ranked[0][0]
    countries: dict[str, list[BaseGeometry]] = {}
    for i, code in owner.items():
        countries.setdefault(code, []).append(faces[i])
    return Geography(
        name=name,
        countries={c: shapely.union_all(parts) for c, parts in countries.items()},
        borders=tuple(borders),
        coverage=coverage,
    )


@lru_cache(maxsize=1)
def natural_earth_geography() -> Geography:
    """Syria, Turkey, Iraq and Lebanon over the basemap's extent (Natural Earth 1:10m). Built
    once per process (~30 ms: the files ship with the code), shared by every load and every
    check of added records; nothing changes it."""
    return build_geography(
        "natural_earth_10m",
        BASEMAP_DIR / "land.geojson",
        BASEMAP_DIR / "borders.geojson",
        NATURAL_EARTH_SIDES,
    )


#: geographies a data set may name in its dataset.json
GEOGRAPHIES = {"natural_earth_10m": natural_earth_geography}


def geography_for(meta: dict[str, object], problems: list[Problem]) -> Geography | None:
    """The geography ``dataset.json`` names (None if it names none)."""
    name = str(meta.get("geography", "") or "")
    if not name:
        return None
    if name not in GEOGRAPHIES:
        known = ", ".join(GEOGRAPHIES)
        problems.append(
            Problem("dataset.json", None, "geography", f"unknown geography {name!r} ({known})")
        )
        return None
    return GEOGRAPHIES[name]()


# --------------------------------------------------------------------------- positions


def border_distance_km(border: Border, lon: float, lat: float) -> float:
    """Geodesic distance (km) from the point to the nearest point of the border line, that
    point found on the line scaled by cos(latitude) (true to well under 1 % here)."""
    scale = np.array([np.cos(np.radians(lat)), 1.0])
    line = shapely.transform(border.line, lambda xy: xy * scale)
    near = line.interpolate(line.project(Point(lon * scale[0], lat)))
    _, _, metres = WGS84.inv(lon, lat, near.x / scale[0], near.y)
    return float(metres) / 1000.0


def _nearest_border(
    geography: Geography, country: str, lon: float, lat: float
) -> tuple[Border | None, float]:
    """The border of ``country`` nearest the point, and its distance in km."""
    best: tuple[Border | None, float] = (None, float("inf"))
    for border in geography.borders_of(country):
        km = border_distance_km(border, lon, lat)
        if km < best[1]:
            best = (border, km)
    return best


def crossings_onto_border(
    places: pd.DataFrame,
    idx: pd.Index,
    anchor_lat: pd.Series,
    anchor_lon: pd.Series,
    names: dict[str, str],
    geography: Geography | None,
) -> list[Problem]:
    """Move the derived border crossings among rows ``idx`` of ``places`` (a frame being
    built) onto the border: to the point of a border of their country that lies
    ``distance_km`` from the anchor in the direction nearest ``bearing_deg``, rather than
    that far along the bearing, which may be inside the next country. Writes ``lat``,
    ``lon`` and a ``derivation`` that says so, in place. A crossing with no such point
    (the border is nowhere that far from the anchor within 45° of the bearing) is a
    problem naming the place."""
    if geography is None:
        return []
    rows = places.loc[idx]
    todo = rows.index[
        (rows["kind"] == "border_crossing")
        & rows["bearing_deg"].notna()
        & (rows["distance_km"] > 0)
    ]
    problems: list[Problem] = []
    for r in todo:
        row = places.loc[r]
        a_lat, a_lon = float(anchor_lat.loc[r]), float(anchor_lon.loc[r])
        found: tuple[float, float, float, Border] | None = None
        for border in geography.borders_of(str(row["country"])):
            hit = point_on_line_at_distance(
                a_lat, a_lon, float(row["bearing_deg"]), float(row["distance_km"]), border.line
            )
            if hit is not None and (
                found is None
                or bearing_gap(hit[2], row["bearing_deg"])
                < bearing_gap(found[2], row["bearing_deg"])
            ):
                found = (*hit, border)
        anchor = names.get(str(row["anchor_id"]), str(row["anchor_id"]))
        said = compass_word(float(row["bearing_deg"]))
        if found is None:
            problems.append(
                Problem(
                    "places.csv",
                    int(r) + 2,
                    "distance_km",
                    f"{row['name']} ({row['place_id']}): no border of {row['country']} lies "
                    f"{row['distance_km']:g} km {said} of {anchor} (within 45°), so the "
                    "crossing cannot be placed on it",
                )
            )
            continue
        lat, lon, az, border = found
        places.loc[r, "lat"] = lat
        places.loc[r, "lon"] = lon
        text = (
            f"Placed on the {border.name} (Natural Earth 1:10m) {row['distance_km']:g} km from "
            f"{anchor}, at bearing {az:.0f}° ({compass_word(az)}): of the border's points at "
            f"that distance, the one closest to the source's '{said}'."
        )
        before = str(row["derivation"])
        places.loc[r, "derivation"] = f"{text} {before}" if before else text
    return problems


def check_places(places: pd.DataFrame, geography: Geography | None) -> list[Problem]:
    """Every placed place inside the country its ``country`` names (a place within
    ``BORDER_ACCURACY_KM`` of that country's border, or within its own ``precision_m``, is
    not judged on its side: a village known to 'within 100 km' may lie either side); a border
    crossing within its ``precision_m`` of a border of its country. Places outside the
    geography's coverage are not checked."""
    if geography is None:
        return []
    problems: list[Problem] = []
    placed = places[places["placed"]]
    for r, row in placed.iterrows():
        lon, lat = float(row["lon"]), float(row["lat"])
        if not geography.coverage.covers(Point(lon, lat)):
            continue
        code = str(row["country"])
        who = f"{row['name']} ({row['place_id']})"
        field = "lat" if row["coord_method"] == "published" else "distance_km"
        if not geography.borders_of(code):
            problems.append(
                Problem(
                    "places.csv",
                    int(r) + 2,
                    "country",
                    f"{who}: {code} is not a country the {geography.name} geography knows",
                )
            )
            continue
        border, km = _nearest_border(geography, code, lon, lat)
        assert border is not None
        if row["kind"] == "border_crossing":
            if km * 1000.0 > float(row["precision_m"]):
                problems.append(
                    Problem(
                        "places.csv",
                        int(r) + 2,
                        field,
                        f"{who} is a border crossing {km:.1f} km from the {border.name}, "
                        f"beyond its precision of {float(row['precision_m']) / 1000:g} km",
                    )
                )
            continue
        inside = geography.country_at(lon, lat)
        # its precision radius reaches this far (fmax: none given reaches no further)
        reach_km = np.fmax(BORDER_ACCURACY_KM, float(row["precision_m"]) / 1000.0)
        if inside != code and km > reach_km:
            where = COUNTRY_NAMES.get(inside, inside) if inside else "no country (the sea?)"
            problems.append(
                Problem(
                    "places.csv",
                    int(r) + 2,
                    field,
                    f"{who} lies in {where}, {km:.1f} km from the {border.name}, not in "
                    f"{COUNTRY_NAMES.get(code, code)} as its country says",
                )
            )
    return problems


# --------------------------------------------------------------------------- grades

#: how a claim's sources are graded must obey these rules (stated in embedded/README.md)
GRADE_RULES: dict[str, str] = {
    "confirmed-needs-two": "credibility 1 (confirmed by other sources) needs another source "
    "on the same record, from a different originator, graded 1 or 2",
    "one-claim-one-grade": "a source cited on an event and on a period count that counts it "
    "gives them the same credibility, unless the count's note says why ('credibility')",
    "unjudged-not-probable": "a source whose reliability cannot be judged (F) never makes a "
    "claim probably true (credibility 2)",
    "exact-needs-grade": "a period count is `exact` only if a citation grades it 1 or 2; a "
    "figure no better than possibly true is `unconfirmed`",
    "disputed-stays-out": "an actor or place that only weaker sources give is not in the "
    "event's actors or places but a claim in conflicts.csv (subject actor:<id> or "
    "place:<id>, beside the event's own claim), graded weaker than the event's claim",
}

_VIA = re.compile(r"\s+via\s+.*$", re.IGNORECASE)
_COPY = re.compile(r"\(([^()]+?)\s+copy\)", re.IGNORECASE)


def originator(publisher: str) -> str:
    """Who a source's claim comes from: 'Turkish Ministry of National Defence via TRT World'
    and '… via gazetemru.com' are one originator; 'Devdiscourse (Reuters copy)' is Reuters."""
    copy = _COPY.search(publisher)
    if copy:
        return copy.group(1).strip().casefold()
    return _VIA.sub("", publisher).strip().casefold()


def _grade_problem(row: pd.Series, rule: str, text: str, field: str = "sources") -> Problem:
    return Problem(str(row["file"]), int(row["row"]) + 2, field, f"{text} [{rule}]")


def _with_source(citations: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """``citations.merge(sources, on="source_id", how="inner")``: the citations of known
    sources, in their order, with the sources' columns; by lookup where the source ids are
    unique (a million citations of a few dozen sources need no join)."""
    if not sources["source_id"].is_unique:
        return citations.merge(sources, on="source_id", how="inner")
    out = citations[member(citations["source_id"], sources["source_id"])].reset_index(drop=True)
    by_id = sources.set_index("source_id")
    for column in by_id.columns:
        out[column] = lookup(out["source_id"], by_id[column]).to_numpy()
    return out


def check_grades(
    citations: pd.DataFrame,
    sources: pd.DataFrame,
    events: pd.DataFrame,
    event_actors: pd.DataFrame,
    event_places: pd.DataFrame,
    period_counts: pd.DataFrame,
    conflicts: pd.DataFrame,
) -> list[Problem]:
    """Problems for citations and records that break ``GRADE_RULES``. ``citations`` carries
    ``file`` and ``row`` (the frame index of the record in its file)."""
    problems: list[Problem] = []
    cites = _with_source(citations, sources[["source_id", "publisher", "reliability"]])
    origins = {p: originator(p) for p in cites["publisher"].unique()}
    cites["origin"] = cites["publisher"].map(origins)

    def label(row: pd.Series) -> str:
        if row["record_type"] == "conflict":
            return f"claim of conflict {conflicts.loc[row['record_id'], 'conflict_id']}"
        return f"{row['record_type'].replace('_', ' ')} {row['record_id']}"

    # confirmed-needs-two: a 1 needs a second originator among the record's 1s and 2s
    key = ["file", "record_type", "record_id"]
    strong = cites[cites["credibility"] <= 2].groupby(key)["origin"].nunique()
    ones = cites[cites["credibility"] == 1]
    alone = ones.join(strong.rename("n_origins"), on=key)["n_origins"] < 2
    for _, row in ones[alone].iterrows():
        problems.append(
            _grade_problem(
                row,
                "confirmed-needs-two",
                f"{label(row)}: {row['source_id']} is graded 1 (confirmed by other "
                "sources) but no other independent source on it is graded 1 or 2",
            )
        )

    # unjudged-not-probable
    for _, row in cites[(cites["reliability"] == "F") & (cites["credibility"] == 2)].iterrows():
        problems.append(
            _grade_problem(
                row,
                "unjudged-not-probable",
                f"{label(row)}: {row['source_id']} is an F source (reliability cannot be "
                "judged) and cannot make a claim probably true (2)",
            )
        )

    # exact-needs-grade
    pc_cites = cites[cites["record_type"] == "period_count"]
    best = pc_cites.groupby("record_id")["credibility"].min()
    for r, pc in period_counts.iterrows():
        grade = best.get(pc["count_id"])
        if pc["qualifier"] == "exact" and grade is not None and grade > 2:
            problems.append(
                Problem(
                    "period_counts.csv",
                    int(r) + 2,
                    "qualifier",
                    f"period count {pc['count_id']} is `exact` but no citation grades it better "
                    f"than {grade}; a figure that is only possibly true is `unconfirmed` "
                    "[exact-needs-grade]",
                )
            )

    # one-claim-one-grade: the same source on a count and on an event it counts
    ev_cites = cites[cites["record_type"] == "event"][["record_id", "source_id", "credibility"]]
    # (only the sources a count cites can grade a claim twice)
    ev_cites = ev_cites[member(ev_cites["source_id"], pc_cites["source_id"])]
    ev = events[["event_id", "theatre_id", "kind", "start", "end", "route_id"]].merge(
        ev_cites.rename(columns={"record_id": "event_id", "credibility": "credibility_event"}),
        on="event_id",
    )
    pcs = period_counts[
        ["count_id", "theatre_id", "event_kind", "period_start", "period_end", "route_ids", "note"]
    ]
    pairs = pc_cites.merge(pcs, left_on="record_id", right_on="count_id").merge(
        ev, on="source_id", suffixes=("", "_ev")
    )
    counted = (
        (pairs["theatre_id"] == pairs["theatre_id_ev"])
        & (pairs["kind"] == pairs["event_kind"])
        & (pairs["start"] >= pairs["period_start"])
        & (pairs["end"] <= pairs["period_end"] + pd.Timedelta(days=1))
        & np.array(
            [
                not rs or r in rs
                for rs, r in zip(pairs["route_ids"], pairs["route_id"], strict=True)
            ],
            dtype=bool,
        )
    )
    differ = (pairs["credibility"] != pairs["credibility_event"]) & ~pairs[
        "note"
    ].str.casefold().str.contains("credibility")
    for _, row in pairs[counted & differ].drop_duplicates(["count_id", "source_id"]).iterrows():
        problems.append(
            _grade_problem(
                row,
                "one-claim-one-grade",
                f"period count {row['count_id']}: {row['source_id']} is graded "
                f"{row['credibility']} here and {row['credibility_event']} on event "
                f"{row['event_id']}, which it counts; grade the claim once or say why in "
                "the note",
            )
        )

    # disputed-stays-out
    best_claim = cites[cites["record_type"] == "conflict"].groupby("record_id")["credibility"].min()
    # (event, actor) and (event, place) pairs the events list, for the ids claims dispute
    claimed = conflicts.loc[member(conflicts["subject_type"], ["actor", "place"]), "subject_id"]
    listed = {
        kind: set(zip(frame.loc[hit, "event_id"], frame.loc[hit, column], strict=True))
        for kind, frame, column in (
            ("actor", event_actors, "actor_id"),
            ("place", event_places, "place_id"),
        )
        for hit in [member(frame[column], claimed)]
    }
    for _, group in conflicts.groupby("conflict_id", sort=False):
        on_events = group[group["subject_type"] == "event"]
        if on_events.empty:
            continue
        event_grade = min(best_claim.get(i, 6) for i in on_events.index)
        for r, claim in group[member(group["subject_type"], ["actor", "place"])].iterrows():
            kind, ident = claim["subject_type"], claim["subject_id"]
            for event_id in on_events["subject_id"]:
                if (event_id, ident) in listed[kind]:
                    problems.append(
                        Problem(
                            "conflicts.csv",
                            int(r) + 2,
                            "subject",
                            f"{kind} {ident} is disputed for event {event_id} "
                            f"(conflict {claim['conflict_id']}) but the event lists it as fact "
                            "[disputed-stays-out]",
                        )
                    )
            if best_claim.get(r, 6) <= event_grade:
                problems.append(
                    Problem(
                        "conflicts.csv",
                        int(r) + 2,
                        "sources",
                        f"{kind} {ident}: the disputed claim is graded as well as the event's "
                        f"own ({best_claim.get(r, 6)}); a claim that strong belongs in the "
                        "event [disputed-stays-out]",
                    )
                )
    return problems


# --------------------------------------------------------------------------- disputed


def disputed_actors(conflicts: pd.DataFrame) -> pd.DataFrame:
    """Actors that only weaker sources name on an event (claims in conflicts.csv with
    subject ``actor:<id>`` beside the event's own claim): event_id, actor_id, conflict_id,
    topic, claim. They are not in the event's actors, so no count includes them."""
    cols = ["event_id", "actor_id", "conflict_id", "topic", "claim"]
    if conflicts.empty:
        return pd.DataFrame(columns=cols)
    actor_rows = conflicts[conflicts["subject_type"] == "actor"]
    event_rows = conflicts[conflicts["subject_type"] == "event"][["conflict_id", "subject_id"]]
    out = actor_rows.merge(event_rows, on="conflict_id", suffixes=("", "_event"))
    out = out.rename(columns={"subject_id": "actor_id", "subject_id_event": "event_id"})
    return out[cols].reset_index(drop=True)


def disputed_actor_notes(conflicts: pd.DataFrame) -> dict[str, str]:
    """actor_id → a short note for the actor filter ('disputed on 1 event, not counted')."""
    found = disputed_actors(conflicts)
    n = found.groupby("actor_id")["event_id"].nunique()
    return {
        a: f"disputed on {k} event{'s' if k != 1 else ''}: named only by weaker sources, "
        "not counted"
        for a, k in n.items()
    }


def keep_inside(
    coords: tuple[tuple[float, float], ...], country: str, geography: Geography | None
) -> tuple[tuple[float, float], ...]:
    """A route's (lat, lon) path with every stretch of a straight segment that would leave
    ``country`` replaced by the border between where it leaves and where it comes back: a
    patrol between two Syrian places is drawn along the border, never through Turkey.
    Stretches shorter than 10 m are left as they are."""
    if geography is None or country not in geography.countries or len(coords) < 2:
        return coords
    area = geography.countries[country]
    borders = geography.borders_of(country)
    out: list[tuple[float, float]] = [coords[0]]
    for a, b in zip(coords[:-1], coords[1:], strict=True):
        seg = LineString([(a[1], a[0]), (b[1], b[0])])
        outside = [
            p
            for p in shapely.get_parts(seg.difference(area))
            if isinstance(p, LineString) and WGS84.line_length(*np.asarray(p.coords).T) > 10.0
        ]
        for piece in sorted(outside, key=lambda p: seg.project(Point(p.coords[0]))):
            p, q = Point(piece.coords[0]), Point(piece.coords[-1])
            if seg.project(p) > seg.project(q):
                p, q = q, p
            border = min(borders, key=lambda bd: bd.line.distance(p) + bd.line.distance(q))
            path = shapely.ops.substring(
                border.line, border.line.project(p), border.line.project(q)
            )
            along = [(round(y, 6), round(x, 6)) for x, y in np.asarray(path.coords)]
            out.extend([(round(p.y, 6), round(p.x, 6)), *along, (round(q.y, 6), round(q.x, 6))])
        out.append(b)
    return tuple(dict.fromkeys(out))  # drop repeated points, keep order
