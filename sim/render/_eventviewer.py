"""Event Viewer form: the event's properties as Windows copies them to the clipboard.

The description is the catalog's (``sim.core.CATALOG``, with its sources); the trailer
``[<task> <instance> <proc>] (<severity>)`` is the EV0 header in Event Viewer form (KB
Q153188).
"""

from __future__ import annotations

from datetime import datetime

from ..core import DEFAULT_COMPUTER, Event, clock12
from ._forms import fill


def trailer(event: Event) -> str:
    task = event.task
    return f"[{task.name} {task.instance} {task.proc}] ({event.severity})"


def description(event: Event) -> str:
    """The Description text of one event, trailer included."""
    return f"{fill(event, event.spec.description)} {trailer(event)}"


def _date(when: datetime) -> str:
    return f"{when.month}/{when.day}/{when.year}"


def eventviewer_block(event: Event, computer: str = DEFAULT_COMPUTER) -> str:
    """One event as Event Viewer's "copy" gives it, ending with a newline (the computer the
    event was read with, if any, else ``computer``)."""
    lines = [
        f"Event Type:\t{event.event_type.value}",
        f"Event Source:\t{event.source}",
        f"Event Category:\t{event.category.value}",
        f"Event ID:\t{int(event.event_id)}",
        f"Date:\t\t{_date(event.timestamp)}",
        f"Time:\t\t{clock12(event.timestamp, event_viewer=True)}",
        "User:\t\tN/A",
        f"Computer:\t{event.computer or computer}",
        "Description:",
        description(event),
    ]
    return "\n".join(lines) + "\n"
