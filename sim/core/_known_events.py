"""Every event the KBs document around the race, modelled or not (``docs/events.md``).

Rules of this module:

* :data:`KNOWN_EVENTS` lists each event the KB articles show around an incoming connection that
  times out, in the order ``docs/events.md`` lists them. An event the model logs is one of
  :data:`~sim.core.CATALOG`: its symbol, severity, type, category and text forms are the
  catalog's, never restated here, and its entry says which scenario condition produces it. An
  event the model does not log carries what the KBs show of it, "not documented" where no KB
  shows a form, and why it is not modelled.
* :func:`events_markdown` renders the table ``docs/events.md`` shows; a test checks that the
  doc holds exactly that text and that every event of the catalog is in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._catalog import CATALOG, EventId, EventSpec

#: What a cell says where no KB shows the value.
NOT_DOCUMENTED = "not documented"


@dataclass(frozen=True, slots=True)
class KnownEvent:
    """One event the KBs document. ``modelled``: the catalog entry of an event the model
    logs, else ``None`` and the fields below say what the KBs show."""

    #: The event id as the KBs print it ("not documented" when no KB prints one).
    event: str
    #: The scenario condition that produces it (modelled), or why it is not modelled.
    status: str
    #: Where it is documented.
    sources: str
    modelled: EventId | None = None
    symbol: str = NOT_DOCUMENTED
    severity: str = NOT_DOCUMENTED
    event_type: str = NOT_DOCUMENTED
    category: str = NOT_DOCUMENTED
    ev0: str = NOT_DOCUMENTED
    eventviewer: str = NOT_DOCUMENTED


_POP4_UNMODELLED = (
    'Not modelled. KB Q152897 logs it when the MTA "gets backed up trying to deliver '
    'messages and the transport connection is lost": outbound delivery, which the model '
    "(incoming connections only) does not have."
)

KNOWN_EVENTS: tuple[KnownEvent, ...] = (
    KnownEvent(
        "4258",
        "Modelled: every Close Request received at the NSI (the MTA's response timer fires, or "
        "the peer closes, resets or gives up after the accept), written at Interface logging "
        "maximum. Event Viewer type and text **[inferred]** (rule `4258-form`).",
        "KB Q319936",
        EventId.NSI_MESSAGE_RECEIVED,
    ),
    KnownEvent(
        "4283",
        "Modelled: a Close Request while the OK response is pending (`opening`/`close`) on "
        "pre-fix and post-sp3, error code 8464 (KB Q319936). 8465 (KB Q266792) is read back "
        "from a real log but never produced: no KB says which condition gives 8465.",
        "KB Q319936, KB Q266792, KB Q152897, KB Q811406",
        EventId.BAD_LPI,
    ),
    KnownEvent(
        "4282",
        _POP4_UNMODELLED,
        "KB Q152897",
        severity="14",
        category="X.400 Service",
        eventviewer=(
            "An interoperability error occurred. Interface protocol 131 was violated. Error "
            "code=8453 [POP4 MAIN BASE 1 18] (14)"
        ),
    ),
    KnownEvent(
        "4284",
        _POP4_UNMODELLED,
        "KB Q152897",
        severity="14",
        category="X.400 Service",
        eventviewer=(
            "An error has occurred during connection/disconnection. Error code=8511 [POP4 POP4 "
            "DOWN 4 179] (14)"
        ),
    ),
    KnownEvent(
        "4287",
        _POP4_UNMODELLED,
        "KB Q152897",
        severity="14",
        category="X.400 Service",
        eventviewer=(
            "An internal MTA occurred. Contact Microsoft Product Support Services. Error "
            "code=8650 [POP4 POP4 DOWN4 18] (14)"
        ),
    ),
    KnownEvent(
        "9156",
        "Modelled: a connection accepted when no control block is free (the pool is "
        "`mta.control_blocks`, the listener's and the open associations' included; "
        "`heavy-load` on post-sp3). EV0 symbol and text **[inferred]** (rule `9156-form`).",
        "KB Q229643, KB Q166602, KB Q200259, KB Q193894",
        EventId.NO_FREE_CONTROL_BLOCKS,
    ),
    KnownEvent(
        "9202",
        "Modelled (model 3): a connection its peer closed, reset or gave up on while it waited "
        "in the listen backlog; the listener's accept fails with WSAECONNRESET (`accept-resets`)."
        " Texts, category and type **[inferred]** (rule `accept-error`).",
        "KB Q254909 (names it, after 9301)",
        EventId.ACCEPT_ERROR,
    ),
    KnownEvent(
        "9224",
        "Not modelled: a send() on a socket the peer closed. The model's MTA sends one thing, "
        "the CC, and only on a connection it still holds; a peer that closed first has had its "
        "Close Request already, so no send meets a closed socket (KB Q154301 names 9224 with "
        "WSAECONNRESET on slow links, where the X.400 traffic the model leaves out flows).",
        "KB Q170007, KB Q154301",
        symbol="NMI9224",
        severity="12",
        category="Internal Operating System Error (the EV0 title's words)",
        ev0="send() call failed on CB 22 / Socket error 10053 (BASE IL TP4 DRIVER (13) Proc 272)",
    ),
    KnownEvent(
        "9301",
        "Not modelled: the MTA cannot match the calling MTA's address with a connector's stack "
        "address. The model has no connectors and no addresses; KB Q254909 logs it before 9202 "
        "when the remote MTA rejects a proxied connection.",
        "KB Q189345, KB Q254909",
        severity="10",
        event_type="Information",
        category="Configuration",
        eventviewer=(
            "The message transfer gateway that uses the network address xxxxxxxx and the "
            "transport stack /o=EXORG/ou=EXSITE/cn=Configuration/cn=Servers/cn=EXSERVER/cn=TCP "
            "(EXSERVER) could not be found. Check the configuration of the mail gateway. [BASE "
            "IL TCP/IP DRVR 8 218] (10)"
        ),
    ),
    KnownEvent(
        NOT_DOCUMENTED + " (the send-side NSI event)",
        "Not modelled: the model's MTA sends no NDATA (it receives the peer's data and sends "
        "only the CC). Its text is the model of 4258's Event Viewer form (rule `4258-form`).",
        "KB Q188040",
        severity="8",
        eventviewer=(
            "A command was sent at the network services interface. Control block index = 1  "
            "Internal Connection Handle (LPI) = 1-15-1 Message type = NDATA request [POP4 POP4 "
            "UP 7 21] (8)"
        ),
    ),
    KnownEvent(
        "9298",
        "Not modelled: the MTA's start-up event; no KB copy found shows its text, severity or "
        "type, and the model has no start-up (a run begins with the MTA running).",
        "none found",
    ),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _catalog_cells(spec: EventSpec) -> tuple[str, str, str, str, str, str]:
    task = spec.task
    ev0 = (
        " / ".join((spec.title, *spec.lines)) + f" ({task.name}({task.instance}) Proc {task.proc})"
    )
    viewer = f"{spec.description} [{task.name} {task.instance} {task.proc}] ({spec.severity})"
    kind = spec.ev0_kind or f"{spec.category.value} Event"
    return (
        spec.symbol,
        str(spec.severity),
        spec.event_type.value,
        f"{spec.category.value} (EV0: {kind})",
        ev0,
        viewer,
    )


def events_markdown() -> str:
    """The table of ``docs/events.md``: one row per known event (no trailing newline)."""
    lines = [
        "| id | symbol | severity | type | category | EV0 form | Event Viewer form | status "
        "| sources |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for known in KNOWN_EVENTS:
        if known.modelled is not None:
            cells = _catalog_cells(CATALOG[known.modelled])
        else:
            cells = (
                known.symbol,
                known.severity,
                known.event_type,
                known.category,
                known.ev0,
                known.eventviewer,
            )
        row = (known.event, *cells, known.status, known.sources)
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)
