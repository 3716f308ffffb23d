"""Running a scenario: the glue between scenarios, drivers and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .core import Build, Event, Record, resolve_build
from .drivers import EventSink, RecordSink, run_async, run_trio
from .scenario import Scenario, arrivals, load_scenario, model_config


@dataclass(slots=True)
class RunResult:
    """What a run produced: the events in order, the input records, the counters."""

    scenario: Scenario
    build: Build
    events: list[Event] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def _prepare(
    scenario: Scenario | str | None, build: str | Build | None, seed: int | None
) -> tuple[Scenario, Build]:
    if scenario is None or isinstance(scenario, str):
        scenario = load_scenario(scenario)
    if seed is not None:
        scenario = scenario.with_seed(seed)
    resolved = resolve_build(build if build is not None else scenario.build)
    return scenario.with_build(resolved), resolved


def run(
    scenario: Scenario | str | None = None,
    build: str | Build | None = None,
    *,
    seed: int | None = None,
    on_event: EventSink | None = None,
    on_record: RecordSink | None = None,
    keep: bool = True,
) -> RunResult:
    """Run a scenario (a :class:`Scenario`, a bundled name or path, or ``None`` for the KB
    Q319936 case) on a build (default: the scenario's) with the trio driver under a virtual
    clock. With ``keep=False`` events and records go only to the sinks (constant memory)."""
    scenario, resolved = _prepare(scenario, build, seed)
    result = RunResult(scenario, resolved)
    event_sink, record_sink = _sinks(result, keep, on_event, on_record)
    mta = run_trio(model_config(scenario), resolved, arrivals(scenario), event_sink, record_sink)
    result.summary = mta.summary()
    return result


async def run_in_trio(
    scenario: Scenario | str | None = None,
    build: str | Build | None = None,
    *,
    seed: int | None = None,
    on_event: EventSink | None = None,
    on_record: RecordSink | None = None,
    keep: bool = True,
) -> RunResult:
    """:func:`run` inside a running trio (whose clock must be ``MockClock(rate=0)``)."""
    scenario, resolved = _prepare(scenario, build, seed)
    result = RunResult(scenario, resolved)
    event_sink, record_sink = _sinks(result, keep, on_event, on_record)
    mta = await run_async(
        model_config(scenario), resolved, arrivals(scenario), event_sink, record_sink
    )
    result.summary = mta.summary()
    return result


def _sinks(
    result: RunResult, keep: bool, on_event: EventSink | None, on_record: RecordSink | None
) -> tuple[EventSink | None, RecordSink | None]:
    if not keep:
        return on_event, on_record

    def event_sink(event: Event) -> None:
        result.events.append(event)
        if on_event is not None:
            on_event(event)

    def record_sink(record: Record) -> None:
        result.records.append(record)
        if on_record is not None:
            on_record(record)

    return event_sink, record_sink
