"""Turn a loader's frame into rows a database stores, and stored rows back into that frame.

A stored record holds the kind's output columns (``KindSpec.output_columns``) plus what
the store needs: ``content_digest`` (to tell a repeated record from a conflicting one)
and, for StreetSafe reports, the report's H3 cell at each of :data:`HEX_RESOLUTIONS` and
the local (Europe/London) weekday and month of ``event_at`` and weekday and hour of
``occurred_at`` (:data:`TIME_COLUMNS`) and the reasons it gives as bits of one number
(:data:`REASON_BITS`), so a database can count reports per hexagon, weekday, hour, month
or reason with a ``GROUP BY`` and integer arithmetic. Times are stored in UTC; frames come back in
Europe/London, as the loaders give them.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from h3.api import basic_int

from geodata import ANALYSIS_CRS
from loaders.counts import reason_bits, reason_indicators
from loaders.fields import LONDON
from loaders.kinds import KINDS
from loaders.pipeline import KindSpec
from loaders.store.base import HEX_RESOLUTIONS

ColumnType = Literal["text", "real", "answer", "integer", "boolean", "datetime", "date"]

#: Columns that are not text; ``answer`` is a nullable float (pandas ``Float64``).
_TYPES: dict[str, ColumnType] = {
    "submitted_at": "datetime",
    "occurred_at": "datetime",
    "event_at": "datetime",
    "completed_at": "datetime",
    "latitude": "real",
    "longitude": "real",
    "concern_latitude": "real",
    "concern_longitude": "real",
    "weight": "real",
    "safe_day": "answer",
    "safe_after_dark": "answer",
    "source_row": "integer",
    "confidential": "boolean",
    "location_approximate": "boolean",
    "in_place_from": "date",
    "in_place_to": "date",
}
#: Where a record came from, not what it says: left out of the content digest.
_PROVENANCE = frozenset({"source_file", "source_row"})
_MISSING = "\x00"
_SEPARATOR = "\x1f"
#: Times are stored as fixed-width UTC text to the millisecond, as GeoPackage's DATETIME
#: wants (``2026-03-14T21:30:00.000Z``); such text sorts as time does.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
#: Days (outreach points' dates) are stored as ``YYYY-MM-DD`` text: a day has no time zone.
_DAY_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class Column:
    """One stored column of a kind's records."""

    name: str
    type: ColumnType


#: Local times of a StreetSafe report stored for counting (see ``loaders.counts``): weekday
#: (0 = Monday) and ``YYYY-MM`` month of ``event_at``, weekday and hour of ``occurred_at``
#: (missing when the report has no ``occurred_at``).
TIME_COLUMNS: tuple[Column, ...] = (
    Column("event_weekday", "integer"),
    Column("event_month", "text"),
    Column("occurred_weekday", "integer"),
    Column("occurred_hour", "integer"),
)
#: The reasons a StreetSafe report gives, as one number: bit ``i`` for
#: ``loaders.counts.REASON_CODES[i]`` (see ``loaders.counts.reason_bits``).
REASON_BITS = Column("reason_bits", "integer")


def hex_column(resolution: int) -> str:
    """Return the stored column holding each report's H3 cell at ``resolution``."""
    if (isinstance(resolution, bool) or not isinstance(resolution, int)
            or resolution not in HEX_RESOLUTIONS):
        raise ValueError(
            f"`resolution` must be one of {', '.join(map(str, HEX_RESOLUTIONS))} (the H3 cells "
            f"stored at ingest), got {resolution!r}."
        )
    return f"h3_{resolution}"


def spec_of(kind: str) -> KindSpec:
    """Return the spec of a kind, or raise naming the kinds there are."""
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {', '.join(KINDS)}, got {kind!r}.")
    return KINDS[kind]


def record_columns(kind: str) -> tuple[Column, ...]:
    """Return the kind's output columns but the geometry, with their stored types."""
    return tuple(
        Column(name, _TYPES.get(name, "text"))
        for name in spec_of(kind).output_columns if name != "geometry"
    )


def store_columns(kind: str) -> tuple[Column, ...]:
    """Return every column of a kind's stored records but the geometry, in table order."""
    extra = [Column("content_digest", "text")]
    if kind == "streetsafe":
        extra += [Column(hex_column(r), "text") for r in HEX_RESOLUTIONS]
        extra += TIME_COLUMNS
        extra.append(REASON_BITS)
    return (*record_columns(kind), *extra)


def time_text(values: pd.Series) -> pd.Series:
    """Return aware times as fixed-width UTC text to the millisecond (missing stay missing).

    Times are cut, not rounded, to the millisecond, so none moves to another day.
    """
    utc = pd.to_datetime(values, utc=True)
    text = utc.dt.strftime(_TIME_FORMAT).str.slice(0, 23) + "Z"
    return text.astype(object).where(utc.notna(), None)


def day_text(values: pd.Series) -> pd.Series:
    """Return days (naive midnight timestamps) as ``YYYY-MM-DD`` text (missing stay missing)."""
    days = pd.to_datetime(values)
    return days.dt.strftime(_DAY_FORMAT).astype(object).where(days.notna(), None)


def utc_text(moment: datetime) -> str:
    """Return one aware time as the stored fixed-width UTC text."""
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)[:23] + "Z"


def _canonical(values: pd.Series, column: Column) -> pd.Series:
    """Return each value as text that is equal exactly when the values are."""
    if column.type == "datetime":
        text = time_text(values)
    elif column.type == "date":
        text = day_text(values)
    elif column.type in ("real", "answer"):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        text = pd.Series([repr(v) for v in numbers.tolist()], index=values.index, dtype=object)
        text = text.where(numbers.notna(), None)
    elif column.type == "boolean":
        text = values.map(lambda v: None if pd.isna(v) else ("1" if v else "0"))
    else:
        text = values.map(lambda v: None if v is None or v is pd.NA
                          or (isinstance(v, float) and np.isnan(v)) else str(v))
    return text.fillna(_MISSING).astype(object)


def content_digests(kind: str, frame: pd.DataFrame) -> list[str]:
    """Return a digest of each record's content (not of where it came from).

    Two records with the same id and the same digest are the same record; with another
    digest they conflict.
    """
    parts = [
        _canonical(frame[column.name], column)
        for column in record_columns(kind) if column.name not in _PROVENANCE
    ]
    rows = zip(*(part.tolist() for part in parts), strict=True)
    return [hashlib.sha256(_SEPARATOR.join(row).encode("utf-8")).hexdigest()[:32]
            for row in rows]


def report_hex_cells(frame: pd.DataFrame, resolution: int) -> list[str]:
    """Return the H3 cell of each report at ``resolution``, from its latitude and longitude.

    The same cells as ``safetymap.analysis.hotspots.report_cells`` gives.
    """
    latitude = frame["latitude"].to_numpy(dtype=float).tolist()
    longitude = frame["longitude"].to_numpy(dtype=float).tolist()
    ids = map(basic_int.latlng_to_cell, latitude, longitude,
              itertools.repeat(resolution, len(latitude)))
    names: dict[int, str] = {}
    return [names.get(cell) or names.setdefault(cell, h3.int_to_str(cell)) for cell in ids]


def local_times(values: pd.Series) -> pd.Series:
    """Return times as Europe/London wall-clock times (naive times are already local).

    As ``safetymap.analysis.counts.local_times``, which counts a loaded frame.
    """
    times = pd.to_datetime(values)
    if times.dt.tz is None:
        return times
    return times.dt.tz_convert(LONDON)


def _whole_numbers(values: pd.Series) -> list[object]:
    """Return whole numbers as ints, missing ones as None."""
    return [None if pd.isna(v) else int(v) for v in values.tolist()]


def time_columns(event_at: pd.Series, occurred_at: pd.Series) -> dict[str, list[object]]:
    """Return the :data:`TIME_COLUMNS` of reports, from their ``event_at`` and ``occurred_at``.

    Local (Europe/London) weekday (0 = Monday) and ``YYYY-MM`` month of ``event_at``,
    weekday and hour of ``occurred_at``; None where the time is missing.
    """
    event = local_times(event_at)
    occurred = local_times(occurred_at)
    month = event.dt.strftime("%Y-%m")
    return {
        "event_weekday": _whole_numbers(event.dt.day_of_week),
        "event_month": [None if pd.isna(m) else str(m)
                        for m in month.astype(object).where(event.notna(), None).tolist()],
        "occurred_weekday": _whole_numbers(occurred.dt.day_of_week),
        "occurred_hour": _whole_numbers(occurred.dt.hour),
    }


def storage_values(values: pd.Series, column: Column) -> list[object]:
    """Return a column as plain Python values a database driver takes (None for missing)."""
    if column.type == "datetime":
        return time_text(values).tolist()
    if column.type == "date":
        return day_text(values).tolist()
    if column.type in ("real", "answer"):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        return [None if np.isnan(v) else v for v in numbers.tolist()]
    if column.type == "integer":
        return [int(v) for v in values.tolist()]
    if column.type == "boolean":
        return [bool(v) for v in values.tolist()]
    return [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
            else str(v) for v in values.tolist()]


def storage_columns(kind: str, frame: pd.DataFrame) -> dict[str, list[object]]:
    """Return every stored column of a validated frame (geometry apart) as plain values."""
    columns = {
        column.name: storage_values(frame[column.name], column)
        for column in record_columns(kind)
    }
    columns["content_digest"] = list(content_digests(kind, frame))
    if kind == "streetsafe":
        for resolution in HEX_RESOLUTIONS:
            columns[hex_column(resolution)] = list(report_hex_cells(frame, resolution))
        columns.update(time_columns(frame["event_at"], frame["occurred_at"]))
        columns[REASON_BITS.name] = reasons_column(frame["environment"], frame["behaviour"])
    return columns


def reasons_column(environment: pd.Series, behaviour: pd.Series) -> list[object]:
    """Return the :data:`REASON_BITS` of reports from their environment and behaviour codes."""
    return [int(bits) for bits in reason_bits(reason_indicators(environment, behaviour))]


def typed_series(values: Sequence[object], column: Column) -> pd.Series:
    """Return stored values as the typed column a loader gives."""
    raw = pd.Series(np.array(list(values), dtype=object), dtype=object)
    if column.type == "datetime":
        times = pd.Series(pd.to_datetime(raw, utc=True, format="ISO8601"))
        return times.dt.tz_convert(LONDON).astype(pd.DatetimeTZDtype(unit="us", tz=LONDON))
    if column.type == "date":
        return pd.Series(pd.to_datetime(raw, format=_DAY_FORMAT)).astype("datetime64[us]")
    if column.type == "real":
        return raw.astype("float64")
    if column.type == "answer":
        return raw.astype("float64").astype("Float64")
    if column.type == "integer":
        return raw.astype("int64")
    if column.type == "boolean":
        return raw.astype(bool)
    return raw.astype("str")


def records_frame(
    kind: str, columns: dict[str, Sequence[object]], wkb: Sequence[bytes | None]
) -> gpd.GeoDataFrame:
    """Return stored records as the loader's frame: its columns, types and CRS."""
    frame = pd.DataFrame(
        {column.name: typed_series(columns[column.name], column)
         for column in record_columns(kind)}
    )
    geometry = shapely.from_wkb(np.array(list(wkb), dtype=object))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=ANALYSIS_CRS),
                            crs=ANALYSIS_CRS)
