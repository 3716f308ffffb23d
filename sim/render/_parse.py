"""Reading events back from their text forms: EV0 text log, Event Viewer, JSON Lines.

Rules of this module:

* Each parser is the inverse of its renderer: ``parse_X(render_X(e))`` gives ``e`` back, up to
  what the form does not carry (EV0 and Event Viewer print whole seconds and no virtual time:
  ``t`` is then the timestamp minus ``epoch``, or, without one, minus the first event's). A
  property test checks it on generated events.
* The texts are the catalog's templates (``sim.core.CATALOG``, ``_forms.pattern``): a parser
  reads what the renderer writes, and neither branches on an event id. 4283's EV0 and Event
  Viewer forms do not print the control block; it is taken from the LPI's third number, the
  model's rule (**[inferred]**, docs/model.md; the catalog's ``derived``).
* The reading itself is :class:`~sim.render._read.LogReader`'s (a stream, real logs' forms,
  events the model does not know kept as opaque ones). The functions here are its
  whole-text form for the model's own events: ``strict=True`` refuses an unknown event or
  anything malformed with a :class:`ParseError` naming the line; ``strict=False`` leaves out
  what it cannot read and the unknown events (the command keeps and counts them).
* Two-digit years: 70-99 are 19xx, 00-69 are 20xx.
* Hostile text is a ``ParseError`` too: numbers follow the rule of ``_fields`` (ASCII digits,
  at most 2**32 - 1), JSON goes through the bounded reader of ``sim.text._input`` (depth, digits,
  ``1e400``) and ``_fields.event_from_json`` (every field type-checked; the reader of a
  trace's event lines too), an epoch must be local time like the timestamps, and a message
  quotes at most about 200 characters of the input.
"""

from __future__ import annotations

from datetime import datetime

from ..core import Event
from ._fields import ParseError
from ._read import LogReader
from ._read_text import detect_line


def _known(text: str, fmt: str, epoch: datetime | None, strict: bool) -> list[Event]:
    reader = LogReader(fmt, epoch, strict=strict)
    return [e for e in reader.lines(text.splitlines()) if isinstance(e, Event)]


def parse_ev0(text: str, epoch: datetime | None = None, *, strict: bool = True) -> list[Event]:
    """Events from EV0.LOG text."""
    return _known(text, "ev0", epoch, strict)


def parse_eventviewer(
    text: str, epoch: datetime | None = None, *, strict: bool = True
) -> list[Event]:
    """Events from Event Viewer's copied properties."""
    return _known(text, "eventviewer", epoch, strict)


def parse_jsonl(text: str, *, strict: bool = True) -> list[Event]:
    """Events from ``--format jsonl`` lines (exact: ``t`` and microseconds are kept)."""
    return _known(text, "jsonl", None, strict)


def detect_format(text: str) -> str:
    """The form of the first line that shows one (``ev0``, ``eventviewer``, ``csv``, ``tab``,
    ``jsonl``); ``ev0`` for a text without one."""
    for line in text.splitlines():
        found = detect_line(line)
        if found is not None:
            return found
    return "ev0"


def parse(
    text: str, fmt: str = "auto", epoch: datetime | None = None, *, strict: bool = True
) -> list[Event]:
    """Parse text in a given form (``auto`` detects it)."""
    return _known(text, fmt, epoch, strict)


__all__ = [
    "ParseError",
    "detect_format",
    "parse",
    "parse_ev0",
    "parse_eventviewer",
    "parse_jsonl",
]
