"""The sweep engine's recursion: connections in arrival order, one numpy lane per run (a
grid point on one build), in lockstep. ``sim.app._fast_scope`` states the scope and the
proof; this module carries it out, in integer microseconds (``int64``), and is imported only
when numpy is installed and a grid is in scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..core import ConnSpec, Counters, EventId, Summary
from ._fast_scope import Policy, RowTally

Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]

#: "Never" in µs: larger than any time a run reaches, small enough that adding a time to it
#: stays in int64.
NEVER = 1 << 61


@dataclass(frozen=True, slots=True)
class Draw:
    """One point's connections as columns: arrival, service, what follows the OK response
    until the peer's close (``NEVER``: it holds for ever), data units."""

    arrival: Ints
    service: Ints
    close_after: Ints
    units: Ints

    @classmethod
    def of(cls, specs: Sequence[ConnSpec]) -> Draw:
        arrival = np.fromiter((s.arrival for s in specs), np.int64, len(specs))
        service = np.fromiter((s.service for s in specs), np.int64, len(specs))
        close_after = np.fromiter(
            (NEVER if s.hold is None else 2 * s.latency + s.hold for s in specs),
            np.int64,
            len(specs),
        )
        units = np.fromiter((s.data_units for s in specs), np.int64, len(specs))
        return cls(arrival, service, close_after, units)


@dataclass(frozen=True, slots=True)
class Lane:
    """One run: its point's draw, its model values and its build's policy."""

    draw: Draw
    response_timeout: int | None
    accept_time: int
    threads: int
    backlog: int
    blocks: int  # control blocks free for connections: the pool less the listener's and
    # the associations open at the start
    open_associations: int
    policy: Policy


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the recursion found for one lane: its summary, or why it is out of scope."""

    summary: Summary | None
    problem: str | None = None


#: At most this many (lane, connection) cells side by side: each of the recursion's arrays
#: then holds at most 16 MB, whatever the grid and the connections of its points.
CELLS = 2_000_000


def run_lanes(lanes: Sequence[Lane]) -> list[Outcome]:
    """Every lane's counters (lanes with the same number of connections side by side, at
    most :data:`CELLS` cells at a time)."""
    out: list[Outcome | None] = [None] * len(lanes)
    groups: dict[int, list[int]] = {}
    for k, lane in enumerate(lanes):
        groups.setdefault(len(lane.draw.arrival), []).append(k)
    for n, members in groups.items():
        size = max(1, CELLS // max(1, n))
        for first in range(0, len(members), size):
            part = members[first : first + size]
            for k, outcome in zip(part, _run_group([lanes[k] for k in part], n), strict=True):
                out[k] = outcome
    return [o for o in out if o is not None]


def _column(values: Sequence[int]) -> Ints:
    return np.array(values, dtype=np.int64)


def _run_group(lanes: Sequence[Lane], n: int) -> list[Outcome]:
    count = len(lanes)
    arrival = (
        np.stack([lane.draw.arrival for lane in lanes]) if n else np.zeros((count, 0), np.int64)
    )
    service = np.stack([lane.draw.service for lane in lanes]) if n else arrival
    close_after = np.stack([lane.draw.close_after for lane in lanes]) if n else arrival
    units = np.stack([lane.draw.units for lane in lanes]) if n else arrival
    step = _column([lane.accept_time for lane in lanes])[:, None]
    index = np.arange(n, dtype=np.int64)[None, :]
    # The listener, FIFO: A_i = max(a_i, A_{i-1}) + accept_time.
    accepted = np.maximum.accumulate(arrival - index * step, axis=1) + (index + 1) * step
    problems = _backlog_problems(lanes, arrival, accepted)
    timeout = _column(
        [NEVER if lane.response_timeout is None else lane.response_timeout for lane in lanes]
    )
    withdraw = np.array([lane.policy.race.withdraw for lane in lanes])
    leak_race = np.array([lane.policy.race.leak for lane in lanes])
    leak_normal = np.array([lane.policy.normal.leak for lane in lanes])
    threads = max(lane.threads for lane in lanes)
    free = np.zeros((count, threads), np.int64)
    for k, lane in enumerate(lanes):
        free[k, lane.threads :] = NEVER
    # A lane with at least as many free blocks as connections never runs out: it is not
    # tracked (its slots are not read), so the width is that of the lanes that can.
    unlimited = np.array([lane.blocks >= n for lane in lanes])
    width = max([1, *(lane.blocks for lane in lanes if lane.blocks < n)])
    blocks = np.full((count, width), -1, np.int64)  # when each block comes back (-1: free)
    for k, lane in enumerate(lanes):
        if lane.blocks < n:
            blocks[k, max(0, lane.blocks) :] = NEVER
    rows = np.arange(count)
    limited = not bool(unlimited.all())
    # Per connection (rows) and lane (columns), everything that does not depend on the
    # kernel: the accept, the timer's deadline, when the block comes back after a race
    # (never, if the race row leaks it) and after the OK response (never, if the peer holds
    # the association or the close row leaks it).
    at_t = np.ascontiguousarray(accepted.T)
    service_t = np.ascontiguousarray(service.T)
    deadline_t = at_t + timeout[None, :]
    holds_t = np.ascontiguousarray(close_after.T) >= NEVER
    race_back_t = np.where(leak_race[None, :], NEVER, deadline_t)
    normal_after_t = np.where(leak_normal[None, :] | holds_t, NEVER, close_after.T)
    has_cb_t = np.ones((n, count), np.bool_)
    late_t = np.zeros((n, count), np.bool_)
    skip_t = np.zeros((n, count), np.bool_)
    # Flat views: a lane's slot k is at lane * width + k (fancy indexing by rows and columns
    # costs twice as much).
    free_flat = free.reshape(-1)
    free_base = rows * threads
    blocks_flat = blocks.reshape(-1)
    blocks_base = rows * width
    withdraws = bool(withdraw.any())
    some_unlimited = bool(unlimited.any())
    later = np.zeros(count, np.bool_)
    for i in range(n):
        at = at_t[i]
        deadline = deadline_t[i]
        has_cb = has_cb_t[i]
        if limited:
            slot = blocks.argmin(axis=1) + blocks_base
            back = blocks_flat[slot]
            np.less_equal(back, at, out=has_cb)
            if some_unlimited:
                has_cb |= unlimited
        worker = free.argmin(axis=1) + free_base
        idle = free_flat[worker]
        ready = np.maximum(at, idle)  # the start, then when the OK is ready
        if withdraws:
            # A job still queued at the deadline is withdrawn (the hotfix): it never runs.
            np.greater(ready, deadline, out=later)
            np.logical_and(withdraw, later, out=skip_t[i])
        ready += service_t[i]
        late = np.greater(ready, deadline, out=late_t[i])
        runs = has_cb & ~skip_t[i] if withdraws else has_cb
        free_flat[worker] = np.where(runs, ready, idle) if limited or withdraws else ready
        if limited:
            given = np.where(late, race_back_t[i], ready + normal_after_t[i])
            blocks_flat[slot] = np.where(has_cb, given, back)
    opened_t = has_cb_t & ~late_t
    tallies = {
        "cb": has_cb_t.sum(axis=0),
        "late": (has_cb_t & late_t).sum(axis=0),
        "run_late": (has_cb_t & late_t & ~skip_t).sum(axis=0),
        "normal": (opened_t & ~holds_t).sum(axis=0),
        "forever": (opened_t & holds_t).sum(axis=0),
        "units": np.where(opened_t, units.T, 0).sum(axis=0),
    }
    figures = {name: values.tolist() for name, values in tallies.items()}
    # Summaries are frozen values: lanes that end alike share one.
    made: dict[tuple[object, ...], Summary] = {}
    out: list[Outcome] = []
    for k, lane in enumerate(lanes):
        problem = problems[k]
        if problem is not None:
            out.append(Outcome(None, problem))
            continue
        mine = {name: figures[name][k] for name in figures}
        key = (id(lane.policy), lane.open_associations, *mine.values())
        summary = made.get(key)
        if summary is None:
            summary = made[key] = _summary(lane, n, mine)
        out.append(Outcome(summary))
    return out


def _backlog_problems(lanes: Sequence[Lane], arrival: Ints, accepted: Ints) -> list[str | None]:
    """Connection i finds the backlog full iff the one ``backlog`` places before it is not
    accepted yet when it arrives (accepts at its instant come after it)."""
    problems: list[str | None] = [None] * len(lanes)
    n = arrival.shape[1]
    by_backlog: dict[int, list[int]] = {}
    for k, lane in enumerate(lanes):
        by_backlog.setdefault(lane.backlog, []).append(k)
    for size, members in by_backlog.items():
        if size >= n:
            continue
        picked = np.array(members)
        full: Flags = np.asarray(
            (accepted[picked, : n - size] >= arrival[picked, size:]).any(axis=1)
        )
        for k, flag in zip(members, [bool(f) for f in full], strict=True):
            if flag:
                problems[k] = "the listen backlog fills (a connection is refused)"
    return problems


def _summary(lane: Lane, n: int, f: dict[str, int]) -> Summary:
    """The lane's counters: each row's tally times the times it applied."""
    policy = lane.policy
    late, opened = f["late"], f["cb"] - f["late"]
    applied: list[tuple[RowTally, int]] = [
        (policy.open, f["cb"]),
        (policy.refusal, n - f["cb"]),
        (policy.ok, opened),
        (policy.race, late),
        (policy.normal, f["normal"]),
        (policy.late_ok, f["run_late"]),
        (policy.data, f["units"]),
    ]
    counters = Counters(
        connections=n,
        accepted=n,
        timed_out=late,
        race_closes=late,
        normal_closes=f["normal"],
    )
    logged: dict[EventId, int] = {}
    leaked = 0
    for tally, times in applied:
        for name, per in tally.counts.items():
            if name == "cb_leaked":  # the pool's count, not a counter of the run
                leaked += per * times
                continue
            setattr(counters, name, getattr(counters, name) + per * times)
        for event_id, per in tally.logged.items():
            logged[event_id] = logged.get(event_id, 0) + per * times
    counters.logged = {e: logged[e] for e in EventId if logged.get(e)}
    held = lane.open_associations + f["forever"]
    return Summary.of(
        counters,
        cb_in_use=1 + held + leaked,
        cb_leaked=leaked,
        open_associations=held,
    )
