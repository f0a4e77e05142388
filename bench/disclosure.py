"""Print how much partners lose to disclosure control at real volume, and what it costs.

    python bench/disclosure.py                 # the default real-volume demo: 1,000 reports
    python bench/disclosure.py --reports 300 --seed 7

Writes the synthetic demo into a temporary folder, works out the partners' protected
release (:func:`safetymap.disclosure.partner_release`) and prints, for the County map,
the Board overview and the board pack as a partner opens them, how many figures are shown
and how many read "<5" or "hidden"; then the same for each table of the release. Figures
only: nothing here asserts (speed and shares are read, not tested).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata import DISTRICTS
from loaders.source import FolderSource
from safetymap.analysis.counts import FrameCounts
from safetymap.analysis.filters import Filters
from safetymap.demo import write_demo_data
from safetymap.disclosure import PartnerRelease, is_shown, partner_release
from safetymap.reports.board_pack import BoardPack, build_board_pack


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _month_start(month: str) -> date:
    return date.fromisoformat(month + "-01")


def _periods(release: PartnerRelease) -> dict[str, list[tuple[date | None, date | None]]]:
    months = [_month_start(m) for m in release.months]
    quarters: dict[str, list[date]] = {}
    for day in months:
        quarters.setdefault(f"{day.year}-Q{(day.month - 1) // 3 + 1}", []).append(day)
    return {
        "all months": [(None, None)],
        "one quarter": [(days[0], days[-1]) for days in quarters.values()],
        "one month": [(day, day) for day in months],
    }


def _county_map(release: PartnerRelease, start: date | None, end: date | None) -> list[str]:
    """Return the County map's figures: each district's count and rate, and the headline."""
    texts = [release.reports((code,), start, end) for code in DISTRICTS]
    return [*texts, *texts, release.reports((), start, end)]  # a rate hides with its count


def _pack_figures(pack: BoardPack) -> dict[str, list[str]]:
    h = pack.headline
    return {
        "headline": [h["reports_text"], h["per_1000_text"], h["previous_reports_text"],
                     h["change_text"].split(" ")[0] if h["change"] is not None else "hidden"],
        "monthly trend": list(pack.trend_shown),
        "districts (period)": list(pack.district_table["Reports"].astype(str)),
        "districts by quarter": [str(v) for v in
                                 pack.quarter_table.drop(columns="District").to_numpy().ravel()],
        "top reasons": list(pack.reason_table["Reports"].astype(str)),
    }


def _line(name: str, texts: list[str]) -> str:
    hidden = sum(not is_shown(t) and t != "0" for t in texts)
    share = hidden / len(texts) * 100 if texts else 0.0
    return f"| {name} | {len(texts):,} | {hidden:,} | {share:.0f}% |"


def main() -> None:
    """Print the shares hidden for partners at the asked volume."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write_demo_data(Path(folder), reports=args.reports, seed=args.seed)
        dataset = FolderSource(Path(folder)).load()
    counts = FrameCounts(dataset.streetsafe.frame)
    started = time.perf_counter()
    release = partner_release(counts)
    seconds = time.perf_counter() - started
    inner = release.release
    _say(f"## Partners at {args.reports:,} reports (seed {args.seed}), "
          f"{len(release.months)} months\n")
    _say(f"Protecting the release: {seconds:.1f} s ({len(inner.figures):,} figures, "
          f"{len(inner.small):,} '<5', {len(inner.hidden):,} hidden).\n")
    _say("| what a partner opens | figures | '<5' or hidden | share hidden |")
    _say("|---|---|---|---|")
    for label, periods in _periods(release).items():
        texts = [t for start, end in periods for t in _county_map(release, start, end)]
        _say(_line(f"County map, {label}", texts))
    for label, periods in _periods(release).items():
        gathered: Counter[str] = Counter()
        per_part: dict[str, list[str]] = {}
        for start, end in periods[:4]:  # the pack is slower: a few periods of each length
            filters = Filters(start=start, end=end)
            pack = build_board_pack(dataset, filters=filters, role="partner",
                                    reports=counts, release=release)
            for part, texts in _pack_figures(pack).items():
                per_part.setdefault(part, []).extend(texts)
                gathered[part] += len(texts)
        everything = [t for texts in per_part.values() for t in texts]
        _say(_line(f"Board overview and pack, {label}", everything))
        for part, texts in per_part.items():
            _say(_line(f"  {part}", texts))
    _say("\n| table of the release | figures | '<5' or hidden | share hidden |")
    _say("|---|---|---|---|")
    kinds: dict[str, list[str]] = {}
    for key in inner.figures:
        period = str(key[-1])
        size = "all" if period == "all" else "quarter" if "Q" in period else "month"
        kinds.setdefault(f"{key[0]} by {size}", []).append(inner.text(key))
    for kind, texts in kinds.items():
        _say(_line(kind, texts))


if __name__ == "__main__":
    main()
