"""The Reports page from the entry point (AppTest): a pasted report gives its candidates,
escaped; accepting one writes it with its source; the pure builders escape report text."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.reports import field_rows, fields_html, highlight_html, report_html
from data.load import EMBEDDED_DIR, load_dataset_files
from data.reports import ReportMeta, extract
from data.store import Store
from tests.test_reports import seed_path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
REPORT = (ROOT / "tests" / "reports" / "kobani_gharib.txt").read_text(encoding="utf-8")


def test_highlight_escapes_everything_but_its_marks():
    text = "A <script>alert(1)</script> & `${x}` patrol."
    out = highlight_html(text, 0, len(text), [(2, 10), (5, 12)])
    assert "<script>" not in out and "&lt;script&gt;" in out and "&#36;" in out
    assert out.count("<mark") == 1


def test_fields_and_report_html_are_escaped():
    ds = load_dataset_files(EMBEDDED_DIR)
    text = (
        "<img src=x onerror=alert(1)> Russian and Turkish forces conducted a joint patrol "
        "from Amuda to al-Darbasiyah on Monday."
    )
    x = extract(text, ReportMeta(published="2024-09-04", language="en"), ds)
    html = fields_html(field_rows(x, x.events[0].fields)) + report_html(x)
    assert "<img" not in html and "&lt;img" in html


def _page(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("PATROLWATCH_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/reports.py")
    at.run()
    return at


def test_reports_page_runs_and_accepts_a_candidate(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    at.text_area(key="reports_paste").set_value(REPORT).run()
    assert not at.exception, [e.message for e in at.exception]
    date_box = next(t for t in at.text_input if t.label.startswith("Published"))
    date_box.set_value("2022-04-11").run()
    pub = next(t for t in at.text_input if t.label == "Publisher")
    pub.set_value("Synthetic Monitor").run()
    url = next(t for t in at.text_input if t.label.startswith("Link"))
    url.set_value("https://example.org/synthetic-report").run()
    titles = [m.value for m in at.markdown]
    assert any("event\\-1" in t and "no\\. 96" in t for t in titles), titles
    accept = next(b for b in at.button if b.label == "Accept")
    accept.click().run()
    assert not at.exception, [e.message for e in at.exception]
    done = [s.value.replace("\\", "") for s in at.success]
    assert any("Accepted: event ev-2022-04-11-joint-patrol" in s for s in done), done


def test_a_report_without_a_link_is_refused_with_the_field_named(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch)
    at.text_area(key="reports_paste").set_value(REPORT).run()
    assert any("a source needs its link" in w.value for w in at.warning)


def _paste(at: AppTest, text: str, publisher: str, url: str, published: str) -> None:
    at.text_area(key="reports_paste").set_value(text).run()
    for label, value in (("Publisher", publisher), ("Link", url), ("Published", published)):
        next(t for t in at.text_input if t.label.startswith(label)).set_value(value).run()


def _store(tmp_path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'store' / 'store.sqlite'}")


def test_edit_then_accept_writes_the_edited_record(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch)
    _paste(at, REPORT, "Synthetic Monitor", "https://example.org/r2", "2022-04-11")
    vehicles = next(t for t in at.text_input if t.label == "Vehicles")
    assert vehicles.value == "8"
    vehicles.set_value("6")
    # the fields of the Data page's form, drawn by the same function, the end date,
    # distance and milestone among them
    next(t for t in at.text_input if t.label == "Distance (km)").set_value("12.5")
    next(t for t in at.text_input if t.label.startswith("Milestone")).set_value("SYNTHETIC")
    assert any(d.label.startswith("End date") for d in at.date_input)
    assert any(m.label.startswith("Actors") for m in at.multiselect)
    next(b for b in at.button if b.label == "Save and accept").click().run()
    assert not at.exception, [e.message for e in at.exception]
    events = _store(tmp_path).snapshot().records["events"]
    assert events["vehicles"].tolist() == ["6"]
    assert events["distance_km"].tolist() == ["12.5"] and events["milestone"].tolist() == [
        "SYNTHETIC"
    ]
    assert events["sources"].tolist() == ["synthetic-monitor-2022-04-11:6"]
    note = _store(tmp_path).history()["note"].iloc[0]
    assert note.startswith("from report synthetic-monitor-2022-04-11") and "edited" in note


def test_a_held_match_gets_the_report_added_to_the_held_event(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch)
    seed = seed_path()
    _paste(
        at, seed.read_text(encoding="utf-8"), "Enab Baladi", "https://example.org/c", "2024-05-22"
    )
    add = next(b for b in at.button if b.label == "Add this report to ev-2024-05-22-convoy-escort")
    add.click().run()
    assert not at.exception, [e.message for e in at.exception]
    events = _store(tmp_path).snapshot().records["events"]
    row = events[events["event_id"] == "ev-2024-05-22-convoy-escort"].iloc[0]
    assert row["sources"].endswith("|enab-baladi-2024-05-22:6")
    assert row["places"] == "qamishli|al_asadiyah|alouk_station"  # the held record, kept
