"""Name what can be counted about StreetSafe reports, so a database can count it in place.

The dashboard's heavy figures (reports per district, per hexagon, per weekday and hour,
per month, per reason) are all counts of a selection of reports grouped by a few
dimensions. :class:`ReportCounts` is that one question; it has two answers that must
agree to the report:

- ``safetymap.analysis.counts.FrameCounts`` counts a loaded frame (demo data, a folder of
  exports, the command line);
- ``loaders.store.sql.SQLStore`` counts in the store with ``GROUP BY`` (GeoPackage, or
  PostGIS for a force-wide deployment), so no page pulls every report out of the database.

Dimensions (:data:`DIMENSIONS`); times are local (Europe/London):

``district_code``, ``lsoa_code``, ``time_of_day``
    the report's own fields (text);
``cell``
    the H3 cell (text) at the ``resolution`` asked for;
``event_weekday``, ``event_month`` and ``event_week``
    weekday (0 = Monday), month (``YYYY-MM``) and week (the Monday it starts on,
    ``YYYY-MM-DD``) of ``event_at``, when the person felt unsafe, else when they reported
    it;
``occurred_weekday``, ``occurred_hour`` and ``occurred_minute``
    weekday, hour (0-23) and minute (0-59) of ``occurred_at``; reports without it have
    none (the minute is the same in UTC and in UK time, whose offsets are whole hours);
``reason``
    each reason code the report gives (environment or behaviour): a report counts once
    under every reason it gives, so these counts add up to more than the reports.

A report with no value for a dimension (no ``occurred_at``, say) is left out of counts by
that dimension. A :class:`Slot` narrows a selection to one weekday and hour of
``occurred_at``, the squares of the hotspot page's day-by-hour chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from loaders.vocab import REASONS

if TYPE_CHECKING:  # the store imports this module: no import of the store at run time
    from loaders.store.base import Selection

#: Every dimension reports can be counted by, in the order a result's columns take.
DIMENSIONS: tuple[str, ...] = (
    "district_code", "lsoa_code", "cell", "event_weekday", "event_month", "event_week",
    "occurred_weekday", "occurred_hour", "occurred_minute", "time_of_day", "reason",
)
#: Values of the ``reason`` dimension, in the order that breaks ties between reasons:
#: named reasons as in ``loaders.vocab.REASONS``, then ``other``.
REASON_CODES: tuple[str, ...] = (*(code for code in REASONS if code != "other"), "other")
#: Dimensions whose values are whole numbers; the others are text.
NUMBER_DIMENSIONS = frozenset(
    {"event_weekday", "occurred_weekday", "occurred_hour", "occurred_minute"}
)


@dataclass(frozen=True)
class Slot:
    """One square of the day-by-hour chart: a weekday (0 = Monday) and an hour (0-23)."""

    weekday: int
    hour: int

    def __post_init__(self) -> None:
        """Refuse a weekday or hour that is not one."""
        problems = []
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int) or not (
            0 <= self.weekday <= 6
        ):
            problems.append(f"`weekday` must be 0 (Monday) to 6 (Sunday), got {self.weekday!r}.")
        if isinstance(self.hour, bool) or not isinstance(self.hour, int) or not (
            0 <= self.hour <= 23
        ):
            problems.append(f"`hour` must be 0 to 23, got {self.hour!r}.")
        if problems:
            raise ValueError(" ".join(problems))


def reason_indicators(environment: pd.Series, behaviour: pd.Series) -> np.ndarray:
    """Return, per report, whether it gives each reason of :data:`REASON_CODES`.

    Reports are grouped by their (environment, behaviour) pair first: there are few
    distinct pairs, so each is split into codes once, not once per report. Codes outside
    the vocabulary are ignored.
    """
    pair = environment.fillna("").astype(str) + "\x1f" + behaviour.fillna("").astype(str)
    codes, pairs = pd.factorize(pair)
    position = {code: i for i, code in enumerate(REASON_CODES)}
    table = np.zeros((len(pairs) + 1, len(REASON_CODES)), dtype=bool)
    for row, text in enumerate(pairs.tolist()):
        for code in text.replace("\x1f", ";").split(";"):
            if code in position:
                table[row, position[code]] = True
    return table[codes]  # a missing pair (code -1) picks the empty last row


def reason_bits(indicators: np.ndarray) -> np.ndarray:
    """Return each report's reasons as one whole number: bit ``i`` for ``REASON_CODES[i]``.

    A store keeps this number with each report, so that it counts reasons with integer
    arithmetic instead of searching text.
    """
    weights = np.left_shift(np.int64(1), np.arange(len(REASON_CODES), dtype=np.int64))
    return indicators.astype(np.int64) @ weights


def check_dimensions(by: tuple[str, ...]) -> None:
    """Refuse unknown or repeated dimensions, naming the ones there are."""
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise ValueError(
            f"cannot count reports by {', '.join(map(repr, unknown))}: the dimensions are "
            f"{', '.join(DIMENSIONS)}."
        )
    if len(set(by)) != len(by):
        raise ValueError(f"each dimension may be given once, got {by!r}.")


def ordered(by: tuple[str, ...]) -> tuple[str, ...]:
    """Return the dimensions in :data:`DIMENSIONS` order (the columns of a result)."""
    return tuple(name for name in DIMENSIONS if name in by)


def empty_counts(by: tuple[str, ...]) -> pd.DataFrame:
    """Return a result with no groups: the columns of ``by`` and ``reports``, typed."""
    columns: dict[str, pd.Series] = {
        name: pd.Series([], dtype="int64" if name in NUMBER_DIMENSIONS else object)
        for name in ordered(by)
    }
    columns["reports"] = pd.Series([], dtype="int64")
    return pd.DataFrame(columns)


class ReportCounts(Protocol):
    """Count a selection of StreetSafe reports, wherever they are kept."""

    @property
    def key(self) -> str:
        """Return a text that changes whenever the reports counted change (a cache key)."""
        ...

    def count(
        self,
        filters: Selection,
        by: tuple[str, ...] = (),
        *,
        resolution: int = 9,
        slot: Slot | None = None,
    ) -> pd.DataFrame:
        """Return the reports of a selection counted by the dimensions ``by``.

        Returns
        -------
        pandas.DataFrame
            The dimensions of ``by`` in :data:`DIMENSIONS` order, then ``reports``: one
            row per group holding at least one report, sorted by the dimensions. With no
            dimension, one row: the number of reports selected (0 included).
        """
        ...

    def span(self, filters: Selection) -> tuple[date, date] | None:
        """Return the first and last local day of ``event_at`` selected; None when none is."""
        ...

    def rows(
        self, filters: Selection, *, slot: Slot | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Return the selected reports themselves, as the loaders give them (for a page
        that needs each one: the records table, the dots of a small selection); the first
        ``limit`` of them in their stored order when a limit is given."""
        ...
