"""Reading events back from their text forms: EV0 text log, Event Viewer, JSON Lines.

Rules of this module:

* Each parser is the inverse of its renderer: ``parse_X(render_X(e))`` gives ``e`` back, up to
  what the form does not carry (EV0 and Event Viewer print whole seconds and no virtual time:
  ``t`` is then the timestamp minus ``epoch``, or 0 without an epoch). A property test checks
  it on generated events.
* The texts are the catalog's templates (``sim.core.CATALOG``, ``_forms.pattern``): a parser
  reads what the renderer writes, and neither branches on an event id. 4283's EV0 and Event
  Viewer forms do not print the control block; it is taken from the LPI's third number, the
  model's rule (**[inferred]**, docs/model.md; the catalog's ``derived``).
* Real logs hold events the model does not know (9298, 9301...). ``strict=True`` refuses them
  with a :class:`ParseError` naming the line; ``strict=False`` skips them. Anything malformed
  is a ``ParseError`` with the line number, never another exception.
* Two-digit years: 70-99 are 19xx, 00-69 are 20xx.
* Hostile text is a ``ParseError`` too: numbers follow the rule of ``_fields`` (ASCII digits,
  at most 2**32 - 1), JSON goes through the bounded reader of ``sim.text._input`` (depth, digits,
  ``1e400``) and ``_fields.event_from_json`` (every field type-checked; the reader of a
  trace's event lines too), an epoch must be local time like the timestamps, and a message
  quotes at most about 200 characters of the input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..core import CATALOG, Event, EventId, EventSpec, TaskHeader
from ..text._input import InputError, clip, load_json, quote
from ._fields import (
    KNOWN,
    ParseError,
    event_from_json,
    is_number,
    read_fields,
    read_number,
    task_header,
    with_derived,
)
from ._forms import pattern


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
_EV0_TITLE = re.compile(r"^message ([A-Z]*)([0-9]+): ([A-Za-z0-9./ ]+), severity ([0-9]+)$")
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
        if event_id not in KNOWN:
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
        spec = CATALOG[KNOWN[event_id]]
        at = start + 2
        header_of = task_header(
            spec, header.group(1), _int(header.group(2), at), _int(header.group(3), at)
        )
        events.append(_ev0_body(spec, body, stamp, epoch, start, header=header_of))
    return events


def _int(text: str, line: int) -> int:
    return read_number(text, line)


def _ev0_body(
    spec: EventSpec,
    body: list[str],
    stamp: datetime,
    epoch: datetime | None,
    start: int,
    *,
    header: TaskHeader | None,
) -> Event:
    """The title and field lines of one EV0 event, read by its catalog templates."""
    values: dict[str, Any] = {}
    for index, template in enumerate((spec.title, *spec.lines)):
        line = start + 3 + index
        match = pattern(template).fullmatch(body[index]) if index < len(body) else None
        if match is None:
            prefix = template.split("{", 1)[0].strip()
            seen = quote(body[index]) if index < len(body) else "the end of the event"
            raise ParseError(f"line {line}: expected {prefix!r}, found {seen}")
        values.update(read_fields(match.groupdict(), line))
    return _event(spec.event_id, stamp, epoch, header=header, **with_derived(spec, values))


# -- Event Viewer ---------------------------------------------------------------------------
_TRAILER = r" \[.*\] \([0-9]+\)"
#: The trailer's task header, ``[POP4 POP4 UP 7 228] (14)``.
_TRAILER_TASK = re.compile(r" \[(.+) ([0-9]+) ([0-9]+)\] \([0-9]+\)$")


def _descriptions(spec: EventSpec) -> list[re.Pattern[str]]:
    """The description of an event as the catalog words it (and its variants), then the
    trailer ``[task instance proc] (severity)``."""
    return [
        re.compile(pattern(text).pattern + _TRAILER)
        for text in (spec.description, *spec.description_variants)
    ]


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
    if not is_number(raw_id) or int(raw_id) not in KNOWN:
        if strict:
            raise ParseError(f"line {start}: event {clip(raw_id, 40)} is not one the model knows")
        return None
    event_id = KNOWN[int(raw_id)]
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
    spec = CATALOG[event_id]
    description = fields["Description"]
    match = next((m for p in _descriptions(spec) if (m := p.fullmatch(description))), None)
    if match is None:
        raise ParseError(f"line {start}: the description of event {raw_id} is not the known text")
    values = with_derived(spec, read_fields(match.groupdict(), start))
    task = _TRAILER_TASK.search(description)
    if task is not None:
        values["header"] = task_header(
            spec, task.group(1), _int(task.group(2), start), _int(task.group(3), start)
        )
    return _event(event_id, stamp, epoch, **values)


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
            if isinstance(raw_id, int) and not isinstance(raw_id, bool) and raw_id not in KNOWN:
                continue
        try:
            events.append(event_from_json(obj))
        except ParseError as exc:
            raise ParseError(f"line {number}: {exc}") from None
    return events


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
    "ParseError",
    "detect_format",
    "parse",
    "parse_ev0",
    "parse_eventviewer",
    "parse_jsonl",
]
