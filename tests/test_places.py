"""Places to patrol: reports grouped into places, ranked, named and marked, worked by hand.

Reports sit at the centres of H3 cells of resolution 10 (about 130 m across), so that which
cells are linked (centres within 150 m) can be checked with a ruler: neighbouring centres
are about 130 m apart, a cell two steps away about 230 m or more.

The period is one week, Monday 26 October to Sunday 1 November 2026; its 12 months run
from 2 November 2025 to 1 November 2026.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest

from loaders import load_streetsafe
from loaders.store import open_store
from safetymap.analysis.counts import FrameCounts
from safetymap.analysis.filters import Filters
from safetymap.analysis.patrol import analyse_hotspots, study_area
from safetymap.analysis.places import (
    LINK_M,
    PLACE_COLUMNS,
    patrol_places,
    place_names,
    standing_window,
)
from safetymap.demo import write_demo_data
from safetymap.present.tables import top_places_table
from safetymap.present.wording import places_note

WATFORD_CODE = "E07000103"
WATFORD = (51.65531, -0.39602)  # the town's point in geodata/towns.csv
START, END = date(2026, 10, 26), date(2026, 11, 1)
WEEK = Filters(districts=(WATFORD_CODE,), start=START, end=END)
AREA = study_area((WATFORD_CODE,))


# ============================================================================ helpers
def grid(points: list[tuple[float, float]]) -> np.ndarray:
    """Return WGS84 (latitude, longitude) points in British National Grid metres."""
    series = gpd.GeoSeries(gpd.points_from_xy([p[1] for p in points], [p[0] for p in points]),
                           crs="EPSG:4326").to_crs("EPSG:27700")
    return np.column_stack([series.x.to_numpy(), series.y.to_numpy()])


def metres(cell_a: str, cell_b: str) -> float:
    a, b = grid([h3.cell_to_latlng(cell_a), h3.cell_to_latlng(cell_b)])
    return float(np.hypot(*(a - b)))


def report(cell: str, when: str, *, time_of_day: str = "unknown", environment: str = "",
           behaviour: str = "") -> dict[str, object]:
    latitude, longitude = h3.cell_to_latlng(cell)
    return {"latitude": latitude, "longitude": longitude, "event_at": when,
            "time_of_day": time_of_day, "environment": environment, "behaviour": behaviour}


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Reports with the columns counting reads; all in Watford."""
    table = pd.DataFrame(rows)
    table["event_at"] = pd.to_datetime(table["event_at"]).dt.tz_localize("Europe/London")
    table["occurred_at"] = table["event_at"]
    table["district_code"] = WATFORD_CODE
    table["lsoa_code"] = "E01023844"
    return table


# The cells of the scenario, checked below with a ruler.
C0 = h3.latlng_to_cell(*WATFORD, 10)
C1 = sorted(h3.grid_ring(C0, 1))[0]                                     # next to C0
C2 = next(c for c in sorted(h3.grid_ring(C1, 1)) if h3.grid_distance(C0, c) == 2)  # beyond C1
FAR = h3.grid_ring(C0, 6)                                               # about 800 m out
B, Q, N, S = (min(FAR, key=lambda c: h3.cell_to_latlng(c)[1]),          # west
              max(FAR, key=lambda c: h3.cell_to_latlng(c)[1]),          # east
              max(FAR, key=lambda c: h3.cell_to_latlng(c)[0]),          # north
              min(FAR, key=lambda c: h3.cell_to_latlng(c)[0]))          # south
Q_NEXT = sorted(h3.grid_ring(Q, 1))[0]                                  # next to Q
B_OLD = sorted(h3.grid_ring(B, 3))[0]                                   # 3 cells from B


def scenario() -> pd.DataFrame:
    """Five places in the week, and what happened around them in the year before.

    - A: C0, C1 and C2 in a chain, one report each (3): poor lighting twice, followed twice,
      intimidation once; Friday, Friday, Saturday; night, evening, evening.
    - Q: 1 report, and 1 in May next door (Q_NEXT, within 150 m): 2 weeks, a repeat.
    - N and S: 1 report each; N also had one 13 months ago (outside the 12 months).
    - B: 1 report, and 1 in March about 400 m away (3 cells): not near enough to count.
    """
    rows = [
        report(C0, "2026-10-30 23:00", time_of_day="night", environment="poor_lighting",
               behaviour="followed"),
        report(C1, "2026-10-30 19:00", time_of_day="evening", environment="poor_lighting"),
        report(C2, "2026-10-31 20:00", time_of_day="evening",
               behaviour="followed;intimidation"),
        report(Q, "2026-10-27 12:00", time_of_day="afternoon"),
        report(Q_NEXT, "2026-05-04 12:00"),
        report(N, "2026-10-28 12:00"),
        report(N, "2025-10-01 12:00"),
        report(S, "2026-10-29 12:00"),
        report(B, "2026-10-29 12:00"),
        report(B_OLD, "2026-03-02 12:00"),
    ]
    return frame(rows)


# ============================================================================ geometry
def test_the_scenario_is_laid_out_as_it_says() -> None:
    assert 100 < metres(C0, C1) < LINK_M
    assert 100 < metres(C1, C2) < LINK_M
    assert metres(C0, C2) > LINK_M  # linked only through C1
    assert metres(Q, Q_NEXT) < LINK_M
    assert metres(B, B_OLD) > 2 * LINK_M
    for one in (B, Q, N, S):
        assert min(metres(one, other) for other in (C0, C1, C2)) > 4 * LINK_M
    assert h3.cell_to_latlng(N)[0] > h3.cell_to_latlng(S)[0]


def test_standing_window_is_the_twelve_months_to_the_last_day() -> None:
    assert standing_window(END) == (date(2025, 11, 2), date(2026, 11, 1))
    assert standing_window(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))


# ============================================================================ places
@pytest.fixture(scope="module")
def places() -> pd.DataFrame:
    return patrol_places(FrameCounts(scenario()), WEEK, area=AREA)


def test_reports_within_150_m_of_each_other_are_one_place(places: pd.DataFrame) -> None:
    assert list(places.columns) == list(PLACE_COLUMNS)
    assert len(places) == 5
    first = places.iloc[0]
    assert first["cells"].split(";") == sorted([C0, C1, C2])
    assert first["reports"] == 3
    # the centre: the mean of three equally weighted cell centres
    latitudes, longitudes = zip(*(h3.cell_to_latlng(c) for c in (C0, C1, C2)), strict=True)
    assert first["latitude"] == pytest.approx(np.mean(latitudes), abs=2e-6)
    assert first["longitude"] == pytest.approx(np.mean(longitudes), abs=2e-6)
    assert (places["district"] == "Watford").all()
    assert (places["district_code"] == WATFORD_CODE).all()


def test_places_are_ranked_by_reports_then_twelve_months_then_north(
    places: pd.DataFrame,
) -> None:
    assert places["rank"].tolist() == [1, 2, 3, 4, 5]
    # A has 3; Q, N, S, B have 1 each. Q has 2 within 150 m in the 12 months, the others
    # 1 (N's other report is 13 months old, B's is 400 m away); then north to south: N's
    # cell is the most northern of the ring, S's the most southern, B is on the west side.
    first_cells = [cells.split(";")[0] for cells in places["cells"]]
    assert first_cells == [min(C0, C1, C2), Q, N, B, S]
    assert places["reports"].tolist() == [3, 1, 1, 1, 1]
    assert places["reports_12_months"].tolist() == [3, 2, 1, 1, 1]
    assert patrol_places(FrameCounts(scenario()), WEEK, area=AREA, limit=2)[
        "cells"].str.split(";").str[0].tolist() == [min(C0, C1, C2), Q]


def test_a_place_is_new_or_a_repeat_by_its_weeks(places: pd.DataFrame) -> None:
    # Too few reports in the 12 months for a hot spot test: no place is in a hot spot.
    # A's three reports are all in the week: new. Q had one in May next door: a repeat.
    assert places["weeks_12_months"].tolist() == [1, 2, 1, 1, 1]
    assert places["standing"].tolist() == ["new", "repeat", "new", "new", "new"]


def test_why_and_when_a_place_is_reported(places: pd.DataFrame) -> None:
    first = places.iloc[0]
    # poor_lighting 2 and followed 2 tie: environment reasons come first
    assert first["main_reasons"] == "poor_lighting;followed;intimidation"
    assert first["main_reason_counts"] == "2;2;1"
    assert (first["peak_day"], first["peak_day_reports"]) == ("Friday", 2)
    assert (first["peak_time"], first["peak_time_reports"]) == ("evening", 2)
    q = places.iloc[1]
    assert (q["main_reasons"], q["peak_day"], q["peak_time"]) == ("", "Tuesday", "afternoon")


def test_no_two_places_share_a_name(places: pd.DataFrame) -> None:
    assert places["name"].is_unique
    assert places["name"].iloc[0] == "Watford, centre"  # within 150 m of the town's point
    assert all(name.startswith(("Watford", "West Watford", "Holywell", "Meriden"))
               for name in places["name"])


def test_names_say_the_offset_and_are_made_different() -> None:
    watford = grid([WATFORD])[0]
    points = watford + np.array([
        [0.0, 50.0],         # 50 m: within 150 m of the town's point, its centre
        [0.0, 610.0],        # 610 m due north: "600 m north" to the nearest 50 m ...
        [150.0, 590.0],      # 609 m at 14 degrees: "600 m north" too, so both are made
                             # finer: 10 m and 16 points, "610 m north-north-east"
        [150.0, 590.0],      # the very same point: numbered
        [-500.0, -500.0],    # 707 m at 225 degrees: "700 m south-west"
    ])
    assert place_names(points) == [
        "Watford, centre",
        "Watford, 610 m north",
        "Watford, 610 m north-north-east",
        "Watford, 610 m north-north-east (2)",
        "Watford, 700 m south-west",
    ]
    assert place_names(points[[1, 4]]) == ["Watford, 600 m north", "Watford, 700 m south-west"]
    assert place_names(watford + np.array([[0.0, 1260.0]])) == ["Watford, 1.3 km north"]


def test_a_selection_without_reports_has_no_place() -> None:
    nothing = patrol_places(FrameCounts(scenario()),
                            Filters(districts=(WATFORD_CODE,), start=date(2026, 12, 1),
                                    end=date(2026, 12, 7)), area=AREA)
    assert nothing.empty
    assert list(nothing.columns) == list(PLACE_COLUMNS)
    with pytest.raises(ValueError, match="`limit` must be a whole number of 1 or more"):
        patrol_places(FrameCounts(scenario()), WEEK, limit=0)


# ============================================================================ hot spots
def test_a_place_inside_a_hot_spot_of_the_twelve_months() -> None:
    """40 reports over the year in one hexagon of 350 m, 40 single reports spread out.

    The place in the week at the cluster's centre lies in the hot hexagon; a place 2 km
    away with one report in the week does not.
    """
    hot = h3.cell_to_parent(C0, 9)
    around = [c for c in h3.grid_disk(hot, 14) if h3.grid_distance(hot, c) >= 5]
    background = [c for c, _ in zip(sorted(around)[::12], range(40), strict=False)]
    quiet = next(c for c in sorted(around) if c not in background
                 and h3.grid_distance(hot, c) >= 8)
    rows = [report(C0, f"2026-{month:02d}-15 21:00") for month in range(1, 11)
            for _ in range(4)]
    rows += [report(h3.cell_to_center_child(c, 10), "2026-06-10 12:00") for c in background]
    rows += [report(C0, "2026-10-30 21:00"),
             report(h3.cell_to_center_child(quiet, 10), "2026-10-30 21:00")]
    places = patrol_places(FrameCounts(frame(rows)), WEEK, area=AREA)
    assert len(places) == 2
    by_cell = places.set_index("cells")
    assert by_cell.loc[C0, "standing"] == "hot_spot"
    assert by_cell.loc[C0, "reports_12_months"] == 41
    assert by_cell.loc[h3.cell_to_center_child(quiet, 10), "standing"] == "new"


# ============================================================================ tables
@pytest.fixture(scope="module")
def five_and_four() -> pd.DataFrame:
    """X: 5 reports (poor lighting 5, followed 2; Friday 3, Saturday 2); Y: 4 reports."""
    x, y = C0, N
    rows = [report(x, "2026-10-30 23:00", time_of_day="night", environment="poor_lighting",
                   behaviour="followed" if i < 2 else "") for i in range(3)]
    rows += [report(x, "2026-10-31 23:00", time_of_day="night", environment="poor_lighting")
             for _ in range(2)]
    rows += [report(y, "2026-10-28 12:00", time_of_day="afternoon") for _ in range(4)]
    return patrol_places(FrameCounts(frame(rows)), WEEK, area=AREA)


def test_police_see_every_place_with_its_centre(five_and_four: pd.DataFrame) -> None:
    table = top_places_table(five_and_four, "police")
    assert list(table.columns) == ["Rank", "Place", "District", "Reports", "Main reasons",
                                   "Peak day", "Peak time", "Last 12 months", "Latitude",
                                   "Longitude"]
    assert table["Reports"].tolist() == ["5", "4"]
    assert table["Main reasons"].tolist() == ["Poor lighting (5), Followed (2)", "\u2014"]
    assert table["Peak day"].tolist() == ["Friday (3)", "Wednesday (4)"]
    assert table["Peak time"].tolist() == ["Night 22:00-06:00 (5)", "Afternoon 12:00-18:00 (4)"]
    # The 12 months hold these 9 reports alone. X's 5 in one hexagon of 350 m, against an
    # even spread over Watford's ~204 (7 in a neighbourhood: expected 9·7/204 = 0.31):
    # P(X >= 5) ~ C(9,5)·0.034^5 = 6e-6, far under the corrected 5%: a hot spot. Y's 4,
    # 800 m north, are under the floor of 5: not one.
    assert table["Last 12 months"].tolist()[1] == "New"
    assert table["Last 12 months"].tolist()[0].startswith("In a hot spot")
    assert table["Latitude"].iloc[0] == pytest.approx(h3.cell_to_latlng(C0)[0], abs=1e-5)


def test_partners_see_places_of_five_reports_without_coordinates(
    five_and_four: pd.DataFrame,
) -> None:
    table = top_places_table(five_and_four, "partner")
    assert list(table.columns) == ["Rank", "Place", "District", "Reports", "Main reasons",
                                   "Peak day", "Peak time", "Last 12 months"]
    assert table["Rank"].tolist() == [1]
    # A place is not in the partners' release: its count reads "5 or more", never exact.
    assert table["Reports"].tolist() == ["5 or more"]
    # followed (2) and Friday (3) describe fewer than 5 reports: not shown
    assert table["Main reasons"].tolist() == ["Poor lighting"]
    assert table["Peak day"].tolist() == ["\u2014"]
    assert table["Peak time"].tolist() == ["Night 22:00-06:00"]


def test_a_repeat_says_in_how_many_weeks(places: pd.DataFrame) -> None:
    police = top_places_table(places, "police")
    assert police["Last 12 months"].iloc[1] == "Repeat location: reports in 2 separate weeks"
    assert police["Peak day"].iloc[0] == "Friday (2)"
    assert police["Peak time"].iloc[0] == "Evening 18:00-22:00 (2)"
    assert police["Main reasons"].iloc[0] == (
        "Poor lighting (2), Followed (2), Intimidation (1)")


def test_the_note_says_when_the_list_is_not_a_significance_test() -> None:
    window = standing_window(END)
    untested = places_note(tested=False, hot_spots=0, window=window, role="police")
    assert untested.startswith("Places are ranked by reports in the period; ties by reports")
    assert ("This is a list of the busiest places, not a significance test: the selection "
            "holds too few reports") in untested
    assert "02 Nov 2025 to 01 Nov 2026" in untested
    quiet = places_note(tested=True, hot_spots=0, window=window, role="police")
    assert "not a significance test: the hot spot test found no hot spot" in quiet
    tested = places_note(tested=True, hot_spots=3, window=window, role="partner")
    assert "not a significance test" not in tested
    assert tested.endswith("Places holding fewer than 5 reports are not listed.")


# ============================================================================ demo
def test_a_week_of_a_real_volume_demo_gives_watford_places(tmp_path: Path) -> None:
    """About 1,000 reports a year: Watford's last 7 days still list places."""
    paths = write_demo_data(tmp_path, reports=1000, responses=0)
    reports = load_streetsafe([paths[0]]).frame
    counts = FrameCounts(reports)
    span = counts.span(Filters())
    assert span is not None
    week = Filters(districts=(WATFORD_CODE,), start=span[1] - timedelta(days=6), end=span[1])
    analysis = analyse_hotspots(counts, week)
    in_week = int(counts.count(week)["reports"].iloc[0])
    assert in_week > 0
    assert 1 <= len(analysis.places) <= in_week
    assert analysis.places["reports"].sum() <= in_week
    assert analysis.places["name"].is_unique
    assert top_places_table(analysis.places, "police")["Place"].tolist() == (
        analysis.places["name"].tolist())


def test_a_tie_for_the_peak_names_two_and_no_more() -> None:
    # Place at C0: Monday, Tuesday, Wednesday, one each (no one day); evening twice and
    # night twice (two named). Place at N: Tuesday twice.
    rows = [report(C0, when, time_of_day=band) for when, band in (
        ("2026-10-26 19:00", "evening"), ("2026-10-27 19:00", "evening"),
        ("2026-10-28 23:00", "night"), ("2026-10-28 23:30", "night"))]
    rows += [report(N, "2026-10-27 08:00", time_of_day="morning") for _ in range(2)]
    places = patrol_places(FrameCounts(frame(rows)), WEEK, area=AREA)
    assert (places["peak_day"].tolist(), places["peak_day_reports"].tolist()) == (
        ["Wednesday", "Tuesday"], [2, 2])
    assert places["peak_time"].tolist() == ["evening or night", "morning"]
    table = top_places_table(places, "police")
    assert table["Peak time"].tolist() == [
        "Evening 18:00-22:00 or Night 22:00-06:00 (2)", "Morning 06:00-12:00 (2)"]
    three = patrol_places(FrameCounts(frame(rows[:3])), WEEK, area=AREA)
    assert (three["peak_day"].tolist(), three["peak_day_reports"].tolist()) == ([""], [1])
    assert top_places_table(three, "police")["Peak day"].tolist() == ["No one day"]


# ============================================================================ stores


def test_a_store_lists_the_same_places_as_the_frame(store_url: str, tmp_path: Path) -> None:
    """The store counts in SQL (weeks included), the frame in numpy: the lists are equal."""
    paths = write_demo_data(tmp_path / "demo", reports=1000, responses=0, seed=5)
    store = open_store(store_url)
    store.ingest("streetsafe", [paths[0]])
    counts = FrameCounts(store.load().streetsafe.frame)
    span = counts.span(Filters())
    assert span is not None
    for filters in (
        Filters(districts=(WATFORD_CODE,), start=span[1] - timedelta(days=27), end=span[1]),
        Filters(start=span[1] - timedelta(days=90), end=span[1], reasons=("followed",)),
    ):
        area = study_area(filters.districts)
        expected = patrol_places(counts, filters, area=area, limit=None)
        assert len(expected) >= 5
        assert expected["weeks_12_months"].max() >= 2  # weeks counted
        pd.testing.assert_frame_equal(patrol_places(store, filters, area=area, limit=None),
                                      expected)
