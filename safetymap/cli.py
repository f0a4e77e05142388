"""Run the safety map from the command line: ``safetymap COMMAND [OPTIONS]``.

Exit codes: 0 done; 1 the input was refused or the command failed (the message says
why); 2 the command line itself was wrong. No command prints a traceback.

Each command lives in a module of :mod:`safetymap.commands` with ``register(commands)``,
which adds its parser and sets ``run`` to a function taking the parsed arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from loaders import LoadError
from loaders.source import SourceError
from safetymap.commands import COMMANDS, EXIT_FAILED, EXIT_USAGE, CommandError, UsageError, say
from safetymap.settings import SettingsError


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit 2 with one clear line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        say(f"{self.prog}: error: {message}", err=True)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every command."""
    parser = _Parser(prog="safetymap", description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as error:
        print(f"safetymap: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (CommandError, LoadError, SourceError, SettingsError, OSError, ValueError,
            RuntimeError) as error:
        say(f"safetymap: {error}", err=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
