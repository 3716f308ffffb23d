"""``mtasim convert``: read events in one text form, write them in another."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from ..render import FORMATS, EventWriter, ParseError, parse
from ..text._input import InputError, clip, quote, read_lines
from ._common import UsageError, check_writable, output

#: The longest line ``convert`` reads, in characters (a real EV0.LOG's lines are short;
#: ``/dev/zero`` or a file without line ends stops here).
LINE_LIMIT = 1 << 20


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "convert",
        help="convert events between EV0, Event Viewer and JSON Lines forms",
        description="Read events (e.g. pasted from a real EV0.LOG or Event Viewer) and write "
        "them in another form. Events the model does not know are skipped unless --strict.",
    )
    parser.add_argument("input", metavar="FILE", help="events to read ('-' for stdin)")
    parser.add_argument(
        "--from",
        dest="source",
        default="auto",
        choices=("auto", *FORMATS),
        help="input form (default: detect)",
    )
    parser.add_argument(
        "--to", default="jsonl", choices=FORMATS, help="output form (default jsonl)"
    )
    parser.add_argument(
        "--epoch",
        default=None,
        metavar="DATETIME",
        help="virtual time 0 for forms without virtual time (ISO 8601)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail on events the model does not know"
    )
    parser.add_argument(
        "--output",
        "-o",
        default=None,
        metavar="FILE",
        help="write to FILE (atomically) instead of stdout",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    try:
        epoch = None if args.epoch is None else datetime.fromisoformat(args.epoch)
    except ValueError:
        raise UsageError(f"--epoch: not an ISO 8601 date-time: {quote(args.epoch)}") from None
    if epoch is not None and epoch.tzinfo is not None:
        raise UsageError(
            f"--epoch: {quote(args.epoch)} has a UTC offset; expected a local date-time, like "
            "the timestamps the MTA prints"
        )
    name = clip(args.input)
    try:
        if args.input == "-":
            text = "".join(read_lines(sys.stdin, LINE_LIMIT))
        else:
            with open(args.input, encoding="utf-8") as handle:
                text = "".join(read_lines(handle, LINE_LIMIT))
    except InputError as exc:
        raise UsageError(f"{name}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        events = parse(text, args.source, epoch, strict=args.strict)
    except ParseError as exc:
        raise UsageError(f"{name}: {exc}") from None
    check_writable(args.output, "--output")
    with output(args.output) as out:
        writer = EventWriter(args.to, out.write)
        for event in events:
            writer(event)
    return 0
