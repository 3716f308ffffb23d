"""The core counts the same whether or not anyone watches its steps (the sweep's mode)."""

from __future__ import annotations

from hypothesis import given

from sim.drivers import run_virtual
from sim.scenario import arrivals, model_config
from sim.strategies import builds, scenarios


@given(scenarios(build=builds()))
def test_counters_do_not_depend_on_what_is_kept(scenario):
    config, build = model_config(scenario), scenario.resolved_build
    steps = []
    full = run_virtual(config, build, arrivals(scenario), steps.append)
    lean = run_virtual(config, build, arrivals(scenario))
    assert lean.summary() == full.summary()
    assert full.summary().events == sum(len(step.events) for step in steps)
