"""Choosing the connections worth a picture, from a run's steps."""

from __future__ import annotations

from ..core import EventId, Input, Kind, Lpi, SendCC, State
from ._capture import RunLog


def connections(log: RunLog) -> list[int]:
    """The connections of a run, in arrival order."""
    return [step.conn for step in log.steps if step.kind is Kind.ARRIVAL]


def conn_for_lpi(log: RunLog, lpi: Lpi) -> int | None:
    """The first connection that used ``lpi``: accepted on its control block, or logged an
    event with it (LPIs are reused with their control blocks)."""
    for step in log.steps:
        if (
            step.kind is Kind.ACCEPT
            and step.record.get("cb") == lpi.cb
            and Lpi.for_cb(lpi.cb, log.scenario.mta.lpi_component) == lpi
        ):
            return step.conn
        if any(event.lpi == lpi for event in step.events):
            return step.conn
    return None


def lpis(log: RunLog) -> list[Lpi]:
    """The LPIs that appear in the run's events, sorted."""
    return sorted({e.lpi for e in log.events if e.lpi is not None})


def first_with_event(log: RunLog, event_id: EventId) -> int | None:
    """The first connection that logged ``event_id``."""
    for step in log.steps:
        if any(event.event_id is event_id for event in step.events):
            return step.conn
    return None


def first_opened(log: RunLog) -> int | None:
    """The first connection whose OK response won the race (the CC went out)."""
    for step in log.steps:
        if any(isinstance(action, SendCC) for action in step.actions):
            return step.conn
    return None


def first_race(log: RunLog) -> int | None:
    """The first connection that got a Close Request while its OK response was pending."""
    for step in log.steps:
        if step.fired_row(State.OPENING, Input.CLOSE) is not None:
            return step.conn
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
