"""Steps that say what happened: one frozen value per input the MTA consumed.

Rules of this module:

* A :class:`Step` is made for every input the MTA consumes, when someone watches the run (a
  trace, a sink, a picture, the live listener); a run nobody watches makes none and only counts
  (``sim.core.Counters``).
* It holds the facts, as typed values, never strings to match: the input (:class:`Record`, as
  a trace writes it, and whether it came from outside the model), the POP4 transitions that
  fired (:class:`Fired`: state, input, the row with its effects and source), the actions of the
  Winsock layer towards the peer (:class:`SendCC`, :class:`Refuse`, :class:`CloseOnTimeout`),
  and the events logged, in order.
* Readers take what they need from these facts: the trace writer the record and the events,
  the live listener the actions, the pictures all of it. Nobody re-runs a state machine to find
  out what the model did.
"""

from __future__ import annotations

import enum
from typing import Any, NamedTuple

from ._events import Event
from ._scheduler import Kind
from ._state import Effect, Input, State, Transition
from ._time import Micros


class Record(NamedTuple):
    """One input the MTA consumed, as a trace line carries it: ``detail`` in trace order,
    without the marks the trace writer adds (``external``, ``dropped``)."""

    t: Micros
    kind: Kind
    conn: int
    detail: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        """The value of one detail field."""
        for name, value in self.detail:
            if name == key:
                return value
        return default


class Fired(NamedTuple):
    """One row of the build's POP4 table, applied to a connection."""

    state: State
    input: Input
    row: Transition

    @property
    def effects(self) -> tuple[Effect, ...]:
        return self.row.effects

    @property
    def next_state(self) -> State:
        return self.row.next_state


class Refusal(enum.Enum):
    """Why the MTA refused a connection."""

    BACKLOG = "backlog"  #: the listen backlog was full: a TCP reset, no event
    NO_CONTROL_BLOCK = "no free control block"  #: 9156, a DR (congestion) on the wire
    HALF_OPEN = "half-open table full"  #: a SYN flood filled it: a TCP reset, no event


class SendCC(NamedTuple):
    """The OK response went out to the peer as the CC."""

    conn: int


class Refuse(NamedTuple):
    """The connection was refused."""

    conn: int
    reason: Refusal


class CloseOnTimeout(NamedTuple):
    """The MTA's response timer fired before the OK response: the transport closed the
    connection and delivered a Close Request to the NSI."""

    conn: int


Action = SendCC | Refuse | CloseOnTimeout


class Step(NamedTuple):
    """What one input did."""

    record: Record
    #: The input came from outside the model (a real peer, or a recorded one).
    external: bool
    fired: tuple[Fired, ...]
    actions: tuple[Action, ...]
    events: tuple[Event, ...]
    #: An outside input that reached no POP4 table (data for a connection this build never
    #: opened: only when a live trace is replayed on another build).
    dropped: bool = False

    @property
    def t(self) -> Micros:
        return self.record.t

    @property
    def kind(self) -> Kind:
        return self.record.kind

    @property
    def conn(self) -> int:
        return self.record.conn

    def fired_row(self, state: State, event: Input) -> Fired | None:
        """The transition of this step from ``state`` on ``event``, if one fired."""
        for fired in self.fired:
            if fired.state is state and fired.input is event:
                return fired
        return None


class Tape:
    """The facts of the step in progress (mutable, reused; only when someone watches)."""

    __slots__ = ("actions", "events", "fired")

    def __init__(self) -> None:
        self.fired: list[Fired] = []
        self.actions: list[Action] = []
        self.events: list[Event] = []

    def take(self, record: Record, external: bool = False, dropped: bool = False) -> Step:
        """Freeze the facts into a :class:`Step` and start the next one."""
        step = Step(
            record,
            external,
            tuple(self.fired),
            tuple(self.actions),
            tuple(self.events),
            dropped,
        )
        self.fired.clear()
        self.actions.clear()
        self.events.clear()
        return step
