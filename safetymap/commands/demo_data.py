"""``safetymap demo-data --out DIR``: write synthetic exports in the contract's formats."""

from __future__ import annotations

import argparse
from pathlib import Path

from safetymap.commands import EXIT_OK, positive_int
from safetymap.settings import SETTINGS


def _default(name: str) -> int:
    """Return the settings table's default for a demo setting: one source for both."""
    return int(SETTINGS[name].default or 0)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``demo-data`` command."""
    parser = commands.add_parser("demo-data", help="write synthetic demo exports")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    reports = _default("demo_reports")
    parser.add_argument(
        "--reports", type=positive_int, default=reports,
        help=f"StreetSafe reports (default {reports:,}: about a real county year; "
        "more for scale work)",
    )
    parser.add_argument("--responses", type=positive_int, default=_default("demo_responses"))
    parser.add_argument("--seed", type=positive_int, default=_default("demo_seed"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the three demo files and name them."""
    from safetymap.demo import write_demo_data

    paths = write_demo_data(
        args.out, reports=args.reports, responses=args.responses, seed=args.seed
    )
    for path in paths:
        print(path)
    print(
        f"Wrote synthetic demo data: {args.reports:,} reports, {args.responses:,} survey "
        f"responses, seed {args.seed}."
    )
    return EXIT_OK
