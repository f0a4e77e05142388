"""Group a period's reports into places a patrol can visit, and say how each place stands.

The Hotspots page's "Top places to patrol" and the patrol briefing list places, not
hexagons of a significance test, so that the list is never empty while the selection holds
a report, however few there are (about one report per district per week is a real year):

1. the period's reports are counted per small H3 cell (resolution 10, about 130 m across,
   the finest the store keeps), and cells whose centres are at most :data:`LINK_M` apart are
   linked; a place is a group of linked cells (single linkage: a chain of cells, each
   within 150 m of the next);
2. places are ranked by reports in the period (:data:`RANKING_RULE`);
3. each place is marked with where it stands over the 12 months ending on the period's last
   day (:data:`STANDINGS`): inside a hot spot of a hot spot test of those 12 months, else a
   repeat location (reports in at least two separate weeks), else new.

Everything is a count of a selection (``ReportCounts.count``), so a store counts in the
database and no report leaves it.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geodata import ANALYSIS_CRS, DISTRICTS, MAP_CRS, load_lsoas, load_towns
from loaders.counts import REASON_CODES, ReportCounts, Slot
from loaders.vocab import TIME_OF_DAY
from safetymap.analysis.counts import as_counts, count_many, selection_period
from safetymap.analysis.filters import Filters
from safetymap.analysis.hotspots import area_counts, classify, disk_of

__all__ = [
    "LINK_M",
    "PLACE_COLUMNS",
    "PLACE_RESOLUTION",
    "RANKING_RULE",
    "REPEAT_WEEKS",
    "STANDINGS",
    "STANDING_DEFINITIONS",
    "STANDING_RESOLUTION",
    "empty_places",
    "patrol_places",
    "place_names",
    "standing_window",
]

#: H3 resolution of the cells reports are placed by: about 130 m across.
PLACE_RESOLUTION = 10
#: Cells whose centres are at most this many metres apart belong to one place. Neighbouring
#: cells at :data:`PLACE_RESOLUTION` are about 130 m apart, cells one further 230 m or more.
LINK_M = 150.0
#: H3 resolution of the 12-month hot spot test a place's standing refers to (about 350 m).
STANDING_RESOLUTION = 9
#: A place with reports in at least this many separate weeks of the 12 months is a repeat.
REPEAT_WEEKS = 2
#: Where a place stands over the 12 months to the period's last day, tested in this order.
STANDINGS: dict[str, str] = {
    "hot_spot": "In a hot spot of the last 12 months",
    "repeat": "Repeat location",
    "new": "New",
}
#: What each standing means, in words for the people reading the list.
STANDING_DEFINITIONS: dict[str, str] = {
    "hot_spot": (
        "At least one of the place's reports lies in a hexagon (about 350 m across) marked "
        "hot by the hot spot test of the same selection over the 12 months ending on the "
        "period's last day."
    ),
    "repeat": (
        "Not in such a hot spot, but reports within 150 m of the place fall in at least two "
        "separate weeks (Monday to Sunday) of those 12 months."
    ),
    "new": "Neither: every report within 150 m of the place in those 12 months is from one week.",
}
#: How places are ordered, in words (the page and the briefing print it).
RANKING_RULE = (
    "Places are ranked by reports in the period; ties by reports within 150 m in the last "
    "12 months, then from north to south."
)
#: Columns of :func:`patrol_places`, in order.
PLACE_COLUMNS: tuple[str, ...] = (
    "rank", "name", "district_code", "district", "lsoa_name", "reports",
    "reports_12_months", "weeks_12_months", "main_reasons", "main_reason_counts",
    "peak_day", "peak_day_reports", "peak_time", "peak_time_reports", "standing",
    "cells", "latitude", "longitude",
)
#: Weekday names, Monday first.
_WEEKDAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)
#: Time-of-day bands in the order of the day ("unknown" is no peak).
_BANDS: tuple[str, ...] = tuple(band for band in TIME_OF_DAY if band != "unknown")
#: Compass points, clockwise from north, in eights and sixteenths.
_POINTS_8 = ("north", "north-east", "east", "south-east", "south", "south-west", "west",
             "north-west")
_POINTS_16 = ("north", "north-north-east", "north-east", "east-north-east", "east",
              "east-south-east", "south-east", "south-south-east", "south",
              "south-south-west", "south-west", "west-south-west", "west",
              "west-north-west", "north-west", "north-north-west")
#: Closer than this to a town's centre point, a place is named as its centre.
_CENTRE_M = 150.0


def standing_window(end: date) -> tuple[date, date]:
    """Return the 12 months ending on ``end``, first and last day inclusive.

    >>> standing_window(date(2026, 11, 30))
    (datetime.date(2025, 12, 1), datetime.date(2026, 11, 30))
    """
    try:
        year_before = end.replace(year=end.year - 1)
    except ValueError:  # 29 February: a year before is the 28th
        year_before = end.replace(year=end.year - 1, day=28)
    return year_before + timedelta(days=1), end


def empty_places() -> pd.DataFrame:
    """Return a places table with no place: :data:`PLACE_COLUMNS` and their types."""
    return _empty()


def _empty() -> pd.DataFrame:
    integers = {"rank", "reports", "reports_12_months", "weeks_12_months",
                "peak_day_reports", "peak_time_reports"}
    return pd.DataFrame({
        name: pd.Series([], dtype="int64" if name in integers else
                        "float64" if name in ("latitude", "longitude") else object)
        for name in PLACE_COLUMNS
    })


@lru_cache(maxsize=1)
def _transformers() -> tuple[Transformer, Transformer]:
    """Return WGS84 → British National Grid and back, longitude (x) first."""
    return (Transformer.from_crs(MAP_CRS, ANALYSIS_CRS, always_xy=True),
            Transformer.from_crs(ANALYSIS_CRS, MAP_CRS, always_xy=True))


#: Rings of resolution-10 cells (centres about 131 m apart) that hold every cell whose
#: centre can lie within :data:`LINK_M` of a cell's centre.
_NEAR_RINGS = 2


def _grid(cells: list[str]) -> np.ndarray:
    """Return the cells' centres in British National Grid metres, one row per cell."""
    latlng = np.fromiter(itertools.chain.from_iterable(map(h3.cell_to_latlng, cells)),
                         dtype=float, count=2 * len(cells)).reshape(-1, 2)
    x, y = _transformers()[0].transform(latlng[:, 1], latlng[:, 0])
    return np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])


def _link(xy: np.ndarray, distance: float) -> np.ndarray:
    """Return a group number per point: points within ``distance`` of each other, chained."""
    pairs = cKDTree(xy).query_pairs(r=distance, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                       shape=(len(xy), len(xy)))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def _table(
    found: pd.DataFrame, dimension: str, index: pd.Index, labels: tuple[object, ...]
) -> np.ndarray:
    """Return counts by (cell of ``index``, label) as a dense array; other cells left out."""
    rows = index.get_indexer(pd.Index(found["cell"], dtype=object))
    columns = pd.Index(labels).get_indexer(pd.Index(found[dimension]))
    keep = (rows >= 0) & (columns >= 0)
    dense = np.zeros((len(index), len(labels)), dtype=np.int64)
    np.add.at(dense, (rows[keep], columns[keep]),
              found["reports"].to_numpy(dtype=np.int64)[keep])
    return dense


def _peaks(table: np.ndarray, labels: tuple[str, ...]) -> tuple[list[str], list[int]]:
    """Return each row's label with most reports and that count.

    Two labels tied for most are both named ("Friday or Saturday"); with three or more
    tied, or no report, the text is "".
    """
    texts, counts = [], []
    for row in table.tolist():
        most = max(row, default=0)
        tied = [label for label, n in zip(labels, row, strict=True) if n == most]
        texts.append(" or ".join(tied) if most > 0 and len(tied) <= 2 else "")
        counts.append(int(most))
    return texts, counts


def _main_reasons(table: np.ndarray) -> tuple[list[str], list[str]]:
    """Return each row's three most given reason codes and their counts, joined by ``;``.

    Ties keep the order of :data:`loaders.counts.REASON_CODES` (``other`` last).
    """
    top = np.argsort(-table, axis=1, kind="stable")[:, :3]
    top_counts = np.take_along_axis(table, top, axis=1)
    codes = [";".join(REASON_CODES[c] for c, k in zip(row, ks, strict=True) if k > 0)
             for row, ks in zip(top.tolist(), top_counts.tolist(), strict=True)]
    counts = [";".join(str(k) for k in ks if k > 0) for ks in top_counts.tolist()]
    return codes, counts


def _distance_words(metres: float, *, fine: bool) -> str:
    step = 10 if fine else 50
    if metres < 1000 - step / 2:
        return f"{round(metres / step) * step:,.0f} m"
    return f"{metres / 1000:.2f} km" if fine else f"{metres / 1000:.1f} km"


def place_names(xy: np.ndarray) -> list[str]:
    """Name places by the nearest town (or neighbourhood) and their offset from its centre.

    "Holywell, 400 m south-west"; within 150 m of the centre point, "Holywell, centre".
    When two names come out the same, both are given to 10 m and 16 compass points, and any
    still the same are numbered "(2)", "(3)" in the order given.

    Parameters
    ----------
    xy
        Places' centres in British National Grid metres (EPSG:27700), one row each.
    """
    towns = load_towns()
    town_points = gpd.GeoSeries(
        gpd.points_from_xy(towns["longitude"], towns["latitude"]), crs=MAP_CRS
    ).to_crs(ANALYSIS_CRS)
    tx, ty = town_points.x.to_numpy(), town_points.y.to_numpy()
    if not len(xy):
        return []
    dx = xy[:, 0][:, None] - tx[None, :]
    dy = xy[:, 1][:, None] - ty[None, :]
    nearest = np.hypot(dx, dy).argmin(axis=1)
    rows = np.arange(len(xy))
    east, north = dx[rows, nearest], dy[rows, nearest]
    distance = np.hypot(east, north)
    bearing = np.degrees(np.arctan2(east, north)) % 360.0
    town = towns["name"].to_numpy()[nearest]

    def name(i: int, *, fine: bool) -> str:
        if distance[i] < _CENTRE_M:
            return f"{town[i]}, centre"
        points = _POINTS_16 if fine else _POINTS_8
        point = points[round(bearing[i] / (360.0 / len(points))) % len(points)]
        return f"{town[i]}, {_distance_words(float(distance[i]), fine=fine)} {point}"

    names = [name(i, fine=False) for i in range(len(xy))]
    repeated = pd.Series(names).duplicated(keep=False).to_numpy()
    names = [name(i, fine=True) if repeated[i] else names[i] for i in range(len(xy))]
    seen: dict[str, int] = {}
    unique = []
    for text in names:
        seen[text] = seen.get(text, 0) + 1
        unique.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return unique


def _nearby_history(
    weeks: pd.DataFrame, xy: np.ndarray, group: np.ndarray, places: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return, per place, the weeks and the reports of the 12 months within reach of it.

    A cell of the 12 months is within reach of a place when its centre lies within
    :data:`LINK_M` of the centre of one of the place's cells; a cell near two places counts
    for both.

    Parameters
    ----------
    weeks
        ``cell``, ``event_week`` and ``reports``: the 12 months counted by cell and week.
    xy
        The places' cells' centres in metres; ``group`` gives each one's place.
    places
        Number of places.
    """
    weeks_12 = np.zeros(places, dtype=np.int64)
    reports_12 = np.zeros(places, dtype=np.int64)
    if weeks.empty:
        return weeks_12, reports_12
    year_cells = pd.Index(weeks["cell"].unique(), dtype=object)
    within = cKDTree(_grid(weeks["cell"].unique().tolist())).sparse_distance_matrix(
        cKDTree(xy), LINK_M, output_type="ndarray")
    pairs = pd.DataFrame({"year_cell": within["i"].astype(np.int64),
                          "place": group[within["j"]]}).drop_duplicates()
    history = weeks.assign(year_cell=year_cells.get_indexer(pd.Index(weeks["cell"],
                                                                     dtype=object)))
    history = pairs.merge(history, on="year_cell")
    per_place = history.groupby("place").agg(weeks=("event_week", "nunique"),
                                             reports=("reports", "sum"))
    weeks_12[per_place.index.to_numpy()] = per_place["weeks"].to_numpy()
    reports_12[per_place.index.to_numpy()] = per_place["reports"].to_numpy()
    return weeks_12, reports_12


def _lsoa_names(xy: np.ndarray) -> np.ndarray:
    """Return the name of the LSOA containing each point, else of the nearest one."""
    lsoas = load_lsoas()
    points = shapely.points(xy[:, 0], xy[:, 1]) if len(xy) else np.array([], dtype=object)
    match = np.full(len(points), -1)
    if len(points):
        point_index, lsoa_index = lsoas.sindex.query(points, predicate="within")
        match[point_index] = lsoa_index
        missing = np.flatnonzero(match < 0)
        if missing.size:
            near_point, near_lsoa = lsoas.sindex.nearest(points[missing], return_all=False)
            match[missing[near_point]] = near_lsoa
    return lsoas["name"].to_numpy(dtype=object)[match]


def patrol_places(
    reports: ReportCounts | pd.DataFrame,
    filters: Filters,
    *,
    area: shapely.Polygon | shapely.MultiPolygon | None = None,
    slot: Slot | None = None,
    limit: int | None = 10,
) -> pd.DataFrame:
    """List the places of a selection's reports, busiest first, with their 12-month standing.

    Parameters
    ----------
    reports
        Where every StreetSafe report is counted (a loaded frame, its
        :class:`~safetymap.analysis.counts.FrameCounts`, or the store): the 12 months
        before are counted from them too.
    filters
        The selection; a missing start or end is that of its reports. The 12 months keep
        its districts, times of day and reasons.
    area
        The study area of the 12-month hot spot test, in EPSG:27700:
        ``safetymap.analysis.patrol.study_area(filters.districts)``; the county when None.
    slot
        A weekday and hour to narrow both the period and the 12 months to, or None.
    limit
        Most places to list; None lists every place.

    Returns
    -------
    pandas.DataFrame
        :data:`PLACE_COLUMNS`, one row per place in rank order (:data:`RANKING_RULE`):
        ``rank`` from 1; ``name`` (:func:`place_names`, never the same twice);
        ``district_code`` and ``district``, the district holding most of its reports (ties
        to the first code in order); ``lsoa_name`` of the LSOA holding its centre;
        ``reports`` in the period; ``reports_12_months`` and ``weeks_12_months``, the
        reports within :data:`LINK_M` of its cells in the 12 months to the period's last
        day (:func:`standing_window`) and how many weeks (Monday to Sunday) they fall in;
        ``main_reasons`` (up to three reason codes, most given first, joined by ``;``) and
        ``main_reason_counts``; ``peak_day`` (weekday name(s) of ``event_at``, see
        :func:`_peaks`) and ``peak_day_reports``; ``peak_time`` (time-of-day band code(s),
        ``unknown`` left out) and ``peak_time_reports``; ``standing`` (a key of
        :data:`STANDINGS`); ``cells``, its resolution-10 cells joined by ``;``;
        ``latitude`` and ``longitude`` of its centre (its cells' centres weighted by their
        reports). Empty, with these columns, when the selection holds no report.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or limit < 1):
        raise ValueError(f"`limit` must be a whole number of 1 or more, or None; got {limit!r}.")
    counts = as_counts(reports)
    period = selection_period(counts, filters)
    if period is None:
        return _empty()
    now = replace(filters, start=period[0], end=period[1])
    window = standing_window(period[1])
    year = replace(filters, start=window[0], end=window[1])
    counted = count_many(counts, {
        "cells": (now, ("cell", "district_code"), PLACE_RESOLUTION, slot),
        "reason": (now, ("cell", "reason"), PLACE_RESOLUTION, slot),
        "event_weekday": (now, ("cell", "event_weekday"), PLACE_RESOLUTION, slot),
        "time_of_day": (now, ("cell", "time_of_day"), PLACE_RESOLUTION, slot),
        "weeks": (year, ("cell", "event_week"), PLACE_RESOLUTION, slot),
        "tested": (year, ("cell",), STANDING_RESOLUTION, slot),
    })
    by_district = counted["cells"]
    if by_district.empty:
        return _empty()

    # ------------------------------------------------------------ cells into places
    per_cell = by_district.groupby("cell", sort=True)["reports"].sum()
    cells = pd.Index(per_cell.index.to_numpy(dtype=object))
    cell_reports = per_cell.to_numpy(dtype=np.int64)
    cell_list = per_cell.index.to_numpy(dtype=object).tolist()  # plain str: quick to walk
    xy = _grid(cell_list)
    group = _link(xy, LINK_M)
    places = int(group.max()) + 1

    def per_place(values: np.ndarray) -> np.ndarray:
        """Return ``values`` (one row per cell) summed per place."""
        out = np.zeros((places, *values.shape[1:]), dtype=values.dtype)
        np.add.at(out, group, values)
        return out

    reports_now = per_place(cell_reports)
    centre = per_place(xy * cell_reports[:, None]) / reports_now[:, None]
    district_codes = tuple(sorted(by_district["district_code"].unique()))
    district_table = per_place(_table(by_district, "district_code", cells, district_codes))
    district = np.asarray(district_codes, dtype=object)[district_table.argmax(axis=1)]
    reason_table = per_place(_table(counted["reason"], "reason", cells, REASON_CODES))
    day_table = per_place(_table(counted["event_weekday"], "event_weekday", cells,
                                 tuple(range(7))))
    band_table = per_place(_table(counted["time_of_day"], "time_of_day", cells, _BANDS))

    # ------------------------------------------------------------ the 12 months
    tested = classify(area_counts(counted["tested"], resolution=STANDING_RESOLUTION,
                                  area=area), resolution=STANDING_RESOLUTION).cells
    hot_cells = set(tested.loc[tested["hotspot"].str.startswith("hot_"), "cell_id"])
    in_hot = per_place(np.array(
        [h3.cell_to_parent(cell, STANDING_RESOLUTION) in hot_cells for cell in cell_list],
        dtype=np.int64)) > 0
    # Only the places that can be listed need their history (the rest rank below them
    # whatever it is), and only the year's cells near them: at a million reports that
    # saves most of this function's time.
    if limit is not None and places > limit:
        cut = np.sort(reports_now)[::-1][limit - 1]
        candidate = reports_now[group] >= cut
    else:
        candidate = np.ones(len(group), dtype=bool)
    # H3's integer form: building thousands of disks as text costs half a second.
    near = {format(found, "x") for found in itertools.chain.from_iterable(
        disk_of(int(cell, 16), _NEAR_RINGS)
        for cell, keep in zip(cell_list, candidate, strict=True) if keep)}
    weeks = counted["weeks"]
    weeks_12, reports_12 = _nearby_history(weeks[weeks["cell"].isin(near)], xy[candidate],
                                           group[candidate], places)
    standing = np.where(in_hot, "hot_spot", np.where(weeks_12 >= REPEAT_WEEKS, "repeat",
                                                             "new"))

    # ------------------------------------------------------------ rank and name
    longitude, latitude = _transformers()[1].transform(centre[:, 0], centre[:, 1])
    table = pd.DataFrame({
        "district_code": pd.Series(district, dtype=object),
        "district": pd.Series([DISTRICTS.get(code, code) for code in district], dtype=object),
        "reports": reports_now.astype(np.int64),
        "reports_12_months": reports_12,
        "weeks_12_months": weeks_12,
        "standing": pd.Series(standing, dtype=object),
        "latitude": np.asarray(latitude, dtype=float),
        "longitude": np.asarray(longitude, dtype=float),
        "_x": centre[:, 0],
        "_y": centre[:, 1],
    })
    table = table.sort_values(["reports", "reports_12_months", "_y"],
                              ascending=[False, False, False], kind="stable")
    table = table.head(limit) if limit is not None else table
    # Words are made for the listed places only: there may be thousands of places.
    ids = table.index.to_numpy()
    words: dict[str, list[str] | list[int]] = {}
    words["main_reasons"], words["main_reason_counts"] = _main_reasons(reason_table[ids])
    words["peak_day"], words["peak_day_reports"] = _peaks(day_table[ids], _WEEKDAYS)
    words["peak_time"], words["peak_time_reports"] = _peaks(band_table[ids], _BANDS)
    for name, values in words.items():
        table[name] = pd.Series(values, index=table.index,
                                dtype="int64" if name.endswith("_reports") else object)
    order = np.argsort(group, kind="stable")  # cells stay sorted within a place
    bounds = np.searchsorted(group[order], np.arange(places + 1))
    cell_names = cells.to_numpy(dtype=object)[order]
    table["cells"] = pd.Series(
        [";".join(cell_names[bounds[place]:bounds[place + 1]]) for place in ids],
        index=table.index, dtype=object)
    table = table.reset_index(drop=True)
    listed = table[["_x", "_y"]].to_numpy(dtype=float)
    table.insert(0, "rank", np.arange(1, len(table) + 1, dtype=np.int64))
    table.insert(1, "name", pd.Series(place_names(listed), dtype=object))
    table.insert(4, "lsoa_name", pd.Series(_lsoa_names(listed), dtype=object))
    return table[list(PLACE_COLUMNS)]
