"""Running a scenario for the pictures: records and events with the connection of each event.

Rules of this module:

* A :class:`RunLog` is what a run produced, frozen: the input records and the events in the
  order the model produced them, plus, for each event, the connection whose step logged it.
  The pictures (sequence diagrams, narration) need that link; an :class:`~sim.Event` does not
  carry its connection.
* The link comes from the drivers' sink order, which both drivers guarantee: for each model
  step, its records go to the sinks before its events, and every step that logs an event
  consumed exactly one input (one record). So an event belongs to the connection of the last
  record seen before it.
* The default driver is ``batch`` (fast; identical records and events to ``trio``, proved by
  the drivers' tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._run import run
from ..core import Build, Event, Micros, Record, Step, to_micros
from ..scenario import Scenario


@dataclass(frozen=True, slots=True)
class RunLog:
    """One run of one scenario on one build, for the pictures."""

    scenario: Scenario
    build: Build
    records: tuple[Record, ...]
    events: tuple[Event, ...]
    #: ``event_records[i]`` is the index in ``records`` of the input whose step logged
    #: ``events[i]``.
    event_records: tuple[int, ...]
    summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def event_conns(self) -> tuple[int, ...]:
        """``event_conns[i]`` is the connection whose step logged ``events[i]``."""
        return tuple(self.records[i].conn for i in self.event_records)

    @property
    def response_timeout(self) -> Micros:
        """The Winsock response timer of the run, in microseconds."""
        return to_micros(self.scenario.winsock.response_timeout)

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
    """Run ``scenario`` on ``build`` (default: the scenario's) and keep everything the
    pictures need."""
    records: list[Record] = []
    events: list[Event] = []
    owners: list[int] = []

    def on_step(step: Step) -> None:
        records.append(step.record)
        for event in step.events:
            events.append(event)
            owners.append(len(records) - 1)

    result = run(scenario, build, driver=driver, on_step=on_step, keep=False)
    return RunLog(
        scenario=result.scenario,
        build=result.build,
        records=tuple(records),
        events=tuple(events),
        event_records=tuple(owners),
        summary=dict(result.summary),
    )
