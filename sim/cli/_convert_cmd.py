"""``mtasim convert``: read a log in one form, write its events in another."""

from __future__ import annotations

import argparse
from typing import Any

from ..render import FORMATS, EventWriter
from ._common import check_writable, output
from ._logs import add_log_arguments, make_reader, read_log, report_reading


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "convert",
        description="Read events (a real EV0.LOG, an Event Viewer copy or 'Save As' export, an "
        ".evt file, JSON Lines) and write them in another form, keeping what the log holds: "
        "task header, computer, fields. Events the model does not know are kept as opaque "
        "events and counted (--strict refuses them).",
    )
    add_log_arguments(parser)
    parser.add_argument(
        "--to", default="jsonl", choices=FORMATS, help="output form (default jsonl)"
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
    reader = make_reader(args)
    check_writable(args.output, "--output")
    with output(args.output) as out:
        writer = EventWriter(args.to, out.write)
        for event in read_log(args, reader):
            writer(event)
    report_reading("mtasim convert", args.input, reader)
    return 0
