"""The real dashboard in headless Chromium: the county map draws ten districts, offline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import BrowserLog, save_screenshot, wait_for_map_frame
from playwright.sync_api import Page

from safetymap.settings import PROJECT_ROOT

#: Screenshots land here so a person (or CI's log) can look at them.
SHOTS = Path(os.environ.get("SAFETYMAP_SCREENSHOTS", PROJECT_ROOT / "build" / "screenshots"))


@pytest.fixture(scope="module")
def dashboard_url(streamlit_server, tmp_path_factory, map_assets: Path) -> str:
    """Serve the dashboard on demo data, Leaflet from ``map_assets``; return its URL."""
    cache = tmp_path_factory.mktemp("demo_cache")
    app = streamlit_server(
        PROJECT_ROOT / "dashboard.py",
        env={
            # The default demo (a real county year, 1,000 reports): what a user opens.
            "SAFETYMAP_CACHE_DIR": str(cache),
            "SAFETYMAP_MAP_ASSETS": "local",
            "SAFETYMAP_TILES": "none",
            "SAFETYMAP_DATA": "",
        },
    )
    return app.url


def test_county_map_draws_ten_districts_with_no_outside_request(
    dashboard_url: str, browser_page: Page, browser_log: BrowserLog
) -> None:
    browser_page.set_viewport_size({"width": 1400, "height": 1500})
    browser_page.goto(dashboard_url)
    frame = wait_for_map_frame(browser_page, timeout_ms=60_000)
    frame.wait_for_function(
        "document.querySelectorAll('path.leaflet-interactive').length >= 10", timeout=30_000
    )
    assert frame.locator("path.leaflet-interactive").count() == 10
    legend = frame.locator(".safetymap-legend").inner_text()
    assert "StreetSafe reports per 1,000 residents" in legend
    assert "Highest:" in legend
    # no tiles in tests: the names the product draws are what orients the map
    assert frame.locator(".safetymap-place-district").count() == 10
    assert frame.locator(".safetymap-place", has_text="Hemel Hempstead").count() == 1
    browser_page.get_by_text("Synthetic demo data.").first.wait_for()
    browser_page.get_by_text("The same figures as a table").wait_for()
    browser_page.wait_for_timeout(500)
    save_screenshot(browser_page, SHOTS / "county_map.png")
    assert browser_log.offsite() == []
    assert browser_log.errors == []


def test_a_link_with_filters_opens_the_same_view(
    dashboard_url: str, browser_page: Page, browser_log: BrowserLog
) -> None:
    browser_page.goto(f"{dashboard_url}/?district=E07000103&time=night")
    frame = wait_for_map_frame(browser_page, timeout_ms=60_000)
    frame.wait_for_function(
        "document.querySelectorAll('path.leaflet-interactive').length >= 10", timeout=30_000
    )
    assert "Not selected" in frame.locator(".safetymap-legend").inner_text()
    sidebar = browser_page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_text("Watford").first.wait_for()
    sidebar.get_by_text("Night (22:00-06:00)").first.wait_for()
    assert "district=E07000103" in browser_page.url
    save_screenshot(browser_page, SHOTS / "county_map_watford_night.png")
    assert browser_log.offsite() == []


def test_data_page_shows_the_synthetic_label(dashboard_url: str, browser_page: Page) -> None:
    browser_page.goto(f"{dashboard_url}/data_sources")
    browser_page.get_by_text("Data and sources").first.wait_for()
    browser_page.get_by_text("Synthetic demo data.").first.wait_for()
    save_screenshot(browser_page, SHOTS / "data_sources.png")
