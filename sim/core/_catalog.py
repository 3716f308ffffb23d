"""The event catalog: every event the model logs, once, with all its text forms.

Rules of this module:

* One :class:`EventSpec` per :class:`EventId` in :data:`CATALOG`: symbol, severity, category,
  Event Viewer type, the task header the MTA prints, the fields the event carries, and every
  text form — the EV0 title and field lines, the Event Viewer description, the one-line form,
  the diagram label and the short label. Renderers format these templates and parsers read
  them back (``sim.render``): nothing outside this file spells an event's text, and nothing
  outside it branches on an event id (``tests/core/test_core_catalog.py`` scans ``sim/``).
* Templates name :class:`~sim.core.Event` fields in braces (``{cb}``, ``{lpi}``); :data:`FIELDS`
  says how each is written and read back.
* Sources, verbatim where a KB shows the text:

  - 4258 "Message received at NSI", severity 8, ``(POP4 POP4 UP(7) Proc 228)``: KB Q319936.
    **[inferred]** Event Viewer type Information and the description (the receive-side twin of
    KB Q188040's send-side "A command was sent at the network services interface. Control block
    index = 1  Internal Connection Handle (LPI) = 1-15-1  Message type = NDATA request").
  - 4283 "Bad LPIs in message", severity 14, ``(POP4 POP4 UP(7) Proc 228)``, "Error code =
    8464": KB Q319936; type Warning: KB 811406; description "Unable to recognize an internal
    message identifier. Internal connection handle (LPI) 1-15-4 Error code: 8465": KB Q266792.
  - 9156, severity 10, category Resource, type Warning, ``[BASE IL MAIN BASE 1 282]``, "A
    resource limit has been reached while attempting to open an association. There are no free
    control blocks available for network type 1. The configured count is 40.": KB Q229643.
    **[inferred]** its EV0 symbol and text (no KB shows them).

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``pair-window``, ``4258-form``, ``9156-form``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

SOURCE = "MSExchangeMTA"
#: The computer name the Event Viewer form prints unless a scenario names one (``mta.computer``).
DEFAULT_COMPUTER = "EXCHANGE1"


class EventType(enum.Enum):
    """The Event Viewer type. It does not follow severity (KB Q189345 shows 9301 at severity 10
    as Information, KB Q229643 9156 at severity 10 as Warning)."""

    INFORMATION = "Information"
    WARNING = "Warning"
    ERROR = "Error"


class Category(enum.Enum):
    """MSExchangeMTA diagnostics logging categories used by the model."""

    INTERFACE = "Interface"
    RESOURCE = "Resource"
    OPERATING_SYSTEM = "Operating System"


class Tone(enum.Enum):
    """How a picture shows an event: as a notice, or as the alarm the room should see."""

    NOTICE = "notice"
    ALARM = "alarm"


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
#: The TCP/IP driver task that reports a sockets error on accept() (9202).
TCPIP_DRIVER = TaskHeader("BASE IL TCP/IP DRVR", 8, 256)


class EventId(enum.IntEnum):
    NSI_MESSAGE_RECEIVED = 4258
    BAD_LPI = 4283
    NO_FREE_CONTROL_BLOCKS = 9156
    ACCEPT_ERROR = 9202

    # Hash as the int it is, in C (Enum's own __hash__ is Python code).
    __hash__ = int.__hash__


#: Message type of the NSI message that reports a closed connection (KB Q319936).
CLOSE_REQUEST = "Close Request"
#: The error code KB Q319936 prints with 4283 (undocumented; KB Q266792 also shows 8465).
BAD_LPI_ERROR_CODE = 8464
#: The Windows Sockets error WSAAccept returns for a connection the peer reset or closed
#: before it was accepted: WSAECONNRESET (KB Q169143: "Winsock Error code 10054
#: (WSAECONNRESET) indicates a "Connection reset by peer."").
WSAECONNRESET = 10054
#: A real log pairs a 4283 with the 4258 of the same LPI logged at most this many seconds
#: before it (rule ``pair-window``): the model logs both at one instant (rule ``same-step``),
#: and the EV0 clock shows whole seconds.
PAIR_WINDOW_SECONDS = 1


class FieldKind(enum.Enum):
    """What a field holds."""

    NUMBER = "number"
    LPI = "lpi"
    TEXT = "text"

    @property
    def token(self) -> str:
        """The regular expression a text form's reader cuts out for a field of this kind (the
        reader then checks it: ASCII digits, an LPI of three numbers; ``sim.render._fields``):
        a word for a number or an LPI, the shortest run of text for a text."""
        return r".+?" if self is FieldKind.TEXT else r"\S+"


#: The event fields text forms may name, and their kind.
FIELDS: Mapping[str, FieldKind] = MappingProxyType(
    {
        "cb": FieldKind.NUMBER,
        "lpi": FieldKind.LPI,
        "message_type": FieldKind.TEXT,
        "error_code": FieldKind.NUMBER,
        "network": FieldKind.NUMBER,
        "configured_count": FieldKind.NUMBER,
    }
)


@dataclass(frozen=True, slots=True)
class EventSpec:
    """Everything that does not change between two instances of the same event id."""

    event_id: EventId
    #: What the event says, in a few words (``Bad LPIs in message``).
    name: str
    symbol: str
    severity: int
    category: Category
    event_type: EventType
    task: TaskHeader
    #: The fields of :class:`~sim.core.Event` an event of this id carries, in order.
    fields: tuple[str, ...]
    #: EV0: the title line, the field lines, and how far the field lines are indented.
    title: str
    lines: tuple[str, ...]
    indent: int
    #: Event Viewer: the description (the trailer ``[task instance proc] (severity)`` follows).
    description: str
    #: One line (``mtasim compare``), a diagram label, a label of at most 24 characters.
    oneline: str
    label: str
    short: str
    tone: Tone
    #: What it means when it is logged, in a sentence for a narration (``mtasim demo``).
    meaning: str
    #: Other wordings of the description a parser accepts (real logs differ).
    description_variants: tuple[str, ...] = ()
    #: The EV0 title line's words between the symbol and the severity, when they are not
    #: ``<category> Event`` (KB Q151626 prints ``NMI9236: Internal Operating System Error``).
    ev0_kind: str = ""
    #: Fields a text form does not print but that follow from another one [inferred]:
    #: (field, the field it is read from). 4283's forms print no control block: it is the
    #: LPI's third number (``_lpi.py``).
    derived: tuple[tuple[str, str], ...] = ()


#: EV0 indents: the title at 7, fields at 9 (KB Q153188); 4283 prints its fields at 7 (KB
#: Q319936).
TITLE_INDENT = 7
FIELD_INDENT = 9

CATALOG: Mapping[EventId, EventSpec] = MappingProxyType(
    {
        EventId.NSI_MESSAGE_RECEIVED: EventSpec(
            EventId.NSI_MESSAGE_RECEIVED,
            name="Message received at NSI",
            symbol="NMI4258",
            severity=8,
            category=Category.INTERFACE,
            event_type=EventType.INFORMATION,
            task=POP4_UP,
            fields=("cb", "lpi", "message_type"),
            title="Message received at NSI:",
            lines=("cb {cb}", "LPI {lpi}", "Message type {message_type}"),
            indent=FIELD_INDENT,
            description=(
                "A message was received at the network services interface. "
                "Control block index = {cb}  Internal Connection Handle (LPI) = {lpi}  "
                "Message type = {message_type}"
            ),
            oneline="LPI {lpi}  {message_type}",
            label="4258 Message received at NSI: {message_type}",
            short="4258 {message_type}",
            tone=Tone.NOTICE,
            meaning="The NSI logs 4258: a {message_type} was received for the connection.",
        ),
        EventId.BAD_LPI: EventSpec(
            EventId.BAD_LPI,
            name="Bad LPIs in message",
            symbol="NMI4283",
            severity=14,
            category=Category.INTERFACE,
            event_type=EventType.WARNING,
            task=POP4_UP,
            fields=("cb", "lpi", "error_code"),
            title="Bad LPIs in message",
            lines=("Bad LPI {lpi}", "Error code = {error_code}"),
            indent=TITLE_INDENT,
            description=(
                "Unable to recognize an internal message identifier. "
                "Internal connection handle (LPI) {lpi} Error code: {error_code}"
            ),
            oneline="LPI {lpi}  Bad LPI (error code {error_code})",
            label="4283 Bad LPIs in message ({lpi}, {error_code})",
            short="4283 Bad LPI {lpi}",
            tone=Tone.ALARM,
            meaning=(
                "POP4 still regards the connection as being set up, so it cannot match the "
                "Close Request's LPI: 4283, Bad LPIs in message, error code {error_code}, the "
                "pair of KB Q319936 with the 4258."
            ),
            derived=(("cb", "lpi"),),
        ),
        EventId.NO_FREE_CONTROL_BLOCKS: EventSpec(
            EventId.NO_FREE_CONTROL_BLOCKS,
            name="no free control blocks",
            symbol="BASE9156",
            severity=10,
            category=Category.RESOURCE,
            event_type=EventType.WARNING,
            task=BASE_MAIN,
            fields=("network", "configured_count"),
            title="No free control blocks",
            lines=("Network type {network}", "Configured count {configured_count}"),
            indent=FIELD_INDENT,
            description=(
                "A resource limit has been reached while attempting to open an association. "
                "There are no free control blocks available for network type {network}. "
                "The configured count is {configured_count}."
            ),
            description_variants=(
                "A resource limit has been reached while attempting to open an association. "
                "There is no free control blocks available for network type {network}. "
                "The configured count is {configured_count}.",
            ),
            oneline="no free control blocks (configured {configured_count})",
            label="9156 no free control blocks",
            short="9156 no free cb",
            tone=Tone.ALARM,
            meaning=(
                "No control block is free: 9156 (the configured count is {configured_count}), "
                "and the connection is refused."
            ),
        ),
        EventId.ACCEPT_ERROR: EventSpec(
            EventId.ACCEPT_ERROR,
            name="sockets error on accept()",
            symbol="NMI9202",
            severity=12,
            category=Category.OPERATING_SYSTEM,
            event_type=EventType.WARNING,
            task=TCPIP_DRIVER,
            fields=("cb", "error_code"),
            title="accept() call failed on CB {cb}",
            lines=("Socket error {error_code}",),
            indent=TITLE_INDENT,
            description=(
                "A sockets error {error_code} on an accept() call was detected. "
                "Control block index: {cb}."
            ),
            oneline="accept() failed (socket error {error_code})",
            label="9202 sockets error on accept() ({error_code})",
            short="9202 accept() error",
            tone=Tone.NOTICE,
            meaning=(
                "The peer ended the connection while it waited in the listen backlog, so the "
                "listener's accept() fails with socket error {error_code}: 9202."
            ),
            ev0_kind="Internal Operating System Error",
        ),
    }
)
