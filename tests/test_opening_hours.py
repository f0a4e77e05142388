"""Tests for reading ``opening_hours`` and bank holidays, against hours worked out by hand."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from loaders.opening_hours import (
    MINUTES_PER_WEEK,
    OpeningHoursError,
    WeeklyHours,
    bank_holidays,
    open_minutes_on,
    parse_opening_hours,
    union,
)

MO, TU, WE, TH, FR, SA, SU = range(7)


def at(hour: int, minute: int = 0) -> int:
    """Return the minute of the day of a clock time."""
    return hour * 60 + minute


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("24/7", 168.0),
        ("Mo-Fr 09:00-21:00; Sa,Su 09:00-16:00", 5 * 12 + 2 * 7),  # 74
        ("Mo-Fr 09:00-17:00", 5 * 8),  # 40
        ("Mo-Fr 08:00-18:00; We 08:00-20:00", 4 * 10 + 12),  # 52
        ("Fr 22:00-02:00", 2 + 2),  # 4
        ("Su 23:00-01:00", 1 + 1),  # 2
        ("Mo-Fr 09:00-17:00; We off", 4 * 8),  # 32
        ("Mo-Fr 09:00-17:00; We closed", 4 * 8),  # 32
        ("Fr-Mo 10:00-12:00", 4 * 2),  # 8: Fr, Sa, Su, Mo
        ("09:00-12:00", 7 * 3),  # 21
        ("Mo-Fr 09:00-12:30,13:30-17:00", 5 * (3.5 + 3.5)),  # 35
        ("Mo,We-Fr 09:00-17:00", 4 * 8),  # 32: Tuesday left out
        ("Sa 00:00-24:00", 24.0),
        ("Mo 09:00-17:00,12:00-13:00", 8.0),  # an overlap counts once
        ("Mo 09:15-09:45", 0.5),
        ("Mo-Su 22:00-02:00", 7 * 4),  # 28: every spill lands on the next day
        ("Fr 22:00-02:00; Sa off", 2.0),  # Saturday replaced whole: only Fr 22:00-24:00
        ("Fr 22:00-02:00; Sa 10:00-12:00", 2 + 2),  # 4
        ("Mo 09:00-17:00; Mo 10:00-11:00", 1.0),  # the later rule replaces Monday
        ("24/7; Su off", 6 * 24),  # 144
        ("off", 0.0),
        ("Mo-Fr 09:00-17:00; PH off", 5 * 8),  # 40: the ordinary week has no bank holiday
        ("PH 10:00-14:00", 0.0),  # open on bank holidays only
        ("Mo-Fr 09:00-17:00; Dec 25 off", 5 * 8),  # the ordinary week is in June
        ("Mo 09:00-17:00 \"by appointment\"", 8.0),  # a comment is kept, the hours read
    ],
)
def test_hours_per_week(text: str, hours: float) -> None:
    assert parse_opening_hours(text).hours_per_week() == pytest.approx(hours)


@pytest.mark.parametrize(
    ("text", "weekday", "minute", "expected"),
    [
        # half-open ranges: open at the start, closed at the end
        ("Mo-Fr 09:00-17:00", MO, at(9), True),
        ("Mo-Fr 09:00-17:00", MO, at(8, 59), False),
        ("Mo-Fr 09:00-17:00", FR, at(16, 59), True),
        ("Mo-Fr 09:00-17:00", FR, at(17), False),
        ("Mo-Fr 09:00-17:00", SA, at(12), False),
        # a later rule overrides the days it names, and only those
        ("Mo-Fr 08:00-18:00; We 08:00-20:00", WE, at(19, 30), True),
        ("Mo-Fr 08:00-18:00; We 08:00-20:00", TU, at(19, 30), False),
        ("Mo-Fr 08:00-18:00; We 08:00-20:00", TH, at(17, 59), True),
        ("Mo-Fr 09:00-17:00; We off", WE, at(12), False),
        ("Mo-Fr 09:00-17:00; We off", TH, at(12), True),
        # past midnight
        ("Fr 22:00-02:00", FR, at(21, 59), False),
        ("Fr 22:00-02:00", FR, at(23, 59), True),
        ("Fr 22:00-02:00", SA, at(1), True),
        ("Fr 22:00-02:00", SA, at(2), False),
        ("Fr 22:00-02:00", TH, at(1), False),
        ("Su 23:00-01:00", SU, at(23, 30), True),
        ("Su 23:00-01:00", MO, at(0, 30), True),
        ("Su 23:00-01:00", MO, at(1), False),
        # a later rule for the next day replaces its early hours too (the specification)
        ("Fr 22:00-02:00; Sa off", SA, at(1), False),
        ("Fr 22:00-02:00; Sa off", FR, at(23), True),
        ("Fr 22:00-02:00; Sa 10:00-12:00", SA, at(1, 59), False),
        ("Fr 22:00-02:00; Sa 10:00-12:00", SA, at(10), True),
        # PH rules do not touch an ordinary week
        ("Mo-Fr 09:00-17:00; PH off", WE, at(12), True),
        ("PH 10:00-14:00", MO, at(12), False),
        # wrapping day range Fr-Mo is Fr, Sa, Su, Mo
        ("Fr-Mo 10:00-12:00", SU, at(11), True),
        ("Fr-Mo 10:00-12:00", MO, at(11), True),
        ("Fr-Mo 10:00-12:00", TU, at(11), False),
        ("Fr-Mo 10:00-12:00", TH, at(11), False),
        # 24:00 as an end reaches the last minute of the day and no further
        ("Sa 18:00-24:00", SA, at(23, 59), True),
        ("Sa 18:00-24:00", SU, at(0), False),
        # no days: every day
        ("09:00-12:00", SU, at(9), True),
        ("09:00-12:00", WE, at(12), False),
        # a lunch break
        ("Mo-Fr 09:00-12:30,13:30-17:00", TU, at(12, 45), False),
        ("Mo-Fr 09:00-12:30,13:30-17:00", TU, at(13, 30), True),
        ("24/7", SU, at(23, 59), True),
    ],
)
def test_is_open(text: str, weekday: int, minute: int, expected: bool) -> None:
    assert parse_opening_hours(text).is_open(weekday, minute) is expected


@pytest.mark.parametrize(
    "text",
    [
        "Mo-Fr 09:00-21:00; Sa,Su 09:00-16:00",
        "Mo-Fr 08:00-18:00; We 08:00-20:00",
        "Fr 22:00-02:00; Sa 10:00-12:00",
        "Su 23:00-01:00",
        "Fr-Mo 10:00-12:00",
    ],
)
def test_open_at_matches_is_open_everywhere(text: str) -> None:
    hours = parse_opening_hours(text)
    weekday, minute = np.meshgrid(np.arange(7), np.arange(0, 1440, 7), indexing="ij")
    expected = np.array(
        [
            [hours.is_open(int(d), int(m)) for d, m in zip(days, mins, strict=True)]
            for days, mins in zip(weekday, minute, strict=True)
        ]
    )
    result = hours.open_at(weekday, minute)
    assert result.shape == weekday.shape
    assert result.dtype == bool
    np.testing.assert_array_equal(result, expected)


def test_open_at_picks_the_right_minutes() -> None:
    hours = parse_opening_hours("Fr 22:00-02:00")
    result = hours.open_at(np.array([FR, FR, SA, SA, SU]), np.array([at(21), at(22), 0, at(2), 0]))
    np.testing.assert_array_equal(result, [False, True, True, False, False])


def test_open_at_broadcasts_a_scalar_weekday() -> None:
    hours = parse_opening_hours("Mo 09:00-17:00")
    np.testing.assert_array_equal(
        hours.open_at(MO, np.array([at(8), at(9), at(17)])), [False, True, False]
    )


@pytest.mark.parametrize(
    ("weekday", "minute", "fragment"),
    [
        (7, 0, "`weekday` must be from 0 to 6, got 7"),
        (-1, 0, "`weekday` must be from 0 to 6, got -1"),
        (0, 1440, "`minute_of_day` must be from 0 to 1439, got 1440"),
        (0, 90.5, "`minute_of_day` must be whole numbers"),
    ],
)
def test_open_at_refuses_times_outside_the_week(weekday: int, minute: float, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_opening_hours("24/7").open_at(weekday, minute)


def test_open_hours_of_week_gives_fractions_by_hour() -> None:
    # Monday has no rule of its own, so Sunday's past-midnight quarter lands on it.
    hourly = parse_opening_hours("Tu 09:30-11:00; Su 23:45-00:15").open_hours_of_week()
    expected = np.zeros(168)
    expected[TU * 24 + 9] = 0.5  # 09:30-10:00
    expected[TU * 24 + 10] = 1.0  # 10:00-11:00
    expected[SU * 24 + 23] = 0.25  # 23:45-24:00
    expected[MO * 24 + 0] = 0.25  # Monday 00:00-00:15, wrapped from Sunday
    assert hourly.shape == (168,)
    np.testing.assert_allclose(hourly, expected)
    assert hourly.sum() == pytest.approx(2.0)


def test_union_is_open_when_any_service_is() -> None:
    both = union(
        [parse_opening_hours("Mo-Fr 09:00-17:00"), parse_opening_hours("Mo-Fr 16:00-20:00")]
    )
    assert both.hours_per_week() == pytest.approx(5 * 11)  # 09:00-20:00, overlap counted once
    assert both == parse_opening_hours("Mo-Fr 09:00-20:00")


def test_union_of_no_services_is_never_open() -> None:
    assert union([]).hours_per_week() == 0.0
    assert union(iter([])) == parse_opening_hours("off")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "found nothing"),
        ("  ;  ", "found '  ;  '"),
        ("Mon-Fri 9-5", "found 'Mon-Fri 9-5' (not read from character "),
        ("Mon to Fri 9-5", "found 'Mon to Fri 9-5'"),
        ("Mo-Fr 25:00-26:00x", "found 'Mo-Fr 25:00-26:00x'"),
        ("Mo-Fr 09:00-17:00 garbage", "(not read from character 19)"),  # the g
        ("Mo-Xx 09:00-10:00", "found 'Mo-Xx 09:00-10:00'"),
        ("Mo-Fr 09:00-17:00 || ", "found 'Mo-Fr 09:00-17:00 || '"),
    ],
)
def test_refuses_text_it_cannot_read(text: str, fragment: str) -> None:
    with pytest.raises(OpeningHoursError, match=r"^expected opening hours in OpenStreetMap") as raised:
        parse_opening_hours(text)
    assert fragment in str(raised.value)


def test_error_is_a_value_error() -> None:
    assert issubclass(OpeningHoursError, ValueError)


def test_weekly_hours_compare_by_minutes_not_text() -> None:
    first = parse_opening_hours("Mo-Fr 09:00-17:00")
    same = parse_opening_hours("Mo,Tu,We,Th,Fr 09:00-12:00,12:00-17:00")
    other = parse_opening_hours("Mo-Fr 09:00-17:01")
    assert first == same
    assert hash(first) == hash(same)
    assert first != other
    assert repr(first) == "WeeklyHours(40 hours a week)"


def test_weekly_hours_cannot_be_changed() -> None:
    source = np.zeros(MINUTES_PER_WEEK, dtype=bool)
    hours = WeeklyHours(source)
    source[0] = True  # the caller's array is copied, not shared
    assert not hours.is_open(MO, 0)
    with pytest.raises(ValueError, match="read-only"):
        hours.minutes[0] = True


def test_weekly_hours_refuses_a_mask_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match=r"must have shape \(10080,\)"):
        WeeklyHours(np.zeros(168, dtype=bool))


# ---------------------------------------------------------------- the real calendar
def test_bank_holidays_of_england_and_wales_in_a_period() -> None:
    # 2026: spring bank holiday Monday 25 May; Christmas Day Friday 25 December; Boxing Day
    # is a Saturday, so Monday 28 December is the bank holiday and the 26th is not.
    days = bank_holidays(date(2026, 5, 20), date(2026, 12, 31))
    assert list(days) == [
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)
    ]
    assert days[date(2026, 5, 25)] == "Spring Bank Holiday"
    assert bank_holidays(date(2026, 12, 26), date(2026, 12, 27)) == {}
    assert bank_holidays(date(2026, 12, 31), date(2026, 12, 1)) == {}


def test_bank_holidays_run_over_a_new_year() -> None:
    assert list(bank_holidays(date(2026, 12, 29), date(2027, 1, 4))) == [date(2027, 1, 1)]


@pytest.mark.parametrize(
    ("text", "day", "hours"),
    [
        # Thursday 24 December is an ordinary weekday; 25 and 28 December and 25 May are
        # bank holidays, closed under PH off and open only then under PH 10:00-14:00.
        ("Mo-Fr 09:00-17:00; PH off", date(2026, 12, 24), 8.0),
        ("Mo-Fr 09:00-17:00; PH off", date(2026, 12, 25), 0.0),
        ("Mo-Fr 09:00-17:00; PH off", date(2026, 12, 28), 0.0),
        ("Mo-Fr 09:00-17:00; PH off", date(2026, 5, 25), 0.0),
        ("Mo-Fr 09:00-17:00; PH off", date(2026, 12, 26), 0.0),  # a Saturday
        ("PH 10:00-14:00", date(2026, 12, 24), 0.0),
        ("PH 10:00-14:00", date(2026, 12, 25), 4.0),
        ("PH 10:00-14:00", date(2026, 12, 26), 0.0),  # Saturday, not a bank holiday
        ("PH 10:00-14:00", date(2026, 12, 28), 4.0),
        ("PH 10:00-14:00", date(2026, 5, 25), 4.0),
        # England-only bank holidays the parser's GB calendar does not hold
        ("PH 10:00-14:00", date(2027, 1, 1), 4.0),
        ("PH 10:00-14:00", date(2026, 4, 6), 4.0),  # Easter Monday
        ("PH 10:00-14:00", date(2026, 8, 31), 4.0),  # summer bank holiday
        ("Mo-Fr 08:00-18:00; We 08:00-20:00", date(2026, 12, 23), 12.0),  # a Wednesday
        ("Mo-Fr 08:00-18:00; We 08:00-20:00", date(2026, 12, 24), 10.0),
        ("Mo-Fr 08:00-18:00; We 08:00-20:00; PH off", date(2026, 12, 25), 0.0),
        ("24/7", date(2026, 12, 25), 24.0),
        ("Mo-Fr 09:00-17:00; Dec 24 10:00-12:00", date(2026, 12, 24), 2.0),
    ],
)
def test_open_minutes_on_a_real_day(text: str, day: date, hours: float) -> None:
    assert open_minutes_on(text, day).sum() / 60 == pytest.approx(hours)


def test_open_minutes_on_a_bank_holiday_are_the_ph_hours() -> None:
    minutes = open_minutes_on("Mo-Fr 09:00-17:00; PH 10:00-14:00", date(2026, 12, 25))
    assert minutes.shape == (1440,)
    assert not minutes[at(9, 59)]
    assert minutes[at(10)]
    assert minutes[at(13, 59)]
    assert not minutes[at(14)]


def test_open_minutes_on_refuses_text_it_cannot_read() -> None:
    with pytest.raises(OpeningHoursError, match="found 'Mon-Fri 9-5'"):
        open_minutes_on("Mon-Fri 9-5", date(2026, 12, 25))
