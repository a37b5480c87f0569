"""A small SYNTHETIC data set for unit tests, written to a directory by code.

Every record here is made up for testing (names say so); none of it is shown by the app.
Tests that need known answers use it; tests about the real data use data/embedded/.
"""

from __future__ import annotations

import csv
import functools
import json
import pickle
from pathlib import Path

SYN = "synthetic-test-source:6"

SOURCES = [
    {
        "source_id": "synthetic-test-source",
        "publisher": "Synthetic test publisher",
        "title": "Synthetic test fixture (not real)",
        "url": "https://example.org/synthetic",
        "published": "2020-01-01",
        "language": "en",
        "kind": "dataset",
        "affiliation": "unknown",
        "reliability": "F",
        "reliability_basis": "synthetic",
    },
    {
        "source_id": "synthetic-official",
        "publisher": "Synthetic ministry",
        "title": "Synthetic statement (not real)",
        "url": "https://example.org/official",
        "published": "2021",
        "language": "en",
        "kind": "official_statement",
        "affiliation": "unknown",
        "reliability": "B",
        "reliability_basis": "synthetic",
    },
]

THEATRES = [
    {"theatre_id": "syn_a", "name": "Synthetic theatre A", "description": "", "sources": SYN},
    {"theatre_id": "syn_b", "name": "Synthetic theatre B", "description": "", "sources": SYN},
]

ACTORS = [
    {
        "actor_id": "blue",
        "name": "Blue forces",
        "kind": "state_forces",
        "parent_id": "",
        "aliases": "Blue army|Blues",
        "color": "#0072B2",
    },
    {
        "actor_id": "blue_mp",
        "name": "Blue military police",
        "kind": "state_forces",
        "parent_id": "blue",
        "aliases": "Blue MP",
        "color": "",
    },
    {
        "actor_id": "red",
        "name": "Red forces",
        "kind": "state_forces",
        "parent_id": "",
        "aliases": "",
        "color": "#D55E00",
    },
    {
        "actor_id": "aid",
        "name": "Aid agency",
        "kind": "un_agency",
        "parent_id": "",
        "aliases": "",
        "color": "#009E73",
    },
]


def _place(pid: str, name: str, kind: str, method: str, **kw: str) -> dict[str, str]:
    row = {
        "place_id": pid,
        "name": name,
        "alt_names": kw.get("alt_names", ""),
        "kind": kind,
        "country": "SY",
        "coord_method": method,
        "lat": kw.get("lat", ""),
        "lon": kw.get("lon", ""),
        "anchor_id": kw.get("anchor_id", ""),
        "bearing_deg": kw.get("bearing_deg", ""),
        "distance_km": kw.get("distance_km", ""),
        "precision_m": kw.get("precision_m", ""),
        "derivation": kw.get("derivation", ""),
        "operator_id": kw.get("operator_id", ""),
        "active_from": kw.get("active_from", ""),
        "active_to": kw.get("active_to", ""),
        "sources": SYN,
        "note": "",
    }
    return row


PLACES = [
    _place(
        "town_a",
        "Synthtown",
        "town",
        "published",
        lat="37.0",
        lon="40.0",
        precision_m="1000",
        alt_names="Synthville|سينث",
    ),
    _place("town_b", "Fakeburg", "town", "published", lat="37.0", lon="41.0", precision_m="1000"),
    _place(
        "gate",
        "Synthetic gate",
        "border_crossing",
        "derived",
        anchor_id="town_a",
        bearing_deg="270",
        distance_km="13",
        precision_m="3000",
    ),
    _place(
        "base",
        "Synthetic base",
        "base",
        "published",
        lat="36.9",
        lon="40.5",
        precision_m="500",
        operator_id="blue",
        active_from="2020-01",
        active_to="2021-06-30",
    ),
    _place("nowhere", "Unplaced hamlet", "village", "unplaced"),
]

ROUTES = [
    {
        "route_id": "track",
        "name": "Synthetic track",
        "theatre_id": "syn_a",
        "kind": "patrol_track",
        "waypoints": ["gate", "town_a", "town_b"],
        "entry_id": "gate",
        "base_ids": ["base"],
        "description": "synthetic",
        "sources": SYN,
    },
]


def _event(eid: str, when: str, precision: str, kind: str = "joint_patrol", **kw: str) -> dict:
    return {
        "event_id": eid,
        "theatre_id": kw.get("theatre_id", "syn_a"),
        "date": when,
        "date_precision": precision,
        "end_date": kw.get("end_date", ""),
        "kind": kind,
        "status": kw.get("status", "carried_out"),
        "actors": kw.get("actors", "blue:patrolling|red:patrolling"),
        "places": kw.get("places", "gate|town_a"),
        "route_id": kw.get("route_id", "track"),
        "patrol_number": kw.get("patrol_number", ""),
        "number_scheme": kw.get("scheme", ""),
        "vehicles": kw.get("vehicles", ""),
        "distance_km": kw.get("distance_km", ""),
        "description": kw.get("description", f"synthetic event {eid}"),
        "milestone": kw.get("milestone", ""),
        "sources": kw.get("sources", SYN),
    }


def store_event(eid: str, **fields: str) -> dict[str, str]:
    """One SYNTHETIC event as the store holds it (every column a text), on the fixture's
    places and actors; ``fields`` replace columns."""
    row = {
        "event_id": eid,
        "theatre_id": "syn_a",
        "date": "2020-06-04",
        "date_precision": "day",
        "end_date": "",
        "kind": "joint_patrol",
        "status": "carried_out",
        "actors": "blue:patrolling|red:patrolling",
        "places": "town_a",
        "route_id": "",
        "patrol_number": "",
        "number_scheme": "",
        "vehicles": "",
        "distance_km": "",
        "description": "SYNTHETIC event written by the tests",
        "milestone": "",
        "sources": SYN,
    }
    return {**row, **fields}


EVENTS = [
    _event(
        "e-agree",
        "2020-01-10",
        "day",
        "agreement",
        actors="blue:party|red:party",
        places="",
        route_id="",
        milestone="Synthetic accord",
    ),
    _event("e1", "2020-02-03", "day", patrol_number="1", scheme="syn"),
    _event(
        "e2",
        "2020-02-17",
        "day",
        patrol_number="2",
        scheme="syn",
        actors="blue_mp:patrolling|red:patrolling",
    ),
    _event("e3", "2020-03", "month", patrol_number="3", scheme="syn"),
    _event(
        "e4", "2020-05-05", "day", actors="blue:patrolling", kind="single_patrol", places="town_b"
    ),
    _event("e5", "2021-01-04", "day", places="nowhere", route_id=""),
    _event("e-cancel", "2021-02-01", "day", "cancellation", status="cancelled"),
    _event(
        "e-halt",
        "2021-03-01",
        "day",
        "suspension",
        end_date="2021-09-01",
        actors="red:party",
        places="",
        route_id="",
        milestone="Synthetic halt",
        sources="synthetic-official:2",
    ),
    _event(
        "e-disputed",
        "2021-05",
        "month",
        status="disputed",
        places="town_a",
        description="a patrol only one outlet reports",
    ),
    _event("e6", "2021-09-01", "day", milestone="Synthetic resumption"),
    _event(
        "e-escort",
        "2021-10-02",
        "day",
        "convoy_escort",
        actors="blue:escort|aid:escorted",
        places="town_a|town_b",
        route_id="",
    ),
    _event("e7", "2021-11-15", "day", theatre_id="syn_b", places="", route_id=""),
]

PERIOD_COUNTS = [
    {
        "count_id": "pc-total",
        "theatre_id": "syn_a",
        "metric": "joint_patrols",
        "event_kind": "joint_patrol",
        "scope": "synthetic, all",
        "route_ids": "",
        "period_start": "2020-01-01",
        "period_end": "2021-02-28",
        "count_low": "12",
        "count_high": "12",
        "unit": "total",
        "qualifier": "exact",
        "sources": "synthetic-official:2",
        "note": "",
    },
    {
        "count_id": "pc-rate",
        "theatre_id": "syn_a",
        "metric": "joint_patrols",
        "event_kind": "joint_patrol",
        "scope": "synthetic, all",
        "route_ids": "track",
        "period_start": "2020-01-01",
        "period_end": "2020-12-31",
        "count_low": "3",
        "count_high": "5",
        "unit": "per_month",
        "qualifier": "range",
        "sources": SYN,
        "note": "",
    },
    {
        "count_id": "pc-water",
        "theatre_id": "syn_a",
        "metric": "water_disruptions",
        "event_kind": "water_cut",
        "scope": "synthetic",
        "route_ids": "",
        "period_start": "2020-01-01",
        "period_end": "2020-12-31",
        "count_low": "4",
        "count_high": "4",
        "unit": "total",
        "qualifier": "at_least",
        "sources": SYN,
        "note": "",
    },
]

CONFLICTS = [
    {
        "conflict_id": "c-vehicles",
        "topic": "vehicles on patrol 1",
        "subject": "event:e1",
        "claim": "8 vehicles",
        "sources": SYN,
    },
    {
        "conflict_id": "c-vehicles",
        "topic": "vehicles on patrol 1",
        "subject": "event:e1",
        "claim": "12 vehicles",
        "sources": "synthetic-official:3",
    },
]


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_mini_dataset(directory: Path, **overrides: list[dict]) -> Path:
    """Write the synthetic data set to ``directory``; ``overrides`` replace whole tables by
    file stem (``events=[...]``)."""
    directory.mkdir(parents=True, exist_ok=True)
    tables = {
        "sources": SOURCES,
        "theatres": THEATRES,
        "actors": ACTORS,
        "places": PLACES,
        "events": EVENTS,
        "period_counts": PERIOD_COUNTS,
        "conflicts": CONFLICTS,
    }
    tables.update({k: v for k, v in overrides.items() if k != "routes"})
    for stem, rows in tables.items():
        _write_csv(directory / f"{stem}.csv", rows)
    routes = overrides.get("routes", ROUTES)
    (directory / "routes.json").write_text(json.dumps(routes, indent=1), encoding="utf-8")
    (directory / "dataset.json").write_text(
        json.dumps({"name": "Synthetic test fixture", "version": "0-synthetic"}), encoding="utf-8"
    )
    return directory


@functools.cache
def _embedded_pickled() -> bytes:
    from data.load import load_dataset_files

    return pickle.dumps(load_dataset_files())


def embedded_dataset():
    """The embedded data set as ``load_dataset_files()`` gives it, read and validated once per
    test process (seconds each time): every call gets a copy of its own (unpickled), so no
    caller sees another's changes."""
    return pickle.loads(_embedded_pickled())
