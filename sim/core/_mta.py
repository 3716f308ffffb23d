"""The MTA: its Winsock-like transport (backlog and response timer), its NSI listener, POP4,
and its kernel threads. It knows nothing of who produces the peers' inputs.

Rules of this module:

* The MTA consumes inputs from a peer side (``sim.core._peers``: simulated peers, real ones,
  recorded ones — all behind :class:`PeerSide`): :meth:`Mta.arrive` (a connection and its CR
  reach the Winsock layer), :meth:`Mta.data` (data units), :meth:`Mta.close` (the peer closed
  or reset). It tells that side what concerns it: :meth:`PeerSide.cc_sent` (the CC went out)
  and :meth:`PeerSide.finished` (the MTA is done with the connection). Its own occurrences are
  ``ACCEPT``, ``OK_READY`` and ``RESPONSE_TIMEOUT``, bound into the scheduler.
* Transport (Winsock-like): a connection arriving when the backlog holds ``backlog``
  connections is refused (TCP reset) [inferred]. Otherwise it waits in the backlog: the kernel
  completes the TCP handshake before the application is involved (domain notes, Windows TCP),
  and nothing of the MTA's knows it yet. Only its peer can end it there (a close or a reset):
  the connection keeps its place in the accept queue, and when the listener reaches it
  WSAAccept fails with WSAECONNRESET and the MTA logs 9202 (rule ``accept-error``).
* Response timer (the reading "a timer of the MTA's own stack" of the KB's "times out at the
  Winsock layer"; KB Q200259, every layer keeps its own timer): it starts when the listener
  accepts the connection and hands it to the NSI, and stops when the CC goes out. If it fires
  first, the transport closes the connection and delivers a Close Request to the NSI (KB
  Q319936). ``response_timeout=None``: no such timer; only the peers' own give-up (the other
  reading, ``_peers.py``) closes a connection waiting for its CC.
* Listener: accepts the backlog's head, one connection per ``accept_time``; each accepted
  connection becomes a connect indication at POP4 (``_pop4.py``), which takes a control block
  or refuses it (9156).
* Kernel: ``threads`` workers serve a FIFO queue of OK-response jobs; a job takes the
  connection's ``service`` time [inferred load model]. A job POP4 withdraws (the hotfix's
  cancel) is skipped if still queued; one already running finishes and its OK is discarded
  [inferred]. On SP4 nothing is withdrawn: dead jobs stay queued and keep the kernel busy
  [inferred].
* Every input consumed is one :class:`~sim.core.Step` for the step sink, when there is one.

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``handshake``, ``backlog-full``, ``response-timer``, ``close-in-backlog``,
``accept-error``, ``listener``, ``kernel-load``, ``sp4-dead-work``, ``hotfix-withdraws``.
"""

from __future__ import annotations

import enum
import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._builds import Build
from ._config import ACCEPT_FAILED, ModelConfig, PeerSide, StepSink
from ._connspec import ConnSpec
from ._counters import Counters, Summary
from ._halfopen import HalfOpenTable, settled_counters
from ._lpi import ControlBlockPool
from ._pop4 import Pop4
from ._scheduler import NOT_SCHEDULED, Kind, Occurrence, Scheduler
from ._state import Effect, State
from ._steps import CloseOnTimeout, Record, Refusal, Refuse, SendCC, Tape
from ._time import Micros


class _Phase(enum.Enum):
    BACKLOG = "backlog"
    NSI = "nsi"


@dataclass(slots=True)
class _Conn:
    spec: ConnSpec
    side: PeerSide
    phase: _Phase = _Phase.BACKLOG
    timer: int = NOT_SCHEDULED  # seq of the pending response timeout
    #: When its OK response will be ready, if its job started as POP4 asked for it (-1: not).
    ok_at: Micros = -1


class Mta:
    """One MTA under one build, on one scheduler."""

    def __init__(
        self,
        config: ModelConfig,
        build: Build,
        scheduler: Scheduler,
        *,
        on_step: StepSink | None = None,
    ) -> None:
        """``on_step``: who watches the run (a trace, a sink, a picture, the live listener).
        Without one the MTA makes no :class:`Step`, no record and no event value, and only
        counts (the counters are the same either way)."""
        self.config = config
        self.build = build
        self.scheduler = scheduler
        self.counters = Counters()
        self.pool = ControlBlockPool(config.control_blocks)
        self._on_step = on_step
        self._tape = Tape() if on_step is not None else None
        self.pop4 = Pop4(
            build,
            self.pool,
            config.logging,
            config.epoch,
            counters=self.counters,
            kernel=self,
            transport=self,
            tape=self._tape,
            task=config.pop4_task,
            lpi_component=config.lpi_component,
        )
        #: Called with a connection's number when the MTA is done with it (drivers that keep
        #: per-connection tasks end them there).
        self.on_finished: Callable[[int], None] | None = None
        self._conns: dict[int, _Conn] = {}
        self._backlog: deque[int] = deque()
        self._backlog_live = 0
        #: Connections whose peer ended them while they waited in the backlog: they keep their
        #: place until the listener's accept fails on them (rule ``accept-error``).
        self._ended_in_backlog: set[int] = set()
        self._listener_busy = False
        self._jobs: deque[tuple[int, Micros]] = deque()  # (conn, service), FIFO
        self._withdrawn: set[int] = set()
        self._idle_workers: list[int] = list(range(config.threads))
        #: When each kernel thread will be free, as far as the jobs asked for so far go: the
        #: kernel's FIFO is then known in advance, because nothing leaves it but by running
        #: (``None`` when this build withdraws jobs, rule ``hotfix-withdraws``).
        withdraws = any(Effect.CANCEL_OK in row.effects for row in build.table().values())
        self._free_at: list[Micros] | None = (
            None if withdraws or config.threads < 1 else [0] * config.threads
        )
        self._running: dict[int, int] = {}
        self._half_open = HalfOpenTable.of(config.half_open, self.counters)
        scheduler.bind(
            {
                Kind.ACCEPT: self._accept,
                Kind.OK_READY: self._ok_ready,
                Kind.RESPONSE_TIMEOUT: self._timeout,
            }
        )

    def start(self) -> None:
        """Open the associations that exist when the run starts (no input, no event)."""
        for k in range(self.config.open_associations):
            self.pop4.preopen(-1 - k)

    # -- queries -----------------------------------------------------------------------------
    def holds(self, conn: int) -> bool:
        """The MTA still has this connection (it is not done with it)."""
        return conn in self._conns

    def state(self, conn: int) -> State:
        return self.pop4.state(conn)

    @property
    def quiet(self) -> bool:
        """No connection in flight and no kernel work left."""
        return not self._conns and self.kernel_idle

    @property
    def kernel_idle(self) -> bool:
        """No OK-response job queued, running or withdrawn-but-remembered."""
        return not self._running and not self._jobs and not self._withdrawn

    def summary(self) -> Summary:
        """The counters and the state the run ended in."""
        counters = settled_counters(self._half_open, self.counters)  # the floods' counts
        return Summary.of(
            counters,
            cb_in_use=self.pool.in_use,
            cb_leaked=self.pool.leaked,
            open_associations=self.pop4.open_associations,
        )

    # -- inputs from the peer side -----------------------------------------------------------
    def arrive(self, spec: ConnSpec, t: Micros, side: PeerSide) -> bool:
        """A connection and its CR reach the Winsock layer. ``False``: refused (backlog full),
        and the MTA is already done with it."""
        self.counters.connections += 1
        conn = spec.conn
        if self._half_open is not None and self._half_open.refuses(t):
            return self._refused(spec, t, side, Refusal.HALF_OPEN)
        if self._backlog_live >= self.config.backlog:
            self.counters.refused_backlog += 1
            return self._refused(spec, t, side, Refusal.BACKLOG)
        state = _Conn(spec, side)
        self._conns[conn] = state
        self._backlog.append(conn)
        self._backlog_live += 1
        if not self._listener_busy:
            self._listener_busy = True
            self.scheduler.at(t + self.config.accept_time, Kind.ACCEPT, -1)
        if self._tape is not None:
            self._emit(Record(t, Kind.ARRIVAL, conn, spec.record_items()), side.external)
        return True

    def data(self, conn: int, t: Micros, units: int, detail: tuple[tuple[str, Any], ...]) -> None:
        """``units`` data units from the peer of a connection the MTA holds."""
        side = self._conns[conn].side
        if side.external and self.pop4.state(conn) is not State.OPEN:
            # Only when a live trace is replayed on another build: this build has not sent the
            # CC that made the real peer send its data. Nothing reaches the POP4 table.
            if self._tape is not None:
                self._emit(Record(t, Kind.PEER_DATA, conn, detail), True, dropped=True)
            return
        pop4 = self.pop4
        for _ in range(units):
            pop4.data(conn, t)
        if self._tape is not None:
            self._emit(Record(t, Kind.PEER_DATA, conn, detail), side.external)

    def close(self, conn: int, t: Micros, detail: tuple[tuple[str, Any], ...]) -> None:
        """The peer of a connection the MTA holds closed or reset it."""
        state = self._conns[conn]
        if state.phase is _Phase.BACKLOG:
            self.counters.abandoned_in_backlog += 1
            self._ended_in_backlog.add(conn)  # still queued: the accept fails on it
        else:
            self.pop4.close_request(conn, t)
        self._forget(conn)
        if self._tape is not None:
            self._emit(Record(t, Kind.PEER_CLOSE, conn, detail), state.side.external)

    # -- the MTA's own occurrences -----------------------------------------------------------
    def _accept(self, occ: Occurrence) -> None:
        t = occ[0]
        conn = self._pop_backlog()
        if conn is None:
            self._listener_busy = False
            return
        if conn in self._ended_in_backlog:
            self._accept_failed(t, conn)
            return
        self.counters.accepted += 1
        state = self._conns[conn]
        state.phase = _Phase.NSI
        assoc = self.pop4.connect_indication(conn, t)
        timeout = self.config.response_timeout
        if assoc is not None and timeout is not None:
            deadline = t + timeout
            # The timer is folded into the accept when nothing can intervene: the OK is known to
            # be ready by the deadline (OK_READY wins the tie), so the timer could only be
            # cancelled: by the CC, or by a close that ends the connection first.
            if not 0 <= state.ok_at <= deadline:
                state.timer = self.scheduler.at(deadline, Kind.RESPONSE_TIMEOUT, conn)
        self._next_accept(t)
        if self._tape is not None:
            detail = (
                (("refused", Refusal.NO_CONTROL_BLOCK.value),)
                if assoc is None
                else (("cb", assoc.cb),)
            )
            self._emit(Record(t, Kind.ACCEPT, conn, detail), False)

    def _accept_failed(self, t: Micros, conn: int) -> None:
        """WSAAccept fails on a connection its peer ended in the backlog: 9202, no control
        block, and the listener goes on with the next one."""
        self._ended_in_backlog.discard(conn)
        self.pop4.accept_error(t)
        self._next_accept(t)
        if self._tape is not None:
            self._emit(Record(t, Kind.ACCEPT, conn, (("error", ACCEPT_FAILED),)), False)

    def _next_accept(self, t: Micros) -> None:
        if self._backlog_live:
            self.scheduler.at(t + self.config.accept_time, Kind.ACCEPT, -1)
        else:
            self._listener_busy = False

    def _ok_ready(self, occ: Occurrence) -> None:
        t, _, _, conn, worker = occ
        del self._running[worker]
        # A job withdrawn while it was already running ends here (a queued one is skipped in
        # _next_job): either way the connection leaves the withdrawn set.
        self._withdrawn.discard(conn)
        self.pop4.ok_response(conn, t)
        self._next_job(t, worker)
        if self._tape is not None:
            self._emit(Record(t, Kind.OK_READY, conn, (("worker", worker),)), False)

    def _timeout(self, occ: Occurrence) -> None:
        t = occ[0]
        conn = occ[3]
        state = self._conns[conn]
        state.timer = NOT_SCHEDULED
        self.counters.timed_out += 1
        if self._tape is not None:
            self._tape.actions.append(CloseOnTimeout(conn))
        self.pop4.close_request(conn, t)
        self._forget(conn)
        if self._tape is not None:
            self._emit(Record(t, Kind.RESPONSE_TIMEOUT, conn), False)

    # -- POP4's ports: the kernel and the transport ------------------------------------------
    def request_ok(self, conn: int, t: Micros) -> None:
        """POP4 asks the kernel for the OK response of ``conn``."""
        state = self._conns[conn]
        service = state.spec.service
        free_at = self._free_at
        if free_at is not None:
            # FIFO onto the first free thread: when this OK will be ready (a job starts at
            # once, or when the jobs before it have left a thread free).
            state.ok_at = max(t, free_at[0]) + service
            heapq.heapreplace(free_at, state.ok_at)
        elif self._idle_workers:
            state.ok_at = t + service
        if self._idle_workers:
            self._start_job(t, heapq.heappop(self._idle_workers), conn, service)
        else:
            # Queued with its service time: on SP4 the job of a connection that closes meanwhile
            # still runs (and keeps a kernel thread busy).
            self._jobs.append((conn, service))

    def withdraw_ok(self, conn: int) -> None:
        """POP4 withdraws the OK-response job of ``conn`` (the hotfix's cancel)."""
        self._withdrawn.add(conn)

    def send_cc(self, conn: int, t: Micros) -> None:
        """POP4's OK response goes out as the CC: the response timer stops."""
        self.counters.opened += 1
        state = self._conns[conn]
        if self._tape is not None:
            self._tape.actions.append(SendCC(conn))
        self.scheduler.cancel(state.timer)
        state.timer = NOT_SCHEDULED
        state.side.cc_sent(conn, t)

    def refuse(self, conn: int, reason: Refusal) -> None:
        """POP4 refused the connection (no free control block)."""
        self.counters.refused_no_cb += 1
        if self._tape is not None:
            self._tape.actions.append(Refuse(conn, reason))
        self._forget(conn)

    # -- helpers -----------------------------------------------------------------------------
    def _refused(self, spec: ConnSpec, t: Micros, side: PeerSide, reason: Refusal) -> bool:
        if self._tape is not None:
            self._tape.actions.append(Refuse(spec.conn, reason))
            detail = (*spec.record_items(), ("refused", reason.value))
            self._emit(Record(t, Kind.ARRIVAL, spec.conn, detail), side.external)
        side.finished(spec.conn)
        if self.on_finished is not None:
            self.on_finished(spec.conn)
        return False

    def _emit(self, record: Record, external: bool, *, dropped: bool = False) -> None:
        assert self._tape is not None and self._on_step is not None
        self._on_step(self._tape.take(record, external, dropped))

    def _forget(self, conn: int) -> None:
        state = self._conns.pop(conn)
        self.scheduler.cancel(state.timer)
        state.side.finished(conn)
        if self.on_finished is not None:
            self.on_finished(conn)

    def _next_job(self, t: Micros, worker: int) -> None:
        jobs = self._jobs
        withdrawn = self._withdrawn
        while jobs:
            conn, service = jobs.popleft()
            if conn in withdrawn:
                withdrawn.discard(conn)
                continue
            self._start_job(t, worker, conn, service)
            return
        heapq.heappush(self._idle_workers, worker)

    def _start_job(self, t: Micros, worker: int, conn: int, service: Micros) -> None:
        self._withdrawn.discard(conn)
        self._running[worker] = conn
        self.scheduler.at(t + service, Kind.OK_READY, conn, worker)

    def _pop_backlog(self) -> int | None:
        backlog = self._backlog
        conns = self._conns
        while backlog:
            conn = backlog.popleft()
            state = conns.get(conn)
            if conn in self._ended_in_backlog or (
                state is not None and state.phase is _Phase.BACKLOG
            ):
                self._backlog_live -= 1
                return conn
        return None
