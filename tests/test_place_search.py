"""The place search: any spelling in any script finds the place (``data.gazetteer``), the
results and the record are plain text shown escaped (``components.place_search``), and a
map built with ``focus`` opens on the place with its record (``components.layers.focus``)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import pytest

from components.explorer_map import build_explorer_map
from components.html import md_escape
from components.leaflet import FitBounds
from components.patrol_map import build_patrol_map
from components.place_search import focus_from_link, result_label, results_caption
from data.gazetteer import fold, search_places, skeleton, spellings
from data.load import load_dataset_files
from data.mapview import build_map_view
from tests import fixtures
from tests.fixtures import embedded_dataset
from tests.test_template_safety import PAYLOAD, assert_inert, js_decoded


@pytest.fixture(scope="module")
def embedded():
    return embedded_dataset()


def _first(ds, query: str) -> tuple[str, str, str]:
    r = search_places(ds, query, 3)
    assert len(r), query
    return r["place_id"].iloc[0], r["matched"].iloc[0], r["how"].iloc[0]


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        # Arabic, with and without the article, tashkeel, ta marbuta written as ha
        ("الدرباسية", "al_darbasiyah"),
        ("درباسية", "al_darbasiyah"),
        ("الدَّرْبَاسِيَّة", "al_darbasiyah"),
        ("درباسيه", "al_darbasiyah"),
        ("القامشلي", "qamishli"),
        ("عامودا", "amuda"),
        # Kurdish, Latin and Arabic script, with or without its accents
        ("Dirbêsiyê", "al_darbasiyah"),
        ("dirbesiye", "al_darbasiyah"),
        ("Amûdê", "amuda"),
        ("Qamişlo", "qamishli"),
        ("دربێسی", "al_darbasiyah"),
        # Turkish, dotless and dotted i in any case
        ("Kamışlı", "qamishli"),
        ("KAMIŞLI", "qamishli"),
        ("kamisli", "qamishli"),
        # Syriac
        ("ܕܪܒܐܣܝܐ", "al_darbasiyah"),
        ("ܩܡܫܠܝ", "qamishli"),
        # Latin transliterations, the article optional
        ("Qamishli", "qamishli"),
        ("al-Qamishli", "qamishli"),
        ("Darbasiyah", "al_darbasiyah"),
        ("Ad Darbasiyah", "al_darbasiyah"),
        ("ʿĀmūdā", "amuda"),
    ],
)
def test_any_spelling_in_any_script_finds_the_place(embedded, query, place_id):
    found, _, how = _first(embedded, query)
    assert found == place_id
    assert how == "exact"


def test_the_result_shows_the_spelling_that_matched_and_the_main_name(embedded):
    r = search_places(embedded, "Kamışlı", 3)
    top = r.iloc[0]
    assert (top["matched"], top["name"]) == ("Kamışlı", "Qamishli")
    assert result_label(top) == "Kamışlı → Qamishli (City)"
    # the spelling written as typed wins over one that folds alike
    assert search_places(embedded, "Amûdê", 1)["matched"].iloc[0] == "Amûdê"


def test_prefix_before_word_before_substring_before_sound(embedded):
    r = search_places(embedded, "Qamishli", 8)
    assert r["place_id"].iloc[0] == "qamishli"  # exact
    assert r["rank"].is_monotonic_increasing
    assert "qamishli_airport" in set(r["place_id"])  # starts with
    dar = search_places(embedded, "darb", 8)
    assert dar["place_id"].iloc[0] == "al_darbasiyah"
    assert dar["how"].iloc[0] == "starts with"
    inner = search_places(embedded, "basiy", 8)
    assert "al_darbasiyah" in set(inner["place_id"])
    assert set(inner["how"]) <= {"contains", "a word starts with"}


def test_a_name_is_found_across_scripts_by_its_sound():
    assert skeleton(fold("الدرباسية")) == skeleton(fold("Dirbêsiyê")) == "drbs"
    assert skeleton(fold("ܕܪܒܐܣܝܐ")) == skeleton(fold("al-Darbasiyah")) == "drbs"
    assert skeleton(fold("القامشلي")) == skeleton(fold("Kamışlı")) == "kmsl"


def test_folding():
    assert fold("İSTANBUL") == fold("istanbul") == "istanbul"
    assert fold("Kamışlı") == "kamisli"
    assert fold("Serêkaniyê") == "serekaniye"
    assert fold("أبو") == fold("ابو") == fold("إبو") == fold("آبو")
    assert fold("قرية") == fold("قريه")
    assert fold("مصطفى") == fold("مصطفي")
    assert fold("ٱلرقة") == fold("الرقة") == fold("رقه")
    assert fold("al-Raqqa") == fold("Ar Raqqa") == fold("raqqa")
    assert fold("Ras al-Ain") == "ras al ain"  # only a leading article is dropped
    assert fold("ـعامودا") == fold("عامودا")
    assert fold("") == fold(None) == ""


def test_nothing_for_nothing(embedded):
    for q in ("", "   ", "-- ''", "zzzzqqqq"):
        assert search_places(embedded, q).empty
    assert list(search_places(embedded, "").columns) == list(
        search_places(embedded, "Qamishli").columns
    )
    assert results_caption(search_places(embedded, "zzzzqqqq"), "zzzzqqqq").startswith("No place")


def test_one_row_per_place_at_most_limit(embedded):
    r = search_places(embedded, "a", 5)
    assert len(r) == 5
    assert r["place_id"].is_unique
    idx = spellings(embedded.places)
    assert len(idx) > len(embedded.places)  # the other spellings are there
    assert search_places(embedded, "Kamışlı", 3, index=idx).equals(
        search_places(embedded, "Kamışlı", 3)
    )


def _hostile(tmp_path: Path):
    places = copy.deepcopy(fixtures.PLACES)
    places[0]["name"] = f"Evil {PAYLOAD}"
    places[0]["alt_names"] = f"ܐܒܠ {PAYLOAD}|Iblis"
    return load_dataset_files(fixtures.write_mini_dataset(tmp_path / "hostile", places=places))


def test_hostile_names_come_back_as_plain_text_and_show_escaped(tmp_path):
    ds = _hostile(tmp_path)
    r = search_places(ds, "evil", 3)
    assert r["name"].iloc[0] == f"Evil {PAYLOAD}"  # the data's text, unchanged
    label = md_escape(result_label(r.iloc[0]))
    assert not re.search(r"(?<!\\)<(script|img)", label)  # every '<' backslashed
    assert "\\{\\{ 7\\*7 \\}\\}" in label
    by_alt = search_places(ds, "ܐܒܠ", 3)
    assert by_alt["place_id"].iloc[0] == "town_a"
    assert not re.search(r"(?<!\\)<(script|img)", md_escape(result_label(by_alt.iloc[0])))


def test_a_focused_map_opens_on_the_place_with_its_record(tmp_path, mini):
    m, _ = build_patrol_map(mini, mini.events, basemap=False, focus="town_a")
    page = js_decoded(m.get_root().render())
    assert '"town_a"' in page and "pw-focus" in page
    assert "[37.0, 40.0]" in page
    # its other names, in the open popup, each in its own bidi isolate
    assert "<bdi>Synthville</bdi>, <bdi>سينث</bdi>" in page
    assert not any(isinstance(c, FitBounds) for c in m._children.values())

    ds = _hostile(tmp_path)
    view = build_map_view(ds, ds.events, window_end=pd.Timestamp("2026-11-24"))
    zones = {"type": "FeatureCollection", "features": []}
    focused = build_explorer_map(ds, view, zones, basemap=False, focus="town_a")
    assert_inert(focused.get_root().render())
    assert "pw-focus" in focused.get_root().render()


def test_no_focus_or_an_unplaced_one_frames_the_map_as_before(mini):
    for focus in (None, "nowhere", "no-such-place"):
        m, _ = build_patrol_map(mini, mini.events, basemap=False, focus=focus)
        assert any(isinstance(c, FitBounds) for c in m._children.values()), focus
        assert "pwFocus" not in m.get_root().render()


def test_a_link_names_a_place_or_says_it_does_not(mini):
    assert focus_from_link(mini, "town_a") == ("town_a", "")
    assert focus_from_link(mini, None) == (None, "")
    assert focus_from_link(mini, "") == (None, "")
    place, problem = focus_from_link(mini, "<b>nope</b>")
    assert place is None and "does not hold" in problem


APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.mark.parametrize(
    "page", ["pages/overview.py", "pages/map_explorer.py", "pages/frequency.py"]
)
def test_a_page_opens_on_the_place_its_link_names(page, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page)
    at.query_params["place"] = "al_darbasiyah"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    box = next(t for t in at.text_input if t.label == "Find a place")
    box.set_value("Kamışlı").run()
    assert not at.exception, [e.message for e in at.exception]
    picks = [b for b in at.button if str(b.key).endswith("_pick_qamishli")]
    assert picks and picks[0].label.startswith("Kamışlı → Qamishli")
    picks[0].click().run()
    assert at.query_params["place"] in ("qamishli", ["qamishli"])
    assert any("Qamishli" in e.label for e in at.expander) or page.endswith("explorer.py")
    at.query_params["place"] = "no_such_place"
    at.run()
    assert any("does not hold" in w.value for w in at.warning)
