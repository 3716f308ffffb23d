"""The sweep engine: a grid's rows from one recursion over all its points at once, when every
point is in its scope; the core otherwise.

Rules of this module:

* ``engine``: ``core`` runs every point on the core (``sim.app._sweep.execute``); ``fast``
  runs the grid on the engine (``sim.app._fast_lanes``, numpy) or refuses it with the reason
  (:class:`EngineRefused`, exit status 2), before any row is handed over; ``auto`` (the
  commands' default) is ``fast`` when every point is in scope and numpy is installed, else
  the core, and says why in one line (``say``).
* The scope is ``sim.app._fast_scope``'s (the proof, a whitelist). A point is checked as the
  core would run it: the same validated scenario (``sim.app._sweep.points``), the same
  ``ModelConfig``, the same draws (``sim.scenario.arrivals``, once for all the points whose
  draws are the same: :data:`~sim.app._fast_scope.DRAW_KEYS`), each build's policy read from
  the core.
* The engine computes the whole grid before it hands over the first row (so a grid it cannot
  finish is refused or given to the core whole), then hands the rows over in index order, as
  the core does: the CSV bytes do not depend on the engine.
* numpy is an optional extra (``pip install '.[fast]'``); nothing here imports it at module
  level.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable, Hashable
from concurrent import futures
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core import MICROS_PER_SECOND, LoggingLevel, ModelConfig, Summary, resolve_build
from ..scenario import Scenario, ScenarioError, arrivals, latest, model_config, room
from ._axis import SweepError
from ._engines import ENGINES, INSTALL
from ._fast_scope import OutOfScope, Policy, draw_key, model_problem, point_problem, policy
from ._sweep import Cell, SweepPlan, execute, points

if TYPE_CHECKING:
    from ._fast_lanes import Draw, Lane

#: Cells planned and run together: a bounded share of the grid in memory at a time.
BATCH = 4096


class EngineRefused(SweepError):
    """``--engine fast`` for a grid the engine cannot run."""


def numpy_available() -> bool:
    """numpy can be imported (the engine's extra is installed)."""
    return importlib.util.find_spec("numpy") is not None


@dataclass(frozen=True, slots=True)
class Choice:
    """Which engine runs a grid: ``"fast"`` with the grid's rows (already computed, in index
    order), or ``"core"``."""

    engine: str
    rows: tuple[tuple[Cell, Summary], ...] = ()


def choose_engine(
    sweep_plan: SweepPlan, engine: str = "auto", say: Callable[[str], None] | None = None
) -> Choice:
    """Decide who runs the grid (see the module's rules): for ``fast`` and ``auto`` the engine
    computes the grid now. Raises :class:`EngineRefused` for ``fast`` out of scope; ``auto``
    out of scope says why (``say``) and chooses the core."""
    if engine not in ENGINES:
        raise SweepError(f"--engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "core":
        return Choice("core")
    rows = fast_rows(sweep_plan) if numpy_available() else f"numpy is not installed ({INSTALL})"
    if not isinstance(rows, str):
        return Choice("fast", tuple(rows))
    if engine == "fast":
        raise EngineRefused(f"--engine fast: {rows}")
    if say is not None:
        say(f"the core runs this grid, not the fast engine: {rows}")
    return Choice("core")


def run_choice(
    sweep_plan: SweepPlan,
    choice: Choice,
    on_row: Callable[[Cell, Summary], None],
    *,
    jobs: int = 1,
    executor: futures.Executor | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Hand over the grid's rows in index order: the engine's, or the core's as it runs."""
    if choice.engine == "core":
        execute(sweep_plan, on_row, jobs=jobs, executor=executor, on_progress=on_progress)
        return
    for done, (cell, summary) in enumerate(choice.rows, 1):
        on_row(cell, summary)
        if on_progress is not None and (done % BATCH == 0 or done == len(choice.rows)):
            on_progress(done, sweep_plan.total)


def execute_engine(
    sweep_plan: SweepPlan,
    on_row: Callable[[Cell, Summary], None],
    *,
    engine: str = "auto",
    jobs: int = 1,
    executor: futures.Executor | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    say: Callable[[str], None] | None = None,
) -> str:
    """:func:`choose_engine` then :func:`run_choice`; returns the engine that ran the grid."""
    choice = choose_engine(sweep_plan, engine, say)
    run_choice(sweep_plan, choice, on_row, jobs=jobs, executor=executor, on_progress=on_progress)
    return choice.engine


def fast_rows(sweep_plan: SweepPlan) -> list[tuple[Cell, Summary]] | str:
    """Every row of the grid from the engine, in index order; or why it is out of scope."""
    from ._fast_lanes import run_lanes

    problem = model_problem()
    if problem is not None:
        return problem
    planner = _Planner()
    rows: list[tuple[Cell, Summary]] = []
    cells = sweep_plan.cells()
    for batch in iter(lambda: list(itertools.islice(cells, BATCH)), []):
        lanes = []
        for cell, scenario in points(sweep_plan.base, batch):
            lane = planner.lane(cell, scenario)
            if isinstance(lane, str):
                return f"{_point_name(cell)}: {lane}"
            lanes.append(lane)
        for cell, outcome in zip(batch, run_lanes(lanes), strict=True):
            if outcome.summary is None:
                return f"{_point_name(cell)} on {cell.build}: {outcome.problem}"
            rows.append((cell, outcome.summary))
    return rows


def _point_name(cell: Cell) -> str:
    values = ", ".join(f"{k}={v}" for k, v in cell.assignments)
    return f"the point {values}" if values else "the scenario"


class _Planner:
    """Each cell's lane: its point checked and drawn (once per draw), its build's policy."""

    def __init__(self) -> None:
        self._draws: dict[Hashable, Draw | str] = {}
        self._policies: dict[tuple[str, LoggingLevel], Policy | str] = {}
        self._last: tuple[Scenario, Draw | str, ModelConfig] | None = None

    def lane(self, cell: Cell, scenario: Scenario) -> Lane | str:
        from ._fast_lanes import Lane

        if self._last is None or self._last[0] is not scenario:
            self._last = (scenario, *self._point(scenario))
        _, found, config = self._last
        if isinstance(found, str):
            return found
        rules = self._policy(cell.build, config.logging)
        if isinstance(rules, str):
            return rules
        return Lane(
            found,
            config.response_timeout,
            config.accept_time,
            config.threads,
            config.backlog,
            config.control_blocks - 1 - config.open_associations,
            config.open_associations,
            rules,
        )

    def _point(self, scenario: Scenario) -> tuple[Draw | str, ModelConfig]:
        """The point's draw (or why it is out of scope) and its model configuration."""
        config = model_config(scenario)
        problem = point_problem(scenario, config)
        if problem is not None:
            return problem, config
        key = draw_key(scenario)
        draw = self._draws.get(key)
        if draw is None:
            draw = self._draws[key] = self._draw(scenario)
        if isinstance(draw, str):
            return draw, config
        last = int(draw.arrival[-1]) if len(draw.arrival) else 0
        if last + latest(scenario) + 2 * MICROS_PER_SECOND > room(scenario.epoch):
            return "its arrivals come near the last instant a timestamp can show", config
        return draw, config

    @staticmethod
    def _draw(scenario: Scenario) -> Draw | str:
        from ._fast_lanes import Draw

        try:
            return Draw.of(list(arrivals(scenario)))
        except (ScenarioError, ValueError) as exc:
            return f"its arrivals cannot be drawn ({str(exc).splitlines()[0][:120]})"

    def _policy(self, version: str, level: LoggingLevel) -> Policy | str:
        key = (version, level)
        found = self._policies.get(key)
        if found is None:
            build = resolve_build(version)
            try:
                found = policy(build, level)
            except OutOfScope as exc:
                found = f"the build {build.alias}: {exc}"
            self._policies[key] = found
        return found
