"""``mtasim run``: run a scenario and print the events the MTA logs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._run import run
from ..core import Kind, Record
from ..render import EventWriter
from ._common import (
    add_build_argument,
    add_driver_argument,
    add_format_arguments,
    add_scenario_arguments,
    check_distinct,
    check_writable,
    load,
    output,
)
from ._progress import progress


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
        help="run a scenario and print the events the MTA logs",
        description="Run a scenario under a virtual clock and print the events the MTA logs. "
        "Without arguments: the KB Q319936 case on the pre-fix build, which prints the KB's "
        "4258 and 4283 events.",
    )
    add_scenario_arguments(parser)
    add_build_argument(parser, "the scenario's")
    add_format_arguments(parser)
    add_driver_argument(parser)
    parser.add_argument(
        "--record",
        metavar="FILE",
        default=None,
        help="also write a trace of the run (JSON Lines) that 'mtasim replay' reproduces",
    )
    parser.add_argument("--summary", action="store_true", help="print the run's counters to stderr")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    scenario = load(args)
    check_writable(args.output, "--output")
    check_writable(args.record, "--record")
    check_distinct(("--output", args.output), ("--record", args.record))
    total = sum(group.count for group in scenario.peers)
    with output(args.output) as out, progress("run", total if total >= 10_000 else 0) as advance:
        writer = EventWriter(args.format, out.write, scenario.mta.computer)
        arrived = 0

        def on_record(record: Record) -> None:
            nonlocal arrived
            if record.kind is Kind.ARRIVAL:
                arrived += 1
                if arrived % 1000 == 0:
                    advance(arrived)

        result = run(
            scenario,
            args.build,
            driver=args.driver,
            on_event=writer,
            keep=False,
            record=args.record,
            on_record=on_record if sys.stderr.isatty() else None,
        )
    if args.summary:
        print_summary(result.summary, result.build.label, sys.stderr)
    return 0


def print_summary(summary: dict[str, Any], build: str, stream: Any) -> None:
    print(f"build {build}", file=stream)
    for key, value in summary.items():
        if key != "events":
            print(f"  {key:<22} {value}", file=stream)
