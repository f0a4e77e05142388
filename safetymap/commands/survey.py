"""``safetymap survey [--data DIR] [--format csv|json] [--out FILE] [--role ROLE]``.

Print the Feelings of Safety indicators, one row per district: the share feeling very or
fairly unsafe by day and after dark (weighted, in percent, rounded to one decimal) with
95% confidence intervals and unweighted bases. ``--role partner`` hides percentages on
unweighted bases under 50 and shows counts from 1 to 4 as "<5" (CONTRACT §5).
"""

from __future__ import annotations

import argparse
import sys

from safetymap.commands import (
    EXIT_OK,
    CommandError,
    UsageError,
    add_data_option,
    add_output_options,
    load_dataset,
    write_table,
)
from safetymap.disclosure import SMALL_TEXT, hide_survey_differences, is_small
from safetymap.roles import ROLES, Role

#: Columns that are counts, shown as "<5" for partners when 1 to 4.
COUNT_COLUMNS = ("responses", "base_day", "base_after_dark")
#: Decimal places of percentages and effective bases in the output.
DECIMALS = 1


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``survey`` command."""
    parser = commands.add_parser(
        "survey", help="print the Feelings of Safety indicators per district"
    )
    add_data_option(parser)
    add_output_options(parser, ("csv", "json"))
    parser.add_argument(
        "--role", choices=ROLES, default="analyst",
        help="who the figures are for; partner hides small bases (default analyst)",
    )
    parser.add_argument(
        "--period", default=None, metavar="'YYYY H1|H2'",
        help="keep one half-year, e.g. '2026 H2' (default: every response)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load the survey, compute the district table and write it."""
    from safetymap.analysis.survey import district_indicators, survey_periods

    role: Role = args.role
    survey = load_dataset(args.data).survey
    if survey.problems:
        print(
            f"notice: {len(survey.problems):,} survey problem(s) refused rows or files; "
            "run `safetymap validate --kind survey FILE...` to list them. The figures use "
            f"the {len(survey.frame):,} valid responses.",
            file=sys.stderr,
        )
    if survey.frame.empty:
        raise CommandError(
            "No survey responses to summarise: put survey*.csv or survey*.xlsx files in the "
            "--data folder (or SAFETYMAP_DATA)."
        )
    known = [period.label for period in survey_periods(survey.frame)]
    if args.period is not None and args.period not in known:
        raise UsageError(
            f"--period {args.period!r}: expected one of {', '.join(known)} (the half-years "
            "with responses)."
        )
    table = district_indicators(survey.frame, role=role, period=args.period)
    if role == "partner" and args.period is None:
        table = hide_survey_differences(table, survey.frame)
    figures = [c for c in table.columns if c.endswith(("_pct", "_ci_low", "_ci_high"))]
    figures += [c for c in table.columns if c.startswith("effective_base")]
    table[figures] = table[figures].round(DECIMALS)
    if role == "partner":
        for column in COUNT_COLUMNS:
            table[column] = [SMALL_TEXT if is_small(int(count)) else int(count)
                             for count in table[column]]
    write_table(table, fmt=args.format, out=args.out)
    return EXIT_OK
