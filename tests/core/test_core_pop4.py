"""POP4 applies the build's rows, and carries out every effect: events, control blocks, the
kernel and the transport."""

from __future__ import annotations

from datetime import datetime

import pytest

from pop4_harness import Harness
from sim.core import (
    HOTFIX,
    POST_SP3,
    SP4,
    Effect,
    EventId,
    LoggingLevel,
    ProtocolError,
    RemoteProtocolError,
    State,
)


def test_sp4_close_while_opening_logs_4258_then_4283_and_frees_the_block():
    n = Harness(SP4)
    assert n.open(7).calls == [("request_ok", 7)]
    did = n.close(7, 21_000_000)
    assert [e.event_id for e in did.events] == [EventId.NSI_MESSAGE_RECEIVED, EventId.BAD_LPI]
    assert all(e.timestamp == datetime(2002, 2, 26, 14, 43, 50) for e in did.events)
    assert did.events[1].error_code == 8464
    assert n.pool.in_use == 1
    assert n.counters.race_closes == 1
    late = n.ok(7, 30_000_000)
    assert late.effects == (Effect.DISCARD,)
    assert late.events == [] and late.calls == []
    assert n.counters.late_ok_discarded == 1


def test_hotfix_logs_4258_only_and_withdraws_the_ok():
    n = Harness(HOTFIX)
    n.open(7)
    did = n.close(7, 1)
    assert did.ids == [4258]
    assert did.calls == [("withdraw_ok", 7)]
    assert n.counters.ok_cancelled == 1
    assert n.pool.in_use == 1


def test_post_sp3_leaks_until_9156():
    n = Harness(POST_SP3, size=3)
    for conn in (1, 2):
        n.open(conn)
        n.close(conn, 1)
    assert n.pool.leaked == 2
    refused = n.open(3, 2)
    assert refused.calls == [("refuse", 3)]
    (event,) = refused.events
    assert event.event_id is EventId.NO_FREE_CONTROL_BLOCKS
    assert event.configured_count == 3 and event.network == 1
    assert refused.fired[0].row.next_state is State.CLOSED
    assert n.state(3) is State.CLOSED


def test_open_then_normal_close_logs_4258_only():
    n = Harness(SP4)
    n.open(1)
    assert n.ok(1, 5).calls == [("send_cc", 1)]
    assert n.data(1, 6).effects == (Effect.DELIVER,)
    did = n.close(1, 9)
    assert did.ids == [4258]
    assert did.fired[0].state is State.OPEN
    assert (n.counters.normal_closes, n.counters.data_units) == (1, 1)


def test_data_before_ok_is_the_peers_error_and_the_connection_is_dead():
    n = Harness(SP4)
    n.open(1)
    with pytest.raises(RemoteProtocolError, match="'data' is not allowed in state 'opening'"):
        n.data(1, 1)
    assert n.state(1) is State.ERROR
    # ERROR accepts nothing (the special case at the top of _state.py).
    with pytest.raises(ProtocolError, match="not allowed in state 'error'"):
        n.ok(1, 2)


def test_duplicate_open_is_ignored():
    n = Harness(SP4)
    n.open(1)
    assert n.open(1, 1).effects == (Effect.IGNORE,)
    assert n.pool.in_use == 2


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (LoggingLevel.MAXIMUM, [4258, 4283]),
        (LoggingLevel.MEDIUM, [4283]),
        (LoggingLevel.MINIMUM, [4283]),
        (LoggingLevel.NONE, []),
    ],
)
def test_logging_level_filters_interface_events(level, expected):
    n = Harness(SP4, level=level)
    n.open(1)
    assert n.close(1, 1).ids == expected


def test_9156_is_logged_at_every_level():
    n = Harness(SP4, size=2, level=LoggingLevel.NONE)
    n.open(1)
    assert n.open(2).ids == [9156]
