"""Reading events back from their text forms: EV0 text log, Event Viewer, JSON Lines.

Rules of this module:

* Each parser is the inverse of its renderer: ``parse_X(render_X(e))`` gives ``e`` back, up to
  what the form does not carry (EV0 and Event Viewer print whole seconds and no virtual time:
  ``t`` is then the timestamp minus ``epoch``, or 0 without an epoch). A property test checks
  it on generated events.
* 4283's EV0 and Event Viewer forms do not print the control block; it is taken from the LPI's
  third number, the model's rule (**[inferred]**, docs/model.md).
* Real logs hold events the model does not know (9298, 9301...). ``strict=True`` refuses them
  with a :class:`ParseError` naming the line; ``strict=False`` skips them. Anything malformed
  is a ``ParseError`` with the line number, never another exception.
* Two-digit years: 70-99 are 19xx, 00-69 are 20xx.
* Hostile text is a ``ParseError`` too: numbers are ASCII digits (not ``²``) and at most
  :data:`MAX_NUMBER` (the MTA's 32-bit fields), JSON goes through the bounded reader of
  ``sim._input`` (depth, digits, ``1e400``), every JSON field is type-checked
  (:func:`event_from_json`, also the reader of a trace's event lines), an epoch must be local
  time like the timestamps, and a message quotes at most about 200 characters of the input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .._input import InputError, clip, load_json, quote
from ..core import Event, EventId, Lpi, MtasimError

_KNOWN = {int(e): e for e in EventId}
#: The largest number an event field or an LPI part holds (the MTA's fields are 32-bit).
MAX_NUMBER = 2**32 - 1
#: The fields each event carries (the others are null).
CARRIES: dict[EventId, tuple[str, ...]] = {
    EventId.NSI_MESSAGE_RECEIVED: ("cb", "lpi", "message_type"),
    EventId.BAD_LPI: ("cb", "lpi", "error_code"),
    EventId.NO_FREE_CONTROL_BLOCKS: ("network", "configured_count"),
}
_NUMBERS = ("cb", "error_code", "network", "configured_count")


class ParseError(MtasimError):
    """Text that is not a well-formed event in the expected form."""


def _check_epoch(epoch: datetime | None) -> None:
    if epoch is not None and epoch.tzinfo is not None:
        raise ParseError(
            f"the epoch {epoch.isoformat()} has a UTC offset; expected a local date-time, "
            "like the timestamps the MTA prints"
        )


def _t(timestamp: datetime, epoch: datetime | None) -> int:
    if epoch is None:
        return 0
    delta = timestamp - epoch
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _year(two: int) -> int:
    return 1900 + two if two >= 70 else 2000 + two


def _event(event_id: EventId, timestamp: datetime, epoch: datetime | None, **fields: Any) -> Event:
    return Event(event_id, _t(timestamp, epoch), timestamp, **fields)


# -- EV0 ------------------------------------------------------------------------------------
_EV0_TITLE = re.compile(r"^message ([A-Z]*)([0-9]+): ([A-Za-z ]+) Event, severity ([0-9]+)$")
_EV0_HEADER = re.compile(
    r"^ +\((.+)\(([0-9]+)\) Proc ([0-9]+)\) ([0-9]{2})-([0-9]{2})-([0-9]{2}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2})([ap]m)$"
)


def _ev0_blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    start: int | None = None
    block: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("message "):
            if start is not None:
                yield start, block
            start, block = number, [line]
        elif start is not None:
            block.append(line)
        elif line.strip():
            raise ParseError(f"line {number}: expected 'message ...', found {quote(line.strip())}")
    if start is not None:
        yield start, block


def parse_ev0(text: str, epoch: datetime | None = None, *, strict: bool = True) -> list[Event]:
    """Events from EV0.LOG text."""
    _check_epoch(epoch)
    events: list[Event] = []
    for start, block in _ev0_blocks(text):
        title = _EV0_TITLE.match(block[0])
        if title is None:
            raise ParseError(f"line {start}: not an EV0 event title: {quote(block[0])}")
        event_id = _int(title.group(2), start)
        if event_id not in _KNOWN:
            if strict:
                raise ParseError(f"line {start}: event {event_id} is not one the model knows")
            continue
        lines = [line.strip() for line in block[1:] if line.strip()]
        header = _EV0_HEADER.match(block[2]) if len(block) > 2 else None
        if header is None or not lines:
            raise ParseError(f"line {start + 2}: expected the task header line")
        month, day, year, hour, minute, second = (int(header.group(i)) for i in range(4, 10))
        hour = hour % 12 + (12 if header.group(10) == "pm" else 0)
        try:
            stamp = datetime(_year(year), month, day, hour, minute, second)
        except ValueError as exc:
            raise ParseError(f"line {start + 2}: bad date: {exc}") from None
        body = lines[1:]
        events.append(_ev0_body(_KNOWN[event_id], body, stamp, epoch, start))
    return events


def _field(body: list[str], index: int, prefix: str, start: int) -> str:
    if index >= len(body) or not body[index].startswith(prefix):
        found = quote(body[index]) if index < len(body) else "the end of the event"
        raise ParseError(f"line {start + 3 + index}: expected {prefix!r}, found {found}")
    return body[index][len(prefix) :].strip()


def _lpi(text: str, line: int | None) -> Lpi:
    where = "" if line is None else f"line {line}: "
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(_is_number(part) for part in parts):
        raise ParseError(f"{where}not an LPI (expected N-N-N, like 1-15-12): {quote(text)}")
    return Lpi.parse(text)


def _is_number(text: str) -> bool:
    """ASCII digits (not ``²``, not ``١``) of a value from 0 to :data:`MAX_NUMBER`."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_NUMBER


def _int(text: str, line: int) -> int:
    if not _is_number(text):
        raise ParseError(
            f"line {line}: expected a number from 0 to {MAX_NUMBER}, found {quote(text)}"
        )
    return int(text)


def _ev0_body(
    event_id: EventId, body: list[str], stamp: datetime, epoch: datetime | None, start: int
) -> Event:
    if event_id is EventId.NSI_MESSAGE_RECEIVED:
        _field(body, 0, "Message received at NSI:", start)
        cb = _int(_field(body, 1, "cb", start), start + 4)
        lpi = _lpi(_field(body, 2, "LPI", start), start + 5)
        kind = _field(body, 3, "Message type", start)
        return _event(event_id, stamp, epoch, cb=cb, lpi=lpi, message_type=kind)
    if event_id is EventId.BAD_LPI:
        _field(body, 0, "Bad LPIs in message", start)
        lpi = _lpi(_field(body, 1, "Bad LPI", start), start + 4)
        code = _int(_field(body, 2, "Error code =", start), start + 5)
        return _event(event_id, stamp, epoch, cb=lpi.cb, lpi=lpi, error_code=code)
    _field(body, 0, "No free control blocks", start)
    network = _int(_field(body, 1, "Network type", start), start + 4)
    count = _int(_field(body, 2, "Configured count", start), start + 5)
    return _event(event_id, stamp, epoch, network=network, configured_count=count)


# -- Event Viewer ---------------------------------------------------------------------------
_EV_DESCRIPTIONS = {
    EventId.NSI_MESSAGE_RECEIVED: re.compile(
        r"^A message was received at the network services interface\. Control block index = "
        r"([0-9]+)  Internal Connection Handle \(LPI\) = (\S+)  Message type = (.+?) "
        r"\[.*\] \([0-9]+\)$"
    ),
    EventId.BAD_LPI: re.compile(
        r"^Unable to recognize an internal message identifier\. Internal connection handle "
        r"\(LPI\) (\S+) Error code: ([0-9]+) \[.*\] \([0-9]+\)$"
    ),
    EventId.NO_FREE_CONTROL_BLOCKS: re.compile(
        r"^A resource limit has been reached while attempting to open an association\. There "
        r"(?:are|is) no free control blocks available for network type ([0-9]+)\. The "
        r"configured count is ([0-9]+)\. \[.*\] \([0-9]+\)$"
    ),
}
_EV_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_EV_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2}):([0-9]{2}) (AM|PM)$")


def parse_eventviewer(
    text: str, epoch: datetime | None = None, *, strict: bool = True
) -> list[Event]:
    """Events from Event Viewer's copied properties (blocks separated by empty lines)."""
    _check_epoch(epoch)
    events: list[Event] = []
    fields: dict[str, str] = {}
    start = 0
    description_next = False

    def finish() -> None:
        if fields:
            event = _eventviewer_event(fields, epoch, start, strict)
            if event is not None:
                events.append(event)
            fields.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        if description_next:
            fields["Description"] = line.strip()
            description_next = False
            continue
        if not line.strip():
            finish()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ParseError(f"line {number}: expected 'Field: value', found {quote(line.strip())}")
        if not fields:
            start = number
        if key == "Description":
            description_next = not value.strip()
            if value.strip():
                fields["Description"] = value.strip()
            continue
        fields[key.strip()] = value.strip()
    finish()
    return events


def _eventviewer_event(
    fields: dict[str, str], epoch: datetime | None, start: int, strict: bool
) -> Event | None:
    for key in ("Event ID", "Date", "Time", "Description"):
        if key not in fields:
            raise ParseError(f"line {start}: event without {key!r}")
    raw_id = fields["Event ID"]
    if not _is_number(raw_id) or int(raw_id) not in _KNOWN:
        if strict:
            raise ParseError(f"line {start}: event {clip(raw_id, 40)} is not one the model knows")
        return None
    event_id = _KNOWN[int(raw_id)]
    date = _EV_DATE.match(fields["Date"])
    clock = _EV_TIME.match(fields["Time"])
    if date is None or clock is None:
        raise ParseError(
            f"line {start}: bad Date or Time: {quote(fields['Date'])} {quote(fields['Time'])}"
        )
    hour = int(clock.group(1)) % 12 + (12 if clock.group(4) == "PM" else 0)
    try:
        stamp = datetime(
            int(date.group(3)),
            int(date.group(1)),
            int(date.group(2)),
            hour,
            int(clock.group(2)),
            int(clock.group(3)),
        )
    except ValueError as exc:
        raise ParseError(f"line {start}: bad date: {exc}") from None
    match = _EV_DESCRIPTIONS[event_id].match(fields["Description"])
    if match is None:
        raise ParseError(f"line {start}: the description of event {raw_id} is not the known text")
    if event_id is EventId.NSI_MESSAGE_RECEIVED:
        lpi = _lpi(match.group(2), start)
        cb = _int(match.group(1), start)
        return _event(event_id, stamp, epoch, cb=cb, lpi=lpi, message_type=match.group(3))
    if event_id is EventId.BAD_LPI:
        lpi = _lpi(match.group(1), start)
        code = _int(match.group(2), start)
        return _event(event_id, stamp, epoch, cb=lpi.cb, lpi=lpi, error_code=code)
    network, count = _int(match.group(1), start), _int(match.group(2), start)
    return _event(event_id, stamp, epoch, network=network, configured_count=count)


# -- JSON Lines -----------------------------------------------------------------------------
def parse_jsonl(text: str, *, strict: bool = True) -> list[Event]:
    """Events from ``--format jsonl`` lines (exact: ``t`` and microseconds are kept)."""
    events: list[Event] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = load_json(line)
        except InputError as exc:
            raise ParseError(f"line {number}: {exc}") from None
        if isinstance(obj, dict) and not strict:
            raw_id = obj.get("event_id")
            if isinstance(raw_id, int) and not isinstance(raw_id, bool) and raw_id not in _KNOWN:
                continue
        try:
            events.append(event_from_json(obj))
        except ParseError as exc:
            raise ParseError(f"line {number}: {exc}") from None
    return events


def event_from_json(obj: Any, t: int | None = None) -> Event:
    """An event from its JSON Lines fields (``--format jsonl``, a trace's event lines), every
    field it needs checked. ``t``: its virtual time in µs when the caller has it exactly (a
    trace's ``us``); otherwise ``t`` seconds are read. Raises :class:`ParseError` naming the
    field (without a line number: the caller adds it)."""
    if not isinstance(obj, dict):
        raise ParseError(f"not an event in JSON Lines form: found {quote(obj, 40)}")
    raw_id = _json_field(obj, "event_id", "an event id", _is_int)
    if raw_id not in _KNOWN:
        raise ParseError(f"event {raw_id} is not one the model knows")
    event_id = _KNOWN[raw_id]
    if t is None:
        seconds = _json_field(obj, "t", "a number of seconds", _is_real)
        t = round(seconds * 1_000_000)
    stamp_text = _json_field(obj, "timestamp", "an ISO 8601 local date-time", _is_short_str)
    try:
        stamp = datetime.fromisoformat(stamp_text)
    except ValueError:
        raise ParseError(
            f"field 'timestamp': found {quote(stamp_text)}; expected an ISO 8601 date-time"
        ) from None
    if stamp.tzinfo is not None:
        raise ParseError(
            f"field 'timestamp': found {quote(stamp_text)}; expected a local date-time "
            "without a UTC offset (the MTA prints local time)"
        )
    values: dict[str, Any] = {}
    carried = CARRIES[event_id]
    for key in ("cb", "lpi", "message_type", *_NUMBERS[1:]):
        if key not in carried and obj.get(key) is None:
            values[key] = None
            continue
        if key == "lpi":
            text = _json_field(obj, key, "an LPI like '1-15-12'", _is_short_str)
            values[key] = _lpi(text, None)
        elif key == "message_type":
            values[key] = _json_field(obj, key, "a message type", lambda v: isinstance(v, str))
        else:
            values[key] = _json_field(obj, key, f"an integer from 0 to {MAX_NUMBER}", _is_int)
    return Event(event_id, t, stamp, **values)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_NUMBER


def _is_real(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) < 1e15
    )


def _is_short_str(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 64


def _json_field(obj: dict[str, Any], key: str, expected: str, valid: Any) -> Any:
    if key not in obj:
        raise ParseError(f"field {key!r}: missing; expected {expected}")
    value = obj[key]
    if not valid(value):
        raise ParseError(f"field {key!r}: found {quote(value, 40)}; expected {expected}")
    return value


def detect_format(text: str) -> str:
    """``ev0``, ``eventviewer`` or ``jsonl``, from the first non-empty line."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("{"):
            return "jsonl"
        if stripped.startswith("message "):
            return "ev0"
        if stripped.startswith("Event Type:"):
            return "eventviewer"
        raise ParseError(f"cannot tell the format from the first line: {quote(stripped, 60)}")
    return "ev0"


def parse(
    text: str, fmt: str = "auto", epoch: datetime | None = None, *, strict: bool = True
) -> list[Event]:
    """Parse text in a given form (``auto`` detects it)."""
    _check_epoch(epoch)
    if fmt == "auto":
        fmt = detect_format(text)
    if fmt == "ev0":
        return parse_ev0(text, epoch, strict=strict)
    if fmt == "eventviewer":
        return parse_eventviewer(text, epoch, strict=strict)
    if fmt == "jsonl":
        return parse_jsonl(text, strict=strict)
    raise ValueError(f"unknown format {quote(fmt, 40)}")


__all__ = [
    "CARRIES",
    "MAX_NUMBER",
    "ParseError",
    "detect_format",
    "event_from_json",
    "parse",
    "parse_ev0",
    "parse_eventviewer",
    "parse_jsonl",
]
