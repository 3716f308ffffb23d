"""``mtasim run``: run a scenario and print the events the MTA logs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._run import run
from ..render import FORMATS, EventWriter
from ._common import add_build_argument, add_scenario_arguments, load, output


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
        help="run a scenario and print the events the MTA logs",
        description="Run a scenario on the trio model under a virtual clock and print the "
        "events the MTA logs. Without arguments: the KB Q319936 case on the pre-fix build, "
        "which prints the KB's 4258 and 4283 events.",
    )
    add_scenario_arguments(parser)
    add_build_argument(parser)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="ev0",
        help="ev0: the EV0.LOG text log (default); eventviewer: Event Viewer "
        "properties; jsonl: one JSON object per event",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default=None,
        help="write the events to FILE (atomically) instead of stdout",
    )
    parser.add_argument("--summary", action="store_true", help="print the run's counters to stderr")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    scenario = load(args)
    with output(args.output) as out:
        writer = EventWriter(args.format, out.write, scenario.mta.computer)
        result = run(scenario, args.build, on_event=writer, keep=False)
    if args.summary:
        print_summary(result.summary, result.build.label, sys.stderr)
    return 0


def print_summary(summary: dict[str, Any], build: str, stream: Any) -> None:
    print(f"build {build}", file=stream)
    for key, value in summary.items():
        if key != "events":
            print(f"  {key:<22} {value}", file=stream)
