"""Fidelity: a scenario played live (real sockets, time-scaled) and simulated gives the same
events, in the same order, with the same LPIs (timestamps aside); and the live trace replays.

The scenario keeps every input from outside the model (a peer's CR, data, close) at least
2 virtual seconds from every occurrence it did not cause, which is 1 s of wall time at the
scale used, so that a loaded machine cannot reorder them (the first test checks that margin on
the simulated run, so the premise of the second is itself tested).
"""

from __future__ import annotations

import trio
from live_helpers import listener

import sim
from sim.app._atomic import atomic_text
from sim.app._run import replay
from sim.app._trace import TraceWriter
from sim.core import Kind
from sim.live import play_scenario

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

_OUTSIDE = {Kind.ARRIVAL, Kind.PEER_DATA, Kind.PEER_CLOSE}


def test_the_scenario_keeps_outside_inputs_a_wall_second_apart():
    scenario = sim.parse_scenario(FIDELITY)
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
