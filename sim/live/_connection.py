"""One TCP connection of the live listener: its reader, its writer, and what the model's
decisions do to it on the wire.

Rules of this module:

* What the peer does reaches the model as an outside input: the CR through the listener, which
  registers the connection (:meth:`Listener.connect_request`); each batch of TSDUs after the CC;
  the close or reset. What the model decided reaches the connection from the listener, which
  reads it from each step's actions: :meth:`Connection.confirm` (the CC),
  :meth:`Connection.disconnect` (a refusal, or the Winsock timer).
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
  connection.
* Data: each whole TSDU the peer sends is one data unit for the NSI, and is echoed back,
  segmented at the negotiated TPDU size [inferred: the model has no upper layer that would
  answer; an echo carries DT in both directions and lets a peer check the segmentation].
"""

from __future__ import annotations

import contextlib
import math
import socket
import struct
from typing import Protocol

import trio

from ..core import Refusal
from ..drivers import RealTime
from ..text._plural import plural
from ..wire import (
    DEFAULT_MAX_LENGTH,
    DR_CONGESTION,
    Class0Connection,
    ConnectRequested,
    Phase,
    ProtocolViolation,
    TsduReceived,
)
from ._listener_options import ListenerOptions, ListenerStats, host_port

RECV_SIZE = 16384
OUTBOX_LIMIT = 65536


class Listener(Protocol):
    """What a connection needs of the listener that accepted it."""

    @property
    def options(self) -> ListenerOptions: ...

    @property
    def stats(self) -> ListenerStats: ...

    @property
    def model(self) -> RealTime: ...

    def log(self, line: str) -> None:
        """One line on the listener's log."""

    def connect_request(self, connection: Connection, request: ConnectRequested) -> int:
        """The connection's CR arrived: its number in the model."""


class Connection:
    """One TCP connection, from its accept to its close."""

    __slots__ = (
        "_abort",
        "_close_mode",
        "_listener",
        "_outbox",
        "_outbox_size",
        "_space",
        "_wake",
        "address",
        "conn",
        "number",
        "stream",
        "wire",
    )

    def __init__(self, number: int, stream: trio.SocketStream, listener: Listener) -> None:
        opts = listener.options
        #: the accept number (the log names the connection by it)
        self.number = number
        self.address = _address(stream)
        self.stream = stream
        # Our SRC-REF for the connection: never 0.
        self.wire = Class0Connection(
            number % 0xFFFF + 1,
            max_tpdu=opts.max_tpdu,
            max_tsdu=opts.max_tsdu,
            max_length=DEFAULT_MAX_LENGTH,
        )
        #: the model's connection number, once the CR arrived
        self.conn: int | None = None
        self._listener = listener
        self._outbox: list[bytes] = []
        self._outbox_size = 0
        self._wake = trio.Event()
        self._space = trio.Event()
        self._close_mode: str | None = None  # "close" (FIN) or "reset" once the model drops it
        self._abort = False

    @property
    def closing(self) -> bool:
        return self.wire.phase in (Phase.CLOSING, Phase.ERROR)

    @property
    def outbox_size(self) -> int:
        """Octets queued for the peer and not yet sent."""
        return self._outbox_size

    async def serve(self) -> None:
        """Read and write until the connection ends, then close it (with a reset if the model
        refused it so, or the peer stopped reading)."""
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._writer, nursery.cancel_scope)
                await self._reader()
                nursery.cancel_scope.cancel()
        finally:
            if self._abort:
                reset(self.stream)
            else:
                self.stream.socket.close()

    # -- the model's decisions -----------------------------------------------------------
    def confirm(self) -> None:
        """The OK response is ready: the CC goes out (unless the connection is past that)."""
        if self.wire.phase is not Phase.OPENING:
            return
        self._listener.stats.confirmed += 1
        self._enqueue(self.wire.confirm())

    def disconnect(self, refusal: Refusal | None) -> None:
        """The model refused the connection, or its Winsock timer closed it (``None``)."""
        if self.closing:
            return
        stats = self._listener.stats
        if refusal is Refusal.NO_CONTROL_BLOCK:
            stats.refused_dr += 1
            self._enqueue(self.wire.refuse(DR_CONGESTION))
            self._close_mode = "close"
        elif refusal is Refusal.BACKLOG or refusal is Refusal.HALF_OPEN:
            stats.refused_reset += 1
            self.wire.close()
            self._close_mode = "reset"
        else:
            stats.closed_by_timer += 1
            self.wire.close()
            self._close_mode = "close"
        self._wake.set()

    # -- reading -------------------------------------------------------------------------
    async def _reader(self) -> None:
        listener = self._listener
        opts = listener.options
        stats = listener.stats
        wire = self.wire
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
                    data = await self.stream.receive_some(RECV_SIZE)
                except trio.BrokenResourceError:
                    self._gone(reset=True)
                    return
            if timer.cancelled_caught:
                stats.read_timeouts += 1
                waited = "no complete CR" if wire.phase is Phase.CR else "an incomplete TPKT"
                self._violation(
                    wire.offset,
                    f"read timeout: {waited} after {opts.read_timeout:g} s "
                    f"({plural(wire.buffered, 'octet')} of a frame buffered)",
                    count=False,
                )
                return
            if not data:
                self._gone(reset=False)
                return
            units = 0
            fault: ProtocolViolation | None = None
            for event in wire.receive_data(data):
                if isinstance(event, ConnectRequested):
                    self.conn = listener.connect_request(self, event)
                elif isinstance(event, TsduReceived):
                    units += 1
                    stats.tsdus += 1
                    stats.data_octets += len(event.tsdu)
                    if opts.echo:
                        for piece in wire.send_data(event.tsdu):
                            self._enqueue(piece)
                else:
                    fault = event
            if units and self.conn is not None:
                listener.model.data(self.conn, units)
            if fault is not None:
                self._violation(fault.offset, fault.message)
                return
            if self.closing:
                # The model dropped it; the writer closes it. Read no more.
                await trio.sleep_forever()
            start = wire.offset - wire.buffered
            if wire.buffered and start != frame_start:
                frame_start = start
                frame_deadline = trio.current_time() + opts.read_timeout
            while self._outbox_size > OUTBOX_LIMIT:
                self._space = trio.Event()
                await self._space.wait()

    def _gone(self, *, reset: bool) -> None:
        """The peer closed (EOF) or reset the connection."""
        if self.closing:
            return
        stats = self._listener.stats
        if self.conn is None:
            stats.closed_before_cr += 1
            return
        if reset:
            stats.peer_reset += 1
        else:
            stats.peer_closed += 1
        self._listener.model.close(self.conn, reset=reset)

    def _violation(self, offset: int, message: str, *, count: bool = True) -> None:
        if self.wire.phase is Phase.CLOSING:
            return
        if count:
            self._listener.stats.protocol_errors += 1
        where = f"connection {self.number} from {self.address}"
        if self.conn is not None:
            where += f" (model connection {self.conn})"
        self._listener.log(f"{where}: {message} at byte offset {offset}; closed")
        if self.conn is not None:
            self._listener.model.close(self.conn, cause="protocol error")

    # -- writing -------------------------------------------------------------------------
    def _enqueue(self, data: bytes) -> None:
        self._outbox.append(data)
        self._outbox_size += len(data)
        self._wake.set()

    async def _writer(self, scope: trio.CancelScope) -> None:
        timeout = self._listener.options.read_timeout
        while True:
            while self._outbox:
                data = b"".join(self._outbox)
                self._outbox.clear()
                self._outbox_size = 0
                self._space.set()
                with trio.move_on_after(timeout) as timer:
                    try:
                        await self.stream.send_all(data)
                    except trio.BrokenResourceError:
                        self._gone(reset=True)
                        scope.cancel()
                        return
                if timer.cancelled_caught:
                    self._violation(
                        self.wire.offset,
                        f"the peer read nothing for {timeout:g} s (send blocked)",
                    )
                    self._abort = True
                    scope.cancel()
                    return
            if self._close_mode is not None:
                self._abort = self._close_mode == "reset"
                scope.cancel()
                return
            self._wake = trio.Event()
            await self._wake.wait()


def reset(stream: trio.SocketStream) -> None:
    """Close with a TCP reset (SO_LINGER 0), as Winsock refuses a connection."""
    with contextlib.suppress(OSError):
        stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    stream.socket.close()


def _address(stream: trio.SocketStream) -> str:
    try:
        peer_host, peer_port = stream.socket.getpeername()[:2]
    except OSError:
        return "?"
    return host_port(str(peer_host), int(peer_port))
