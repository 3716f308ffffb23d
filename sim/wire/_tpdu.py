"""ISO 8073 class 0 TPDUs as RFC 1006 carries them: values, decoding one TPDU, encoders.

Rules of this module (the wire format is shown byte by byte in ``docs/live.md``):

* Pure: no sockets, no clock. :func:`parse_tpdu` decodes the bytes after one TPKT header
  (``_framing.Decoder`` cuts a stream into them); the encoders return exact bytes.
* :class:`FrameError` is the only exception decoding raises, whatever it is fed
  (``tests/wire/test_wire_codec.py`` fuzzes it with hypothesis). It names the byte offset in
  the stream where the input went wrong.
* Liberal in what is accepted (RFC 1006 peers differ): the TPKT reserved byte may hold anything
  (KB Q157015: Exchange itself once sent 0x11 there); variable-part parameters come in any
  order, unknown ones are skipped, a repeated one counts once more (the last wins); TSAPs may be
  of any length the one-octet parameter length allows; the low nibble of the TPDU code (the
  credit of CR/CC) is ignored; DST-REF of a CR is not checked; a DT may be longer than the
  negotiated TPDU size (the TPKT length limit still holds).
* Checked, because nothing sensible can be done otherwise: TPKT version 3; TPKT length from 7
  (RFC 1006's minimum) to ``max_length`` (default 4 + 8192, the largest class 0 TPDU the
  listener negotiates); LI neither 0 nor 255 (reserved) and inside the TPKT; a fixed part long
  enough for the TPDU code; class 0 in a CR or CC; parameters inside the header; a TPDU size
  parameter of one octet with a value 7..13 (128..8192 octets); a class 0 DT (LI 2). A code of
  another class (ED, EA, AK, RJ) or no code at all is an error.
* Exact in what is sent: TPKT reserved byte 0; CR/CC parameters in the order of the CC that KB
  Q151626 shows (calling TSAP 0xC1, called TSAP 0xC2, TPDU size 0xC0); class 0 DT with LI 2
  and the EOT bit on the last DT of a TSDU only; DR with LI 6 and no variable part.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..text._plural import plural

TPKT_VERSION = 3
TPKT_HEADER = 4
#: RFC 1006: "the minimum length of a TPKT is 7 octets".
MIN_TPKT_LENGTH = 7
#: Class 0 TPDU sizes the parameter 0xC0 can name: 2**7 .. 2**13 octets.
MIN_TPDU_SIZE = 128
MAX_TPDU_SIZE = 8192
#: The default TPDU size when a CR carries no 0xC0 parameter (ISO 8073).
DEFAULT_TPDU_SIZE = 128
#: The longest TPKT accepted by default: a TPDU of the largest size plus the TPKT header.
DEFAULT_MAX_LENGTH = TPKT_HEADER + MAX_TPDU_SIZE
#: LI values: 255 is reserved by ISO 8073, so a header is at most 254 octets after the LI.
MAX_LI = 254

PARAM_TPDU_SIZE = 0xC0
PARAM_CALLING_TSAP = 0xC1
PARAM_CALLED_TSAP = 0xC2

#: Class 0 DR reasons (ISO 8073; the domain notes): the listener sends CONGESTION when the MTA
#: has no free control block (9156).
DR_NOT_SPECIFIED = 0
DR_CONGESTION = 1
DR_NOT_ATTACHED = 2
DR_ADDRESS_UNKNOWN = 3
DR_REASONS = {
    DR_NOT_SPECIFIED: "reason not specified",
    DR_CONGESTION: "congestion at TSAP",
    DR_NOT_ATTACHED: "session entity not attached to TSAP",
    DR_ADDRESS_UNKNOWN: "address unknown",
}


class Code(enum.IntEnum):
    """TPDU codes (the high nibble of the second header octet)."""

    ED = 0x1
    EA = 0x2
    RJ = 0x5
    AK = 0x6
    ER = 0x7
    DR = 0x8
    DC = 0xC
    CC = 0xD
    CR = 0xE
    DT = 0xF


#: Codes of classes 1-4 only: never valid on an RFC 1006 (class 0) connection.
_OTHER_CLASSES = {Code.ED, Code.EA, Code.RJ, Code.AK}
#: Shortest fixed part (LI value) of each class 0 TPDU.
_MIN_LI = {Code.CR: 6, Code.CC: 6, Code.DR: 6, Code.DC: 5, Code.ER: 4, Code.DT: 2}


class FrameError(Exception):
    """The bytes are not RFC 1006 / class 0: ``offset`` is the stream offset of the fault."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(f"{message} (at byte offset {offset})")
        self.offset = offset
        self.message = message
        #: whole TPDUs decoded, before the fault, by the ``feed`` call that raised
        self.tpdus: tuple[Tpdu, ...] = ()


@dataclass(frozen=True, slots=True)
class ConnectionRequest:
    """CR: a peer asks for a transport connection. ``tpdu_size`` in octets (None: absent)."""

    offset: int
    src_ref: int
    dst_ref: int = 0
    class_option: int = 0
    calling_tsap: bytes | None = None
    called_tsap: bytes | None = None
    tpdu_size: int | None = None
    skipped: tuple[int, ...] = ()  # codes of unknown parameters, in order

    name = "CR"


@dataclass(frozen=True, slots=True)
class ConnectionConfirm:
    """CC: the responder accepts; the MTA sends it when its OK response is ready."""

    offset: int
    dst_ref: int
    src_ref: int
    class_option: int = 0
    calling_tsap: bytes | None = None
    called_tsap: bytes | None = None
    tpdu_size: int | None = None
    skipped: tuple[int, ...] = ()

    name = "CC"


@dataclass(frozen=True, slots=True)
class DisconnectRequest:
    """DR: in class 0, the refusal of a CR."""

    offset: int
    dst_ref: int
    src_ref: int
    reason: int

    name = "DR"


@dataclass(frozen=True, slots=True)
class DisconnectConfirm:
    """DC (classes 1-4 answer a DR with it; decoded so that it can be refused by name)."""

    offset: int
    dst_ref: int
    src_ref: int

    name = "DC"


@dataclass(frozen=True, slots=True)
class Data:
    """DT: one segment of a TSDU; ``eot`` marks the last one."""

    offset: int
    eot: bool
    data: bytes

    name = "DT"


@dataclass(frozen=True, slots=True)
class ErrorTpdu:
    """ER: the other side rejected a TPDU."""

    offset: int
    dst_ref: int
    cause: int

    name = "ER"


Tpdu = (
    ConnectionRequest | ConnectionConfirm | DisconnectRequest | DisconnectConfirm | Data | ErrorTpdu
)


def parse_tpdu(tpdu: bytes, base: int = 0) -> Tpdu:
    """Decode one TPDU (the bytes after a TPKT header); ``base`` is its stream offset."""
    li = tpdu[0]
    if li in {0, 255}:
        raise FrameError(base, f"length indicator {li} is {'reserved' if li else 'empty'}")
    if li + 1 > len(tpdu):
        raise FrameError(
            base,
            f"length indicator {li} is inconsistent with the TPKT length: the header would need "
            f"{plural(li + 1, 'octet')}, the TPKT carries {len(tpdu)}",
        )
    raw = tpdu[1]
    nibble = raw >> 4
    try:
        code = Code(nibble)
    except ValueError:
        raise FrameError(base + 1, f"unknown TPDU code 0x{raw:02X}") from None
    if code in _OTHER_CLASSES:
        raise FrameError(base + 1, f"TPDU code 0x{raw:02X} ({code.name}) is not used in class 0")
    if li < _MIN_LI[code]:
        raise FrameError(
            base,
            f"{code.name} header too short: length indicator {li}, at least {_MIN_LI[code]} needed",
        )
    if code is Code.DT:
        if li != 2:
            raise FrameError(base, f"DT length indicator {li}: a class 0 DT header has LI 2")
        return Data(base, bool(tpdu[2] & 0x80), tpdu[3:])
    dst_ref = (tpdu[2] << 8) | tpdu[3]
    if code is Code.ER:
        _params(tpdu, 5, li, base)
        return ErrorTpdu(base, dst_ref, tpdu[4])
    src_ref = (tpdu[4] << 8) | tpdu[5]
    if code is Code.DC:
        _params(tpdu, 6, li, base)
        return DisconnectConfirm(base, dst_ref, src_ref)
    if code is Code.DR:
        _params(tpdu, 7, li, base)
        return DisconnectRequest(base, dst_ref, src_ref, tpdu[6])
    class_option = tpdu[6]
    if class_option >> 4 != 0:
        raise FrameError(
            base + 6,
            f"{code.name} asks for class {class_option >> 4}: RFC 1006 carries class 0 only",
        )
    calling: bytes | None = None
    called: bytes | None = None
    size: int | None = None
    skipped: list[int] = []
    for at, pcode, value in _params(tpdu, 7, li, base):
        if pcode == PARAM_TPDU_SIZE:
            if len(value) != 1:
                raise FrameError(
                    at, f"TPDU size parameter of {plural(len(value), 'octet')} (1 expected)"
                )
            if not 7 <= value[0] <= 13:
                raise FrameError(
                    at + 2, f"TPDU size code 0x{value[0]:02X} is outside 0x07..0x0D (128..8192)"
                )
            size = 1 << value[0]
        elif pcode == PARAM_CALLING_TSAP:
            calling = value
        elif pcode == PARAM_CALLED_TSAP:
            called = value
        else:
            skipped.append(pcode)
    if code is Code.CR:
        return ConnectionRequest(
            base, src_ref, dst_ref, class_option, calling, called, size, tuple(skipped)
        )
    return ConnectionConfirm(
        base, dst_ref, src_ref, class_option, calling, called, size, tuple(skipped)
    )


def _params(tpdu: bytes, start: int, li: int, base: int) -> list[tuple[int, int, bytes]]:
    """The variable part: (stream offset, code, value) of each parameter; checks bounds."""
    end = li + 1
    pos = start
    found: list[tuple[int, int, bytes]] = []
    while pos < end:
        if pos + 2 > end:
            raise FrameError(
                base + pos, f"parameter 0x{tpdu[pos]:02X} has no length octet inside the header"
            )
        length = tpdu[pos + 1]
        if pos + 2 + length > end:
            raise FrameError(
                base + pos,
                f"parameter 0x{tpdu[pos]:02X} of {plural(length, 'octet')} overruns the header "
                f"({end - pos - 2} left)",
            )
        found.append((base + pos, tpdu[pos], tpdu[pos + 2 : pos + 2 + length]))
        pos += 2 + length
    return found


# -- encoders ----------------------------------------------------------------------------------
def tpkt(tpdu: bytes) -> bytes:
    """Wrap a TPDU in a TPKT header (version 3, reserved 0)."""
    length = TPKT_HEADER + len(tpdu)
    if length > 0xFFFF:
        raise ValueError(f"a TPKT holds at most 65531 octets of TPDU, got {len(tpdu)}")
    return bytes((TPKT_VERSION, 0, length >> 8, length & 0xFF)) + tpdu


def size_code(size: int) -> int:
    """The 0xC0 parameter value of a TPDU size (128 -> 7 ... 8192 -> 13)."""
    if size not in {1 << n for n in range(7, 14)}:
        raise ValueError(f"TPDU size must be a power of two from 128 to 8192, got {size}")
    return size.bit_length() - 1


def _ref(value: int, what: str) -> bytes:
    if not 0 <= value <= 0xFFFF:
        raise ValueError(f"{what} must be 0..65535, got {value}")
    return bytes((value >> 8, value & 0xFF))


def _connect(
    code: int,
    dst_ref: int,
    src_ref: int,
    *,
    calling: bytes | None,
    called: bytes | None,
    tpdu_size: int | None,
) -> bytes:
    variable = b""
    for pcode, value in ((PARAM_CALLING_TSAP, calling), (PARAM_CALLED_TSAP, called)):
        if value is not None:
            variable += bytes((pcode, len(value))) + value
    if tpdu_size is not None:
        variable += bytes((PARAM_TPDU_SIZE, 1, size_code(tpdu_size)))
    header = bytes((code,)) + _ref(dst_ref, "DST-REF") + _ref(src_ref, "SRC-REF") + b"\x00"
    header += variable
    if len(header) > MAX_LI:
        raise ValueError(
            f"the TSAPs make the header {plural(len(header), 'octet')} long (254 at most)"
        )
    return tpkt(bytes((len(header),)) + header)


def encode_cr(
    src_ref: int,
    calling: bytes | None = None,
    called: bytes | None = None,
    tpdu_size: int | None = None,
) -> bytes:
    """A class 0 CR: ``03 00 LL LL | LI E0 00 00 SR SR 00 | C1 .. C2 .. C0 01 ss``."""
    return _connect(0xE0, 0, src_ref, calling=calling, called=called, tpdu_size=tpdu_size)


def encode_cc(
    dst_ref: int,
    src_ref: int,
    calling: bytes | None = None,
    called: bytes | None = None,
    tpdu_size: int | None = None,
) -> bytes:
    """A class 0 CC: ``03 00 LL LL | LI D0 DR DR SR SR 00 | C1 .. C2 .. C0 01 ss``."""
    return _connect(0xD0, dst_ref, src_ref, calling=calling, called=called, tpdu_size=tpdu_size)


def encode_dr(dst_ref: int, src_ref: int, reason: int) -> bytes:
    """A class 0 DR refusing a CR: ``03 00 00 0B 06 80 DR DR SR SR rr``."""
    if not 0 <= reason <= 0xFF:
        raise ValueError(f"reason must be one octet, got {reason}")
    return tpkt(
        b"\x06\x80" + _ref(dst_ref, "DST-REF") + _ref(src_ref, "SRC-REF") + bytes((reason,))
    )


def encode_dt(data: bytes, eot: bool = True) -> bytes:
    """One class 0 DT: ``03 00 LL LL 02 F0 80|00 data``."""
    return tpkt(b"\x02\xf0" + (b"\x80" if eot else b"\x00") + data)


def segment(tsdu: bytes, tpdu_size: int) -> list[bytes]:
    """A TSDU as DT TPKTs of at most ``tpdu_size`` octets of TPDU each (EOT on the last)."""
    room = tpdu_size - 3
    if room < 1:
        raise ValueError(f"TPDU size {tpdu_size} leaves no room for data")
    if not tsdu:
        return [encode_dt(b"")]
    pieces = [tsdu[i : i + room] for i in range(0, len(tsdu), room)]
    return [encode_dt(p, eot=i == len(pieces) - 1) for i, p in enumerate(pieces)]
