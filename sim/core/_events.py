"""Event values: what the MTA writes to its event log.

Rules of this module:

* An :class:`Event` is a frozen value. It holds data only: its id, its virtual time and
  wall-clock timestamp, the fields its id carries (``_catalog.py`` says which), and its task
  header when a scenario gives POP4 another one than the catalog's; the text
  forms (EV0 text log, Event Viewer, JSON Lines) are made by ``sim.render`` from the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ._catalog import CATALOG, SOURCE, Category, EventId, EventSpec, EventType, TaskHeader
from ._lpi import Lpi
from ._time import Micros, to_seconds


@dataclass(frozen=True, slots=True)
class Event:
    """One logged event, as a value.

    ``t`` is the virtual time in microseconds since the scenario's epoch; ``timestamp`` the
    wall-clock instant the MTA prints. Fields that an event id does not carry are ``None``.
    """

    event_id: EventId
    t: Micros
    timestamp: datetime
    cb: int | None = None
    lpi: Lpi | None = None
    message_type: str | None = None
    error_code: int | None = None
    network: int | None = None
    configured_count: int | None = None
    #: The task header the event carries when it is not the catalog's: one the MTA printed
    #: (a scenario's ``mta.pop4_instance`` or ``mta.pop4_proc``; KB Q152897 and KB Q266792 show
    #: other instances), or one a real log printed (``UP(3) Proc 112``), kept by the readers
    #: (``sim.render``) so that converting a log gives back what it holds. ``None``: the
    #: catalog's.
    header: TaskHeader | None = None
    #: The computer an Event Viewer record named (``None``: the scenario's).
    computer: str | None = None

    @property
    def spec(self) -> EventSpec:
        return CATALOG[self.event_id]

    @property
    def severity(self) -> int:
        return self.spec.severity

    @property
    def category(self) -> Category:
        return self.spec.category

    @property
    def event_type(self) -> EventType:
        return self.spec.event_type

    @property
    def task(self) -> TaskHeader:
        return self.spec.task if self.header is None else self.header

    @property
    def source(self) -> str:
        return SOURCE

    @property
    def seconds(self) -> float:
        """Virtual time in seconds since the epoch."""
        return to_seconds(self.t)
