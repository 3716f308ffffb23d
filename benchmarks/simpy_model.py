"""The MTA model written the way a simpy user would write it, for the benchmark.

Rules of this module:

* It is an independent re-implementation of the semantics of ``sim/core/_model.py`` (read
  its module docstring), not a wrapper around the core: a process per connection (the remote
  peer and its Winsock state), a listener process, a ``simpy.Resource`` for the MTA kernel
  threads with one process per OK-response job, a timeout racing the OK response, a counter
  of free control blocks, and the 4258/4283 rule of each build.
* Its inputs are the ``ConnSpec`` values of ``sim.scenario.arrivals(scenario)``, so it sees
  the same arrivals and service times as the core. ``benchmarks/run.py`` compares its counts
  with the core's and reports any difference.
* Time is in ticks, ``microseconds * 8 + kind`` (``bench_common.SUB`` and the kinds): that is
  how a simpy user would encode the core's tie rule, since simpy itself orders equal times
  first-in, first-out.
* Only the event counts of the ``maximum`` logging level are modelled (4258 is severity 8).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Iterable
from typing import Any

import simpy
from bench_common import (
    ACCEPT,
    ARRIVAL,
    BACKLOG,
    CLOSED,
    DATA,
    OK,
    OPEN,
    OPENING,
    PEER_CLOSE,
    POLICIES,
    SUB,
    TIMEOUT,
    Counts,
    Policy,
    check_supported,
    free_control_blocks,
    nsi_close,
)

from sim.core import ConnSpec, ModelConfig


class Conn:
    __slots__ = ("accepted", "outcome", "phase", "spec", "timer")

    def __init__(self, spec: ConnSpec, accepted: simpy.Event, outcome: simpy.Event) -> None:
        self.spec = spec
        self.accepted = accepted  # the listener took it from the backlog
        self.outcome = outcome  # succeeds with "cc" (OK response sent) or "refused" (no cb)
        self.phase = BACKLOG
        self.timer: simpy.Timeout | None = None  # the response timer, from the accept


class SimpyMta:
    def __init__(self, env: simpy.Environment, config: ModelConfig, policy: Policy) -> None:
        check_supported(config, "the simpy model")
        self.env = env
        self.config = config
        self.policy = policy
        self.counts = Counts()
        self.kernel = simpy.Resource(env, capacity=config.threads)
        self.backlog: deque[Conn] = deque()
        self.listener_wakeup: simpy.Event | None = None
        self.free_cbs = free_control_blocks(config)
        env.process(self.listener())

    def at(self, t: int, kind: int) -> simpy.Timeout:
        """A timeout that fires at microsecond ``t``, in ``kind``'s place among equal times
        (at once if that place is already past: a zero duration)."""
        return self.env.timeout(max(0, t * SUB + kind - self.env.now))

    def now(self) -> int:
        return int(self.env.now) // SUB

    # -- processes -----------------------------------------------------------------------
    def source(self, specs: Iterable[ConnSpec]) -> Generator[Any, Any, None]:
        for spec in specs:
            yield self.at(spec.arrival, ARRIVAL)
            self.env.process(self.connection(spec))

    def connection(self, spec: ConnSpec) -> Generator[Any, Any, None]:
        """One remote peer and its connection, from arrival to close."""
        counts = self.counts
        counts.connections += 1
        if len(self.backlog) >= self.config.backlog:
            counts.refused_backlog += 1
            return
        conn = Conn(spec, self.env.event(), self.env.event())
        self.backlog.append(conn)
        if self.listener_wakeup is not None:
            self.listener_wakeup.succeed()
            self.listener_wakeup = None
        give_up = None
        if spec.give_up is None:
            yield conn.accepted
        else:
            give_up = self.at(spec.arrival + spec.give_up, PEER_CLOSE)
            fired = yield conn.accepted | give_up
            if conn.accepted not in fired:
                counts.peer_gave_up += 1
                counts.abandoned_in_backlog += 1
                self.backlog.remove(conn)
                return
        if conn.outcome.triggered and conn.outcome.value == "refused":
            return
        # The response timer runs from the accept (the listener started it).
        timer = conn.timer
        assert timer is not None
        fired = (
            yield (conn.outcome | timer) if give_up is None else (conn.outcome | timer | give_up)
        )
        if conn.outcome not in fired:
            if timer in fired:
                counts.timed_out += 1
            else:
                counts.peer_gave_up += 1
            self.close(conn)
            return

        # The OK response went out as the CC: the Winsock timer is moot from here on.
        t = self.now()
        round_trip = t + 2 * spec.latency
        late = spec.give_up is not None and round_trip > spec.arrival + spec.give_up
        if give_up is not None and late:
            yield give_up  # the CC is late for the peer: its close is on its way
            counts.peer_gave_up += 1
            self.close(conn)
            return
        if spec.data_units > 0:
            yield self.at(round_trip, DATA)
            counts.data_units += spec.data_units
            if spec.hold is None:
                return
            yield self.at(self.now() + spec.hold, PEER_CLOSE)
        elif spec.hold is not None:
            yield self.at(round_trip + spec.hold, PEER_CLOSE)
        else:
            return
        self.close(conn)

    def listener(self) -> Generator[Any, Any, None]:
        """The NSI listener: accepts the backlog's head, one per ``accept_time``."""
        counts = self.counts
        while True:
            if not self.backlog:
                self.listener_wakeup = self.env.event()
                yield self.listener_wakeup
            yield self.at(self.now() + self.config.accept_time, ACCEPT)
            if not self.backlog:
                continue
            conn = self.backlog.popleft()
            counts.accepted += 1
            if self.free_cbs == 0:
                counts.refused_no_cb += 1
                counts.logged[9156] += 1
                conn.phase = CLOSED
                conn.outcome.succeed("refused")
                conn.accepted.succeed()
                continue
            self.free_cbs -= 1
            conn.phase = OPENING
            assert self.config.response_timeout is not None
            conn.timer = self.at(self.now() + self.config.response_timeout, TIMEOUT)
            conn.accepted.succeed()
            self.env.process(self.kernel_job(conn))

    def kernel_job(self, conn: Conn) -> Generator[Any, Any, None]:
        """One OK-response job on the kernel threads."""
        with self.kernel.request() as request:
            yield request
            if conn.phase == CLOSED and self.policy.withdraws_dead_jobs:
                return
            yield self.at(self.now() + conn.spec.service, OK)
        if conn.phase == OPENING:
            conn.phase = OPEN
            self.counts.opened += 1
            conn.outcome.succeed("cc")
        else:
            self.counts.late_ok_discarded += 1

    # -- the NSI -------------------------------------------------------------------------
    def close(self, conn: Conn) -> None:
        """A Close Request reaches the NSI for an accepted connection."""
        self.free_cbs += nsi_close(self.counts, self.policy, conn.phase)
        conn.phase = CLOSED


def run_simpy(config: ModelConfig, build_version: str, specs: Iterable[ConnSpec]) -> Counts:
    """Run the simpy model over ``specs`` to the end; return its counts."""
    env = simpy.Environment()
    model = SimpyMta(env, config, POLICIES[build_version])
    env.process(model.source(specs))
    env.run()
    return model.counts
