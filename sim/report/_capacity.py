"""The phase map's geometry: the cells around a sweep axis's values, and the capacity line of
a map of arrival rate by kernel threads (where arrivals equal what the threads can serve).

Rules of this module: pure numbers (no matplotlib); ``sim.report._phase`` draws them and
``sim.report._explore`` hands the capacity line to the explorer.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from ..app._sweep import Axis
from ..scenario import Scenario

#: The keys of an arrival rate (one peer group) and of the kernel's threads.
RATE_KEYS = ("peers.rate", "peers.0.rate")
THREAD_KEYS = ("mta.threads",)


def capacity_line(scenario: Scenario, x: Axis, y: Axis) -> tuple[tuple[float, float], ...]:
    """For a map of arrival rate by kernel threads (rule ``kernel-load``: ``mta.threads``
    threads serve a FIFO queue, each job taking ``mta.ok_delay`` on average), the points
    where the rate equals what the threads can serve: ``rate = threads / ok_delay``.
    Empty for other axes, or when the scenario has more than one peer group."""
    if len(scenario.peers) != 1 or scenario.mta.ok_delay <= 0:
        return ()
    keys = (x.key, y.key)
    if keys[0] in RATE_KEYS and keys[1] in THREAD_KEYS:
        threads = y.values
        return tuple((t / scenario.mta.ok_delay, float(t)) for t in _fine(threads))
    if keys[0] in THREAD_KEYS and keys[1] in RATE_KEYS:
        return tuple((float(t), t / scenario.mta.ok_delay) for t in _fine(x.values))
    return ()


def _fine(values: Sequence[float]) -> list[float]:
    """The span of ``values``, half a step beyond each end, in 50 steps."""
    edges = cell_edges(values)
    return [edges[0] + (edges[-1] - edges[0]) * i / 50 for i in range(51)]


def cell_edges(values: Sequence[float]) -> list[float]:
    """Cell edges around the values (midpoints inside, half a step outside)."""
    if len(values) == 1:
        return [values[0] - 0.5, values[0] + 0.5]
    mids = [(a + b) / 2 for a, b in itertools.pairwise(values)]
    return [values[0] - (mids[0] - values[0]), *mids, values[-1] + (values[-1] - mids[-1])]
