"""Measure how safe people feel from the Feelings of Safety survey (CONTRACT §2).

Every figure is a share of *weighted valid* answers: ``Don't know`` and blank answers are
missing, not zero, so they are left out of both the numerator and the denominator. The
headline indicator is the share answering 1 or 2 ("Very" or "Fairly unsafe"); its
complement on the page is the share answering 4 or 5 ("Very" or "Fairly safe"). Answer 3
("Neither safe nor unsafe") counts in the denominator only.

Statistical choices
-------------------
Confidence interval
    A 95% Wilson score interval computed with Kish's effective sample size
    ``n_eff = (Σw)² / Σw²`` in place of ``n``. Wilson rather than the normal ("Wald")
    interval because district bases can be small and shares near 0% or 100%, where Wald
    bounds fall outside 0 to 100% or collapse to zero width; Kish's ``n_eff`` because unequal
    survey weights make an estimate less precise than its unweighted base suggests. With
    equal weights ``n_eff`` is the unweighted base, so the interval is exactly the plain
    Wilson interval. This ignores any clustering or stratification in the survey design,
    which the exports do not describe.
Periods
    Responses are grouped by the calendar half-year of ``completed_at`` in local time
    (``"2026 H1"`` = 1 January to 30 June, ``"2026 H2"`` = 1 July to 31 December). Safer
    Neighbourhood Team surveys run in waves once or twice a year (spring and autumn), so a
    half-year holds one wave, and a label never changes when more data arrives, unlike
    periods found from gaps between responses. A wave that straddles 1 July is split.
Change between periods
    The latest half-year with responses against the one before it that has responses;
    the difference is in percentage points and is tested with a two-sided two-proportion
    z-test on effective bases, pooled under "no change":
    ``p̄ = (n₁p₁ + n₂p₂) / (n₁ + n₂)``, ``z = (p₂ - p₁) / √(p̄(1 - p̄)(1/n₁ + 1/n₂))``;
    significant when the p-value is below 0.05. (Comparing whether two intervals overlap
    is more conservative than this test and is not used.)

Disclosure (CONTRACT §5)
------------------------
For the ``partner`` role a percentage, its interval and its effective base are hidden
(NaN) where the unweighted base of that measure is under :data:`safetymap.roles.SMALL_BASE`,
and the row's ``suppressed`` is True. Counts stay numbers here; show them with
:func:`safetymap.roles.count_text`. Breakdowns by age band and sex are for the ``analyst``
role only: other roles get a :class:`PermissionError`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import h3
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import norm

from geodata import COUNTY_CODE, COUNTY_NAME, DISTRICTS
from safetymap.roles import SMALL_BASE, Role, check_role, sees_personal

Measure = Literal["day", "after_dark"]
Demographic = Literal["age_band", "sex"]

#: Survey column of each measure.
MEASURE_COLUMNS: dict[Measure, str] = {"day": "safe_day", "after_dark": "safe_after_dark"}
#: Answers counted as feeling unsafe (1 Very unsafe, 2 Fairly unsafe) and safe (4, 5).
UNSAFE_ANSWERS = (1, 2)
SAFE_ANSWERS = (4, 5)
#: Group label of respondents who left a demographic question blank.
NOT_GIVEN = "Not given"
#: Significance level of the change test.
ALPHA = 0.05

_PERIOD_LABEL = re.compile(r"^(\d{4}) H([12])$")
_LOCAL_TZ = "Europe/London"


@dataclass(frozen=True)
class Share:
    """A weighted share with its confidence interval, all in percent (0 to 100).

    Attributes
    ----------
    pct, ci_low, ci_high
        The weighted share and its interval; NaN when there is no valid answer.
    base
        Unweighted number of valid answers (``Don't know`` and blank left out).
    effective_base
        Kish's effective sample size of the valid answers, ``(Σw)² / Σw²``.
    """

    pct: float
    ci_low: float
    ci_high: float
    base: int
    effective_base: float


@dataclass(frozen=True)
class SurveyPeriod:
    """A half-year of survey responses.

    ``start`` is inclusive and ``end`` exclusive, both midnight Europe/London;
    ``first_response`` and ``last_response`` say when the wave actually ran.
    """

    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    responses: int
    first_response: pd.Timestamp
    last_response: pd.Timestamp


def wilson_interval(
    share: float, n: float, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion, as fractions.

    Parameters
    ----------
    share
        Observed proportion, 0 to 1.
    n
        Sample size; pass the effective sample size for weighted data.
    confidence
        Two-sided confidence level.

    Returns
    -------
    tuple of float
        Lower and upper bound, NaN when ``n`` is not above 0.
    """
    if not n > 0:
        return math.nan, math.nan
    z = float(norm.ppf(0.5 + confidence / 2))
    z2n = z * z / n
    centre = (share + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(share * (1 - share) / n + z2n / (4 * n))
    # At 0% and 100% one bound is exactly the share; rounding must not move it.
    low = 0.0 if share == 0 else max(0.0, centre - half)
    high = 1.0 if share == 1 else min(1.0, centre + half)
    return low, high


def _floats(values: ArrayLike) -> np.ndarray:
    """Return numbers as a float array with NaN for NA, NaN and None."""
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="raise")
    return numbers.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def weighted_share(
    answers: ArrayLike,
    weights: ArrayLike,
    *,
    unsafe: bool = True,
    confidence: float = 0.95,
) -> Share:
    """Return the weighted share feeling unsafe (or safe) among valid answers.

    Parameters
    ----------
    answers
        Answers 1 (Very unsafe) to 5 (Very safe); NA or NaN for ``Don't know`` and blank,
        which are left out.
    weights
        Survey weight of each answer, above 0.
    unsafe
        Count answers 1 and 2 (True) or 4 and 5 (False).
    confidence
        Level of the Wilson interval on the effective base.

    Returns
    -------
    Share
        Share, interval, unweighted base and effective base; NaN figures with base 0
        when no answer is valid.

    Raises
    ------
    ValueError
        Listing every problem: lengths differ, an answer outside 1 to 5, a weight of a
        valid answer that is not a number above 0.
    """
    values, weight = _floats(answers), _floats(weights)
    problems: list[str] = []
    if len(values) != len(weight):
        raise ValueError(
            f"`answers` and `weights` must have the same length, got {len(values)} "
            f"and {len(weight)}."
        )
    valid = ~np.isnan(values)
    outside = valid & ~np.isin(values, (1, 2, 3, 4, 5))
    if outside.any():
        problems.append(
            f"`answers` must be 1 to 5 or missing, found {sorted(set(values[outside].tolist()))}."
        )
    bad_weight = valid & ~(np.isfinite(weight) & (weight > 0))
    if bad_weight.any():
        problems.append(
            f"`weights` of valid answers must be numbers above 0, found "
            f"{sorted(set(weight[bad_weight].tolist()), key=str)}."
        )
    if problems:
        raise ValueError(" ".join(problems))
    w = weight[valid]
    base = int(valid.sum())
    if base == 0:
        return Share(math.nan, math.nan, math.nan, 0, 0.0)
    counted = np.isin(values[valid], UNSAFE_ANSWERS if unsafe else SAFE_ANSWERS)
    total = float(w.sum())
    share = float(w[counted].sum()) / total
    effective = total * total / float((w * w).sum())
    low, high = wilson_interval(share, effective, confidence=confidence)
    return Share(100 * share, 100 * low, 100 * high, base, effective)


# ----------------------------------------------------------------------------- periods
def period_labels(completed_at: pd.Series) -> pd.Series:
    """Return the half-year label (``"2026 H1"``) of each completion time, in local time."""
    if completed_at.empty:
        return pd.Series([], index=completed_at.index, dtype="str")
    local = pd.to_datetime(completed_at).dt.tz_convert(_LOCAL_TZ)
    half = (1 + (local.dt.month > 6)).astype(str)
    return local.dt.year.astype(str) + " H" + half


def _period_bounds(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    match = _PERIOD_LABEL.match(label)
    if match is None:
        raise ValueError(
            f"`period` must be a half-year label such as '2026 H1' or '2026 H2', got {label!r}."
        )
    year, half = int(match.group(1)), int(match.group(2))
    start = pd.Timestamp(year=year, month=1 if half == 1 else 7, day=1, tz=_LOCAL_TZ)
    end = (
        pd.Timestamp(year=year, month=7, day=1, tz=_LOCAL_TZ)
        if half == 1
        else pd.Timestamp(year=year + 1, month=1, day=1, tz=_LOCAL_TZ)
    )
    return start, end


def survey_periods(survey: pd.DataFrame) -> list[SurveyPeriod]:
    """Return the half-years that have responses, oldest first.

    Parameters
    ----------
    survey
        Survey responses with a tz-aware ``completed_at``.

    Returns
    -------
    list of SurveyPeriod
        One per half-year with at least one response; empty for an empty survey.
    """
    if survey.empty:
        return []
    labels = period_labels(survey["completed_at"])
    times = pd.to_datetime(survey["completed_at"])
    periods = []
    for label in sorted(labels.unique()):
        start, end = _period_bounds(label)
        in_period = times[labels == label]
        periods.append(
            SurveyPeriod(
                label=label,
                start=start,
                end=end,
                responses=len(in_period),
                first_response=in_period.min(),
                last_response=in_period.max(),
            )
        )
    return periods


def in_period(survey: pd.DataFrame, period: str | None) -> pd.DataFrame:
    """Return the responses of one half-year (``"2026 H2"``), or all of them for None."""
    if period is None:
        return survey
    _period_bounds(period)  # validates the label
    if survey.empty:
        return survey
    return survey[period_labels(survey["completed_at"]) == period]


# -------------------------------------------------------------------------- indicators
def _indicators(group: pd.DataFrame) -> dict[str, float | int]:
    """Return the indicator columns of one group of responses."""
    weights = (
        pd.to_numeric(group["weight"], errors="coerce").fillna(1.0)
        if "weight" in group
        else pd.Series(1.0, index=group.index)
    )
    row: dict[str, float | int] = {"responses": len(group)}
    for measure, column in MEASURE_COLUMNS.items():
        share = weighted_share(group[column], weights, unsafe=True)
        row[f"base_{measure}"] = share.base
        row[f"effective_base_{measure}"] = share.effective_base
        row[f"unsafe_{measure}_pct"] = share.pct
        row[f"{measure}_ci_low"] = share.ci_low
        row[f"{measure}_ci_high"] = share.ci_high
    return row


#: Indicator columns in output order, after the columns naming the group.
INDICATOR_COLUMNS = (
    "responses",
    "base_day",
    "effective_base_day",
    "unsafe_day_pct",
    "day_ci_low",
    "day_ci_high",
    "base_after_dark",
    "effective_base_after_dark",
    "unsafe_after_dark_pct",
    "after_dark_ci_low",
    "after_dark_ci_high",
    "suppressed",
)


def _suppress(table: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Hide partners' percentages whose unweighted base is under ``SMALL_BASE``."""
    table["suppressed"] = False
    if role != "partner":
        return table
    for measure in MEASURE_COLUMNS:
        small = table[f"base_{measure}"] < SMALL_BASE
        hidden = [f"effective_base_{measure}", f"unsafe_{measure}_pct", f"{measure}_ci_low",
                  f"{measure}_ci_high"]
        table.loc[small, hidden] = np.nan
        table["suppressed"] |= small
    return table


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    counts = ["responses", "base_day", "base_after_dark"]
    table[counts] = table[counts].astype("int64")
    figures = [c for c in INDICATOR_COLUMNS if c not in {*counts, "suppressed"}]
    table[figures] = table[figures].astype("float64")
    table["suppressed"] = table["suppressed"].astype(bool)
    return table


def district_indicators(
    survey: pd.DataFrame, *, role: Role = "analyst", period: str | None = None
) -> pd.DataFrame:
    """Return the share feeling unsafe by day and after dark in each of the ten districts.

    Parameters
    ----------
    survey
        Survey responses as the loaders return them (``district_code``, ``completed_at``,
        ``safe_day``, ``safe_after_dark``, ``weight``).
    role
        Who will see the table; ``partner`` hides percentages on small bases.
    period
        A half-year label (``"2026 H2"``) to keep, or None for every response.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``district_name`` and :data:`INDICATOR_COLUMNS`, one row per
        district in ``geodata.DISTRICTS`` order (a district with no response has 0 counts
        and NaN percentages). Percentages are 0 to 100.
    """
    check_role(role)
    chosen = in_period(survey, period)
    rows = []
    for code, name in DISTRICTS.items():
        group = chosen[chosen["district_code"] == code] if len(chosen) else chosen
        rows.append({"district_code": code, "district_name": name, **_indicators(group)})
    table = _typed(_suppress(pd.DataFrame(rows), role))
    return table[["district_code", "district_name", *INDICATOR_COLUMNS]]


def county_indicators(
    survey: pd.DataFrame, *, role: Role = "analyst", period: str | None = None
) -> pd.DataFrame:
    """Return the county row: the same columns as :func:`district_indicators`, one row.

    ``district_code`` is the county code and ``district_name`` "Hertfordshire"; every
    response counts, whatever its district.
    """
    check_role(role)
    chosen = in_period(survey, period)
    row = {"district_code": COUNTY_CODE, "district_name": COUNTY_NAME, **_indicators(chosen)}
    table = _typed(_suppress(pd.DataFrame([row]), role))
    return table[["district_code", "district_name", *INDICATOR_COLUMNS]]


def breakdown(
    survey: pd.DataFrame,
    by: Demographic,
    *,
    role: Role = "analyst",
    period: str | None = None,
) -> pd.DataFrame:
    """Return the indicators for each age band or sex (analyst role only).

    Parameters
    ----------
    survey
        Survey responses; filter to a district first for a district breakdown.
    by
        ``"age_band"`` or ``"sex"``.
    role
        Must be ``analyst``: demographics are personal data (CONTRACT §5).
    period
        A half-year label to keep, or None for every response.

    Returns
    -------
    pandas.DataFrame
        The ``by`` column and :data:`INDICATOR_COLUMNS`, one row per group in sorted order,
        blank answers last as "Not given"; ``suppressed`` is always False.

    Raises
    ------
    PermissionError
        For any role but ``analyst``.
    ValueError
        When ``by`` is not ``age_band`` or ``sex``.
    """
    check_role(role)
    if not sees_personal(role):
        raise PermissionError(
            f"Breakdowns by age band and sex are for the analyst role only (CONTRACT §5); "
            f"role {role!r} may not see demographics."
        )
    if by not in ("age_band", "sex"):
        raise ValueError(f"`by` must be 'age_band' or 'sex', got {by!r}.")
    chosen = in_period(survey, period)
    groups = (
        chosen[by].astype("string").str.strip().fillna("").replace("", NOT_GIVEN)
        if len(chosen)
        else pd.Series([], dtype="string")
    )
    given = sorted(g for g in groups.unique() if g != NOT_GIVEN)
    order = given + ([NOT_GIVEN] if (groups == NOT_GIVEN).any() else [])
    rows = [{by: group, **_indicators(chosen[groups == group])} for group in order]
    table = pd.DataFrame(rows, columns=[by, *INDICATOR_COLUMNS[:-1]])
    return _typed(_suppress(table, role))[[by, *INDICATOR_COLUMNS]]


# ------------------------------------------------------------------------------ change
CHANGE_COLUMNS = (
    "district_code",
    "district_name",
    "previous_period",
    "latest_period",
    "previous_base",
    "latest_base",
    "previous_pct",
    "latest_pct",
    "change_points",
    "z",
    "p_value",
    "significant",
    "suppressed",
)


def two_proportion_test(
    previous: float, latest: float, *, previous_n: float, latest_n: float
) -> tuple[float, float]:
    """Return the pooled two-proportion z statistic and its two-sided p-value.

    Parameters
    ----------
    previous, latest
        The two proportions, 0 to 1.
    previous_n, latest_n
        Their (effective) sample sizes.

    Returns
    -------
    tuple of float
        ``z`` (positive when ``latest`` is higher) and the p-value; NaN for both when a
        sample size is not above 0 or a proportion is NaN. Two equal proportions of 0 or 1
        give ``z`` 0 and p-value 1.
    """
    if not (previous_n > 0 and latest_n > 0) or math.isnan(previous) or math.isnan(latest):
        return math.nan, math.nan
    pooled = (previous_n * previous + latest_n * latest) / (previous_n + latest_n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / previous_n + 1 / latest_n))
    if se == 0:
        return 0.0, 1.0
    z = (latest - previous) / se
    return z, float(2 * norm.sf(abs(z)))


def change_between_periods(
    survey: pd.DataFrame,
    *,
    role: Role = "analyst",
    measure: Measure = "after_dark",
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Return each district's share feeling unsafe in the latest period against the previous.

    Parameters
    ----------
    survey
        Survey responses with ``completed_at``.
    role
        ``partner`` hides a row's figures when either period's unweighted base is under
        ``SMALL_BASE``.
    measure
        ``"after_dark"`` or ``"day"``.
    alpha
        Significance level of the two-sided test.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`, one row per district in ``geodata.DISTRICTS`` order.
        ``change_points`` is latest minus previous, in percentage points. ``significant``
        is False whenever the change cannot be tested: fewer than two periods with
        responses, an empty base, or a suppressed row. The period labels are None when
        there are fewer than two periods.
    """
    check_role(role)
    if measure not in MEASURE_COLUMNS:
        raise ValueError(f"`measure` must be 'day' or 'after_dark', got {measure!r}.")
    labels = [period.label for period in survey_periods(survey)]
    previous_label, latest_label = (labels[-2], labels[-1]) if len(labels) >= 2 else (None, None)
    tables = {
        label: district_indicators(survey, role="analyst", period=label)
        .set_index("district_code")
        .to_dict("index")
        for label in (previous_label, latest_label)
        if label is not None
    }
    rows = []
    for code, name in DISTRICTS.items():
        row: dict[str, object] = {
            "district_code": code, "district_name": name,
            "previous_period": previous_label, "latest_period": latest_label,
            "previous_base": 0, "latest_base": 0,
            "previous_pct": math.nan, "latest_pct": math.nan, "change_points": math.nan,
            "z": math.nan, "p_value": math.nan, "significant": False, "suppressed": False,
        }
        if previous_label is not None and latest_label is not None:
            before, after = tables[previous_label][code], tables[latest_label][code]
            before_pct = float(before[f"unsafe_{measure}_pct"])
            after_pct = float(after[f"unsafe_{measure}_pct"])
            z, p_value = two_proportion_test(
                before_pct / 100, after_pct / 100,
                previous_n=float(before[f"effective_base_{measure}"]),
                latest_n=float(after[f"effective_base_{measure}"]),
            )
            row.update(
                previous_base=int(before[f"base_{measure}"]),
                latest_base=int(after[f"base_{measure}"]),
                previous_pct=before_pct, latest_pct=after_pct,
                change_points=after_pct - before_pct, z=z, p_value=p_value,
                significant=bool(p_value < alpha),
            )
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    if role == "partner" and latest_label is not None:
        small = (table["previous_base"] < SMALL_BASE) | (table["latest_base"] < SMALL_BASE)
        hidden = ["previous_pct", "latest_pct", "change_points", "z", "p_value"]
        table.loc[small, hidden] = np.nan
        table.loc[small, "significant"] = False
        table["suppressed"] = small
    table[["previous_base", "latest_base"]] = table[["previous_base", "latest_base"]].astype(
        "int64"
    )
    table[["significant", "suppressed"]] = table[["significant", "suppressed"]].astype(bool)
    return table


# ------------------------------------------------------------------- places of concern
def concern_agreement(
    survey: pd.DataFrame,
    hot_cell_ids: set[str],
    *,
    resolution: int,
) -> float:
    """Return the share of places of concern that fall in StreetSafe hot cells.

    Parameters
    ----------
    survey
        Survey responses with ``concern_latitude`` and ``concern_longitude`` (WGS84);
        responses without both name no place and are left out.
    hot_cell_ids
        H3 cell ids found hot in the StreetSafe reports.
    resolution
        H3 resolution of ``hot_cell_ids``, 0 to 15.

    Returns
    -------
    float
        A fraction from 0 to 1 (not a percentage); NaN when no response names a place.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not (
        0 <= resolution <= 15  # H3's resolutions
    ):
        raise ValueError(
            f"`resolution` must be an H3 resolution, a whole number from 0 to 15, "
            f"got {resolution!r}."
        )
    if survey.empty:
        return math.nan
    lat = pd.to_numeric(survey["concern_latitude"], errors="coerce")
    lng = pd.to_numeric(survey["concern_longitude"], errors="coerce")
    named = lat.notna() & lng.notna()
    if not named.any():
        return math.nan
    cells = [
        h3.latlng_to_cell(y, x, resolution)
        for y, x in zip(lat[named], lng[named], strict=True)
    ]
    return sum(cell in hot_cell_ids for cell in cells) / len(cells)
