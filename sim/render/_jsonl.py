"""JSON Lines form: one object per event, keys in a fixed order.

Keys: ``t`` (virtual seconds since the epoch), ``timestamp`` (ISO 8601, local time as the MTA
prints it), ``event_id``, ``severity``, ``type``, ``category``, ``source``, ``cb``, ``lpi``,
``message_type``, ``error_code``, ``network``, ``configured_count``, ``task``, ``instance``,
``proc``, ``text`` (the EV0 block) and ``description`` (the Event Viewer text); then
``computer`` when the event was read from a log that names one (``mtasim convert``).

An event the model does not know, read from a real log (:class:`~sim.render.Opaque`), is kept
as ``t``, ``timestamp``, ``event_id``, ``source``, ``known`` (false), ``computer`` and ``text``
(what the log held, as it held it).
"""

from __future__ import annotations

import json
from typing import Any

from ..core import Event, to_seconds
from ._ev0 import ev0_block
from ._eventviewer import description
from ._records import Opaque


def event_dict(event: Event) -> dict[str, Any]:
    task = event.task
    return {
        "t": event.seconds,
        "timestamp": event.timestamp.isoformat(),
        "event_id": int(event.event_id),
        "severity": event.severity,
        "type": event.event_type.value,
        "category": event.category.value,
        "source": event.source,
        "cb": event.cb,
        "lpi": None if event.lpi is None else str(event.lpi),
        "message_type": event.message_type,
        "error_code": event.error_code,
        "network": event.network,
        "configured_count": event.configured_count,
        "task": task.name,
        "instance": task.instance,
        "proc": task.proc,
        "text": ev0_block(event),
        "description": description(event),
        **({} if event.computer is None else {"computer": event.computer}),
    }


def opaque_dict(event: Opaque) -> dict[str, Any]:
    return {
        "t": to_seconds(event.t),
        "timestamp": event.timestamp.isoformat(),
        "event_id": event.event_id,
        "source": event.source,
        "known": False,
        "computer": event.computer,
        "text": event.text,
    }


def jsonl_line(event: Event | Opaque) -> str:
    """One event as one line of JSON, ending with a newline."""
    obj = opaque_dict(event) if isinstance(event, Opaque) else event_dict(event)
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": ")) + "\n"
