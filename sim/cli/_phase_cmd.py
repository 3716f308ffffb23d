"""``mtasim phase-map``: 4283s per connection over two knobs, one panel per build (PNG).

The grid is a sweep (``sim.app._sweep``: the same pool, the same bounds, ``--max-runs`` and
``--max-connections``); the picture is ``sim.report._phase``'s. The PNG is written atomically.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from ..text._plural import plural
from ._common import (
    UsageError,
    add_builds_argument,
    add_scenario_arguments,
    check_writable,
    load,
    parse_builds,
)
from ._engine import add_engine_argument, say_once
from ._limits import add_max_connections_argument, add_max_runs_argument, max_connections, max_runs
from ._progress import progress

DEFAULT_X = "winsock.response_timeout=1:40:40"
DEFAULT_Y = "mta.ok_delay=1:40:40"
#: ``--load``: the arrival rate across, the kernel's threads up, on every build, for a busy
#: scenario (heavy-load unless one is named).
LOAD_X = "peers.rate=0.25:3:12"
LOAD_Y = "mta.threads=1:8:8"
LOAD_SCENARIO = "heavy-load"
#: The --builds default as help shows it; resolved once --load is known.
BUILDS_DEFAULT = "pre-fix,post-fix; with --load: all"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "phase-map",
        description="Run the scenario over a grid of two knobs (default: the Winsock response "
        "timeout and the kernel's OK delay, 1 to 40 s) on each build, and draw a heatmap of "
        "event 4283 per connection, one panel per build, the scenario's own point marked. "
        "Needs matplotlib: pip install '.[plot]' from the mtasim checkout.",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--load",
        action="store_true",
        help=f"the map of a busy server: arrival rate across ({LOAD_X}), kernel threads up "
        f"({LOAD_Y}), on every build, for {LOAD_SCENARIO} unless a scenario is named; the "
        "line where arrivals equal the kernel's capacity is drawn",
    )
    parser.add_argument(
        "--x",
        default=None,
        metavar="KEY=START:STOP:STEPS",
        help=f"the knob across (default: {DEFAULT_X})",
    )
    parser.add_argument(
        "--y",
        default=None,
        metavar="KEY=START:STOP:STEPS",
        help=f"the knob up (default: {DEFAULT_Y})",
    )
    add_builds_argument(parser, BUILDS_DEFAULT)
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
    add_max_runs_argument(parser)
    add_max_connections_argument(parser)
    add_engine_argument(parser)
    parser.set_defaults(handler=phase_map_main)


def phase_map_main(args: argparse.Namespace) -> int:
    from ..app._sweep import Axis, SweepError, close_executor, make_executor, plan
    from ..report._phase import phase_grid, plot_phase_map, require_matplotlib

    require_matplotlib()
    load_preset = bool(args.load)
    if load_preset and args.scenario is None:
        args.scenario = LOAD_SCENARIO
    x_text = args.x if args.x is not None else LOAD_X if load_preset else DEFAULT_X
    y_text = args.y if args.y is not None else LOAD_Y if load_preset else DEFAULT_Y
    if args.builds == BUILDS_DEFAULT:
        args.builds = "all" if load_preset else "pre-fix,post-fix"
    axes: list[Axis] = []
    for option, text in (("--x", x_text), ("--y", y_text)):
        try:
            axes.append(Axis.parse(text))
        except SweepError as exc:
            raise UsageError(f"{option}: {str(exc).replace('--vary ', '')}") from None
    x, y = axes
    if x.key == y.key:
        raise UsageError(f"--x and --y sweep the same key {x.key!r}")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    builds = parse_builds(args.builds)
    if args.output == "-":
        raise UsageError("--output: a PNG needs a file name")
    check_writable(args.output, "--output")
    base = load(args)
    # The grid's bounds and values are checked before any worker starts.
    plan(base, [y, x], builds, max_runs=max_runs(args), max_connections=max_connections(args))
    executor = make_executor(args.jobs, None)
    points = len(x.values) * len(y.values)
    try:
        with progress("phase map", points * len(builds)) as advance:
            started, cpu = time.perf_counter(), time.process_time()
            ran_on: list[str] = []
            grid = phase_grid(
                base,
                x,
                y,
                builds,
                jobs=args.jobs,
                executor=executor,
                progress=lambda done, _total: advance(done),
                max_runs=max_runs(args),
                max_connections=max_connections(args),
                engine=args.engine,
                say=say_once("phase-map"),
                ran_on=ran_on.append,
            )
            used = ran_on[0]
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        close_executor(executor, cancel=True)
    print(
        f"mtasim phase-map: model time: {elapsed:.2f} s for {plural(points, 'point', digits=',')}"
        f" x {plural(len(builds), 'build')} ({used} engine; CPU {cpu:.2f} s in this process)",
        file=sys.stderr,
    )
    try:
        plot_phase_map(grid, args.output)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    cells = sum(1 for panel in grid.counts for row in panel for v in row if v > 0)
    print(
        f"mtasim phase-map: wrote {args.output} ({len(x.values)} x {len(y.values)} "
        f"{'cell' if len(x.values) * len(y.values) == 1 else 'cells'} on "
        f"{plural(len(builds), 'build')}; {plural(cells, 'cell')} "
        f"log{'s' if cells == 1 else ''} 4283)",
        file=sys.stderr,
    )
    return 0
