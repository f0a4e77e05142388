"""Apply the partners' disclosure rules: the one module every partner-visible count goes through.

The rules, in the words a data protection officer signs, are in ``docs/disclosure.md``. In
short:

1. **A fixed lattice.** Partners query whole calendar months (:func:`month_span`), whole
   districts or the county, and fixed tables of time-of-day bands and reasons for the
   county. No day ranges, no hour slots, no small areas (:func:`partner_filters`).
2. **One release.** Every figure a partner can get is worked out from one set of linked
   tables over those cells (:func:`partner_release`): districts by month, quarter and
   the whole span with their county totals, and time-of-day bands and reasons by month,
   quarter and span for the county.
3. **Primary suppression.** A figure from 1 to 4 shows as "<5".
4. **Secondary suppression across all the tables at once.** More figures are hidden
   ("hidden") until an interval audit passes: for every "<5" figure, linear programming
   over every figure shown (equalities for shown figures, 1 to 4 for the other "<5"
   figures, anything from 0 for the hidden ones, no count below 0, and how the tables add up)
   finds the least and the most it could be; both must leave it free to be anything from
   1 to 4 (:func:`audit`).
5. **Any other figure** a page asks for (a sum over several districts or months) is shown
   only when the release already determines it exactly (:meth:`Release.query`); else it
   reads "hidden". So nothing a partner combines says more than the audited release.

Nothing here imports streamlit: pages, commands and PDFs call the same functions.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from geodata import DISTRICTS
from loaders.counts import REASON_CODES
from safetymap.analysis.filters import Filters

if TYPE_CHECKING:
    from loaders.counts import ReportCounts
    from safetymap.roles import Role

#: Smallest count a partner may see; counts from 1 to SMALL_COUNT - 1 show as "<5".
SMALL_COUNT = 5
#: Smallest unweighted survey base whose percentages a partner may see.
SMALL_BASE = 50
#: How a count from 1 to 4 reads for a partner.
SMALL_TEXT = f"<{SMALL_COUNT}"
#: How a figure hidden to protect another reads for a partner.
HIDDEN = "hidden"

#: Time-of-day bands partners see (every report has exactly one, "unknown" included).
PARTNER_BANDS: tuple[str, ...] = ("morning", "afternoon", "evening", "night", "unknown")
#: The time-of-day bands in the partners' release: reports with no time given are not a
#: figure of their own (a quarter holds only a few), and a quarter whose reports with no
#: time number 1 to 4 gets no band figure at all, so that none can be worked out as the
#: quarter's reports less its bands.
RELEASE_BANDS: tuple[str, ...] = ("morning", "afternoon", "evening", "night")

_TOLERANCE = 1e-6


# ------------------------------------------------------------------------- primary rule
def is_small(count: int) -> bool:
    """Tell whether a count is one a partner may not see (1 to 4)."""
    return 0 < int(count) < SMALL_COUNT


def count_text(count: int, role: Role) -> str:
    """Return a count as a role may see it: 1 to 4 become "<5" for partners.

    Only for a figure no other shown figure adds up with; linked figures go through
    :func:`suppressed_counts` or a :class:`Release`.
    """
    if role == "partner" and is_small(count):
        return SMALL_TEXT
    return f"{int(count):,}"


def is_shown(text: str) -> bool:
    """Tell whether a figure's text shows a number (not "<5", "hidden" or "-")."""
    return bool(text) and text[0].isdigit()


def suppressed_counts(counts: Sequence[int], role: Role) -> list[str]:
    """Return counts as a role may see them when their total is shown beside them.

    For partners the counts and their total are one small release: 1 to 4 read "<5"
    and more counts are hidden until the interval audit passes (:func:`protect`).
    Other roles see every count.

    >>> suppressed_counts([3, 9, 12], "partner")
    ['<5', 'hidden', '12']
    """
    values = [int(c) for c in counts]
    if role != "partner":
        return [f"{c:,}" for c in values]
    if not values:
        return []
    atoms = list(range(len(values)))
    figures = [Figure(("cell", i), (i,)) for i in atoms]
    figures.append(Figure(("total",), tuple(atoms)))
    release = protect(np.asarray(values, dtype=np.int64), figures)
    return [release.text(("cell", i)) for i in atoms]


def share_text(part: int, whole: int, part_text: str, whole_text: str) -> str:
    """Return a percentage of shown counts; hidden when either count is hidden."""
    if not (is_shown(part_text) and is_shown(whole_text)) or whole <= 0:
        return HIDDEN
    return f"{part / whole * 100:.1f}%"


# ------------------------------------------------------------------------- the lattice
def month_span(start: date, end: date) -> tuple[date, date]:
    """Return the whole calendar months holding ``start`` to ``end``.

    >>> month_span(date(2026, 3, 14), date(2026, 4, 2))
    (datetime.date(2026, 3, 1), datetime.date(2026, 4, 30))
    """
    last = calendar.monthrange(end.year, end.month)[1]
    return date(start.year, start.month, 1), date(end.year, end.month, last)


def months_between(start: date, end: date) -> list[str]:
    """Return the months (``YYYY-MM``) from ``start``'s to ``end``'s, both included."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def previous_months(start: date, end: date) -> tuple[date, date]:
    """Return as many whole months just before ``start``'s month as ``start`` to ``end`` spans.

    >>> previous_months(date(2026, 4, 1), date(2026, 6, 30))
    (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    """
    count = len(months_between(start, end))
    index = start.year * 12 + start.month - 1 - count
    first = date(index // 12, index % 12 + 1, 1)
    end_index = start.year * 12 + start.month - 2
    last_year, last_month = end_index // 12, end_index % 12 + 1
    return first, date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])


def partner_filters(filters: Filters) -> tuple[Filters, list[str]]:
    """Return ``filters`` snapped to the partner lattice, and what was changed, in words.

    Dates widen to whole calendar months; time-of-day and reason filters are dropped
    (partners see fixed tables of bands and reasons instead); districts stay (whole
    districts are on the lattice).
    """
    changes: list[str] = []
    start, end = filters.start, filters.end
    if start is not None or end is not None:
        first = start or end
        last = end or start
        snapped = month_span(first, last)  # type: ignore[arg-type]  # one of them is set
        new_start = snapped[0] if start is not None else None
        new_end = snapped[1] if end is not None else None
        if (new_start, new_end) != (start, end):
            changes.append(
                "Partners see whole calendar months: the period is "
                f"{_day(new_start)} to {_day(new_end)}."
            )
        start, end = new_start, new_end
    if filters.times_of_day:
        changes.append("Partners see time of day only in the fixed table of bands for the "
                       "county; the time-of-day filter is not applied.")
    if filters.reasons:
        changes.append("Partners see reasons only in the fixed table of reasons for the "
                       "county; the reason filter is not applied.")
    return replace(filters, start=start, end=end, times_of_day=(), reasons=()), changes


def _day(day: date | None) -> str:
    return "the first report" if day is None else f"{day:%d/%m/%Y}"


# ------------------------------------------------------------------------- the engine
@dataclass(frozen=True)
class Figure:
    """One figure a partner may be shown: a named sum of atoms (counts of disjoint cells)."""

    key: tuple[object, ...]
    atoms: tuple[int, ...]


@dataclass(frozen=True)
class Exposure:
    """A hidden small figure the audit found too narrowly bounded, and its bounds."""

    key: tuple[object, ...]
    value: int
    low: float
    high: float


@dataclass
class Release:
    """Figures as a partner may see them, protected together.

    Attributes
    ----------
    atoms
        The true counts of the finest cells (never shown as such).
    figures
        Every figure of the release, by key.
    values
        Each figure's true value, by key.
    small, hidden
        Keys shown as "<5" (1 to 4) and "hidden" (any value, hidden to protect others).
    equal_rows, below_rows
        How the atoms are known to add up whatever their values: rows ``a`` with
        ``a @ atoms == 0`` and ``a @ atoms <= 0``.
    """

    atoms: np.ndarray
    figures: dict[tuple[object, ...], Figure]
    values: dict[tuple[object, ...], int]
    small: set[tuple[object, ...]] = field(default_factory=set)
    hidden: set[tuple[object, ...]] = field(default_factory=set)
    equal_rows: sparse.csr_matrix | None = None
    below_rows: sparse.csr_matrix | None = None
    _queries: dict[frozenset[int], str] = field(default_factory=dict, repr=False)
    _by_atoms: dict[frozenset[int], tuple[object, ...]] = field(default_factory=dict,
                                                                repr=False)
    _programme: tuple[object, ...] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        """Index the figures by their atoms, so a query naming a figure finds it."""
        for key, figure in self.figures.items():
            self._by_atoms.setdefault(frozenset(figure.atoms), key)

    def text(self, key: tuple[object, ...]) -> str:
        """Return a figure of the release as a partner sees it."""
        if key in self.small:
            return SMALL_TEXT
        if key in self.hidden:
            return HIDDEN
        return f"{self.values[key]:,}"

    def shown_value(self, key: tuple[object, ...]) -> int | None:
        """Return a figure's value when a partner sees it, else None."""
        return self.values[key] if is_shown(self.text(key)) else None

    def query(self, atoms: Iterable[int]) -> str:
        """Return the sum of some atoms as a partner may see it.

        A figure of the release reads as the release shows it; any other sum is shown
        only when the shown figures determine it exactly (so it tells nothing new), and
        reads "hidden" otherwise. An empty sum is 0.
        """
        wanted = frozenset(int(a) for a in atoms)
        if not wanted:
            return "0"
        key = self._by_atoms.get(wanted)
        if key is not None:
            return self.text(key)
        if wanted not in self._queries:
            value = int(self.atoms[list(wanted)].sum())
            if self._programme is None:  # the release is final once queried
                self._programme = _constraints(self)
            low, high = _interval(self, np.asarray(sorted(wanted)), self._programme)
            exact = abs(high - low) < _TOLERANCE and abs(low - value) < 1e-4
            self._queries[wanted] = f"{value:,}" if exact else HIDDEN
        return self._queries[wanted]

    def query_value(self, atoms: Iterable[int]) -> int | None:
        """Return :meth:`query` as a number, None when hidden."""
        text = self.query(atoms)
        return int(text.replace(",", "")) if is_shown(text) else None

    @property
    def hidden_share(self) -> float:
        """Return the share of the release's figures not shown as a number."""
        return (len(self.small) + len(self.hidden)) / max(len(self.figures), 1)


def _stacked(
    rows: list[np.ndarray], values: list[float], known: sparse.csr_matrix | None
) -> tuple[sparse.csr_matrix | None, np.ndarray | None]:
    """Return the rows (and right-hand sides) of figures, then the ``known`` rows at 0."""
    matrix = sparse.csr_matrix(np.array(rows)) if rows else None
    right = np.array(values) if rows else None
    if known is not None and known.shape[0]:
        matrix = known if matrix is None else sparse.vstack([matrix, known])
        zeros = np.zeros(known.shape[0])
        right = zeros if right is None else np.concatenate([right, zeros])
    return matrix, right


def _constraints(
    release: Release,
) -> tuple[sparse.csr_matrix | None, np.ndarray | None, sparse.csr_matrix | None,
           np.ndarray | None, list[tuple[float, float | None]]]:
    """Return the linear programme of what a partner knows: equalities, bounds, limits."""
    size = len(release.atoms)
    low = np.zeros(size)
    high: list[float | None] = [None] * size
    eq_rows: list[np.ndarray] = []
    eq_values: list[float] = []
    ub_rows: list[np.ndarray] = []
    ub_values: list[float] = []
    for key, figure in release.figures.items():
        atoms = np.asarray(figure.atoms, dtype=np.int64)
        value = release.values[key]
        if key in release.small:
            lo, hi = 1.0, float(SMALL_COUNT - 1)
        elif key in release.hidden:
            lo, hi = 0.0, None
        else:
            lo, hi = float(value), float(value)
        if len(atoms) == 1:  # a bound on one atom, not a row: a smaller programme
            atom = int(atoms[0])
            low[atom] = max(low[atom], lo)
            current = high[atom]
            if hi is not None:
                high[atom] = hi if current is None else min(current, hi)
            continue
        row = np.zeros(size)
        row[atoms] = 1.0
        if hi is not None and lo == hi:
            eq_rows.append(row)
            eq_values.append(lo)
            continue
        ub_rows.append(-row)
        ub_values.append(-lo)
        if hi is not None:
            ub_rows.append(row)
            ub_values.append(hi)
    a_eq, b_eq = _stacked(eq_rows, eq_values, release.equal_rows)
    a_ub, b_ub = _stacked(ub_rows, ub_values, release.below_rows)
    bounds = [(float(lo), hi) for lo, hi in zip(low, high, strict=True)]
    return a_eq, b_eq, a_ub, b_ub, bounds


def _interval(
    release: Release, atoms: np.ndarray, programme: tuple[object, ...] | None = None
) -> tuple[float, float]:
    """Return the least and most a sum of atoms can be, given all a partner sees."""
    a_eq, b_eq, a_ub, b_ub, bounds = programme or _constraints(release)
    objective = np.zeros(len(release.atoms))
    objective[atoms] = 1.0
    ends = []
    for sign in (1.0, -1.0):
        result = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                         bounds=bounds, method="highs")
        if result.status == 3:  # unbounded: only the most can run away
            ends.append(np.inf)
            continue
        if result.status != 0:
            raise RuntimeError(f"Disclosure audit: the linear programme failed "
                               f"({result.message}); the true counts must satisfy it.")
        ends.append(sign * float(result.fun))
    return ends[0], ends[1]


def _at_risk(release: Release) -> set[tuple[object, ...]]:
    """Return the figures a partner must not pin: "<5", and hidden ones from 0 to 4."""
    return release.small | {key for key in release.hidden
                            if release.values[key] < SMALL_COUNT}


def audit(release: Release, keys: Iterable[tuple[object, ...]] | None = None) -> list[Exposure]:
    """Return every small figure that what a partner sees bounds tighter than 1 to 4.

    For each figure shown "<5", and each hidden figure whose true value is 0 to 4 (or
    only those in ``keys``), linear programming (scipy's ``linprog`` with HiGHS) finds its
    least and most value subject to every figure of the release: shown figures at their
    values, "<5" figures from 1 to 4, hidden figures 0 or more, every atom 0 or more, and
    how the tables add up. The figure is safe when the least is at most 1 and the most
    at least 4: a partner cannot tell 1 from 4, nor (for a hidden 0) 0 from 4.
    """
    programme = _constraints(release)
    risky = _at_risk(release)
    found = []
    for key in sorted(risky if keys is None else set(keys) & risky, key=repr):
        atoms = np.asarray(release.figures[key].atoms, dtype=np.int64)
        low, high = _interval(release, atoms, programme)
        if low > 1 + _TOLERANCE or high < SMALL_COUNT - 1 - _TOLERANCE:
            found.append(Exposure(key, release.values[key], low, high))
    return found


def protect(
    atoms: np.ndarray,
    figures: Sequence[Figure],
    *,
    equal_rows: sparse.csr_matrix | None = None,
    below_rows: sparse.csr_matrix | None = None,
    groups: Sequence[tuple[int, ...]] = (),
) -> Release:
    """Suppress figures so that no small figure can be pinned, and return the release.

    Parameters
    ----------
    atoms
        True counts of the finest disjoint cells.
    figures
        Every figure a partner may be shown, each a sum of atoms.
    equal_rows, below_rows
        What a partner knows of how atoms add up whatever the data (``a @ atoms == 0``,
        ``a @ atoms <= 0``), e.g. time-of-day bands adding up to the reports.
    groups
        Sets of atoms that add up to a known figure through ``equal_rows`` (the bands of
        a month): figures inside one are siblings when choosing what else to hide.

    Primary suppression shows 1 to 4 as "<5". Then, round by round, each small figure the
    audit finds exposed gets one more figure hidden: a shown figure beside it (inside a
    total or group that holds it, not overlapping it), 5 or more and smallest first,
    preferring one of the same size (the same table); else a "<5" one beside it; else
    the total itself. A hidden figure may be anything from 0 up, so hiding only ever
    widens what a partner cannot tell: figures already safe stay safe. If nothing is
    left to hide, every figure is hidden (the safe end; never seen in practice).
    """
    values = {figure.key: int(atoms[list(figure.atoms)].sum()) for figure in figures}
    release = Release(
        atoms=np.asarray(atoms, dtype=np.int64),
        figures={figure.key: figure for figure in figures},
        values=values,
        small={key for key, value in values.items() if is_small(value)},
        equal_rows=equal_rows,
        below_rows=below_rows,
    )
    if not release.small:
        return release
    keys = list(release.figures)
    sets = [release.figures[key].atoms for key in keys] + [tuple(g) for g in groups]
    incidence = sparse.lil_matrix((len(sets), len(atoms)), dtype=np.int64)
    for row, members in enumerate(sets):
        incidence[row, list(members)] = 1
    incidence_csr = incidence.tocsr()
    overlap = (incidence_csr @ incidence_csr.T).toarray()
    sizes = np.diag(overlap).copy()
    position = {key: row for row, key in enumerate(keys)}
    exposed = audit(release)
    while exposed:
        changed = False
        for exposure in exposed:
            if exposure.key not in _at_risk(release) or not audit(release, [exposure.key]):
                continue  # an earlier choice this round protected it already
            choice = _partner_figure(release, keys, position[exposure.key], overlap, sizes)
            if choice is None:
                continue
            release.small.discard(choice)
            release.hidden.add(choice)
            changed = True
        if not changed:
            release.hidden |= set(keys)
            release.small.clear()
            break
        exposed = audit(release, [e.key for e in exposed]
                        + [key for key in release.hidden if release.values[key] < SMALL_COUNT])
    return release


def _partner_figure(
    release: Release, keys: list[tuple[object, ...]], row: int, overlap: np.ndarray,
    sizes: np.ndarray,
) -> tuple[object, ...] | None:
    """Return the figure to hide to protect figure ``row``: the cheapest one beside it."""
    own = sizes[row]
    parents = [int(p) for p in np.flatnonzero(overlap[row] == own) if sizes[p] > own]
    parents.sort(key=lambda p: sizes[p])
    count = len(keys)

    def beside(parent: int) -> list[int]:
        return [int(s) for s in np.flatnonzero(overlap[parent] == sizes)
                if s < count and s != parent and overlap[row, s] == 0
                and keys[s] not in release.hidden]

    def cheapest(found: list[int]) -> tuple[object, ...]:
        return keys[min(found, key=lambda s: (sizes[s] != own, release.values[keys[s]],
                                              repr(keys[s])))]

    # A hidden 0 must itself be protected (it could be 1 to 4), so zeros come last.
    tiers = (lambda s: keys[s] not in release.small and release.values[keys[s]] >= SMALL_COUNT,
             lambda s: keys[s] in release.small)
    for tier in tiers:
        for parent in parents:
            found = [s for s in beside(parent) if tier(s)]
            if found:
                return cheapest(found)
    for parent in parents:  # nothing beside it left: hide the total itself
        if parent < count and keys[parent] not in release.hidden:
            return keys[parent]
    for parent in parents:
        found = beside(parent)
        if found:
            return cheapest(found)
    return None


# ------------------------------------------------------------------------- partner release
def _quarter(month: str) -> str:
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def quarter_span(start: date, end: date) -> tuple[date, date]:
    """Return the whole calendar quarters holding ``start`` to ``end``.

    >>> quarter_span(date(2026, 2, 1), date(2026, 4, 30))
    (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    """
    first_month = (start.month - 1) // 3 * 3 + 1
    last_month = (end.month - 1) // 3 * 3 + 3
    return month_span(date(start.year, first_month, 1), date(end.year, last_month, 1))


def quarters_in(span: tuple[date, date] | None) -> list[tuple[date, date]]:
    """Return every whole calendar quarter from ``span``'s first day to its last.

    >>> [f"{a:%d %b} to {b:%d %b %Y}" for a, b in quarters_in((date(2026, 2, 9), date(2026, 4, 1)))]
    ['01 Jan to 31 Mar 2026', '01 Apr to 30 Jun 2026']
    """
    if span is None:
        return []
    first, last = quarter_span(*span)
    quarters = []
    while first <= last:
        quarters.append(quarter_span(first, first))
        first = quarters[-1][1] + timedelta(days=1)
    return quarters


def quarter_words(quarter: tuple[date, date]) -> str:
    """Return a quarter in words: "January to March 2026"."""
    return f"{quarter[0]:%B} to {quarter[1]:%B %Y}"


def partner_hotspot_quarter(
    quarters: Sequence[tuple[date, date]], end: date | None
) -> int:
    """Return the index of the quarter partners see hot spots for by default.

    The quarter holding ``end`` (the end of the chosen period), else the last one.
    """
    for index, (first, last) in enumerate(quarters):
        if end is not None and first <= end <= last:
            return index
    return max(len(quarters) - 1, 0)


def partner_quarter(reports: ReportCounts, end: date | None) -> tuple[date, date] | None:
    """Return the quarter partners get hot spots, places and lists for when none is chosen.

    The calendar quarter of the data holding ``end`` (the end of the chosen period), else
    the data's last; None when there is no report.
    """
    quarters = quarters_in(reports.span(Filters()))
    return quarters[partner_hotspot_quarter(quarters, end)] if quarters else None


def partner_hotspot_filters(quarter: tuple[date, date] | None) -> Filters:
    """Return what partners' hot spots are tested on: the whole county, one whole quarter.

    Hot spot areas and places are not counts of the release, so partners get them only on
    a lattice of their own with no overlap: one calendar quarter at a time (never a run of
    quarters that holds another), over the whole county whatever the districts chosen
    (which only move the map). Two views of it never nest, so neither can be set against
    the other to find where the reports of a month or of a district lie.
    """
    if quarter is None:
        return Filters()
    return Filters(start=quarter[0], end=quarter[1])


@dataclass
class PartnerRelease:
    """Every StreetSafe count a partner can get, protected together (see the module).

    ``months`` are the whole months from the first report's to the last's, ``quarters``
    the calendar quarters they fall in. Atoms are reports per district and month, and for
    the county per time-of-day band and quarter and per reason and quarter (a report
    counts under every reason it gives).
    """

    months: tuple[str, ...]
    quarters: tuple[str, ...]
    districts: tuple[str, ...]
    bands: tuple[str, ...]
    reasons: tuple[str, ...]
    release: Release

    def _month_indexes(self, start: date | None, end: date | None) -> list[int]:
        if not self.months:
            return []
        first = f"{start:%Y-%m}" if start else self.months[0]
        last = f"{end:%Y-%m}" if end else self.months[-1]
        return [i for i, m in enumerate(self.months) if first <= m <= last]

    def _quarter_indexes(self, start: date | None, end: date | None) -> list[int]:
        wanted = {_quarter(self.months[i]) for i in self._month_indexes(start, end)}
        return [i for i, q in enumerate(self.quarters) if q in wanted]

    def _district_atoms(self, districts: Iterable[str], months: list[int]) -> list[int]:
        chosen = set(districts) or set(self.districts)
        width = len(self.months)
        return [d * width + m for d, code in enumerate(self.districts) if code in chosen
                for m in months]

    def reports(self, districts: Iterable[str] = (), start: date | None = None,
                end: date | None = None) -> str:
        """Return reports in some districts (all when empty) and months, as partners see it.

        ``start`` and ``end`` name months (any day of them); None means the first or last.
        """
        return self.release.query(self._district_atoms(districts, self._month_indexes(
            start, end)))

    def reports_value(self, districts: Iterable[str] = (), start: date | None = None,
                      end: date | None = None) -> int | None:
        """Return :meth:`reports` as a number, None when not shown."""
        text = self.reports(districts, start, end)
        return int(text.replace(",", "")) if is_shown(text) else None

    def _category(self, block: int, index: int, start: date | None, end: date | None) -> str:
        base = len(self.districts) * len(self.months) + block * len(self.quarters)
        return self.release.query(base + index * len(self.quarters) + q
                                  for q in self._quarter_indexes(start, end))

    def band(self, band: str, start: date | None = None, end: date | None = None) -> str:
        """Return the county's reports in a time-of-day band over the quarters of a period."""
        return self._category(0, self.bands.index(band), start, end)

    def reason(self, reason: str, start: date | None = None, end: date | None = None) -> str:
        """Return the county's reports giving a reason over the quarters of a period."""
        return self._category(len(self.bands), self.reasons.index(reason), start, end)

    def county_quarters(self, start: date | None = None, end: date | None = None) -> str:
        """Return the county's reports over the quarters of a period (the reasons' base)."""
        months = self._month_indexes(start, end)
        wanted = {_quarter(self.months[i]) for i in months}
        indexes = [i for i, m in enumerate(self.months) if _quarter(m) in wanted]
        return self.release.query(self._district_atoms((), indexes))


def partner_release(reports: ReportCounts) -> PartnerRelease:
    """Work out and protect every StreetSafe count partners can get from ``reports``.

    Figures: reports per district per month, per quarter and over all months, with the
    county's (all districts) the same; for the county, reports per time-of-day band and
    per reason, per quarter and over all quarters. Time-of-day bands add up to the
    county's reports in each quarter; a reason's count is at most the county's reports.
    """
    everything = Filters()
    span = reports.span(everything)
    districts = tuple(DISTRICTS)
    bands = RELEASE_BANDS
    reasons = REASON_CODES
    months = tuple(months_between(*span)) if span is not None else ()
    quarters = tuple(dict.fromkeys(_quarter(m) for m in months))
    width, depth = len(months), len(quarters)
    month_index = {m: i for i, m in enumerate(months)}
    quarter_index = {q: i for i, q in enumerate(quarters)}
    base = len(districts) * width
    atoms = np.zeros(base + (len(bands) + len(reasons)) * depth, dtype=np.int64)

    untimed: dict[str, int] = {}
    if width:
        where = {code: i for i, code in enumerate(districts)}
        by_district = reports.count(everything, ("district_code", "event_month"))
        for code, month, count in zip(by_district["district_code"], by_district["event_month"],
                                      by_district["reports"], strict=True):
            if code in where and month in month_index:
                atoms[where[code] * width + month_index[month]] += int(count)
        untimed = dict.fromkeys(quarters, 0)
        for dimension, names, block in (("time_of_day", bands, 0),
                                        ("reason", reasons, len(bands))):
            found = reports.count(everything, ("event_month", dimension))
            if dimension == "time_of_day":
                for name, month, count in zip(found[dimension], found["event_month"],
                                              found["reports"], strict=True):
                    if name not in bands and month in month_index:
                        untimed[_quarter(month)] += int(count)
            position = {name: i for i, name in enumerate(names)}
            for name, month, count in zip(found[dimension], found["event_month"],
                                          found["reports"], strict=True):
                if name in position and month in month_index:
                    atom = base + (block + position[name]) * depth + quarter_index[
                        _quarter(month)]
                    atoms[atom] += int(count)

    members = {q: [i for i, m in enumerate(months) if _quarter(m) == q] for q in quarters}
    figures: list[Figure] = []
    month_periods = [(m, [i]) for i, m in enumerate(months)]
    month_periods += [(q, members[q]) for q in quarters if len(members[q]) > 1]
    if depth > 1:
        month_periods.append(("all", list(range(width))))
    for name, chosen in month_periods:
        # Districts by quarter and over all months; the county by month too. A district's
        # month holds about 8 reports at real volume: a district-by-month table is mostly
        # small counts, and protecting it hid nearly everything else.
        # A quarter the data hold one month of is that month: published too, or the
        # months over all less the other quarters would give it away unprotected.
        whole_quarter = len(chosen) > 1 or len(members[_quarter(months[chosen[0]])]) == 1
        if whole_quarter or depth == 1:
            for d, code in enumerate(districts):
                figures.append(Figure(("district", code, name),
                                      tuple(d * width + m for m in chosen)))
        figures.append(Figure(("county", name),
                              tuple(d * width + m for d in range(len(districts))
                                    for m in chosen)))
    quarter_periods = [(q, [i]) for i, q in enumerate(quarters)]
    if depth > 1:
        quarter_periods.append(("all", list(range(depth))))
    # Bands by quarter only, and only for quarters whose reports with no time given are
    # 0 or 5 or more (see RELEASE_BANDS); reasons by quarter and over all quarters.
    band_quarters = [(q, [i]) for i, q in enumerate(quarters)
                     if width and not is_small(untimed.get(q, 0))]
    for kind, names, block, periods in (("band", bands, 0, band_quarters),
                                        ("reason", reasons, len(bands), quarter_periods)):
        for index, name in enumerate(names):
            offset = base + (block + index) * depth
            for period, chosen in periods:
                figures.append(Figure((kind, name, period),
                                      tuple(offset + q for q in chosen)))

    equal: list[np.ndarray] = []
    below: list[np.ndarray] = []
    groups: list[tuple[int, ...]] = []
    for q, quarter in enumerate(quarters):
        county = np.zeros(len(atoms))
        county[[d * width + m for d in range(len(districts)) for m in members[quarter]]] = -1.0
        band_atoms = [base + b * depth + q for b in range(len(bands))]
        row = county.copy()
        row[band_atoms] = 1.0
        groups.append(tuple(band_atoms))
        # The bands add up to the quarter's reports less those with no time given: equal
        # when there are none, at most otherwise.
        (equal if int(atoms[band_atoms].sum()) == -int(county @ atoms) else below).append(row)
        for r in range(len(reasons)):
            row = county.copy()
            row[base + (len(bands) + r) * depth + q] = 1.0
            below.append(row)
    release = protect(
        atoms, figures, groups=groups,
        equal_rows=sparse.csr_matrix(np.array(equal)) if equal else None,
        below_rows=sparse.csr_matrix(np.array(below)) if below else None,
    )
    return PartnerRelease(months=months, quarters=quarters, districts=districts, bands=bands,
                          reasons=reasons, release=release)


# ------------------------------------------------------------------------- other figures
#: How a count of 5 or more that is not on the lattice reads for a partner.
ENOUGH_TEXT = f"{SMALL_COUNT} or more"


def coarse_count_text(count: int) -> str:
    """Return a count off the lattice for a partner: "0", "<5" or "5 or more", never exact.

    A count that no release holds (reports with a known time in one district, say) could
    be differenced against one that it does; only whether it is 0, small or not is shown.
    """
    value = int(count)
    if value == 0:
        return "0"
    return SMALL_TEXT if value < SMALL_COUNT else ENOUGH_TEXT


#: What a partner reads for a description of fewer than 5 reports, none included.
FEWER_TEXT = f"fewer than {SMALL_COUNT}"


def presence_text(count: int) -> str:
    """Return "5 or more" or "fewer than 5" (none included): for a partner's description.

    Used where even whether a few reports exist would describe them: which weekday and
    time of day reports fall on (rule 3 of the module: no weekday or time for fewer
    than 5 reports).
    """
    return ENOUGH_TEXT if int(count) >= SMALL_COUNT else FEWER_TEXT


def describes_enough(*counts: int) -> bool:
    """Tell whether each part a figure describes holds 0 or at least 5 reports.

    A share of 1 of 6 reports describes one report (and so does 5 of 6: the sixth);
    both the part and the rest must be 0 or 5 or more.
    """
    return all(int(c) == 0 or int(c) >= SMALL_COUNT for c in counts)


def partner_share_pct(part: int, whole: int, *, step: float = 10.0) -> float | None:
    """Return a percentage for a partner, rounded to ``step``; None when it describes < 5.

    >>> partner_share_pct(6, 20)
    30.0
    >>> partner_share_pct(3, 20) is None
    True
    """
    if whole <= 0 or whole < SMALL_COUNT or not describes_enough(part, whole - part):
        return None
    return float(round(part / whole * 100 / step) * step)


def partner_distance_km(km: float, reports: int, *, step: float = 0.5) -> float | None:
    """Return a median distance from reports for a partner: rounded, None under 5 reports."""
    if reports < SMALL_COUNT or math.isnan(km):
        return None
    return float(round(km / step) * step)


def partner_coverage(table: pd.DataFrame, district_reports: Mapping[str, int]) -> pd.DataFrame:
    """Return coverage rows (``coverage_table``) with report figures as a partner may see them.

    ``reports_with_time`` is off the lattice: it reads "0", "<5" or "5 or more". The share
    of timed reports when closed is rounded to 10% and shown only when both the reports
    then and the rest are 0 or 5 or more; the median distance from reports is rounded to
    half a kilometre and shown only for a district with 5 reports or more.
    """
    shown = table.copy()
    timed = table["reports_with_time"].astype(int)
    closed = (table["reports_when_closed_pct"].fillna(0) / 100 * timed).round().astype(int)
    shown["reports_when_closed_pct"] = [
        partner_share_pct(int(c), int(t)) for c, t in zip(closed, timed, strict=True)]
    shown["report_nearest_km_median"] = [
        partner_distance_km(float(km), int(district_reports.get(code, 0)))
        for km, code in zip(table["report_nearest_km_median"], table["district_code"],
                            strict=True)]
    shown["reports_with_time"] = [coarse_count_text(int(t)) for t in timed]
    return shown.astype({"reports_when_closed_pct": object,
                         "report_nearest_km_median": object})


#: Quick periods offered to partners: whole months ending with the latest report's month
#: (None: every month with reports).
PARTNER_QUICK_PERIODS: dict[str, int | None] = {
    "Latest month": 1, "Last 3 months": 3, "Last 12 months": 12, "All months": None,
}


def quick_months(span: tuple[date, date], months: int | None) -> tuple[date, date]:
    """Return the ``months`` whole months ending with the month of ``span``'s last day.

    >>> quick_months((date(2025, 6, 3), date(2026, 3, 14)), 3)
    (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    """
    first, last = month_span(*span)
    if months is None:
        return first, last
    index = last.year * 12 + last.month - months
    return max(first, date(index // 12, index % 12 + 1, 1)), last


def coarse_columns(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return ``table`` with each count in ``columns`` as :func:`coarse_count_text` says.

    For counts that no release holds, such as rows per data file (a weekly export is a
    week's reports): a partner learns only whether each is 0, "<5" or "5 or more".
    """
    shown = table.copy()
    for column in columns:
        shown[column] = [coarse_count_text(int(value)) for value in table[column]]
    return shown


# ------------------------------------------------------------------------- survey
def half_year_span(start: date, end: date) -> tuple[date, date]:
    """Return the whole half-years (January-June, July-December) holding ``start`` to ``end``.

    >>> half_year_span(date(2026, 3, 14), date(2026, 8, 2))
    (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    """
    first = date(start.year, 1 if start.month <= 6 else 7, 1)
    last = date(end.year, 6, 30) if end.month <= 6 else date(end.year, 12, 31)
    return first, last


def partner_survey_filters(filters: Filters) -> Filters:
    """Return the survey selection a partner gets: the whole county, over whole half-years.

    Shares of overlapping periods or of district sets could be differenced into the share
    of a few answers, so partners' survey figures come from a fixed lattice: each district
    and the county, per half-year (the survey's own periods).
    """
    start, end = filters.start, filters.end
    if start is not None or end is not None:
        span = half_year_span(start or end, end or start)  # type: ignore[arg-type]
        start = span[0] if start is not None else None
        end = span[1] if end is not None else None
    return Filters(start=start, end=end)


def county_share_shown(district_bases: Mapping[str, int]) -> bool:
    """Tell whether a partner may see the county's share: every district has 50 answers.

    With one district hidden, the county's share and the nine others' would give its
    share back; so the county's share is shown only when no district's is hidden.
    """
    return all(int(district_bases.get(code, 0)) >= SMALL_BASE for code in DISTRICTS)


#: Survey answer columns, and the figures of a survey table that a small base hides.
_SURVEY_MEASURES = {"day": "safe_day", "after_dark": "safe_after_dark"}


def hide_survey_differences(table: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """Hide a district's shares when one half-year inside them has fewer than 50 answers.

    A share over two half-years and a shown share over one of them would give back the
    other's, so a partner sees a district's share over several half-years only when each
    has at least 50 valid answers. ``table`` is ``district_indicators`` of ``survey``
    (the responses it was worked out from, with ``completed_at`` and ``district_code``).
    """
    if survey.empty or table.empty:
        return table
    local = pd.to_datetime(survey["completed_at"]).dt.tz_convert("Europe/London")
    periods = local.dt.year.astype(str) + " H" + (1 + (local.dt.month > 6)).astype(str)
    shown = table.copy()
    for measure, column in _SURVEY_MEASURES.items():
        valid = survey[column].notna()
        bases = survey[valid].groupby([survey.loc[valid, "district_code"],
                                       periods[valid]]).size()
        if periods[valid].nunique() < 2:
            continue
        full = bases.unstack(fill_value=0)
        risky = set(full.index[(full < SMALL_BASE).any(axis=1)])
        rows = shown["district_code"].isin(risky)
        hidden = [f"effective_base_{measure}", f"unsafe_{measure}_pct", f"{measure}_ci_low",
                  f"{measure}_ci_high"]
        shown.loc[rows, [c for c in hidden if c in shown.columns]] = np.nan
        if "suppressed" in shown.columns:
            shown.loc[rows, "suppressed"] = True
    return shown


def county_survey_shown(survey: pd.DataFrame) -> bool:
    """Tell whether a partner may see the county's shares of these survey responses.

    Only when every district has at least 50 valid answers to each question in every
    half-year the responses cover: else the county's share, less the districts' shown
    shares (or less another half-year's), would give a hidden one back.
    """
    if survey.empty:
        return False
    local = pd.to_datetime(survey["completed_at"]).dt.tz_convert("Europe/London")
    periods = local.dt.year.astype(str) + " H" + (1 + (local.dt.month > 6)).astype(str)
    for column in _SURVEY_MEASURES.values():
        valid = survey[column].notna()
        bases = survey[valid].groupby([survey.loc[valid, "district_code"],
                                       periods[valid]]).size().unstack(fill_value=0)
        bases = bases.reindex(list(DISTRICTS), fill_value=0)
        if bool((bases < SMALL_BASE).to_numpy().any()):
            return False
    return True
