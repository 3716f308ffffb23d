"""RFC 1006 framing: a stream of bytes cut into TPKTs, and DT segments joined into TSDUs.

Rules of this module:

* Pure: no sockets, no clock. :class:`Decoder` is fed bytes as they arrive, in pieces of any
  size, and returns whole TPDUs (``_tpdu.parse_tpdu`` on each TPKT's payload).
* :class:`~sim.wire.FrameError` is the only exception the decoder raises, whatever it is fed.
  It carries the whole TPDUs the same ``feed`` decoded before the fault (``tpdus``), so that
  what a stream yields does not depend on how it was split. After an error the decoder is
  broken: every later :meth:`Decoder.feed` raises it.
* Memory is bounded: at most one incomplete TPKT (``max_length``) and one unfinished TSDU
  (``max_tsdu``).
"""

from __future__ import annotations

from ..text._plural import plural
from ._tpdu import (
    DEFAULT_MAX_LENGTH,
    MIN_TPKT_LENGTH,
    TPKT_HEADER,
    TPKT_VERSION,
    Data,
    FrameError,
    Tpdu,
    parse_tpdu,
)


class Decoder:
    """Incremental TPKT/COTP decoder for one direction of one connection.

    Memory is bounded by ``max_length``: at most one incomplete TPKT is kept.
    """

    __slots__ = ("_buf", "_error", "_start", "max_length")

    def __init__(self, max_length: int = DEFAULT_MAX_LENGTH) -> None:
        if not MIN_TPKT_LENGTH <= max_length <= 0xFFFF:
            raise ValueError(f"max_length must be 7..65535, got {max_length}")
        self.max_length = max_length
        self._buf = bytearray()
        self._start = 0  # stream offset of _buf[0]
        self._error: FrameError | None = None

    @property
    def offset(self) -> int:
        """Bytes fed so far."""
        return self._start + len(self._buf)

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete TPKT waiting for the rest."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Tpdu]:
        """Add bytes; return the TPDUs they complete, in order. Raises :class:`FrameError`."""
        if self._error is not None:
            self._error.tpdus = ()
            raise self._error
        self._buf += data
        out: list[Tpdu] = []
        try:
            while True:
                tpdu = self._next()
                if tpdu is None:
                    return out
                out.append(tpdu)
        except FrameError as exc:
            if self._error is None:
                exc.tpdus = tuple(out)
            self._error = exc
            raise

    def _next(self) -> Tpdu | None:
        buf = self._buf
        start = self._start
        if not buf:
            return None
        if buf[0] != TPKT_VERSION:
            raise FrameError(start, f"bad TPKT version {buf[0]} (RFC 1006 is version 3)")
        if len(buf) < TPKT_HEADER:
            return None
        length = (buf[2] << 8) | buf[3]
        if length < MIN_TPKT_LENGTH:
            raise FrameError(start + 2, f"TPKT length {length} is below the minimum of 7")
        if length > self.max_length:
            raise FrameError(
                start + 2, f"TPKT length {length} is above the limit of {self.max_length}"
            )
        if len(buf) < length:
            return None
        tpdu = bytes(buf[TPKT_HEADER:length])
        del buf[:length]
        self._start = start + length
        return parse_tpdu(tpdu, start + TPKT_HEADER)


class Reassembler:
    """Joins DT segments into TSDUs (EOT), with a bound on the TSDU size."""

    __slots__ = ("_parts", "_size", "max_tsdu")

    def __init__(self, max_tsdu: int = 65536) -> None:
        self.max_tsdu = max_tsdu
        self._parts: list[bytes] = []
        self._size = 0

    @property
    def pending(self) -> int:
        """Octets of an unfinished TSDU."""
        return self._size

    def add(self, dt: Data) -> bytes | None:
        """Add one DT; return the whole TSDU on its EOT segment. Raises :class:`FrameError`."""
        self._size += len(dt.data)
        if self._size > self.max_tsdu:
            raise FrameError(dt.offset, f"TSDU longer than {plural(self.max_tsdu, 'octet')}")
        self._parts.append(dt.data)
        if not dt.eot:
            return None
        tsdu = b"".join(self._parts)
        self._parts.clear()
        self._size = 0
        return tsdu
