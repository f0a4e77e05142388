"""Coverage gaps: which support reaches each district, how far away and when (issue 4)."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from shapely.geometry import Point, box

from geodata import ANALYSIS_CRS, DISTRICTS
from loaders import load_services, load_streetsafe, load_survey
from safetymap.analysis.counts import FrameCounts
from safetymap.analysis.coverage import (
    COVERAGE_CATEGORIES,
    bank_holiday_gap,
    coverage_matrix,
    coverage_table,
    gap_ranking,
    hour_of_week_chart_data,
    hours_open_per_week,
    lsoa_gap_ranking,
    lsoa_population_centroids,
    nearest_km,
    reports_when_closed_pct,
    summary_of_counts,
    weighted_median,
)
from safetymap.analysis.filters import Filters
from safetymap.commands import CommandError
from safetymap.commands import coverage as coverage_command
from safetymap.demo import write_demo_data

BROXBOURNE, DACORUM, STEVENAGE = "E07000095", "E07000096", "E07000243"
THREE_RIVERS, WATFORD = "E07000102", "E07000103"
# Monday 2 March 2026 is the first day of a week; the 3rd is a Tuesday, the 4th a Wednesday.
TUE_10, TUE_19, WED_19 = "2026-03-03 10:00", "2026-03-03 19:00", "2026-03-04 19:00"
# A British National Grid point to measure from.
X0, Y0 = 510_000.0, 200_000.0


# ------------------------------------------------------------------ hand-built frames
def services_frame(*rows: dict[str, object]) -> gpd.GeoDataFrame:
    """Return services in the loader's schema; ``x``/``y`` place a service, else remote."""
    records = []
    for number, row in enumerate(rows, start=1):
        x, y = row.get("x"), row.get("y")
        records.append(
            {
                "service_id": row.get("service_id", f"S{number}"),
                "name": row.get("name", f"Service {number}"),
                "category": row.get("category", "outreach"),
                "confidential": row.get("confidential", False),
                "coverage": row.get("coverage", "county"),
                "opening_hours": row.get("opening_hours", "24/7"),
                "phone": "",
                "website": "",
                "eligibility": "",
                "location_approximate": False,
                "latitude": np.nan,
                "longitude": np.nan,
                "located_district_code": row.get("located_district_code"),
                "geometry": None if x is None else Point(x, y),
            }
        )
    return gpd.GeoDataFrame(records, geometry="geometry", crs=ANALYSIS_CRS)


def reports_frame(
    rows: Sequence[tuple[str, str | None]] | Sequence[tuple[str, str | None, float, float]],
) -> gpd.GeoDataFrame:
    """Return reports from (district, local occurred_at or None[, x, y]) tuples."""
    times = pd.to_datetime(pd.Series([row[1] for row in rows], dtype=object))
    return gpd.GeoDataFrame(
        {
            "report_id": [f"R{n}" for n in range(len(rows))],
            "district_code": [row[0] for row in rows],
            "lsoa_code": [f"L-{row[0]}" for row in rows],
            "occurred_at": times.dt.tz_localize("Europe/London"),
        },
        geometry=[Point(row[2], row[3]) if len(row) == 4 else Point(X0, Y0) for row in rows],
        crs=ANALYSIS_CRS,
    )


def no_lsoas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"lsoa_code": [], "lsoa_name": [], "district_code": []},
        geometry=gpd.GeoSeries([], crs=ANALYSIS_CRS),
    )


def population(residents: int = 10_000) -> pd.DataFrame:
    return pd.DataFrame({"code": list(DISTRICTS), "population": residents})


BEACON = "Mo-Fr 08:00-18:00; We 08:00-20:00"


# ------------------------------------------------------------------ when
def test_a_later_rule_overrides_the_days_it_names() -> None:
    services = services_frame({"category": "victim_hub", "opening_hours": BEACON})
    reports = reports_frame(
        [
            (WATFORD, WED_19),  # Wednesday is 08:00-20:00: open
            (WATFORD, TUE_19),  # Tuesday is 08:00-18:00: closed
            (WATFORD, TUE_10),  # open
            (WATFORD, None),  # no time: not in the share
            (DACORUM, TUE_19),  # another district
        ]
    )
    assert hours_open_per_week(services, WATFORD, "victim_hub") == 52.0
    assert reports_when_closed_pct(reports, services, WATFORD, "victim_hub") == pytest.approx(
        100 / 3
    )
    assert reports_when_closed_pct(reports, services, DACORUM, "victim_hub") == 100.0


def test_hours_are_the_union_of_the_services_serving_the_district() -> None:
    services = services_frame(
        {"coverage": WATFORD, "opening_hours": "Mo-Fr 09:00-17:00"},
        {
            "coverage": f"{THREE_RIVERS};{WATFORD}",
            "opening_hours": "Mo-Fr 16:00-20:00; Sa 10:00-12:00",
        },
        {"category": "helpline", "coverage": DACORUM, "opening_hours": "24/7"},
    )
    reports = reports_frame(
        [
            (WATFORD, "2026-03-02 18:00"),  # Monday 18:00: only the second is open
            (WATFORD, "2026-03-07 11:00"),  # Saturday 11:00: open
            (WATFORD, "2026-03-07 13:00"),  # Saturday 13:00: closed
            (WATFORD, "2026-03-08 10:00"),  # Sunday: closed
        ]
    )
    # Mo-Fr 09:00-20:00 is 55 h, plus Saturday's 2 h.
    assert hours_open_per_week(services, WATFORD, "outreach") == 57.0
    assert hours_open_per_week(services, "Three Rivers", "outreach") == 22.0
    assert hours_open_per_week(services, DACORUM, "outreach") == 0.0
    assert reports_when_closed_pct(reports, services, WATFORD, "outreach") == 50.0


def test_report_times_are_compared_in_local_time() -> None:
    services = services_frame({"opening_hours": "Mo-Fr 09:00-18:00"})
    reports = reports_frame([(WATFORD, None)])
    # 17:30 UTC on a July Tuesday is 18:30 in London (BST): closed.
    reports["occurred_at"] = pd.to_datetime(pd.Series(["2026-07-07 17:30"])).dt.tz_localize("UTC")
    assert reports_when_closed_pct(reports, services, WATFORD, "outreach") == 100.0


def test_no_report_with_a_time_gives_no_share() -> None:
    services = services_frame({})
    reports = reports_frame([(WATFORD, None)])
    assert np.isnan(reports_when_closed_pct(reports, services, WATFORD, "outreach"))


def test_hour_of_week_chart_data() -> None:
    services = services_frame(
        {"category": "victim_hub", "opening_hours": BEACON},
        {"category": "idva", "coverage": WATFORD, "opening_hours": "Mo 09:30-10:00"},
    )
    reports = reports_frame(
        [
            (WATFORD, WED_19),
            (WATFORD, "2026-03-04 19:59"),
            (WATFORD, TUE_19),
            (DACORUM, WED_19),
            (WATFORD, None),
        ]
    )
    chart = hour_of_week_chart_data(
        reports, services, WATFORD, categories=["victim_hub", "idva", "outreach"]
    )
    assert len(chart) == 168
    assert list(chart.columns) == [
        "hour_of_week",
        "weekday",
        "day",
        "hour",
        "label",
        "reports",
        "open_victim_hub",
        "open_idva",
        "open_outreach",
    ]
    assert chart.loc[0, "label"] == "Mon 00:00"
    assert chart.loc[167, "label"] == "Sun 23:00"
    assert chart["reports"].sum() == 3
    assert chart.loc[2 * 24 + 19, ["reports", "open_victim_hub"]].tolist() == [2, 1.0]
    assert chart.loc[1 * 24 + 19, ["reports", "open_victim_hub"]].tolist() == [1, 0.0]
    assert chart.loc[9, "open_idva"] == 0.5
    assert chart["open_idva"].sum() == 0.5
    assert chart["open_outreach"].sum() == 0.0
    assert chart["open_victim_hub"].sum() == 52.0


# ------------------------------------------------------------------ where
def test_coverage_matrix_reports_uncovered_districts_with_no_services() -> None:
    services = services_frame(
        {"coverage": f"{THREE_RIVERS};{WATFORD}"},
        {"coverage": WATFORD},
        {"category": "helpline", "coverage": "county"},
        {"category": "refuge", "coverage": "county", "confidential": True},
    )
    matrix = coverage_matrix(services, categories=["outreach", "helpline", "refuge"])
    expected = pd.DataFrame(
        {
            "district_code": np.repeat(list(DISTRICTS), 3),
            "category": ["outreach", "helpline", "refuge"] * 10,
            "covered": [False, True, True] * 10,
            "services": [0, 1, 1] * 10,
        }
    )
    expected.loc[
        expected["district_code"].eq(WATFORD) & expected["category"].eq("outreach"),
        ["covered", "services"],
    ] = [True, 2]
    expected.loc[
        expected["district_code"].eq(THREE_RIVERS) & expected["category"].eq("outreach"),
        ["covered", "services"],
    ] = [True, 1]
    assert_frame_equal(matrix, expected, check_dtype=False)


def test_the_default_categories_are_every_one_but_other() -> None:
    matrix = coverage_matrix(services_frame({}))
    assert len(matrix) == 10 * 10
    assert tuple(matrix["category"].unique()) == COVERAGE_CATEGORIES
    assert "other" not in COVERAGE_CATEGORIES
    housing = matrix.loc[matrix["category"].eq("housing")]
    assert not housing["covered"].any()
    assert (housing["services"] == 0).all()


def test_nearest_place_is_a_straight_line_in_km() -> None:
    services = services_frame({"coverage": WATFORD, "x": X0, "y": Y0})
    points = gpd.GeoSeries(
        [Point(X0 + 3_000, Y0), None, Point(X0, Y0 + 4_000)],
        index=["a", "b", "c"],
        crs=ANALYSIS_CRS,
    )
    distances = nearest_km(points, services, "outreach")
    assert distances.index.tolist() == ["a", "b", "c"]
    assert distances["a"] == pytest.approx(3.0)
    assert np.isnan(distances["b"])
    assert distances["c"] == pytest.approx(4.0)
    assert nearest_km(points, services, "helpline").isna().all()


def test_nearest_place_counts_only_public_places_serving_the_district() -> None:
    services = services_frame(
        {"coverage": WATFORD, "x": X0, "y": Y0},
        {"coverage": DACORUM, "x": X0 + 2_500, "y": Y0},  # closer, but not Watford's
        # confidential: never measured, however close
        {"coverage": "county", "x": X0 + 2_900, "y": Y0, "confidential": True},
        {"category": "refuge", "coverage": "county", "x": X0 + 2_900, "y": Y0},
    )
    point = gpd.GeoSeries([Point(X0 + 3_000, Y0)], crs=ANALYSIS_CRS)
    assert nearest_km(point, services, "outreach", serving=WATFORD).tolist() == [3.0]
    assert nearest_km(point, services, "outreach").tolist() == [pytest.approx(0.5)]
    assert nearest_km(point, services, "refuge").isna().all()
    # points in another CRS are measured in British National Grid
    degrees = point.to_crs("EPSG:4326")
    assert nearest_km(degrees, services, "outreach", serving=WATFORD).iloc[0] == pytest.approx(
        3.0, abs=1e-6
    )


def test_lsoa_points_lie_inside_their_lsoa() -> None:
    lsoas = gpd.GeoDataFrame(
        {"code": ["E01000001"], "name": ["Watford 001A"], "district_code": [WATFORD]},
        geometry=[box(X0, Y0, X0 + 1_000, Y0 + 500)],
        crs=ANALYSIS_CRS,
    ).to_crs("EPSG:4326")
    points = lsoa_population_centroids(lsoas=lsoas)
    assert list(points.columns) == ["lsoa_code", "lsoa_name", "district_code", "geometry"]
    assert str(points.crs) == ANALYSIS_CRS
    assert points.geometry.iloc[0].within(box(X0, Y0, X0 + 1_000, Y0 + 500))


def test_coverage_table_hand_checked() -> None:
    services = services_frame(
        {"category": "victim_hub", "opening_hours": BEACON},
        {"coverage": WATFORD, "opening_hours": "Mo-Fr 09:00-17:00", "x": X0, "y": Y0},
    )
    reports = reports_frame(
        [
            (WATFORD, TUE_19, X0 + 3_000, Y0),
            (WATFORD, WED_19, X0 + 1_000, Y0),
            (WATFORD, None, X0, Y0 + 2_000),
            (DACORUM, TUE_10),
        ]
    )
    lsoa_points = gpd.GeoDataFrame(
        {
            "lsoa_code": ["A", "B", "C", "D"],
            "lsoa_name": ["A", "B", "C", "D"],
            "district_code": [WATFORD, WATFORD, WATFORD, DACORUM],
        },
        geometry=[
            Point(X0 + 3_000, Y0),
            Point(X0 + 4_000, Y0),
            Point(X0 + 10_000, Y0),
            Point(X0, Y0),
        ],
        crs=ANALYSIS_CRS,
    )
    table = coverage_table(
        reports, services, categories=["victim_hub", "outreach"], lsoa_points=lsoa_points
    ).set_index(["district_code", "category"])
    assert len(table) == 20
    watford = table.loc[(WATFORD, "outreach")]
    assert watford[["covered", "services", "latest_close", "reports_with_time"]].tolist() == [
        True,
        1,
        "17:00",
        2,
    ]
    assert watford["nearest_km_median"] == pytest.approx(4.0)  # of 3, 4 and 10 km
    assert watford["report_nearest_km_median"] == pytest.approx(2.0)  # of 3, 1 and 2 km
    assert watford["hours_open_per_week"] == 40.0
    assert watford["reports_when_closed_pct"] == 100.0
    hub = table.loc[(WATFORD, "victim_hub")]
    assert np.isnan(hub["nearest_km_median"])  # remote: no place
    assert hub["hours_open_per_week"] == 52.0
    assert hub["reports_when_closed_pct"] == 50.0
    dacorum = table.loc[(DACORUM, "outreach")]
    assert dacorum[
        ["covered", "services", "hours_open_per_week", "reports_when_closed_pct", "latest_close"]
    ].tolist() == [False, 0, 0.0, 100.0, ""]
    assert np.isnan(dacorum["nearest_km_median"])
    assert np.isnan(table.loc[(STEVENAGE, "outreach"), "reports_when_closed_pct"])
    assert table.loc[(STEVENAGE, "outreach"), "reports_with_time"] == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: hours_open_per_week(s, "Luton", "outreach"), "`district_code` 'Luton': expected a Hertfordshire district, one of"),
        (lambda s: hours_open_per_week(s, WATFORD, "spa"), "`category` must be one of"),
        (
            lambda s: coverage_matrix(s.drop(columns="coverage")),
            "`services` must have the column.s. coverage",
        ),
    ],
)
def test_errors_name_the_argument(call: Callable[[gpd.GeoDataFrame], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(services_frame({}))


# ------------------------------------------------------------------ gap ranking
def gap_case() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Outreach serves every district but Watford, Mo-Fr 09:00-17:00, from no place.

    Every district has 10 reports at Tuesday 10:00 (open), except Watford and Dacorum:
    20 reports each at Tuesday 19:00 (closed). With 10,000 residents each, Watford and
    Dacorum have 2.0 reports per 1,000 and the others 1.0 (average 1.2).
    """
    services = services_frame(
        {
            "coverage": ";".join(c for c in DISTRICTS if c != WATFORD),
            "opening_hours": "Mo-Fr 09:00-17:00",
        }
    )
    rows: list[tuple[str, str | None]] = []
    for code in DISTRICTS:
        rows += [(code, TUE_19)] * 20 if code in {WATFORD, DACORUM} else [(code, TUE_10)] * 10
    return reports_frame(rows), services


def test_gap_ranking_without_a_survey() -> None:
    reports, services = gap_case()
    ranking = gap_ranking(reports, services, population=population(), lsoa_points=no_lsoas())
    # need: 2.0 / 1.2 for Watford and Dacorum, 1.0 / 1.2 for the rest.
    # access: Watford's one uncovered category against an average of 0.1 -> 10; Dacorum's
    # 100% closed against an average of 11.1% over the nine covered districts -> 9, and
    # 0 uncovered -> mean 4.5; the others 0. No places, so no distance.
    assert ranking["district_code"].tolist()[:2] == [WATFORD, DACORUM]
    assert ranking["rank"].tolist() == list(range(1, 11))
    assert ranking["gap_score"].tolist() == pytest.approx([50 / 3, 7.5] + [0.0] * 8)
    # the eight tied districts follow in name order
    assert ranking["district_name"].tolist()[2:] == [
        "Broxbourne",
        "East Hertfordshire",
        "Hertsmere",
        "North Hertfordshire",
        "St Albans",
        "Stevenage",
        "Three Rivers",
        "Welwyn Hatfield",
    ]
    top = ranking.iloc[0]
    assert top[
        ["reports", "population", "reports_per_1000", "uncovered", "uncovered_categories"]
    ].tolist() == [20, 10_000, 2.0, 1, "Outreach"]
    assert np.isnan(top["closed_pct"])
    assert top["reason"] == (
        "high report rate (2.0 per 1,000 residents; average 1.2); no outreach serving it"
    )
    assert ranking.iloc[2]["reason"] == (
        "nothing stands out against the average of the ten districts"
    )


def test_gap_ranking_uses_only_the_counts_it_is_given() -> None:
    reports, services = gap_case()
    # As a partner's release gives them: Watford's count is shown as 40 (not the 20 of the
    # reports), every other as 10.
    shown: dict[str, int | None] = dict.fromkeys(DISTRICTS, 10) | {WATFORD: 40}
    ranking = gap_ranking(reports, services, population=population(), lsoa_points=no_lsoas(),
                          district_reports=shown).set_index("district_code")
    # Rates 4.0 and nine of 1.0, average 1.3: Watford's need 4 / 1.3, access 10 as before;
    # Dacorum's need 1 / 1.3, access 4.5.
    assert ranking.loc[WATFORD, "reports"] == 40
    assert ranking.loc[WATFORD, "gap_score"] == pytest.approx(4 / 1.3 * 10)
    assert ranking.loc[DACORUM, "gap_score"] == pytest.approx(1 / 1.3 * 4.5)
    assert ranking.loc[WATFORD, "reason"].startswith("high report rate (4.0 per 1,000")

    # One count hidden: no district's rate counts, so the score is the access gap alone and
    # no reason quotes a rate.
    hidden = shown | {DACORUM: None}
    ranking = gap_ranking(reports, services, population=population(), lsoa_points=no_lsoas(),
                          district_reports=hidden).set_index("district_code")
    assert ranking["reports_per_1000"].isna().all()
    assert ranking["need_index"].tolist() == [1.0] * 10
    assert ranking.loc[WATFORD, "gap_score"] == pytest.approx(10.0)
    assert ranking.loc[DACORUM, "gap_score"] == pytest.approx(4.5)
    assert ranking.loc[WATFORD, "reason"] == "no outreach serving it"
    assert not ranking["reason"].str.contains("report rate").any()


def test_gap_ranking_with_after_dark_concern() -> None:
    reports, services = gap_case()
    survey = pd.DataFrame(
        {
            "district_code": [DACORUM] * 4 + [WATFORD] + [STEVENAGE] * 2,
            "safe_after_dark": pd.array([1, 2, 5, None, 5, 2, 4], dtype="Float64"),
            "weight": [1.0, 2.0, 1.0, 5.0, 1.0, 1.0, 3.0],
        }
    )
    ranking = gap_ranking(
        reports, services, survey, population=population(), lsoa_points=no_lsoas()
    ).set_index("district_code")
    # Dacorum: (1 + 2) of 4 weighted valid answers = 75%; Watford 0%; Stevenage 25%;
    # average 33.3%. Need: Dacorum (2/1.2 + 75/33.3) / 2 = 1.958, Watford (2/1.2 + 0) / 2.
    assert ranking.loc[[DACORUM, WATFORD, STEVENAGE], "unsafe_after_dark_pct"].tolist() == [
        75.0,
        0.0,
        25.0,
    ]
    assert ranking.loc[[DACORUM, WATFORD, STEVENAGE], "survey_base"].tolist() == [3, 1, 2]
    assert np.isnan(ranking.loc[BROXBOURNE, "unsafe_after_dark_pct"])
    assert ranking.loc[DACORUM, "need_index"] == pytest.approx((2 / 1.2 + 2.25) / 2)
    assert ranking.loc[DACORUM, "gap_score"] == pytest.approx((2 / 1.2 + 2.25) / 2 * 4.5)
    assert ranking.loc[WATFORD, "gap_score"] == pytest.approx(2 / 1.2 / 2 * 10)
    assert ranking["rank"].tolist()[:2] == [1, 2]
    assert ranking.index.tolist()[:2] == [DACORUM, WATFORD]
    assert ranking.loc[DACORUM, "reason"] == (
        "high report rate (2.0 per 1,000 residents; average 1.2); "
        "high after-dark concern (75% feel unsafe after dark; average 33%); "
        "no outreach open after 17:00 (100% of reports with a time fall when none is open)"
    )


def test_lsoa_gap_ranking_counts_reports_against_distance() -> None:
    services = services_frame(
        {"coverage": WATFORD, "x": X0, "y": Y0}, {"category": "helpline", "coverage": DACORUM}
    )
    lsoa_points = gpd.GeoDataFrame(
        {
            "lsoa_code": ["A", "B", "C"],
            "lsoa_name": ["Watford A", "Watford B", "Dacorum C"],
            "district_code": [WATFORD, WATFORD, DACORUM],
        },
        geometry=[Point(X0 + 1_000, Y0), Point(X0 + 3_000, Y0), Point(X0, Y0)],
        crs=ANALYSIS_CRS,
    )
    reports = pd.DataFrame({"lsoa_code": ["A"] * 3 + ["B"] * 3 + ["C"] * 3})
    ranking = lsoa_gap_ranking(reports, services, lsoa_points=lsoa_points)
    # Same reports everywhere: need 1.0. Watford lacks the helpline, Dacorum the outreach:
    # one uncovered each, 1.0. Distances: A 1 km, B 3 km, C none (average 2 km): A 0.5,
    # B 1.5. Access: A (1 + 0.5) / 2, B (1 + 1.5) / 2, C 1.0 (no distance to weigh).
    assert ranking["lsoa_code"].tolist() == ["B", "C", "A"]
    assert ranking["gap_score"].tolist() == pytest.approx([1.25, 1.0, 0.75])
    assert ranking.iloc[0]["reason"] == (
        "3 reports (average 3.0 per LSOA); no helpline serving it; "
        "support places 3.0 km away on average (average 2.0 km)"
    )
    assert ranking.iloc[1]["reason"] == "3 reports (average 3.0 per LSOA); no outreach serving it"
    # A sparse week: one report in A, none elsewhere: 1 / 3 LSOAs = 0.33 on average, not "0.0".
    sparse = lsoa_gap_ranking(pd.DataFrame({"lsoa_code": ["A"]}), services,
                              lsoa_points=lsoa_points).set_index("lsoa_code")
    assert sparse.at["A", "reason"] == "1 report (average 0.33 per LSOA); no helpline serving it"


# ------------------------------------------------------------------ command
STREETSAFE_HEADER = "report_id,submitted_at,occurred_at,latitude,longitude\n"
WATFORD_LATLON = "51.65531,-0.39602"
STEVENAGE_LATLON = "51.90224,-0.20256"
SERVICES_HEADER = (
    "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,phone\n"
)


def write_exports(folder: Path, services: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "streetsafe.csv").write_text(
        STREETSAFE_HEADER
        + f"R1,2026-03-05 09:00,{WED_19},{WATFORD_LATLON}\n"
        + f"R2,2026-03-05 09:00,{TUE_19},{WATFORD_LATLON}\n"
        + f"R3,2026-03-05 09:00,,{WATFORD_LATLON}\n"
        + f"R4,2026-03-05 09:00,{TUE_10},{STEVENAGE_LATLON}\n",
        encoding="utf-8",
    )
    if services:
        (folder / "services.csv").write_text(SERVICES_HEADER + services, encoding="utf-8")
    return folder


def run_command(data: Path, fmt: str = "csv", out: Path | None = None) -> int:
    """Run ``safetymap coverage`` through a parser of its own (the lead lists it in COMMANDS)."""
    parser = argparse.ArgumentParser(prog="safetymap")
    coverage_command.register(parser.add_subparsers(dest="command", required=True))
    argv = ["coverage", "--data", str(data), "--format", fmt]
    args = parser.parse_args(argv + ([] if out is None else ["--out", str(out)]))
    return int(args.run(args))


def test_command_writes_one_csv_row_per_district_and_category(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_exports(
        tmp_path / "data", f'V1,Victim care,victim_hub,,,,county,"{BEACON}",0300\n'
    )
    assert run_command(data) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "district_code,category,covered,services,nearest_km_median,hours_open_per_week,"
        "reports_when_closed_pct,district_name,report_nearest_km_median,latest_close,"
        "reports_with_time"
    )
    assert len(lines) == 1 + 10 * len(COVERAGE_CATEGORIES)
    assert f"{WATFORD},victim_hub,true,1,,52.0,50.0,Watford,,20:00,2" in lines
    assert f"{WATFORD},outreach,false,0,,0.0,100.0,Watford,,,2" in lines
    assert f"{DACORUM},victim_hub,true,1,,52.0,,Dacorum,,20:00,0" in lines


def test_command_writes_json_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_exports(
        tmp_path / "data", f'V1,Victim care,victim_hub,,,,county,"{BEACON}",0300\n'
    )
    out = tmp_path / "coverage.json"
    assert run_command(data, "json", out) == 0
    assert capsys.readouterr().err.endswith(f"Wrote 100 rows (json) to {out}.\n")
    rows = json.loads(out.read_text(encoding="utf-8"))
    watford = next(
        r for r in rows if r["district_code"] == WATFORD and r["category"] == "victim_hub"
    )
    assert watford == {
        "district_code": WATFORD,
        "category": "victim_hub",
        "covered": True,
        "services": 1,
        "nearest_km_median": None,
        "hours_open_per_week": 52.0,
        "reports_when_closed_pct": 50.0,
        "district_name": "Watford",
        "report_nearest_km_median": None,
        "latest_close": "20:00",
        "reports_with_time": 2,
    }


def test_command_refuses_when_there_are_no_services(tmp_path: Path) -> None:
    data = write_exports(tmp_path / "data", "")
    with pytest.raises(CommandError, match=r"No support services .* add a services\*\.csv"):
        run_command(data)


# ------------------------------------------------------------------ confidentiality
REFUGE_LAT, REFUGE_LON = "51.812345", "-0.212345"
SECRETS = (REFUGE_LAT, REFUGE_LON, "51.8123", "0.2123", "51.812", "-0.212")


def test_a_confidential_location_appears_in_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_exports(
        tmp_path / "data",
        f"REF,Safe house,refuge,{REFUGE_LAT},{REFUGE_LON},,county,24/7,0330\n"
        f"SARC,Clinic,sarc,{REFUGE_LAT},{REFUGE_LON},true,{WATFORD},24/7,0808\n"
        f"SEC,Hidden outreach,outreach,{REFUGE_LAT},{REFUGE_LON},yes,county,24/7,\n"
        f"OUT,Outreach,outreach,{STEVENAGE_LATLON},no,North Herts;Stevenage,Mo-Fr 09:00-17:00,\n",
    )
    (data / "survey.csv").write_text(
        "response_id,completed_at,district,safe_day,safe_after_dark\n"
        "Q1,2026-03-01 10:00,Watford,Very safe,Fairly unsafe\n",
        encoding="utf-8",
    )
    services = load_services([data / "services.csv"]).frame
    reports = load_streetsafe([data / "streetsafe.csv"]).frame
    survey = load_survey([data / "survey.csv"]).frame
    assert services["confidential"].tolist() == [True, True, True, False]

    texts = []
    table = coverage_table(reports, services)
    texts.append(table.to_csv())
    texts.append(coverage_matrix(services).to_csv())
    texts.append(gap_ranking(reports, services, survey).to_csv())
    texts.append(lsoa_gap_ranking(reports, services).to_csv())
    for code in DISTRICTS:
        texts.append(hour_of_week_chart_data(reports, services, code).to_csv())
    for category in ("refuge", "sarc", "outreach"):
        texts.append(nearest_km(reports.geometry, services, category).to_csv())
    for fmt in ("csv", "json"):
        assert run_command(data, fmt) == 0
        texts.append(capsys.readouterr().out)
    everything = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in everything
    # The hidden outreach's place is not used: only the Stevenage one is a place.
    outreach = table.set_index(["district_code", "category"]).loc[(WATFORD, "outreach")]
    assert outreach["covered"]
    assert np.isnan(outreach["report_nearest_km_median"])


def test_no_output_depends_on_where_a_confidential_service_is() -> None:
    """Even a frame that arrives with confidential places filled in gives the same outputs."""
    public = {"coverage": WATFORD, "x": X0, "y": Y0, "opening_hours": "Mo-Fr 09:00-17:00"}
    hidden = [
        {"category": "refuge", "coverage": "county", "confidential": False},  # refuge: always
        {"category": "sarc", "coverage": WATFORD, "confidential": True},
        {"category": "outreach", "coverage": "county", "confidential": True},
        {"category": "outreach", "coverage": "county", "confidential": None},  # unknown flag
    ]
    near = {"x": X0 + 2_999, "y": Y0, "located_district_code": DACORUM}
    leaked = services_frame(public, *({**row, **near} for row in hidden))
    clean = services_frame(public, *hidden)
    reports = reports_frame([(WATFORD, TUE_19, X0 + 3_000, Y0), (DACORUM, TUE_10, X0 + 3_000, Y0)])
    lsoa_points = gpd.GeoDataFrame(
        {"lsoa_code": ["A", "B"], "lsoa_name": ["A", "B"], "district_code": [WATFORD, DACORUM]},
        geometry=[Point(X0 + 3_000, Y0), Point(X0 + 3_000, Y0)],
        crs=ANALYSIS_CRS,
    )
    for services in (leaked, clean):
        table = coverage_table(reports, services, lsoa_points=lsoa_points)
        assert table.set_index(["district_code", "category"]).loc[
            (WATFORD, "outreach"), "nearest_km_median"
        ] == pytest.approx(3.0)
    outputs = [
        lambda s: coverage_table(reports, s, lsoa_points=lsoa_points),
        lambda s: gap_ranking(reports, s, population=population(), lsoa_points=lsoa_points),
        lambda s: lsoa_gap_ranking(reports, s, lsoa_points=lsoa_points),
        lambda s: hour_of_week_chart_data(reports, s, WATFORD),
        lambda s: nearest_km(reports.geometry, s, "outreach").to_frame(),
        lambda s: nearest_km(reports.geometry, s, "refuge").to_frame(),
    ]
    for output in outputs:
        assert_frame_equal(output(leaked), output(clean))


def test_command_hides_small_timed_counts_from_partners(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_exports(
        tmp_path / "data", f'V1,Victim care,victim_hub,,,,county,"{BEACON}",0300\n'
    )
    rows = {}
    for role in ("analyst", "partner"):
        parser = argparse.ArgumentParser()
        coverage_command.register(parser.add_subparsers())
        args = parser.parse_args(["coverage", "--data", str(data), "--role", role])
        assert args.run(args) == 0
        rows[role] = {
            (r["district_code"], r["category"]): r
            for r in csv.DictReader(io.StringIO(capsys.readouterr().out))
        }
    # Watford has two reports with a time (Wednesday and Tuesday 19:00); Beacon is open
    # on Wednesday evening only, so one of the two falls when it is closed: 50%.
    watford = ("E07000103", "victim_hub")
    assert rows["analyst"][watford]["reports_with_time"] == "2"
    assert rows["analyst"][watford]["reports_when_closed_pct"] == "50.0"
    assert rows["partner"][watford]["reports_with_time"] == "<5"
    assert rows["partner"][watford]["reports_when_closed_pct"] == ""


# ------------------------------------------------------------------ from counts
def test_weighted_median_repeats_each_value_by_its_weight() -> None:
    assert weighted_median(np.array([3.0, 1.0, 2.0]), np.array([1, 1, 2])) == 2.0  # 1,2,2,3
    assert weighted_median(np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4, dtype=int)) == 2.5
    assert weighted_median(np.array([1.0, 10.0]), np.array([3, 1])) == 1.0  # 1,1,1,10
    assert weighted_median(np.array([np.nan, 5.0]), np.array([4, 1])) == 5.0
    assert np.isnan(weighted_median(np.array([np.nan]), np.array([2])))


def test_a_summary_from_counts_keeps_each_reports_minute() -> None:
    # Watford: Saturday 28 March 2026 23:30 GMT, Sunday 29 March 02:30 BST (01:30 UTC),
    # Wednesday 1 July 21:00 BST; a Dacorum report without a time.
    frame = gpd.GeoDataFrame({
        "report_id": ["a", "b", "c", "d"],
        "district_code": [WATFORD, WATFORD, WATFORD, DACORUM],
        "lsoa_code": ["L1", "L1", "L2", "L3"],
        "latitude": [51.6565, 51.6565, 51.66, 51.75],
        "longitude": [-0.3903, -0.3903, -0.40, -0.45],
        "occurred_at": pd.Series(
            [pd.Timestamp("2026-03-28 23:30", tz="UTC"), pd.Timestamp("2026-03-29 01:30", tz="UTC"),
             pd.Timestamp("2026-07-01 20:00", tz="UTC"), pd.NaT], dtype="datetime64[us, UTC]",
        ).dt.tz_convert("Europe/London"),
    }, geometry=[Point(X0, Y0)] * 4, crs=ANALYSIS_CRS)
    frame["event_at"] = frame["occurred_at"]
    summary = summary_of_counts(FrameCounts(frame), Filters())
    watford = summary.timed[summary.timed["district_code"] == WATFORD]
    # minute of the week: Saturday 5 x 1440 + 23:30; Sunday 6 x 1440 + 02:30; Wed 2 x 1440 + 21:00
    assert sorted(zip(watford["minute_of_week"], watford["reports"], strict=True)) == [
        (4140, 1), (8610, 1), (8790, 1)
    ]
    assert summary.timed["reports"].sum() == 3  # the Dacorum report has no time
    assert summary.per_district.to_dict() == {WATFORD: 3, DACORUM: 1}
    assert summary.per_lsoa.to_dict() == {"L1": 2, "L2": 1, "L3": 1}
    # a and b share a place: one resolution-10 hexagon holding two reports
    assert sorted(summary.places["reports"]) == [1, 1, 2]


def test_coverage_from_counts_equals_coverage_from_rows_but_for_report_distances(
    tmp_path: Path,
) -> None:
    """The page counts (in the store or the frame); rows give the exact figures to check."""
    write_demo_data(tmp_path, reports=3_000, responses=0, seed=3)
    reports = load_streetsafe([tmp_path / "streetsafe_demo.csv"]).frame
    services = load_services([tmp_path / "services_demo.csv"]).frame
    exact = coverage_table(reports, services)
    counted = coverage_table(summary_of_counts(FrameCounts(reports), Filters()), services)
    distance = "report_nearest_km_median"
    assert_frame_equal(counted.drop(columns=distance), exact.drop(columns=distance))
    difference = (counted[distance] - exact[distance]).abs()
    assert exact[distance].notna().sum() >= 10  # 13 district and category pairs with a place
    # Hexagon centres are within about 80 m of each report's point.
    assert difference.max() < 0.08
    assert_frame_equal(
        lsoa_gap_ranking(summary_of_counts(FrameCounts(reports), Filters()), services),
        lsoa_gap_ranking(reports, services),
    )
    for district in (WATFORD, DACORUM):
        assert_frame_equal(
            hour_of_week_chart_data(summary_of_counts(FrameCounts(reports), Filters()),
                                    services, district),
            hour_of_week_chart_data(reports, services, district),
        )


# ------------------------------------------------------------------ bank holidays
# Between Monday 25 May 2026 and Monday 28 December 2026 the England and Wales bank
# holidays are the spring bank holiday (25 May), the summer bank holiday (31 August),
# Christmas Day (Friday 25 December) and Boxing Day's substitute (Monday 28 December: the
# 26th is a Saturday, not a bank holiday).
HOLIDAY_REPORTS = [
    (WATFORD, "2026-05-25 12:00"),  # spring bank holiday
    (WATFORD, "2026-12-24 12:00"),  # Thursday: an ordinary day
    (WATFORD, "2026-12-25 12:00"),  # Christmas Day
    (WATFORD, "2026-12-25 20:00"),  # Christmas Day, evening
    (WATFORD, "2026-12-26 12:00"),  # Saturday: not a bank holiday
    (WATFORD, "2026-12-28 11:00"),  # Boxing Day (substitute)
    (DACORUM, "2026-12-28 15:00"),  # Boxing Day (substitute)
    (DACORUM, None),  # no time
]


def holiday_services() -> gpd.GeoDataFrame:
    return services_frame(
        {"category": "victim_hub", "opening_hours": "Mo-Fr 09:00-17:00; PH off"},
        {"category": "outreach", "coverage": WATFORD, "opening_hours": "PH 10:00-14:00"},
        {"category": "helpline", "opening_hours": "24/7"},  # not a local service
    )


def test_bank_holiday_gap_on_the_real_calendar() -> None:
    gap = bank_holiday_gap(reports_frame(HOLIDAY_REPORTS), holiday_services()).set_index(
        "district_code"
    )
    assert gap["bank_holidays"].eq(4).all()
    # Watford: 25 May 12:00, 25 Dec 12:00, 25 Dec 20:00 and 28 Dec 11:00 are on bank
    # holidays. The hub is shut on all of them (PH off); the Watford outreach opens
    # 10:00-14:00 on them only, so just Christmas evening finds nothing open.
    assert gap.at[WATFORD, "bank_holiday_reports"] == 4
    assert gap.at[WATFORD, "bank_holiday_reports_when_closed"] == 1
    # Dacorum: 28 Dec 15:00, with the hub shut and no outreach serving it.
    assert gap.at[DACORUM, "bank_holiday_reports"] == 1
    assert gap.at[DACORUM, "bank_holiday_reports_when_closed"] == 1
    others = gap.drop(index=[WATFORD, DACORUM])
    assert others["bank_holiday_reports"].eq(0).all()
    assert others["bank_holiday_reports_when_closed"].eq(0).all()
    assert list(gap.index) == list(DISTRICTS)


def test_bank_holiday_gap_counts_the_categories_asked_for() -> None:
    gap = bank_holiday_gap(
        reports_frame(HOLIDAY_REPORTS), holiday_services(), categories=("helpline",)
    ).set_index("district_code")
    # The 24/7 helpline is open at every one of those minutes.
    assert gap.at[WATFORD, "bank_holiday_reports"] == 4
    assert gap["bank_holiday_reports_when_closed"].eq(0).all()


def test_without_a_ph_rule_a_bank_holiday_keeps_the_days_hours() -> None:
    services = services_frame({"category": "victim_hub", "opening_hours": "Mo-Fr 09:00-17:00"})
    gap = bank_holiday_gap(reports_frame(HOLIDAY_REPORTS), services).set_index("district_code")
    # Open 09:00-17:00 on each weekday bank holiday: only 25 Dec 20:00 is outside.
    assert gap.at[WATFORD, "bank_holiday_reports_when_closed"] == 1
    assert gap.at[DACORUM, "bank_holiday_reports_when_closed"] == 0


def test_a_period_without_bank_holidays_has_none() -> None:
    gap = bank_holiday_gap(
        reports_frame([(WATFORD, "2026-12-22 12:00"), (WATFORD, "2026-12-24 12:00")]),
        holiday_services(),
    )
    assert gap["bank_holidays"].eq(0).all()
    assert gap["bank_holiday_reports"].eq(0).all()


def test_bank_holidays_from_counts_equal_those_from_rows() -> None:
    frame = reports_frame(HOLIDAY_REPORTS)
    frame["event_at"] = frame["occurred_at"].fillna(pd.Timestamp("2026-12-01", tz="Europe/London"))
    frame["latitude"], frame["longitude"] = 51.6565, -0.3903
    summary = summary_of_counts(FrameCounts(frame), Filters())
    assert summary.bank_holidays == (
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)
    )
    assert_frame_equal(
        bank_holiday_gap(summary, holiday_services()),
        bank_holiday_gap(frame, holiday_services()),
    )
    # A selection of December alone holds two bank holidays and Watford's three reports.
    december = summary_of_counts(
        FrameCounts(frame), Filters(start=date(2026, 12, 1), end=date(2026, 12, 31))
    )
    gap = bank_holiday_gap(december, holiday_services()).set_index("district_code")
    assert gap.at[WATFORD, "bank_holidays"] == 2
    assert gap.at[WATFORD, "bank_holiday_reports"] == 3
    assert gap.at[WATFORD, "bank_holiday_reports_when_closed"] == 1


def test_command_writes_the_bank_holiday_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    # Watford: Christmas Day 12:00 and 20:00, Boxing Day's substitute (28 Dec) 11:00 and
    # a Thursday (24 Dec) 12:00; Stevenage: 28 Dec 15:00. Period 24-28 December 2026.
    reports = [
        ("R1", "2026-12-25 12:00", WATFORD_LATLON), ("R2", "2026-12-25 20:00", WATFORD_LATLON),
        ("R3", "2026-12-28 11:00", WATFORD_LATLON), ("R4", "2026-12-24 12:00", WATFORD_LATLON),
        ("R5", "2026-12-28 15:00", STEVENAGE_LATLON),
    ]
    (folder / "streetsafe.csv").write_text(
        STREETSAFE_HEADER + "".join(f"{r},2026-12-29 09:00,{t},{p}\n" for r, t, p in reports),
        encoding="utf-8",
    )
    (folder / "services.csv").write_text(
        SERVICES_HEADER
        + 'V1,Victim care,victim_hub,,,,county,"Mo-Fr 09:00-17:00; PH off",0300\n'
        + f"O1,Holiday drop-in,outreach,,,,{WATFORD},PH 10:00-14:00,\n",
        encoding="utf-8",
    )
    rows = {}
    for role in ("analyst", "partner"):
        parser = argparse.ArgumentParser()
        coverage_command.register(parser.add_subparsers())
        args = parser.parse_args(
            ["coverage", "--data", str(folder), "--role", role, "--bank-holidays"]
        )
        assert args.run(args) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == (
            "district_code,district_name,bank_holidays,bank_holiday_reports,"
            "bank_holiday_reports_when_closed"
        )
        assert len(lines) == 11
        rows[role] = {line.split(",")[0]: line for line in lines[1:]}
    # Watford: three reports on bank holidays; the drop-in is open 10:00-14:00 on them, so
    # only Christmas evening finds nothing open. Stevenage: one, with the hub shut.
    assert rows["analyst"][WATFORD] == f"{WATFORD},Watford,2,3,1"
    assert rows["analyst"][STEVENAGE] == f"{STEVENAGE},Stevenage,2,1,1"
    assert rows["analyst"][DACORUM] == f"{DACORUM},Dacorum,2,0,0"
    assert rows["partner"][WATFORD] == f"{WATFORD},Watford,2,<5,<5"
    assert rows["partner"][STEVENAGE] == f"{STEVENAGE},Stevenage,2,<5,<5"
    assert rows["partner"][DACORUM] == f"{DACORUM},Dacorum,2,0,0"
