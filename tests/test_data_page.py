"""The Data page's event form from the entry point (AppTest), on a store of its own: fill
the pickers, save, see the form cleared and the undo picker on the newest change; a refused
save names the field and keeps what was typed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data.store import Store

APP = str(Path(__file__).resolve().parents[1] / "app.py")
SOURCE = "reuters-a4n24q00u"


def _page(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("PATROLWATCH_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _fill(at: AppTest, k: str, day: date, text: str, credibility: int | None) -> None:
    at.date_input(key=f"{k}_day").set_value(day)
    at.multiselect(key=f"{k}_actors").set_value(["russia", "turkey"])
    at.multiselect(key=f"{k}_sources").set_value([SOURCE])
    at.text_area(key=f"{k}_desc").set_value(text)
    at.run()
    at.selectbox(key=f"{k}_role_russia").set_value("patrolling")
    at.selectbox(key=f"{k}_role_turkey").set_value("patrolling")
    if credibility is not None:
        at.selectbox(key=f"{k}_cred_{SOURCE}").set_value(credibility)
    at.run()


def _save(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Save event").click().run()
    assert not at.exception, [e.message for e in at.exception]


def test_save_clears_the_form_and_undo_shows_the_newest_change(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch)
    assert at.selectbox(key="data_edit_event_0").value == ""
    _fill(at, "data_form_0_new_0", date(2024, 5, 22), "SYNTHETIC first event", 3)
    _save(at)
    done = [s.value.replace("\\", "") for s in at.success]
    assert any(s.startswith("Saved event ev-2024-05-22-joint-patrol (a new event") for s in done)
    # a fresh form: "(a new event)" and nothing of the saved one
    assert at.selectbox(key="data_edit_event_1").value == ""
    assert at.text_area(key="data_form_1_new_0_desc").value == ""
    assert at.multiselect(key="data_form_1_new_0_actors").value == []
    assert at.date_input(key="data_form_1_new_0_day").value is None
    undo = next(b for b in at.button if b.label.startswith("Undo this change"))
    assert undo.label == "Undo this change (r1)"

    _fill(at, "data_form_1_new_0", date(2024, 6, 1), "SYNTHETIC second event", 2)
    _save(at)
    picker = next(s for s in at.selectbox if s.label.startswith("Undo a whole change"))
    assert picker.value == 2 and picker.options[0].startswith("r2 ")
    undo = next(b for b in at.button if b.label.startswith("Undo this change"))
    assert undo.label == "Undo this change (r2)"
    undo.click().run()
    assert not at.exception, [e.message for e in at.exception]
    store = Store.open(f"sqlite:///{tmp_path / 'store' / 'store.sqlite'}")
    events = store.snapshot().records["events"]
    assert events["event_id"].tolist() == ["ev-2024-05-22-joint-patrol"]  # r1 stands
    store.engine.dispose()


def test_a_refused_save_names_the_field_and_keeps_what_was_typed(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch)
    k = "data_form_0_new_0"
    _fill(at, k, date(2024, 5, 22), "SYNTHETIC typed, not saved", None)
    _save(at)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any(e.startswith("Source 1 (Reuters – ") for e in errors), errors
    assert any("credibility is missing — choose how far the report is confirmed" in e
               for e in errors)  # fmt: skip
    assert any(e.startswith("Not saved: 1 thing(s) to put right") for e in errors)
    assert "sources: must not be empty" not in " ".join(errors)
    assert at.text_area(key=f"{k}_desc").value == "SYNTHETIC typed, not saved"
    assert at.multiselect(key=f"{k}_actors").value == ["russia", "turkey"]
    # a grade rule refuses, explained
    at.selectbox(key=f"{k}_cred_{SOURCE}").set_value(1)
    _save(at)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("confirmed-needs-two" in e and "needs another source" in e for e in errors)
    assert not Store.open(f"sqlite:///{tmp_path / 'store' / 'store.sqlite'}").exists()
