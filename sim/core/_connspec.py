"""What a run draws for one connection, before it starts, and what its peer does with it.

Rules of this module (the peers' behaviour, written once: the simulated peers play it in
virtual time, ``sim.core._peers``; ``mtasim peer --scenario`` plays it against a real listener
in real time, ``sim.live._playback``):

* Times are on the MTA's clock, in microseconds. A peer's CR reaches the MTA at ``arrival``;
  its link delay is ``latency`` each way.
* A peer with a finite ``give_up`` closes on its own if no CC reached it in time: its deadline
  is ``arrival - latency + give_up`` on the MTA's clock (it started counting when it sent its
  CR), so a CC the MTA sends after :meth:`ConnSpec.last_cc` reaches it too late, and its close
  reaches the MTA at :meth:`ConnSpec.give_up_at`.
* After a CC in time, the peer sends its ``data_units`` when the CC has reached it and its data
  has come back (:meth:`ConnSpec.data_at`: one round trip after the CC), keeps the association
  ``hold`` after that (:meth:`ConnSpec.close_after`), then closes (or resets, ``reset``).

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``peer-give-up``, ``peer-exchange``.
"""

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

    def give_up_at(self) -> Micros | None:
        """When the peer's own close reaches the MTA, if it gives up (``None``: never)."""
        return None if self.give_up is None else self.arrival + self.give_up

    def last_cc(self) -> Micros | None:
        """The last instant the MTA can send the CC for it to reach the peer in time
        (``None``: the peer waits for ever)."""
        return None if self.give_up is None else self.arrival + self.give_up - 2 * self.latency

    def cc_in_time(self, t: Micros) -> bool:
        """A CC sent by the MTA at ``t`` reaches the peer before it gives up."""
        last = self.last_cc()
        return last is None or t <= last

    def data_at(self, t: Micros) -> Micros:
        """When the peer's data reaches the MTA after a CC sent at ``t``."""
        return t + 2 * self.latency

    def close_after(self, t: Micros) -> Micros | None:
        """When the peer's close reaches the MTA, its data (or, without data, the CC's round
        trip) having reached it at ``t`` (``None``: it holds the association for ever)."""
        return None if self.hold is None else t + self.hold

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
