"""AppTest runs of what a person sees: a linked selection is what the Export panels of How
often and the Overview export, and a link's repaired dates are what the date filter holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")


@pytest.mark.parametrize(
    ("page", "key"),
    [("pages/overview.py", "overview_export"), ("pages/frequency.py", "freq_export")],
)
def test_the_export_panel_exports_the_linked_selection(page, key):
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["selection"] = "2021-03-01..2021-06-30"
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    title = at.text_input(key=f"{key}_title")
    # the suggested title names the selected span, not the whole window
    assert "1 Mar – 30 Jun 2021" in title.placeholder or "Mar–Jun 2021" in title.placeholder, (
        title.placeholder
    )
    said = [c.value.replace("\\", "") for c in at.caption]
    assert any(
        c.startswith("The files show the selection on the timeline (Selection: 1 Mar – 30 Jun 2021")
        for c in said
    ), said


def test_the_export_panel_without_a_selection_says_none(tmp_path):
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    said = [c.value for c in at.caption]
    assert not any("The files show the selection" in c for c in said)


def test_a_links_repaired_dates_are_what_the_date_filter_holds():
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["dates"] = ["1900-01-01", "2021-12-31"]
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert tuple(at.session_state["dates"])[1] == date(2021, 12, 31)
    warned = [w.value.replace("\\", "") for w in at.warning]
    assert any("dates='1900-01-01' is before the first day" in w for w in warned), warned


def test_a_backwards_link_range_is_reported_and_read_forwards():
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["dates"] = ["2021-12-31", "2021-01-01"]
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    # the first run may hold the range as the link gave it; the next writes it forwards
    assert tuple(sorted(at.session_state["dates"])) == (date(2021, 1, 1), date(2021, 12, 31))
    warned = [w.value.replace("\\", "") for w in at.warning]
    assert any("run backwards" in w for w in warned), warned
