"""POP4's per-connection state machine: every rule of it, in this file.

Rules of this module (read these before the code; they are all of POP4's rules):

* One connection (one LPI) is in one of five states: ``IDLE`` (no connection yet),
  ``OPENING`` (the connect indication reached the NSI; POP4 has not received the kernel's OK
  response yet), ``OPEN`` (the OK response was sent; the association is up), ``CLOSED``,
  ``ERROR``.
* Inputs reach POP4 from below (the Winsock layer via the NSI) or from above (the MTA
  kernel): ``OPEN`` (connect indication), ``OK`` (the kernel's OK response), ``CLOSE`` (a Close
  Request received at the NSI: the MTA's response timer closed the connection, or the peer
  closed, reset or gave up on it), ``DATA`` (a data unit from the peer).
* :data:`BASE_TABLE` is the Exchange 5.5 SP4 table. A build is a policy: a small dict of rows
  that replace rows of the base table (see ``_builds.py``). A (state, input) pair in neither is
  a protocol error, never a silent fall-through: :func:`transition` raises
  :class:`LocalProtocolError` or :class:`RemoteProtocolError` by who sent the input.
* Three special cases, written here because they are not rows of a table:

  - **CLOSED is where a connection POP4 no longer holds is.** An association is forgotten when
    its row leads to ``CLOSED`` (memory follows what is open), so an input naming a
    connection POP4 does not hold is looked up in the ``CLOSED`` rows (the late OK).
  - **ERROR accepts nothing.** A protocol error moves the connection to ``ERROR``; any input
    in ``ERROR`` is a :class:`ProtocolError` (as in h11: a connection that broke the protocol
    stays broken).
  - **The refusal path.** A connect indication when no control block is free never enters
    the table: POP4 applies :data:`REFUSAL` (log 9156, refuse the connection) and the
    connection is forgotten (KB Q229643: "There are no free control blocks available for
    network type 1"; KB Q166602: one control block per association).
* Rows name their source. KB Q319936: a Close Request while the OK response is pending logs
  4258 then 4283, in one step (rule ``same-step``). KB Q266792: on SP4, "The fix ensures that
  after these events are logged, control blocks are managed correctly". KB Q229643: a
  repeated Open is ignored as a "Duplicate Open".
  **[inferred]**: the late OK on a closed connection is discarded; data before the OK
  response is the peer's protocol error (ISO 8073 class 0: no DT before the CC).
* The effects of a row are carried out in the order the row lists them, all in one place:
  ``_pop4.py``. :data:`LOGS` says which event each logging effect writes.

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``same-step``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ._catalog import BAD_LPI_ERROR_CODE, CLOSE_REQUEST, EventId
from ._errors import LocalProtocolError, RemoteProtocolError


class State(enum.Enum):
    IDLE = "idle"
    OPENING = "opening"
    OPEN = "open"
    CLOSED = "closed"
    ERROR = "error"

    # Members are singletons: hash by identity, in C (Enum's own __hash__ is Python code,
    # and table lookups hash two members per input).
    __hash__ = object.__hash__


class Input(enum.Enum):
    OPEN = "open"
    OK = "ok"
    CLOSE = "close"
    DATA = "data"

    # Members are singletons: hash by identity, in C (Enum's own __hash__ is Python code,
    # and table lookups hash two members per input).
    __hash__ = object.__hash__


class Effect(enum.Enum):
    """What a transition makes the NSI do, in the order listed in a row."""

    REQUEST_OK = "request the OK response from the MTA kernel"
    SEND_CC = "send the OK response (CC) to the peer"
    DELIVER = "deliver the data unit upwards"
    LOG_4258 = "log 4258 Message received at NSI (Close Request)"
    LOG_4283 = "log 4283 Bad LPIs in message (error code 8464)"
    CANCEL_OK = "cancel the pending OK response"
    RELEASE_CB = "return the control block to the pool"
    LEAK_CB = "keep the control block (never returned)"
    DISCARD = "discard the input"
    IGNORE = "ignore the input (Duplicate Open)"
    LOG_9156 = "log 9156 no free control blocks"
    REFUSE = "refuse the connection"

    # Members are singletons: hash by identity, in C (Enum's own __hash__ is Python code,
    # and table lookups hash two members per input).
    __hash__ = object.__hash__


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of a table: the next state and the effects, with the row's source."""

    next_state: State
    effects: tuple[Effect, ...]
    source: str


Key = tuple[State, Input]

#: Inputs that come from the remote peer; a protocol error on them is the peer's.
REMOTE_INPUTS = frozenset({Input.DATA})

BASE_TABLE: Mapping[Key, Transition] = MappingProxyType(
    {
        (State.IDLE, Input.OPEN): Transition(
            State.OPENING, (Effect.REQUEST_OK,), "KB Q229643 (Open Request, Base Open)"
        ),
        (State.OPENING, Input.OPEN): Transition(
            State.OPENING, (Effect.IGNORE,), "KB Q229643 (Duplicate Open)"
        ),
        (State.OPEN, Input.OPEN): Transition(
            State.OPEN, (Effect.IGNORE,), "KB Q229643 (Duplicate Open)"
        ),
        (State.OPENING, Input.OK): Transition(
            State.OPEN, (Effect.SEND_CC,), "KB Q319936 (the OK response)"
        ),
        (State.OPENING, Input.CLOSE): Transition(
            State.CLOSED,
            (Effect.LOG_4258, Effect.LOG_4283, Effect.RELEASE_CB),
            'KB Q319936 (4258 then 4283); KB Q266792: "after these events are logged, control '
            'blocks are managed correctly"',
        ),
        (State.OPEN, Input.DATA): Transition(
            State.OPEN, (Effect.DELIVER,), "RFC 1006 / ISO 8073 class 0 (DT after CC)"
        ),
        (State.OPEN, Input.CLOSE): Transition(
            State.CLOSED,
            (Effect.LOG_4258, Effect.RELEASE_CB),
            "KB Q319936 (4258 Close Request); no 4283 once the OK response was sent",
        ),
        (State.CLOSED, Input.OK): Transition(
            State.CLOSED, (Effect.DISCARD,), "[inferred] late OK for a connection that is gone"
        ),
    }
)


#: The row applied instead of ``(IDLE, OPEN)`` when no control block is free.
REFUSAL = Transition(
    State.CLOSED,
    (Effect.LOG_9156, Effect.REFUSE),
    "KB Q229643, KB Q166602 (no free control blocks)",
)

#: The event each logging effect writes, with the fields the effect gives it.
LOGS: Mapping[Effect, tuple[EventId, tuple[tuple[str, object], ...]]] = MappingProxyType(
    {
        Effect.LOG_4258: (EventId.NSI_MESSAGE_RECEIVED, (("message_type", CLOSE_REQUEST),)),
        Effect.LOG_4283: (EventId.BAD_LPI, (("error_code", BAD_LPI_ERROR_CODE),)),
        Effect.LOG_9156: (EventId.NO_FREE_CONTROL_BLOCKS, ()),
    }
)


def transition(
    state: State, event: Input, overrides: Mapping[Key, Transition] | None = None
) -> Transition:
    """Look up ``(state, event)`` in ``overrides`` then :data:`BASE_TABLE`.

    Raises :class:`RemoteProtocolError` when the input came from the peer and
    :class:`LocalProtocolError` otherwise, naming the state and the input.
    """
    error = RemoteProtocolError if event in REMOTE_INPUTS else LocalProtocolError
    if state is State.ERROR:
        raise error(
            f"input {event.value!r} is not allowed in state 'error' (the connection broke the "
            "protocol and accepts nothing more)"
        )
    key = (state, event)
    if overrides is not None and key in overrides:
        return overrides[key]
    row = BASE_TABLE.get(key)
    if row is None:
        raise error(f"input {event.value!r} is not allowed in state {state.value!r}")
    return row


def table(overrides: Mapping[Key, Transition] | None = None) -> dict[Key, Transition]:
    """The whole table a policy produces: base rows with its overrides applied, in a fixed
    order (state, then input, by declaration)."""
    merged = dict(BASE_TABLE)
    if overrides:
        merged.update(overrides)
    states = list(State)
    inputs = list(Input)
    return dict(
        sorted(merged.items(), key=lambda kv: (states.index(kv[0][0]), inputs.index(kv[0][1])))
    )
