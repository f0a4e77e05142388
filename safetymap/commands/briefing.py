"""``safetymap briefing --district NAME --out FILE [--since DATE] [--until DATE]``.

Write a district's patrol briefing: one or two printable pages with a static map of the
hot spots, the top places to read out, the day-by-hour matrix, what changed since the
previous period and a data note. The suffix of ``--out`` picks the format: ``.pdf``, or
``.html`` (a self-contained page to attach to an e-mail). For police and analysts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from safetymap.commands import (
    EXIT_OK,
    UsageError,
    add_data_option,
    district_or_error,
    iso_date,
    load_data,
)

#: Formats by the suffix of ``--out``.
FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}



def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``briefing`` command."""
    parser = commands.add_parser(
        "briefing",
        help="write a district's patrol briefing as PDF or HTML",
        description=(
            "One or two printable pages for a district: a map of the hot spots, the top "
            "places, reports by day and hour, what changed since the previous period of "
            "the same length, and a data note. By default the four weeks up to the latest "
            "report."
        ),
    )
    parser.add_argument("--district", required=True, metavar="NAME",
                        help="district name or code, e.g. Watford or E07000103")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="file to write: .pdf or .html")
    parser.add_argument("--since", type=iso_date, default=None, metavar="DATE",
                        help="first day, YYYY-MM-DD (default: 27 days before --until)")
    parser.add_argument("--until", type=iso_date, default=None, metavar="DATE",
                        help="last day, YYYY-MM-DD (default: the day of the latest report)")
    parser.add_argument("--role", choices=("police", "analyst"), default="police",
                        help="who the briefing is for (default police)")
    add_data_option(parser)
    parser.set_defaults(run=run)


def output_format(out: Path) -> str:
    """Return ``pdf`` or ``html`` from the suffix of ``--out``, or say what is expected."""
    found = FORMATS.get(out.suffix.lower())
    if found is None:
        raise UsageError(
            f"--out {out}: expected a file name ending in .pdf or .html, found "
            f"{out.suffix or 'no suffix'!r}."
        )
    return found


def run(args: argparse.Namespace) -> int:
    """Build the briefing and write it to ``--out``."""
    from safetymap.reports import period_text
    from safetymap.reports.briefing import briefing_html, briefing_pdf, build_briefing

    kind = output_format(args.out)
    code = district_or_error(args.district)
    dataset, reports = load_data(args.data)
    briefing = build_briefing(dataset, district=code, since=args.since, until=args.until,
                              role=args.role, reports=reports)
    if kind == "pdf":
        args.out.write_bytes(briefing_pdf(briefing))
    else:
        args.out.write_text(briefing_html(briefing), encoding="utf-8")
    label = " (synthetic demo data)" if briefing.synthetic else ""
    print(
        f"Wrote the patrol briefing for {briefing.district}, {period_text(briefing.period)} "
        f"({briefing.reports:,} reports, {len(briefing.places)} top places){label}, "
        f"to {args.out}."
    )
    return EXIT_OK
