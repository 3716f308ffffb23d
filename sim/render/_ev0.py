"""EV0 text-log form (``mtadata\\EV0.LOG``, ``Parameters\\TextEventLog=1``, KB Q163325).

Layout rules (KB Q319936 prints 4258 and 4283 this way; KB Q153188 shows the same layout on
another event):

* line 1: ``message <symbol>: <category> Event, severity <n>``; line 2 empty;
* line 3, indented 7: ``(<task>(<instance>) Proc <proc>) MM-DD-YY hh:mm:ssam|pm``;
* then the message title indented 7 and its fields indented 9. Event 4283 prints its fields
  at 7, as the KB does.
* A block ends with a newline; blocks are separated by one empty line.
"""

from __future__ import annotations

from datetime import datetime

from ..core import Event, EventId

TITLE_INDENT = " " * 7
FIELD_INDENT = " " * 9


def ev0_timestamp(when: datetime) -> str:
    """``02-26-02 02:43:50pm``: two-digit year, 12-hour clock, lower-case am/pm."""
    hour = when.hour % 12 or 12
    suffix = "am" if when.hour < 12 else "pm"
    return f"{when:%m-%d-%y} {hour:02d}:{when:%M:%S}{suffix}"


def _body(event: Event) -> tuple[str, list[str], str]:
    """The title, the field lines and the field indent of one event."""
    if event.event_id is EventId.NSI_MESSAGE_RECEIVED:
        return (
            "Message received at NSI:",
            [f"cb {event.cb}", f"LPI {event.lpi}", f"Message type {event.message_type}"],
            FIELD_INDENT,
        )
    if event.event_id is EventId.BAD_LPI:
        return (
            "Bad LPIs in message",
            [f"Bad LPI {event.lpi}", f"Error code = {event.error_code}"],
            TITLE_INDENT,
        )
    # 9156 [inferred EV0 text; its Event Viewer text is KB Q229643's]
    return (
        "No free control blocks",
        [f"Network type {event.network}", f"Configured count {event.configured_count}"],
        FIELD_INDENT,
    )


def ev0_block(event: Event) -> str:
    """One event as the MTA writes it to EV0.LOG, ending with a newline."""
    spec = event.spec
    task = spec.task
    title, fields, indent = _body(event)
    lines = [
        f"message {spec.symbol}: {spec.category.value} Event, severity {spec.severity}",
        "",
        f"{TITLE_INDENT}({task.name}({task.instance}) Proc {task.proc}) "
        f"{ev0_timestamp(event.timestamp)}",
        f"{TITLE_INDENT}{title}",
        *(f"{indent}{line}" for line in fields),
    ]
    return "\n".join(lines) + "\n"
