"""Hot spots, when-matrices and period changes, on hand-built reports and cells."""

from __future__ import annotations

import math
from datetime import date

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

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
    MIN_CELLS,
    benjamini_hochberg,
    cell_polygons,
    cell_profiles,
    cell_width_m,
    compare_periods,
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

    assert counts.columns.tolist() == ["cell_id", "district_code", "in_area", "reports"]
    assert counts["cell_id"].is_unique
    assert counts["cell_id"].tolist() == sorted(counts["cell_id"])
    by_cell = counts.set_index("cell_id")
    assert by_cell.loc[cell_at(WATFORD), "reports"] == 3
    assert by_cell.loc[cell_at(WATFORD), "district_code"] == "E07000103"
    # A cell with reports but its centre outside the area is kept, with its own district.
    assert by_cell.loc[cell_at(STEVENAGE)].to_dict() == {
        "district_code": "E07000243", "in_area": False, "reports": 2,
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


# ============================================================================ Gi*
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
    z = 288 / math.sqrt(12208)  # 2.6066
    assert result["gi_z"].iloc[0] == pytest.approx(z, abs=1e-9)
    # Two-sided: 2(1 − Φ(2.6066)) = erfc(2.6066/√2) = 0.00915
    assert result["gi_p"].iloc[0] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    assert result["gi_p"].iloc[0] == pytest.approx(0.00915, abs=1e-5)


def test_gi_star_matches_the_formula_on_every_cell() -> None:
    # Two rings around a cell plus one cell far away that has no neighbour in the set.
    middle = cell_at(WATFORD)
    cells = [*sorted(h3.grid_disk(middle, 2)), cell_at(HITCHIN)]
    x = np.array([3, 0, 7, 1, 0, 2, 9, 4, 0, 0, 1, 5, 2, 0, 8, 1, 0, 3, 2, 6], dtype=float)
    result = getis_ord(pd.DataFrame({"cell_id": cells, "reports": x}), resolution=RES)
    assert result["cell_id"].tolist() == cells
    np.testing.assert_allclose(result["gi_z"], gi_star_by_hand(cells, x), rtol=0, atol=1e-9)
    # Two-sided p from the normal approximation.
    expected_p = [math.erfc(abs(z) / math.sqrt(2)) for z in result["gi_z"]]
    np.testing.assert_allclose(result["gi_p"], expected_p, rtol=1e-12)
    # The isolated cell is its own neighbourhood: z = (x − x̄) / s.
    assert result["gi_z"].iloc[-1] == pytest.approx((6 - x.mean()) / x.std(), abs=1e-9)


def test_gi_star_is_undefined_when_every_cell_has_the_same_count() -> None:
    counts = pd.DataFrame({"cell_id": sorted(h3.grid_disk(cell_at(WATFORD), 2)), "reports": 4})
    result = getis_ord(counts, resolution=RES)
    assert result["gi_z"].isna().all()
    assert result["gi_q"].isna().all()
    assert (result["hotspot"] == "none").all()


def test_getis_ord_refuses_cells_of_another_resolution() -> None:
    counts = pd.DataFrame({"cell_id": [h3.latlng_to_cell(*WATFORD, 8)], "reports": [1]})
    with pytest.raises(ValueError, match="resolution 9; found \\[8\\]"):
        getis_ord(counts, resolution=RES)


def test_benjamini_hochberg_by_hand() -> None:
    # Sorted: 0.01·4/1 = 0.04, 0.03·4/2 = 0.06, 0.04·4/3 = 0.0533, 0.20·4/4 = 0.20; then
    # each q is the smallest of those at its rank or above: 0.06 becomes 0.0533.
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.20], rtol=1e-12)
    # A missing p-value stays missing and is not counted among the tests.
    q = benjamini_hochberg([0.01, np.nan, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(q, [0.04, np.nan, 0.16 / 3, 0.16 / 3, 0.20], rtol=1e-12)


@pytest.mark.parametrize(
    ("z", "q", "expected"),
    [
        (3.0, 0.001, "hot_99"),
        (3.0, 0.01, "hot_99"),  # BH: significant at α when q ≤ α
        (3.0, 0.02, "hot_95"),
        (3.0, 0.05, "hot_95"),
        (3.0, 0.07, "hot_90"),
        (3.0, 0.10, "hot_90"),
        (3.0, 0.11, "none"),
        (-3.0, 0.001, "cold_99"),
        (-3.0, 0.04, "cold_95"),
        (-3.0, 0.09, "cold_90"),
        (0.0, 0.001, "none"),
        (np.nan, np.nan, "none"),
    ],
)
def test_hotspot_classes(z: float, q: float, expected: str) -> None:
    assert hotspot_classes(np.array([z]), np.array([q])).tolist() == [expected]
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


@pytest.mark.parametrize(("occupied", "reliable"), [(MIN_CELLS - 1, False), (MIN_CELLS, True)])
def test_too_few_cells_with_reports_are_not_tested(occupied: int, reliable: bool) -> None:
    area_cells = hex_counts(reports_in_cells({}), area=AREA)["cell_id"]
    # A dense clump in the first cells: hot if the test ran.
    chosen = {cell: 20 if i < 5 else 1 for i, cell in enumerate(area_cells[:occupied])}
    result = hotspots(reports_in_cells(chosen), area=AREA)
    assert result.reliable is reliable
    assert result.occupied_cells == occupied
    assert result.resolution == RES
    if reliable:
        assert result.message == ""
        assert (result.cells["hotspot"] != "none").any()
    else:
        assert (result.cells["hotspot"] == "none").all()
        assert f"Only {occupied} cells hold a report" in result.message
        assert f"fewer than {MIN_CELLS} cells" in result.message
        assert "unreliable" in result.message


def test_the_definitions_are_written_down() -> None:
    assert "Benjamini-Hochberg" in HOTSPOT_DEFINITION
    assert "99%" in HOTSPOT_DEFINITION
    assert str(MIN_CELLS) in HOTSPOT_DEFINITION
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
    result = hotspots(reports_in_cells({cell_at(WATFORD): 50}), area=AREA)
    assert not result.reliable
    assert result.message.startswith("Only 1 cell holds a report. The hot spot test is")
    nothing = hotspots(reports_in_cells({}), area=AREA)
    assert not nothing.reliable
    assert nothing.message.startswith("No cell holds a report.")
    assert (nothing.cells["hotspot"] == "none").all()
