"""Records an analyst adds beside the shipped data set: what they look like, how they are
checked, and how they join the shipped ``DataSet``.

A record is one row of the data dictionary (``data/embedded/README.md``) as text, exactly as
in the files, so the store, the importers and the form all validate it with the same
pandera schemas (``data.schema``) and the same cross-file checks (``data.load``).

Kinds of record: ``sources``, ``actors``, ``places``, ``routes`` (plus an optional drawn
``path``), ``events`` and ``aliases`` (another name for an actor: the alias table that
imports resolve actor names through).

``combine(base, records)`` builds the shown data set: the shipped ``base`` (built once and
cached on its files' signature) plus the records (cached on the store's revision). Only the
records are built; the base is reused as it is. An event record whose id is a shipped
event's is a correction of it and replaces it; a shipped source, actor, place or route is
corrected in the files, not here. Pure pandas; no streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pandera.pandas as pa

from data import checks, schema
from data.frames import join_ordered, member
from data.geo import path_length_km
from data.load import (
    _build_actors,
    _build_events,
    _build_places,
    _build_routes,
    _build_sources,
    _citations,
    grade_events,
)
from data.model import DataSet
from data.schema import Problem

#: kinds of record, in the order they are built and written (referenced before referring)
TABLES: tuple[str, ...] = ("sources", "actors", "aliases", "places", "routes", "events")

ID_COLUMN: dict[str, str] = {
    "sources": "source_id",
    "actors": "actor_id",
    "aliases": "alias",
    "places": "place_id",
    "routes": "route_id",
    "events": "event_id",
}

#: one record of each kind, as an analyst reads it
KIND: dict[str, str] = {
    "sources": "source",
    "actors": "actor",
    "aliases": "actor alias",
    "places": "place",
    "routes": "route",
    "events": "event",
}

#: a route drawn by hand (KML/GeoJSON LineString): ``lat,lon`` points separated by ``|``
POINT = r"-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?"
PATH = rf"^{POINT}(\|{POINT})+$"

ROUTES = pa.DataFrameSchema(
    {
        **{k: v for k, v in schema.ROUTES.columns.items() if k != "waypoints"},
        "waypoints": schema._text(schema.SLUG_LIST, required=False, what="a list of place ids"),
        "path": pa.Column(
            str,
            checks=[
                pa.Check(
                    lambda s: (s == "") | s.str.fullmatch(PATH),
                    error="is not a path of lat,lon points separated by |",
                ),
                pa.Check(
                    lambda s: (s == "") | ~s.str.fullmatch(PATH) | _path_in_range(s),
                    error="has a point out of range (lat -90..90, lon -180..180)",
                ),
            ],
        ),
    },
    strict=True,
    ordered=False,
    unique=["route_id"],
)

ALIASES = pa.DataFrameSchema(
    {
        "alias": schema._text(what="a name"),
        "actor_id": schema._text(schema.SLUG, what="an actor id"),
        "note": schema._text(required=False),
    },
    strict=True,
    ordered=False,
    unique=["alias"],
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "sources": schema.SOURCES,
    "actors": schema.ACTORS,
    "aliases": ALIASES,
    "places": schema.PLACES,
    "routes": ROUTES,
    "events": schema.EVENTS,
}

#: the text columns of each kind of record, id first
COLUMNS: dict[str, list[str]] = {
    t: [ID_COLUMN[t]] + [c for c in SCHEMAS[t].columns if c != ID_COLUMN[t]] for t in TABLES
}

#: numeric columns written canonically ("12.50" and "12.5" are the same value)
NUMERIC: dict[str, tuple[str, ...]] = {
    "places": ("lat", "lon", "bearing_deg", "distance_km", "precision_m"),
    "events": ("vehicles", "distance_km"),
}


def _path_in_range(s: pd.Series) -> pd.Series:
    points = s.str.split("|").explode().str.split(",", expand=True)
    lat = pd.to_numeric(points[0], errors="coerce")
    lon = pd.to_numeric(points[1], errors="coerce")
    ok = lat.between(-90, 90) & lon.between(-180, 180)
    return ok.groupby(level=0).all().reindex(s.index, fill_value=True)


@dataclass(frozen=True)
class RecordProblem:
    """What is wrong with one record (or one field of it)."""

    table: str
    record_id: str
    field: str | None
    problem: str

    def __str__(self) -> str:
        where = f"{KIND.get(self.table, self.table)} {self.record_id!r}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.problem}"


# --------------------------------------------------------------------------- text


def empty(table: str) -> pd.DataFrame:
    """A frame of no records of this kind, with its text columns."""
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in COLUMNS[table]})


def canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The record columns of ``frame`` as stripped text ('' for missing), numbers written one
    way ("12.50" → "12.5", "7.0" → "7"), in the order of ``COLUMNS``. Extra columns dropped;
    missing ones filled with ''."""
    # the columns are made apart and the frame once (a column inserted into a frame at a
    # time took half of a small import's checks)
    out: dict[str, pd.Series] = {}
    for col in COLUMNS[table]:
        if col in frame.columns:
            values = frame[col]
            out[col] = values.astype("str").where(values.notna(), "").str.strip()
        else:
            out[col] = pd.Series("", index=frame.index, dtype="str")
    for col in NUMERIC.get(table, ()):
        text = out[col]
        num = text.str.fullmatch(r"-?\d+\.\d*")
        if num.any():
            trimmed = text.str.replace(r"0+$", "", regex=True).str.replace(r"\.$", "", regex=True)
            out[col] = text.where(~num, trimmed)
    return pd.DataFrame(out, index=frame.index)


def row_hashes(table: str, frame: pd.DataFrame) -> pd.Series:
    """A content hash per record (16 hex digits), stable across runs and machines: the same
    record text always gives the same hash, so re-importing a file changes nothing."""
    text = canonical(table, frame)
    if text.empty:
        return pd.Series([], dtype="str", index=frame.index)
    hashed = pd.util.hash_pandas_object(text, index=False).to_numpy(dtype=np.uint64)
    return pd.Series(np.char.mod("%016x", hashed), index=frame.index, dtype="str")


def record_json(values: Mapping[str, object]) -> str:
    """A record's values as stable JSON (for the audit trail)."""
    return json.dumps({k: values[k] for k in sorted(values)}, ensure_ascii=False)


def event_texts(ds: DataSet, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The events (all of ``ds``, or the given rows of ``ds.events``) as data-dictionary text
    rows, ``sources`` rebuilt from the citations in their written order."""
    ev = ds.events if events is None else events
    out = ev.reindex(columns=[c for c in COLUMNS["events"] if c != "sources"]).copy()
    out["vehicles"] = ev["vehicles"].astype("Int64").astype("str").replace("<NA>", "")
    out["distance_km"] = ev["distance_km"].map(lambda v: "" if pd.isna(v) else f"{v:.12g}")
    cites = ds.citations[
        (ds.citations["record_type"] == "event") & member(ds.citations["record_id"], ev["event_id"])
    ]
    joined = join_ordered(
        cites["record_id"], cites["source_id"] + ":" + cites["credibility"].astype("str"), "|"
    )
    out["sources"] = ev["event_id"].map(joined).fillna("")
    return canonical("events", out)


# --------------------------------------------------------------------------- checks


def _to_record_problems(
    table: str, frame: pd.DataFrame, problems: list[Problem]
) -> list[RecordProblem]:
    """Map problems whose row is a position in ``frame`` (row = index + 2) to records.
    Rows outside the frame (the shipped rows a build saw beside it) are dropped."""
    ids = frame[ID_COLUMN[table]].tolist()
    out = []
    for p in problems:
        if p.row is None:
            out.extend(RecordProblem(table, i, p.field, p.problem) for i in ids)
            continue
        pos = p.row - 2
        if 0 <= pos < len(ids):
            out.append(RecordProblem(table, ids[pos], p.field, p.problem))
    return out


def _check_text(records: Mapping[str, pd.DataFrame]) -> list[RecordProblem]:
    """Field-by-field checks of each record (the files' pandera schemas); ``records`` as
    :func:`_prepare` gives them (canonical text, numbered from 0)."""
    out: list[RecordProblem] = []
    for table in TABLES:
        text = records.get(table)
        if text is None or text.empty:
            continue
        found = schema.problems_from(table, text, SCHEMAS[table])
        out.extend(_to_record_problems(table, text, found))
    return out


def _prepare(records: Mapping[str, pd.DataFrame] | None) -> dict[str, pd.DataFrame]:
    records = records or {}
    return {
        t: (
            canonical(t, records[t]).reset_index(drop=True)
            if t in records and records[t] is not None
            else empty(t)
        )
        for t in TABLES
    }


def combine(
    base: DataSet, records: Mapping[str, pd.DataFrame] | None, *, revision: int = 0
) -> tuple[DataSet, list[RecordProblem]]:
    """The shipped data set plus the records. A record that fails a check is left out (with
    whatever depends on it) and reported; the rest is shown. Never modifies ``base``."""
    recs = _prepare(records)
    reported: list[RecordProblem] = []
    for _ in range(len(TABLES) + 2):
        if all(f.empty for f in recs.values()):
            return _label(base, base, revision, 0), reported
        ds, problems = _combine_once(base, recs, revision)
        if not problems:
            return ds, reported
        reported.extend(problems)
        for table in TABLES:
            bad = {p.record_id for p in problems if p.table == table}
            if bad:
                frame = recs[table]
                recs[table] = frame[~frame[ID_COLUMN[table]].isin(bad)].reset_index(drop=True)
    return _label(base, base, revision, 0), reported


def check_records(base: DataSet, records: Mapping[str, pd.DataFrame]) -> list[RecordProblem]:
    """Every problem the records would have beside ``base`` (nothing left out)."""
    _, problems = _combine_once(base, _prepare(records), 0)
    return problems


def _label(ds: DataSet, base: DataSet, revision: int, n_records: int) -> DataSet:
    meta = {**base.meta, "store_revision": str(revision), "store_records": str(n_records)}
    version = base.version if not n_records else f"{base.version}+store.r{revision}"
    return replace(ds, version=version, meta=meta)


def _concat(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    if b.empty:
        return a
    if a.empty:
        return b.reset_index(drop=True)
    return pd.concat([a, b], ignore_index=True)


def _combine_once(
    base: DataSet, recs: dict[str, pd.DataFrame], revision: int
) -> tuple[DataSet, list[RecordProblem]]:
    problems = _check_text(recs)
    shipped = {
        "sources": base.sources["source_id"],
        "actors": base.actors["actor_id"],
        "places": base.places["place_id"],
        "routes": base.routes["route_id"],
    }
    for table, ids in shipped.items():
        frame = recs[table]
        clash = frame[ID_COLUMN[table]].isin(ids)
        problems.extend(
            RecordProblem(
                table,
                i,
                ID_COLUMN[table],
                f"is the id of a shipped {KIND[table]}: shipped records are corrected in the "
                "data set's files; give this one another id",
            )
            for i in frame.loc[clash, ID_COLUMN[table]]
        )
    if problems:
        return base, problems

    # sources
    sources = base.sources
    if len(recs["sources"]):
        sources = _concat(base.sources, _build_sources(recs["sources"]))
    # actors: rebuilt with the shipped ones (roll-ups may cross), aliases appended
    actor_cols = COLUMNS["actors"]
    offset = len(base.actors) + 10
    base_text = base.actors[actor_cols].copy()
    base_text.index = pd.RangeIndex(-offset, -offset + len(base_text))
    text = pd.concat([base_text, recs["actors"][actor_cols]])
    found: list[Problem] = []
    actors = _build_actors(text, found)
    problems.extend(_to_record_problems("actors", recs["actors"], found))
    aliases = recs["aliases"]
    if len(aliases):
        unknown = ~aliases["actor_id"].isin(actors["actor_id"])
        problems.extend(
            RecordProblem("aliases", a, "actor_id", f"actor {i!r} is not defined")
            for a, i in zip(
                aliases.loc[unknown, "alias"], aliases.loc[unknown, "actor_id"], strict=True
            )
        )
        extra = join_ordered(aliases["actor_id"], aliases["alias"], "|")
        more = actors["actor_id"].map(extra)
        joined = (actors["aliases"] + "|" + more).str.strip("|")
        actors["aliases"] = joined.where(more.notna(), actors["aliases"])
    actors = actors.reset_index(drop=True)

    # places: built beside the shipped ones, which may be their anchors
    places = base.places
    if len(recs["places"]):
        found = []
        # judged as the shipped places are: in their country, crossings on its border
        geography = checks.geography_for(base.meta, [])
        new_places = _build_places(
            recs["places"], actors, found, known=base.places, geography=geography
        )
        found.extend(checks.check_places(new_places, geography))
        problems.extend(_to_record_problems("places", recs["places"], found))
        places = _concat(base.places, new_places)

    # routes: waypoints through any place; a drawn path replaces the straight segments
    routes, waypoints = base.routes, base.route_waypoints
    if len(recs["routes"]):
        rt = recs["routes"]
        none = (rt["waypoints"] == "") & (rt["path"] == "")
        problems.extend(
            RecordProblem("routes", i, "waypoints", "a route needs waypoints or a drawn path")
            for i in rt.loc[none, "route_id"]
        )
        found = []
        new_routes, new_wp = _build_routes(rt.drop(columns=["path"]), places, base.theatres, found)
        problems.extend(_to_record_problems("routes", rt, found))
        drawn = rt["path"] != ""
        if drawn.any():
            paths = (
                rt.loc[drawn, "path"]
                .str.split("|")
                .map(
                    lambda pts: tuple(
                        (round(float(p.split(",")[0]), 6), round(float(p.split(",")[1]), 6))
                        for p in pts
                    )
                )
            )
            idx = paths.index
            new_routes.loc[idx, "coords"] = paths
            new_routes.loc[idx, "n_placed"] = paths.map(len)
            new_routes.loc[idx, "length_km"] = paths.map(path_length_km).round(1)
            new_routes.loc[idx, "geometry_method"] = "as drawn: a path from an imported file"
        routes = _concat(base.routes, new_routes)
        waypoints = _concat(base.route_waypoints, new_wp)

    # events: a record with a shipped event's id corrects it
    events, event_actors, event_places = base.events, base.event_actors, base.event_places
    citations = base.citations
    rev = recs["events"]
    if len(rev):
        corrected = set(rev["event_id"]) & set(base.events["event_id"])
        if corrected:
            events = events[~member(events["event_id"], corrected)]
            event_actors = event_actors[~member(event_actors["event_id"], corrected)]
            event_places = event_places[~member(event_places["event_id"], corrected)]
            citations = citations[
                ~((citations["record_type"] == "event") & member(citations["record_id"], corrected))
            ]
        found = []
        new_events, new_ea, new_ep = _build_events(
            rev, actors, places, routes, base.theatres, found
        )
        problems.extend(_to_record_problems("events", rev, found))
    # citations of the records
    new_cites = []
    for table, record_type in (("places", "place"), ("routes", "route"), ("events", "event")):
        frame = recs[table]
        if frame.empty:
            continue
        cites = _citations(frame, record_type, ID_COLUMN[table])
        unknown = ~cites["source_id"].isin(sources["source_id"])
        problems.extend(
            RecordProblem(table, r, "sources", f"source {s!r} is not defined")
            for r, s in zip(
                cites.loc[unknown, "record_id"], cites.loc[unknown, "source_id"], strict=True
            )
        )
        new_cites.append(cites.drop(columns=["row"]))
    if problems:
        return base, problems
    for cites in new_cites:
        citations = _concat(citations, cites)
    if len(rev):
        grade_events(new_events, citations, sources)
        events = _concat(events.reset_index(drop=True), new_events)
        event_actors = _concat(event_actors.reset_index(drop=True), new_ea)
        event_places = _concat(event_places.reset_index(drop=True), new_ep)

    n_records = sum(len(f) for f in recs.values())
    ds = DataSet(
        name=base.name,
        version=base.version,
        events=events.reset_index(drop=True),
        event_actors=event_actors.reset_index(drop=True),
        event_places=event_places.reset_index(drop=True),
        citations=citations.reset_index(drop=True),
        sources=sources.reset_index(drop=True),
        actors=actors,
        places=places.reset_index(drop=True),
        routes=routes.reset_index(drop=True),
        route_waypoints=waypoints.reset_index(drop=True),
        period_counts=base.period_counts,
        conflicts=base.conflicts,
        theatres=base.theatres,
        meta=dict(base.meta),
    )
    return _label(ds, base, revision, n_records), []
