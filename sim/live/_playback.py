"""One RFC 1006 peer connection on a real socket, played from a :class:`~sim.core.ConnSpec`.

Rules of this module:

* A connection plays the behaviour its spec states, the one the simulated peers play
  (``sim.core._connspec``, ``sim.core._peers``), and it is written nowhere else: its instants
  are the MTA's, time-scaled onto trio's clock (:class:`Clock`); the real link (loopback, say)
  counts as instantaneous, and the spec's latency is mimicked by waiting.
* It opens TCP and sends a class 0 CR at once (its ``arrival``), however late that is; its own
  timer fires at ``last_cc()``, the last instant a CC can leave the MTA and still reach it in
  time (a CC read later is too late: ``cc_in_time``). No CC by then, its close reaches the
  listener at ``give_up_at()``, ``2 * latency`` later: outcome ``timed out``, unless the
  listener refuses or closes the connection during that wait (then the outcome is the
  listener's, as the model counts a give-up, ``peer_gave_up``, only when its close reaches the
  MTA; a CC in that wait changes nothing).
* After a CC in time, read at ``t``: its ``data_units`` TSDUs at ``data_at(t)``, each segmented
  at the negotiated TPDU size; what comes back is read (and counted) until
  ``close_after(data_at(t))``, or until the listener closes; then it closes, or resets.
"""

from __future__ import annotations

import errno
import math
from collections import deque
from dataclasses import dataclass

import trio

from ..core import MICROS_PER_SECOND, ConnSpec, Micros
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
from ._connection import reset
from ._listener_options import host_port
from ._peer_options import PeerOptions, PeerSummary


@dataclass(frozen=True, slots=True)
class Clock:
    """A peer's instants, microseconds on the MTA's clock as a :class:`ConnSpec` states them,
    on trio's clock: instant 0 is trio time ``origin``; ``scale`` real seconds per virtual
    second."""

    origin: float
    scale: float

    def at(self, t: Micros | None) -> float:
        """The trio time of instant ``t`` (``None``: never)."""
        return math.inf if t is None else self.origin + t / MICROS_PER_SECOND * self.scale

    def now(self) -> Micros:
        return round((trio.current_time() - self.origin) / self.scale * MICROS_PER_SECOND)


async def play(
    target: tuple[str, int],
    spec: ConnSpec,
    options: PeerOptions,
    clock: Clock,
    summary: PeerSummary | None,
) -> tuple[str, str]:
    """One peer connection, opened now, behaving as ``spec`` says (``sim.core._connspec``);
    ``options`` gives its TSAPs, TPDU size and TSDU size. Returns (outcome, why)."""
    host, port = target
    ref = spec.conn % 0xFFFF + 1
    stream: trio.SocketStream | None = None
    inbox: _Inbox | None = None
    try:
        # The CR goes out however late it is: it reaches the MTA even when the peer's timer
        # runs out before it could (a give-up shorter than the round trip).
        with trio.move_on_at(clock.at(spec.give_up_at())):
            try:
                stream = await trio.open_tcp_stream(host, port)
            except OSError as exc:
                if _refused(exc, {errno.ECONNREFUSED}):
                    return "no listener", f"no listener at {host_port(host, port)}"
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
        if inbox is None:
            return "timed out", ""
        # The peer's own timer: a CC the MTA sends after last_cc reaches it too late.
        with trio.move_on_at(clock.at(spec.last_cc())) as timer:
            answer = await inbox.next()
        cc_at = clock.now()
        if timer.cancelled_caught or (
            isinstance(answer, ConnectionConfirm) and not spec.cc_in_time(cc_at)
        ):
            return await _give_up(spec, clock, inbox)
        if answer is None:
            return "closed", ""
        if isinstance(answer, DisconnectRequest):
            return _refusal(answer)
        if not isinstance(answer, ConnectionConfirm):
            return "failed", f"the listener answered the CR with a {answer.name}"
        if answer.dst_ref != ref:
            return "failed", f"CC with DST-REF {answer.dst_ref}, expected {ref}"
        assert stream is not None
        proposed = options.tpdu_size or DEFAULT_TPDU_SIZE
        size = min(proposed, answer.tpdu_size or DEFAULT_TPDU_SIZE)
        data_at = spec.data_at(cc_at)
        await trio.sleep_until(clock.at(data_at))
        payload = bytes(i % 251 for i in range(options.data))
        for _ in range(spec.data_units):
            for piece in segment(payload, size):
                await stream.send_all(piece)
            if summary is not None:
                summary.sent_octets += len(payload)
        with trio.move_on_at(clock.at(spec.close_after(data_at))):
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
            if spec.reset:
                reset(stream)
            else:
                stream.socket.close()


async def _give_up(spec: ConnSpec, clock: Clock, inbox: _Inbox) -> tuple[str, str]:
    """No CC left the MTA in time (by ``last_cc``): on the model's link the peer's timer fires
    one link delay later and its close reaches the MTA one more later, at ``give_up_at``; this
    link has no delay, so the peer waits those ``2 * latency`` before it closes. Meanwhile the
    listener's answers still count: a DR, a reset or a close that comes first is the outcome,
    as the model counts a give-up only when the peer's close reaches the MTA; a CC is too late
    and changes nothing."""
    with trio.move_on_at(clock.at(spec.give_up_at())):
        while True:
            answer = await inbox.next()
            if answer is None:
                return "closed", "the listener closed it while the peer's close was on its way"
            if isinstance(answer, DisconnectRequest):
                return _refusal(answer)
            if not isinstance(answer, ConnectionConfirm):
                return "failed", f"the listener answered the CR with a {answer.name}"
    return "timed out", ""


def _refusal(dr: DisconnectRequest) -> tuple[str, str]:
    return "refused", f"DR ({DR_REASONS.get(dr.reason, f'reason {dr.reason}')})"


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
