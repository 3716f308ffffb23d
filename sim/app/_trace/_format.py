"""Writing traces: the text of each line, and the writer (the format: ``sim.app._trace``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO

from ..._version import __version__
from ...core import MODEL_VERSION, Build, Event, Record, Step, to_seconds
from ...render import event_dict
from ...scenario import Scenario

FORMAT = "mtasim-trace"
VERSION = 1
#: The longest line a trace may have, in characters. The longest the writer can write is the
#: header of a scenario with the most peer groups, every string of the most characters and
#: each character escaped (6 characters): under 7 million.
MAX_LINE = 16 << 20


# What json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False) uses,
# made once (the same text, without an encoder per line).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps(obj: dict[str, Any]) -> str:
    return _ENCODER.encode(obj)


def record_line(record: Record, *, external: bool = False, dropped: bool = False) -> dict[str, Any]:
    """The line of one input: its record, then the marks the writer adds (an input from outside
    the model is ``"external": true``; one that reached no POP4 table ``"dropped": true``)."""
    line: dict[str, Any] = {
        "kind": "input",
        "us": record.t,
        "t": to_seconds(record.t),
        "input": record.kind.label,
        "conn": record.conn,
    }
    line.update(record.detail)
    if external:
        line["external"] = True
    if dropped:
        line["dropped"] = True
    return line


def input_line(step: Step) -> dict[str, Any]:
    """The line of a step's input."""
    return record_line(step.record, external=step.external, dropped=step.dropped)


def event_line(event: Event) -> dict[str, Any]:
    return {"kind": "event", "us": event.t, **event_dict(event)}


def header(scenario: Scenario, build: Build) -> dict[str, Any]:
    """The first line. It names no driver: every driver writes the same bytes."""
    return {
        "kind": "header",
        "format": FORMAT,
        "version": VERSION,
        "model": MODEL_VERSION,
        "tool": f"mtasim {__version__}",
        "scenario_digest": scenario.digest(),
        "scenario": scenario.to_dict(),
        "seed": scenario.seed,
        "build": build.version,
    }


class TraceWriter:
    """Streams one run's trace to a text file, hashing as it goes."""

    def __init__(self, out: TextIO, scenario: Scenario, build: Build) -> None:
        self._out = out
        self._hash = hashlib.sha256()
        self.lines = 0
        self.inputs = 0
        self.events = 0
        self._write(header(scenario, build))

    def _write(self, obj: dict[str, Any]) -> None:
        text = dumps(obj) + "\n"
        self._hash.update(text.encode("utf-8"))
        self._out.write(text)
        self.lines += 1

    def step(self, step: Step) -> None:
        """One step: its input line, then a line per event it logged."""
        self._write(input_line(step))
        self.inputs += 1
        for event in step.events:
            self._write(event_line(event))
            self.events += 1

    def close(self) -> None:
        footer = {
            "kind": "footer",
            "lines": self.lines,
            "inputs": self.inputs,
            "events": self.events,
            "sha256": self._hash.hexdigest(),
        }
        self._out.write(dumps(footer) + "\n")
