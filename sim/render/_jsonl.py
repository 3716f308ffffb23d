"""JSON Lines form: one object per event, keys in a fixed order.

Keys: ``t`` (virtual seconds since the epoch), ``timestamp`` (ISO 8601, local time as the MTA
prints it), ``event_id``, ``severity``, ``type``, ``category``, ``source``, ``cb``, ``lpi``,
``message_type``, ``error_code``, ``network``, ``configured_count``, ``task``, ``instance``,
``proc``, ``text`` (the EV0 block) and ``description`` (the Event Viewer text).
"""

from __future__ import annotations

import json
from typing import Any

from ..core import Event
from ._ev0 import ev0_block
from ._eventviewer import description


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
    }


def jsonl_line(event: Event) -> str:
    """One event as one line of JSON, ending with a newline."""
    return json.dumps(event_dict(event), ensure_ascii=False, separators=(", ", ": ")) + "\n"
