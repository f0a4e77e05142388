"""Find where and when reports cluster: Getis-Ord Gi* hot spots on an H3 hexagon grid.

The statistics behind the hotspot page, the ``hotspots`` command and the patrol briefing:

- :func:`hex_counts` counts reports per H3 hexagon over a whole study area, empty cells
  included, and :func:`getis_ord` tests every cell with Gi* (esda), corrects the p-values
  for the number of cells tested (Benjamini-Hochberg) and classes cells hot or cold at
  99, 95 or 90% confidence; :func:`hotspots` does both and refuses to class cells when too
  few hold a report (:data:`MIN_CELLS`).
- :func:`cell_profiles` says why and when per cell (main reasons, peak day and time),
  :func:`when_matrix` counts reports by weekday and hour (a slot of it narrows a
  selection: ``loaders.counts.Slot``).
- :func:`previous_period` and :func:`compare_periods` label hot cells new, persistent,
  intensifying or diminishing (the places to patrol are listed by
  :mod:`safetymap.analysis.places`).

Cell ids are H3 strings (``"89195da3527ffff"``); latitude and longitude are WGS84; areas and
distances are in British National Grid (EPSG:27700), the CRS of :mod:`geodata`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import esda
import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from h3.api import basic_int
from libpysal.graph import Graph
from scipy import stats

from geodata import ANALYSIS_CRS, MAP_CRS, load_county, load_districts
from loaders.counts import REASON_CODES, ReportCounts, Slot
from loaders.vocab import TIME_OF_DAY
from safetymap.analysis.counts import (  # noqa: F401 - LOCAL_TZ and report_cells re-exported
    LOCAL_TZ,
    FrameCounts,
    check_columns,
    check_resolution,
    local_times,
    report_cells,
)
from safetymap.analysis.filters import Filters

#: H3 resolution of the grid: resolution 9 cells are about 350 m across, "a few hundred
#: metres", small enough for a patrol and large enough to hold several reports.
DEFAULT_RESOLUTION = 9
#: Fewer cells with at least one report than this and Gi* is not trusted (the normal
#: approximation of its z-score needs a reasonable number of observations).
MIN_CELLS = 30
#: Confidence levels: (name, largest false discovery rate adjusted p-value), most confident
#: first.
CONFIDENCE_LEVELS: tuple[tuple[str, float], ...] = (("99", 0.01), ("95", 0.05), ("90", 0.10))
#: Every hotspot class, hottest first.
HOTSPOT_CLASSES: tuple[str, ...] = (
    "hot_99", "hot_95", "hot_90", "none", "cold_90", "cold_95", "cold_99",
)
#: How a cell becomes a hot or cold spot, in words for the people reading the map.
HOTSPOT_DEFINITION = (
    "The map divides the area into hexagons (H3 grid; about 350 m across at the default "
    "size) and counts the reports in each. For every hexagon, the Getis-Ord Gi* statistic "
    "compares the reports in that hexagon and its six neighbours with what the whole area "
    "would give them if reports were spread evenly. A hot spot is a hexagon whose "
    "neighbourhood holds clearly more reports than that; a cold spot, clearly fewer. "
    "Because thousands of hexagons are tested at once, a few would look unusual by chance "
    "alone, so the p-values are corrected for the number of hexagons tested (the "
    "Benjamini-Hochberg false discovery rate, as in ArcGIS's Optimized Hot Spot Analysis). "
    "'99% confidence' means the corrected p-value is at most 0.01: of the hexagons marked "
    "at that level, at most about 1 in 100 is expected to be a false alarm. '95%' means "
    "at most 0.05 (1 in 20) and '90%' at most 0.10 (1 in 10). "
    "Empty hexagons count as zero. With fewer than 30 hexagons holding a report the test "
    "is not reliable and no hexagon is marked."
)

#: Order in which change labels are listed.
CHANGES: tuple[str, ...] = ("new", "intensifying", "persistent", "diminishing")
#: A change in reports counts when it is at least this share of the previous count...
CHANGE_MIN_SHARE = 0.25
#: ...and at least this many reports.
CHANGE_MIN_REPORTS = 3
#: What each change label means, in words for the people reading the list.
CHANGE_DEFINITIONS: dict[str, str] = {
    "new": "A hot spot now that was not a hot spot in the previous period of the same length.",
    "intensifying": (
        "A hot spot in both periods, with at least 25% more reports now, and at least "
        "3 more."
    ),
    "persistent": (
        "A hot spot in both periods, with reports neither up nor down by 25% and 3 or more."
    ),
    "diminishing": (
        "A hot spot in the previous period that is no longer one, or still one with at "
        "least 25% fewer reports, and at least 3 fewer."
    ),
}

#: Weekday names, Monday first (Python's ``weekday()`` order).
WEEKDAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)
#: Time-of-day bands in the order of the day (``unknown`` left out).
BANDS: tuple[str, ...] = tuple(band for band in TIME_OF_DAY if band != "unknown")
_check_resolution = check_resolution
_check_columns = check_columns
_local = local_times


#: What a cell's profile is counted by, beside the cell (see :func:`profiles_of_counts`).
PROFILE_DIMENSIONS: tuple[str, ...] = ("reason", "event_weekday", "time_of_day")
#: What the day-by-hour matrix is counted by (see :func:`when_matrix_of_counts`).
WHEN_DIMENSIONS: tuple[str, ...] = ("occurred_weekday", "occurred_hour")


# ------------------------------------------------------------------------ validation
def _check_area(area: shapely.Geometry) -> None:
    if not isinstance(area, shapely.Polygon | shapely.MultiPolygon) or area.is_empty:
        raise ValueError(
            "`area` must be a non-empty shapely Polygon or MultiPolygon in EPSG:27700 "
            f"(for example `districts.union_all()`), got {type(area).__name__}."
        )
    minx, miny, maxx, maxy = area.bounds
    if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
        raise ValueError(
            "`area` looks like longitude/latitude (bounds within ±180, ±90); give it in "
            "British National Grid, EPSG:27700, as geodata's loaders return it."
        )


# ------------------------------------------------------------------------ cells
def _centres(cells: pd.Series | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return the latitude and longitude of each cell's centre."""
    latlng = np.array([h3.cell_to_latlng(cell) for cell in cells], dtype=float).reshape(-1, 2)
    return latlng[:, 0], latlng[:, 1]


def _grid_points(latitude: np.ndarray, longitude: np.ndarray) -> gpd.GeoSeries:
    points = gpd.GeoSeries(gpd.points_from_xy(longitude, latitude), crs=MAP_CRS)
    return points.to_crs(ANALYSIS_CRS)


def _containing(points: gpd.GeoSeries, polygons: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """Return ``column`` of the polygon containing each point, else of the nearest polygon."""
    geoms = points.to_numpy()
    match = np.full(len(geoms), -1)
    if len(geoms) == 0:
        return polygons[column].to_numpy()[match[:0]]
    tree = polygons.sindex
    point_index, polygon_index = tree.query(geoms, predicate="within")
    match[point_index] = polygon_index
    # Outside every polygon, or on a shared boundary (within neither): the nearest one.
    missing = np.flatnonzero(match < 0)
    if missing.size:
        near_point, near_polygon = tree.nearest(geoms[missing], return_all=False)
        match[missing[near_point]] = near_polygon
    return polygons[column].to_numpy()[match]


def _districts_of(cells: list[str]) -> np.ndarray:
    latitude, longitude = _centres(cells)
    return _containing(_grid_points(latitude, longitude), load_districts(), "code")


@lru_cache(maxsize=8)
def _area_cells(area_wkb: bytes, resolution: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the cells whose centre lies in the area, and each one's district, sorted."""
    area = gpd.GeoSeries([shapely.from_wkb(area_wkb)], crs=ANALYSIS_CRS).to_crs(MAP_CRS)
    cells = sorted(h3.geo_to_cells(area.iloc[0], resolution))
    return tuple(cells), tuple(_districts_of(cells))


def cell_width_m(resolution: int = DEFAULT_RESOLUTION) -> float:
    """Return the average width of an H3 cell, side to opposite side, in metres.

    That is √3 times the average edge: about 350 m at resolution 9, 920 m at 8.
    """
    _check_resolution(resolution)
    return math.sqrt(3.0) * float(h3.average_hexagon_edge_length(resolution, unit="m"))


def _frame_counts(
    reports: pd.DataFrame, cell_ids: pd.Series | None, resolution: int
) -> FrameCounts:
    """Return counts of a frame of reports, using their cells when already known."""
    counts = FrameCounts(reports)
    if cell_ids is not None:
        if len(cell_ids) != len(reports) or not cell_ids.index.equals(reports.index):
            raise ValueError(
                "`cell_ids` must be the cells of `reports`, on the same index "
                f"({len(reports)} rows); got {len(cell_ids)} values. "
                "Make them with `report_cells(reports, resolution=...)`."
            )
        counts.set_cells(resolution, cell_ids)
    return counts


def hex_counts(
    reports: pd.DataFrame,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    area: shapely.Polygon | shapely.MultiPolygon | None = None,
    cell_ids: pd.Series | None = None,
) -> pd.DataFrame:
    """Count reports in every H3 cell of the study area, empty cells included.

    The row-based form of :func:`area_counts`: every report of ``reports`` is counted.

    Parameters
    ----------
    reports
        Reports with WGS84 ``latitude`` and ``longitude``, already restricted to what is
        studied (districts, period, ...): every report is counted.
    resolution
        H3 resolution of the cells; :data:`DEFAULT_RESOLUTION` is about 350 m across.
    area
        Study area, a shapely polygon in EPSG:27700 such as the union of the selected
        districts; the county when None.
    cell_ids
        The reports' cells from :func:`report_cells`, when already known.
    """
    _check_resolution(resolution)
    counts = _frame_counts(reports, cell_ids, resolution)
    per_cell = counts.count(Filters(), ("cell",), resolution=resolution)
    return area_counts(per_cell, resolution=resolution, area=area)


def area_counts(
    per_cell: pd.DataFrame,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    area: shapely.Polygon | shapely.MultiPolygon | None = None,
) -> pd.DataFrame:
    """Spread counts per cell over every H3 cell of the study area, empty cells included.

    Gi* compares each neighbourhood with the mean and spread of *all* cells of the study
    area; counting only the cells that hold a report would leave out the many zeros, raise
    the mean and hide real clusters. So every cell whose centre lies in ``area`` gets a row,
    with 0 where there is no report. Cells holding reports but whose centre lies outside
    ``area`` (reports near its edge) get a row too, with ``in_area`` False.

    Parameters
    ----------
    per_cell
        ``cell`` and ``reports``: a ``ReportCounts.count(filters, ("cell",))`` result.
    resolution
        H3 resolution of the cells.
    area
        Study area, a shapely polygon in EPSG:27700; the county when None.

    Returns
    -------
    pandas.DataFrame
        ``cell_id``, ``district_code`` (district containing the cell centre, else the
        nearest), ``in_area`` and ``reports``, one row per cell, sorted by ``cell_id``.
    """
    _check_resolution(resolution)
    _check_columns(per_cell, "per_cell", ("cell", "reports"))
    if area is None:
        area = load_county().geometry.iloc[0]
    _check_area(area)
    counts = pd.Series(per_cell["reports"].to_numpy(), index=per_cell["cell"].to_numpy())
    area_cells, area_districts = _area_cells(shapely.to_wkb(area), resolution)
    table = pd.DataFrame(
        {"cell_id": area_cells, "district_code": area_districts, "in_area": True}
    )
    outside = sorted(set(counts.index) - set(area_cells))
    if outside:
        extra = pd.DataFrame(
            {"cell_id": outside, "district_code": _districts_of(outside), "in_area": False}
        )
        table = pd.concat([table, extra], ignore_index=True)
        table = table.sort_values("cell_id", ignore_index=True)
    table["reports"] = table["cell_id"].map(counts).fillna(0).astype("int64")
    table["district_code"] = table["district_code"].astype(object)
    table["cell_id"] = table["cell_id"].astype(object)
    return table


# ------------------------------------------------------------------------ Gi*
def _cell_ints(cells: tuple[str, ...] | list[str]) -> np.ndarray:
    """Return H3 cell ids as 64-bit integers (H3's own form of them)."""
    return np.fromiter((int(cell, 16) for cell in cells), dtype=np.uint64, count=len(cells))


@lru_cache(maxsize=8)
def _h3_graph(cells: tuple[str, ...]) -> Graph:
    """Return binary H3 contiguity of the cells, each cell its own neighbour too (Gi*).

    ``Graph.build_h3`` drops cells with no neighbour in the set (libpysal 4.14), so the
    graph is built here from ``h3.grid_disk``: every cell keeps a row, if only its own.
    Neighbours are found with H3's integer ids and a sorted search, not one string lookup
    per pair: that made this the largest cost of a filter change at a million reports.
    """
    ints = _cell_ints(cells)
    order = np.argsort(ints)
    ordered = ints[order]
    disks = [basic_int.grid_disk(cell, 1) for cell in ints.tolist()]
    sizes = np.fromiter((len(disk) for disk in disks), dtype=np.int64, count=len(disks))
    focal = np.repeat(np.arange(len(cells)), sizes)
    around = np.fromiter(itertools.chain.from_iterable(disks), dtype=np.uint64,
                         count=int(sizes.sum()))
    where = np.minimum(np.searchsorted(ordered, around), max(len(ordered) - 1, 0))
    keep = ordered[where] == around
    neighbour = order[where[keep]]
    ids = np.asarray(cells, dtype=object)
    return Graph.from_arrays(ids[focal[keep]], ids[neighbour], np.ones(int(keep.sum())))


def benjamini_hochberg(p_values: np.ndarray | pd.Series | list[float]) -> np.ndarray:
    """Return Benjamini-Hochberg adjusted p-values (q-values); NaN stays NaN, uncounted.

    A cell is significant at false discovery rate ``alpha`` exactly when its q-value is at
    most ``alpha``.
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    known = ~np.isnan(p)
    if known.any():
        q[known] = stats.false_discovery_control(p[known], method="bh")
    return q


def hotspot_classes(gi_z: np.ndarray | pd.Series, gi_q: np.ndarray | pd.Series) -> np.ndarray:
    """Return each cell's class from its Gi* z-score and adjusted p-value.

    ``hot_99`` when z > 0 and q <= 0.01, else ``hot_95`` when q <= 0.05, else ``hot_90``
    when q <= 0.10; ``cold_*`` likewise when z < 0; ``none`` otherwise (or when unknown).
    """
    z = np.asarray(gi_z, dtype=float)
    q = np.asarray(gi_q, dtype=float)
    classes = np.full(z.shape, "none", dtype=object)
    # Least confident first, so a more confident level overwrites it.
    for level, alpha in reversed(CONFIDENCE_LEVELS):
        significant = q <= alpha  # False where q is NaN
        classes[significant & (z > 0)] = f"hot_{level}"
        classes[significant & (z < 0)] = f"cold_{level}"
    return classes


def getis_ord(counts: pd.DataFrame, *, resolution: int = DEFAULT_RESOLUTION) -> pd.DataFrame:
    """Test every cell with Getis-Ord Gi* and class it hot or cold (see HOTSPOT_DEFINITION).

    Neighbours are the cell itself and the adjacent H3 cells present in ``counts`` (binary
    weights): a cell on the edge of the study area simply has fewer neighbours. The z-score
    is esda's analytical one (no permutations, so nothing is compiled or simulated); the
    p-value is two-sided from the normal distribution, 2(1 - Φ(|z|)); q-values are
    Benjamini-Hochberg adjusted over all cells.

    Parameters
    ----------
    counts
        :func:`hex_counts` output: at least ``cell_id`` (unique) and ``reports``.
    resolution
        H3 resolution every ``cell_id`` must have.

    Returns
    -------
    pandas.DataFrame
        ``counts`` with ``gi_z``, ``gi_p``, ``gi_q`` and ``hotspot`` (one of
        :data:`HOTSPOT_CLASSES`). Where Gi* is undefined (every cell has the same count,
        or a cell neighbours every other) they are NaN and ``none``.
    """
    _check_resolution(resolution)
    _check_columns(counts, "counts", ("cell_id", "reports"))
    cells = counts["cell_id"].astype(str)
    problems = []
    if cells.duplicated().any():
        example = cells[cells.duplicated()].iloc[0]
        problems.append(f"`counts` has duplicate cell ids, e.g. {example}.")
    try:  # an H3 id keeps its resolution in bits 52-55
        resolutions = set(((_cell_ints(cells.tolist()) >> np.uint64(52)) & np.uint64(15)).tolist())
    except ValueError:
        resolutions = {-1}  # not hexadecimal: not an H3 cell at all
    if resolutions - {resolution}:
        problems.append(
            f"every cell must be of H3 resolution {resolution}; found {sorted(resolutions)}."
        )
    if problems:
        raise ValueError(" ".join(problems))
    y = counts["reports"].to_numpy(dtype=float)
    z = np.full(len(y), np.nan)
    if len(y) > 2 and np.ptp(y) > 0:  # Gi* needs a spread of values
        graph = _h3_graph(tuple(cells))
        with np.errstate(divide="ignore", invalid="ignore"):
            # transform="B" with star=True gives the cell itself weight 1 without warning.
            local = esda.G_Local(y, graph, transform="B", star=True, permutations=0)
        z = np.where(np.isfinite(local.Zs), local.Zs, np.nan)
    result = counts.copy()
    result["gi_z"] = z
    result["gi_p"] = 2.0 * stats.norm.sf(np.abs(z))
    result["gi_q"] = benjamini_hochberg(result["gi_p"].to_numpy())
    result["hotspot"] = hotspot_classes(z, result["gi_q"].to_numpy())
    return result


@dataclass(frozen=True, eq=False)
class HotspotResult:
    """The cells of a hotspot analysis, and whether their classes can be trusted.

    Attributes
    ----------
    cells
        :func:`getis_ord` output over the study area.
    reliable
        False when fewer than :data:`MIN_CELLS` cells hold a report; every ``hotspot`` is
        then ``none`` (``gi_z``, ``gi_p`` and ``gi_q`` are still given, for analysts).
    message
        Why the result is unreliable, in words for the page; empty when reliable.
    resolution
        H3 resolution of the cells.
    occupied_cells
        Number of cells with at least one report.
    """

    cells: pd.DataFrame
    reliable: bool
    message: str
    resolution: int
    occupied_cells: int


def hotspots(
    reports: pd.DataFrame,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    area: shapely.Polygon | shapely.MultiPolygon | None = None,
    cell_ids: pd.Series | None = None,
) -> HotspotResult:
    """Count reports per cell over the study area and find the hot and cold spots.

    Parameters
    ----------
    reports
        Reports with WGS84 ``latitude`` and ``longitude``, already filtered.
    resolution
        H3 resolution of the cells.
    area
        Study area in EPSG:27700; the county when None.
    cell_ids
        The reports' cells from :func:`report_cells`, when already known.

    Returns
    -------
    HotspotResult
        With every cell classed, or none when fewer than :data:`MIN_CELLS` cells hold a
        report.
    """
    counts = hex_counts(reports, resolution=resolution, area=area, cell_ids=cell_ids)
    return classify(counts, resolution=resolution)


def classify(counts: pd.DataFrame, *, resolution: int = DEFAULT_RESOLUTION) -> HotspotResult:
    """Test cells counted over a study area (:func:`area_counts`) for hot and cold spots.

    Returns
    -------
    HotspotResult
        With every cell classed, or none when fewer than :data:`MIN_CELLS` cells hold a
        report.
    """
    cells = getis_ord(counts, resolution=resolution)
    occupied = int((cells["reports"] > 0).sum())
    if occupied >= MIN_CELLS:
        return HotspotResult(cells, True, "", resolution, occupied)
    cells["hotspot"] = "none"
    held = {0: "No cell holds", 1: "Only 1 cell holds"}.get(
        occupied, f"Only {occupied} cells hold"
    )
    message = (
        f"{held} a report. The hot spot test is unreliable with fewer than {MIN_CELLS} "
        "cells holding reports, because it compares each neighbourhood with the spread "
        "of counts over many cells; no cell is marked hot or cold. Widen the area or the "
        "period, or use larger cells."
    )
    return HotspotResult(cells, False, message, resolution, occupied)


def cell_polygons(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the cells as hexagons for map layers, in WGS84 (EPSG:4326).

    Every column of ``cells`` is kept; ``geometry`` is each ``cell_id``'s boundary.
    """
    _check_columns(cells, "cells", ("cell_id",))
    geometry = [
        shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])
        for cell in cells["cell_id"]
    ]
    return gpd.GeoDataFrame(cells.copy(), geometry=geometry, crs=MAP_CRS)


# ------------------------------------------------------------------------ why and when
def _peak(table: np.ndarray, labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Return each row's first column with the largest count, and that count; "" if none."""
    best = table.argmax(axis=1)
    count = table.max(axis=1, initial=0)
    names = np.asarray(labels, dtype=object)[best]
    return np.where(count > 0, names, ""), count


def cell_profiles(
    reports: pd.DataFrame,
    cells: pd.DataFrame,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    cell_ids: pd.Series | None = None,
) -> pd.DataFrame:
    """Say why and when people felt unsafe in each cell, for tooltips and top places.

    The row-based form of :func:`profiles_of_counts`: every report of ``reports`` counts.

    Parameters
    ----------
    reports
        Reports with ``latitude``, ``longitude``, ``event_at``, ``time_of_day``,
        ``environment`` and ``behaviour`` (``;``-joined reason codes).
    cells
        The cells to describe (``cell_id``), e.g. ``HotspotResult.cells``.
    resolution
        H3 resolution of ``cells``.
    cell_ids
        The reports' cells from :func:`report_cells`, when already known.
    """
    _check_columns(cells, "cells", ("cell_id",))
    _check_columns(
        reports, "reports", ("event_at", "time_of_day", "environment", "behaviour")
    )
    _check_resolution(resolution)
    return profiles_of_counts(
        cells, _frame_counts(reports, cell_ids, resolution), Filters(), resolution=resolution
    )


def profiles_of_counts(
    cells: pd.DataFrame,
    reports: ReportCounts,
    filters: Filters,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    slot: Slot | None = None,
    counted: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Say why and when people felt unsafe in each cell, from counts of a selection.

    Parameters
    ----------
    cells
        The cells to describe (``cell_id``), e.g. ``HotspotResult.cells``.
    reports
        Where the reports are counted: a loaded frame or the store.
    filters, slot
        The selection.
    resolution
        H3 resolution of ``cells``.
    counted
        The counts already made, by dimension of :data:`PROFILE_DIMENSIONS`: each
        ``reports.count(filters, ("cell", dimension), resolution=..., slot=...)``.

    Returns
    -------
    pandas.DataFrame
        One row per cell of ``cells``, in order: ``cell_id``; ``main_reasons``, the three
        most given reason codes (a report counts once per code; ties in the order of
        :data:`loaders.vocab.REASONS`, ``other`` last) joined by ``;``, and
        ``main_reason_counts`` their counts joined the same way; ``peak_day`` (weekday
        name of ``event_at`` in local time with most reports; ties to the earlier day) and
        ``peak_day_reports``; ``peak_time`` (time-of-day band with most reports,
        ``unknown`` left out; ties to the earlier band) and ``peak_time_reports``. Text is
        "" where a cell has nothing. There is no ``reports`` column, so that the table
        merges onto the cells.
    """
    _check_columns(cells, "cells", ("cell_id",))
    wanted = pd.Index(cells["cell_id"].to_numpy(dtype=object))
    if wanted.has_duplicates:
        raise ValueError("`cells` has duplicate cell ids; give each cell once.")

    def table(dimension: str, labels: tuple[str, ...] | tuple[int, ...]) -> np.ndarray:
        found = (counted or {}).get(dimension)
        if found is None:
            found = reports.count(filters, ("cell", dimension), resolution=resolution, slot=slot)
        rows = wanted.get_indexer(pd.Index(found["cell"], dtype=object))
        columns = pd.Index(labels).get_indexer(pd.Index(found[dimension]))
        keep = (rows >= 0) & (columns >= 0)
        dense = np.zeros((len(wanted), len(labels)), dtype=np.int64)
        dense[rows[keep], columns[keep]] = found["reports"].to_numpy(dtype=np.int64)[keep]
        return dense

    reasons = table("reason", REASON_CODES)
    # Columns are in tie-break order, so a stable sort keeps that order among ties.
    top = np.argsort(-reasons, axis=1, kind="stable")[:, :3]
    top_counts = np.take_along_axis(reasons, top, axis=1)
    main = [
        ";".join(REASON_CODES[c] for c, k in zip(row, counts, strict=True) if k > 0)
        for row, counts in zip(top.tolist(), top_counts.tolist(), strict=True)
    ]
    main_counts = [
        ";".join(str(k) for k in counts if k > 0) for counts in top_counts.tolist()
    ]
    peak_day, peak_day_reports = _peak(table("event_weekday", tuple(range(7))), WEEKDAYS)
    peak_time, peak_time_reports = _peak(table("time_of_day", BANDS), BANDS)
    return pd.DataFrame(
        {
            "cell_id": wanted.to_numpy(dtype=object),
            "main_reasons": pd.Series(main, dtype=object),
            "main_reason_counts": pd.Series(main_counts, dtype=object),
            "peak_day": pd.Series(peak_day, dtype=object),
            "peak_day_reports": peak_day_reports.astype(np.int64),
            "peak_time": pd.Series(peak_time, dtype=object),
            "peak_time_reports": peak_time_reports.astype(np.int64),
        }
    )


def _matrix(table: np.ndarray, columns: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(table, index=pd.Index(WEEKDAYS, name="day"), columns=columns)


def when_matrix(reports: pd.DataFrame) -> pd.DataFrame:
    """Count reports by local weekday and hour of ``occurred_at``.

    Reports without ``occurred_at`` (when the person felt unsafe) are left out: their
    submission time says nothing about the hour.

    Returns
    -------
    pandas.DataFrame
        7 rows (``Monday`` ... ``Sunday``, index ``day``) by 24 columns (0 ... 23,
        ``hour``) of counts.
    """
    _check_columns(reports, "reports", ("occurred_at",))
    return when_matrix_of_counts(FrameCounts(reports), Filters())


def when_matrix_of_counts(
    reports: ReportCounts, filters: Filters, counted: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Count a selection by local weekday and hour of ``occurred_at`` (see :func:`when_matrix`).

    ``counted`` is ``reports.count(filters, WHEN_DIMENSIONS)`` when already made.
    """
    if counted is None:
        counted = reports.count(filters, WHEN_DIMENSIONS)
    table = np.zeros((7, 24), dtype=np.int64)
    table[counted["occurred_weekday"].to_numpy(dtype=np.int64),
          counted["occurred_hour"].to_numpy(dtype=np.int64)] = counted["reports"].to_numpy()
    return _matrix(table, pd.Index(range(24), name="hour"))


# ------------------------------------------------------------------------ what changed
def previous_period(start: date, end: date) -> tuple[date, date]:
    """Return the period of the same length just before ``start``..``end`` (inclusive).

    >>> previous_period(date(2026, 3, 1), date(2026, 3, 31))
    (datetime.date(2026, 1, 29), datetime.date(2026, 2, 28))
    """
    if end < start:
        raise ValueError(f"`end` ({end}) must not be before `start` ({start}).")
    days = (end - start).days + 1
    before_end = start - timedelta(days=1)
    return before_end - timedelta(days=days - 1), before_end


def compare_periods(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Label every cell that is a hot spot in either period (see :data:`CHANGE_DEFINITIONS`).

    Parameters
    ----------
    current, previous
        :func:`getis_ord` outputs (or ``HotspotResult.cells``, whose classes are all
        ``none`` when unreliable) over the same study area and resolution: ``cell_id``,
        ``reports`` and ``hotspot``.

    Returns
    -------
    pandas.DataFrame
        ``cell_id``, ``district_code`` (when given), ``hotspot`` (now), ``hotspot_before``,
        ``reports_now``, ``reports_before`` and ``change``, ordered as :data:`CHANGES`,
        then by most reports now.
    """
    for name, frame in (("current", current), ("previous", previous)):
        _check_columns(frame, name, ("cell_id", "reports", "hotspot"))
    extra = ["district_code"] if "district_code" in current.columns else []
    now = current[["cell_id", *extra, "reports", "hotspot"]].rename(
        columns={"reports": "reports_now"}
    )
    before = previous[["cell_id", "reports", "hotspot"]].rename(
        columns={"reports": "reports_before", "hotspot": "hotspot_before"}
    )
    table = now.merge(before, on="cell_id", how="outer")
    for column in ("reports_now", "reports_before"):
        table[column] = table[column].fillna(0).astype("int64")
    for column in ("hotspot", "hotspot_before"):
        table[column] = table[column].fillna("none").astype(object)
    if extra and "district_code" in previous.columns:
        district = previous.set_index("cell_id")["district_code"]
        table["district_code"] = table["district_code"].fillna(table["cell_id"].map(district))
    either = table["hotspot"].str.startswith("hot_") | table["hotspot_before"].str.startswith(
        "hot_"
    )
    table = table[either].reset_index(drop=True)
    hot_now = table["hotspot"].str.startswith("hot_").to_numpy(dtype=bool)
    hot_before = table["hotspot_before"].str.startswith("hot_").to_numpy(dtype=bool)
    difference = (table["reports_now"] - table["reports_before"]).to_numpy()
    # "At least 25% and at least 3" in one threshold.
    enough = np.abs(difference) >= np.maximum(
        CHANGE_MIN_REPORTS, CHANGE_MIN_SHARE * table["reports_before"].to_numpy()
    )
    table["change"] = np.select(
        [
            hot_now & ~hot_before,
            hot_now & hot_before & enough & (difference > 0),
            ~hot_now | (enough & (difference < 0)),
        ],
        ["new", "intensifying", "diminishing"],
        default="persistent",
    ).astype(object)
    order = table["change"].map({label: i for i, label in enumerate(CHANGES)})
    table = table.assign(_order=order).sort_values(
        ["_order", "reports_now", "cell_id"], ascending=[True, False, True]
    )
    return table.drop(columns="_order").reset_index(drop=True)
