"""The services map: markers for public places, served areas for confidential services."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geodata import load_districts
from safetymap.maps.base import MapStyle
from safetymap.maps.services import served_area, services_map

OFFLINE = MapStyle(assets="local", tiles=None)
PAYLOAD = "<img src=x onerror=alert(1)>"


def services() -> gpd.GeoDataFrame:
    # The refuge row still carries a point here, as if a frame had bypassed the loader:
    # the map must not use it.
    return gpd.GeoDataFrame(
        {
            "service_id": ["OUT", "REF"],
            "name": [PAYLOAD, "Safe house"],
            "category": ["outreach", "refuge"],
            "confidential": [False, True],
            "coverage": ["E07000103;E07000102", "county"],
            "opening_hours": ["Mo-Fr 09:00-17:00", "24/7"],
            "phone": ["0300 000", "0330 102 5811"],
            "eligibility": ["", "women 18+"],
            "location_approximate": [True, False],
        },
        geometry=[shapely.Point(510900, 196500), shapely.Point(523456.7, 212345.6)],
        crs="EPSG:27700",
    )


def test_confidential_service_is_an_area_never_a_point() -> None:
    html = services_map(services(), load_districts(), style=OFFLINE).get_root().render()
    refuge = gpd.GeoSeries([shapely.Point(523456.7, 212345.6)], crs="EPSG:27700").to_crs(4326)
    for text in (f"{refuge.y.iloc[0]:.4f}", f"{refuge.x.iloc[0]:.4f}", "523456", "212345"):
        assert text not in html
    assert "Location confidential: shown by the area it serves" in html
    assert html.count("L.marker(") == 1  # the outreach service only
    assert "Dashed line: area a confidential service serves" in html


def test_service_text_is_escaped() -> None:
    html = services_map(services(), load_districts(), style=OFFLINE).get_root().render()
    assert PAYLOAD not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_served_area_is_the_union_of_the_districts_it_lists() -> None:
    districts = load_districts()
    area = served_area("E07000103;E07000102", districts)
    expected = districts[districts["code"].isin(["E07000103", "E07000102"])].geometry.area.sum()
    # districts share boundaries but do not overlap: the union's area is the sum of theirs
    assert abs(area.area - expected) / expected < 1e-9
    county = districts.geometry.area.sum()
    assert abs(served_area("county", districts).area - county) / county < 1e-9
