"""Counting a loaded frame of reports: every dimension checked against figures worked by hand.

The four reports below are chosen so that local time and UTC disagree: one on the last
night of GMT, one in the first hours of BST (clocks went forward at 01:00 UTC on Sunday
29 March 2026), one whose UTC day is 30 June but whose local day is 1 July.
"""

from __future__ import annotations

from datetime import date

import h3
import pandas as pd
import pytest

from loaders.counts import DIMENSIONS, Slot
from loaders.source import Dataset, LoadResult
from safetymap.analysis.counts import FrameCounts, counts_of
from safetymap.analysis.filters import Filters

WATFORD, ST_ALBANS = "E07000103", "E07000240"
LONDON = "Europe/London"


def _utc(text: str | None) -> pd.Timestamp:
    return pd.NaT if text is None else pd.Timestamp(text, tz="UTC").tz_convert(LONDON)


def reports() -> pd.DataFrame:
    occurred = [_utc("2026-03-28 23:30"), _utc("2026-03-29 01:30"), _utc(None),
                _utc("2026-07-01 20:00")]
    submitted = [_utc("2026-03-29 09:00"), _utc("2026-03-29 09:00"), _utc("2026-06-30 23:30"),
                 _utc("2026-07-02 08:00")]
    frame = pd.DataFrame({
        "report_id": ["r1", "r2", "r3", "r4"],
        "latitude": [51.6565, 51.6565, 51.7520, 51.6600],
        "longitude": [-0.3903, -0.3903, -0.3360, -0.4000],
        "occurred_at": pd.Series(occurred, dtype=f"datetime64[us, {LONDON}]"),
        "submitted_at": pd.Series(submitted, dtype=f"datetime64[us, {LONDON}]"),
        "time_of_day": ["night", "night", "unknown", "evening"],
        "environment": ["poor_lighting", "other", None, "no_cctv;poor_lighting"],
        "behaviour": ["followed", "other", "intimidation", None],
        "district_code": [WATFORD, WATFORD, ST_ALBANS, WATFORD],
        "lsoa_code": ["E01023844", "E01023844", "E01023692", "E01023850"],
    })
    frame["event_at"] = frame["occurred_at"].fillna(frame["submitted_at"])
    return frame


@pytest.fixture
def counts() -> FrameCounts:
    return FrameCounts(reports())


def records(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(row) for row in frame.itertuples(index=False)]


def test_the_total_and_each_text_dimension(counts: FrameCounts) -> None:
    assert records(counts.count(Filters())) == [(4,)]
    assert records(counts.count(Filters(), ("district_code",))) == [(WATFORD, 3), (ST_ALBANS, 1)]
    assert records(counts.count(Filters(), ("time_of_day",))) == [
        ("evening", 1), ("night", 2), ("unknown", 1)
    ]
    assert records(counts.count(Filters(), ("lsoa_code",))) == [
        ("E01023692", 1), ("E01023844", 2), ("E01023850", 1)
    ]


def test_times_are_counted_in_local_time(counts: FrameCounts) -> None:
    # r1 23:30 GMT Saturday; r2 02:30 BST Sunday; r3 has no occurred time; r4 21:00 BST Wed.
    assert records(counts.count(Filters(), ("occurred_weekday", "occurred_hour"))) == [
        (2, 21, 1), (5, 23, 1), (6, 2, 1)
    ]
    # Minutes: r1 23:30, r2 02:30, r4 21:00 (r3 has no occurred time).
    assert records(counts.count(Filters(), ("occurred_minute",))) == [(0, 1), (30, 2)]
    # event_at: r3 falls back to its submission, 00:30 BST on Wednesday 1 July.
    assert records(counts.count(Filters(), ("event_weekday",))) == [(2, 2), (5, 1), (6, 1)]
    assert records(counts.count(Filters(), ("event_month",))) == [("2026-03", 2), ("2026-07", 2)]
    # weeks by their Monday: Saturday 28 and Sunday 29 March, Wednesday 1 July
    assert records(counts.count(Filters(), ("event_week",))) == [
        ("2026-03-23", 2), ("2026-06-29", 2)
    ]
    assert counts.span(Filters()) == (date(2026, 3, 28), date(2026, 7, 1))
    assert counts.span(Filters(districts=(ST_ALBANS,))) == (date(2026, 7, 1), date(2026, 7, 1))


def test_a_week_starts_at_local_midnight_on_monday() -> None:
    # 23:30 UTC on Sunday 5 July is 00:30 BST on Monday 6 July: the next week; 23:30 GMT on
    # Sunday 11 January is still that Sunday; 1 January 2026 (a Thursday) is in a 2025 week.
    times = pd.Series([_utc("2026-07-05 23:30"), _utc("2026-01-11 23:30"),
                       _utc("2026-01-01 12:00")], dtype=f"datetime64[us, {LONDON}]")
    frame = reports().iloc[:3].assign(event_at=times.to_numpy())
    assert records(FrameCounts(frame).count(Filters(), ("event_week",))) == [
        ("2025-12-29", 1), ("2026-01-05", 1), ("2026-07-06", 1)
    ]


def test_a_report_counts_once_under_each_reason_it_gives(counts: FrameCounts) -> None:
    # r2 gives "other" as both environment and behaviour: once. Reasons in tie-break order.
    assert records(counts.count(Filters(), ("reason",))) == [
        ("no_cctv", 1), ("poor_lighting", 2), ("followed", 1), ("intimidation", 1), ("other", 1)
    ]
    assert records(counts.count(Filters(), ("district_code", "reason"))) == [
        (WATFORD, "no_cctv", 1), (WATFORD, "poor_lighting", 2), (WATFORD, "followed", 1),
        (WATFORD, "other", 1), (ST_ALBANS, "intimidation", 1),
    ]


def test_cells_at_the_resolution_asked(counts: FrameCounts) -> None:
    same = h3.latlng_to_cell(51.6565, -0.3903, 9)
    by_cell = counts.count(Filters(), ("cell",), resolution=9)
    assert by_cell.set_index("cell").loc[same, "reports"] == 2
    assert by_cell["reports"].sum() == 4
    coarse = counts.count(Filters(), ("cell",), resolution=5)
    assert set(coarse["cell"]) == {h3.latlng_to_cell(51.6565, -0.3903, 5),
                                   h3.latlng_to_cell(51.7520, -0.3360, 5),
                                   h3.latlng_to_cell(51.6600, -0.4000, 5)}


def test_filters_and_slots_select_as_by_hand(counts: FrameCounts) -> None:
    lighting = Filters(reasons=("poor_lighting",))
    assert records(counts.count(lighting, ("district_code",))) == [(WATFORD, 2)]
    # 1 July in local time: r3 (30 June 23:30 UTC) and r4; not r1 or r2.
    first_of_july = Filters(start=date(2026, 7, 1), end=date(2026, 7, 1))
    assert list(counts.rows(first_of_july)["report_id"]) == ["r3", "r4"]
    # 28 March (GMT): r1 only; 29 March (the clocks change): r2 only.
    assert list(counts.rows(Filters(end=date(2026, 3, 28)))["report_id"]) == ["r1"]
    assert list(counts.rows(Filters(start=date(2026, 3, 29), end=date(2026, 3, 29)))[
        "report_id"]) == ["r2"]
    assert records(counts.count(Filters(), ("reason",), slot=Slot(6, 2))) == [("other", 1)]
    assert records(counts.count(Filters(times_of_day=("night",)))) == [(2,)]
    assert records(counts.count(Filters(districts=(ST_ALBANS,), times_of_day=("night",)))) == [
        (0,)
    ]


def test_an_empty_selection_has_typed_columns(counts: FrameCounts) -> None:
    empty = counts.count(Filters(districts=("E07000098",)), ("district_code", "occurred_hour"))
    assert list(empty.columns) == ["district_code", "occurred_hour", "reports"]
    assert len(empty) == 0
    assert str(empty["occurred_hour"].dtype) == "int64"
    assert counts.span(Filters(districts=("E07000098",))) is None


def test_every_dimension_together_adds_up(counts: FrameCounts) -> None:
    # Without reason, each report counts once; those without an occurred time drop out.
    table = counts.count(Filters(), tuple(d for d in DIMENSIONS if d != "reason"))
    assert table["reports"].sum() == 3
    assert list(table.columns) == [*(d for d in DIMENSIONS if d != "reason"), "reports"]


@pytest.mark.parametrize(
    ("by", "message"),
    [(("street",), "cannot count reports by 'street'"),
     (("cell", "cell"), "each dimension may be given once")],
)
def test_unknown_or_repeated_dimensions_are_refused(
    counts: FrameCounts, by: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        counts.count(Filters(), by)


def test_a_slot_must_be_a_weekday_and_an_hour() -> None:
    with pytest.raises(ValueError, match="`weekday` must be 0"):
        Slot(7, 0)
    with pytest.raises(ValueError, match="`hour` must be 0 to 23"):
        Slot(0, 24)


def test_a_dataset_whose_reports_stayed_in_the_store_is_not_counted_as_empty() -> None:
    empty = LoadResult("streetsafe", reports().iloc[0:0], [], [], [])
    dataset = Dataset(streetsafe=empty, survey=empty, services=empty, synthetic=False,
                      origin="the store x.gpkg", reports_in_store=True)
    with pytest.raises(ValueError, match="counted in the store"):
        counts_of(dataset)
    frame_counts = FrameCounts(reports())
    assert counts_of(dataset, frame_counts) is frame_counts


def test_rows_can_stop_at_a_limit(counts: FrameCounts) -> None:
    assert list(counts.rows(Filters(), limit=2)["report_id"]) == ["r1", "r2"]
    assert list(counts.rows(Filters(districts=(WATFORD,)), limit=5)["report_id"]) == [
        "r1", "r2", "r4"
    ]
    assert counts.rows(Filters(), limit=0).empty
    with pytest.raises(ValueError, match="`limit` must be a whole number"):
        counts.rows(Filters(), limit=-1)
