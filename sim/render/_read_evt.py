"""The binary event log of NT4 / Windows 2000 (``.evt``), read through ``libevt-python``.

Rules of this module:

* The file is read by the optional extra ``evt`` (from the mtasim checkout:
  ``pip install '.[evt]'``, the ``libevt-python`` package); without it an ``.evt`` is refused
  with a line saying so.
* A record's event id is its low 16 bits: the high bits are the severity, customer and
  facility qualifiers (the ``EVENTLOGRECORD`` layout), masked.
* A record holds insertion strings, not the description. **[inferred]** (their order for 4258
  and 4283 is not documented): the strings are the fields the catalog's Event Viewer
  description names, in the order it names them (4258: control block, LPI, message type;
  4283: LPI, error code; 9156: network type, configured count); strings after those are, when
  there are three more, the task header (name, instance, proc). An event with fewer strings is
  skipped with a warning naming its record.
* Times: an ``.evt`` holds UTC (seconds since 1970); the MTA's EV0 prints local time. The
  time is shown in ``tz`` (an IANA zone name such as ``Europe/Berlin``, ``--tz``), UTC unless
  told.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..core import SOURCE, EventSpec, TaskHeader
from ..text._input import quote
from ._fields import ParseError, is_number, read_fields
from ._records import Fields, Options, Raw, Skip

#: The file header's size and signature, the first 8 bytes of every ``.evt``.
MAGIC = b"\x30\x00\x00\x00LfLe"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def zone(name: str | None) -> Any:
    """The time zone ``--tz`` names (UTC without one)."""
    if name is None:
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError(
            f"--tz: unknown time zone {quote(name, 60)} (expected a name like 'Europe/Berlin')"
        ) from None


def evt_records(handle: Any, name: str, options: Options) -> Iterator[Raw | Skip]:
    try:
        import pyevt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ParseError(
            "reading an .evt file needs the evt extra (the libevt-python package); from "
            "the mtasim checkout: pip install '.[evt]'"
        ) from None
    tz = zone(options.tz)
    log = pyevt.file()
    try:
        log.open_file_object(handle)
    except (OSError, RuntimeError, ValueError) as exc:
        raise ParseError(f"not a readable .evt event log ({_short(exc)})") from None
    try:
        count = log.get_number_of_records()
        for index in range(count):
            where = f"record {index + 1}"
            try:
                record = log.get_record(index)
                raw = _raw(record, where, tz)
            except (OSError, RuntimeError, ValueError, OverflowError) as exc:
                yield Skip(where, f"cannot be read ({_short(exc)})")
                continue
            yield raw
        if count == 0 and log.is_corrupted():
            raise ParseError("a damaged .evt event log: no record can be read")
    finally:
        log.close()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return quote(text[-1] if text else type(exc).__name__, 120)


def _raw(record: Any, where: str, tz: Any) -> Raw:
    event_id = record.get_event_identifier() & 0xFFFF
    source = record.get_source_name() or ""
    seconds = record.get_creation_time_as_integer()
    stamp = datetime.fromtimestamp(seconds, tz).replace(tzinfo=None)
    strings = [record.get_string(i) or "" for i in range(record.get_number_of_strings())]
    computer = record.get_computer_name() or None
    text = "\t".join(strings)

    def read(spec: EventSpec) -> Fields:
        names = _PLACEHOLDER.findall(spec.description)
        if len(strings) < len(names):
            raise ParseError(
                f"{where}: event {event_id} holds {len(strings)} insertion strings, "
                f"expected {len(names)} ({', '.join(names)})"
            )
        try:
            values = read_fields(dict(zip(names, strings, strict=False)), 0)
        except ParseError as exc:
            raise ParseError(f"{where}: {str(exc).removeprefix('line 0: ')}") from None
        rest = strings[len(names) :]
        header = None
        if len(rest) >= 3 and is_number(rest[1]) and is_number(rest[2]):
            header = TaskHeader(rest[0], int(rest[1]), int(rest[2]))
        return values, header

    return Raw(where, event_id, source or SOURCE, stamp, text, computer, read)
