"""Event values: what the MTA writes to its event log.

Rules of this module:

* An :class:`Event` is a frozen value. It holds data only; the text forms (EV0 text log,
  Event Viewer, JSON Lines) are made by ``sim.render``.
* Each event id has one :class:`EventSpec` in :data:`CATALOG` with its severity, category,
  Event Viewer type and the task header the MTA prints. Sources:

  - 4258 "Message received at NSI", severity 8, ``(POP4 POP4 UP(7) Proc 228)``: KB Q319936.
    **[inferred]** Event Viewer type Information (no KB gives it).
  - 4283 "Bad LPIs in message", severity 14, ``(POP4 POP4 UP(7) Proc 228)``, error code 8464:
    KB Q319936; type Warning: KB 811406.
  - 9156 "no free control blocks", severity 10, category Resource, type Warning,
    ``[BASE IL MAIN BASE 1 282]``: KB Q229643, KB Q166602, KB Q247419.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from ._lpi import Lpi
from ._time import Micros, to_seconds

SOURCE = "MSExchangeMTA"


class EventType(enum.Enum):
    """The Event Viewer type. It does not follow severity (DOMAIN.md: 9298 is severity 14
    and Information)."""

    INFORMATION = "Information"
    WARNING = "Warning"
    ERROR = "Error"


class Category(enum.Enum):
    """MSExchangeMTA diagnostics logging categories used by the model."""

    INTERFACE = "Interface"
    RESOURCE = "Resource"


@dataclass(frozen=True, slots=True)
class TaskHeader:
    """The MTA task that logged an event: ``(POP4 POP4 UP(7) Proc 228)`` in EV0 form,
    ``[POP4 POP4 UP 7 228]`` in Event Viewer form (KB Q153188 shows the mapping)."""

    name: str
    instance: int
    proc: int


#: The POP4 upward task, instance 7, code location 228 (KB Q319936). [inferred: "Proc" is a
#: code location]
POP4_UP = TaskHeader("POP4 POP4 UP", 7, 228)
#: The MTA base task that reports control-block shortage (KB Q229643).
BASE_MAIN = TaskHeader("BASE IL MAIN BASE", 1, 282)


class EventId(enum.IntEnum):
    NSI_MESSAGE_RECEIVED = 4258
    BAD_LPI = 4283
    NO_FREE_CONTROL_BLOCKS = 9156


#: Message type of the NSI message that reports a closed connection (KB Q319936).
CLOSE_REQUEST = "Close Request"
#: The error code KB Q319936 prints with 4283 (undocumented; KB Q266792 also shows 8465).
BAD_LPI_ERROR_CODE = 8464


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What does not change between two instances of the same event id."""

    event_id: EventId
    symbol: str
    severity: int
    category: Category
    event_type: EventType
    task: TaskHeader
    #: The fields of :class:`Event` an event of this id carries, in order.
    fields: tuple[str, ...] = ()


CATALOG: MappingProxyType[EventId, EventSpec] = MappingProxyType(
    {
        EventId.NSI_MESSAGE_RECEIVED: EventSpec(
            EventId.NSI_MESSAGE_RECEIVED,
            "NMI4258",
            8,
            Category.INTERFACE,
            EventType.INFORMATION,
            POP4_UP,
            ("cb", "lpi", "message_type"),
        ),
        EventId.BAD_LPI: EventSpec(
            EventId.BAD_LPI,
            "NMI4283",
            14,
            Category.INTERFACE,
            EventType.WARNING,
            POP4_UP,
            ("cb", "lpi", "error_code"),
        ),
        # [inferred] the EV0 symbol prefix of 9156 is not shown by any KB.
        EventId.NO_FREE_CONTROL_BLOCKS: EventSpec(
            EventId.NO_FREE_CONTROL_BLOCKS,
            "BASE9156",
            10,
            Category.RESOURCE,
            EventType.WARNING,
            BASE_MAIN,
            ("network", "configured_count"),
        ),
    }
)


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
        return self.spec.task

    @property
    def source(self) -> str:
        return SOURCE

    @property
    def seconds(self) -> float:
        """Virtual time in seconds since the epoch."""
        return to_seconds(self.t)
