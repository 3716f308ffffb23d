"""An RFC 1006 client: real peers for the live listener, or for any RFC 1006 listener.

Rules of this module:

* A peer connection opens TCP, sends a class 0 CR and waits for the answer with its own
  connect timeout, counted from the start of the TCP connect: no CC in time, it closes (a
  close the listener's NSI sees as a Close Request before the OK response). After a CC it
  sends its data as one TSDU, segmented at the negotiated TPDU size, keeps the association
  ``hold`` seconds reading what comes back, and closes (or resets).
* Each connection ends in exactly one outcome: ``connected`` (a CC arrived), ``refused`` (a
  DR, or the listener reset the connection: the answers of an MTA), ``timed out`` (its own
  timeout fired first), ``closed`` (the listener closed the connection before a CC: the
  Winsock timer), ``no listener`` (the TCP connect itself was refused: nothing listens
  there, so no MTA answered at all), ``failed`` (the listener broke RFC 1006 / class 0, or
  another socket error).
* :func:`play_scenario` plays a scenario's peer groups against a listener, time-scaled: the
  connections arrive, give up, send data and close as the model's peers do
  (``sim.core._model``), with the group name as calling TSAP so that the live listener draws
  the same kernel service times as the simulation.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import socket
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import trio

from ..core import ConnSpec
from ..scenario import Scenario, arrivals
from ..text._plural import plural
from ..wire import (
    DEFAULT_TPDU_SIZE,
    DR_REASONS,
    ConnectionConfirm,
    Data,
    Decoder,
    DisconnectRequest,
    FrameError,
    Tpdu,
    encode_cr,
    segment,
)

Log = Callable[[str], None]

OUTCOMES = ("connected", "refused", "timed out", "closed", "no listener", "failed")


@dataclass(frozen=True, slots=True)
class PeerOptions:
    """What each peer connection does. Durations in real seconds."""

    connections: int = 1
    #: connections started per second (0: all at once)
    rate: float = 10.0
    #: the peer's own connect timeout: no CC this long after the TCP connect started, it closes
    timeout: float = 5.0
    calling_tsap: bytes | None = b"MTASIMPEER"
    called_tsap: bytes | None = b"EXCHANGETSAP1"
    tpdu_size: int | None = 2048
    #: octets of the one TSDU sent after the CC (0: no data)
    data: int = 64
    #: seconds the association is kept after the data, reading what comes back
    hold: float = 0.1
    #: close with a TCP reset instead of a FIN
    reset: bool = False

    def check(self) -> None:
        """Raise ``ValueError`` naming the first bad option."""
        if self.connections < 1:
            raise ValueError(f"--connections must be at least 1, got {self.connections}")
        if not (self.rate >= 0 and math.isfinite(self.rate)):
            raise ValueError(f"--rate must be 0 or a positive number, got {self.rate}")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise ValueError(f"--timeout must be a positive number, got {self.timeout}")
        if not (self.hold >= 0 and math.isfinite(self.hold)):
            raise ValueError(f"--hold must be 0 or a positive number, got {self.hold}")
        if self.data < 0:
            raise ValueError(f"--data must be 0 or more octets, got {self.data}")
        if self.tpdu_size is not None and self.tpdu_size not in {1 << n for n in range(7, 14)}:
            raise ValueError(f"--tpdu-size must be a power of two 128..8192, got {self.tpdu_size}")
        for name, tsap in (("--tsap", self.calling_tsap), ("--called-tsap", self.called_tsap)):
            if tsap is not None and len(tsap) > 100:
                raise ValueError(f"{name} is {plural(len(tsap), 'octet')} long (100 at most here)")


@dataclass(slots=True)
class PeerSummary:
    """What a batch of peer connections saw."""

    target: str
    connections: int = 0
    connected: int = 0
    refused: int = 0
    timed_out: int = 0
    closed: int = 0
    no_listener: int = 0
    failed: int = 0
    sent_octets: int = 0
    echoed_octets: int = 0
    elapsed: float = 0.0
    outcomes: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        self.outcomes.append(outcome)
        attr = outcome.replace(" ", "_")
        setattr(self, attr, getattr(self, attr) + 1)

    @property
    def nobody_listened(self) -> bool:
        """Every connection's TCP connect was refused: nothing listens at the target."""
        return self.connections > 0 and self.no_listener == self.connections

    def line(self) -> str:
        """The summary line; ``no listener N`` only when some TCP connects were refused."""
        nobody = f", no listener {self.no_listener}" if self.no_listener else ""
        return (
            f"peer: {plural(self.connections, 'connection')} to {self.target} in "
            f"{self.elapsed:.2f} s: connected {self.connected}, refused {self.refused}, "
            f"timed out {self.timed_out}, closed by the listener {self.closed}, failed "
            f"{self.failed}{nobody}"
        )


def parse_target(text: str, default_port: int = 102) -> tuple[str, int]:
    """``HOST:PORT``, ``[v6]:PORT`` or ``HOST`` (RFC 1006's port 102). Raises ``ValueError``."""
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"bad address {text!r}: no closing ']'")
        host, rest = text[1:end], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError(f"bad address {text!r}: expected ':PORT' after ']'")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host:
        raise ValueError(f"bad address {text!r}: no host")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) <= 0xFFFF:
        raise ValueError(f"bad address {text!r}: the port must be 1..65535")
    return host, int(port_text)


async def run_peers(
    host: str, port: int, options: PeerOptions, *, log: Log | None = None
) -> PeerSummary:
    """Open ``options.connections`` connections at ``options.rate`` per second; wait for all."""
    options.check()
    summary = PeerSummary(_where(host, port), options.connections)
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
    *,
    timeout: float | None = None,
    data_units: int | None = None,
    hold: float | None = None,
    reset: bool | None = None,
    latency: float = 0.0,
) -> tuple[str, str]:
    """One peer connection; returns (outcome, why). Keyword overrides replace options."""
    timeout = options.timeout if timeout is None else timeout
    hold = options.hold if hold is None else hold
    reset = options.reset if reset is None else reset
    units = (1 if options.data else 0) if data_units is None else data_units
    ref = index % 0xFFFF + 1
    stream: trio.SocketStream | None = None
    inbox: _Inbox | None = None
    try:
        with trio.move_on_after(timeout) as timer:
            try:
                stream = await trio.open_tcp_stream(host, port)
            except OSError as exc:
                if _refused(exc, {errno.ECONNREFUSED}):
                    return "no listener", f"no listener at {_where(host, port)}"
                raise
            await stream.send_all(
                encode_cr(
                    ref,
                    calling=options.calling_tsap,
                    called=options.called_tsap,
                    tpdu_size=options.tpdu_size,
                )
            )
            inbox = _Inbox(stream)
            answer = await inbox.next()
        if timer.cancelled_caught:
            return "timed out", ""
        if answer is None:
            return "closed", ""
        if isinstance(answer, DisconnectRequest):
            reason = DR_REASONS.get(answer.reason, f"reason {answer.reason}")
            return "refused", f"DR ({reason})"
        if not isinstance(answer, ConnectionConfirm):
            return "failed", f"the listener answered the CR with a {answer.name}"
        if answer.dst_ref != ref:
            return "failed", f"CC with DST-REF {answer.dst_ref}, expected {ref}"
        assert stream is not None and inbox is not None
        proposed = options.tpdu_size or DEFAULT_TPDU_SIZE
        size = min(proposed, answer.tpdu_size or DEFAULT_TPDU_SIZE)
        if latency:
            await trio.sleep(2 * latency)
        payload = bytes(i % 251 for i in range(options.data))
        for _ in range(units):
            for piece in segment(payload, size):
                await stream.send_all(piece)
            if summary is not None:
                summary.sent_octets += len(payload)
        with trio.move_on_after(hold):
            while True:
                dt = await inbox.next()
                if dt is None:
                    break
                if isinstance(dt, Data) and summary is not None:
                    summary.echoed_octets += len(dt.data)
        return "connected", ""
    except FrameError as exc:
        return "failed", str(exc)
    except trio.BrokenResourceError:
        return "refused", "the listener reset the connection"
    except OSError as exc:
        if _refused(exc, _REFUSED_ERRNOS):
            return "refused", str(exc)
        return "failed", str(exc)
    finally:
        if stream is not None:
            if reset:
                _abort(stream)
            stream.socket.close()


_REFUSED_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET}


def _refused(exc: BaseException, errnos: set[int]) -> bool:
    """A TCP-level refusal with one of ``errnos`` (trio's connect reports its attempts' errors
    as the cause: every attempt must have been refused)."""
    if isinstance(exc, OSError) and exc.errno in errnos:
        return True
    cause = exc.__cause__
    if isinstance(cause, BaseExceptionGroup):
        return all(_refused(leaf, errnos) for leaf in cause.exceptions)
    return False


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class _Inbox:
    """TPDUs from the listener, one at a time."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self._stream = stream
        self._decoder = Decoder()
        self._ready: deque[Tpdu] = deque()

    async def next(self) -> Tpdu | None:
        """The next TPDU, or ``None`` at EOF. Raises :class:`FrameError`."""
        while not self._ready:
            data = await self._stream.receive_some(16384)
            if not data:
                return None
            self._ready.extend(self._decoder.feed(data))
        return self._ready.popleft()


def _abort(stream: trio.SocketStream) -> None:
    with contextlib.suppress(OSError):
        stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


async def play_scenario(
    host: str,
    port: int,
    scenario: Scenario,
    *,
    time_scale: float,
    data: int = 16,
    log: Log | None = None,
) -> PeerSummary:
    """Play the scenario's peer groups against a listener, time-scaled (real seconds per
    virtual second): arrival times, give-up, data units, latency, hold, close or reset."""
    summary = PeerSummary(_where(host, port))
    began = trio.current_time()
    async with trio.open_nursery() as nursery:
        for spec in arrivals(scenario):
            await trio.sleep_until(began + spec.arrival / 1e6 * time_scale)
            summary.connections += 1
            play = functools.partial(_play_one, scale=time_scale, data=data)
            nursery.start_soon(play, (host, port), spec, summary, log)
    summary.elapsed = trio.current_time() - began
    return summary


async def _play_one(
    target: tuple[str, int],
    spec: ConnSpec,
    summary: PeerSummary,
    log: Log | None,
    *,
    scale: float,
    data: int,
) -> None:
    options = PeerOptions(calling_tsap=spec.peer.encode("ascii", "replace"), data=data)
    outcome, why = await connect_once(
        *target,
        options,
        spec.conn,
        summary,
        timeout=math.inf if spec.give_up is None else spec.give_up / 1e6 * scale,
        data_units=spec.data_units,
        hold=math.inf if spec.hold is None else spec.hold / 1e6 * scale,
        reset=spec.reset,
        latency=spec.latency / 1e6 * scale,
    )
    summary.count(outcome)
    if log is not None:
        log(f"peer: connection {spec.conn}: {outcome}" + (f": {why}" if why else ""))
