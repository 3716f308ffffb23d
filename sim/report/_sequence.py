"""One connection's life as a sequence diagram, read from the facts of its steps.

Rules of this module:

* Pure: a :class:`~sim.report.RunLog` in, a frozen :class:`~sim.report.Sequence` out
  (``_diagram.py`` has the values). No I/O, no rich, no SVG.
* Every row comes from a fact of one of the connection's steps (``sim.core.Step``): its input,
  the POP4 transitions it fired, the actions it led to (``SendCC``, ``Refuse``,
  ``CloseOnTimeout``) and the events it logged, in that order. Nothing is recomputed: whether
  the OK response won is whether its step sent the CC; whether a close raced the OK response
  is whether it fired POP4's ``(opening, close)`` row; what the build did besides logging
  (cancel the pending OK, keep the control block) is that row's effects.
* The one row no step gives, the kernel starting on the OK response (``ok_ready - service``),
  is put after every other row of its instant. Times are the model's integer microseconds at
  the MTA; the peer's link delay is not drawn.
* **The race** (:class:`~sim.report.Race`): the first step of the connection that decided it —
  a response timeout (the timer won), an OK response that sent the CC (the OK won), or a
  peer's close before either (the peer). The model's tie rule (an OK response ready exactly at
  the deadline is in time, ``docs/model.md``) shows as an OK win with a margin of 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core import (
    POP4_COMPONENT,
    Effect,
    Event,
    Fired,
    Input,
    Kind,
    Lpi,
    Refusal,
    Refuse,
    SendCC,
    State,
    Step,
    duration_text,
)
from ..render._forms import label
from ._capture import RunLog
from ._diagram import (
    Action,
    Arrow,
    Lane,
    Note,
    Race,
    Row,
    Sequence,
    Span,
    SpanKind,
    Winner,
)

__all__ = ["describe", "event_label", "sequence"]


def event_label(event: Event) -> str:
    """The label of an event in a diagram: ``4283 Bad LPIs in message (1-15-12, 8464)``."""
    return label(event)


class _Rows:
    """Rows in the making: each gets an id; ``late`` rows sort after their instant's others."""

    def __init__(self, epoch: datetime) -> None:
        self.epoch = epoch
        self.keyed: list[tuple[tuple[int, int, int], Row]] = []

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

    def events(self, step: Step) -> None:
        for event in step.events:
            self.add(step.t, Action.EVENT, Note(Lane.NSI, event_label(event), event))

    def ordered(self) -> tuple[list[Row], dict[int, int]]:
        """The rows in display order, and where each row id went."""
        order = sorted(range(len(self.keyed)), key=lambda i: self.keyed[i][0])
        return [self.keyed[i][1] for i in order], {row_id: k for k, row_id in enumerate(order)}


@dataclass(slots=True)
class _Drawing:
    """What the diagram has gathered so far (not a model of the connection: each field is a
    fact read from a step)."""

    timeout: int | None
    service: int | None
    deadline: int | None = None
    ok_at: int | None = None
    winner: Winner = Winner.NONE
    decided_at: int | None = None
    in_nsi: bool = False
    lpi: Lpi | None = None
    timer: tuple[int, int | None] | None = None  # (start row id, end row id)
    #: The LPI's middle number in this run (``mta.lpi_component``).
    component: int = POP4_COMPONENT
    work: tuple[int, int] | None = None
    race_effects: tuple[Effect, ...] = ()

    def decide(self, winner: Winner, t: int, in_nsi: bool) -> None:
        if self.winner is Winner.NONE:
            self.winner, self.decided_at, self.in_nsi = winner, t, in_nsi

    def stop_timer(self, row_id: int) -> None:
        if self.timer is not None and self.timer[1] is None:
            self.timer = (self.timer[0], row_id)


def _refusal(step: Step) -> Refusal | None:
    for action in step.actions:
        if isinstance(action, Refuse):
            return action.reason
    return None


def _sent_cc(step: Step) -> bool:
    return any(isinstance(action, SendCC) for action in step.actions)


def _race_row(step: Step) -> Fired | None:
    """POP4's ``(opening, close)`` row, if this step's close came while the OK was pending."""
    return step.fired_row(State.OPENING, Input.CLOSE)


# -- one reader per kind of step ----------------------------------------------------------------
def _arrival(rows: _Rows, d: _Drawing, step: Step) -> None:
    t = step.t
    rows.add(t, Action.CONNECT, Arrow(Lane.PEER, Lane.WINSOCK, "TCP connect + CR"))
    if _refusal(step) is Refusal.BACKLOG:
        rows.add(t, Action.REFUSED_BACKLOG, Arrow(Lane.WINSOCK, Lane.PEER, "reset: backlog full"))
    elif _refusal(step) is Refusal.HALF_OPEN:
        label = "reset: half-open table full"
        rows.add(t, Action.REFUSED_BACKLOG, Arrow(Lane.WINSOCK, Lane.PEER, label))


def _accept(rows: _Rows, d: _Drawing, step: Step) -> None:
    t = step.t
    if step.record.get("error") is not None:
        # Its peer ended it in the backlog: the listener's accept() fails (rule accept-error).
        note = f"accept() fails: {step.record.get('error')}"
        rows.add(t, Action.ACCEPT_FAILED, Note(Lane.WINSOCK, note))
        rows.events(step)
        return
    cb = step.record.get("cb")
    if isinstance(cb, int):
        d.lpi = Lpi.for_cb(cb, d.component)
    label = "connect indication" + (f" (cb {cb})" if isinstance(cb, int) else "")
    rows.add(t, Action.ACCEPT, Arrow(Lane.WINSOCK, Lane.NSI, label))
    if _refusal(step) is Refusal.NO_CONTROL_BLOCK:
        rows.add(t, Action.REFUSED_NO_CB, Note(Lane.NSI, "no free control block: refused"))
        rows.events(step)
        d.stop_timer(rows.add(t, Action.TCP_CLOSE, Arrow(Lane.WINSOCK, Lane.PEER, "TCP close")))
        return
    if any(Effect.REQUEST_OK in fired.effects for fired in step.fired):
        rows.add(t, Action.REQUEST_OK, Arrow(Lane.NSI, Lane.KERNEL, "request OK response"))
    rows.events(step)
    if d.timeout is not None:
        d.deadline = t + d.timeout
        start = rows.add(
            t,
            Action.TIMER_START,
            Note(Lane.WINSOCK, f"response timer starts ({duration_text(d.timeout)})"),
        )
        d.timer = (start, None)


def _ok_ready(rows: _Rows, d: _Drawing, step: Step) -> None:
    t = step.t
    d.ok_at = t
    start: int | None = None
    if d.service is not None:
        start = rows.add(
            t - d.service,
            Action.WORK_START,
            Note(
                Lane.KERNEL,
                f"worker {step.record.get('worker')} starts the OK ({duration_text(d.service)})",
            ),
            late=True,
        )
    if _sent_cc(step):
        spare = None if d.deadline is None else d.deadline - t
        label = "OK response" + (" at the deadline" if spare == 0 else " in time")
        ok = rows.add(t, Action.OK_RESPONSE, Arrow(Lane.KERNEL, Lane.NSI, label), won=True)
        rows.add(t, Action.CC, Arrow(Lane.NSI, Lane.PEER, "CC: the OK response"))
        if d.timer is not None and d.timer[1] is None:
            d.stop_timer(
                rows.add(
                    t,
                    Action.TIMER_STOP,
                    Note(Lane.WINSOCK, "timer stopped: lost the race"),
                    lost=True,
                )
            )
        d.decide(Winner.OK, t, True)
    else:
        late = "" if d.deadline is None else f", {duration_text(t - d.deadline)} late"
        ok = rows.add(
            t,
            Action.OK_RESPONSE,
            Arrow(Lane.KERNEL, Lane.NSI, f"OK response{late}"),
            lost=d.winner is Winner.TIMER,
        )
        rows.add(t, Action.OK_DISCARDED, Note(Lane.NSI, "connection gone: OK discarded"))
    rows.events(step)
    if start is not None:
        d.work = (start, ok)


def _timeout(rows: _Rows, d: _Drawing, step: Step) -> None:
    t = step.t
    d.stop_timer(
        rows.add(t, Action.TIMER_FIRES, Note(Lane.WINSOCK, "timer fires: wins the race"), won=True)
    )
    d.decide(Winner.TIMER, t, True)
    rows.add(t, Action.CLOSE_REQUEST, Arrow(Lane.WINSOCK, Lane.NSI, "Close Request"))
    rows.events(step)
    _race_effects(d, _race_row(step))
    _build_notes(rows, t, _race_row(step), d.lpi)
    rows.add(t, Action.TCP_CLOSE, Arrow(Lane.WINSOCK, Lane.PEER, "TCP close"))


def _peer_close(rows: _Rows, d: _Drawing, step: Step) -> None:
    t = step.t
    how = "TCP reset" if step.record.get("reset") else "TCP close"
    d.stop_timer(rows.add(t, Action.PEER_CLOSE, Arrow(Lane.PEER, Lane.WINSOCK, how)))
    race = _race_row(step)
    if not step.fired:
        # The close reached no POP4 row: the connection still waited in the backlog.
        d.decide(Winner.PEER, t, False)
        rows.add(t, Action.DROPPED_IN_BACKLOG, Note(Lane.WINSOCK, "ended in the backlog"))
        rows.events(step)
        return
    if race is not None:
        d.decide(Winner.PEER, t, True)
    rows.add(t, Action.CLOSE_REQUEST, Arrow(Lane.WINSOCK, Lane.NSI, "Close Request"))
    rows.events(step)
    _race_effects(d, race)
    _build_notes(rows, t, race, d.lpi)


def _peer_data(rows: _Rows, d: _Drawing, step: Step) -> None:
    units = step.record.get("units", 1)
    label = "data (DT)" if units == 1 else f"data (DT) x{units}"
    rows.add(step.t, Action.DATA, Arrow(Lane.PEER, Lane.NSI, label))
    rows.events(step)


_READERS: dict[Kind, Callable[[_Rows, _Drawing, Step], None]] = {
    Kind.ARRIVAL: _arrival,
    Kind.ACCEPT: _accept,
    Kind.OK_READY: _ok_ready,
    Kind.RESPONSE_TIMEOUT: _timeout,
    Kind.PEER_CLOSE: _peer_close,
    Kind.PEER_DATA: _peer_data,
}


def _race_effects(d: _Drawing, race: Fired | None) -> None:
    if race is not None:
        d.race_effects = race.effects


def _build_notes(rows: _Rows, t: int, race: Fired | None, lpi: Lpi | None) -> None:
    """What the build did besides logging, on a Close Request while the OK was pending: the
    effects of the row that fired."""
    if race is None:
        return
    if Effect.CANCEL_OK in race.effects:
        rows.add(t, Action.OK_CANCELLED, Note(Lane.NSI, "pending OK response cancelled"))
    if Effect.LEAK_CB in race.effects:
        cb = f"control block {lpi.cb}" if lpi is not None else "control block"
        rows.add(t, Action.CB_LEAKED, Note(Lane.NSI, f"{cb} never returned"))


def sequence(log: RunLog, conn: int) -> Sequence:
    """The diagram of connection ``conn`` of a run. Raises ``KeyError`` if there is none."""
    own = [step for step in log.steps if step.conn == conn]
    if not own or own[0].kind is not Kind.ARRIVAL:
        raise KeyError(f"the run has no connection {conn}")
    service = own[0].record.get("service")
    rows = _Rows(log.epoch)
    d = _Drawing(log.response_timeout, service if isinstance(service, int) else None)
    d.component = log.scenario.mta.lpi_component
    for step in own:
        _READERS[step.kind](rows, d, step)

    ordered, where = rows.ordered()
    spans: list[Span] = []
    if d.timer is not None:
        start, end = d.timer
        spans.append(
            Span(
                SpanKind.TIMER,
                Lane.WINSOCK,
                where[start],
                len(ordered) - 1 if end is None else where[end],
                f"response timer {duration_text(d.timeout or 0)}",
                lost=d.winner is Winner.OK,
                open_end=end is None,
            )
        )
    if d.work is not None:
        spans.append(
            Span(
                SpanKind.WORK,
                Lane.KERNEL,
                where[d.work[0]],
                where[d.work[1]],
                "producing the OK response",
                lost=d.winner is Winner.TIMER,
            )
        )
    events = tuple(e for step in own for e in step.events)
    lpi = d.lpi or next((e.lpi for e in events if e.lpi is not None), None)
    race = Race(d.winner, d.deadline, d.ok_at, d.decided_at, d.in_nsi)
    return Sequence(
        conn=conn,
        build=log.build,
        scenario=log.name,
        epoch=log.epoch,
        response_timeout=d.timeout,
        service=d.service,
        lpi=lpi,
        rows=tuple(ordered),
        spans=tuple(spans),
        race=race,
        events=events,
        race_effects=d.race_effects,
    )


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
