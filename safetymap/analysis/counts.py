"""Count a loaded frame of StreetSafe reports: the in-memory :class:`~loaders.counts.ReportCounts`.

:class:`FrameCounts` answers the same questions as a store's ``count`` (see
:mod:`loaders.counts`), from a frame the loaders gave: demo data, a folder of exports, or
the command line. It turns every dimension into whole-number codes once per frame and then
counts any selection with ``numpy.bincount``, so a filter change costs milliseconds even at
a million reports. One object is shared by every session of a dashboard; the codes are
worked out under a lock.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import numpy as np
import pandas as pd
from h3.api import basic_int

from loaders.counts import (
    NUMBER_DIMENSIONS,
    REASON_CODES,
    ReportCounts,
    Slot,
    check_dimensions,
    empty_counts,
    ordered,
    reason_indicators,
)
from loaders.source import Dataset
from loaders.store.base import Selection
from safetymap.analysis.filters import Filters, _local_midnight

#: Local time of every report, whatever the time zone of its timestamps.
LOCAL_TZ = "Europe/London"
#: Above this many possible groups, groups are found by sorting rather than a dense table.
_DENSE_LIMIT = 4_000_000


# ------------------------------------------------------------------------ checks
def check_resolution(resolution: int) -> None:
    """Refuse anything but an H3 resolution (a whole number from 0 to 15)."""
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not (
        0 <= resolution <= 15  # H3's resolutions
    ):
        raise ValueError(
            f"`resolution` must be an H3 resolution, a whole number from 0 to 15, "
            f"got {resolution!r}."
        )


def check_columns(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    """Refuse a frame without the columns named, listing the ones it has."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`{name}` should be a pandas DataFrame, got {type(frame)}.")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"`{name}` must have the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, frame.columns)) or 'none'}."
        )


def local_times(times: pd.Series) -> pd.Series:
    """Return times as Europe/London wall-clock times (naive times are already local)."""
    times = pd.to_datetime(times)
    if times.dt.tz is None:
        return times
    return times.dt.tz_convert(LOCAL_TZ)


def report_cells(reports: pd.DataFrame, *, resolution: int = 9) -> pd.Series:
    """Return the H3 cell of each report, from its ``latitude`` and ``longitude``.

    Parameters
    ----------
    reports
        Reports with WGS84 ``latitude`` and ``longitude``.
    resolution
        H3 resolution of the cells.

    Returns
    -------
    pandas.Series
        Cell ids (strings), on the index of ``reports``.
    """
    check_resolution(resolution)
    check_columns(reports, "reports", ("latitude", "longitude"))
    latitude = reports["latitude"].to_numpy(dtype=float)
    longitude = reports["longitude"].to_numpy(dtype=float)
    unplaced = np.isnan(latitude) | np.isnan(longitude)
    if unplaced.any():
        raise ValueError(
            f"`reports` has {int(unplaced.sum())} row(s) without latitude/longitude; "
            "every report needs a place to be counted in a cell."
        )
    # The integer API skips formatting a string per report: the id is made once per cell.
    ids = np.fromiter(
        map(basic_int.latlng_to_cell, latitude.tolist(), longitude.tolist(),
            itertools.repeat(resolution, len(latitude))),
        dtype=np.uint64, count=len(latitude),
    )
    unique, inverse = np.unique(ids, return_inverse=True)
    names = np.array([basic_int.int_to_str(int(cell)) for cell in unique], dtype=object)
    return pd.Series(names[inverse], index=reports.index, dtype=object, name="cell_id")


# ------------------------------------------------------------------------ codes
def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return sorted-label codes of text values (-1 where missing) and the labels."""
    codes, labels = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(labels, dtype=object)


def _number_codes(values: pd.Series, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return whole numbers 0..size-1 as their own codes (-1 where missing)."""
    return values.fillna(-1).to_numpy(dtype=np.int64), np.arange(size, dtype=np.int64)


def _month_codes(local: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return months as codes from the first month (-1 where missing) and ``YYYY-MM`` labels."""
    months = (local.dt.year * 12 + local.dt.month - 1).to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(months)
    if not known.any():
        return np.full(len(months), -1, dtype=np.int64), np.array([], dtype=object)
    first, last = int(np.nanmin(months)), int(np.nanmax(months))
    codes = np.where(known, np.nan_to_num(months) - first, -1).astype(np.int64)
    labels = np.array(
        [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)], dtype=object
    )
    return codes, labels


def _week_codes(local: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return weeks as codes from the first week (-1 where missing) and their Mondays' labels.

    A week runs Monday to Sunday in local time and is labelled by its Monday, ``YYYY-MM-DD``.
    """
    wall = local.dt.tz_localize(None) if local.dt.tz is not None else local
    days = wall.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    known = ~np.isnat(days)
    if not known.any():
        return np.full(len(days), -1, dtype=np.int64), np.array([], dtype=object)
    day_numbers = days.astype(np.int64)  # days since Thursday 1 January 1970
    mondays = day_numbers - (day_numbers + 3) % 7
    first, last = int(mondays[known].min()), int(mondays[known].max())
    codes = np.where(known, (mondays - first) // 7, -1).astype(np.int64)
    labels = (np.arange(first, last + 1, 7, dtype=np.int64).astype("datetime64[D]")
              .astype(str).astype(object))
    return codes, labels


# ------------------------------------------------------------------------ counting
class FrameCounts:
    """Count the reports of a loaded frame (see :class:`loaders.counts.ReportCounts`).

    Parameters
    ----------
    reports
        StreetSafe reports as the loaders give them (at least ``latitude``,
        ``longitude``, ``event_at``, ``occurred_at``, ``time_of_day``, ``environment``,
        ``behaviour``, ``district_code`` and ``lsoa_code``).
    key
        The cache key of this frame: it must change when the frame does.
    """

    def __init__(self, reports: pd.DataFrame, *, key: str = "") -> None:
        """Keep the frame; codes are worked out when first needed."""
        self.frame = reports
        self._key = key or f"frame-{id(reports)}"
        self._codes: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        self._cells: dict[int, pd.Series] = {}
        self._reasons: np.ndarray | None = None
        self._lock = threading.RLock()

    @property
    def key(self) -> str:
        """Return the cache key of the frame."""
        return self._key

    def __len__(self) -> int:
        """Return the number of reports in the frame."""
        return len(self.frame)

    # -------------------------------------------------------------- dimensions
    def cells(self, resolution: int) -> pd.Series:
        """Return every report's H3 cell at ``resolution``, worked out once."""
        check_resolution(resolution)
        with self._lock:
            if resolution not in self._cells:
                self._cells[resolution] = report_cells(self.frame, resolution=resolution)
            return self._cells[resolution]

    def set_cells(self, resolution: int, cells: pd.Series) -> None:
        """Give the reports' cells at ``resolution`` when they are already known."""
        check_resolution(resolution)
        if len(cells) != len(self.frame):
            raise ValueError(
                f"`cells` must give one cell per report ({len(self.frame)}), got {len(cells)}."
            )
        with self._lock:
            self._cells[resolution] = cells
            self._codes.pop(("cell", resolution), None)

    def _dimension(self, name: str, resolution: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the codes (-1 where missing) and labels of one dimension."""
        slot_key = (name, resolution if name == "cell" else 0)
        with self._lock:
            if slot_key not in self._codes:
                self._codes[slot_key] = self._make_codes(name, resolution)
            return self._codes[slot_key]

    def _make_codes(self, name: str, resolution: int) -> tuple[np.ndarray, np.ndarray]:
        frame = self.frame
        if name == "cell":
            return _text_codes(self.cells(resolution))
        if name in ("event_weekday", "event_month", "event_week"):
            check_columns(frame, "reports", ("event_at",))
            local = local_times(frame["event_at"])
            if name == "event_month":
                return _month_codes(local)
            if name == "event_week":
                return _week_codes(local)
            return _number_codes(local.dt.day_of_week, 7)
        if name in ("occurred_weekday", "occurred_hour", "occurred_minute"):
            check_columns(frame, "reports", ("occurred_at",))
            local = local_times(frame["occurred_at"])
            if name == "occurred_hour":
                return _number_codes(local.dt.hour, 24)
            if name == "occurred_minute":
                return _number_codes(local.dt.minute, 60)
            return _number_codes(local.dt.day_of_week, 7)
        check_columns(frame, "reports", (name,))
        return _text_codes(frame[name])

    def _reason_matrix(self) -> np.ndarray:
        with self._lock:
            if self._reasons is None:
                check_columns(self.frame, "reports", ("environment", "behaviour"))
                self._reasons = reason_indicators(
                    self.frame["environment"], self.frame["behaviour"]
                )
            return self._reasons

    def _among(self, name: str, wanted: tuple[str, ...]) -> np.ndarray:
        """Return which reports have one of ``wanted`` as their ``name``."""
        codes, labels = self._dimension(name, 0)
        allowed = np.append(pd.Index(labels).isin(wanted), False)
        return allowed[codes]  # code -1 (missing) picks the appended False

    # -------------------------------------------------------------- selection
    def mask(self, filters: Selection, *, slot: Slot | None = None) -> np.ndarray:
        """Return which reports the filters (and slot) select."""
        keep = np.ones(len(self.frame), dtype=bool)
        if filters.districts:
            keep &= self._among("district_code", tuple(filters.districts))
        if filters.start is not None or filters.end is not None:
            times = self.frame["event_at"]
            if filters.start is not None:
                keep &= (times >= _local_midnight(filters.start)).to_numpy(dtype=bool)
            if filters.end is not None:
                end = _local_midnight(filters.end + timedelta(days=1))
                keep &= (times < end).to_numpy(dtype=bool)
        if filters.times_of_day:
            keep &= self._among("time_of_day", tuple(filters.times_of_day))
        if filters.reasons:
            columns = [REASON_CODES.index(code) for code in filters.reasons
                       if code in REASON_CODES]
            keep &= self._reason_matrix()[:, columns].any(axis=1)
        if slot is not None:
            weekday, _ = self._dimension("occurred_weekday", 0)
            hour, _ = self._dimension("occurred_hour", 0)
            keep &= (weekday == slot.weekday) & (hour == slot.hour)
        return keep

    def count(
        self,
        filters: Selection,
        by: tuple[str, ...] = (),
        *,
        resolution: int = 9,
        slot: Slot | None = None,
    ) -> pd.DataFrame:
        """Return the selected reports counted by ``by`` (see ``ReportCounts.count``)."""
        by = tuple(by)
        check_dimensions(by)
        by = ordered(by)
        if "cell" in by:
            check_resolution(resolution)
        keep = self.mask(filters, slot=slot)
        if not by:
            return pd.DataFrame({"reports": pd.Series([int(keep.sum())], dtype="int64")})
        plain = [name for name in by if name != "reason"]
        dimensions = [self._dimension(name, resolution) for name in plain]
        for codes, _ in dimensions:
            keep &= codes >= 0
        rows = np.flatnonzero(keep)
        shape = [len(labels) for _, labels in dimensions]
        flat = np.zeros(len(rows), dtype=np.int64)
        for (codes, _), size in zip(dimensions, shape, strict=True):
            flat = flat * size + codes[rows]
        if "reason" in by:  # the last dimension: one entry per (report, reason given)
            given_row, given_reason = np.nonzero(self._reason_matrix()[rows])
            flat = flat[given_row] * len(REASON_CODES) + given_reason
            shape.append(len(REASON_CODES))
        groups, sizes = _group(flat, int(np.prod(shape, dtype=np.int64)))
        if not len(groups):
            return empty_counts(by)
        positions = np.unravel_index(groups, shape)
        labels = [labels for _, labels in dimensions]
        if "reason" in by:
            labels.append(np.asarray(REASON_CODES, dtype=object))
        columns: dict[str, object] = {}
        for name, values, where in zip(by, labels, positions, strict=True):
            column = values[where]
            # A Series of dtype object: pandas 3 would otherwise make text columns `str`.
            columns[name] = pd.Series(
                column, dtype="int64" if name in NUMBER_DIMENSIONS else object
            )
        columns["reports"] = pd.Series(sizes, dtype="int64")
        return pd.DataFrame(columns)

    def span(self, filters: Selection) -> tuple[date, date] | None:
        """Return the first and last local day of ``event_at`` selected; None when none is."""
        times = self.frame["event_at"][self.mask(filters)].dropna()
        if times.empty:
            return None
        local = local_times(times)
        return local.min().date(), local.max().date()

    def rows(
        self, filters: Selection, *, slot: Slot | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Return the selected reports (the first ``limit``), as the frame holds them."""
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 0):
            raise ValueError(f"`limit` must be a whole number of 0 or more, got {limit!r}.")
        selected = self.frame[self.mask(filters, slot=slot)]
        return selected if limit is None else selected.head(limit)


#: Counts a store is asked for at once (each opens its own connection).
COUNT_WORKERS = 4
#: One count to make: the selection, the dimensions, the H3 resolution of ``cell`` and
#: the day-by-hour slot (or None).
CountRequest = tuple[Selection, tuple[str, ...], int, Slot | None]


def count_many(
    counts: ReportCounts, requests: Mapping[str, CountRequest]
) -> dict[str, pd.DataFrame]:
    """Make several counts, by name; a store answers them at once, each in its own connection.

    A loaded frame counts them one after the other: its counts are milliseconds of numpy,
    which threads would only slow down.
    """
    def one(request: CountRequest) -> pd.DataFrame:
        selection, by, resolution, slot = request
        return counts.count(selection, by, resolution=resolution, slot=slot)

    if isinstance(counts, FrameCounts) or len(requests) < 2:
        return {name: one(request) for name, request in requests.items()}
    with ThreadPoolExecutor(max_workers=min(COUNT_WORKERS, len(requests))) as pool:
        futures = {name: pool.submit(one, request) for name, request in requests.items()}
        return {name: future.result() for name, future in futures.items()}


def as_counts(reports: ReportCounts | pd.DataFrame) -> ReportCounts:
    """Return ``reports`` when they are counts already, else counts of the frame."""
    return FrameCounts(reports) if isinstance(reports, pd.DataFrame) else reports


def total(reports: ReportCounts, filters: Selection) -> int:
    """Return how many reports the filters select."""
    return int(reports.count(filters)["reports"].iloc[0])


def selection_period(
    reports: ReportCounts | pd.DataFrame, filters: Selection
) -> tuple[date, date] | None:
    """Return the period looked at: the filters' dates, else the span of the reports.

    A missing start or end is taken from the earliest or latest report of the selection;
    None when that is needed and there is no dated report.
    """
    if filters.start is not None and filters.end is not None:
        return filters.start, filters.end
    span = as_counts(reports).span(filters)
    if span is None:
        return None
    return filters.start or span[0], filters.end or span[1]


def data_start(reports: ReportCounts | pd.DataFrame) -> date | None:
    """Return the first local day of any report held, whatever is selected; None if none."""
    span = as_counts(reports).span(Filters())
    return None if span is None else span[0]


def covered_period(
    reports: ReportCounts | pd.DataFrame, period: tuple[date, date] | None
) -> tuple[date, date] | None:
    """Return ``period`` when the data reach back to its first day, else None.

    The first report held stands for the day the data start. A period that starts
    earlier is not covered: its count would be low because nothing was collected, not
    because fewer people reported, so it must not be compared with (a period of 365 days
    before a first year of data would make every report "new").
    """
    if period is None:
        return None
    first = data_start(reports)
    return period if first is not None and first <= period[0] else None


def counts_of(dataset: Dataset, reports: ReportCounts | None = None) -> ReportCounts:
    """Return ``reports`` when given, else counts of the dataset's loaded reports.

    Raises
    ------
    ValueError
        The dataset's reports were left in a store, so its frame holds none: counting it
        would give zeros, so the store's counts must be given.
    """
    if reports is not None:
        return reports
    if dataset.reports_in_store:
        raise ValueError(
            f"The StreetSafe reports of {dataset.origin} are counted in the store; pass the "
            "store's counts (`reports=`), not the dataset alone."
        )
    return FrameCounts(dataset.streetsafe.frame)


def _group(flat: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct codes in ``flat`` (sorted) and how often each occurs."""
    if size <= _DENSE_LIMIT:
        tally = np.bincount(flat, minlength=size)
        groups = np.flatnonzero(tally)
        return groups, tally[groups]
    groups, sizes = np.unique(flat, return_counts=True)
    return groups, sizes
