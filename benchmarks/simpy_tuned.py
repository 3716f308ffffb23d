"""The MTA model written the way a simpy expert writes it for speed, for the benchmark.

Rules of this module:

* It is an independent re-implementation of the semantics of ``sim/core/_model.py`` (read its
  module docstring), like ``simpy_model.py``, and it gives the same counts: ``benchmarks/run.py``
  compares them with the core's on every build. The builds' rules, the phases and the counters
  come from ``bench_common``.
* No process and no generator per connection, no condition events: every happening is a
  ``simpy.Timeout`` carrying the connection as its value, with one callback (a method bound
  once). A timer that became moot is not cancelled (simpy cannot take an event out of its
  queue): its callback sees from the connection's phase that there is nothing left to do.
* The listener and the kernel threads are long-lived callback chains, not processes: the
  listener's accept schedules the next one while the backlog is not empty; a kernel thread that
  finishes an OK response takes the next job from a FIFO ``deque`` (skipping the withdrawn ones
  on the builds that withdraw them) or becomes idle. The backlog is a ``deque`` with lazy
  deletion: a connection that left it is skipped when it reaches the head.
* Time is in ticks, ``microseconds * 8 + kind`` (``bench_common.SUB`` and the kinds), as in
  ``simpy_model.py``, and an instant already past is scheduled at once (a zero delay), as
  there. A handler knows the tick it runs at (its own kind's), so most delays are computed
  from the happening's own fields without reading the clock.
* Only simpy's public API: ``simpy.Timeout``, ``Event.callbacks`` and ``Event.value``,
  ``Environment.now`` and ``run``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
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
from simpy import Timeout

from sim.core import ConnSpec, ModelConfig

#: A handler; its event is a ``simpy.Timeout`` whose value is the connection (or the spec).
Callback = Callable[[Any], None]


class Conn:
    __slots__ = ("giving_up", "phase", "spec")

    def __init__(self, spec: ConnSpec) -> None:
        self.spec = spec
        self.phase = BACKLOG
        self.giving_up = spec.give_up is not None  # the peer's own close is still pending


class TunedMta:
    def __init__(
        self, env: simpy.Environment, config: ModelConfig, policy: Policy, specs: Iterable[ConnSpec]
    ) -> None:
        check_supported(config, "the tuned simpy model")
        self.env = env
        self.policy = policy
        self.counts = Counts()
        self.specs: Iterator[ConnSpec] = iter(specs)
        self.backlog: deque[Conn] = deque()
        self.backlog_live = 0  # connections in the backlog that are still waiting
        self.backlog_size = config.backlog
        self.listener_busy = False
        self.jobs: deque[Conn] = deque()  # queued OK-response jobs
        self.idle_threads = config.threads
        self.free_cbs = free_control_blocks(config)
        assert config.response_timeout is not None
        self.timeout_ticks = config.response_timeout * SUB
        self.accept_ticks = config.accept_time * SUB
        # Callbacks bound once: appending a bound method allocates nothing.
        self.on_arrival = self.arrival
        self.on_timeout = self.timeout
        self.on_give_up = self.give_up
        self.on_accept = self.accept
        self.on_ok = self.ok_ready
        self.on_data = self.data
        self.on_close = self.peer_close
        self.next_arrival()

    def at(self, t: int, kind: int, callback: Callback, conn: Conn) -> None:
        """Call ``callback`` at microsecond ``t`` in ``kind``'s place among equal times (at
        once if that place is already past), with ``conn`` as the event's value."""
        env = self.env
        delay = t * SUB + kind - env.now
        Timeout(env, delay if delay > 0 else 0, conn).callbacks.append(callback)

    # -- the peers and the Winsock layer ---------------------------------------------------
    def next_arrival(self) -> None:
        spec = next(self.specs, None)
        if spec is not None:
            delay = spec.arrival * SUB + ARRIVAL - self.env.now
            ev = Timeout(self.env, delay if delay > 0 else 0, spec)
            ev.callbacks.append(self.on_arrival)

    def arrival(self, ev: Any) -> None:
        spec: ConnSpec = ev.value
        self.next_arrival()
        counts = self.counts
        counts.connections += 1
        if self.backlog_live >= self.backlog_size:
            counts.refused_backlog += 1
            return
        conn = Conn(spec)
        self.backlog.append(conn)
        self.backlog_live += 1
        env = self.env
        # The handler runs at the arrival's own tick: the delays are relative to it.
        if spec.give_up is not None:
            self.at(spec.arrival + spec.give_up, PEER_CLOSE, self.on_give_up, conn)
        if not self.listener_busy:
            self.listener_busy = True
            Timeout(env, self.accept_ticks - ARRIVAL + ACCEPT).callbacks.append(self.on_accept)

    def timeout(self, ev: Any) -> None:
        """The Winsock response timer; moot once the CC went out or the connection closed."""
        conn: Conn = ev.value
        if conn.phase == OPENING:
            self.counts.timed_out += 1
            self.close(conn)

    def give_up(self, ev: Any) -> None:
        """The peer's own connect timeout; moot once a CC reached it in time."""
        conn: Conn = ev.value
        if conn.phase == CLOSED or not conn.giving_up:
            return
        self.counts.peer_gave_up += 1
        if conn.phase == BACKLOG:
            self.counts.abandoned_in_backlog += 1
            self.backlog_live -= 1
            conn.phase = CLOSED
        else:
            self.close(conn)

    def data(self, ev: Any) -> None:
        conn: Conn = ev.value
        spec = conn.spec
        self.counts.data_units += spec.data_units
        if spec.hold is not None:
            delay = spec.hold * SUB + PEER_CLOSE - DATA
            Timeout(self.env, delay if delay > 0 else 0, conn).callbacks.append(self.on_close)

    def peer_close(self, ev: Any) -> None:
        """The peer closes after holding the association."""
        self.close(ev.value)

    # -- the NSI listener and the kernel threads -------------------------------------------
    def accept(self, ev: Any) -> None:
        backlog = self.backlog
        while backlog:
            conn = backlog.popleft()
            if conn.phase == BACKLOG:
                break
        else:
            self.listener_busy = False
            return
        self.backlog_live -= 1
        counts = self.counts
        counts.accepted += 1
        if self.free_cbs == 0:
            counts.refused_no_cb += 1
            counts.logged[9156] += 1
            conn.phase = CLOSED
        else:
            self.free_cbs -= 1
            conn.phase = OPENING
            # The response timer runs from the accept (the handler runs at the accept's tick).
            delay = self.timeout_ticks + TIMEOUT - ACCEPT
            Timeout(self.env, delay, conn).callbacks.append(self.on_timeout)
            if self.idle_threads:
                self.idle_threads -= 1
                delay = conn.spec.service * SUB + OK - ACCEPT
                Timeout(self.env, delay if delay > 0 else 0, conn).callbacks.append(self.on_ok)
            else:
                self.jobs.append(conn)
        if self.backlog_live:
            Timeout(self.env, self.accept_ticks).callbacks.append(self.on_accept)
        else:
            self.listener_busy = False

    def ok_ready(self, ev: Any) -> None:
        """A kernel thread finished an OK response; it takes the next job."""
        conn: Conn = ev.value
        counts = self.counts
        if conn.phase == OPENING:
            conn.phase = OPEN
            counts.opened += 1
            self.cc_sent(conn)
        else:
            counts.late_ok_discarded += 1
        jobs = self.jobs
        withdraws = self.policy.withdraws_dead_jobs
        while jobs:
            job = jobs.popleft()
            if withdraws and job.phase == CLOSED:
                continue
            # This handler runs at an OK tick (kind 0): the next OK is service ticks away.
            Timeout(self.env, job.spec.service * SUB, job).callbacks.append(self.on_ok)
            return
        self.idle_threads += 1

    def cc_sent(self, conn: Conn) -> None:
        """The OK response went out as the CC (at an OK tick): drive the peer."""
        spec = conn.spec
        round_trip = 2 * spec.latency
        if conn.giving_up:
            assert spec.give_up is not None
            if self.env.now // SUB + round_trip > spec.arrival + spec.give_up:
                return  # the CC is late for the peer: its close is on its way
            conn.giving_up = False
        if spec.data_units > 0:
            Timeout(self.env, round_trip * SUB + DATA, conn).callbacks.append(self.on_data)
        elif spec.hold is not None:
            delay = (round_trip + spec.hold) * SUB + PEER_CLOSE
            Timeout(self.env, delay, conn).callbacks.append(self.on_close)

    def close(self, conn: Conn) -> None:
        """A Close Request reaches the NSI for an accepted connection."""
        self.free_cbs += nsi_close(self.counts, self.policy, conn.phase)
        conn.phase = CLOSED


def run_simpy_tuned(config: ModelConfig, build_version: str, specs: Iterable[ConnSpec]) -> Counts:
    """Run the tuned simpy model over ``specs`` to the end; return its counts."""
    env = simpy.Environment()
    model = TunedMta(env, config, POLICIES[build_version], specs)
    env.run()
    return model.counts
