"""The live NSI listener: RFC 1006 on real TCP, feeding the sans-IO core.

Rules of this module:

* Every decision the MTA makes is the core's (``sim.core.Mta``, on the real-time clock
  :class:`~sim.drivers.RealTime`): when the CC goes out, which connection is refused with a DR
  for want of a control block (9156), which one the Winsock timer closes, what is logged; this
  module reads them from each step's actions. It only moves bytes and reports what the real
  peers did, as external inputs: the CR's arrival, each batch of TSDUs after the CC, the close
  or reset.
* One trio task per TCP connection reads; a second one writes, in order, what the model and
  the echo queue up (CC, DR, DT), and closes the connection when the model says so (after the
  DR: a FIN; a backlog refusal: a reset, as Winsock would).
* A connection that breaks RFC 1006 / class 0 (bad TPKT, a TPDU out of place, a silent peer
  with an incomplete frame or no CR after ``read_timeout`` real seconds) gets one line on the
  log, naming the connection and the byte offset, and is closed; the NSI receives a Close
  Request for it if the core had it (``cause`` protocol error). Nothing else is disturbed.
* Memory per connection is bounded: one incomplete TPKT (8196 octets, the decoder's limit),
  one unfinished TSDU (``max_tsdu``), one read (``RECV_SIZE``), and an outgoing queue that
  stops the reader once it passes ``OUTBOX_LIMIT`` octets (so at most that plus the echo of
  one read: one TSDU and its DT headers). A send blocked for ``read_timeout`` closes the
  connection. At most ``max_connections`` TCP connections are served at once; more are
  reset on accept and counted.
* Data: each whole TSDU the peer sends is one data unit for the NSI, and is echoed back,
  segmented at the negotiated TPDU size [inferred: the model has no upper layer that would
  answer; an echo carries DT in both directions and lets a peer check the segmentation].
"""

from __future__ import annotations

import contextlib
import errno
import math
import random
import socket
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import trio

from ..core import (
    Build,
    CloseOnTimeout,
    Micros,
    MtasimError,
    Refusal,
    Refuse,
    SendCC,
    Step,
    StepSink,
)
from ..drivers import RealTime
from ..scenario import Scenario, model_config
from ..scenario._plan import jittered, stream
from ..text._plural import plural
from ..wire import (
    DEFAULT_MAX_LENGTH,
    DR_CONGESTION,
    MAX_TPDU_SIZE,
    MIN_TPDU_SIZE,
    Class0Connection,
    ConnectRequested,
    Phase,
    ProtocolViolation,
    TsduReceived,
)

DEFAULT_PORT = 10102
RECV_SIZE = 16384
OUTBOX_LIMIT = 65536
Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class ListenerOptions:
    """How the listener runs. Durations in real seconds; ``time_scale`` is real seconds per
    virtual second (0.1: the scenario's 21 s Winsock timer lasts 2.1 s)."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    time_scale: float = 1.0
    read_timeout: float = 10.0
    max_connections: int = 1024
    max_tpdu: int = 2048
    max_tsdu: int = 65536
    echo: bool = True
    #: the OS listen backlog; ``None``: the scenario's ``winsock.backlog``
    backlog: int | None = None
    #: stop by itself after this many real seconds (``None``: when stopped)
    duration: float | None = None

    def check(self) -> None:
        """Raise ``ValueError`` naming the first bad option."""
        if not (self.time_scale > 0 and math.isfinite(self.time_scale)):
            raise ValueError(f"--time-scale must be a positive number, got {self.time_scale}")
        if not (self.read_timeout > 0 and math.isfinite(self.read_timeout)):
            raise ValueError(f"--read-timeout must be a positive number, got {self.read_timeout}")
        if not 0 <= self.port <= 0xFFFF:
            raise ValueError(f"--port must be 0..65535, got {self.port}")
        if self.max_connections < 1:
            raise ValueError(f"--max-connections must be at least 1, got {self.max_connections}")
        if self.max_tpdu not in {1 << n for n in range(7, 14)}:
            raise ValueError(
                f"--max-tpdu must be a power of two from {MIN_TPDU_SIZE} to {MAX_TPDU_SIZE}, "
                f"got {self.max_tpdu}"
            )
        if self.duration is not None and not self.duration > 0:
            raise ValueError(f"--duration must be positive, got {self.duration}")


@dataclass(slots=True)
class ListenerStats:
    """Counters of a live session (TCP side; the model's own are in ``LiveServer.summary``)."""

    tcp_accepted: int = 0
    over_cap: int = 0
    peak_connections: int = 0
    connect_requests: int = 0
    confirmed: int = 0
    refused_dr: int = 0
    refused_reset: int = 0
    closed_by_timer: int = 0
    peer_closed: int = 0
    peer_reset: int = 0
    closed_before_cr: int = 0
    protocol_errors: int = 0
    read_timeouts: int = 0
    tsdus: int = 0
    data_octets: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True, eq=False)
class _Link:
    """One TCP connection."""

    number: int
    address: str
    stream: trio.SocketStream
    wire: Class0Connection
    conn: int | None = None
    outbox: list[bytes] = field(default_factory=list)
    outbox_size: int = 0
    wake: trio.Event = field(default_factory=trio.Event)
    space: trio.Event = field(default_factory=trio.Event)
    close_mode: str | None = None  # "close" (FIN) or "reset" once the model drops it
    abort: bool = False

    @property
    def closing(self) -> bool:
        return self.wire.phase in (Phase.CLOSING, Phase.ERROR)

    def enqueue(self, data: bytes) -> None:
        self.outbox.append(data)
        self.outbox_size += len(data)
        self.wake.set()


class _ServiceTimes:
    """Kernel service times for live connections, drawn as the plan draws them
    (``sim.scenario._plan``): a CR whose calling TSAP names a peer group of the scenario draws
    from that group's ``service`` stream, in arrival order; any other from a ``live`` stream."""

    def __init__(self, scenario: Scenario) -> None:
        seed = scenario.seed
        self._groups = {g.name: stream(seed, i, "service") for i, g in enumerate(scenario.peers)}
        self._live = random.Random(f"mtasim/{seed}/live/service")
        self._centre = scenario.mta.ok_delay
        self._jitter = scenario.mta.ok_delay_jitter

    def draw(self, peer: str) -> Micros:
        return jittered(self._groups.get(peer, self._live), self._centre, self._jitter)


def tsap_text(tsap: bytes | None) -> str:
    """A TSAP as a peer name: printable ASCII as is, anything else in hex; none: ``live``."""
    if not tsap:
        return "live"
    if len(tsap) <= 64 and all(0x20 < b < 0x7F for b in tsap):
        return tsap.decode("ascii")
    return "0x" + tsap[:64].hex()


class LiveServer:
    """An RFC 1006 listener whose MTA is the sans-IO core on real time.

    ``await nursery.start(server.serve)`` returns the port it listens on; :meth:`stop` ends
    the session cleanly (the trace is finished by :meth:`RealTime.finish`).
    """

    def __init__(
        self,
        scenario: Scenario,
        build: Build,
        options: ListenerOptions | None = None,
        *,
        on_step: StepSink | None = None,
        log: Log | None = None,
    ) -> None:
        self.options = options if options is not None else ListenerOptions()
        self.options.check()
        self.scenario = scenario
        self.build = build
        self._on_step = on_step
        self.model = RealTime(
            model_config(scenario),
            build,
            time_scale=self.options.time_scale,
            on_step=self._step,
        )
        self.stats = ListenerStats()
        self.port: int | None = None
        self._log = log if log is not None else _stderr
        self._service = _ServiceTimes(scenario)
        self._links: dict[int, _Link] = {}
        self._by_conn: dict[int, _Link] = {}
        self._accepted = 0
        self._cap_logged = False
        self._scope: trio.CancelScope | None = None
        self._stop_requested = False

    # -- life cycle ----------------------------------------------------------------------
    async def serve(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        """Listen and serve until :meth:`stop` (or ``duration``, or the scenario's ``until``)."""
        opts = self.options
        backlog = opts.backlog if opts.backlog is not None else self.scenario.winsock.backlog
        try:
            listeners = await trio.open_tcp_listeners(opts.port, host=opts.host, backlog=backlog)
        except OSError as exc:
            raise ListenError(
                f"cannot listen on {_host_port(opts.host, opts.port)}: {exc.strerror or exc}"
            ) from None
        for extra in listeners[1:]:
            await extra.aclose()
        listener = listeners[0]
        self.port = int(listener.socket.getsockname()[1])
        self.model.start()
        try:
            async with trio.open_nursery() as nursery:
                self._scope = nursery.cancel_scope
                if self._stop_requested:
                    nursery.cancel_scope.cancel()
                nursery.start_soon(self.model.run)
                nursery.start_soon(self._accept_loop, listener, nursery)
                stop_after = self._stop_after()
                if stop_after is not None:
                    nursery.cancel_scope.deadline = trio.current_time() + stop_after
                task_status.started(self.port)
        finally:
            listener.socket.close()
            self.model.finish()

    def stop(self) -> None:
        """End the session: stop accepting, close every connection, finish the model."""
        self._stop_requested = True
        if self._scope is not None:
            self._scope.cancel()

    def _stop_after(self) -> float | None:
        limits = []
        if self.options.duration is not None:
            limits.append(self.options.duration)
        if not math.isinf(self.scenario.until):
            limits.append(self.scenario.until * self.options.time_scale)
        return min(limits) if limits else None

    @property
    def connections(self) -> int:
        """TCP connections being served now."""
        return len(self._links)

    def summary(self) -> dict[str, Any]:
        """The listener's counters and the model's (``Mta.summary``)."""
        return {"listener": self.stats.as_dict(), "model": self.model.mta.summary().as_dict()}

    # -- accepting -----------------------------------------------------------------------
    async def _accept_loop(self, listener: trio.SocketListener, nursery: trio.Nursery) -> None:
        opts = self.options
        while True:
            try:
                stream = await listener.accept()
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self._log(f"listener: accept failed ({exc.strerror}); retrying in 0.1 s")
                    await trio.sleep(0.1)
                    continue
                raise
            number = self._accepted
            self._accepted += 1
            self.stats.tcp_accepted += 1
            if len(self._links) >= opts.max_connections:
                self.stats.over_cap += 1
                if not self._cap_logged:
                    self._cap_logged = True
                    self._log(
                        f"listener: {plural(opts.max_connections, 'connection')} at once "
                        "(the cap); resetting new ones until one ends (counted as over_cap)"
                    )
                _reset(stream)
                continue
            self._cap_logged = False
            # Our SRC-REF for the connection: never 0.
            wire = Class0Connection(
                number % 0xFFFF + 1,
                max_tpdu=opts.max_tpdu,
                max_tsdu=opts.max_tsdu,
                max_length=DEFAULT_MAX_LENGTH,
            )
            link = _Link(number, _address(stream), stream, wire)
            self._links[number] = link
            self.stats.peak_connections = max(self.stats.peak_connections, len(self._links))
            nursery.start_soon(self._handle, link)

    async def _handle(self, link: _Link) -> None:
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._writer, link, nursery.cancel_scope)
                await self._reader(link)
                nursery.cancel_scope.cancel()
        finally:
            del self._links[link.number]
            if link.conn is not None:
                self._by_conn.pop(link.conn, None)
            if link.abort:
                _reset(link.stream)
            else:
                link.stream.socket.close()

    # -- reading -------------------------------------------------------------------------
    async def _reader(self, link: _Link) -> None:
        opts = self.options
        wire = link.wire
        cr_deadline = trio.current_time() + opts.read_timeout
        frame_start = -1  # stream offset of an incomplete TPKT
        frame_deadline = math.inf
        while True:
            if wire.phase is Phase.CR:
                deadline = cr_deadline
            elif wire.buffered:
                deadline = frame_deadline
            else:
                deadline = math.inf
            data = b""
            with trio.move_on_at(deadline) as timer:
                try:
                    data = await link.stream.receive_some(RECV_SIZE)
                except trio.BrokenResourceError:
                    self._gone(link, reset=True)
                    return
            if timer.cancelled_caught:
                self.stats.read_timeouts += 1
                waited = "no complete CR" if wire.phase is Phase.CR else "an incomplete TPKT"
                self._violation(
                    link,
                    wire.offset,
                    f"read timeout: {waited} after {opts.read_timeout:g} s "
                    f"({plural(wire.buffered, 'octet')} of a frame buffered)",
                    count=False,
                )
                return
            if not data:
                self._gone(link, reset=False)
                return
            units = 0
            fault: ProtocolViolation | None = None
            for event in wire.receive_data(data):
                if isinstance(event, ConnectRequested):
                    self._connect_request(link, event)
                elif isinstance(event, TsduReceived):
                    units += 1
                    self.stats.tsdus += 1
                    self.stats.data_octets += len(event.tsdu)
                    if self.options.echo:
                        for piece in wire.send_data(event.tsdu):
                            link.enqueue(piece)
                else:
                    fault = event
            if units and link.conn is not None:
                self.model.data(link.conn, units)
            if fault is not None:
                self._violation(link, fault.offset, fault.message)
                return
            if link.closing:
                # The model dropped it; the writer closes it. Read no more.
                await trio.sleep_forever()
            start = wire.offset - wire.buffered
            if wire.buffered and start != frame_start:
                frame_start = start
                frame_deadline = trio.current_time() + opts.read_timeout
            while link.outbox_size > OUTBOX_LIMIT:
                link.space = trio.Event()
                await link.space.wait()

    def _connect_request(self, link: _Link, request: ConnectRequested) -> None:
        self.stats.connect_requests += 1
        peer = tsap_text(request.cr.calling_tsap)
        conn = self.model.arrival(self._service.draw(peer), peer)
        link.conn = conn
        self._by_conn[conn] = link

    def _gone(self, link: _Link, *, reset: bool) -> None:
        """The peer closed (EOF) or reset the connection."""
        if link.closing:
            return
        if link.conn is None:
            self.stats.closed_before_cr += 1
            return
        if reset:
            self.stats.peer_reset += 1
        else:
            self.stats.peer_closed += 1
        self.model.close(link.conn, reset=reset)

    def _violation(self, link: _Link, offset: int, message: str, *, count: bool = True) -> None:
        if link.wire.phase is Phase.CLOSING:
            return
        if count:
            self.stats.protocol_errors += 1
        where = f"connection {link.number} from {link.address}"
        if link.conn is not None:
            where += f" (model connection {link.conn})"
        self._log(f"{where}: {message} at byte offset {offset}; closed")
        if link.conn is not None:
            self.model.close(link.conn, cause="protocol error")

    # -- writing -------------------------------------------------------------------------
    async def _writer(self, link: _Link, scope: trio.CancelScope) -> None:
        timeout = self.options.read_timeout
        while True:
            while link.outbox:
                data = b"".join(link.outbox)
                link.outbox.clear()
                link.outbox_size = 0
                link.space.set()
                with trio.move_on_after(timeout) as timer:
                    try:
                        await link.stream.send_all(data)
                    except trio.BrokenResourceError:
                        self._gone(link, reset=True)
                        scope.cancel()
                        return
                if timer.cancelled_caught:
                    self._violation(
                        link,
                        link.wire.offset,
                        f"the peer read nothing for {timeout:g} s (send blocked)",
                    )
                    link.abort = True
                    scope.cancel()
                    return
            if link.close_mode is not None:
                link.abort = link.close_mode == "reset"
                scope.cancel()
                return
            link.wake = trio.Event()
            await link.wake.wait()

    # -- the model's decisions: the actions of each step --------------------------------------
    def _step(self, step: Step) -> None:
        if self._on_step is not None:
            self._on_step(step)
        for action in step.actions:
            if isinstance(action, SendCC):
                self._send_cc(action.conn)
            elif isinstance(action, Refuse):
                self._disconnect(action.conn, action.reason)
            elif isinstance(action, CloseOnTimeout):
                self._disconnect(action.conn, None)

    def _send_cc(self, conn: int) -> None:
        link = self._by_conn.get(conn)
        if link is None or link.wire.phase is not Phase.OPENING:
            return
        self.stats.confirmed += 1
        link.enqueue(link.wire.confirm())

    def _disconnect(self, conn: int, refusal: Refusal | None) -> None:
        """The model refused the connection, or its Winsock timer closed it (``None``)."""
        link = self._by_conn.pop(conn, None)
        if link is None or link.closing:
            return
        if refusal is Refusal.NO_CONTROL_BLOCK:
            self.stats.refused_dr += 1
            link.enqueue(link.wire.refuse(DR_CONGESTION))
            link.close_mode = "close"
        elif refusal is Refusal.BACKLOG:
            self.stats.refused_reset += 1
            link.wire.close()
            link.close_mode = "reset"
        else:
            self.stats.closed_by_timer += 1
            link.wire.close()
            link.close_mode = "close"
        link.wake.set()


class ListenError(MtasimError):
    """The listening socket could not be opened (address in use, unknown host...)."""


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _address(stream: trio.SocketStream) -> str:
    try:
        host, port = stream.socket.getpeername()[:2]
    except OSError:
        return "?"
    return _host_port(str(host), int(port))


def _reset(stream: trio.SocketStream) -> None:
    """Close with a TCP reset (SO_LINGER 0), as Winsock refuses a connection."""
    with contextlib.suppress(OSError):
        stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    stream.socket.close()
