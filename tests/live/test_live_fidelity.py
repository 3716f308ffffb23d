"""Fidelity: a scenario played live (real sockets, time-scaled) and simulated gives the same
events, in the same order, with the same LPIs (timestamps aside), the same outcomes and the
same counts; and the live trace replays.

Each scenario keeps every input from outside the model (a peer's CR, data, close) at least
2 virtual seconds from every occurrence it did not cause, which is 1 s of wall time at the
scale used, so that a loaded machine cannot reorder them (the first test checks that margin on
the simulated run, so the premise of the others is itself tested).
"""

from __future__ import annotations

import pytest
import trio
from live_helpers import listener

import sim
from sim.app._atomic import atomic_text
from sim.app._run import replay
from sim.app._trace import TraceWriter
from sim.core import Kind
from sim.live import play_scenario
from sim.scenario import arrivals

SCALE = 0.5
#: The least wall time between an outside input and an occurrence it did not cause.
MARGIN_WALL_SECONDS = 1.0

# Timeline (virtual seconds): 0 and 2 two steady peers connect; 5 the first OK response (CC);
# 7 a crowd peer finds no free control block (9156, a DR); 9 the Winsock timer closes the
# second steady connection while its OK response is pending (4258 + 4283 on pre-fix); 13 the
# first steady peer closes (4258); 15 an impatient peer connects and 17 gives up with a reset
# before its OK response (4258 + 4283 on pre-fix).
FIDELITY = """
name = "live-fidelity"
seed = 7
epoch = 2002-02-26T14:00:00
[winsock]
response_timeout = 7.0
[mta]
control_blocks = 3
threads = 1
ok_delay = 5.0
logging = "maximum"
[[peers]]
name = "steady"
count = 2
interval = 2.0
hold = 8.0
[[peers]]
name = "crowd"
at = 7.0
count = 1
hold = 1.0
[[peers]]
name = "impatient"
at = 15.0
count = 1
give_up = 2.0
close = "reset"
"""

# Timeline (virtual seconds): 0 "far" (2.5 s away each way, gives up after 8 s) connects; 4
# "near" (1 s away, gives up after 10 s) connects; 6 far's CC goes out, 3 s after the last
# instant it could and still reach far in time (8 - 2 x 2.5 = 3): far has given up, and its
# close reaches the MTA at 8 (a give-up, peer_gave_up); 10 near's CC goes out, in time (its
# last is 4 + 10 - 2 = 12); 12 near's data reaches the MTA, one round trip later; 14 near
# closes, after its 2 s hold. The peer of old counted far "connected" (its CC came before its
# 8 s timeout), sent far's data at 11 and closed it at 13.
LATE_CC = """
name = "live-late-cc"
seed = 3
epoch = 2002-02-26T14:00:00
[mta]
threads = 2
ok_delay = 6.0
logging = "maximum"
[[peers]]
name = "far"
latency = 2.5
give_up = 8.0
hold = 2.0
[[peers]]
name = "near"
at = 4.0
latency = 1.0
give_up = 10.0
hold = 2.0
"""

_OUTSIDE = {Kind.ARRIVAL, Kind.PEER_DATA, Kind.PEER_CLOSE}


@pytest.mark.parametrize("text", [FIDELITY, LATE_CC], ids=["fidelity", "late-cc"])
def test_the_scenario_keeps_outside_inputs_a_wall_second_apart(text):
    scenario = sim.parse_scenario(text)
    for build in ("pre-fix", "post-fix"):
        records = sim.run(scenario, build, driver="batch").records
        gaps = [
            abs(a.t - b.t)
            for a in records
            if a.kind in _OUTSIDE
            for b in records
            # What an input causes at its own instant (the accept of an arrival, the data
            # the CC makes the peer send) is ordered by the cause, not by the clock.
            if b is not a and not (b.conn == a.conn and b.t == a.t)
        ]
        assert min(gaps) * SCALE / 1e6 >= MARGIN_WALL_SECONDS, build


def key(event):
    return (
        int(event.event_id),
        event.cb,
        None if event.lpi is None else str(event.lpi),
        event.message_type,
        event.error_code,
        event.configured_count,
    )


async def live_events(scenario, build, path):
    with atomic_text(path) as handle:
        trace = TraceWriter(handle, scenario, sim.resolve_build(build))
        async with listener(
            scenario,
            build,
            on_step=trace.step,
            time_scale=SCALE,
            read_timeout=5.0,
            backlog=64,
        ) as live:
            summary = await play_scenario("127.0.0.1", live.port, scenario, time_scale=SCALE)
            # Let the last closes reach the model.
            with trio.fail_after(10):
                while live.server.model.held:
                    await trio.sleep(0.01)
        trace.close()
    return live, summary


def test_live_and_simulated_runs_log_the_same_events(tmp_path):
    # A plain (sync) test: the simulated runs below start trio runs of their own.
    scenario = sim.parse_scenario(FIDELITY)
    results = {}

    async def one(build):
        results[build] = await live_events(
            scenario.with_build(build), build, tmp_path / f"{build}.jsonl"
        )

    async def both():
        with trio.fail_after(120):
            async with trio.open_nursery() as nursery:
                for build in ("pre-fix", "post-fix"):
                    nursery.start_soon(one, build)

    trio.run(both)

    for build, (live, summary) in results.items():
        simulated = sim.run(scenario, build)
        assert [key(e) for e in live.events] == [key(e) for e in simulated.events], build
        outcome = (summary.connected, summary.timed_out, summary.refused, summary.closed)
        assert outcome == (1, 1, 1, 1), build
        assert summary.failed == 0
        s = simulated.summary
        model = live.server.model.mta.summary()
        assert (model.logged, model.opened, model.timed_out) == (s.logged, s.opened, s.timed_out)

    pre = [key(e)[0] for e in results["pre-fix"][0].events]
    assert pre.count(4283) == 2 and pre.count(9156) == 1
    assert 4283 not in [key(e)[0] for e in results["post-fix"][0].events]

    # The live traces replay byte for byte, and on the other build give that build's events.
    for build in ("pre-fix", "post-fix"):
        path = tmp_path / f"{build}.jsonl"
        for driver in ("trio", "batch"):
            again = tmp_path / f"{build}-{driver}.jsonl"
            replay(path, driver=driver, record=again, keep=False)
            assert again.read_bytes() == path.read_bytes(), (build, driver)
    crossed = replay(tmp_path / "pre-fix.jsonl", "post-fix")
    assert [key(e) for e in crossed.events] == [key(e) for e in results["post-fix"][0].events]


def test_a_cc_inside_the_peers_last_round_trip_is_a_give_up_live_as_simulated(tmp_path):
    scenario = sim.parse_scenario(LATE_CC)
    simulated = sim.run(scenario, "pre-fix")
    far, near = arrivals(scenario)
    sent = {r.conn: r.t for r in simulated.records if r.kind is Kind.OK_READY}
    margin = round(MARGIN_WALL_SECONDS / SCALE * 1e6)
    # The premise: far's CC leaves the MTA too late to reach it in time, but before its close
    # reaches the MTA; near's leaves in time; each a wall second from the instants that decide.
    assert far.last_cc() + margin <= sent[far.conn] <= far.give_up_at() - margin
    assert sent[near.conn] + margin <= near.last_cc()
    assert simulated.summary.peer_gave_up == 1
    # The peer of old gave up only without a CC before its own close: it counted no give-up.
    old_rule = sum(sent[s.conn] > s.give_up_at() for s in (far, near))
    assert old_rule == 0

    async def session():
        with trio.fail_after(60):
            return await live_events(scenario, "pre-fix", tmp_path / "late-cc.jsonl")

    live, summary = trio.run(session)
    assert summary.outcomes == ["timed out", "connected"]
    assert summary.timed_out == simulated.summary.peer_gave_up == 1
    assert (summary.connected, summary.refused, summary.closed, summary.failed) == (1, 0, 0, 0)
    assert [key(e) for e in live.events] == [key(e) for e in simulated.events]
    model = live.server.model.mta.summary().as_dict()
    for counter in ("opened", "normal_closes", "data_units", "logged_4258", "logged_4283"):
        assert model[counter] == simulated.summary.as_dict()[counter], counter

    # The peers' inputs reached the listener in the simulated order: far's close (8) before
    # near's CC (10), no data from far, near's data then its close.
    def outside(records):
        return [(r.kind, r.conn) for r in records if r.kind in _OUTSIDE]

    assert outside(live.records) == outside(simulated.records)
