"""The partners' disclosure layer: suppression, the interval audit and the lattice, by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from geodata import DISTRICTS
from safetymap.analysis.filters import Filters
from safetymap.disclosure import (
    HIDDEN,
    Figure,
    Release,
    audit,
    coarse_count_text,
    county_share_shown,
    half_year_span,
    hide_survey_differences,
    month_span,
    partner_filters,
    partner_survey_filters,
    previous_months,
    protect,
    quarter_span,
    share_text,
    suppressed_counts,
)
from safetymap.present.tables import partner_when_table


def _two_by_two(cells: list[int]) -> tuple[np.ndarray, list[Figure]]:
    """Return a 2x2 table (atoms a b / c d) with its row, column and grand totals."""
    figures = [Figure(("cell", i), (i,)) for i in range(4)]
    figures += [Figure(("row", 0), (0, 1)), Figure(("row", 1), (2, 3)),
                Figure(("column", 0), (0, 2)), Figure(("column", 1), (1, 3)),
                Figure(("total",), (0, 1, 2, 3))]
    return np.array(cells), figures


def test_one_small_count_beside_its_total_hides_the_next_smallest() -> None:
    # 3 + 9 + 12 = 24 shown: with 9 hidden, 3 + 9 = 12 so the 3 could be 1 to 4 (9 is 11 to 8).
    assert suppressed_counts([3, 9, 12], "partner") == ["<5", HIDDEN, "12"]
    assert suppressed_counts([3, 9, 12], "analyst") == ["3", "9", "12"]


def test_no_small_count_hides_nothing() -> None:
    assert suppressed_counts([0, 7, 12], "partner") == ["0", "7", "12"]


def test_two_small_counts_protect_each_other_when_their_sum_is_loose() -> None:
    # 2 + 3 = 5 of a shown 17 with 12 shown: each "<5" is 1 to 4 given the other is too.
    assert suppressed_counts([2, 3, 12], "partner") == ["<5", "<5", "12"]


def test_a_small_cell_in_a_two_by_two_table_hides_a_rectangle() -> None:
    # a=3 b=7 / c=6 d=8, all margins shown. Hiding b alone leaves a = col0 - c = 3;
    # hiding b and c leaves d = row1 - c ... pinned; only all four hidden leaves one
    # free value t: a=t, b=10-t, c=9-t, d=5+t, so a can be anything from 1 to 4.
    atoms, figures = _two_by_two([3, 7, 6, 8])
    release = protect(atoms, figures)
    assert [release.text(("cell", i)) for i in range(4)] == ["<5", HIDDEN, HIDDEN, HIDDEN]
    assert [release.text(("row", i)) for i in range(2)] == ["10", "14"]
    assert release.text(("total",)) == "24"
    assert audit(release) == []


def test_the_audit_finds_a_small_count_given_away_by_its_total() -> None:
    atoms, figures = _two_by_two([3, 7, 6, 8])
    naive = Release(atoms=atoms, figures={f.key: f for f in figures},
                    values={f.key: int(atoms[list(f.atoms)].sum()) for f in figures},
                    small={("cell", 0)})
    exposures = audit(naive)
    assert [(e.key, e.value, round(e.low), round(e.high)) for e in exposures] == [
        (("cell", 0), 3, 3, 3)]


def test_a_query_shows_only_sums_the_release_determines() -> None:
    atoms, figures = _two_by_two([3, 7, 6, 8])
    release = protect(atoms, figures)
    assert release.query([0, 1]) == "10"  # a figure: row 0
    assert release.query([0, 1, 2, 3]) == "24"
    assert release.query([0, 3]) == HIDDEN  # a + d = 11 = t + 5 + t: not determined
    assert release.query([1, 2]) == HIDDEN  # b + c = 19 - 2t: not determined
    assert release.query([]) == "0"


def test_a_zero_beside_a_small_count_stays_shown_when_the_column_is_small_too() -> None:
    # a=3 b=7 / c=0 d=8: column 0 (a + c = 3) is itself "<5", so hiding b and column 1
    # leaves a = column 0 free from 1 to 4; row 1 (0 + 8) tells nothing about a.
    atoms, figures = _two_by_two([3, 7, 0, 8])
    release = protect(atoms, figures)
    shown = {key: release.text(key) for key in release.figures}
    assert shown == {("cell", 0): "<5", ("cell", 1): HIDDEN, ("cell", 2): "0",
                     ("cell", 3): "8", ("row", 0): "10", ("row", 1): "8",
                     ("column", 0): "<5", ("column", 1): HIDDEN, ("total",): "18"}
    assert audit(release) == []


def test_a_hidden_zero_that_could_only_be_zero_is_an_exposure() -> None:
    # 0 hidden beside a shown 9 and a shown total 9: it can only be 0, which tells a
    # partner the cell is empty: the audit asks every hidden 0 to be free up to 4.
    atoms = np.array([0, 9])
    figures = [Figure(("c", 0), (0,)), Figure(("c", 1), (1,)), Figure(("t",), (0, 1))]
    release = Release(atoms=atoms, figures={f.key: f for f in figures},
                      values={("c", 0): 0, ("c", 1): 9, ("t",): 9}, hidden={("c", 0)})
    assert [(e.key, round(e.high)) for e in audit(release)] == [(("c", 0), 0)]


def test_month_and_quarter_spans_and_the_previous_months() -> None:
    assert month_span(date(2026, 1, 14), date(2026, 2, 3)) == (date(2026, 1, 1),
                                                               date(2026, 2, 28))
    assert quarter_span(date(2026, 5, 1), date(2026, 5, 31)) == (date(2026, 4, 1),
                                                                 date(2026, 6, 30))
    assert previous_months(date(2026, 1, 1), date(2026, 2, 28)) == (date(2025, 11, 1),
                                                                    date(2025, 12, 31))


def test_partner_filters_snap_days_to_months_and_drop_slots() -> None:
    chosen = Filters(districts=("E07000103",), start=date(2026, 3, 14), end=date(2026, 3, 15),
                     times_of_day=("night",), reasons=("poor_lighting",))
    snapped, changes = partner_filters(chosen)
    assert snapped == Filters(districts=("E07000103",), start=date(2026, 3, 1),
                              end=date(2026, 3, 31))
    assert len(changes) == 3
    assert "whole calendar months" in changes[0]
    whole = Filters(start=date(2026, 3, 1), end=date(2026, 4, 30))
    assert partner_filters(whole) == (whole, [])


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (5, 20, "25.0%"), (3, 20, HIDDEN), (5, 0, HIDDEN)])
def test_shares_of_hidden_counts_are_hidden(part: int, whole: int, expected: str) -> None:
    texts = suppressed_counts([part], "analyst")[0], f"{whole:,}"
    part_text = "<5" if 0 < part < 5 else texts[0]
    assert share_text(part, whole, part_text, texts[1]) == expected


@pytest.mark.parametrize(("count", "text"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5 or more"),
                                             (812, "5 or more")])
def test_counts_off_the_release_are_coarse(count: int, text: str) -> None:
    assert coarse_count_text(count) == text


def test_partners_weekday_by_band_table_has_no_exact_count() -> None:
    counts = pd.DataFrame({"event_weekday": [0, 0, 4], "time_of_day": ["night", "morning",
                                                                       "night"],
                           "reports": [3, 12, 0]})
    table = partner_when_table(counts)
    assert table.shape == (7, 5)
    # 3 and 0 read the same: whether a few reports fell on a day and time is not told.
    assert table.loc["Monday", "Night (22:00-06:00)"] == "fewer than 5"
    assert table.loc["Monday", "Morning (06:00-12:00)"] == "5 or more"
    assert table.loc["Friday", "Night (22:00-06:00)"] == "fewer than 5"
    assert table.loc["Sunday", "Time not given"] == "fewer than 5"


def test_partners_survey_lattice_is_the_county_over_whole_half_years() -> None:
    assert half_year_span(date(2026, 7, 1), date(2026, 7, 2)) == (date(2026, 7, 1),
                                                                  date(2026, 12, 31))
    chosen = Filters(districts=("E07000103",), start=date(2026, 2, 3), end=date(2026, 2, 4))
    assert partner_survey_filters(chosen) == Filters(start=date(2026, 1, 1),
                                                     end=date(2026, 6, 30))


def test_the_county_share_hides_when_one_district_has_under_50_answers() -> None:
    bases = dict.fromkeys(DISTRICTS, 60)
    assert county_share_shown(bases)
    bases["E07000103"] = 49
    assert not county_share_shown(bases)
    del bases["E07000103"]
    assert not county_share_shown(bases)


def test_a_district_share_over_two_half_years_hides_when_one_has_under_50() -> None:
    # Watford: 60 answers in 2026 H1 and 30 in 2026 H2; its share over the year and the
    # shown H1 share would give back H2's (30 answers): the year's share is hidden.
    # Dacorum: 60 and 60: shown.
    times = (["2026-03-01 12:00"] * 60 + ["2026-09-01 12:00"] * 30
             + ["2026-03-01 12:00"] * 60 + ["2026-09-01 12:00"] * 60)
    survey = pd.DataFrame({
        "completed_at": pd.to_datetime(times).tz_localize("Europe/London"),
        "district_code": ["E07000103"] * 90 + ["E07000096"] * 120,
        "safe_day": 5, "safe_after_dark": 3,
    })
    table = pd.DataFrame({"district_code": ["E07000103", "E07000096"],
                          "unsafe_after_dark_pct": [20.0, 30.0], "unsafe_day_pct": [5.0, 6.0],
                          "suppressed": [False, False]})
    shown = hide_survey_differences(table, survey)
    assert shown["unsafe_after_dark_pct"].isna().tolist() == [True, False]
    assert shown["unsafe_day_pct"].isna().tolist() == [True, False]
    assert shown["suppressed"].tolist() == [True, False]


def test_partners_get_no_figure_from_reports_of_a_district_whose_count_is_hidden() -> None:
    from safetymap.present.tables import coverage_detail_table  # noqa: PLC0415

    rows = pd.DataFrame({
        "category_label": ["Outreach", "Victim care hub"], "covered": [True, True],
        "services": [1, 1], "nearest_km_median": [2.0, 5.0],
        "report_nearest_km_median": [1.26, 3.1], "hours_open_per_week": [40.0, 168.0],
        "latest_close": ["17:00", "24:00"], "reports_with_time": [3, 12],
        "reports_when_closed_pct": [100.0, 50.0],
    })
    # The release shows the district's 20 reports: reports with a time read coarse, the
    # share when closed to 10% where both parts are 0 or 5 or more (6 of 12), the
    # distance to half a kilometre (1.26 -> 1.5, 3.1 -> 3.0).
    shown = coverage_detail_table(rows, "partner", district_reports=20)
    assert shown["Reports with a time"].tolist() == ["<5", "5 or more"]
    assert shown["Of those, when closed"].tolist() == ["hidden", "50%"]
    assert shown["Nearest, from reports"].tolist() == ["1.5 km", "3.0 km"]
    # The release hides it: nothing from its reports, not even whether there are any.
    hidden = coverage_detail_table(rows, "partner", district_reports=None)
    assert set(hidden["Reports with a time"]) == {"hidden"}
    assert set(hidden["Of those, when closed"]) == {"hidden"}
    assert set(hidden["Nearest, from reports"]) == {"hidden"}
    # Analysts see the figures themselves.
    analyst = coverage_detail_table(rows, "analyst")
    assert analyst["Reports with a time"].tolist() == ["3", "12"]


def test_partners_quarter_is_the_one_holding_the_periods_end_else_the_last() -> None:
    from safetymap.disclosure import partner_quarter  # noqa: PLC0415

    class Span:
        def __init__(self, span: tuple[date, date] | None) -> None:
            self.value = span

        def span(self, _filters: Filters) -> tuple[date, date] | None:
            return self.value

    data = Span((date(2026, 2, 9), date(2026, 8, 1)))  # quarters Q1, Q2 and Q3 of 2026
    assert partner_quarter(data, date(2026, 5, 10)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert partner_quarter(data, None) == (date(2026, 7, 1), date(2026, 9, 30))
    assert partner_quarter(data, date(2027, 1, 5)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert partner_quarter(Span(None), date(2026, 5, 10)) is None
