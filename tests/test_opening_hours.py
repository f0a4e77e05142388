"""Tests for the ``opening_hours`` parser, against hours worked out by hand."""

from __future__ import annotations

import re

import numpy as np
import pytest

from loaders.opening_hours import (
    MINUTES_PER_WEEK,
    OpeningHoursError,
    WeeklyHours,
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
        ("Fr 22:00-02:00; Sa off", 4.0),  # Friday's night shift is kept
        ("Fr 22:00-02:00; Sa 10:00-12:00", 4 + 2),  # 6
        ("Mo 09:00-17:00; Mo 10:00-11:00", 1.0),  # the later rule replaces Monday
        ("24/7; Su off", 6 * 24),  # 144
        ("off", 0.0),
        ("  mo - fr  9:00 - 17:00 ;  sa 10:00-12:00 ; ", 5 * 8 + 2),  # 42, whitespace and case
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
        # spill-over survives a later rule for the next day
        ("Fr 22:00-02:00; Sa off", SA, at(1), True),
        ("Fr 22:00-02:00; Sa 10:00-12:00", SA, at(1, 59), True),
        ("Fr 22:00-02:00; Sa 10:00-12:00", SA, at(10), True),
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
    hourly = parse_opening_hours("Mo 09:30-11:00; Su 23:45-00:15").open_hours_of_week()
    expected = np.zeros(168)
    expected[MO * 24 + 9] = 0.5  # 09:30-10:00
    expected[MO * 24 + 10] = 1.0  # 10:00-11:00
    expected[SU * 24 + 23] = 0.25  # 23:45-24:00
    expected[MO * 24 + 0] = 0.25  # Monday 00:00-00:15, wrapped from Sunday
    assert hourly.shape == (168,)
    np.testing.assert_allclose(hourly, expected)
    assert hourly.sum() == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("24/7", "24/7"),
        ("Mo 00:00-24:00; Tu-Su 00:00-24:00", "24/7"),
        ("Mo-Fr 09:00-21:00; Sa,Su 09:00-16:00", "Mo-Fr 09:00-21:00; Sa,Su 09:00-16:00"),
        ("Mo-Fr 08:00-18:00; We 08:00-20:00", "Mo,Tu,Th,Fr 08:00-18:00; We 08:00-20:00"),
        ("Mo-Fr 09:00-17:00; We off", "Mo,Tu,Th,Fr 09:00-17:00"),
        ("Fr 22:00-02:00", "Fr 22:00-02:00"),
        ("Fr 22:00-24:00; Sa 00:00-02:00", "Fr 22:00-02:00"),
        ("Su 23:00-01:00", "Su 23:00-01:00"),
        ("Fr-Mo 10:00-12:00", "Fr-Mo 10:00-12:00"),
        ("Sa,Su,Mo 10:00-12:00", "Sa-Mo 10:00-12:00"),
        ("09:00-12:00", "Mo-Su 09:00-12:00"),
        ("Mo-Fr 13:30-17:00,09:00-12:30", "Mo-Fr 09:00-12:30,13:30-17:00"),
        ("Mo 09:00-12:00,12:00-13:00", "Mo 09:00-13:00"),
        ("mo 9:00 - 17:00", "Mo 09:00-17:00"),
        ("Mo 00:00-24:00; Tu 00:00-02:00", "Mo 00:00-24:00; Tu 00:00-02:00"),
        ("Fr 22:00-02:00; Sa 10:00-12:00", "Fr 22:00-02:00; Sa 10:00-12:00"),
        ("Mo off", "off"),
    ],
)
def test_describe_normalises_and_reads_back(text: str, normalised: str) -> None:
    hours = parse_opening_hours(text)
    assert hours.describe() == normalised
    assert parse_opening_hours(normalised) == hours


def test_union_is_open_when_any_service_is() -> None:
    both = union(
        [parse_opening_hours("Mo-Fr 09:00-17:00"), parse_opening_hours("Mo-Fr 16:00-20:00")]
    )
    assert both.hours_per_week() == pytest.approx(5 * 11)  # 09:00-20:00, overlap counted once
    assert both.describe() == "Mo-Fr 09:00-20:00"


def test_union_of_no_services_is_never_open() -> None:
    assert union([]).hours_per_week() == 0.0
    assert union(iter([])).describe() == "off"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "found nothing"),
        ("  ;  ", "found '  ;  '"),
        ("Mon-Fri 9-5", "found 'Mon' in rule 'Mon-Fri 9-5'"),
        ("Mon to Fri 9-5", "found 'Mon to Fri' in rule 'Mon to Fri 9-5'"),
        ("Mo-Fr 18:00-09:00x", "found '18:00-09:00x' in rule 'Mo-Fr 18:00-09:00x'"),
        ("Mo-Fr 25:00-26:00", "found '25:00' in rule 'Mo-Fr 25:00-26:00'"),
        ("Mo 09:00-24:30", "expected an end time between 00:00 and 24:00; found '24:30'"),
        ("Mo 24:00-02:00", "expected a start time between 00:00 and 23:59; found '24:00'"),
        ("Mo 09:60-10:00", "found '09:60'"),
        ("PH off", "found 'PH' in rule 'PH off'"),
        ("Mo-Fr 09:00-17:00; PH off", "found 'PH' in rule 'PH off'"),
        ("Mo-Xx 09:00-10:00", "found 'Xx' in rule 'Mo-Xx 09:00-10:00'"),
        ("Jan-Mar Mo 09:00-17:00", "found 'Jan-Mar Mo'"),
        ("Mo 09:00-sunset", "found '09:00-sunset'"),
        ("sunrise-sunset", "found no times in rule 'sunrise-sunset'"),
        ("Mo-Fr", "found no times in rule 'Mo-Fr'"),
        ("Mo 10:00-10:00", "found '10:00-10:00'"),
        ("Mo 09:00+", "found '09:00+'"),
        ("Mo 09:00-17:00 || Tu 10:00-12:00", "found '09:00-17:00 || Tu 10:00-12:00'"),
    ],
)
def test_refuses_text_outside_the_subset(text: str, fragment: str) -> None:
    with pytest.raises(OpeningHoursError, match=r"^expected ") as raised:
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
    assert repr(first) == "WeeklyHours('Mo-Fr 09:00-17:00')"


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
