"""Sweeps: one scenario over a grid of knob values, every point on one or more builds.

Rules of this module:

* A grid is the product of ``--vary KEY=START:STOP:STEPS`` axes (STEPS evenly spaced values
  from START to STOP inclusive), first axis outermost, then seeds, then builds. Each cell is
  one row; its position in that order is its index, and the CSV is written in index order, so
  the output does not depend on ``--jobs`` or on which worker finished first.
* Points are validated like a file: a value that does not fit its key (a fractional number of
  threads, a timeout of 0) is an error naming the key, before anything runs.
* Work is cut into chunks of consecutive points and handed to a ``concurrent.futures.Executor``
  (a process pool for ``--jobs N``, a Dask cluster's executor for ``dask://HOST:PORT``). Each
  chunk runs on the batch driver (identical results to the trio driver, proven by
  ``tests/test_batch_driver.py``) and returns only counters.
* Interrupted (Ctrl-C): the rows already finished are kept (the output is complete rows, in
  index order, and says how many of how many), nothing half-written.
"""

from __future__ import annotations

import importlib
import itertools
import math
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any

from .core import Build, MtasimError
from .scenario import Scenario, ScenarioError, scenario_from_dict
from .scenario._schema import ARRAY_TABLES, Type, field_for


class SweepError(MtasimError):
    """A bad --vary, --seeds, --jobs or executor."""


@dataclass(frozen=True, slots=True)
class Axis:
    """One swept key and its values."""

    key: str
    values: tuple[float | int, ...]

    @classmethod
    def parse(cls, spec: str) -> Axis:
        """``winsock.response_timeout=1:30:30`` -> 30 values from 1 to 30."""
        key, sep, rng = spec.partition("=")
        key = key.strip()
        parts = rng.split(":")
        if not sep or len(parts) != 3:
            raise SweepError(f"--vary {spec!r}: expected KEY=START:STOP:STEPS")
        f = _field(key)
        try:
            start, stop = float(parts[0]), float(parts[1])
            steps = int(parts[2])
        except ValueError:
            raise SweepError(
                f"--vary {spec!r}: START and STOP must be numbers, STEPS a whole number"
            ) from None
        if steps < 1 or steps > 10_000:
            raise SweepError(f"--vary {spec!r}: STEPS must be between 1 and 10000")
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise SweepError(f"--vary {spec!r}: START and STOP must be finite")
        if steps == 1:
            raw = [start]
        else:
            raw = [start + (stop - start) * i / (steps - 1) for i in range(steps)]
        if f.type is Type.INT:
            if any(abs(v - round(v)) > 1e-9 for v in raw):
                raise SweepError(
                    f"--vary {spec!r}: {key} is an integer, but the grid has fractional values"
                )
            values: tuple[float | int, ...] = tuple(round(v) for v in raw)
        else:
            values = tuple(round(v, 6) for v in raw)
        return cls(key, values)


def _field(key: str) -> Any:
    parts = key.split(".")
    if len(parts) == 1:
        table, name = "", parts[0]
    elif len(parts) == 2:
        table, name = parts
    elif len(parts) == 3 and parts[0] in ARRAY_TABLES and parts[1].isdigit():
        table, name = parts[0], parts[2]
    else:
        raise SweepError(f"--vary: unknown key {key!r}")
    f = field_for(table, name)
    if f is None or f.type not in (Type.INT, Type.SECONDS, Type.SECONDS_OR_INF):
        raise SweepError(f"--vary: {key!r} is not a numeric scenario key")
    return f


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
        parts = key.split(".")
        if len(parts) == 1:
            data[parts[0]] = value
        elif len(parts) == 2 and parts[0] in ARRAY_TABLES:
            for group in data[parts[0]]:
                group[parts[1]] = value
        elif len(parts) == 2:
            data[parts[0]][parts[1]] = value
        else:
            groups = data[parts[0]]
            index = int(parts[1])
            if index >= len(groups):
                raise SweepError(f"--vary {key}: the scenario has {len(groups)} [[{parts[0]}]]")
            groups[index][parts[2]] = value
    return scenario_from_dict(data, "<sweep point>")


COLUMNS = (
    "connections",
    "opened",
    "timed_out",
    "race_closes",
    "logged_4258",
    "logged_4283",
    "logged_9156",
    "refused",
    "cb_leaked",
)


@dataclass(frozen=True, slots=True)
class Cell:
    index: int
    assignments: tuple[tuple[str, float | int], ...]
    seed: int
    build: str


def cells(axes: Sequence[Axis], seeds: Sequence[int], builds: Sequence[Build]) -> Iterator[Cell]:
    index = 0
    for combo in itertools.product(*(axis.values for axis in axes)):
        assignments = tuple(zip((a.key for a in axes), combo, strict=True))
        for seed in seeds:
            for build in builds:
                yield Cell(index, assignments, seed, build.version)
                index += 1


def run_chunk(base: dict[str, Any], chunk: Sequence[Cell]) -> list[tuple[int, dict[str, Any]]]:
    """Run a chunk of cells (in a worker process); return (index, counters) pairs."""
    from ._run import run

    out = []
    previous: tuple[Any, ...] = ()
    scenario: Scenario | None = None
    for cell in chunk:
        # The builds of a point are consecutive cells: validate the point once.
        if scenario is None or (cell.assignments, cell.seed) != previous:
            scenario = point_scenario(base, cell.assignments, cell.seed)
            previous = (cell.assignments, cell.seed)
        summary = run(scenario, cell.build, driver="batch", keep=False).summary
        counters = {name: summary[name] for name in COLUMNS if name in summary}
        counters["refused"] = summary["refused_backlog"] + summary["refused_no_cb"]
        out.append((cell.index, counters))
    return out


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def make_executor(jobs: int, address: str | None) -> futures.Executor | None:
    """A process pool (``jobs`` > 1), a Dask cluster's executor, or None (run inline)."""
    if address is not None:
        if not address.startswith("dask://"):
            raise SweepError(f"--executor {address!r}: expected dask://HOST:PORT")
        try:
            # Typed as Any: distributed is an optional extra, and only two calls are used.
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise SweepError(
                "--executor dask://... needs the 'dask' extra: pip install 'mtasim[dask]'"
            ) from None
        target = "tcp://" + address[len("dask://") :]
        try:
            client = distributed.Client(target, timeout=10, set_as_default=False)
        except OSError as exc:
            raise SweepError(f"cannot reach the Dask scheduler at {target}: {exc}") from None
        executor: futures.Executor = client.get_executor()
        executor._mtasim_client = client  # type: ignore[attr-defined]  # closed with it
        return executor
    if jobs <= 1:
        return None
    return futures.ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)


def close_executor(executor: futures.Executor | None, cancel: bool = False) -> None:
    if executor is None:
        return
    try:
        executor.shutdown(wait=not cancel, cancel_futures=cancel)
    except TypeError:  # Dask's ClientExecutor has no cancel_futures
        executor.shutdown(wait=not cancel)
    client = getattr(executor, "_mtasim_client", None)
    if client is not None:
        client.close()


#: At most this many cells per task: small enough for progress and for Ctrl-C to keep most of
#: the work done, large enough that a task's overhead (pickling, a round trip) is amortised.
MAX_CHUNK = 25


def chunked(items: Sequence[Cell], jobs: int) -> list[list[Cell]]:
    """Consecutive chunks: at least 8 per worker for load balance, at most MAX_CHUNK cells."""
    if not items:
        return []
    size = max(1, min(MAX_CHUNK, math.ceil(len(items) / (max(1, jobs) * 8))))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """A validated grid: every cell in index order, and the base scenario's data."""

    base: dict[str, Any]
    cells: tuple[Cell, ...]


def plan(
    scenario: Scenario, axes: Sequence[Axis], builds: Sequence[Build], *, seeds: int = 1
) -> SweepPlan:
    """Check the grid before anything runs: every distinct point must be a valid scenario."""
    if seeds < 1:
        raise SweepError("--seeds must be at least 1")
    if not axes:
        raise SweepError("give at least one --vary KEY=START:STOP:STEPS")
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise SweepError("the same key is varied twice")
    if not builds:
        raise SweepError("no build to run the points on")
    base = scenario.to_dict()
    all_cells = tuple(cells(axes, [scenario.seed + i for i in range(seeds)], builds))
    seen: set[tuple[tuple[str, float | int], ...]] = set()
    for cell in all_cells:
        if cell.assignments in seen:
            continue
        seen.add(cell.assignments)
        try:
            point_scenario(base, cell.assignments, cell.seed)
        except ScenarioError as exc:
            first = exc.problems[0]
            values = ", ".join(f"{k}={v}" for k, v in cell.assignments)
            raise SweepError(
                f"the point {values} is not a valid scenario: {first.key}: {first.message}"
            ) from None
    return SweepPlan(base, all_cells)


def execute(
    sweep_plan: SweepPlan,
    on_row: Callable[[Cell, dict[str, Any]], None],
    *,
    jobs: int = 1,
    executor: futures.Executor | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run a planned grid; call ``on_row(cell, counters)`` in index order as rows complete.

    ``executor`` (see :func:`make_executor`; ``None`` runs in this process) is the caller's
    to create and close; ``jobs`` sizes the chunks.

    ``on_progress(done, total)`` follows the cells finished. Interrupted (KeyboardInterrupt,
    or any error), every row already finished is still handed to ``on_row``, in index order,
    before the exception goes on."""
    if jobs < 1:
        raise SweepError("--jobs must be at least 1")
    base = sweep_plan.base
    all_cells = sweep_plan.cells
    by_index = {cell.index: cell for cell in all_cells}
    pending: dict[int, dict[str, Any]] = {}
    next_index = 0
    done = 0

    def finished(rows: list[tuple[int, dict[str, Any]]]) -> None:
        nonlocal next_index, done
        pending.update(rows)
        done += len(rows)
        if on_progress is not None:
            on_progress(done, len(all_cells))
        while next_index in pending:
            on_row(by_index[next_index], pending.pop(next_index))
            next_index += 1

    try:
        if executor is None:
            for chunk in chunked(all_cells, 1):
                finished(run_chunk(base, chunk))
        else:
            submitted = [
                executor.submit(run_chunk, base, chunk) for chunk in chunked(all_cells, jobs)
            ]
            try:
                for future in futures.as_completed(submitted):
                    finished(future.result())
            finally:
                for future in submitted:
                    future.cancel()
    finally:
        for index in sorted(pending):
            on_row(by_index[index], pending[index])
        pending.clear()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
