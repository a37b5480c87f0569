"""The choice filters a link carries: read from a hand-written or app-written link (ids,
labels, other spellings), written back as ids, and every value that names nothing
reported (``data.links``, ``components.filters.filter_choices`` / ``choices_from_link``)."""

from __future__ import annotations

from datetime import date

from components.filters import (
    KEY_ACTORS,
    KEY_CERTAIN,
    KEY_CHOICE_NOTES,
    KEY_KINDS,
    KEY_RELIABILITY,
    KEY_ROUTES,
    KEY_THEATRES,
    choice_notes,
    choices_from_link,
    filter_choices,
    filter_from_state,
)
from components.html import md_escape
from data.links import LinkChoices, check_link_switch, link_values, read_link_choices

KINDS = LinkChoices(
    "kinds", "an event kind", {"joint_patrol": "Joint patrol", "convoy_escort": "Convoy escort"}
)


def test_ids_labels_and_spellings_name_the_same_option():
    for text in ("joint_patrol", "Joint patrol", "JOINT PATROL", "joint patrol", " Joint  patrol "):
        assert read_link_choices([text], KINDS) == (["joint_patrol"], []), text
    ids, notes = read_link_choices(["joint_patrol", "convoy_escort", "Joint patrol"], KINDS)
    assert ids == ["joint_patrol", "convoy_escort"] and notes == []  # each once, link order
    assert read_link_choices(["", "  "], KINDS) == ([], [])  # ?kinds= names nothing


def test_a_value_that_names_nothing_is_reported_not_dropped():
    ids, notes = read_link_choices(["nonsense", "joint_patrol"], KINDS)
    assert ids == ["joint_patrol"]
    assert notes == ["The link's kinds='nonsense' is not an event kind: it was left out."]
    # the link's text is hostile: the page shows the note through md_escape
    (note,) = read_link_choices(["<b>x</b>**:red[y]"], KINDS)[1]
    assert "<b>" not in md_escape(note) and "\\*\\*" in md_escape(note)
    long = "x" * 500
    (note,) = read_link_choices([long], KINDS)[1]
    assert len(note) < 140 and "…" in note  # quoted, not pasted whole


def test_a_single_choice_keeps_its_first_known_value_or_its_default():
    grades = LinkChoices(
        "reliability", "a grade", {"A": "A: best", "F": "F: unknown"}, single_default="F"
    )
    assert read_link_choices([], grades) == (["F"], [])
    assert read_link_choices(["a"], grades) == (["A"], [])
    ids, notes = read_link_choices(["A", "F"], grades)
    assert ids == ["A"] and notes == [
        "The link gives 2 reliability values; only the first, 'A', is used."
    ]
    assert link_values("F", grades) == [] and link_values("A", grades) == ["A"]


def test_the_link_carries_ids_in_the_filters_order_and_nothing_for_all():
    assert link_values(["convoy_escort", "joint_patrol"], KINDS) == [
        "joint_patrol",
        "convoy_escort",
    ]
    assert link_values([], KINDS) == [] and link_values(None, KINDS) == []
    assert link_values(["martians"], KINDS) == []


def test_a_switch_value_streamlit_will_not_read_is_reported():
    assert check_link_switch("certain", [], "x") == []
    assert check_link_switch("certain", ["TRUE"], "x") == []
    assert check_link_switch("certain", ["false"], "x") == []
    (note,) = check_link_switch("certain", ["yes"], "overlap kept")
    assert (
        note == "The link's certain='yes' is not true or false: the switch is off (overlap kept)."
    )


def test_the_sidebars_choices_read_every_filter_from_a_link(mini):
    choices = filter_choices(mini, {"blue": "disputed on 1 event"})
    # what the sidebar shows, and the labels earlier versions wrote into links
    assert choices[KEY_ACTORS].label("blue_mp") == "Blue military police (→ Blue forces)"
    assert choices[KEY_ACTORS].label("blue") == "Blue forces, disputed on 1 event"
    assert choices[KEY_RELIABILITY].label("B") == "B: Usually reliable"
    link = {
        KEY_ACTORS: ["blue", "Blue military police (→ Blue forces)", "Reds forces"],
        KEY_KINDS: ["joint_patrol", "Convoy escort"],
        KEY_THEATRES: ["syn_b"],
        KEY_ROUTES: ["Synthetic track"],
        KEY_RELIABILITY: ["b"],
        KEY_CERTAIN: ["maybe"],
    }
    values, notes = choices_from_link(link, choices)
    assert values == {
        KEY_ACTORS: ["blue", "blue_mp"],
        KEY_KINDS: ["joint_patrol", "convoy_escort"],
        KEY_THEATRES: ["syn_b"],
        KEY_ROUTES: ["track"],
        KEY_RELIABILITY: "B",
    }
    assert set(notes) == {KEY_ACTORS, KEY_CERTAIN}
    assert notes[KEY_ACTORS] == (
        ("The link's actors='Reds forces' is not an actor: it was left out.",),
        ["blue", "blue_mp"],
    )
    # aliases name their actor; the values read give the filter the link meant
    assert choices_from_link({KEY_ACTORS: ["Blues"]}, choices)[0][KEY_ACTORS] == ["blue"]
    f = filter_from_state(values, mini, date(2022, 1, 1))
    assert f.kinds == ("joint_patrol", "convoy_escort") and f.routes == ("track",)
    assert f.min_reliability == "B" and f.actors == ("blue", "blue_mp")
    # and the link written back carries ids
    assert link_values(values[KEY_ROUTES], choices[KEY_ROUTES]) == ["track"]


def test_the_notes_stay_while_the_filter_holds_what_was_used(mini):
    choices = filter_choices(mini, {})
    values, notes = choices_from_link({KEY_KINDS: ["nonsense"], KEY_CERTAIN: ["yes"]}, choices)
    state = {**values, KEY_CERTAIN: False, KEY_CHOICE_NOTES: notes}
    assert choice_notes(state) == (
        "The link's kinds='nonsense' is not an event kind: it was left out.",
        "The link's certain='yes' is not true or false: the switch is off (events whose date "
        "window overlaps the range are kept).",
    )
    state[KEY_KINDS] = ["joint_patrol"]  # the person chose kinds: that note is done with
    state[KEY_CERTAIN] = True
    assert choice_notes(state) == ()
    assert choice_notes({}) == ()


def test_the_app_reads_a_links_ids_and_keeps_ids_in_the_link(monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.query_params["kinds"] = ["joint_patrol", "Convoy escort", "nonsense"]
    at.query_params["reliability"] = "B: Usually reliable"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.multiselect(key=KEY_KINDS).value == ["joint_patrol", "convoy_escort"]
    assert at.select_slider(key=KEY_RELIABILITY).value == "B"
    warned = [w.value for w in at.warning]
    assert any("kinds\\='nonsense' is not an event kind" in w for w in warned), warned
    assert at.query_params["kinds"] == ["joint_patrol", "convoy_escort"]
    assert at.query_params["reliability"] in ("B", ["B"])
    # a person's later choice going into the link is the browser test's (AppTest's next run
    # does not draw the app's sidebar again)
