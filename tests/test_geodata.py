"""Tests of the shipped Hertfordshire geography and of ``geodata.build``.

The cross-checks compare the shipped files with an independent copy of the ONS boundaries
and Census figures kept outside the product (``../shared/reference``); they are skipped,
with the reason, when that folder is absent.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geodata import (
    ANALYSIS_CRS,
    COUNTY_CODE,
    COUNTY_NAME,
    DISTRICTS,
    GEODATA_DIR,
    MAP_CRS,
    district_code,
    load_county,
    load_districts,
    load_lsoas,
    load_population,
    load_towns,
    require_district,
)
from geodata.build import REQUIRED_PACKAGES, main

REPO_ROOT = Path(__file__).parents[1]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
REFERENCE_DISTRICTS = REFERENCE_DIR / "herts_lad_bsc_onsvisual.geojson"
REFERENCE_POPULATION = REFERENCE_DIR / "herts_lad_population_census_2011_2021.csv"

#: Two generalisations of one boundary differ by a few percent of area (ONS say up to ~5%
#: for the smallest districts); beyond this the shipped district is wrong, not just coarser.
MAX_SYMMETRIC_DIFFERENCE_PCT = 6.0
MAX_POPULATION_DIFFERENCE_PCT = 1.0

#: Census 2021 usual residents as given in geodata/build.py, added by hand:
#: 99,000 + 155,100 + 151,400 + 107,900 + 133,200 + 148,000 + 89,700 + 93,300 + 102,300
#: + 119,900 = 1,199,800.
HERTS_RESIDENTS_2021 = 1_199_800

GEODATA_FILES = (
    "lsoa_2011.geojson",
    "districts.geojson",
    "county.geojson",
    "towns.csv",
    "population.csv",
    "ATTRIBUTION.md",
)


def _invalid_rows(frame: gpd.GeoDataFrame, label: str) -> list[str]:
    return list(frame.loc[~frame.geometry.is_valid, label])


# --- districts, county, LSOAs ---------------------------------------------------------


def test_districts_are_the_ten_current_districts() -> None:
    districts = load_districts()

    assert list(districts.columns) == ["code", "name", "geometry"]
    assert dict(zip(districts["code"], districts["name"], strict=True)) == DISTRICTS
    assert len(districts) == 10
    assert districts.crs == ANALYSIS_CRS
    assert _invalid_rows(districts, "name") == []


def test_county_is_one_feature_covering_the_districts() -> None:
    county = load_county()
    districts = load_districts()

    assert list(county.columns) == ["code", "name", "geometry"]
    assert county[["code", "name"]].to_dict("records") == [
        {"code": COUNTY_CODE, "name": COUNTY_NAME}
    ]
    assert county.crs == ANALYSIS_CRS
    assert county.geometry.is_valid.all()
    outline = county.geometry.iloc[0]
    uncovered = districts.union_all().symmetric_difference(outline).area
    assert uncovered / outline.area < 1e-6, f"county and districts differ by {uncovered:.0f} m²"


def test_lsoas_are_the_690_hertfordshire_lsoas() -> None:
    lsoas = load_lsoas()

    assert list(lsoas.columns) == ["code", "name", "district_code", "geometry"]
    assert len(lsoas) == 690
    assert lsoas["code"].is_unique
    assert lsoas["code"].str.fullmatch(r"E01\d{6}").all()
    assert set(lsoas["district_code"]) == set(DISTRICTS)
    assert lsoas.crs == ANALYSIS_CRS
    assert _invalid_rows(lsoas, "code") == []


def test_lsoa_district_matches_the_district_named_in_the_lsoa_name() -> None:
    lsoas = load_lsoas()
    # "East Hertfordshire 001A" belongs to East Hertfordshire, whose code is now E07000242.
    named = lsoas["name"].str.rsplit(" ", n=1).str[0].map(district_code)

    mismatched = lsoas.loc[named != lsoas["district_code"], ["name", "district_code"]]
    assert mismatched.empty, f"LSOAs assigned to another district:\n{mismatched}"


def test_lsoas_tile_their_district() -> None:
    lsoas = load_lsoas()
    districts = load_districts().set_index("code")
    dissolved = lsoas.dissolve(by="district_code").geometry

    gaps = {
        code: round(dissolved[code].symmetric_difference(shape).area)
        for code, shape in districts.geometry.items()
    }
    assert all(area < 1 for area in gaps.values()), f"m² between LSOAs and district: {gaps}"


# --- towns and population ---------------------------------------------------------------


def test_towns_lie_inside_their_district() -> None:
    towns = load_towns()
    districts = load_districts().set_index("code")
    points = gpd.GeoSeries(
        gpd.points_from_xy(towns["longitude"], towns["latitude"]), crs=MAP_CRS
    ).to_crs(ANALYSIS_CRS)

    outside = [
        f"{name} ({code})"
        for name, code, point in zip(towns["name"], towns["district_code"], points, strict=True)
        if code not in districts.index or not districts.geometry[code].contains(point)
    ]
    assert outside == []


def test_towns_include_the_main_towns_largest_first() -> None:
    towns = load_towns()
    main_towns = {
        "Watford": "E07000103",
        "Hemel Hempstead": "E07000096",
        "Stevenage": "E07000243",
        "St Albans": "E07000240",
        "Welwyn Garden City": "E07000241",
        "Hatfield": "E07000241",
        "Hertford": "E07000242",
        "Bishops Stortford": "E07000242",  # GeoNames spells it without the apostrophe
        "Hitchin": "E07000099",
        "Letchworth Garden City": "E07000099",
        "Cheshunt": "E07000095",
        "Hoddesdon": "E07000095",
        "Borehamwood": "E07000098",
        "Potters Bar": "E07000098",
        "Rickmansworth": "E07000102",
        "Berkhamsted": "E07000096",
        "Tring": "E07000096",
        "Harpenden": "E07000240",
        "Royston": "E07000099",
        "Ware": "E07000242",
        "Baldock": "E07000099",
        "Bushey": "E07000098",
    }

    assert list(towns.columns) == [
        "name",
        "latitude",
        "longitude",
        "population",
        "district_code",
        "geonameid",
    ]
    assert 40 <= len(towns) <= 60
    assert towns["geonameid"].is_unique
    assert towns["population"].is_monotonic_decreasing
    found = dict(zip(towns["name"], towns["district_code"], strict=True))
    assert {name: found.get(name) for name in main_towns} == main_towns


def test_population_is_census_2021_for_the_ten_districts() -> None:
    population = load_population()

    assert list(population.columns) == ["code", "name", "population", "source", "year"]
    assert dict(zip(population["code"], population["name"], strict=True)) == DISTRICTS
    assert population["population"].sum() == HERTS_RESIDENTS_2021
    assert population.loc[population["code"] == "E07000103", "population"].item() == 102_300
    assert set(population["year"]) == {2021}
    assert population["source"].str.startswith("ONS Census 2021").all()


# --- district_code ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("East Herts", "E07000242"),
        ("East Hertfordshire", "E07000242"),
        ("E07000097", "E07000242"),
        ("st. albans", "E07000240"),
        ("Saint Albans", "E07000240"),
        ("City of St Albans", "E07000240"),
        ("E07000100", "E07000240"),
        ("Welwyn Hatfield", "E07000241"),
        ("welwyn-hatfield", "E07000241"),
        ("E07000104", "E07000241"),
        ("North Hertfordshire", "E07000099"),
        ("North Herts", "E07000099"),
        ("Stevenage Borough", "E07000243"),
        ("E07000101", "E07000243"),
        ("  WATFORD  ", "E07000103"),
        ("e07000103", "E07000103"),
        ("Three_Rivers", "E07000102"),
        ("Hertsmere", "E07000098"),
        ("Broxbourne", "E07000095"),
        ("Dacorum", "E07000096"),
        ("Luton", None),
        ("Hertfordshire", None),
        ("Herts", None),
        ("E07000099X", None),
        ("", None),
    ],
)
def test_district_code(text: str, expected: str | None) -> None:
    assert district_code(text) == expected


# --- cross-checks against the independent reference --------------------------------------


@pytest.fixture(scope="module")
def reference_districts() -> gpd.GeoDataFrame:
    if not REFERENCE_DISTRICTS.is_file():
        pytest.skip(f"reference boundaries not found at {REFERENCE_DISTRICTS}: cross-check skipped")
    return gpd.read_file(REFERENCE_DISTRICTS).to_crs(ANALYSIS_CRS).set_index("lad_cd")


@pytest.fixture(scope="module")
def reference_population() -> pd.DataFrame:
    if not REFERENCE_POPULATION.is_file():
        pytest.skip(
            f"reference population not found at {REFERENCE_POPULATION}: cross-check skipped"
        )
    return pd.read_csv(REFERENCE_POPULATION, dtype={"lad_cd": str}).set_index("lad_cd")


@pytest.mark.parametrize("code", sorted(DISTRICTS))
def test_district_matches_reference_boundary(
    code: str,
    reference_districts: gpd.GeoDataFrame,
    record_property: Callable[[str, object], None],
) -> None:
    shape = load_districts().set_index("code").geometry[code]
    reference = reference_districts.geometry[code]

    difference_pct = 100 * shape.symmetric_difference(reference).area / reference.area
    record_property("symmetric_difference_pct", round(difference_pct, 2))
    print(f"{DISTRICTS[code]}: symmetric difference {difference_pct:.2f}% of reference area")
    assert reference_districts.loc[code, "lad_nm"] == DISTRICTS[code]
    assert difference_pct <= MAX_SYMMETRIC_DIFFERENCE_PCT, (
        f"{DISTRICTS[code]} ({code}): symmetric difference with the reference is "
        f"{difference_pct:.2f}% of its area, limit {MAX_SYMMETRIC_DIFFERENCE_PCT}%"
    )


def test_population_matches_reference(reference_population: pd.DataFrame) -> None:
    population = load_population().set_index("code")["population"]
    reference = reference_population["census2021_usual_residents_rounded100"]

    assert set(reference.index) == set(DISTRICTS)
    difference_pct = {
        code: 100 * abs(int(population[code]) - int(reference[code])) / int(reference[code])
        for code in DISTRICTS
    }
    report = ", ".join(
        f"{DISTRICTS[code]} {population[code]} vs {reference[code]} ({pct:.2f}%)"
        for code, pct in difference_pct.items()
    )
    print(report)
    assert max(difference_pct.values()) <= MAX_POPULATION_DIFFERENCE_PCT, (
        f"Census 2021 residents differ from the reference by more than "
        f"{MAX_POPULATION_DIFFERENCE_PCT}%: {report}"
    )


# --- the build ------------------------------------------------------------------------------


def _skip_unless_pinned_inputs() -> None:
    for package, wanted in REQUIRED_PACKAGES.items():
        try:
            found = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            pytest.skip(f"{package}=={wanted} needed to rebuild geodata, found {found}")


def test_build_reproduces_the_shipped_files(tmp_path: Path) -> None:
    _skip_unless_pinned_inputs()

    assert main(["--out", str(tmp_path)]) == 0

    differing = [
        name
        for name in GEODATA_FILES
        if (tmp_path / name).read_bytes() != (GEODATA_DIR / name).read_bytes()
    ]
    assert differing == [], "shipped geodata is stale: run `python -m geodata.build`"


def test_loaders_return_copies() -> None:
    districts = load_districts()
    districts.loc[0, "name"] = "changed"

    assert load_districts().loc[0, "name"] == DISTRICTS[load_districts().loc[0, "code"]]
    assert load_lsoas() is not load_lsoas()


@pytest.mark.parametrize(
    ("text", "code"),
    [("Watford", "E07000103"), ("st. albans", "E07000240"), ("East Herts", "E07000242"),
     ("E07000103", "E07000103")],
)
def test_require_district_gives_the_code(text: str, code: str) -> None:
    assert require_district(text) == code


def test_require_district_names_the_argument_and_the_ten_districts() -> None:
    with pytest.raises(ValueError, match=re.escape(
        "--district 'Luton': expected a Hertfordshire district, one of Broxbourne, Dacorum, "
        "East Hertfordshire, Hertsmere, North Hertfordshire, St Albans, Stevenage, "
        "Three Rivers, Watford, Welwyn Hatfield (or its LAD code, e.g. E07000103)."
    )):
        require_district("Luton", argument="--district")
