"""Checks on load beyond the schema: positions against geography (the shipped Natural Earth
border), and the grade rules stated in data/embedded/README.md."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from data import checks, records
from data.geo import WGS84, point_on_line_at_distance
from data.load import EMBEDDED_DIR, load_dataset_files
from data.schema import DataSetError
from data.zones import distance_to_line_km
from tests import fixtures
from tests.fixtures import embedded_dataset


@pytest.fixture(scope="module")
def shipped():
    return embedded_dataset()


@pytest.fixture(scope="module")
def geography() -> checks.Geography:
    return checks.natural_earth_geography()


def _shipped_copy(tmp_path: Path, place_id: str, **changes: str) -> Path:
    """A copy of the shipped data set with one place's cells changed."""
    directory = tmp_path / "shipped"
    shutil.copytree(EMBEDDED_DIR, directory)
    path = directory / "places.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    (row,) = [r for r in rows if r["place_id"] == place_id]
    row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return directory


def _refused(directory: Path) -> DataSetError:
    with pytest.raises(DataSetError) as info:
        load_dataset_files(directory)
    return info.value


# --------------------------------------------------------------------------- geography


def test_geography_cuts_the_four_countries(geography):
    assert set(geography.countries) == {"SY", "TR", "IQ", "LB"}
    assert geography.country_at(38.9567, 36.55) == "SY"  # south of Tal Abyad
    assert geography.country_at(40.0, 37.2) == "TR"  # north of Ceylanpınar
    assert geography.country_at(42.5, 36.5) == "IQ"


def test_shipped_data_set_passes_the_geographic_check(shipped, geography):
    assert shipped.meta["geography"] == "natural_earth_10m"
    assert checks.check_places(shipped.places, geography) == []
    placed = shipped.places[shipped.places["placed"]]
    for row in placed.itertuples():
        inside = geography.country_at(row.lon, row.lat)
        if row.kind == "border_crossing":
            continue
        if inside != row.country:  # only border towns, within the line's accuracy
            _, km = checks._nearest_border(geography, row.country, row.lon, row.lat)
            assert km <= checks.BORDER_ACCURACY_KM, row.place_id


def test_crossing_5_km_inside_turkey_is_named_with_its_distance(tmp_path):
    # Shirk where the old derivation put it: 13 km due west of al-Darbasiyah
    directory = _shipped_copy(
        tmp_path,
        "shirk_crossing",
        coord_method="published",
        lat="37.0727",
        lon="40.5057",
        anchor_id="",
        bearing_deg="",
        distance_km="",
    )
    err = _refused(directory)
    (problem,) = err.problems
    assert (problem.file, problem.row, problem.field) == ("places.csv", 7, "lat")
    assert "Shirk border gate (shirk_crossing)" in problem.problem
    assert "5.5 km from the Syria–Turkey border" in problem.problem
    assert "beyond its precision of 3 km" in problem.problem


def test_syrian_town_placed_in_turkey_is_named_with_its_distance(tmp_path):
    directory = _shipped_copy(tmp_path, "amuda", lat="37.2500", lon="40.9300")
    err = _refused(directory)
    (problem,) = err.problems
    assert (problem.file, problem.row, problem.field) == ("places.csv", 4, "lat")
    assert problem.problem.startswith("Amuda (amuda) lies in Turkey, ")
    assert "km from the Syria–Turkey border, not in Syria" in problem.problem
    km = float(problem.problem.split("lies in Turkey, ")[1].split(" km")[0])
    assert 14 < km < 17


def test_turkish_town_in_syria_is_named(tmp_path):
    directory = _shipped_copy(tmp_path, "senyurt", lat="36.95", lon="40.6459")
    (problem,) = _refused(directory).problems
    assert problem.problem.startswith("Şenyurt (senyurt) lies in Syria, ")


def test_crossing_that_cannot_reach_the_border_is_named(tmp_path):
    directory = _shipped_copy(
        tmp_path, "kherzeh_gate", anchor_id="raqqa", bearing_deg="180", distance_km="14"
    )
    problems = _refused(directory).problems
    assert {(p.row, p.field) for p in problems} == {(8, "distance_km")}
    assert all("Kherzeh border gate (kherzeh_gate)" in p.problem for p in problems)
    assert any("cannot be placed" in p.problem for p in problems)


def test_unknown_geography_is_refused(tmp_path):
    directory = tmp_path / "shipped"
    shutil.copytree(EMBEDDED_DIR, directory)
    meta = json.loads((directory / "dataset.json").read_text(encoding="utf-8"))
    meta["geography"] = "atlantis"
    (directory / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    (problem,) = _refused(directory).problems
    assert (problem.file, problem.field) == ("dataset.json", "geography")


# --------------------------------------------------------------------------- crossings


def test_derived_crossings_land_on_the_border_at_the_stated_distance(shipped, geography):
    places = shipped.places.set_index("place_id")
    crossings = places[
        (places["kind"] == "border_crossing") & (places["coord_method"] == "derived")
    ]
    assert {"shirk_crossing", "kherzeh_gate", "ashma_gate", "gharib_gate"} <= set(crossings.index)
    border = {b.border_id: b for b in geography.borders}["SYR-TUR"].line
    for pid, row in crossings.iterrows():
        km = distance_to_line_km(np.array([row["lon"]]), np.array([row["lat"]]), border)[0]
        assert km * 1000 <= min(row["precision_m"], 100), pid  # on the line (densified 100 m)
        anchor = places.loc[row["anchor_id"]]
        az, _, metres = WGS84.inv(anchor["lon"], anchor["lat"], row["lon"], row["lat"])
        assert metres == pytest.approx(row["distance_km"] * 1000, abs=60), pid
        assert checks.bearing_gap(az, row["bearing_deg"]) <= 45, pid
        assert row["derivation"].startswith("Placed on the Syria–Turkey border"), pid
    shirk = crossings.loc["shirk_crossing"]
    assert "13 km from al-Darbasiyah" in shirk["derivation"]
    assert "ADAR Press" in shirk["derivation"]  # the curated basis is kept after it


def test_point_on_line_at_distance_keeps_distance_and_nearest_direction():
    line = LineString([(39.0, 37.0), (41.0, 37.0)])  # an east-west line at 37° N
    lat, lon, az = point_on_line_at_distance(36.95, 40.0, 270.0, 10.0, line)
    _, _, metres = WGS84.inv(40.0, 36.95, lon, lat)
    assert metres == pytest.approx(10_000, abs=30)
    assert lat == pytest.approx(37.0, abs=1e-9) and lon < 40.0  # the western of the two
    assert 270 < az < 315
    assert point_on_line_at_distance(36.95, 40.0, 180.0, 10.0, line) is None  # facing away


def test_routes_do_not_run_through_turkey(shipped, geography):
    turkey = geography.countries["TR"]
    route = shipped.routes.set_index("route_id").loc["darbasiyah"]
    assert len(route["coords"]) > route["n_placed"]  # it follows the border part of the way
    for route in shipped.routes.itertuples():
        for a, b in zip(route.coords[:-1], route.coords[1:], strict=True):
            seg = LineString([(a[1], a[0]), (b[1], b[0])]).segmentize(0.0005)
            for x, y in seg.coords:
                pt = Point(x, y)
                depth_m = turkey.exterior.distance(pt) * 111_000 if turkey.contains(pt) else 0
                assert depth_m < 1.0, (route.route_id, x, y)


# --------------------------------------------------------------------------- grade rules


def _mini_refused(tmp_path: Path, **tables) -> DataSetError:
    directory = fixtures.write_mini_dataset(tmp_path / "bad", **tables)
    return _refused(directory)


def _events(index: int = 1, **changes: str) -> list[dict]:
    rows = copy.deepcopy(fixtures.EVENTS)
    rows[index].update(changes)  # 1: e1, spreadsheet row 3
    return rows


def test_mini_data_set_obeys_the_grade_rules(mini):
    assert len(mini.events) == len(fixtures.EVENTS)


def test_credibility_1_on_a_single_source_is_refused(tmp_path):
    # the accord (row 2): no period count counts agreements
    err = _mini_refused(tmp_path, events=_events(0, sources="synthetic-official:1"))
    (problem,) = err.problems
    assert (problem.file, problem.row, problem.field) == ("events.csv", 2, "sources")
    assert "[confirmed-needs-two]" in problem.problem and "event e-agree" in problem.problem


def test_same_originator_does_not_confirm(tmp_path):
    sources = copy.deepcopy(fixtures.SOURCES)
    relay = {**sources[1], "source_id": "synthetic-relay", "publisher": "Synthetic ministry via X"}
    sources.append(relay)
    err = _mini_refused(
        tmp_path,
        sources=sources,
        events=_events(0, sources="synthetic-official:1|synthetic-relay:1"),
    )
    assert {p.problem.split(":")[1].split()[0] for p in err.problems} == {
        "synthetic-official",
        "synthetic-relay",
    }


def test_f_source_cannot_give_credibility_2(tmp_path):
    err = _mini_refused(tmp_path, events=_events(0, sources="synthetic-test-source:2"))
    (problem,) = err.problems
    assert problem.row == 2 and "[unjudged-not-probable]" in problem.problem


def test_exact_count_needs_a_grade_of_1_or_2(tmp_path):
    counts = copy.deepcopy(fixtures.PERIOD_COUNTS)
    counts[0]["sources"] = "synthetic-official:3"
    (problem,) = _mini_refused(tmp_path, period_counts=counts).problems
    assert (problem.file, problem.row, problem.field) == ("period_counts.csv", 2, "qualifier")
    assert "unconfirmed" in problem.problem
    counts[0]["qualifier"] = "unconfirmed"
    load_dataset_files(fixtures.write_mini_dataset(tmp_path / "ok", period_counts=counts))


def test_one_claim_graded_once_on_event_and_period_count(tmp_path):
    # pc-total (synthetic-official:2) counts e1's kind over a period holding e1
    events = _events(sources="synthetic-official:3")
    (problem,) = _mini_refused(tmp_path, events=events).problems
    assert (problem.file, problem.row) == ("period_counts.csv", 2)
    assert "[one-claim-one-grade]" in problem.problem and "event e1" in problem.problem
    counts = copy.deepcopy(fixtures.PERIOD_COUNTS)
    counts[0]["note"] = "graded 2 here: credibility of the total, not of each patrol"
    directory = fixtures.write_mini_dataset(tmp_path / "ok", events=events, period_counts=counts)
    load_dataset_files(directory)


def _escort_conflict(actor_claim_sources: str) -> list[dict]:
    return [
        *copy.deepcopy(fixtures.CONFLICTS),
        {
            "conflict_id": "c-agencies",
            "topic": "who was escorted",
            "subject": "event:e-escort",
            "claim": "the official statement names no agency",
            "sources": "synthetic-official:2",
        },
        {
            "conflict_id": "c-agencies",
            "topic": "who was escorted",
            "subject": "actor:aid",
            "claim": "a weaker report adds the aid agency",
            "sources": actor_claim_sources,
        },
    ]


def test_disputed_actor_listed_as_fact_is_refused(tmp_path):
    (problem,) = _mini_refused(tmp_path, conflicts=_escort_conflict(fixtures.SYN)).problems
    assert (problem.file, problem.row, problem.field) == ("conflicts.csv", 5, "subject")
    assert "actor aid is disputed for event e-escort" in problem.problem


def test_disputed_actor_kept_out_of_the_event_is_shown_as_disputed(tmp_path):
    events = copy.deepcopy(fixtures.EVENTS)
    (escort,) = [e for e in events if e["event_id"] == "e-escort"]
    escort["actors"] = "blue:escort"
    directory = fixtures.write_mini_dataset(
        tmp_path / "ok", events=events, conflicts=_escort_conflict(fixtures.SYN)
    )
    ds = load_dataset_files(directory)
    found = checks.disputed_actors(ds.conflicts)
    assert list(zip(found["event_id"], found["actor_id"], strict=True)) == [("e-escort", "aid")]
    assert checks.disputed_actor_notes(ds.conflicts)["aid"].startswith("disputed on 1 event")
    assert "aid" not in set(ds.event_actors["actor_id"])


def test_disputed_claim_graded_as_strongly_as_the_event_is_refused(tmp_path):
    events = copy.deepcopy(fixtures.EVENTS)
    (escort,) = [e for e in events if e["event_id"] == "e-escort"]
    escort["actors"] = "blue:escort"
    err = _mini_refused(tmp_path, events=events, conflicts=_escort_conflict("synthetic-official:2"))
    (problem,) = err.problems
    assert problem.row == 5 and "belongs in the event" in problem.problem


def test_shipped_unfpa_is_a_disputed_claim_not_an_actor(shipped):
    escorted = shipped.event_actors[
        shipped.event_actors["event_id"] == "ev-2024-05-22-convoy-escort"
    ]
    assert set(escorted["actor_id"]) == {"russia", "turkey", "unicef", "icrc"}
    found = checks.disputed_actors(shipped.conflicts)
    assert ("ev-2024-05-22-convoy-escort", "unfpa") in set(
        zip(found["event_id"], found["actor_id"], strict=True)
    )


def test_grade_rules_are_stated_in_the_readme():
    readme = (EMBEDDED_DIR / "README.md").read_text(encoding="utf-8")
    for rule in checks.GRADE_RULES:
        assert f"`{rule}`" in readme


# --------------------------------------------------------------------------- records


def _place_record(**cells: str) -> dict[str, str]:
    """A place as the Data form or an import writes it into the store."""
    blank = dict.fromkeys(records.COLUMNS["places"], "")
    return {**blank, "kind": "town", "country": "SY", "sources": "qaz-it-amude:2", **cells}


def test_a_place_added_beside_the_shipped_ones_is_judged_by_the_same_geography(shipped):
    added = pd.DataFrame(
        [
            # a Syrian village given a point 15 km inside Turkey
            _place_record(
                place_id="synthetic_in_turkey",
                name="Synthetic village",
                coord_method="published",
                lat="37.25",
                lon="40.93",
                precision_m="1000",
            ),
            # a crossing derived from al-Darbasiyah that cannot reach the border
            _place_record(
                place_id="synthetic_gate",
                name="Synthetic gate",
                kind="border_crossing",
                coord_method="derived",
                anchor_id="al_darbasiyah",
                bearing_deg="180",
                distance_km="10",
                precision_m="1000",
            ),
            # a village known only to within 30 km, its point 15 km inside Turkey: it may
            # lie either side, and is not judged on its side
            _place_record(
                place_id="synthetic_vague",
                name="Synthetic vague village",
                coord_method="published",
                lat="37.25",
                lon="40.93",
                precision_m="30000",
            ),
            # a town where it is: no problem
            _place_record(
                place_id="synthetic_fine",
                name="Synthetic town",
                coord_method="derived",
                anchor_id="amuda",
                bearing_deg="180",
                distance_km="10",
                precision_m="2000",
            ),
        ]
    )
    problems = records.check_records(shipped, {"places": added})
    by_record = {p.record_id: p for p in problems}
    assert set(by_record) == {"synthetic_in_turkey", "synthetic_gate"}, problems
    turkey = by_record["synthetic_in_turkey"]
    assert (turkey.table, turkey.field) == ("places", "lat")
    assert turkey.problem.startswith("Synthetic village (synthetic_in_turkey) lies in Turkey, ")
    assert "Synthetic gate (synthetic_gate)" in by_record["synthetic_gate"].problem

    ds, refused = records.combine(shipped, {"places": added})
    assert {p.record_id for p in refused} == {"synthetic_in_turkey", "synthetic_gate"}
    assert {"synthetic_fine", "synthetic_vague"} <= set(ds.places["place_id"])
    assert not {"synthetic_in_turkey", "synthetic_gate"} & set(ds.places["place_id"])
