"""The event form's pure parts: what it writes from its pickers, and why it refuses, in
words that name the field (SYNTHETIC records only, tests/fixtures.py)."""

from __future__ import annotations

from datetime import date

import pytest

from components.data_forms import (
    FieldProblem,
    actor_names,
    actor_pairs,
    change_choices,
    check_event,
    event_record,
    explain,
    form_problems,
    new_source_id,
    source_names,
    source_pairs,
    source_record,
)
from data.records import RecordProblem
from data.store import Snapshot, Store

GOOD = {
    "event_id": "syn-form-1",
    "theatre_id": "syn_a",
    "date_precision": "week",
    "day": date(2024, 5, 22),
    "kind": "joint_patrol",
    "status": "carried_out",
    "actors": [("blue", "patrolling"), ("red", "patrolling")],
    "places": ["gate", "town_a"],
    "description": "SYNTHETIC from the form",
    "sources": [("synthetic-official", 3)],
}


def _texts(problems: list[FieldProblem]) -> list[str]:
    return [p.text for p in problems]


def test_the_pickers_values_become_the_record_at_the_dates_precision():
    record = event_record({**GOOD, "end_day": date(2024, 6, 3)})
    assert record["date"] == "2024-W21" and record["end_date"] == "2024-W23"
    assert record["actors"] == "blue:patrolling|red:patrolling"
    assert record["sources"] == "synthetic-official:3" and record["places"] == "gate|town_a"
    assert actor_pairs(record["actors"]) == GOOD["actors"]
    assert source_pairs("a:2|b:|c") == [("a", 2), ("b", None), ("c", None)]


def test_names_not_ids_in_the_pickers(mini):
    assert actor_names(mini)["blue"] == "Blue forces"
    assert source_names(mini)["synthetic-official"].startswith("Synthetic ministry – ")


def test_a_missing_credibility_names_the_source_and_what_to_choose(mini):
    values = {**GOOD, "sources": [("synthetic-official", 3), ("synthetic-test-source", None)]}
    problems = form_problems(values, actor_names(mini), source_names(mini))
    assert [p.field for p in problems] == ["sources"]
    text = problems[0].text
    assert text.startswith("Source 2 (Synthetic test publisher – Synthetic test fixture")
    assert text.endswith(
        "): credibility is missing — choose how far the report is confirmed (1 confirmed by "
        "other sources … 6 cannot be judged)"
    )


@pytest.mark.parametrize(
    ("change", "field", "starts"),
    [
        ({"sources": []}, "sources", "Sources: none chosen — cite at least one source"),
        ({"actors": [("blue", "")]}, "actors", "Actor Blue forces: role is missing — choose"),
        ({"day": None}, "date", "Date: is missing — pick the day"),
        ({"end_day": date(2024, 5, 1)}, "end_date", "End date: 01 May 2024 is before the date"),
        ({"distance_km": "far"}, "distance_km", "Distance (km): 'far' is not a number"),
        ({"vehicles": "many"}, "vehicles", "Vehicles: 'many' is not a whole number"),
        ({"description": " "}, "description", "What happened: is missing — say in a sentence"),
    ],
)
def test_each_missing_field_is_named_in_words_one_line(mini, change, field, starts):
    problems = form_problems({**GOOD, **change}, actor_names(mini), source_names(mini))
    assert [p.field for p in problems] == [field]
    assert problems[0].text.startswith(starts), problems[0].text
    assert "\n" not in problems[0].text


def test_the_checks_problems_are_put_in_words_at_their_field():
    found = explain(
        [
            RecordProblem("events", "e", "sources", "must not be empty"),
            RecordProblem("events", "e", "places", "unknown place 'x'"),
            RecordProblem("sources", "s", "url", "must not be empty"),
        ]
    )
    assert found == [
        FieldProblem("sources", "Sources: is missing — cite at least one source the event is "
                     "known from"),
        FieldProblem("places", "Places: unknown place 'x'"),
        FieldProblem("new_source", "New source, link: is missing — give the link to the report "
                     "(http…)"),
    ]  # fmt: skip


def test_a_grade_rule_that_refuses_is_explained(mini, tmp_path):
    record = event_record({**GOOD, "sources": [("synthetic-official", 1)]})
    problems = explain(check_event(mini, mini, Snapshot(0, {}), record))
    assert [p.field for p in problems] == ["sources"]
    text = problems[0].text
    assert "synthetic-official is graded 1 (confirmed by other sources)" in text
    assert "refused by the rule “confirmed-needs-two”: credibility 1 (confirmed by other " in text
    record = event_record({**GOOD, "sources": [("synthetic-test-source", 2)]})
    text = explain(check_event(mini, mini, Snapshot(0, {}), record))[0].text
    assert "“unjudged-not-probable”" in text and "an F source" in text
    assert check_event(mini, mini, Snapshot(0, {}), event_record(GOOD)) == []


def test_a_new_source_is_checked_with_the_event_and_its_grade_counts(mini):
    source = source_record(
        {"publisher": "Synthetic Press", "title": "SYNTHETIC", "url": "https://example.org/n",
         "published": "2024-05-22", "language": "EN", "kind": "local_media",
         "affiliation": "unknown", "reliability": "F"},
        set(mini.sources["source_id"]),
    )  # fmt: skip
    assert source["source_id"] == "synthetic-press-2024-05-22" and source["language"] == "en"
    assert new_source_id("Synthetic Press", "2024-05-22", {source["source_id"]}).endswith("-2")
    record = event_record({**GOOD, "sources": [(source["source_id"], 3)]})
    assert check_event(mini, mini, Snapshot(0, {}), record, source) == []
    bad = {**source, "url": ""}
    problems = explain(check_event(mini, mini, Snapshot(0, {}), record, bad))
    assert [p.text for p in problems if p.field == "new_source"] == [
        "New source, link: is missing — give the link to the report (http…)"
    ]
    graded = event_record({**GOOD, "sources": [(source["source_id"], 2)]})
    problems = explain(check_event(mini, mini, Snapshot(0, {}), graded, source))
    assert "unjudged-not-probable" in problems[0].text


def test_the_undo_choices_are_newest_first_and_leave_out_undone_changes(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    src = {"source_id": "synthetic-undo-1", "publisher": "P", "title": "SYNTHETIC",
           "url": "https://example.org/u", "published": "2024", "language": "en",
           "kind": "dataset", "affiliation": "unknown", "reliability": "C",
           "reliability_basis": ""}  # fmt: skip
    for n in range(3):
        store.insert("sources", {**src, "source_id": f"synthetic-undo-{n}"}, who="a")
    assert list(change_choices(store.history())) == [3, 2, 1]
    store.undo_revision(2, who="a")
    assert list(change_choices(store.history())) == [4, 3, 1]  # r2 is gone, its undo is on top
    store.engine.dispose()


def test_a_new_sources_missing_fields_are_named(mini):
    values = {**GOOD, "new_source": {"publisher": "Synthetic Press", "title": "", "url": ""}}
    problems = form_problems(values, actor_names(mini), source_names(mini))
    assert _texts(problems) == [
        "New source, title: is missing — give the report's title or headline",
        "New source, link: is missing — give the link to the report (http…)",
    ]
