"""EV0 text-log form (``mtadata\\EV0.LOG``, ``Parameters\\TextEventLog=1``, KB Q163325).

Layout rules (KB Q319936 prints 4258 and 4283 this way; KB Q153188 shows the same layout on
another event); the texts themselves are the catalog's (``sim.core.CATALOG``):

* line 1: ``message <symbol>: <category> Event, severity <n>`` (or the catalog's ``ev0_kind``
  in place of ``<category> Event``, as KB Q151626 prints ``Internal Operating System Error``);
  line 2 empty;
* line 3, indented 7: ``(<task>(<instance>) Proc <proc>) MM-DD-YY hh:mm:ssam|pm``;
* then the message title indented 7 and its fields at the catalog's indent (9, or 7 for 4283
  as the KB prints it).
* A block ends with a newline; blocks are separated by one empty line.
"""

from __future__ import annotations

from datetime import datetime

from ..core import Event, clock12
from ..core._catalog import TITLE_INDENT
from ._forms import fill


def ev0_timestamp(when: datetime) -> str:
    """``02-26-02 02:43:50pm``: two-digit year, 12-hour clock, lower-case am/pm."""
    return f"{when:%m-%d-%y} {clock12(when)}"


def ev0_block(event: Event) -> str:
    """One event as the MTA writes it to EV0.LOG, ending with a newline."""
    spec = event.spec
    task = event.task
    title_indent = " " * TITLE_INDENT
    field_indent = " " * spec.indent
    lines = [
        f"message {spec.symbol}: {spec.ev0_kind or spec.category.value + ' Event'}, "
        f"severity {spec.severity}",
        "",
        f"{title_indent}({task.name}({task.instance}) Proc {task.proc}) "
        f"{ev0_timestamp(event.timestamp)}",
        f"{title_indent}{fill(event, spec.title)}",
        *(f"{field_indent}{fill(event, line)}" for line in spec.lines),
    ]
    return "\n".join(lines) + "\n"
