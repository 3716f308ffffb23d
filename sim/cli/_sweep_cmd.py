"""``mtasim sweep``: one scenario over a grid of knob values, on one or more builds."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..app._atomic import install, partial_path
from ..app._sweep import (
    COLUMNS,
    Axis,
    Cell,
    SweepError,
    close_executor,
    cpu_count,
    make_executor,
    plan,
)
from ..core import EventId, Summary, resolve_build
from ..text._plural import plural
from ._common import (
    UsageError,
    add_scenario_arguments,
    check_distinct,
    check_writable,
    load,
    output,
)
from ._engine import add_engine_argument, say_once
from ._exit import interrupted_status
from ._limits import add_max_connections_argument, add_max_runs_argument, max_connections, max_runs
from ._progress import progress


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "sweep",
        description="Run a scenario over the grid of the --vary axes (first axis outermost), "
        "each point on both builds unless --build says otherwise, and write one CSV row per "
        "point, seed and build. Results do not depend on --jobs. Interrupted (Ctrl-C), the "
        "rows already finished go to FILE.partial and FILE is not touched.",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="KEY=START:STOP:STEPS",
        help="a swept key: STEPS evenly spaced values from START to STOP "
        "inclusive, e.g. winsock.response_timeout=1:30:30 (repeatable)",
    )
    parser.add_argument(
        "--build",
        default=None,
        metavar="NAMES",
        help="build(s) to run each point on, comma-separated (default: pre-fix,post-fix)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=1,
        metavar="N",
        help="run each point with N seeds: the scenario's seed and the N-1 after it (default 1)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help=f"worker processes (default 1; this machine has {cpu_count()} CPUs)",
    )
    parser.add_argument(
        "--executor",
        default=None,
        metavar="dask://HOST:PORT",
        help="run on an existing Dask cluster instead of local processes (needs the dask extra: "
        "pip install '.[dask]' from the mtasim checkout)",
    )
    parser.add_argument(
        "--output",
        "-o",
        default=None,
        metavar="FILE",
        help="write the CSV to FILE, complete or not at all; an interrupted sweep leaves its "
        "finished rows in FILE.partial (default: stdout)",
    )
    add_max_runs_argument(parser)
    add_max_connections_argument(parser)
    add_engine_argument(parser)
    parser.add_argument(
        "--plot",
        default=None,
        metavar="PNG",
        help="also draw the phase map of 4283s per connection over the first "
        "two axes (needs the plot extra: pip install '.[plot]' from the mtasim checkout)",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    scenario = load(args)
    axes = [Axis.parse(spec) for spec in args.vary]
    names = args.build.split(",") if args.build else ["pre-fix", "post-fix"]
    builds = [resolve_build(n.strip()) for n in names if n.strip()]
    if not builds:
        raise UsageError("--build names no build")
    if len({b.version for b in builds}) != len(builds):
        raise UsageError(f"--build names the same build twice: {args.build!r}")
    if args.plot is not None and len(axes) != 2:
        raise UsageError("--plot needs exactly two --vary axes (x, then y)")
    if args.plot is not None:
        from ..report._phase import require_matplotlib

        require_matplotlib()
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    to_file = args.output not in (None, "-")
    check_writable(args.output, "--output")
    # A file: the rows go to FILE.partial, put in place when the grid is complete. A device or
    # a FIFO is written as the rows come (never renamed over).
    partial = partial_path(args.output) if to_file else None
    check_writable(partial, "--output")
    check_writable(args.plot, "--plot")
    check_distinct(("--output", args.output), ("--plot", args.plot))
    grid = plan(
        scenario,
        axes,
        builds,
        seeds=args.seeds,
        max_runs=max_runs(args),
        max_connections=max_connections(args),
    )
    # Everything that can be wrong is checked before the first byte is written, the engine's
    # scope too (the fast engine computes the grid here).
    from ..app._fast_sweep import choose_engine, run_choice

    choice = choose_engine(grid, args.engine, say_once("sweep"))
    sums = None
    if args.plot is not None:
        from ..report._phase import PhaseSums

        sums = PhaseSums(axes[0], axes[1])
    alias = {b.version: b.alias for b in builds}
    written = 0
    stopped: BaseException | None = None
    executor = make_executor(args.jobs, args.executor)
    try:
        # To a file: the rows go to FILE.partial (written atomically, so it holds whole rows
        # only), renamed to FILE once the grid is complete. Stopped early, FILE.partial keeps
        # the finished rows and FILE is not touched.
        with output(partial if partial is not None else args.output) as out:
            writer = csv.writer(out, lineterminator="\n")

            def on_row(cell: Cell, summary: Summary) -> None:
                nonlocal written
                figures = summary.figures()
                writer.writerow(
                    [
                        *(v for _, v in cell.assignments),
                        cell.seed,
                        cell.build,
                        alias[cell.build],
                        *(figures[c] for c in COLUMNS),
                        f"{summary.per_connection(EventId.BAD_LPI):.6f}",
                    ]
                )
                written += 1
                if sums is not None:
                    sums.add(cell, summary)

            # From the header on, an interruption (or a failure) keeps what was written.
            try:
                writer.writerow(
                    [a.key for a in axes]
                    + ["seed", "build", "build_alias", *COLUMNS]
                    + [f"{int(EventId.BAD_LPI)}_per_connection"]
                )
                with progress("sweep", grid.total) as advance:
                    run_choice(
                        grid,
                        choice,
                        on_row,
                        jobs=args.jobs,
                        executor=executor,
                        on_progress=lambda done, _total: advance(done),
                    )
            except BaseException as exc:  # interrupted or failed: keep the finished rows
                stopped = exc
    finally:
        close_executor(executor, cancel=True)
    if stopped is not None:
        return _stopped(stopped, written, grid.total, args.output, partial)
    if args.output is not None and partial is not None:
        install(partial, args.output)
    if sums is not None:
        from ..report._phase import plot_phase_map

        try:
            plot_phase_map(sums.grid(scenario, builds), args.plot)
        except ValueError as exc:
            raise UsageError(f"--plot: {exc}") from None
        print(f"mtasim sweep: wrote {args.plot}", file=sys.stderr)
    return 0


def _stopped(
    exc: BaseException, written: int, total: int, target: str | None, partial: str | None
) -> int:
    """Say where the finished rows are; the exit status of an interruption, else raise."""
    if isinstance(exc, BrokenPipeError) and partial is None:
        raise exc  # the reader of stdout went away (| head): nobody to tell
    rows = f"{written:,} of {plural(total, 'row', digits=',')} finished"
    if partial is None:
        shown = "stdout" if target in (None, "-") else target
        where = f"written to {shown} (the CSV is partial)"
    else:
        exists = "the existing one is untouched" if os.path.exists(str(target)) else "not written"
        where = f"written to {partial} ({target}: {exists})"
    if isinstance(exc, KeyboardInterrupt):
        print(f"mtasim sweep: interrupted: {rows}, {where}", file=sys.stderr)
        return interrupted_status()
    print(f"mtasim sweep: stopped: {rows}, {where}", file=sys.stderr)
    if isinstance(exc, BrokenProcessPool):
        raise SweepError(f"a worker process died ({exc})") from None
    raise exc
