"""Sweeps: one scenario over a grid of knob values, every point on one or more builds.

Rules of this module:

* A grid is the product of ``--vary KEY=START:STOP:STEPS`` axes (STEPS evenly spaced values
  from START to STOP inclusive), first axis outermost, then seeds, then builds. Each cell is
  one row; its position in that order is its index, and the CSV is written in index order, so
  the output does not depend on ``--jobs`` or on which worker finished first.
* A grid is never held in memory: its size is the product of the axes' lengths, its cells are
  generated as they are handed out (:meth:`SweepPlan.cells`), and at most a window of 4
  chunks per worker (``--jobs``, or the Dask cluster's threads) is in flight, so the rows
  waiting for an earlier one to finish are bounded too. Memory does not grow with the grid
  (``tests/robustness``).
* Bounded before it starts (``sim.app._limits``): a grid of more runs than ``max_runs``, or a
  point with more connections than ``max_connections``, is refused before anything runs.
* Points are validated like a file, by axis, before anything runs: every value of every axis,
  and the four corners of every pair of axes (the schema's cross-field rules are monotone, so
  a pair's corners find any combination they refuse). A value that does not fit its key (a
  fractional number of threads, a timeout of 0) is an error naming the key. Each point is
  validated again as it runs.
* Work is cut into chunks of consecutive points and handed to a ``concurrent.futures.Executor``
  (``sim.app._pool``: a process pool for ``--jobs N`` whose workers die with their parent, a Dask
  cluster's executor for ``dask://HOST:PORT``). Each chunk runs on the batch driver
  (identical results to the trio driver, proven by ``tests/drivers/test_drivers_agree.py``) and
  returns only counters.
* What a cell computes is the runner's: :func:`execute` runs :func:`run_chunk` (counters);
  :func:`execute_cells` takes any module-level runner (the explorer's captures each point's
  steps and draws them), with the same chunks, window, order and interruption.
* Interrupted (Ctrl-C) or failed: every row already finished is still handed over, in index
  order, before the exception goes on; what the command makes of them is its business.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any, TypeVar

from ..core import Build, EventId, Summary
from ..scenario import KeyPath, KeyPathError, Scenario, ScenarioError, scenario_from_dict
from ._axis import Axis, SweepError
from ._limits import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RUNS,
    check_connections,
    check_runs,
)
from ._pool import PoolError, close_executor, cpu_count, make_executor, parallelism

__all__ = [
    "COLUMNS",
    "Axis",
    "Cell",
    "PoolError",
    "SweepError",
    "SweepPlan",
    "close_executor",
    "cpu_count",
    "execute",
    "execute_cells",
    "make_executor",
    "plan",
    "point_scenario",
    "run_chunk",
]


def point_scenario(
    base: dict[str, Any], assignments: Sequence[tuple[str, float | int]], seed: int
) -> Scenario:
    """The scenario of one grid point (validated like a file)."""
    data: dict[str, Any] = {
        k: (dict(v) if isinstance(v, dict) else [dict(g) for g in v] if isinstance(v, list) else v)
        for k, v in base.items()
    }
    data["seed"] = seed
    for key, value in assignments:
        try:
            path = KeyPath.parse(key)
        except KeyPathError as exc:
            raise SweepError(f"--vary: {exc}") from None
        try:
            path.apply(data, value)
        except KeyPathError as exc:
            if exc.groups is None:
                raise SweepError(f"--vary {exc}") from None
            has = f"the scenario has {exc.groups} [[{path.table}]]"
            raise SweepError(f"--vary {key}: {has}") from None
    return scenario_from_dict(data, "<sweep point>")


#: The figures of a run each CSV row holds (names from ``Summary.figures``): the counters of
#: the race, every event the catalog has, refusals and leaked control blocks.
COLUMNS = (
    "connections",
    "opened",
    "timed_out",
    "race_closes",
    *(f"logged_{int(e)}" for e in EventId),
    "refused",
    "cb_leaked",
)


@dataclass(frozen=True, slots=True)
class Cell:
    index: int
    assignments: tuple[tuple[str, float | int], ...]
    seed: int
    build: str


R = TypeVar("R")


def points(base: dict[str, Any], chunk: Sequence[Cell]) -> Iterator[tuple[Cell, Scenario]]:
    """Each cell of a chunk with its point's scenario, validated (:class:`SweepError` naming
    the point); the builds of a point are consecutive cells and share one validation."""
    previous: tuple[Any, ...] = ()
    scenario: Scenario | None = None
    for cell in chunk:
        if scenario is None or (cell.assignments, cell.seed) != previous:
            scenario = _checked_point(base, cell.assignments, cell.seed)
            previous = (cell.assignments, cell.seed)
        yield cell, scenario


def run_chunk(base: dict[str, Any], chunk: Sequence[Cell]) -> list[tuple[int, Summary]]:
    """Run a chunk of cells (in a worker process); return (index, summary) pairs."""
    from ._run import run

    return [
        (cell.index, run(scenario, cell.build, driver="batch", keep=False).summary)
        for cell, scenario in points(base, chunk)
    ]


def _checked_point(
    base: dict[str, Any], assignments: Sequence[tuple[str, float | int]], seed: int
) -> Scenario:
    """:func:`point_scenario`, its problem as a :class:`SweepError` naming the point."""
    try:
        return point_scenario(base, assignments, seed)
    except ScenarioError as exc:
        first = exc.problems[0]
        values = ", ".join(f"{k}={v}" for k, v in assignments)
        raise SweepError(
            f"the point {values} is not a valid scenario: {first.key}: {first.message}"
        ) from None


#: At most this many cells per task: small enough for progress and for Ctrl-C to keep most of
#: the work done, large enough that a task's overhead (pickling, a round trip) is amortised.
MAX_CHUNK = 25

#: Chunks in flight per worker: enough to keep every worker busy while the oldest chunk is
#: still running, few enough that the rows waiting for it stay a handful.
WINDOW_PER_JOB = 4


def chunk_size(total: int, jobs: int) -> int:
    """At least 8 chunks per worker for load balance, at most MAX_CHUNK cells each."""
    return max(1, min(MAX_CHUNK, math.ceil(total / (max(1, jobs) * 8))))


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """A validated grid: the base scenario's data, the axes, seeds and builds, and the number
    of cells (a product: the cells themselves are generated by :meth:`cells`)."""

    base: dict[str, Any]
    axes: tuple[Axis, ...]
    seeds: range
    builds: tuple[str, ...]
    total: int

    def cells(self) -> Iterator[Cell]:
        """Every cell, in index order, generated one at a time."""
        keys = [a.key for a in self.axes]
        index = 0
        for combo in itertools.product(*(axis.values for axis in self.axes)):
            assignments = tuple(zip(keys, combo, strict=True))
            for seed in self.seeds:
                for build in self.builds:
                    yield Cell(index, assignments, seed, build)
                    index += 1


def plan(
    scenario: Scenario,
    axes: Sequence[Axis],
    builds: Sequence[Build],
    *,
    seeds: int = 1,
    max_runs: int = DEFAULT_MAX_RUNS,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
) -> SweepPlan:
    """Check the grid before anything runs: its size, the connections of its largest point,
    every value of every axis and the corners of every pair of axes."""
    if seeds < 1:
        raise SweepError("--seeds must be at least 1")
    if not axes:
        raise SweepError("give at least one --vary KEY=START:STOP:STEPS")
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise SweepError("the same key is varied twice")
    if not builds:
        raise SweepError("no build to run the points on")
    total = math.prod(len(a.values) for a in axes) * seeds * len(builds)
    check_runs(total, max_runs)
    base = scenario.to_dict()
    check_connections(_largest_point(base, axes), max_connections, "the grid's largest point")
    for checked in _checks(axes):
        _checked_point(base, checked, scenario.seed)
    return SweepPlan(
        base,
        tuple(axes),
        range(scenario.seed, scenario.seed + seeds),
        tuple(b.version for b in builds),
        total,
    )


def _checks(axes: Sequence[Axis]) -> Iterator[tuple[tuple[str, float | int], ...]]:
    """The assignments checked before a sweep: each axis value alone, then the four corners
    of each pair of axes (the other keys at the scenario's values)."""
    for axis in axes:
        for value in dict.fromkeys(axis.values):
            yield ((axis.key, value),)
    for a, b in itertools.combinations(axes, 2):
        ends_a = dict.fromkeys((min(a.values), max(a.values)))
        ends_b = dict.fromkeys((min(b.values), max(b.values)))
        for va, vb in itertools.product(ends_a, ends_b):
            yield ((a.key, va), (b.key, vb))


def _largest_point(base: dict[str, Any], axes: Sequence[Axis]) -> int:
    """The most connections any point of the grid has. Each group's count is set by the last
    axis that sets it (``peers.count`` sets all, ``peers.N.count`` one); the axes vary
    independently, so the largest point takes every such axis at its largest value."""
    counts = [int(group.get("count", 1)) for group in base.get("peers", [])]
    for axis in axes:
        try:
            path = KeyPath.parse(axis.key)
        except KeyPathError:  # refused as the points are checked
            continue
        if (path.table, path.name) != ("peers", "count"):
            continue
        top = int(max(axis.values))
        if path.index is None:
            counts = [top] * len(counts)
        elif path.index < len(counts):
            counts[path.index] = top
    return sum(counts)


def execute(
    sweep_plan: SweepPlan,
    on_row: Callable[[Cell, Summary], None],
    *,
    jobs: int = 1,
    executor: futures.Executor | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run a planned grid; call ``on_row(cell, summary)`` in index order as rows complete
    (:func:`execute_cells` with :func:`run_chunk`)."""
    execute_cells(
        sweep_plan, run_chunk, on_row, jobs=jobs, executor=executor, on_progress=on_progress
    )


def execute_cells(
    sweep_plan: SweepPlan,
    runner: Callable[[dict[str, Any], Sequence[Cell]], list[tuple[int, R]]],
    on_row: Callable[[Cell, R], None],
    *,
    jobs: int = 1,
    executor: futures.Executor | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run a planned grid with ``runner`` (a module-level function, so that a worker process
    can import it: ``runner(base, chunk)`` returns one ``(index, result)`` per cell, in order;
    :func:`points` gives it each cell's scenario); call ``on_row(cell, result)`` in index
    order as rows complete.

    ``executor`` (see :func:`make_executor`; ``None`` runs in this process) is the caller's
    to create and close; ``jobs`` sizes the chunks and the window of chunks in flight.

    ``on_progress(done, total)`` follows the cells finished. Interrupted (KeyboardInterrupt,
    or any error), every row already finished is still handed to ``on_row``, in index order,
    before the exception goes on."""
    if jobs < 1:
        raise SweepError("--jobs must be at least 1")
    base = sweep_plan.base
    total = sweep_plan.total
    size = chunk_size(total, jobs if executor is not None else 1)
    cell_iter = sweep_plan.cells()
    chunks = iter(lambda: list(itertools.islice(cell_iter, size)), [])
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(done, total)

    def emit(chunk: list[Cell], rows: list[tuple[int, R]]) -> None:
        for cell, (index, summary) in zip(chunk, rows, strict=True):
            assert cell.index == index
            on_row(cell, summary)

    if executor is None:
        for chunk in chunks:
            rows = runner(base, chunk)
            progress(len(chunk))
            emit(chunk, rows)
        return
    window = WINDOW_PER_JOB * parallelism(executor, jobs)
    # In submission order: (future, its cells, counted in the progress yet).
    flight: deque[list[Any]] = deque()
    try:
        while True:
            while len(flight) < window:
                chunk = next(chunks, [])
                if not chunk:
                    break
                flight.append([executor.submit(runner, base, chunk), chunk, False])
            if not flight:
                return
            finished, _ = futures.wait(
                [entry[0] for entry in flight if not entry[2]],
                return_when=futures.FIRST_COMPLETED,
            )
            for entry in flight:
                if entry[0] in finished and not entry[2]:
                    entry[2] = True
                    progress(len(entry[1]))
            while flight and flight[0][2]:
                future, chunk, _counted = flight.popleft()
                emit(chunk, future.result())
    finally:
        # Interrupted or failed: the rows already finished, in order, then cancel the rest.
        for future, chunk, _counted in flight:
            if future.done() and not future.cancelled() and future.exception() is None:
                emit(chunk, future.result())
            future.cancel()
