"""Bounds on the work one command may start: the connections of a run, the runs of a sweep.

Rules of this module:

* A scenario's expected number of connections is the sum of its peer groups' ``count`` (a run
  that stops at ``until`` may see fewer). It is known before anything runs, so a scenario
  that would run for days is refused in milliseconds, with the option that raises the cap.
* One check for every place a scenario runs: ``run``, ``compare``, ``report``, ``timeline``,
  ``demo`` and every point of ``sweep`` and ``phase-map`` call :func:`check_connections`;
  ``sweep`` and ``phase-map`` call :func:`check_runs` for the size of their grid.
* The defaults are documented in ``docs/commands.md`` ("Work that is bounded").
"""

from __future__ import annotations

from ..core import MtasimError
from ..scenario import FLOOD, Scenario
from ..text._plural import plural

#: ``--max-connections``: more than this many connections in one run are refused. At the
#: batch driver's 20,000 to 75,000 connections per second this is minutes; on the trio driver
#: (15,000 per second) about ten minutes.
DEFAULT_MAX_CONNECTIONS = 10_000_000

#: ``mtasim run`` says on stderr how many connections it expects from this many on.
ANNOUNCE_CONNECTIONS = 1_000_000

#: ``--max-runs``: a sweep or phase map of more runs (points x seeds x builds) is refused.
DEFAULT_MAX_RUNS = 100_000


class LimitError(MtasimError):
    """The work asked for is over a cap (exit 2; the message names the option that raises it)."""


def expected_connections(scenario: Scenario) -> int:
    """The connections the scenario's peer groups open (at most: ``until`` may stop it first)."""
    return sum(group.count for group in scenario.peers if group.kind != FLOOD)


def check_connections(count: int, limit: int = DEFAULT_MAX_CONNECTIONS, what: str = "") -> None:
    """Raise :class:`LimitError` when ``count`` connections are more than ``limit``."""
    if count > limit:
        subject = what or "the scenario"
        raise LimitError(
            f"{subject} has {plural(count, 'connection', digits=',')}, more than the "
            f"{limit:,} a run may have: --max-connections {count} runs it anyway"
        )


def check_runs(runs: int, limit: int = DEFAULT_MAX_RUNS) -> None:
    """Raise :class:`LimitError` when a grid of ``runs`` runs is more than ``limit``."""
    if runs > limit:
        raise LimitError(
            f"the grid has {plural(runs, 'run', digits=',')}, more than the {limit:,} a sweep "
            f"may have: --max-runs {runs} runs it anyway"
        )


def check_limit_option(value: int, option: str) -> None:
    """A cap given on the command line must be at least 1."""
    if value < 1:
        raise LimitError(f"{option} must be at least 1, got {value}")
