"""``mtasim fit LOG --output my.toml``: a scenario whose pre-fix run logs the log's signature
pairs in the log's hours (``sim.report._fit``; docs/diagnose.md)."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from ..report._diagnose import Diagnosis
from ..report._fit import DEFAULT_THREADS, DEFAULT_TIMEOUT, RUNS, fit, fit_text, fit_toml
from ..text._input import clip
from ._common import UsageError, check_writable, output
from ._engine import add_engine_argument, say_once
from ._logs import add_log_arguments, make_reader, read_log, report_reading
from ._progress import progress


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "fit",
        description="Read a real server's log and write a scenario that reproduces it: the "
        "arrival load of each hour from its 4258 Close Requests, the kernel's OK delay fitted "
        "so that a pre-fix run logs the observed signature pairs (the Winsock timer and the "
        "kernel threads assumed). Then 'mtasim compare FILE' shows what the hotfix would have "
        "done.",
    )
    add_log_arguments(parser, epoch=False)
    parser.add_argument(
        "--output",
        "-o",
        default=None,
        metavar="FILE",
        help="write the scenario to FILE (atomically) and the fit's account to stdout; "
        "without it, the scenario goes to stdout",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"the Winsock response timer to assume (default {DEFAULT_TIMEOUT:g}, the model's)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        metavar="N",
        help=f"the MTA kernel threads to assume (default {DEFAULT_THREADS})",
    )
    add_engine_argument(parser)
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    if not (math.isfinite(args.timeout) and 0 < args.timeout <= 3600):
        raise UsageError(f"--timeout: expected seconds > 0 and <= 3600, found {args.timeout:g}")
    if not 1 <= args.threads <= 10_000:
        raise UsageError(f"--threads: expected an integer from 1 to 10000, found {args.threads}")
    check_writable(args.output, "--output")
    reader = make_reader(args)
    diagnosis = Diagnosis()
    for event in read_log(args, reader):
        diagnosis.add(event)
    if reader.warnings or reader.skipped:
        report_reading("mtasim fit", args.input, reader)
    name = Path(args.output).stem if args.output not in (None, "-") else "fitted"
    with progress("fitting the OK delay", RUNS) as advance:
        try:
            result = fit(
                diagnosis,
                timeout=args.timeout,
                threads=args.threads,
                name=name,
                on_progress=lambda done, total: advance(done),
                engine=args.engine,
                say=say_once("fit"),
            )
        except ValueError as exc:
            raise UsageError(f"{clip(args.input)}: {exc}") from None
    toml = fit_toml(result, Path(args.input).name)
    with output(args.output) as out:
        out.write(toml)
    if args.output not in (None, "-"):
        sys.stdout.write(fit_text(result, Path(args.input).name))
        sys.stdout.write(f"Wrote {args.output}; next: mtasim compare {args.output}\n")
    return 0
