"""The sweep engine against the core, per grid point, on the same grid in the same run.

Rules of this module (``run.py`` calls :func:`engine_section`; it holds its own calls into
mtasim, the sweep service's three functions ``plan``, ``execute`` and ``fast_rows``):

* The grid: heavy-load over the two race knobs (``winsock.response_timeout`` by
  ``mta.ok_delay``), 20 x 20, on pre-fix and post-fix (800 runs of 300 connections); 3
  rounds with ``--quick``, 5 otherwise.
* Rounds: each round runs the core (every point on the batch driver, in this process) and
  the engine on the whole grid, in an order that alternates by round. A figure is the CPU
  time (``time.process_time()``) of the grid divided by its runs (points x builds), after
  one untimed run of the engine on a 2 x 2 grid (numpy's import); the
  ratio is the median over the rounds of (core / engine) in the same round, with its range.
* Check: the engine's summaries equal the core's, every field of every row (``MISMATCH``
  otherwise, and the benchmark exits 1).
* The model time of the 40 x 40 heavy-load grid on both builds (the phase map's default
  axes): wall and CPU time of planning and running it on the engine, as ``mtasim phase-map``
  measures it (plotting excluded); the target is under 2 s.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from sim.app._fast_sweep import fast_rows, numpy_available
from sim.app._sweep import Axis, execute, plan
from sim.core import POST_FIX, PRE_FIX
from sim.scenario import load_scenario

#: The grid of the sweep wall time above (run.py's SWEEP_GRID), with the full scenario.
GRID = ("winsock.response_timeout=1:20:20", "mta.ok_delay=0.5:10:20")
PHASE_GRID = ("mta.ok_delay=1:40:40", "winsock.response_timeout=1:40:40")
#: The issue's floors: the engine per point against the core, the 40 x 40 grid's model time.
TARGET_RATIO = 50.0
TARGET_SECONDS = 2.0


def _grid(axes: tuple[str, str]) -> Any:
    return plan(load_scenario("heavy-load"), [Axis.parse(a) for a in axes], [PRE_FIX, POST_FIX])


def _core(grid: Any) -> tuple[float, list[Any]]:
    rows: list[Any] = []
    start = time.process_time()
    execute(grid, lambda cell, summary: rows.append((cell, summary)))
    return time.process_time() - start, rows


def _fast(grid: Any) -> tuple[float, list[Any]]:
    start = time.process_time()
    rows = fast_rows(grid)
    elapsed = time.process_time() - start
    if isinstance(rows, str):
        raise RuntimeError(f"the benchmark's grid is out of the engine's scope: {rows}")
    return elapsed, rows


def engine_section(rounds: int) -> tuple[bool, str]:
    """Print the section; return (checks passed, the last ratio line)."""
    if not numpy_available():
        print("sweep engine: numpy is not installed (pip install '.[fast]'): not measured\n")
        return True, "ratio sweep-engine/core per point: n/a (numpy is not installed)"
    axes = GRID
    # Once untimed, as every model of the benchmark: numpy's import and the first calls.
    _fast(_grid(("winsock.response_timeout=1:20:2", "mta.ok_delay=0.5:10:2")))
    grid = _grid(axes)
    runs = grid.total
    core_t: list[float] = []
    fast_t: list[float] = []
    same = True
    for k in range(rounds):
        order = (_core, _fast) if k % 2 == 0 else (_fast, _core)
        results = {fn: fn(grid) for fn in order}
        (tc, core_rows), (tf, engine_rows) = results[_core], results[_fast]
        core_t.append(tc / runs)
        fast_t.append(tf / runs)
        same &= core_rows == engine_rows
    ratios = [c / f for c, f in zip(core_t, fast_t, strict=True)]
    median = statistics.median(ratios)
    side = axes[0].split(":")[-1]
    print(
        f"sweep engine: heavy-load, {side} x {side} grid of the race knobs, 2 builds ({runs} "
        f"runs), CPU time per run, {rounds} rounds interleaved:"
    )
    print(f"  core (batch driver): {statistics.median(core_t) * 1e3:8.3f} ms per run")
    print(f"  sweep engine:        {statistics.median(fast_t) * 1e3:8.3f} ms per run")
    met = "met" if median >= TARGET_RATIO else "NOT met"
    print(
        f"  ratio core/engine per run: {median:.1f} (range {min(ratios):.1f}-{max(ratios):.1f});"
        f" target >= {TARGET_RATIO:g} -> {met}; rows identical: {'yes' if same else 'NO'}"
    )
    if not same:
        print("!!! MISMATCH: the sweep engine's rows differ from the core's")
    phase = _grid(PHASE_GRID)
    wall = time.perf_counter()
    cpu = time.process_time()
    _fast(_grid(PHASE_GRID))
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    met = "met" if wall < TARGET_SECONDS else "NOT met"
    print(
        f"  model time of the 40 x 40 heavy-load grid on 2 builds ({phase.total:,} runs, the "
        f"engine, planning included): {wall:.2f} s wall, {cpu:.2f} s CPU; target < "
        f"{TARGET_SECONDS:g} s -> {met}; on the core at the per-run figure above: "
        f"~{statistics.median(core_t) * phase.total:.0f} s [estimated]"
    )
    print()
    return same, f"ratio sweep-engine/core per point: {median:.1f}"
