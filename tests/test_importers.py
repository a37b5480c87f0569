"""Each importer on a real-shaped file (tests/fixtures_import/, all SYNTHETIC), and each bad
input refused with its message and nothing written. Previews run against the synthetic
data set of tests/fixtures.py (places Synthtown/Synthville, Fakeburg…)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from data.importers import (
    Decisions,
    ImportContext,
    ImportLimits,
    ImportOptions,
    ImportRefused,
    apply_import,
    preview_import,
)
from data.importers.acled import event_kinds, parse_dates
from data.importers.gazetteer import match_names, spelling_key
from data.records import combine
from data.store import Store
from tests.fixtures import embedded_dataset
from tests.test_store import FIXTURES, OPTIONS


@pytest.fixture
def ctx(mini, store) -> ImportContext:
    snap = store.snapshot()
    return ImportContext(mini, snap, combine(mini, snap.texts())[0])


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run(ctx, name: str, data: bytes | None = None, options=OPTIONS, decisions=None, **kw):
    return preview_import(name, read(name) if data is None else data, ctx, options, decisions,
                          **kw)  # fmt: skip


def action_of(preview, record_id: str) -> str:
    c = preview.changes.set_index("record_id")
    return str(c.at[record_id, "action"])


def record(preview, table: str, record_id: str) -> pd.Series:
    frame = preview.records[table]
    return frame.set_index(frame.columns[0]).loc[record_id]


# --------------------------------------------------------------------------- ACLED


def test_acled_current_export(ctx):
    p = run(ctx, "acled_current.csv")
    assert p.format == "ACLED export, current format (31 columns)"
    assert p.rows == 7 and p.count("add", "events") == 5
    # time_precision 1/2/3 → day / ISO week / month
    assert record(p, "events", "acled-syn90001")["date"] == "2024-03-04"
    assert record(p, "events", "acled-syn90002")["date"] == "2024-W11"
    assert record(p, "events", "acled-syn90003")["date_precision"] == "month"
    # kinds from the sub-event type and the notes
    kinds = p.records["events"].set_index("event_id")["kind"]
    assert kinds["acled-syn90001"] == "joint_patrol"
    assert kinds["acled-syn90003"] == "single_patrol"
    assert kinds["acled-syn90006"] == "agreement"
    assert kinds["acled-syn90007"] == "convoy_escort"
    # actors through the alias table: 'Blue army' is an alias of blue, 'Red forces' red's name
    actors = p.records["events"].set_index("event_id")["actors"]
    assert actors["acled-syn90003"] == "blue:patrolling"
    assert actors["acled-syn90007"] == "blue:escort|aid:escorted"
    # an unknown actor is shown, not created
    assert list(p.actors["name"]) == ["Military Forces of Blueland (2000-)"]
    assert p.actors["suggested_kind"].iloc[0] == "state_forces"
    assert "actors" not in p.records
    # geo_precision 1 at the town (matched by name), 3 within 100 km of a new place
    assert record(p, "events", "acled-syn90001")["places"] == "town_a"
    area = record(p, "places", "testkoy-within-100km")
    assert area["coord_method"] == "derived" and area["precision_m"] == "100000"
    assert area["anchor_id"] == "testkoy"
    assert record(p, "places", "testkoy")["precision_m"] == "2000"
    # refused rows: row number, field, reason
    refused = p.refused[["row", "field"]].values.tolist()
    assert refused == [[5, "event_date"], [6, "latitude"]]
    assert "after today" in p.refused["reason"].iloc[0]
    assert "out of range" in p.refused["reason"].iloc[1]
    assert "SYNTHETIC TEST ROW" in record(p, "events", "acled-syn90001")["description"]


def test_acled_older_export_with_numeric_actor_types(ctx):
    p = run(ctx, "acled_2019.csv")
    assert p.format.startswith("ACLED export, older format")
    assert any("since removed (data_id, event_id_no_cnty, iso3)" in n for n in p.notes)
    assert p.count("add", "events") == 3 and p.refused.empty
    assert record(p, "events", "acled-syn80002")["date"] == "2019-W46"
    types = dict(zip(p.actors["name"], p.actors["actor_type"], strict=True))
    assert types == {
        "Civilians (Synthland)": "Civilians",
        "Military Forces of Blueland (2000-)": "State forces",
    }
    # geo_precision 2: within 10 km of Fakeburg, a place we hold
    assert record(p, "events", "acled-syn80003")["places"] == "town_b-within-10km"
    assert record(p, "places", "town_b-within-10km")["anchor_id"] == "town_b"


def test_acled_dates_and_kinds():
    dates = parse_dates(pd.Series(["2024-05-22", "22 May 2024", "22-May-2024", "22/05/2024"]))
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2024-05-22"] * 4
    frame = pd.DataFrame(
        {"sub_event_type": ["Agreement", "Other", "Other", "Other"],
         "notes": ["joint patrol", "a joint military patrol", "patrolled", "shelling"]}
    )  # fmt: skip
    assert event_kinds(frame).tolist() == ["agreement", "joint_patrol", "single_patrol", "incident"]


# --------------------------------------------------------------------------- places and actors


def test_a_fuzzy_place_match_is_never_applied_silently(ctx):
    p = run(ctx, "acled_current.csv")
    fuzzy = p.places.set_index("name").loc["Synthvile"]
    assert fuzzy["how"] == "fuzzy" and fuzzy["place_id"] == "town_a"
    assert fuzzy["use"].startswith("needs confirmation")
    assert p.pending_fuzzy == 1
    assert record(p, "events", "acled-syn90002")["places"] == "synthvile-within-10km"
    assert record(p, "places", "synthvile")["coord_method"] == "published"
    confirmed = run(
        ctx, "acled_current.csv", decisions=Decisions(places=(("Synthvile", "town_a"),))
    )
    assert record(confirmed, "events", "acled-syn90002")["places"] == "town_a-within-10km"
    assert "synthvile" not in set(confirmed.records["places"]["place_id"])
    assert confirmed.pending_fuzzy == 0


def test_places_match_by_any_spelling():
    places = pd.DataFrame(
        {"place_id": ["ras_al_ain", "tal_abyad"], "name": ["Ras al-Ain", "Tal Abyad"],
         "alt_names": ["Raʾs al-ʿAyn|رأس العين|Serêkaniyê", "Tell Abyad|Girê Spî"]}
    )  # fmt: skip
    m = match_names(
        pd.Series(["ras al ain", "رأس العين", "Serekaniye", "TELL ABYAD", "Tell Abiyad", "Paris"]),
        places,
    ).set_index("name")
    assert m.loc["ras al ain", "how"] == "spelling"
    assert m.loc["رأس العين", "how"] == "exact"
    assert m.loc["Serekaniye", ["how", "place_id"]].tolist() == ["spelling", "ras_al_ain"]
    assert m.loc["TELL ABYAD", "place_id"] == "tal_abyad"
    assert m.loc["Tell Abiyad", ["how", "place_id"]].tolist() == ["fuzzy", "tal_abyad"]
    assert m.loc["Paris", "how"] == "none"
    assert spelling_key("Raʾs al-ʿAyn") == spelling_key("Ras al Ayn") == "rasayn"


def test_actor_decisions_map_with_an_alias_or_add_an_actor(ctx, store, mini):
    mapped = run(
        ctx,
        "acled_current.csv",
        decisions=Decisions(actors=(("Military Forces of Blueland (2000-)", "blue"),)),
    )
    alias = record(mapped, "aliases", "Military Forces of Blueland (2000-)")
    assert alias["actor_id"] == "blue"
    assert record(mapped, "events", "acled-syn90001")["actors"] == (
        "blue:patrolling|red:patrolling"
    )
    apply_import(store, mapped, who="t", allow_partial=True)
    snap = store.snapshot()
    again = preview_import(
        "acled_2019.csv",
        read("acled_2019.csv"),
        ImportContext(mini, snap, combine(mini, snap.texts())[0]),
        OPTIONS,
    )
    assert "Military Forces of Blueland (2000-)" not in set(again.actors["name"])  # remembered
    added = run(
        ctx,
        "acled_2019.csv",
        decisions=Decisions(new_actors=(("Civilians (Synthland)", "authority"),)),
    )
    actor = record(added, "actors", "civilians_synthland")
    assert actor["kind"] == "authority" and actor["color"].startswith("#")
    assert "civilians_synthland:party" in record(added, "events", "acled-syn80003")["actors"]


# --------------------------------------------------------------------------- maps


def test_kml_as_google_earth_writes_it(ctx):
    p = run(ctx, "patrols.kml")
    assert p.format == "KML" and p.row_unit == "placemark" and p.refused.empty
    events = p.records["events"].set_index("description")
    a = events.loc["SYNTHETIC TEST PLACEMARK: joint patrol seen north of Synthtown & back"]
    assert a["date"] == "2024-06-03" and a["kind"] == "joint_patrol"
    b = p.records["events"].set_index("places").loc["town_b"]  # ExtendedData place: Fakeburg
    assert b["date"] == "2024-06-17"
    assert "synthetic_checkpoint_test" in set(p.records["places"]["place_id"])
    route = p.records["routes"].iloc[0]
    assert route["name"] == "Synthetic patrol path" and route["path"].count("|") == 5
    assert route["waypoints"] == "town_a|town_b"  # the places the path passes, in order


def test_kmz_is_the_zipped_kml(ctx):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", read("patrols.kml"))
        z.writestr("files/icon.png", b"\x89PNG synthetic")
    kmz = run(ctx, "patrols.kmz", buf.getvalue())
    kml = run(ctx, "patrols.kml")
    assert kmz.format == "KMZ (zipped KML)"
    assert kmz.changes[["record_id", "action"]].equals(kml.changes[["record_id", "action"]])


def test_geojson_points_and_a_line(ctx):
    p = run(ctx, "points.geojson")
    assert p.format == "GeoJSON" and p.refused.empty
    event = p.records["events"].iloc[0]
    assert event["places"] == "town_b" and event["kind"] == "joint_patrol"
    place = record(p, "places", "synthetic_well_test")
    assert place["kind"] == "water_station" and place["lat"] == "36.8"
    assert p.records["routes"].iloc[0]["kind"] == "escort_corridor"


def test_excel_workbook_written_by_openpyxl(ctx):
    from openpyxl import Workbook

    frame = pd.read_csv(FIXTURES / "acled_current.csv", dtype=str, keep_default_na=False)
    wb = Workbook()
    ws = wb.active
    ws.title = "ACLED export"
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        values = list(row)
        values[2] = int(values[2])  # year as a number, as Excel keeps it
        values[22], values[23] = float(values[22]), float(values[23])
        ws.append(values)
    buf = io.BytesIO()
    wb.save(buf)
    p = run(ctx, "export.xlsx", buf.getvalue())
    csv = run(ctx, "acled_current.csv")
    assert p.format == csv.format
    assert p.changes[["record_id", "action"]].equals(csv.changes[["record_id", "action"]])
    assert p.refused[["row", "field"]].equals(csv.refused[["row", "field"]])


def test_our_own_csv_and_json(ctx):
    p = run(ctx, "events_ours.csv")
    assert p.format == "our events table"
    assert p.count("add", "events") == 2
    assert p.refused[["row", "field"]].values.tolist() == [[3, "places"]]
    assert "is not a list of place ids" in p.refused["reason"].iloc[0]
    assert record(p, "events", "syn-csv-3")["distance_km"] == "7.5"
    j = run(ctx, "bundle.json", options=ImportOptions(theatre_id="syn_a"))
    assert j.format == "our JSON" and j.refused.empty
    assert j.count("add") == 3
    assert record(j, "events", "syn-json-1")["actors"] == "blue:patrolling|red:patrolling"
    assert record(j, "places", "synthetic_hill")["alt_names"] == "Synth Tepe|تل سينث"


# --------------------------------------------------------------------------- bad files


def _refused(ctx, name: str, data: bytes, **kw) -> str:
    with pytest.raises(ImportRefused) as err:
        run(ctx, name, data, **kw)
    return str(err.value)


def test_a_file_too_big_is_refused(ctx):
    msg = _refused(ctx, "acled_current.csv", read("acled_current.csv"),
                   limits=ImportLimits(max_bytes=1000))  # fmt: skip
    assert "over the limit of" in msg and "Nothing was imported" in msg


def test_a_file_not_the_format_it_claims_is_refused(ctx):
    assert "is a PNG image" in _refused(ctx, "events.csv", b"\x89PNG\r\n\x1a\n fake")
    assert "not a zip archive" in _refused(ctx, "book.xlsx", read("acled_current.csv"))
    assert "is a zip archive" in _refused(ctx, "data.csv", b"PK\x03\x04 not really a zip")
    assert "not well-formed XML" in _refused(ctx, "places.kml", b"event_id,date\n1,2\n")
    assert "not KML" in _refused(ctx, "feed.kml", b"<?xml version='1.0'?><rss></rss>")
    assert "not a table we know" in _refused(ctx, "other.csv", b"name,value\na,1\n")
    assert "not GeoJSON" in _refused(ctx, "x.geojson", b'{"events": []}')
    assert "Excel 97" in _refused(ctx, "old.xls", b"\xd0\xcf\x11\xe0 old excel")


def test_an_unexpected_encoding_is_refused_and_a_bom_is_read(ctx):
    text = (
        read("events_ours.csv")
        .decode("utf-8")
        .replace("a place given by name instead of id", "دورية في ريف سينث")
    )
    msg = _refused(ctx, "events_ours.csv", text.encode("cp1256"))
    assert "not UTF-8" in msg and "Windows-1256 (Arabic)" in msg and "Save the file as UTF-8" in msg
    assert "UTF-16" in _refused(ctx, "events_ours.csv", text.encode("utf-16"))
    plain = run(ctx, "events_ours.csv", text.encode("utf-8"))
    bom = run(ctx, "events_ours.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert any("byte-order mark" in n for n in bom.notes)
    assert bom.changes.equals(plain.changes) and bom.refused.equals(plain.refused)


def test_an_empty_file_is_refused(ctx):
    assert "is empty" in _refused(ctx, "empty.csv", b"")
    assert "is empty" in _refused(ctx, "empty.csv", b"\xef\xbb\xbf  \n")
    header = read("acled_current.csv").split(b"\n")[0] + b"\n"
    assert "header but no rows" in _refused(ctx, "acled.csv", header)
    assert "no placemarks" in _refused(
        ctx, "e.kml", b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>'
    )
    assert "no features" in _refused(
        ctx, "e.geojson", b'{"type":"FeatureCollection","features":[]}'
    )


def test_unsafe_xml_is_refused(ctx):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&b;</name>'
        b"<Point><coordinates>40,37</coordinates></Point></Placemark></kml>"
    )
    assert "DTD" in _refused(ctx, "bomb.kml", bomb)


def test_dates_and_coordinates_out_of_range_are_refused_and_nothing_is_written(ctx, store):
    text = read("events_ours.csv").decode("utf-8")
    text = text.replace("2024-09-02", "1899-09-02").replace("2024-10,", "2099-10,")
    p = run(ctx, "events_ours.csv", text.encode("utf-8"))
    reasons = dict(zip(p.refused["row"], p.refused["reason"], strict=True))
    assert "before 1945-01-01" in reasons[2] and "after today" in reasons[4]
    geo = read("points.geojson").decode("utf-8").replace("37.0\n", "137.0\n", 1)
    g = run(ctx, "points.geojson", geo.encode("utf-8"))
    assert g.refused[["row", "field"]].values.tolist() == [[1, "coordinates"]]
    assert "out of range" in g.refused["reason"].iloc[0]
    for preview in (p, g):
        with pytest.raises(ImportRefused, match="refused; nothing was written"):
            apply_import(store, preview, who="t")
    assert store.revision() == 0 and not store.exists()


def test_a_preview_writes_nothing(ctx, store):
    for name in ("acled_current.csv", "patrols.kml", "points.geojson", "bundle.json"):
        run(ctx, name)
    assert not store.exists()


# --------------------------------------------------------------------------- the registry


def test_one_declaration_per_format_feeds_the_pipeline_and_the_upload_widget():
    from dataclasses import fields

    from data.importers.formats import FORMATS, file_format, format_for, upload_help, upload_types

    limit_names = {f.name for f in fields(ImportLimits)}
    for fmt in FORMATS:
        assert set(fmt.limits) <= limit_names, fmt.key
        for ext in fmt.extensions:
            assert format_for(f"x{ext.upper()}") is fmt
            assert ext.lstrip(".") in upload_types()
        assert fmt.label in upload_help(ImportLimits())
    assert len(upload_types()) == len(set(upload_types()))
    assert file_format("a.kml", b"<kml/>", ImportLimits()).key == "kml"
    assert format_for("a.pdf") is None


def test_a_new_format_is_one_declaration(ctx, monkeypatch):
    from data.importers import formats
    from data.importers.tabular import ours

    def read_lines(name, data, options, limits, notes):
        ids = data.decode().splitlines()
        return ours("aliases", [{"alias": i, "actor_id": "blue"} for i in ids], label="lines")

    extra = formats.ImportFormat("lines", "alias list", (".aliases",), False, ("max_bytes",),
                                 read_lines, "one alias per line")  # fmt: skip
    monkeypatch.setattr(formats, "FORMATS", (*formats.FORMATS, extra))
    assert "aliases" in formats.upload_types()
    p = run(ctx, "blue.aliases", b"Synthetic blue one\n")
    assert p.format == "lines" and p.count("add", "aliases") == 1


# --------------------------------------------------------------------------- the theatre's names


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """An import context on the shipped data set and an empty store (the shipped gazetteer
    and alias table are what these cases are about)."""
    base = embedded_dataset()
    s = Store.open(f"sqlite:///{tmp_path_factory.mktemp('shipped') / 'store.sqlite'}")
    snap = s.snapshot()
    yield ImportContext(base, snap, combine(base, snap.texts())[0])
    s.engine.dispose()


THEATRE = ImportOptions(
    new_source=OPTIONS.new_source, credibility=3, theatre_id="ne_syria", event_kind=""
)


def test_an_acled_export_of_the_theatre_imports_its_armies_without_mapping(shipped):
    p = run(shipped, "acled_theatre.csv", options=THEATRE)
    assert p.actors.empty  # every ACLED actor name is an alias we ship
    ev = p.records["events"].set_index("event_id")
    # joint patrols: every army patrols, whichever side of the file it is on
    assert ev.at["acled-syn70001", "actors"] == "turkey:patrolling|russia:patrolling"
    assert ev.at["acled-syn70002", "actors"] == "russia:patrolling|turkey:patrolling"
    assert ev.at["acled-syn70003", "actors"] == "ru_mp:patrolling"
    # kinds from the notes: Arabic, "Russia + Turkey", Turkish, English
    assert ev["kind"].to_dict() == {
        "acled-syn70001": "joint_patrol",
        "acled-syn70002": "joint_patrol",
        "acled-syn70003": "single_patrol",
        "acled-syn70004": "convoy_escort",
    }
    assert p.refused.empty and "places" not in p.records  # every name is a place we hold


def test_placemarks_match_by_name_in_any_script_with_their_position_as_evidence(shipped):
    p = run(shipped, "placemarks_theatre.kml", options=THEATRE)
    places = p.places.set_index("name")
    # an Arabic name: the gazetteer's, no " (position)" appended, no new place
    assert places.at["الدرباسية", "place_id"] == "al_darbasiyah"
    assert places.at["الدرباسية", "use"] == "matched"
    # a similar name at the exact position: matched, and shown as matched by position
    assert places.at["Tal Tamer", "how"] == "fuzzy+position"
    assert places.at["Tal Tamer", "use"] == "matched by name and position"
    assert "same position" in places.at["Tal Tamer", "evidence"]
    # a name 51 km from its place: a warning row to resolve, coordinates not dropped silently
    warn = p.positions.set_index("name")
    assert list(warn.index) == ["Tell Tamer"]
    assert "51.1 km from our place" in warn.at["Tell Tamer", "evidence"]
    # another name at one of our places' exact position: proposed as that place, to confirm
    assert places.at["Synthetic checkpoint 7", "how"] == "position"
    assert places.at["Synthetic checkpoint 7", "place_id"] == "al_darbasiyah"
    assert places.at["Synthetic checkpoint 7", "use"].startswith("needs confirmation")
    # new places: the names we do not hold, ids transliterated
    new = p.records["places"].set_index("name")
    assert sorted(new.index) == ["Synthetic checkpoint 7", "قرية سينثية"]
    assert new.at["قرية سينثية", "place_id"] == "qryh_synthyh"
    same = Decisions(places=(("Synthetic checkpoint 7", "al_darbasiyah"),))
    confirmed = run(shipped, "placemarks_theatre.kml", options=THEATRE, decisions=same)
    assert list(confirmed.records["places"]["name"]) == ["قرية سينثية"]
    assert not any(n.endswith("(position)") for n in p.places["name"])


def test_a_disagreement_resolved_with_the_files_position_is_a_new_place(shipped):
    patrols = ImportOptions(**{**THEATRE.__dict__, "event_kind": "joint_patrol"})
    p = run(shipped, "placemarks_theatre.kml", options=patrols,
            decisions=Decisions(positions=(("Tell Tamer", "file"),)))  # fmt: skip
    new = p.records["places"].set_index("name")
    assert float(new.at["Tell Tamer", "lat"]) == 36.2012
    assert new.at["Tell Tamer", "place_id"] != "tell_tamer"
    assert p.places.set_index("name").at["Tell Tamer", "use"].startswith("new place at the file")


def test_import_options_give_kml_and_geojson_events_their_actors(shipped):
    from components.import_preview import options_from

    values = {"actor_ids": ["turkey", "russia"], "actor_role": "patrolling",
              "theatre_id": "ne_syria", "event_kind": "joint_patrol"}  # fmt: skip
    options = options_from(values)
    assert options.actors == "turkey:patrolling|russia:patrolling"
    chosen = ImportOptions(**{**THEATRE.__dict__, "actors": options.actors,
                              "event_kind": "joint_patrol"})  # fmt: skip
    p = run(shipped, "placemarks_theatre.kml", options=chosen)
    assert set(p.records["events"]["actors"]) == {"turkey:patrolling|russia:patrolling"}


def test_place_ids_are_transliterated_and_never_empty():
    from data.importers.base import slugify
    from data.importers.pipeline import _new_id

    assert slugify("الدرباسية") == "ldrbsyh" and slugify("Dirbêsiyê") == "dirbesiye"
    assert _new_id("!!!", set()).startswith("place_")
    assert _new_id("Tell Tamer", {"tell_tamer"}) not in {"tell_tamer", ""}


def test_event_kinds_come_from_keyword_tables_in_four_languages():
    from data.importers.keywords import kinds_from_notes

    notes = pd.Series([
        "دورية مشتركة روسية تركية", "Russia + Turkey patrol passed", "Rus-Türk ortak devriyesi",
        "patrola hevbeş li Dirbêsiyê", "Türk devriyesi", "مرافقة قافلة", "shelling",
    ])  # fmt: skip
    assert kinds_from_notes(notes, "incident").tolist() == [
        "joint_patrol", "joint_patrol", "joint_patrol", "joint_patrol", "single_patrol",
        "convoy_escort", "incident",
    ]  # fmt: skip
