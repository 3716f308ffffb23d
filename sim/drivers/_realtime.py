"""The real-time clock: the model on trio's wall clock, with real peers as its outside source.

Rules of this module (why a live session replays byte for byte: ``docs/live.md``):

* The model's one scheduler (``sim.core.Scheduler``) holds both the MTA's own occurrences
  (accepts, OK responses, Winsock timers) and the real peers' inputs (a CR arrived, data
  arrived, the peer closed or reset). ``t`` is integer microseconds of virtual time since the
  session started: real elapsed time divided by ``time_scale`` (real seconds per virtual
  second).
* An outside input observed at real time ``now`` first lets every occurrence already due run
  (so the model has caught up with the wall clock), then gets ``t = max(now, last handled t +
  1, last outside t + 1)``: strictly after everything already handled and after every earlier
  outside input. Live connections have ``hold=None, give_up=None, data_units=0``, so the model
  never schedules a peer occurrence of its own and an outside input never ties with a model
  occurrence of the same kind. The handling order is therefore the ``(t, kind)`` order of the
  recorded inputs, and a replay that feeds the recorded inputs at their ``t`` to the virtual
  clock reproduces every line.
* :meth:`RealTime.run` handles every occurrence as it falls due and sleeps until the next one
  (or until an outside input wakes it). Handling is synchronous; the steps go to ``on_step``
  (the live listener reads their actions: send the CC, refuse, close).
* :meth:`RealTime.finish` ends a session: every connection the model still holds gets a close
  (``cause`` shutdown), in connection order, then the scheduler runs out in virtual time (no
  more sleeping), so the recorded trace ends with a quiet model, as a replay does.
* The session's virtual clock stops at :attr:`RealTime.horizon`, a minute of virtual time
  before the last instant an event can carry (``epoch`` + t must fit in a ``datetime``, that is
  before 10000-01-01): :meth:`RealTime.now` never passes it and nothing later is handled until
  :meth:`RealTime.finish`. ``mtasim serve`` stops the session there (``docs/live.md``). The
  minute leaves room for the microseconds :meth:`finish` stamps its closes with.
"""

from __future__ import annotations

import math
from typing import Any

import trio

from ..core import (
    Build,
    ConnSpec,
    External,
    Kind,
    Model,
    ModelConfig,
    StepSink,
    latest_micros,
)

#: How far before the last representable instant the session's virtual clock stops (µs).
HORIZON_MARGIN = 60 * 1_000_000


class RealTime:
    """One MTA model on real time, for one live session."""

    def __init__(
        self,
        config: ModelConfig,
        build: Build,
        *,
        time_scale: float = 1.0,
        on_step: StepSink | None = None,
    ) -> None:
        if not (time_scale > 0 and math.isfinite(time_scale)):
            raise ValueError(f"time_scale must be a positive number, got {time_scale!r}")
        self.model = Model(config, build, (), on_step=on_step)
        self.mta = self.model.mta
        self.time_scale = time_scale
        self._scheduler = self.model.scheduler
        self._last = -1  # t of the last occurrence handled
        self._last_external = -1
        self._origin: float | None = None
        self._wakeup = trio.Event()
        self._held: set[int] = set()  # connections introduced and not yet finished
        self._next_conn = 0
        self.mta.on_finished = self._held.discard
        self.finished = False
        #: virtual time (µs) at which :meth:`finish` ended the session
        self.ended_at: int | None = None
        #: the virtual clock stops here (µs); 0 or less: the epoch leaves no room for a session
        self.horizon = latest_micros(config.epoch) - HORIZON_MARGIN

    # -- time --------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the session now (virtual time 0) and open the preexisting associations."""
        if self._origin is not None:
            raise RuntimeError("the live model is already started")
        self._origin = trio.current_time()
        self.model.start()

    def now(self) -> int:
        """Virtual microseconds since the start (at most :attr:`horizon`)."""
        assert self._origin is not None, "start() first"
        elapsed = trio.current_time() - self._origin
        virtual = elapsed / self.time_scale * 1_000_000
        if not virtual < self.horizon:  # past it, or not a finite number
            return max(0, self.horizon)
        return max(0, math.floor(virtual))

    @property
    def last_time(self) -> int:
        """Virtual time (µs) of the last occurrence handled (0 before any)."""
        return max(self._last, 0)

    @property
    def steps(self) -> int:
        return self._scheduler.steps

    def deadline(self, t: int) -> float:
        """The trio time at which virtual time ``t`` is due."""
        assert self._origin is not None, "start() first"
        return self._origin + t * self.time_scale / 1_000_000

    # -- the real peers' inputs --------------------------------------------------------------
    def holds(self, conn: int) -> bool:
        """The model still has this connection (it has not finished it)."""
        return conn in self._held

    @property
    def held(self) -> int:
        return len(self._held)

    def arrival(self, service: int, peer: str) -> int:
        """A real peer's CR arrived: a new connection with this kernel service time (µs).
        Returns its connection number."""
        t = self._stamp()
        conn = self._next_conn
        self._next_conn += 1
        spec = ConnSpec(
            conn, t, service, hold=None, give_up=None, latency=0, data_units=0, peer=peer
        )
        self._held.add(conn)
        self._inject(External(t, Kind.ARRIVAL, conn, spec))
        return conn

    def data(self, conn: int, units: int) -> None:
        """``units`` TSDUs arrived from the peer of ``conn`` (after its CC)."""
        if conn in self._held:
            self._inject(External(self._stamp(), Kind.PEER_DATA, conn, None, (("units", units),)))

    def close(self, conn: int, *, reset: bool = False, cause: str | None = None) -> None:
        """The peer of ``conn`` closed (or reset) its connection, or the listener dropped it
        (``cause``). Nothing happens if the model is done with it."""
        if conn not in self._held:
            return
        detail: tuple[tuple[str, Any], ...] = (("reset", True),) if reset else ()
        if cause is not None:
            detail += (("cause", cause),)
        self._inject(External(self._stamp(), Kind.PEER_CLOSE, conn, None, detail))

    def _stamp(self) -> int:
        if self.finished:
            raise RuntimeError("the live session is finished")
        self.catch_up()
        t = max(self.now(), self._last + 1, self._last_external + 1)
        self._last_external = t
        return t

    def _inject(self, ext: External) -> None:
        self.model.outside.inject(ext)
        self._wakeup.set()

    # -- running -----------------------------------------------------------------------------
    def catch_up(self) -> None:
        """Handle every occurrence that is due by the wall clock."""
        scheduler = self._scheduler
        now = trio.current_time()
        horizon = self.horizon
        while True:
            t = scheduler.next_time()
            if t is None or t > horizon or self.deadline(t) > now:
                return
            self._handle_next()

    def _handle_next(self) -> None:
        occ = self._scheduler.pop()
        assert occ is not None
        self._last = occ.t
        self._scheduler.dispatch(occ)

    def next_due(self) -> float:
        """trio time of the next occurrence (inf when none, or when it is past the horizon)."""
        t = self._scheduler.next_time()
        return math.inf if t is None or t > self.horizon else self.deadline(t)

    async def run(self) -> None:
        """Handle occurrences as they fall due, until cancelled."""
        while True:
            self.catch_up()
            deadline = self.next_due()
            self._wakeup = trio.Event()
            with trio.move_on_at(deadline):
                await self._wakeup.wait()

    def finish(self) -> None:
        """End the session: close what the model holds, then run it out (no sleeping)."""
        if self.finished or self._origin is None:
            self.finished = True
            return
        self.catch_up()
        self.ended_at = self.now()
        for conn in sorted(self._held):
            self.close(conn, cause="shutdown")
        self.finished = True
        while self._scheduler.next_time() is not None:
            self._handle_next()
