"""Export of the filtered events with their sources: CSV, Excel, GeoJSON, KML. Formula
injection neutralised; KML opens as a Google Earth document and imports back unchanged.
SYNTHETIC data (tests/fixtures.py)."""

from __future__ import annotations

import copy
import io
import json

import pandas as pd
import pytest
from defusedxml.ElementTree import fromstring

from data import export
from data.filters import EventFilter, filter_events
from data.importers import ImportContext, ImportOptions, preview_import
from data.load import load_dataset_files
from data.store import Snapshot
from tests import fixtures

KML = "{http://www.opengis.net/kml/2.2}"
NASTY = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rline"]


@pytest.fixture
def nasty(tmp_path):
    """The synthetic data set with descriptions a spreadsheet would run as formulas."""
    events = copy.deepcopy(fixtures.EVENTS)
    for e, text in zip(events, NASTY, strict=False):
        e["description"] = text
    return load_dataset_files(fixtures.write_mini_dataset(tmp_path / "nasty", events=events))


def test_neutralise_prefixes_formula_starts_only():
    out = export.neutralise(pd.Series([*NASTY, "plain", "", "3-4", None]))
    assert out.tolist()[: len(NASTY)] == ["'" + t for t in NASTY]
    assert out.tolist()[len(NASTY) :] == ["plain", "", "3-4", ""]


def test_csv_has_every_event_with_its_sources_and_no_formula(nasty):
    data = export.to_csv(nasty, nasty.events)
    assert data.startswith(b"\xef\xbb\xbf")  # so Excel reads non-Latin names right
    table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(table) == len(nasty.events)
    assert set(NASTY) & set(table["description"]) == set()
    assert ("'" + NASTY[0]) in set(table["description"])
    assert not table["description"].str.match(r"^[=+\-@\t\r]").any()
    e1 = table.set_index("event_id").loc["e-halt"]
    assert e1["sources_text"] == "Synthetic ministry (B2)"
    assert e1["source_urls"] == "https://example.org/official"
    assert float(table.set_index("event_id").loc["e1", "lon"]) < 40  # numbers stay numbers


def test_excel_cells_are_text_never_formulas(nasty):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export.to_excel(nasty, nasty.events, "all")))
    assert wb.sheetnames == ["Events", "Citations", "About"]
    ws = wb["Events"]
    header = [c.value for c in ws[1]]
    col = header.index("description") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert {c.value for c in cells} >= {"'" + t for t in NASTY[:4]}
    assert wb["Citations"].max_row - 1 == (nasty.citations["record_type"] == "event").sum()


def test_geojson_points_with_sources_and_routes_as_lines(mini):
    doc = json.loads(export.to_geojson(mini, mini.events))
    points = [f for f in doc["features"] if f["geometry"] and f["geometry"]["type"] == "Point"]
    nulls = [f for f in doc["features"] if f["geometry"] is None]
    lines = [f for f in doc["features"] if f["geometry"] and f["geometry"]["type"] == "LineString"]
    assert len(points) + len(nulls) == len(mini.events)
    assert len(nulls) == int((~mini.events["placed"]).sum())
    e4 = next(f for f in points if f["properties"]["event_id"] == "e4")
    assert e4["geometry"]["coordinates"] == [41.0, 37.0]
    assert e4["properties"]["sources_list"][0]["grade"] == "F6"
    assert [f["properties"]["route_id"] for f in lines] == ["track"]
    assert len(lines[0]["geometry"]["coordinates"]) == 3


def test_kml_opens_with_events_in_time_and_routes_as_paths(mini):
    f = EventFilter(kinds=("joint_patrol",))
    events = filter_events(mini, f)
    root = fromstring(export.to_kml(mini, events, f.describe(mini)))
    assert root.tag == f"{KML}kml"
    placemarks = root.findall(f".//{KML}Placemark")
    drawn = events[events["placed"]]
    points = [p for p in placemarks if p.find(f"{KML}Point") is not None]
    paths = [p for p in placemarks if p.find(f"{KML}LineString") is not None]
    assert len(points) == len(drawn) and len(paths) == 1
    e3 = next(p for p in points if "e3" in [d.findtext(f"{KML}value") for d in
                                            p.iter(f"{KML}Data")])  # fmt: skip
    assert e3.find(f"{KML}TimeSpan/{KML}begin").text == "2020-03-01"
    assert e3.find(f"{KML}TimeSpan/{KML}end").text == "2020-03-31"
    coords = paths[0].find(f"{KML}LineString/{KML}coordinates").text.split()
    assert len(coords) == 3 and coords[1] == "40.000000,37.000000,0"
    assert paths[0].findtext(f"{KML}styleUrl") == "#route-patrol_track"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "kml"])
def test_an_export_imports_back_unchanged(mini, fmt):
    maker = {"csv": export.to_csv, "xlsx": export.to_excel, "geojson": export.to_geojson,
             "kml": export.to_kml}[fmt]  # fmt: skip
    ctx = ImportContext(mini, Snapshot(0, {}), mini)
    preview = preview_import(f"export.{fmt}", maker(mini, mini.events), ctx,
                             ImportOptions(theatre_id="syn_a"))  # fmt: skip
    assert preview.refused.empty, preview.refused
    assert preview.to_write == 0
    assert set(preview.changes["action"]) <= {"unchanged", "shipped"}


# --------------------------------------------------------------------------- any table


def test_csv_guards_formulas_and_keeps_numbers():
    frame = pd.DataFrame(
        {"text": ["=HYPERLINK(1)", "+1", "@x", "plain", None], "n": [-1, 2, 3, 4, 5]}
    )
    data = export.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'+1" in text and "'@x" in text
    assert "\n-1" not in text and ",-1" in text  # numbers are not text
    assert export.export_name("gaps per theatre", "1.0.0") == "patrolwatch-gaps-per-theatre-v1-0-0"


def test_file_stem_from_a_title():
    from datetime import date

    assert export.file_stem("Patrols in 2021 · Darbasiyah (a – b)", date(2026, 11, 24)) == (
        "patrolwatch-patrols-in-2021-darbasiyah-a-b-20261124"
    )
    assert export.file_stem("«»", date(2026, 1, 2)) == "patrolwatch-export-20260102"


def test_one_formula_guard_for_every_export():
    """The events' CSV is the generic table CSV of the events table: one guard for both."""
    from data.load import load_dataset_files as load

    ds = load()
    events = ds.events.head(20)
    assert export.to_csv(ds, events) == export.csv_bytes(export.events_table(ds, events))


# --------------------------------------------------------------------------- the public link


def test_public_url_from_env_then_file(tmp_path):
    from data.settings import public_url

    missing = tmp_path / "none.toml"
    assert public_url({}, missing) is None
    assert public_url({"PATROLWATCH_PUBLIC_URL": " https://pw.example.org "}, missing) == (
        "https://pw.example.org/"
    )
    config = tmp_path / "patrolwatch.toml"
    config.write_text('[export]\npublic_url = "https://pw.example.org/team"\n')
    assert public_url({}, config) == "https://pw.example.org/team/"
    assert public_url({"PATROLWATCH_PUBLIC_URL": "http://other.example"}, config) == (
        "http://other.example/"
    )
    assert public_url({"PATROLWATCH_CONFIG": str(config)}) == "https://pw.example.org/team/"
    for bad in ("localhost:8501", "ftp://x.example/", "https://x.example/?a=1"):
        with pytest.raises(ValueError, match="not an http"):
            public_url({"PATROLWATCH_PUBLIC_URL": bad}, missing)


def test_the_repository_config_sets_no_public_url():
    from data.settings import public_url

    assert public_url({}) is None


def test_the_printed_link_is_on_the_public_address_or_absent():
    from data.briefing import public_link

    params = {"dates": ["2021-01-01", "2021-12-31"], "dsv": "old"}
    assert public_link(None, "frequency", params, "1.0.0") is None
    assert public_link("", "frequency", params, "1.0.0") is None
    assert public_link("https://pw.example.org/team/", "frequency", params, "1.0.0") == (
        "https://pw.example.org/team/frequency?dates=2021-01-01&dates=2021-12-31&dsv=1.0.0"
    )
    assert public_link("https://pw.example.org/", "", {}, "2") == "https://pw.example.org/?dsv=2"
