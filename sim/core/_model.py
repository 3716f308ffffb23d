"""The whole MTA model as a sans-IO step function: Winsock backlog, response timers, NSI
listener, MTA kernel threads, and the remote peers' behaviour.

Rules of this module (the semantics every driver shares):

* Time is integer microseconds. The model never reads a clock: a driver hands it one
  :class:`Occurrence` at a time, in ``(t, kind, seq)`` order, and gets a :class:`Step` back
  with the occurrences to schedule, the ones to cancel, the events logged and the trace
  records of the inputs consumed. ``seq`` numbers are handed out by the model in the order it
  schedules, so two drivers that respect the order produce identical steps.
* **Tie rule.** Occurrences at the same instant run in :class:`Kind` order. ``OK_READY`` comes
  first: an OK response ready exactly at the Winsock deadline is in time, because KB Q319936
  describes the bug as the connection timing out *before* the OK response (a strict
  inequality). Then peer closes, then response timeouts, then data, arrivals, and accepts last
  (so that every connection arriving at an instant is in the backlog before the listener
  looks). Same kind and instant: first scheduled, first run.
* Transport (Winsock-like): a connection arriving when the backlog holds ``backlog``
  connections is refused (TCP reset) [inferred]. Otherwise it waits in the backlog, and its
  response timer starts: the kernel completes the TCP handshake before the application is
  involved (DOMAIN.md, Windows TCP). If the timer fires before the OK response, the transport
  closes the connection and, if the NSI had accepted it, delivers a Close Request (KB Q319936).
  A connection that times out still in the backlog is dropped without reaching the NSI
  [inferred; WSAAccept would report WSAECONNRESET].
* Listener: accepts the backlog's head, one connection per ``accept_time``; each accepted
  connection takes a control block (9156 and refusal when none is free) and becomes a connect
  indication at the NSI.
* Kernel: ``threads`` workers serve a FIFO queue of OK-response jobs; a job takes the
  connection's ``service`` time [inferred load model]. On the hotfix build a queued job of a
  closed connection is withdrawn; a job already running finishes and its OK is discarded
  [inferred]. On SP4 dead jobs stay queued and keep the kernel busy [inferred].
* Peers: a peer gives up on its own after ``give_up`` (its close reaches the MTA then); a
  peer that receives the CC sends ``data_units`` data units one round trip later, holds the
  association for ``hold``, then closes (a reset is a close for the NSI [inferred]).
* External inputs (live mode, ``docs/live.md``): when the peers are real, the model must not
  invent their behaviour. A driver hands the model what a real peer did with
  :meth:`Mta.external_arrival` (its CR arrived), and :meth:`Mta.external` (``PEER_DATA``: data
  units arrived; ``PEER_CLOSE``: it closed or reset the connection). Each returns the
  :class:`Occurrence` to schedule, with a fresh ``seq``; its record carries ``("external",
  True)`` so that a trace says so and a replay can push it again at the same ``t``. A live
  connection's spec has ``hold=None, give_up=None, data_units=0``, so the model never schedules
  a peer occurrence of its own for it: an external input never ties with a model occurrence of
  the same kind, and the order of a run does not depend on when an external ``seq`` was handed
  out. An external input naming a connection the model is done with is dropped without a
  record; external data for a connection that is not open (only possible when a trace is
  replayed on another build) is recorded as dropped and reaches no table.
"""

from __future__ import annotations

import enum
import heapq
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from ._builds import Build
from ._events import Event, EventId
from ._logging import LoggingLevel
from ._lpi import ControlBlockPool
from ._nsi import Nsi, NsiStep
from ._state import Effect, State
from ._time import Micros


class Kind(enum.IntEnum):
    """What happens at an instant. The value is the priority among equal instants."""

    OK_READY = 0
    PEER_CLOSE = 1
    RESPONSE_TIMEOUT = 2
    PEER_DATA = 3
    ARRIVAL = 4
    ACCEPT = 5

    @property
    def label(self) -> str:
        return self.name.lower()


class ConnSpec(NamedTuple):
    """Everything a run draws for one connection, before the run starts.

    ``arrival`` is when the connection reaches the MTA's Winsock layer; ``service`` the kernel
    time for its OK response; ``hold`` how long the peer keeps the association after its data
    (``None``: until the end of the run); ``give_up`` the peer's own connect timeout counted
    from ``arrival`` (``None``: never); ``latency`` the one-way link delay.
    """

    conn: int
    arrival: Micros
    service: Micros
    hold: Micros | None = None
    give_up: Micros | None = None
    latency: Micros = 0
    data_units: int = 1
    reset: bool = False
    peer: str = "peer"

    def as_record(self) -> dict[str, Any]:
        return dict(self.record_items())

    def record_items(self) -> tuple[tuple[str, Any], ...]:
        """What a trace's arrival line says of the connection, in order."""
        return (
            ("peer", self.peer),
            ("service", self.service),
            ("hold", self.hold),
            ("give_up", self.give_up),
            ("latency", self.latency),
            ("data_units", self.data_units),
            ("reset", self.reset),
        )


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """The knobs of one run, in model units."""

    epoch: datetime
    response_timeout: Micros
    backlog: int = 200
    control_blocks: int = 20
    open_associations: int = 0
    threads: int = 4
    accept_time: Micros = 0
    logging: LoggingLevel = LoggingLevel.MAXIMUM
    until: Micros | None = None


class Occurrence(NamedTuple):
    """One scheduled happening. Ordered by ``(t, kind, seq)``: a tuple whose first three
    fields decide every comparison, because ``seq`` is unique. (A tuple, not a dataclass, so
    that a heap compares occurrences in C: the drivers push them as they are.)"""

    t: Micros
    kind: Kind
    seq: int
    conn: int
    worker: int = -1


class Record(NamedTuple):
    """A trace record of one input the model consumed."""

    t: int
    kind: Kind
    conn: int
    detail: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class External:
    """An input from outside the model (a real peer, live mode), as a trace keeps it.

    ``spec`` is set for ``ARRIVAL`` (``spec.arrival == t``); ``detail`` holds the record
    fields of ``PEER_DATA`` (``units``) and ``PEER_CLOSE`` (``reset``, ``cause``...), in order.
    """

    t: int
    kind: Kind
    conn: int
    spec: ConnSpec | None = None
    detail: tuple[tuple[str, Any], ...] = ()


class Step:
    """What the driver must do after handing the model one occurrence.

    ``schedule``: occurrences to add; ``cancel``: ``seq`` numbers to drop; ``events``: logged;
    ``records``: inputs consumed (empty when the model runs without a trace); ``finished``:
    connections the model is done with (no occurrence will name them again); ``sent_cc``:
    connections whose OK response went out as the CC (a live driver sends it).
    (A plain class: this is allocated once per step, on the hot path.)"""

    __slots__ = ("cancel", "events", "finished", "records", "schedule", "sent_cc")

    def __init__(self) -> None:
        self.schedule: list[Occurrence] = []
        self.cancel: list[int] = []
        self.events: list[Event] = []
        self.records: list[Record] = []
        self.finished: list[int] = []
        self.sent_cc: tuple[int, ...] = ()


@dataclass(slots=True)
class Stats:
    """Counters of one run (every occurrence counts, whatever the logging level)."""

    connections: int = 0
    accepted: int = 0
    opened: int = 0
    timed_out: int = 0
    timed_out_in_backlog: int = 0
    race_closes: int = 0
    normal_closes: int = 0
    peer_gave_up: int = 0
    abandoned_in_backlog: int = 0
    refused_backlog: int = 0
    refused_no_cb: int = 0
    late_ok_discarded: int = 0
    ok_cancelled: int = 0
    data_units: int = 0
    events: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: getattr(self, name) for name in self.__dataclass_fields__ if name != "events"
        }
        out["events"] = {str(k): v for k, v in sorted(self.events.items())}
        return out


class _Phase(enum.Enum):
    BACKLOG = "backlog"
    NSI = "nsi"


@dataclass(slots=True)
class _Conn:
    spec: ConnSpec
    phase: _Phase = _Phase.BACKLOG
    timer: int = -1  # seq of the pending response timeout
    close: int = -1  # seq of the pending peer close
    giving_up: bool = False  # the pending peer close is the peer's own connect timeout


_new_tuple = tuple.__new__


class Mta:
    """One MTA under one build, driven by occurrences."""

    def __init__(
        self,
        config: ModelConfig,
        build: Build,
        arrivals: Iterable[ConnSpec],
        *,
        records: bool = True,
        events: bool = True,
    ) -> None:
        """``records=False``: keep no input records; ``events=False``: make no ``Event``
        values, only count them (a driver without a trace or sink for them). The counters are
        the same either way."""
        self.config = config
        self._records = records
        self._until = config.until
        # Indexed by Kind (an IntEnum 0..5): one list lookup per occurrence.
        self._handlers = (
            self._ok_ready,
            self._peer_close,
            self._timeout,
            self._peer_data,
            self._arrival,
            self._accept,
        )
        self.build = build
        self.pool = ControlBlockPool(config.control_blocks)
        self.nsi = Nsi(build, self.pool, config.logging, config.epoch, events=events)
        self.stats = Stats()
        self._arrivals: Iterator[ConnSpec] = iter(arrivals)
        self._seq = 0
        self._conns: dict[int, _Conn] = {}
        self._backlog: deque[int] = deque()
        self._backlog_live = 0
        self._listener_busy = False
        self._jobs: deque[tuple[int, Micros]] = deque()
        self._withdrawn: set[int] = set()
        self._idle_workers: list[int] = list(range(config.threads))
        self._running: dict[int, int] = {}
        self._last_arrival = -1
        self._pending_spec: ConnSpec | None = None
        self._started = False
        self._external: dict[int, External] = {}  # seq -> external input awaiting its step

    # -- public ------------------------------------------------------------------------
    def start(self) -> Step:
        """Open the preexisting associations and schedule the first arrival."""
        if self._started:
            raise RuntimeError("the model is already started")
        self._started = True
        for k in range(self.config.open_associations):
            self.nsi.preopen(-1 - k)
        step = Step()
        self._next_arrival(step)
        return step

    def handle(self, occ: Occurrence) -> Step:
        """Consume one occurrence; the driver must hand them over in order."""
        step = Step()
        self._handlers[occ.kind](occ, step)
        return step

    def external_arrival(self, spec: ConnSpec) -> Occurrence:
        """A real peer's connection arrived at ``spec.arrival``: the occurrence to schedule.

        The driver must schedule it at once, with nothing already handled after
        ``spec.arrival`` (external inputs never go back in time)."""
        return self.inject(External(spec.arrival, Kind.ARRIVAL, spec.conn, spec))

    def external(
        self, t: int, kind: Kind, conn: int, detail: tuple[tuple[str, Any], ...] = ()
    ) -> Occurrence:
        """A real peer's data (``PEER_DATA``, ``detail`` holds ``("units", n)``) or close
        (``PEER_CLOSE``, ``detail`` may hold ``("reset", True)``) at ``t``: the occurrence to
        schedule. ``detail`` is copied into the input's record, before ``("external", True)``.
        """
        return self.inject(External(t, kind, conn, None, detail))

    def inject(self, ext: External) -> Occurrence:
        """Schedule an external input (as :meth:`external_arrival` / :meth:`external`)."""
        if ext.kind is Kind.ARRIVAL:
            if ext.spec is None or ext.spec.conn != ext.conn or ext.spec.arrival != ext.t:
                raise ValueError(f"an external arrival needs its connection's spec: {ext}")
        elif ext.kind not in (Kind.PEER_DATA, Kind.PEER_CLOSE):
            raise ValueError(f"{ext.kind.label} is not an external input")
        if ext.kind is Kind.PEER_DATA and not isinstance(dict(ext.detail).get("units"), int):
            raise ValueError(f"external data needs ('units', n) in its detail: {ext}")
        seq = self._seq
        self._seq += 1
        self._external[seq] = ext
        return Occurrence(ext.t, ext.kind, seq, ext.conn)

    @property
    def quiet(self) -> bool:
        """No connection in flight and no kernel work left."""
        return not self._conns and self.kernel_idle

    @property
    def kernel_idle(self) -> bool:
        """No OK-response job queued, running or withdrawn-but-remembered."""
        return not self._running and not self._jobs and not self._withdrawn

    # -- occurrences -------------------------------------------------------------------
    def _arrival(self, occ: Occurrence, step: Step) -> None:
        ext = self._external.pop(occ.seq, None) if self._external else None
        conn = self._pending_spec if ext is None else ext.spec
        assert conn is not None and conn.conn == occ.conn
        if ext is None:
            self._pending_spec = None
        t = occ.t
        self.stats.connections += 1
        refused = self._backlog_live >= self.config.backlog
        if self._records:
            detail = conn.record_items()
            if refused:
                detail += (("refused", "backlog"),)
            if ext is not None:
                detail += (("external", True),)
            step.records.append(Record(t, Kind.ARRIVAL, conn.conn, detail))
        if ext is None:
            self._next_arrival(step)
        if refused:
            self.stats.refused_backlog += 1
            step.finished.append(conn.conn)
            return
        state = _Conn(conn)
        self._conns[conn.conn] = state
        self._backlog.append(conn.conn)
        self._backlog_live += 1
        state.timer = self._at(
            step, t + self.config.response_timeout, Kind.RESPONSE_TIMEOUT, conn.conn
        )
        if conn.give_up is not None:
            state.close = self._at(step, t + conn.give_up, Kind.PEER_CLOSE, conn.conn)
            state.giving_up = True
        if not self._listener_busy:
            self._listener_busy = True
            self._at(step, t + self.config.accept_time, Kind.ACCEPT, -1)

    def _accept(self, occ: Occurrence, step: Step) -> None:
        t = occ.t
        conn_id = self._pop_backlog()
        if conn_id is None:
            self._listener_busy = False
            return
        self.stats.accepted += 1
        result = self.nsi.connect_indication(conn_id, t)
        if result.refused:
            detail: tuple[tuple[str, Any], ...] = (("refused", "no free control block"),)
        else:
            assoc = self.nsi.association(conn_id)
            detail = () if assoc is None else (("cb", assoc.cb),)
        if self._records:
            step.records.append(Record(t, Kind.ACCEPT, conn_id, detail))
        self._emit(step, result)
        state = self._conns[conn_id]
        if result.refused:
            self.stats.refused_no_cb += 1
            self._forget(step, conn_id)
        else:
            state.phase = _Phase.NSI
            if Effect.REQUEST_OK in result.effects:
                self._submit_job(step, t, conn_id, state.spec.service)
        if self._backlog_live:
            self._at(step, t + self.config.accept_time, Kind.ACCEPT, -1)
        else:
            self._listener_busy = False

    def _ok_ready(self, occ: Occurrence, step: Step) -> None:
        t = occ.t
        conn_id = occ.conn
        del self._running[occ.worker]
        # A job withdrawn while it was already running ends here (a queued one is skipped in
        # _next_job): either way the connection leaves the withdrawn set.
        self._withdrawn.discard(conn_id)
        if self._records:
            step.records.append(Record(t, Kind.OK_READY, conn_id, (("worker", occ.worker),)))
        result = self.nsi.ok_response(conn_id, t)
        self._emit(step, result)
        if Effect.DISCARD in result.effects:
            self.stats.late_ok_discarded += 1
        elif Effect.SEND_CC in result.effects:
            self.stats.opened += 1
            step.sent_cc += (conn_id,)
            self._cc_sent(step, t, self._conns[conn_id])
        self._next_job(step, t, occ.worker)

    def _timeout(self, occ: Occurrence, step: Step) -> None:
        t = occ.t
        state = self._conns[occ.conn]
        state.timer = -1
        if self._records:
            step.records.append(Record(t, Kind.RESPONSE_TIMEOUT, occ.conn))
        self.stats.timed_out += 1
        if state.phase is _Phase.BACKLOG:
            self.stats.timed_out_in_backlog += 1
            self._drop_from_backlog()
            self._forget(step, occ.conn)
            return
        self._close(step, t, occ.conn)

    def _peer_close(self, occ: Occurrence, step: Step) -> None:
        t = occ.t
        ext = self._external.pop(occ.seq, None) if self._external else None
        if ext is not None and occ.conn not in self._conns:
            return  # the model closed it first (timer, refusal): nothing reaches the NSI
        state = self._conns[occ.conn]
        detail: tuple[tuple[str, Any], ...]
        if ext is not None:
            detail = (*ext.detail, ("external", True))
        else:
            detail = (("reset", True),) if state.spec.reset else ()
        if self._records:
            step.records.append(Record(t, Kind.PEER_CLOSE, occ.conn, detail))
        state.close = -1
        if state.giving_up:
            self.stats.peer_gave_up += 1
        if state.phase is _Phase.BACKLOG:
            self.stats.abandoned_in_backlog += 1
            self._drop_from_backlog()
            self._forget(step, occ.conn)
            return
        self._close(step, t, occ.conn)

    def _peer_data(self, occ: Occurrence, step: Step) -> None:
        t = occ.t
        ext = self._external.pop(occ.seq, None) if self._external else None
        if ext is not None:
            self._external_data(t, ext, step)
            return
        state = self._conns[occ.conn]
        if self._records:
            step.records.append(
                Record(t, Kind.PEER_DATA, occ.conn, (("units", state.spec.data_units),))
            )
        for _ in range(state.spec.data_units):
            self._emit(step, self.nsi.data(occ.conn, t))
            self.stats.data_units += 1
        if state.spec.hold is not None:
            state.close = self._at(step, t + state.spec.hold, Kind.PEER_CLOSE, occ.conn)

    def _external_data(self, t: Micros, ext: External, step: Step) -> None:
        if ext.conn not in self._conns:
            return  # the model closed it first: the data went nowhere
        detail = (*ext.detail, ("external", True))
        if self.nsi.state(ext.conn) is not State.OPEN:
            # Only on another build than the recorded one: this build has not sent the CC
            # that made the real peer send its data. Nothing reaches the POP4 table.
            if self._records:
                step.records.append(
                    Record(t, Kind.PEER_DATA, ext.conn, (*detail, ("dropped", True)))
                )
            return
        if self._records:
            step.records.append(Record(t, Kind.PEER_DATA, ext.conn, detail))
        for _ in range(int(dict(ext.detail)["units"])):
            self._emit(step, self.nsi.data(ext.conn, t))
            self.stats.data_units += 1

    # -- helpers -----------------------------------------------------------------------
    def _close(self, step: Step, t: Micros, conn_id: int) -> None:
        """A Close Request reaches the NSI for an accepted connection."""
        result = self.nsi.close_request(conn_id, t)
        self._emit(step, result)
        if result.state_before is State.OPENING:
            self.stats.race_closes += 1
        else:
            self.stats.normal_closes += 1
        if Effect.CANCEL_OK in result.effects:
            self.stats.ok_cancelled += 1
            self._withdrawn.add(conn_id)
        self._forget(step, conn_id)

    def _cc_sent(self, step: Step, t: Micros, state: _Conn) -> None:
        """The OK response went out as the CC: stop the Winsock timer, drive the peer."""
        spec = state.spec
        self._cancel(step, state.timer)
        state.timer = -1
        if state.giving_up:
            # The peer's deadline, on the MTA's clock, is arrival - latency + give_up; the CC
            # reaches it at t + latency. Late CC: the peer's close is already on its way.
            assert spec.give_up is not None
            if t + 2 * spec.latency > spec.arrival + spec.give_up:
                return
            self._cancel(step, state.close)
            state.close = -1
            state.giving_up = False
        round_trip = t + 2 * spec.latency
        if spec.data_units > 0:
            self._at(step, round_trip, Kind.PEER_DATA, spec.conn)
        elif spec.hold is not None:
            state.close = self._at(step, round_trip + spec.hold, Kind.PEER_CLOSE, spec.conn)

    def _forget(self, step: Step, conn_id: int) -> None:
        state = self._conns.pop(conn_id)
        self._cancel(step, state.timer)
        self._cancel(step, state.close)
        step.finished.append(conn_id)

    def _submit_job(self, step: Step, t: Micros, conn_id: int, service: Micros) -> None:
        if self._idle_workers:
            worker = heapq.heappop(self._idle_workers)
            self._start_job(step, t, worker, conn_id, service)
        else:
            self._jobs.append((conn_id, service))

    def _next_job(self, step: Step, t: Micros, worker: int) -> None:
        while self._jobs:
            conn_id, service = self._jobs.popleft()
            if conn_id in self._withdrawn:
                self._withdrawn.discard(conn_id)
                continue
            self._start_job(step, t, worker, conn_id, service)
            return
        heapq.heappush(self._idle_workers, worker)

    def _start_job(self, step: Step, t: Micros, worker: int, conn_id: int, service: Micros) -> None:
        self._withdrawn.discard(conn_id)
        self._running[worker] = conn_id
        self._at(step, t + service, Kind.OK_READY, conn_id, worker)

    def _pop_backlog(self) -> int | None:
        while self._backlog:
            conn_id = self._backlog.popleft()
            state = self._conns.get(conn_id)
            if state is not None and state.phase is _Phase.BACKLOG:
                self._backlog_live -= 1
                return conn_id
        return None

    def _drop_from_backlog(self) -> None:
        # The entry stays in the deque and is skipped by _pop_backlog (lazy deletion).
        self._backlog_live -= 1

    def _next_arrival(self, step: Step) -> None:
        spec = next(self._arrivals, None)
        self._pending_spec = spec
        if spec is None:
            return
        if spec.arrival < self._last_arrival:
            raise ValueError(
                f"arrivals must not go back in time: connection {spec.conn} at {spec.arrival} µs"
                f" after one at {self._last_arrival} µs"
            )
        self._last_arrival = spec.arrival
        if self._at(step, spec.arrival, Kind.ARRIVAL, spec.conn) == -1:
            self._pending_spec = None

    def _at(self, step: Step, t: int, kind: Kind, conn: int, worker: int = -1) -> int:
        until = self._until
        if until is not None and t > until:
            return -1
        seq = self._seq
        self._seq += 1
        # tuple.__new__ skips the named tuple's Python-level __new__ (hot path).
        step.schedule.append(_new_tuple(Occurrence, (t, kind, seq, conn, worker)))
        return seq

    @staticmethod
    def _cancel(step: Step, seq: int) -> None:
        if seq != -1:
            step.cancel.append(seq)

    def _emit(self, step: Step, result: NsiStep) -> None:
        if result.logged:
            counts = self.stats.events
            for event_id in result.logged:
                counts[event_id] = counts.get(event_id, 0) + 1
            step.events.extend(result.events)

    # -- end of run --------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Counters plus the state of the pool at the end."""
        out = self.stats.as_dict()
        out["cb_in_use"] = self.pool.in_use
        out["cb_leaked"] = self.pool.leaked
        out["open_associations"] = self.nsi.open_associations
        out["logged_4258"] = self.stats.events.get(int(EventId.NSI_MESSAGE_RECEIVED), 0)
        out["logged_4283"] = self.stats.events.get(int(EventId.BAD_LPI), 0)
        out["logged_9156"] = self.stats.events.get(int(EventId.NO_FREE_CONTROL_BLOCKS), 0)
        return out


#: What a driver hands each logged event to, and each input record.
EventSink = Callable[[Event], None]
RecordSink = Callable[[Record], None]
