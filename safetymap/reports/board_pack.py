"""Build the partnership board pack: the county picture for a board meeting, as a PDF.

The same content as the board overview page (issue 5, item 2): headline figures for the
selection (reports, reports per 1,000 residents, the change against the previous period
of the same length, the share feeling unsafe after dark, coverage gaps), a monthly trend,
districts ranked per 1,000 residents and the top reasons.

The pure pieces the page reuses are :func:`headline_figures`, :func:`monthly_trend` and
:func:`top_reasons`; :func:`build_board_pack` puts them together and
:func:`board_pack_pdf` lays them out.

Disclosure (CONTRACT §5)
------------------------
For partners, a count from 1 to 4 shows as "<5"; in a table whose total is shown
elsewhere (districts and months add up to the headline) one more count is hidden
(secondary suppression, :func:`safetymap.roles.suppressed_counts`); a rate or change that
would give a suppressed count back is hidden with it; survey percentages are hidden where
the unweighted base is under 50. Reason counts are not secondarily suppressed: a report
can give several reasons, so they add up to no total. No report point and no
confidential service's location is ever shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, TypedDict

import numpy as np
import pandas as pd

from geodata import DISTRICTS, load_population
from loaders.counts import ReportCounts
from loaders.vocab import REASONS, TIME_OF_DAY
from safetymap.action_log import board_tables
from safetymap.analysis.counts import (
    FrameCounts,
    counts_of,
    covered_period,
    local_times,
    selection_period,
    total,
)
from safetymap.analysis.coverage import COVERAGE_CATEGORIES, coverage_matrix
from safetymap.analysis.filters import Filters, filter_survey
from safetymap.analysis.hotspots import previous_period
from safetymap.analysis.places import patrol_places
from safetymap.analysis.rates import rates_of_counts
from safetymap.analysis.survey import county_indicators
from safetymap.disclosure import (
    SMALL_BASE,
    SMALL_COUNT,
    PartnerRelease,
    count_text,
    county_survey_shown,
    is_shown,
    month_span,
    partner_filters,
    partner_hotspot_filters,
    partner_quarter,
    partner_release,
    partner_survey_filters,
    previous_months,
    quarter_span,
    quarter_words,
    share_text,
    suppressed_counts,
)
from safetymap.present.tables import district_rate_table
from safetymap.present.wording import HIDDEN_BASE, pct_with_ci
from safetymap.reports import (
    SYNTHETIC_BANNER,
    TEXT_WIDTH_MM,
    ReportPDF,
    day_text,
    period_text,
)
from safetymap.reports.charts import bar_png, trend_png
from safetymap.roles import Role, check_role

if TYPE_CHECKING:
    from loaders.source import Dataset
    from loaders.store.actions import Action

__all__ = [
    "NO_EARLIER_PERIOD",
    "BoardPack",
    "HeadlineFigures",
    "board_pack_pdf",
    "build_board_pack",
    "headline_figures",
    "monthly_trend",
    "report_change_words",
    "top_reasons",
]

#: Reasons listed by default.
TOP_REASONS = 8
_HIDDEN_CHANGE = f"hidden (fewer than {SMALL_COUNT} reports in a period)"
#: The change's words when there is nothing before the period to compare with.
NO_EARLIER_PERIOD = "no earlier period to compare"


class HeadlineFigures(TypedDict):
    """The headline figures of a selection: numbers, and the words to show them in.

    A number is None when the role may not see it (or it cannot be worked out); its
    ``*_text`` always says what to show. ``compared`` is False when there is no earlier
    period to compare with (no period, or the data start after the previous period
    starts): then there is no previous count and no change, and the texts say so.
    """

    period: tuple[date, date] | None
    previous: tuple[date, date] | None
    compared: bool
    reports: int | None
    reports_text: str
    residents: int
    per_1000: float | None
    per_1000_text: str
    previous_reports: int | None
    previous_reports_text: str
    change: int | None
    change_pct: float | None
    change_text: str
    unsafe_after_dark_pct: float | None
    unsafe_after_dark_text: str
    survey_base: int | None
    survey_base_text: str
    coverage_gaps: int
    coverage_pairs: int
    coverage_gaps_text: str


# ---------------------------------------------------------------------------- pure pieces
def report_change_words(now: int, before: int) -> str:
    """Return the change in reports in words and numbers: "up 3 (100%)", "down 2 (25%)".

    >>> report_change_words(6, 3)
    'up 3 (100%)'
    >>> report_change_words(4, 0)
    'up 4 (no reports in the previous period)'
    """
    difference = now - before
    if before == 0:
        if now == 0:
            return "no change (no reports in either period)"
        return f"up {difference:,} (no reports in the previous period)"
    if difference == 0:
        return "no change (0%)"
    direction = "up" if difference > 0 else "down"
    return f"{direction} {abs(difference):,} ({abs(difference) / before * 100:.0f}%)"


def _coverage_gaps(services: pd.DataFrame, districts: tuple[str, ...]) -> tuple[int, int]:
    """Return (district, category) pairs with no service, and pairs compared.

    Only categories the services list has at least one service of are compared: a
    category missing from the list says more about the list than about the districts.
    """
    if services.empty:
        return 0, 0
    present = set(services["category"].dropna())
    categories = [category for category in COVERAGE_CATEGORIES if category in present]
    if not categories:
        return 0, 0
    matrix = coverage_matrix(services, categories=categories)
    if districts:
        matrix = matrix[matrix["district_code"].isin(districts)]
    return int((~matrix["covered"]).sum()), len(matrix)


def headline_figures(
    dataset: Dataset, filters: Filters, *, role: Role, reports: ReportCounts | None = None,
    release: PartnerRelease | None = None,
) -> HeadlineFigures:
    """Return the headline figures of a selection, as the role may see them.

    Parameters
    ----------
    dataset
        The loaded data: reports, survey responses and services.
    filters
        The selection. Districts, dates, times of day and reasons narrow the reports;
        districts and dates narrow the survey; districts narrow the coverage gaps.
    role
        Who will see the figures; ``partner`` gets the disclosure rules of CONTRACT §5.
    reports
        Where the reports are counted (the store, or the dataset's frame when None).
    release
        For partners, the protected release every count is read from (worked out when
        None); the selection is put on the partner lattice (whole months) and the period
        before is as many whole months.

    Returns
    -------
    HeadlineFigures
        ``reports`` in the selection; ``per_1000`` residents of the selected districts
        (Census 2021) over the period; ``change`` against the previous period of the same
        length (:func:`report_change_words`) when the data cover all of it, else None and
        :data:`NO_EARLIER_PERIOD` in ``change_text``; ``unsafe_after_dark_pct``, the weighted
        share very or fairly unsafe after dark among the survey answers of the selection
        with its 95% interval in ``unsafe_after_dark_text``; ``coverage_gaps``, the
        (district, service category) pairs with no service, over the categories the
        services list has.
    """
    check_role(role)
    counts = counts_of(dataset, reports)
    if role == "partner":
        filters = partner_filters(filters)[0]
        release = release or partner_release(counts)
    period: tuple[date, date] | None = selection_period(counts, filters)
    if role == "partner" and period is not None:
        period = month_span(*period)
        previous: tuple[date, date] | None = previous_months(*period)
    else:
        previous = previous_period(*period) if period is not None else None
    # A previous period the data do not reach back over holds few or no reports because
    # nothing was collected then: comparing with it would call the whole selection new.
    compared = previous is not None and covered_period(counts, previous) is not None
    now_count = total(counts, filters)
    before_count = (
        total(counts, replace(filters, start=previous[0], end=previous[1]))
        if previous is not None and compared else 0
    )
    if release is not None and period is not None and previous is not None:
        now_text = release.reports(filters.districts, *period)
        before_text = release.reports(filters.districts, *previous)
    else:
        now_text, before_text = count_text(now_count, role), count_text(before_count, role)
    now_shown, before_shown = is_shown(now_text), is_shown(before_text)

    population = load_population().set_index("code")["population"]
    codes = list(filters.districts) or list(DISTRICTS)
    residents = int(population.reindex(codes).fillna(0).sum())
    rate = now_count / residents * 1000 if residents else None

    difference = now_count - before_count
    change_shown = compared and now_shown and before_shown
    change_pct = difference / before_count * 100 if before_count else None
    if not compared:
        change_text = NO_EARLIER_PERIOD if previous is None else (
            f"{NO_EARLIER_PERIOD} (the data start after {day_text(previous[0])})"
        )
    elif change_shown:
        change_text = report_change_words(now_count, before_count)
    else:
        change_text = _HIDDEN_CHANGE

    # Partners' survey figure is the county's over whole half-years (a fixed lattice).
    survey_filters = partner_survey_filters(filters) if role == "partner" else filters
    survey = filter_survey(dataset.survey.frame, survey_filters) if len(
        dataset.survey.frame) else dataset.survey.frame
    if survey.empty:
        after_dark: float | None = None
        after_dark_text = "no survey answers in the selection"
        base: int | None = 0
    else:
        row = county_indicators(survey, role=role).iloc[0]
        base = int(row["base_after_dark"])
        pct = float(row["unsafe_after_dark_pct"])
        after_dark = None if math.isnan(pct) else pct
        if role == "partner" and (base < SMALL_BASE or not county_survey_shown(survey)):
            after_dark_text = HIDDEN_BASE
        elif after_dark is None:
            after_dark_text = "no answers"
        else:
            after_dark_text = pct_with_ci(pct, float(row["after_dark_ci_low"]),
                                          float(row["after_dark_ci_high"]))
    base_text = count_text(base or 0, role)

    gaps, pairs = _coverage_gaps(dataset.services.frame, filters.districts)
    gaps_text = (
        f"{gaps} of {pairs} district and service-type pairs have no service"
        if pairs else "no services list to compare"
    )
    return HeadlineFigures(
        period=period,
        previous=previous,
        compared=compared,
        reports=now_count if now_shown or now_count == 0 else None,
        reports_text=now_text,
        residents=residents,
        per_1000=rate if now_shown else None,
        per_1000_text=(f"{rate:.2f}" if rate is not None else "-") if now_shown else "hidden",
        previous_reports=before_count if compared and before_shown else None,
        previous_reports_text=before_text if compared else "-",
        change=difference if change_shown else None,
        change_pct=change_pct if change_shown else None,
        change_text=change_text,
        unsafe_after_dark_pct=after_dark if after_dark_text != HIDDEN_BASE else None,
        unsafe_after_dark_text=after_dark_text,
        survey_base=base if is_shown(base_text) else None,
        survey_base_text=base_text,
        coverage_gaps=gaps,
        coverage_pairs=pairs,
        coverage_gaps_text=gaps_text,
    )


def monthly_trend(
    reports: pd.DataFrame, *, period: tuple[date, date] | None = None
) -> pd.DataFrame:
    """Count reports per calendar month of ``event_at`` (local time), empty months as 0.

    The row-based form of :func:`trend_of_counts`.

    Parameters
    ----------
    reports
        Reports with ``event_at`` (already filtered to the selection).
    period
        First and last day looked at: every month they touch gets a row, reports or not.
        By default the months from the first report to the last.
    """
    months = local_times(reports["event_at"].dropna())
    labels = pd.Series(
        [f"{year:04d}-{month:02d}" for year, month in
         zip(months.dt.year.tolist(), months.dt.month.tolist(), strict=True)], dtype=object
    )
    counts = labels.value_counts()
    return trend_of_counts(
        pd.DataFrame({"event_month": counts.index, "reports": counts.to_numpy()}),
        period=period,
    )


def trend_of_counts(
    per_month: pd.DataFrame, *, period: tuple[date, date] | None = None
) -> pd.DataFrame:
    """Return reports per calendar month, empty months as 0, from counts per month.

    Parameters
    ----------
    per_month
        ``event_month`` (``YYYY-MM``, local time) and ``reports``, e.g.
        ``ReportCounts.count(filters, ("event_month",))``.
    period
        First and last day looked at: every month they touch gets a row, reports or not.
        By default the months from the first report to the last.

    Returns
    -------
    pandas.DataFrame
        ``month`` (first day of the month, a naive timestamp) and ``reports`` (int64),
        oldest first.
    """
    counts = pd.Series(
        per_month["reports"].to_numpy(dtype="int64"),
        index=pd.to_datetime(per_month["event_month"].astype(str), format="%Y-%m"),
    )
    if period is not None:
        first, last = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    elif len(counts):
        first, last = counts.index.min(), counts.index.max()
    else:
        return pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"),
                             "reports": pd.Series(dtype="int64")})
    index = pd.period_range(first, last, freq="M").to_timestamp()
    return pd.DataFrame({
        "month": index,
        "reports": counts.reindex(index, fill_value=0).to_numpy(dtype="int64"),
    })


def top_reasons(reports: pd.DataFrame, limit: int = TOP_REASONS) -> pd.DataFrame:
    """Return the reasons given most often, each report counted once per reason.

    Parameters
    ----------
    reports
        Reports with ``environment`` and ``behaviour`` (``;``-joined reason codes).
    limit
        Most reasons to return.

    Returns
    -------
    pandas.DataFrame
        ``reason`` (code), ``label`` (words), ``reports`` giving it and ``share_pct``, the
        percentage of all the reports that give it (0 to 100; a report can give several
        reasons, so shares add up to more than 100). Most given first; ties in the order
        of :data:`loaders.vocab.REASONS`. Reasons given by no report are left out.
    """
    counts = FrameCounts(reports)
    return reasons_of_counts(counts.count(Filters(), ("reason",)), len(reports), limit=limit)


def reasons_of_counts(
    per_reason: pd.DataFrame, reports: int, *, limit: int = TOP_REASONS
) -> pd.DataFrame:
    """Return :func:`top_reasons` from reports counted per reason.

    Parameters
    ----------
    per_reason
        ``reason`` and ``reports``: ``ReportCounts.count(filters, ("reason",))``.
    reports
        How many reports the selection holds (the base of ``share_pct``).
    limit
        Most reasons to return.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"`limit` must be a whole number of 1 or more, got {limit!r}.")
    order = {code: i for i, code in enumerate(REASONS)}
    table = pd.DataFrame({"reason": per_reason["reason"].astype(str).to_numpy(),
                          "reports": per_reason["reports"].to_numpy(dtype="int64")})
    table = table[table["reports"] > 0]
    table["_order"] = table["reason"].map(order).fillna(len(order))
    table = table.sort_values(["reports", "_order", "reason"], ascending=[False, True, True])
    table = table.head(limit).drop(columns="_order").reset_index(drop=True)
    table.insert(1, "label", [REASONS.get(code, code) for code in table["reason"]])
    table["share_pct"] = table["reports"] / reports * 100 if reports else np.nan
    return table.astype({"reason": object, "label": object, "reports": "int64",
                         "share_pct": float})


# ---------------------------------------------------------------------------- the pack
def selection_words(filters: Filters) -> str:
    """Return the selection in words: districts, then any time-of-day or reason filter."""
    parts = [
        ", ".join(DISTRICTS.get(code, code) for code in filters.districts)
        if filters.districts else "All ten districts"
    ]
    if filters.times_of_day:
        parts.append("times: " + ", ".join(TIME_OF_DAY.get(t, t) for t in filters.times_of_day))
    if filters.reasons:
        parts.append("reasons: " + ", ".join(REASONS.get(r, r) for r in filters.reasons))
    return "; ".join(parts)


@dataclass(frozen=True, eq=False)
class BoardPack:
    """The board pack's content for one selection, worked out once.

    Attributes
    ----------
    filters, role
        The selection and who the pack is for.
    selection
        The selection in words.
    headline
        :func:`headline_figures`.
    trend
        :func:`monthly_trend` over the period; ``trend_shown`` is each month's count as
        the role may see it.
    districts
        :func:`safetymap.analysis.rates.district_rates` of the selected districts;
        ``district_table`` the same in words as the role may see it.
    reasons
        :func:`top_reasons`; ``reason_table`` the same in words as the role may see it.
    synthetic, origin, generated
        Whether the data are synthetic, where they came from, and the date made.
    quarter_table
        Reports per selected district and calendar quarter of the period, with the total
        of the selection, as the role may see them.
    """

    filters: Filters
    role: Role
    selection: str
    headline: HeadlineFigures
    trend: pd.DataFrame
    trend_shown: list[str]
    districts: pd.DataFrame
    district_table: pd.DataFrame
    reasons: pd.DataFrame
    reason_table: pd.DataFrame
    synthetic: bool
    origin: str
    generated: date
    notes: tuple[str, ...] = field(default=())
    quarter_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: actions opened and completed in the period by agency (None: no problem-solving log)
    actions_by_agency: pd.DataFrame | None = None
    #: the places with most reports and no action yet
    places_without_action: pd.DataFrame | None = None
    #: how the two tables of the log were made, in words
    actions_note: str = ""

    @property
    def title(self) -> str:
        """Return the pack's title."""
        return "Partnership board pack: feeling safe in Hertfordshire"

    @cached_property
    def trend_png(self) -> bytes:
        """Return the monthly trend chart (PNG)."""
        return trend_png(self.trend, shown=self.trend_shown,
                         title="StreetSafe reports per month in the selection")

    @cached_property
    def districts_png(self) -> bytes:
        """Return the districts ranked per 1,000 residents (PNG)."""
        shown = list(self.district_table["Per 1,000 residents"].astype(str))
        return bar_png(
            list(self.districts["district_name"]), list(self.districts["per_1000"]),
            shown=shown if self.role == "partner" else [f"{v:.2f}" for v in
                                                        self.districts["per_1000"]],
            title="Reports per 1,000 residents, by district (highest first)",
            xlabel="StreetSafe reports per 1,000 residents in the period (Census 2021)",
        )

    @cached_property
    def reasons_png(self) -> bytes:
        """Return the top reasons (PNG)."""
        return bar_png(
            list(self.reasons["label"]), list(self.reasons["reports"]),
            shown=list(self.reason_table["Reports"].astype(str)),
            title="Why people felt unsafe: the reasons given most often",
            xlabel="Reports giving the reason (a report can give several)",
        )


def _quarter_table(
    counts: ReportCounts, filters: Filters, period: tuple[date, date] | None,
    release: PartnerRelease | None, role: Role,
) -> pd.DataFrame:
    """Return reports per district (rows) and calendar quarter (columns) of the period."""
    if period is None:
        return pd.DataFrame()
    first, last = quarter_span(*period)
    starts = pd.period_range(first, last, freq="Q")
    codes = list(filters.districts) or list(DISTRICTS)
    per_month = counts.count(replace(filters, start=first, end=last),
                             ("district_code", "event_month"))
    quarter_of = pd.PeriodIndex(per_month["event_month"].astype(str), freq="M").asfreq("Q")
    true = per_month.assign(quarter=quarter_of).groupby(["district_code", "quarter"])[
        "reports"].sum()
    rows = [*codes, None]
    table: dict[str, list[object]] = {
        "District": [DISTRICTS.get(code, code) if code else "Selection" for code in rows]}
    for quarter in starts:
        q_start, q_end = quarter.start_time.date(), quarter.end_time.date()
        label = f"Q{quarter.quarter} {quarter.year}"
        if release is not None:
            table[label] = [release.reports((code,) if code else tuple(codes), q_start, q_end)
                            for code in rows]
        else:
            values = [int(true.get((code, quarter), 0)) for code in codes]
            table[label] = [*[count_text(v, role) for v in values],
                            count_text(sum(values), role)]
    return pd.DataFrame(table)


def _partner_tables(
    release: PartnerRelease, counts: ReportCounts, filters: Filters, trend: pd.DataFrame,
    rates: pd.DataFrame, *, period: tuple[date, date] | None,
) -> tuple[list[str], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return the trend, district and reason tables as a partner sees them (the release)."""
    months = [pd.Timestamp(m).date() for m in trend["month"]]
    trend_shown = [release.reports(filters.districts, m, m) for m in months]
    start, end = period if period is not None else (None, None)
    texts = {code: release.reports((code,), start, end) for code in rates["district_code"]}
    district_table = district_rate_table(rates, "partner", reports_text=texts)
    quarters: tuple[date | None, date | None] = (None, None)
    county = Filters()
    if period is not None:
        quarters = quarter_span(*period)
        county = Filters(start=quarters[0], end=quarters[1])
    base = total(counts, county)
    reasons = reasons_of_counts(counts.count(county, ("reason",)), base,
                                limit=len(release.reasons))
    base_text = release.county_quarters(*quarters)
    reason_texts = [release.reason(code, *quarters) for code in reasons["reason"]]
    reason_table = pd.DataFrame({
        "Reason": reasons["label"],
        "Reports": reason_texts,
        "Share of reports": [
            share_text(int(n), base, text, base_text)
            for n, text in zip(reasons["reports"], reason_texts, strict=True)],
    })
    # Most given first among those shown; hidden ones are not ranked by their true size.
    order = sorted(range(len(reasons)), key=lambda i: (
        not is_shown(reason_texts[i]), -int(reasons["reports"].iloc[i]) if is_shown(
            reason_texts[i]) else 0, i))[:TOP_REASONS]
    return (trend_shown, district_table, reasons.iloc[order].reset_index(drop=True),
            reason_table.iloc[order].reset_index(drop=True))


def _reason_table(reasons: pd.DataFrame, role: Role) -> pd.DataFrame:
    texts = [count_text(int(n), role) for n in reasons["reports"]]
    return pd.DataFrame({
        "Reason": reasons["label"],
        "Reports": texts,
        "Share of reports": [
            f"{share:.1f}%" if text[0].isdigit() else "hidden"
            for share, text in zip(reasons["share_pct"], texts, strict=True)
        ],
    })


def build_board_pack(
    dataset: Dataset,
    *,
    filters: Filters,
    role: Role = "partner",
    generated: date | None = None,
    reports: ReportCounts | None = None,
    release: PartnerRelease | None = None,
    actions: tuple[Action, ...] | None = None,
) -> BoardPack:
    """Work out the board pack of a selection.

    Parameters
    ----------
    dataset
        The loaded data.
    filters
        The selection (districts, dates, times of day, reasons).
    role
        Who the pack is for; by default ``partner``, with small numbers suppressed.
    generated
        Date to print as the date made; today by default.
    reports
        Where the reports are counted (the store, or the dataset's frame when None).
    release
        For partners, the protected release of :mod:`safetymap.disclosure` that every
        count is read from (worked out when None). The selection is put on the lattice:
        whole months, no time-of-day or reason filter; reasons are for the county over
        the whole quarters of the period.
    actions
        Every action of the problem-solving log (None: there is no log): the pack then
        counts actions opened and completed in the period by agency and lists the places
        with most reports and no action yet (for partners, only places of the county with
        5 reports or more in the calendar quarter holding the period's end).
    """
    check_role(role)
    counts = counts_of(dataset, reports)
    if role == "partner":
        filters = partner_filters(filters)[0]
        release = release or partner_release(counts)
    headline = headline_figures(dataset, filters, role=role, reports=counts, release=release)
    trend = trend_of_counts(counts.count(filters, ("event_month",)), period=headline["period"])
    rates = rates_of_counts(counts.count(filters, ("district_code",)), load_population())
    if filters.districts:
        rates = rates[rates["district_code"].isin(filters.districts)].reset_index(drop=True)
    reasons = reasons_of_counts(counts.count(filters, ("reason",)), total(counts, filters))
    trend_shown = suppressed_counts(trend["reports"].tolist(), role)
    district_table = district_rate_table(rates, role)
    reason_table = _reason_table(reasons, role)
    quarter_table = _quarter_table(counts, filters, headline["period"], release, role)
    if release is not None:
        trend_shown, district_table, reasons, reason_table = _partner_tables(
            release, counts, filters, trend, rates, period=headline["period"])
    notes = [
        f"Source: {dataset.origin}",
        (f"Period: {period_text(headline['period'])}; compared with "
         f"{period_text(headline['previous'])}, the period of the same length just before."
         if headline["compared"] else
         f"Period: {period_text(headline['period'])}; {headline['change_text']}."),
        ("Reports per 1,000 residents: StreetSafe reports in the period divided by usual "
         "residents (ONS Census 2021), times 1,000. StreetSafe reports are volunteered, so "
         "they show where people chose to report, not every place people feel unsafe."),
        ("Unsafe after dark: weighted share of Feelings of Safety answers 'Very' or 'Fairly "
         "unsafe' after dark, among answers in the selection's districts and period "
         "('Don't know' left out), with its 95% confidence interval."),
        ("Coverage gaps: pairs of a district and a type of support service (among the types "
         "in the services list) with no service covering the district."),
    ]
    if role == "partner":
        notes.append(
            f"For partners, counts from 1 to {SMALL_COUNT - 1} show as \"<{SMALL_COUNT}\"; "
            "counts that together with others would give such a count away are 'hidden' "
            "(checked across every table partners can see); rates and shares of hidden "
            f"counts are hidden; survey percentages on fewer than {SMALL_BASE} answers are "
            "hidden. Periods are whole calendar months; reasons are for the whole county "
            "over the whole quarters of the period; the survey figure is the county's over "
            "whole half-years, shown only when every district has 50 answers in each."
        )
    if dataset.synthetic:
        notes.insert(0, f"{SYNTHETIC_BANNER}: made up for demonstration and testing.")
    by_agency = without_action = None
    actions_note = ""
    if actions is not None:
        by_agency, without_action, actions_note = _action_tables(
            counts, filters, headline["period"], role, actions)
    return BoardPack(
        filters=filters,
        role=role,
        selection=selection_words(filters),
        headline=headline,
        trend=trend,
        trend_shown=trend_shown,
        districts=rates,
        district_table=district_table,
        reasons=reasons,
        reason_table=reason_table,
        quarter_table=quarter_table,
        synthetic=dataset.synthetic,
        origin=dataset.origin,
        generated=generated or date.today(),
        notes=tuple(notes),
        actions_by_agency=by_agency,
        places_without_action=without_action,
        actions_note=actions_note,
    )


def _action_tables(
    counts: ReportCounts, filters: Filters, period: tuple[date, date] | None, role: Role,
    actions: tuple[Action, ...],
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Return the log's tables for the board (:func:`safetymap.action_log.board_tables`)."""
    if role == "partner":
        # Places are off the partners' release: the county's places of one calendar
        # quarter with 5 reports or more (docs/disclosure.md rule 13).
        quarter = partner_quarter(counts, filters.end)
        places = patrol_places(counts, partner_hotspot_filters(quarter), limit=None)
        places = places[places["reports"] >= SMALL_COUNT]
        if filters.districts:
            places = places[places["district_code"].isin(filters.districts)]
        where = (f"the county's places with {SMALL_COUNT} reports or more in "
                 f"{quarter_words(quarter) if quarter else 'the quarter'}")
    else:
        places = patrol_places(counts, filters, limit=None) if period else pd.DataFrame()
        where = "the selection's places"
    by_agency, without = board_tables(actions, places, period, role)
    note = ("Actions opened (started) and completed (done) in the period, by agency, from "
            f"the problem-solving log; places with no action yet: {where}, most reports "
            "first, with no action (other than a dropped one) within 150 m of their centre.")
    return by_agency, without, note


# ---------------------------------------------------------------------------- PDF
def _tiles(pdf: ReportPDF, rows: list[list[tuple[str, str, str]]]) -> None:
    """Draw rows of headline tiles, each with a label, a big figure and a line of detail."""
    gap = 3.0
    height = 25.0
    for tiles in rows:
        width = (TEXT_WIDTH_MM - gap * (len(tiles) - 1)) / len(tiles)
        top = pdf.get_y()
        for column, (label, figure, detail) in enumerate(tiles):
            left = 12 + column * (width + gap)
            pdf.set_draw_color(90, 90, 90)
            pdf.set_fill_color(244, 244, 244)
            pdf.rect(left, top, width, height, style="DF")
            pdf.set_xy(left + 2, top + 1.8)
            pdf.use_font(8, "B")
            pdf.cell(width - 4, 4, pdf.clean(label))
            pdf.set_xy(left + 2, top + 6.5)
            pdf.use_font(15 if len(figure) < 14 else 11, "B")
            pdf.cell(width - 4, 8, pdf.clean(figure))
            pdf.set_xy(left + 2, top + 15.5)
            pdf.use_font(7)
            pdf.multi_cell(width - 4, 3.2, pdf.clean(detail), align="L")
        pdf.set_y(top + height + gap)
    pdf.set_draw_color(0, 0, 0)


def _headline_tiles(pack: BoardPack) -> list[list[tuple[str, str, str]]]:
    h = pack.headline
    after_dark = h["unsafe_after_dark_text"]
    figure = after_dark.split(" (")[0] if h["unsafe_after_dark_pct"] is not None else (
        "hidden" if after_dark.startswith("Hidden") else "-"
    )
    change = h["change_text"]
    if h["compared"]:
        change_figure = change.split(" (")[0]
        change_detail = (f"{change[len(change_figure):].strip(' ()')}; "
                         f"{h['previous_reports_text']} reports in {period_text(h['previous'])}")
    else:
        change_figure, change_detail = "-", change
    return [[
        ("Reports", h["reports_text"], f"StreetSafe reports, {period_text(h['period'])}"),
        ("Per 1,000 residents", h["per_1000_text"],
         f"reports per 1,000 of {h['residents']:,} residents (Census 2021)"),
        ("Change on the previous period", change_figure, change_detail),
    ], [
        ("Unsafe after dark", figure,
         (after_dark.split(" (", 1)[1].rstrip(")") + "; " if h["unsafe_after_dark_pct"]
          is not None else after_dark + "; ")
         + f"{h['survey_base_text']} survey answers"),
        ("Coverage gaps", f"{h['coverage_gaps']}" if h["coverage_pairs"] else "-",
         h["coverage_gaps_text"]),
    ]]


def _month_rows(pack: BoardPack) -> tuple[list[str], list[list[str]]]:
    months = [f"{m:%b %y}" for m in pd.to_datetime(pack.trend["month"])]
    return months, [pack.trend_shown]


def _cell(value: object) -> str:
    """Return a table value as text: whole numbers with commas, others to 2 places."""
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return f"{float(value):.2f}"
    return str(value)


def _actions_section(pdf: ReportPDF, pack: BoardPack) -> None:
    """Lay out the problem-solving log's two tables, when the pack has a log."""
    if pack.actions_by_agency is None or pack.places_without_action is None:
        return
    pdf.heading("Problem-solving: actions in the period, by agency", size=12)
    if pack.actions_by_agency.empty:
        pdf.paragraph("No action was opened or completed in the period.")
    else:
        pdf.words_table(
            ["Agency", "Opened", "Completed"],
            [[str(v) for v in row] for row in pack.actions_by_agency.itertuples(index=False)],
            widths=(70, 15, 15), size=7.5, align=("LEFT", "RIGHT", "RIGHT"),
        )
    pdf.heading("Places with the most reports and no action yet", size=12)
    if pack.places_without_action.empty:
        pdf.paragraph("Every listed place has an action, or none is listed.")
    else:
        pdf.words_table(
            ["Place", "District", "Reports"],
            [[str(v) for v in row]
             for row in pack.places_without_action.itertuples(index=False)],
            widths=(55, 30, 15), size=7.5, align=("LEFT", "LEFT", "RIGHT"),
        )
    pdf.paragraph(pack.actions_note, size=7.5)


def board_pack_pdf(pack: BoardPack) -> bytes:
    """Lay the board pack out as an A4 PDF.

    Page 1: headline figures, the monthly trend (with its table) and the notes. Page 2:
    the districts ranked per 1,000 residents and the top reasons, each as a chart and a
    table. Every page carries the synthetic-data banner when the data are synthetic.
    """
    pdf = ReportPDF(title=pack.title, synthetic=pack.synthetic, generated=pack.generated)
    pdf.add_page()
    pdf.use_font(16, "B")
    pdf.multi_cell(0, 7.5, pdf.clean(pack.title), new_x="LMARGIN", new_y="NEXT")
    pdf.paragraph(
        f"Selection: {pack.selection}. Period: {period_text(pack.headline['period'])}. "
        f"Made {day_text(pack.generated)} for the {pack.role} role.", size=9,
    )
    pdf.ln(2)
    _tiles(pdf, _headline_tiles(pack))
    pdf.png(pack.trend_png, width=TEXT_WIDTH_MM)
    months, rows = _month_rows(pack)
    for start in range(0, len(months), 12):
        chunk = months[start:start + 12]
        pdf.words_table(
            ["Month", *chunk],
            [["Reports", *row[start:start + 12]] for row in rows],
            widths=(11, *([7.4] * len(chunk))), size=6.5,
            align=("LEFT", *(["RIGHT"] * len(chunk))),
            # Twelve months fill the line; fewer keep the same column widths.
            width=TEXT_WIDTH_MM * (11 + 7.4 * len(chunk)) / (11 + 7.4 * 12),
        )
    pdf.heading("Notes", size=11)
    for note in pack.notes:
        pdf.paragraph(note, size=7.5, style="B" if note.startswith(SYNTHETIC_BANNER) else "")
        pdf.ln(0.6)
    pdf.add_page()
    pdf.heading("Districts ranked by reports per 1,000 residents", size=12, space=0)
    pdf.png(pack.districts_png, width=TEXT_WIDTH_MM * 0.9)
    table = pack.district_table
    pdf.words_table(
        ["Rank", *table.columns],
        [[str(i + 1), *(_cell(v) for v in row)]
         for i, row in enumerate(table.itertuples(index=False))],
        widths=(8, 40, 22, 18, 18), size=7.5,
        align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )
    quarters = pack.quarter_table
    if not quarters.empty:
        pdf.heading("Reports by district and calendar quarter", size=12)
        columns = list(quarters.columns)
        shown = columns[:1] + columns[1:][-8:]  # the latest eight quarters fit the page
        pdf.words_table(
            shown, [[str(row[c]) for c in shown] for _, row in quarters.iterrows()],
            widths=(40, *([16] * (len(shown) - 1))), size=7.5,
            align=("LEFT", *(["RIGHT"] * (len(shown) - 1))),
            width=min(TEXT_WIDTH_MM, 40 + 16 * (len(shown) - 1)),
        )
    _actions_section(pdf, pack)
    pdf.heading("Top reasons given", size=12)
    if pack.reasons.empty:
        pdf.paragraph("No reason given in the selection.")
    else:
        pdf.png(pack.reasons_png, width=TEXT_WIDTH_MM * 0.9)
        pdf.words_table(
            list(pack.reason_table.columns),
            [[str(v) for v in row] for row in pack.reason_table.itertuples(index=False)],
            widths=(60, 20, 20), size=7.5, align=("LEFT", "RIGHT", "RIGHT"),
        )
    return bytes(pdf.output())
