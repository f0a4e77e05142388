"""``safetymap settings``: list every setting with its variable and default."""

from __future__ import annotations

import argparse

from safetymap.commands import EXIT_OK
from safetymap.settings import SETTINGS


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``settings`` command."""
    parser = commands.add_parser("settings", help="list the settings and their variables")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the settings table."""
    for name, setting in SETTINGS.items():
        default = setting.default or "(unset)"
        print(f"{setting.env:26} {default:20} {setting.help} [{name}]")
    return EXIT_OK
