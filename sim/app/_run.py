"""Running a scenario: the glue between scenarios, drivers, traces and results."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core import (
    Build,
    BuildError,
    ConnSpec,
    Event,
    External,
    Record,
    Step,
    StepSink,
    Summary,
    build_names,
    resolve_build,
)
from ..scenario import Scenario, arrivals, check_scenario, load_scenario, model_config
from ..text._input import quote
from ._atomic import atomic_text
from ._trace import TraceInfo, TraceWriter, recorded_arrivals, recorded_externals, verify

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
    summary: Summary = field(default_factory=Summary.empty)

    @property
    def records(self) -> list[Record]:
        """The input of each step, in order."""
        return [step.record for step in self.steps]


def prepare(
    scenario: Scenario | str | Path | None,
    build: str | Build | None = None,
    seed: int | None = None,
) -> tuple[Scenario, Build]:
    """Load the scenario if needed (a bundled name, a ``str`` or ``Path`` path, ``None`` for
    the KB case), apply the seed, validate it with the schema's rules (a :class:`Scenario`
    built in Python is named ``<python>`` in the messages), resolve the build (default: the
    scenario's). Raises :class:`~sim.scenario.ScenarioError` or ``BuildError``."""
    if scenario is None or isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario)
    elif not isinstance(scenario, Scenario):
        raise TypeError(
            "expected a Scenario, a bundled scenario name, a path or None, got "
            f"{type(scenario).__name__}"
        )
    if seed is not None:
        scenario = scenario.with_seed(seed)
    scenario = check_scenario(scenario)
    resolved = resolve(build if build is not None else scenario.build)
    return scenario.with_build(resolved), resolved


def resolve(build: str | Build) -> Build:
    """:func:`~sim.core.resolve_build` for a name given by a user: a long unknown name is
    quoted short in the ``BuildError``."""
    if not isinstance(build, (str, Build)):
        raise TypeError(f"expected a build name or a Build, got {type(build).__name__}")
    if isinstance(build, str) and len(build) > 40:
        raise BuildError(f"unknown build {quote(build, 40)} (known: {build_names()})")
    return resolve_build(build)


def run(
    scenario: Scenario | str | Path | None = None,
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
    """Run a scenario (a :class:`Scenario`, a bundled name, a path as ``str`` or
    :class:`~pathlib.Path`, or ``None`` for the KB Q319936 case) on a build (default: the
    scenario's). A :class:`Scenario` built in Python is validated here, with the rules and
    messages of a file (origin ``<python>``): :class:`~sim.scenario.ScenarioError` names the
    key, what was found and what was expected.

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
        raise ValueError(
            f"unknown driver {quote(driver, 40)} (expected one of {', '.join(DRIVERS)})"
        )
    result = RunResult(scenario, resolved)
    sink = _sink(result, keep, on_event, on_step)
    stream = arrivals(scenario) if connections is None else connections
    config = model_config(scenario)
    from ..drivers import run_trio, run_virtual  # here: importing sim.app imports no trio

    runner = run_trio if driver == "trio" else run_virtual
    if record is None:
        mta = runner(config, resolved, stream, sink, externals=externals)
    else:
        with atomic_text(record) as handle:
            writer = TraceWriter(handle, scenario, resolved)
            mta = runner(config, resolved, stream, _tee(sink, writer.step), externals=externals)
            writer.close()
    result.summary = mta.summary()
    return result


async def run_in_trio(
    scenario: Scenario | str | Path | None = None,
    build: str | Build | None = None,
    *,
    seed: int | None = None,
    on_event: EventSink | None = None,
    on_step: StepSink | None = None,
    keep: bool = True,
) -> RunResult:
    """:func:`run` inside a running trio (whose clock must be ``MockClock(rate=0)``); the
    scenario is given and validated as for :func:`run`."""
    scenario, resolved = prepare(scenario, build, seed)
    result = RunResult(scenario, resolved)
    sink = _sink(result, keep, on_event, on_step)
    from ..drivers import run_async

    mta = await run_async(model_config(scenario), resolved, arrivals(scenario), sink)
    result.summary = mta.summary()
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
    verified: TraceInfo | None = None,
) -> RunResult:
    """Re-drive a verified trace's recorded connections (and its external inputs, for a live
    session's trace) through the model, on the recorded build or another one. Raises
    ``TraceError`` for a truncated, damaged, edited or newer trace (``docs/traces.md``: what
    is checked). ``verified``: what :func:`~sim.app._trace.verify` said of this trace, when the
    caller has just called it (the trace is then not read twice before the replay)."""
    info = verify(trace) if verified is None else verified
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
