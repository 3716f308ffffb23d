"""The sans-IO core on real time: the heap discipline of the simulator, driven by trio's clock.

Rules of this module (why a live session replays byte for byte: ``docs/live.md``):

* One heap of occurrences ordered ``(t, kind, seq)``, as in the simulator, holds both the
  model's own occurrences (accepts, OK responses, Winsock timers) and the *external* inputs of
  the real peers (a CR arrived, data arrived, the peer closed or reset). ``t`` is integer
  microseconds of virtual time since the session started: real elapsed time divided by
  ``time_scale`` (real seconds per virtual second).
* An external input observed at real time ``now`` first lets every heap entry already due run
  (so the core has caught up with the wall clock), then gets ``t = max(now, last processed t +
  1, last external t + 1)``: strictly after everything already processed and after every
  earlier external input. Live connections have ``hold=None, give_up=None, data_units=0``, so
  the model never schedules a peer occurrence of its own and an external input never ties
  with a model occurrence of the same kind. The processing order is therefore the ``(t,
  kind)`` order of the recorded inputs, and a replay that pushes the recorded externals at
  their ``t`` in the simulated heap reproduces every line.
* :meth:`LiveModel.run` processes every entry with ``t`` due and sleeps until the next one (or
  until an external input wakes it). Processing is synchronous: a step's consequences for the
  sockets (send the CC, refuse, close) go to the :class:`Actions` callbacks, which must not
  block.
* The session's virtual clock stops at :attr:`LiveModel.horizon`, a minute of virtual time
  before the last instant an event can carry (``epoch`` + t must fit in a ``datetime``, that
  is before 10000-01-01): :meth:`LiveModel.now` never passes it and nothing later is processed
  until :meth:`LiveModel.finish`. ``mtasim serve`` stops the session there (``docs/live.md``).
  The minute leaves room for the microseconds :meth:`finish` stamps its closes with.
* :meth:`LiveModel.finish` ends a session: every connection the core still holds gets a
  ``PEER_CLOSE`` (``cause`` shutdown), in connection order, then the heap runs out in virtual
  time (no more sleeping), so the recorded trace ends with a quiet model, as a replay does.
"""

from __future__ import annotations

import heapq
import math
from typing import Any, Protocol

import trio

from ..core import (
    Build,
    ConnSpec,
    EventSink,
    Kind,
    Micros,
    ModelConfig,
    Mta,
    Occurrence,
    Record,
    RecordSink,
    Step,
    latest_micros,
)

#: Why the model closes or refuses a live connection (derived from the step's records).
REFUSED_BACKLOG = "backlog"
REFUSED_NO_CB = "no free control block"
TIMED_OUT = "response timeout"

#: How far before the last representable instant the session's virtual clock stops (µs).
HORIZON_MARGIN = 60 * 1_000_000


class Actions(Protocol):
    """What the socket side does with the model's decisions (called synchronously)."""

    def send_cc(self, conn: int) -> None: ...

    def disconnect(self, conn: int, why: str) -> None: ...


class LiveModel:
    """One MTA (sans-IO core) on real time, for one live session."""

    def __init__(
        self,
        config: ModelConfig,
        build: Build,
        actions: Actions,
        *,
        time_scale: float = 1.0,
        on_event: EventSink | None = None,
        on_record: RecordSink | None = None,
    ) -> None:
        if not (time_scale > 0 and math.isfinite(time_scale)):
            raise ValueError(f"time_scale must be a positive number, got {time_scale!r}")
        self.mta = Mta(config, build, ())
        self.time_scale = time_scale
        self._actions = actions
        self._on_event = on_event
        self._on_record = on_record
        self._heap: list[tuple[int, int, int, Occurrence]] = []
        self._cancelled: set[int] = set()
        self._last = -1  # t of the last occurrence processed
        self._last_external = -1
        self._origin: float | None = None
        self._wakeup = trio.Event()
        self._held: set[int] = set()  # connections the core has not finished
        self._next_conn = 0
        self.finished = False
        self.steps = 0
        #: virtual time (µs) at which :meth:`finish` ended the session
        self.ended_at: int | None = None
        #: the virtual clock stops here (µs); 0 or less: the epoch leaves no room for a session
        self.horizon = latest_micros(config.epoch) - HORIZON_MARGIN

    # -- time ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the session now (virtual time 0) and open the preexisting associations."""
        if self._origin is not None:
            raise RuntimeError("the live model is already started")
        self._origin = trio.current_time()
        self._apply(self.mta.start())

    def now(self) -> int:
        """Virtual microseconds since the start (at most :attr:`horizon`)."""
        assert self._origin is not None, "start() first"
        elapsed = trio.current_time() - self._origin
        return max(0, min(math.floor(elapsed / self.time_scale * 1_000_000), self.horizon))

    @property
    def last_time(self) -> int:
        """Virtual time (µs) of the last occurrence processed (0 before any)."""
        return max(self._last, 0)

    def deadline(self, t: int) -> float:
        """The trio time at which virtual time ``t`` is due."""
        assert self._origin is not None, "start() first"
        return self._origin + t * self.time_scale / 1_000_000

    # -- external inputs -----------------------------------------------------------------
    def holds(self, conn: int) -> bool:
        """The core still has this connection (it has not finished it)."""
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
            conn,
            Micros(t),
            Micros(service),
            hold=None,
            give_up=None,
            latency=Micros(0),
            data_units=0,
            peer=peer,
        )
        self._held.add(conn)
        self._push(self.mta.external_arrival(spec))
        return conn

    def data(self, conn: int, units: int) -> None:
        """``units`` TSDUs arrived from the peer of ``conn`` (after its CC)."""
        if conn in self._held:
            self._push(self.mta.external(self._stamp(), Kind.PEER_DATA, conn, (("units", units),)))

    def close(self, conn: int, *, reset: bool = False, cause: str | None = None) -> None:
        """The peer of ``conn`` closed (or reset) its connection, or the listener dropped it
        for a protocol error (``cause``). Nothing happens if the core is done with it."""
        if conn not in self._held:
            return
        detail: tuple[tuple[str, Any], ...] = (("reset", True),) if reset else ()
        if cause is not None:
            detail += (("cause", cause),)
        self._push(self.mta.external(self._stamp(), Kind.PEER_CLOSE, conn, detail))

    def _stamp(self) -> int:
        if self.finished:
            raise RuntimeError("the live session is finished")
        self.catch_up()
        t = max(self.now(), self._last + 1, self._last_external + 1)
        self._last_external = t
        return t

    def _push(self, occ: Occurrence) -> None:
        heapq.heappush(self._heap, (occ.t, occ.kind, occ.seq, occ))
        self._wakeup.set()

    # -- processing ------------------------------------------------------------------------
    def catch_up(self) -> None:
        """Process every heap entry that is due by the wall clock."""
        heap = self._heap
        now = trio.current_time()
        horizon = self.horizon
        while heap and heap[0][0] <= horizon and self.deadline(heap[0][0]) <= now:
            self._process_next()

    def _process_next(self) -> None:
        _, _, seq, occ = heapq.heappop(self._heap)
        if seq in self._cancelled:
            self._cancelled.discard(seq)
            return
        self._last = occ.t
        self.steps += 1
        self._apply(self.mta.handle(occ))

    async def run(self) -> None:
        """Process occurrences as they fall due, until cancelled."""
        while True:
            self.catch_up()
            deadline = self.next_due()
            self._wakeup = trio.Event()
            with trio.move_on_at(deadline):
                await self._wakeup.wait()

    def next_due(self) -> float:
        """trio time of the next heap entry (inf when none, or when it is past the horizon)."""
        heap = self._heap
        return self.deadline(heap[0][0]) if heap and heap[0][0] <= self.horizon else math.inf

    def finish(self) -> None:
        """End the session: close what the core holds, then run the heap out (no sleeping)."""
        if self.finished or self._origin is None:
            self.finished = True
            return
        self.catch_up()
        self.ended_at = self.now()
        for conn in sorted(self._held):
            self.close(conn, cause="shutdown")
        self.finished = True
        while self._heap:
            self._process_next()

    def _apply(self, step: Step) -> None:
        if step.cancel:
            self._cancelled.update(step.cancel)
        for occ in step.schedule:
            heapq.heappush(self._heap, (occ.t, occ.kind, occ.seq, occ))
        actions = self._actions
        for record in step.records:
            if self._on_record is not None:
                self._on_record(record)
            why = _disconnect_reason(record)
            if why is not None:
                actions.disconnect(record.conn, why)
        if self._on_event is not None:
            for event in step.events:
                self._on_event(event)
        for conn in step.sent_cc:
            actions.send_cc(conn)
        for conn in step.finished:
            self._held.discard(conn)


def _disconnect_reason(record: Record) -> str | None:
    kind = record.kind
    if kind is Kind.RESPONSE_TIMEOUT:
        return TIMED_OUT
    if kind is Kind.ARRIVAL and ("refused", REFUSED_BACKLOG) in record.detail:
        return REFUSED_BACKLOG
    if kind is Kind.ACCEPT and ("refused", REFUSED_NO_CB) in record.detail:
        return REFUSED_NO_CB
    return None
