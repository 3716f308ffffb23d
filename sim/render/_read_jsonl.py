"""``--format jsonl`` lines read back exactly (``t`` and microseconds kept), for
:class:`~sim.render._read.LogReader`; an event the model does not know stays opaque."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..core import SOURCE, Event
from ..text._input import InputError, load_json, quote
from ._fields import KNOWN, ParseError, event_from_json
from ._records import Opaque, Skip


def jsonl_records(lines: Iterator[tuple[int, str]]) -> Iterator[Event | Opaque | Skip]:
    """Events of ``--format jsonl`` lines (exact: ``t`` and microseconds are kept); a line of
    an event the model does not know (``"known": false``, or an id it does not have) is an
    :class:`Opaque`."""
    for number, line in lines:
        if not line.strip():
            continue
        try:
            obj = load_json(line)
        except InputError as exc:
            yield Skip(f"line {number}", str(exc))
            continue
        if isinstance(obj, dict):
            raw_id = obj.get("event_id")
            if isinstance(raw_id, int) and not isinstance(raw_id, bool) and raw_id not in KNOWN:
                try:
                    yield _opaque(obj, raw_id)
                except ParseError as exc:
                    yield Skip(f"line {number}", str(exc))
                continue
        try:
            yield event_from_json(obj)
        except ParseError as exc:
            yield Skip(f"line {number}", str(exc))


def _opaque(obj: dict[str, Any], event_id: int) -> Opaque:
    fields = {}
    for key in ("timestamp", "text", "source"):
        value = obj.get(key, SOURCE if key == "source" else None)
        if not isinstance(value, str):
            raise ParseError(f"event {event_id}: field {key!r}: found {quote(value, 40)}")
        fields[key] = value
    seconds = obj.get("t")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or abs(seconds) > 1e15:
        raise ParseError(f"event {event_id}: field 't': found {quote(seconds, 40)}")
    try:
        stamp = datetime.fromisoformat(fields["timestamp"])
    except ValueError:
        raise ParseError(
            f"event {event_id}: field 'timestamp': {quote(fields['timestamp'])}"
        ) from None
    computer = obj.get("computer")
    return Opaque(
        event_id,
        fields["source"],
        round(seconds * 1_000_000),
        stamp,
        fields["text"],
        computer if isinstance(computer, str) else None,
    )
