"""``mtasim hunt``: search for the smallest scenario that shows a behaviour."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import TYPE_CHECKING, Any

from ..app._limits import expected_connections
from ..core import EventId, resolve_build
from ..scenario import Scenario, to_toml
from ..testing._wants import WANTS
from ..text._plural import plural
from ._common import UsageError, build_help, check_writable, output
from ._exit import EXIT_CHECK_FAILED
from ._progress import progress

if TYPE_CHECKING:
    from ..testing._hunt import HuntProgress


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "hunt",
        description="Search generated scenarios with hypothesis for one that shows a behaviour "
        "on a build, shrink it to the smallest such scenario, and write it as a scenario file "
        "that 'mtasim run' reproduces. Exit 0 when found, 1 when not found within the budget.",
    )
    parser.add_argument(
        "--want",
        default=str(int(EventId.BAD_LPI)),
        choices=list(WANTS),
        help="the behaviour: "
        + "; ".join(f"{k}: {w.description}" for k, w in WANTS.items())
        + " (default 4283)",
    )
    parser.add_argument(
        "--build",
        default="pre-fix",
        metavar="NAME",
        help=f"build that must show it (default pre-fix): {build_help()}",
    )
    parser.add_argument(
        "--not-on",
        default=None,
        metavar="NAME",
        help="a build that must NOT show it on the same inputs",
    )
    parser.add_argument(
        "--output",
        "-o",
        default=None,
        metavar="FILE",
        help="write the scenario to FILE (default: stdout)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of the search (default 0): the same seed finds the same scenario",
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=2000,
        metavar="N",
        help="scenarios to try before giving up (default 2000)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="give up (or stop shrinking) after this long, within a second (default 60)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=20,
        metavar="N",
        help="at most N connections per generated scenario (default 20)",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from ..testing._hunt import hunt  # hypothesis: imported when a hunt runs

    build = resolve_build(args.build)
    not_on = resolve_build(args.not_on) if args.not_on is not None else None
    for name in ("max_examples", "max_connections"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    if args.time_limit <= 0:
        raise UsageError("--time-limit must be more than 0 seconds")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    check_writable(args.output, "--output")
    columns = ("best: {best}", "{left} left")
    with progress("hunt", args.max_examples, columns=columns, estimate=False) as advance:

        def on_progress(where: HuntProgress) -> None:
            best = "none yet" if where.best is None else _size(where.best)
            left = f"{max(0.0, where.seconds_left):.0f} s"
            stage = "hunt" if where.best is None else "shrink"
            advance(where.candidates, description=stage, best=best, left=left)

        result = hunt(
            args.want,
            build,
            not_on=not_on,
            seed=args.seed,
            max_examples=args.max_examples,
            time_limit=args.time_limit,
            max_connections=args.max_connections,
            on_progress=on_progress,
        )
    what = WANTS[args.want].description
    target = f"{what} on {build.label}" + (f" but not on {not_on.label}" if not_on else "")
    if result.scenario is None:
        reason = "time limit" if result.timed_out else plural(args.max_examples, "example")
        print(
            f"mtasim hunt: no scenario shows {target}: tried "
            f"{plural(result.candidates, 'scenario')} in {result.seconds:.1f} s (seed "
            f"{args.seed}, stopped by the {reason})",
            file=sys.stderr,
        )
        return EXIT_CHECK_FAILED
    scenario = result.scenario
    command = "mtasim hunt " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    text = to_toml(scenario, comment=f"{scenario.description}\nCommand: {command.strip()}")
    with output(args.output) as out:
        out.write(text)
    shrink = " (time limit reached while shrinking: smallest so far)" if result.timed_out else ""
    print(
        f"mtasim hunt: found {target} after {result.found_at} of "
        f"{plural(result.candidates, 'scenario')} tried in {result.seconds:.1f} s (seed "
        f"{args.seed}); shrunk to {_size(scenario)}{shrink}"
        + (f"; wrote {args.output}" if args.output else ""),
        file=sys.stderr,
    )
    return 0


def _size(scenario: Scenario) -> str:
    """``1 peer group, 1 connection``."""
    return (
        f"{plural(len(scenario.peers), 'peer group')}, "
        f"{plural(expected_connections(scenario), 'connection')}"
    )
