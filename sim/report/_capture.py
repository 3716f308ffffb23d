"""Running a scenario for the pictures: the steps of a run, kept.

Rules of this module:

* A :class:`RunLog` is what a run did, frozen: its steps in order (``sim.core.Step``: each
  input with the transitions it fired, the actions it led to and the events it logged) and its
  summary. The pictures read those facts; which connection logged an event is the step it is
  in, never an inference from the order of sinks.
* The default driver is ``batch`` (fast; identical steps to ``trio``, proved by the drivers'
  tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from ..app._run import run
from ..core import Build, Event, Micros, Record, Step, Summary, to_micros
from ..scenario import Scenario


@dataclass(frozen=True, slots=True)
class RunLog:
    """One run of one scenario on one build, for the pictures."""

    scenario: Scenario
    build: Build
    steps: tuple[Step, ...]
    summary: Summary = field(default_factory=Summary.empty)

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event logged, in order."""
        return tuple(e for step in self.steps for e in step.events)

    @property
    def event_conns(self) -> tuple[int, ...]:
        """``event_conns[i]`` is the connection whose step logged ``events[i]``."""
        return tuple(step.conn for step in self.steps for _ in step.events)

    @property
    def records(self) -> tuple[Record, ...]:
        """The input of each step, in order."""
        return tuple(step.record for step in self.steps)

    @property
    def response_timeout(self) -> Micros | None:
        """The MTA's response timer of the run, in microseconds (``None``: it has none)."""
        timeout = self.scenario.winsock.response_timeout
        return None if math.isinf(timeout) else to_micros(timeout)

    @property
    def epoch(self) -> datetime:
        return self.scenario.epoch

    @property
    def name(self) -> str:
        """The scenario's name (or where it came from)."""
        return self.scenario.name or self.scenario.origin


def capture(
    scenario: Scenario, build: str | Build | None = None, *, driver: str = "batch"
) -> RunLog:
    """Run ``scenario`` on ``build`` (default: the scenario's) and keep its steps."""
    result = run(scenario, build, driver=driver)
    return RunLog(
        scenario=result.scenario,
        build=result.build,
        steps=tuple(result.steps),
        summary=result.summary,
    )
