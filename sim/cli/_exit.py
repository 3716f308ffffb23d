"""Exit statuses of the ``mtasim`` command, in one place (every command module imports them
from here, and ``_app`` registers the command modules through ``_commands``: no cycle), and
the signals that stop a command.

========  ==============================================================================
status    meaning
========  ==============================================================================
0         success
1         a check failed (``replay --check``, ``hunt`` found nothing, ``--fail-on`` met)
2         bad input or usage: one line per problem on stderr, never a traceback, never a
          partial output file
128 + N   stopped by signal N: 130 Ctrl-C (SIGINT), 129 SIGHUP, 143 SIGTERM; 141 (SIGPIPE)
          when the reader of stdout went away (``mtasim run | head``)
========  ==============================================================================

Rules of this module (``docs/commands.md``, "Interruption"):

* SIGTERM and SIGHUP stop a command exactly as Ctrl-C does: :func:`signals_interrupt`
  installs, for the command's duration, a handler that remembers the signal and hands over to
  the *current* SIGINT handler. Outside trio that is Python's, which raises
  ``KeyboardInterrupt``; inside ``trio.run`` it is trio's, which raises it only where that is
  safe (a Python handler raising at an arbitrary bytecode inside trio's own code can break
  the run). Every ``with`` block unwinds, so temporary files are removed, and the command
  exits with :func:`interrupted_status`: 128 + the signal received.
* A SIGINT that the command was started ignoring (a background job of a non-interactive
  shell) stays without effect, but is blocked instead of ignored while the command runs, so
  that the SIGINT handler SIGTERM and SIGHUP hand over to is Python's (and trio's in a run).
* Once the command is stopping, a second SIGTERM or SIGHUP (GNU ``timeout`` sends its signal
  to the command and again to its process group) is ignored.
* An interrupt that lands in a finalizer (``__del__``, a weakref callback) cannot propagate;
  Python would print it as "Exception ignored" and carry on. It is kept instead
  (:func:`interrupt_was_lost`): no output file is renamed into place after it
  (``sim.app._atomic.commit_guard``: the rename raises ``KeyboardInterrupt`` instead), and
  the command reports it when it returns.
* Under ``python -m sim``, CPython exits by SIGINT (status -2, whatever the command returns)
  once a ``KeyboardInterrupt`` has ended code run from a string (``dataclasses`` builds its
  methods with ``exec``), even one that was caught: :func:`forget_unhandled_interrupt`.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from ..app._atomic import commit_guard, remove_unfinished

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE

#: Signals that stop a command as Ctrl-C does (SIGINT is Python's own).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class _Received:
    """The stop signal received by the running command (``None``: none, or a plain Ctrl-C),
    and whether an interrupt landed where it could not propagate."""

    signum: int | None = None
    lost = False


def signal_status(signum: int) -> int:
    """The conventional exit status of a command stopped by signal ``signum``: 128 + N."""
    return 128 + int(signum)


def interrupted_status() -> int:
    """The exit status of a command stopped by a ``KeyboardInterrupt``: 128 + the signal that
    caused it (143 SIGTERM, 129 SIGHUP), 130 for a plain Ctrl-C."""
    received = _Received.signum
    return signal_status(received if received is not None else signal.SIGINT)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` as Ctrl-C does.

    Only in the main thread (where Python runs signal handlers); the previous handlers come
    back afterwards, so that an in-process caller (a test) is left as it was."""
    _Received.signum = None
    _Received.lost = False
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, *STOP_SIGNALS)}
    previous_hook = sys.unraisablehook

    def keep_lost_interrupts(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            _Received.lost = True
        else:
            previous_hook(unraisable)

    sys.unraisablehook = keep_lost_interrupts
    # SIGINT ignored (a background job of a script): it stays ignored, blocked rather than
    # SIG_IGN, so that Python's handler is in place and trio installs its own, which is what
    # SIGTERM and SIGHUP hand over to.
    masked = previous[signal.SIGINT] is signal.SIG_IGN and hasattr(signal, "pthread_sigmask")
    if masked:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    if not callable(previous[signal.SIGINT]):
        signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in STOP_SIGNALS:
        signal.signal(sig, _interrupt)
    try:
        with commit_guard(_raise_if_lost):
            yield
    finally:
        sys.unraisablehook = previous_hook
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)
        if masked:  # ignored again first: a SIGINT held meanwhile is dropped
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _raise_if_lost() -> None:
    """Before an output file is put in place: an interrupt lost in a finalizer stops it."""
    if _Received.lost:
        raise KeyboardInterrupt


def _interrupt(signum: int, frame: FrameType | None) -> None:
    if _Received.signum is not None:
        return  # already stopping
    _Received.signum = signum
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:  # SIGINT ignored or default: stop all the same
        raise KeyboardInterrupt


def caused_by_interrupt(exc: BaseException) -> bool:
    """``exc`` was raised because an interrupt landed while Python ran code that wraps what it
    catches (creating a class wraps an exception of ``__set_name__`` in a ``RuntimeError``, as
    when Ctrl-C lands during an import): a ``KeyboardInterrupt`` is in its chain of causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def interrupt_was_lost() -> bool:
    """An interrupt landed in a finalizer while the command ran (and was kept, not printed)."""
    return _Received.lost


def forget_unhandled_interrupt() -> None:
    """Tell CPython that the ``KeyboardInterrupt`` was handled. Evaluating code from a string
    marks the interpreter "ended by an unhandled KeyboardInterrupt" when that code ends with
    one, even if a caller catches it, and ``python -m`` then exits by SIGINT instead of with
    the command's status. The mark is cleared when the next string evaluation starts, which is
    all this does (elsewhere it is a no-op)."""
    exec("pass", {})


def ignore_stop_signals() -> None:
    """The command is stopping: no further signal may interrupt its last words (main thread
    only; the end of :func:`signals_interrupt` puts the previous handlers back)."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, *STOP_SIGNALS):
            signal.signal(sig, signal.SIG_IGN)


# -- how a command ends when it does not return --------------------------------------------
def interrupted(command: str) -> int:
    """The command was interrupted: one line, its temporary files gone, 128 + the signal."""
    ignore_stop_signals()
    forget_unhandled_interrupt()
    remove_unfinished()  # what a second signal may have left mid-cleanup
    print(f"{command}: interrupted", file=sys.stderr)
    return interrupted_status()


def broken_pipe() -> int:
    """The reader of stdout went away (``mtasim run | head``): not an error of ours; quietly
    the status a shell shows for a program killed by SIGPIPE."""
    quiet_stdout()
    return EXIT_BROKEN_PIPE


#: What a failing write says. Files name themselves (``sim.app._atomic.OutputError``); a write
#: error without a file name is stdout's.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def write_error(command: str, exc: OSError) -> int:
    """An OS error that reached the top (stdout full or closed, or another failure of the
    system): one line, exit 2."""
    reason = exc.strerror or str(exc)
    if exc.filename is None and exc.errno in _WRITE_ERRORS:
        reason = f"cannot write stdout: {reason}"
    elif exc.filename is not None:
        reason = f"{exc.filename}: {reason}"
    print(f"{command}: {reason}", file=sys.stderr)
    quiet_stdout()
    return EXIT_USAGE


class ClosedStdout(io.TextIOBase):
    """stdout when the command was started without one: writing to it is a write error."""

    def write(self, s: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def quiet_stdout() -> None:
    """Point stdout at devnull, so that the interpreter's final flush does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
