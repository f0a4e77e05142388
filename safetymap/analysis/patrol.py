"""Put the hotspot pieces together for one selection: cells, changes, places, when.

The Hotspots page, ``safetymap hotspots``, ``safetymap map`` and the patrol briefing all
call :func:`analyse_hotspots`, so they always agree on the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import geopandas as gpd
import h3
import pandas as pd
import shapely

from geodata import load_county, load_districts
from safetymap.analysis.filters import Filters, filter_reports
from safetymap.analysis.hotspots import (
    DEFAULT_RESOLUTION,
    HotspotResult,
    cell_polygons,
    cell_profiles,
    compare_periods,
    hotspots,
    previous_period,
    slot_mask,
    top_places,
    when_matrix,
)


@dataclass(frozen=True)
class Slot:
    """One cell of the when-matrix: a weekday (0 = Monday) and an hour (0-23)."""

    weekday: int
    hour: int


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


def heat_points(cells: pd.DataFrame) -> pd.DataFrame:
    """Return one weighted point per occupied cell (centre, reports) for a heat layer.

    Weighting cell centres keeps the heat layer's payload to the number of occupied
    cells, however many reports there are.
    """
    occupied = cells[cells["reports"] > 0]
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


def _period(reports: pd.DataFrame, filters: Filters) -> tuple[date, date] | None:
    """Return the period looked at: the filter's dates, else the span of the reports."""
    if filters.start is not None and filters.end is not None:
        return filters.start, filters.end
    times = reports["event_at"].dropna()
    if times.empty:
        return None
    start = filters.start or times.min().date()
    end = filters.end or times.max().date()
    return start, end


def slot_reports(reports: pd.DataFrame, filters: Filters, slot: Slot | None) -> pd.DataFrame:
    """Return the reports of the selection, narrowed to the slot when one is chosen."""
    selected = filter_reports(reports, filters)
    if slot is not None:
        selected = selected[slot_mask(selected, slot.weekday, hour=slot.hour)]
    return selected


def analyse_hotspots(
    reports: pd.DataFrame,
    filters: Filters,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    slot: Slot | None = None,
    cell_ids: pd.Series | None = None,
    places: int = 10,
) -> HotspotAnalysis:
    """Test the selected reports for hot spots and compare with the period before.

    Parameters
    ----------
    reports
        Every StreetSafe report (unfiltered): the previous period is cut from them too.
    filters
        The selection; its districts are the study area.
    resolution
        H3 resolution of the hexagons.
    slot
        A weekday and hour of the when-matrix to narrow both periods to, or None.
    cell_ids
        :func:`safetymap.analysis.hotspots.report_cells` of ``reports``, if already known.
    places
        How many top places to list.
    """
    selected = slot_reports(reports, filters, slot)
    when = when_matrix(filter_reports(reports, filters))
    area = study_area(filters.districts)
    ids = cell_ids.loc[selected.index] if cell_ids is not None else None
    result = hotspots(selected, resolution=resolution, area=area, cell_ids=ids)
    profiles = cell_profiles(selected, result.cells, resolution=resolution, cell_ids=ids)

    period = _period(selected, filters)
    previous = previous_period(*period) if period is not None else None
    before = selected.iloc[0:0]
    if previous is not None:
        earlier = replace(filters, start=previous[0], end=previous[1])
        before = filter_reports(reports, earlier)
        if slot is not None:
            before = before[slot_mask(before, slot.weekday, hour=slot.hour)]
    before_ids = cell_ids.loc[before.index] if cell_ids is not None else None
    before_result = hotspots(before, resolution=resolution, area=area, cell_ids=before_ids)
    changes = compare_periods(result.cells, before_result.cells)
    listed = top_places(result, profiles, changes, limit=places)
    return HotspotAnalysis(
        result=result, selected_reports=len(selected), profiles=profiles, changes=changes,
        places=listed, when=when, period=period, previous=previous, previous_reports=len(before),
    )
