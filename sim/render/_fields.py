"""Reading an event's fields from untrusted text: the one home of the rules every parser and
the trace reader share.

Rules of this module:

* A number an event carries (cb, an error code, a network type, a count, a part of an LPI)
  is plain ASCII digits (not ``²``, not ``١``), from 0 to :data:`MAX_NUMBER`: the MTA's fields
  are 32-bit.
* :func:`event_from_json` reads the JSON form (``--format jsonl``, a trace's event lines):
  every field an event carries (its catalog entry's ``fields``) is present with its type, the
  others are null, the timestamp is local time. Problems are :class:`ParseError` naming the
  field (the caller adds the line), quoting at most 40 characters of the value.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from ..core import (
    CATALOG,
    FIELDS,
    Event,
    EventId,
    EventSpec,
    FieldKind,
    Lpi,
    MtasimError,
    TaskHeader,
)
from ..text._input import quote

#: Event ids the model knows, by number.
KNOWN = {int(e): e for e in EventId}
#: The largest number an event field or an LPI part holds (the MTA's fields are 32-bit).
MAX_NUMBER = 2**32 - 1


class ParseError(MtasimError):
    """Text that is not a well-formed event in the expected form."""


def read_lpi(text: str, line: int | None) -> Lpi:
    """An LPI of three numbers (:func:`is_number`); ``line`` is named in the error."""
    where = "" if line is None else f"line {line}: "
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(is_number(part) for part in parts):
        raise ParseError(f"{where}not an LPI (expected N-N-N, like 1-15-12): {quote(text)}")
    return Lpi.parse(text)


def is_number(text: str) -> bool:
    """ASCII digits (not ``²``, not ``١``) of a value from 0 to :data:`MAX_NUMBER`."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_NUMBER


def read_number(text: str, line: int | None) -> int:
    """A number an event carries (:func:`is_number`); ``line`` is named in the error."""
    if not is_number(text):
        where = "" if line is None else f"line {line}: "
        raise ParseError(f"{where}expected a number from 0 to {MAX_NUMBER}, found {quote(text)}")
    return int(text)


def read_fields(found: dict[str, str], line: int) -> dict[str, Any]:
    """The fields a text form printed on one line (named groups of a catalog template, as
    text), read and checked by their kind; ``line`` is named in an error."""
    values: dict[str, Any] = {}
    for name, text in found.items():
        kind = FIELDS[name]
        if kind is FieldKind.NUMBER:
            values[name] = read_number(text, line)
        elif kind is FieldKind.LPI:
            values[name] = read_lpi(text, line)
        else:
            values[name] = text
    return values


def with_derived(spec: EventSpec, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` and the fields the form does not print but that follow from another one
    (the catalog's ``derived``: 4283's control block is its LPI's third number)."""
    for name, source in spec.derived:
        lpi = values.get(source)
        if name not in values and isinstance(lpi, Lpi):
            values[name] = lpi.cb
    return values


def event_from_json(obj: Any, t: int | None = None) -> Event:
    """An event from its JSON Lines fields (``--format jsonl``, a trace's event lines), every
    field it needs checked. ``t``: its virtual time in µs when the caller has it exactly (a
    trace's ``us``); otherwise ``t`` seconds are read. Raises :class:`ParseError` naming the
    field (without a line number: the caller adds it)."""
    if not isinstance(obj, dict):
        raise ParseError(f"not an event in JSON Lines form: found {quote(obj, 40)}")
    raw_id = _json_field(obj, "event_id", "an event id", _is_int)
    if raw_id not in KNOWN:
        raise ParseError(f"event {raw_id} is not one the model knows")
    event_id = KNOWN[raw_id]
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
    carried = CATALOG[event_id].fields
    for key, kind in FIELDS.items():
        if key not in carried and obj.get(key) is None:
            values[key] = None
            continue
        if kind is FieldKind.LPI:
            text = _json_field(obj, key, "an LPI like '1-15-12'", _is_short_str)
            values[key] = read_lpi(text, None)
        elif kind is FieldKind.TEXT:
            values[key] = _json_field(obj, key, "a message type", lambda v: isinstance(v, str))
        else:
            values[key] = _json_field(obj, key, f"an integer from 0 to {MAX_NUMBER}", _is_int)
    header = _json_header(obj, CATALOG[event_id].task)
    computer = obj.get("computer")
    if computer is not None:
        computer = _json_field(obj, "computer", "a computer name", _is_short_str)
    return Event(event_id, t, stamp, **values, header=header, computer=computer)


def task_header(name: str, instance: int, proc: int, usual: TaskHeader) -> TaskHeader | None:
    """The task header a log printed, or ``None`` when it is the catalog's (``usual``)."""
    header = TaskHeader(name, instance, proc)
    return None if header == usual else header


def _json_header(obj: dict[str, Any], usual: TaskHeader) -> TaskHeader | None:
    """``task``, ``instance`` and ``proc`` when a line has them (an older line may not)."""
    if all(obj.get(key) is None for key in ("task", "instance", "proc")):
        return None
    name = _json_field(obj, "task", "a task name like 'POP4 POP4 UP'", _is_short_str)
    instance = _json_field(obj, "instance", f"an integer from 0 to {MAX_NUMBER}", _is_int)
    proc = _json_field(obj, "proc", f"an integer from 0 to {MAX_NUMBER}", _is_int)
    return task_header(name, instance, proc, usual)


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
