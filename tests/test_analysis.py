"""Shared filters, the query string that carries them, and district rates, on hand-built data."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest

from safetymap.analysis.filters import Filters, filter_reports, filters_from_query
from safetymap.analysis.rates import RateClass, district_rates, rate_classes


def reports_frame(rows: list[tuple[str, str, str, str, str, str]]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        rows, columns=["report_id", "district_code", "event_at", "time_of_day", "environment",
                       "behaviour"]
    )
    frame["event_at"] = pd.to_datetime(frame["event_at"]).dt.tz_localize("Europe/London")
    return gpd.GeoDataFrame(frame, geometry=[None] * len(frame), crs="EPSG:27700")


REPORTS = reports_frame([
    ("a", "E07000103", "2026-03-01 21:00", "evening", "poor_lighting", ""),
    ("b", "E07000103", "2026-03-02 23:30", "night", "isolated;no_cctv", "followed"),
    ("c", "E07000096", "2026-03-05 09:00", "morning", "", "verbal_abuse_group"),
    ("d", "E07000243", "2026-04-01 00:30", "night", "", ""),
    ("e", "E07000103", "2026-03-31 23:59", "night", "other", "other"),
])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), ["a", "b", "c", "d", "e"]),
        (Filters(districts=("E07000103",)), ["a", "b", "e"]),
        (Filters(districts=("E07000103", "E07000243")), ["a", "b", "d", "e"]),
        (Filters(start=date(2026, 3, 2)), ["b", "c", "d", "e"]),
        (Filters(end=date(2026, 3, 31)), ["a", "b", "c", "e"]),  # the last day is included
        (Filters(start=date(2026, 3, 2), end=date(2026, 3, 5)), ["b", "c"]),
        (Filters(times_of_day=("night",)), ["b", "d", "e"]),
        (Filters(reasons=("no_cctv",)), ["b"]),
        (Filters(reasons=("followed", "poor_lighting")), ["a", "b"]),
        (Filters(reasons=("other",)), ["e"]),
        (Filters(districts=("E07000103",), times_of_day=("night",), reasons=("isolated",)), ["b"]),
    ],
)
def test_filter_reports(filters: Filters, expected: list[str]) -> None:
    assert filter_reports(REPORTS, filters)["report_id"].tolist() == expected


def test_filters_round_trip_through_the_query_string() -> None:
    filters = Filters(
        districts=("E07000103", "E07000096"), start=date(2026, 1, 1), end=date(2026, 3, 31),
        times_of_day=("evening", "night"), reasons=("poor_lighting",),
    )
    query = filters.to_query()
    assert query == {
        "district": "E07000103,E07000096", "from": "2026-01-01", "to": "2026-03-31",
        "time": "evening,night", "reason": "poor_lighting",
    }
    assert filters_from_query(query) == (filters, [])
    assert Filters().to_query() == {}


def test_a_link_with_names_and_mistakes_still_opens() -> None:
    filters, problems = filters_from_query(
        {"district": ["Watford,East Herts", "Luton"], "from": "01/02/2026", "time": "dawn",
         "reason": "Poor lighting"}
    )
    assert filters == Filters(districts=("E07000103", "E07000242"), reasons=("poor_lighting",))
    assert problems == [
        "'district' in the link: 'Luton' is not a Hertfordshire district",
        "'time' in the link: 'dawn' is not one of morning, afternoon, evening, night, unknown",
        "'from' in the link: expected a date YYYY-MM-DD, found '01/02/2026'",
    ]


def test_district_rates_per_1000_residents() -> None:
    population = pd.DataFrame({
        "code": ["E07000095", "E07000096", "E07000242", "E07000098", "E07000099",
                 "E07000240", "E07000243", "E07000102", "E07000103", "E07000241"],
        "population": [1000, 2000, 1000, 1000, 1000, 1000, 500, 1000, 1500, 1000],
    })
    rates = district_rates(REPORTS, population).set_index("district_code")
    # Watford 3 reports / 1,500 residents = 2.0 per 1,000; Stevenage 1 / 500 = 2.0;
    # Dacorum 1 / 2,000 = 0.5; the others 0.
    assert rates.at["E07000103", "reports"] == 3
    assert rates.at["E07000103", "per_1000"] == pytest.approx(2.0)
    assert rates.at["E07000243", "per_1000"] == pytest.approx(2.0)
    assert rates.at["E07000096", "per_1000"] == pytest.approx(0.5)
    assert rates.at["E07000095", "reports"] == 0
    assert len(rates) == 10
    # highest first; ties by name
    assert rates.index[:3].tolist() == ["E07000243", "E07000103", "E07000096"]


def test_rate_classes_are_quantiles_of_the_distinct_rates() -> None:
    classes, legend = rate_classes(pd.Series([0.0, 0.9, 1.0, 2.05, 4.5, 5.0]))
    # 6 distinct values into 5 classes: value i goes to class i * 5 // 6 → 0,0,1,2,3,4
    assert classes.tolist() == [0, 0, 1, 2, 3, 4]
    assert legend == [
        RateClass(0, 0.0, 0.9, "Lowest"), RateClass(1, 1.0, 1.0, "Low"),
        RateClass(2, 2.05, 2.05, "Middle"), RateClass(3, 4.5, 4.5, "High"),
        RateClass(4, 5.0, 5.0, "Highest"),
    ]
    # ten districts, rates 1 to 10: two to a class, no class empty
    tens, legend = rate_classes(pd.Series([float(v) for v in range(1, 11)]))
    assert tens.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert [(row.low, row.high) for row in legend] == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)]


def test_rate_classes_of_few_values_use_fewer_classes() -> None:
    # three distinct values → three classes, on the lightest, middle and darkest step
    three, legend = rate_classes(pd.Series([1.0, 3.0, 2.0, 3.0]))
    assert three.tolist() == [0, 4, 2, 4]
    assert [row.words for row in legend] == ["Low", "Middle", "High"]
    one, legend = rate_classes(pd.Series([0.21]))
    assert one.tolist() == [2]
    assert legend == [RateClass(2, 0.21, 0.21, "This district")]
    all_zero, legend = rate_classes(pd.Series([0.0, 0.0]))
    assert all_zero.tolist() == [2, 2]
    assert legend == [RateClass(2, 0.0, 0.0, "Every district shown")]
    none, legend = rate_classes(pd.Series([], dtype=float))
    assert (none.tolist(), legend) == ([], [])


