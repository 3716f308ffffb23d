"""Writing ``.evt`` files for tests, from the documented layout (``ELF_LOGFILE_HEADER``,
``EVENTLOGRECORD``, ``ELF_EOF_RECORD``, all little-endian; strings UTF-16LE, NUL-ended).
No ``.evt`` file is downloaded: every fixture is made here."""

from __future__ import annotations

import struct
from dataclasses import dataclass

SIGNATURE = 0x654C664C  # "LfLe"
HEADER_SIZE = 0x30
EOF_SIZE = 0x28


@dataclass(frozen=True)
class Record:
    event_id: int  # the full 32-bit id: qualifier bits included
    time: int  # seconds since 1970, UTC
    strings: tuple[str, ...]
    source: str = "MSExchangeMTA"
    computer: str = "MAILSRV02"
    event_type: int = 2  # EVENTLOG_WARNING_TYPE
    category: int = 1


def _utf16z(text: str) -> bytes:
    return text.encode("utf-16-le") + b"\0\0"


def record_bytes(number: int, record: Record) -> bytes:
    names = _utf16z(record.source) + _utf16z(record.computer)
    strings = b"".join(_utf16z(s) for s in record.strings)
    fixed = 56
    string_offset = fixed + len(names)
    data_offset = string_offset + len(strings)
    body_end = data_offset
    pad = (-(body_end + 4)) % 4
    length = body_end + pad + 4
    head = struct.pack(
        "<IIIIIIHHHHIIIIII",
        length,
        SIGNATURE,
        number,
        record.time,
        record.time,
        record.event_id,
        record.event_type,
        len(record.strings),
        record.category,
        0,
        0,
        string_offset,
        0,
        0,
        0,
        data_offset,
    )
    return head + names + strings + b"\0" * pad + struct.pack("<I", length)


def evt_bytes(records: list[Record]) -> bytes:
    body = b"".join(record_bytes(i + 1, r) for i, r in enumerate(records))
    end = HEADER_SIZE + len(body)
    current = len(records) + 1
    eof = struct.pack(
        "<IIIIIIIIII",
        EOF_SIZE, 0x11111111, 0x22222222, 0x33333333, 0x44444444,
        HEADER_SIZE, end, current, 1, EOF_SIZE,
    )  # fmt: skip
    size = end + len(eof)
    header = struct.pack(
        "<IIIIIIIIIIII",
        HEADER_SIZE, SIGNATURE, 1, 1, HEADER_SIZE, end, current, 1, size, 0, 0, HEADER_SIZE,
    )  # fmt: skip
    return header + body + eof
