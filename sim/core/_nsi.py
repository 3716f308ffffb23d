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
from typing import Any, NamedTuple

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


_NO_CB = (EventId.NO_FREE_CONTROL_BLOCKS,)


class NsiStep(NamedTuple):
    """What one input did. (A tuple: one is made per input, on the hot path.)"""

    conn: int
    state_before: State
    row: Transition | None
    events: tuple[Event, ...]
    refused: bool = False
    #: The ids of the events logged, also when the NSI makes no Event values (events=False).
    logged: tuple[EventId, ...] = ()
    #: The row's effects (``()`` without a row).
    effects: tuple[Effect, ...] = ()

    def has(self, effect: Effect) -> bool:
        return effect in self.effects


def _step(fields: tuple[Any, ...]) -> NsiStep:
    """Make an NsiStep without the named tuple's Python-level ``__new__`` (hot path)."""
    step: NsiStep = _new_tuple(NsiStep, fields)
    return step


_new_tuple: Any = tuple.__new__


class Nsi:
    """The network services interface of one MTA, for one build."""

    __slots__ = (
        "_assocs",
        "_events",
        "_logs",
        "_lpis",
        "_table",
        "build",
        "epoch",
        "level",
        "pool",
    )

    def __init__(
        self,
        build: Build,
        pool: ControlBlockPool,
        level: LoggingLevel,
        epoch: datetime,
        *,
        events: bool = True,
    ) -> None:
        self.build = build
        self.pool = pool
        self.level = level
        self.epoch = epoch
        self._assocs: dict[int, Association] = {}
        # The build's whole table, merged once; and which event ids this level writes.
        self._table = build.table()
        self._events = events  # False: count what is logged, make no Event values
        self._lpis: dict[int, Lpi] = {}
        self._logs = frozenset(e for e in EventId if is_logged(CATALOG[e], level))

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
            if EventId.NO_FREE_CONTROL_BLOCKS not in self._logs:
                return _step((conn, State.IDLE, None, (), True, (), ()))
            if not self._events:
                return _step((conn, State.IDLE, None, (), True, _NO_CB, ()))
            event = Event(
                EventId.NO_FREE_CONTROL_BLOCKS,
                t,
                at(self.epoch, t),
                network=NETWORK_TCPIP,
                configured_count=self.pool.size,
            )
            return _step((conn, State.IDLE, None, (event,), True, _NO_CB, ()))
        lpi = self._lpis.get(cb)
        if lpi is None:
            lpi = self._lpis[cb] = Lpi.for_cb(cb)
        assoc = Association(conn, cb, lpi, State.IDLE)
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
            row = self._table.get((State.CLOSED, event))
            if row is None:
                row = transition(State.CLOSED, event, self.build.overrides)  # raises
            return _step((conn, State.CLOSED, row, (), False, (), row.effects))
        return self._apply(assoc, event, t)

    def _apply(self, assoc: Association, event: Input, t: Micros) -> NsiStep:
        before = assoc.state
        if before is State.ERROR:
            raise ProtocolError(f"connection {assoc.lpi} is in the error state")
        row = self._table.get((before, event))
        if row is None:
            assoc.state = State.ERROR
            transition(before, event, self.build.overrides)  # raises the precise error
            raise AssertionError("unreachable")  # pragma: no cover
        events: list[Event] = []
        logged: list[EventId] = []
        logs = self._logs
        make = self._events
        for effect in row.effects:
            if effect is Effect.LOG_4258:
                if EventId.NSI_MESSAGE_RECEIVED in logs:
                    logged.append(EventId.NSI_MESSAGE_RECEIVED)
                    if make:
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
                if EventId.BAD_LPI in logs:
                    logged.append(EventId.BAD_LPI)
                    if make:
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
        if not logged:
            return _step((assoc.conn, before, row, (), False, (), row.effects))
        return _step((assoc.conn, before, row, tuple(events), False, tuple(logged), row.effects))
