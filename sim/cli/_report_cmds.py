"""``mtasim timeline``, ``demo`` and ``report``: the race as pictures (``phase-map``, ``explore``
and ``animate`` have modules of their own).

Rules of this module (as for every command, ``_app.py``): exit 2 with one line on stderr for
bad usage, never a traceback; output files are written atomically (HTML through
``_common.output``, PNG through a temporary file renamed into place), so a failed or
interrupted command leaves no partial file. The pictures themselves are made by
``sim.report``; this module only parses, runs and writes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._common import (
    UsageError,
    add_build_argument,
    add_builds_argument,
    add_driver_argument,
    add_scenario_arguments,
    check_writable,
    output,
    parse_builds,
)
from ._connection_args import add_connection_arguments, pick_connection
from ._console import add_color_argument, make_console, wants_color
from ._exit import interrupted_status
from ._limits import add_max_connections_argument, load_bounded

if TYPE_CHECKING:
    from rich.console import Console


def register(commands: Any) -> None:
    _register_timeline(commands)
    _register_demo(commands)
    _register_report(commands)


def _ascii(args: argparse.Namespace) -> bool:
    return bool(args.ascii) or not sys.stdout.isatty()


def _color(args: argparse.Namespace) -> str:
    """``--color``; ``--ascii`` alone also means no colour (as it always has)."""
    color: str = args.color
    return "never" if args.ascii and color == "auto" else color


def _add_look_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ascii",
        action="store_true",
        help="ASCII glyphs, no colour unless --color always (default when piped)",
    )
    add_color_argument(parser)


# -- timeline ---------------------------------------------------------------------------------
def _register_timeline(commands: Any) -> None:
    parser = commands.add_parser(
        "timeline",
        description="Draw one connection's life as a sequence diagram (remote peer, Winsock "
        "layer, NSI/POP4, MTA kernel): each message with its virtual and wall-clock time, the "
        "Winsock response timer as a bar, the events where they are logged, the side that "
        "lost the race marked. 80 columns; plain ASCII when the output is not a terminal.",
    )
    add_scenario_arguments(parser)
    add_build_argument(parser, "the scenario's")
    add_connection_arguments(parser)
    _add_look_arguments(parser)
    add_driver_argument(parser)
    add_max_connections_argument(parser)
    parser.set_defaults(handler=timeline_main)


def timeline_main(args: argparse.Namespace) -> int:
    from ..report import capture, sequence
    from ..report._timeline import timeline_lines

    scenario = load_bounded(args)
    log = capture(scenario, args.build, driver=args.driver)
    seq = sequence(log, pick_connection(log, args.lpi, args.conn))
    ascii_only = _ascii(args)
    lines = timeline_lines(seq, ascii_only=ascii_only)
    color = _color(args)
    if ascii_only and not wants_color(sys.stdout, color):
        sys.stdout.write("".join(line.plain + "\n" for line in lines))
        sys.stdout.flush()
        return 0
    console = make_console(sys.stdout, color)
    for line in lines:
        console.print(line, crop=True, overflow="crop", no_wrap=True)
    return 0


# -- demo -------------------------------------------------------------------------------------
def _register_demo(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        description="Walk through the KB Q319936 case step by step with a sentence or two "
        "of narration per step: first on the pre-fix build, then the same inputs on the "
        "post-fix build, then the difference. Waits for Enter between steps.",
    )
    add_scenario_arguments(parser)
    add_builds_argument(parser, "pre-fix,post-fix")
    add_connection_arguments(parser)
    pacing = parser.add_mutually_exclusive_group()
    pacing.add_argument(
        "--pace",
        type=float,
        default=None,
        metavar="SECONDS",
        help="advance on its own after SECONDS instead of waiting for Enter",
    )
    pacing.add_argument(
        "--no-pause", action="store_true", help="run straight through (for scripts and tests)"
    )
    _add_look_arguments(parser)
    add_max_connections_argument(parser)
    parser.set_defaults(handler=demo_main)


def demo_main(args: argparse.Namespace) -> int:
    from ..report import capture
    from ..report._demo import demo_steps, present

    if args.pace is not None and not args.pace >= 0:
        raise UsageError(f"--pace must be 0 or more seconds, got {args.pace}")
    scenario = load_bounded(args)
    builds = parse_builds(args.builds)
    first = capture(scenario, builds[0])
    conn = pick_connection(first, args.lpi, args.conn)
    ascii_only = _ascii(args)
    steps = demo_steps(scenario, builds, conn=conn, ascii_only=ascii_only)
    console = make_console(sys.stdout, _color(args))
    pause = _pauser(args, console)
    try:
        present(steps, console, pause, ascii_only=ascii_only)
    except KeyboardInterrupt:
        print("mtasim demo: interrupted", file=sys.stderr)
        return interrupted_status()
    return 0


def _pauser(args: argparse.Namespace, console: Console) -> Callable[[int, int], None] | None:
    if args.no_pause:
        return None
    if args.pace is not None:
        pace: float = args.pace

        def wait(done: int, total: int) -> None:
            time.sleep(pace)

        return wait
    state = {"eof": False}

    def enter(done: int, total: int) -> None:
        if state["eof"]:
            return
        try:
            console.input("[dim]Enter for the next step, Ctrl-C to stop[/]")
        except EOFError:
            state["eof"] = True  # stdin closed: run straight through
            console.print()

    return enter


# -- report -----------------------------------------------------------------------------------
def _register_report(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        description="Write one self-contained HTML file (inline CSS and SVG, no scripts, "
        "nothing fetched): the scenario, a sequence diagram per connection of interest on "
        "each build with the race highlighted, the builds compared on identical inputs, and "
        "the event log in EV0 and Event Viewer forms.",
    )
    add_scenario_arguments(parser)
    add_builds_argument(parser, "pre-fix,post-fix")
    add_connection_arguments(parser)
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default=None,
        help="write the report to FILE (atomically) instead of stdout",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=50,
        metavar="N",
        help="show at most N events of each build's log (default 50; 0: all)",
    )
    add_driver_argument(parser)
    add_max_connections_argument(parser)
    parser.set_defaults(handler=report_main)


def report_main(args: argparse.Namespace) -> int:
    from ..report import capture, interesting_conns
    from ..report._html import report_html

    if args.events < 0:
        raise UsageError(f"--events must be 0 or more, got {args.events}")
    scenario = load_bounded(args)
    builds = parse_builds(args.builds)
    check_writable(args.output, "--output")
    runs = [capture(scenario, b, driver=args.driver) for b in builds]
    if args.lpi is None and args.conn is None:
        conns = interesting_conns(runs[0])
        if not conns:
            raise UsageError(f"scenario {runs[0].name} has no connection")
    else:
        conns = [pick_connection(runs[0], args.lpi, args.conn)]
    page = report_html(runs, conns, events_limit=args.events)
    with output(args.output) as out:
        out.write(page)
    if args.output not in (None, "-"):
        print(f"mtasim report: wrote {args.output}", file=sys.stderr)
    return 0
