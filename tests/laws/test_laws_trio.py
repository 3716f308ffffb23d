"""The laws through the trio layer: a fresh trio.run on a fresh MockClock per example."""

from __future__ import annotations

import trio
import trio.testing
from hypothesis import given, settings

import sim
from sim.drivers import run_async
from sim.scenario import arrivals, model_config
from sim.strategies import builds, scenarios


def trio_run(scenario, build):
    events, records, times = [], [], []

    def on_step(step):
        records.append(step.record)
        for event in step.events:
            events.append(event)
            times.append(trio.current_time())

    async def main():
        return await run_async(model_config(scenario), build, arrivals(scenario), on_step)

    mta = trio.run(main, clock=trio.testing.MockClock(rate=0))
    return events, records, times, mta.summary()


@settings(max_examples=40)
@given(scenarios(build=builds(), max_connections=20))
def test_trio_layer_logs_each_event_at_its_virtual_time(scenario):
    build = scenario.resolved_build
    events, records, times, _ = trio_run(scenario, build)
    assert times == [e.t / 1_000_000 for e in events]
    assert times == sorted(times)
    batch = sim.run(scenario, build, driver="batch")
    assert (events, records) == (batch.events, batch.records)


@settings(max_examples=40)
@given(scenarios(max_connections=20))
def test_trio_layer_post_fix_never_logs_4283(scenario):
    events, _, _, _ = trio_run(scenario, sim.POST_FIX)
    assert sim.EventId.BAD_LPI not in {e.event_id for e in events}


async def test_the_async_form_inside_pytest_trio(mock_clock):
    result = await sim.run_in_trio("kb319936")
    assert [int(e.event_id) for e in result.events] == [4258, 4283]
    assert trio.current_time() == 30.0  # the late OK response was the last thing to happen
