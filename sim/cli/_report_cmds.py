"""``mtasim timeline``, ``demo``, ``report`` and ``phase-map``: the race as pictures.

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
from typing import Any

from rich.console import Console

from ..core import Build, Lpi, resolve_build
from ..report import (
    RunLog,
    capture,
    conn_for_lpi,
    connections,
    default_conn,
    interesting_conns,
    lpis,
    sequence,
)
from ._common import (
    UsageError,
    add_build_argument,
    add_driver_argument,
    add_scenario_arguments,
    check_writable,
    load,
    output,
)
from ._exit import interrupted_status
from ._progress import progress

DEFAULT_X = "winsock.response_timeout=1:40:40"
DEFAULT_Y = "mta.ok_delay=1:40:40"


def register(commands: Any) -> None:
    _register_timeline(commands)
    _register_demo(commands)
    _register_report(commands)
    _register_phase_map(commands)


# -- shared options ---------------------------------------------------------------------------
def _add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--lpi",
        default=None,
        metavar="N-N-N",
        help="the connection with this LPI, e.g. 1-15-12 (the first that used it; default: "
        "the first connection that logged a 4283, else the first connection)",
    )
    choice.add_argument(
        "--conn",
        type=int,
        default=None,
        metavar="N",
        help="the connection with this number (0 is the first to arrive)",
    )


def _add_builds_argument(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--builds",
        default=default,
        metavar="A,B[,C...]",
        help=f"builds to show, by version or alias (default: {default})",
    )


def _builds(text: str) -> list[Build]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"--builds names no build: {text!r}")
    builds = [resolve_build(n) for n in names]
    if len({b.version for b in builds}) != len(builds):
        raise UsageError(f"--builds names the same build twice: {text!r}")
    return builds


def _pick(log: RunLog, lpi_text: str | None, conn: int | None) -> int:
    """The connection chosen by --lpi/--conn, or the default one."""
    if lpi_text is not None:
        try:
            lpi = Lpi.parse(lpi_text)
        except ValueError as exc:
            raise UsageError(f"--lpi: {exc}") from None
        found = conn_for_lpi(log, lpi)
        if found is None:
            seen = ", ".join(str(x) for x in lpis(log)[:12]) or "none"
            raise UsageError(
                f"--lpi {lpi}: no connection used it on {log.build.alias} (LPIs: {seen})"
            )
        return found
    if conn is not None:
        if conn not in set(connections(log)):
            count = len(connections(log))
            raise UsageError(f"--conn {conn}: the run has connections 0 to {count - 1}")
        return conn
    chosen = default_conn(log)
    if chosen is None:
        raise UsageError(f"scenario {log.name} has no connection")
    return chosen


def _ascii(args: argparse.Namespace) -> bool:
    return bool(args.ascii) or not sys.stdout.isatty()


def _console(ascii_only: bool) -> Console:
    return Console(
        file=sys.stdout,
        highlight=False,
        emoji=False,
        no_color=ascii_only,
        width=None if sys.stdout.isatty() else 80,
    )


# -- timeline ---------------------------------------------------------------------------------
def _register_timeline(commands: Any) -> None:
    parser = commands.add_parser(
        "timeline",
        help="draw one connection as a sequence diagram in the terminal",
        description="Draw one connection's life as a sequence diagram (remote peer, Winsock "
        "layer, NSI/POP4, MTA kernel): each message with its virtual and wall-clock time, the "
        "Winsock response timer as a bar, the events where they are logged, the side that "
        "lost the race marked. 80 columns; plain ASCII when the output is not a terminal.",
    )
    add_scenario_arguments(parser)
    add_build_argument(parser, "the scenario's")
    _add_connection_arguments(parser)
    parser.add_argument(
        "--ascii", action="store_true", help="plain ASCII, no colours (default when piped)"
    )
    add_driver_argument(parser)
    parser.set_defaults(handler=timeline_main)


def timeline_main(args: argparse.Namespace) -> int:
    from ..report._timeline import timeline_lines

    scenario = load(args)
    log = capture(scenario, args.build, driver=args.driver)
    seq = sequence(log, _pick(log, args.lpi, args.conn))
    ascii_only = _ascii(args)
    lines = timeline_lines(seq, ascii_only=ascii_only)
    if ascii_only:
        sys.stdout.write("".join(line.plain + "\n" for line in lines))
        sys.stdout.flush()
        return 0
    console = _console(False)
    for line in lines:
        console.print(line, crop=True, overflow="crop", no_wrap=True)
    return 0


# -- demo -------------------------------------------------------------------------------------
def _register_demo(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="a guided, narrated walkthrough of the KB case, pre-fix then post-fix",
        description="Walk through the KB Q319936 case step by step with a sentence or two "
        "of narration per step: first on the pre-fix build, then the same inputs on the "
        "post-fix build, then the difference. Waits for Enter between steps.",
    )
    add_scenario_arguments(parser)
    _add_builds_argument(parser, "pre-fix,post-fix")
    _add_connection_arguments(parser)
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
    parser.add_argument(
        "--ascii", action="store_true", help="plain ASCII, no colours (default when piped)"
    )
    parser.set_defaults(handler=demo_main)


def demo_main(args: argparse.Namespace) -> int:
    from ..report._demo import demo_steps, present

    if args.pace is not None and not args.pace >= 0:
        raise UsageError(f"--pace must be 0 or more seconds, got {args.pace}")
    scenario = load(args)
    builds = _builds(args.builds)
    first = capture(scenario, builds[0])
    conn = _pick(first, args.lpi, args.conn)
    ascii_only = _ascii(args)
    steps = demo_steps(scenario, builds, conn=conn, ascii_only=ascii_only)
    console = _console(ascii_only)
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
            console.input(f"[dim]step {done}/{total}: Enter for the next one, Ctrl-C to stop[/]")
        except EOFError:
            state["eof"] = True  # stdin closed: run straight through
            console.print()

    return enter


# -- report -----------------------------------------------------------------------------------
def _register_report(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="write a self-contained HTML report with SVG sequence diagrams",
        description="Write one self-contained HTML file (inline CSS and SVG, no scripts, "
        "nothing fetched): the scenario, a sequence diagram per connection of interest on "
        "each build with the race highlighted, the builds compared on identical inputs, and "
        "the event log in EV0 and Event Viewer forms.",
    )
    add_scenario_arguments(parser)
    _add_builds_argument(parser, "pre-fix,post-fix")
    _add_connection_arguments(parser)
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
    parser.set_defaults(handler=report_main)


def report_main(args: argparse.Namespace) -> int:
    from ..report._html import report_html

    if args.events < 0:
        raise UsageError(f"--events must be 0 or more, got {args.events}")
    scenario = load(args)
    builds = _builds(args.builds)
    check_writable(args.output, "--output")
    runs = [capture(scenario, b, driver=args.driver) for b in builds]
    if args.lpi is None and args.conn is None:
        conns = interesting_conns(runs[0])
        if not conns:
            raise UsageError(f"scenario {runs[0].name} has no connection")
    else:
        conns = [_pick(runs[0], args.lpi, args.conn)]
    page = report_html(runs, conns, events_limit=args.events)
    with output(args.output) as out:
        out.write(page)
    if args.output not in (None, "-"):
        print(f"mtasim report: wrote {args.output}", file=sys.stderr)
    return 0


# -- phase map --------------------------------------------------------------------------------
def _register_phase_map(commands: Any) -> None:
    parser = commands.add_parser(
        "phase-map",
        help="plot 4283s per connection over two knobs, one panel per build (PNG)",
        description="Run the scenario over a grid of two knobs (default: the Winsock response "
        "timeout and the kernel's OK delay, 1 to 40 s) on each build, and draw a heatmap of "
        "event 4283 per connection, one panel per build, the scenario's own point marked. "
        "Needs matplotlib: pip install 'mtasim[plot]'.",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--x",
        default=DEFAULT_X,
        metavar="KEY=START:STOP:STEPS",
        help=f"the knob across (default: {DEFAULT_X})",
    )
    parser.add_argument(
        "--y",
        default=DEFAULT_Y,
        metavar="KEY=START:STOP:STEPS",
        help=f"the knob up (default: {DEFAULT_Y})",
    )
    _add_builds_argument(parser, "pre-fix,post-fix")
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default="phase.png",
        help="the PNG to write, atomically (default: phase.png)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default 1); the map does not depend on it",
    )
    parser.set_defaults(handler=phase_map_main)


def phase_map_main(args: argparse.Namespace) -> int:
    from .._sweep import Axis, SweepError, close_executor, make_executor
    from ..report._phase import phase_grid, plot_phase_map, require_matplotlib

    require_matplotlib()
    axes: list[Axis] = []
    for option, text in (("--x", args.x), ("--y", args.y)):
        try:
            axes.append(Axis.parse(text))
        except SweepError as exc:
            raise UsageError(f"{option}: {str(exc).replace('--vary ', '')}") from None
    x, y = axes
    if x.key == y.key:
        raise UsageError(f"--x and --y sweep the same key {x.key!r}")
    if len(x.values) * len(y.values) > 100_000:
        raise UsageError(f"the grid has {len(x.values) * len(y.values)} cells; at most 100000")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    builds = _builds(args.builds)
    if args.output == "-":
        raise UsageError("--output: a PNG needs a file name")
    check_writable(args.output, "--output")
    base = load(args)
    executor = make_executor(args.jobs, None)
    try:
        with progress("phase map", len(x.values) * len(y.values) * len(builds)) as advance:
            grid = phase_grid(
                base,
                x,
                y,
                builds,
                jobs=args.jobs,
                executor=executor,
                progress=lambda done, _total: advance(done),
            )
    finally:
        close_executor(executor, cancel=True)
    try:
        plot_phase_map(grid, args.output)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    cells = sum(1 for panel in grid.counts for row in panel for v in row if v > 0)
    print(
        f"mtasim phase-map: wrote {args.output} ({len(x.values)} x {len(y.values)} cells on "
        f"{len(builds)} builds; {cells} cells log 4283)",
        file=sys.stderr,
    )
    return 0
