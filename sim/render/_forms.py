"""The catalog's templates, filled with an event's fields, and read back.

Rules of this module:

* Every text of an event comes from its catalog entry (``sim.core.CATALOG``): :func:`fill`
  writes a template with the event's fields; :func:`pattern` turns the same template into a
  regular expression whose named groups ``_fields.read_fields`` reads back (by the field's
  :class:`~sim.core.FieldKind`). So writing and reading can never disagree, and no renderer or
  parser branches on an event id.
"""

from __future__ import annotations

import functools
import re

from ..core import FIELDS, Event

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(event: Event, template: str) -> str:
    """``template`` with the event's fields (an LPI as ``1-15-12``)."""
    values = {name: getattr(event, name) for name in FIELDS}
    values["lpi"] = None if event.lpi is None else str(event.lpi)
    return template.format(**values)


def oneline(event: Event) -> str:
    """What ``mtasim compare`` prints of an event after its time and id."""
    return fill(event, event.spec.oneline)


def label(event: Event) -> str:
    """The label of an event in a sequence diagram."""
    return fill(event, event.spec.label)


def short(event: Event) -> str:
    """An event in at most 24 characters (the terminal timeline)."""
    return fill(event, event.spec.short)


@functools.cache
def pattern(template: str) -> re.Pattern[str]:
    """The template as a regular expression: each ``{field}`` a named group."""
    parts: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : match.start()]))
        name = match.group(1)
        parts.append(f"(?P<{name}>{FIELDS[name].token})")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts))


@functools.cache
def loose_pattern(template: str) -> re.Pattern[str]:
    """:func:`pattern`, where any run of white space (a wrapped line, a tab, two spaces
    where the template has one) matches any other: an Event Viewer description as a user
    pasted it."""
    exact = pattern(template).pattern
    return re.compile(re.sub(r"(?:\\ |\\\t|\\\n)+", r"\\s+", exact))
