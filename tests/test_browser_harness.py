"""Prove the browser harness: a Streamlit app draws a local-asset map with no outside requests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser import BrowserLog, StreamlitApp, is_local, save_screenshot, wait_for_map_frame
from playwright.sync_api import Page

from safetymap.maps.assets import assets_installed
from safetymap.settings import PROJECT_ROOT, VENDOR_DIR

# Three squares of 0.04 degrees: near Watford, St Albans and Stevenage.
APP = """
import folium
from streamlit_folium import st_folium

from safetymap.maps.assets import apply_assets


def square(name, lon, lat):
    ring = [[lon, lat], [lon + 0.04, lat], [lon + 0.04, lat + 0.04], [lon, lat + 0.04], [lon, lat]]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


districts = {
    "type": "FeatureCollection",
    "features": [
        square("Watford", -0.42, 51.64),
        square("St Albans", -0.36, 51.74),
        square("Stevenage", -0.22, 51.89),
    ],
}
m = folium.Map(location=[51.78, -0.3], zoom_start=10, tiles=None)
folium.GeoJson(districts, tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
apply_assets(m, mode="local")
st_folium(m, height=420, width=700, returned_objects=[])
"""


@pytest.fixture(scope="module")
def harness_app(tmp_path_factory, streamlit_server) -> StreamlitApp:
    """Start the three-district app, with a copy of the vendored assets in its static/."""
    if not assets_installed(VENDOR_DIR):
        pytest.skip(f"map assets are not installed in {VENDOR_DIR}; run `safetymap assets`")
    folder = tmp_path_factory.mktemp("harness_app")
    # A copy, not a symlink: Streamlit refuses static files whose real path is outside static/.
    shutil.copytree(VENDOR_DIR, folder / "static" / "vendor")
    script = folder / "app.py"
    script.write_text(APP)
    return streamlit_server(script, env={"PYTHONPATH": str(PROJECT_ROOT)})


def test_local_asset_map_draws_three_districts_offline(
    harness_app: StreamlitApp, browser_page: Page, browser_log: BrowserLog, tmp_path: Path
) -> None:
    browser_page.goto(harness_app.url)
    frame = wait_for_map_frame(browser_page)
    frame.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 3")
    browser_page.wait_for_load_state("networkidle")
    save_screenshot(browser_page, tmp_path / "three_districts.png")

    assert frame.locator("path.leaflet-interactive").count() == 3
    assert frame.evaluate("L.version") == "1.9.4"
    assert f"{harness_app.url}/app/static/vendor/leaflet/leaflet.js" in browser_log.urls
    assert browser_log.offsite() == []
    assert browser_log.errors == []


def test_browser_log_catches_offsite_requests_and_errors(browser_page, browser_log) -> None:
    browser_page.set_content(
        '<img src="http://tiles.example.invalid/0/0/0.png">'
        '<script>throw new Error("Map has no maxZoom specified")</script>'
    )
    browser_page.wait_for_load_state("networkidle")

    assert browser_log.offsite() == ["http://tiles.example.invalid/0/0/0.png"]
    assert browser_log.errors == ["Map has no maxZoom specified"]


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8501/app/static/vendor/leaflet/leaflet.js", True),
        ("http://localhost:8501/_stcore/health", True),
        ("ws://127.0.0.1:8501/_stcore/stream", True),
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ("https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js", False),
        ("https://tile.openstreetmap.org/10/511/340.png", False),
        ("http://127.0.0.1.example.com/x.js", False),
    ],
)
def test_is_local(url: str, local: bool) -> None:
    assert is_local(url) is local
