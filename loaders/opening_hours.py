"""Parse the contract's subset of OpenStreetMap ``opening_hours`` into weekly minutes.

Support services give their hours in OpenStreetMap syntax (data contract, section 3).
This module turns that text into a :class:`WeeklyHours`, a read-only mask of the
7 * 24 * 60 minutes of a week, Monday 00:00 first, so that "is this service open on
Friday at 23:00?" and "how many hours a week is any refuge open?" are array lookups.
It is pure: no I/O, no settings, numpy only.

Supported subset
----------------
``24/7``
    Open every minute of the week.
``<days> <times>``
    One rule. ``<days>`` is a comma-separated list of day names (``Mo Tu We Th Fr Sa Su``)
    and day ranges (``Mo-Fr``; ``Fr-Mo`` wraps over the weekend). ``<times>`` is a
    comma-separated list of ranges ``HH:MM-HH:MM``; ``24:00`` is allowed as an end, and
    a range whose end is before its start (``22:00-02:00``) runs past midnight into the
    next day's early hours (Sunday spills into Monday). ``off`` or ``closed`` as the
    times closes the named days. A rule without days applies to every day.
``rule; rule; ...``
    Rules are read left to right; a later rule replaces what earlier rules said about the
    days it names (``Mo-Fr 08:00-18:00; We 08:00-20:00``: Wednesday is 08:00-20:00 only).

Whitespace around tokens is ignored, day names and ``off``/``closed`` are matched without
regard to case, and hours may have one digit (``9:00``). Ranges are half-open: ``09:00-17:00``
is open at 09:00 and closed at 17:00.

Spill-over past midnight
------------------------
A rule only replaces the ranges *that start on* the days it names. The early hours that a
previous day's range spills into are kept: in ``Fr 22:00-02:00; Sa 10:00-12:00`` and in
``Fr 22:00-02:00; Sa off`` the service is open on Saturday 00:00-02:00. This keeps a
day's schedule in one place (the day the shift starts), which is how services write
night cover, and means the order of rules never drops a shift that is already running.

Anything else (public holidays ``PH``, school holidays, months, weeks, dates,
``sunrise``/``sunset``, ``+`` open ends, ``||`` fallbacks, comments) is refused with an
:class:`OpeningHoursError` that says what was expected and what was found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DAY_NAMES",
    "MINUTES_PER_DAY",
    "MINUTES_PER_WEEK",
    "OpeningHoursError",
    "WeeklyHours",
    "parse_opening_hours",
    "union",
]

#: Day names in OpenStreetMap order; the index is the weekday (Monday = 0), as in
#: :meth:`datetime.date.weekday`.
DAY_NAMES: tuple[str, ...] = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_DAY_INDEX = {name.lower(): index for index, name in enumerate(DAY_NAMES)}
_ALL_DAYS = tuple(range(7))
_ALWAYS = "24/7"
_CLOSED_WORDS = ("off", "closed")

_EXPECTED_RULE = "days such as 'Mo-Fr' or 'Sa,Su' then times such as '09:00-17:00'"
_EXPECTED_DAY = "a two-letter day name (Mo, Tu, We, Th, Fr, Sa, Su) or a range such as 'Mo-Fr'"
_EXPECTED_TIMES = "times such as '09:00-17:00' or '09:00-12:30,13:30-17:00', or 'off'"
_UNSUPPORTED = "public holidays, months, weeks, dates and sunrise/sunset are not supported"

_DAY_ITEM = re.compile(r"(?P<first>[^\s,-]+)\s*(?:-\s*(?P<last>[^\s,-]+))?")
_ALWAYS_RULE = re.compile(r"24\s*/\s*7")
_TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_CLOSED_TAIL = re.compile(r"(?P<days>.*?)(?:^|\s)(?:off|closed)", re.IGNORECASE)

# A range within one rule: (start, end) in minutes after the day's midnight; end <= start
# means the range runs past midnight into the next day.
_Range = tuple[int, int]


class OpeningHoursError(ValueError):
    """An ``opening_hours`` text is outside the supported subset; the message says why.

    The message names what was expected, what was found and in which rule, and is meant
    to be shown to users as it is.
    """


@dataclass(frozen=True, eq=False, repr=False)
class WeeklyHours:
    """Hold which minutes of a week a service is open.

    Parameters
    ----------
    minutes : numpy.ndarray of bool, shape (10080,)
        ``True`` where open; index ``weekday * 1440 + minute_of_day`` with Monday 00:00
        first. The array is copied and made read-only.

    Notes
    -----
    Weekdays count from Monday = 0 to Sunday = 6, as :meth:`datetime.date.weekday` does.
    Two ``WeeklyHours`` are equal when they are open at the same minutes, whatever text
    they were parsed from.
    """

    minutes: npt.NDArray[np.bool_]

    def __post_init__(self) -> None:
        """Check the shape and freeze a private copy of the mask."""
        mask = np.array(self.minutes, dtype=bool, copy=True)
        if mask.shape != (MINUTES_PER_WEEK,):
            message = (
                f"`minutes` must have shape ({MINUTES_PER_WEEK},), one value per minute of"
                f" the week, got shape {mask.shape}"
            )
            raise ValueError(message)
        # Read-only so that a shared (cached) WeeklyHours cannot be changed by a caller.
        mask.flags.writeable = False
        object.__setattr__(self, "minutes", mask)

    def __eq__(self, other: object) -> bool:
        """Compare the open minutes, not the text they came from."""
        if not isinstance(other, WeeklyHours):
            return NotImplemented
        return bool(np.array_equal(self.minutes, other.minutes))

    def __hash__(self) -> int:
        """Hash the open minutes so that equal hours hash alike."""
        return hash(np.packbits(self.minutes).tobytes())

    def __repr__(self) -> str:
        """Show the normalised text rather than 10,080 booleans."""
        return f"WeeklyHours({self.describe()!r})"

    def hours_per_week(self) -> float:
        """Return the number of hours a week the service is open."""
        return float(np.count_nonzero(self.minutes)) / 60.0

    def is_open(self, weekday: int, minute_of_day: int) -> bool:
        """Return whether the service is open at one minute of the week.

        Parameters
        ----------
        weekday : int
            Monday = 0 to Sunday = 6.
        minute_of_day : int
            Minutes after midnight, 0 to 1439.

        Raises
        ------
        ValueError
            If ``weekday`` or ``minute_of_day`` is out of range.
        """
        return bool(self.open_at(np.asarray(weekday), np.asarray(minute_of_day)))

    def open_at(
        self, weekday: npt.ArrayLike, minute_of_day: npt.ArrayLike
    ) -> npt.NDArray[np.bool_]:
        """Return, element by element, whether the service is open at those minutes.

        Parameters
        ----------
        weekday : array_like of int
            Monday = 0 to Sunday = 6.
        minute_of_day : array_like of int
            Minutes after midnight, 0 to 1439; broadcast against ``weekday``.

        Returns
        -------
        numpy.ndarray of bool
            The broadcast shape of the two inputs.

        Raises
        ------
        ValueError
            If any weekday or minute is out of range or not a whole number.
        """
        days = _as_int_array(weekday, name="weekday", upper=7)
        minutes = _as_int_array(minute_of_day, name="minute_of_day", upper=MINUTES_PER_DAY)
        # asarray keeps the promise of an array even for scalar inputs.
        return np.asarray(self.minutes[days * MINUTES_PER_DAY + minutes], dtype=bool)

    def open_hours_of_week(self) -> npt.NDArray[np.float64]:
        """Return the fraction of each of the 168 hours of the week that is open.

        Returns
        -------
        numpy.ndarray of float, shape (168,)
            Index ``weekday * 24 + hour``, Monday 00:00-01:00 first; 1.0 is open all hour.
        """
        hourly: npt.NDArray[np.float64] = self.minutes.reshape(7 * 24, 60).mean(axis=1)
        return hourly

    def describe(self) -> str:
        """Return the hours as normalised ``opening_hours`` text.

        The text parses back to the same hours. Days with the same ranges are grouped
        (``Mo-Fr 09:00-17:00; Sa,Su 10:00-16:00``), a range that runs to midnight and on
        into the next day's early hours is written as one past-midnight range
        (``Fr 22:00-02:00``), closed days are left out, and a service that is never open
        is ``off``.
        """
        if self.minutes.all():
            return _ALWAYS
        by_day = _ranges_by_day(self.minutes)
        groups: dict[tuple[_Range, ...], list[int]] = {}
        for day, ranges in enumerate(by_day):
            if ranges:
                groups.setdefault(tuple(ranges), []).append(day)
        if not groups:
            return "off"
        rules = [
            f"{_format_days(days)} {','.join(_format_range(r) for r in ranges)}"
            for ranges, days in groups.items()
        ]
        return "; ".join(rules)


def parse_opening_hours(text: str) -> WeeklyHours:
    """Parse an ``opening_hours`` text in the contract's subset.

    Parameters
    ----------
    text : str
        For example ``"24/7"`` or ``"Mo-Fr 09:00-21:00; Sa,Su 09:00-16:00"``; see the
        module docstring for the whole subset and how later rules override earlier ones.

    Returns
    -------
    WeeklyHours
        The minutes of the week the service is open.

    Raises
    ------
    OpeningHoursError
        If the text is empty or outside the subset; the message names the rule and the
        part that does not fit.
    """
    if not isinstance(text, str):
        message = f"expected opening hours as text, found {type(text).__name__}"
        raise OpeningHoursError(message)
    # Ranges by the day they start on; a later rule replaces whole days here, which is
    # what makes a past-midnight spill survive a rule for the next day.
    ranges_by_day: list[list[_Range]] = [[] for _ in _ALL_DAYS]
    rules = [rule.strip() for rule in text.split(";")]
    if not any(rules):
        found = repr(text) if text.strip() else "nothing"
        message = f"expected opening hours such as '24/7' or 'Mo-Fr 09:00-17:00', found {found}"
        raise OpeningHoursError(message)
    for rule in rules:
        # An empty rule (a trailing ';', as spreadsheets often leave) says nothing.
        if not rule:
            continue
        days, ranges = _parse_rule(rule)
        for day in days:
            ranges_by_day[day] = list(ranges)
    return WeeklyHours(_paint(ranges_by_day))


def union(hours: Iterable[WeeklyHours]) -> WeeklyHours:
    """Return the hours in which at least one of several services is open.

    Parameters
    ----------
    hours : iterable of WeeklyHours
        For example every service of one category; may be empty.

    Returns
    -------
    WeeklyHours
        Open at each minute at which any input is open; never open if there is none.
    """
    mask = np.zeros(MINUTES_PER_WEEK, dtype=bool)
    for one in hours:
        mask |= one.minutes
    return WeeklyHours(mask)


def _parse_rule(rule: str) -> tuple[tuple[int, ...], tuple[_Range, ...]]:
    """Split one rule into the days it names and its ranges (empty when closed)."""
    if _ALWAYS_RULE.fullmatch(rule):
        return _ALL_DAYS, ((0, MINUTES_PER_DAY),)
    closed = _CLOSED_TAIL.fullmatch(rule)
    if closed is not None:
        return _parse_days(closed.group("days").strip(), rule), ()
    first_digit = next((i for i, char in enumerate(rule) if char.isdigit()), None)
    if first_digit is None:
        message = f"expected {_EXPECTED_TIMES}; found no times in rule {rule!r}"
        raise OpeningHoursError(message)
    days = _parse_days(rule[:first_digit].strip(), rule)
    return days, _parse_times(rule[first_digit:].strip(), rule)


def _parse_days(text: str, rule: str) -> tuple[int, ...]:
    """Return the weekdays named by a day selector such as ``Mo,We-Fr`` (all if empty)."""
    if not text:
        return _ALL_DAYS
    days: list[int] = []
    for item in (part.strip() for part in text.split(",")):
        match = _DAY_ITEM.fullmatch(item)
        if match is None:
            message = f"expected {_EXPECTED_RULE}; found {item!r} in rule {rule!r}"
            raise OpeningHoursError(message)
        first = _day_index(match.group("first"), rule)
        last_name = match.group("last")
        last = first if last_name is None else _day_index(last_name, rule)
        # Modulo 7 makes a range such as Fr-Mo run over the weekend.
        days.extend((first + step) % 7 for step in range((last - first) % 7 + 1))
    return tuple(dict.fromkeys(days))


def _day_index(name: str, rule: str) -> int:
    """Return the weekday of a two-letter day name, or explain why it is not one."""
    index = _DAY_INDEX.get(name.lower())
    if index is None:
        message = f"expected {_EXPECTED_DAY}; found {name!r} in rule {rule!r} ({_UNSUPPORTED})"
        raise OpeningHoursError(message)
    return index


def _parse_times(text: str, rule: str) -> tuple[_Range, ...]:
    """Return the ranges of a time list such as ``09:00-12:30,13:30-17:00``."""
    ranges: list[_Range] = []
    for item in (part.strip() for part in text.split(",")):
        match = _TIME_RANGE.fullmatch(item)
        if match is None:
            message = f"expected {_EXPECTED_TIMES}; found {item!r} in rule {rule!r}"
            raise OpeningHoursError(message)
        start_hour, start_minute, end_hour, end_minute = (int(g) for g in match.groups())
        start = _minute_of_day(start_hour, start_minute, rule, is_end=False)
        end = _minute_of_day(end_hour, end_minute, rule, is_end=True)
        if start == end:
            message = (
                f"expected a range whose end differs from its start; found {item!r} in"
                f" rule {rule!r} (write '00:00-24:00' for a whole day)"
            )
            raise OpeningHoursError(message)
        ranges.append((start, end))
    return tuple(ranges)


def _minute_of_day(hour: int, minute: int, rule: str, *, is_end: bool) -> int:
    """Return minutes after midnight, refusing clock times that do not exist."""
    which, latest = ("an end", "24:00") if is_end else ("a start", "23:59")
    if minute > 59 or hour * 60 + minute > (MINUTES_PER_DAY if is_end else MINUTES_PER_DAY - 1):
        message = (
            f"expected {which} time between 00:00 and {latest}; found '{hour:02d}:{minute:02d}'"
            f" in rule {rule!r}"
        )
        raise OpeningHoursError(message)
    return hour * 60 + minute


def _paint(ranges_by_day: list[list[_Range]]) -> npt.NDArray[np.bool_]:
    """Turn ranges by starting day into a mask of the week's minutes."""
    mask = np.zeros(MINUTES_PER_WEEK, dtype=bool)
    for day, ranges in enumerate(ranges_by_day):
        offset = day * MINUTES_PER_DAY
        for start, end in ranges:
            if end > start:
                mask[offset + start : offset + end] = True
            else:
                mask[offset + start : offset + MINUTES_PER_DAY] = True
                # Sunday's past-midnight hours fall on Monday at the start of the week.
                next_offset = (day + 1) % 7 * MINUTES_PER_DAY
                mask[next_offset : next_offset + end] = True
    return mask


def _ranges_by_day(mask: npt.NDArray[np.bool_]) -> list[list[_Range]]:
    """Return each day's ranges, joining a run over midnight into one past-midnight range."""
    days = mask.reshape(7, MINUTES_PER_DAY)
    by_day = [_runs(days[day]) for day in _ALL_DAYS]
    # Decide every join before making any, so a day's early hours are judged as they are.
    joins = []
    for day in _ALL_DAYS:
        today, tomorrow = by_day[day], by_day[(day + 1) % 7]
        # Only an end strictly before the start reads back as past midnight; a longer
        # run stays as two ranges ('Fr 22:00-24:00; Sa 00:00-23:00').
        if (
            today
            and tomorrow
            and today[-1][1] == MINUTES_PER_DAY
            and tomorrow[0][0] == 0
            and tomorrow[0][1] < today[-1][0]
        ):
            joins.append(day)
    for day in joins:
        tomorrow = by_day[(day + 1) % 7]
        start = by_day[day][-1][0]
        by_day[day][-1] = (start, tomorrow.pop(0)[1])
    return by_day


def _runs(day: npt.NDArray[np.bool_]) -> list[_Range]:
    """Return the half-open runs of open minutes in one day."""
    padded = np.concatenate(([False], day, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(start), int(end)) for start, end in zip(edges[::2], edges[1::2], strict=True)]


def _format_range(bounds: _Range) -> str:
    """Write a range as ``HH:MM-HH:MM``."""
    return "-".join(f"{minute // 60:02d}:{minute % 60:02d}" for minute in bounds)


def _format_days(days: list[int]) -> str:
    """Write weekdays as a short selector such as ``Mo-Fr``, ``Sa,Su`` or ``Fr-Mo``."""
    chosen = set(days)
    # Start after a closed day so that a run over the weekend stays one range (Fr-Mo).
    start = next((d for d in _ALL_DAYS if d in chosen and (d - 1) % 7 not in chosen), 0)
    runs: list[list[int]] = []
    for step in range(7):
        day = (start + step) % 7
        if day not in chosen:
            continue
        if runs and (runs[-1][-1] + 1) % 7 == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[day] for day in run)
    return ",".join(parts)


def _as_int_array(values: Any, *, name: str, upper: int) -> npt.NDArray[np.intp]:
    """Return ``values`` as whole numbers in ``[0, upper)`` or say which one is not."""
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        if array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0):
            array = array.astype(np.intp)
        else:
            message = (
                f"`{name}` must be whole numbers from 0 to {upper - 1}, got values of"
                f" dtype {array.dtype}"
            )
            raise ValueError(message)
    bad = (array < 0) | (array >= upper)
    if bad.any():
        found = array[bad].ravel()[0].item()
        message = f"`{name}` must be from 0 to {upper - 1}, got {found!r}"
        raise ValueError(message)
    return array.astype(np.intp)
