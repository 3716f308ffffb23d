"""A real server's log, opened for ``convert``, ``diagnose`` and ``fit``: its options, its
form told from its first bytes, its events as a stream, its problems as one line.

Rules of this module:

* ``.evt`` is told by its file header (``sim.render._read_evt.MAGIC``); anything else is text
  (``sim.text._decode``: UTF-8 with or without a BOM, UTF-16, any line end).
* Bad input is a :class:`UsageError` naming the file and the line or record (exit 2): a
  line longer than :data:`LINE_LIMIT`, bytes that are not text, a damaged ``.evt``, a log in
  which no event can be read (the first problem met, or "no event").
* Pieces skipped and events kept opaque are said on stderr after the events, in at most
  ``WARNINGS_KEPT`` lines and a count (:func:`report_reading`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections.abc import Generator, Iterator
from datetime import datetime
from typing import BinaryIO

from ..core import Event
from ..render import DATE_ORDERS, READ_FORMATS, LogReader, Opaque, Options, ParseError
from ..render._read_evt import MAGIC, zone
from ..text._decode import text_lines
from ..text._input import InputError, clip, quote
from ._common import UsageError

#: The longest line a log may hold, in characters (a real EV0.LOG's lines are short;
#: ``/dev/zero`` or a file without line ends stops here).
LINE_LIMIT = 1 << 20


def add_log_arguments(parser: argparse.ArgumentParser, *, epoch: bool = True) -> None:
    parser.add_argument(
        "input",
        metavar="LOG",
        help="the log to read: EV0.LOG, an Event Viewer copy or "
        "export, JSON Lines or an .evt file ('-' for stdin)",
    )
    parser.add_argument(
        "--from",
        dest="source",
        default="auto",
        choices=("auto", *READ_FORMATS),
        help="the log's form (default: told from its first bytes and lines)",
    )
    parser.add_argument(
        "--date-order",
        default="mdy",
        choices=DATE_ORDERS,
        help="how the Event Viewer dates of the log are written: mdy (default, M/D/Y as "
        "US Windows writes them), dmy, ymd",
    )
    parser.add_argument(
        "--tz",
        default=None,
        metavar="ZONE",
        help="the time zone to show an .evt file's times in (they are UTC in the file; "
        "EV0 prints local time), e.g. Europe/Berlin (default: UTC)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse the log at the first event the model does not know or the first "
        "piece that cannot be read (default: keep the first opaque, skip the second with a "
        "warning)",
    )
    if epoch:
        parser.add_argument(
            "--epoch",
            default=None,
            metavar="DATETIME",
            help="virtual time 0 for forms without virtual time (ISO 8601; default: the "
            "first event)",
        )


def epoch_of(args: argparse.Namespace) -> datetime | None:
    text = getattr(args, "epoch", None)
    if text is None:
        return None
    try:
        epoch = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--epoch: not an ISO 8601 date-time: {quote(text)}") from None
    if epoch.tzinfo is not None:
        raise UsageError(
            f"--epoch: {quote(text)} has a UTC offset; expected a local date-time, like "
            "the timestamps the MTA prints"
        )
    return epoch


def make_reader(args: argparse.Namespace) -> LogReader:
    if args.tz is not None:
        try:
            zone(args.tz)
        except ParseError as exc:
            raise UsageError(str(exc)) from None
    return LogReader(
        args.source,
        epoch_of(args),
        strict=args.strict,
        options=Options(date_order=args.date_order, tz=args.tz),
    )


@contextlib.contextmanager
def _opened(path: str) -> Iterator[io.BufferedReader]:
    if path == "-":
        binary = getattr(sys.stdin, "buffer", None)
        if isinstance(binary, io.BufferedReader):
            yield binary
        else:  # a text stream put in place of stdin (an embedding program, a test)
            yield io.BufferedReader(io.BytesIO(sys.stdin.read().encode()))
        return
    with open(path, "rb") as handle:
        yield handle


def read_log(args: argparse.Namespace, reader: LogReader) -> Iterator[Event | Opaque]:
    """The events of ``args.input`` as ``reader`` reads them; every problem a
    :class:`UsageError` naming the file."""
    name = clip(args.input)
    try:
        with _opened(args.input) as handle:
            is_evt = handle.peek(8)[:8] == MAGIC
            if args.source == "evt" and not is_evt:
                raise UsageError(
                    f"{name}: not an .evt event log (no event log file header at byte 0)"
                )
            if is_evt and args.source in ("auto", "evt"):
                stream: Generator[Event | Opaque] = reader.evt(_seekable(handle), name)
            else:
                stream = reader.lines(text_lines(handle, LINE_LIMIT))
            try:
                yield from stream
            finally:
                stream.close()
    except (InputError, ParseError) as exc:
        raise UsageError(f"{name}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    if reader.known == 0 and not reader.unknown:
        if reader.first_problem is not None:
            raise UsageError(f"{name}: {reader.first_problem}")
        raise UsageError(
            f"{name}: no event found (expected EV0.LOG text, an Event Viewer copy or "
            "export, JSON Lines or an .evt file)"
        )


def _seekable(handle: io.BufferedReader) -> BinaryIO:
    """libevt reads with seeks: stdin (a pipe) is read into memory first."""
    if handle.seekable():
        return handle
    return io.BytesIO(handle.read())


def report_reading(command: str, name: str, reader: LogReader) -> None:
    """The warnings and the counts of a reading, on stderr."""
    for message in reader.warnings:
        print(f"{command}: warning: {clip(name)}: {message} (skipped)", file=sys.stderr)
    if reader.skipped > len(reader.warnings):
        print(
            f"{command}: warning: {reader.skipped - len(reader.warnings):,} more pieces skipped",
            file=sys.stderr,
        )
    print(f"{command}: {clip(name)}: {reader.counts()}", file=sys.stderr)
