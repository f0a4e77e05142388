"""The commands of ``safetymap``, one module each, and what they share.

To add a command: write a module with ``register(commands)`` that calls
``commands.add_parser(...)`` and ``set_defaults(run=...)``, and list it in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import ModuleType

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CommandError(RuntimeError):
    """A command cannot do what was asked; the message says why and what to do."""


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


def _modules() -> tuple[ModuleType, ...]:
    from safetymap.commands import (
        assets,
        coverage,
        dashboard,
        demo_data,
        settings,
        survey,
        validate,
    )

    return (dashboard, demo_data, validate, coverage, survey, assets, settings)


COMMANDS: tuple[ModuleType, ...] = _modules()
