"""Benchmark of the drivers: connections per second and peak memory on a heavy-load scenario.

Rules of this script (benchmarks/README.md says what each figure means):

* Every figure is measured in this one run, on this machine; nothing is copied from elsewhere.
* Four models run the same scenario, each drawing its inputs lazily from
  ``sim.scenario.arrivals(scenario)`` inside the timed region: the batch driver, the trio
  driver, a simpy model (``simpy_model.py``) and a naive trio model (``naive_trio.py``).
  Each runs once untimed on a small scenario first; then the repetitions are interleaved
  (one of each, then again) and the median is reported.
* The simpy model's counts must equal the core's on the same inputs, for every build; a
  difference is printed as ``MISMATCH`` and the script exits 1 (after the table). The trio
  driver's counters must equal the batch driver's. The naive trio model has no determinism
  guarantee: its counts are shown, not checked.
* Peak memory is ``ru_maxrss`` of a fresh subprocess that runs the batch driver alone, without
  sinks, so each figure is one run's high-water mark.
* The last two lines are ``ratio batch/simpy: X.XX`` and ``ratio trio/naive-trio: X.XX``.
* simpy is not a dependency of mtasim: without it the script prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import sim  # noqa: E402
from sim.drivers import run_trio, run_virtual  # noqa: E402
from sim.scenario import Scenario, arrivals, model_config  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    connections: int  # of the timed runs
    repeat: int  # timed runs of each model
    memory: tuple[int, int]  # connections of the two peak-memory runs
    check: int  # connections of the count check on the other builds


#: Connections of the untimed warm-up run of each model.
WARM_UP = 2_000
FULL = Sizes(200_000, 3, (100_000, 1_000_000), 50_000)
QUICK = Sizes(20_000, 1, (10_000, 100_000), 20_000)

#: The heavy-load scenario. A sustained Poisson storm of 10 connections/s against 4 kernel
#: threads that need 0.9 s +/- 0.9 s per OK response (about 4.4 per second): whenever the
#: kernel's queue grows, its queueing delay passes the 3 s Winsock timer, and on SP4 the close
#: logs 4258 then 4283 while the dead job stays queued. 13 free control blocks turn about half
#: of the storm away with 9156. Holding a control block for at most 3 s per timed-out
#: connection keeps the kernel's load just under 1, so the run is stationary: memory follows
#: what is in flight, not the number of connections.
SCENARIO = """
name = "storm"
description = "Poisson storm behind 4 kernel threads; the queueing delay beats the 3 s timer."
seed = 7
build = "pre-fix"

[winsock]
response_timeout = 3.0
backlog = 200

[mta]
control_blocks = 14
threads = 4
ok_delay = 0.9
ok_delay_jitter = 0.9
accept_time = 0.02
logging = "maximum"

[[peers]]
name = "storm"
count = {count}
process = "poisson"
rate = 10.0
hold = 0.5
latency = 0.02
latency_jitter = 0.01
"""


def scenario(connections: int) -> Scenario:
    return sim.parse_scenario(SCENARIO.format(count=connections), "<benchmark:storm>")


# -- the four models -----------------------------------------------------------------------
def core_counts(summary: dict[str, Any]) -> dict[str, Any]:
    from bench_common import COMPARED

    out = {name: summary[name] for name in COMPARED}
    for event_id in (4258, 4283, 9156):
        out[f"logged_{event_id}"] = summary[f"logged_{event_id}"]
    return out


def run_model(name: str, sc: Scenario, build: sim.Build) -> dict[str, Any]:
    """One run of one model over the scenario's arrivals; returns its counts."""
    config = model_config(sc)
    if name == "batch driver":
        return core_counts(run_virtual(config, build, arrivals(sc)).summary().as_dict())
    if name == "trio driver":
        return core_counts(run_trio(config, build, arrivals(sc)).summary().as_dict())
    if name == "simpy model":
        from simpy_model import run_simpy

        return run_simpy(config, build.version, arrivals(sc)).as_dict()
    if name == "naive trio":
        from naive_trio import run_naive_trio

        return run_naive_trio(config, build.version, arrivals(sc)).as_dict()
    if name == "inputs only":
        return {"connections": sum(1 for _ in arrivals(sc))}
    raise ValueError(name)


MODELS = ("batch driver", "trio driver", "simpy model", "naive trio")


def timed(fn: Callable[[], dict[str, Any]]) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


# -- peak memory in a fresh process ----------------------------------------------------------
def maxrss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


def child_memory(connections: int) -> int:
    """Run in the subprocess: the batch driver alone, no sinks; print two numbers."""
    sc = scenario(connections)
    before = maxrss_bytes()
    summary = run_virtual(model_config(sc), sc.resolved_build, arrivals(sc)).summary()
    assert summary.connections == connections
    print(before, maxrss_bytes())
    return 0


def measure_memory(connections: int) -> tuple[int, int]:
    """(peak RSS after imports, peak RSS of the whole run) of a fresh process, in bytes."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-memory", str(connections)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


# -- sweep wall time ---------------------------------------------------------------------------
#: The sweep of the benchmark: a 20 x 20 grid of the two race knobs on the heavy-load scenario,
#: each point on pre-fix and post-fix (800 runs). --quick keeps the grid and cuts the scenario
#: to 100 connections.
SWEEP_GRID = ("winsock.response_timeout=1:20:20", "mta.ok_delay=0.5:10:20")


def time_sweep(jobs: int, quick: bool, target: Path) -> float:
    """Wall time of ``mtasim sweep`` as a user runs it (a fresh process, imports included)."""
    argv = [
        sys.executable,
        "-m",
        "sim",
        "sweep",
        "heavy-load",
        "--jobs",
        str(jobs),
        "--output",
        str(target),
    ]
    for axis in SWEEP_GRID:
        argv += ["--vary", axis]
    if quick:
        argv += ["--set", "peers.count=100"]
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


# -- output ----------------------------------------------------------------------------------
def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> list[str]:
    return [
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.platform()}",
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"trio {version('trio')}, simpy {version('simpy')}, mtasim {sim.__version__}",
    ]


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def check_counts(
    label: str, core: dict[str, Any], other: dict[str, Any], what: str = "simpy"
) -> bool:
    refused_core = core["refused_backlog"] + core["refused_no_cb"]
    refused_other = other["refused_backlog"] + other["refused_no_cb"]
    headline = (
        f"4258 {core['logged_4258']}/{other['logged_4258']}  "
        f"4283 {core['logged_4283']}/{other['logged_4283']}  "
        f"refused {refused_core}/{refused_other}"
    )
    diffs = [f"{k} core={core[k]} {what}={other.get(k)}" for k in core if core[k] != other.get(k)]
    if not diffs:
        print(f"  {label:<28} core/{what}: {headline}  -> match")
        return True
    print(f"  {label:<28} core/{what}: {headline}  -> MISMATCH")
    for line in diffs:
        print(f"  !!! MISMATCH {label}: {line}")
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    parser.add_argument("--connections", type=int, help="connections of the timed runs")
    parser.add_argument("--repeat", type=int, help="repetitions of each timed run")
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

    import naive_trio  # noqa: F401  (imported before any timed run)
    import simpy_model  # noqa: F401

    sizes = QUICK if args.quick else FULL
    n = args.connections or sizes.connections
    repeat = args.repeat or sizes.repeat
    sc = scenario(n)
    build = sc.resolved_build
    print(f"mtasim driver benchmark{' (--quick)' if args.quick else ''}")
    for line in machine():
        print(line)
    print(
        f"scenario: storm, {n:,} connections (Poisson 10/s, 4 kernel threads, "
        f"timer 3 s, 13 free control blocks), build {build.alias}; "
        f"median of {repeat} run(s), inputs drawn lazily inside each timed run"
    )
    print()

    warm_up = scenario(WARM_UP)
    for name in MODELS:  # first-call costs (code paths, caches) stay out of the timed runs
        run_model(name, warm_up, build)
    times: dict[str, list[float]] = {name: [] for name in ("inputs only", *MODELS)}
    counts: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        for name, seconds_of in times.items():
            seconds, result = timed(partial(run_model, name, sc, build))
            seconds_of.append(seconds)
            if name in counts and counts[name] != result and name != "naive trio":
                print(f"!!! MISMATCH: {name} gave different counts in two repetitions")
            counts[name] = result

    inputs = statistics.median(times["inputs only"])
    rate = {name: n / statistics.median(ts) for name, ts in times.items()}
    print(f"{'model':<16}{'conn/s':>10}{'µs/conn':>10}{'µs/conn - inputs':>18}  runs (s)")
    for name, ts in times.items():
        median = statistics.median(ts)
        net = "" if name == "inputs only" else f"{(median - inputs) / n * 1e6:.1f}"
        runs = " ".join(f"{t:.2f}" for t in ts)
        print(f"{name:<16}{rate[name]:>10,.0f}{median / n * 1e6:>10.1f}{net:>18}  {runs}")
    print()

    print("counts on identical inputs (core/other; every counter is compared):")
    ok = check_counts(f"{build.alias}, {n:,} conn", counts["batch driver"], counts["simpy model"])
    ok &= check_counts(
        f"{build.alias}, {n:,} conn",
        counts["batch driver"],
        counts["trio driver"],
        "trio-driver",
    )
    small = min(n, sizes.check)
    check_sc = scenario(small)
    for other_build in sim.BUILDS:
        if other_build is build:
            continue
        core = run_model("batch driver", check_sc, other_build)
        other = run_model("simpy model", check_sc, other_build)
        ok &= check_counts(f"{other_build.alias}, {small:,} conn", core, other)
    naive = counts["naive trio"]
    print(
        f"  naive trio (not checked: no determinism): 4258 {naive['logged_4258']}  "
        f"4283 {naive['logged_4283']}  "
        f"refused {naive['refused_backlog'] + naive['refused_no_cb']}"
    )
    print()

    print("peak memory of the batch driver (ru_maxrss of a fresh process, no sinks):")
    small_n, large_n = sizes.memory
    peaks = {}
    for m in (small_n, large_n):
        base, peak = measure_memory(m)
        peaks[m] = peak
        print(
            f"  {m:>9,} connections: peak {mib(peak):>10}  "
            f"(after imports {mib(base)}, the run added {(peak - base) / 2**10:,.0f} KiB)"
        )
    print(f"  peak at {large_n:,} / peak at {small_n:,}: {peaks[large_n] / peaks[small_n]:.2f}")
    print()

    import tempfile

    print(
        "sweep wall time: mtasim sweep heavy-load, 20 x 20 grid of the race knobs, 2 builds "
        f"(800 runs{', 100 connections each' if args.quick else ''}), a fresh process each:"
    )
    walls: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        outputs: dict[int, bytes] = {}
        for _ in range(repeat):
            for jobs in (1, 2):
                target = Path(tmp) / f"jobs{jobs}.csv"
                walls[jobs].append(time_sweep(jobs, args.quick, target))
                outputs[jobs] = target.read_bytes()
        same = outputs[1] == outputs[2]
        rows = outputs[1].count(b"\n") - 1
    for jobs, ts in walls.items():
        print(
            f"  --jobs {jobs}: {statistics.median(ts):6.2f} s  (runs: "
            f"{' '.join(f'{t:.2f}' for t in ts)})"
        )
    speedup = statistics.median(walls[1]) / statistics.median(walls[2])
    print(
        f"  speed-up --jobs 2 / --jobs 1: {speedup:.2f}; {rows} rows; "
        f"CSV identical: {'yes' if same else 'NO'}"
    )
    if not same:
        ok = False
        print("!!! MISMATCH: the sweep's CSV depends on --jobs")
    print()
    if not ok:
        print("!!! COUNT CHECK FAILED: see MISMATCH lines above")
    print(f"ratio trio/simpy: {rate['trio driver'] / rate['simpy model']:.2f}")
    print(f"ratio batch/simpy: {rate['batch driver'] / rate['simpy model']:.2f}")
    print(f"ratio trio/naive-trio: {rate['trio driver'] / rate['naive trio']:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
