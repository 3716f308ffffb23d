"""Minimal reproducers: search generated scenarios for a behaviour, shrink what is found.

Rules of this module:

* The search is hypothesis' own (``hypothesis.find``) over :func:`sim.strategies.scenarios`,
  seeded (``random.Random(seed)``), with no example database, so the same call finds the same
  scenario. Each candidate runs on the batch driver (identical results to the trio driver,
  proven by ``tests/drivers/test_drivers_agree.py``), so thousands of candidates take seconds.
* A behaviour is a predicate on a run's counters (:data:`WANTS`, in ``_wants``). With
  ``not_on``, a candidate counts only if the other build does *not* show the behaviour on the
  same inputs.
* Bounded twice: ``max_examples`` candidates in the generation phase, and ``time_limit``
  seconds overall. Running out of time while shrinking keeps the smallest scenario found so far.
* The time limit holds within a second: the deadline is checked before each candidate and,
  every 1,000 records, inside a candidate's run, and running out of time stops hypothesis at
  once (:class:`_OutOfTime` is a ``BaseException``: an ``Exception`` raised by the condition is
  a failure to hypothesis, which it then shrinks, for as long again as the search had taken).
* ``on_progress`` hears after each candidate: how many were tried, the smallest found so far,
  the seconds left (the command draws it as a progress bar on a terminal).
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import HealthCheck, configuration, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from ..app import run
from ..core import Build, MtasimError
from ..scenario import Scenario
from ._wants import WANTS


class HuntError(MtasimError):
    """Bad hunt parameters."""


@contextlib.contextmanager
def _private_hypothesis_home() -> Iterator[None]:
    """Hypothesis keeps a cache of the constants of the code it runs in ``.hypothesis/`` of the
    working directory, even with ``database=None``: a hunt is a command, and leaves nothing in
    the user's directory, so that cache goes to a temporary directory for the hunt."""
    previous = configuration.storage_directory(intent_to_write=False).home_directory
    with tempfile.TemporaryDirectory(prefix="mtasim-hunt-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


class _OutOfTime(BaseException):
    """The time limit: a BaseException, so that hypothesis lets it through at once instead of
    shrinking it as a failure of the condition."""


#: Steps between two looks at the clock inside one candidate's run.
CHECK_EVERY = 1000


@dataclass(frozen=True, slots=True)
class HuntProgress:
    """Where a hunt is: candidates tried, the smallest scenario found so far (None: not yet),
    seconds left of the time limit."""

    candidates: int
    best: Scenario | None
    seconds_left: float


@dataclass(frozen=True, slots=True)
class HuntResult:
    want: str
    build: Build
    not_on: Build | None
    scenario: Scenario | None
    candidates: int
    found_at: int | None
    seconds: float
    timed_out: bool


def _size(scenario: Scenario) -> tuple[int, int]:
    return (sum(p.count for p in scenario.peers), len(scenario.peers))


def hunt(
    want: str,
    build: Build,
    *,
    not_on: Build | None = None,
    seed: int = 0,
    max_examples: int = 2000,
    time_limit: float = 60.0,
    max_connections: int = 20,
    on_progress: Callable[[HuntProgress], None] | None = None,
) -> HuntResult:
    """Search for the smallest scenario that shows ``want`` on ``build``."""
    if want not in WANTS:
        raise HuntError(f"unknown behaviour {want!r} (known: {', '.join(WANTS)})")
    if not_on is not None and not_on == build:
        raise HuntError(f"--not-on names the hunted build itself ({build.label})")
    if max_examples < 1 or time_limit <= 0:
        raise HuntError("the budget must be at least one example and more than 0 seconds")
    from ._strategies import scenarios

    shown = WANTS[want].shown
    started = time.monotonic()
    deadline = started + time_limit
    state: dict[str, Any] = {"calls": 0, "found_at": None, "best": None}

    records = 0

    def watch(_step: Any) -> None:
        nonlocal records
        records += 1
        if records % CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise _OutOfTime

    def shows(scenario: Scenario, on: Build) -> bool:
        return shown(run(scenario, on, driver="batch", keep=False, on_step=watch).summary)

    def condition(scenario: Scenario) -> bool:
        if time.monotonic() > deadline:
            raise _OutOfTime
        state["calls"] += 1
        found = shows(scenario, build) and (not_on is None or not shows(scenario, not_on))
        if found:
            if state["found_at"] is None:
                state["found_at"] = state["calls"]
            best = state["best"]
            if best is None or _size(scenario) <= _size(best):
                state["best"] = scenario
        if on_progress is not None:
            on_progress(HuntProgress(state["calls"], state["best"], deadline - time.monotonic()))
        return found

    strategy = scenarios(max_groups=3, max_connections=max_connections, build=st.just(build))
    config = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    timed_out = False
    try:
        with _private_hypothesis_home():
            found: Scenario | None = find(
                strategy, condition, settings=config, random=random.Random(seed)
            )
    except (NoSuchExample, Unsatisfiable):
        found = None
    except _OutOfTime:
        timed_out = True
        found = state["best"]
    if found is not None:
        what = WANTS[want].description
        also = f" and not on {not_on.label}" if not_on is not None else ""
        found = replace(
            found,
            name=f"hunt-{want}",
            description=f"Found by mtasim hunt: shows {what} on {build.label}{also}.",
            origin="<hunt>",
        )
    return HuntResult(
        want,
        build,
        not_on,
        found,
        state["calls"],
        state["found_at"],
        time.monotonic() - started,
        timed_out,
    )
