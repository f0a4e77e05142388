"""The commands of ``safetymap``, one module each, and what they share.

To add a command: write a module with ``register(commands)`` that calls
``commands.add_parser(...)`` and ``set_defaults(run=...)``, and list it in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from safetymap.roles import ROLES

if TYPE_CHECKING:
    import pandas as pd

    from loaders.counts import ReportCounts
    from loaders.source import Dataset
    from safetymap.analysis.filters import Filters

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CommandError(RuntimeError):
    """A command cannot do what was asked; the message says why and what to do (exit 1)."""


class UsageError(CommandError):
    """The command line asks for something no input could satisfy (exit 2, like argparse).

    An unknown district, a date range that ends before it starts, an output file of the
    wrong kind: the command is fixed by changing the command line, not the data.
    """


#: Characters a terminal acts on instead of showing: C0 controls (ESC, which starts colour,
#: title and cursor sequences, and CR, which overwrites a line) but tab and newline; DEL; C1
#: controls (CSI among them); the line separators; and the bidirectional controls that
#: reorder a line on screen.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: object, *, one_line: bool = False) -> str:
    r"""Return text for a terminal, with every control character written out visibly.

    File names, headers and cells reach messages as they were found; an escape sequence
    among them would recolour, retitle or rewrite the user's terminal. Each control
    character becomes its escape (``\x1b``); tab and newline stay, and with ``one_line``
    a newline becomes ``\n`` too, so one problem stays on one line.

    >>> terminal_text("row 2\x1b[2J\rOK")
    'row 2\\x1b[2J\\x0dOK'
    """
    shown = _CONTROL.sub(_visible, str(text))
    return shown.replace("\n", "\\n") if one_line else shown


def say(text: object, *, err: bool = False, one_line: bool = False) -> None:
    """Print a message of a command, control characters written out (:func:`terminal_text`)."""
    print(terminal_text(text, one_line=one_line), file=sys.stderr if err else sys.stdout)


def positive_int(text: str) -> int:
    """Parse a whole number of zero or more, for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more, found {value}")
    return value


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--data DIR``: the folder of exports (default: SAFETYMAP_DATA, else demo data)."""
    parser.add_argument(
        "--data", type=Path, default=None,
        help="folder of exports (default: SAFETYMAP_DATA, else the synthetic demo data)",
    )


def add_output_options(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """Add ``--format`` (first of ``formats`` by default) and ``--out FILE`` (default stdout)."""
    parser.add_argument("--format", choices=formats, default=formats[0])
    parser.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")


def iso_date(text: str) -> date:
    """Parse a YYYY-MM-DD date, for argparse."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found {text!r}") from None


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    """Add the shared filters: ``--district``, ``--since``, ``--until``, ``--time-of-day``."""
    parser.add_argument("--district", action="append", default=[], metavar="NAME|CODE",
                        help="a district (name or LAD code); repeat for several")
    parser.add_argument("--since", type=iso_date, help="first day, YYYY-MM-DD")
    parser.add_argument("--until", type=iso_date, help="last day, YYYY-MM-DD")
    parser.add_argument("--time-of-day", action="append", default=[], dest="time_of_day",
                        choices=["morning", "afternoon", "evening", "night", "unknown"],
                        help="a time-of-day band; repeat for several")


def district_or_error(text: str) -> str:
    """Return the district code for ``--district``'s name or code, or say which there are."""
    from geodata import require_district

    try:
        return require_district(text, argument="--district")
    except ValueError as error:
        raise UsageError(str(error)) from None


def filters_from_args(args: argparse.Namespace) -> Filters:
    """Return the selection named by :func:`add_selection_options`' options."""
    from safetymap.analysis.filters import Filters

    codes = [district_or_error(name) for name in args.district]
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}.")
    filters = Filters(districts=tuple(codes), start=args.since, end=args.until,
                      times_of_day=tuple(args.time_of_day))
    return for_role(filters, getattr(args, "role", "analyst"))


def for_role(filters: Filters, role: str) -> Filters:
    """Return ``filters`` on the partner lattice for ``--role partner``, saying what changed.

    Partners query whole calendar months and no time-of-day or reason slot
    (:func:`safetymap.disclosure.partner_filters`); each change is a notice on standard
    error, so the output is what partners may see.
    """
    if role != "partner":
        return filters
    from safetymap.disclosure import partner_filters

    snapped, changes = partner_filters(filters)
    for change in changes:
        print(f"notice: {change}", file=sys.stderr)
    return snapped


def add_role_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--role``: the command line's user already holds the files, so analyst."""
    parser.add_argument("--role", choices=ROLES, default="analyst",
                        help="apply the disclosure rules of this role (default analyst)")


def load_dataset(data: Path | None) -> Dataset:
    """Load ``--data DIR``, else the source the settings name; say what was refused."""
    return load_data(data)[0]


def load_data(data: Path | None) -> tuple[Dataset, ReportCounts]:
    """Load ``--data DIR``, else the source the settings name, and where reports are counted.

    With a store, the reports stay in it and are counted there. What was refused, and
    whether the data is synthetic, is said on standard error.
    """
    from loaders.source import FolderSource
    from safetymap.datasource import DemoSource, report_counts, source_from_settings
    from safetymap.settings import load_settings

    source = FolderSource(data) if data is not None else source_from_settings(load_settings())
    dataset = source.load()
    reports = report_counts(source, dataset)
    for notice in dataset.notices:
        say(f"notice: {notice}", err=True)
    refused = sum(len(result.problems) for result in dataset.results())
    if refused:
        say(f"notice: {refused:,} row(s) or file(s) refused; `safetymap validate` lists them.",
            err=True)
    if dataset.synthetic:
        why = ("no --data, no SAFETYMAP_DATA and no SAFETYMAP_STORE"
               if isinstance(source, DemoSource)
               else "the data holds the safety map's demo records, identifiers beginning DEMO-")
        say(f"notice: SYNTHETIC DEMO DATA ({why}).", err=True)
    return dataset, reports


def write_table(table: pd.DataFrame, *, fmt: str, out: Path | None) -> None:
    """Write a table as CSV or JSON to ``out`` (stdout when None), formula cells neutralised."""
    from safetymap.analysis.exports import to_csv_bytes, to_json_bytes

    data = to_json_bytes(table) if fmt == "json" else to_csv_bytes(table, bom=False)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        out.write_bytes(data)
        say(f"Wrote {len(table):,} rows ({fmt}) to {out}.", err=True)


def _modules() -> tuple[ModuleType, ...]:
    from safetymap.commands import (
        actions,
        assets,
        board_pack,
        briefing,
        coverage,
        dashboard,
        demo_data,
        hotspots,
        ingest,
        open_now,
        settings,
        survey,
        validate,
    )

    return (
        dashboard, demo_data, validate, ingest, hotspots, briefing, coverage, open_now,
        survey, board_pack, actions, assets, settings,
    )


COMMANDS: tuple[ModuleType, ...] = _modules()
