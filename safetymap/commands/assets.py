"""``safetymap assets``: install Leaflet and its plugins from the npm registry."""

from __future__ import annotations

import argparse

from safetymap.commands import EXIT_OK
from safetymap.settings import VENDOR_DIR


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``assets`` command."""
    parser = commands.add_parser(
        "assets", help="install Leaflet and plugins so maps draw with no internet"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Install the map assets under ``static/vendor``."""
    from safetymap.maps.assets import install_assets

    written = install_assets()
    print(f"Map assets ready in {VENDOR_DIR} ({len(written)} new files).")
    return EXIT_OK
