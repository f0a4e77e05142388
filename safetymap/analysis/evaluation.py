"""Say whether an action worked: reports around its place before and after, honestly tested.

For a completed action (``status`` done, with ``started`` and ``done_on``):

1. **Windows.** ``N`` days before the action started (the ``N`` days up to the day before
   ``started``) against ``N`` days after it was done (from the day after ``done_on``), where
   ``N`` is the action's length in days, at least :data:`MIN_WINDOW_DAYS` (28): equal
   windows, so that no rate per day is needed.
2. **Where.** Reports within :data:`PLACE_M` (150 m) of the place's centre; the ring from
   150 to :data:`RING_M` (400 m) around it, where reports pushed out of the place would go
   (displacement); and the rest of the place's district, whose change over the same windows
   is the trend the place is measured against. Reports are placed by the centre of their
   small H3 cell (about 130 m across, the cells the places are made of), so within about
   75 m, as the places themselves are: a store counts them without reading a report.
3. **The test.** Given ``before + after`` reports at the place, if the action changed
   nothing beyond the district's trend, ``after`` is Binomial(``before + after``, ``p``)
   with ``p = t / (1 + t)``, ``t`` the district's reports after divided by before (``p =
   1/2`` when the district held no report before). This is the exact conditional test of two
   Poisson counts (a comparison of rates that does not need the rates); its two-sided
   p-value is that of :func:`scipy.stats.binomtest`. The ring is tested the same way.
4. **Too few to tell.** With fewer than :data:`MIN_REPORTS` (10) reports before and after
   together, no figure is given: the reading is "too few reports to tell". So few reports
   cannot tell a change from chance: a true fall to half (``p = 1/3``) is found at the 5%
   level 4 times in 100 at 8 reports and 14 at 9 (:func:`halving_power`); at 5 or fewer,
   even every report before and none after is not significant; and a percentage of so
   few (3 to 1 is "-67%") says more than the data do. At real volume (about one report
   per district per week) this is the common answer, and it is the honest one. Above the
   threshold the test is still weak (a halving is found 10 times in 100 at 10 reports, 53
   at 40, 82 at 80), so "no clear change" under :data:`WEAK_BELOW` reports says that a
   real change may well have been missed.

Nothing here imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import h3
import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.stats import binom, binomtest

from loaders.counts import ReportCounts
from safetymap.analysis.counts import as_counts, total
from safetymap.analysis.filters import Filters
from safetymap.analysis.places import PLACE_RESOLUTION

__all__ = [
    "MIN_REPORTS",
    "MIN_WINDOW_DAYS",
    "PLACE_M",
    "RING_M",
    "SIGNIFICANCE",
    "WEAK_BELOW",
    "Evaluation",
    "evaluate_action",
    "evaluation_windows",
    "halving_power",
]

#: Reports within this many metres of the place's centre are the place's.
PLACE_M = 150.0
#: The ring from :data:`PLACE_M` to this many metres is where displaced reports would go.
RING_M = 400.0
#: The shortest window before and after, in days.
MIN_WINDOW_DAYS = 28
#: Fewer reports than this before and after together: "too few reports to tell".
MIN_REPORTS = 10
#: Fewer reports than this before and after together: "no clear change" may be a missed one.
WEAK_BELOW = 80
#: The level at which a change is called a change.
SIGNIFICANCE = 0.05
_TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def evaluation_windows(started: date, done_on: date) -> tuple[tuple[date, date],
                                                              tuple[date, date]]:
    """Return the windows before and after an action, first and last day inclusive.

    >>> before, after = evaluation_windows(date(2026, 3, 1), date(2026, 3, 10))
    >>> f"{before[0]} to {before[1]}; {after[0]} to {after[1]}"
    '2026-02-01 to 2026-02-28; 2026-03-11 to 2026-04-07'
    """
    if done_on < started:
        raise ValueError(f"`done_on` ({done_on}) must be on or after `started` ({started}).")
    days = max((done_on - started).days + 1, MIN_WINDOW_DAYS)
    before = (started - timedelta(days=days), started - timedelta(days=1))
    after = (done_on + timedelta(days=1), done_on + timedelta(days=days))
    return before, after


def halving_power(reports: int, *, level: float = SIGNIFICANCE) -> float:
    """Return how often the test finds a true halving with ``reports`` before and after.

    Under a halving, ``after`` is Binomial(reports, 1/3); the test rejects "no change"
    (``p = 1/2``) at ``level`` two-sided for the ``after`` counts whose p-value is below it.

    >>> round(halving_power(9), 2)
    0.14
    """
    rejected = [k for k in range(reports + 1)
                if binomtest(k, reports, 0.5).pvalue < level]
    return float(sum(binom.pmf(k, reports, 1 / 3) for k in rejected))


@dataclass(frozen=True)
class Evaluation:
    """Reports around an action's place before and after it, and what they say.

    Attributes
    ----------
    before_window, after_window
        First and last day of each window.
    place_before, place_after
        Reports within :data:`PLACE_M` of the place.
    ring_before, ring_after
        Reports from :data:`PLACE_M` to :data:`RING_M`.
    district_before, district_after
        The district's other reports (beyond :data:`RING_M`).
    expected_share
        ``p``: the share of the place's reports expected after, from the district's trend.
    place_p, ring_p
        Two-sided exact p-values (None when too few reports to tell, or not yet).
    verdict
        ``too_early`` (the window after is not over in the data), ``too_few``, ``fell``,
        ``rose`` or ``no_change``.
    reading
        What it says, in words.
    """

    before_window: tuple[date, date]
    after_window: tuple[date, date]
    place_before: int
    place_after: int
    ring_before: int
    ring_after: int
    district_before: int
    district_after: int
    expected_share: float
    place_p: float | None
    ring_p: float | None
    verdict: str
    reading: str


def _zone_counts(
    counts: ReportCounts, filters: Filters, centre: tuple[float, float]
) -> tuple[int, int]:
    """Return the reports within :data:`PLACE_M` and in the ring, by the centre of their cell."""
    found = counts.count(filters, ("cell",), resolution=PLACE_RESOLUTION)
    if found.empty:
        return 0, 0
    latlng = np.array([h3.cell_to_latlng(str(cell)) for cell in found["cell"]])
    x, y = _TO_GRID.transform(latlng[:, 1], latlng[:, 0])
    px, py = _TO_GRID.transform(centre[1], centre[0])
    distance = np.hypot(np.asarray(x) - px, np.asarray(y) - py)
    reports = found["reports"].to_numpy(dtype=np.int64)
    return (int(reports[distance <= PLACE_M].sum()),
            int(reports[(distance > PLACE_M) & (distance <= RING_M)].sum()))


def _p_value(after: int, both: int, share: float) -> float:
    return float(binomtest(after, both, share).pvalue)


def _change_words(before: int, after: int, p: float, share: float) -> tuple[str, str]:
    expected = (before + after) * share
    if p >= SIGNIFICANCE:
        weak = (" (with so few reports a real change is often missed: this is not evidence "
                "that nothing changed)" if before + after < WEAK_BELOW else "")
        return "no_change", (f"{before} reports before and {after} after: no clear change "
                             f"beyond the district's trend (about {expected:.1f} of the "
                             f"{before + after} expected after; exact test p = {p:.2f})"
                             + weak)
    verdict = "fell" if after < expected else "rose"
    return verdict, (f"{before} reports before and {after} after: {verdict} more than the "
                     f"district's trend would give (about {expected:.1f} expected after; "
                     f"exact test p = {p:.3f})")


def evaluate_action(
    reports: ReportCounts | pd.DataFrame,
    *,
    latitude: float,
    longitude: float,
    district_code: str,
    started: date,
    done_on: date,
) -> Evaluation:
    """Compare reports around a completed action's place before and after it.

    Parameters
    ----------
    reports
        Where every StreetSafe report is counted (a loaded frame, its counts, or the store).
    latitude, longitude
        The place's centre (WGS84).
    district_code
        The place's district, whose trend the place is measured against.
    started, done_on
        When the action started and was done.

    Returns
    -------
    Evaluation
        Counts, p-values and a reading in words; see the module's docstring for the method.
    """
    counts = as_counts(reports)
    before, after = evaluation_windows(started, done_on)
    centre = (latitude, longitude)
    everything = Filters()
    place_b, ring_b = _zone_counts(counts, replace(everything, start=before[0],
                                                   end=before[1]), centre)
    place_a, ring_a = _zone_counts(counts, replace(everything, start=after[0],
                                                   end=after[1]), centre)
    district = Filters(districts=(district_code,))
    in_district_b = total(counts, replace(district, start=before[0], end=before[1]))
    in_district_a = total(counts, replace(district, start=after[0], end=after[1]))
    # The district's trend without the place and its ring, so the action does not set its
    # own yardstick (the place and ring are almost always in the district).
    district_b = max(in_district_b - place_b - ring_b, 0)
    district_a = max(in_district_a - place_a - ring_a, 0)
    share = district_a / (district_a + district_b) if district_b else 0.5
    trend = ("the district's other reports went from "
             f"{district_b} to {district_a}" if district_b else
             "the district held no other report before, so no trend is allowed for")
    span = counts.span(Filters())
    windows = (f"{before[0]:%d/%m/%Y}-{before[1]:%d/%m/%Y} against "
               f"{after[0]:%d/%m/%Y}-{after[1]:%d/%m/%Y}")

    def result(verdict: str, reading: str, place_p: float | None = None,
               ring_p: float | None = None) -> Evaluation:
        return Evaluation(before, after, place_b, place_a, ring_b, ring_a, district_b,
                          district_a, share, place_p, ring_p, verdict, reading)

    if span is None or span[1] < after[1]:
        return result("too_early", f"Too early to tell: the {(after[1] - after[0]).days + 1} "
                      f"days after the action end on {after[1]:%d/%m/%Y}, and the data "
                      "do not reach that day yet.")
    if place_b + place_a < MIN_REPORTS:
        return result("too_few", f"Too few reports to tell: {place_b + place_a} within "
                      f"{PLACE_M:.0f} m before and after together ({windows}); at least "
                      f"{MIN_REPORTS} are needed before any change can be told from chance.")
    place_p = _p_value(place_a, place_b + place_a, share)
    verdict, words = _change_words(place_b, place_a, place_p, share)
    reading = f"Within {PLACE_M:.0f} m ({windows}): {words}; {trend}."
    ring_p = None
    if ring_b + ring_a < MIN_REPORTS:
        reading += (f" The ring from {PLACE_M:.0f} to {RING_M:.0f} m: too few reports to "
                    f"tell whether reports moved there ({ring_b} before, {ring_a} after).")
    else:
        ring_p = _p_value(ring_a, ring_b + ring_a, share)
        ring_verdict, ring_words = _change_words(ring_b, ring_a, ring_p, share)
        meaning = {"rose": " (reports may have moved there: displacement)",
                   "fell": " (the benefit may have spread: fewer reports around too)",
                   "no_change": " (no sign that reports moved there)"}[ring_verdict]
        reading += f" The ring from {PLACE_M:.0f} to {RING_M:.0f} m: {ring_words}{meaning}."
    return result(verdict, reading, place_p, ring_p)
