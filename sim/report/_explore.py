"""The explorer's states: every point of a grid on every build, computed by the model.

Rules of this module:

* The grid is a sweep (``sim.app._sweep``: :func:`~sim.app._sweep.plan` checks its bounds and
  points, :func:`~sim.app._sweep.execute_cells` runs it, in worker processes with ``--jobs``).
  Each cell is one run of the point's scenario on one build, captured
  (:func:`~sim.report.capture`), and gives one :class:`ExploreState`: the sequence diagram of
  the connection shown (in the SVG module's pieces, so that the page keeps each piece once),
  the EV0 text of the events that connection logged (``sim.render``, as ``mtasim run``
  prints them), the race's caption and the run's 4283 per connection.
* The connection shown: ``conn`` when given, else the first that got a Close Request while
  its OK response was pending (the first that raced), else the first 4283, else the first.
* Nothing here knows HTML: :mod:`._explore_page` writes the page.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from ..app._limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RUNS
from ..app._sweep import Axis, Cell, execute_cells, plan, points
from ..core import Build, EventId, Tone
from ..render import render
from ..scenario import Scenario
from ._capacity import capacity_line
from ._capture import capture
from ._diagram import Winner
from ._phase import PhaseGrid, knob_value
from ._picks import default_conn, first_race
from ._sequence import sequence
from ._svg import SvgParts, sequence_svg_parts


@dataclass(frozen=True, slots=True)
class ExploreState:
    """What the page shows for one cell."""

    conn: int | None
    parts: SvgParts | None  #: the diagram (``parts.joined()`` is its ``<svg>``)
    ev0: str  #: the EV0 text of the events the connection logged
    caption: str
    tone: str  #: "bug" (an alarm event), "handled" (the timer won), "ok", "" (no race)
    bad_lpi: float  #: event 4283 per connection, the whole run


def _tone(events: Sequence[Any], winner: Winner) -> str:
    if any(event.spec.tone is Tone.ALARM for event in events):
        return "bug"
    if winner is Winner.TIMER:
        return "handled"
    return "ok" if winner is Winner.OK else ""


def explore_chunk(
    base: dict[str, Any], chunk: Sequence[Cell], *, conn: int | None = None
) -> list[tuple[int, ExploreState]]:
    """Run a chunk of cells (in a worker process) and return their states."""
    out: list[tuple[int, ExploreState]] = []
    for cell, scenario in points(base, chunk):
        log = capture(scenario, cell.build)
        shown = conn
        if shown is None:
            shown = first_race(log)
        if shown is None:
            shown = default_conn(log)
        per = log.summary.per_connection(EventId.BAD_LPI)
        if shown is None or not any(step.conn == shown for step in log.steps):
            missing = "no connection" if shown is None else f"no connection {shown}"
            out.append(
                (cell.index, ExploreState(None, None, "", f"This point has {missing}.", "", per))
            )
            continue
        seq = sequence(log, shown)
        events = [e for step in log.steps if step.conn == shown for e in step.events]
        state = ExploreState(
            shown,
            sequence_svg_parts(seq, summary=False),
            render(events, "ev0"),
            seq.race.summary(),
            _tone(events, seq.race.winner),
            per,
        )
        out.append((cell.index, state))
    return out


@dataclass(frozen=True, slots=True)
class Exploration:
    """Every state of a grid: ``states[i]`` is cell ``i`` of the sweep (first axis outermost,
    then the builds), with the grid as a phase map."""

    scenario: Scenario
    axes: tuple[Axis, Axis]
    builds: tuple[Build, ...]
    states: tuple[ExploreState, ...]
    seconds: float  #: how long computing them took (for the command's message, not the page)

    def grid(self) -> PhaseGrid:
        """The 4283 per connection over the two axes, per build (the phase map's values)."""
        x, y = self.axes
        nb = len(self.builds)
        counts = tuple(
            tuple(
                tuple(
                    self.states[(i * len(y.values) + j) * nb + b].bad_lpi
                    for i in range(len(x.values))
                )
                for j in range(len(y.values))
            )
            for b in range(nb)
        )
        px, py = knob_value(self.scenario, x.key), knob_value(self.scenario, y.key)
        return PhaseGrid(
            scenario=self.scenario.name or self.scenario.origin,
            x=x,
            y=y,
            builds=self.builds,
            counts=counts,
            point=None if px is None or py is None else (px, py),
            capacity=capacity_line(self.scenario, x, y),
        )


def explore(
    scenario: Scenario,
    axes: tuple[Axis, Axis],
    builds: Sequence[Build],
    *,
    conn: int | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
) -> Exploration:
    """Compute every state of the grid ``axes`` (across, up) on ``builds``."""
    started = time.monotonic()
    grid = plan(scenario, list(axes), builds, max_runs=max_runs, max_connections=max_connections)
    states: list[ExploreState] = []

    def keep(cell: Cell, state: ExploreState) -> None:
        assert cell.index == len(states)
        states.append(state)

    runner = functools.partial(explore_chunk, conn=conn)
    execute_cells(grid, runner, keep, jobs=jobs, executor=executor, on_progress=progress)
    return Exploration(scenario, axes, tuple(builds), tuple(states), time.monotonic() - started)
