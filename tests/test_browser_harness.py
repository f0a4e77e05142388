"""Prove the browser harness: Streamlit apps draw local-asset maps with no outside requests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser import BrowserLog, is_local, save_screenshot, wait_for_map_frame
from harness import StreamlitApp
from playwright.sync_api import Page

from safetymap.settings import PROJECT_ROOT

# Three squares of 0.04 degrees: near Watford, St Albans and Stevenage.
DISTRICTS_APP = """
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

# Three reports within 100 m of each other in St Albans (one cluster at zoom 10, where 80 px
# is about 12 km) and one in Stevenage, 20 km away (a marker of its own); a heat layer of all.
CLUSTERS_APP = """
import folium
from folium.plugins import HeatMap, MarkerCluster
from streamlit_folium import st_folium

from safetymap.maps.assets import apply_assets

reports = [[51.7500, -0.3400], [51.7505, -0.3405], [51.7495, -0.3395], [51.9000, -0.2000]]
m = folium.Map(location=[51.82, -0.27], zoom_start=10, tiles=None)
cluster = MarkerCluster().add_to(m)
for report in reports:
    folium.Marker(report, tooltip="report").add_to(cluster)
HeatMap(reports, radius=30).add_to(m)
apply_assets(m, mode="local")
st_folium(m, height=420, width=700, returned_objects=[])
"""


@pytest.fixture(scope="module")
def app_folder(tmp_path_factory, map_assets: Path) -> Path:
    """Write both apps to one folder, with a copy of the vendored assets in its static/."""
    folder = tmp_path_factory.mktemp("harness_apps")
    # A copy, not a symlink: Streamlit refuses static files whose real path is outside static/.
    shutil.copytree(map_assets, folder / "static" / "vendor")
    (folder / "districts_app.py").write_text(DISTRICTS_APP)
    (folder / "clusters_app.py").write_text(CLUSTERS_APP)
    return folder


def _start(streamlit_server, script: Path) -> StreamlitApp:
    return streamlit_server(script, env={"PYTHONPATH": str(PROJECT_ROOT)})


def test_local_asset_map_draws_three_districts_offline(
    app_folder: Path, streamlit_server, browser_page: Page, browser_log: BrowserLog, tmp_path
) -> None:
    app = _start(streamlit_server, app_folder / "districts_app.py")

    browser_page.goto(app.url)
    frame = wait_for_map_frame(browser_page)
    frame.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 3")
    browser_page.wait_for_load_state("networkidle")
    save_screenshot(browser_page, tmp_path / "three_districts.png")

    assert frame.locator("path.leaflet-interactive").count() == 3
    assert frame.evaluate("L.version") == "1.9.4"
    assert f"{app.url}/app/static/vendor/leaflet/leaflet.js" in browser_log.urls
    assert browser_log.offsite() == []
    assert browser_log.errors == []


def test_local_asset_map_draws_clusters_markers_and_heat_offline(
    app_folder: Path, streamlit_server, browser_page: Page, browser_log: BrowserLog, tmp_path
) -> None:
    app = _start(streamlit_server, app_folder / "clusters_app.py")

    browser_page.goto(app.url)
    frame = wait_for_map_frame(browser_page)
    frame.wait_for_selector(".marker-cluster")
    browser_page.wait_for_load_state("networkidle")
    save_screenshot(browser_page, tmp_path / "clusters.png")

    assert frame.locator(".marker-cluster").all_inner_texts() == ["3"]
    lone_marker = frame.locator("img.leaflet-marker-icon")
    assert lone_marker.count() == 1
    assert lone_marker.evaluate("img => img.src") == (
        f"{app.url}/app/static/vendor/leaflet/images/marker-icon.png"
    )
    assert lone_marker.evaluate("img => img.naturalWidth") == 25
    heat_pixels = frame.evaluate(
        """() => {
            const canvas = document.querySelector("canvas.leaflet-heatmap-layer");
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            return data.data.filter((value, index) => index % 4 === 3 && value > 0).length;
        }"""
    )
    assert heat_pixels > 1000
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
