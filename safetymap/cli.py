"""Run the safety map from the command line: ``safetymap COMMAND [OPTIONS]``.

Exit codes: 0 done; 1 the input was refused or the command failed (the message says
why); 2 the command line itself was wrong. No command prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from loaders import KINDS, LoadError, load_kind
from loaders.source import KIND_NAMES, SourceError
from safetymap.settings import PROJECT_ROOT, SETTINGS, SettingsError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit 2 with one clear line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more, found {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every command."""
    parser = _Parser(prog="safetymap", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    dashboard = commands.add_parser("dashboard", help="open the dashboard in a browser")
    dashboard.add_argument("--data", type=Path, help="folder of exports (default: demo data)")
    dashboard.add_argument("--port", type=int, default=8501, help="port (default 8501)")

    demo = commands.add_parser("demo-data", help="write synthetic demo exports")
    demo.add_argument("--out", type=Path, required=True, help="folder to write into")
    demo.add_argument("--reports", type=_positive, default=20_000)
    demo.add_argument("--responses", type=_positive, default=4_000)
    demo.add_argument("--seed", type=_positive, default=2026)

    validate = commands.add_parser("validate", help="check export files against the contract")
    validate.add_argument("--kind", choices=list(KINDS), required=True)
    validate.add_argument("files", type=Path, nargs="+", metavar="FILE")

    commands.add_parser("assets", help="install Leaflet and plugins for maps with no internet")
    commands.add_parser("settings", help="list the settings and their environment variables")
    return parser


def _validate(kind: str, files: list[Path]) -> int:
    result = load_kind(KINDS[kind], files)
    for notice in result.notices:
        print(f"notice: {notice}", file=sys.stderr)
    loaded = len(result.frame)
    rows = sum(report.rows for report in result.files)
    duplicates = sum(report.duplicates for report in result.files)
    if result.problems:
        for problem in result.problems:
            print(problem.message())
        print(
            f"{len(result.problems)} problem(s): {loaded:,} of {rows:,} {KIND_NAMES[kind]} "
            f"valid in {len(files)} file(s).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(
        f"OK: {loaded:,} {KIND_NAMES[kind]} valid in {len(files)} file(s)"
        + (f" ({duplicates:,} duplicate rows counted once)." if duplicates else ".")
    )
    return EXIT_OK


def _demo_data(args: argparse.Namespace) -> int:
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


def _dashboard(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.data is not None:
        if not args.data.is_dir():
            print(f"safetymap: --data {args.data}: expected a folder of exports, found none.",
                  file=sys.stderr)
            return EXIT_FAILED
        env[SETTINGS["data_dir"].env] = str(args.data.resolve())
    command = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard.py"),
        "--server.port", str(args.port),
    ]
    return subprocess.call(command, cwd=PROJECT_ROOT, env=env)


def _assets() -> int:
    from safetymap.maps.assets import install_assets

    written = install_assets()
    print(f"Map assets ready in {PROJECT_ROOT / 'static' / 'vendor'} ({len(written)} new files).")
    return EXIT_OK


def _settings() -> int:
    for name, setting in SETTINGS.items():
        print(f"{setting.env:28} default {setting.default or '(unset)':22} {setting.help} [{name}]")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args.kind, args.files)
        if args.command == "demo-data":
            return _demo_data(args)
        if args.command == "dashboard":
            return _dashboard(args)
        if args.command == "assets":
            return _assets()
        return _settings()
    except (LoadError, SourceError, SettingsError, OSError, ValueError, RuntimeError) as error:
        print(f"safetymap: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
