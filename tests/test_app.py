"""AppTest smoke runs of every page, from the entry point, on the embedded data."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import fixtures

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/map_explorer.py",
    "pages/frequency.py",
    "pages/sources.py",
    "pages/data.py",
]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")


def _run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(page):
    at = _run(page)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title


def test_date_filter_changes_headline_figures():
    at = _run()
    before = _metrics(at)
    assert int(before["Patrols counted"].replace(",", "")) > 0
    at.date_input(key="dates").set_value((date(2021, 1, 1), date(2021, 12, 31))).run()
    assert not at.exception
    after = _metrics(at)
    for label in (
        "Patrols counted",
        "Last patrol",
        "Days since last patrol",
        "Patrols a month",
    ):
        assert after[label] != before[label], label
    assert "2021" in after["Last patrol"]


def test_refused_data_set_is_explained(tmp_path, monkeypatch):
    events = copy.deepcopy(fixtures.EVENTS)
    events[0]["date"] = "2020-02-31"
    directory = fixtures.write_mini_dataset(tmp_path / "bad", events=events)
    monkeypatch.setenv("PATROLWATCH_DATA", str(directory))
    at = _run()
    assert not at.exception
    assert "refused" in at.error[0].value
    table = at.dataframe[0].value
    assert list(table.iloc[0][["File", "Row", "Field"]]) == ["events.csv", "2", "date"]


@pytest.mark.parametrize(
    "kinds",
    [["convoy_escort", "humanitarian_mission"], ["agreement"], ["water_cut"]],
)
def test_overview_with_non_patrol_kinds(kinds):
    at = _run()
    at.multiselect(key="kinds").set_value(kinds).run()
    assert not at.exception, [e.message for e in at.exception]
    assert _metrics(at)["Patrols counted"] == "0"
    assert "events per month" in str(at.get("plotly_chart")[0].proto.spec)


def test_overview_with_an_empty_selection():
    at = _run()
    at.date_input(key="dates").set_value((date(2019, 10, 16), date(2019, 10, 17))).run()
    assert not at.exception, [e.message for e in at.exception]
    assert _metrics(at)["Patrols counted"] == "0"


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/frequency.py"])
def test_a_linked_selection_narrows_the_page(page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    whole = next(s.value for s in at.subheader if s.value.startswith("Events ("))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["selection"] = "2021-03-01..2021-06-30"
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    line = next(i.value for i in at.info if "Selection" in i.value).replace("\\", "")
    assert line.startswith("Selection: 1 Mar – 30 Jun 2021, ")
    shown = next(s.value for s in at.subheader if s.value.startswith("Events ("))
    assert int(shown.strip("Events ()").replace(",", "")) < int(
        whole.strip("Events ()").replace(",", "")
    )
