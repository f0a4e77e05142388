"""``safetymap board-pack --out FILE.pdf [--since DATE] [--until DATE] [--district NAME ...]``.

Write the partnership board pack as a PDF: headline figures for the selection, the
monthly trend, districts ranked per 1,000 residents and the top reasons, with the
partners' disclosure rules applied (small counts shown as "<5"; survey percentages on
fewer than 50 answers hidden).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from safetymap.commands import (
    EXIT_OK,
    UsageError,
    add_data_option,
    district_or_error,
    for_role,
    iso_date,
    load_data,
)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``board-pack`` command."""
    parser = commands.add_parser(
        "board-pack",
        help="write the partnership board pack as PDF",
        description=(
            "Headline figures, the monthly trend, districts ranked per 1,000 residents and "
            "the top reasons for the selection, as partners may see them."
        ),
    )
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.pdf",
                        help="PDF file to write")
    parser.add_argument("--since", type=iso_date, default=None, metavar="DATE",
                        help="first day, YYYY-MM-DD (default: the earliest report)")
    parser.add_argument("--until", type=iso_date, default=None, metavar="DATE",
                        help="last day, YYYY-MM-DD (default: the latest report)")
    parser.add_argument("--district", action="append", default=None, metavar="NAME",
                        help="a district name or code; repeat for several (default: all)")
    add_data_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the board pack and write it to ``--out``."""
    from loaders.store import open_store
    from safetymap.analysis.filters import Filters
    from safetymap.reports.board_pack import board_pack_pdf, build_board_pack
    from safetymap.settings import load_settings

    out: Path = args.out
    if out.suffix.lower() != ".pdf":
        raise UsageError(
            f"--out {out}: expected a file name ending in .pdf, found "
            f"{out.suffix or 'no suffix'!r}."
        )
    codes: list[str] = []
    for text in args.district or []:
        code = district_or_error(text)
        if code not in codes:
            codes.append(code)
    if args.since is not None and args.until is not None and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}.")
    dataset, reports = load_data(args.data)
    filters = for_role(Filters(districts=tuple(codes), start=args.since, end=args.until),
                       "partner")
    # The problem-solving log lives in the shared store: with one (and no --data folder
    # instead), the pack counts its actions too, as on the Board overview.
    actions = None
    settings = load_settings()
    if args.data is None and settings.store is not None:
        actions = tuple(open_store(settings.store).actions())
    pack = build_board_pack(dataset, filters=filters, role="partner", reports=reports,
                            actions=actions)
    out.write_bytes(board_pack_pdf(pack))
    label = " (synthetic demo data)" if pack.synthetic else ""
    print(f"Wrote the board pack for {pack.selection}{label} to {out}.")
    return EXIT_OK
