"""What the readers of a real log's forms give (``_read_text``, ``_read_evt``,
``_read_jsonl``) and :class:`~sim.render._read.LogReader` takes: pieces of a log, before and
after their fields are read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core import EventSpec, Micros, TaskHeader

#: How the day, month and year of a date are ordered (``--date-order``).
DATE_ORDERS = ("mdy", "dmy", "ymd")


@dataclass(frozen=True, slots=True)
class Opaque:
    """An event the model does not know, kept as the log held it."""

    event_id: int
    source: str
    t: Micros
    timestamp: datetime
    text: str
    computer: str | None = None


#: What a form's reader gives for the fields of a known event: the values (by the catalog's
#: field names, as text templates read them) and the task header the log printed, if any.
Fields = tuple[dict[str, Any], TaskHeader | None]


@dataclass(frozen=True, slots=True)
class Raw:
    """One event as a form found it, before its fields are read."""

    where: str
    event_id: int
    source: str
    stamp: datetime
    text: str
    computer: str | None
    read: Callable[[EventSpec], Fields]


@dataclass(frozen=True, slots=True)
class Skip:
    """A piece of the log that is not an event that can be read."""

    where: str
    message: str


@dataclass(frozen=True, slots=True)
class Options:
    """How a form reads dates and times."""

    date_order: str = "mdy"
    tz: str | None = None


def micros(stamp: datetime, epoch: datetime) -> Micros:
    delta = stamp - epoch
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


#: Month before day, local time (the readers' defaults).
DEFAULT_OPTIONS = Options()
