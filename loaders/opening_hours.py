"""Read OpenStreetMap ``opening_hours`` as services publish them, on the real calendar.

Support services give their hours in OpenStreetMap syntax (data contract, section 3). The
text is read by the maintained ``opening-hours-py`` package, which knows the whole syntax:
public holidays (``PH off``, ``PH 10:00-14:00``), dates and months (``Dec 24 10:00-14:00``),
``+`` open ends, comments, ``||`` fallbacks and later rules replacing earlier ones for the
days they name (``Mo-Fr 08:00-18:00; We 08:00-20:00``: Wednesday is 08:00-20:00 only; in
``Fr 22:00-02:00; Sa off`` Saturday is closed all day, as the specification says).

Bank holidays are those of England and Wales from the ``holidays`` package, which works
offline (:func:`bank_holidays`). A ``PH`` rule applies on those days and no others: the
parser's own calendar for ``GB`` leaves out New Year's Day, Easter Monday and the summer
bank holiday, which are not bank holidays in Scotland.

Two views of the same text:

:func:`parse_opening_hours`
    A :class:`WeeklyHours`, the open minutes of an ordinary week (:data:`ORDINARY_WEEK`, a
    June week with no bank holiday), for "hours open per week" and the hour-of-week chart.
:func:`open_minutes_on`
    The open minutes of one real day, a bank holiday or not.

Text the parser cannot read raises :class:`OpeningHoursError`, whose message says what
was expected and what was found, so that the loaders can name file, row and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import holidays
import numpy as np
import numpy.typing as npt
import opening_hours

__all__ = [
    "DAY_NAMES",
    "MINUTES_PER_DAY",
    "MINUTES_PER_WEEK",
    "ORDINARY_WEEK",
    "OpeningHoursError",
    "WeeklyHours",
    "bank_holidays",
    "open_minutes_on",
    "parse_opening_hours",
    "union",
]

#: Day names in OpenStreetMap order; the index is the weekday (Monday = 0), as in
#: :meth:`datetime.date.weekday`.
DAY_NAMES: tuple[str, ...] = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

#: Monday of the week whose hours stand for "an ordinary week": no bank holiday in it or
#: on the Sunday before (whose past-midnight hours reach into Monday), and no month
#: boundary. Hours that differ by month or date are those of mid-June.
ORDINARY_WEEK = date(2026, 6, 8)

_EXPECTED = (
    "opening hours in OpenStreetMap form, such as '24/7', 'Mo-Fr 09:00-17:00; PH off' or "
    "'Mo-Fr 09:00-12:30,13:30-17:00; Sa 10:00-12:00'"
)

# Calendars of the parser that mark, on the days they share with England and Wales, the
# same days as bank holidays. A day is evaluated "as a public holiday" with the first of
# them that knows it is one: the Isle of Man's calendar has New Year's Day, Easter Monday
# and the summer bank holiday on the English dates, which the parser's GB calendar lacks.
# Which days are bank holidays is decided by `holidays` alone (bank_holidays); the few
# one-off holidays neither calendar knows (royal occasions of 2002, 2011 and 2012) are
# read as ordinary days.
_PH_CALENDARS = ("GB", "IM")


# The parser raises ParserError, which its type stubs do not declare.
_PARSER_ERRORS: tuple[type[Exception], ...] = (
    getattr(opening_hours, "ParserError", SyntaxError), SyntaxError, ValueError
)


class OpeningHoursError(ValueError):
    """An ``opening_hours`` text cannot be read; the message says why.

    The message names what was expected and what was found, and is meant to be shown to
    users as it is.
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
    they were read from.
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
        """Show the hours open rather than 10,080 booleans."""
        return f"WeeklyHours({self.hours_per_week():g} hours a week)"

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


def parse_opening_hours(text: str) -> WeeklyHours:
    """Read an ``opening_hours`` text and return its ordinary week.

    Parameters
    ----------
    text : str
        For example ``"24/7"`` or ``"Mo-Fr 09:00-17:00; PH off"``.

    Returns
    -------
    WeeklyHours
        The minutes the service is open in :data:`ORDINARY_WEEK`, which holds no bank
        holiday; ``PH`` rules therefore do not show here (see :func:`open_minutes_on`).

    Raises
    ------
    OpeningHoursError
        If the text is empty or not in OpenStreetMap form.
    """
    start = datetime.combine(ORDINARY_WEEK, time())
    return WeeklyHours(_open_minutes(_read(text), start, MINUTES_PER_WEEK))


def open_minutes_on(text: str, day: date) -> npt.NDArray[np.bool_]:
    """Return the minutes of one real day at which the service is open.

    Parameters
    ----------
    text : str
        An ``opening_hours`` text.
    day : datetime.date
        Any day; on an England and Wales bank holiday (:func:`bank_holidays`) the text's
        ``PH`` rules apply, on any other day they do not.

    Returns
    -------
    numpy.ndarray of bool, shape (1440,)
        ``True`` at the minutes (local time, from midnight) the service is open; read-only.

    Raises
    ------
    OpeningHoursError
        If the text cannot be read.
    """
    _read(text)  # refuse unreadable text before anything is cached
    return _day_minutes(text, day)


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


def bank_holidays(start: date, end: date) -> dict[date, str]:
    """Return the England and Wales bank holidays from ``start`` to ``end`` (inclusive).

    Parameters
    ----------
    start, end : datetime.date
        First and last day of the period.

    Returns
    -------
    dict of datetime.date to str
        Each bank holiday and its name, in date order; empty when ``end`` is before
        ``start``.

    Notes
    -----
    A holiday that falls on a weekend is not itself a bank holiday: the substitute weekday
    is (Boxing Day 2026 is a Saturday, so Monday 28 December is the bank holiday).
    """
    if end < start:
        return {}
    calendar = _england_and_wales(tuple(range(start.year, end.year + 1)))
    return {
        day: name
        for day, name in sorted(calendar.items())
        if start <= day <= end and day.weekday() < 5
    }


@lru_cache(maxsize=8)
def _england_and_wales(years: tuple[int, ...]) -> dict[date, str]:
    """Return every England and Wales holiday of ``years`` with its name."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return {day: str(name) for day, name in calendar.items()}


@lru_cache(maxsize=256)
def _read(text: str) -> opening_hours.OpeningHours:
    """Return the parsed text (no public holiday calendar), or explain why it cannot be."""
    if not isinstance(text, str):
        message = f"expected {_EXPECTED}; found {type(text).__name__}"
        raise OpeningHoursError(message)
    if not text.strip(" ;"):
        found = repr(text) if text.strip() else "nothing"
        message = f"expected {_EXPECTED}; found {found}"
        raise OpeningHoursError(message)
    try:
        return opening_hours.OpeningHours(text, auto_country=False, auto_timezone=False)
    except _PARSER_ERRORS as error:
        # The parser's message points at the column where reading stopped.
        where = _where_it_stopped(str(error))
        message = f"expected {_EXPECTED}; found {text!r}{where}"
        raise OpeningHoursError(message) from None


@lru_cache(maxsize=16)
def _with_calendar(text: str, country: str) -> opening_hours.OpeningHours:
    """Return the parsed text with the parser's public holiday calendar of ``country``."""
    return opening_hours.OpeningHours(
        text, country=country, auto_country=False, auto_timezone=False
    )


@lru_cache(maxsize=4096)
def _day_minutes(text: str, day: date) -> npt.NDArray[np.bool_]:
    """Return the open minutes of ``text`` on ``day`` (cached: days and texts repeat)."""
    start = datetime.combine(day, time())
    rules = _read(text)
    if day in bank_holidays(day, day):
        noon = start + timedelta(hours=12)
        for country in _PH_CALENDARS:
            if _with_calendar("PH", country).is_open(noon):
                rules = _with_calendar(text, country)
                break
    minutes = _open_minutes(rules, start, MINUTES_PER_DAY)
    minutes.flags.writeable = False
    return minutes


def _open_minutes(
    rules: opening_hours.OpeningHours, start: datetime, length: int
) -> npt.NDArray[np.bool_]:
    """Return which of ``length`` minutes from ``start`` the rules are open at."""
    mask = np.zeros(length, dtype=bool)
    end = start + timedelta(minutes=length)
    for first, last, state, _ in rules.intervals(start, end):
        if state != opening_hours.State.OPEN:
            continue
        begin = int((max(first, start) - start).total_seconds() // 60)
        stop = length if last is None else int((min(last, end) - start).total_seconds() // 60)
        mask[begin:stop] = True
    return mask


def _where_it_stopped(error: str) -> str:
    """Return ' (not read from character N)' from the parser's message, or ''."""
    found = re.search(r"-->\s*\d+:(\d+)", error)
    return f" (not read from character {found.group(1)})" if found else ""


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
