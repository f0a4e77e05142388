"""Find where and when reports cluster: Getis-Ord Gi* hot spots on an H3 hexagon grid.

The statistics behind the hotspot page, the ``hotspots`` command and the patrol briefing:

- :func:`hex_counts` counts reports per H3 hexagon over a whole study area, empty cells
  included, and :func:`getis_ord` tests every cell's Gi* neighbourhood (the cell and its
  six neighbours) exactly: its count against the binomial distribution an even spread of
  the same reports would give it, so the test holds at 20 reports as at a million. The
  p-values are corrected for the number of cells tested (Benjamini-Hochberg) and cells
  classed hot or cold at 99, 95 or 90% confidence; :func:`hotspots` does both.
  :func:`choose_resolution` picks the hexagon size from the density of a selection.
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

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from h3.api import basic_int
from scipy import sparse, stats

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

#: H3 resolution of the grid when one is asked for without a choice: resolution 9 cells
#: are about 350 m across, "a few hundred metres", the size of a patrol's beat.
DEFAULT_RESOLUTION = 9
#: Hexagon sizes chosen from: those the store keeps (8, 9, 10; about 920, 350, 130 m).
RESOLUTIONS: tuple[int, ...] = (8, 9, 10)
#: The automatic size is the largest at which an even spread of the selection's reports
#: would put at most this many in one hexagon's neighbourhood (it and its six neighbours).
AUTO_EXPECTED_PER_NEIGHBOURHOOD = 0.5
#: ...and never so small that the study area holds more hexagons than this.
AUTO_MAX_CELLS = 20_000
#: A hot spot's neighbourhood holds at least this many reports; with fewer reports in
#: the whole selection no test is made. (A practical floor as well as a statistical one:
#: three reports in a quiet rural hexagon are unlikely by chance but are not a hot spot
#: to patrol.)
MIN_HOTSPOT_REPORTS = 5
#: Partners get hexagons of this size (about 920 m) whatever the data: a size chosen from
#: the data would tell how many reports a selection holds.
PARTNER_RESOLUTION = 8
#: A hexagon that the study area's edge crosses counts at least this share of a hexagon.
MIN_AREA_SHARE = 0.25
#: Confidence levels: (name, largest false discovery rate adjusted p-value), most confident
#: first.
CONFIDENCE_LEVELS: tuple[tuple[str, float], ...] = (("99", 0.01), ("95", 0.05), ("90", 0.10))
#: Every hotspot class, hottest first.
HOTSPOT_CLASSES: tuple[str, ...] = (
    "hot_99", "hot_95", "hot_90", "none", "cold_90", "cold_95", "cold_99",
)
#: How a cell becomes a hot or cold spot, in words for the people reading the map.
HOTSPOT_DEFINITION = (
    "The map divides the area into hexagons (H3 grid) and counts the reports in each. "
    "For every hexagon, it counts the reports in that hexagon and its six neighbours and "
    "asks how likely so many (or so few) would be if the same number of reports had "
    "fallen anywhere in the area at random, each place as likely as any other: an exact "
    "binomial test, right for a handful of reports as for a million. A hot spot is a "
    "hexagon whose neighbourhood holds clearly more reports than that, and at least "
    f"{MIN_HOTSPOT_REPORTS}; a cold spot, clearly fewer (rare unless reports are many). "
    "Hot spots (more than chance) and cold spots (fewer) are tested as two separate "
    "questions. Because thousands of hexagons are tested at once, a few would look unusual "
    "by chance alone, so each question's p-values are corrected for the number of hexagons "
    "tested (the Benjamini-Hochberg false discovery rate, as in ArcGIS's Optimized Hot "
    "Spot Analysis). "
    "'99% confidence' means the corrected p-value is at most 0.01: of the hexagons marked "
    "at that level, at most about 1 in 100 is expected to be a false alarm. '95%' means "
    "at most 0.05 (1 in 20) and '90%' at most 0.10 (1 in 10). On reports scattered at "
    "random, under 1% of hexagons are marked hot at any volume (docs/benchmarks.md). "
    f"With fewer than {MIN_HOTSPOT_REPORTS} reports in the selection no test is made. "
    "'At random' means evenly over the area, fields and towns alike: a town centre "
    "where many people go can be a hot spot because many people go there."
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
    latlng = np.fromiter(
        itertools.chain.from_iterable(map(h3.cell_to_latlng, cells)), dtype=float,
        count=2 * len(cells),
    ).reshape(-1, 2)
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


def _districts_of(cells: list[str], centres: gpd.GeoSeries | None = None) -> np.ndarray:
    if centres is None:
        centres = _grid_points(*_centres(cells))
    return _containing(centres, load_districts(), "code")


def _cell_hexagons(cells: list[str] | tuple[str, ...]) -> gpd.GeoSeries:
    """Return the cells' hexagons in British National Grid (EPSG:27700)."""
    hexagons = [
        shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]) for cell in cells
    ]
    return gpd.GeoSeries(hexagons, crs=MAP_CRS).to_crs(ANALYSIS_CRS)


def _inside_shares(
    cells: list[str] | tuple[str, ...],
    area: shapely.Geometry,
    centres: gpd.GeoSeries | None = None,
) -> np.ndarray:
    """Return the share of each cell's hexagon that lies inside the area, at least a quarter.

    Only hexagons near the area's edge can cross it, so only those are built and
    intersected; the rest are 1. The floor of :data:`MIN_AREA_SHARE` keeps a report that
    sits just over the edge, in a hexagon of which only a sliver is in the area, from
    weighing like a cluster (reports within 50 m of the county are accepted).
    """
    shares = np.ones(len(cells))
    if len(cells) == 0:
        return shares
    if centres is None:
        centres = _grid_points(*_centres(list(cells)))
    # No point of a hexagon is further from its centre than its edge length.
    reach = float(h3.average_hexagon_edge_length(h3.get_resolution(cells[0]), unit="m")) * 1.2
    inner = area.buffer(-reach)
    shapely.prepare(inner)
    near_edge = np.flatnonzero(~shapely.contains(inner, centres.to_numpy()))
    if near_edge.size:
        hexagons = _cell_hexagons([cells[i] for i in near_edge]).to_numpy()
        part = shapely.area(shapely.intersection(hexagons, area))
        shares[near_edge] = part / shapely.area(hexagons)
    return np.clip(shares, MIN_AREA_SHARE, 1.0)


@lru_cache(maxsize=8)
def _area_cells(
    area_wkb: bytes, resolution: int
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[float, ...]]:
    """Return the cells whose centre lies in the area, each one's district and its share
    of the area (:func:`_inside_shares`), sorted by cell."""
    area_bng = shapely.from_wkb(area_wkb)
    area = gpd.GeoSeries([area_bng], crs=ANALYSIS_CRS).to_crs(MAP_CRS)
    cells = sorted(h3.geo_to_cells(area.iloc[0], resolution))
    centres = _grid_points(*_centres(cells))
    shares = _inside_shares(cells, area_bng, centres)
    return tuple(cells), tuple(_districts_of(cells, centres)), tuple(shares.tolist())


def cell_width_m(resolution: int = DEFAULT_RESOLUTION) -> float:
    """Return the average width of an H3 cell, side to opposite side, in metres.

    That is √3 times the average edge: about 350 m at resolution 9, 920 m at 8.
    """
    _check_resolution(resolution)
    return math.sqrt(3.0) * float(h3.average_hexagon_edge_length(resolution, unit="m"))


#: The hexagon sizes in words, by resolution.
SIZE_WORDS: dict[int, str] = {8: "about 920 m across", 9: "about 350 m across",
                              10: "about 130 m across"}


@dataclass(frozen=True)
class ScaleChoice:
    """The hexagon size of an analysis, and why it was used.

    Attributes
    ----------
    resolution
        H3 resolution of the hexagons.
    automatic
        True when chosen from the data by :func:`choose_resolution`, False when asked for.
    reason
        Why this size, in words for the page; it states no count of reports, so that it
        can be shown to every role.
    expected_per_neighbourhood
        What an even spread of the selection would put in one hexagon's neighbourhood (the
        hexagon and its six neighbours) at this size; NaN when the size was asked for.
    """

    resolution: int
    automatic: bool
    reason: str
    expected_per_neighbourhood: float = math.nan


def _mean_cell_area_m2(resolution: int) -> float:
    return float(h3.average_hexagon_area(resolution, unit="m^2"))


def choose_resolution(
    total_reports: int,
    area: shapely.Polygon | shapely.MultiPolygon,
    *,
    resolutions: tuple[int, ...] = RESOLUTIONS,
) -> ScaleChoice:
    """Choose the hexagon size from the density of a selection.

    The rule: the largest hexagons at which the selection's reports, spread evenly over the
    study area, would put at most :data:`AUTO_EXPECTED_PER_NEIGHBOURHOOD` (half a report)
    in one hexagon and its six neighbours, among the sizes that keep the study area under
    :data:`AUTO_MAX_CELLS` hexagons; when even the smallest allowed size expects more, the
    smallest allowed. So the sparser the selection, the larger the hexagons (20 reports in
    North Hertfordshire over a quarter are tested on about 500 hexagons of 920 m, not on
    3,600 of 350 m), and a neighbourhood where several reports gather stands out against
    an expectation of under one. Like ArcGIS's Optimized Hot Spot Analysis, the scale
    follows the incidents; unlike it, the rule is one line that an analyst can check.

    Parameters
    ----------
    total_reports
        Reports in the selection.
    area
        Study area, in EPSG:27700.
    resolutions
        The H3 resolutions to choose from.
    """
    _check_area(area)
    if isinstance(total_reports, bool) or not isinstance(total_reports, int | np.integer) or (
        total_reports < 0
    ):
        raise ValueError(f"`total_reports` must be a whole number of 0 or more, got "
                         f"{total_reports!r}.")
    if not resolutions:
        raise ValueError("`resolutions` must name at least one H3 resolution.")
    for resolution in resolutions:
        _check_resolution(resolution)
    area_m2 = float(area.area)
    allowed = [r for r in sorted(resolutions) if area_m2 / _mean_cell_area_m2(r)
               <= AUTO_MAX_CELLS] or [min(resolutions)]

    def expected(resolution: int) -> float:
        return int(total_reports) * 7 * _mean_cell_area_m2(resolution) / area_m2

    chosen = next((r for r in allowed if expected(r) <= AUTO_EXPECTED_PER_NEIGHBOURHOOD),
                  allowed[-1])
    size = SIZE_WORDS.get(chosen, f"H3 resolution {chosen}")
    if expected(chosen) <= AUTO_EXPECTED_PER_NEIGHBOURHOOD:
        why = (
            f"Hexagons {size}, chosen from the data: the largest size at which the "
            "selection's reports, spread evenly over the area, would put at most half a "
            "report in a hexagon and its six neighbours, so that a place where several "
            "gather stands out. Sparser selections get larger hexagons."
        )
    else:
        why = (
            f"Hexagons {size}, chosen from the data: the smallest size offered for an area "
            "this large, as the selection's reports are dense."
        )
    return ScaleChoice(chosen, True, why, expected(chosen))


def asked_scale(resolution: int) -> ScaleChoice:
    """Return the scale of a hexagon size the user asked for."""
    _check_resolution(resolution)
    size = SIZE_WORDS.get(resolution, f"H3 resolution {resolution}")
    return ScaleChoice(resolution, False, f"Hexagons {size}, as chosen.")


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
    area_cells, area_districts, area_shares = _area_cells(shapely.to_wkb(area), resolution)
    table = pd.DataFrame(
        {"cell_id": area_cells, "district_code": area_districts, "in_area": True,
         "area_share": area_shares}
    )
    outside = sorted(set(counts.index) - set(area_cells))
    if outside:
        extra = pd.DataFrame(
            {"cell_id": outside, "district_code": _districts_of(outside), "in_area": False,
             "area_share": _inside_shares(outside, area)}
        )
        table = pd.concat([table, extra], ignore_index=True)
        table = table.sort_values("cell_id", ignore_index=True)
    table["reports"] = table["cell_id"].map(counts).fillna(0).astype("int64")
    table["district_code"] = table["district_code"].astype(object)
    table["cell_id"] = table["cell_id"].astype(object)
    table["area_share"] = table["area_share"].astype("float64")
    return table[["cell_id", "district_code", "in_area", "reports", "area_share"]]


# ------------------------------------------------------------------------ the test
def _cell_ints(cells: tuple[str, ...] | list[str]) -> np.ndarray:
    """Return H3 cell ids as 64-bit integers (H3's own form of them)."""
    return np.fromiter((int(cell, 16) for cell in cells), dtype=np.uint64, count=len(cells))


@lru_cache(maxsize=300_000)
def disk_of(cell: int, rings: int = 1) -> tuple[int, ...]:
    """Return the H3 cells within ``rings`` steps of ``cell`` (integer ids), itself included.

    Remembered per server: the county holds about 110,000 cells of 130 m and a filter
    change asks again for most of the disks the last one did (H3 takes about 4 us a disk,
    the memory about 0.2 us).
    """
    return tuple(basic_int.grid_disk(cell, rings))


@lru_cache(maxsize=8)
def _neighbourhoods(cells: tuple[str, ...]) -> sparse.csr_matrix:
    """Return the cells' neighbourhoods: row i marks cell i and its adjacent cells in the set.

    This is the binary contiguity of Gi* (each cell its own neighbour too). A cell with no
    neighbour in the set keeps a row, if only its own. Neighbours are found with H3's
    integer ids and a sorted search, not one string lookup per pair: at a million reports
    that was once the largest cost of a filter change.
    """
    ints = _cell_ints(cells)
    order = np.argsort(ints)
    ordered = ints[order]
    disks = [disk_of(cell) for cell in ints.tolist()]
    sizes = np.fromiter((len(disk) for disk in disks), dtype=np.int64, count=len(disks))
    focal = np.repeat(np.arange(len(cells)), sizes)
    around = np.fromiter(itertools.chain.from_iterable(disks), dtype=np.uint64,
                         count=int(sizes.sum()))
    where = np.minimum(np.searchsorted(ordered, around), max(len(ordered) - 1, 0))
    keep = ordered[where] == around
    return sparse.csr_matrix(
        (np.ones(int(keep.sum())), (focal[keep], order[where[keep]])),
        shape=(len(cells), len(cells)),
    )


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


def hotspot_classes(
    excess: np.ndarray | pd.Series,
    gi_q: np.ndarray | pd.Series,
    neighbourhood_reports: np.ndarray | pd.Series | None = None,
) -> np.ndarray:
    """Return each cell's class from its direction, adjusted p-value and neighbourhood count.

    ``excess`` is positive where the neighbourhood holds more reports than an even spread
    gives it, negative where fewer. ``hot_99`` when excess > 0 and q <= 0.01, else
    ``hot_95`` when q <= 0.05, else ``hot_90`` when q <= 0.10; ``cold_*`` likewise when
    excess < 0; ``none`` otherwise (or when unknown). When ``neighbourhood_reports`` is
    given, a hot spot also needs at least :data:`MIN_HOTSPOT_REPORTS` in its neighbourhood.
    """
    direction = np.asarray(excess, dtype=float)
    q = np.asarray(gi_q, dtype=float)
    enough = (
        np.ones(direction.shape, dtype=bool) if neighbourhood_reports is None
        else np.asarray(neighbourhood_reports, dtype=float) >= MIN_HOTSPOT_REPORTS
    )
    classes = np.full(direction.shape, "none", dtype=object)
    # Least confident first, so a more confident level overwrites it.
    for level, alpha in reversed(CONFIDENCE_LEVELS):
        significant = q <= alpha  # False where q is NaN
        classes[significant & (direction > 0) & enough] = f"hot_{level}"
        classes[significant & (direction < 0)] = f"cold_{level}"
    return classes


def gi_star_z(counts: np.ndarray, neighbourhoods: sparse.csr_matrix) -> np.ndarray:
    """Return the Getis-Ord Gi* z-score of every cell (binary weights, the cell included).

    z_i = (S_i - x̄ W_i) / (s √((n W_i - W_i²) / (n - 1))), with S_i the reports in cell
    i's neighbourhood, W_i its number of cells, x̄ and s the mean and (population) standard
    deviation of all n cells: esda's ``G_Local(star=True, transform="B")`` ``Zs``. NaN where
    it is undefined (every cell holds the same count, or a neighbourhood is every cell).
    """
    x = np.asarray(counts, dtype=float)
    n = len(x)
    z = np.full(n, np.nan)
    if n <= 2 or np.ptp(x) == 0:
        return z
    size = np.asarray(neighbourhoods.sum(axis=1)).ravel()
    mean = x.mean()
    spread = math.sqrt(max(float((x**2).mean() - mean**2), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (neighbourhoods @ x - mean * size) / (
            spread * np.sqrt((n * size - size**2) / (n - 1))
        )
    return np.where(np.isfinite(z), z, np.nan)


def exact_p_values(
    observed: np.ndarray, total: int, share: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each neighbourhood count's exact one-sided p-values, and its expectation.

    If the ``total`` reports fell independently anywhere in the study area, with a chance
    of falling in a neighbourhood equal to its ``share`` of the area, the count in that
    neighbourhood would be Binomial(total, share). Returned: P(X >= observed), the p-value
    of "more reports than chance" (a hot spot); P(X <= observed), that of "fewer" (a cold
    spot); and total x share. Exact at every volume, from 20 reports to millions, where the
    normal approximation of Gi* is far off when most cells are empty.
    """
    k = np.asarray(observed, dtype=float)
    p = np.clip(np.asarray(share, dtype=float), 0.0, 1.0)
    upper = stats.binom.sf(k - 1, total, p)
    lower = stats.binom.cdf(k, total, p)
    return upper, lower, total * p


def getis_ord(counts: pd.DataFrame, *, resolution: int = DEFAULT_RESOLUTION) -> pd.DataFrame:
    """Test every cell's neighbourhood for more (or fewer) reports than an even spread gives.

    The neighbourhood of a cell is the cell and its adjacent H3 cells present in
    ``counts`` (Gi*'s binary weights): a cell on the edge of the study area simply has
    fewer neighbours. The test is exact (:func:`exact_p_values`): the neighbourhood's
    count against Binomial(all reports, the neighbourhood's share of the study area), each
    cell weighing its ``area_share`` (1 when the column is absent). Hot and cold are two
    one-sided questions ("more reports than chance?", "fewer?"), each a family of tests
    Benjamini-Hochberg adjusted over all cells, so each controls its own false discovery
    rate: a sergeant asks where reports gather, and a two-sided test would halve the power
    to answer that for a cold side that sparse counts can hardly ever show. The Gi* z-score
    is kept as the measure of how strongly a cell stands out (for ordering and for
    analysts), not for the test.

    Parameters
    ----------
    counts
        :func:`area_counts` output: at least ``cell_id`` (unique) and ``reports``;
        ``area_share`` when known.
    resolution
        H3 resolution every ``cell_id`` must have.

    Returns
    -------
    pandas.DataFrame
        ``counts`` with ``neighbourhood_reports``, ``expected`` (what an even spread would
        put in the neighbourhood), ``gi_z``, ``gi_p`` (exact, one-sided in the direction
        the cell leans: more or fewer than ``expected``), ``gi_q`` (its family's
        Benjamini-Hochberg adjusted p-value) and
        ``hotspot`` (one of :data:`HOTSPOT_CLASSES`; a hot spot's neighbourhood holds at
        least :data:`MIN_HOTSPOT_REPORTS` reports).
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
    y = counts["reports"].to_numpy(dtype=float)
    if (y < 0).any() or not np.array_equal(y, np.round(y)):
        problems.append("`reports` must be whole numbers of 0 or more.")
    weight = (counts["area_share"].to_numpy(dtype=float) if "area_share" in counts.columns
              else np.ones(len(y)))
    if len(weight) and not (weight > 0).all():
        problems.append("`area_share` must be above 0 for every cell.")
    if problems:
        raise ValueError(" ".join(problems))
    neighbourhoods = _neighbourhoods(tuple(cells))
    observed = neighbourhoods @ y
    share = (neighbourhoods @ weight) / weight.sum() if len(y) else weight
    total = int(y.sum())
    upper, lower, expected = exact_p_values(observed, total, share)
    # Two families, each corrected over every cell: "more than chance" (hot spots) and
    # "fewer than chance" (cold spots). A cell is reported in the direction it leans.
    above = observed > expected
    result = counts.copy()
    result["neighbourhood_reports"] = observed.astype("int64")
    result["expected"] = expected
    result["gi_z"] = gi_star_z(y, neighbourhoods)
    result["gi_p"] = np.where(above, upper, lower)
    result["gi_q"] = np.where(above, benjamini_hochberg(upper), benjamini_hochberg(lower))
    result["hotspot"] = hotspot_classes(observed - expected, result["gi_q"].to_numpy(),
                                        observed)
    return result


@dataclass(frozen=True, eq=False)
class HotspotResult:
    """The cells of a hotspot analysis, and whether the test ran.

    Attributes
    ----------
    cells
        :func:`getis_ord` output over the study area.
    reliable
        False when the selection holds fewer than :data:`MIN_HOTSPOT_REPORTS` reports: no
        neighbourhood could then be a hot spot, and every ``hotspot`` is ``none``.
    message
        Why the test did not run, in words for the page (no count in it); empty when it ran.
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
    """
    counts = hex_counts(reports, resolution=resolution, area=area, cell_ids=cell_ids)
    return classify(counts, resolution=resolution)


#: Why no hexagon is marked when the selection is too small, in words for the page.
TOO_FEW_MESSAGE = (
    f"Fewer than {MIN_HOTSPOT_REPORTS} reports in "
    "the selection: too few for a hot spot test, so no hexagon is marked hot or cold. "
    "Widen the area or the period for a test; the places below are the busiest, not "
    "tested."
)


def classify(counts: pd.DataFrame, *, resolution: int = DEFAULT_RESOLUTION) -> HotspotResult:
    """Test cells counted over a study area (:func:`area_counts`) for hot and cold spots.

    With fewer than :data:`MIN_HOTSPOT_REPORTS` reports in all, no neighbourhood can be a
    hot spot: the cells are returned unmarked, with :data:`TOO_FEW_MESSAGE`.
    """
    cells = getis_ord(counts, resolution=resolution)
    occupied = int((cells["reports"] > 0).sum())
    if int(cells["reports"].sum()) >= MIN_HOTSPOT_REPORTS:
        return HotspotResult(cells, True, "", resolution, occupied)
    cells["hotspot"] = "none"
    return HotspotResult(cells, False, TOO_FEW_MESSAGE, resolution, occupied)


def cell_polygons(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the cells as hexagons for map layers, in WGS84 (EPSG:4326).

    Every column of ``cells`` is kept; ``geometry`` is each ``cell_id``'s boundary.
    """
    _check_columns(cells, "cells", ("cell_id",))
    rings = [h3.cell_to_boundary(str(cell)) for cell in cells["cell_id"].tolist()]
    if rings and len({len(ring) for ring in rings}) == 1:
        # All hexagons (H3's twelve pentagons lie in oceans): shapely makes every polygon
        # in one call, a tenth of the time of one Python object at a time.
        latlng = np.asarray(rings, dtype=float)
        geometry = shapely.polygons(latlng[:, :, ::-1])
    else:
        geometry = np.array(
            [shapely.Polygon([(lng, lat) for lat, lng in ring]) for ring in rings], dtype=object
        )
    return gpd.GeoDataFrame(cells.copy(), geometry=geometry, crs=MAP_CRS)


def hot_areas(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the hot spots as areas: each hot cell with its neighbourhood, joined up.

    A hot spot is tested on its neighbourhood (the cell and the six around it) and needs
    at least :data:`MIN_HOTSPOT_REPORTS` reports in it, so every area drawn here holds at
    least that many: each is the union of whole neighbourhoods of hot cells. No single
    hexagon, and no count, is given. One row per connected area, largest first (ties by
    where it lies, west to east): ``area`` (1, 2, ...), ``area_km2``, ``latitude`` and
    ``longitude`` of a point inside it, and ``geometry`` (WGS84).
    """
    _check_columns(cells, "cells", ("cell_id", "hotspot"))
    hot = cells.loc[cells["hotspot"].astype(str).str.startswith("hot_"), "cell_id"]
    covered = sorted({ring for cell in hot for ring in h3.grid_disk(str(cell), 1)})
    columns = ["area", "area_km2", "latitude", "longitude"]
    if not covered:
        return gpd.GeoDataFrame({c: pd.Series(dtype="int64" if c == "area" else float)
                                 for c in columns},
                                geometry=gpd.GeoSeries([], crs=MAP_CRS), crs=MAP_CRS)
    shape = shapely.geometry.shape(h3.cells_to_h3shape(covered, tight=False).__geo_interface__)
    parts = list(getattr(shape, "geoms", [shape]))
    inside = [part.representative_point() for part in parts]
    km2 = gpd.GeoSeries(parts, crs=MAP_CRS).to_crs(ANALYSIS_CRS).area.to_numpy() / 1e6
    areas = gpd.GeoDataFrame(
        {
            "area_km2": km2,
            "latitude": [point.y for point in inside],
            "longitude": [point.x for point in inside],
        },
        geometry=parts,
        crs=MAP_CRS,
    ).sort_values(["area_km2", "longitude"], ascending=[False, True], ignore_index=True)
    areas.insert(0, "area", np.arange(1, len(areas) + 1))
    return areas


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
    # Only cells hot in either period are labelled: keep those before joining (a study
    # area holds tens of thousands of cells, a period a few dozen hot ones).
    hot_ids = set(current.loc[current["hotspot"].astype(str).str.startswith("hot_"), "cell_id"])
    hot_ids |= set(previous.loc[previous["hotspot"].astype(str).str.startswith("hot_"),
                                "cell_id"])
    current = current[current["cell_id"].isin(hot_ids)]
    previous = previous[previous["cell_id"].isin(hot_ids)]
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
