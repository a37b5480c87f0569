"""Other spellings of a place are listed each in its own bidi isolate, so a right-to-left
name (Arabic, Syriac) between Latin ones keeps its place: ``<bdi>`` in HTML (the map's
popups), Unicode's FSI … PDI in text that is not HTML (the detail panel's markdown, the
Data form's place picker)."""

from __future__ import annotations

from components.data_forms import place_labels
from components.html import FSI, PDI, names_html, names_text
from components.layers.sites import place_popup
from components.map_detail import facts_markdown, place_record
from data.sourcing import list_conflicts


def test_names_html_isolates_each_name_and_escapes_it() -> None:
    html = names_html("Dirbêsiyê|الدرباسية|ܕܪܒܣܝܐ|<b>x</b>")
    assert html == (
        "<bdi>Dirbêsiyê</bdi>, <bdi>الدرباسية</bdi>, <bdi>ܕܪܒܣܝܐ</bdi>, "
        "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>"
    )
    assert names_html("") == "" and names_html(None) == ""
    assert names_html(["a", " ", "b"]) == "<bdi>a</bdi>, <bdi>b</bdi>"


def test_names_html_leaves_out_what_passes_the_limit_and_counts_it() -> None:
    html = names_html("|".join(f"name{i:02d}" for i in range(40)), limit=30)
    assert html.count("<bdi>") == 4 and html.endswith(" … and 36 more")
    # a tag is never cut: every <bdi> is closed
    assert html.count("<bdi>") == html.count("</bdi>")


def test_names_text_wraps_each_name_in_isolates() -> None:
    assert names_text("Kamışlı|القامشلي") == f"{FSI}Kamışlı{PDI}, {FSI}القامشلي{PDI}"
    assert names_text("") == ""


def test_a_place_popup_lists_its_other_names_each_in_bdi(mini) -> None:
    row = next(r for r in mini.places.itertuples(index=False) if r.place_id == "town_a")
    html = place_popup(row, "")
    assert "Also: <bdi>Synthville</bdi>, <bdi>سينث</bdi>" in html
    hostile = row._replace(alt_names="<script>alert(1)</script>|{{ 7*7 }}")
    html = place_popup(hostile, "")
    assert "<script" not in html and "{{" not in html
    assert html.count("<bdi>") == 2


def test_the_detail_panel_and_the_place_picker_isolate_each_name(mini) -> None:
    rec = place_record(mini, list_conflicts(mini), mini.events.iloc[0:0], "town_a")
    assert rec is not None
    also = dict(rec.facts)["Also written"]
    assert also == f"{FSI}Synthville{PDI}, {FSI}سينث{PDI}"
    assert f"**Also written:** {FSI}Synthville{PDI}" in facts_markdown(rec)
    assert place_labels(mini)["town_a"] == f"Synthtown — {FSI}Synthville{PDI}, {FSI}سينث{PDI}"
