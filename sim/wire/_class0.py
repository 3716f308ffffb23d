"""One ISO 8073 class 0 transport connection over RFC 1006, responder side, sans-IO.

Rules of this module (the shape of h11's and wsproto's connection objects: fed bytes, it
returns events; asked to answer, it returns the bytes to send; it never does I/O):

* States (:class:`Phase`), after RFC 1006 section 5 and ISO 8073 class 0:

  ============  =====================================================================
  ``CR``        waiting for the peer's CR (a TCP connection with nothing said yet)
  ``OPENING``   the CR arrived (:class:`ConnectRequested`); the responder owes an answer:
                :meth:`Class0Connection.confirm` (the CC) or :meth:`~Class0Connection.refuse`
                (a DR, the class 0 refusal of a CR)
  ``OPEN``      the CC went out: DT flows both ways (:class:`TsduReceived`,
                :meth:`~Class0Connection.send_data`)
  ``CLOSING``   refused or closed by this side (:meth:`~Class0Connection.close`): class 0 has
                no DR/DC release, a connection ends by closing TCP; what the peer still
                sends is ignored
  ``ERROR``     the peer broke the protocol (:class:`ProtocolViolation`); nothing more is
                read
  ============  =====================================================================

* Violations, each one event naming the stream offset of the offending TPDU: anything but a
  CR first; a DT before the CC ("class 0: no data before the CC"); a second CR; an ER; any
  other TPDU from the peer (class 0 carries a CR, then DT); and every framing fault of
  ``_framing.Decoder`` / ``_tpdu.parse_tpdu`` (bad TPKT, bad TPDU). The events of whole TPDUs
  before a fault come first, so what a stream yields does not depend on how it was split.
* The CC echoes the CR's TSAPs and answers with the smaller of the proposed TPDU size (128 when
  the CR names none) and ``max_tpdu``; our reference (SRC-REF) is ``ref``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ._framing import Decoder, Reassembler
from ._tpdu import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_TPDU_SIZE,
    ConnectionRequest,
    Data,
    ErrorTpdu,
    FrameError,
    Tpdu,
    encode_cc,
    encode_dr,
    segment,
)


class Phase(enum.Enum):
    CR = "waiting for the CR"
    OPENING = "waiting for the OK response"
    OPEN = "open"
    CLOSING = "closing"
    ERROR = "protocol error"


@dataclass(frozen=True, slots=True)
class ConnectRequested:
    """The peer's CR; ``tpdu_size`` is what the CC will grant."""

    cr: ConnectionRequest
    tpdu_size: int


@dataclass(frozen=True, slots=True)
class TsduReceived:
    """A whole TSDU from the peer (its DT segments up to the EOT)."""

    tsdu: bytes


@dataclass(frozen=True, slots=True)
class ProtocolViolation:
    """The peer broke RFC 1006 / class 0 at stream offset ``offset``."""

    offset: int
    message: str


WireEvent = ConnectRequested | TsduReceived | ProtocolViolation


class Class0Connection:
    """The responder's side of one class 0 connection."""

    __slots__ = ("_decoder", "_reassembler", "cr", "max_tpdu", "phase", "ref", "tpdu_size")

    def __init__(
        self,
        ref: int,
        *,
        max_tpdu: int = 2048,
        max_tsdu: int = 65536,
        max_length: int = DEFAULT_MAX_LENGTH,
    ) -> None:
        if not 1 <= ref <= 0xFFFF:
            raise ValueError(f"ref must be 1..65535, got {ref}")
        self.ref = ref
        self.max_tpdu = max_tpdu
        self.phase = Phase.CR
        self.cr: ConnectionRequest | None = None
        self.tpdu_size = DEFAULT_TPDU_SIZE
        self._decoder = Decoder(max_length)
        self._reassembler = Reassembler(max_tsdu)

    # -- what the peer sent ------------------------------------------------------------------
    @property
    def offset(self) -> int:
        """Bytes received so far."""
        return self._decoder.offset

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete TPKT waiting for the rest."""
        return self._decoder.buffered

    def receive_data(self, data: bytes) -> list[WireEvent]:
        """Bytes from the peer, in any pieces; the events they complete, in stream order."""
        if self.phase in (Phase.CLOSING, Phase.ERROR):
            return []
        fault: FrameError | None = None
        try:
            tpdus = self._decoder.feed(data)
        except FrameError as exc:
            tpdus, fault = list(exc.tpdus), exc
        events: list[WireEvent] = []
        for tpdu in tpdus:
            try:
                event = self._on_tpdu(tpdu)
            except FrameError as exc:
                fault = exc  # earlier in the stream than a decoding fault
                break
            if event is not None:
                events.append(event)
        if fault is not None:
            self.phase = Phase.ERROR
            events.append(ProtocolViolation(fault.offset, fault.message))
        return events

    def _on_tpdu(self, tpdu: Tpdu) -> WireEvent | None:
        phase = self.phase
        if phase is Phase.CR:
            if not isinstance(tpdu, ConnectionRequest):
                raise FrameError(tpdu.offset, f"expected a CR, got a {tpdu.name}")
            self.cr = tpdu
            self.phase = Phase.OPENING
            proposed = tpdu.tpdu_size if tpdu.tpdu_size is not None else DEFAULT_TPDU_SIZE
            self.tpdu_size = min(proposed, self.max_tpdu)
            return ConnectRequested(tpdu, self.tpdu_size)
        if isinstance(tpdu, Data):
            if phase is not Phase.OPEN:
                raise FrameError(tpdu.offset, "DT before the CC (class 0: no data before the CC)")
            tsdu = self._reassembler.add(tpdu)
            return None if tsdu is None else TsduReceived(tsdu)
        if isinstance(tpdu, ConnectionRequest):
            raise FrameError(tpdu.offset, "a second CR on the same connection")
        if isinstance(tpdu, ErrorTpdu):
            raise FrameError(tpdu.offset, f"the peer sent an ER (reject cause {tpdu.cause})")
        raise FrameError(
            tpdu.offset, f"unexpected {tpdu.name} from the peer (class 0: a CR, then DT)"
        )

    # -- what this side answers --------------------------------------------------------------
    def confirm(self) -> bytes:
        """The CC (the OK response): ``OPENING`` -> ``OPEN``."""
        cr = self._expect_opening("confirm")
        self.phase = Phase.OPEN
        return encode_cc(
            cr.src_ref,
            self.ref,
            calling=cr.calling_tsap,
            called=cr.called_tsap,
            tpdu_size=self.tpdu_size,
        )

    def refuse(self, reason: int) -> bytes:
        """A DR refusing the CR with a class 0 reason: ``OPENING`` -> ``CLOSING``."""
        cr = self._expect_opening("refuse")
        self.phase = Phase.CLOSING
        return encode_dr(cr.src_ref, 0, reason)

    def close(self) -> None:
        """This side closes the connection (TCP close or reset): -> ``CLOSING``."""
        if self.phase is not Phase.ERROR:
            self.phase = Phase.CLOSING

    def send_data(self, tsdu: bytes) -> list[bytes]:
        """One TSDU as DT TPKTs at the negotiated TPDU size (``OPEN`` only)."""
        if self.phase is not Phase.OPEN:
            raise RuntimeError(f"cannot send data {self.phase.value}")
        return segment(tsdu, self.tpdu_size)

    def _expect_opening(self, what: str) -> ConnectionRequest:
        if self.phase is not Phase.OPENING or self.cr is None:
            raise RuntimeError(f"cannot {what}: the connection is {self.phase.value}")
        return self.cr
