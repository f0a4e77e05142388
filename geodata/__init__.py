"""Load the shipped Hertfordshire geography: districts, county, LSOAs, towns, population.

The files beside this module are built by ``python -m geodata.build`` from pip-installable
open data (see ``ATTRIBUTION.md``). They are stored in WGS84 (EPSG:4326), as GeoJSON
requires; every loader here returns geometries in British National Grid (EPSG:27700), the
CRS in which the project measures metres.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

GEODATA_DIR = Path(__file__).resolve().parent
#: CRS of every geometry this package returns: British National Grid, metres.
ANALYSIS_CRS = "EPSG:27700"
#: CRS of maps and of coordinates given as latitude/longitude.
MAP_CRS = "EPSG:4326"

#: Current LAD code → official name, for the ten Hertfordshire districts.
DISTRICTS: dict[str, str] = {
    "E07000095": "Broxbourne",
    "E07000096": "Dacorum",
    "E07000242": "East Hertfordshire",
    "E07000098": "Hertsmere",
    "E07000099": "North Hertfordshire",
    "E07000240": "St Albans",
    "E07000243": "Stevenage",
    "E07000102": "Three Rivers",
    "E07000103": "Watford",
    "E07000241": "Welwyn Hatfield",
}

#: Codes used by 2011-census products → the current code.
OLD_DISTRICT_CODES: dict[str, str] = {
    "E07000097": "E07000242",
    "E07000100": "E07000240",
    "E07000101": "E07000243",
    "E07000104": "E07000241",
}

COUNTY_CODE = "E10000015"
COUNTY_NAME = "Hertfordshire"


def _name_key(text: str) -> str:
    key = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    key = re.sub(r"\bhertfordshire\b", "herts", key)
    key = re.sub(r"\bsaint\b", "st", key)
    return key.replace(" ", "")


_DISTRICT_KEYS: dict[str, str] = {
    **{_name_key(name): code for code, name in DISTRICTS.items()},
    **{code.lower(): code for code in DISTRICTS},
    **{old.lower(): new for old, new in OLD_DISTRICT_CODES.items()},
    # short names used in local material
    "welwynhatfieldborough": "E07000241",
    "watfordborough": "E07000103",
    "stalbanscity": "E07000240",
    "cityofstalbans": "E07000240",
    "dacorumborough": "E07000096",
    "stevenageborough": "E07000243",
    "hertsmereborough": "E07000098",
    "broxbourneborough": "E07000095",
}


def district_code(text: str) -> str | None:
    """Return the current LAD code for a district code or name, or None if unknown.

    Accepts current and 2011 codes and names in any case and punctuation, with
    "Herts" for "Hertfordshire" (``"East Herts"``, ``"st. albans"``, ``"E07000100"``).
    """
    return _DISTRICT_KEYS.get(_name_key(text)) or _DISTRICT_KEYS.get(text.strip().lower())


def require_district(text: object, *, argument: str = "`district`") -> str:
    """Return the current LAD code for a district code or name, or say which there are.

    The one place a district named by a user (an argument, an option) is looked up; see
    :func:`district_code` for what is accepted.

    Raises
    ------
    ValueError
        ``text`` names no Hertfordshire district; the message names ``argument`` and lists
        the ten districts.
    """
    code = district_code(str(text)) if text is not None else None
    if code is None:
        raise ValueError(
            f"{argument} {text!r}: expected a Hertfordshire district, one of "
            f"{', '.join(DISTRICTS.values())} (or its LAD code, e.g. E07000103)."
        )
    return code


def _read_geojson(name: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(GEODATA_DIR / name)
    return frame.to_crs(ANALYSIS_CRS)


@lru_cache(maxsize=1)
def _districts() -> gpd.GeoDataFrame:
    return _read_geojson("districts.geojson")[["code", "name", "geometry"]]


@lru_cache(maxsize=1)
def _county() -> gpd.GeoDataFrame:
    return _read_geojson("county.geojson")[["code", "name", "geometry"]]


@lru_cache(maxsize=1)
def _lsoas() -> gpd.GeoDataFrame:
    return _read_geojson("lsoa_2011.geojson")[["code", "name", "district_code", "geometry"]]


def load_districts() -> gpd.GeoDataFrame:
    """Return the ten districts: ``code``, ``name``, ``geometry`` (EPSG:27700)."""
    return _districts().copy()


def load_county() -> gpd.GeoDataFrame:
    """Return the county outline as one row: ``code``, ``name``, ``geometry`` (EPSG:27700)."""
    return _county().copy()


def load_lsoas() -> gpd.GeoDataFrame:
    """Return the 2011 LSOAs: ``code``, ``name``, ``district_code``, ``geometry`` (EPSG:27700)."""
    return _lsoas().copy()


def load_towns() -> pd.DataFrame:
    """Return the main towns, largest first.

    Columns: ``name``, ``latitude``, ``longitude``, ``population``, ``district_code``,
    ``geonameid``.
    """
    return pd.read_csv(GEODATA_DIR / "towns.csv", dtype={"district_code": str})


def load_population() -> pd.DataFrame:
    """Return Census 2021 usual residents per district.

    Columns: ``code``, ``name``, ``population``, ``source``, ``year``.
    """
    return pd.read_csv(GEODATA_DIR / "population.csv", dtype={"code": str})
