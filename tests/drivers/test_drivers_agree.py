"""The virtual clock (``--driver batch``) against the trio clock: identical steps (inputs,
transitions, actions, events) and counters.

DESIGN.md allows a second driver only if a property test proves that it produces the same
traces as the trio driver on generated scenarios; this is that test. Every comparison is of
whole lists (the steps in order), never of lengths or counts alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.core import Build, LoggingLevel, Step
from sim.drivers import run_trio, run_virtual
from sim.scenario import (
    MtaSettings,
    PeerGroup,
    Scenario,
    WinsockSettings,
    arrivals,
    model_config,
)

BUILD_IDS = [b.alias for b in sim.BUILDS]


@dataclass
class Outcome:
    """What one driver produced: the outputs in order, the counters, and the error if any."""

    steps: list[Step] = field(default_factory=list)
    summary: Any = None
    error: tuple[type[BaseException], str] | None = None


def _leaf(exc: BaseException) -> BaseException:
    # trio wraps an error raised in a task in an exception group; the batch driver does not.
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def drive(driver: Any, scenario: Scenario, build: Build) -> Outcome:
    out = Outcome()
    try:
        mta = driver(
            model_config(scenario),
            build,
            arrivals(scenario),
            out.steps.append,
        )
    except Exception as exc:  # the core's error must be the same under both drivers
        leaf = _leaf(exc)
        out.error = (type(leaf), str(leaf))
    else:
        out.summary = mta.summary()
    return out


def assert_same(scenario: Scenario, build: Build) -> Outcome:
    trio_out = drive(run_trio, scenario, build)
    batch_out = drive(run_virtual, scenario, build)
    assert batch_out.error == trio_out.error
    assert batch_out.steps == trio_out.steps
    assert batch_out.summary == trio_out.summary
    return batch_out


# -- hand-written cases ----------------------------------------------------------------------
@pytest.mark.parametrize("build", sim.BUILDS, ids=BUILD_IDS)
def test_kb_scenario_same_under_both_drivers(build: Build) -> None:
    out = assert_same(sim.load_scenario(), build)
    assert out.error is None
    assert out.steps, "the KB scenario has inputs"
    assert any(step.events for step in out.steps), "the KB scenario logs at least the 4258"


def test_kb_scenario_pre_fix_logs_the_pair() -> None:
    out = assert_same(sim.load_scenario(), sim.PRE_FIX)
    events = [e for step in out.steps for e in step.events]
    assert [int(e.event_id) for e in events] == [4258, 4283]
    assert [e.t for e in events] == [21_000_000, 21_000_000]


def test_ties_at_one_instant_same_under_both_drivers() -> None:
    # Everything on whole seconds: arrivals together, OK responses exactly at the Winsock
    # deadline, closes and accepts at the same instants as timeouts.
    scenario = Scenario(
        winsock=WinsockSettings(response_timeout=2.0, backlog=3),
        mta=MtaSettings(control_blocks=3, threads=1, ok_delay=1.0, accept_time=0.0),
        peers=(
            PeerGroup(name="a", count=6, interval=0.0, hold=1.0, give_up=3.0),
            PeerGroup(name="b", at=1.0, count=4, interval=1.0, hold=0.0, data_units=0),
        ),
    )
    for build in sim.BUILDS:
        out = assert_same(scenario, build)
        assert out.error is None
        assert len({step.t for step in out.steps}) < len(out.steps), "no tie happened"


def test_a_syn_flood_resets_the_same_requests_under_both_drivers() -> None:
    out = assert_same(sim.load_scenario("syn-flood"), sim.PRE_FIX)
    assert out.summary.refused_half_open == 4


# -- generated scenarios ---------------------------------------------------------------------
# Durations on a coarse grid (half seconds, simplest first) so that many happenings fall on
# the same instant and the tie rule decides their order.
def half_seconds(top: float, low: float = 0.0) -> st.SearchStrategy[float]:
    steps = int((top - low) * 2)
    return st.integers(0, steps).map(lambda k: low + k / 2)


def durations_or_never(top: float, low: float = 0.0) -> st.SearchStrategy[float]:
    return st.one_of(st.just(math.inf), half_seconds(top, low))


def peer_groups(position: int) -> st.SearchStrategy[PeerGroup]:
    return st.builds(
        PeerGroup,
        name=st.just(f"peer-{position + 1}"),
        # A SYN flood (simplest last): its SYNs fill the half-open table that resets the
        # connection requests of the other groups (rule half-open-full).
        kind=st.sampled_from(["connect", "syn-flood"]),
        at=half_seconds(5.0),
        count=st.integers(1, 30),
        process=st.sampled_from(["fixed", "poisson"]),
        interval=half_seconds(3.0),
        rate=st.sampled_from([1.0, 2.0, 0.5, 4.0]),
        hold=st.one_of(half_seconds(5.0), st.just(math.inf)),
        give_up=durations_or_never(10.0, low=0.5),
        latency=half_seconds(1.0),
        latency_jitter=st.sampled_from([0.0, 0.5]),
        data_units=st.integers(0, 3),
        close=st.sampled_from(["close", "reset"]),
    )


@st.composite
def mta_settings(draw: st.DrawFn) -> MtaSettings:
    control_blocks = draw(st.integers(2, 8))
    return MtaSettings(
        control_blocks=control_blocks,
        open_associations=draw(st.integers(0, control_blocks - 1)),
        threads=draw(st.integers(1, 4)),
        ok_delay=draw(half_seconds(10.0)),
        ok_delay_jitter=draw(st.sampled_from([0.0, 0.5, 2.0])),
        accept_time=draw(half_seconds(1.0)),
        logging=draw(st.sampled_from(list(reversed(LoggingLevel)))),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    count = draw(st.integers(1, 4))
    return Scenario(
        name="generated",
        seed=draw(st.integers(0, 2**16)),
        until=draw(durations_or_never(60.0, low=0.5)),
        winsock=WinsockSettings(
            response_timeout=draw(half_seconds(10.0, low=0.5)),
            backlog=draw(st.integers(1, 10)),
            max_half_open=draw(st.integers(1, 10)),
            syn_ack_retransmissions=draw(st.integers(0, 3)),
        ),
        mta=draw(mta_settings()),
        peers=tuple(draw(peer_groups(i)) for i in range(count)),
    )


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_generated_scenarios_same_under_both_drivers(scenario: Scenario) -> None:
    for build in sim.BUILDS:
        assert_same(scenario, build)
