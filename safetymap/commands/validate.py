"""``safetymap validate --kind KIND FILE...``: check exports against the contract."""

from __future__ import annotations

import argparse
from pathlib import Path

from loaders import KINDS, load_kind
from loaders.source import KIND_NAMES
from safetymap.commands import EXIT_FAILED, EXIT_OK, say


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``validate`` command."""
    parser = commands.add_parser("validate", help="check export files against the contract")
    parser.add_argument("--kind", choices=list(KINDS), required=True)
    parser.add_argument("files", type=Path, nargs="+", metavar="FILE")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one line per problem (exit 1), or a one-line summary (exit 0)."""
    kind: str = args.kind
    files: list[Path] = args.files
    result = load_kind(KINDS[kind], files)
    for notice in result.notices:
        say(f"notice: {notice}", err=True, one_line=True)
    loaded = len(result.frame)
    rows = sum(report.rows for report in result.files)
    duplicates = sum(report.duplicates for report in result.files)
    if result.problems:
        for problem in result.problems:
            say(problem.message(), one_line=True)
        unread = [report.file for report in result.files if report.file_error]
        read = len(files) - len(unread)
        summary = (
            f"{len(result.problems)} problem(s): "
            + (f"{loaded:,} of {rows:,} {KIND_NAMES[kind]} valid in {read} file(s)"
               if read else "nothing was checked")
            + (f"; {len(unread)} file(s) could not be read ({', '.join(unread)})."
               if unread else ".")
        )
        say(summary, err=True)
        return EXIT_FAILED
    print(
        f"OK: {loaded:,} {KIND_NAMES[kind]} valid in {len(files)} file(s)"
        + (f" ({duplicates:,} duplicate rows counted once)." if duplicates else ".")
    )
    return EXIT_OK
