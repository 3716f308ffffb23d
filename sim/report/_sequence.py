"""One connection's life as a sequence diagram: lanes, arrows, notes, spans and the race.

Rules of this module:

* Pure: a :class:`~sim.report.RunLog` in, frozen values out. No I/O, no rich, no SVG: the
  terminal timeline and the SVG diagram draw a :class:`Sequence` and decide nothing.
* Four lanes, left to right: the remote peer, the Winsock layer, the NSI/POP4 and the MTA
  kernel (:class:`Lane`). Times are the model's integer microseconds at the MTA; the peer's
  link delay is not drawn.
* One :class:`Row` per thing that happens, an :class:`Arrow` (a message between lanes) or a
  :class:`Note` (something on one lane: a timer firing, an event logged), in the order the
  model did them: the rows of a record, then the events its step logged, then what follows
  from them. The one row no record gives, the kernel starting on the OK response
  (``ok_ready - service``), is put after every other row of its instant.
* Two kinds of :class:`Span`: the Winsock response timer, from the connection's arrival until
  it fires or is stopped (the CC went out, the peer closed); the kernel producing the OK
  response, from its start to the OK response.
* **The race** (:class:`Race`) is read from what the model did, never recomputed: a
  ``response_timeout`` record for the connection means the timer won; an ``ok_ready`` while
  the connection still waited for it means the OK response won. The model's tie rule (an OK
  response ready exactly at the deadline is in time, ``docs/model.md``) therefore shows here
  as an OK win with a margin of 0. The losing side is marked (``lost``) on its row or span.
* The events of a connection are those its steps logged (``RunLog.event_conns``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core import Build, Effect, Event, EventId, Input, Kind, Lpi, Record, State, to_seconds
from ._capture import RunLog


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
    """The race of one connection. Times in µs; ``deadline`` is arrival + response timer."""

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
        deadline = seconds(self.deadline)
        if self.winner is Winner.TIMER:
            where = (
                "the NSI got a Close Request while the OK response was pending"
                if self.in_nsi
                else "the connection was dropped from the backlog before the NSI saw it"
            )
            if self.ok_at is None:
                ok = "the OK response never came"
            else:
                late = duration(-self.margin_or0)
                ok = f"the OK response was ready at {seconds(self.ok_at)}, {late} late"
            return f"The Winsock timer won the race at {deadline}: {where}; {ok}."
        if self.winner is Winner.OK:
            assert self.ok_at is not None
            if self.margin_or0 == 0:
                when = "exactly at the deadline: in time by the tie rule"
            else:
                when = f"{duration(self.margin_or0)} before the deadline ({deadline})"
            return f"The OK response won the race: ready at {seconds(self.ok_at)}, {when}."
        if self.winner is Winner.PEER:
            return (
                f"The peer closed at {seconds(self.decided_at)}, before the OK response and "
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
    response_timeout: int
    service: int | None
    lpi: Lpi | None
    rows: tuple[Row, ...]
    spans: tuple[Span, ...]
    race: Race
    events: tuple[Event, ...]

    @property
    def event_ids(self) -> tuple[int, ...]:
        return tuple(int(e.event_id) for e in self.events)


# -- choosing connections ---------------------------------------------------------------------
def connections(log: RunLog) -> list[int]:
    """The connections of a run, in arrival order."""
    return [r.conn for r in log.records if r.kind is Kind.ARRIVAL]


def conn_for_lpi(log: RunLog, lpi: Lpi) -> int | None:
    """The first connection that used ``lpi``: logged an event with it, or was accepted on
    its control block (LPIs are reused with their control blocks)."""
    firsts: list[int] = []
    for index, record in enumerate(log.records):
        if (
            record.kind is Kind.ACCEPT
            and dict(record.detail).get("cb") == lpi.cb
            and Lpi.for_cb(lpi.cb) == lpi
        ):
            firsts.append(index)
            break
    for event, index in zip(log.events, log.event_records, strict=True):
        if event.lpi == lpi:
            firsts.append(index)
            break
    return log.records[min(firsts)].conn if firsts else None


def lpis(log: RunLog) -> list[Lpi]:
    """The LPIs that appear in the run's events, sorted."""
    return sorted({e.lpi for e in log.events if e.lpi is not None})


def first_with_event(log: RunLog, event_id: EventId) -> int | None:
    """The first connection that logged ``event_id``."""
    for event, conn in zip(log.events, log.event_conns, strict=True):
        if event.event_id is event_id:
            return conn
    return None


def first_opened(log: RunLog) -> int | None:
    """The first connection whose OK response won the race (the CC went out)."""
    closed: set[int] = set()
    for record in log.records:
        if record.kind in (Kind.RESPONSE_TIMEOUT, Kind.PEER_CLOSE):
            closed.add(record.conn)
        elif record.kind is Kind.OK_READY and record.conn not in closed:
            return record.conn
    return None


def default_conn(log: RunLog) -> int | None:
    """The first connection that logged a 4283, else the first connection."""
    conn = first_with_event(log, EventId.BAD_LPI)
    if conn is not None:
        return conn
    conns = connections(log)
    return conns[0] if conns else None


def interesting_conns(log: RunLog, limit: int = 3) -> list[int]:
    """Connections worth a diagram, at most ``limit``: the first 4283, the first OK response
    in time, the first 9156 refusal; else the first connection."""
    picks: list[int] = []
    for conn in (
        first_with_event(log, EventId.BAD_LPI),
        first_opened(log),
        first_with_event(log, EventId.NO_FREE_CONTROL_BLOCKS),
    ):
        if conn is not None and conn not in picks:
            picks.append(conn)
    if not picks:
        picks = connections(log)[:1]
    return picks[:limit]


# -- building the sequence --------------------------------------------------------------------
class _Rows:
    """Rows in the making: each gets an id; ``late`` rows sort after their instant's others."""

    def __init__(self, epoch: datetime) -> None:
        self.epoch = epoch
        self.keyed: list[tuple[tuple[int, int, int], Row]] = []

    @property
    def last(self) -> int:
        return len(self.keyed) - 1

    def add(
        self,
        t: int,
        action: Action,
        item: Arrow | Note,
        *,
        late: bool = False,
        won: bool = False,
        lost: bool = False,
    ) -> int:
        row = Row(t, self.epoch + timedelta(microseconds=t), action, item, won=won, lost=lost)
        row_id = len(self.keyed)
        self.keyed.append(((t, 1 if late else 0, row_id), row))
        return row_id

    def events(self, t: int, events: list[Event]) -> None:
        for event in events:
            self.add(t, Action.EVENT, Note(Lane.NSI, event_label(event), event))

    def ordered(self) -> tuple[list[Row], dict[int, int]]:
        """The rows in display order, and where each row id went."""
        order = sorted(range(len(self.keyed)), key=lambda i: self.keyed[i][0])
        return [self.keyed[i][1] for i in order], {row_id: k for k, row_id in enumerate(order)}


@dataclass(slots=True)
class _Life:
    """What is known about the connection while its records are read."""

    deadline: int | None = None
    accepted: bool = False
    closed: bool = False
    ok_at: int | None = None
    winner: Winner = Winner.NONE
    decided_at: int | None = None
    in_nsi: bool = False
    lpi: Lpi | None = None
    timer: tuple[int, int | None] | None = None  # (start row id, end row id)
    work: tuple[int, int] | None = None

    def decide(self, winner: Winner, t: int) -> None:
        if self.winner is Winner.NONE:
            self.winner, self.decided_at, self.in_nsi = winner, t, self.accepted

    def stop_timer(self, row_id: int) -> None:
        if self.timer is not None and self.timer[1] is None:
            self.timer = (self.timer[0], row_id)


def sequence(log: RunLog, conn: int) -> Sequence:
    """The diagram of connection ``conn`` of a run. Raises ``KeyError`` if there is none."""
    own = [i for i, r in enumerate(log.records) if r.conn == conn]
    if not own or log.records[own[0]].kind is not Kind.ARRIVAL:
        raise KeyError(f"the run has no connection {conn}")
    by_record: dict[int, list[Event]] = {}
    for event, index in zip(log.events, log.event_records, strict=True):
        if log.records[index].conn == conn:
            by_record.setdefault(index, []).append(event)
    race_row = log.build.table().get((State.OPENING, Input.CLOSE))
    race_effects = race_row.effects if race_row is not None else ()
    timeout = log.response_timeout
    service: int | None = dict(log.records[own[0]].detail).get("service")
    rows = _Rows(log.epoch)
    life = _Life()
    context = _Context(timeout, service, race_effects)
    for index in own:
        record = log.records[index]
        events = by_record.get(index, [])
        _READERS[record.kind](rows, life, record, events, context)

    ordered, where = rows.ordered()
    spans: list[Span] = []
    if life.timer is not None:
        start, end = life.timer
        spans.append(
            Span(
                SpanKind.TIMER,
                Lane.WINSOCK,
                where[start],
                len(ordered) - 1 if end is None else where[end],
                f"response timer {duration(timeout)}",
                lost=life.winner is Winner.OK,
                open_end=end is None,
            )
        )
    if life.work is not None:
        spans.append(
            Span(
                SpanKind.WORK,
                Lane.KERNEL,
                where[life.work[0]],
                where[life.work[1]],
                "producing the OK response",
                lost=life.winner is Winner.TIMER,
            )
        )
    own_events = [e for index in own for e in by_record.get(index, [])]
    lpi = life.lpi or next((e.lpi for e in own_events if e.lpi is not None), None)
    race = Race(life.winner, life.deadline, life.ok_at, life.decided_at, life.in_nsi)
    return Sequence(
        conn=conn,
        build=log.build,
        scenario=log.name,
        epoch=log.epoch,
        response_timeout=timeout,
        service=service,
        lpi=lpi,
        rows=tuple(ordered),
        spans=tuple(spans),
        race=race,
        events=tuple(own_events),
    )


@dataclass(frozen=True, slots=True)
class _Context:
    """What every reader needs besides the record: the run's timer, the connection's kernel
    time, and what the build does on a Close Request while the OK response is pending."""

    timeout: int
    service: int | None
    effects: tuple[Effect, ...]


_Reader = Callable[[_Rows, _Life, Record, list[Event], _Context], None]


def _arrival(rows: _Rows, life: _Life, record: Record, events: list[Event], ctx: _Context) -> None:
    t = record.t
    rows.add(t, Action.CONNECT, Arrow(Lane.PEER, Lane.WINSOCK, "TCP connect + CR"))
    if dict(record.detail).get("refused"):
        rows.add(t, Action.REFUSED_BACKLOG, Arrow(Lane.WINSOCK, Lane.PEER, "reset: backlog full"))
        life.closed = True
        return
    life.deadline = t + ctx.timeout
    start = rows.add(
        t,
        Action.TIMER_START,
        Note(Lane.WINSOCK, f"response timer starts ({duration(ctx.timeout)})"),
    )
    life.timer = (start, None)


def _accept(rows: _Rows, life: _Life, record: Record, events: list[Event], ctx: _Context) -> None:
    t = record.t
    info = dict(record.detail)
    cb = info.get("cb")
    if isinstance(cb, int):
        life.lpi = Lpi.for_cb(cb)
    label = "connect indication" + (f" (cb {cb})" if isinstance(cb, int) else "")
    rows.add(t, Action.ACCEPT, Arrow(Lane.WINSOCK, Lane.NSI, label))
    if info.get("refused"):
        rows.add(t, Action.REFUSED_NO_CB, Note(Lane.NSI, "no free control block: refused"))
        rows.events(t, events)
        life.stop_timer(rows.add(t, Action.TCP_CLOSE, Arrow(Lane.WINSOCK, Lane.PEER, "TCP close")))
        life.closed = True
        return
    life.accepted = True
    rows.add(t, Action.REQUEST_OK, Arrow(Lane.NSI, Lane.KERNEL, "request OK response"))
    rows.events(t, events)


def _ok_ready(rows: _Rows, life: _Life, record: Record, events: list[Event], ctx: _Context) -> None:
    t = record.t
    life.ok_at = t
    start: int | None = None
    if ctx.service is not None:
        worker = dict(record.detail).get("worker")
        start = rows.add(
            t - ctx.service,
            Action.WORK_START,
            Note(Lane.KERNEL, f"worker {worker} starts the OK ({duration(ctx.service)})"),
            late=True,
        )
    if not life.closed:
        spare = None if life.deadline is None else life.deadline - t
        label = "OK response" + (" at the deadline" if spare == 0 else " in time")
        ok = rows.add(t, Action.OK_RESPONSE, Arrow(Lane.KERNEL, Lane.NSI, label), won=True)
        rows.add(t, Action.CC, Arrow(Lane.NSI, Lane.PEER, "CC: the OK response"))
        if life.timer is not None and life.timer[1] is None:
            life.stop_timer(
                rows.add(
                    t,
                    Action.TIMER_STOP,
                    Note(Lane.WINSOCK, "timer stopped: lost the race"),
                    lost=True,
                )
            )
        life.decide(Winner.OK, t)
    else:
        late = "" if life.deadline is None else f", {duration(t - life.deadline)} late"
        ok = rows.add(
            t,
            Action.OK_RESPONSE,
            Arrow(Lane.KERNEL, Lane.NSI, f"OK response{late}"),
            lost=life.winner is Winner.TIMER,
        )
        rows.add(t, Action.OK_DISCARDED, Note(Lane.NSI, "connection gone: OK discarded"))
    rows.events(t, events)
    if start is not None:
        life.work = (start, ok)


def _timeout(rows: _Rows, life: _Life, record: Record, events: list[Event], ctx: _Context) -> None:
    t = record.t
    pending = life.ok_at is None and not life.closed
    label = "timer fires: wins the race" if pending else "timer fires"
    life.stop_timer(rows.add(t, Action.TIMER_FIRES, Note(Lane.WINSOCK, label), won=pending))
    if pending:
        life.decide(Winner.TIMER, t)
    if life.accepted:
        rows.add(t, Action.CLOSE_REQUEST, Arrow(Lane.WINSOCK, Lane.NSI, "Close Request"))
        rows.events(t, events)
        if pending:
            _build_notes(rows, t, ctx.effects, life.lpi)
    else:
        rows.add(t, Action.DROPPED_IN_BACKLOG, Note(Lane.WINSOCK, "dropped from the backlog"))
        rows.events(t, events)
    rows.add(t, Action.TCP_CLOSE, Arrow(Lane.WINSOCK, Lane.PEER, "TCP close"))
    life.closed = True


def _peer_close(
    rows: _Rows, life: _Life, record: Record, events: list[Event], ctx: _Context
) -> None:
    t = record.t
    how = "TCP reset" if dict(record.detail).get("reset") else "TCP close"
    life.stop_timer(rows.add(t, Action.PEER_CLOSE, Arrow(Lane.PEER, Lane.WINSOCK, how)))
    pending = life.ok_at is None and not life.closed
    if pending:
        life.decide(Winner.PEER, t)
    if life.accepted:
        rows.add(t, Action.CLOSE_REQUEST, Arrow(Lane.WINSOCK, Lane.NSI, "Close Request"))
        rows.events(t, events)
        if pending:
            _build_notes(rows, t, ctx.effects, life.lpi)
    else:
        rows.add(t, Action.DROPPED_IN_BACKLOG, Note(Lane.WINSOCK, "abandoned in the backlog"))
        rows.events(t, events)
    life.closed = True


def _peer_data(
    rows: _Rows, life: _Life, record: Record, events: list[Event], ctx: _Context
) -> None:
    units = dict(record.detail).get("units", 1)
    label = "data (DT)" if units == 1 else f"data (DT) x{units}"
    rows.add(record.t, Action.DATA, Arrow(Lane.PEER, Lane.NSI, label))
    rows.events(record.t, events)


_READERS: dict[Kind, _Reader] = {
    Kind.ARRIVAL: _arrival,
    Kind.ACCEPT: _accept,
    Kind.OK_READY: _ok_ready,
    Kind.RESPONSE_TIMEOUT: _timeout,
    Kind.PEER_CLOSE: _peer_close,
    Kind.PEER_DATA: _peer_data,
}


def _build_notes(rows: _Rows, t: int, effects: tuple[Effect, ...], lpi: Lpi | None) -> None:
    """What the build does besides logging, on a Close Request while the OK is pending."""
    if Effect.CANCEL_OK in effects:
        rows.add(t, Action.OK_CANCELLED, Note(Lane.NSI, "pending OK response cancelled"))
    if Effect.LEAK_CB in effects:
        cb = f"control block {lpi.cb}" if lpi is not None else "control block"
        rows.add(t, Action.CB_LEAKED, Note(Lane.NSI, f"{cb} never returned"))


def event_label(event: Event) -> str:
    """A short label for an event: ``4283 Bad LPIs in message (1-15-12, 8464)``."""
    if event.event_id is EventId.NSI_MESSAGE_RECEIVED:
        return f"4258 Message received at NSI: {event.message_type}"
    if event.event_id is EventId.BAD_LPI:
        return f"4283 Bad LPIs in message ({event.lpi}, {event.error_code})"
    return "9156 no free control blocks"


def seconds(t: int | None) -> str:
    """An instant in exact seconds: ``21 s``, ``21.000001 s``."""
    if t is None:
        return "-"
    return f"{_exact(t)} s"


def duration(us: int) -> str:
    """A duration for labels: ``21 s``, ``1 µs``, ``0.5 s``."""
    if us and abs(us) < 1000:
        return f"{us} µs"
    return f"{_exact(us)} s"


def _exact(us: int) -> str:
    sign = "-" if us < 0 else ""
    whole, frac = divmod(abs(us), 1_000_000)
    text = f"{whole}.{frac:06d}".rstrip("0").rstrip(".")
    return sign + text


def describe(seq: Sequence) -> dict[str, Any]:
    """A plain summary of a sequence (for tests and JSON)."""
    return {
        "conn": seq.conn,
        "lpi": None if seq.lpi is None else str(seq.lpi),
        "build": seq.build.version,
        "winner": seq.race.winner.value,
        "events": list(seq.event_ids),
        "rows": [(r.t, r.action.value, r.lane.name, r.label, r.won, r.lost) for r in seq.rows],
        "spans": [(s.kind.value, s.lane.name, s.start, s.end, s.lost) for s in seq.spans],
    }
