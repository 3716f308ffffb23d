"""Reading a real server's log as a stream: what each event is, what could not be read.

Rules of this module:

* :class:`LogReader` reads lines (or an ``.evt`` file) one event at a time, in memory that does
  not grow with the log: a 100 MB log streams. The form is told from the first line that
  belongs to one (``--from auto``); text before it is not an event and is passed over.
* It keeps what it reads: the fields, the task header (``UP(3) Proc 112``) and the computer
  are the log's, never the catalog's defaults. An event the model does not know (or another
  source's) is an :class:`Opaque` (id, source, time, the text as the log held it), counted in
  :attr:`LogReader.unknown`, never dropped. ``strict=True`` refuses it instead.
* A piece it cannot read is skipped with a warning naming its line (:attr:`LogReader.warnings`),
  or refused with a :class:`ParseError` when ``strict``.
* ``t`` counts from ``epoch``, or without one from the first event read.
* The forms: ``_read_text`` (EV0, Event Viewer copies, Event Viewer "Save As" exports),
  ``_read_evt`` (the binary event log) and ``_read_jsonl`` (``--format jsonl``, exact); the
  first two yield :class:`Raw` pieces (``_records``) whose fields are read by the catalog's
  templates (no branch on an event id).
"""

from __future__ import annotations

import collections
from collections.abc import Generator, Iterable, Iterator
from datetime import datetime
from typing import Any

from ..core import CATALOG, DEFAULT_COMPUTER, SOURCE, Event
from ..text._input import quote
from ..text._plural import plural
from ._fields import KNOWN, ParseError, with_derived
from ._read_evt import evt_records
from ._read_jsonl import jsonl_records
from ._read_text import detect_line, records
from ._records import DEFAULT_OPTIONS, Opaque, Options, Raw, Skip, micros

#: Warnings kept word for word (the others are counted).
WARNINGS_KEPT = 20


class LogReader:
    """Events of one log, read one at a time (see the module's rules)."""

    def __init__(
        self,
        fmt: str = "auto",
        epoch: datetime | None = None,
        *,
        strict: bool = False,
        options: Options = DEFAULT_OPTIONS,
    ) -> None:
        if epoch is not None and epoch.tzinfo is not None:
            raise ParseError(
                f"the epoch {epoch.isoformat()} has a UTC offset; expected a local date-time, "
                "like the timestamps the MTA prints"
            )
        self.format = fmt
        self.epoch = epoch
        self.strict = strict
        self.options = options
        #: Known events read, unknown ones kept (by id), pieces skipped.
        self.known = 0
        self.unknown: collections.Counter[int] = collections.Counter()
        self.skipped = 0
        self.warnings: list[str] = []
        self.first_problem: str | None = None

    # -- entry points ----------------------------------------------------------------------
    def lines(self, lines: Iterable[str]) -> Generator[Event | Opaque]:
        """The events of a text log's lines (without their line ends)."""
        numbered: Iterator[tuple[int, str]] = enumerate(lines, start=1)
        if self.format == "auto":
            for number, line in numbered:
                found = detect_line(line)
                if found is not None:
                    self.format = found
                    numbered = _chain((number, line), numbered)
                    break
            else:
                return
        if self.format == "jsonl":
            yield from self._events(jsonl_records(numbered))
        else:
            yield from self._events(records(self.format, numbered, self.options))

    def evt(self, handle: Any, name: str) -> Generator[Event | Opaque]:
        """The events of a binary ``.evt`` file (see ``_read_evt``)."""
        self.format = "evt"
        yield from self._events(evt_records(handle, name, self.options))

    # -- one event -------------------------------------------------------------------------
    def _events(self, pieces: Iterable[Raw | Skip | Event | Opaque]) -> Generator[Event | Opaque]:
        for piece in pieces:
            if isinstance(piece, Skip):
                self._problem(f"{piece.where}: {piece.message}")
                continue
            if isinstance(piece, Event | Opaque):  # JSON Lines: exact, t included
                yield self._exact(piece)
                continue
            try:
                event = self._event(piece)
            except ParseError as exc:
                self._problem(str(exc))
                continue
            if self.epoch is None:
                self.epoch = piece.stamp  # the first event's t is 0 (set by _event)
            yield event

    def _event(self, raw: Raw) -> Event | Opaque:
        epoch = raw.stamp if self.epoch is None else self.epoch
        t = micros(raw.stamp, epoch)
        event_id = KNOWN.get(raw.event_id) if raw.source == SOURCE else None
        if event_id is None:
            if self.strict:
                what = "" if raw.source == SOURCE else f" of source {quote(raw.source, 60)}"
                raise ParseError(
                    f"{raw.where}: event {raw.event_id}{what} is not one the model knows"
                )
            self.unknown[raw.event_id] += 1
            return Opaque(raw.event_id, raw.source, t, raw.stamp, raw.text, raw.computer)
        spec = CATALOG[event_id]
        values, header = raw.read(spec)
        event = Event(
            event_id,
            t,
            raw.stamp,
            **with_derived(spec, values),
            header=None if header == spec.task else header,
            computer=None if raw.computer == DEFAULT_COMPUTER else raw.computer,
        )
        self.known += 1
        return event

    def _exact(self, event: Event | Opaque) -> Event | Opaque:
        if isinstance(event, Opaque):
            if self.strict:
                raise ParseError(f"event {event.event_id} is not one the model knows")
            self.unknown[event.event_id] += 1
        else:
            self.known += 1
        return event

    def _problem(self, message: str) -> None:
        if self.strict:
            raise ParseError(message)
        if self.first_problem is None:
            self.first_problem = message
        self.skipped += 1
        if len(self.warnings) < WARNINGS_KEPT:
            self.warnings.append(message)

    def counts(self) -> str:
        """``4 events read, 1 unknown kept (9297)``."""
        known = f"{plural(self.known, 'event', digits=',')} read"
        parts = [known]
        if self.unknown:
            total = sum(self.unknown.values())
            ids = ", ".join(str(i) for i in sorted(self.unknown))
            parts.append(f"{total:,} unknown kept ({ids})")
        if self.skipped:
            parts.append(f"{self.skipped:,} skipped")
        return ", ".join(parts)


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest
