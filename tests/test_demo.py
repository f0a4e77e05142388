"""Tests of the synthetic demo exports: contract formats, geography, times, reproducibility."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geodata import DISTRICTS, district_code, load_county, load_districts
from loaders.opening_hours import open_minutes_on
from safetymap.demo import write_demo_data

REPORTS = 2_000
RESPONSES = 2_000

# From CONTRACT.md section 1, written out here so that the test does not trust the module.
ENVIRONMENT = {
    "no_cctv",
    "poor_lighting",
    "isolated",
    "poor_layout",
    "restricted_visibility",
    "rundown",
    "drugs_alcohol",
    "other",
}
BEHAVIOUR = {
    "verbal_abuse_individual",
    "verbal_abuse_group",
    "followed",
    "intimidation",
    "harassment_other",
    "other",
}
CONTRACT_LABELS = {
    "Badly lit": "poor_lighting",
    "No CCTV": "no_cctv",
    "Empty or isolated": "isolated",
    "Run down (graffiti, fly-tipping)": "rundown",
    "Followed": "followed",
    "Verbal abuse by a group": "verbal_abuse_group",
}
SAFETY_SCORES = {
    "Very unsafe": 1,
    "Fairly unsafe": 2,
    "Neither safe nor unsafe": 3,
    "Fairly safe": 4,
    "Very safe": 5,
    **{str(score): score for score in range(1, 6)},
}
ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"
UK = r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"
NAMES = ["streetsafe_demo.csv", "survey_demo.csv", "services_demo.csv", "outreach_demo.csv"]


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def parse_times(text: pd.Series) -> pd.Series:
    iso = pd.to_datetime(text, format="%Y-%m-%dT%H:%M:%S", errors="coerce")
    uk = pd.to_datetime(text, format="%d/%m/%Y %H:%M", errors="coerce")
    return iso.fillna(uk)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    write_demo_data(out, reports=REPORTS, responses=RESPONSES, seed=2026)
    return out


@pytest.fixture(scope="module")
def reports(demo_dir: Path) -> pd.DataFrame:
    return read(demo_dir / "streetsafe_demo.csv")


@pytest.fixture(scope="module")
def survey(demo_dir: Path) -> pd.DataFrame:
    return read(demo_dir / "survey_demo.csv")


@pytest.fixture(scope="module")
def services(demo_dir: Path) -> pd.DataFrame:
    return read(demo_dir / "services_demo.csv")


def test_same_seed_gives_identical_bytes(demo_dir: Path, tmp_path: Path) -> None:
    paths = write_demo_data(tmp_path, reports=REPORTS, responses=RESPONSES, seed=2026)
    assert [path.name for path in paths] == NAMES
    for path in paths:
        assert path.read_bytes() == (demo_dir / path.name).read_bytes(), path.name


def test_different_seed_gives_different_data(demo_dir: Path, tmp_path: Path) -> None:
    write_demo_data(tmp_path, reports=REPORTS, responses=RESPONSES, seed=7)
    for name in NAMES[:2]:
        assert (tmp_path / name).read_bytes() != (demo_dir / name).read_bytes(), name


def test_requested_counts_are_written(tmp_path: Path) -> None:
    write_demo_data(tmp_path, reports=123, responses=45)
    assert len(read(tmp_path / "streetsafe_demo.csv")) == 123
    assert len(read(tmp_path / "survey_demo.csv")) == 45


def test_bad_counts_are_refused_with_every_problem_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"`reports` .* got -1\. `responses` .* got 2\.5"):
        write_demo_data(tmp_path, reports=-1, responses=2.5)  # type: ignore[arg-type]


def test_headers_follow_the_contract(
    reports: pd.DataFrame, survey: pd.DataFrame, services: pd.DataFrame
) -> None:
    assert list(reports.columns) == [
        "report_id", "submitted_at", "latitude", "longitude", "occurred_at", "time_of_day",
        "environment", "behaviour", "location_label", "age_band", "sex",
    ]  # fmt: skip
    assert list(survey.columns) == [
        "response_id", "completed_at", "district", "safe_day", "safe_after_dark",
        "concern_latitude", "concern_longitude", "concern_reasons", "comment", "age_band",
        "sex", "weight",
    ]  # fmt: skip
    assert list(services.columns) == [
        "service_id", "name", "category", "latitude", "longitude", "confidential", "coverage",
        "opening_hours", "phone", "website", "eligibility", "location_approximate",
    ]  # fmt: skip


@pytest.mark.parametrize(("kind", "column"), [
    ("reports", "report_id"), ("survey", "response_id"), ("services", "service_id"),
])  # fmt: skip
def test_ids_are_unique_and_marked_demo(
    kind: str, column: str, request: pytest.FixtureRequest
) -> None:
    ids = request.getfixturevalue(kind)[column]
    assert ids.is_unique
    assert ids.str.startswith("DEMO-").all()


def test_every_report_and_concern_lies_inside_the_county(
    reports: pd.DataFrame, survey: pd.DataFrame, services: pd.DataFrame
) -> None:
    county = load_county().geometry.iloc[0]
    concerns = survey[survey["concern_latitude"] != ""]
    placed = services[services["latitude"] != ""]
    for frame, lat, lon in [
        (reports, "latitude", "longitude"),
        (concerns, "concern_latitude", "concern_longitude"),
        (placed, "latitude", "longitude"),
    ]:
        points = gpd.GeoSeries(
            gpd.points_from_xy(frame[lon].astype(float), frame[lat].astype(float)), crs="EPSG:4326"
        ).to_crs(load_county().crs)
        assert points.within(county).all()
        assert points.distance(county.boundary).min() > 50.0
    assert 0.3 < len(concerns) / len(survey) < 0.5


def test_times_use_the_contract_formats_and_the_fixed_window(reports: pd.DataFrame) -> None:
    submitted = reports["submitted_at"]
    assert submitted.str.fullmatch(f"{ISO}|{UK}").all()
    assert 0.05 < submitted.str.fullmatch(UK).mean() < 0.15
    given = reports["occurred_at"] != ""
    assert reports.loc[given, "occurred_at"].str.fullmatch(f"{ISO}|{UK}").all()

    submitted_at = parse_times(submitted)
    occurred_at = parse_times(reports.loc[given, "occurred_at"])
    assert submitted_at.min() >= pd.Timestamp("2025-11-01")
    assert submitted_at.max() < pd.Timestamp("2026-11-01")
    # UK-order rows lose their seconds, so compare to the minute.
    delay = submitted_at[given].dt.floor("min") - occurred_at.dt.floor("min")
    assert delay.min() >= pd.Timedelta(0)
    assert delay.max() <= pd.Timedelta(days=2)


def test_time_of_day_is_given_only_without_occurred_at(reports: pd.DataFrame) -> None:
    banded = reports["time_of_day"] != ""
    assert set(reports.loc[banded, "time_of_day"]) == {"morning", "afternoon", "evening", "night"}
    assert (reports.loc[banded, "occurred_at"] == "").all()
    assert 0.05 < banded.mean() < 0.15


def test_most_reports_are_in_the_evening_and_at_night(reports: pd.DataFrame) -> None:
    hour = parse_times(reports.loc[reports["occurred_at"] != "", "occurred_at"]).dt.hour
    after_dark = ((hour >= 18) | (hour < 6)).sum()
    daytime = ((hour >= 6) & (hour < 18)).sum()
    assert after_dark > 1.5 * daytime


def test_only_contract_codes_after_mapping_the_labels(reports: pd.DataFrame) -> None:
    for column, codes in [("environment", ENVIRONMENT), ("behaviour", BEHAVIOUR)]:
        values = reports[column].str.split(";").explode()
        values = values[values != ""]
        labelled = values.isin(list(CONTRACT_LABELS))
        assert 0 < labelled.mean() < 0.1, column
        assert set(values.replace(CONTRACT_LABELS)) <= codes, column


def test_concern_reasons_are_contract_codes(survey: pd.DataFrame) -> None:
    reasons = survey["concern_reasons"].str.split(";").explode()
    assert set(reasons[reasons != ""]) <= ENVIRONMENT | BEHAVIOUR


def test_every_district_answers_in_proportion_with_a_floor(survey: pd.DataFrame) -> None:
    codes = survey["district"].map(district_code)
    assert codes.notna().all()
    counts = codes.value_counts()
    assert set(counts.index) == set(DISTRICTS)
    assert counts.min() >= 150
    assert counts.sum() == RESPONSES
    # Names, short names and codes all appear.
    spelled = survey["district"]
    assert spelled.isin(list(DISTRICTS)).any()
    assert spelled.isin(list(DISTRICTS.values())).any()
    assert (spelled == "East Herts").any()


def test_every_district_feels_less_safe_after_dark(survey: pd.DataFrame) -> None:
    allowed = set(SAFETY_SCORES) | {"Don't know", ""}
    frame = survey.assign(
        code=survey["district"].map(district_code), weight=survey["weight"].astype(float)
    )
    assert frame["weight"].between(0.5, 2.0).all()
    unsafe_share = {}
    for column in ["safe_day", "safe_after_dark"]:
        assert set(frame[column]) <= allowed, column
        score = frame[column].map(SAFETY_SCORES)
        valid = frame[score.notna()]
        unsafe = score[score.notna()] <= 2
        weighted = (unsafe * valid["weight"]).groupby(valid["code"]).sum()
        unsafe_share[column] = weighted / valid["weight"].groupby(valid["code"]).sum()
    gap = unsafe_share["safe_after_dark"] - unsafe_share["safe_day"]
    assert len(gap) == len(DISTRICTS)
    assert (gap > 0.05).all(), gap.to_dict()
    numeric = survey["safe_after_dark"].str.fullmatch(r"[1-5]")
    assert 0.1 < numeric.mean() < 0.2


def test_survey_has_two_waves(survey: pd.DataFrame) -> None:
    months = parse_times(survey["completed_at"]).dt.month
    assert set(months) == {3, 4, 9, 10}


def test_confidential_services_are_flagged_and_placed(services: pd.DataFrame) -> None:
    by_category = services.set_index("category")
    for category in ["refuge", "sarc"]:
        row = by_category.loc[category]
        assert row["confidential"] == "true"
        assert row["opening_hours"] == "24/7"
        assert row["latitude"] != ""
    assert set(services.loc[services["confidential"] == "true", "category"]) == {"refuge", "sarc"}


def test_public_services_carry_the_contract_facts(services: pd.DataFrame) -> None:
    by_category = services.set_index("category")
    helpline = by_category.loc["helpline"]
    assert helpline["phone"] == "08 088 088 088"
    assert helpline["opening_hours"] == "Mo-Fr 09:00-21:00; Sa,Su 09:00-16:00"
    assert helpline["latitude"] == ""
    assert helpline["coverage"] == "county"
    assert by_category.loc["idva", "opening_hours"] == "Mo-Fr 09:00-17:00"
    assert by_category.loc["victim_hub", "opening_hours"] == "Mo-Fr 08:00-18:00; We 08:00-20:00"
    assert by_category.loc["perpetrator_programme", "eligibility"] == (
        "aged 10+, living in Hertfordshire"
    )
    outreach = services[services["category"] == "outreach"]
    covered = [
        sorted(district_code(name) or name for name in coverage.split(";"))
        for coverage in outreach["coverage"]
    ]
    assert sorted(covered) == sorted(
        [
            sorted(["E07000242", "E07000095"]),
            sorted(["E07000099", "E07000243"]),
            sorted(["E07000240", "E07000096"]),
            sorted(["E07000103", "E07000102"]),
            sorted(["E07000241", "E07000098"]),
        ]
    )
    assert (outreach["location_approximate"] == "true").all()
    police = services[services["category"] == "police"]
    assert len(police) >= 2
    assert (police["location_approximate"] == "true").all()


def test_reports_rise_in_a_rising_town(tmp_path: Path) -> None:
    write_demo_data(tmp_path, reports=20_000, responses=0)
    frame = read(tmp_path / "streetsafe_demo.csv")
    stevenage = frame[frame["location_label"].str.contains("Stevenage")]
    months = parse_times(stevenage["submitted_at"]).dt.month
    first_quarter = months.isin([11, 12, 1]).sum()
    last_quarter = months.isin([8, 9, 10]).sum()
    assert last_quarter > 1.5 * first_quarter


@pytest.fixture(scope="module")
def county_year(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    """Return the default demo's reports (a real county year) with their district."""
    out = tmp_path_factory.mktemp("default")
    paths = write_demo_data(out, responses=0)
    frame = read(paths[0])
    points = gpd.GeoDataFrame(
        frame, crs="EPSG:4326",
        geometry=gpd.points_from_xy(frame["longitude"].astype(float),
                                    frame["latitude"].astype(float)),
    ).to_crs(load_county().crs)
    districts = load_districts()[["code", "geometry"]]
    return points.sjoin(districts, predicate="within")


def test_the_default_is_a_real_county_year_with_reports_in_every_district(
    county_year: gpd.GeoDataFrame,
) -> None:
    assert len(county_year) == 1_000
    per_district = county_year["code"].value_counts()
    assert set(per_district.index) == set(DISTRICTS)
    # About one or two a district a week: 50 to 160 a year each.
    assert per_district.between(50, 160).all(), per_district.to_dict()


def test_the_default_has_repeat_places_around_town_centres(
    county_year: gpd.GeoDataFrame,
) -> None:
    # 250 m squares: a handful hold many reports, most hold one.
    square = (county_year.geometry.x // 250).astype(int).astype(str) + ":" + (
        county_year.geometry.y // 250).astype(int).astype(str)
    per_square = square.value_counts()
    assert (per_square >= 5).sum() >= 10
    assert (per_square == 1).sum() > len(per_square) / 2


def test_rising_and_falling_districts_show_it_in_a_year_of_the_default(
    county_year: gpd.GeoDataFrame,
) -> None:
    later = parse_times(county_year["submitted_at"]) >= pd.Timestamp("2026-05-01")
    halves = county_year.groupby(["code", later]).size().unstack(fill_value=0)
    ratio = halves[True] / halves[False]
    stevenage, welwyn_hatfield, broxbourne, north_herts = (
        "E07000243", "E07000241", "E07000095", "E07000099"
    )
    for code in (stevenage, welwyn_hatfield, broxbourne):
        assert ratio[code] > 1.8, (DISTRICTS[code], ratio[code])
    assert ratio[north_herts] < 0.75
    assert ratio[north_herts] == ratio.min()


def test_illustrative_services_close_or_open_on_bank_holidays(services: pd.DataFrame) -> None:
    hours = services.groupby("category")["opening_hours"].agg(set)
    assert hours["outreach"] == {"Mo-Fr 09:00-17:00; PH off"}
    assert hours["police"] == {"Mo-Fr 08:00-20:00; Sa 09:00-17:00; PH 10:00-14:00"}
    # Christmas Day 2026 (a Friday): outreach shut, front counters 10:00-14:00 (4 hours);
    # Thursday 24 December: outreach 8 hours, counters 12.
    assert open_minutes_on("Mo-Fr 09:00-17:00; PH off", date(2026, 12, 25)).sum() == 0
    counter = "Mo-Fr 08:00-20:00; Sa 09:00-17:00; PH 10:00-14:00"
    assert open_minutes_on(counter, date(2026, 12, 25)).sum() == 4 * 60
    assert open_minutes_on(counter, date(2026, 12, 24)).sum() == 12 * 60
