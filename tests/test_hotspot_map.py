"""The hotspot map layer as a pure function: what is drawn, for whom, and how it reads."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from geodata import load_districts
from safetymap.analysis.hotspots import cell_polygons
from safetymap.maps.base import MapStyle
from safetymap.maps.hotspots import HOTSPOT_STYLE, MAX_PLAIN_CELLS, hotspot_layer, hotspot_map

OFFLINE = MapStyle(assets="local", tiles=None)
WATFORD = h3.latlng_to_cell(51.65531, -0.39602, 9)
RING = sorted(set(h3.grid_disk(WATFORD, 1)) - {WATFORD})


def cells() -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            "cell_id": [WATFORD, RING[0], RING[1], RING[2]],
            "reports": [40, 3, 0, 2],
            "hotspot": ["hot_99", "hot_95", "hot_90", "none"],
        }
    )
    return cell_polygons(frame)


def profiles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cell_id": [WATFORD, RING[0], RING[1], RING[2]],
            "main_reasons": ["poor_lighting;followed", "isolated", "", "no_cctv"],
            "peak_day": ["Friday", "Saturday", "", "Monday"],
            "peak_time": ["night", "evening", "", "morning"],
        }
    )


def test_partners_see_hot_spot_areas_with_no_figure_of_their_own() -> None:
    analyst = hotspot_layer(cells(), profiles(), role="analyst", reliable=True)
    partner = hotspot_layer(cells(), profiles(), role="partner", reliable=True)
    assert analyst["cell_id"].tolist() == [WATFORD, RING[0], RING[1], RING[2]]
    assert analyst.set_index("cell_id").at[RING[0], "reports_text"] == "3"
    # Three hot cells side by side: one area, the union of their neighbourhoods (each hot
    # cell with the six around it). WATFORD's disk holds all the ring; each ring cell
    # touches 3 cells beyond it, and RING[0] and RING[1], neighbours, share one:
    # 7 + 3 + 3 - 1 = 12 hexagons, and no single one is drawn.
    assert len(partner) == 1
    assert "cell_id" not in partner
    covered = set(h3.grid_disk(WATFORD, 1)) | set(h3.grid_disk(RING[0], 1)) | set(
        h3.grid_disk(RING[1], 1))
    assert RING[1] in h3.grid_disk(RING[0], 1)
    assert len(covered) == 12
    expected = gpd.GeoSeries(cell_polygons(pd.DataFrame({"cell_id": sorted(covered)}))
                             .geometry.union_all(), crs="EPSG:4326")
    assert partner.geometry.iloc[0].symmetric_difference(expected.iloc[0]).area < 1e-9
    assert partner["class_text"].tolist() == ["Hot spot area"]
    assert partner["reports_text"].tolist() == ["5 or more in it"]
    assert set(partner["reasons_text"]) == set(partner["peak_text"]) == {
        "Not shown to partners"}
    # An untested selection draws nothing at all for partners.
    assert hotspot_layer(cells(), profiles(), role="partner", reliable=False).empty


def test_cells_read_in_words_and_colour() -> None:
    layer = hotspot_layer(cells(), profiles(), role="analyst", reliable=True).set_index("cell_id")
    assert layer.at[WATFORD, "fill"] == HOTSPOT_STYLE["hot_99"][0]
    assert layer.at[WATFORD, "class_text"] == "Hot spot, 99% confidence"
    assert layer.at[WATFORD, "reasons_text"] == "Poor lighting, Followed"
    assert layer.at[WATFORD, "peak_text"] == "Friday, Night (22:00-06:00)"
    assert layer.crs == "EPSG:4326"


def test_an_unreliable_test_colours_nothing() -> None:
    layer = hotspot_layer(cells(), profiles(), role="analyst", reliable=False)
    assert set(layer["class_text"]) == {"Not tested (fewer than 5 reports)"}
    html = hotspot_map(layer, load_districts(), style=OFFLINE, reliable=False).get_root().render()
    assert "Hexagons with reports (not tested)" in html
    assert "Hot spot, 99% confidence" not in html


def test_points_only_for_roles_that_may_see_them() -> None:
    layer = hotspot_layer(cells(), profiles(), role="analyst", reliable=True)
    points = pd.DataFrame({"latitude": [51.6553], "longitude": [-0.3960],
                           "location_label": ["<script>alert(1)</script>"]})
    police = hotspot_map(layer, load_districts(), style=OFFLINE, role="police",
                         report_points=points).get_root().render()
    partner = hotspot_map(layer, load_districts(), style=OFFLINE, role="partner",
                          report_points=points).get_root().render()
    # One GeoJSON layer of dots, drawn as circle markers, with one point feature per report.
    assert police.count("new L.CircleMarker(") == 1
    assert police.count('"type": "Point"') == 1
    assert "<script>alert(1)</script>" not in police
    # Escaped once by us (&lt;), then written as JSON that is safe inside HTML (\u0026).
    assert "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt;" in police
    assert "CircleMarker(" not in partner
    assert '"type": "Point"' not in partner


def test_heat_layer_is_labelled_as_not_a_test() -> None:
    layer = hotspot_layer(cells(), profiles(), role="analyst", reliable=True)
    heat = pd.DataFrame({"latitude": [51.6553], "longitude": [-0.396], "weight": [40.0]})
    html = hotspot_map(layer, load_districts(), style=OFFLINE, heat_points=heat).get_root().render()
    assert "Heat layer: density for the eye, not a statistical test" in html
    assert json.dumps([51.6553, -0.396, 40.0]) in html.replace("\n", "")


def test_many_plain_cells_are_left_off_but_spots_stay() -> None:
    disk = sorted(h3.grid_disk(WATFORD, 30))  # 2,791 hexagons
    assert len(disk) > MAX_PLAIN_CELLS
    frame = pd.DataFrame({"cell_id": disk, "reports": 1, "hotspot": "none"})
    frame.loc[frame["cell_id"] == WATFORD, ["reports", "hotspot"]] = [40, "hot_99"]
    layer = hotspot_layer(frame, profiles(), role="analyst", reliable=True)
    assert layer["cell_id"].tolist() == [WATFORD]
    # below the limit every occupied hexagon is drawn
    small = frame.iloc[: MAX_PLAIN_CELLS - 1]
    assert len(hotspot_layer(small, profiles(), role="analyst", reliable=True)) == len(small)


def test_with_more_spots_than_the_limit_the_hot_ones_that_stand_out_most_stay() -> None:
    disk = sorted(h3.grid_disk(WATFORD, 30))  # 2,791 hexagons, every one a spot
    frame = pd.DataFrame({"cell_id": disk, "reports": 5, "hotspot": "hot_90",
                          "gi_z": np.arange(len(disk), dtype=float)})
    frame.loc[:99, "hotspot"] = "cold_99"  # the first 100 are cold: left off first
    layer = hotspot_layer(frame, profiles(), role="analyst", reliable=True)
    # 2,691 hot spots, more than 2,500: the 2,500 with the largest z stay.
    assert len(layer) == MAX_PLAIN_CELLS
    assert set(layer["cell_id"]) == set(disk[len(disk) - MAX_PLAIN_CELLS:])
    # Partners: every hot cell with its neighbours, joined, whatever the limit on hexagons.
    partner = hotspot_layer(frame, profiles(), role="partner", reliable=True)
    hot = frame.loc[frame["hotspot"] == "hot_90", "cell_id"]
    covered = sorted({c for cell in hot for c in h3.grid_disk(cell, 1)})
    whole = cell_polygons(pd.DataFrame({"cell_id": covered})).to_crs(27700).area.sum()
    assert abs(partner.to_crs(27700).area.sum() - whole) < 1.0


def _fitted_bounds(html: str) -> list[list[float]]:
    found = re.search(r"fitBounds\(\s*(\[\[[^\]]+\],\s*\[[^\]]+\]\])", html)
    assert found, "the map fits no bounds"
    return json.loads(found.group(1))


def test_the_map_opens_on_the_chosen_district() -> None:
    layer = hotspot_layer(cells(), profiles(), role="police", reliable=True)
    districts = load_districts()
    watford = hotspot_map(layer, districts, style=OFFLINE, role="police", focus=("E07000103",))
    (south, west), (north, east) = _fitted_bounds(watford.get_root().render())
    # Watford borough lies within about 51.62-51.72 N and 0.46-0.35 W.
    assert 51.6 < south < north < 51.73
    assert -0.47 < west < east < -0.34
    county = hotspot_map(layer, districts, style=OFFLINE, role="police")
    (south, west), (north, east) = _fitted_bounds(county.get_root().render())
    # Hertfordshire: about 51.60-52.08 N, 0.75 W-0.20 E.
    assert south < 51.61
    assert north > 52.05
    assert west < -0.7
    assert east > 0.18


def test_partners_get_no_heat_layer() -> None:
    from safetymap.analysis.patrol import heat_points  # noqa: PLC0415

    table = pd.DataFrame({"cell_id": [WATFORD, RING[0], RING[1], RING[2]],
                          "reports": [40, 3, 2, 0], "hotspot": ["hot_99", "hot_95", "none", "none"]})
    # analysts: every occupied cell, weighted by its count
    assert heat_points(table)["weight"].tolist() == [40.0, 3.0, 2.0]
    # partners: its weights are counts of single hexagons, and small ones place reports
    assert heat_points(table, role="partner").empty


def test_partners_read_small_day_by_hour_counts_as_under_5() -> None:
    from safetymap.present.tables import when_table  # noqa: PLC0415

    when = pd.DataFrame({0: [0, 3], 1: [7, 1]}, index=pd.Index(["Monday", "Tuesday"], name="day"))
    assert when_table(when, "partner").to_numpy().tolist() == [["0", "7"], ["<5", "<5"]]
    assert when_table(when, "analyst").to_numpy().tolist() == [["0", "7"], ["3", "1"]]
