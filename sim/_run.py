"""Running a scenario: the glue between scenarios, drivers, traces and results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._atomic import atomic_text
from ._trace import TraceWriter, recorded_arrivals, recorded_externals, verify
from .core import Build, ConnSpec, Event, External, Record, resolve_build
from .drivers import EventSink, RecordSink, run_async, run_batch, run_trio
from .scenario import Scenario, arrivals, load_scenario, model_config

DRIVERS = ("trio", "batch")


@dataclass(slots=True)
class RunResult:
    """What a run produced: the events in order, the input records, the counters."""

    scenario: Scenario
    build: Build
    events: list[Event] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def prepare(
    scenario: Scenario | str | None, build: str | Build | None = None, seed: int | None = None
) -> tuple[Scenario, Build]:
    """Load the scenario if needed, apply the seed, resolve the build (default: the file's)."""
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
    driver: str = "trio",
    on_event: EventSink | None = None,
    on_record: RecordSink | None = None,
    keep: bool = True,
    record: str | Path | None = None,
    connections: Iterable[ConnSpec] | None = None,
    externals: Iterable[External] | None = None,
) -> RunResult:
    """Run a scenario (a :class:`Scenario`, a bundled name or path, or ``None`` for the KB
    Q319936 case) on a build (default: the scenario's).

    ``driver``: ``"trio"`` (the reference async model under a virtual clock) or ``"batch"``
    (the same core from a plain event heap; identical output, faster). ``keep=False`` sends
    events and records only to the sinks (constant memory). ``record`` writes a trace file
    (atomically). ``connections`` replaces the scenario's drawn arrivals (used by replay).
    ``externals``: inputs from outside the model (a live session's real peers), in order,
    pushed at their recorded times (used by replay; see ``docs/live.md``).
    """
    scenario, resolved = prepare(scenario, build, seed)
    if driver not in DRIVERS:
        raise ValueError(f"unknown driver {driver!r} (expected one of {', '.join(DRIVERS)})")
    result = RunResult(scenario, resolved)
    event_sink, record_sink = _sinks(result, keep, on_event, on_record)
    stream = arrivals(scenario) if connections is None else connections
    config = model_config(scenario)
    runner = run_trio if driver == "trio" else run_batch
    if record is None:
        mta = runner(config, resolved, stream, event_sink, record_sink, externals=externals)
    else:
        with atomic_text(record) as handle:
            writer = TraceWriter(handle, scenario, resolved)
            mta = runner(
                config,
                resolved,
                stream,
                _tee(event_sink, writer.event),
                _tee(record_sink, writer.record),
                externals=externals,
            )
            writer.close()
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
    scenario, resolved = prepare(scenario, build, seed)
    result = RunResult(scenario, resolved)
    event_sink, record_sink = _sinks(result, keep, on_event, on_record)
    mta = await run_async(
        model_config(scenario), resolved, arrivals(scenario), event_sink, record_sink
    )
    result.summary = mta.summary()
    return result


def replay(
    trace: str | Path,
    build: str | Build | None = None,
    *,
    driver: str = "trio",
    on_event: EventSink | None = None,
    on_record: RecordSink | None = None,
    keep: bool = True,
    record: str | Path | None = None,
) -> RunResult:
    """Re-drive a verified trace's recorded connections (and its external inputs, for a live
    session's trace) through the model, on the recorded build or another one. Raises
    ``TraceError`` for a truncated, edited or newer trace."""
    info = verify(trace)
    return run(
        info.scenario,
        build if build is not None else info.build,
        driver=driver,
        on_event=on_event,
        on_record=on_record,
        keep=keep,
        record=record,
        connections=recorded_arrivals(trace),
        externals=recorded_externals(trace),
    )


def _tee(first: Any, second: Any) -> Any:
    if first is None:
        return second

    def both(item: Any) -> None:
        first(item)
        second(item)

    return both


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
