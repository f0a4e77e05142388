"""List, for one agency, the places where people gave the reasons that agency can act on.

The places are those of the Hotspots page's list (:func:`safetymap.analysis.places.
patrol_places`: a selection's reports within 150 m of one another, with their standing
over the last 12 months); no second grouping is made. An agency's list keeps the places
where at least one report gives one of its reasons (:mod:`safetymap.agencies`), and says
for each how many reports give them, which, when (the peak weekday and time of day of
those reports) and, in one line, why the place is on the list (:func:`action_why`).

The agency's reasons choose the reports: a reasons filter of the selection is not applied
(the places are made from every report of the selection's districts, days and times).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import shapely

from loaders.counts import ReportCounts
from loaders.vocab import REASONS, TIME_OF_DAY
from safetymap.agencies import Agency
from safetymap.analysis.counts import as_counts, count_many, selection_period
from safetymap.analysis.filters import Filters
from safetymap.analysis.places import (
    _BANDS,
    _WEEKDAYS,
    PLACE_RESOLUTION,
    STANDINGS,
    _peaks,
    _table,
    patrol_places,
)
from safetymap.disclosure import ENOUGH_TEXT, SMALL_COUNT
from safetymap.roles import Role, check_role

__all__ = ["ACTION_COLUMNS", "RANKING_RULE", "action_why", "agency_actions"]

#: How an agency's places are ordered, in words (the page, the PDF and the CSV say it).
RANKING_RULE = (
    "Places are ranked by the reports giving the agency's reasons; ties keep the order of "
    "the places to patrol (all reports in the period, then reports within 150 m in the "
    "last 12 months, then north to south)."
)
#: Columns of :func:`agency_actions`, in order.
ACTION_COLUMNS: tuple[str, ...] = (
    "rank", "place_rank", "name", "district_code", "district", "reports", "agency_reports",
    "reasons", "reason_counts", "peak_day", "peak_day_reports", "peak_time",
    "peak_time_reports", "standing", "weeks_12_months", "latitude", "longitude", "why",
)
_INTEGERS = frozenset({"rank", "place_rank", "reports", "agency_reports", "peak_day_reports",
                       "peak_time_reports", "weeks_12_months"})


def _empty() -> pd.DataFrame:
    return pd.DataFrame({
        name: pd.Series([], dtype="int64" if name in _INTEGERS else
                        "float64" if name in ("latitude", "longitude") else object)
        for name in ACTION_COLUMNS
    })


def _band_words(bands: str) -> str:
    """Return band codes ("evening or night") as "evening (18:00-22:00) or night (...)"."""
    return " or ".join(TIME_OF_DAY.get(band, band).lower() for band in bands.split(" or ")
                       if band)


def _whole(value: object) -> int:
    return int(str(value))


def action_why(place: Mapping[Any, object], role: Role) -> str:
    """Say in one line why a place is on an agency's list, as ``role`` may read it.

    Police and analysts: "6 of its 7 reports give Poor lighting (6), Other (1); most on
    Friday, in the evening (18:00-22:00); a repeat location (reports in 3 separate weeks of
    the last 12 months)." Partners: no exact count ("5 or more"), only the reasons and
    peaks that describe 5 reports or more, and the standing without its weeks.

    Parameters
    ----------
    place
        A row of :func:`agency_actions`.
    role
        Who reads it.
    """
    check_role(role)
    partner = role == "partner"
    codes = [code for code in str(place["reasons"]).split(";") if code]
    counts = [int(n) for n in str(place["reason_counts"]).split(";") if n]
    given = _whole(place["agency_reports"])
    reports = _whole(place["reports"])
    if partner:
        named = [REASONS[c] for c, n in zip(codes, counts, strict=True) if n >= SMALL_COUNT]
        words = (f"{ENOUGH_TEXT} reports give "
                 + (", ".join(named) if named else "the reasons this agency acts on"))
    else:
        named = [f"{REASONS[c]} ({n})" for c, n in zip(codes, counts, strict=True)]
        share = (f"All {reports} reports" if given == reports and reports > 1 else
                 "Its one report" if reports == 1 else f"{given} of its {reports} reports")
        words = f"{share} {'gives' if reports == 1 or given == 1 else 'give'} " + ", ".join(
            named)
    when = []
    for key, text in (("peak_day", "on {}"), ("peak_time", "in the {}")):
        found = str(place[key])
        if found and (not partner or _whole(place[f"{key}_reports"]) >= SMALL_COUNT):
            when.append(text.format(_band_words(found) if key == "peak_time" else found))
    if when and given > 1:
        words += "; most " + ", ".join(when)
    elif when:
        words += "; " + ", ".join(when)
    standing = str(place["standing"])
    if standing == "hot_spot":
        words += "; in a hot spot of the last 12 months"
    elif standing == "repeat":
        weeks = _whole(place["weeks_12_months"])
        words += ("; a repeat location" if partner else
                  f"; a repeat location (reports in {weeks} separate weeks of the last "
                  "12 months)")
    else:
        words += (f"; {STANDINGS['new'].lower()} (its reports of the last 12 months all in one "
                  "week)")
    return words + "."


def agency_actions(
    reports: ReportCounts | pd.DataFrame,
    filters: Filters,
    agency: Agency,
    *,
    area: shapely.Polygon | shapely.MultiPolygon | None = None,
) -> pd.DataFrame:
    """List the places where an agency's reasons were given, those given most first.

    Parameters
    ----------
    reports
        Where every StreetSafe report is counted (a loaded frame, its counts, or the store).
    filters
        The selection; its ``reasons`` are not applied (the agency's reasons choose the
        reports), and a missing start or end is that of its reports.
    agency
        The agency (:class:`safetymap.agencies.Agency`) whose reasons to look for.
    area
        The study area of the places' 12-month hot spot test, in EPSG:27700
        (``safetymap.analysis.patrol.study_area(filters.districts)``); the county when None.

    Returns
    -------
    pandas.DataFrame
        :data:`ACTION_COLUMNS`, one row per place where at least one report of the period
        gives one of the agency's reasons, in the order of :data:`RANKING_RULE`: ``rank``
        from 1; ``place_rank``, ``name``, ``district_code``, ``district``, ``reports`` (all
        the place's reports in the period), ``standing``, ``weeks_12_months``,
        ``latitude`` and ``longitude`` as :func:`~safetymap.analysis.places.patrol_places`
        gives them; ``agency_reports``, the place's reports giving at least one of the
        agency's reasons; ``reasons`` and ``reason_counts``, each of the agency's reasons
        given there with its reports, most first (ties in the order of
        :data:`loaders.counts.REASON_CODES`), joined by ``;``; ``peak_day``,
        ``peak_time`` and their reports, the weekday and time-of-day band of most of
        the agency's reports there (two tied are both named, three or more give "");
        ``why``, one line in words for police and analysts (:func:`action_why`).
        Empty, with these columns, when no report gives the agency's reasons.
    """
    counts = as_counts(reports)
    everything = replace(filters, reasons=())
    period = selection_period(counts, everything)
    if period is None:
        return _empty()
    everything = replace(everything, start=period[0], end=period[1])
    places = patrol_places(counts, everything, area=area, limit=None)
    if places.empty:
        return _empty()
    given = replace(everything, reasons=agency.reasons)
    counted = count_many(counts, {
        "cells": (given, ("cell",), PLACE_RESOLUTION, None),
        "reason": (given, ("cell", "reason"), PLACE_RESOLUTION, None),
        "event_weekday": (given, ("cell", "event_weekday"), PLACE_RESOLUTION, None),
        "time_of_day": (given, ("cell", "time_of_day"), PLACE_RESOLUTION, None),
    })
    # Each cell of the selection is in exactly one place: the places' own cells.
    cell_place = {cell: number for number, cells in enumerate(places["cells"])
                  for cell in str(cells).split(";")}
    cells = pd.Index(list(cell_place), dtype=object)
    owner = np.fromiter(cell_place.values(), dtype=np.int64, count=len(cell_place))

    def per_place(table: np.ndarray) -> np.ndarray:
        out = np.zeros((len(places), table.shape[1]), dtype=np.int64)
        np.add.at(out, owner, table)
        return out

    found = counted["cells"].assign(one="all")
    agency_reports = per_place(_table(found, "one", cells, ("all",)))[:, 0]
    reasons = per_place(_table(counted["reason"], "reason", cells, agency.reasons))
    days = per_place(_table(counted["event_weekday"], "event_weekday", cells,
                            tuple(range(7))))
    bands = per_place(_table(counted["time_of_day"], "time_of_day", cells, _BANDS))

    keep = np.flatnonzero(agency_reports > 0)
    if not keep.size:
        return _empty()
    order = np.argsort(reasons[keep] * -1, axis=1, kind="stable")
    reason_codes, reason_counts = [], []
    for row, ranked in zip(reasons[keep].tolist(), order.tolist(), strict=True):
        reason_codes.append(";".join(agency.reasons[i] for i in ranked if row[i] > 0))
        reason_counts.append(";".join(str(row[i]) for i in ranked if row[i] > 0))
    peak_day, peak_day_reports = _peaks(days[keep], _WEEKDAYS)
    peak_time, peak_time_reports = _peaks(bands[keep], _BANDS)
    chosen = places.iloc[keep].reset_index(drop=True)
    table = pd.DataFrame({
        "place_rank": chosen["rank"].to_numpy(dtype=np.int64),
        "name": chosen["name"].to_numpy(dtype=object),
        "district_code": chosen["district_code"].to_numpy(dtype=object),
        "district": chosen["district"].to_numpy(dtype=object),
        "reports": chosen["reports"].to_numpy(dtype=np.int64),
        "agency_reports": agency_reports[keep].astype(np.int64),
        "reasons": pd.Series(reason_codes, dtype=object),
        "reason_counts": pd.Series(reason_counts, dtype=object),
        "peak_day": pd.Series(peak_day, dtype=object),
        "peak_day_reports": np.asarray(peak_day_reports, dtype=np.int64),
        "peak_time": pd.Series(peak_time, dtype=object),
        "peak_time_reports": np.asarray(peak_time_reports, dtype=np.int64),
        "standing": chosen["standing"].to_numpy(dtype=object),
        "weeks_12_months": chosen["weeks_12_months"].to_numpy(dtype=np.int64),
        "latitude": chosen["latitude"].to_numpy(dtype=float),
        "longitude": chosen["longitude"].to_numpy(dtype=float),
    })
    table = table.sort_values(["agency_reports", "place_rank"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1, dtype=np.int64))
    table["why"] = pd.Series([action_why(row, "analyst") for row in table.to_dict("records")],
                             dtype=object)
    return table[list(ACTION_COLUMNS)]

