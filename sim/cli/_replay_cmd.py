"""``mtasim replay``: re-drive a recorded trace through the model, on any build."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..app._run import replay, resolve
from ..app._trace import TraceComparator, TraceError, verify
from ..core import MODEL_DOCS, MODEL_VERSION
from ..render import EventWriter
from ..render._summary import logged_counts
from ..text._plural import plural
from ._common import (
    UsageError,
    add_build_argument,
    add_driver_argument,
    add_format_arguments,
    check_distinct,
    check_writable,
    output,
)
from ._exit import EXIT_CHECK_FAILED


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "replay",
        description="Re-drive the connections recorded in a trace (their arrival times and "
        "every value drawn for them) through the model. On the recorded build the replay must "
        "reproduce the trace byte for byte, and says whether it does; on another build it shows "
        "what that build does with the identical inputs. A truncated, damaged or newer-format "
        "trace, or one whose lines disagree with each other or with its header, is refused "
        "with one line naming the line and the field (exit 2; docs/traces.md lists the checks). "
        "A trace recorded under an older model replays under this one; --check of it passes if "
        "this model reproduces it, and otherwise says that the model changed (exit 2, not a "
        "mismatch).",
    )
    parser.add_argument("trace", metavar="TRACE", help="a trace written by 'mtasim run --record'")
    add_build_argument(parser, "the recorded build")
    add_format_arguments(parser)
    add_driver_argument(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1, naming the first differing line, when the replay does not "
        "reproduce the trace byte for byte (recorded build only)",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="do not print the events, only the verdict"
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        default=None,
        help="write the replay's own trace (e.g. on another build)",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    info = verify(args.trace)
    build = resolve(args.build) if args.build is not None else info.build
    same_build = build == info.build
    if args.check and not same_build:
        raise UsageError(
            f"--check compares with the recorded build {info.build.label}; drop --build "
            f"{args.build} to check, or drop --check to see what {build.alias} does"
        )
    check_writable(args.output, "--output")
    check_writable(args.record, "--record")
    check_distinct(("--output", args.output), ("--record", args.record))
    comparator = TraceComparator(args.trace) if same_build else None
    with output(None if args.quiet else args.output) as out:
        writer = EventWriter(args.format, out.write, info.scenario.mta.computer)

        result = replay(
            args.trace,
            build,
            driver=args.driver,
            on_event=None if args.quiet else writer,
            on_step=comparator.step if comparator is not None else None,
            keep=False,
            record=args.record,
            verified=info,
        )
    summary = result.summary
    if info.model != MODEL_VERSION:
        print(
            f"replay: {info.path} was recorded under model {info.model}; replayed under model "
            f"{MODEL_VERSION} ({MODEL_DOCS} says what changed)",
            file=sys.stderr,
        )
    if comparator is None:
        print(
            f"replay: {info.path} recorded on {info.build.label}, replayed on {build.label}: "
            f"{logged_counts(summary)} ({plural(info.events, 'event')} recorded, "
            f"{summary.events} now)",
            file=sys.stderr,
        )
        return 0
    mismatch = comparator.finish()
    if mismatch is None:
        print(
            f"replay: identical to the recording ({plural(info.lines - 1, 'line')}: "
            f"{plural(info.inputs, 'input')}, {plural(info.events, 'event')}) on {build.label}",
            file=sys.stderr,
        )
        return 0
    if args.check and info.model != MODEL_VERSION:
        # Not a mismatch to report: the model changed on purpose since the recording.
        raise TraceError(
            f"{info.path}: recorded under model {info.model}, this mtasim runs model "
            f"{MODEL_VERSION}, and the outcome changed from line {mismatch.line} on "
            f"({MODEL_DOCS} says what changed); replay without --check to see what model "
            f"{MODEL_VERSION} does, or record it again"
        )
    print(
        f"replay: differs from the recording at line {mismatch.line}: expected "
        f"{_short(mismatch.expected)}, got {_short(mismatch.got)}",
        file=sys.stderr,
    )
    return EXIT_CHECK_FAILED if args.check else 0


def _short(line: str | None) -> str:
    if line is None:
        return "the end of the trace"
    return line if len(line) <= 160 else line[:157] + "..."
