"""A background map by default, place names the product draws, and maps that open on the selection."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata import MAP_CRS, load_districts
from safetymap.analysis.rates import district_rates
from safetymap.maps.base import MapStyle, new_map, place_label_points
from safetymap.maps.districts import district_rate_map
from safetymap.maps.hotspots import hotspot_map
from safetymap.maps.services import services_map
from safetymap.settings import load_settings

OFFLINE = MapStyle(assets="local", tiles=None)
OSM = MapStyle(assets="local", tiles="OpenStreetMap")
OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
WATFORD = "E07000103"


def bng_to_lat_lon(x: float, y: float) -> tuple[float, float]:
    point = gpd.GeoSeries([shapely.Point(x, y)], crs="EPSG:27700").to_crs(MAP_CRS)[0]
    return round(point.y, 5), round(point.x, 5)


def fit_bounds(html: str) -> list[float]:
    match = re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", html, re.S)
    assert match is not None
    (south, west), (north, east) = json.loads(match.group(1))
    return [south, west, north, east]


def place_names_in(html: str) -> list[list]:
    start = html.index('pane.style.pointerEvents = "none";') + len('pane.style.pointerEvents = "none";')
    names, _ = json.JSONDecoder().raw_decode(html[start:].lstrip())
    return names


# ------------------------------------------------------------------------------ settings


def test_tiles_are_on_by_default_whatever_the_assets() -> None:
    assert load_settings({}).tiles == "osm"
    local = MapStyle.from_settings(load_settings({"SAFETYMAP_MAP_ASSETS": "local"}))
    assert (local.assets, local.tiles) == ("local", "OpenStreetMap")
    none = MapStyle.from_settings(
        load_settings({"SAFETYMAP_MAP_ASSETS": "local", "SAFETYMAP_TILES": "none"})
    )
    assert none.tiles is None
    internal = "https://tiles.example.police.uk/{z}/{x}/{y}.png"
    assert MapStyle.from_settings(load_settings({"SAFETYMAP_TILES": internal})).tiles == internal


def test_a_map_with_tiles_shows_their_attribution_and_the_place_names() -> None:
    districts = load_districts()
    rates = district_rates(pd.DataFrame({"district_code": [WATFORD]}),
                           pd.DataFrame({"code": districts["code"], "population": 1000}))
    html = district_rate_map(districts, rates, style=OSM).get_root().render()
    assert json.dumps(OSM_TILE_URL) in html
    assert "OpenStreetMap\\u003c/a\\u003e contributors" in html
    names = {name for name, kind, *_ in place_names_in(html) if kind == "district"}
    assert names == set(districts["name"])

    offline = district_rate_map(districts, rates, style=OFFLINE).get_root().render()
    assert "tileLayer" not in offline
    assert {n for n, *_ in place_names_in(offline)} == {n for n, *_ in place_names_in(html)}


# ------------------------------------------------------------------------- place names


@pytest.fixture
def alpha() -> gpd.GeoDataFrame:
    """One district, a 20 km square whose centre is (510000, 210000)."""
    return gpd.GeoDataFrame(
        {"code": ["A"], "name": ["Alpha"]},
        geometry=[shapely.box(500_000, 200_000, 520_000, 220_000)], crs="EPSG:27700",
    )


def towns_at(rows: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    points = gpd.GeoSeries([shapely.Point(x, y) for *_, x, y in rows],
                           crs="EPSG:27700").to_crs(MAP_CRS)
    return pd.DataFrame({
        "name": [r[0] for r in rows], "population": [r[1] for r in rows],
        "latitude": points.y, "longitude": points.x,
    })


TOWNS = [
    ("Bigtown", 50_000, 510_000, 210_000),    # a main town at the district's centre
    ("Smallville", 6_000, 510_500, 210_100),  # its name would overlap Bigtown's
    ("Faraway", 6_000, 515_000, 215_000),     # clear of every other name
    ("Tiny", 4_000, 503_000, 203_000),        # under 5,000 people
    ("Alpha", 30_000, 505_000, 205_000),      # named once, as the district
]


def test_names_placed_without_overlap_at_the_opening_scale(alpha) -> None:
    labels = place_label_points(alpha, alpha, towns_at(TOWNS))

    # View 20 km square in a 720 x 560 frame: 20,000 / 560 = 35.714 m per pixel, and
    # 400 km2 is a close view, so towns of 5,000 or more are named. Bigtown (7 letters at
    # 6.5 px) is 1,625 m wide, a line 643 m high. Alpha (5 letters at 8 px, 1,429 m) cannot
    # sit on the centre, where Bigtown is; the nearest inner points of the 2.5 km grid are
    # 2.5 km away, and the first of them made is (507500, 210000). Smallville's name would
    # overlap Bigtown's (500 m apart, names 1,500 m wide), so it is left off.
    assert labels["name"].tolist() == ["Bigtown", "Alpha", "Faraway"]
    assert labels["kind"].tolist() == ["town", "district", "town"]
    assert list(zip(labels["latitude"], labels["longitude"], strict=True)) == [
        bng_to_lat_lon(510_000, 210_000),
        bng_to_lat_lon(507_500, 210_000),
        bng_to_lat_lon(515_000, 215_000),
    ]


def test_a_wide_view_names_only_towns_of_15000_or_more(alpha) -> None:
    view = gpd.GeoDataFrame(geometry=[shapely.box(495_000, 195_000, 525_000, 225_000)],
                            crs="EPSG:27700")  # 900 km2
    labels = place_label_points(alpha, view, towns_at(TOWNS))
    assert labels["name"].tolist() == ["Bigtown", "Alpha"]


def test_place_names_are_text_never_markup(alpha) -> None:
    alpha["name"] = ["</script><img src=x onerror=alert(1)>"]
    m = new_map(alpha, OFFLINE, place_names=alpha)
    html = m.get_root().render()
    assert "</script><img" not in html
    assert "<img src=x" not in html
    assert "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "</script><img src=x onerror=alert(1)>" in {n for n, *_ in place_names_in(html)}
    assert "text.textContent = place[0];" in html
    assert "innerHTML" not in html.split("safetymapPlaces")[1].split("})();")[0]


# ---------------------------------------------------------------------- opening bounds


def watford_bounds() -> list[float]:
    west, south, east, north = (
        load_districts().query("code == @WATFORD").to_crs(MAP_CRS).total_bounds
    )
    return [south, west, north, east]


def test_county_map_opens_on_the_chosen_district() -> None:
    districts = load_districts()
    rates = district_rates(pd.DataFrame({"district_code": [WATFORD]}),
                           pd.DataFrame({"code": districts["code"], "population": 1000}))
    html = district_rate_map(districts, rates, style=OFFLINE,
                             selected=(WATFORD,)).get_root().render()
    assert fit_bounds(html) == pytest.approx(watford_bounds())


def test_services_and_hotspot_maps_open_on_the_chosen_district() -> None:
    districts = load_districts()
    services = gpd.GeoDataFrame(
        {"confidential": [False], "category": ["helpline"], "coverage": ["county"],
         "name": ["Line"], "phone": [""], "opening_hours": ["24/7"]},
        geometry=[None], crs="EPSG:27700",
    )
    html = services_map(services, districts, style=OFFLINE,
                        focus=(WATFORD,)).get_root().render()
    assert fit_bounds(html) == pytest.approx(watford_bounds())

    empty = gpd.GeoDataFrame(
        {"cell_id": [], "fill": [], "class_text": [], "reports_text": [], "reasons_text": [],
         "peak_text": []}, geometry=[], crs=MAP_CRS,
    )
    html = hotspot_map(empty, districts, style=OFFLINE, focus=(WATFORD,)).get_root().render()
    assert fit_bounds(html) == pytest.approx(watford_bounds())
    assert "Watford" in {name for name, *_ in place_names_in(html)}
