"""The MTA model written the naive trio way, for the benchmark.

Rules of this module:

* One trio task per connection, a listener task, one task per OK-response job holding a
  ``trio.CapacityLimiter`` (the kernel threads), ``trio.move_on_after`` as the Winsock timer
  racing the OK response, a counter of free control blocks, the builds' 4258/4283 rule.
* Time is trio's ``MockClock(autojump_threshold=0)``, counted in microseconds (:data:`MICROS`):
  whenever every task is blocked, the clock jumps to the next deadline. Nothing orders
  happenings at an equal instant: trio runs the tasks woken together in an undefined order (it
  even reverses batches at random). So there is no determinism guarantee, and its counts are
  shown, not checked. This is the model the trio driver (``sim.drivers._trio``) is measured
  against: same actors, no dispatcher.
* Inputs are the same ``ConnSpec`` values as the core's (``sim.scenario.arrivals``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

import trio
import trio.testing
from bench_common import (
    BACKLOG,
    CLOSED,
    OPEN,
    OPENING,
    POLICIES,
    Counts,
    Policy,
    free_control_blocks,
    nsi_close,
)

from sim.core import ConnSpec, ModelConfig

#: The model's unit of time on trio's clock: one microsecond. Every time is then an integer
#: (exact as a float up to 2**53 us, 285 years), so trio's autojump, which adds the distance to
#: the next deadline to its float clock, lands exactly on the deadline. In seconds it can fall
#: short of a deadline by a rounding error, and then jumps by nothing for ever (it did after
#: ~3,000 s of virtual time in this model).
MICROS = 1


class NaiveConn:
    __slots__ = ("accepted", "outcome", "phase", "result", "spec")

    def __init__(self, spec: ConnSpec) -> None:
        self.spec = spec
        self.accepted = trio.Event()  # the listener took it from the backlog
        self.outcome = trio.Event()
        self.result = ""
        self.phase = BACKLOG


class NaiveMta:
    def __init__(self, config: ModelConfig, policy: Policy) -> None:
        self.config = config
        self.policy = policy
        self.counts = Counts()
        self.kernel = trio.CapacityLimiter(config.threads)
        self.backlog: deque[NaiveConn] = deque()
        self.wakeup = trio.Event()
        self.free_cbs = free_control_blocks(config)
        assert config.response_timeout is not None
        self.timeout = config.response_timeout / MICROS
        self.accept_time = config.accept_time / MICROS
        self.done = False
        # Connections started but not yet in the backlog (or refused): the listener waits for
        # them. Without this count a connection task started just before the last arrival's
        # ``done`` could run after the listener had seen an empty backlog and stopped, and
        # wait for its accept for ever (trio orders the tasks woken together at random).
        self.arriving = 0

    async def main(self, specs: Iterable[ConnSpec]) -> None:
        async with trio.open_nursery() as nursery:
            self.nursery: trio.Nursery = nursery
            nursery.start_soon(self.listener)
            start = trio.current_time()
            for spec in specs:
                await trio.sleep_until(start + spec.arrival / MICROS)
                self.arriving += 1
                nursery.start_soon(self.connection, spec)
            # Nothing arrives any more: the listener may stop once the backlog is empty.
            self.done = True
            self.wakeup.set()

    async def connection(self, spec: ConnSpec) -> None:
        counts = self.counts
        counts.connections += 1
        self.arriving -= 1
        if len(self.backlog) >= self.config.backlog:
            counts.refused_backlog += 1
            self.wakeup.set()
            return
        conn = NaiveConn(spec)
        self.backlog.append(conn)
        self.wakeup.set()
        give_up = math.inf if spec.give_up is None else spec.give_up / MICROS
        timer = None
        with trio.move_on_after(give_up) as peer_scope:
            await conn.accepted.wait()
            if conn.result != "refused":
                # The response timer runs from the accept.
                with trio.move_on_after(self.timeout) as timer:
                    await conn.outcome.wait()
        timed_out = timer is not None and timer.cancelled_caught
        if timed_out or peer_scope.cancelled_caught:
            if timed_out:
                counts.timed_out += 1
            else:
                counts.peer_gave_up += 1
            if conn.phase == BACKLOG:
                self.backlog.remove(conn)
                counts.abandoned_in_backlog += 1
            else:
                self.close(conn)
            return
        if conn.result == "refused":
            return
        latency = spec.latency / MICROS
        if spec.give_up is not None and trio.current_time() + 2 * latency > peer_scope.deadline:
            await trio.sleep_until(peer_scope.deadline)
            counts.peer_gave_up += 1
            self.close(conn)
            return
        await trio.sleep(2 * latency)
        if spec.data_units > 0:
            counts.data_units += spec.data_units
        if spec.hold is None:
            return
        await trio.sleep(spec.hold / MICROS)
        self.close(conn)

    async def listener(self) -> None:
        counts = self.counts
        while True:
            while not self.backlog:
                if self.done and not self.arriving:
                    return
                self.wakeup = trio.Event()
                await self.wakeup.wait()
            await trio.sleep(self.accept_time)
            if not self.backlog:
                continue
            conn = self.backlog.popleft()
            counts.accepted += 1
            if self.free_cbs == 0:
                counts.refused_no_cb += 1
                counts.logged[9156] += 1
                conn.phase = CLOSED
                conn.result = "refused"
                conn.accepted.set()
                continue
            self.free_cbs -= 1
            conn.phase = OPENING
            conn.accepted.set()
            self.nursery.start_soon(self.kernel_job, conn)

    async def kernel_job(self, conn: NaiveConn) -> None:
        async with self.kernel:
            if conn.phase == CLOSED and self.policy.withdraws_dead_jobs:
                return
            await trio.sleep(conn.spec.service / MICROS)
        if conn.phase == OPENING:
            conn.phase = OPEN
            self.counts.opened += 1
            conn.result = "cc"
            conn.outcome.set()
        else:
            self.counts.late_ok_discarded += 1

    def close(self, conn: NaiveConn) -> None:
        self.free_cbs += nsi_close(self.counts, self.policy, conn.phase)
        conn.phase = CLOSED


def run_naive_trio(config: ModelConfig, build_version: str, specs: Iterable[ConnSpec]) -> Counts:
    """Run the naive trio model over ``specs`` to the end; return its counts."""
    model = NaiveMta(config, POLICIES[build_version])
    clock = trio.testing.MockClock(autojump_threshold=0)
    trio.run(model.main, specs, clock=clock)
    return model.counts
