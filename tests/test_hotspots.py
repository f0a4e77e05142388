"""Hot spots, when-matrices and period changes, on hand-built reports and cells."""

from __future__ import annotations

import math
import re
from datetime import date

import esda
import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal.graph import Graph

from geodata import load_county, load_districts
from loaders.counts import Slot
from safetymap.analysis.counts import FrameCounts
from safetymap.analysis.filters import Filters
from safetymap.analysis.hotspots import (
    CHANGE_DEFINITIONS,
    CHANGES,
    DEFAULT_RESOLUTION,
    HOTSPOT_CLASSES,
    HOTSPOT_DEFINITION,
    MIN_AREA_SHARE,
    MIN_HOTSPOT_REPORTS,
    TOO_FEW_MESSAGE,
    area_counts,
    benjamini_hochberg,
    cell_polygons,
    cell_profiles,
    cell_width_m,
    choose_resolution,
    compare_periods,
    exact_p_values,
    getis_ord,
    hex_counts,
    hotspot_classes,
    hotspots,
    previous_period,
    report_cells,
    when_matrix,
)

# Town points exactly as in geodata/towns.csv.
WATFORD = (51.65531, -0.39602)
STEVENAGE = (51.90224, -0.20256)
HITCHIN = (51.94924, -0.28496)
RES = DEFAULT_RESOLUTION


def cell_at(point: tuple[float, float]) -> str:
    return h3.latlng_to_cell(point[0], point[1], RES)


def centre(cell: str) -> tuple[float, float]:
    return h3.cell_to_latlng(cell)


def area_around(point: tuple[float, float], radius_m: float) -> shapely.Polygon:
    """A disc in EPSG:27700 around a WGS84 point."""
    grid = gpd.GeoSeries(gpd.points_from_xy([point[1]], [point[0]]), crs="EPSG:4326")
    return grid.to_crs("EPSG:27700").iloc[0].buffer(radius_m)


def reports_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Reports with the columns the analysis reads; unspecified fields get neutral values."""
    frame = pd.DataFrame(rows)
    defaults: dict[str, object] = {
        "latitude": WATFORD[0], "longitude": WATFORD[1], "occurred_at": None,
        "event_at": "2026-03-02 12:00", "time_of_day": "unknown", "environment": "",
        "behaviour": "", "district_code": "E07000103",
    }
    for column, value in defaults.items():
        if column not in frame.columns:
            frame[column] = value
    for column in ("occurred_at", "event_at"):
        times = pd.to_datetime(frame[column])
        frame[column] = times.dt.tz_localize("Europe/London") if times.dt.tz is None else times
    return frame


def reports_in_cells(counts: dict[str, int]) -> pd.DataFrame:
    """``count`` reports at the centre of each cell."""
    rows = [
        {"latitude": centre(cell)[0], "longitude": centre(cell)[1]}
        for cell, count in counts.items() for _ in range(count)
    ]
    return reports_frame(rows)


# ============================================================================ hex_counts
AREA = area_around(WATFORD, 3000.0)  # about 300 cells of resolution 9


def test_hex_counts_gives_every_cell_of_the_area_with_zeros() -> None:
    area = area_around(WATFORD, 1000.0)
    reports = reports_frame([
        {"latitude": WATFORD[0], "longitude": WATFORD[1]},
        {"latitude": WATFORD[0], "longitude": WATFORD[1]},
        {"latitude": WATFORD[0] + 0.00001, "longitude": WATFORD[1]},  # same cell
        {"latitude": STEVENAGE[0], "longitude": STEVENAGE[1]},  # far outside the area
        {"latitude": STEVENAGE[0], "longitude": STEVENAGE[1]},
    ])
    counts = hex_counts(reports, area=area)

    # Independently: every cell near Watford whose centre is inside the disc.
    nearby = h3.grid_disk(cell_at(WATFORD), 6)
    lat, lon = zip(*(centre(cell) for cell in nearby), strict=True)
    centres = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs("EPSG:27700")
    inside = {cell for cell, point in zip(nearby, centres, strict=True) if area.contains(point)}
    assert set(counts.loc[counts["in_area"], "cell_id"]) == inside
    assert 25 < len(inside) < 40  # π km² over ~0.1 km² cells

    assert counts.columns.tolist() == [
        "cell_id", "district_code", "in_area", "reports", "area_share",
    ]
    assert counts["cell_id"].is_unique
    assert counts["cell_id"].tolist() == sorted(counts["cell_id"])
    by_cell = counts.set_index("cell_id")
    assert by_cell.loc[cell_at(WATFORD), "reports"] == 3
    assert by_cell.loc[cell_at(WATFORD), "district_code"] == "E07000103"
    # A cell with reports but its centre outside the area is kept, with its own district.
    assert by_cell.loc[cell_at(STEVENAGE)].to_dict() == {
        "district_code": "E07000243", "in_area": False, "reports": 2,
        "area_share": MIN_AREA_SHARE,  # far outside: none of it in the area, the floor
    }
    assert counts["reports"].sum() == 5
    assert (counts["reports"] == 0).sum() == len(counts) - 2


def test_hex_counts_default_area_is_the_county() -> None:
    counts = hex_counts(reports_in_cells({}))
    cells = counts.loc[counts["in_area"], "cell_id"]
    covered = sum(h3.cell_area(cell, unit="km^2") for cell in cells)
    county_km2 = load_county().area.iloc[0] / 1e6  # 1,641 km²
    assert covered == pytest.approx(county_km2, rel=0.02)
    assert set(counts["district_code"]) == set(load_districts()["code"])


def test_hex_counts_over_two_separate_districts() -> None:
    districts = load_districts().set_index("code")
    chosen = ["E07000103", "E07000243"]  # Watford and Stevenage do not touch
    counts = hex_counts(
        reports_in_cells({cell_at(WATFORD): 1}), area=districts.loc[chosen].union_all()
    )
    assert set(counts["district_code"]) == set(chosen)
    assert counts["in_area"].all()


def test_hex_counts_refuses_an_area_in_degrees_and_unplaced_reports() -> None:
    degrees = shapely.box(-0.5, 51.6, -0.3, 51.7)
    with pytest.raises(ValueError, match="EPSG:27700"):
        hex_counts(reports_in_cells({}), area=degrees)
    unplaced = reports_frame([{"latitude": np.nan}])
    with pytest.raises(ValueError, match="1 row"):
        hex_counts(unplaced, area=AREA)


def test_cell_width() -> None:
    assert cell_width_m() == pytest.approx(348, abs=2)  # "a few hundred metres"
    assert cell_width_m(8) == pytest.approx(921, abs=5)


def test_report_cells_match_h3() -> None:
    reports = reports_frame([
        {"latitude": WATFORD[0], "longitude": WATFORD[1]},
        {"latitude": HITCHIN[0], "longitude": HITCHIN[1]},
    ])
    reports.index = [10, 20]
    cells = report_cells(reports)
    assert cells.to_dict() == {10: cell_at(WATFORD), 20: cell_at(HITCHIN)}


# ============================================================================ the test
def gi_star_by_hand(cells: list[str], x: np.ndarray) -> np.ndarray:
    """z_i = (Σ_j w_ij x_j - x̄ W_i) / (s √((n S1_i - W_i²)/(n - 1))), binary w incl. self."""
    n = len(cells)
    mean = x.mean()
    s = math.sqrt((x**2).mean() - mean**2)  # population standard deviation
    z = []
    for cell in cells:
        w = np.array([1.0 if other in h3.grid_disk(cell, 1) else 0.0 for other in cells])
        weight = w.sum()  # W_i, and S1_i too since w is 0/1
        z.append((w @ x - mean * weight) / (s * math.sqrt((n * weight - weight**2) / (n - 1))))
    return np.array(z)


def test_gi_star_of_the_centre_of_two_rings_by_hand() -> None:
    # 19 cells: centre 12 reports, its 6 neighbours 2 each, the outer 12 cells none.
    middle = cell_at(WATFORD)
    ring1 = sorted(h3.grid_ring(middle, 1))
    ring2 = sorted(h3.grid_ring(middle, 2))
    counts = pd.DataFrame({
        "cell_id": [middle, *ring1, *ring2],
        "reports": [12] + [2] * 6 + [0] * 12,
    })
    result = getis_ord(counts, resolution=RES)
    # n = 19, Σx = 24, x̄ = 24/19, Σx² = 168, s² = 168/19 − (24/19)² = 2616/361, W = 7:
    # z = (24 − 7·24/19) / (√2616/19 · √((19·7 − 49)/18)) = 288 / √(2616·14/3) = 288/√12208
    assert result["gi_z"].iloc[0] == pytest.approx(288 / math.sqrt(12208), abs=1e-9)
    # The exact test: all 24 reports are in the centre's neighbourhood, 7 of 19 equal
    # cells. P(X >= 24) for X ~ Binomial(24, 7/19) is (7/19)^24 (one-sided: more than
    # chance).
    assert result["neighbourhood_reports"].iloc[0] == 24
    assert result["expected"].iloc[0] == pytest.approx(24 * 7 / 19, rel=1e-12)
    assert result["gi_p"].iloc[0] == pytest.approx((7 / 19) ** 24, rel=1e-9)


def test_gi_star_z_matches_esda_on_every_cell() -> None:
    # Two rings around a cell plus one cell far away that has no neighbour in the set.
    middle = cell_at(WATFORD)
    cells = [*sorted(h3.grid_disk(middle, 2)), cell_at(HITCHIN)]
    x = np.array([3, 0, 7, 1, 0, 2, 9, 4, 0, 0, 1, 5, 2, 0, 8, 1, 0, 3, 2, 6], dtype=float)
    result = getis_ord(pd.DataFrame({"cell_id": cells, "reports": x}), resolution=RES)
    assert result["cell_id"].tolist() == cells
    np.testing.assert_allclose(result["gi_z"], gi_star_by_hand(cells, x), rtol=0, atol=1e-9)
    # The same as esda's own Gi* (binary weights, the cell its own neighbour).
    graph = Graph.from_dicts({cell: {other: 1.0 for other in h3.grid_disk(cell, 1)
                                     if other in cells and other != cell} for cell in cells})
    reference = esda.G_Local(x, graph, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(result["gi_z"], reference.Zs, rtol=0, atol=1e-9)
    # The isolated cell is its own neighbourhood: z = (x − x̄) / s.
    assert result["gi_z"].iloc[-1] == pytest.approx((6 - x.mean()) / x.std(), abs=1e-9)


def test_five_reports_in_one_cell_of_nineteen_by_hand() -> None:
    middle = cell_at(WATFORD)
    ring1 = sorted(h3.grid_ring(middle, 1))
    ring2 = sorted(h3.grid_ring(middle, 2))
    counts = pd.DataFrame({"cell_id": [middle, *ring1, *ring2], "reports": [5] + [0] * 18})
    result = hotspots(reports_in_cells({middle: 5}), area=None).cells  # county: many cells
    assert result.loc[result["cell_id"] == middle, "neighbourhood_reports"].item() == 5

    result = getis_ord(counts, resolution=RES).set_index("cell_id")
    # The centre and each ring-1 cell have all 7 of their cells in the set, holding the
    # 5 reports: p = P(X >= 5) = (7/19)^5 = 16807 / 2476099 = 0.0067877.
    p_near = 16807 / 2476099
    for cell in [middle, *ring1]:
        assert result.loc[cell, "neighbourhood_reports"] == 5
        assert result.loc[cell, "gi_p"] == pytest.approx(p_near, rel=1e-9)
    # A ring-2 cell has k = 4 or 5 cells in the set (itself, two ring-2 neighbours, one
    # ring-1 cell at a corner of the ring, two elsewhere) and none of the reports, fewer
    # than expected: p = P(X <= 0) = ((19 - k)/19)^5: 0.3067 at the 6 corners, 0.2172 at
    # the 6 others.
    assert (result.loc[ring2, "neighbourhood_reports"] == 0).all()
    corners = [cell for cell in ring2 if len(set(h3.grid_disk(cell, 1)) & set(ring1)) == 1]
    assert len(corners) == 6
    for cell in ring2:
        k = 4 if cell in corners else 5
        assert result.loc[cell, "gi_p"] == pytest.approx(((19 - k) / 19) ** 5, rel=1e-9)
    # BH of "more than chance" over all 19 cells: the 7 equal smallest p-values become
    # p · 19/7 = 0.018424 (the ring-2 cells' P(X >= 0) = 1 stay 1): hot at 95%, not 99%.
    assert result.loc[middle, "gi_q"] == pytest.approx(p_near * 19 / 7, rel=1e-9)
    # BH of "fewer than chance": the centre and ring 1 have P(X <= 5) = 1; the 6 ring-2
    # cells at 0.2172 give 0.2172 · 19/6 = 0.688, the 6 at 0.3067 give 0.3067 · 19/12 =
    # 0.4856, and the smaller ranks take the smallest q above them: 0.4856 for all 12.
    np.testing.assert_allclose(result.loc[ring2, "gi_q"], (15 / 19) ** 5 * 19 / 12,
                               rtol=1e-9)
    assert set(result.loc[[middle, *ring1], "hotspot"]) == {"hot_95"}
    assert set(result.loc[ring2, "hotspot"]) == {"none"}
    # Four reports could not make a hot spot, however close: the neighbourhood floor.
    four = getis_ord(counts.assign(reports=[4] + [0] * 18), resolution=RES)
    assert (four["hotspot"] == "none").all()
    assert four["gi_q"].iloc[0] == pytest.approx((7 / 19) ** 4 * 19 / 7, rel=1e-9)


def test_exact_p_values_by_hand() -> None:
    upper, lower, expected = exact_p_values(np.array([0, 1, 3, 2]), 3,
                                            np.array([0.5, 0.5, 0.5, 0.25]))
    # Binomial(3, 1/2): P(0) = 1/8, P(>=1) = 7/8, P(<=1) = 1/2, P(3) = 1/8. Binomial(3, 1/4):
    # P(>=2) = 3·(1/4)²·(3/4) + (1/4)³ = 9/64 + 1/64 = 10/64, P(<=2) = 1 - 1/64 = 63/64.
    np.testing.assert_allclose(upper, [1.0, 7 / 8, 1 / 8, 10 / 64], rtol=1e-12)
    np.testing.assert_allclose(lower, [1 / 8, 1 / 2, 1.0, 63 / 64], rtol=1e-12)
    np.testing.assert_allclose(expected, [1.5, 1.5, 1.5, 0.75], rtol=1e-12)


def test_cells_on_the_edge_weigh_their_share_of_the_area() -> None:
    middle = cell_at(WATFORD)
    # The study area is exactly the middle hexagon, in British National Grid.
    hexagon = cell_polygons(pd.DataFrame({"cell_id": [middle]})).to_crs("EPSG:27700")
    neighbour = sorted(h3.grid_ring(middle, 1))[0]
    counts = area_counts(
        pd.DataFrame({"cell": [middle, neighbour], "reports": [2, 1]}),
        area=hexagon.geometry.iloc[0],
    ).set_index("cell_id")
    assert counts.loc[middle, "in_area"]
    assert counts.loc[middle, "area_share"] == pytest.approx(1.0, abs=1e-9)
    # The neighbour only touches the area along an edge: its share is the floor, not 0.
    assert not counts.loc[neighbour, "in_area"]
    assert counts.loc[neighbour, "area_share"] == MIN_AREA_SHARE
    tested = getis_ord(counts.reset_index(), resolution=RES).set_index("cell_id")
    # Each cell's neighbourhood is both cells: share (1 + 0.25)/1.25 = 1, expected 3.
    assert tested["expected"].tolist() == pytest.approx([3.0, 3.0])


def test_getis_ord_with_every_cell_equal_marks_nothing() -> None:
    counts = pd.DataFrame({"cell_id": sorted(h3.grid_disk(cell_at(WATFORD), 2)), "reports": 4})
    result = getis_ord(counts, resolution=RES)
    assert result["gi_z"].isna().all()  # Gi* needs a spread of values
    assert (result["hotspot"] == "none").all()
    assert (result["gi_q"] > 0.10).all()


def test_getis_ord_refuses_cells_of_another_resolution_and_bad_counts() -> None:
    counts = pd.DataFrame({"cell_id": [h3.latlng_to_cell(*WATFORD, 8)], "reports": [1]})
    with pytest.raises(ValueError, match="resolution 9; found \\[8\\]"):
        getis_ord(counts, resolution=RES)
    with pytest.raises(ValueError, match="whole numbers of 0 or more"):
        getis_ord(pd.DataFrame({"cell_id": [cell_at(WATFORD)], "reports": [1.5]}),
                  resolution=RES)


def test_benjamini_hochberg_by_hand() -> None:
    # Sorted: 0.01·4/1 = 0.04, 0.03·4/2 = 0.06, 0.04·4/3 = 0.0533, 0.20·4/4 = 0.20; then
    # each q is the smallest of those at its rank or above: 0.06 becomes 0.0533.
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.20], rtol=1e-12)
    # A missing p-value stays missing and is not counted among the tests.
    q = benjamini_hochberg([0.01, np.nan, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(q, [0.04, np.nan, 0.16 / 3, 0.16 / 3, 0.20], rtol=1e-12)


@pytest.mark.parametrize(
    ("excess", "q", "around", "expected"),
    [
        (3.0, 0.001, 9, "hot_99"),
        (3.0, 0.01, 9, "hot_99"),  # BH: significant at α when q ≤ α
        (3.0, 0.02, 9, "hot_95"),
        (3.0, 0.05, 9, "hot_95"),
        (3.0, 0.07, 9, "hot_90"),
        (3.0, 0.10, 9, "hot_90"),
        (3.0, 0.11, 9, "none"),
        (3.0, 0.001, 4, "none"),  # fewer than 5 reports around: never a hot spot
        (3.0, 0.001, 5, "hot_99"),
        (-3.0, 0.001, 0, "cold_99"),
        (-3.0, 0.04, 0, "cold_95"),
        (-3.0, 0.09, 0, "cold_90"),
        (0.0, 0.001, 9, "none"),
        (np.nan, np.nan, 9, "none"),
    ],
)
def test_hotspot_classes(excess: float, q: float, around: int, expected: str) -> None:
    assert hotspot_classes(np.array([excess]), np.array([q]), np.array([around])).tolist() == [
        expected
    ]
    assert expected in HOTSPOT_CLASSES


def test_a_planted_cluster_is_hot_at_99_percent() -> None:
    counts = hex_counts(reports_in_cells({}), area=AREA)
    rng = np.random.default_rng(7)
    background = dict(zip(counts["cell_id"], rng.poisson(1.0, len(counts)), strict=True))
    middle = cell_at(WATFORD)
    background[middle] = 40
    for cell in h3.grid_ring(middle, 1):
        background[cell] = 3
    result = hotspots(reports_in_cells(background), area=AREA)
    cells = result.cells.set_index("cell_id")
    assert result.reliable
    assert result.message == ""
    assert len(cells) == len(counts)  # nothing outside the area
    assert cells.loc[middle, "reports"] == 40
    assert cells.loc[middle, "hotspot"] == "hot_99"
    assert cells["gi_z"].idxmax() == middle
    assert cells.loc[middle, "gi_q"] < 0.01


def test_uniform_reports_give_no_more_false_hot_spots_than_the_fdr_allows() -> None:
    # With no cluster at all, every hot cell is a false discovery. BH at 5% keeps the
    # expected share of false discoveries among discoveries at 5%; with no true hot spot
    # that is the chance of any false hot cell at all. So: (a) in every seed at most 5% of
    # the cells are hot at 95% or more (the FDR bound), and (b) at most 2 of 10 seeds have
    # any such cell (expected 0.5; without the correction every seed would have several).
    counts = hex_counts(reports_in_cells({}), area=AREA)
    seeds_with_hot = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        uniform = counts.assign(reports=rng.poisson(2.0, len(counts)))
        result = getis_ord(uniform, resolution=RES)
        hot = result["hotspot"].isin(["hot_99", "hot_95"]).sum()
        assert hot <= 0.05 * len(result), f"seed {seed}: {hot} of {len(result)} cells hot"
        seeds_with_hot += bool(hot)
    assert seeds_with_hot <= 2


def uniform_points(area: shapely.Geometry, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` reports scattered uniformly at random over an area given in EPSG:27700."""
    minx, miny, maxx, maxy = area.bounds
    points: list[shapely.Point] = []
    while len(points) < n:
        candidates = shapely.points(rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n))
        points.extend(candidates[shapely.contains(area, candidates)][: n - len(points)])
    grid = gpd.GeoSeries(points, crs="EPSG:27700").to_crs("EPSG:4326")
    return reports_frame([{"latitude": p.y, "longitude": p.x} for p in grid])


def test_sparse_uniform_reports_over_a_large_district_make_no_hot_spot() -> None:
    # The case that broke the normal approximation: 57 reports scattered at random over
    # North Hertfordshire marked about 9% of its hexagons hot. With the exact test, over
    # five seeds, at the size chosen from the data and at the old fixed 350 m: none.
    north_herts = load_districts().set_index("code").loc["E07000099", "geometry"]
    for seed in range(5):
        reports = uniform_points(north_herts, 57, np.random.default_rng(seed))
        chosen = choose_resolution(len(reports), north_herts).resolution
        for resolution in {chosen, 9}:
            result = hotspots(reports, area=north_herts, resolution=resolution)
            hot = result.cells["hotspot"].str.startswith("hot_").sum()
            assert hot == 0, f"seed {seed}, resolution {resolution}: {hot} hot hexagons"


def test_a_small_cluster_over_a_sparse_background_is_found() -> None:
    # 8 reports within 150 m of a point in Hitchin over 300 reports scattered at random
    # over North Hertfordshire: the hexagon holding the point, or a neighbour, is hot.
    north_herts = load_districts().set_index("code").loc["E07000099", "geometry"]
    rng = np.random.default_rng(3)
    background = uniform_points(north_herts, 300, rng)
    at = gpd.GeoSeries(gpd.points_from_xy([HITCHIN[1]], [HITCHIN[0]]), crs="EPSG:4326")
    middle = at.to_crs("EPSG:27700").iloc[0]
    angle, radius = rng.uniform(0, 2 * math.pi, 8), 150 * np.sqrt(rng.uniform(0, 1, 8))
    cluster = gpd.GeoSeries(
        shapely.points(middle.x + radius * np.cos(angle), middle.y + radius * np.sin(angle)),
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    reports = pd.concat(
        [background, reports_frame([{"latitude": p.y, "longitude": p.x} for p in cluster])],
        ignore_index=True,
    )
    scale = choose_resolution(len(reports), north_herts)
    result = hotspots(reports, area=north_herts, resolution=scale.resolution).cells
    hot = set(result.loc[result["hotspot"].str.startswith("hot_"), "cell_id"])
    near = set(h3.grid_disk(h3.latlng_to_cell(*HITCHIN, scale.resolution), 1))
    assert hot & near


@pytest.mark.parametrize(("reports", "reliable"), [(MIN_HOTSPOT_REPORTS - 1, False),
                                                   (MIN_HOTSPOT_REPORTS, True)])
def test_too_few_reports_are_not_tested(reports: int, reliable: bool) -> None:
    result = hotspots(reports_in_cells({cell_at(WATFORD): reports}), area=AREA)
    assert result.reliable is reliable
    assert result.occupied_cells == 1
    assert result.resolution == RES
    if reliable:
        assert result.message == ""
        assert result.cells.set_index("cell_id").loc[cell_at(WATFORD), "hotspot"] == "hot_99"
    else:
        assert (result.cells["hotspot"] == "none").all()
        assert result.message == TOO_FEW_MESSAGE
        assert "Fewer than 5 reports" in result.message
        assert str(reports) not in result.message.replace("5", "")  # no count in it


@pytest.mark.parametrize(("reports", "resolution"), [(0, 8), (2, 8), (3, 9), (19, 9), (20, 10),
                                                     (5000, 10)])
def test_the_hexagon_size_follows_the_density(reports: int, resolution: int) -> None:
    # A disc of 3 km radius, 28.27 km². An even spread puts N·7·a_r/A reports in a
    # neighbourhood of 7 hexagons of mean area a_r (H3: 0.7373, 0.1053, 0.01504 km²).
    # At or under half a report: 8 while N <= 0.5·A/(7·a_8) = 2.74; 9 while N <= 19.14 (the disc is a 32-sided polygon).
    disc = area_around(WATFORD, 3000.0)
    assert 0.5 * disc.area / (7 * h3.average_hexagon_area(8, unit="m^2")) == pytest.approx(
        2.74, abs=0.01)
    assert 0.5 * disc.area / (7 * h3.average_hexagon_area(9, unit="m^2")) == pytest.approx(
        19.14, abs=0.01)
    scale = choose_resolution(reports, disc)
    assert scale.resolution == resolution
    assert scale.automatic
    assert "chosen from the data" in scale.reason
    # The reason states the size and no count: it may be shown to any role.
    assert not re.search(r"\d", re.sub(r"about \d+ m across", "", scale.reason))
    assert scale.expected_per_neighbourhood == pytest.approx(
        reports * 7 * h3.average_hexagon_area(resolution, unit="m^2") / disc.area)


def test_the_hexagon_size_never_makes_too_many_hexagons() -> None:
    county = load_county().geometry.iloc[0]  # 1,641 km²: 109,000 hexagons of 130 m
    assert choose_resolution(1_000_000, county).resolution == 9
    assert choose_resolution(300, county).resolution == 9  # 0.13 per neighbourhood
    assert choose_resolution(20, county).resolution == 8
    with pytest.raises(ValueError, match="whole number of 0 or more"):
        choose_resolution(-1, county)


def test_the_definitions_are_written_down() -> None:
    assert "Benjamini-Hochberg" in HOTSPOT_DEFINITION
    assert "99%" in HOTSPOT_DEFINITION
    assert "binomial" in HOTSPOT_DEFINITION
    assert f"at least {MIN_HOTSPOT_REPORTS}" in HOTSPOT_DEFINITION
    assert set(CHANGE_DEFINITIONS) == set(CHANGES)


def test_cell_polygons_are_the_hexagons_in_wgs84() -> None:
    cells = pd.DataFrame({"cell_id": [cell_at(WATFORD), cell_at(HITCHIN)], "reports": [3, 1]})
    polygons = cell_polygons(cells)
    assert polygons.crs == "EPSG:4326"
    assert polygons["reports"].tolist() == [3, 1]
    for cell, polygon in zip(cells["cell_id"], polygons.geometry, strict=True):
        lat, lon = centre(cell)
        assert polygon.contains(shapely.Point(lon, lat))
        assert len(polygon.exterior.coords) == 7  # 6 corners, closed
        assert polygon.exterior.coords[0] == h3.cell_to_boundary(cell)[0][::-1]


# ============================================================================ why and when
def test_cell_profiles_by_hand() -> None:
    here, there = cell_at(WATFORD), cell_at(HITCHIN)
    at_here = {"latitude": WATFORD[0], "longitude": WATFORD[1]}
    reports = reports_frame([
        # Monday 2026-03-02 and Friday 2026-03-06
        {**at_here, "event_at": "2026-03-06 22:30", "time_of_day": "night",
         "environment": "poor_lighting;isolated", "behaviour": "followed"},
        {**at_here, "event_at": "2026-03-06 23:00", "time_of_day": "night",
         "environment": "poor_lighting", "behaviour": "followed;other"},
        {**at_here, "event_at": "2026-03-02 19:00", "time_of_day": "evening",
         "environment": "poor_lighting;isolated;no_cctv;other", "behaviour": "other"},
        {**at_here, "event_at": "2026-03-02 10:00", "time_of_day": "unknown"},
        {**at_here, "event_at": "2026-03-09 10:00", "time_of_day": "unknown"},
        {"latitude": HITCHIN[0], "longitude": HITCHIN[1], "event_at": "2026-03-08 08:00",
         "time_of_day": "morning", "environment": "rundown"},
    ])
    empty = cell_at(STEVENAGE)
    profiles = cell_profiles(
        reports, pd.DataFrame({"cell_id": [here, there, empty]}), resolution=RES
    )
    assert profiles.to_dict("records") == [
        # poor_lighting 3; isolated 2 and followed 2 (environment codes first); other 2
        # (once per report although given twice in one; "other" after named reasons in a
        # tie), no_cctv 1.
        {"cell_id": here, "main_reasons": "poor_lighting;isolated;followed",
         "main_reason_counts": "3;2;2", "peak_day": "Monday", "peak_day_reports": 3,
         "peak_time": "night", "peak_time_reports": 2},
        {"cell_id": there, "main_reasons": "rundown", "main_reason_counts": "1",
         "peak_day": "Sunday", "peak_day_reports": 1, "peak_time": "morning",
         "peak_time_reports": 1},
        {"cell_id": empty, "main_reasons": "", "main_reason_counts": "",
         "peak_day": "", "peak_day_reports": 0, "peak_time": "", "peak_time_reports": 0},
    ]


WHEN = reports_frame([
    {"occurred_at": "2026-03-06 22:30", "event_at": "2026-03-06 22:30", "time_of_day": "night"},
    {"occurred_at": "2026-03-06 22:59", "event_at": "2026-03-06 22:59", "time_of_day": "night"},
    {"occurred_at": "2026-07-01 13:30", "event_at": "2026-07-01 13:30", "time_of_day": "afternoon"},
    # No time of the incident: left out of the hour matrix, in the band matrix by event_at.
    {"occurred_at": None, "event_at": "2026-03-07 09:00", "time_of_day": "evening"},
    {"occurred_at": None, "event_at": "2026-03-07 09:00", "time_of_day": "unknown"},
])


def test_when_matrix_counts_local_weekday_and_hour() -> None:
    matrix = when_matrix(WHEN)
    assert matrix.shape == (7, 24)
    assert matrix.index.tolist()[0] == "Monday"
    assert matrix.columns.tolist() == list(range(24))
    assert matrix.loc["Friday", 22] == 2  # Friday 6 March 2026, 22:30 and 22:59
    assert matrix.loc["Wednesday", 13] == 1
    assert matrix.to_numpy().sum() == 3


def test_when_matrix_converts_other_time_zones_to_london_time() -> None:
    # 1 July 2026 12:30 UTC is 13:30 British Summer Time; 23:30 UTC is already Thursday.
    utc = pd.DataFrame(
        {"occurred_at": pd.to_datetime(["2026-07-01 12:30", "2026-07-01 23:30"], utc=True)}
    )
    matrix = when_matrix(utc)
    assert matrix.loc["Wednesday", 13] == 1
    assert matrix.loc["Thursday", 0] == 1
    assert matrix.to_numpy().sum() == 2
    # The slot of Thursday 00:00 (local) selects the second report only.
    assert FrameCounts(utc).mask(Filters(), slot=Slot(3, 0)).tolist() == [False, True]


def test_when_matrix_reads_naive_times_as_london_time() -> None:
    naive = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-07-01 12:30"])})
    assert when_matrix(naive).loc["Wednesday", 12] == 1


def test_weekday_and_band_counts_use_event_at_and_leave_unknown_bands_by_day() -> None:
    counted = FrameCounts(WHEN).count(Filters(), ("event_weekday", "time_of_day"))
    # Friday night 2, Wednesday afternoon 1, Saturday evening 1 (no incident time: event_at),
    # and Saturday "unknown" 1, which a profile's peak time leaves out.
    assert [tuple(row) for row in counted.itertuples(index=False)] == [
        (2, "afternoon", 1), (4, "night", 2), (5, "evening", 1), (5, "unknown", 1),
    ]


def test_a_slot_picks_the_reports_of_one_day_and_hour() -> None:
    counts = FrameCounts(WHEN)
    assert counts.mask(Filters(), slot=Slot(4, 22)).tolist() == [True, True, False, False, False]
    assert counts.mask(Filters(), slot=Slot(2, 13)).tolist() == [False, False, True, False, False]
    # Reports without an incident time are in no slot.
    assert not counts.mask(Filters(), slot=Slot(5, 9)).any()
    with pytest.raises(ValueError, match="`weekday` must be 0") as error:
        Slot(7, 24)
    assert "`hour` must be 0 to 23" in str(error.value)


# ============================================================================ what changed
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 1, 29), date(2026, 2, 28))),
        (date(2026, 3, 10), date(2026, 3, 10), (date(2026, 3, 9), date(2026, 3, 9))),
        (date(2026, 1, 1), date(2026, 1, 7), (date(2025, 12, 25), date(2025, 12, 31))),
        (date(2024, 3, 1), date(2024, 3, 31), (date(2024, 1, 30), date(2024, 2, 29))),
    ],
)
def test_previous_period(start: date, end: date, expected: tuple[date, date]) -> None:
    assert previous_period(start, end) == expected


def test_previous_period_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="must not be before"):
        previous_period(date(2026, 3, 2), date(2026, 3, 1))


def test_compare_periods_labels_each_case() -> None:
    cases = [  # cell, (hotspot, reports) before, (hotspot, reports) now
        ("new", ("none", 2), ("hot_95", 9)),
        ("up", ("hot_99", 12), ("hot_99", 15)),  # +3 and +25%: intensifying
        ("up_few", ("hot_90", 4), ("hot_95", 6)),  # +50% but only +2: persistent
        ("up_little", ("hot_95", 20), ("hot_95", 24)),  # +4 but only +20%: persistent
        ("gone", ("hot_99", 30), ("none", 29)),  # no longer hot: diminishing
        ("down", ("hot_90", 20), ("hot_90", 15)),  # −5 and −25%: diminishing
        ("cold", ("cold_95", 0), ("cold_99", 0)),  # never hot: not listed
        ("quiet", ("none", 1), ("none", 1)),
    ]
    previous = pd.DataFrame(
        [(cell, "E07000103", n, hot) for cell, (hot, n), _ in cases],
        columns=["cell_id", "district_code", "reports", "hotspot"],
    )
    current = pd.DataFrame(
        [(cell, "E07000103", n, hot) for cell, _, (hot, n) in cases],
        columns=["cell_id", "district_code", "reports", "hotspot"],
    )
    changes = compare_periods(current, previous)
    assert changes.columns.tolist() == [
        "cell_id", "district_code", "reports_now", "hotspot", "reports_before",
        "hotspot_before", "change",
    ]
    assert changes[["cell_id", "change", "reports_now", "reports_before"]].values.tolist() == [
        ["new", "new", 9, 2],
        ["up", "intensifying", 15, 12],
        ["up_little", "persistent", 24, 20],
        ["up_few", "persistent", 6, 4],
        ["gone", "diminishing", 29, 30],
        ["down", "diminishing", 15, 20],
    ]


def test_compare_periods_with_a_cell_missing_from_one_period() -> None:
    # A cell outside the area holds reports in one period only: it counts 0 in the other.
    current = pd.DataFrame({"cell_id": ["a"], "reports": [5], "hotspot": ["hot_99"]})
    previous = pd.DataFrame({"cell_id": ["b"], "reports": [4], "hotspot": ["hot_95"]})
    changes = compare_periods(current, previous)
    assert changes[["cell_id", "change", "reports_now", "reports_before"]].values.tolist() == [
        ["a", "new", 5, 0],
        ["b", "diminishing", 0, 4],
    ]


# ============================================================================ unreliable
def test_an_unreliable_result_says_why() -> None:
    result = hotspots(reports_in_cells({cell_at(WATFORD): 4}), area=AREA)
    assert not result.reliable
    assert result.message.startswith("Fewer than 5 reports in the selection")
    nothing = hotspots(reports_in_cells({}), area=AREA)
    assert not nothing.reliable
    assert (nothing.cells["hotspot"] == "none").all()
