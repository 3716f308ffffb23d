"""The ``mtasim`` command: argument parsing, output files, exit codes.

Exit statuses, and the signals that stop a command: see ``_exit.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from .._atomic import remove_unfinished
from .._version import __version__
from ..core import MtasimError
from ..drivers import sole_exception
from ._exit import (
    EXIT_BROKEN_PIPE,
    EXIT_USAGE,
    forget_unhandled_interrupt,
    ignore_stop_signals,
    interrupt_was_lost,
    interrupted_status,
    signals_interrupt,
)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2, named after the
    (sub)command they are about: ``mtasim run: error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

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
        _serve_cmd,
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
        _serve_cmd,
        _live_cmds,
    ):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    # Named before the parser exists, for an interrupt that lands while it is being built.
    command = f"mtasim {words[0]}" if words and _COMMAND_WORD.fullmatch(words[0]) else "mtasim"
    if sys.stdout is None:  # started with stdout closed (mtasim run >&-)
        sys.stdout = _ClosedStdout()
    with signals_interrupt():
        try:
            parser = build_parser()
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
                    return _interrupted(command)
                return status
            except MtasimError as exc:
                if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                    return _broken_pipe()  # -o /dev/stdout, or a FIFO, whose reader left
                for line in str(exc).splitlines() or [type(exc).__name__]:
                    print(f"{command}: {line}", file=sys.stderr)
                return EXIT_USAGE
        except KeyboardInterrupt:
            return _interrupted(command)
        except BrokenPipeError:
            return _broken_pipe()
        except BaseExceptionGroup as group:
            # A trio run that let its group out: an interrupt in it is still an interrupt.
            leaf = sole_exception(group)
            if isinstance(leaf, KeyboardInterrupt):
                return _interrupted(command)
            if isinstance(leaf, BrokenPipeError):
                return _broken_pipe()
            raise
        except SystemExit as exc:
            # rich's Console answers a broken pipe with SystemExit(1) (Console.on_broken_pipe)
            if isinstance(exc.__context__, BrokenPipeError):
                return _broken_pipe()
            raise
        except OSError as exc:
            # stdout cannot be written (mtasim run > /dev/full), or another failure of the
            # system: one line all the same.
            print(f"{command}: {_describe(exc)}", file=sys.stderr)
            _quiet_stdout()
            return EXIT_USAGE


_COMMAND_WORD = re.compile(r"[a-z][a-z-]{0,19}")


def _interrupted(command: str) -> int:
    ignore_stop_signals()
    forget_unhandled_interrupt()
    remove_unfinished()  # what a second signal may have left mid-cleanup
    print(f"{command}: interrupted", file=sys.stderr)
    return interrupted_status()


class _ClosedStdout(io.TextIOBase):
    """stdout when the command was started without one: writing to it is a write error."""

    def write(self, s: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def _broken_pipe() -> int:
    """The reader of stdout went away (``mtasim run | head``): not an error of ours; quietly
    the status a shell shows for a program killed by SIGPIPE."""
    _quiet_stdout()
    return EXIT_BROKEN_PIPE


#: What a failing write says. Files name themselves (``sim._atomic.OutputError``); a write
#: error without a file name is stdout's.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def _describe(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is None and exc.errno in _WRITE_ERRORS:
        return f"cannot write stdout: {reason}"
    return reason if exc.filename is None else f"{exc.filename}: {reason}"


def _quiet_stdout() -> None:
    """Point stdout at devnull, so that the interpreter's final flush does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
