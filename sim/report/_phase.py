"""The phase map: 4283s per connection over two scenario knobs, one panel per build.

Rules of this module:

* Two parts with a clear seam. :func:`phase_grid` runs the grid and returns a
  :class:`PhaseGrid` (plain numbers, no matplotlib); :func:`plot_phase_map` draws any
  :class:`PhaseGrid` to a PNG file. A grid is two sweep axes (``sim.app._sweep.Axis``) and
  per-build counts of event 4283 per connection, indexed ``counts[build][y][x]``.
* The grid *is* a sweep: :func:`phase_grid` runs ``sim.app._sweep`` (batch driver, any executor)
  and ``mtasim sweep --plot`` hands its rows to :class:`PhaseSums`, so both commands
  compute every cell the same way; each cell's values are validated like a file, and all
  builds of a cell share the same inputs.
* The KB's point is the base scenario's own value of the two knobs (for the KB scenario:
  timeout 21 s, OK delay 30 s), marked when it lies inside the axes' ranges.
* Deterministic PNG: matplotlib's Agg canvas on a private :class:`~matplotlib.figure.Figure`
  (no pyplot, no global state), fixed size and dpi, and no metadata that changes (the
  ``Software`` key is removed; PNGs carry no date). The same grid gives the same bytes.
* The file is written atomically (a temporary file renamed into place), never half-written.
* matplotlib is an optional extra (from a checkout: ``pip install '.[plot]'``):
  :func:`require_matplotlib` raises :class:`PlotUnavailable` with the one line to show.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from ..app._atomic import write_bytes_atomic
from ..app._fast_sweep import execute_engine
from ..app._limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RUNS
from ..app._sweep import Axis, Cell, plan
from ..core import Build, EventId, MtasimError, Summary
from ..scenario import KeyPath, KeyPathError, Scenario
from ..text._plural import plural
from ._capacity import capacity_line, cell_edges

INSTALL_HINT = (
    "matplotlib is not installed; install the plot extra, from the mtasim checkout: "
    "pip install '.[plot]'"
)

#: Axis titles for the knobs most worth sweeping.
KNOB_TITLES = {
    "winsock.response_timeout": "Winsock response timeout (s)",
    "mta.ok_delay": "kernel time to produce the OK response (s)",
    "mta.ok_delay_jitter": "OK delay jitter (s)",
    "mta.accept_time": "listener accept time (s)",
    "mta.threads": "MTA kernel threads",
    "peers.rate": "arrivals per second (peers.rate)",
    "mta.control_blocks": "TCP/IP control blocks",
    "winsock.backlog": "listen backlog",
}

FIGSIZE = (11.0, 5.0)
DPI = 100


class PlotUnavailable(MtasimError):
    """matplotlib is missing: the plot extra is not installed."""


@dataclass(frozen=True, slots=True)
class PhaseGrid:
    """The data of a phase map. ``counts[b][j][i]`` is the number of 4283 events per
    connection on build ``builds[b]`` with ``y.values[j]`` and ``x.values[i]``.

    ``mtasim sweep --plot`` and ``mtasim phase-map`` both build it from sweep rows
    (:func:`grid_from_rows`); anything else can build one by hand and draw it."""

    scenario: str
    x: Axis
    y: Axis
    builds: tuple[Build, ...]
    counts: tuple[tuple[tuple[float, ...], ...], ...]
    #: The base scenario's own (x, y), marked on the map (the KB's point); None if unknown.
    point: tuple[float, float] | None = None
    #: Where arrivals equal what the kernel's threads can serve (:func:`capacity_line`),
    #: drawn as a line: beyond it the queue grows and the timeouts begin. Empty: not drawn.
    capacity: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        for axis in (self.x, self.y):
            if list(axis.values) != sorted(set(axis.values)):
                raise ValueError(f"{axis.key}: a phase map needs increasing values")
        shape = (len(self.builds), len(self.y.values), len(self.x.values))
        got = (
            len(self.counts),
            len(self.counts[0]) if self.counts else 0,
            len(self.counts[0][0]) if self.counts and self.counts[0] else 0,
        )
        if got != shape or any(len(row) != shape[2] for panel in self.counts for row in panel):
            raise ValueError(f"counts must have shape {shape} (builds, y, x), got {got}")

    def panel(self, build: Build | str) -> tuple[tuple[float, ...], ...]:
        """The counts of one build, by the build or its version or alias."""
        for candidate, panel in zip(self.builds, self.counts, strict=True):
            if build in (candidate, candidate.version, *candidate.aliases):
                return panel
        raise KeyError(f"no build {build!r} in the grid")


def knob_value(scenario: Scenario, key: str) -> float | None:
    """A scenario's value of a numeric key (``mta.ok_delay``, ``peers.0.count``; ``peers.rate``
    when the scenario has one group), or ``None`` when the key names no single number."""
    try:
        found = KeyPath.parse(key).values(scenario.to_dict())
    except KeyPathError:
        return None
    if len(found) != 1 or isinstance(found[0], bool) or not isinstance(found[0], (int, float)):
        return None
    return float(found[0])


class PhaseSums:
    """The phase map's numbers, gathered one sweep row at a time: per (x, y, build) the sum
    of event 4283 per connection and the number of rows (seeds). Holds one pair of numbers
    per cell, not the rows."""

    def __init__(self, x: Axis, y: Axis) -> None:
        self.x, self.y = x, y
        self._sums: dict[tuple[float, float, str], list[float]] = {}

    def add(self, cell: Cell, summary: Summary) -> None:
        values = dict(cell.assignments)
        per = summary.per_connection(EventId.BAD_LPI)
        key = (float(values[self.x.key]), float(values[self.y.key]), cell.build)
        total = self._sums.setdefault(key, [0.0, 0.0])
        total[0] += per
        total[1] += 1

    def grid(self, scenario: Scenario, builds: Sequence[Build]) -> PhaseGrid:
        """The mean over seeds in each cell, as a :class:`PhaseGrid`."""
        x, y = self.x, self.y

        def mean(xv: float, yv: float, build: Build) -> float:
            total = self._sums.get((float(xv), float(yv), build.version))
            if total is None:
                raise ValueError(f"no sweep row for {x.key}={xv}, {y.key}={yv} on {build.alias}")
            return total[0] / total[1]

        px, py = knob_value(scenario, x.key), knob_value(scenario, y.key)
        return PhaseGrid(
            scenario=scenario.name or scenario.origin,
            x=x,
            y=y,
            builds=tuple(builds),
            counts=tuple(
                tuple(tuple(mean(xv, yv, b) for xv in x.values) for yv in y.values) for b in builds
            ),
            point=None if px is None or py is None else (px, py),
            capacity=capacity_line(scenario, x, y),
        )


def grid_from_rows(
    scenario: Scenario,
    x: Axis,
    y: Axis,
    builds: Sequence[Build],
    rows: Iterable[tuple[Cell, Summary]],
) -> PhaseGrid:
    """The phase map of sweep rows over ``x`` and ``y`` (the mean over seeds of event 4283
    per connection in each cell)."""
    sums = PhaseSums(x, y)
    for cell, summary in rows:
        sums.add(cell, summary)
    return sums.grid(scenario, builds)


def phase_grid(
    scenario: Scenario,
    x: Axis,
    y: Axis,
    builds: Sequence[Build],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    engine: str = "auto",
    say: Callable[[str], None] | None = None,
    ran_on: Callable[[str], None] | None = None,
) -> PhaseGrid:
    """Run the grid as a sweep (``engine``: ``sim.app._fast_sweep``; the core on the batch
    driver, ``executor`` from :func:`sim.app._sweep.make_executor` for parallel runs) and
    return its phase map. The grid is bounded like a sweep's (``max_runs``,
    ``max_connections``: ``sim.app._limits``). ``ran_on`` is told the engine that ran it
    (``"fast"`` or ``"core"``)."""
    sums = PhaseSums(x, y)
    grid = plan(scenario, [y, x], builds, max_runs=max_runs, max_connections=max_connections)
    used = execute_engine(
        grid, sums.add, engine=engine, jobs=jobs, executor=executor, on_progress=progress, say=say
    )
    if ran_on is not None:
        ran_on(used)
    return sums.grid(scenario, builds)


def knob_title(key: str) -> str:
    return KNOB_TITLES.get(key, key)


def require_matplotlib() -> None:
    """Raise :class:`PlotUnavailable` when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PlotUnavailable(INSTALL_HINT) from None


def phase_png(grid: PhaseGrid, *, dpi: int = DPI) -> bytes:
    """The phase map as PNG bytes (deterministic for the same grid)."""
    return phase_png_panels(grid, dpi=dpi)[0]


@dataclass(frozen=True, slots=True)
class PanelPixels:
    """Where a panel's cells are in the PNG: the pixel column of each x value and the pixel
    row (from the top) of each y value, at the cells' centres."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    #: The panel's plotting area: left, top, right, bottom, in pixels from the top left.
    box: tuple[float, float, float, float]


def phase_png_panels(grid: PhaseGrid, *, dpi: int = DPI) -> tuple[bytes, list[PanelPixels]]:
    """The phase map as PNG bytes, and where each build's panel put its cells (for a
    crosshair drawn over the picture)."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figure_size(len(grid.builds)), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(grid.builds), sharey=True, squeeze=False)[0]
    peak = max((v for panel in grid.counts for row in panel for v in row), default=0.0)
    vmax = max(1.0, peak)
    xe = cell_edges(grid.x.values)
    ye = cell_edges(grid.y.values)
    mesh: Any = None
    for ax, build, panel in zip(axes, grid.builds, grid.counts, strict=True):
        mesh = ax.pcolormesh(
            xe,
            ye,
            [list(row) for row in panel],
            cmap="Reds",
            vmin=0.0,
            vmax=vmax,
            shading="flat",
            edgecolors="none",
        )
        total = sum(1 for row in panel for v in row if v > 0)
        cells = len(panel) * len(panel[0])
        ax.set_title(
            f"{build.alias} {build.version}\n{total} of {plural(cells, 'cell')} "
            f"log{'s' if total == 1 else ''} 4283",
            fontsize=10,
        )
        ax.set_xlabel(knob_title(grid.x.key))
        lo, hi = max(xe[0], ye[0]), min(xe[-1], ye[-1])
        if _both_seconds(grid) and hi > lo:
            ax.plot(
                [lo, hi],
                [lo, hi],
                linestyle="--",
                color="0.35",
                linewidth=1.0,
                label="timeout = OK delay",
            )
        if grid.capacity:
            ax.plot(
                [p[0] for p in grid.capacity],
                [p[1] for p in grid.capacity],
                linestyle="--",
                color="0.2",
                linewidth=1.2,
                label="arrivals = the kernel's capacity",
            )
        if grid.point is not None and _inside(grid.point, xe, ye):
            ax.plot(
                [grid.point[0]],
                [grid.point[1]],
                marker="*",
                markersize=16,
                markerfacecolor="gold",
                markeredgecolor="black",
                linestyle="none",
                label=f"{_point_name(grid)} ({_fmt(grid.point[0])}, {_fmt(grid.point[1])})",
            )
        ax.set_xlim(xe[0], xe[-1])
        ax.set_ylim(ye[0], ye[-1])
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    axes[0].set_ylabel(knob_title(grid.y.key))
    bar = fig.colorbar(mesh, ax=list(axes), fraction=0.04, pad=0.02)
    bar.set_label("event 4283 logged per connection")
    fig.suptitle(
        f"Event 4283 logged per connection, by {grid.x.key} and {grid.y.key}\n"
        f"scenario {grid.scenario}, one panel per build",
        fontsize=12,
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    height = figure_size(len(grid.builds))[1] * dpi
    pixels: list[PanelPixels] = []
    for ax in axes:
        # The layout is final once the figure is drawn: map data to display pixels.
        to_px = ax.transData.transform
        xs = tuple(round(float(to_px((v, grid.y.values[0]))[0]), 2) for v in grid.x.values)
        ys = tuple(round(height - float(to_px((grid.x.values[0], v))[1]), 2) for v in grid.y.values)
        bb = ax.get_window_extent()
        box = (bb.x0, height - bb.y1, bb.x1, height - bb.y0)
        pixels.append(PanelPixels(xs, ys, tuple(round(float(v), 2) for v in box)))  # type: ignore[arg-type]
    return buffer.getvalue(), pixels


def figure_size(builds: int) -> tuple[float, float]:
    """The figure's size in inches: :data:`FIGSIZE`, wider for more than two panels."""
    return (max(FIGSIZE[0], 3.4 * builds + 1.6), FIGSIZE[1])


def plot_phase_map(grid: PhaseGrid, output_path: str | os.PathLike[str], *, dpi: int = DPI) -> None:
    """Draw ``grid`` and write it to ``output_path`` as a PNG, atomically."""
    write_bytes_atomic(output_path, phase_png(grid, dpi=dpi))


def _point_name(grid: PhaseGrid) -> str:
    return "KB Q319936" if grid.scenario == "kb319936" else grid.scenario


def _inside(point: tuple[float, float], xe: Sequence[float], ye: Sequence[float]) -> bool:
    return min(xe) <= point[0] <= max(xe) and min(ye) <= point[1] <= max(ye)


def _both_seconds(grid: PhaseGrid) -> bool:
    seconds = {"winsock.response_timeout", "mta.ok_delay"}
    return {grid.x.key, grid.y.key} == seconds


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
