"""The live listener's kernel service times are the plan's: ``sim.scenario.ServiceTimes``,
asked in arrival order for each connection's peer group, draws what ``arrivals`` drew; a peer
no group is named after draws from a stream of its own, which shifts no group's draws."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.scenario import ServiceTimes, arrivals

GROUP = """
[[peers]]
name = "{name}"
at = {at}
count = {count}
interval = {interval}
"""


@given(
    seed=st.integers(0, 2**32),
    jitter=st.sampled_from([0.0, 0.5, 2.0]),
    groups=st.lists(
        st.tuples(st.integers(1, 5), st.sampled_from([0.0, 0.3, 1.0]), st.integers(0, 3)),
        min_size=1,
        max_size=3,
    ),
    strangers=st.lists(st.integers(0, 12), max_size=4),
)
def test_live_service_times_are_the_plans(seed, jitter, groups, strangers):
    text = f"seed = {seed}\n[mta]\nok_delay = 2.0\nok_delay_jitter = {jitter}\n"
    for position, (count, interval, at) in enumerate(groups):
        text += GROUP.format(name=f"g{position}", at=at, count=count, interval=interval)
    scenario = sim.parse_scenario(text)
    plan = [(spec.peer, spec.service) for spec in arrivals(scenario)]
    service = ServiceTimes(scenario)
    drawn = []
    for index, (peer, _) in enumerate(plan):
        if index in strangers:
            service.draw("a peer of no group")
        drawn.append((peer, service.draw(peer)))
    assert drawn == plan
