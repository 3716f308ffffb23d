"""The core counts the same with or without records and Event values (the sweep's mode)."""

from __future__ import annotations

from hypothesis import given

from sim.drivers import run_batch
from sim.scenario import arrivals, model_config
from sim.strategies import builds, scenarios


@given(scenarios(build=builds()))
def test_counters_do_not_depend_on_what_is_kept(scenario):
    config, build = model_config(scenario), scenario.resolved_build
    events, records = [], []
    full = run_batch(config, build, arrivals(scenario), events.append, records.append)
    lean = run_batch(config, build, arrivals(scenario))
    assert lean.summary() == full.summary()
    assert sum(full.summary()["events"].values()) == len(events)
