"""``safetymap dashboard [--data DIR] [--port N]``: open the dashboard."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from safetymap.commands import EXIT_FAILED, add_data_option, say
from safetymap.settings import PROJECT_ROOT, SETTINGS


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``dashboard`` command."""
    parser = commands.add_parser("dashboard", help="open the dashboard in a browser")
    add_data_option(parser)
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``streamlit run dashboard.py`` with the data folder in the environment."""
    env = dict(os.environ)
    if args.data is not None:
        if not args.data.is_dir():
            say(f"safetymap: --data {args.data}: expected a folder of exports, found none.",
                err=True)
            return EXIT_FAILED
        env[SETTINGS["data_dir"].env] = str(args.data.resolve())
    command = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard.py"),
        "--server.port", str(args.port),
    ]
    return subprocess.call(command, cwd=PROJECT_ROOT, env=env)
