"""Loading and validation: a bad file is refused with its file, row and field named."""

from __future__ import annotations

import copy

import pytest

from data.load import load_dataset_files
from data.schema import DataSetError
from tests import fixtures


def _refused(tmp_path, **tables) -> DataSetError:
    directory = fixtures.write_mini_dataset(tmp_path / "bad", **tables)
    with pytest.raises(DataSetError) as info:
        load_dataset_files(directory)
    return info.value


def _events_with(**changes) -> list[dict]:
    rows = copy.deepcopy(fixtures.EVENTS)
    for field, value in changes.items():
        rows[2][field] = value  # third record: spreadsheet row 4
    return rows


def test_mini_dataset_loads(mini):
    assert len(mini.events) == len(fixtures.EVENTS)
    assert mini.version == "0-synthetic"
    assert set(mini.event_actors.columns) >= {"event_id", "actor_id", "role", "root_id"}


def test_bad_date_names_file_row_and_field(tmp_path):
    err = _refused(tmp_path, events=_events_with(date="2020-13-45"))
    (problem,) = [p for p in err.problems if p.field == "date"]
    assert (problem.file, problem.row) == ("events.csv", 4)
    assert "events.csv row 4, field 'date'" in str(err)


def test_precision_must_match_date_form(tmp_path):
    err = _refused(tmp_path, events=_events_with(date="2020-02", date_precision="day"))
    assert any(p.field == "date_precision" and p.row == 4 for p in err.problems)


def test_unknown_kind_is_refused(tmp_path):
    err = _refused(tmp_path, events=_events_with(kind="picnic"))
    (problem,) = err.problems
    assert problem.field == "kind" and "must be one of" in problem.problem


def test_unknown_source_is_named(tmp_path):
    err = _refused(tmp_path, events=_events_with(sources="nobody-said-so:2"))
    (problem,) = err.problems
    assert problem.file == "events.csv" and problem.row == 4 and problem.field == "sources"
    assert "nobody-said-so" in problem.problem


def test_unknown_actor_and_place_are_named(tmp_path):
    err = _refused(tmp_path, events=_events_with(actors="green:patrolling", places="atlantis"))
    fields = {(p.field, p.row) for p in err.problems}
    assert fields == {("actors", 4), ("places", 4)}


def test_latitude_out_of_range(tmp_path):
    places = copy.deepcopy(fixtures.PLACES)
    places[1]["lat"] = "97.5"
    err = _refused(tmp_path, places=places)
    assert [(p.file, p.row, p.field) for p in err.problems] == [("places.csv", 3, "lat")]


def test_derived_place_needs_its_distance(tmp_path):
    places = copy.deepcopy(fixtures.PLACES)
    places[2]["distance_km"] = ""
    err = _refused(tmp_path, places=places)
    assert any(p.field == "distance_km" and p.row == 4 for p in err.problems)


def test_missing_column_and_duplicate_id(tmp_path):
    rows = copy.deepcopy(fixtures.EVENTS)
    rows[1]["event_id"] = rows[0]["event_id"]
    err = _refused(tmp_path, events=rows)
    assert any("duplicate" in p.problem for p in err.problems)
    rows = [{k: v for k, v in r.items() if k != "status"} for r in fixtures.EVENTS]
    err = _refused(tmp_path, events=rows)
    assert [(p.row, p.field) for p in err.problems] == [(1, "status")]


def test_route_waypoint_must_exist(tmp_path):
    routes = copy.deepcopy(fixtures.ROUTES)
    routes[0]["waypoints"] = ["gate", "el_dorado"]
    err = _refused(tmp_path, routes=routes)
    (problem,) = err.problems
    assert problem.file == "routes.json" and problem.row == 1 and problem.field == "waypoints"


def test_conflict_needs_two_sides(tmp_path):
    err = _refused(tmp_path, conflicts=fixtures.CONFLICTS[:1])
    assert any(p.field == "conflict_id" for p in err.problems)


def test_not_utf8_and_empty_files(tmp_path):
    directory = fixtures.write_mini_dataset(tmp_path / "enc")
    (directory / "sources.csv").write_bytes("publisher\n\xe9\xe8".encode("cp1256"))
    (directory / "conflicts.csv").write_text("")
    with pytest.raises(DataSetError) as info:
        load_dataset_files(directory)
    text = str(info.value)
    assert "sources.csv" in text and "UTF-8" in text
    assert "conflicts.csv: file is empty" in text


def test_derived_position_is_geodesic(mini):
    gate = mini.places.set_index("place_id").loc["gate"]
    town = mini.places.set_index("place_id").loc["town_a"]
    from data.geo import WGS84

    _, _, dist = WGS84.inv(town["lon"], town["lat"], gate["lon"], gate["lat"])
    assert dist == pytest.approx(13_000, rel=1e-6)
    assert gate["lon"] < town["lon"]
    assert gate["derivation"] == "about 13 km west of Synthtown"


def test_date_windows(mini):
    ev = mini.events.set_index("event_id")
    assert str(ev.loc["e3", "start"].date()) == "2020-03-01"
    assert str(ev.loc["e3", "end"].date()) == "2020-03-31"
    assert str(ev.loc["e-halt", "end"].date()) == "2021-09-01"


def test_unplaced_events_are_kept(mini):
    ev = mini.events.set_index("event_id")
    assert not ev.loc["e5", "placed"]
    assert ev.loc["e1", "location_id"] == "gate"  # first placed place in order


def test_route_geometry_is_derived_from_waypoints(mini):
    route = mini.routes.set_index("route_id").loc["track"]
    assert route["n_placed"] == 3 and len(route["coords"]) == 3
    assert route["geometry_method"].startswith("derived")
    assert route["length_km"] == pytest.approx(13 + 88.8, abs=1.5)
