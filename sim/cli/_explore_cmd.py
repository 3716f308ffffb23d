"""``mtasim explore``: one self-contained HTML page where a trainer moves sliders over a grid
of two knobs and toggles the build, and sees the connection's diagram, its EV0 text and the
phase map with a crosshair at the point. Every state is computed by the model (a sweep,
``sim.report._explore``) when the page is written; the page is written atomically."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..text._plural import plural
from ._common import (
    UsageError,
    add_builds_argument,
    add_scenario_arguments,
    check_writable,
    load,
    output,
    parse_builds,
)
from ._limits import add_max_connections_argument, add_max_runs_argument, max_connections, max_runs
from ._progress import progress

DEFAULT_VARY = ("winsock.response_timeout=1:60:60", "mta.ok_delay=0:60:61")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "explore",
        description="Run the scenario at every point of a grid of two knobs on each build "
        "(default: the Winsock response timeout 1-60 s and the kernel's OK delay 0-60 s, in "
        "1 s steps) and write one self-contained HTML page: sliders and a build toggle pick a "
        "point; the page shows the sequence diagram of the connection, the events it logged in "
        "EV0 form and the phase map with a crosshair. The state lives in the URL hash, e.g. "
        "#response_timeout=21&ok_delay=30&build=pre-fix. Needs matplotlib (the phase map).",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--vary",
        action="append",
        default=None,
        metavar="KEY=START:STOP:STEPS",
        help="a knob and its grid, twice (across, then up); default: "
        + " ".join(f"--vary {v}" for v in DEFAULT_VARY),
    )
    parser.add_argument(
        "--conn",
        type=int,
        default=None,
        metavar="N",
        help="the connection to show (default: at each point, the first that raced)",
    )
    add_builds_argument(parser, "pre-fix,post-fix")
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default="explore.html",
        help="the page to write, atomically (default: explore.html)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: the CPUs, at most 4); the page does not depend on it",
    )
    add_max_runs_argument(parser)
    add_max_connections_argument(parser)
    parser.set_defaults(handler=explore_main)


def explore_main(args: argparse.Namespace) -> int:
    from ..app._sweep import Axis, SweepError, close_executor, cpu_count, make_executor, plan
    from ..report._explore import explore
    from ..report._explore_page import explore_html
    from ..report._phase import require_matplotlib

    require_matplotlib()
    specs = args.vary if args.vary is not None else list(DEFAULT_VARY)
    if len(specs) != 2:
        raise UsageError(f"--vary: give two knobs (across, then up), got {len(specs)}")
    try:
        x, y = (Axis.parse(spec) for spec in specs)
    except SweepError as exc:
        raise UsageError(str(exc)) from None
    if x.key == y.key:
        raise UsageError(f"--vary: the same key {x.key!r} twice")
    if args.conn is not None and args.conn < 0:
        raise UsageError(f"--conn must be 0 or more, got {args.conn}")
    jobs = args.jobs if args.jobs is not None else min(4, cpu_count())
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    builds = parse_builds(args.builds)
    if args.output == "-":
        raise UsageError("--output: give a file name")
    check_writable(args.output, "--output")
    base = load(args)
    # The grid's bounds and values are checked before any worker starts.
    plan(base, [x, y], builds, max_runs=max_runs(args), max_connections=max_connections(args))
    total = len(x.values) * len(y.values) * len(builds)
    executor = make_executor(jobs, None) if jobs > 1 else None
    try:
        with progress("explore", total) as advance:
            exploration = explore(
                base,
                (x, y),
                builds,
                conn=args.conn,
                jobs=jobs,
                executor=executor,
                progress=lambda done, _total: advance(done),
                max_runs=max_runs(args),
                max_connections=max_connections(args),
            )
    finally:
        if executor is not None:
            close_executor(executor, cancel=True)
    page = explore_html(exploration)
    with output(args.output) as out:
        out.write(page)
    size = len(page.encode("utf-8"))
    print(
        f"mtasim explore: wrote {args.output} ({size / 1e6:.1f} MB): "
        f"{plural(len(exploration.states), 'state')} ({len(x.values)} x {len(y.values)} "
        f"points on {plural(len(builds), 'build')}) computed in {exploration.seconds:.1f} s",
        file=sys.stderr,
    )
    return 0
