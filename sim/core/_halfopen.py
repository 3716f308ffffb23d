"""The listener's half-open table: SYN floods, and the connection requests a full table resets.

Rules of this module:

* A SYN flood (a ``[[peers]]`` group of ``kind = "syn-flood"``) sends SYNs from spoofed
  addresses: the stack answers each with a SYN-ACK that nobody acknowledges, and keeps it
  half-open (SYN_RECEIVED) until the SYN-ACK schedule of ``TcpMaxConnectResponseRetransmissions``
  drops it (rule ``syn-ack-schedule``, ``_tcp.py``: 3, 9, 21 or 45 s; scenario key
  ``winsock.syn_ack_retransmissions``). A flood SYN at ``t`` holds its slot from ``t`` until
  exactly ``t + lifetime``.
* The table holds at most ``limit`` half-open connections (scenario key
  ``winsock.max_half_open``, whose registry name is ``TcpMaxHalfOpen``). "Once the limit is
  reached for a given TCP port, the target computer responds with a reset to all further
  connection requests until resources are freed" (KB Q142641): a flood SYN that finds the table
  full is reset and takes no slot (``flood_reset``), and so is a legitimate connection request
  (``refused_half_open``, rule ``half-open-full``). The MTA logs nothing for it: it never saw
  the connection, and no KB shows an event for it. A trace's arrival line says
  ``"refused": "half-open table full"`` (``Refusal.HALF_OPEN``).
* A legitimate connection holds no slot: its handshake takes no virtual time in the model
  (rule ``handshake``). So the table's occupancy at any instant is a function of the floods'
  SYN times alone, and the table is evaluated lazily, up to the instant a legitimate
  connection request arrives (:meth:`HalfOpenTable.refuses`): the MTA never sees a half-open
  connection, so no flood SYN is an input it consumes, a step, or a trace line. A replay
  re-derives the floods from the scenario in the trace's header. A summary counts the whole
  flood (``flood_syns``, ``flood_reset``): it plays the SYNs after the last request on copies
  (:meth:`HalfOpenTable.settled`), so taking one while a run goes on changes nothing.
* **At one instant** (rule ``half-open-tie``, the tie rule's order of endings before
  arrivals): the slots whose time is up are freed first, then the floods' SYNs of that instant
  take slots, then a legitimate connection request of that instant finds the table as they
  left it. So a legitimate SYN at exactly ``t + lifetime`` finds the slot of the flood SYN of
  ``t`` free, unless a flood SYN of that same instant took it.
* ``SynAttackProtect`` is not modelled: its documented effect (the stack "shortens the required
  interval between SYN-ACK ... retransmissions" once ``TcpMaxHalfOpen`` is exceeded) has no
  documented interval. Nor is the client's ``TcpMaxConnectRetransmissions`` (rule
  ``connect-retransmissions``): it applies to a SYN dropped without an answer, and no source
  says when a Windows listener drops one; a full table answers with a reset, which ends the
  client's attempt (docs/model.md).

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``half-open-full``, ``half-open-tie``.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ._counters import Counters
from ._time import Micros


@dataclass(frozen=True, slots=True)
class HalfOpenConfig:
    """The half-open table of one run: its limit, how long a flood SYN holds its slot, and
    the floods' SYN times."""

    #: ``TcpMaxHalfOpen``: the most half-open connections the table holds.
    limit: int
    #: How long an unanswered SYN-ACK keeps its slot (``half_open_lifetime`` of the run's
    #: ``TcpMaxConnectResponseRetransmissions``), µs.
    lifetime: Micros
    #: A new iterator of the floods' SYN times (µs, in time order) on each call: the scenario
    #: layer draws them (the core draws nothing).
    syns: Callable[[], Iterable[Micros]]


class HalfOpenTable:
    """The half-open table of one listener, filled by the floods' SYNs."""

    __slots__ = ("_counters", "_drops", "_lifetime", "_limit", "_next", "_syns")

    def __init__(self, config: HalfOpenConfig, counters: Counters) -> None:
        self._limit = config.limit
        self._lifetime = config.lifetime
        self._counters = counters
        self._syns: Iterator[Micros] = iter(config.syns())
        self._next: Micros | None = next(self._syns, None)
        #: When each slot in use is freed, in order (one lifetime for all: times only grow).
        self._drops: deque[Micros] = deque()

    @property
    def occupancy(self) -> int:
        """Half-open connections held after the last instant evaluated."""
        return len(self._drops)

    def advance(self, t: Micros) -> None:
        """Play the floods up to and including the instant ``t``: slots freed, then SYNs."""
        drops = self._drops
        syn = self._next
        while syn is not None and syn <= t:
            while drops and drops[0] <= syn:
                drops.popleft()
            self._counters.flood_syns += 1
            if len(drops) < self._limit:
                drops.append(syn + self._lifetime)
            else:
                self._counters.flood_reset += 1
            syn = next(self._syns, None)
        self._next = syn
        while drops and drops[0] <= t:
            drops.popleft()

    @classmethod
    def of(cls, config: HalfOpenConfig | None, counters: Counters) -> HalfOpenTable | None:
        """The table of a run (``None`` without a flood: it never fills)."""
        return None if config is None else cls(config, counters)

    def refuses(self, t: Micros) -> bool:
        """A legitimate connection request at ``t`` finds the table full: it is reset, and
        counted (``refused_half_open``)."""
        self.advance(t)
        if len(self._drops) < self._limit:
            return False
        self._counters.refused_half_open += 1
        return True

    def finish(self) -> None:
        """Play the rest of the floods (the run is over): their counts are complete."""
        while self._next is not None:
            self.advance(self._next)

    def settled(self) -> Counters:
        """The run's counters with the rest of the floods played, on copies: the table and the
        run's counters stay as they are, so a summary taken while a run goes on (live mode)
        changes nothing of it."""
        if self._next is None:
            return self._counters
        rest = list(self._syns)
        self._syns = iter(rest)
        ghost = copy.copy(self)
        ghost._counters = copy.copy(self._counters)
        ghost._drops = deque(self._drops)
        ghost._syns = iter(rest)
        ghost.finish()
        return ghost._counters


def settled_counters(table: HalfOpenTable | None, counters: Counters) -> Counters:
    """The counters a summary shows: ``counters``, with the rest of the floods played
    (:meth:`HalfOpenTable.settled`) when the run has a half-open table."""
    return counters if table is None else table.settled()
