"""Running a scenario: the glue between scenarios, drivers, traces and results."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._atomic import atomic_text
from ._trace import TraceWriter, recorded_arrivals, recorded_externals, verify
from .core import Build, ConnSpec, Event, External, Record, Step, StepSink, resolve_build
from .drivers import run_async, run_trio, run_virtual
from .scenario import Scenario, arrivals, load_scenario, model_config

EventSink = Callable[[Event], None]

DRIVERS = ("trio", "batch")


@dataclass(slots=True)
class RunResult:
    """What a run produced: its steps in order (each input with what it did), the events
    logged, and the counters."""

    scenario: Scenario
    build: Build
    steps: list[Step] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def records(self) -> list[Record]:
        """The input of each step, in order."""
        return [step.record for step in self.steps]


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
    on_step: StepSink | None = None,
    keep: bool = True,
    record: str | Path | None = None,
    connections: Iterable[ConnSpec] | None = None,
    externals: Iterable[External] | None = None,
) -> RunResult:
    """Run a scenario (a :class:`Scenario`, a bundled name or path, or ``None`` for the KB
    Q319936 case) on a build (default: the scenario's).

    ``driver``: ``"trio"`` (the reference async model under a virtual clock) or ``"batch"``
    (the same scheduler on the virtual clock, no tasks; identical output, faster).
    ``on_event`` gets each event as it is logged, ``on_step`` each step (an input and what it
    did, ``sim.core.Step``). ``keep=False`` sends them only to the sinks (constant memory).
    ``record`` writes a trace file
    (atomically). ``connections`` replaces the scenario's drawn arrivals (used by replay).
    ``externals``: inputs from outside the model (a live session's real peers), in order,
    pushed at their recorded times (used by replay; see ``docs/live.md``).
    """
    scenario, resolved = prepare(scenario, build, seed)
    if driver not in DRIVERS:
        raise ValueError(f"unknown driver {driver!r} (expected one of {', '.join(DRIVERS)})")
    result = RunResult(scenario, resolved)
    sink = _sink(result, keep, on_event, on_step)
    stream = arrivals(scenario) if connections is None else connections
    config = model_config(scenario)
    runner = run_trio if driver == "trio" else run_virtual
    if record is None:
        mta = runner(config, resolved, stream, sink, externals=externals)
    else:
        with atomic_text(record) as handle:
            writer = TraceWriter(handle, scenario, resolved)
            mta = runner(config, resolved, stream, _tee(sink, writer.step), externals=externals)
            writer.close()
    result.summary = mta.summary().as_dict()
    return result


async def run_in_trio(
    scenario: Scenario | str | None = None,
    build: str | Build | None = None,
    *,
    seed: int | None = None,
    on_event: EventSink | None = None,
    on_step: StepSink | None = None,
    keep: bool = True,
) -> RunResult:
    """:func:`run` inside a running trio (whose clock must be ``MockClock(rate=0)``)."""
    scenario, resolved = prepare(scenario, build, seed)
    result = RunResult(scenario, resolved)
    sink = _sink(result, keep, on_event, on_step)
    mta = await run_async(model_config(scenario), resolved, arrivals(scenario), sink)
    result.summary = mta.summary().as_dict()
    return result


def replay(
    trace: str | Path,
    build: str | Build | None = None,
    *,
    driver: str = "trio",
    on_event: EventSink | None = None,
    on_step: StepSink | None = None,
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
        on_step=on_step,
        keep=keep,
        record=record,
        connections=recorded_arrivals(trace),
        externals=recorded_externals(trace),
    )


def _tee(first: StepSink | None, second: StepSink) -> StepSink:
    if first is None:
        return second

    def both(step: Step) -> None:
        first(step)
        second(step)

    return both


def _sink(
    result: RunResult, keep: bool, on_event: EventSink | None, on_step: StepSink | None
) -> StepSink | None:
    """One step sink for what the caller wants (None: nobody watches, the model only counts)."""
    if not keep and on_event is None and on_step is None:
        return None
    steps, events = result.steps, result.events

    def sink(step: Step) -> None:
        if keep:
            steps.append(step)
            events.extend(step.events)
        if on_step is not None:
            on_step(step)
        if on_event is not None:
            for event in step.events:
                on_event(event)

    return sink
