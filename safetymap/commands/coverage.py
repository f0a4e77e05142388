"""``safetymap coverage``: which support reaches each district, how far away and when."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from safetymap.commands import (
    EXIT_OK,
    CommandError,
    add_data_option,
    add_output_options,
    add_role_option,
    load_data,
    write_table,
)

if TYPE_CHECKING:
    import pandas as pd

    from safetymap.analysis.coverage import ReportSummary

#: Columns written, in order: the issue's seven first, then the rest of the table.
COLUMNS = (
    "district_code",
    "category",
    "covered",
    "services",
    "nearest_km_median",
    "hours_open_per_week",
    "reports_when_closed_pct",
    "district_name",
    "report_nearest_km_median",
    "latest_close",
    "reports_with_time",
)
#: Decimals written for each figure: 10 m, under a minute, a tenth of a percent.
DECIMALS = {
    "nearest_km_median": 2,
    "report_nearest_km_median": 2,
    "hours_open_per_week": 2,
    "reports_when_closed_pct": 1,
}


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``coverage`` command."""
    parser = commands.add_parser(
        "coverage",
        help="support coverage, distance and opening hours per district and category",
        description=(
            "One row per district and service category: whether a service covers it, how "
            "many, the median straight-line km from LSOA points and from reports to the "
            "nearest non-confidential place, hours open per week and the % of reports with "
            "a time that fall when none is open."
        ),
    )
    parser.add_argument(
        "--bank-holidays", action="store_true",
        help=(
            "instead, one row per district: the England and Wales bank holidays of the "
            "reports' period, the reports made on them and those made when no local service "
            "(any but helplines) was open, PH rules applied"
        ),
    )
    add_data_option(parser)
    add_role_option(parser)
    add_output_options(parser, ("csv", "json"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the coverage table as CSV or JSON to ``--out`` or stdout."""
    from safetymap.analysis.coverage import coverage_table, summary_of_counts
    from safetymap.analysis.filters import Filters
    from safetymap.disclosure import partner_coverage

    dataset, reports = load_data(args.data)
    services = dataset.services.frame
    if services.empty:
        refused = len(dataset.services.problems)
        hint = (
            f"all {refused:,} service row(s) were refused (run `safetymap validate --kind "
            "services FILE` to see why)"
            if refused
            else "add a services*.csv or services*.xlsx export (CONTRACT §3)"
        )
        message = f"No support services to measure coverage against in {dataset.origin}: {hint}."
        raise CommandError(message)
    summary = summary_of_counts(reports, Filters())
    if args.bank_holidays:
        write_table(_bank_holidays(summary, services, role=args.role), fmt=args.format,
                    out=args.out)
        return EXIT_OK
    table = coverage_table(summary, services)[list(COLUMNS)].round(DECIMALS)
    if args.format == "csv":
        table["covered"] = table["covered"].map({True: "true", False: "false"})
    if args.role == "partner":
        per_district = reports.count(Filters(), ("district_code",))
        table = partner_coverage(table, dict(zip(per_district["district_code"],
                                                 per_district["reports"], strict=True)))
    write_table(table, fmt=args.format, out=args.out)
    return EXIT_OK


#: Columns of ``--bank-holidays``, in order.
BANK_HOLIDAY_COLUMNS = (
    "district_code",
    "district_name",
    "bank_holidays",
    "bank_holiday_reports",
    "bank_holiday_reports_when_closed",
)


def _bank_holidays(summary: ReportSummary, services: pd.DataFrame, *, role: str) -> pd.DataFrame:
    """Return the per-district bank holiday figures; partners see "0", "<5" or "5 or more".

    These counts are off the partners' release (days, not months), so, as for every such
    count, a partner learns only whether each is none, small or not.
    """
    from safetymap.analysis.coverage import bank_holiday_gap
    from safetymap.disclosure import coarse_count_text

    table = bank_holiday_gap(summary, services)[list(BANK_HOLIDAY_COLUMNS)]
    if role == "partner":
        table = table.astype({"bank_holiday_reports": object,
                              "bank_holiday_reports_when_closed": object})
        for column in ("bank_holiday_reports", "bank_holiday_reports_when_closed"):
            table[column] = [coarse_count_text(int(n)) for n in table[column]]
    return table
