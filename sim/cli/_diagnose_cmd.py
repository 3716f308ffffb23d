"""``mtasim diagnose LOG``: does the server have the Q319936 problem, how often, and would
the hotfix help? (``sim.report._diagnose``; docs/diagnose.md)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..report._diagnose import VERDICTS, Diagnosis, text_report
from ._exit import EXIT_CHECK_FAILED, EXIT_OK
from ._logs import add_log_arguments, make_reader, read_log, report_reading

#: ``--fail-on``: the verdicts that meet each choice (a leak with signature pairs is also
#: the Q319936 problem).
FAIL_ON = {
    "q319936": ("q319936", "q266792-leak"),
    "q266792-leak": ("q266792-leak",),
    "any-4283": ("q266792-leak", "q319936", "not-q319936"),
}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "diagnose",
        description="Read a real server's log (EV0.LOG, an Event Viewer copy or export, an "
        ".evt file, JSON Lines) and say whether it shows the KB Q319936 signature (a 4258 "
        "Close Request and a 4283 error 8464 for the same LPI within 1 s), how often and when, "
        "and what to do next. Verdicts, in the order they are decided: "
        + ", ".join(VERDICTS)
        + ".",
    )
    add_log_arguments(parser, epoch=False)
    parser.add_argument(
        "--format",
        default="text",
        choices=("text", "json"),
        help="text: for a terminal, with a chart per hour (default); json: one object",
    )
    parser.add_argument(
        "--fail-on",
        default=None,
        choices=tuple(FAIL_ON),
        help="exit 1 when the verdict is met (q319936: at least one signature pair; "
        "q266792-leak; any-4283: any verdict but inconclusive), for a monitoring job",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    reader = make_reader(args)
    diagnosis = Diagnosis()
    for event in read_log(args, reader):
        diagnosis.add(event)
    found = diagnosis.to_dict(reader.format, reader.known, sum(reader.unknown.values()))
    if reader.warnings or reader.skipped:
        report_reading("mtasim diagnose", args.input, reader)
    if args.format == "json":
        sys.stdout.write(json.dumps(found, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text_report(found, args.input))
    if args.fail_on is not None and found["verdict"] in FAIL_ON[args.fail_on]:
        sys.stdout.flush()
        print(
            f"mtasim diagnose: --fail-on {args.fail_on}: the verdict is {found['verdict']} "
            f"({found['signature_pairs']:,} signature pairs)",
            file=sys.stderr,
        )
        return EXIT_CHECK_FAILED
    return EXIT_OK
