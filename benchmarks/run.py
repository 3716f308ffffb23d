"""Benchmark of the drivers: CPU time against reference models, in rounds, and memory.

Rules of this script (benchmarks/README.md says what each figure means):

* Every figure is measured in this one run, on this machine; nothing is copied from elsewhere.
* The calls into mtasim are the few functions under "the places that call mtasim" below and
  nowhere else in this file: the core's API is being redesigned, and they are what changes
  with it. (``release_worker.py`` calls mtasim 0.1.0's API, which does not change.)
* Models: the batch and trio drivers; three reference models written without mtasim's core:
  the plain simpy model (``simpy_model.py``), the tuned simpy model (``simpy_tuned.py``) and
  the naive trio model (``naive_trio.py``); mtasim 0.1.0's batch and trio drivers
  (``release_peer.py``: a worktree of the release, a subprocess per run); and ``inputs only``.
  Each draws its inputs lazily inside its timed run, and runs once untimed on
  ``storm.WARM_UP`` connections before its first timed run.
* Rounds: a round runs every model once, in an order rotated by one model each round. A run's
  figure is its CPU time (``time.process_time()`` around the run only; inside the worker for
  0.1.0, so process start-up is excluded). Each ratio is the median over the rounds of (the
  peer's time / ours) in the same round, printed with its min-max range: higher is faster for
  mtasim.
* Checks (a failure prints ``MISMATCH`` or ``FAILED`` and the script exits 1, after printing
  everything): the plain and the tuned simpy models count what the core counts on every build;
  the trio driver counts what the batch driver counts, and so do both 0.1.0 drivers when this
  mtasim runs 0.1.0's model (model 1; under a later model their counts are printed, not
  compared, since the model changed on purpose: docs/model.md, "Model versions"); a deterministic
  model counts the same in every round; the tuned simpy model is at least
  :data:`TUNED_MIN` times faster than the plain one in this run (a peer that stays strong);
  the sweep's CSV does not depend on ``--jobs``; the sweep engine's rows are the core's
  (``bench_engine.py``, which also measures the engine against the core per grid point).
* Memory: tracemalloc's peak of what a run of the batch driver allocates above the
  allocations after imports, in a fresh process per size (``--child-memory``).
* Start-up: wall time of a fresh ``mtasim --help`` and ``mtasim scenarios`` (the console
  script), with and without a bytecode cache; the target is printed, not enforced.
* The last lines: ``ratio batch/simpy-tuned`` (on the compiled core when there is one, saying
  which), ``ratio batch-pure/simpy-tuned``, ``ratio batch/simpy``,
  ``ratio trio/trio-0.1.0`` (``n/a (<why>)`` without the release), ``ratio trio/naive-trio``,
  ``ratio sweep-engine/core per point``.
* simpy is not a dependency of mtasim: without it the script prints one line and exits 2.
  Ctrl-C exits 130 and SIGTERM 143; the release's worktree is removed either way.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_engine  # noqa: E402
import bench_report as report  # noqa: E402
import storm  # noqa: E402
from bench_common import COMPARED  # noqa: E402
from build_peer import OtherBuild, other_build  # noqa: E402
from release_peer import RELEASE, ReleasePeer, release_peer  # noqa: E402

import sim  # noqa: E402
import sim.core  # noqa: E402
from sim.core import ConnSpec, ModelConfig  # noqa: E402
from sim.drivers import run_trio, run_virtual  # noqa: E402
from sim.scenario import Scenario, arrivals, model_config  # noqa: E402

Counts = dict[str, Any]
#: Seconds: ``mtasim --help`` and ``mtasim scenarios`` start in less (issue "Speed").
STARTUP_TARGET = 0.25
COUNTED = (*COMPARED, "logged_4258", "logged_4283", "logged_9156")


# -- the places that call mtasim ------------------------------------------------------------
def load_scenario(connections: int) -> Scenario:
    return sim.parse_scenario(storm.scenario_text(connections), storm.SOURCE)


def timed_build(sc: Scenario) -> sim.Build:
    """The scenario's build (a build has ``.alias`` and ``.version``)."""
    return sc.resolved_build


def builds() -> tuple[sim.Build, ...]:
    return tuple(sim.BUILDS)


def mtasim_version() -> str:
    return sim.__version__


def model_version() -> int:
    """The version of the model this mtasim runs (mtasim 0.1.0 ran model 1)."""
    return sim.MODEL_VERSION


def inputs(sc: Scenario) -> tuple[ModelConfig, Iterator[ConnSpec]]:
    """The model's knobs and its arrivals (drawn lazily), as every model reads them."""
    return model_config(sc), iter(arrivals(sc))


def summary_counts(mta: Any) -> Counts:
    summary = mta.summary().as_dict()
    return {name: summary[name] for name in COUNTED}


def batch_driver(sc: Scenario, build: sim.Build) -> Counts:
    config, specs = inputs(sc)
    return summary_counts(run_virtual(config, build, specs))


def trio_driver(sc: Scenario, build: sim.Build) -> Counts:
    config, specs = inputs(sc)
    return summary_counts(run_trio(config, build, specs))


# -- the models -----------------------------------------------------------------------------
def simpy_model(sc: Scenario, build: sim.Build) -> Counts:
    from simpy_model import run_simpy

    config, specs = inputs(sc)
    return run_simpy(config, build.version, specs).as_dict()


def simpy_tuned(sc: Scenario, build: sim.Build) -> Counts:
    from simpy_tuned import run_simpy_tuned

    config, specs = inputs(sc)
    return run_simpy_tuned(config, build.version, specs).as_dict()


def naive_trio(sc: Scenario, build: sim.Build) -> Counts:
    from naive_trio import run_naive_trio

    config, specs = inputs(sc)
    return run_naive_trio(config, build.version, specs).as_dict()


def inputs_only(sc: Scenario, build: sim.Build) -> Counts:
    return {"connections": sum(1 for _ in inputs(sc)[1])}


Model = Callable[[Scenario, sim.Build], Counts]
IN_PROCESS: dict[str, Model] = {
    "inputs only": inputs_only,
    "batch driver": batch_driver,
    "trio driver": trio_driver,
    "simpy model": simpy_model,
    "simpy tuned": simpy_tuned,
    "naive trio": naive_trio,
}
#: The release's models: row name -> release_worker.py's model name.
RELEASE_MODELS = {f"batch {RELEASE}": "batch", f"trio {RELEASE}": "trio"}
#: The model version mtasim 0.1.0 runs: its counts are compared only under the same model.
RELEASE_MODEL = 1
#: Not checked against the core: the naive trio model has no determinism guarantee.
UNCHECKED = ("inputs only", "naive trio")

#: (label, ours, peer): the ratio lines of the table; the first four are also the last lines.
RATIOS = (
    ("batch/simpy-tuned", "batch driver", "simpy tuned"),
    ("batch/simpy", "batch driver", "simpy model"),
    (f"trio/trio-{RELEASE}", "trio driver", f"trio {RELEASE}"),
    ("trio/naive-trio", "trio driver", "naive trio"),
    (f"batch/batch-{RELEASE} (reference)", "batch driver", f"batch {RELEASE}"),
    ("trio/simpy-tuned (reference)", "trio driver", "simpy tuned"),
)
#: The tuned simpy model must run at least this many times faster than the plain one.
TUNED_MIN = 1.4


@dataclass(frozen=True)
class Sizes:
    connections: int  # of the timed runs
    rounds: int
    memory: tuple[int, int]  # connections of the two memory runs
    check: int  # connections of the count check on the other builds


FULL = Sizes(100_000, 7, (100_000, 1_000_000), 50_000)
QUICK = Sizes(20_000, 3, (10_000, 100_000), 20_000)


# -- rounds ---------------------------------------------------------------------------------
@dataclass
class Rounds:
    times: dict[str, list[float]]  # CPU seconds of each round
    counts: dict[str, Counts]  # of the last round
    mismatches: list[str]


def cpu_time(model: Model, sc: Scenario, build: sim.Build) -> tuple[float, Counts]:
    gc.collect()
    start = time.process_time()
    counts = model(sc, build)
    return time.process_time() - start, counts


def measure(
    n: int,
    build: sim.Build,
    rounds: int,
    peer: ReleasePeer | None,
    *,
    progress: bool,
    other: OtherBuild | None = None,
) -> Rounds:
    """Every model once per round on ``n`` connections, in a rotated order; CPU seconds and
    counts."""
    sc = load_scenario(n)
    warm_up = load_scenario(storm.WARM_UP)
    for model in IN_PROCESS.values():  # first-call costs stay out of the timed runs
        model(warm_up, build)
    names = [*IN_PROCESS, *(RELEASE_MODELS if peer is not None else ())]
    names += [other.row] if other is not None else []
    result = Rounds({name: [] for name in names}, {}, [])
    for r in range(rounds):
        started = time.perf_counter()
        for name in names[r % len(names) :] + names[: r % len(names)]:
            if name in IN_PROCESS:
                seconds, counts = cpu_time(IN_PROCESS[name], sc, build)
            elif other is not None and name == other.row:
                seconds, counts = other.run(n)
            else:
                assert peer is not None
                seconds, counts = peer.run(RELEASE_MODELS[name], n)
            result.times[name].append(seconds)
            last = result.counts.get(name)
            if last is not None and last != counts and name not in UNCHECKED:
                result.mismatches.append(f"{name} gave other counts in round {r + 1}")
            result.counts[name] = counts
        if progress:
            print(f"round {r + 1}/{rounds}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return result


def ratio(rounds: Rounds, ours: str, peer: str) -> tuple[float, float, float] | None:
    """Median, min and max over the rounds of the peer's CPU time / ours."""
    if peer not in rounds.times:
        return None
    each = [p / o for p, o in zip(rounds.times[peer], rounds.times[ours], strict=True)]
    return statistics.median(each), min(each), max(each)


# -- memory in a fresh process --------------------------------------------------------------
def child_memory(connections: int) -> int:
    """Run in the subprocess: the batch driver alone, no sinks, under tracemalloc; print JSON."""
    sc = load_scenario(connections)
    build = timed_build(sc)
    gc.collect()
    tracemalloc.start()  # after the imports: what was allocated before is not traced
    counts = batch_driver(sc, build)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert counts["connections"] == connections
    print(json.dumps({"peak": peak, "after": current}))
    return 0


def measure_memory(connections: int) -> tuple[int, int]:
    """(tracemalloc peak of the run, what was still allocated at its end), in bytes."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-memory", str(connections)],
        check=True,
        capture_output=True,
        text=True,
    )
    out = json.loads(done.stdout)
    return int(out["peak"]), int(out["after"])


# -- sweep wall time ------------------------------------------------------------------------
#: The sweep of the benchmark: a 20 x 20 grid of the two race knobs on the heavy-load scenario,
#: each point on pre-fix and post-fix (800 runs). --quick keeps the grid and cuts the scenario
#: to 100 connections.
SWEEP_GRID = ("winsock.response_timeout=1:20:20", "mta.ok_delay=0.5:10:20")


def time_sweep(jobs: int, quick: bool, target: Path) -> float:
    """Wall time of ``mtasim sweep`` as a user runs it (a fresh process, imports included)."""
    argv = [sys.executable, "-m", "sim", "sweep", "heavy-load", "--jobs", str(jobs)]
    # The core, whose work --jobs shares out (the sweep engine is measured by bench_engine).
    argv += ["--engine", "core", "--output", str(target)]
    for axis in SWEEP_GRID:
        argv += ["--vary", axis]
    if quick:
        argv += ["--set", "peers.count=100"]
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def sweep_times(repeat: int, quick: bool) -> tuple[dict[int, list[float]], int, bool]:
    """Wall times of --jobs 1 and 2, interleaved; the CSV's rows; whether they are identical."""
    import tempfile

    walls: dict[int, list[float]] = {1: [], 2: []}
    outputs: dict[int, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            for jobs, runs in walls.items():
                target = Path(tmp) / f"jobs{jobs}.csv"
                runs.append(time_sweep(jobs, quick, target))
                outputs[jobs] = target.read_bytes()
    return walls, outputs[1].count(b"\n") - 1, outputs[1] == outputs[2]


# -- start-up wall time ---------------------------------------------------------------------
#: The commands that only print, whose start-up has a target (issue "Speed": under 0.25 s).
STARTUP_COMMANDS = ("--help", "scenarios")


def time_startup(word: str, env: dict[str, str]) -> float:
    """Wall time of ``mtasim WORD`` as a user runs it: a fresh process of the console script
    (``python -m sim`` where there is none), output discarded."""
    script = Path(sys.executable).with_name("mtasim")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "sim"]
    start = time.perf_counter()
    subprocess.run([*argv, word], check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def startup_times(repeat: int) -> dict[str, dict[str, list[float]]]:
    """Wall times of each of :data:`STARTUP_COMMANDS`, interleaved: with a bytecode cache (a
    private one, warmed by one untimed run: what an installed package has) and without one
    (every module compiled, as under ``PYTHONDONTWRITEBYTECODE=1``)."""
    import os
    import tempfile

    times: dict[str, dict[str, list[float]]] = {"cached": {}, "uncached": {}}
    with tempfile.TemporaryDirectory() as cache:
        plain = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        envs = {
            "cached": {**plain, "PYTHONPYCACHEPREFIX": cache},
            "uncached": {**plain, "PYTHONDONTWRITEBYTECODE": "1"},
        }
        for word in STARTUP_COMMANDS:
            time_startup(word, envs["cached"])
        for _ in range(repeat):
            for mode, env in envs.items():
                for word in STARTUP_COMMANDS:
                    times[mode].setdefault(word, []).append(time_startup(word, env))
    return times


# -- the whole run --------------------------------------------------------------------------
class Terminated(Exception):
    """SIGTERM, as an exception, so that the release's worktree is removed."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def bench(args: argparse.Namespace) -> int:
    sizes = QUICK if args.quick else FULL
    n = args.connections or sizes.connections
    rounds = args.rounds or sizes.rounds
    build = timed_build(load_scenario(n))
    report.header(args.quick, n, rounds, build.alias, mtasim_version())
    this_compiled = sim.core.COMPILED
    other = other_build(this_compiled, args.compiled_python)
    print(
        f"core: this process runs the {'compiled' if this_compiled else 'pure-Python'} core; "
        + (f"'{other.row}' runs in a worker per round" if isinstance(other, OtherBuild) else other)
    )
    with release_peer() as peer:
        report.release_line(peer)
        measured = measure(
            n,
            build,
            rounds,
            None if isinstance(peer, str) else peer,
            progress=args.tty,
            other=other if isinstance(other, OtherBuild) else None,
        )
    report.table(measured.times, n)
    ratios = {label: ratio(measured, ours, other) for label, ours, other in RATIOS}
    # batch/simpy-tuned on the compiled core when there is one, and the pure core's beside it.
    rows = {this_compiled: "batch driver"}
    if isinstance(other, OtherBuild):
        rows[other.compiled] = other.row
    compiled_row = rows.get(True)
    first = ratio(measured, compiled_row or "batch driver", "simpy tuned")
    which = "compiled core" if compiled_row is not None else "pure core: no compiled build"
    ratios = {
        f"batch/simpy-tuned ({which})": first,
        "batch-pure/simpy-tuned": ratio(measured, rows[False], "simpy tuned")
        if False in rows
        else None,
        **{k: v for k, v in ratios.items() if k != "batch/simpy-tuned"},
    }
    report.ratios(ratios, rounds)
    tuned = ratio(measured, "simpy tuned", "simpy model")
    assert tuned is not None
    ok = report.peer_check(tuned, TUNED_MIN)

    print("counts on identical inputs (core/other; every counter is compared):")
    core = measured.counts["batch driver"]
    for line in measured.mismatches:
        print(f"  !!! MISMATCH: {line}")
    ok &= not measured.mismatches
    label = f"{build.alias}, {n:,} conn"
    for name in ("simpy model", "simpy tuned", "trio driver"):
        ok &= report.check_counts(label, core, measured.counts[name], name)
    if isinstance(other, OtherBuild):
        ok &= report.check_counts(label, core, measured.counts[other.row], other.row)
    for name in RELEASE_MODELS:
        if name not in measured.counts:
            continue
        if model_version() == RELEASE_MODEL:
            ok &= report.check_counts(label, core, measured.counts[name], name)
        else:
            report.other_model(name, measured.counts[name], RELEASE_MODEL, model_version())
    small = min(n, sizes.check)
    check_sc = load_scenario(small)
    for other in builds():
        if other is not build:
            core = batch_driver(check_sc, other)
            for name in ("simpy model", "simpy tuned"):
                ok &= report.check_counts(
                    f"{other.alias}, {small:,} conn", core, IN_PROCESS[name](check_sc, other), name
                )
    report.unchecked(measured.counts["naive trio"])

    memory = {m: measure_memory(m) for m in sizes.memory}
    report.memory(memory, args.quick)

    walls, rows, same = sweep_times(3 if not args.quick else 1, args.quick)
    ok &= report.sweep(walls, rows, same, args.quick)
    report.startup(startup_times(5 if args.quick else 9), STARTUP_TARGET)
    engine_ok, engine_line = bench_engine.engine_section(3 if args.quick else 5)
    ok &= engine_ok

    if not ok:
        print("!!! CHECK FAILED: see the MISMATCH and FAILED lines above")
    release_why = peer if isinstance(peer, str) else None
    report.last_lines(ratios, release_why, engine_line)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 rounds")
    parser.add_argument("--connections", type=int, help="connections of the timed runs")
    parser.add_argument("--rounds", type=int, help="rounds of timed runs")
    parser.add_argument(
        "--compiled-python",
        help="the python of an environment with the compiled build, for the compiled row "
        "when this one runs the pure core",
    )
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_memory is not None:
        return child_memory(args.child_memory)
    if importlib.util.find_spec("simpy") is None:
        print(
            "error: simpy is not installed; the benchmark compares against it "
            "(pip install simpy into this environment)",
            file=sys.stderr,
        )
        return 2
    args.tty = sys.stderr.isatty()
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return bench(args)
    except BaseException as exc:  # an interrupt inside trio's run loop comes out wrapped
        if _caused_by(exc, KeyboardInterrupt):
            print("benchmark interrupted", file=sys.stderr)
            return 130
        if _caused_by(exc, Terminated):
            print("benchmark terminated", file=sys.stderr)
            return 128 + signal.SIGTERM
        raise


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``exc`` is ``kind`` or was raised because of one (trio wraps a signal's
    exception raised in its run loop in ``TrioInternalError``)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, kind):
            return True
        stack += [x for x in (e.__cause__, e.__context__) if x is not None]
        if isinstance(e, BaseExceptionGroup):
            stack += list(e.exceptions)
    return False


if __name__ == "__main__":
    sys.exit(main())
