"""One-line forms of events, a run's counters as text or JSON, and side-by-side tables of
run counters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..core import Event, EventId, clock12
from ._forms import oneline


def event_oneline(event: Event) -> str:
    """``   21.000000 s  02:43:50pm  4283  LPI 1-15-12  Bad LPI (error code 8464)``."""
    return (
        f"{event.seconds:12.6f} s  {clock12(event.timestamp)}  {int(event.event_id)}  "
        f"{oneline(event)}"
    )


#: Rows of a comparison: (label, summary key or keys added together).
COMPARE_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("connections", ("connections",)),
    ("opened (OK response in time)", ("opened",)),
    ("timed out at the Winsock layer", ("timed_out",)),
    ("closed while the OK was pending", ("race_closes",)),
    ("4258 logged", ("logged_4258",)),
    ("4283 logged", ("logged_4283",)),
    ("9156 logged", ("logged_9156",)),
    ("refused: backlog full", ("refused_backlog",)),
    ("refused: no free control block", ("refused_no_cb",)),
    ("control blocks in use at the end", ("cb_in_use",)),
    ("control blocks leaked", ("cb_leaked",)),
    ("associations open at the end", ("open_associations",)),
)


def compare_rows(summaries: Sequence[dict[str, Any]]) -> list[tuple[str, list[int]]]:
    """The comparison rows for several runs' summaries."""
    return [
        (label, [sum(int(s[key]) for key in keys) for s in summaries])
        for label, keys in COMPARE_ROWS
    ]


def summary_lines(summary: dict[str, Any], build: str) -> list[str]:
    """``mtasim run --summary``: the build, then one ``name value`` line per counter."""
    return [f"build {build}"] + [
        f"  {key:<22} {value}" for key, value in summary.items() if key != "events"
    ]


def summary_json(summary: dict[str, Any], build: str) -> str:
    """``--summary-format json``: one line, one JSON object: ``build`` (the version), then the
    counters of :func:`summary_lines` in the same order, with ``events`` as the count of each
    event the model knows, by id (``{"4258": 1, "4283": 1, "9156": 0}``, zeros included)."""
    logged = summary.get("events", {})
    out: dict[str, Any] = {"build": build}
    for key, value in summary.items():
        out[key] = value
    out["events"] = {str(int(e)): int(logged.get(str(int(e)), 0)) for e in EventId}
    return json.dumps(out)
