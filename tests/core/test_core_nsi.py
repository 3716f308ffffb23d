"""The NSI applies the build's rows: events, control blocks, late OK."""

from __future__ import annotations

from datetime import datetime

import pytest

from sim.core import (
    HOTFIX,
    POST_SP3,
    SP4,
    ControlBlockPool,
    Effect,
    EventId,
    LoggingLevel,
    Nsi,
    RemoteProtocolError,
    State,
)

EPOCH = datetime(2002, 2, 26, 14, 43, 29)


def nsi(build, size=20, level=LoggingLevel.MAXIMUM):
    return Nsi(build, ControlBlockPool(size), level, EPOCH)


def test_sp4_close_while_opening_logs_4258_then_4283_and_frees_the_block():
    n = nsi(SP4)
    n.connect_indication(7, 0)
    step = n.close_request(7, 21_000_000)
    assert [e.event_id for e in step.events] == [EventId.NSI_MESSAGE_RECEIVED, EventId.BAD_LPI]
    assert all(e.timestamp == datetime(2002, 2, 26, 14, 43, 50) for e in step.events)
    assert step.events[1].error_code == 8464
    assert n.pool.in_use == 1
    late = n.ok_response(7, 30_000_000)
    assert late.effects == (Effect.DISCARD,)
    assert late.events == ()


def test_hotfix_logs_4258_only():
    n = nsi(HOTFIX)
    n.connect_indication(7, 0)
    step = n.close_request(7, 1)
    assert [e.event_id for e in step.events] == [EventId.NSI_MESSAGE_RECEIVED]
    assert step.has(Effect.CANCEL_OK)
    assert n.pool.in_use == 1


def test_post_sp3_leaks_until_9156():
    n = nsi(POST_SP3, size=3)
    for conn in (1, 2):
        n.connect_indication(conn, 0)
        n.close_request(conn, 1)
    assert n.pool.leaked == 2
    refused = n.connect_indication(3, 2)
    assert refused.refused
    (event,) = refused.events
    assert event.event_id is EventId.NO_FREE_CONTROL_BLOCKS
    assert event.configured_count == 3


def test_open_then_normal_close_logs_4258_only():
    n = nsi(SP4)
    n.connect_indication(1, 0)
    assert n.ok_response(1, 5).has(Effect.SEND_CC)
    n.data(1, 6)
    step = n.close_request(1, 9)
    assert [e.event_id for e in step.events] == [EventId.NSI_MESSAGE_RECEIVED]
    assert step.state_before is State.OPEN


def test_data_before_ok_is_the_peers_error_and_the_connection_is_dead():
    n = nsi(SP4)
    n.connect_indication(1, 0)
    with pytest.raises(RemoteProtocolError, match="'data' is not allowed in state 'opening'"):
        n.data(1, 1)
    assert n.state(1) is State.ERROR


def test_duplicate_open_is_ignored():
    n = nsi(SP4)
    n.connect_indication(1, 0)
    assert n.connect_indication(1, 1).effects == (Effect.IGNORE,)
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
    n = nsi(SP4, level=level)
    n.connect_indication(1, 0)
    assert [int(e.event_id) for e in n.close_request(1, 1).events] == expected


def test_9156_is_logged_at_every_level():
    n = nsi(SP4, size=2, level=LoggingLevel.NONE)
    n.connect_indication(1, 0)
    assert [int(e.event_id) for e in n.connect_indication(2, 0).events] == [9156]
