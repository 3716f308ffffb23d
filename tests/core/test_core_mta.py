"""The MTA's transport, listener and kernel (sim/core/_mta.py): the response timer runs from the
accept, a connection waiting in the backlog is ended only by its peer, and without a timer of
its own only the peers give up. Exact virtual times, both drivers."""

from __future__ import annotations

import pytest

import sim
from sim.core import Kind

S = 1_000_000
DRIVERS = ("batch", "trio")


def _run(text: str, build: str = "pre-fix", driver: str = "batch"):
    return sim.run(sim.parse_scenario(text), build, driver=driver)


def _events(result):
    return [(e.t, int(e.event_id), str(e.lpi)) for e in result.events]


def _inputs(result, kind: Kind):
    return [(step.t, step.conn) for step in result.steps if step.kind is kind]


BACKLOG_WAIT = """
[winsock]
response_timeout = 21.0
[mta]
accept_time = 5.0
ok_delay = 30.0
[[peers]]
count = 2
"""


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_response_timer_runs_from_the_accept_not_the_arrival(driver):
    # Both arrive at 0; the listener accepts one per 5 s: at 5 s and 10 s. Each connection
    # gets its full 21 s from its accept: timeouts at 26 s and 31 s, not 21 s.
    result = _run(BACKLOG_WAIT, driver=driver)
    assert _inputs(result, Kind.ACCEPT) == [(5 * S, 0), (10 * S, 1)]
    assert _inputs(result, Kind.RESPONSE_TIMEOUT) == [(26 * S, 0), (31 * S, 1)]
    assert _events(result) == [
        (26 * S, 4258, "1-15-1"),
        (26 * S, 4283, "1-15-1"),
        (31 * S, 4258, "1-15-2"),  # connection 0 still held block 1 at 10 s
        (31 * S, 4283, "1-15-2"),
    ]
    assert result.summary.timed_out == 2


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_connection_in_the_backlog_does_not_time_out_there(driver):
    # The listener takes 30 s per accept: a 21 s timer that ran from the arrival would have
    # dropped the connection in the backlog; the MTA knows nothing of it until 30 s.
    result = _run(
        """
        [winsock]
        response_timeout = 21.0
        [mta]
        accept_time = 30.0
        ok_delay = 1.0
        [[peers]]
        count = 1
        hold = 2.0
        """,
        driver=driver,
    )
    assert _inputs(result, Kind.ACCEPT) == [(30 * S, 0)]
    assert _inputs(result, Kind.OK_READY) == [(31 * S, 0)]
    assert result.summary.timed_out == 0
    assert result.summary.opened == 1
    assert _events(result) == [(33 * S, 4258, "1-15-1")]  # the peer's normal close


@pytest.mark.parametrize("driver", DRIVERS)
def test_only_its_peer_ends_a_connection_waiting_in_the_backlog(driver):
    result = _run(
        """
        [mta]
        accept_time = 30.0
        [[peers]]
        count = 1
        give_up = 10.0
        """,
        driver=driver,
    )
    assert _inputs(result, Kind.PEER_CLOSE) == [(10 * S, 0)]
    assert (result.summary.abandoned_in_backlog, result.summary.peer_gave_up) == (1, 1)
    assert result.summary.accepted == 0
    # The NSI never saw it: the listener's accept fails on it at 30 s (rule accept-error).
    assert _events(result) == [(30 * S, 9202, "None")]


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(
    ("build", "ids"), [("pre-fix", [4258, 4283]), ("post-fix", [4258]), ("post-sp3", [4258, 4283])]
)
def test_without_a_timer_of_its_own_the_peers_give_up_is_the_race(driver, build, ids):
    # The other reading of "times out at the Winsock layer": the remote MTA gives up at 21 s,
    # its close reaches the NSI as a Close Request while the OK response (30 s) is pending.
    result = _run(
        """
        [winsock]
        response_timeout = inf
        [mta]
        open_associations = 11
        ok_delay = 30.0
        [[peers]]
        count = 1
        give_up = 21.0
        """,
        build,
        driver,
    )
    assert _inputs(result, Kind.RESPONSE_TIMEOUT) == []
    assert _inputs(result, Kind.PEER_CLOSE) == [(21 * S, 0)]
    assert _events(result) == [(21 * S, i, "1-15-12") for i in ids]
    assert (result.summary.timed_out, result.summary.peer_gave_up) == (0, 1)


def test_without_any_timer_a_slow_ok_response_is_simply_late():
    result = _run(
        """
        [winsock]
        response_timeout = inf
        [mta]
        ok_delay = 300.0
        [[peers]]
        count = 1
        hold = 1.0
        """
    )
    assert _inputs(result, Kind.OK_READY) == [(300 * S, 0)]
    assert result.summary.opened == 1
    assert _events(result) == [(301 * S, 4258, "1-15-1")]
