"""The peers as input sources: simulated (a scenario's plan), and from outside the model.

Rules of this module:

* A peer side produces the inputs of the connections it opens — their arrival, data and close
  — and hears from the MTA what concerns them (``cc_sent``, ``finished``; ``_config.PeerSide``).
  The MTA does not know which side it talks to; a trace marks the inputs of an ``external``
  side as such.
* :class:`SimulatedPeers` plays the connections a scenario drew (:class:`ConnSpec`, in arrival
  order, lazily: one arrival ahead), with the behaviour ``ConnSpec`` states (``_connspec.py``:
  give-up, data one round trip after the CC, hold, close or reset; a reset is a close for the
  NSI [inferred]). A give-up is counted (``peer_gave_up``) when its close reaches the MTA.
* :class:`ExternalPeers` hands on what real peers did (live mode) or recorded ones (a replayed
  live session): :class:`External` inputs, pushed through the scheduler. Real peers are never
  invented: an external connection's spec has ``hold=None, give_up=None, data_units=0``, so
  no simulated occurrence ever names it. An input naming a connection the MTA is done with is
  dropped without a step.

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``reset-is-close``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ._connspec import ConnSpec
from ._mta import Mta
from ._scheduler import NOT_SCHEDULED, External, Kind, Occurrence, Scheduler
from ._time import Micros


@dataclass(slots=True)
class _Peer:
    spec: ConnSpec
    close: int = NOT_SCHEDULED  # seq of its pending close
    giving_up: bool = False  # the pending close is its own connect timeout


class SimulatedPeers:
    """The remote peers of a scenario, played from the connections it drew."""

    external = False

    def __init__(self, scheduler: Scheduler, mta: Mta, arrivals: Iterable[ConnSpec]) -> None:
        self.scheduler = scheduler
        self.mta = mta
        self._arrivals: Iterator[ConnSpec] = iter(arrivals)
        self._pending: ConnSpec | None = None
        self._last_arrival = -1
        self._peers: dict[int, _Peer] = {}
        scheduler.bind(
            {
                Kind.ARRIVAL: self._arrival,
                Kind.PEER_DATA: self._data,
                Kind.PEER_CLOSE: self._close,
            }
        )

    def start(self) -> None:
        """Schedule the first arrival."""
        self._next_arrival()

    # -- what the MTA tells the peers --------------------------------------------------------
    def cc_sent(self, conn: int, t: Micros) -> None:
        peer = self._peers[conn]
        spec = peer.spec
        sched = self.scheduler
        if peer.giving_up:
            if not spec.cc_in_time(t):
                return  # too late: the peer's close is already on its way
            sched.cancel(peer.close)
            peer.close = NOT_SCHEDULED
            peer.giving_up = False
        back = spec.data_at(t)
        if spec.data_units > 0:
            sched.at(back, Kind.PEER_DATA, conn)
        else:
            closing = spec.close_after(back)
            if closing is not None:
                peer.close = sched.at(closing, Kind.PEER_CLOSE, conn)

    def finished(self, conn: int) -> None:
        peer = self._peers.pop(conn, None)
        if peer is not None:
            self.scheduler.cancel(peer.close)

    # -- the peers' occurrences --------------------------------------------------------------
    def _arrival(self, occ: Occurrence) -> None:
        spec = self._pending
        assert spec is not None and spec.conn == occ[3]
        self._pending = None
        self._next_arrival()
        t = occ[0]
        peer = self._peers[spec.conn] = _Peer(spec)
        giving_up = None if spec.give_up is None else spec.give_up_at()
        if self.mta.arrive(spec, t, self) and giving_up is not None:
            peer.close = self.scheduler.at(giving_up, Kind.PEER_CLOSE, spec.conn)
            peer.giving_up = True

    def _data(self, occ: Occurrence) -> None:
        t = occ[0]
        conn = occ[3]
        peer = self._peers[conn]
        spec = peer.spec
        self.mta.data(conn, t, spec.data_units, (("units", spec.data_units),))
        closing = spec.close_after(t)
        if closing is not None:
            peer.close = self.scheduler.at(closing, Kind.PEER_CLOSE, conn)

    def _close(self, occ: Occurrence) -> None:
        conn = occ[3]
        peer = self._peers[conn]
        peer.close = NOT_SCHEDULED
        if peer.giving_up:
            self.mta.counters.peer_gave_up += 1
        self.mta.close(conn, occ[0], (("reset", True),) if peer.spec.reset else ())

    def _next_arrival(self) -> None:
        spec = next(self._arrivals, None)
        self._pending = spec
        if spec is None:
            return
        if spec.arrival < self._last_arrival:
            raise ValueError(
                f"arrivals must not go back in time: connection {spec.conn} at {spec.arrival} µs"
                f" after one at {self._last_arrival} µs"
            )
        self._last_arrival = spec.arrival
        if self.scheduler.at(spec.arrival, Kind.ARRIVAL, spec.conn) == NOT_SCHEDULED:
            self._pending = None


class ExternalPeers:
    """Peers outside the model: real ones (live mode) or recorded ones (a replay)."""

    external = True

    def __init__(self, scheduler: Scheduler, mta: Mta) -> None:
        self.scheduler = scheduler
        self.mta = mta
        scheduler.bind(
            {},
            external={
                Kind.ARRIVAL: self._arrival,
                Kind.PEER_DATA: self._data,
                Kind.PEER_CLOSE: self._close,
            },
        )

    @staticmethod
    def check(ext: External) -> External:
        """Raise ``ValueError`` for an input no peer can send."""
        if ext.kind is Kind.ARRIVAL:
            spec = ext.spec
            if not isinstance(spec, ConnSpec) or spec.conn != ext.conn or spec.arrival != ext.t:
                raise ValueError(f"an external arrival needs its connection's spec: {ext}")
        elif ext.kind not in (Kind.PEER_DATA, Kind.PEER_CLOSE):
            raise ValueError(f"{ext.kind.label} is not an external input")
        if ext.kind is Kind.PEER_DATA and not isinstance(dict(ext.detail).get("units"), int):
            raise ValueError(f"external data needs ('units', n) in its detail: {ext}")
        return ext

    def inject(self, ext: External) -> Occurrence:
        """A real peer's input, now (live mode)."""
        return self.scheduler.inject(self.check(ext))

    def feed(self, externals: Iterable[External]) -> None:
        """Recorded peers' inputs, in time order (a replay)."""
        self.scheduler.feed(self.check(ext) for ext in externals)

    def cc_sent(self, conn: int, t: Micros) -> None:
        """A real peer reacts to its CC by itself."""

    def finished(self, conn: int) -> None:
        """Nothing to cancel: a real peer's inputs are not scheduled in advance."""

    def _arrival(self, occ: Occurrence, ext: External) -> None:
        self.mta.arrive(ext.spec, occ[0], self)

    def _data(self, occ: Occurrence, ext: External) -> None:
        if not self.mta.holds(ext.conn):
            return  # the MTA closed it first: the data went nowhere
        self.mta.data(ext.conn, occ[0], int(dict(ext.detail)["units"]), ext.detail)

    def _close(self, occ: Occurrence, ext: External) -> None:
        if not self.mta.holds(ext.conn):
            return  # the MTA closed it first (timer, refusal): nothing reaches the NSI
        self.mta.close(ext.conn, occ[0], ext.detail)
