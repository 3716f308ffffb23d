"""Event Viewer form: the event's properties as Windows copies them to the clipboard.

The description texts:

* 4283, KB Q266792: ``Unable to recognize an internal message identifier. Internal connection
  handle (LPI) 1-15-4 Error code: 8465 [POP4 POP4 UP 6 228] (14)``.
* 9156, KB Q229643: ``A resource limit has been reached while attempting to open an
  association. There are no free control blocks available for network type 1. The configured
  count is 40. [BASE IL MAIN BASE 1 282] (10)``.
* 4258 **[inferred]**: the receive-side twin of KB Q188040's send-side NSI event (``A command
  was sent at the network services interface. Control block index = 1  Internal Connection
  Handle (LPI) = 1-15-1  Message type = NDATA request [POP4 POP4 UP 7 21] (8)``).

The trailer ``[<task> <instance> <proc>] (<severity>)`` is the EV0 header in Event Viewer form
(KB Q153188).
"""

from __future__ import annotations

from datetime import datetime

from ..core import Event, EventId

DEFAULT_COMPUTER = "EXCHANGE1"


def trailer(event: Event) -> str:
    task = event.task
    return f"[{task.name} {task.instance} {task.proc}] ({event.severity})"


def description(event: Event) -> str:
    """The Description text of one event, trailer included."""
    if event.event_id is EventId.NSI_MESSAGE_RECEIVED:
        text = (
            "A message was received at the network services interface. "
            f"Control block index = {event.cb}  Internal Connection Handle (LPI) = {event.lpi}  "
            f"Message type = {event.message_type}"
        )
    elif event.event_id is EventId.BAD_LPI:
        text = (
            "Unable to recognize an internal message identifier. "
            f"Internal connection handle (LPI) {event.lpi} Error code: {event.error_code}"
        )
    else:
        text = (
            "A resource limit has been reached while attempting to open an association. "
            f"There are no free control blocks available for network type {event.network}. "
            f"The configured count is {event.configured_count}."
        )
    return f"{text} {trailer(event)}"


def _date(when: datetime) -> str:
    return f"{when.month}/{when.day}/{when.year}"


def _time(when: datetime) -> str:
    hour = when.hour % 12 or 12
    return f"{hour}:{when:%M:%S} {'AM' if when.hour < 12 else 'PM'}"


def eventviewer_block(event: Event, computer: str = DEFAULT_COMPUTER) -> str:
    """One event as Event Viewer's "copy" gives it, ending with a newline."""
    lines = [
        f"Event Type:\t{event.event_type.value}",
        f"Event Source:\t{event.source}",
        f"Event Category:\t{event.category.value}",
        f"Event ID:\t{int(event.event_id)}",
        f"Date:\t\t{_date(event.timestamp)}",
        f"Time:\t\t{_time(event.timestamp)}",
        "User:\t\tN/A",
        f"Computer:\t{computer}",
        "Description:",
        description(event),
    ]
    return "\n".join(lines) + "\n"
