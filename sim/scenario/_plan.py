"""From a scenario and a seed to the model's inputs: the config and the arrival stream.

Rules of this module:

* All randomness of a run is drawn here, before the model sees it, from named streams
  ``random.Random("mtasim/<seed>/<group>/<stream>")``. String seeds are hashed with SHA-512 by
  ``random`` (version 2 seeding), so the streams do not depend on ``PYTHONHASHSEED``.
* Each peer group draws its arrival gaps, its kernel service times and its latencies from
  three streams of its own, in arrival order within the group, so one group's draws never
  shift another's, and a build that cancels work cannot shift any draw.
* Groups are merged by ``(arrival, group position, index in group)``; connection numbers follow
  that order. The stream is lazy: a million connections cost no memory up front.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator

from ..core import MICROS_PER_SECOND, ConnSpec, Micros, ModelConfig, to_micros
from ._scenario import PeerGroup, Scenario


def model_config(scenario: Scenario) -> ModelConfig:
    """The scenario's knobs in model units."""
    return ModelConfig(
        epoch=scenario.epoch,
        response_timeout=to_micros(scenario.winsock.response_timeout),
        backlog=scenario.winsock.backlog,
        control_blocks=scenario.mta.control_blocks,
        open_associations=scenario.mta.open_associations,
        threads=scenario.mta.threads,
        accept_time=to_micros(scenario.mta.accept_time),
        logging=scenario.mta.logging,
        until=None if math.isinf(scenario.until) else to_micros(scenario.until),
    )


def stream(seed: int, group: int, name: str) -> random.Random:
    """The named random stream of one peer group."""
    return random.Random(f"mtasim/{seed}/{group}/{name}")


def _optional(seconds: float) -> Micros | None:
    return None if math.isinf(seconds) else to_micros(seconds)


def jittered(rng: random.Random, centre: float, jitter: float) -> Micros:
    """One draw in centre +/- jitter, never below 0, in microseconds (live mode draws its
    connections' service times one at a time with this; a run's plan uses :func:`_draws`,
    which draws the same numbers)."""
    if jitter == 0:
        return to_micros(centre)
    return to_micros(max(0.0, rng.uniform(centre - jitter, centre + jitter)))


def _draws(rng: random.Random, centre: float, jitter: float) -> Iterator[Micros]:
    """Uniform draws in centre +/- jitter, never below 0, in microseconds (validated
    inputs: the conversion is :func:`to_micros` without its checks)."""
    if jitter == 0:
        fixed = to_micros(centre)
        while True:
            yield fixed
    uniform = rng.uniform
    low, high = centre - jitter, centre + jitter
    while True:
        value = uniform(low, high)
        yield round(value * MICROS_PER_SECOND) if value > 0 else 0


def _group_arrivals(
    scenario: Scenario, position: int, group: PeerGroup
) -> Iterator[tuple[Micros, int, int, Micros, Micros]]:
    """``(arrival, position, index, service, latency)`` of each connection of a group."""
    gaps = stream(scenario.seed, position, "arrivals")
    services = _draws(
        stream(scenario.seed, position, "service"),
        scenario.mta.ok_delay,
        scenario.mta.ok_delay_jitter,
    )
    latencies = _draws(
        stream(scenario.seed, position, "latency"), group.latency, group.latency_jitter
    )
    if group.process == "poisson":
        expovariate, rate = gaps.expovariate, group.rate
        t = group.at
        for k in range(group.count):
            if k:
                t += expovariate(rate)
            yield (round(t * MICROS_PER_SECOND), position, k, next(services), next(latencies))
    else:
        start = to_micros(group.at)
        step = to_micros(group.interval)
        for k in range(group.count):
            yield (start + k * step, position, k, next(services), next(latencies))


def arrivals(scenario: Scenario) -> Iterator[ConnSpec]:
    """Every connection of the run in arrival order, numbered from 0."""
    groups = scenario.peers
    streams = [_group_arrivals(scenario, i, g) for i, g in enumerate(groups)]
    # (arrival, position, index) is unique, so the merge never compares further.
    merged = streams[0] if len(streams) == 1 else heapq.merge(*streams)
    constants = [
        (_optional(g.hold), _optional(g.give_up), g.data_units, g.close == "reset", g.name)
        for g in groups
    ]
    for number, (arrival, position, _, service, latency) in enumerate(merged):
        hold, give_up, data_units, reset, name = constants[position]
        yield ConnSpec(number, arrival, service, hold, give_up, latency, data_units, reset, name)
