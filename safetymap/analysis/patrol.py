"""Put the hotspot pieces together for one selection: cells, changes, places, when.

The Hotspots page, ``safetymap hotspots``, ``safetymap map`` and the patrol briefing all
call :func:`analyse_hotspots`, so they always agree on the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from geodata import DISTRICTS, load_county, load_districts
from loaders.counts import ReportCounts, Slot
from safetymap.analysis.counts import CountRequest, as_counts, count_many, selection_period
from safetymap.analysis.filters import Filters
from safetymap.analysis.hotspots import (
    MIN_HOTSPOT_REPORTS,
    PROFILE_DIMENSIONS,
    WHEN_DIMENSIONS,
    HotspotResult,
    ScaleChoice,
    area_counts,
    asked_scale,
    cell_polygons,
    choose_resolution,
    classify,
    compare_periods,
    previous_period,
    profiles_of_counts,
    when_matrix_of_counts,
)
from safetymap.analysis.places import empty_places, patrol_places
from safetymap.roles import SMALL_COUNT, Role

__all__ = ["HotspotAnalysis", "Prediction", "Slot", "analyse_hotspots", "area_name",
           "heat_points", "prediction_of", "prediction_words", "slot_reports", "study_area"]


def _percent(share: float) -> str:
    """Return a share as a percentage in words: "21%", "0.4%", "under 0.1%"."""
    percent = 100.0 * share
    if percent == 0:
        return "0%"
    if percent < 0.1:
        return "under 0.1%"
    return f"{percent:.1f}%" if percent < 10 else f"{percent:.0f}%"


@dataclass(frozen=True)
class Prediction:
    """How well the previous period's hot spots caught this period's reports.

    Attributes
    ----------
    hot_cells_before
        Hexagons that were hot spots in the previous period.
    area_share
        Their share of the study area (0 to 1).
    reports_caught
        Reports of this period inside them.
    reports_now
        Reports of this period in all.
    """

    hot_cells_before: int
    area_share: float
    reports_caught: int
    reports_now: int

    @property
    def hit_rate(self) -> float:
        """Return the share of this period's reports inside last period's hot spots."""
        return self.reports_caught / self.reports_now if self.reports_now else math.nan

    @property
    def pai(self) -> float:
        """Return the Predictive Accuracy Index: hit rate over area share (Chainey et al.).

        1 is what hexagons picked at random would do; 5 means the hot spots caught five
        times the share of reports that their share of the area would.
        """
        if not self.reports_now or self.area_share <= 0:
            return math.nan
        return self.hit_rate / self.area_share

    def words(self, area_name: str) -> str:
        """Say it in one sentence, e.g. "Last period's hot spots cover 3% of Watford ..."."""
        if self.hot_cells_before == 0:
            return (f"The previous period had no hot spot in {area_name}, so there is "
                    "nothing to test against this period.")
        if not self.reports_now:
            return "This period has no report to test last period's hot spots against."
        sentence = (
            f"Last period's hot spots cover {_percent(self.area_share)} of {area_name} and "
            f"held {_percent(self.hit_rate)} of this period's reports"
        )
        return (f"{sentence}: a Predictive Accuracy Index of {self.pai:.1f} (1 is what "
                "hexagons picked at random would do; higher predicts better).")


def prediction_words(prediction: Prediction, area_name: str, role: Role) -> str:
    """Return :meth:`Prediction.words` as a role may see it.

    For partners the sentence is shown only when at least 5 of this period's reports fell
    inside last period's hot spots and at least 5 outside: a share of fewer would give
    away a small count.
    """
    caught, missed = prediction.reports_caught, prediction.reports_now - prediction.reports_caught
    if role == "partner" and prediction.hot_cells_before and (
        caught < SMALL_COUNT or missed < SMALL_COUNT
    ):
        return (f"Not shown to partners: fewer than {SMALL_COUNT} of this period's reports "
                "fell inside, or outside, last period's hot spots.")
    return prediction.words(area_name)


def area_name(districts: tuple[str, ...]) -> str:
    """Return the study area in words: "Hertfordshire", "Watford", "Watford and Dacorum"."""
    if not districts:
        return "Hertfordshire"
    words = [DISTRICTS.get(code, code) for code in districts]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def prediction_of(current: pd.DataFrame, previous: pd.DataFrame) -> Prediction:
    """Measure how well ``previous``'s hot cells caught ``current``'s reports.

    Both are :func:`~safetymap.analysis.hotspots.getis_ord` outputs at one resolution over
    one study area (``cell_id``, ``reports``, ``hotspot``; ``area_share`` and ``in_area``
    when known). The area share counts each hot hexagon's share inside the area over the
    area's hexagons.
    """
    hot = previous.loc[previous["hotspot"].astype(str).str.startswith("hot_"), "cell_id"]
    weight = (current["area_share"] if "area_share" in current.columns
              else pd.Series(1.0, index=current.index))
    in_area = (current["in_area"].to_numpy(dtype=bool) if "in_area" in current.columns
               else np.ones(len(current), dtype=bool))
    caught = current["cell_id"].isin(set(hot))
    area_total = float(weight[in_area].sum())
    area_hot = float(weight[caught.to_numpy() & in_area].sum())
    return Prediction(
        hot_cells_before=len(hot),
        area_share=area_hot / area_total if area_total else 0.0,
        reports_caught=int(current.loc[caught, "reports"].sum()),
        reports_now=int(current["reports"].sum()),
    )


@dataclass(frozen=True, eq=False)
class HotspotAnalysis:
    """Everything the hotspot views show about one selection."""

    result: HotspotResult
    selected_reports: int
    #: Why and when per cell (:func:`~safetymap.analysis.hotspots.profiles_of_counts`),
    #: for the cells with reports only: merge onto the cells, reading "" where absent.
    profiles: pd.DataFrame
    changes: pd.DataFrame
    places: pd.DataFrame
    when: pd.DataFrame
    period: tuple[date, date] | None
    previous: tuple[date, date] | None
    previous_reports: int
    #: The hexagon size and why it was used.
    scale: ScaleChoice
    #: Why the periods are not compared (changes are then empty); "" when they are.
    comparison_note: str
    #: How well the previous period's hot spots caught this period's reports; None when
    #: the periods are not compared.
    prediction: Prediction | None

    def cells_with_polygons(self) -> gpd.GeoDataFrame:
        """Return the cells holding a report or a class, as WGS84 hexagons."""
        cells = self.result.cells
        shown = cells[(cells["reports"] > 0) | (cells["hotspot"] != "none")]
        return cell_polygons(shown)


def heat_points(cells: pd.DataFrame, *, role: Role = "analyst") -> pd.DataFrame:
    """Return one weighted point per occupied cell (centre, reports) for a heat layer.

    Weighting cell centres keeps the heat layer's payload to the number of occupied
    cells, however many reports there are. Partners get no heat layer (an empty table):
    its weights are counts of single hexagons, and where they are small its marks are
    the places of single reports.
    """
    occupied = cells[cells["reports"] > 0]
    if role == "partner":
        occupied = occupied[:0]
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


def analyse_hotspots(
    reports: ReportCounts | pd.DataFrame,
    filters: Filters,
    *,
    resolution: int | None = None,
    slot: Slot | None = None,
    places: int | None = 10,
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
        H3 resolution of the hexagons; None chooses it from the density of the selection
        (:func:`~safetymap.analysis.hotspots.choose_resolution`).
    slot
        A weekday and hour of the when-matrix to narrow both periods to, or None.
    places
        How many top places to list (:func:`safetymap.analysis.places.patrol_places`: the
        period's reports grouped into places, busiest first).; None lists none (an empty
        table), for a page that draws the map first and lists the places after it
        (:func:`top_places`).
    """
    counts = as_counts(reports)
    area = study_area(filters.districts)
    period = selection_period(counts, filters)
    previous = previous_period(*period) if period is not None else None
    if resolution is None:
        total = int(counts.count(filters, (), slot=slot)["reports"].sum())
        scale = choose_resolution(total, area)
    else:
        scale = asked_scale(resolution)
    resolution = scale.resolution

    # The day-by-hour matrix is the one count the chosen slot does not narrow.
    requests: dict[str, CountRequest] = {
        "now": (filters, ("cell",), resolution, slot),
        "when": (filters, WHEN_DIMENSIONS, resolution, None),
        **{name: (filters, ("cell", name), resolution, slot) for name in PROFILE_DIMENSIONS},
    }
    if previous is not None:
        requests["before"] = (replace(filters, start=previous[0], end=previous[1]),
                              ("cell",), resolution, slot)
    counted = count_many(counts, requests)

    def tested(per_cell: pd.DataFrame) -> HotspotResult:
        return classify(area_counts(per_cell, resolution=resolution, area=area),
                        resolution=resolution)

    result = tested(counted["now"])
    selected = int(result.cells["reports"].sum())
    # Only cells with reports have a reason or a peak to tell (the rest read "" either way).
    profiles = profiles_of_counts(
        result.cells.loc[result.cells["reports"] > 0], counts, filters,
        resolution=resolution, slot=slot,
        counted={name: counted[name] for name in PROFILE_DIMENSIONS},
    )
    when = when_matrix_of_counts(counts, filters, counted["when"])
    note = ""
    if "before" in counted:
        tested_before = tested(counted["before"])
        before = tested_before.cells
        assert previous is not None  # "before" is only counted with a previous period
        note = _comparison_note(counts, previous, tested_before)
    else:  # nothing selected has a time: nothing to compare with
        before = result.cells.assign(reports=0, hotspot="none")
        note = "There is no period to compare with."
    if note:
        changes = compare_periods(result.cells, before).iloc[0:0]
        prediction = None
    else:
        changes = compare_periods(result.cells, before)
        prediction = prediction_of(result.cells, before)
    listed = (top_places(counts, filters, slot=slot, limit=places) if places is not None
              else empty_places())
    return HotspotAnalysis(
        result=result, selected_reports=selected, profiles=profiles, changes=changes,
        places=listed, when=when, period=period, previous=previous,
        previous_reports=int(before["reports"].sum()), scale=scale,
        comparison_note=note, prediction=prediction,
    )


def top_places(
    reports: ReportCounts | pd.DataFrame, filters: Filters, *, slot: Slot | None = None,
    limit: int = 10,
) -> pd.DataFrame:
    """Return the selection's top places to patrol, as :func:`analyse_hotspots` lists them.

    Its own step, so that a page can draw the map before it works out the places (at a
    million reports the places of a county-wide quarter take longer than its map).
    """
    counts = as_counts(reports)
    return patrol_places(counts, filters, area=study_area(filters.districts), slot=slot,
                         limit=limit)


def _comparison_note(
    counts: ReportCounts, previous: tuple[date, date],
    tested_before: HotspotResult,
) -> str:
    """Say why the previous period cannot be compared with this one; "" when it can.

    It cannot when the data (all reports, in any district) begin after the previous period
    does (its reports are then missing, not absent), or when it held too few reports for
    a hot spot test: every hot spot now would otherwise be called "new".
    """
    # The county's first report, not the selection's: in a quiet district the first
    # report can come weeks after the data do.
    everything = counts.span(Filters())
    if everything is None or everything[0] > previous[0]:
        begins = f" on {everything[0]:%d %B %Y}" if everything is not None else ""
        return (
            f"No comparison: the data begin{begins}, after the previous period of the same "
            f"length ({previous[0]:%d %b %Y} to {previous[1]:%d %b %Y}) starts, so its "
            "reports are missing rather than absent."
        )
    if not tested_before.reliable:
        return (
            f"No comparison: the previous period ({previous[0]:%d %b %Y} to "
            f"{previous[1]:%d %b %Y}) held fewer than {MIN_HOTSPOT_REPORTS} reports, too "
            "few for a hot spot test, so no hot spot can be called new or persistent."
        )
    return ""
