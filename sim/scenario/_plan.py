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

from ..core import ConnSpec, Micros, ModelConfig, to_micros
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


def _jittered(rng: random.Random, centre: float, jitter: float) -> Micros:
    if jitter == 0:
        return to_micros(centre)
    return to_micros(max(0.0, rng.uniform(centre - jitter, centre + jitter)))


def _group_arrivals(
    scenario: Scenario, position: int, group: PeerGroup
) -> Iterator[tuple[int, int, int, ConnSpec]]:
    gaps = stream(scenario.seed, position, "arrivals")
    services = stream(scenario.seed, position, "service")
    links = stream(scenario.seed, position, "latency")
    hold = _optional(group.hold)
    give_up = _optional(group.give_up)
    start = to_micros(group.at)
    step = to_micros(group.interval)
    t = group.at
    for k in range(group.count):
        if group.process == "poisson":
            if k:
                t += gaps.expovariate(group.rate)
            arrival = to_micros(t)
        else:
            arrival = Micros(start + k * step)
        spec = ConnSpec(
            conn=-1,
            arrival=arrival,
            service=_jittered(services, scenario.mta.ok_delay, scenario.mta.ok_delay_jitter),
            hold=hold,
            give_up=give_up,
            latency=_jittered(links, group.latency, group.latency_jitter),
            data_units=group.data_units,
            reset=group.close == "reset",
            peer=group.name,
        )
        yield (arrival, position, k, spec)


def arrivals(scenario: Scenario) -> Iterator[ConnSpec]:
    """Every connection of the run in arrival order, numbered from 0."""
    merged = heapq.merge(
        *(_group_arrivals(scenario, i, g) for i, g in enumerate(scenario.peers)),
        key=lambda item: (item[0], item[1], item[2]),
    )
    for number, (_, _, _, spec) in enumerate(merged):
        yield ConnSpec(
            conn=number,
            arrival=spec.arrival,
            service=spec.service,
            hold=spec.hold,
            give_up=spec.give_up,
            latency=spec.latency,
            data_units=spec.data_units,
            reset=spec.reset,
            peer=spec.peer,
        )
