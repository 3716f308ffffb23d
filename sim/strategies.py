"""Hypothesis strategies for mtasim scenarios (``sim.testing``; the documented import path).

Example::

    from hypothesis import given
    from sim.strategies import scenarios

    @given(scenarios(max_connections=20))
    def test_post_fix_never_logs_4283(scenario):
        assert 4283 not in {int(e.event_id) for e in sim.run(scenario, "post-fix").events}
"""

from .testing._strategies import (
    FaultPlan,
    arrival_schedules,
    builds,
    durations,
    fault_plans,
    logging_levels,
    mta_loads,
    ok_delays,
    peer_groups,
    response_timeouts,
    scenarios,
    winsock_settings,
)

__all__ = [
    "FaultPlan",
    "arrival_schedules",
    "builds",
    "durations",
    "fault_plans",
    "logging_levels",
    "mta_loads",
    "ok_delays",
    "peer_groups",
    "response_timeouts",
    "scenarios",
    "winsock_settings",
]
