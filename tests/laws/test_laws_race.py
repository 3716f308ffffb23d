"""The race laws, checked on generated scenarios and every build.

Each law is a plain function (``check_*``) so that a test can also show it failing on a build
broken on purpose (``test_a_broken_hotfix_is_caught_with_a_shrunk_counterexample``).
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.core import HOTFIX, POST_SP3, SP4, Build, Effect, Input, State, Transition
from sim.strategies import builds, scenarios

PRE_FIX_LIKE = (SP4, POST_SP3)


def run(scenario, build):
    return sim.run(scenario, build, driver="batch")


def check_race_law(scenario: sim.Scenario, build: Build) -> None:
    """On a build that has the bug, a 4283 for an LPI is logged iff that connection's Close
    Request reached the NSI while its OK response was pending; on a fixed build, never."""
    result = run(scenario, build)
    got = [(e.t, e.cb) for e in result.events if e.event_id is sim.EventId.BAD_LPI]
    if build.table()[(State.OPENING, Input.CLOSE)].effects.count(Effect.LOG_4283) == 0:
        assert got == [], f"{build.label} logged 4283: {got}"
        return
    cb: dict[int, int] = {}
    answered: set[int] = set()
    expected: list[tuple[int, int]] = []
    for record in result.records:
        detail = dict(record.detail)
        if record.kind is sim.Kind.ACCEPT and "cb" in detail:
            cb[record.conn] = detail["cb"]
        elif record.kind is sim.Kind.OK_READY:
            answered.add(record.conn)
        elif record.kind in (sim.Kind.RESPONSE_TIMEOUT, sim.Kind.PEER_CLOSE):
            if record.conn in cb and record.conn not in answered:
                expected.append((record.t, cb.pop(record.conn)))
            else:
                cb.pop(record.conn, None)
    if scenario.mta.logging < sim.LoggingLevel.MINIMUM:
        expected = []
    assert got == expected


@given(scenarios(build=builds()))
def test_race_law(scenario):
    check_race_law(scenario, scenario.resolved_build)


@given(scenarios())
def test_post_fix_never_logs_4283(scenario):
    for build in (HOTFIX, sim.SP5):
        assert sim.EventId.BAD_LPI not in {e.event_id for e in run(scenario, build).events}


@given(scenarios(build=st.sampled_from(PRE_FIX_LIKE)))
def test_every_4283_follows_its_4258_at_the_same_instant(scenario):
    scenario = scenario.__class__(**{**_fields(scenario), "mta": _max_logging(scenario)})
    events = run(scenario, scenario.resolved_build).events
    for index, event in enumerate(events):
        if event.event_id is sim.EventId.BAD_LPI:
            before = events[index - 1]
            assert index > 0
            assert before.event_id is sim.EventId.NSI_MESSAGE_RECEIVED
            assert (before.lpi, before.t, before.message_type) == (
                event.lpi,
                event.t,
                "Close Request",
            )


def _fields(scenario):
    return {name: getattr(scenario, name) for name in scenario.__dataclass_fields__}


def _max_logging(scenario):
    from dataclasses import replace

    return replace(scenario.mta, logging=sim.LoggingLevel.MAXIMUM)


@given(scenarios(build=builds()))
def test_the_kernel_ends_idle_and_keeps_no_state_for_finished_work(scenario):
    from sim.drivers import run_virtual
    from sim.scenario import arrivals, model_config

    mta = run_virtual(model_config(scenario), scenario.resolved_build, arrivals(scenario))
    assert mta.kernel_idle


@given(scenarios(build=builds()))
def test_control_blocks_are_conserved_when_the_run_is_quiet(scenario):
    result = run(scenario, scenario.resolved_build)
    s = result.summary
    leaked_expected = s.race_closes if scenario.resolved_build is POST_SP3 else 0
    assert s.cb_leaked == leaked_expected
    assert s.cb_in_use == 1 + s.open_associations + s.cb_leaked


@given(scenarios(build=builds()))
def test_accepted_connections_end_as_4258_or_9156_or_still_open(scenario):
    """At maximum logging: 4258 + 9156 + associations opened in the run and still open =
    connections accepted. The same on every build (the accept times do not depend on it)."""
    scenario = scenario.__class__(**{**_fields(scenario), "mta": _max_logging(scenario)})
    accepted = None
    for build in sim.BUILDS:
        s = run(scenario, build).summary
        new_open = s.open_associations - scenario.mta.open_associations
        assert s.count(4258) + s.count(9156) + new_open == s.accepted
        accepted = s.accepted if accepted is None else accepted
        assert s.accepted == accepted


@given(scenarios())
def test_post_fix_logs_no_more_events_than_pre_fix_except_as_documented(scenario):
    """docs/testing.md: per event id, post-fix <= pre-fix, except that 4258 and 9156 can move
    between the builds when the control-block pool runs out on either of them."""
    pre = Counter(int(e.event_id) for e in run(scenario, SP4).events)
    post = Counter(int(e.event_id) for e in run(scenario, HOTFIX).events)
    assert post[4283] == 0
    if pre[9156] == 0 and post[9156] == 0:
        assert post[4258] <= pre[4258]


def test_the_documented_exception_happens():
    """The hotfix withdraws dead work, so association d opens and keeps its control block where
    SP4 timed it out: a later connection finds the pool empty on the hotfix only."""
    scenario = sim.load_scenario(str(Path(__file__).with_name("hotfix_runs_out_of_blocks.toml")))
    pre = run(scenario, SP4).summary
    post = run(scenario, HOTFIX).summary
    assert (pre.count(9156), post.count(9156)) == (0, 1)
    assert pre.count(4258) + pre.count(9156) == post.count(4258) + post.count(9156)


@given(scenarios(build=builds()))
def test_same_scenario_and_seed_same_trace(scenario):
    first = sim.run(scenario)
    second = sim.run(scenario)
    assert (first.records, first.events) == (second.records, second.events)


BROKEN = Build(
    "9.9.9999.1",
    "hotfix broken on purpose",
    ("broken-fix",),
    {
        (State.OPENING, Input.CLOSE): Transition(
            State.CLOSED,
            (Effect.LOG_4258, Effect.LOG_4283, Effect.CANCEL_OK, Effect.RELEASE_CB),
            "test: the hotfix taking the 4283 path",
        )
    },
)


def test_a_broken_hotfix_is_caught_with_a_shrunk_counterexample():
    def post_fix_law_holds(scenario):
        return sim.EventId.BAD_LPI not in {e.event_id for e in run(scenario, BROKEN).events}

    counterexample = hypothesis.find(
        scenarios(),
        lambda s: not post_fix_law_holds(s),
        settings=hypothesis.settings(max_examples=500, database=None, deadline=None),
        random=random.Random(0),
    )
    # Shrunk to the simplest race: one peer, one connection, whose OK response comes after
    # the Winsock deadline.
    assert len(counterexample.peers) == 1
    assert counterexample.peers[0].count == 1
    summary = run(counterexample, SP4).summary
    assert (summary.connections, summary.race_closes) == (1, 1)
    with pytest.raises(AssertionError):
        assert post_fix_law_holds(counterexample)
