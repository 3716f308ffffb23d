"""The RFC 1006 client's entry points: real peers for the live listener, or for any RFC 1006
listener.

Rules of this module:

* :func:`play_scenario` plays each connection a scenario draws (``sim.scenario.arrivals``),
  started at its arrival, time-scaled, as its :class:`~sim.core.ConnSpec` says: the behaviour
  of the simulated peers, played by ``_playback`` (give-up at ``last_cc``, close reaching the
  listener at ``give_up_at``, data at ``data_at``, close at ``close_after``). Its group name is
  the calling TSAP, so that the live listener draws the simulation's kernel service times: a
  scenario played live gives the outcomes and counts of its simulation (the peer's ``timed
  out`` is the model's ``peer_gave_up``).
* :func:`run_peers` (the plain mode: ``--connections``, ``--rate``, ``--timeout``) opens
  connections at a rate, each the same behaviour with no latency, its connect timeout as its
  give-up, counted from its TCP connect (:meth:`PeerOptions.spec`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import trio

from ..core import ConnSpec
from ..scenario import Scenario, arrivals
from ._listener_options import host_port
from ._peer_options import PeerOptions, PeerSummary
from ._playback import Clock, play

Log = Callable[[str], None]


async def run_peers(
    host: str, port: int, options: PeerOptions, *, log: Log | None = None
) -> PeerSummary:
    """Open ``options.connections`` connections at ``options.rate`` per second; wait for all."""
    options.check()
    summary = PeerSummary(host_port(host, port), options.connections)
    began = trio.current_time()
    async with trio.open_nursery() as nursery:
        for index in range(options.connections):
            if options.rate > 0:
                await trio.sleep_until(began + index / options.rate)
            nursery.start_soon(_counted, (host, port), options, index, summary, log)
    summary.elapsed = trio.current_time() - began
    return summary


async def _counted(
    target: tuple[str, int],
    options: PeerOptions,
    index: int,
    summary: PeerSummary,
    log: Log | None,
) -> None:
    outcome, why = await connect_once(*target, options, index, summary)
    summary.count(outcome)
    if log is not None:
        log(f"peer: connection {index}: {outcome}" + (f": {why}" if why else ""))


async def connect_once(
    host: str,
    port: int,
    options: PeerOptions,
    index: int = 0,
    summary: PeerSummary | None = None,
) -> tuple[str, str]:
    """One connection of the plain mode (:meth:`PeerOptions.spec`); returns (outcome, why)."""
    clock = Clock(trio.current_time(), 1.0)
    return await play((host, port), options.spec(index), options, clock, summary)


async def play_scenario(
    host: str,
    port: int,
    scenario: Scenario,
    *,
    time_scale: float,
    data: int = 16,
    log: Log | None = None,
) -> PeerSummary:
    """Play the scenario's connections against a listener, time-scaled (real seconds per
    virtual second), each as its :class:`ConnSpec` says, as the simulated peers play them:
    arrival, give-up, data units of ``data`` octets, latency, hold, close or reset."""
    summary = PeerSummary(host_port(host, port))
    clock = Clock(trio.current_time(), time_scale)
    async with trio.open_nursery() as nursery:
        for spec in arrivals(scenario):
            await trio.sleep_until(clock.at(spec.arrival))
            summary.connections += 1
            play_one = functools.partial(_play_one, data=data, log=log)
            nursery.start_soon(play_one, (host, port), spec, clock, summary)
    summary.elapsed = trio.current_time() - clock.origin
    return summary


async def _play_one(
    target: tuple[str, int],
    spec: ConnSpec,
    clock: Clock,
    summary: PeerSummary,
    *,
    data: int,
    log: Log | None,
) -> None:
    options = PeerOptions(calling_tsap=spec.peer.encode("ascii", "replace"), data=data)
    outcome, why = await play(target, spec, options, clock, summary)
    summary.count(outcome)
    if log is not None:
        log(f"peer: connection {spec.conn}: {outcome}" + (f": {why}" if why else ""))
