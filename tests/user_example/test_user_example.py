# The worked example of docs/testing.md, verbatim: only documented fixtures and strategies.
from hypothesis import given, settings

import sim
from sim.strategies import scenarios


def test_kb_case_logs_the_pair_on_sp4(mtasim_events):
    events = mtasim_events("kb319936", "pre-fix")
    assert [int(e.event_id) for e in events] == [4258, 4283]
    assert {str(e.lpi) for e in events} == {"1-15-12"}


def test_an_ok_response_in_time_means_no_race(mtasim_scenario, mtasim_run):
    quick = mtasim_scenario("kb319936", set={"mta.ok_delay": 20.0})
    result = mtasim_run(quick, "pre-fix")
    assert result.summary.count(4283) == 0
    assert result.summary.opened == 1


async def test_the_hotfix_in_a_trio_test(mock_clock, mtasim_run_async):
    result = await mtasim_run_async("kb319936", "post-fix")
    assert [int(e.event_id) for e in result.events] == [4258]


@settings(max_examples=50, deadline=None)
@given(scenarios(max_connections=15))
def test_my_fix_never_logs_4283(scenario):
    result = sim.run(scenario, "post-fix")
    assert result.summary.count(4283) == 0
