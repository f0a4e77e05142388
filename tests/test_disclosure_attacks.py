"""Play the curious partner: combine what partners can see and try to pin a count from 1 to 4.

Each attack gathers, as a partner could, figures from pages and commands (the County map,
the Board overview and its pack, ``--role partner`` commands), then asks linear
programming for the least and most a small count can be given all of them. The attacker's
programme here is written independently of ``safetymap.disclosure``: only the texts a
partner sees go in (a number: that value; "<5": 1 to 4; "hidden": 0 or more). Data: a
300-report year and the default real-volume demo of 1,000 reports.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from geodata import DISTRICTS
from loaders.source import Dataset, FolderSource
from safetymap.analysis.counts import FrameCounts
from safetymap.analysis.filters import Filters
from safetymap.commands import filters_from_args
from safetymap.demo import write_demo_data
from safetymap.disclosure import (
    HIDDEN,
    SMALL_TEXT,
    PartnerRelease,
    audit,
    partner_coverage,
    partner_filters,
    partner_release,
)
from safetymap.reports.board_pack import build_board_pack

CODES = tuple(DISTRICTS)


@dataclass
class Partner:
    """What one partner has gathered: each figure as a set of (district, month) cells."""

    months: tuple[str, ...]
    seen: list[tuple[frozenset[tuple[int, int]], str]] = field(default_factory=list)

    def month_indexes(self, start: date | None, end: date | None) -> list[int]:
        first = f"{start:%Y-%m}" if start else self.months[0]
        last = f"{end:%Y-%m}" if end else self.months[-1]
        return [i for i, m in enumerate(self.months) if first <= m <= last]

    def note(self, districts: tuple[str, ...], months: list[int], text: str) -> None:
        chosen = districts or CODES
        cells = frozenset((CODES.index(code), m) for code in chosen for m in months)
        if cells:
            self.seen.append((cells, text))

    def interval(self, target: frozenset[tuple[int, int]]) -> tuple[float, float]:
        """Return the least and most the target's sum can be, given all that was seen."""
        width = len(self.months)
        size = len(CODES) * width
        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        for cells, text in self.seen:
            row = np.zeros(size)
            row[[d * width + m for d, m in cells]] = 1.0
            if text == SMALL_TEXT:
                a_ub += [row, -row]
                b_ub += [4.0, -1.0]
            elif text != HIDDEN:
                a_eq.append(row)
                b_eq.append(float(text.replace(",", "")))
        objective = np.zeros(size)
        objective[[d * width + m for d, m in target]] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(sign * objective, A_ub=np.array(a_ub) if a_ub else None,
                             b_ub=np.array(b_ub) if b_ub else None,
                             A_eq=np.array(a_eq) if a_eq else None,
                             b_eq=np.array(b_eq) if b_eq else None,
                             bounds=(0, None), method="highs")
            assert result.status in (0, 3), result.message
            ends.append(np.inf if result.status == 3 else sign * result.fun)
        return ends[0], ends[1]


@dataclass(frozen=True)
class Year:
    """A data set, its counts and the partners' release."""

    dataset: Dataset
    counts: FrameCounts
    release: PartnerRelease

    def true_cell(self, code: str, month: str) -> int:
        found = self.counts.count(Filters(districts=(code,)), ("event_month",))
        return int(found.loc[found["event_month"] == month, "reports"].sum())


def _year(folder: Path, reports: int) -> Year:
    write_demo_data(folder, reports=reports, responses=800, seed=11)
    dataset = FolderSource(folder).load()
    counts = FrameCounts(dataset.streetsafe.frame)
    return Year(dataset, counts, partner_release(counts))


@pytest.fixture(scope="module", params=[300, 1000], ids=["300-report year", "demo 1,000"])
def year(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Year:
    return _year(tmp_path_factory.mktemp(f"year{request.param}"), request.param)


def _release_seen(year: Year) -> Partner:
    """Return a partner who has read every district and county figure of the release."""
    partner = Partner(year.release.months)
    for key, figure in year.release.release.figures.items():
        if key[0] in ("district", "county"):
            width = len(year.release.months)
            cells = frozenset((atom // width, atom % width) for atom in figure.atoms)
            partner.seen.append((cells, year.release.release.text(key)))
    return partner


def _small_cells(year: Year) -> Iterator[tuple[int, int, int]]:
    """Yield (district, month, true count) of every district-month holding 1 to 4 reports."""
    atoms = year.release.release.atoms
    width = len(year.release.months)
    for d in range(len(CODES)):
        for m in range(width):
            value = int(atoms[d * width + m])
            if 0 < value < 5:
                yield d, m, value


def _assert_not_pinned(partner: Partner, year: Year) -> int:
    checked = 0
    for d, m, value in _small_cells(year):
        low, high = partner.interval(frozenset({(d, m)}))
        assert low <= 1 + 1e-6, (CODES[d], year.release.months[m], value, low, high)
        assert high >= 4 - 1e-6, (CODES[d], year.release.months[m], value, low, high)
        checked += 1
    return checked


def test_the_audit_passes_on_every_partner_table(year: Year) -> None:
    assert year.release.release.small  # real volume: there are small counts to protect
    assert audit(year.release.release) == []


def test_differencing_over_district_subsets_pins_nothing(year: Year) -> None:
    # The County map's headline for every single district, every pair, and the county
    # less each district, over the whole period and each quarter, on top of the release.
    partner = _release_seen(year)
    release = year.release
    quarters = sorted({f"{m[:4]}-{(int(m[5:]) - 1) // 3}" for m in release.months})
    periods: list[tuple[date | None, date | None]] = [(None, None)]
    for quarter in quarters:
        months = [m for m in release.months if f"{m[:4]}-{(int(m[5:]) - 1) // 3}" == quarter]
        periods.append((date.fromisoformat(months[0] + "-01"),
                        date.fromisoformat(months[-1] + "-01")))
    subsets = [(c,) for c in CODES] + list(combinations(CODES, 2)) + [
        tuple(x for x in CODES if x != c) for c in CODES]
    for start, end in periods:
        for subset in subsets:
            partner.note(subset, partner.month_indexes(start, end),
                         release.reports(subset, start, end))
    assert _assert_not_pinned(partner, year) > 0


def test_county_minus_a_district_is_never_an_exact_small_difference(year: Year) -> None:
    release = year.release
    for month in release.months:
        day = date.fromisoformat(month + "-01")
        for code in CODES:
            county = release.reports((), day, day)
            rest = release.reports(tuple(c for c in CODES if c != code), day, day)
            alone = release.reports((code,), day, day)
            if county[0].isdigit() and rest[0].isdigit():
                difference = int(county.replace(",", "")) - int(rest.replace(",", ""))
                assert not 0 < difference < 5, (
                    f"{month} {code}: {county} - {rest} = {difference} while shown {alone}")


def test_one_day_period_shifts_are_impossible(year: Year) -> None:
    # Any two periods one day apart land on the same whole months, or on months that
    # differ by a whole month: a one-day difference cannot be asked.
    first = date.fromisoformat(year.release.months[0] + "-01")
    for offset in range(0, 330, 7):
        start = first + timedelta(days=offset)
        end = start + timedelta(days=20)
        a, _ = partner_filters(Filters(start=start, end=end))
        b, _ = partner_filters(Filters(start=start + timedelta(days=1), end=end))
        assert a.start is not None
        assert a.start.day == 1
        assert b.start is not None
        assert b.start.day == 1
        assert (a.start == b.start) or (b.start.month != a.start.month)
    # The board pack for a week and for the next day's week is the same pack.
    week = build_board_pack(year.dataset, filters=Filters(start=first + timedelta(days=40),
                                                          end=first + timedelta(days=46)),
                            role="partner", reports=year.counts, release=year.release)
    shifted = build_board_pack(year.dataset, filters=Filters(
        start=first + timedelta(days=41), end=first + timedelta(days=47)),
        role="partner", reports=year.counts, release=year.release)
    assert week.headline["period"] == shifted.headline["period"]
    assert week.headline["reports_text"] == shifted.headline["reports_text"]
    assert week.headline["period"] is not None
    assert week.headline["period"][0].day == 1


def test_reason_and_time_band_filters_do_not_reach_partners(year: Year) -> None:
    # "Poor lighting" and "not poor lighting" would be complements; for partners the
    # filter is not applied, so the headline is the same with and without it.
    plain = build_board_pack(year.dataset, filters=Filters(districts=(CODES[0],)),
                             role="partner", reports=year.counts, release=year.release)
    for filters in (Filters(districts=(CODES[0],), reasons=("poor_lighting",)),
                    Filters(districts=(CODES[0],), times_of_day=("night",))):
        pack = build_board_pack(year.dataset, filters=filters, role="partner",
                                reports=year.counts, release=year.release)
        assert pack.headline["reports_text"] == plain.headline["reports_text"]
        assert pack.trend_shown == plain.trend_shown
        assert pack.filters.reasons == ()
        assert pack.filters.times_of_day == ()


def test_band_and_reason_tables_pin_no_small_count(year: Year) -> None:
    # Bands add up to the county: with every band's count and the county's per quarter,
    # a small band can be anything from 1 to 4 (checked by the audit over all tables);
    # here the attacker's own programme over bands and the county total.
    release = year.release
    rows = release.release
    for q, quarter in enumerate(release.quarters):
        if ("band", release.bands[0], quarter) not in rows.figures:
            # A quarter whose reports with no time given number 1 to 4 gets no band figure
            # (they would be its reports less its bands): nothing to attack.
            assert not any(key[0] == "band" and key[2] == quarter for key in rows.figures)
            continue
        texts = [rows.text(("band", band, quarter)) for band in release.bands]
        months = [i for i, m in enumerate(release.months)
                  if f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}" == quarter]
        county = release.release.query(d * len(release.months) + m
                                       for d in range(len(CODES)) for m in months)
        values = [int(rows.atoms[len(CODES) * len(release.months) + b * len(release.quarters)
                                 + q]) for b in range(len(release.bands))]
        for index, value in enumerate(values):
            if not 0 < value < 5:
                continue
            assert texts[index] in (SMALL_TEXT, HIDDEN)
            if county[0].isdigit():
                lows, highs = _band_interval(texts, int(county.replace(",", "")), index)
                assert lows <= 1, (quarter, release.bands[index], texts)
                assert highs >= 4, (quarter, release.bands[index], texts)


def _band_interval(texts: list[str], county: int, index: int) -> tuple[float, float]:
    bounds: list[tuple[float, float | None]] = []
    for text in texts:
        if text == SMALL_TEXT:
            bounds.append((1.0, 4.0))
        elif text == HIDDEN:
            bounds.append((0.0, None))
        else:
            value = float(text.replace(",", ""))
            bounds.append((value, value))
    objective = np.zeros(len(texts))
    objective[index] = 1.0
    ends = []
    for sign in (1.0, -1.0):
        result = linprog(sign * objective, A_eq=np.ones((1, len(texts))),
                         b_eq=np.array([float(county)]), bounds=bounds, method="highs")
        assert result.status == 0, result.message
        ends.append(sign * result.fun)
    return ends[0], ends[1]


def test_pages_and_commands_give_the_same_lattice(year: Year) -> None:
    # `--role partner` on the command line snaps the same way as the sidebar does.
    args = argparse.Namespace(district=["Watford"], since=date(2026, 3, 14),
                              until=date(2026, 3, 15), time_of_day=["night"], role="partner")
    from_command = filters_from_args(args)
    from_page, _ = partner_filters(Filters(districts=("E07000103",), start=date(2026, 3, 14),
                                           end=date(2026, 3, 15), times_of_day=("night",)))
    assert from_command == from_page == Filters(districts=("E07000103",),
                                                start=date(2026, 3, 1), end=date(2026, 3, 31))
    # The board pack's district table and the County map's table read the same release.
    pack = build_board_pack(year.dataset, filters=Filters(), role="partner",
                            reports=year.counts, release=year.release)
    table = pack.district_table.set_index("District")["Reports"]
    for code, name in DISTRICTS.items():
        assert table[name] == year.release.reports((code,))


def test_no_exact_small_count_on_the_board(year: Year) -> None:
    pack = build_board_pack(year.dataset, filters=Filters(), role="partner",
                            reports=year.counts, release=year.release)
    texts = [*pack.trend_shown, *pack.district_table["Reports"].astype(str),
             *pack.reason_table["Reports"].astype(str),
             *pack.quarter_table.drop(columns="District").to_numpy().ravel().tolist()]
    for text in texts:
        assert text in (SMALL_TEXT, HIDDEN) or not 0 < int(str(text).replace(",", "")) < 5


def test_distances_and_shares_of_few_reports_are_not_given() -> None:
    # Worked by hand: a district with 3 reports (2 timed, 1 when closed) gets no distance,
    # no share and no exact count; one with 40 reports (20 timed, 6 when closed = 30%)
    # gets 30% and its distance to the half kilometre.
    table = pd.DataFrame({
        "district_code": ["E07000103", "E07000096"],
        "reports_with_time": [2, 20],
        "reports_when_closed_pct": [50.0, 30.0],
        "report_nearest_km_median": [1.234, 2.71],
    })
    shown = partner_coverage(table, {"E07000103": 3, "E07000096": 40})
    assert shown["reports_with_time"].tolist() == [SMALL_TEXT, "5 or more"]
    assert pd.isna(shown["reports_when_closed_pct"].iloc[0])
    assert shown["reports_when_closed_pct"].iloc[1] == 30.0
    assert pd.isna(shown["report_nearest_km_median"].iloc[0])
    assert shown["report_nearest_km_median"].iloc[1] == 2.5
