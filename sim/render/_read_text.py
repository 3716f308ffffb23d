"""The text forms of a real log, read line by line into :class:`~sim.render._records.Raw` pieces.

Rules of this module:

* EV0 (``mtadata\\EV0.LOG``): a block starts at ``message ...``; the task header and the
  timestamp are the first line after the title; the title and field lines are read by the
  catalog's templates. Text before the first block is passed over.
* Event Viewer copies (Windows 2000 / XP "Copy"): a record starts at ``Event Type:``; the
  description is every line after ``Description:`` up to an empty line, a ``Data:`` line or the
  line "For more information, see Help and Support Center..."; wrapped lines are joined and
  read with any run of white space matching any other (``_forms.loose_pattern``). The trailer
  ``[POP4 POP4 UP 3 112] (14)`` gives the task header.
* Event Viewer "Save As" exports (NT4 / Windows 2000, comma- or tab-delimited): one event a
  line, the fields date, time, source, type, category, event, user, computer, description
  (read by :mod:`csv`, a description holding the delimiter kept whole). Dates in the
  exporting machine's order (``date_order``: M/D/Y unless told), two- or four-digit years
  (70-99 are 19xx, 00-69 are 20xx); times on a 12- or 24-hour clock.
* A block holds at most :data:`BLOCK_LINES` lines: more (a file of one endless event) are
  passed over.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..core import SOURCE, Event, EventSpec, TaskHeader
from ..text._input import clip, quote
from ._fields import ParseError, is_number, read_fields, read_number
from ._forms import loose_pattern, pattern
from ._records import Fields, Opaque, Options, Raw, Skip

BLOCK_LINES = 200
FORMS = ("ev0", "eventviewer", "csv", "tab")

_EV0_TITLE = re.compile(r"^message ([A-Z]*)([0-9]+): ([A-Za-z0-9./ ]+), severity ([0-9]+)$")
_EV0_HEADER = re.compile(r"^\((.+)\(([0-9]+)\) Proc ([0-9]+)\) (.*)$")
_EV0_STAMP = re.compile(
    r"([0-9]{2})-([0-9]{2})-([0-9]{2}) ([0-9]{1,2}):([0-9]{2}):([0-9]{2}) ?([ap]m)", re.I
)
_TRAILER = re.compile(r"\s+\[(.+) ([0-9]+) ([0-9]+)\]\s+\(([0-9]+)\)\s*$")
_DATE = re.compile(r"^([0-9]{1,4})[/.-]([0-9]{1,2})[/.-]([0-9]{1,4})$")
_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*([AaPp]\.?[Mm]\.?)?$")
_DESCRIPTION_END = ("For more information", "Data:")


def detect_line(line: str) -> str | None:
    """The form a line shows, or ``None`` (text before the first event)."""
    stripped = line.strip()
    if stripped.startswith("{"):
        return "jsonl"
    if line.startswith("message "):
        return "ev0"
    if stripped.startswith("Event Type:"):
        return "eventviewer"
    for form, delimiter in (("tab", "\t"), ("csv", ",")):
        fields = _split(stripped, delimiter)
        if fields is not None and len(fields) >= 9 and is_number(fields[5].strip()):
            return form
    return None


def records(
    form: str, lines: Iterator[tuple[int, str]], options: Options
) -> Iterator[Raw | Skip | Event | Opaque]:
    """The pieces of a log in ``form`` (``jsonl`` is read by ``_read_jsonl``)."""
    if form == "ev0":
        return (_ev0(block) for block in _blocks(lines, lambda s: s.startswith("message ")))
    if form == "eventviewer":
        return (
            _viewer(block, options)
            for block in _blocks(lines, lambda s: s.startswith("Event Type:"))
        )
    if form in ("csv", "tab"):
        return _exports(lines, "\t" if form == "tab" else ",", options)
    raise ValueError(f"not a text form: {form!r}")


def _blocks(lines: Iterator[tuple[int, str]], starts: Any) -> Iterator[list[tuple[int, str]]]:
    block: list[tuple[int, str]] = []
    for number, line in lines:
        if starts(line.lstrip()):
            if block:
                yield block
            block = [(number, line)]
        elif block and len(block) < BLOCK_LINES:
            block.append((number, line))
    if block:
        yield block


def year(text: str) -> int:
    value = int(text)
    if len(text) > 2:
        return value
    return 1900 + value if value >= 70 else 2000 + value


def stamp_of(date: str, clock: str, options: Options, where: str) -> datetime:
    """A date and a time as Event Viewer printed them (``date_order``)."""
    found = _DATE.match(date.strip())
    time = _TIME.match(clock.strip())
    if found is None or time is None:
        raise ParseError(
            f"{where}: bad date or time: {quote(date.strip(), 40)} {quote(clock.strip(), 40)}"
        )
    parts = dict(zip(options.date_order, found.groups(), strict=True))
    hour = int(time.group(1))
    if time.group(4):
        hour = hour % 12 + (12 if time.group(4)[0] in "Pp" else 0)
    try:
        return datetime(
            year(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            hour,
            int(time.group(2)),
            int(time.group(3) or 0),
        )
    except ValueError as exc:
        raise ParseError(
            f"{where}: bad date {quote(date.strip(), 40)} ({exc}; dates read as "
            f"{'/'.join(options.date_order.upper())}, see --date-order)"
        ) from None


# -- EV0 ------------------------------------------------------------------------------------
def _ev0(block: list[tuple[int, str]]) -> Raw | Skip:
    start, first = block[0]
    where = f"line {start}"
    title = _EV0_TITLE.match(first.strip())
    if title is None:
        return Skip(where, f"not an EV0 event title: {quote(first.strip())}")
    try:
        event_id = read_number(title.group(2), start)
    except ParseError as exc:
        return Skip(where, str(exc).removeprefix(f"{where}: "))
    rest = [(n, line.strip()) for n, line in block[1:] if line.strip()]
    if not rest:
        return Skip(f"line {start + 2}", "expected the task header line")
    header_line, header_text = rest[0]
    stamp_match = _EV0_STAMP.search(header_text)
    if stamp_match is None:
        return Skip(
            f"line {header_line}", f"expected the task header line, found {quote(header_text)}"
        )
    month, day, _, hour, minute, second = (int(g) for g in stamp_match.groups()[:6])
    hour = hour % 12 + (12 if stamp_match.group(7).lower() == "pm" else 0)
    try:
        stamp = datetime(year(stamp_match.group(3)), month, day, hour, minute, second)
    except ValueError as exc:
        return Skip(f"line {header_line}", f"bad date: {exc}")
    header_match = _EV0_HEADER.match(header_text)
    header = None
    if (
        header_match is not None
        and is_number(header_match.group(2))
        and is_number(header_match.group(3))
    ):
        header = TaskHeader(
            header_match.group(1), int(header_match.group(2)), int(header_match.group(3))
        )
    text = "\n".join(line for _, line in block).rstrip("\n") + "\n"
    body = rest[1:]

    def read(spec: EventSpec) -> Fields:
        values: dict[str, Any] = {}
        for index, template in enumerate((spec.title, *spec.lines)):
            line = (
                body[index][0]
                if index < len(body)
                else (body[-1][0] + 1 if body else header_line + 1)
            )
            found = body[index][1] if index < len(body) else None
            match = pattern(template).fullmatch(found) if found is not None else None
            if match is None:
                prefix = template.split("{", 1)[0].strip()
                seen = quote(found) if found is not None else "the end of the event"
                raise ParseError(f"line {line}: expected {prefix!r}, found {seen}")
            values.update(read_fields(match.groupdict(), line))
        return values, header

    return Raw(where, event_id, SOURCE, stamp, text, None, read)


# -- Event Viewer copies --------------------------------------------------------------------
def _viewer(block: list[tuple[int, str]], options: Options) -> Raw | Skip:
    start = block[0][0]
    where = f"line {start}"
    fields: dict[str, str] = {}
    description: list[str] | None = None
    done = False
    for number, line in block:
        stripped = line.strip()
        if description is not None:
            if done or not stripped or stripped.startswith(_DESCRIPTION_END):
                done = done or bool(description) or stripped.startswith(_DESCRIPTION_END)
                continue
            description.append(stripped)
            continue
        if not stripped:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            return Skip(f"line {number}", f"expected 'Field: value', found {quote(stripped)}")
        key = key.strip()
        if key == "Description":
            description = [value.strip()] if value.strip() else []
        else:
            fields[key] = value.strip()
    fields["Description"] = " ".join(description or [])
    for key in ("Event ID", "Date", "Time"):
        if key not in fields:
            return Skip(where, f"event without {key!r}")
    if description is None:
        return Skip(where, "event without 'Description'")
    raw_id = fields["Event ID"]
    if not is_number(raw_id):
        return Skip(where, f"event {clip(raw_id, 40)} is not one the model knows")
    try:
        stamp = stamp_of(fields["Date"], fields["Time"], options, where)
    except ParseError as exc:
        return Skip(where, str(exc).removeprefix(f"{where}: "))
    text = "\n".join(line for _, line in block).rstrip("\n") + "\n"
    return _described(
        where,
        int(raw_id),
        source=fields.get("Event Source", SOURCE),
        stamp=stamp,
        text=text,
        computer=fields.get("Computer"),
        description=fields["Description"],
    )


def _described(
    where: str,
    event_id: int,
    *,
    source: str,
    stamp: datetime,
    text: str,
    computer: str | None,
    description: str,
) -> Raw:
    """An event known by its description (a copy or an export)."""
    trailer = _TRAILER.search(description)
    header = None
    body = description
    if trailer is not None and is_number(trailer.group(2)) and is_number(trailer.group(3)):
        header = TaskHeader(trailer.group(1), int(trailer.group(2)), int(trailer.group(3)))
        body = description[: trailer.start()]

    def read(spec: EventSpec) -> Fields:
        for template in (spec.description, *spec.description_variants):
            match = loose_pattern(template).fullmatch(body.strip())
            if match is not None:
                return read_fields(match.groupdict(), _line(where)), header
        raise ParseError(
            f"{where}: the description of event {event_id} is not the known text: "
            f"{quote(body.strip(), 120)}"
        )

    return Raw(where, event_id, source.strip(), stamp, text, computer or None, read)


def _line(where: str) -> int:
    return int(where.rsplit(maxsplit=1)[-1])


# -- Event Viewer "Save As" exports ---------------------------------------------------------
def _split(line: str, delimiter: str) -> list[str] | None:
    if line.count(delimiter) < 8:
        return None
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except csv.Error:
        return None


def _exports(
    lines: Iterator[tuple[int, str]], delimiter: str, options: Options
) -> Iterator[Raw | Skip]:
    started = False
    for number, line in lines:
        if not line.strip():
            continue
        where = f"line {number}"
        fields = _split(line.strip(), delimiter)
        if fields is None or len(fields) < 9 or not is_number(fields[5].strip()):
            if started:
                yield Skip(
                    where,
                    f"not an exported event (date, time, source, type, category, "
                    f"event, user, computer, description): {quote(line.strip())}",
                )
            continue
        started = True
        try:
            stamp = stamp_of(fields[0], fields[1], options, where)
        except ParseError as exc:
            yield Skip(where, str(exc).removeprefix(f"{where}: "))
            continue
        computer = fields[7].strip()
        description = delimiter.join(fields[8:])
        yield _described(
            where,
            int(fields[5].strip()),
            source=fields[2],
            stamp=stamp,
            text=line,
            computer=computer,
            description=description,
        )
