"""Text forms of events: EV0 text log, Event Viewer, JSON Lines; and parsers back."""

from __future__ import annotations

from collections.abc import Callable

from ..core import DEFAULT_COMPUTER, Event
from ._ev0 import ev0_block, ev0_timestamp
from ._eventviewer import description, eventviewer_block
from ._jsonl import event_dict, jsonl_line
from ._parse import ParseError, detect_format, parse, parse_ev0, parse_eventviewer, parse_jsonl
from ._read import LogReader
from ._records import DATE_ORDERS, Opaque, Options

FORMATS = ("ev0", "eventviewer", "jsonl")
#: The forms a real log is read in (``mtasim convert --from``, ``diagnose``, ``fit``).
READ_FORMATS = ("ev0", "eventviewer", "csv", "tab", "jsonl", "evt")


class EventWriter:
    """Writes events one at a time in one format, with the separators the format needs."""

    def __init__(self, fmt: str, write: Callable[[str], object], computer: str = DEFAULT_COMPUTER):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
        self.format = fmt
        self._write = write
        self._computer = computer
        self.count = 0

    def __call__(self, event: Event | Opaque) -> None:
        if self.format == "jsonl":
            self._write(jsonl_line(event))
        elif isinstance(event, Opaque):  # kept as the log held it
            if self.count:
                self._write("\n")
            self._write(event.text)
        else:
            if self.count:
                self._write("\n")
            if self.format == "ev0":
                self._write(ev0_block(event))
            else:
                self._write(eventviewer_block(event, self._computer))
        self.count += 1


def render(events: list[Event], fmt: str = "ev0", computer: str = DEFAULT_COMPUTER) -> str:
    """All events in one format, as one string."""
    parts: list[str] = []
    writer = EventWriter(fmt, parts.append, computer)
    for event in events:
        writer(event)
    return "".join(parts)


__all__ = [
    "DATE_ORDERS",
    "DEFAULT_COMPUTER",
    "FORMATS",
    "READ_FORMATS",
    "EventWriter",
    "LogReader",
    "Opaque",
    "Options",
    "ParseError",
    "description",
    "detect_format",
    "ev0_block",
    "ev0_timestamp",
    "event_dict",
    "eventviewer_block",
    "jsonl_line",
    "parse",
    "parse_ev0",
    "parse_eventviewer",
    "parse_jsonl",
    "render",
]
