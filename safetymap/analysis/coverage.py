"""Measure where and when support services reach the people who feel unsafe.

Everything here is pure: frames in, frames out, no streamlit and no settings. The inputs
are the loaders' frames (CONTRACT §1-§3): StreetSafe ``reports`` (``district_code``,
``lsoa_code``, ``occurred_at``, ``geometry`` in EPSG:27700), ``services`` (``category``,
``confidential``, ``coverage``, ``opening_hours``, ``geometry``) and, for the gap ranking,
survey responses (``district_code``, ``safe_after_dark`` 1-5 with 1 = Very unsafe,
``weight``).

Three questions, one function family each:

Where
    :func:`coverage_matrix` says whether any service of a category serves a district (its
    ``coverage`` is ``county`` or lists the district). :func:`nearest_km` measures the
    straight line from points to the nearest place of a category; the district medians
    are taken over LSOA points (:func:`lsoa_population_centroids`, "where people live")
    and over the district's reports ("where people felt unsafe"). See
    :data:`DISTANCE_NOTE`.
When
    :func:`hours_open_per_week` and :func:`reports_when_closed_pct` compare the union of a
    category's opening hours in a district with the times reports happened;
    :func:`hour_of_week_chart_data` gives the 168 hours of a week for a chart.
    :func:`bank_holiday_gap` runs on the real calendar: the reports made on England and
    Wales bank holidays of the period, and how many fell when no local service was open
    (``PH off`` closes a service on those days, ``PH 10:00-14:00`` opens it only then).
Gaps
    :func:`coverage_table` joins the figures per district and category;
    :func:`gap_ranking` ranks districts by need against access with a reason in words
    (:data:`SCORE_NOTE`); :func:`lsoa_gap_ranking` does the same for LSOAs.

Confidential services (refuges, the SARC) count for coverage and hours, which are public,
but their location is never read: every distance starts by dropping rows that are flagged
``confidential`` or belong to a confidential category, before any geometry is touched, so
no output depends on where such a service is, even if a frame arrives with its
coordinates filled in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from geodata import ANALYSIS_CRS, DISTRICTS, load_lsoas, load_population, require_district
from loaders.counts import ReportCounts
from loaders.opening_hours import (
    MINUTES_PER_DAY,
    WeeklyHours,
    bank_holidays,
    open_minutes_on,
    parse_opening_hours,
    union,
)
from loaders.store.base import Selection
from loaders.vocab import CONFIDENTIAL_CATEGORIES, SERVICE_CATEGORIES
from safetymap.analysis.counts import selection_period
from safetymap.analysis.rates import rates_of_counts

__all__ = [
    "BANK_HOLIDAY_NOTE",
    "CATEGORY_WORDS",
    "COVERAGE_CATEGORIES",
    "DISTANCE_NOTE",
    "HOURS_NOTE",
    "LOCAL_CATEGORIES",
    "SCORE_NOTE",
    "ReportSummary",
    "bank_holiday_gap",
    "coverage_matrix",
    "coverage_table",
    "gap_ranking",
    "hour_of_week_chart_data",
    "hours_open_per_week",
    "lsoa_gap_ranking",
    "lsoa_population_centroids",
    "nearest_km",
    "public_services",
    "reports_when_closed_pct",
    "serves_district",
    "summary_of_counts",
    "summary_of_rows",
]

#: Categories compared by default: every contract category but ``other``, a catch-all
#: whose presence or absence says nothing about a particular kind of support.
COVERAGE_CATEGORIES: tuple[str, ...] = tuple(c for c in SERVICE_CATEGORIES if c != "other")

DISTANCE_NOTE = (
    "Distances are straight lines in British National Grid (EPSG:27700), not travel routes, "
    "to the nearest place of the category that serves the district (its coverage is the "
    "county or lists the district). 'Where people live' is one point inside each 2011 LSOA "
    "(its representative point), each LSOA counted once: LSOA populations are not shipped, so "
    "the median is not weighted by residents; LSOAs are drawn to hold 1,000 to 3,000 "
    "residents each, so it is close to a median over people. Confidential services (refuges, "
    "the SARC) are never measured: their locations are not used. 'From reports' is measured "
    "from the centre of the small hexagon (H3 resolution 10, about 130 m across) that holds "
    "each report, weighted by its reports, so each distance is within about 80 m of the "
    "report's own point (reports are counted by hexagon, so that a store of any size is "
    "read as counts, never report by report). A category that no service in the list "
    "belongs to reads 'NO' for every district and is not counted as any district's gap "
    "(it is a gap of the list itself, the same everywhere)."
)

#: H3 resolution of the places reports are measured from when they are counted.
PLACE_RESOLUTION = 10

HOURS_NOTE = (
    "Hours open per week are those of the union of the opening hours of every service of "
    "the category that serves the district (open when at least one is). A report is 'when "
    "closed' if it happened (occurred_at, local time) at a minute when none of them is "
    "open; reports without an occurred_at are left out, and the share is empty when no "
    "report in the district has one. The week is an ordinary one, without a bank holiday; "
    "bank holidays are counted apart, on the real calendar (see the bank holiday figures)."
)

BANK_HOLIDAY_NOTE = (
    "Bank holidays are those of England and Wales in the selected period (a holiday that "
    "falls at a weekend counts on its substitute weekday). On them a service keeps the hours "
    "its opening_hours give for public holidays: 'PH off' closes it, 'PH 10:00-14:00' opens "
    "it only then, and without a PH rule its usual hours for that day apply. A report counts "
    "when it happened (occurred_at, local time) on a bank holiday; it is 'when no local "
    "service was open' when no service serving the district, of any kind but helplines "
    "(telephone lines rather than places to go), was open at that minute."
)

#: Categories that count as "a local service" for the bank holiday figure: every one but
#: telephone helplines, which are not somewhere to go.
LOCAL_CATEGORIES: tuple[str, ...] = tuple(c for c in SERVICE_CATEGORIES if c != "helpline")
_NO_BANK_HOLIDAYS = ("district_code", "day", "minute_of_day", "reports")

SCORE_NOTE = (
    "Gap score = need index x access gap index. Each figure is divided by its average over "
    "the ten districts, so 1.0 is average. Need index: the mean of reports per 1,000 "
    "residents and, when a survey is given, the weighted % of respondents very or fairly "
    "unsafe after dark. Access gap index: the mean of (a) the number of categories that do "
    "not serve the district, (b) the median km from LSOA points to the nearest place serving "
    "it, averaged over categories with such a place, and (c) the % of reports with a time "
    "that fall when a category serving it is closed, averaged over those categories. A "
    "figure that is the same (zero) everywhere counts as 1.0; a figure a district lacks is "
    "left out of its mean. Higher score = more need for less access."
)

#: A figure is called "high" in a reason at this multiple of the districts' average.
HIGH = 1.2
#: A reason mentions a category's hours when at least this % of timed reports fall
#: when it is closed.
CLOSED_REASON_PCT = 50.0

_SERVICE_COLUMNS = ("category", "confidential", "coverage", "opening_hours", "geometry")
_REPORT_COLUMNS = ("district_code", "occurred_at", "geometry")
_LOCAL_TZ = "Europe/London"
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: How a category reads inside a sentence ("no outreach open after 17:00").
CATEGORY_WORDS: dict[str, str] = {
    "helpline": "helpline",
    "idva": "IDVA service",
    "refuge": "refuge",
    "sarc": "SARC",
    "rape_crisis": "rape crisis service",
    "perpetrator_programme": "perpetrator programme",
    "victim_hub": "victim care hub",
    "outreach": "outreach",
    "police": "police",
    "housing": "housing service",
    "other": "other service",
}


# ---------------------------------------------------------------- the reports, summed up
@dataclass(frozen=True, eq=False)
class ReportSummary:
    """What coverage needs to know about a selection of StreetSafe reports.

    Attributes
    ----------
    places
        ``district_code`` and ``reports``, with points in EPSG:27700: where the reports
        are, and how many at each place.
    timed
        ``district_code``, ``minute_of_week`` (0 = Monday 00:00 local time, to 10079) and
        ``reports``: the reports with a known ``occurred_at``.
    per_district
        Reports per district code.
    per_lsoa
        Reports per LSOA code.
    bank_holidays
        The England and Wales bank holidays of the period: the selection's dates, else
        the days the reports span.
    on_bank_holidays
        ``district_code``, ``day`` (a bank holiday), ``minute_of_day`` (0-1439, local
        time) and ``reports``: the reports whose ``occurred_at`` falls on a bank holiday.
    """

    places: gpd.GeoDataFrame
    timed: pd.DataFrame
    per_district: pd.Series
    per_lsoa: pd.Series
    bank_holidays: tuple[date, ...] = ()
    on_bank_holidays: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(_NO_BANK_HOLIDAYS))
    )


def summary_of_rows(reports: pd.DataFrame) -> ReportSummary:
    """Return the summary of report rows, each at its own point and minute.

    Parameters
    ----------
    reports
        StreetSafe reports (``district_code``, ``occurred_at``, ``geometry``; ``lsoa_code``
        for the LSOA ranking).
    """
    _require(reports, ("district_code", "occurred_at"), name="reports")
    reports = reports.reset_index(drop=True)
    located = reports if "geometry" in reports.columns else reports.iloc[0:0].assign(
        geometry=None)
    points = _points(located, name="reports")
    places = gpd.GeoDataFrame(
        {"district_code": located["district_code"].to_numpy(dtype=object),
         "reports": np.ones(len(located), dtype="int64")},
        geometry=points.to_numpy(), crs=ANALYSIS_CRS,
    )
    times = _local_times(reports)
    timed = pd.DataFrame({
        "district_code": reports.loc[times.index, "district_code"].to_numpy(dtype=object),
        "minute_of_week": (times.dt.day_of_week * MINUTES_PER_DAY + times.dt.hour * 60
                           + times.dt.minute).to_numpy(dtype="int64"),
        "reports": np.ones(len(times), dtype="int64"),
    })
    lsoas = (reports["lsoa_code"].value_counts() if "lsoa_code" in reports.columns
             else pd.Series(dtype="int64"))
    days = _period_bank_holidays(times)
    on_days = _on_bank_holidays(reports.loc[times.index, "district_code"], times, days)
    return ReportSummary(places, timed, reports["district_code"].value_counts(), lsoas,
                         days, on_days)


def summary_of_counts(reports: ReportCounts, filters: Selection) -> ReportSummary:
    """Return the summary of a selection from counts (in the store, or of a loaded frame).

    Reports are placed at the centre of their H3 cell at :data:`PLACE_RESOLUTION` (see
    :data:`DISTANCE_NOTE`); their minutes are exact.
    """
    cells = reports.count(filters, ("district_code", "cell"), resolution=PLACE_RESOLUTION)
    centres = np.array([h3.cell_to_latlng(cell) for cell in cells["cell"]],
                       dtype=float).reshape(-1, 2)
    places = gpd.GeoDataFrame(
        {"district_code": cells["district_code"].to_numpy(dtype=object),
         "reports": cells["reports"].to_numpy(dtype="int64")},
        geometry=gpd.points_from_xy(centres[:, 1], centres[:, 0]), crs="EPSG:4326",
    ).to_crs(ANALYSIS_CRS)
    minutes = reports.count(
        filters, ("district_code", "occurred_weekday", "occurred_hour", "occurred_minute")
    )
    timed = pd.DataFrame({
        "district_code": minutes["district_code"].to_numpy(dtype=object),
        "minute_of_week": (minutes["occurred_weekday"] * MINUTES_PER_DAY
                           + minutes["occurred_hour"] * 60
                           + minutes["occurred_minute"]).to_numpy(dtype="int64"),
        "reports": minutes["reports"].to_numpy(dtype="int64"),
    })
    districts = reports.count(filters, ("district_code",))
    lsoas = reports.count(filters, ("lsoa_code",))
    period = selection_period(reports, filters)
    days = tuple(bank_holidays(*period)) if period else ()
    # Counts carry no dates: read the few reports of each bank holiday themselves. A
    # report's event_at is its occurred_at when it has one, so a day's selection holds
    # every report that happened on it.
    frames = [rows for day in days if len(rows := reports.rows(_OneDay(filters, day)))]
    on_days = pd.DataFrame(columns=list(_NO_BANK_HOLIDAYS))
    if frames:
        rows = pd.concat(frames, ignore_index=True)
        times = _local_times(rows)
        on_days = _on_bank_holidays(rows.loc[times.index, "district_code"], times, days)
    return ReportSummary(
        places, timed,
        pd.Series(districts["reports"].to_numpy(), index=districts["district_code"].to_numpy()),
        pd.Series(lsoas["reports"].to_numpy(), index=lsoas["lsoa_code"].to_numpy()),
        days, on_days,
    )


@dataclass(frozen=True)
class _OneDay:
    """A selection narrowed to one day (a :class:`loaders.store.base.Selection`)."""

    within: Selection
    day: date

    @property
    def districts(self) -> tuple[str, ...]:
        """Return the LAD codes to keep."""
        return tuple(self.within.districts)

    @property
    def start(self) -> date:
        """Return the day."""
        return self.day

    @property
    def end(self) -> date:
        """Return the day."""
        return self.day

    @property
    def times_of_day(self) -> tuple[str, ...]:
        """Return the time-of-day bands to keep."""
        return tuple(self.within.times_of_day)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Return the reason codes of which a report must give one."""
        return tuple(self.within.reasons)


def _period_bank_holidays(times: pd.Series) -> tuple[date, ...]:
    """Return the bank holidays from the first to the last local day of ``times``."""
    if times.empty:
        return ()
    return tuple(bank_holidays(times.min().date(), times.max().date()))


def _on_bank_holidays(
    districts: pd.Series, times: pd.Series, days: Sequence[date]
) -> pd.DataFrame:
    """Return the reports (one row each) whose local time falls on one of ``days``."""
    if times.empty or not days:
        return pd.DataFrame(columns=list(_NO_BANK_HOLIDAYS))
    local_days = times.dt.date.to_numpy(dtype=object)
    keep = np.isin(local_days, np.array(list(days), dtype=object))
    chosen = times[keep]
    return pd.DataFrame({
        "district_code": districts.to_numpy(dtype=object)[keep],
        "day": local_days[keep],
        "minute_of_day": (chosen.dt.hour * 60 + chosen.dt.minute).to_numpy(dtype="int64"),
        "reports": np.ones(int(keep.sum()), dtype="int64"),
    })


def _summary(reports: pd.DataFrame | ReportSummary) -> ReportSummary:
    return reports if isinstance(reports, ReportSummary) else summary_of_rows(reports)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Return the median of values each repeated ``weights`` times (NaN values left out).

    With every weight 1 this is the ordinary median, the middle two averaged.

    >>> weighted_median(np.array([3.0, 1.0, 2.0]), np.array([1, 1, 2]))
    2.0
    """
    keep = ~np.isnan(values) & (weights > 0)
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep], kind="stable")
    ordered, counts = values[keep][order], weights[keep][order]
    cumulative = np.cumsum(counts)
    total = int(cumulative[-1])
    lower = ordered[np.searchsorted(cumulative, (total - 1) // 2, side="right")]
    upper = ordered[np.searchsorted(cumulative, total // 2, side="right")]
    return float((lower + upper) / 2)


def _in_district(summary: ReportSummary, district: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    return (summary.places.loc[summary.places["district_code"].eq(district).to_numpy()],
            summary.timed.loc[summary.timed["district_code"].eq(district).to_numpy()])


# ---------------------------------------------------------------- checks and helpers
def _require(frame: pd.DataFrame, columns: Iterable[str], *, name: str) -> None:
    """Raise one error naming every column ``frame`` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        message = (
            f"`{name}` must have the column(s) {', '.join(missing)}; "
            f"got {', '.join(map(str, frame.columns)) or 'no columns'}"
        )
        raise ValueError(message)


def _district(code: str) -> str:
    """Return the current LAD code of a district code or name, or say what is expected."""
    return require_district(code, argument="`district_code`")


def _category(category: str) -> str:
    """Return ``category`` if the contract knows it, or say which ones it does."""
    if category not in SERVICE_CATEGORIES:
        message = f"`category` must be one of {', '.join(SERVICE_CATEGORIES)}, got {category!r}"
        raise ValueError(message)
    return category


def _categories(categories: Sequence[str] | None) -> tuple[str, ...]:
    """Return the categories to compare: those given (checked) or the default ones."""
    if categories is None:
        return COVERAGE_CATEGORIES
    return tuple(_category(category) for category in categories)


def _serving(services: pd.DataFrame, district: str) -> pd.Series:
    """Return, per service, whether its coverage is the county or lists ``district``."""
    coverage = services["coverage"].fillna("").astype(str)
    # Coverage is 'county' or ';'-joined nine-character LAD codes, so a substring match
    # of a code is an exact match of one of the codes.
    return coverage.eq("county") | coverage.str.contains(district, regex=False)


def _serving_services(services: pd.DataFrame, district: str, category: str) -> pd.DataFrame:
    """Return the services of ``category`` that serve ``district``."""
    return services.loc[services["category"].eq(category) & _serving(services, district)]


def _public(services: pd.DataFrame) -> pd.DataFrame:
    """Return only the services whose location may be used.

    A row is dropped when it is flagged confidential, when the flag is missing, or when
    its category is confidential whatever the flag says. Nothing but these three columns
    is read before the rows are dropped.
    """
    flag = services["confidential"].astype("boolean").fillna(True).astype(bool)
    return services.loc[~flag & ~services["category"].isin(CONFIDENTIAL_CATEGORIES)]


def serves_district(services: pd.DataFrame, district_code: str) -> pd.Series:
    """Return, per service, whether it serves a district (coverage ``county`` or lists it).

    Parameters
    ----------
    services
        Support services with ``coverage``.
    district_code
        A Hertfordshire district (LAD code, or a name :func:`geodata.district_code` knows).
    """
    _require(services, ("coverage",), name="services")
    return _serving(services, _district(district_code))


def public_services(services: pd.DataFrame) -> pd.DataFrame:
    """Return only the services whose location may be used (never a confidential one).

    A row is dropped when it is flagged ``confidential``, when the flag is missing, or when
    its category is confidential (refuges, the SARC) whatever the flag says, before any
    other column is read.
    """
    _require(services, ("category", "confidential"), name="services")
    return _public(services)


def _hours(services: pd.DataFrame) -> WeeklyHours:
    """Return the union of the opening hours of ``services`` (never open if none)."""
    texts = services["opening_hours"].dropna().astype(str).unique()
    return union(parse_opening_hours(text) for text in texts)


def _local_times(reports: pd.DataFrame) -> pd.Series:
    """Return the known ``occurred_at`` of each report in Europe/London time (NaT dropped)."""
    times = pd.to_datetime(reports["occurred_at"])
    # Naive times are local (CONTRACT general rules); aware ones are converted.
    if times.dt.tz is None:
        times = times.dt.tz_localize(_LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
    else:
        times = times.dt.tz_convert(_LOCAL_TZ)
    return times.dropna()


def _latest_close(hours: WeeklyHours) -> str:
    """Return the latest time of day any day's opening ends, ``HH:MM``; '' if never open.

    ``24:00`` means open up to midnight (or through it) on at least one day.
    """
    days = hours.minutes.reshape(7, MINUTES_PER_DAY)
    open_days = days.any(axis=1)
    if not open_days.any():
        return ""
    # Last open minute of each open day, plus one: the minute the day's opening ends.
    last = MINUTES_PER_DAY - np.argmax(days[:, ::-1], axis=1)
    latest = int(last[open_days].max())
    return f"{latest // 60:02d}:{latest % 60:02d}"


def _relative(values: pd.Series) -> pd.Series:
    """Return values divided by their mean; all 1.0 when the mean is 0 (nothing differs)."""
    mean = values.mean(skipna=True)
    if pd.isna(mean):
        return pd.Series(np.nan, index=values.index, dtype=float)
    if mean == 0:
        return values.where(values.isna(), 1.0).astype(float)
    return (values / mean).astype(float)


def _join_words(words: Sequence[str]) -> str:
    """Join words as a reader would: 'a', 'a or b', 'a, b or c'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _word(category: str) -> str:
    """Return how a category reads inside a sentence."""
    return CATEGORY_WORDS.get(category, SERVICE_CATEGORIES.get(category, category).lower())


# ---------------------------------------------------------------- where
def coverage_matrix(
    services: pd.DataFrame, *, categories: Sequence[str] | None = None
) -> pd.DataFrame:
    """Return whether each category serves each district, and by how many services.

    Parameters
    ----------
    services
        Support services with ``category`` and ``coverage`` (``county`` or ``;``-joined
        LAD codes).
    categories
        Categories to report, in this order; default :data:`COVERAGE_CATEGORIES` (every
        contract category but ``other``), whether or not the list has a service of it.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``category``, ``covered`` (bool: at least one service of the
        category has coverage ``county`` or lists the district), ``services`` (how many),
        one row per district (in :data:`geodata.DISTRICTS` order) and category.
        Confidential services count: what they serve is public, where they are is not.
    """
    _require(services, ("category", "coverage"), name="services")
    chosen = _categories(categories)
    rows = []
    for district in DISTRICTS:
        serving = _serving(services, district)
        counts = services.loc[serving, "category"].value_counts()
        for category in chosen:
            count = int(counts.get(category, 0))
            rows.append((district, category, count > 0, count))
    return pd.DataFrame(rows, columns=["district_code", "category", "covered", "services"])


def lsoa_population_centroids(*, lsoas: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Return one point per LSOA standing for where its residents live.

    The point is the LSOA's representative point, which always lies inside it (a centroid
    can fall outside a crescent-shaped area). It is not population-weighted: LSOA
    populations are not shipped (see :data:`DISTANCE_NOTE`).

    Parameters
    ----------
    lsoas
        ``code``, ``name``, ``district_code`` and polygons; default the shipped 2011
        LSOAs (:func:`geodata.load_lsoas`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``lsoa_code``, ``lsoa_name``, ``district_code``, ``geometry`` (points, EPSG:27700).
    """
    areas = load_lsoas() if lsoas is None else lsoas
    _require(areas, ("code", "name", "district_code", "geometry"), name="lsoas")
    if areas.crs is None:
        raise ValueError("`lsoas` must have a valid CRS (EPSG:27700 expected), got none")
    areas = areas.to_crs(ANALYSIS_CRS)
    return gpd.GeoDataFrame(
        {
            "lsoa_code": areas["code"].to_numpy(),
            "lsoa_name": areas["name"].to_numpy(),
            "district_code": areas["district_code"].to_numpy(),
        },
        geometry=areas.geometry.representative_point().to_numpy(),
        crs=ANALYSIS_CRS,
    )


def _places(services: pd.DataFrame, category: str, *, serving: str | None) -> gpd.GeoSeries:
    """Return the points of the non-confidential services of a category, in EPSG:27700."""
    public = _public(services)
    chosen = public.loc[public["category"].eq(category)]
    if serving is not None:
        chosen = chosen.loc[_serving(chosen, serving)]
    geometry = chosen["geometry"]
    located = geometry.notna().to_numpy() & ~shapely.is_empty(geometry.to_numpy())
    if not located.any():
        return gpd.GeoSeries([], crs=ANALYSIS_CRS)
    crs = getattr(services, "crs", None)
    if crs is None:
        message = (
            "`services` must be a GeoDataFrame with a valid CRS when services have places, "
            "got no CRS"
        )
        raise ValueError(message)
    return gpd.GeoSeries(geometry.to_numpy()[located], crs=crs).to_crs(ANALYSIS_CRS)


def nearest_km(
    points: gpd.GeoSeries,
    services: pd.DataFrame,
    category: str,
    *,
    serving: str | None = None,
) -> pd.Series:
    """Return the straight-line km from each point to the nearest place of a category.

    Only non-confidential services with a place count: rows flagged ``confidential`` (or
    with no flag) and refuges and SARCs are dropped before any location is read.

    Parameters
    ----------
    points
        Points with a CRS (converted to EPSG:27700); missing or empty points give NaN.
    services
        Support services (a GeoDataFrame with ``category``, ``confidential``,
        ``coverage``, ``geometry``).
    category
        A contract category, e.g. ``"outreach"``.
    serving
        If given, a district code: only places of services that serve it count.

    Returns
    -------
    pandas.Series of float
        Indexed like ``points``; NaN where there is no such place.
    """
    _require(services, _SERVICE_COLUMNS, name="services")
    _category(category)
    district = None if serving is None else _district(serving)
    if points.crs is None:
        raise ValueError("`points` must have a valid CRS (EPSG:27700 expected), got none")
    places = _places(services, category, serving=district)
    geometries = points.to_crs(ANALYSIS_CRS).to_numpy()
    valid = np.flatnonzero(~shapely.is_missing(geometries) & ~shapely.is_empty(geometries))
    if places.empty or len(valid) == 0:
        return pd.Series(np.nan, index=points.index, dtype=float, name="nearest_km")
    tree = shapely.STRtree(places.to_numpy())
    found, distances = tree.query_nearest(
        geometries[valid], return_distance=True, all_matches=False
    )
    kilometres = np.full(len(geometries), np.nan)
    kilometres[valid[found[0]]] = distances / 1000.0
    return pd.Series(kilometres, index=points.index, dtype=float, name="nearest_km")


def _points(frame: pd.DataFrame, *, name: str) -> gpd.GeoSeries:
    """Return the ``geometry`` column of ``frame`` as a GeoSeries with the frame's CRS."""
    crs = getattr(frame, "crs", None)
    if crs is None and frame["geometry"].notna().any():
        raise ValueError(f"`{name}` must be a GeoDataFrame with a valid CRS, got no CRS")
    return gpd.GeoSeries(frame["geometry"].to_numpy(), index=frame.index, crs=crs or ANALYSIS_CRS)


def _weighted_median_km(
    places: gpd.GeoDataFrame, services: pd.DataFrame, category: str, *, serving: str
) -> float:
    """Return the median over reports of :func:`nearest_km`, each place weighted by its reports."""
    if places.empty:
        return float("nan")
    kilometres = nearest_km(places.geometry, services, category, serving=serving)
    return weighted_median(kilometres.to_numpy(dtype=float),
                           places["reports"].to_numpy(dtype="int64"))


def _median_km(
    points: gpd.GeoSeries, services: pd.DataFrame, category: str, *, serving: str
) -> float:
    """Return the median of :func:`nearest_km` over ``points`` (NaN if none has a place)."""
    if points.empty:
        return float("nan")
    return float(nearest_km(points, services, category, serving=serving).median())


# ---------------------------------------------------------------- when
def hours_open_per_week(services: pd.DataFrame, district_code: str, category: str) -> float:
    """Return the hours a week at least one service of a category serving a district is open.

    Parameters
    ----------
    services
        Support services with ``category``, ``coverage`` and ``opening_hours``.
    district_code
        A Hertfordshire district (LAD code, or a name :func:`geodata.district_code` knows).
    category
        A contract category.

    Returns
    -------
    float
        Hours of the union of their opening hours; 0.0 when no such service serves it.
    """
    _require(services, ("category", "coverage", "opening_hours"), name="services")
    chosen = _serving_services(services, _district(district_code), _category(category))
    return _hours(chosen).hours_per_week()


def reports_when_closed_pct(
    reports: pd.DataFrame | ReportSummary,
    services: pd.DataFrame,
    district_code: str,
    category: str,
) -> float:
    """Return the % of a district's timed reports made when no service of a category is open.

    Parameters
    ----------
    reports
        StreetSafe reports with ``district_code`` and ``occurred_at``.
    services
        Support services with ``category``, ``coverage`` and ``opening_hours``.
    district_code
        The district whose reports and serving services are compared.
    category
        A contract category.

    Returns
    -------
    float
        0-100: the share of the district's reports with a known ``occurred_at`` (in
        Europe/London time) at a minute when no service of the category serving the
        district is open; 100 when none serves it; NaN when no report has a known time.
    """
    _require(services, ("category", "coverage", "opening_hours"), name="services")
    district = _district(district_code)
    _, timed = _in_district(_summary(reports), district)
    hours = _hours(_serving_services(services, district, _category(category)))
    return _closed_pct(hours, timed)


def _closed_pct(hours: WeeklyHours, timed: pd.DataFrame) -> float:
    """Return the % of timed reports (``minute_of_week``, ``reports``) when ``hours`` are shut."""
    weights = timed["reports"].to_numpy(dtype="int64")
    if weights.sum() == 0:
        return float("nan")
    weekday, minute = np.divmod(timed["minute_of_week"].to_numpy(dtype=np.intp), MINUTES_PER_DAY)
    shut = ~hours.open_at(weekday, minute)
    return float(100.0 * weights[shut].sum() / weights.sum())


def hour_of_week_chart_data(
    reports: pd.DataFrame | ReportSummary,
    services: pd.DataFrame,
    district_code: str,
    *,
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the 168 hours of a week: reports in each, and how much of it each category is open.

    Parameters
    ----------
    reports
        StreetSafe reports with ``district_code`` and ``occurred_at``; only the district's
        reports with a known ``occurred_at`` (Europe/London time) are counted.
    services
        Support services with ``category``, ``coverage`` and ``opening_hours``.
    district_code
        The district to chart.
    categories
        Categories to give a column each; default :data:`COVERAGE_CATEGORIES`.

    Returns
    -------
    pandas.DataFrame
        168 rows, Monday 00:00 first: ``hour_of_week`` (0-167), ``weekday`` (0 = Monday),
        ``day`` (``Mon`` ... ``Sun``), ``hour`` (0-23), ``label`` (``Mon 00:00``),
        ``reports``, and ``open_<category>`` for each category: the fraction (0-1) of that
        hour in which at least one service of the category serving the district is open
        (0 throughout when none serves it).
    """
    _require(services, ("category", "coverage", "opening_hours"), name="services")
    district = _district(district_code)
    chosen = _categories(categories)
    hour_of_week = np.arange(7 * 24)
    weekday, hour = np.divmod(hour_of_week, 24)
    _, timed = _in_district(_summary(reports), district)
    slots = timed["minute_of_week"].to_numpy(dtype=np.intp) // 60
    chart = pd.DataFrame(
        {
            "hour_of_week": hour_of_week,
            "weekday": weekday,
            "day": [_DAY_NAMES[day] for day in weekday],
            "hour": hour,
            "label": [f"{_DAY_NAMES[d]} {h:02d}:00" for d, h in zip(weekday, hour, strict=True)],
            "reports": np.bincount(
                slots, weights=timed["reports"].to_numpy(dtype=float), minlength=7 * 24
            ).astype("int64"),
        }
    )
    for category in chosen:
        hours = _hours(_serving_services(services, district, category))
        chart[f"open_{category}"] = hours.open_hours_of_week()
    return chart


def bank_holiday_gap(
    reports: pd.DataFrame | ReportSummary,
    services: pd.DataFrame,
    *,
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return, per district, the reports made on bank holidays and those when all was shut.

    Parameters
    ----------
    reports
        StreetSafe reports (``district_code``, ``occurred_at``) or their summary; the
        period is the one they span (:attr:`ReportSummary.bank_holidays`).
    services
        Support services with ``category``, ``coverage`` and ``opening_hours``.
    categories
        The categories that count as a local service; default :data:`LOCAL_CATEGORIES`
        (every one but helplines).

    Returns
    -------
    pandas.DataFrame
        One row per district (:data:`geodata.DISTRICTS` order): ``district_code``,
        ``district_name``, ``bank_holidays`` (how many in the period),
        ``bank_holiday_reports`` (reports that happened on one) and
        ``bank_holiday_reports_when_closed`` (those at a minute when no service of the
        categories serving the district was open on that day, bank holiday rules applied).

    Notes
    -----
    See :data:`BANK_HOLIDAY_NOTE`.
    """
    _require(services, ("category", "coverage", "opening_hours"), name="services")
    summary = _summary(reports)
    chosen = LOCAL_CATEGORIES if categories is None else _categories(categories)
    local = services.loc[services["category"].isin(chosen)]
    rows = []
    for district, name in DISTRICTS.items():
        on_days = summary.on_bank_holidays.loc[
            summary.on_bank_holidays["district_code"].eq(district).to_numpy()
        ]
        rows.append({
            "district_code": district,
            "district_name": name,
            "bank_holidays": len(summary.bank_holidays),
            "bank_holiday_reports": int(on_days["reports"].sum()),
            "bank_holiday_reports_when_closed": _closed_on_days(
                local.loc[_serving(local, district)], on_days
            ),
        })
    return pd.DataFrame(rows).astype(
        {"bank_holidays": "int64", "bank_holiday_reports": "int64",
         "bank_holiday_reports_when_closed": "int64"}
    )


def _closed_on_days(services: pd.DataFrame, on_days: pd.DataFrame) -> int:
    """Return how many reports (``day``, ``minute_of_day``, ``reports``) fell when all was shut."""
    texts = services["opening_hours"].dropna().astype(str).unique()
    closed = 0
    for day in sorted(set(on_days["day"])):
        group = on_days.loc[on_days["day"].eq(day).to_numpy()]
        open_any = np.zeros(MINUTES_PER_DAY, dtype=bool)
        for text in texts:
            open_any |= open_minutes_on(text, day)
        minutes = group["minute_of_day"].to_numpy(dtype=np.intp)
        closed += int(group["reports"].to_numpy(dtype="int64")[~open_any[minutes]].sum())
    return closed


# ---------------------------------------------------------------- the table
def coverage_table(
    reports: pd.DataFrame | ReportSummary,
    services: pd.DataFrame,
    *,
    categories: Sequence[str] | None = None,
    lsoa_points: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Return coverage, distance and hours for each district and category.

    Parameters
    ----------
    reports
        StreetSafe reports (``district_code``, ``occurred_at``, ``geometry``).
    services
        Support services (``category``, ``confidential``, ``coverage``,
        ``opening_hours``, ``geometry``).
    categories
        Categories to report; default :data:`COVERAGE_CATEGORIES`.
    lsoa_points
        Where people live (``district_code``, points); default
        :func:`lsoa_population_centroids`.

    Returns
    -------
    pandas.DataFrame
        One row per district and category (districts in :data:`geodata.DISTRICTS` order):

        ``district_code``, ``district_name``, ``category``, ``category_label``
        ``covered``, ``services``
            As :func:`coverage_matrix`.
        ``nearest_km_median``
            Median over the district's LSOA points ("where people live"; unweighted, as
            no LSOA population is shipped) of the straight-line km to the nearest
            non-confidential place of the category serving the district; NaN when no
            such place exists (remote-only or uncovered).
        ``report_nearest_km_median``
            The same median over the district's reports ("where people felt unsafe");
            NaN also when the district has no report.
        ``hours_open_per_week``
            :func:`hours_open_per_week`; 0.0 when uncovered.
        ``latest_close``
            ``HH:MM`` at which the latest day's opening ends (``24:00``: open to or
            through midnight on some day); '' when never open.
        ``reports_with_time``
            The district's reports with a known ``occurred_at``: the base of the share.
        ``reports_when_closed_pct``
            :func:`reports_when_closed_pct`: 0-100, 100 when uncovered, NaN when
            ``reports_with_time`` is 0.

    Notes
    -----
    See :data:`DISTANCE_NOTE` and :data:`HOURS_NOTE` for what a page should say.
    """
    if not isinstance(reports, ReportSummary):
        _require(reports, _REPORT_COLUMNS, name="reports")
    summary = _summary(reports)
    _require(services, _SERVICE_COLUMNS, name="services")
    chosen = _categories(categories)
    people = lsoa_population_centroids() if lsoa_points is None else lsoa_points
    _require(people, ("district_code", "geometry"), name="lsoa_points")
    home_points = _points(people, name="lsoa_points")
    rows = []
    for district, name in DISTRICTS.items():
        homes = home_points[people["district_code"].eq(district).to_numpy()]
        places, timed = _in_district(summary, district)
        for category in chosen:
            serving = _serving_services(services, district, category)
            hours = _hours(serving)
            rows.append(
                {
                    "district_code": district,
                    "district_name": name,
                    "category": category,
                    "category_label": SERVICE_CATEGORIES[category],
                    "covered": len(serving) > 0,
                    "services": len(serving),
                    "nearest_km_median": _median_km(homes, services, category, serving=district),
                    "report_nearest_km_median": _weighted_median_km(
                        places, services, category, serving=district
                    ),
                    "hours_open_per_week": hours.hours_per_week(),
                    "latest_close": _latest_close(hours),
                    "reports_with_time": int(timed["reports"].sum()),
                    "reports_when_closed_pct": _closed_pct(hours, timed),
                }
            )
    return pd.DataFrame(rows).astype(
        {
            "covered": bool,
            "services": "int64",
            "reports_with_time": "int64",
            "nearest_km_median": float,
            "report_nearest_km_median": float,
            "hours_open_per_week": float,
            "reports_when_closed_pct": float,
        }
    )


# ---------------------------------------------------------------- gap ranking
def _unsafe_after_dark(survey: pd.DataFrame | None) -> pd.DataFrame:
    """Return per district the weighted % very or fairly unsafe after dark and its base."""
    empty = pd.DataFrame(
        {"unsafe_after_dark_pct": np.nan, "survey_base": 0}, index=pd.Index(list(DISTRICTS))
    )
    if survey is None:
        return empty
    _require(survey, ("district_code", "safe_after_dark"), name="survey")
    answer = pd.to_numeric(survey["safe_after_dark"], errors="coerce").astype(float)
    weight = (
        pd.to_numeric(survey["weight"], errors="coerce").fillna(1.0).astype(float)
        if "weight" in survey.columns
        else pd.Series(1.0, index=survey.index)
    )
    valid = answer.notna()
    frame = pd.DataFrame(
        {
            "district_code": survey["district_code"].to_numpy(),
            "weight": weight.where(valid, 0.0).to_numpy(),
            "unsafe": weight.where(valid & (answer <= 2), 0.0).to_numpy(),
            "valid": valid.to_numpy().astype("int64"),
        }
    )
    sums = frame.groupby("district_code")[["weight", "unsafe", "valid"]].sum()
    sums = sums.reindex(list(DISTRICTS), fill_value=0)
    pct = (100.0 * sums["unsafe"] / sums["weight"]).where(sums["weight"] > 0)
    return pd.DataFrame(
        {"unsafe_after_dark_pct": pct.astype(float), "survey_base": sums["valid"].astype("int64")}
    )


def _mean_relative(columns: Sequence[pd.Series]) -> pd.Series:
    """Return the row-wise mean of each column relative to its average (NaN skipped)."""
    relative = pd.concat([_relative(column) for column in columns], axis=1)
    return relative.mean(axis=1, skipna=True)


def _figure(value: float) -> str:
    """Return a rate or average in words: one decimal from 1 up, two significant figures below.

    A week of one district is about 0.03 reports per 1,000 residents: one decimal would
    print it, and its average, as "0.0".
    """
    return f"{value:.1f}" if value == 0 or abs(value) >= 1 else f"{value:.2g}"


def _district_reason(row: pd.Series, averages: dict[str, float], table: pd.DataFrame) -> str:
    """Return the plain-words reason for one district of :func:`gap_ranking`."""
    parts: list[str] = []
    rate, rate_avg = row["reports_per_1000"], averages["reports_per_1000"]
    if rate_avg > 0 and rate >= HIGH * rate_avg:
        parts.append(f"high report rate ({_figure(rate)} per 1,000 residents; "
                     f"average {_figure(rate_avg)})")
    unsafe, unsafe_avg = row["unsafe_after_dark_pct"], averages["unsafe_after_dark_pct"]
    if pd.notna(unsafe) and unsafe_avg > 0 and unsafe >= HIGH * unsafe_avg:
        parts.append(
            f"high after-dark concern ({unsafe:.0f}% feel unsafe after dark; "
            f"average {unsafe_avg:.0f}%)"
        )
    own = table.loc[table["district_code"].eq(row["district_code"])]
    uncovered = own.loc[~own["covered"], "category"].tolist()
    if uncovered:
        parts.append(f"no {_join_words([_word(c) for c in uncovered])} serving it")
    far = _farthest(own, table)
    if far:
        parts.append(far)
    closed = own.loc[own["covered"] & own["reports_when_closed_pct"].ge(CLOSED_REASON_PCT)]
    if not closed.empty:
        worst = closed.sort_values("reports_when_closed_pct", ascending=False, kind="stable")
        word = _word(str(worst["category"].iloc[0]))
        pct = float(worst["reports_when_closed_pct"].iloc[0])
        close = str(worst["latest_close"].iloc[0])
        if close and close != "24:00":
            parts.append(
                f"no {word} open after {close} ({pct:.0f}% of reports with a time fall "
                "when none is open)"
            )
        else:
            parts.append(f"{word} closed at the time of {pct:.0f}% of reports with a time")
    if not parts:
        return "nothing stands out against the average of the ten districts"
    return "; ".join(parts)


def _farthest(own: pd.DataFrame, table: pd.DataFrame) -> str:
    """Return words for the category whose places are furthest beyond their average."""
    averages = table.groupby("category")["nearest_km_median"].mean()
    ratio = own.set_index("category")["nearest_km_median"] / averages
    ratio = ratio[ratio.ge(HIGH)]
    if ratio.empty:
        return ""
    category = str(ratio.idxmax())
    km = float(own.set_index("category")["nearest_km_median"].loc[category])
    return (
        f"{_word(category)} a median {km:.1f} km from where people live "
        f"(average {averages[category]:.1f} km)"
    )


def gap_ranking(
    reports: pd.DataFrame | ReportSummary,
    services: pd.DataFrame,
    survey: pd.DataFrame | None = None,
    *,
    population: pd.DataFrame | None = None,
    categories: Sequence[str] | None = None,
    lsoa_points: gpd.GeoDataFrame | None = None,
    table: pd.DataFrame | None = None,
    district_reports: Mapping[str, int | None] | None = None,
) -> pd.DataFrame:
    """Rank the ten districts by need for support against access to it, with a reason.

    Parameters
    ----------
    reports
        StreetSafe reports (``district_code``, ``occurred_at``, ``geometry``).
    services
        Support services.
    survey
        Optional survey responses (``district_code``, ``safe_after_dark`` 1-5 with
        1 = Very unsafe and NaN missing, optional ``weight``).
    population
        ``code`` and ``population`` per district; default Census 2021
        (:func:`geodata.load_population`).
    categories
        Categories to weigh; default those of :data:`COVERAGE_CATEGORIES` of which the
        list has at least one service (a category missing from the whole list is a gap of
        the list, the same for every district, and would only crowd the reasons).
    lsoa_points
        As in :func:`coverage_table`.
    table
        A :func:`coverage_table` already computed for the same inputs and categories, to
        save computing it again.
    district_reports
        The reports per district to use instead of the counts of ``reports``, None for a
        count that may not be shown (partners: :mod:`safetymap.disclosure`). When any is
        None the report rate is left out of every district's need index, and its columns
        are NaN (a rate of a hidden count, or a rank made from it, would give it away).

    Returns
    -------
    pandas.DataFrame
        One row per district, highest ``gap_score`` first (ties by name): ``rank``,
        ``district_code``, ``district_name``, ``reports``, ``population``,
        ``reports_per_1000``, ``unsafe_after_dark_pct`` (weighted % very or fairly unsafe
        after dark; NaN without survey answers), ``survey_base`` (unweighted valid
        answers), ``uncovered`` (how many categories do not serve it),
        ``uncovered_categories`` (their labels), ``nearest_km`` (mean over categories of
        ``nearest_km_median``), ``closed_pct`` (mean over covered categories of
        ``reports_when_closed_pct``), ``need_index``, ``access_gap_index``, ``gap_score``
        and ``reason``. The score is defined in :data:`SCORE_NOTE`.
    """
    if not isinstance(reports, ReportSummary):
        _require(reports, _REPORT_COLUMNS, name="reports")
    summary = _summary(reports)
    _require(services, _SERVICE_COLUMNS, name="services")
    if categories is None:
        present = set(services["category"])
        chosen = tuple(c for c in COVERAGE_CATEGORIES if c in present)
    else:
        chosen = _categories(categories)
    if table is None:
        table = coverage_table(summary, services, categories=chosen, lsoa_points=lsoa_points)
    else:
        table = table.loc[table["category"].isin(chosen)]
    people = load_population() if population is None else population
    per_district = pd.DataFrame({"district_code": summary.per_district.index,
                                 "reports": summary.per_district.to_numpy()})
    rates_known = True
    if district_reports is not None:
        known = {code: district_reports.get(code) for code in DISTRICTS}
        rates_known = all(count is not None for count in known.values())
        per_district = pd.DataFrame({"district_code": list(known),
                                     "reports": [count or 0 for count in known.values()]})
    rates = rates_of_counts(per_district, people).set_index("district_code")
    survey_figures = _unsafe_after_dark(survey)

    grouped = table.groupby("district_code", sort=False)
    covered_rows = table.loc[table["covered"]]
    ranking = pd.DataFrame(index=pd.Index(list(DISTRICTS), name="district_code"))
    ranking["district_name"] = list(DISTRICTS.values())
    ranking["reports"] = rates["reports"].reindex(ranking.index).astype("int64")
    ranking["population"] = rates["population"].reindex(ranking.index).astype("int64")
    ranking["reports_per_1000"] = rates["per_1000"].reindex(ranking.index).astype(float)
    if not rates_known:
        ranking["reports_per_1000"] = np.nan
    ranking = ranking.join(survey_figures)
    ranking["uncovered"] = (
        grouped["covered"].apply(lambda c: int((~c).sum())).reindex(ranking.index).fillna(0)
    ).astype("int64")
    ranking["uncovered_categories"] = (
        table.loc[~table["covered"]]
        .groupby("district_code")["category_label"]
        .agg(", ".join)
        .reindex(ranking.index)
        .fillna("")
    )
    ranking["nearest_km"] = grouped["nearest_km_median"].mean().reindex(ranking.index)
    ranking["closed_pct"] = (
        covered_rows.groupby("district_code")["reports_when_closed_pct"]
        .mean()
        .reindex(ranking.index)
    )
    need_figures = [ranking["reports_per_1000"]] if rates_known else []
    if survey is not None:
        need_figures.append(ranking["unsafe_after_dark_pct"])
    ranking["need_index"] = _mean_relative(need_figures) if need_figures else 1.0
    ranking["access_gap_index"] = _mean_relative(
        [ranking["uncovered"].astype(float), ranking["nearest_km"], ranking["closed_pct"]]
    ).fillna(1.0)
    ranking["gap_score"] = ranking["need_index"] * ranking["access_gap_index"]

    averages = {
        "reports_per_1000": float(ranking["reports_per_1000"].mean()),
        "unsafe_after_dark_pct": float(ranking["unsafe_after_dark_pct"].mean()),
    }
    ranking = ranking.reset_index()
    ranking["reason"] = [_district_reason(row, averages, table) for _, row in ranking.iterrows()]
    ranking = ranking.sort_values(
        ["gap_score", "district_name"],
        ascending=[False, True],
        na_position="last",
        ignore_index=True,
    )
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    return ranking


def lsoa_gap_ranking(
    reports: pd.DataFrame | ReportSummary,
    services: pd.DataFrame,
    *,
    categories: Sequence[str] | None = None,
    lsoa_points: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Rank LSOAs by reports against access to support, with a reason.

    No LSOA population is shipped, so need is the count of reports in the LSOA: LSOAs are
    drawn to hold 1,000 to 3,000 residents each, so a count per LSOA is roughly a rate per
    resident (much more so than a rate per km², which would favour dense town centres).

    Parameters
    ----------
    reports
        StreetSafe reports with ``lsoa_code``.
    services
        Support services.
    categories
        As in :func:`gap_ranking`.
    lsoa_points
        ``lsoa_code``, ``lsoa_name``, ``district_code`` and points; default
        :func:`lsoa_population_centroids`.

    Returns
    -------
    pandas.DataFrame
        One row per LSOA, highest ``gap_score`` first (ties by code): ``rank``,
        ``lsoa_code``, ``lsoa_name``, ``district_code``, ``district_name``, ``reports``,
        ``uncovered`` (categories not serving its district), ``nearest_km`` (mean over
        categories with a place serving its district of the km from its point to the
        nearest one), ``need_index`` (reports / the LSOAs' average), ``access_gap_index``
        (mean of ``uncovered`` and ``nearest_km`` relative to the LSOAs' average, 1.0 when
        neither differs), ``gap_score`` (their product) and ``reason``.
    """
    if isinstance(reports, ReportSummary):
        counts = reports.per_lsoa
    else:
        _require(reports, ("lsoa_code",), name="reports")
        counts = reports["lsoa_code"].value_counts()
    _require(services, _SERVICE_COLUMNS, name="services")
    if categories is None:
        present = set(services["category"])
        chosen = tuple(c for c in COVERAGE_CATEGORIES if c in present)
    else:
        chosen = _categories(categories)
    people = lsoa_population_centroids() if lsoa_points is None else lsoa_points
    _require(people, ("lsoa_code", "lsoa_name", "district_code", "geometry"), name="lsoa_points")
    people = people.reset_index(drop=True)
    home_points = _points(people, name="lsoa_points")
    matrix = coverage_matrix(services, categories=chosen)
    uncovered_by_district = (
        matrix.loc[~matrix["covered"]].groupby("district_code")["category"].agg(list)
    )
    distances = pd.DataFrame(index=people.index, columns=list(chosen), dtype=float)
    for district in DISTRICTS:
        inside = people["district_code"].eq(district).to_numpy()
        if not inside.any():
            continue
        for category in chosen:
            distances.loc[inside, category] = nearest_km(
                home_points[inside], services, category, serving=district
            ).to_numpy()
    ranking = pd.DataFrame(
        {
            "lsoa_code": people["lsoa_code"],
            "lsoa_name": people["lsoa_name"],
            "district_code": people["district_code"],
            "district_name": people["district_code"].map(DISTRICTS),
            "reports": people["lsoa_code"].map(counts).fillna(0).astype("int64"),
        }
    )
    uncovered_lists = ranking["district_code"].map(lambda code: uncovered_by_district.get(code, []))
    ranking["uncovered"] = uncovered_lists.map(len).astype("int64")
    ranking["nearest_km"] = distances.mean(axis=1, skipna=True)
    ranking["need_index"] = _relative(ranking["reports"].astype(float))
    ranking["access_gap_index"] = _mean_relative(
        [ranking["uncovered"].astype(float), ranking["nearest_km"]]
    ).fillna(1.0)
    ranking["gap_score"] = ranking["need_index"] * ranking["access_gap_index"]
    average_reports = float(ranking["reports"].mean())
    average_km = float(ranking["nearest_km"].mean())
    reasons = []
    for (_, row), missing in zip(ranking.iterrows(), uncovered_lists, strict=True):
        count = int(row["reports"])
        plural = "" if count == 1 else "s"
        parts = [f"{count} report{plural} (average {_figure(average_reports)} per LSOA)"]
        if missing:
            parts.append(f"no {_join_words([_word(c) for c in missing])} serving it")
        if pd.notna(row["nearest_km"]) and row["nearest_km"] >= HIGH * average_km:
            parts.append(
                f"support places {row['nearest_km']:.1f} km away on average "
                f"(average {average_km:.1f} km)"
            )
        reasons.append("; ".join(parts))
    ranking["reason"] = reasons
    ranking = ranking.sort_values(
        ["gap_score", "lsoa_code"],
        ascending=[False, True],
        na_position="last",
        ignore_index=True,
    )
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    return ranking
