"""A snapshot link, opened after a colleague added, corrected and deleted events, lists the
changes. SYNTHETIC store records only; the server runs on its own store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data.load import load_dataset_files
from data.records import event_texts
from data.store import Store
from tests.browser.conftest import ROOT, _start, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser

SHIPPED_SOURCE = "enabbaladi-2023-04"


def _event(eid: str, when: str) -> dict[str, str]:
    return {
        "event_id": eid,
        "theatre_id": "ne_syria",
        "date": when,
        "date_precision": "day",
        "end_date": "",
        "kind": "joint_patrol",
        "status": "carried_out",
        "actors": "russia:patrolling|turkey:patrolling",
        "places": "kobani",
        "route_id": "",
        "patrol_number": "",
        "number_scheme": "",
        "vehicles": "",
        "distance_km": "",
        "description": "SYNTHETIC event written by the snapshot browser test",
        "milestone": "",
        "sources": f"{SHIPPED_SOURCE}:3",
    }


@pytest.fixture
def own_store(tmp_path: Path, monkeypatch):
    folder = tmp_path / "store"
    monkeypatch.setenv("PATROLWATCH_STORE", str(folder))
    store = Store.open(f"sqlite:///{folder / 'store.sqlite'}")
    store.insert("events", _event("syn-snap-gone", "2020-06-10"), who="ana")
    server = _start(ROOT / "app.py", tmp_path)
    try:
        yield server.url, store
    finally:
        server.stop()


def _cite_link(page) -> str:
    page.get_by_text("Cite this view").first.click()
    code = page.locator('[data-testid="stExpanderDetails"] [data-testid="stCode"]').first
    code.wait_for(timeout=30_000)
    return code.inner_text().strip()


def test_old_snapshot_link_lists_what_changed(page, own_store):
    url, store = own_store
    page.goto(f"{url}/map_explorer?dates=2020-01-01&dates=2020-12-31")
    wait_for_streamlit(page)
    link = _cite_link(page)
    assert "snap=" in link and "dsv=" in link and "store.r1" in link

    # a colleague adds one event, corrects a shipped one and deletes ours
    store.insert("events", _event("syn-snap-new", "2020-07-01"), who="ben", note="new report")
    shipped = event_texts(load_dataset_files())
    first = shipped[shipped["date"].str.startswith("2020-06")].iloc[0].to_dict()
    store.insert("events", {**first, "vehicles": "12"}, who="cem", note="SYNTHETIC vehicle count")
    gone = store.get("events", "syn-snap-gone")
    store.delete("events", "syn-snap-gone", expected_version=int(gone["pw_version"]), who="ana")

    page.goto(link)
    wait_for_streamlit(page)
    panel = page.locator('[class*="st-key-mx_cite_changes"]')
    panel.wait_for(timeout=60_000)
    text = panel.inner_text()
    assert "Since this snapshot" in text
    assert "1 added, 1 edited, 1 deleted" in text
    assert "store.r1" in text
    panel.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    cited = re.search(r"cited at version \S+ \(([\d,]+) events\)", text)
    assert cited, text
    assert f"The events as cited ({cited.group(1)})" in text
    screenshot(page, "snapshot_changes")

    # leaving the snapshot keeps the filters and drops the panel
    panel.get_by_role("button", name="Close").click()
    wait_for_streamlit(page)
    page.locator('[class*="st-key-mx_cite_changes"]').wait_for(state="detached", timeout=30_000)
    assert "snap=" not in page.url and "dates=2020-01-01" in page.url
