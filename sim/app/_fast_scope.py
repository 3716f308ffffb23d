"""The sweep engine's scope: when a grid's counters follow from a recursion in arrival order
that runs in lockstep over all its points (``sim.app._fast_sweep``), and what each build's
policy makes of it. Pure Python (no numpy): the check runs before numpy is needed.

Rules of this module (the proof of the engine; every clause is checked, as a whitelist: a
scenario key, a model field, a kind of occurrence, a row or an effect it does not name is out
of scope, and the point runs on the core):

* **What a point is.** Its connections are the core's own draws (``sim.scenario.arrivals``,
  the same code, so the same ``ConnSpec`` values); the schema must have only the keys named
  in :data:`KNOWN_KEYS` (a new one is out of scope, whatever its value), with ``until = inf``
  (every occurrence is scheduled), no SYN flood (every peer group's ``kind`` is ``connect``,
  so the model has no half-open table), every peer group's ``give_up = inf`` (a peer closes only
  after its data, so nothing reaches the MTA before its CC but the CR), ``process`` fixed or
  poisson, ``close`` close or reset (rule ``reset-is-close``: the same input for the NSI).
  The model's value types are those the proof reads (:data:`CONNSPEC_FIELDS`,
  :data:`CONFIG_FIELDS`).
* **Feed-forward.** Under that scope no input of connection *i* depends on a connection after
  it: the listener accepts in FIFO order, ``A_i = max(a_i, A_{i-1}) + accept_time``; at
  ``A_i`` POP4 takes a control block if one is free (a block comes back at its holder's
  close, which is an occurrence of a kind before ``ACCEPT``, so a close at ``A_i`` frees it
  for this accept), else the refusal row; the kernel is a FIFO multi-server queue, the job
  starting at ``S_i = max(A_i, earliest free thread)`` and ready at ``F_i = S_i + service``;
  the timer fires at ``D_i = A_i + response_timeout``. The tie rule (``(t, kind, seq)``,
  OK_READY first): the connection opens iff ``F_i <= D_i`` (an OK ready at the deadline is in
  time), and a thread freed at ``t`` takes a job requested at ``t``. Everything about *i*
  (accept, block, start, outcome, when its block comes back) is known at step *i* from the
  steps before it, so one pass in arrival order, lanes side by side, gives every count.
* **The builds' policies** (read from ``Build.table()`` and ``LOGS``, never restated): the
  rows the proof uses must be, with any logging effects besides: ``(idle, open)`` to opening
  with one REQUEST_OK; ``(opening, ok)`` to open with one SEND_CC; ``(opening, close)`` (the
  race) to closed with one RELEASE_CB or LEAK_CB and at most one CANCEL_OK (the hotfix's
  withdrawal: a job still queued at ``D_i``, ``S_i > D_i``, never runs; one running finishes);
  ``(open, close)`` to closed with one RELEASE_CB or LEAK_CB; ``(closed, ok)`` to closed with
  DISCARD/IGNORE; ``(open, data)`` to open with DELIVER/IGNORE; the refusal row with one
  REFUSE. Each row's counters are the counts its effects make (``logged`` at the run's
  logging level, ``is_logged``).
* **Checked per lane while it runs**: the listen backlog never fills (connection *i* finds
  ``backlog`` connections waiting iff ``A_{i-backlog} >= a_i``), and no Poisson arrival comes
  near the last instant a timestamp can show. A lane that fails either is out of scope.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, fields

from ..core import (
    CATALOG,
    LOGS,
    REFUSAL,
    Build,
    ConnSpec,
    Effect,
    EventId,
    Input,
    Kind,
    LoggingLevel,
    ModelConfig,
    State,
    Transition,
    is_logged,
)
from ..scenario import SCHEMA, Scenario

#: The scenario keys whose effect on a run the proof covers, by table.
KNOWN_KEYS: Mapping[str, frozenset[str]] = {
    "": frozenset({"name", "description", "seed", "epoch", "build", "until"}),
    "winsock": frozenset(
        {"response_timeout", "os", "backlog", "max_half_open", "syn_ack_retransmissions"}
    ),
    "mta": frozenset(
        {
            "control_blocks",
            "open_associations",
            "threads",
            "ok_delay",
            "ok_delay_jitter",
            "accept_time",
            "logging",
            "computer",
            "pop4_instance",
            "pop4_proc",
            "lpi_component",
        }
    ),
    "peers": frozenset(
        {
            "name",
            "kind",
            "at",
            "count",
            "process",
            "interval",
            "rate",
            "hold",
            "give_up",
            "latency",
            "latency_jitter",
            "data_units",
            "close",
        }
    ),
}
CONNSPEC_FIELDS = frozenset(
    {"conn", "arrival", "service", "hold", "give_up", "latency", "data_units", "reset", "peer"}
)
CONFIG_FIELDS = frozenset(
    {
        "epoch",
        "response_timeout",
        "backlog",
        "control_blocks",
        "open_associations",
        "threads",
        "accept_time",
        "logging",
        "until",
        "pop4_task",
        "lpi_component",
        "half_open",
    }
)
#: The order of one instant the proof reads (rule ``tie-rule``).
KIND_ORDER = ("OK_READY", "PEER_CLOSE", "RESPONSE_TIMEOUT", "PEER_DATA", "ARRIVAL", "ACCEPT")
#: The scenario keys whose values the draws of a point depend on (``sim.scenario.arrivals``):
#: points that agree on these share one draw.
DRAW_KEYS = ("seed", "peers", "mta.ok_delay", "mta.ok_delay_jitter")


def model_problem() -> str | None:
    """Why the core's or the scenario's types are not those the proof reads, or ``None``
    (a key the schema gained is out of scope until the proof covers it, whatever its
    value)."""
    if tuple(k.name for k in sorted(Kind)) != KIND_ORDER:
        return "the core's occurrence kinds are not the ones the fast engine knows"
    if set(ConnSpec._fields) != CONNSPEC_FIELDS:
        return "the core's connections have fields the fast engine does not know"
    if {f.name for f in fields(ModelConfig)} != CONFIG_FIELDS:
        return "the core's model configuration has fields the fast engine does not know"
    if set(SCHEMA) != set(KNOWN_KEYS):
        return "the scenario has tables the fast engine does not know"
    for table, known in KNOWN_KEYS.items():
        for f in SCHEMA[table]:
            if f.key not in known:
                name = f"{table}.{f.key}" if table else f.key
                return f"the scenario key {name} is not one the fast engine knows"
    return None


def point_problem(scenario: Scenario, config: ModelConfig) -> str | None:
    """Why one point (its validated scenario and model configuration) is out of scope."""
    if config.until is not None:
        return "until is finite"
    if config.response_timeout is not None and config.response_timeout <= 0:
        return "winsock.response_timeout is 0"
    if not scenario.peers:
        return "the scenario has no peers"
    if config.half_open is not None:
        return "the scenario has a SYN flood (the half-open table is model 4's, not the proof's)"
    for position, group in enumerate(scenario.peers):
        if group.kind != "connect":
            return f"peers[{position}].kind is {group.kind} (only connect peers are in scope)"
        if not math.isinf(group.give_up):
            return f"peers[{position}].give_up is finite (the peer gives up)"
        if group.process not in ("fixed", "poisson"):
            return f"peers[{position}].process is not fixed or poisson"
        if group.close not in ("close", "reset"):
            return f"peers[{position}].close is not close or reset"
    return None


def draw_key(scenario: Scenario) -> Hashable:
    """What a point's draws depend on (:data:`DRAW_KEYS`), as one hashable value."""
    return (scenario.seed, scenario.peers, scenario.mta.ok_delay, scenario.mta.ok_delay_jitter)


@dataclass(frozen=True, slots=True)
class RowTally:
    """What one application of a row adds to the counters (by counter name, and
    ``logged`` by event id), and whether it leaks or withdraws."""

    counts: Mapping[str, int]
    logged: Mapping[EventId, int]
    leak: bool = False
    withdraw: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    """A build's rows as the recursion uses them, at one logging level."""

    build: str
    open: RowTally
    refusal: RowTally
    ok: RowTally
    race: RowTally
    normal: RowTally
    late_ok: RowTally
    data: RowTally


#: The counter each effect moves (``sim.core._pop4``: where the effects are carried out).
_EFFECT_COUNTER = {
    Effect.SEND_CC: "opened",
    Effect.CANCEL_OK: "ok_cancelled",
    Effect.DISCARD: "late_ok_discarded",
    Effect.DELIVER: "data_units",
    Effect.REFUSE: "refused_no_cb",
    Effect.LEAK_CB: "cb_leaked",
}
_BLOCK = (Effect.RELEASE_CB, Effect.LEAK_CB)


class OutOfScope(Exception):
    """A build's policy, or a point, that the proof does not cover."""


@dataclass(frozen=True, slots=True)
class _Need:
    """What the proof needs of one row: its key (``None``: the refusal row), the state it
    leads to, the effects it must have (how many times each), the effects it may have besides
    the logging ones, and whether it must return or leak the control block exactly once."""

    key: tuple[State, Input] | None
    to: State
    required: Mapping[Effect, int]
    optional: frozenset[Effect] = frozenset()
    block: bool = False


_NEEDS: Mapping[str, _Need] = {
    "open": _Need((State.IDLE, Input.OPEN), State.OPENING, {Effect.REQUEST_OK: 1}),
    "refusal": _Need(None, State.CLOSED, {Effect.REFUSE: 1}),
    "ok": _Need((State.OPENING, Input.OK), State.OPEN, {Effect.SEND_CC: 1}),
    "race": _Need(
        (State.OPENING, Input.CLOSE), State.CLOSED, {}, frozenset({Effect.CANCEL_OK}), True
    ),
    "normal": _Need((State.OPEN, Input.CLOSE), State.CLOSED, {}, block=True),
    "late_ok": _Need(
        (State.CLOSED, Input.OK), State.CLOSED, {}, frozenset({Effect.DISCARD, Effect.IGNORE})
    ),
    "data": _Need(
        (State.OPEN, Input.DATA), State.OPEN, {}, frozenset({Effect.DELIVER, Effect.IGNORE})
    ),
}


def _tally(name: str, row: Transition | None, level: LoggingLevel, need: _Need) -> RowTally:
    """Check a row against what the proof needs of it, and count its effects."""
    shown = (
        "the refusal row"
        if need.key is None
        else f"the row ({need.key[0].value}, {need.key[1].value})"
    )
    if row is None:
        raise OutOfScope(f"the build has no {shown}")
    if row.next_state is not need.to:
        raise OutOfScope(f"{shown} leads to {row.next_state.value}")
    counts: dict[str, int] = {}
    logged: dict[EventId, int] = {}
    seen: dict[Effect, int] = {}
    allowed = need.optional | (frozenset(_BLOCK) if need.block else frozenset())
    for effect in row.effects:
        seen[effect] = seen.get(effect, 0) + 1
        logs = LOGS.get(effect)
        if logs is not None:
            if is_logged(CATALOG[logs[0]], level):
                logged[logs[0]] = logged.get(logs[0], 0) + 1
            continue
        if effect not in need.required and effect not in allowed:
            raise OutOfScope(f"{shown} has the effect {effect.name}")
        counter = _EFFECT_COUNTER.get(effect)
        if counter is not None:
            counts[counter] = counts.get(counter, 0) + 1
    for effect, times in need.required.items():
        if seen.get(effect, 0) != times:
            raise OutOfScope(f"{shown} has {effect.name} {seen.get(effect, 0)} times")
    blocks = sum(seen.get(e, 0) for e in _BLOCK)
    if (need.block and blocks != 1) or seen.get(Effect.CANCEL_OK, 0) > 1:
        raise OutOfScope(f"{shown} does not return or leak its control block exactly once")
    return RowTally(counts, logged, Effect.LEAK_CB in seen, Effect.CANCEL_OK in seen)


def policy(build: Build, level: LoggingLevel) -> Policy:
    """The build's policy as the recursion uses it; :class:`OutOfScope` with the reason when
    a row is not one the proof covers."""
    rows = build.table()
    tallies = {
        name: _tally(name, REFUSAL if need.key is None else rows.get(need.key), level, need)
        for name, need in _NEEDS.items()
    }
    return Policy(build.version, **tallies)
