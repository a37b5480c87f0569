"""SYNTHETIC data sets for benchmarks: made-up events at realistic shapes and sizes.

Everything written here is labelled synthetic (data set name, source titles, place and
event ids). It is for benchmarks only and is never shipped or shown as real data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

KINDS = ["joint_patrol"] * 6 + ["single_patrol", "convoy_escort", "incident", "cancellation"]
PRECISIONS = ["day"] * 8 + ["month", "week"]


def _write(path: Path, frame: pd.DataFrame) -> None:
    """CSV quoted only where needed, written by pyarrow (1M events: seconds; pandas'
    writer takes a minute)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def generate(directory: Path, n_events: int, n_places: int = 400, seed: int = 7) -> Path:
    """Write a synthetic data set of ``n_events`` events to ``directory``."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    n_sources = max(20, n_events // 50)
    sources = pd.DataFrame(
        {
            "source_id": [f"syn-src-{i}" for i in range(n_sources)],
            "publisher": [f"Synthetic outlet {i % 40}" for i in range(n_sources)],
            "title": [f"SYNTHETIC benchmark report {i}" for i in range(n_sources)],
            "url": [f"https://example.org/synthetic/{i}" for i in range(n_sources)],
            "published": "2021-01-01",
            "language": "en",
            "kind": "local_media",
            "affiliation": "unknown",
            "reliability": rng.choice(list("ABCDEF"), n_sources),
            "reliability_basis": "synthetic",
        }
    )
    _write(directory / "sources.csv", sources)
    cite = "syn-src-0:3"
    _write(
        directory / "theatres.csv",
        pd.DataFrame(
            [
                {
                    "theatre_id": "syn",
                    "name": "Synthetic theatre",
                    "description": "SYNTHETIC",
                    "sources": cite,
                }
            ]
        ),
    )
    _write(
        directory / "actors.csv",
        pd.DataFrame(
            [
                ("syn_blue", "Synthetic Blue", "state_forces", "", "", "#0072B2"),
                ("syn_blue_mp", "Synthetic Blue MP", "state_forces", "syn_blue", "", ""),
                ("syn_red", "Synthetic Red", "state_forces", "", "", "#D55E00"),
                ("syn_aid", "Synthetic Aid", "un_agency", "", "", "#009E73"),
            ],
            columns=["actor_id", "name", "kind", "parent_id", "aliases", "color"],
        ),
    )
    lat = rng.uniform(35.8, 37.2, n_places).round(4)
    lon = rng.uniform(36.3, 42.2, n_places).round(4)
    kinds = np.where(np.arange(n_places) % 25 == 0, "base", "village")
    kinds = np.where(np.arange(n_places) % 25 == 1, "border_crossing", kinds)
    places = pd.DataFrame(
        {
            "place_id": [f"syn-place-{i}" for i in range(n_places)],
            "name": [f"Synthetic place {i}" for i in range(n_places)],
            "alt_names": "",
            "kind": kinds,
            "country": "SY",
            "coord_method": "published",
            "lat": lat,
            "lon": lon,
            "anchor_id": "",
            "bearing_deg": "",
            "distance_km": "",
            "precision_m": rng.choice([500, 1000, 3000, 8000], n_places),
            "derivation": "",
            "operator_id": np.where(kinds == "base", "syn_blue", ""),
            "active_from": "",
            "active_to": "",
            "sources": cite,
            "note": "SYNTHETIC",
        }
    )
    _write(directory / "places.csv", places)
    routes = [
        {
            "route_id": f"syn-route-{r}",
            "name": f"Synthetic route {r}",
            "theatre_id": "syn",
            "kind": "patrol_track",
            "waypoints": [f"syn-place-{(r * 7 + k) % n_places}" for k in range(4)],
            "entry_id": "",
            "base_ids": [],
            "description": "SYNTHETIC",
            "sources": cite,
        }
        for r in range(12)
    ]
    (directory / "routes.json").write_text(json.dumps(routes), encoding="utf-8")

    span = (pd.Timestamp("2024-12-31") - pd.Timestamp("2019-11-01")).days
    days = rng.integers(0, span, n_events)
    # each calendar day formatted once, then looked up (1M events: seconds, not minutes)
    calendar = pd.Timestamp("2019-11-01") + pd.to_timedelta(np.arange(span), unit="D")
    precision = rng.choice(PRECISIONS, n_events)
    date_text = np.where(
        precision == "day",
        np.asarray(calendar.strftime("%Y-%m-%d"))[days],
        np.where(
            precision == "month",
            np.asarray(calendar.strftime("%Y-%m"))[days],
            np.asarray(calendar.strftime("%G-W%V"))[days],
        ),
    )
    p1 = rng.integers(0, n_places, n_events)
    p2 = rng.integers(0, n_places, n_events)
    has_place = rng.random(n_events) > 0.08
    places_text = np.where(
        has_place, "syn-place-" + p1.astype(str) + "|syn-place-" + p2.astype(str), ""
    )
    kind = rng.choice(KINDS, n_events)
    actors = np.where(
        kind == "single_patrol",
        "syn_blue_mp:patrolling",
        np.where(
            kind == "convoy_escort",
            "syn_blue:escort|syn_aid:escorted",
            "syn_blue:patrolling|syn_red:patrolling",
        ),
    )
    src = rng.integers(0, n_sources, n_events)
    events = pd.DataFrame(
        {
            "event_id": np.char.add("syn-ev-", np.arange(n_events).astype(str)),
            "theatre_id": "syn",
            "date": date_text,
            "date_precision": precision,
            "end_date": "",
            "kind": kind,
            "status": np.where(kind == "cancellation", "cancelled", "carried_out"),
            "actors": actors,
            "places": places_text,
            "route_id": np.where(
                rng.random(n_events) < 0.6,
                "syn-route-" + rng.integers(0, 12, n_events).astype(str),
                "",
            ),
            "patrol_number": "",
            "number_scheme": "",
            "vehicles": rng.integers(2, 12, n_events),
            "distance_km": "",
            "description": "SYNTHETIC benchmark event <script>alert('escaped')</script>",
            "milestone": "",
            "sources": "syn-src-"
            + src.astype(str)
            + ":"
            # credibility 3-6: a single source cannot confirm (1), and F-graded sources
            # cannot be probable (2), by the data set's grade rules
            + rng.integers(3, 7, n_events).astype(str),
        }
    )
    _write(directory / "events.csv", events)
    _write(
        directory / "period_counts.csv",
        pd.DataFrame(
            [
                {
                    "count_id": "syn-count",
                    "theatre_id": "syn",
                    "metric": "joint_patrols",
                    "event_kind": "joint_patrol",
                    "scope": "SYNTHETIC",
                    "route_ids": "",
                    "period_start": "2020-01-01",
                    "period_end": "2021-12-31",
                    "count_low": str(n_events // 3),
                    "count_high": str(n_events // 3),
                    "unit": "total",
                    # one source at credibility 3: only possibly true (exact-needs-grade)
                    "qualifier": "unconfirmed",
                    "sources": cite,
                    "note": "SYNTHETIC: the total's credibility is judged apart from the events'",
                }
            ]
        ),
    )
    _write(
        directory / "conflicts.csv",
        pd.DataFrame(
            [
                {
                    "conflict_id": "syn-c",
                    "topic": "SYNTHETIC",
                    "subject": "event:syn-ev-0",
                    "claim": side,
                    "sources": cite,
                }
                for side in ("a", "b")
            ]
        ),
    )
    (directory / "dataset.json").write_text(
        json.dumps({"name": "SYNTHETIC benchmark data", "version": f"synthetic-{n_events}"}),
        encoding="utf-8",
    )
    return directory
