"""The values of a sequence diagram: lanes, arrows, notes, rows, spans, the race.

Rules of this module:

* Frozen values only; :mod:`._sequence` makes them from a run's steps, and the terminal
  timeline, the SVG diagram and the narration draw them and decide nothing.
* Four lanes, left to right: the remote peer, the Winsock layer, the NSI/POP4 and the MTA
  kernel (:class:`Lane`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from ..core import Build, Effect, Event, Lpi, duration_text, seconds_text, to_seconds


class Lane(enum.IntEnum):
    """The lanes of the diagram, left to right."""

    PEER = 0
    WINSOCK = 1
    NSI = 2
    KERNEL = 3

    @property
    def title(self) -> str:
        return LANE_TITLES[self]


LANE_TITLES = {
    Lane.PEER: "remote peer",
    Lane.WINSOCK: "Winsock",
    Lane.NSI: "NSI/POP4",
    Lane.KERNEL: "MTA kernel",
}


class Action(enum.Enum):
    """What a row shows (the narration and the styles key on it)."""

    CONNECT = "connect"
    TIMER_START = "timer_start"
    REFUSED_BACKLOG = "refused_backlog"
    ACCEPT = "accept"
    REFUSED_NO_CB = "refused_no_cb"
    REQUEST_OK = "request_ok"
    WORK_START = "work_start"
    OK_RESPONSE = "ok_response"
    OK_DISCARDED = "ok_discarded"
    CC = "cc"
    TIMER_STOP = "timer_stop"
    TIMER_FIRES = "timer_fires"
    DROPPED_IN_BACKLOG = "dropped_in_backlog"
    ACCEPT_FAILED = "accept_failed"
    CLOSE_REQUEST = "close_request"
    TCP_CLOSE = "tcp_close"
    OK_CANCELLED = "ok_cancelled"
    CB_LEAKED = "cb_leaked"
    EVENT = "event"
    DATA = "data"
    PEER_CLOSE = "peer_close"


@dataclass(frozen=True, slots=True)
class Arrow:
    """A message from one lane to another."""

    src: Lane
    dst: Lane
    label: str


@dataclass(frozen=True, slots=True)
class Note:
    """Something that happens on one lane; ``event`` when it is a logged event."""

    lane: Lane
    label: str
    event: Event | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the diagram, at virtual time ``t`` (µs) and wall-clock ``timestamp``.

    ``won``: the row that decided the race, for its winner. ``lost``: the losing side's row.
    """

    t: int
    timestamp: datetime
    action: Action
    item: Arrow | Note
    won: bool = False
    lost: bool = False

    @property
    def seconds(self) -> float:
        return to_seconds(self.t)

    @property
    def lane(self) -> Lane:
        """The lane a note is on, or an arrow's source."""
        return self.item.lane if isinstance(self.item, Note) else self.item.src

    @property
    def label(self) -> str:
        return self.item.label

    @property
    def event(self) -> Event | None:
        """The logged event this row shows, if it is one."""
        return self.item.event if isinstance(self.item, Note) else None


class SpanKind(enum.Enum):
    TIMER = "timer"
    WORK = "work"


@dataclass(frozen=True, slots=True)
class Span:
    """A bar on one lane from row ``start`` to row ``end`` (indices into ``Sequence.rows``,
    both included). ``end`` is the last row when the run ended first (``open_end``)."""

    kind: SpanKind
    lane: Lane
    start: int
    end: int
    label: str
    lost: bool = False
    open_end: bool = False


class Winner(enum.Enum):
    """Who won the race between the OK response and the Winsock timer."""

    OK = "ok"  #: the OK response was ready by the deadline: CC sent, timer stopped
    TIMER = "timer"  #: the timer fired first: Close Request while the OK was pending
    PEER = "peer"  #: the peer closed first
    NONE = "none"  #: no race: the connection was refused, dropped, or the run ended


@dataclass(frozen=True, slots=True)
class Race:
    """The race of one connection. Times in µs; ``deadline`` is the accept + the response
    timer."""

    winner: Winner
    deadline: int | None
    ok_at: int | None
    decided_at: int | None
    in_nsi: bool  #: the NSI had accepted the connection when the race was decided

    @property
    def margin(self) -> int | None:
        """``deadline - ok_at``: > 0 OK early, 0 exactly at the deadline, < 0 late."""
        if self.deadline is None or self.ok_at is None:
            return None
        return self.deadline - self.ok_at

    def summary(self) -> str:
        """One or two sentences for captions and footers."""
        deadline = seconds_text(self.deadline)
        if self.winner is Winner.TIMER:
            where = "the NSI got a Close Request while the OK response was pending"
            if self.ok_at is None:
                ok = "the OK response never came"
            else:
                late = duration_text(-self.margin_or0)
                ok = f"the OK response was ready at {seconds_text(self.ok_at)}, {late} late"
            return f"The Winsock timer won the race at {deadline}: {where}; {ok}."
        if self.winner is Winner.OK:
            assert self.ok_at is not None
            if self.margin_or0 == 0:
                when = "exactly at the deadline: in time by the tie rule"
            else:
                when = f"{duration_text(self.margin_or0)} before the deadline ({deadline})"
            return f"The OK response won the race: ready at {seconds_text(self.ok_at)}, {when}."
        if self.winner is Winner.PEER:
            return (
                f"The peer closed at {seconds_text(self.decided_at)}, before the OK response and "
                "the timer."
            )
        return (
            "No race: the connection never waited for an OK response (refused, or the run ended)."
        )

    @property
    def margin_or0(self) -> int:
        return self.margin or 0


@dataclass(frozen=True, slots=True)
class Sequence:
    """The diagram of one connection on one build."""

    conn: int
    build: Build
    scenario: str
    epoch: datetime
    #: The MTA's response timer (``None``: the scenario has none; only the peer can give up).
    response_timeout: int | None
    service: int | None
    lpi: Lpi | None
    rows: tuple[Row, ...]
    spans: tuple[Span, ...]
    race: Race
    events: tuple[Event, ...]
    #: The effects of the POP4 row that took the Close Request while the OK response was
    #: pending (empty when no such row fired): what this build did in the race.
    race_effects: tuple[Effect, ...] = ()

    @property
    def timer_text(self) -> str:
        """The response timer as the pictures print it ("21 s"; "no timer" without one)."""
        return "no timer" if self.response_timeout is None else duration_text(self.response_timeout)

    @property
    def event_ids(self) -> tuple[int, ...]:
        return tuple(int(e.event_id) for e in self.events)
