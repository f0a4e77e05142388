"""Shared filters, the query string that carries them, and district rates, on hand-built data."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest

from safetymap.analysis.filters import Filters, filter_reports, filters_from_query
from safetymap.analysis.rates import district_rates, rate_classes
from safetymap.maps.districts import rate_legend_rows


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


def test_rate_classes_are_equal_intervals_up_to_the_rounded_maximum() -> None:
    classes, legend = rate_classes(pd.Series([0.0, 0.9, 1.0, 2.05, 4.5, 5.0]))
    # maximum 5.0 → classes of width 1.0: [0,1) [1,2) [2,3) [3,4) [4,5]
    assert classes.tolist() == [0, 0, 1, 2, 4, 4]
    assert legend == [(0.0, 1.0, "Lowest"), (1.0, 2.0, "Low"), (2.0, 3.0, "Middle"),
                      (3.0, 4.0, "High"), (4.0, 5.0, "Highest")]
    all_zero, _ = rate_classes(pd.Series([0.0, 0.0]))
    assert all_zero.tolist() == [0, 0]


def test_rate_classes_of_a_sparse_week_keep_their_figures() -> None:
    # A week of one district: 3 reports over 102,300 residents = 0.0293 per 1,000.
    # Largest rounded up to two significant figures: 0.030, classes 0.006 wide.
    classes, legend = rate_classes(pd.Series([0.0293, 0.0, 0.01]))
    assert classes.tolist() == [4, 0, 1]
    assert rate_legend_rows(legend) == [
        ("#253494", "Highest: 0.024 to 0.030"), ("#2c7fb8", "High: 0.018 to 0.024"),
        ("#41b6c4", "Middle: 0.012 to 0.018"), ("#a1dab4", "Low: 0.006 to 0.012"),
        ("#ffffcc", "Lowest: 0.000 to 0.006"),
    ]
    # A year at real volume: 0.73 to 1.07 per 1,000 → up to 1.1, classes 0.22 wide.
    classes, legend = rate_classes(pd.Series([1.07, 0.98, 0.73]))
    assert classes.tolist() == [4, 4, 3]
    assert rate_legend_rows(legend)[0] == ("#253494", "Highest: 0.88 to 1.10")
