"""What a run draws for one connection, before it starts."""

from __future__ import annotations

from typing import Any, NamedTuple

from ._time import Micros


class ConnSpec(NamedTuple):
    """Everything a run draws for one connection, before the run starts.

    ``arrival`` is when the connection reaches the MTA's Winsock layer; ``service`` the kernel
    time for its OK response; the rest is the peer's behaviour: ``hold`` how long it keeps the
    association after its data (``None``: until the end of the run); ``give_up`` its own
    connect timeout counted from ``arrival`` (``None``: never); ``latency`` the one-way link
    delay; ``data_units`` what it sends after the CC; ``reset`` whether it closes with a reset.
    """

    conn: int
    arrival: Micros
    service: Micros
    hold: Micros | None = None
    give_up: Micros | None = None
    latency: Micros = 0
    data_units: int = 1
    reset: bool = False
    peer: str = "peer"

    def record_items(self) -> tuple[tuple[str, Any], ...]:
        """What a trace's arrival line says of the connection, in order."""
        return (
            ("peer", self.peer),
            ("service", self.service),
            ("hold", self.hold),
            ("give_up", self.give_up),
            ("latency", self.latency),
            ("data_units", self.data_units),
            ("reset", self.reset),
        )
