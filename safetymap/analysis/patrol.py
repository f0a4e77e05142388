"""Put the hotspot pieces together for one selection: cells, changes, places, when.

The Hotspots page, ``safetymap hotspots``, ``safetymap map`` and the patrol briefing all
call :func:`analyse_hotspots`, so they always agree on the figures.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date

import geopandas as gpd
import h3
import pandas as pd
import shapely

from geodata import load_county, load_districts
from loaders.counts import ReportCounts, Slot
from safetymap.analysis.counts import FrameCounts, as_counts, selection_period
from safetymap.analysis.filters import Filters
from safetymap.analysis.hotspots import (
    DEFAULT_RESOLUTION,
    PROFILE_DIMENSIONS,
    WHEN_DIMENSIONS,
    HotspotResult,
    area_counts,
    cell_polygons,
    classify,
    compare_periods,
    previous_period,
    profiles_of_counts,
    when_matrix_of_counts,
)
from safetymap.analysis.places import patrol_places
from safetymap.roles import SMALL_COUNT, Role

#: Counts a store is asked for at once (each opens its own connection).
_WORKERS = 4

__all__ = ["HotspotAnalysis", "Slot", "analyse_hotspots", "heat_points", "slot_reports",
           "study_area"]


@dataclass(frozen=True, eq=False)
class HotspotAnalysis:
    """Everything the hotspot views show about one selection."""

    result: HotspotResult
    selected_reports: int
    profiles: pd.DataFrame
    changes: pd.DataFrame
    places: pd.DataFrame
    when: pd.DataFrame
    period: tuple[date, date] | None
    previous: tuple[date, date] | None
    previous_reports: int

    def cells_with_polygons(self) -> gpd.GeoDataFrame:
        """Return the cells holding a report or a class, as WGS84 hexagons."""
        cells = self.result.cells
        shown = cells[(cells["reports"] > 0) | (cells["hotspot"] != "none")]
        return cell_polygons(shown)


def heat_points(cells: pd.DataFrame, *, role: Role = "analyst") -> pd.DataFrame:
    """Return one weighted point per occupied cell (centre, reports) for a heat layer.

    Weighting cell centres keeps the heat layer's payload to the number of occupied
    cells, however many reports there are. For partners, as on the hexagon layer, a cell
    with 1 to 4 reports is left out unless it is a hot or cold spot: its weight would be
    its count.
    """
    occupied = cells[cells["reports"] > 0]
    if role == "partner":
        occupied = occupied[(occupied["reports"] >= SMALL_COUNT)
                            | (occupied["hotspot"] != "none")]
    centres = [h3.cell_to_latlng(cell) for cell in occupied["cell_id"]]
    return pd.DataFrame(
        {
            "latitude": [lat for lat, _ in centres],
            "longitude": [lon for _, lon in centres],
            "weight": occupied["reports"].to_numpy(dtype=float),
        }
    )


def study_area(districts: tuple[str, ...]) -> shapely.Geometry:
    """Return the area tested: the chosen districts, or the county when none is chosen."""
    if not districts:
        return load_county().geometry.iloc[0]
    shapes = load_districts()
    return shapely.union_all(shapes[shapes["code"].isin(districts)].geometry.to_numpy())


def slot_reports(
    reports: ReportCounts | pd.DataFrame, filters: Filters, slot: Slot | None
) -> pd.DataFrame:
    """Return the reports of the selection, narrowed to the slot when one is chosen."""
    return as_counts(reports).rows(filters, slot=slot)


#: One count to make: the selection, the dimensions, and whether the slot narrows it.
_Request = tuple[Filters, tuple[str, ...], bool]


def _count_all(
    counts: ReportCounts, requests: dict[str, _Request], *, resolution: int, slot: Slot | None
) -> dict[str, pd.DataFrame]:
    """Make several counts; a store answers them at once, each in its own connection.

    A loaded frame counts them one after the other: its counts are milliseconds of numpy,
    which threads would only slow down.
    """
    def one(request: _Request) -> pd.DataFrame:
        selection, by, narrowed = request
        return counts.count(selection, by, resolution=resolution,
                            slot=slot if narrowed else None)

    if isinstance(counts, FrameCounts) or len(requests) < 2:
        return {name: one(request) for name, request in requests.items()}
    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(requests))) as pool:
        futures = {name: pool.submit(one, request) for name, request in requests.items()}
        return {name: future.result() for name, future in futures.items()}


def analyse_hotspots(
    reports: ReportCounts | pd.DataFrame,
    filters: Filters,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    slot: Slot | None = None,
    places: int = 10,
) -> HotspotAnalysis:
    """Test the selected reports for hot spots and compare with the period before.

    Every figure is a count of a selection, so with a store the counting runs in the
    database and no report leaves it; the store's counts are asked for at once.

    Parameters
    ----------
    reports
        Where every StreetSafe report is counted (a loaded frame, its
        :class:`~safetymap.analysis.counts.FrameCounts`, or the store): the previous
        period is counted from them too.
    filters
        The selection; its districts are the study area.
    resolution
        H3 resolution of the hexagons.
    slot
        A weekday and hour of the when-matrix to narrow both periods to, or None.
    places
        How many top places to list (:func:`safetymap.analysis.places.patrol_places`: the
        period's reports grouped into places, busiest first).
    """
    counts = as_counts(reports)
    area = study_area(filters.districts)
    period = selection_period(counts, filters)
    previous = previous_period(*period) if period is not None else None

    requests: dict[str, _Request] = {
        "now": (filters, ("cell",), True),
        "when": (filters, WHEN_DIMENSIONS, False),
        **{name: (filters, ("cell", name), True) for name in PROFILE_DIMENSIONS},
    }
    if previous is not None:
        requests["before"] = (replace(filters, start=previous[0], end=previous[1]),
                              ("cell",), True)
    counted = _count_all(counts, requests, resolution=resolution, slot=slot)

    def tested(per_cell: pd.DataFrame) -> HotspotResult:
        return classify(area_counts(per_cell, resolution=resolution, area=area),
                        resolution=resolution)

    result = tested(counted["now"])
    selected = int(result.cells["reports"].sum())
    profiles = profiles_of_counts(
        result.cells, counts, filters, resolution=resolution, slot=slot,
        counted={name: counted[name] for name in PROFILE_DIMENSIONS},
    )
    when = when_matrix_of_counts(counts, filters, counted["when"])
    if "before" in counted:
        before = tested(counted["before"]).cells
    else:  # nothing selected has a time: nothing to compare with
        before = result.cells.assign(reports=0, hotspot="none")
    changes = compare_periods(result.cells, before)
    listed = patrol_places(counts, filters, area=area, slot=slot, limit=places)
    return HotspotAnalysis(
        result=result, selected_reports=selected, profiles=profiles, changes=changes,
        places=listed, when=when, period=period, previous=previous,
        previous_reports=int(before["reports"].sum()),
    )
