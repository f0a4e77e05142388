"""``safetymap actions --agency NAME [--data DIR] [--role ROLE] [--format csv|json] [--pdf FILE]``.

Write an agency's action list: the places of the selection where reports give the reasons
that agency can act on (who acts on what: ``SAFETYMAP_AGENCIES``, else the shipped
Hertfordshire file), with reports, reasons, peak day and time, standing and one line on
why, as CSV or JSON (``--out FILE``, else standard output) and with ``--pdf FILE`` as a
PDF too. ``--role partner`` applies the partners' rules: places where 5 or more reports
give the agency's reasons, counts as "5 or more".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from safetymap.commands import (
    EXIT_OK,
    CommandError,
    UsageError,
    add_data_option,
    add_output_options,
    add_role_option,
    add_selection_options,
    filters_from_args,
    load_data,
    say,
    write_table,
)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``actions`` command."""
    parser = commands.add_parser(
        "actions",
        help="write an agency's action list: the places where its reasons are given",
        description=(
            "The places of the selection where reports give the reasons an agency can act "
            "on (SAFETYMAP_AGENCIES, else the shipped Hertfordshire file), with reports, "
            "reasons, peak day and time, standing over 12 months and why each is listed."
        ),
    )
    parser.add_argument("--agency", required=True, metavar="NAME",
                        help="the agency, as named in the agency settings file (any case)")
    parser.add_argument("--pdf", type=Path, default=None, metavar="FILE",
                        help="also write the list as a PDF (a file ending in .pdf)")
    add_data_option(parser)
    add_selection_options(parser)
    add_output_options(parser, ("csv", "json"))
    add_role_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Work out the agency's list and write it."""
    from safetymap.agencies import read_agency_map
    from safetymap.analysis.actions import RANKING_RULE
    from safetymap.reports.actions import action_list_pdf, build_action_list, nothing_listed
    from safetymap.settings import load_settings

    if args.pdf is not None and args.pdf.suffix.lower() != ".pdf":
        raise UsageError(f"--pdf {args.pdf}: expected a file name ending in .pdf, found "
                         f"{args.pdf.suffix or 'no suffix'!r}.")
    agencies = read_agency_map(load_settings().agencies)
    agency = agencies.find(args.agency)
    if agency is None:
        raise UsageError(f"--agency {args.agency!r}: expected one of the agencies of "
                         f"{agencies.source}: " + "; ".join(agencies.names) + ".")
    filters = filters_from_args(args)
    dataset, reports = load_data(args.data)
    action_list = build_action_list(reports, filters, agency, role=args.role,
                                    synthetic=dataset.synthetic, origin=dataset.origin)
    if action_list.period is None:
        raise CommandError("No StreetSafe report in the selection, so no place to list: "
                           "check --data and the --district, --since and --until options.")
    say(f"{action_list.summary} {len(action_list.table):,} place(s) listed for the "
        f"{args.role} role. {RANKING_RULE}", err=True)
    if action_list.table.empty:
        say(f"notice: {nothing_listed(action_list)}", err=True)
    write_table(action_list.table, fmt=args.format, out=args.out)
    if args.pdf is not None:
        args.pdf.write_bytes(action_list_pdf(action_list))
        say(f"Wrote the action list PDF to {args.pdf}.", err=True)
    return EXIT_OK
