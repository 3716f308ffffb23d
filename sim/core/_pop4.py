"""POP4 and the NSI: associations, control blocks, and the one place a row's effects happen.

Rules of this module:

* :class:`Pop4` owns the control-block pool and one :class:`Association` per connection it
  holds. Its four inputs (:meth:`Pop4.connect_indication`, :meth:`~Pop4.ok_response`,
  :meth:`~Pop4.close_request`, :meth:`~Pop4.data`) look up the build's row (``_state.py`` has
  every rule, the special cases included) and carry out the row's effects, in the row's
  order, here and nowhere else: events are logged (through the Interface logging level,
  ``_logging.py``), control blocks returned or leaked, and what concerns the rest of the MTA
  goes to its two ports — the kernel (:class:`Kernel`: request or withdraw an OK response) and
  the transport (:class:`Transport`: send the CC, refuse the connection).
* When the run is watched (a :class:`~sim.core.Tape`), every transition that fires and every
  event logged is written to it; otherwise only the counters move.

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``ok-response``, ``pop4-task``, ``accept-error``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from ._builds import Build
from ._catalog import CATALOG, POP4_UP, WSAECONNRESET, EventId, TaskHeader
from ._counters import Counters
from ._errors import ProtocolError
from ._events import Event
from ._logging import LoggingLevel, is_logged
from ._lpi import LISTENER_CB, NETWORK_TCPIP, POP4_COMPONENT, ControlBlockPool, Lpi
from ._state import LOGS, REFUSAL, Effect, Input, Key, State, Transition, transition
from ._steps import Fired, Refusal, Tape
from ._time import Micros, at


class Kernel(Protocol):
    """The MTA kernel, as POP4 sees it."""

    def request_ok(self, conn: int, t: Micros) -> None: ...

    def withdraw_ok(self, conn: int) -> None: ...


class Transport(Protocol):
    """The Winsock layer, as POP4 sees it."""

    def send_cc(self, conn: int, t: Micros) -> None: ...

    def refuse(self, conn: int, reason: Refusal) -> None: ...


#: What :meth:`Pop4._carry_out` does for each effect, as a small int (compared natively when
#: the core is compiled); a logging effect is ``_LOG`` with its event and given fields.
_LOG: Final = 0
_REQUEST_OK: Final = 1
_SEND_CC: Final = 2
_CANCEL_OK: Final = 3
_RELEASE_CB: Final = 4
_LEAK_CB: Final = 5
_DELIVER: Final = 6
_DISCARD: Final = 7
_REFUSE: Final = 8
_OPCODE: dict[Effect, int] = {
    Effect.REQUEST_OK: _REQUEST_OK,
    Effect.SEND_CC: _SEND_CC,
    Effect.CANCEL_OK: _CANCEL_OK,
    Effect.RELEASE_CB: _RELEASE_CB,
    Effect.LEAK_CB: _LEAK_CB,
    Effect.DELIVER: _DELIVER,
    Effect.DISCARD: _DISCARD,
    Effect.REFUSE: _REFUSE,
}
#: One effect, ready to carry out: its opcode, and for ``_LOG`` the event and its given fields.
Op = tuple[int, EventId | None, tuple[tuple[str, object], ...]]


def _ops(row: Transition, logs: frozenset[EventId]) -> tuple[Op, ...]:
    """A row's effects as opcodes, in the row's order. A logging effect whose event this
    logging level does not write is left out (it would do nothing), and so is ``IGNORE``."""
    ops: list[Op] = []
    for effect in row.effects:
        log = LOGS.get(effect)
        if log is not None:
            if log[0] in logs:
                ops.append((_LOG, log[0], log[1]))
        elif effect in _OPCODE:
            ops.append((_OPCODE[effect], None, ()))
    return tuple(ops)


@dataclass(slots=True)
class Association:
    """POP4's record of one connection."""

    conn: int
    cb: int
    lpi: Lpi
    state: State


class Pop4:
    """The POP4 component and its NSI, for one build."""

    __slots__ = (
        "_assocs",
        "_logs",
        "_lpis",
        "_refusal",
        "_rows",
        "_table",
        "build",
        "component",
        "counters",
        "epoch",
        "header",
        "kernel",
        "level",
        "pool",
        "tape",
        "transport",
    )

    def __init__(
        self,
        build: Build,
        pool: ControlBlockPool,
        level: LoggingLevel,
        epoch: datetime,
        *,
        counters: Counters,
        kernel: Kernel,
        transport: Transport,
        tape: Tape | None = None,
        task: TaskHeader = POP4_UP,
        lpi_component: int = POP4_COMPONENT,
    ) -> None:
        self.build = build
        #: The task header POP4's events print, ``None`` when it is the catalog's.
        self.header = None if task == POP4_UP else task
        self.component = lpi_component
        self.pool = pool
        self.level = level
        self.epoch = epoch
        self.counters = counters
        self.kernel = kernel
        self.transport = transport
        self.tape = tape
        self._assocs: dict[int, Association] = {}
        self._lpis: dict[int, Lpi] = {}
        # The build's whole table, merged once; and which event ids this level writes.
        self._table = build.table()
        self._logs = frozenset(e for e in EventId if is_logged(CATALOG[e], level))
        # Each row with its effects as opcodes (derived from the table, never restated).
        self._rows: dict[Key, tuple[Transition, tuple[Op, ...]]] = {
            key: (row, _ops(row, self._logs)) for key, row in self._table.items()
        }
        self._refusal = (REFUSAL, _ops(REFUSAL, self._logs))

    # -- queries -----------------------------------------------------------------------------
    def state(self, conn: int) -> State:
        """The connection's state; ``CLOSED`` for a connection POP4 does not hold."""
        assoc = self._assocs.get(conn)
        return State.CLOSED if assoc is None else assoc.state

    @property
    def open_associations(self) -> int:
        return sum(1 for a in self._assocs.values() if a.state is State.OPEN)

    # -- set-up ------------------------------------------------------------------------------
    def preopen(self, conn: int) -> Association:
        """An association already open when the run starts: no input, no event."""
        cb = self.pool.allocate()
        assoc = Association(conn, cb, self._lpi(cb), State.OPEN)
        self._assocs[conn] = assoc
        return assoc

    # -- inputs ------------------------------------------------------------------------------
    def connect_indication(self, conn: int, t: Micros) -> Association | None:
        """A connection accepted from the Winsock backlog (``Input.OPEN``). Returns its
        association, or ``None`` when it was refused (the refusal path, ``_state.py``)."""
        existing = self._assocs.get(conn)
        if existing is not None:
            self._apply(existing, Input.OPEN, t)
            return existing
        cb = self.pool.try_allocate()
        if cb is None:
            self._carry_out(None, conn, State.IDLE, Input.OPEN, self._refusal, t)
            return None
        assoc = Association(conn, cb, self._lpi(cb), State.IDLE)
        self._assocs[conn] = assoc
        self._apply(assoc, Input.OPEN, t)
        return assoc

    def ok_response(self, conn: int, t: Micros) -> None:
        """The MTA kernel's OK response for ``conn`` (``Input.OK``)."""
        self._input(conn, Input.OK, t)

    def close_request(self, conn: int, t: Micros) -> None:
        """A Close Request received at the NSI (``Input.CLOSE``)."""
        self._input(conn, Input.CLOSE, t)

    def accept_error(self, t: Micros) -> None:
        """The listener's accept failed with WSAECONNRESET (rule ``accept-error``): 9202 on
        the listener's control block. No association, no row of the table."""
        given = (("cb", LISTENER_CB), ("error_code", WSAECONNRESET))
        self._log(EventId.ACCEPT_ERROR, given, None, t)

    def data(self, conn: int, t: Micros) -> None:
        """A data unit from the peer (``Input.DATA``)."""
        self._input(conn, Input.DATA, t)

    # -- the table ---------------------------------------------------------------------------
    def _lpi(self, cb: int) -> Lpi:
        lpi = self._lpis.get(cb)
        if lpi is None:
            lpi = self._lpis[cb] = Lpi.for_cb(cb, self.component)
        return lpi

    def _input(self, conn: int, event: Input, t: Micros) -> None:
        assoc = self._assocs.get(conn)
        if assoc is None:
            # Not held: the CLOSED rows decide (the late OK), or it is an error.
            row = self._rows.get((State.CLOSED, event))
            if row is None:
                transition(State.CLOSED, event, self.build.overrides)  # raises
                raise ProtocolError(f"connection {conn}: {event.value} in closed")
            self._carry_out(None, conn, State.CLOSED, event, row, t)
            return
        self._apply(assoc, event, t)

    def _apply(self, assoc: Association, event: Input, t: Micros) -> None:
        before = assoc.state
        row = self._rows.get((before, event))
        if row is None:
            assoc.state = State.ERROR
            transition(before, event, self.build.overrides)  # raises the precise error
            raise ProtocolError(f"connection {assoc.lpi}: {event.value} in {before.value}")
        self._carry_out(assoc, assoc.conn, before, event, row, t)
        after = row[0].next_state
        assoc.state = after
        if after is State.CLOSED:
            del self._assocs[assoc.conn]

    def _carry_out(  # noqa: PLR0917 - the hot path: no keyword arguments
        self,
        assoc: Association | None,
        conn: int,
        before: State,
        event: Input,
        row: tuple[Transition, tuple[Op, ...]],
        t: Micros,
    ) -> None:
        """Every effect of every row happens here, in the row's order."""
        tape = self.tape
        counters = self.counters
        if tape is not None:
            tape.fired.append(Fired(before, event, row[0]))
        if event is Input.CLOSE:
            if before is State.OPENING:
                counters.race_closes += 1
            else:
                counters.normal_closes += 1
        for op, event_id, given in row[1]:
            if op == _LOG:
                assert event_id is not None
                self._log(event_id, given, assoc, t)
            elif op == _REQUEST_OK:
                self.kernel.request_ok(conn, t)
            elif op == _SEND_CC:
                self.transport.send_cc(conn, t)
            elif op == _RELEASE_CB:
                assert assoc is not None
                self.pool.release(assoc.cb)
            elif op == _DELIVER:
                counters.data_units += 1
            elif op == _DISCARD:
                counters.late_ok_discarded += 1
            elif op == _REFUSE:
                self.transport.refuse(conn, Refusal.NO_CONTROL_BLOCK)
            elif op == _CANCEL_OK:
                counters.ok_cancelled += 1
                self.kernel.withdraw_ok(conn)
            elif op == _LEAK_CB:
                assert assoc is not None
                self.pool.leak(assoc.cb)

    def _log(
        self,
        event_id: EventId,
        given: tuple[tuple[str, object], ...],
        assoc: Association | None,
        t: Micros,
    ) -> None:
        if event_id not in self._logs:
            return
        logged = self.counters.logged
        logged[event_id] = logged.get(event_id, 0) + 1
        tape = self.tape
        if tape is None:
            return
        # What POP4 knows at this moment; the event takes the fields its catalog entry names.
        known: dict[str, object] = {"network": NETWORK_TCPIP, "configured_count": self.pool.size}
        if assoc is not None:
            known["cb"] = assoc.cb
            known["lpi"] = assoc.lpi
        known.update(given)
        spec = CATALOG[event_id]
        fields = {name: known[name] for name in spec.fields}
        if self.header is not None and spec.task == POP4_UP:
            fields["header"] = self.header
        tape.events.append(Event(event_id, t, at(self.epoch, t), **fields))  # type: ignore[arg-type]
