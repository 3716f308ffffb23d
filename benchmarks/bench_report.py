"""What ``run.py`` prints: the header, the CPU-time table, the ratios, the checks, memory, the
sweep and the last lines (benchmarks/README.md explains each).

Rules of this module:

* Printing only: every figure is measured by ``run.py`` and handed in; nothing here calls
  mtasim.
* A ratio line says "peer / ours", so higher is faster for mtasim; the table's ratio lines carry
  the min-max range over the rounds, the last lines the median alone, in the issue's form.
* A check that fails prints ``MISMATCH`` or ``FAILED`` and returns False; ``run.py`` exits 1
  after printing everything.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import statistics
from typing import Any

import storm
from release_peer import RELEASE, RELEASE_COMMIT

Ratio = tuple[float, float, float]  # median, min, max over the rounds

#: The issue's memory target on a stationary scenario: at 1M <= 1.2 x at 100k + 10 MB.
MEMORY_FACTOR = 1.2
MEMORY_SLACK = 10_000_000


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def header(quick: bool, n: int, rounds: int, build: str, mtasim: str) -> None:
    print(f"mtasim driver benchmark{' (--quick)' if quick else ''}")
    print(f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.platform()}")
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"trio {version('trio')}, simpy {version('simpy')}, mtasim {mtasim}"
    )
    print(f"load average (1, 5, 15 min) at the start: {load()}")
    print(
        f"scenario: storm, {n:,} connections ({storm.SUMMARY}), build {build}; {rounds} rounds, "
        "each runs every model once (order rotated each round); CPU time of each run "
        "(time.process_time), inputs drawn lazily inside it",
        flush=True,
    )


def release_line(peer: object) -> None:
    if isinstance(peer, str):
        print(f"mtasim {RELEASE}: not measured: {peer}", flush=True)
    else:
        print(
            f"mtasim {RELEASE}: a git worktree of {RELEASE_COMMIT} (the commit before the "
            "redesign), each run in a fresh process; CPU time measured inside it",
            flush=True,
        )
    print()


def table(times: dict[str, list[float]], n: int) -> None:
    inputs = statistics.median(times["inputs only"])
    print(f"{'model':<16}{'CPU s':>8}{'µs/conn':>10}{'µs/conn - inputs':>18}  rounds (CPU s)")
    for name, ts in times.items():
        median = statistics.median(ts)
        net = "" if name == "inputs only" else f"{(median - inputs) / n * 1e6:.1f}"
        runs = " ".join(f"{t:.2f}" for t in ts)
        print(f"{name:<16}{median:>8.2f}{median / n * 1e6:>10.1f}{net:>18}  {runs}")
    print()


def ratios(values: dict[str, Ratio | None], rounds: int) -> None:
    print(
        f"ratios, peer CPU time / mtasim CPU time in the same round (higher is faster for "
        f"mtasim): median [min - max] of {rounds} rounds"
    )
    for label, value in values.items():
        if value is not None:
            median, low, high = value
            print(f"  {label:<34}{median:6.2f}  [{low:.2f} - {high:.2f}]")
    print()


def peer_check(tuned: Ratio, minimum: float) -> bool:
    median, low, high = tuned
    ok = median >= minimum
    print(
        f"peer check: simpy/simpy-tuned (plain simpy CPU time / tuned, same round) "
        f"{median:.2f}  [{low:.2f} - {high:.2f}]; the tuned model must be at least "
        f"{minimum:.2f}x faster -> {'ok' if ok else 'FAILED'}"
    )
    print()
    return ok


def check_counts(label: str, core: dict[str, Any], other: dict[str, Any], what: str) -> bool:
    refused_core = core["refused_backlog"] + core["refused_no_cb"]
    refused_other = other["refused_backlog"] + other["refused_no_cb"]
    headline = (
        f"4258 {core['logged_4258']}/{other['logged_4258']}  "
        f"4283 {core['logged_4283']}/{other['logged_4283']}  "
        f"refused {refused_core}/{refused_other}"
    )
    diffs = [f"{k} core={core[k]} {what}={other.get(k)}" for k in core if core[k] != other.get(k)]
    print(f"  {label:<22} core/{what + ':':<13} {headline}  -> {'MISMATCH' if diffs else 'match'}")
    for line in diffs:
        print(f"  !!! MISMATCH {label}: {line}")
    return not diffs


def unchecked(naive: dict[str, Any]) -> None:
    print(
        f"  naive trio (not checked: no determinism): 4258 {naive['logged_4258']}  "
        f"4283 {naive['logged_4283']}  "
        f"refused {naive['refused_backlog'] + naive['refused_no_cb']}"
    )
    print()


def other_model(name: str, counts: dict[str, Any], theirs: int, ours: int) -> None:
    print(
        f"  {name} (not compared: it runs model {theirs}, this mtasim model {ours}; "
        f'docs/model.md, "Model versions"): 4258 {counts["logged_4258"]}  '
        f"4283 {counts['logged_4283']}  "
        f"refused {counts['refused_backlog'] + counts['refused_no_cb']}"
    )


def size(n: int) -> str:
    return f"{n / 2**20:.2f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def memory(measured: dict[int, tuple[int, int]], quick: bool) -> None:
    print(
        "memory a run adds (tracemalloc peak above the allocations after imports; batch "
        "driver, no sinks, a fresh process per size):"
    )
    for n, (peak, after) in measured.items():
        print(
            f"  {n:>9,} connections: peak {size(peak):>10}  (still allocated at the end: "
            f"{size(after)})"
        )
    (small, (small_peak, _)), (large, (large_peak, _)) = measured.items()
    limit = MEMORY_FACTOR * small_peak + MEMORY_SLACK
    met = "met" if large_peak <= limit else "NOT met"
    print(f"  peak at {large:,} / peak at {small:,}: {large_peak / small_peak:.2f}")
    print(
        f'  target (issue "Speed", stationary scenario): peak at 1,000,000 <= 1.2 x peak at '
        f"100,000 + 10 MB{'; applied here to these two sizes' if quick else ''}: "
        f"{size(large_peak)} <= {size(int(limit))} -> {met}"
    )
    print()


def sweep(walls: dict[int, list[float]], rows: int, same: bool, quick: bool) -> bool:
    print(
        "sweep wall time: mtasim sweep heavy-load, 20 x 20 grid of the race knobs, 2 builds "
        f"(800 runs{', 100 connections each' if quick else ''}), a fresh process each:"
    )
    for jobs, ts in walls.items():
        runs = " ".join(f"{t:.2f}" for t in ts)
        print(f"  --jobs {jobs}: {statistics.median(ts):6.2f} s  (runs: {runs})")
    speedup = statistics.median(walls[1]) / statistics.median(walls[2])
    print(
        f"  speed-up --jobs 2 / --jobs 1: {speedup:.2f}; {rows} rows; "
        f"CSV identical: {'yes' if same else 'NO'}"
    )
    if not same:
        print("!!! MISMATCH: the sweep's CSV depends on --jobs")
    print()
    return same


def startup(times: dict[str, dict[str, list[float]]], target: float) -> None:
    print(
        "start-up wall time: a fresh process of the mtasim console script, output discarded, "
        "with a bytecode cache (as an installed package has it):"
    )
    for word, ts in times["cached"].items():
        print(f"start-up mtasim {word}: {statistics.median(ts):.3f} s (median of {len(ts)})")
    uncached = ", ".join(
        f"mtasim {word} {statistics.median(ts):.3f} s" for word, ts in times["uncached"].items()
    )
    print(f"  without a bytecode cache (every module compiled each run): {uncached}")
    worst = max(statistics.median(ts) for ts in times["cached"].values())
    print(f"  target: under {target:.2f} s -> {'met' if worst < target else 'NOT met'}")
    print()


def last_lines(
    values: dict[str, Ratio | None], release_why: str | None, engine_line: str | None = None
) -> None:
    print(f"load average (1, 5, 15 min) at the end: {load()}")
    for label in list(values)[:5]:
        value = values[label]
        # "batch/simpy-tuned (compiled core)": the figure first, which core after it.
        name, _, which = label.partition(" (")
        which = f" ({which}" if which else ""
        if value is not None:
            print(f"ratio {name}: {value[0]:.2f}{which}")
        else:
            print(f"ratio {label}: n/a ({release_why or 'not measured'})")
    print(engine_line or "ratio sweep-engine/core per point: n/a (not measured)")
