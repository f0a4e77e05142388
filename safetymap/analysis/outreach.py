"""Measure outreach points against need: do posters, leaflet points and drop-ins reach
the hot spots and the places people named as unsafe?

An outreach point (CONTRACT §3b) is a place to reach help without a building: a QR-code
poster on housing land, a leaflet point, a drop-in. Three figures answer "is help near
where people feel unsafe?":

1. the share of hot spots with an outreach point within :data:`REACH_M` metres of them
   (a point inside a hot spot is at 0 m);
2. the share of the survey's places of concern with a point within :data:`REACH_M`;
3. the hot spots without one, busiest first: where to put the next poster.

Only the points in place on at least one day of the period count (:func:`points_in_place`).
Distances are in metres, in British National Grid (EPSG:27700). Nothing here imports
streamlit, and nothing here decides what a role may see: the page gives partners hot spot
*areas* (:func:`~safetymap.analysis.hotspots.hot_areas`), which carry no count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import ANALYSIS_CRS
from safetymap.analysis.hotspots import cell_polygons, hot_areas
from safetymap.analysis.places import place_names

__all__ = [
    "REACH_M",
    "REACH_NOTE",
    "UNREACHED_COLUMNS",
    "OutreachReach",
    "hot_spot_areas",
    "hot_spot_cells",
    "outreach_reach",
    "points_in_place",
]

#: An outreach point within this many metres of a hot spot or a place reaches it: about
#: five minutes' walk.
REACH_M = 400.0
#: What the figures mean, in words for the page.
REACH_NOTE = (
    f"An outreach point reaches a hot spot or a place named in the survey when it is within "
    f"{REACH_M:.0f} m of it (about five minutes' walk; a point inside a hot spot is at 0 m), "
    "and it was in place on at least one day of the period. Distances are straight lines."
)
#: Columns of :attr:`OutreachReach.unreached`, in order.
UNREACHED_COLUMNS: tuple[str, ...] = (
    "rank", "area", "name", "reports", "nearest_m", "latitude", "longitude",
)


def points_in_place(
    outreach: pd.DataFrame, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Return the outreach points in place on at least one day from ``start`` to ``end``.

    A point is in place from ``in_place_from`` to ``in_place_to`` (both inclusive; no
    ``in_place_to`` means it is still there). ``None`` leaves that end of the period open.
    """
    placed = pd.to_datetime(outreach["in_place_from"])
    removed = pd.to_datetime(outreach["in_place_to"])
    keep = pd.Series(True, index=outreach.index)
    if end is not None:
        keep &= placed.isna() | (placed <= pd.Timestamp(end))
    if start is not None:
        keep &= removed.isna() | (removed >= pd.Timestamp(start))
    return outreach[keep]


def hot_spot_cells(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the hot hexagons of a hot spot test as hot spots: polygons with reports.

    ``cells`` is :attr:`~safetymap.analysis.hotspots.HotspotResult.cells` (``cell_id``,
    ``reports``, ``hotspot``); the result has ``reports`` and ``geometry`` in EPSG:27700,
    one row per cell marked hot at any confidence.
    """
    hot = cells[cells["hotspot"].astype(str).str.startswith("hot_")]
    polygons = cell_polygons(hot[["cell_id", "reports"]].reset_index(drop=True))
    return polygons.to_crs(ANALYSIS_CRS)


def hot_spot_areas(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the hot spots as areas (:func:`~safetymap.analysis.hotspots.hot_areas`).

    The areas carry no count (``reports`` is missing), so that they can be shown to
    partners; ``area`` numbers them as the Hotspots map does. Geometry in EPSG:27700.
    """
    areas = hot_areas(cells)
    areas = areas.assign(reports=pd.Series(np.nan, index=areas.index, dtype=float))
    return areas.to_crs(ANALYSIS_CRS)


@dataclass(frozen=True)
class OutreachReach:
    """How far outreach points reach the hot spots and the survey's places of concern.

    Attributes
    ----------
    reached
        For each hot spot, in the order given, whether a point is within :data:`REACH_M`.
    hot_spots, hot_spots_reached
        Hot spots, and those with an outreach point within :data:`REACH_M`.
    places, places_reached
        Places of concern named in the survey, and those with a point within :data:`REACH_M`.
    points
        Outreach points in place in the period (those measured).
    unreached
        The hot spots without a point within :data:`REACH_M` (:data:`UNREACHED_COLUMNS`):
        busiest first (most reports; ties, and hot spots without counts, by the order
        given), with the number of a hot spot area (missing for a hexagon), named by the
        nearest town and the offset from its centre, with the distance
        to the nearest point in place (NaN when there is none) and a point inside each
        (WGS84 ``latitude`` and ``longitude``).
    """

    hot_spots: int
    hot_spots_reached: int
    places: int
    places_reached: int
    points: int
    unreached: pd.DataFrame
    reached: tuple[bool, ...] = ()

    @property
    def hot_spot_share(self) -> float:
        """Return the share (0 to 1) of hot spots reached; NaN when there is no hot spot."""
        return self.hot_spots_reached / self.hot_spots if self.hot_spots else math.nan

    @property
    def place_share(self) -> float:
        """Return the share (0 to 1) of places of concern reached; NaN when none is named."""
        return self.places_reached / self.places if self.places else math.nan


def _reached(targets: np.ndarray, tree: shapely.STRtree) -> np.ndarray:
    """Return, for each target geometry, whether a point of ``tree`` is within REACH_M."""
    reached = np.zeros(len(targets), dtype=bool)
    if len(targets) and len(tree.geometries):
        pairs = tree.query(targets, predicate="dwithin", distance=REACH_M)
        reached[np.unique(pairs[0])] = True
    return reached


def outreach_reach(
    hot_spots: gpd.GeoDataFrame,
    concern_places: gpd.GeoSeries,
    points: gpd.GeoSeries,
) -> OutreachReach:
    """Measure outreach points against hot spots and places of concern.

    Parameters
    ----------
    hot_spots
        Hot spots as polygons (:func:`hot_spot_cells` or :func:`hot_spot_areas`) with a
        ``reports`` column (missing where a hot spot carries no count), in any CRS.
    concern_places
        Places of concern named in the survey, as points, in any CRS.
    points
        The outreach points in place in the period (:func:`points_in_place`), in any CRS.

    Raises
    ------
    ValueError
        When a layer has no CRS: distances in metres need one.
    """
    for name, layer in (("hot_spots", hot_spots), ("concern_places", concern_places),
                        ("points", points)):
        if layer.crs is None:
            raise ValueError(f"`{name}` must have a valid CRS (EPSG:27700 for metres).")
    spots = hot_spots.to_crs(ANALYSIS_CRS).reset_index(drop=True)
    places = concern_places.to_crs(ANALYSIS_CRS)
    places = places[~(places.isna() | places.is_empty)]
    outreach = points.to_crs(ANALYSIS_CRS)
    outreach = outreach[~(outreach.isna() | outreach.is_empty)]
    tree = shapely.STRtree(np.asarray(outreach.array, dtype=object))
    spot_reached = _reached(np.asarray(spots.geometry.array, dtype=object), tree)
    place_reached = _reached(np.asarray(places.array, dtype=object), tree)

    missed = spots[~spot_reached].copy()
    missed["order"] = np.arange(len(missed))
    missed = missed.sort_values(["reports", "order"], ascending=[False, True],
                                na_position="last", kind="stable")
    inside = missed.geometry.representative_point()
    xy = np.column_stack([inside.x.to_numpy(), inside.y.to_numpy()]) if len(missed) else (
        np.empty((0, 2)))
    nearest = (
        [float(outreach.distance(shape).min()) for shape in missed.geometry]
        if len(outreach) else [math.nan] * len(missed)
    )
    degrees = gpd.GeoSeries(inside, crs=ANALYSIS_CRS).to_crs("EPSG:4326")
    unreached = pd.DataFrame({
        "rank": np.arange(1, len(missed) + 1, dtype="int64"),
        "area": (missed["area"] if "area" in missed.columns
                 else pd.Series(pd.NA, index=missed.index)).astype("Int64").to_numpy(),
        "name": place_names(xy),
        "reports": missed["reports"].to_numpy(dtype=float),
        "nearest_m": np.asarray(nearest, dtype=float),
        "latitude": degrees.y.to_numpy(),
        "longitude": degrees.x.to_numpy(),
    }, columns=list(UNREACHED_COLUMNS))
    return OutreachReach(
        hot_spots=len(spots),
        hot_spots_reached=int(spot_reached.sum()),
        places=len(places),
        places_reached=int(place_reached.sum()),
        points=len(outreach),
        unreached=unreached,
        reached=tuple(bool(hit) for hit in spot_reached),
    )
