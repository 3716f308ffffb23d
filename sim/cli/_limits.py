"""The caps on work, as options: ``--max-connections`` for every command that runs a
scenario, ``--max-runs`` for the grids (``sweep``, ``phase-map``). The checks themselves are
``sim.app._limits``; every command calls :func:`load_bounded` (or passes the options on to
``sim.app._sweep.plan``), so there is one check, not one per command."""

from __future__ import annotations

import argparse
import sys

from ..app._limits import (
    ANNOUNCE_CONNECTIONS,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RUNS,
    check_connections,
    check_limit_option,
    expected_connections,
)
from ..scenario import Scenario
from ..text._plural import plural
from ._common import load


def add_max_connections_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="refuse a scenario (in a grid: its largest point) of more than N connections "
        f"(default {DEFAULT_MAX_CONNECTIONS:,}; see docs/commands.md)",
    )


def add_max_runs_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-runs",
        type=int,
        default=DEFAULT_MAX_RUNS,
        metavar="N",
        help=f"refuse a grid of more than N runs, points x seeds x builds (default "
        f"{DEFAULT_MAX_RUNS:,}; see docs/commands.md)",
    )


def max_connections(args: argparse.Namespace) -> int:
    limit: int = args.max_connections
    check_limit_option(limit, "--max-connections")
    return limit


def max_runs(args: argparse.Namespace) -> int:
    limit: int = args.max_runs
    check_limit_option(limit, "--max-runs")
    return limit


def load_bounded(args: argparse.Namespace, spec: str | None = None) -> Scenario:
    """:func:`~._common.load`, then refuse it if it has more than ``--max-connections``."""
    limit = max_connections(args)
    scenario = load(args, spec)
    origin = scenario.origin
    where = scenario.name if origin.startswith("<") else origin
    check_connections(expected_connections(scenario), limit, f"the scenario {where}")
    return scenario


def announce_connections(command: str, scenario: Scenario) -> None:
    """One line on stderr when a run is large enough to take a while (nothing otherwise)."""
    count = expected_connections(scenario)
    if count >= ANNOUNCE_CONNECTIONS:
        print(
            f"mtasim {command}: {plural(count, 'connection', digits=',')} to run",
            file=sys.stderr,
            flush=True,
        )
