"""A shared link straight to a page, opened on a server that has just started, runs through
the router: the page comes with its navigation and the filters from the link."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ROOT, _start, screenshot, wait_for_streamlit

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_server(tmp_path):
    server = _start(ROOT / "app.py", tmp_path)
    try:
        yield server.url
    finally:
        server.stop()


def test_direct_link_to_a_page_on_a_fresh_server(page, fresh_server):
    page.goto(f"{fresh_server}/sources?dates=2021-01-01&dates=2021-12-31")
    wait_for_streamlit(page)
    page.get_by_role("heading", name="Sources and conflicts").first.wait_for(timeout=30_000)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Overview" in nav and "Sources and conflicts" in nav
    sidebar = page.locator('[data-testid="stSidebar"]')
    start = sidebar.locator('[aria-label="year, Date range start date"]').inner_text()
    assert start == "2021"
    screenshot(page, "direct_link_sources")
