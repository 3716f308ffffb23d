"""The NSI and POP4: associations, control blocks and the events they log.

Rules of this module:

* :class:`Nsi` owns the control-block pool and one :class:`Association` per live connection.
  Its four methods are the four inputs of ``_state.Input``; each looks up the build's row,
  applies the row's effects in order, and returns an :class:`NsiStep` that says what the
  driver must do (send the CC, ask or cancel the kernel's OK response) and which events were
  logged.
* A connection the NSI no longer knows is in state ``CLOSED``: an OK response for it is the
  "late OK" row. Associations are forgotten when they close, so memory follows what is open.
* A connect indication with no free control block is refused with event 9156
  (KB Q229643, KB Q166602) and never enters the table.
* Events are filtered by the Interface logging level here (``_logging.is_logged``): the core
  decides what the MTA writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ._builds import Build
from ._errors import ProtocolError
from ._events import BAD_LPI_ERROR_CODE, CATALOG, CLOSE_REQUEST, Event, EventId
from ._logging import LoggingLevel, is_logged
from ._lpi import NETWORK_TCPIP, ControlBlockPool, Lpi, PoolExhausted
from ._state import Effect, Input, State, Transition, transition
from ._time import Micros, at


@dataclass(slots=True)
class Association:
    """POP4's record of one connection."""

    conn: int
    cb: int
    lpi: Lpi
    state: State


@dataclass(frozen=True, slots=True)
class NsiStep:
    """What one input did."""

    conn: int
    state_before: State
    row: Transition | None
    events: tuple[Event, ...]
    refused: bool = False

    @property
    def effects(self) -> tuple[Effect, ...]:
        return () if self.row is None else self.row.effects

    def has(self, effect: Effect) -> bool:
        return self.row is not None and effect in self.row.effects


class Nsi:
    """The network services interface of one MTA, for one build."""

    __slots__ = ("_assocs", "build", "epoch", "level", "pool")

    def __init__(
        self,
        build: Build,
        pool: ControlBlockPool,
        level: LoggingLevel,
        epoch: datetime,
    ) -> None:
        self.build = build
        self.pool = pool
        self.level = level
        self.epoch = epoch
        self._assocs: dict[int, Association] = {}

    # -- queries -----------------------------------------------------------------------
    def state(self, conn: int) -> State:
        assoc = self._assocs.get(conn)
        return State.CLOSED if assoc is None else assoc.state

    def association(self, conn: int) -> Association | None:
        return self._assocs.get(conn)

    @property
    def open_associations(self) -> int:
        return sum(1 for a in self._assocs.values() if a.state is State.OPEN)

    @property
    def live(self) -> int:
        return len(self._assocs)

    # -- set-up ------------------------------------------------------------------------
    def preopen(self, conn: int) -> Association:
        """An association already open when the run starts: no input, no event."""
        cb = self.pool.allocate()
        assoc = Association(conn, cb, Lpi.for_cb(cb), State.OPEN)
        self._assocs[conn] = assoc
        return assoc

    # -- inputs ------------------------------------------------------------------------
    def connect_indication(self, conn: int, t: Micros) -> NsiStep:
        """A connection accepted from the Winsock backlog reaches POP4 (``Input.OPEN``)."""
        existing = self._assocs.get(conn)
        if existing is not None:
            return self._apply(existing, Input.OPEN, t)
        try:
            cb = self.pool.allocate()
        except PoolExhausted:
            event = Event(
                EventId.NO_FREE_CONTROL_BLOCKS,
                t,
                at(self.epoch, t),
                network=NETWORK_TCPIP,
                configured_count=self.pool.size,
            )
            return NsiStep(conn, State.IDLE, None, self._logged(event), refused=True)
        assoc = Association(conn, cb, Lpi.for_cb(cb), State.IDLE)
        self._assocs[conn] = assoc
        return self._apply(assoc, Input.OPEN, t)

    def ok_response(self, conn: int, t: Micros) -> NsiStep:
        """The MTA kernel's OK response for ``conn`` (``Input.OK``)."""
        return self._input(conn, Input.OK, t)

    def close_request(self, conn: int, t: Micros) -> NsiStep:
        """A Close Request received at the NSI (``Input.CLOSE``)."""
        return self._input(conn, Input.CLOSE, t)

    def data(self, conn: int, t: Micros) -> NsiStep:
        """A data unit from the peer (``Input.DATA``)."""
        return self._input(conn, Input.DATA, t)

    # -- internals ---------------------------------------------------------------------
    def _input(self, conn: int, event: Input, t: Micros) -> NsiStep:
        assoc = self._assocs.get(conn)
        if assoc is None:
            # Gone: the CLOSED rows of the table decide (late OK), or it is an error.
            row = transition(State.CLOSED, event, self.build.overrides)
            return NsiStep(conn, State.CLOSED, row, ())
        return self._apply(assoc, event, t)

    def _apply(self, assoc: Association, event: Input, t: Micros) -> NsiStep:
        before = assoc.state
        if before is State.ERROR:
            raise ProtocolError(f"connection {assoc.lpi} is in the error state")
        try:
            row = transition(before, event, self.build.overrides)
        except ProtocolError:
            assoc.state = State.ERROR
            raise
        events: list[Event] = []
        for effect in row.effects:
            if effect is Effect.LOG_4258:
                events.append(
                    Event(
                        EventId.NSI_MESSAGE_RECEIVED,
                        t,
                        at(self.epoch, t),
                        cb=assoc.cb,
                        lpi=assoc.lpi,
                        message_type=CLOSE_REQUEST,
                    )
                )
            elif effect is Effect.LOG_4283:
                events.append(
                    Event(
                        EventId.BAD_LPI,
                        t,
                        at(self.epoch, t),
                        cb=assoc.cb,
                        lpi=assoc.lpi,
                        error_code=BAD_LPI_ERROR_CODE,
                    )
                )
            elif effect is Effect.RELEASE_CB:
                self.pool.release(assoc.cb)
            elif effect is Effect.LEAK_CB:
                self.pool.leak(assoc.cb)
        assoc.state = row.next_state
        if row.next_state is State.CLOSED:
            del self._assocs[assoc.conn]
        return NsiStep(assoc.conn, before, row, self._logged(*events))

    def _logged(self, *events: Event) -> tuple[Event, ...]:
        level = self.level
        return tuple(e for e in events if is_logged(CATALOG[e.event_id], level))
