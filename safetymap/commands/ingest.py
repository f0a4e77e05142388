"""``safetymap ingest --kind KIND FILE... [--store PATH|URL]``: add exports to the store.

Prints one line per file, ``added N, already present M, refused K (quarantined)``, and a
total. Valid rows are committed even when others are refused: the exit code is 0 when
nothing was refused, 1 when something was (the reasons go to stderr), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import os
import pwd
import sys
from pathlib import Path
from typing import TextIO

from loaders import KINDS
from loaders.source import read_header_map
from loaders.store import IngestProgress, open_store
from safetymap.commands import EXIT_FAILED, EXIT_OK, EXIT_USAGE, say, terminal_text
from safetymap.settings import load_settings

_BAR_WIDTH = 30


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``ingest`` command."""
    parser = commands.add_parser(
        "ingest", help="validate exports and add them to the store (GeoPackage or PostGIS)"
    )
    parser.add_argument("--kind", choices=list(KINDS), required=True)
    parser.add_argument("files", type=Path, nargs="+", metavar="FILE")
    parser.add_argument(
        "--store", default=None, metavar="PATH|URL",
        help="a .gpkg file or a postgresql:// URL (default: SAFETYMAP_STORE)",
    )
    parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    parser.set_defaults(run=run)


class ProgressBar:
    """Draw an ingest's progress as one line on a stream, rewritten in place."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = False

    def __call__(self, progress: IngestProgress) -> None:
        """Redraw the line for ``progress``."""
        total = max(progress.total, 1)
        filled = _BAR_WIDTH * progress.done // total
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        unit = "files checked" if progress.stage == "validating" else "rows written"
        self.stream.write(
            f"\r{progress.stage} [{bar}] {progress.done:,}/{progress.total:,} {unit}: "
            f"{terminal_text(progress.file, one_line=True)}\x1b[K"
        )
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        """End the progress line, if one was drawn."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _user() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def run(args: argparse.Namespace) -> int:
    """Ingest the files into the store and print what each added, found and refused."""
    settings = load_settings()
    target = args.store or settings.store
    if not target:
        print("safetymap ingest: no store named: give --store PATH.gpkg|postgresql://URL or "
              "set SAFETYMAP_STORE.", file=sys.stderr)
        return EXIT_USAGE
    kind: str = args.kind
    store = open_store(target)
    show = sys.stderr.isatty() if args.progress is None else args.progress
    bar = ProgressBar(sys.stderr) if show else None
    try:
        summary = store.ingest(
            kind, args.files, header_map=read_header_map(settings.header_map).get(kind),
            progress=bar, user=_user(),
        )
    finally:
        if bar is not None:
            bar.finish()
    for problem in summary.problems:
        say(f"refused: {problem.message()}", err=True, one_line=True)
    for file in summary.files:
        say(file.line(), one_line=True)
    say(summary.total_line())
    if summary.refused:
        print(f"{summary.refused:,} refused row(s) or file(s) are in the store's quarantine; "
              "the valid rows were added.", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
