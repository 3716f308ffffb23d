"""A scenario that reproduces a server's log: ``mtasim fit LOG --output my.toml``.

Rules of this module (docs/diagnose.md, "Fitting a scenario"):

* **Observed** (from :class:`~sim.report._diagnose.Diagnosis`): per clock hour, the
  connections whose close the log shows (every 4258 Close Request: the normal closes and the
  4258 of each signature pair) and the signature pairs.
* **The family of scenarios**: one ``[[peers]]`` group per hour of the log, its connections
  evenly spaced in the hour (``process = "fixed"``, the first half an interval in), so the
  arrival load of each hour is the observed one; the pre-fix build; enough control blocks that
  none is refused; the MTA's defaults otherwise. **Assumed**, since no log shows them: the
  Winsock response timer ``timeout`` (the model's default 21 s unless told, ``--timeout``),
  the kernel threads (4, ``--threads``) and the spread of the OK delay (uniform, ``ok_delay +/-
  timeout / 2``).
* **Fitted**: the kernel's OK delay. Nothing in a log gives it; it is identified by the share of
  connections that time out before their OK response, hour by hour under the observed load:
  more OK delay, more pairs, monotonically. So what the fit identifies is the OK delay
  *relative to the assumed timeout*: a log cannot tell a longer OK delay from a shorter timer.
* **The search** (documented, deterministic): the sweep machinery (``sim.app._sweep``) runs
  the family on a grid of 31 OK delays from 0 to 3 x timeout, then twice on 11 points between
  the two neighbours of the best point; the best point is the one whose pre-fix run logs the
  number of 4283 closest to the observed pairs (ties: the smaller delay). A log is one draw of
  the random OK delays: of the seeds 0-15, the fitted scenario keeps the one whose run is
  closest to the log (the smallest largest relative error over the total and the hours of at
  least 5 pairs, then the smallest sum of squares over the hours, then the smaller seed).
  The fit's error is that run's, hour by hour.
* Same log, same options: same scenario bytes (values rounded to milliseconds, the search in
  a fixed order, ties broken by the smaller value).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..app._fast_sweep import execute_engine
from ..app._run import run
from ..app._sweep import Axis, plan
from ..core import PRE_FIX, EventId, Summary
from ..scenario import Scenario, scenario_from_dict, to_toml
from ..text._plural import plural
from ._diagnose import Diagnosis

#: The OK delay's grid: points from 0 to GRID_SPAN x timeout, then refined twice.
GRID_POINTS = 31
GRID_SPAN = 3.0
REFINE_POINTS = 11
REFINEMENTS = 2
#: Seeds tried for the fitted OK delay: the run closest to the log hour by hour is kept.
SEEDS = 16
RUNS = GRID_POINTS + REFINEMENTS * REFINE_POINTS + SEEDS
#: The model's default Winsock response timer (``winsock.response_timeout``) and threads.
DEFAULT_TIMEOUT = 21.0
DEFAULT_THREADS = 4


@dataclass(frozen=True, slots=True)
class HourSeen:
    hour: datetime
    closes: int
    pairs: int


@dataclass(frozen=True, slots=True)
class Fit:
    """The fitted scenario and how well it reproduces the log."""

    scenario: Scenario
    ok_delay: float
    timeout: float
    threads: int
    observed: tuple[HourSeen, ...]
    simulated: tuple[int, ...]  # pairs per observed hour on the fitted scenario's run

    @property
    def observed_pairs(self) -> int:
        return sum(h.pairs for h in self.observed)

    @property
    def simulated_pairs(self) -> int:
        return sum(self.simulated)

    def error(self) -> float:
        """The relative error of the total pairs (0 when both are 0)."""
        seen = self.observed_pairs
        return abs(self.simulated_pairs - seen) / seen if seen else float(self.simulated_pairs)


def observed_hours(diagnosis: Diagnosis) -> tuple[HourSeen, ...]:
    """The hours of the log from the first to the last it holds, each with its counts."""
    if not diagnosis.hours:
        return ()
    first, last = min(diagnosis.hours), max(diagnosis.hours)
    out = []
    hour = first
    while hour <= last:
        found = diagnosis.hours.get(hour)
        out.append(
            HourSeen(
                hour, found.close_requests if found else 0, found.signature_pairs if found else 0
            )
        )
        hour += timedelta(hours=1)
    return tuple(out)


def family(
    observed: tuple[HourSeen, ...], ok_delay: float, timeout: float, threads: int, name: str
) -> dict[str, Any]:
    """The scenario data of one OK delay (see the module's rules)."""
    epoch = observed[0].hour
    peers = []
    for seen in observed:
        if not seen.closes:
            continue
        interval = round(3600.0 / seen.closes, 3)
        peers.append(
            {
                "name": f"hour-{seen.hour:%H}",
                "at": round((seen.hour - epoch).total_seconds() + interval / 2, 3),
                "count": seen.closes,
                "process": "fixed",
                "interval": interval,
                "hold": 1.0,
            }
        )
    return {
        "name": name,
        "description": (
            f"Fitted to a log: {plural(sum(h.closes for h in observed), 'connection', digits=',')}"
            f" in {plural(len(observed), 'hour')}, "
            f"{plural(sum(h.pairs for h in observed), 'signature pair', digits=',')}."
        ),
        "seed": 0,
        "epoch": epoch,
        "build": "pre-fix",
        "winsock": {"response_timeout": timeout},
        "mta": {
            "control_blocks": 1250,
            "threads": threads,
            "ok_delay": round(ok_delay, 3),
            "ok_delay_jitter": round(timeout / 2, 3),
            "logging": "maximum",
        },
        "peers": peers,
    }


def fit(
    diagnosis: Diagnosis,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    threads: int = DEFAULT_THREADS,
    name: str = "fitted",
    on_progress: Callable[[int, int], None] | None = None,
    engine: str = "auto",
    say: Callable[[str], None] | None = None,
) -> Fit:
    """Fit the OK delay of the family to the log's pairs (see the module's rules); the grids
    of the search run on ``engine`` (``sim.app._fast_sweep``: the same rows either way)."""
    observed = observed_hours(diagnosis)
    if not any(h.closes for h in observed):
        raise ValueError("the log holds no 4258 Close Request: no connection to fit a load to")
    target = sum(h.pairs for h in observed)
    base = scenario_from_dict(family(observed, timeout, timeout, threads, name), "<fit>")
    done = 0

    def sweep(values: list[float]) -> list[tuple[float, int]]:
        nonlocal done
        axis = Axis("mta.ok_delay", tuple(dict.fromkeys(round(v, 3) for v in values)))
        rows: list[tuple[float, int]] = []

        def on_row(cell: Any, summary: Summary) -> None:
            rows.append((float(cell.assignments[0][1]), summary.logged.get(EventId.BAD_LPI, 0)))

        start = done

        def progress(finished: int, total: int) -> None:
            if on_progress is not None:
                on_progress(start + finished, RUNS)

        execute_engine(
            plan(base, [axis], [PRE_FIX]), on_row, engine=engine, on_progress=progress, say=say
        )
        done = start + len(values)
        return rows

    step = GRID_SPAN * timeout / (GRID_POINTS - 1)
    rows = sweep([i * step for i in range(GRID_POINTS)])
    best = _best(rows, target)
    for _ in range(REFINEMENTS):
        low, high = max(0.0, best - step), best + step
        step = (high - low) / (REFINE_POINTS - 1)
        rows = sorted({*rows, *sweep([low + i * step for i in range(REFINE_POINTS)])})
        best = _best(rows, target)
    data = family(observed, best, timeout, threads, name)
    chosen: tuple[tuple[float, float, int], Scenario, tuple[int, ...]] | None = None
    for seed in range(SEEDS):
        data["seed"] = seed
        scenario = scenario_from_dict(data, "<fit>")
        simulated = pairs_per_hour(scenario, observed)
        score = (*_hour_errors(observed, simulated), seed)
        if chosen is None or score < chosen[0]:
            chosen = (score, scenario, simulated)
        if on_progress is not None:
            on_progress(done + seed + 1, RUNS)
    assert chosen is not None
    return Fit(chosen[1], round(best, 3), timeout, threads, observed, chosen[2])


def pairs_per_hour(scenario: Scenario, observed: tuple[HourSeen, ...]) -> tuple[int, ...]:
    """The signature pairs a pre-fix run of ``scenario`` logs in each observed hour."""
    check = Diagnosis()
    for event in run(scenario, PRE_FIX, driver="batch").events:
        check.add(event)
    return tuple(
        found.signature_pairs if (found := check.hours.get(h.hour)) else 0 for h in observed
    )


def _hour_errors(observed: tuple[HourSeen, ...], simulated: tuple[int, ...]) -> tuple[float, float]:
    """The largest relative error, over the total and the hours of at least 5 pairs, and the
    sum of squared differences over all hours."""
    pairs = list(zip(observed, simulated, strict=True))
    total = sum(h.pairs for h in observed)
    errors = [abs(s - h.pairs) / h.pairs for h, s in pairs if h.pairs >= 5]
    if total:
        errors.append(abs(sum(simulated) - total) / total)
    return max(errors, default=0.0), float(sum((s - h.pairs) ** 2 for h, s in pairs))


def _best(rows: list[tuple[float, int]], target: int) -> float:
    """The OK delay whose pairs are closest to ``target`` (ties: the smaller delay; with no
    pair observed, the largest delay that logs none)."""
    quiet = [delay for delay, pairs in rows if pairs == 0]
    if target == 0 and quiet:
        return max(quiet)
    return min(rows, key=lambda row: (abs(row[1] - target), row[0]))[0]


def fit_text(result: Fit, log: str) -> str:
    """What was observed, assumed and fitted, and the fit's error, line by line (the
    scenario file's comments and the command's output)."""
    lines = [
        f"Fitted to {log}: {plural(len(result.observed), 'hour')} from "
        f"{result.observed[0].hour:%Y-%m-%d %H:%M}.",
        "Observed: per hour, connections (4258 Close Requests) and signature pairs; the fitted",
        "scenario's pre-fix run logs, in the same hours:",
    ]
    for seen, simulated in zip(result.observed, result.simulated, strict=True):
        lines.append(
            f"  {seen.hour:%Y-%m-%d %H:00}  connections {seen.closes:6,}  pairs {seen.pairs:5,}"
            f"  fitted run {simulated:5,}"
        )
    lines += [
        f"Total pairs: observed {result.observed_pairs:,}, fitted run {result.simulated_pairs:,} "
        f"(error {result.error():.1%}).",
        f"Assumed (no log shows them): the Winsock response timer {result.timeout:g} s, "
        f"{result.threads} kernel threads, the OK delay spread uniformly over +/- "
        f"{result.timeout / 2:g} s, arrivals evenly spaced in each hour.",
        f"Fitted: the kernel's OK delay, {result.ok_delay:g} s. A log does not show it: it is "
        "identified by the share of connections that time out under each hour's load, so only "
        "its size relative to the assumed timer is known (a longer OK delay and a shorter "
        "timer look the same).",
        f"Search: {RUNS} pre-fix runs through the sweep machinery (a grid of {GRID_POINTS} OK "
        f"delays from 0 to {GRID_SPAN:g} x the timer, refined {REFINEMENTS} times on "
        f"{REFINE_POINTS} points), the closest total of 4283; then, of seeds 0-{SEEDS - 1}, the "
        f"run closest hour by hour (seed {result.scenario.seed}).",
    ]
    wrapped = [
        part
        for line in lines
        for part in (
            [line] if line.startswith("  ") else textwrap.wrap(line, 92, subsequent_indent="  ")
        )
    ]
    return "\n".join(wrapped) + "\n"


def fit_toml(result: Fit, log: str) -> str:
    return to_toml(result.scenario, comment=fit_text(result, log))
