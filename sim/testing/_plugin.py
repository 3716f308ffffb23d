"""The mtasim pytest plugin (``pytest11`` entry point ``mtasim``): fixtures for tests that
drive the model.

Fixtures (all factories, so one test can run several scenarios or builds):

``mtasim_scenario(name_or_path=None, set=None, seed=None)``
    A :class:`~sim.Scenario`: a bundled name (``"heavy-load"``), a path, or ``None`` for the KB
    Q319936 case; ``set`` overrides keys like ``--set`` does: ``{"mta.ok_delay": 10}``.
``mtasim_run(scenario=None, build=None, seed=None, driver="trio")``
    Runs it under a virtual clock and returns a :class:`~sim.RunResult` (``.events``,
    ``.records``, ``.summary``).
``mtasim_events(scenario=None, build=None)``
    Just the events.
``mtasim_run_async(scenario=None, build=None, seed=None)``
    The same run inside the test's own trio run (pytest-trio). The test must take pytest-trio's
    ``mock_clock`` fixture so that trio runs on a ``MockClock``::

        async def test_hotfix(mock_clock, mtasim_run_async):
            result = await mtasim_run_async("kb319936", "post-fix")
            assert [int(e.event_id) for e in result.events] == [4258]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import pytest

from ..app._run import RunResult, run, run_in_trio
from ..core import Build, Event
from ..scenario import Scenario, load_scenario

ScenarioArg = Scenario | str | Path | None


def _scenario(
    spec: ScenarioArg = None, set: Mapping[str, object] | None = None, seed: int | None = None
) -> Scenario:
    if isinstance(spec, Scenario):
        scenario = spec
        if set:
            raise ValueError("set= applies to a scenario loaded by name or path, not a Scenario")
    else:
        # As --set KEY=VALUE: the key parsed by sim.scenario.KeyPath, the value's text read
        # by its field's type, so a set= and a --set give the same scenario and messages.
        overrides = tuple(f"{key}={value}" for key, value in (set or {}).items())
        scenario = load_scenario(None if spec is None else str(spec), overrides)
    return scenario if seed is None else scenario.with_seed(seed)


@pytest.fixture
def mtasim_scenario() -> Callable[..., Scenario]:
    """Load a scenario: ``mtasim_scenario("heavy-load", set={"mta.threads": 1})``."""
    return _scenario


@pytest.fixture
def mtasim_run() -> Callable[..., RunResult]:
    """Run a scenario on a build: ``mtasim_run("kb319936", "post-fix")``."""

    def runner(
        scenario: ScenarioArg = None,
        build: str | Build | None = None,
        seed: int | None = None,
        driver: str = "trio",
    ) -> RunResult:
        loaded = scenario if isinstance(scenario, Scenario) else _scenario(scenario)
        return run(loaded, build, seed=seed, driver=driver)

    return runner


@pytest.fixture
def mtasim_events(mtasim_run: Callable[..., RunResult]) -> Callable[..., list[Event]]:
    """The events of a run: ``mtasim_events("kb319936")``."""

    def events(scenario: ScenarioArg = None, build: str | Build | None = None) -> list[Event]:
        return mtasim_run(scenario, build).events

    return events


@pytest.fixture
def mtasim_run_async() -> Callable[..., Awaitable[RunResult]]:
    """``await mtasim_run_async(...)`` in a pytest-trio test that takes ``mock_clock``."""

    async def runner(
        scenario: ScenarioArg = None,
        build: str | Build | None = None,
        seed: int | None = None,
    ) -> RunResult:
        loaded = scenario if isinstance(scenario, Scenario) else _scenario(scenario)
        return await run_in_trio(loaded, build, seed=seed)

    return runner
