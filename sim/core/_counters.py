"""The counters of a run, as one typed value.

Rules of this module:

* :class:`Counters` is what the model counts while it runs (every occurrence counts, whatever
  the logging level); the MTA and the peers increment its fields where the facts happen.
  ``logged`` counts the events written, by :class:`~sim.core.EventId`.
* :class:`Summary` is the end of a run, frozen: the counters plus the control-block pool and
  the associations open at the end. Commands print it (``--summary``), sweeps write its
  columns, the live listener shows it; code reads its typed fields (``summary.timed_out``,
  ``summary.logged[EventId.BAD_LPI]``), never keys spelled as strings. The names of its
  figures, for tables, CSV columns and JSON, are spelled in one place: :meth:`Summary.figures`
  and :meth:`Summary.as_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ._catalog import EventId


@dataclass(slots=True)
class Counters:
    """What happened in a run so far."""

    connections: int = 0
    accepted: int = 0
    opened: int = 0
    timed_out: int = 0
    race_closes: int = 0
    normal_closes: int = 0
    peer_gave_up: int = 0
    abandoned_in_backlog: int = 0
    refused_backlog: int = 0
    refused_no_cb: int = 0
    #: Connection requests reset because the half-open table was full (``_halfopen.py``).
    refused_half_open: int = 0
    late_ok_discarded: int = 0
    ok_cancelled: int = 0
    data_units: int = 0
    #: SYNs of the SYN floods that reached the listener, and those it reset (table full).
    flood_syns: int = 0
    flood_reset: int = 0
    logged: dict[EventId, int] = field(default_factory=dict)

    def log(self, event_id: EventId) -> None:
        self.logged[event_id] = self.logged.get(event_id, 0) + 1


#: The counters' names, in the order every table and JSON object lists them.
COUNTER_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Counters) if f.name != "logged")


@dataclass(frozen=True, slots=True)
class Summary:
    """The counters at the end of a run, and the state it ended in."""

    connections: int
    accepted: int
    opened: int
    timed_out: int
    race_closes: int
    normal_closes: int
    peer_gave_up: int
    abandoned_in_backlog: int
    refused_backlog: int
    refused_no_cb: int
    refused_half_open: int
    late_ok_discarded: int
    ok_cancelled: int
    data_units: int
    flood_syns: int
    flood_reset: int
    #: Events written, by id; every id of the catalog is present (0 when none was written).
    logged: Mapping[EventId, int]
    cb_in_use: int
    cb_leaked: int
    open_associations: int

    @classmethod
    def empty(cls) -> Summary:
        """The summary of a run that has not happened (every figure 0)."""
        return cls.of(Counters(), cb_in_use=0, cb_leaked=0, open_associations=0)

    @classmethod
    def of(
        cls, counters: Counters, *, cb_in_use: int, cb_leaked: int, open_associations: int
    ) -> Summary:
        logged = {e: counters.logged.get(e, 0) for e in EventId}
        values = {name: getattr(counters, name) for name in COUNTER_NAMES}
        return cls(
            **values,
            logged=logged,
            cb_in_use=cb_in_use,
            cb_leaked=cb_leaked,
            open_associations=open_associations,
        )

    @property
    def refused(self) -> int:
        """Connections refused for any reason (backlog full, no free control block, half-open
        table full)."""
        return self.refused_backlog + self.refused_no_cb + self.refused_half_open

    @property
    def events(self) -> int:
        """Events written in all."""
        return sum(self.logged.values())

    def count(self, event_id: EventId | int) -> int:
        """Events of one id written."""
        return self.logged[EventId(event_id)]

    def per_connection(self, event_id: EventId | int) -> float:
        """Events of one id written per connection (0 without connections): the rate a phase
        map and a sweep's last column show for 4283."""
        return self.count(event_id) / self.connections if self.connections else 0.0

    def figures(self) -> dict[str, int]:
        """Every figure by name, flat, in table order: the counters, ``logged_<id>`` for every
        event of the catalog, ``refused`` (every kind), then the end state. The names are the
        columns of ``mtasim sweep``'s CSV."""
        out = {name: getattr(self, name) for name in COUNTER_NAMES}
        for event_id, n in self.logged.items():
            out[f"logged_{int(event_id)}"] = n
        out["refused"] = self.refused
        out["cb_in_use"] = self.cb_in_use
        out["cb_leaked"] = self.cb_leaked
        out["open_associations"] = self.open_associations
        return out

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: every counter, ``events`` as ``{"4258": n, ...}`` (ids written at
        least once), then the end state and ``logged_<id>`` for every id of the catalog."""
        out: dict[str, Any] = {name: getattr(self, name) for name in COUNTER_NAMES}
        out["events"] = {str(int(e)): n for e, n in self.logged.items() if n}
        out["cb_in_use"] = self.cb_in_use
        out["cb_leaked"] = self.cb_leaked
        out["open_associations"] = self.open_associations
        for event_id, n in self.logged.items():
            out[f"logged_{int(event_id)}"] = n
        return out
