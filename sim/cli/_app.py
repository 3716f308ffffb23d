"""The ``mtasim`` command: argument parsing, output files, exit codes.

Exit statuses, and the signals that stop a command: see ``_exit.py``. The commands, and which
of them are registered in full for a command line: ``_commands.py``.
"""

from __future__ import annotations

import argparse
import errno
import re
import sys
from collections.abc import Callable, Collection, Sequence
from typing import NoReturn

from .._version import __version__
from ..core import MtasimError
from ..text._input import clip
from ._commands import register_commands
from ._exit import (
    EXIT_USAGE,
    ClosedStdout,
    broken_pipe,
    caused_by_interrupt,
    interrupt_was_lost,
    interrupted,
    signals_interrupt,
    write_error,
)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2, named after the
    (sub)command they are about: ``mtasim run: error: ...``."""

    def error(self, message: str) -> NoReturn:
        # argparse quotes the offending value whole ("invalid int value: '...'"): a value of
        # megabytes would be echoed, so the message is cut (docs/commands.md, Bad input).
        self.exit(
            EXIT_USAGE, f"{self.prog}: error: {clip(message, 300)} (see {self.prog} --help)\n"
        )

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            # argparse reports a subcommand's unknown arguments from the top-level parser.
            self._command_parser(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def _command_parser(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(parsed, action.dest, None) or "")
                if isinstance(chosen, argparse.ArgumentParser):
                    return chosen
        return self


Handler = Callable[[argparse.Namespace], int]


def _version_line() -> str:
    """``mtasim 0.1.0``, and ``(compiled core)`` when the core's compiled modules run."""
    from ..core import COMPILED

    return f"mtasim {__version__}" + (" (compiled core)" if COMPILED else "")


def build_parser(words: Collection[str] | None = None) -> Parser:
    """The parser of the ``mtasim`` command line: every command in full, or, with ``words``
    (the command line's), only those whose name is one of them (``_commands``)."""
    parser = Parser(
        prog="mtasim",
        description=(
            "Deterministic simulator of the Exchange Server 5.5 MTA event 4283 race "
            "(KB Q319936): an incoming connection times out before the MTA receives the OK "
            "response, and the SP4 MTA logs 4258 then 4283."
        ),
        epilog="Run 'mtasim COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=_version_line())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    register_commands(commands, words)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    # Named before the parser exists, for an interrupt that lands while it is being built.
    command = f"mtasim {words[0]}" if words and _COMMAND_WORD.fullmatch(words[0]) else "mtasim"
    if sys.stdout is None:  # started with stdout closed (mtasim run >&-)
        sys.stdout = ClosedStdout()
    with signals_interrupt():
        try:
            parser = build_parser(set(words))
            args = parser.parse_args(words)
            handler: Handler | None = getattr(args, "handler", None)
            if handler is None:
                parser.print_help(sys.stderr)
                return EXIT_USAGE
            command = f"mtasim {args.command}"
            try:
                status = handler(args)
                sys.stdout.flush()  # a broken pipe shows here, not in the interpreter's exit
                if interrupt_was_lost():  # Ctrl-C landed in a finalizer: still a Ctrl-C
                    return interrupted(command)
                return status
            except MtasimError as exc:
                if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                    return broken_pipe()  # -o /dev/stdout, or a FIFO, whose reader left
                for line in str(exc).splitlines() or [type(exc).__name__]:
                    print(f"{command}: {line}", file=sys.stderr)
                return EXIT_USAGE
        except KeyboardInterrupt:
            return interrupted(command)
        except BrokenPipeError:
            return broken_pipe()
        except BaseExceptionGroup as group:
            # A trio run that let its group out: an interrupt in it is still an interrupt.
            from ..drivers import sole_exception  # a group comes out of trio only: imported by then

            leaf = sole_exception(group)
            if isinstance(leaf, KeyboardInterrupt):
                return interrupted(command)
            if isinstance(leaf, BrokenPipeError):
                return broken_pipe()
            raise
        except SystemExit as exc:
            # rich's Console answers a broken pipe with SystemExit(1) (Console.on_broken_pipe)
            if isinstance(exc.__context__, BrokenPipeError):
                return broken_pipe()
            raise
        except OSError as exc:
            if caused_by_interrupt(exc):
                return interrupted(command)
            # stdout cannot be written (mtasim run > /dev/full), or another failure of the
            # system: one line all the same.
            return write_error(command, exc)
        except Exception as exc:
            if caused_by_interrupt(exc):  # Ctrl-C inside code that wrapped it (an import)
                return interrupted(command)
            raise


#: A command's name as it may be typed (how an interrupt during parsing is reported).
_COMMAND_WORD = re.compile(r"[a-z][a-z-]{0,19}")
