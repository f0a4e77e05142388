"""Feelings of Safety indicators on hand-built responses, with hand-computed figures."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest

from loaders import load_survey
from safetymap.analysis.survey import (
    CHANGE_COLUMNS,
    INDICATOR_COLUMNS,
    breakdown,
    change_between_periods,
    concern_agreement,
    county_indicators,
    district_indicators,
    period_labels,
    survey_periods,
    weighted_share,
    wilson_interval,
)
from safetymap.commands import CommandError
from safetymap.commands import survey as survey_command

Z = 1.959963984540054  # the 97.5% point of the standard normal
WATFORD, DACORUM = "E07000103", "E07000096"


def responses(
    district: str,
    after_dark: list[float | None],
    *,
    day: list[float | None] | None = None,
    weights: list[float] | None = None,
    when: str = "2026-03-10 12:00",
    **columns: list[object],
) -> pd.DataFrame:
    """Build survey rows as the loaders return them, one per after-dark answer."""
    n = len(after_dark)
    return pd.DataFrame(
        {
            "response_id": [f"{district}-{when}-{i}" for i in range(n)],
            "completed_at": pd.Series([pd.Timestamp(when, tz="Europe/London")] * n),
            "district_code": [district] * n,
            "safe_day": pd.array(day if day is not None else [5] * n, dtype="Float64"),
            "safe_after_dark": pd.array(after_dark, dtype="Float64"),
            "weight": weights if weights is not None else [1.0] * n,
            **columns,
        }
    )


def plain_wilson(successes: int, n: int) -> tuple[float, float]:
    """The textbook Wilson score interval, written out independently of the module."""
    p = successes / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


# ------------------------------------------------------------------------ weighted share
def test_weighted_share_by_hand() -> None:
    # Answers 1, 2, 4 and one missing, weights 1, 1, 2, 1. The missing answer is left out:
    # Σw = 4, unsafe weight 1 + 1 = 2, share 2/4 = 50%. Σw² = 1 + 1 + 4 = 6, so Kish's
    # n_eff = 4²/6 = 8/3. Wilson at p = 0.5 is centred on 0.5 with half-width
    # z / (2·√(n + z²)) = 1.959964 / (2·√(2.666667 + 3.841459)) = 1.959964 / 5.102206
    # = 0.384141, so the interval is 11.5859% to 88.4141%.
    share = weighted_share(pd.array([1, 2, 4, None], dtype="Float64"), [1, 1, 2, 1])
    half = Z / (2 * math.sqrt(8 / 3 + Z**2))
    assert share.pct == pytest.approx(50.0, abs=1e-9)
    assert share.base == 3
    assert share.effective_base == pytest.approx(8 / 3, abs=1e-12)
    assert share.ci_low == pytest.approx(100 * (0.5 - half), abs=1e-9)
    assert share.ci_high == pytest.approx(100 * (0.5 + half), abs=1e-9)
    assert share.ci_low == pytest.approx(11.585946558754829, abs=1e-9)


def test_safe_share_counts_answers_4_and_5() -> None:
    # Valid: 1 (w 1), 3 (w 1), 4 (w 2), 5 (w 4); safe weight 6 of 8 = 75%.
    share = weighted_share([1, 3, 4, 5, np.nan], [1, 1, 2, 4, 9], unsafe=False)
    assert share.pct == pytest.approx(75.0, abs=1e-9)
    assert share.base == 4
    assert share.effective_base == pytest.approx(64 / 22, abs=1e-12)  # 8² / (1+1+4+16)


def test_equal_weights_give_the_plain_wilson_interval() -> None:
    # 3 of 10 unsafe, every weight 2.5: n_eff = 25²/(10·6.25) = 10. The textbook interval
    # for 3/10 is 10.78% to 60.32%.
    share = weighted_share([1, 2, 1] + [5] * 7, [2.5] * 10)
    low, high = plain_wilson(3, 10)
    assert share.effective_base == pytest.approx(10.0, abs=1e-12)
    assert share.pct == pytest.approx(30.0, abs=1e-9)
    assert (share.ci_low, share.ci_high) == pytest.approx((100 * low, 100 * high), abs=1e-9)
    assert (share.ci_low, share.ci_high) == pytest.approx((10.78, 60.32), abs=0.005)


def test_wilson_bounds_at_zero_and_one_hundred_percent() -> None:
    # p = 0: lower bound exactly 0, upper z²/(n + z²); mirror image at p = 1.
    assert wilson_interval(0.0, 10) == (0.0, pytest.approx(Z**2 / (10 + Z**2), abs=1e-12))
    assert wilson_interval(1.0, 10) == (pytest.approx(10 / (10 + Z**2), abs=1e-12), 1.0)
    assert all(math.isnan(bound) for bound in wilson_interval(0.5, 0))


def test_no_valid_answer_gives_nan_and_base_zero() -> None:
    share = weighted_share(pd.array([None, None], dtype="Float64"), [1.0, 2.0])
    assert share.base == 0
    assert share.effective_base == 0.0
    assert math.isnan(share.pct)
    assert math.isnan(share.ci_low)
    assert math.isnan(share.ci_high)


def test_weighted_share_lists_every_problem() -> None:
    with pytest.raises(ValueError, match=r"found \[0\.0, 6\.0\]\..*found \[-1\.0\]"):
        weighted_share([0, 6, 1], [1, 1, -1])
    with pytest.raises(ValueError, match="same length, got 2 and 3"):
        weighted_share([1, 2], [1, 1, 1])


# ------------------------------------------------------------- both encodings, via loader
LABELS = """response_id,completed_at,district,safe_day,safe_after_dark,weight
L1,2026-03-01 10:00,Watford,Very safe,Very unsafe,1
L2,2026-03-01 11:00,Watford,Fairly safe,Don't know,1
L3,2026-03-01 12:00,Watford,Neither safe nor unsafe,,1
L4,2026-03-01 13:00,Watford,Very safe,Fairly safe,2
L5,2026-03-01 14:00,Dacorum,Fairly unsafe,Fairly unsafe,
L6,2026-03-01 15:00,Dacorum,Don't know,Very safe,
"""
NUMBERS = """response_id,completed_at,district,safe_day,safe_after_dark,weight
L1,2026-03-01 10:00,E07000103,5,1,1
L2,2026-03-01 11:00,E07000103,4,,1
L3,2026-03-01 12:00,E07000103,3,,1
L4,2026-03-01 13:00,E07000103,5,4,2
L5,2026-03-01 14:00,E07000096,2,2,
L6,2026-03-01 15:00,E07000096,,5,
"""


def load(tmp_path: Path, name: str, text: str) -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = load_survey([path])
    assert result.problems == []
    return result.frame


def test_dont_know_and_blank_are_missing_not_zero(tmp_path: Path) -> None:
    table = district_indicators(load(tmp_path, "survey_labels.csv", LABELS)).set_index(
        "district_code"
    )
    watford = table.loc[WATFORD]
    # After dark: "Very unsafe" (w 1) and "Fairly safe" (w 2) are valid; "Don't know" and
    # the blank are left out. Unsafe share 1/3, not 1/5 (blank as a zero answer) nor 1/4.
    assert watford["responses"] == 4
    assert watford["base_after_dark"] == 2
    assert watford["unsafe_after_dark_pct"] == pytest.approx(100 / 3, abs=1e-9)
    assert watford["effective_base_after_dark"] == pytest.approx(9 / 5, abs=1e-12)
    # By day nobody in Watford is unsafe: 0% of 4, lower bound exactly 0.
    assert (watford["base_day"], watford["unsafe_day_pct"], watford["day_ci_low"]) == (4, 0, 0)
    dacorum = table.loc[DACORUM]
    # Blank weights are 1; by day "Don't know" is left out: 1 unsafe of 1 valid.
    assert (dacorum["base_day"], dacorum["unsafe_day_pct"]) == (1, 100.0)
    assert (dacorum["base_after_dark"], dacorum["unsafe_after_dark_pct"]) == (2, 50.0)
    empty = table.loc["E07000243"]  # Stevenage: no response
    assert empty["responses"] == 0
    assert math.isnan(empty["unsafe_after_dark_pct"])


def test_labels_and_numbers_give_the_same_figures(tmp_path: Path) -> None:
    by_label = load(tmp_path, "survey_labels.csv", LABELS)
    by_number = load(tmp_path, "survey_numbers.csv", NUMBERS)
    pd.testing.assert_frame_equal(district_indicators(by_label), district_indicators(by_number))
    pd.testing.assert_frame_equal(county_indicators(by_label), county_indicators(by_number))


# --------------------------------------------------------------------- district tables
def test_district_table_has_every_district_in_order() -> None:
    table = district_indicators(responses(WATFORD, [1, 5]))
    assert list(table.columns) == ["district_code", "district_name", *INDICATOR_COLUMNS]
    assert len(table) == 10
    assert table["district_code"].iloc[0] == "E07000095"
    assert table["responses"].sum() == 2
    assert not table["suppressed"].any()


def test_county_row_counts_every_response() -> None:
    survey = pd.concat([responses(WATFORD, [1, 5]), responses(DACORUM, [2, 4, 4, 4])])
    county = county_indicators(survey).iloc[0]
    assert (county["district_code"], county["district_name"]) == ("E10000015", "Hertfordshire")
    assert (county["responses"], county["base_after_dark"]) == (6, 6)
    assert county["unsafe_after_dark_pct"] == pytest.approx(200 / 6, abs=1e-9)


def test_partner_sees_no_percentage_below_a_base_of_50() -> None:
    # Watford 49 valid answers, Dacorum 50: 10 unsafe in each.
    survey = pd.concat([
        responses(WATFORD, [1] * 10 + [5] * 39),
        responses(DACORUM, [1] * 10 + [5] * 40),
    ])
    partner = district_indicators(survey, role="partner").set_index("district_code")
    assert partner.loc[WATFORD, "suppressed"]
    assert partner.loc[WATFORD, "responses"] == 49  # counts stay; show them with count_text
    hidden = ["unsafe_after_dark_pct", "after_dark_ci_low", "after_dark_ci_high",
              "effective_base_after_dark", "unsafe_day_pct", "day_ci_low", "day_ci_high"]
    assert partner.loc[WATFORD, hidden].isna().all()
    assert not partner.loc[DACORUM, "suppressed"]
    assert partner.loc[DACORUM, "unsafe_after_dark_pct"] == pytest.approx(20.0, abs=1e-9)
    # Other roles see both.
    for role in ("analyst", "police"):
        table = district_indicators(survey, role=role).set_index("district_code")
        assert table.loc[WATFORD, "unsafe_after_dark_pct"] == pytest.approx(1000 / 49)
        assert not table["suppressed"].any()


def test_partner_suppression_uses_each_measures_own_base() -> None:
    # 50 responses, one "Don't know" after dark: the day base is 50, after dark 49.
    survey = responses(DACORUM, [None] + [1] * 9 + [5] * 40, day=[1] * 5 + [5] * 45)
    row = district_indicators(survey, role="partner").set_index("district_code").loc[DACORUM]
    assert row["suppressed"]
    assert math.isnan(row["unsafe_after_dark_pct"])
    assert row["unsafe_day_pct"] == pytest.approx(10.0, abs=1e-9)


def test_unknown_role_and_period_are_refused() -> None:
    survey = responses(WATFORD, [1])
    with pytest.raises(ValueError, match="`role` must be one of analyst, police, partner, got"):
        district_indicators(survey, role="board")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="half-year label such as '2026 H1'"):
        district_indicators(survey, period="spring 2026")


# ----------------------------------------------------------------------------- periods
def test_periods_are_local_half_years() -> None:
    # 23:30 on 30 June in London is 22:30 UTC: still H1. 00:30 on 1 July is H2.
    times = pd.Series(pd.to_datetime(
        ["2026-06-30 22:30", "2026-06-30 23:30", "2025-12-31 23:59"], utc=True
    )).dt.tz_convert("Europe/London")
    assert period_labels(times).tolist() == ["2026 H1", "2026 H2", "2025 H2"]


def test_survey_periods_oldest_first() -> None:
    survey = pd.concat([
        responses(WATFORD, [1, 2], when="2026-09-20 10:00"),
        responses(WATFORD, [1], when="2026-03-02 09:00"),
    ])
    periods = survey_periods(survey)
    assert [(p.label, p.responses) for p in periods] == [("2026 H1", 1), ("2026 H2", 2)]
    assert periods[1].start == pd.Timestamp("2026-07-01", tz="Europe/London")
    assert periods[1].end == pd.Timestamp("2027-01-01", tz="Europe/London")
    assert periods[0].first_response == pd.Timestamp("2026-03-02 09:00", tz="Europe/London")
    only_h2 = district_indicators(survey, period="2026 H2").set_index("district_code")
    assert only_h2.loc[WATFORD, "responses"] == 2
    assert survey_periods(survey.iloc[:0]) == []


def change_survey(latest_watford_unsafe: int, *, watford_latest: int = 100) -> pd.DataFrame:
    return pd.concat([
        responses(WATFORD, [1] * 50 + [5] * 50, when="2026-03-10 12:00"),
        responses(WATFORD, [1] * latest_watford_unsafe
                  + [5] * (watford_latest - latest_watford_unsafe), when="2026-09-20 12:00"),
    ])


def test_change_between_periods_by_hand() -> None:
    # 50% of 100 then 30% of 100: pooled p = 0.4, se = √(0.4·0.6·(1/100 + 1/100)) = √0.0048,
    # z = −0.2/√0.0048 = −5/√3 = −2.8868, two-sided p = erfc(2.8868/√2) = 0.003892.
    table = change_between_periods(change_survey(30)).set_index("district_code")
    watford = table.loc[WATFORD]
    assert (watford["previous_period"], watford["latest_period"]) == ("2026 H1", "2026 H2")
    assert (watford["previous_base"], watford["latest_base"]) == (100, 100)
    assert watford["change_points"] == pytest.approx(-20.0, abs=1e-9)
    assert watford["z"] == pytest.approx(-5 / math.sqrt(3), abs=1e-9)
    assert watford["p_value"] == pytest.approx(0.003892417122778627, abs=1e-12)
    assert watford["significant"]
    assert list(table.reset_index().columns) == list(CHANGE_COLUMNS)
    # 50% then 45%: z = −0.05/√(0.475·0.525·0.02) = −0.7086, not significant.
    assert not change_between_periods(change_survey(45)).set_index("district_code").loc[
        WATFORD, "significant"
    ]
    # A district with no responses cannot be tested.
    dacorum = table.loc[DACORUM]
    assert math.isnan(dacorum["change_points"])
    assert not dacorum["significant"]


def test_change_is_hidden_from_partners_on_small_bases() -> None:
    table = change_between_periods(change_survey(14, watford_latest=49), role="partner")
    watford = table.set_index("district_code").loc[WATFORD]
    assert watford["suppressed"]
    assert watford[["previous_pct", "latest_pct", "change_points", "p_value"]].isna().all()
    assert not watford["significant"]


def test_one_period_gives_no_change() -> None:
    table = change_between_periods(responses(WATFORD, [1, 5]))
    assert table["previous_period"].isna().all()
    assert table["change_points"].isna().all()
    assert not table["significant"].any()


# --------------------------------------------------------------------------- breakdown
def test_breakdown_by_sex_for_analysts() -> None:
    survey = responses(
        WATFORD, [1, 1, 5, 2, 5], weights=[1, 3, 1, 1, 1],
        sex=["Female", "Female", "Female", "Male", None],
    )
    table = breakdown(survey, "sex")
    assert table["sex"].tolist() == ["Female", "Male", "Not given"]
    assert table["responses"].tolist() == [3, 1, 1]
    # Female: unsafe weight 1 + 3 of 5 = 80%.
    assert table["unsafe_after_dark_pct"].tolist() == pytest.approx([80.0, 100.0, 0.0])
    assert list(table.columns) == ["sex", *INDICATOR_COLUMNS]


@pytest.mark.parametrize("role", ["police", "partner"])
def test_breakdown_is_for_analysts_only(role: str) -> None:
    survey = responses(WATFORD, [1], age_band=["16-24"])
    with pytest.raises(PermissionError, match="analyst role only"):
        breakdown(survey, "age_band", role=role)  # type: ignore[arg-type]


# ---------------------------------------------------------------- places of concern
def test_concern_agreement_by_hand() -> None:
    watford_centre = (51.65531, -0.39602)
    hot = {h3.latlng_to_cell(*watford_centre, 8)}
    survey = responses(
        WATFORD, [1, 1, 1, 1],
        concern_latitude=[51.65531, 51.65531, 51.7527, np.nan],
        concern_longitude=[-0.39602, -0.39602, -0.3394, np.nan],
    )
    # Three responses name a place (the fourth is blank); two are in the hot cell.
    assert concern_agreement(survey, hot, resolution=8) == pytest.approx(2 / 3)
    assert concern_agreement(survey, set(), resolution=8) == 0.0
    assert math.isnan(concern_agreement(survey.iloc[3:], hot, resolution=8))
    with pytest.raises(ValueError, match="from 0 to 15, got 16"):
        concern_agreement(survey, hot, resolution=16)


# ----------------------------------------------------------------------------- command
def run_survey(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="safetymap")
    survey_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["survey", *argv])
    return int(args.run(args))


def test_survey_command_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "survey_labels.csv").write_text(LABELS, encoding="utf-8")
    assert run_survey(["--data", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "district_code,district_name,responses,base_day,effective_base_day,unsafe_day_pct,"
        "day_ci_low,day_ci_high,base_after_dark,effective_base_after_dark,"
        "unsafe_after_dark_pct,after_dark_ci_low,after_dark_ci_high,suppressed"
    )
    # Watford by day: 0 of 4 valid, weights 1, 1, 1, 2: n_eff = 5²/7 = 3.571, Wilson upper
    # bound z²/(n + z²) = 3.8415/7.4129 = 51.8%. After dark 1 of weighted 3 (33.3%),
    # n_eff = 3²/5 = 1.8, z²/n = 2.1341: centre (0.3333 + 1.0671)/3.1341 = 0.4468,
    # half-width (1.96/3.1341)·√(0.2222/1.8 + 2.1341/7.2) = 0.6254·0.6480 = 0.4052,
    # so 4.2% to 85.2%.
    watford = next(line for line in lines if line.startswith(WATFORD))
    assert watford == f"{WATFORD},Watford,4,4,3.6,0.0,0.0,51.8,2,1.8,33.3,4.2,85.2,False"
    assert len(lines) == 11


def test_survey_command_json_for_partners(tmp_path: Path) -> None:
    (tmp_path / "survey_numbers.csv").write_text(NUMBERS, encoding="utf-8")
    out = tmp_path / "indicators.json"
    assert run_survey(["--data", str(tmp_path), "--format", "json", "--out", str(out),
                       "--role", "partner"]) == 0
    rows = {row["district_code"]: row for row in json.loads(out.read_text(encoding="utf-8"))}
    assert rows[WATFORD]["responses"] == "<5"
    assert rows[WATFORD]["unsafe_after_dark_pct"] is None
    assert rows[WATFORD]["suppressed"] is True
    assert rows["E07000243"]["responses"] == 0  # zero is not disclosive


def test_survey_command_refuses_an_unknown_period(tmp_path: Path) -> None:
    (tmp_path / "survey_labels.csv").write_text(LABELS, encoding="utf-8")
    with pytest.raises(CommandError, match=r"--period '2025 H1': expected one of 2026 H1"):
        run_survey(["--data", str(tmp_path), "--period", "2025 H1"])


def test_survey_command_without_responses(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No survey responses"):
        run_survey(["--data", str(tmp_path)])
