"""From a scenario and a seed to the model's inputs: the config and the arrival stream.

Rules of this module:

* All randomness of a run is drawn here, before the model sees it, from named streams
  ``random.Random("mtasim/<seed>/<group>/<stream>")``. String seeds are hashed with SHA-512 by
  ``random`` (version 2 seeding), so the streams do not depend on ``PYTHONHASHSEED``.
* Each peer group draws its arrival gaps, its kernel service times and its latencies from
  three streams of its own, in arrival order within the group, so one group's draws never
  shift another's, and a build that cancels work cannot shift any draw. Live connections draw
  their service times here too, one at a time (:class:`ServiceTimes`), from the same streams.
* Groups are merged by ``(arrival, group position, index in group)``; connection numbers follow
  that order. The stream is lazy: a million connections cost no memory up front.
* Every timestamp a run prints is ``epoch`` plus a virtual time, and must be a date
  (``datetime.max`` is the last). :func:`reach` bounds the latest virtual time a run can
  reach; validation refuses a scenario whose epoch plus that bound passes ``datetime.max``
  (:func:`epoch_problem`). Poisson arrivals are drawn, so no bound holds for them before the
  run: without ``until``, the stream stops the run with a :class:`ScenarioError` at the first
  arrival past the bound, before any event could pass it.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from ..core import (
    MICROS_PER_SECOND,
    POP4_UP,
    ConnSpec,
    HalfOpenConfig,
    Micros,
    ModelConfig,
    TaskHeader,
    half_open_lifetime,
    to_micros,
)
from ._problem import Problem, ScenarioError
from ._scenario import PeerGroup, Scenario
from ._schema import LAST_INSTANT

#: The ``peers.kind`` of a SYN flood (``sim.core._halfopen``): no connection, SYNs only.
FLOOD = "syn-flood"


def model_config(scenario: Scenario) -> ModelConfig:
    """The scenario's knobs in model units."""
    return ModelConfig(
        epoch=scenario.epoch,
        response_timeout=_finite(scenario.winsock.response_timeout),
        backlog=scenario.winsock.backlog,
        control_blocks=scenario.mta.control_blocks,
        open_associations=scenario.mta.open_associations,
        threads=scenario.mta.threads,
        accept_time=to_micros(scenario.mta.accept_time),
        logging=scenario.mta.logging,
        until=_finite(scenario.until),
        pop4_task=TaskHeader(POP4_UP.name, scenario.mta.pop4_instance, scenario.mta.pop4_proc),
        lpi_component=scenario.mta.lpi_component,
        half_open=_half_open(scenario),
    )


def _half_open(scenario: Scenario) -> HalfOpenConfig | None:
    """The half-open table of a scenario with SYN floods (``None`` without one)."""
    if not any(group.kind == FLOOD for group in scenario.peers):
        return None
    winsock = scenario.winsock
    return HalfOpenConfig(
        limit=winsock.max_half_open,
        lifetime=half_open_lifetime(winsock.syn_ack_retransmissions),
        syns=lambda: flood_syns(scenario),
    )


def flood_syns(scenario: Scenario) -> Iterator[Micros]:
    """The SYN times (µs) of every SYN flood of the scenario, merged in time order, up to
    ``until``. A flood's times are drawn as a group's arrivals are (its ``arrivals`` stream;
    ``process``, ``interval``, ``rate``); it draws no service time or latency."""
    until = _finite(scenario.until)
    streams = [
        _group_times(scenario, position, group)
        for position, group in enumerate(scenario.peers)
        if group.kind == FLOOD
    ]
    for t in heapq.merge(*streams):
        if until is not None and t > until:
            return
        yield t


def _finite(seconds: float) -> Micros | None:
    """Seconds in µs, ``inf`` as ``None``."""
    return None if math.isinf(seconds) else to_micros(seconds)


def stream(seed: int, group: int, name: str) -> random.Random:
    """The named random stream of one peer group."""
    return random.Random(f"mtasim/{seed}/{group}/{name}")


def _optional(seconds: float) -> Micros | None:
    return None if math.isinf(seconds) else to_micros(seconds)


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


def _service_draws(scenario: Scenario, rng: random.Random) -> Iterator[Micros]:
    """The kernel service times of one stream: ``mta.ok_delay`` +/- ``mta.ok_delay_jitter``."""
    return _draws(rng, scenario.mta.ok_delay, scenario.mta.ok_delay_jitter)


class ServiceTimes:
    """Kernel service times for connections that come from outside the plan, one at a time
    (live mode), drawn as the plan draws them: a connection whose peer is named after a peer
    group of the scenario draws from that group's ``service`` stream, in arrival order (so a
    scenario played live gets the simulation's service times); any other draws from a stream
    of its own, ``mtasim/<seed>/live/service``."""

    def __init__(self, scenario: Scenario) -> None:
        seed = scenario.seed
        self._groups = {
            group.name: _service_draws(scenario, stream(seed, position, "service"))
            for position, group in enumerate(scenario.peers)
        }
        self._live = _service_draws(scenario, random.Random(f"mtasim/{seed}/live/service"))

    def draw(self, peer: str) -> Micros:
        """The next service time (µs) for a connection of ``peer``."""
        return next(self._groups.get(peer, self._live))


def reach(scenario: Scenario) -> tuple[Micros, Micros]:
    """``(last, tail)`` in µs: ``last`` bounds the last arrival of the groups with fixed
    arrivals (a Poisson group counts with its ``at`` only), ``tail`` how long a run can go on
    after its last arrival.

    The tail: the listener accepts at most N + 1 times (N connections), ``accept_time``
    each; the kernel then serves at most N jobs of at most ``ok_delay + ok_delay_jitter``
    each, even on one thread; after a connection's OK response come its round trip, its data
    and its hold; its response timer runs from its accept, its peer's give-up from its
    arrival. With a finite ``until`` nothing happens after ``until``; :func:`latest` takes
    that into account.
    """
    mta = scenario.mta
    after = _finite(scenario.winsock.response_timeout) or 0
    last = 0
    for group in scenario.peers:
        if group.kind == FLOOD:
            continue  # its SYNs make no occurrence: the table is played lazily
        hold = 0 if math.isinf(group.hold) else to_micros(group.hold)
        give_up = 0 if math.isinf(group.give_up) else to_micros(group.give_up)
        round_trip = 2 * to_micros(group.latency + group.latency_jitter)
        after = max(after, give_up, round_trip + hold)
        start = to_micros(group.at)
        if group.process != "poisson":
            start += (group.count - 1) * to_micros(group.interval)
        last = max(last, start)
    count = sum(group.count for group in scenario.peers if group.kind != FLOOD)
    service = to_micros(mta.ok_delay + mta.ok_delay_jitter)
    return last, tail_bound(count, to_micros(mta.accept_time), service, after)


def tail_bound(count: int, accept_time: Micros, service: Micros, after: Micros) -> Micros:
    """How long a run of ``count`` connections can go on after its last arrival (µs): at most
    ``count + 1`` accepts, then ``count`` kernel jobs of at most ``service`` each, then
    ``after``, the longest a connection's timer, give-up, or round trip and hold can take
    (:func:`reach`; a trace's replay is bounded with it too)."""
    return (count + 1) * accept_time + count * service + after


def latest(scenario: Scenario) -> Micros:
    """An upper bound of the latest virtual time (µs) a run of the scenario can reach, its
    Poisson arrivals aside (see :func:`reach`)."""
    last, tail = reach(scenario)
    if math.isinf(scenario.until):
        return last + tail
    return min(to_micros(scenario.until), last + tail)


def room(epoch: datetime) -> Micros:
    """The virtual time (µs) from ``epoch`` to the last instant a timestamp can show."""
    return (LAST_INSTANT - epoch) // timedelta(microseconds=1)


def epoch_problem(scenario: Scenario) -> str | None:
    """Why the scenario's timestamps may pass ``datetime.max``, or ``None``."""
    bound = latest(scenario)
    if bound <= room(scenario.epoch):
        return None
    what = (
        f"the run can reach {bound / MICROS_PER_SECOND:,.6g} s of virtual time (an upper "
        "bound from its arrivals, delays and until), and the epoch plus that passes "
        f"{LAST_INSTANT.isoformat()}, the last instant a timestamp can show"
    )
    if bound > room(datetime.min):
        return f"{what}; no epoch leaves that much room: shorten the run (until, counts, delays)"
    latest_epoch = LAST_INSTANT - timedelta(microseconds=bound)
    return f"{what}; expected an epoch at most {latest_epoch.replace(microsecond=0).isoformat()}"


def _group_times(
    scenario: Scenario, position: int, group: PeerGroup, cap: float = math.inf
) -> Iterator[Micros]:
    """The arrival time (µs) of each connection (or SYN) of a group, from its ``arrivals``
    stream."""
    if group.process == "poisson":
        expovariate, rate = stream(scenario.seed, position, "arrivals").expovariate, group.rate
        t = group.at
        for k in range(group.count):
            if k:
                t += expovariate(rate)
                if t > cap:
                    raise _past_the_last_instant(scenario, position, t)
            yield round(t * MICROS_PER_SECOND)
    else:
        start = to_micros(group.at)
        step = to_micros(group.interval)
        for k in range(group.count):
            yield start + k * step


def _group_arrivals(
    scenario: Scenario, position: int, group: PeerGroup, cap: float = math.inf
) -> Iterator[tuple[Micros, int, int, Micros, Micros]]:
    """``(arrival, position, index, service, latency)`` of each connection of a group."""
    services = _service_draws(scenario, stream(scenario.seed, position, "service"))
    latencies = _draws(
        stream(scenario.seed, position, "latency"), group.latency, group.latency_jitter
    )
    for k, t in enumerate(_group_times(scenario, position, group, cap)):
        yield (t, position, k, next(services), next(latencies))


def arrivals(scenario: Scenario) -> Iterator[ConnSpec]:
    """Every connection of the run in arrival order, numbered from 0."""
    groups = scenario.peers
    cap = math.inf
    if math.isinf(scenario.until) and any(g.process == "poisson" for g in groups):
        # The latest Poisson arrival (s) after which the tail could pass datetime.max.
        # (One second less: float seconds near the bound are coarser than a microsecond.)
        cap = (room(scenario.epoch) - reach(scenario)[1]) / MICROS_PER_SECOND - 1.0
    streams = [
        _group_arrivals(scenario, i, g, cap) for i, g in enumerate(groups) if g.kind != FLOOD
    ]
    # (arrival, position, index) is unique, so the merge never compares further.
    merged = streams[0] if len(streams) == 1 else heapq.merge(*streams)
    constants = [
        (_optional(g.hold), _optional(g.give_up), g.data_units, g.close == "reset", g.name)
        for g in groups
    ]
    for number, (arrival, position, _, service, latency) in enumerate(merged):
        hold, give_up, data_units, reset, name = constants[position]
        yield ConnSpec(number, arrival, service, hold, give_up, latency, data_units, reset, name)


def _past_the_last_instant(scenario: Scenario, position: int, t: float) -> ScenarioError:
    message = (
        f"the Poisson arrivals of this group reach {t:,.6g} s of virtual time, where the "
        f"epoch plus what the run can still do passes {LAST_INSTANT.isoformat()}, the last "
        "instant a timestamp can show; give the scenario an until, a higher rate or a "
        "smaller count"
    )
    return ScenarioError([Problem(scenario.origin, f"peers[{position}].rate", message)])
