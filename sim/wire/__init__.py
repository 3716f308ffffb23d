"""The wire, pure: RFC 1006 / ISO 8073 class 0 as values, codecs and a connection object.

``_tpdu``: TPDU values (CR, CC, DR, DC, DT, ER), :func:`parse_tpdu`, the encoders.
``_framing``: :class:`Decoder` (a byte stream cut into TPDUs), :class:`Reassembler` (DT into
TSDUs). ``_class0``: :class:`Class0Connection`, the responder's side of one connection in
h11's and wsproto's shape (``receive_data(bytes) -> events``, ``confirm() -> bytes``,
``refuse(reason) -> bytes``). No sockets, no clock: ``sim.live`` moves the bytes.
"""

from ._class0 import (
    Class0Connection,
    ConnectRequested,
    Phase,
    ProtocolViolation,
    TsduReceived,
    WireEvent,
)
from ._framing import Decoder, Reassembler
from ._tpdu import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_TPDU_SIZE,
    DR_CONGESTION,
    DR_REASONS,
    MAX_TPDU_SIZE,
    MIN_TPDU_SIZE,
    Code,
    ConnectionConfirm,
    ConnectionRequest,
    Data,
    DisconnectConfirm,
    DisconnectRequest,
    ErrorTpdu,
    FrameError,
    Tpdu,
    encode_cc,
    encode_cr,
    encode_dr,
    encode_dt,
    parse_tpdu,
    segment,
    size_code,
    tpkt,
)

__all__ = [
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_TPDU_SIZE",
    "DR_CONGESTION",
    "DR_REASONS",
    "MAX_TPDU_SIZE",
    "MIN_TPDU_SIZE",
    "Class0Connection",
    "Code",
    "ConnectRequested",
    "ConnectionConfirm",
    "ConnectionRequest",
    "Data",
    "Decoder",
    "DisconnectConfirm",
    "DisconnectRequest",
    "ErrorTpdu",
    "FrameError",
    "Phase",
    "ProtocolViolation",
    "Reassembler",
    "Tpdu",
    "TsduReceived",
    "WireEvent",
    "encode_cc",
    "encode_cr",
    "encode_dr",
    "encode_dt",
    "parse_tpdu",
    "segment",
    "size_code",
    "tpkt",
]
