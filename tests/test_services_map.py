"""The services map: markers for public places, served areas for confidential services."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geodata import load_districts
from safetymap.maps.base import MapStyle
from safetymap.maps.services import GAP_FILLS, gap_shading, served_area, services_map

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


def test_gap_shading_puts_two_districts_in_each_class_darkest_first() -> None:

    # Ten districts, scores 10 down to 1 for ranks 1 to 10 (rank 1 = largest gap).
    ranking = pd.DataFrame({"district_code": [f"D{n}" for n in range(1, 11)],
                            "gap_score": [float(11 - n) for n in range(1, 11)],
                            "rank": list(range(1, 11))})
    shade, rows = gap_shading(ranking)
    # Ranks 1-2 darkest, 9-10 lightest.
    assert shade["fill"].tolist() == [GAP_FILLS[4]] * 2 + [GAP_FILLS[3]] * 2 + [
        GAP_FILLS[2]] * 2 + [GAP_FILLS[1]] * 2 + [GAP_FILLS[0]] * 2
    assert shade["label"].tolist()[2] == "Gap rank 3 of 10"
    assert rows == [(GAP_FILLS[4], "Ranks 1-2: largest gap"), (GAP_FILLS[3], "Ranks 3-4"),
                    (GAP_FILLS[2], "Ranks 5-6"), (GAP_FILLS[1], "Ranks 7-8"),
                    (GAP_FILLS[0], "Ranks 9-10: smallest gap")]
