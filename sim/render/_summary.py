"""One-line forms of events, a run's counters as text or JSON, and side-by-side tables of
run counters."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from ..core import Build, Effect, Event, EventId, Input, State, Summary, clock12
from ._forms import oneline


def event_oneline(event: Event) -> str:
    """``   21.000000 s  02:43:50pm  4283  LPI 1-15-12  Bad LPI (error code 8464)``."""
    return (
        f"{event.seconds:12.6f} s  {clock12(event.timestamp)}  {int(event.event_id)}  "
        f"{oneline(event)}"
    )


def compare_rows(summaries: Sequence[Summary]) -> list[tuple[str, list[int]]]:
    """The rows of ``mtasim compare``'s table for several runs, in order: (label, values)."""
    rows: list[tuple[str, Callable[[Summary], int]]] = [
        ("connections", lambda s: s.connections),
        ("opened (OK response in time)", lambda s: s.opened),
        ("timed out: the MTA's response timer", lambda s: s.timed_out),
        ("timed out: the peer gave up", lambda s: s.peer_gave_up),
        ("closed while the OK was pending", lambda s: s.race_closes),
    ]
    rows += [(f"{int(e)} logged", _logged(e)) for e in EventId]
    rows += [
        ("refused: backlog full", lambda s: s.refused_backlog),
        ("refused: no free control block", lambda s: s.refused_no_cb),
        ("refused: half-open table full", lambda s: s.refused_half_open),
        ("control blocks in use at the end", lambda s: s.cb_in_use),
        ("control blocks leaked", lambda s: s.cb_leaked),
        ("associations open at the end", lambda s: s.open_associations),
    ]
    return [(label, [value(s) for s in summaries]) for label, value in rows]


def _logged(event_id: EventId) -> Callable[[Summary], int]:
    return lambda s: s.logged[event_id]


def logged_counts(summary: Summary) -> str:
    """``4258 x1, 4283 x1, 9156 x0``: each event of the catalog and how often it was logged."""
    return ", ".join(f"{int(e)} x{n}" for e, n in summary.logged.items())


def summary_lines(summary: Summary, build: str) -> list[str]:
    """``mtasim run --summary``: the build, then one ``name value`` line per counter."""
    return [f"build {build}"] + [
        f"  {key:<22} {value}" for key, value in summary.as_dict().items() if key != "events"
    ]


def summary_json(summary: Summary, build: str) -> str:
    """``--summary-format json``: one line, one JSON object: ``build`` (the version), then the
    counters of :func:`summary_lines` in the same order, with ``events`` as the count of each
    event the model knows, by id (``{"4258": 1, "4283": 1, "9156": 0}``, zeros included)."""
    out: dict[str, Any] = {"build": build, **summary.as_dict()}
    out["events"] = {str(int(e)): n for e, n in summary.logged.items()}
    return json.dumps(out)


def withdraws_work(build: Build) -> bool:
    """Whether a Close Request while the OK response is pending withdraws the connection's
    OK-response job on ``build`` (rule ``hotfix-withdraws``; else ``sp4-dead-work``)."""
    row = build.table().get((State.OPENING, Input.CLOSE))
    return row is not None and Effect.CANCEL_OK in row.effects


def why_counts_differ(a: Build, sa: Summary, b: Build, sb: Summary) -> str | None:
    """One line on why two builds' race counts differ on identical inputs, or ``None`` when
    they do not (or for a reason other than withdrawn work)."""
    if (sa.opened, sa.timed_out) == (sb.opened, sb.timed_out):
        return None
    if withdraws_work(a) == withdraws_work(b):
        return None
    keeps, withdraws = (a, b) if withdraws_work(b) else (b, a)
    return (
        f"why the counts differ on identical inputs: a Close Request while the OK response is "
        f"pending leaves that connection's queued job for a kernel thread on {keeps.alias} "
        f"(dead work, rule sp4-dead-work) and withdraws it on {withdraws.alias} (rule "
        f"hotfix-withdraws), so {withdraws.alias}'s threads reach the connections behind it "
        f"sooner: opened {sa.opened} vs {sb.opened}, timed out {sa.timed_out} vs {sb.timed_out} "
        f"({a.alias} vs {b.alias})"
    )
