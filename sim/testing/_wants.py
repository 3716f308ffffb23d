"""The behaviours ``mtasim hunt`` can look for, apart from the search (``_hunt``), so that the
command lists them in its ``--help`` without importing hypothesis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core import CATALOG, EventId, Summary


@dataclass(frozen=True, slots=True)
class Want:
    description: str
    shown: Callable[[Summary], bool]


def _logs(event_id: EventId) -> Want:
    spec = CATALOG[event_id]
    return Want(f"a {int(event_id)} ({spec.name})", lambda s: s.logged[event_id] > 0)


#: The behaviours a hunt can look for: every event of the catalog, and a few moments.
WANTS: dict[str, Want] = {
    **{str(int(e)): _logs(e) for e in EventId},
    "refused": Want(
        "a refused connection (backlog full or no free control block)", lambda s: s.refused > 0
    ),
    "timeout": Want("a Winsock response timeout", lambda s: s.timed_out > 0),
    "race": Want("a Close Request while the OK response was pending", lambda s: s.race_closes > 0),
    "leak": Want("a leaked control block", lambda s: s.cb_leaked > 0),
}
