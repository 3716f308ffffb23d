"""``mtasim run``: run a scenario and print the events the MTA logs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..app._limits import expected_connections
from ..app._run import run
from ..core import EventId, Kind, Step
from ..render import EventWriter
from ..render._summary import summary_json, summary_lines
from ._common import (
    UsageError,
    add_build_argument,
    add_driver_argument,
    add_format_arguments,
    add_scenario_arguments,
    check_distinct,
    check_writable,
    output,
)
from ._exit import EXIT_CHECK_FAILED, EXIT_OK
from ._limits import add_max_connections_argument, announce_connections, load_bounded
from ._progress import progress


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
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
    parser.add_argument(
        "--summary-format",
        choices=("text", "json"),
        default=None,
        help="the form of --summary (implies it): text (default), or json, one line holding one "
        'object, events as {"4258": N, ...} (docs/commands.md)',
    )
    parser.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="EVENT[,EVENT...]",
        help="exit 1 if the run logs this event, once all output is written (repeatable or "
        f"comma-separated; the model's events: {', '.join(str(int(e)) for e in EventId)})",
    )
    add_max_connections_argument(parser)
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    fail_on = parse_event_ids(args.fail_on, "--fail-on")
    scenario = load_bounded(args)
    check_writable(args.output, "--output")
    check_writable(args.record, "--record")
    check_distinct(("--output", args.output), ("--record", args.record))
    announce_connections("run", scenario)
    total = expected_connections(scenario)
    with output(args.output) as out, progress("run", total if total >= 10_000 else 0) as advance:
        writer = EventWriter(args.format, out.write, scenario.mta.computer)
        arrived = 0

        def on_step(step: Step) -> None:
            nonlocal arrived
            if step.kind is Kind.ARRIVAL:
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
            on_step=on_step if sys.stderr.isatty() else None,
        )
    if args.summary or args.summary_format is not None:
        if args.summary_format == "json":
            print(summary_json(result.summary, result.build.version), file=sys.stderr)
        else:
            print("\n".join(summary_lines(result.summary, result.build.label)), file=sys.stderr)
    # Last, once every output is complete: the CI check.
    logged = result.summary.logged
    met = [event for event in fail_on if logged[event]]
    if met:
        what = ", ".join(f"{int(e)} x{logged[e]}" for e in met)
        print(f"mtasim run: --fail-on: the run logged {what}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def parse_event_ids(values: list[str], option: str) -> tuple[EventId, ...]:
    """``["4283", "4258,9156"]`` -> the event ids, each one the model knows."""
    known = {int(e) for e in EventId}
    ids: list[EventId] = []
    for value in values:
        for part in value.split(","):
            text = part.strip()
            if not text.isdigit() or int(text) not in known:
                raise UsageError(
                    f"{option} {text[:40]!r}: not an event the model logs (known: "
                    f"{', '.join(str(e) for e in sorted(known))})"
                )
            if EventId(int(text)) not in ids:
                ids.append(EventId(int(text)))
    return tuple(ids)
