"""The ``mtasim`` command: argument parsing, output files, exit codes.

Exit statuses: see ``_exit.py``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from .._version import __version__
from ..core import MtasimError
from ._exit import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


Handler = Callable[[argparse.Namespace], int]


def build_parser() -> Parser:
    from . import (
        _compare_cmd,
        _convert_cmd,
        _hunt_cmd,
        _live_cmds,
        _replay_cmd,
        _report_cmds,
        _run_cmd,
        _scenario_cmds,
        _sweep_cmd,
    )

    parser = Parser(
        prog="mtasim",
        description=(
            "Deterministic simulator of the Exchange Server 5.5 MTA event 4283 race "
            "(KB Q319936): a connection times out at the Winsock layer before the MTA's OK "
            "response, and the SP4 MTA logs 4258 then 4283."
        ),
        epilog="Run 'mtasim COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"mtasim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    # The order of --help: run and look, keep and compare, explore, draw, go live.
    for module in (
        _run_cmd,
        _replay_cmd,
        _compare_cmd,
        _scenario_cmds,
        _sweep_cmd,
        _hunt_cmd,
        _convert_cmd,
        _report_cmds,
        _live_cmds,
    ):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except MtasimError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"mtasim {args.command}: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"mtasim {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (mtasim run | head): not an error of ours. Point stdout at
        # devnull so that the interpreter's final flush does not raise again.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
