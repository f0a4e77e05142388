"""Give each point its LSOA and district, refusing points outside Hertfordshire."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import ANALYSIS_CRS, DISTRICTS, MAP_CRS, load_county, load_lsoas

#: A point this close to a district (metres) counts as inside it: boundaries are generalised.
TOLERANCE_M = 50.0


def points_from(
    latitude: pd.Series, longitude: pd.Series, easting: pd.Series, northing: pd.Series
) -> tuple[gpd.GeoSeries, pd.Series, pd.Series]:
    """Return points in EPSG:27700 and their WGS84 latitude and longitude.

    Rows with latitude/longitude use them; other rows use easting/northing; rows with
    neither get an empty geometry and NaN coordinates.
    """
    use_degrees = latitude.notna() & longitude.notna()
    use_grid = ~use_degrees & easting.notna() & northing.notna()
    x = np.full(len(latitude), np.nan)
    y = np.full(len(latitude), np.nan)
    if use_degrees.any():
        degrees = gpd.GeoSeries(
            gpd.points_from_xy(longitude[use_degrees], latitude[use_degrees]), crs=MAP_CRS
        ).to_crs(ANALYSIS_CRS)
        x[use_degrees.to_numpy()] = degrees.x.to_numpy()
        y[use_degrees.to_numpy()] = degrees.y.to_numpy()
    x[use_grid.to_numpy()] = easting[use_grid].to_numpy()
    y[use_grid.to_numpy()] = northing[use_grid].to_numpy()
    has_point = ~np.isnan(x)
    geometry = np.full(len(x), None, dtype=object)
    geometry[has_point] = shapely.points(x[has_point], y[has_point])
    points = gpd.GeoSeries(geometry, index=latitude.index, crs=ANALYSIS_CRS)
    lat = latitude.where(use_degrees)
    lon = longitude.where(use_degrees)
    if use_grid.any():
        wgs = points[use_grid].to_crs(MAP_CRS)
        lat[use_grid] = wgs.y.to_numpy()
        lon[use_grid] = wgs.x.to_numpy()
    return points, lat.astype("float64"), lon.astype("float64")


def assign_areas(points: gpd.GeoSeries) -> pd.DataFrame:
    """Return each point's ``lsoa_code``, ``lsoa_name``, ``district_code`` and ``km_outside``.

    A point inside an LSOA, or within :data:`TOLERANCE_M` of one, gets that LSOA (the
    nearest when outside). A point further out gets no area and ``km_outside`` says how far
    it is from the county; an empty geometry gets neither.
    """
    lsoas = load_lsoas()
    result = pd.DataFrame(
        {
            "lsoa_code": pd.Series(None, index=points.index, dtype=object),
            "lsoa_name": pd.Series(None, index=points.index, dtype=object),
            "district_code": pd.Series(None, index=points.index, dtype=object),
            "km_outside": np.nan,
        }
    )
    present = ~(points.isna() | points.is_empty)
    if not present.any():
        return result
    candidates = points[present]
    geoms = candidates.to_numpy()
    tree = lsoas.sindex
    inside_point, inside_lsoa = tree.query(geoms, predicate="within")
    match = np.full(len(geoms), -1)
    match[inside_point] = inside_lsoa
    missing = np.flatnonzero(match < 0)
    if missing.size:
        near_point, near_lsoa = tree.nearest(geoms[missing], max_distance=TOLERANCE_M)
        match[missing[near_point]] = near_lsoa
    found = match >= 0
    rows = candidates.index
    result.loc[rows[found], "lsoa_code"] = lsoas["code"].to_numpy()[match[found]]
    result.loc[rows[found], "lsoa_name"] = lsoas["name"].to_numpy()[match[found]]
    result.loc[rows[found], "district_code"] = lsoas["district_code"].to_numpy()[match[found]]
    if (~found).any():
        county = load_county().geometry.iloc[0]
        distance = shapely.distance(geoms[~found], county) / 1000.0
        result.loc[rows[~found], "km_outside"] = distance
    return result


def district_name(codes: pd.Series) -> pd.Series:
    """Return the official district name of each LAD code (None where unknown)."""
    return codes.map(DISTRICTS)
