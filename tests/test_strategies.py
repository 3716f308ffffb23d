"""sim.strategies: valid, simplest-first, registered for st.from_type."""

from __future__ import annotations

import math

from hypothesis import find, given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.scenario import MtaSettings, PeerGroup, WinsockSettings, parse_scenario, to_toml
from sim.strategies import (
    FaultPlan,
    arrival_schedules,
    builds,
    durations,
    fault_plans,
    mta_loads,
    ok_delays,
    peer_groups,
    scenarios,
)


@settings(max_examples=30)
@given(scenarios(build=builds()))
def test_every_generated_scenario_passes_validate(tmp_path_factory, scenario):
    path = tmp_path_factory.mktemp("gen") / "s.toml"
    path.write_text(to_toml(scenario))
    assert main(["validate", str(path)]) == 0
    assert parse_scenario(to_toml(scenario)).to_dict() == scenario.to_dict()


@given(
    st.from_type(sim.Scenario),
    st.from_type(PeerGroup),
    st.from_type(MtaSettings),
    st.from_type(WinsockSettings),
    st.from_type(sim.Build),
    st.from_type(FaultPlan),
)
def test_from_type_works_for_the_scenario_types(scenario, group, mta, winsock, build, faults):
    assert isinstance(scenario, sim.Scenario)
    assert isinstance(group, PeerGroup)
    assert isinstance(mta, MtaSettings)
    assert isinstance(winsock, WinsockSettings)
    assert build in sim.BUILDS
    assert isinstance(faults, FaultPlan)


def simplest(strategy):
    return find(strategy, lambda _: True, settings=settings(database=None))


def test_simplest_values_are_the_readable_ones():
    assert simplest(durations(0.5, 10)) == 0.5
    assert simplest(ok_delays(around=21.0)) == 21.0
    assert simplest(builds()) is sim.PRE_FIX
    assert simplest(fault_plans()) == FaultPlan()
    group = simplest(peer_groups())
    assert (group.count, group.at, group.process, group.hold, group.give_up) == (
        1,
        0.0,
        "fixed",
        1.0,
        math.inf,
    )
    assert len(simplest(arrival_schedules())) == 1
    load = simplest(mta_loads())
    assert (load.control_blocks, load.threads, load.open_associations) == (20, 4, 0)
    scenario = simplest(scenarios())
    assert (len(scenario.peers), scenario.peers[0].count) == (1, 1)
    assert scenario.winsock.response_timeout == scenario.mta.ok_delay == 21.0


@given(arrival_schedules(max_groups=4, max_connections=12))
def test_arrival_schedules_respect_their_bounds(groups):
    assert 1 <= len(groups) <= 4
    assert all(g.count <= 3 for g in groups)
    assert [g.name for g in groups] == [f"peer-{i + 1}" for i in range(len(groups))]


def test_bad_duration_bounds_are_refused():
    import pytest

    with pytest.raises(ValueError, match="min_value <= max_value"):
        durations(5, 1)
