"""Traces: a run kept as JSON Lines, checked on reading, replayed on any build.

Rules of this module:

* Line 1 is the header: ``{"kind": "header", "format": "mtasim-trace", "version": 1, "tool":
  ..., "scenario_digest": ..., "scenario": {...}, "seed": ..., "build": ...}``. It names no
  driver: the trio and batch drivers write the same bytes.
* Then one line per input the model consumed and per event it logged, in the order they
  happened: ``{"kind": "input", "us": 21000000, "t": 21.0, "input": "response_timeout",
  "conn": 0, ...}`` and ``{"kind": "event", "us": ..., <the JSON Lines event fields>}``.
  ``us`` is the exact virtual time in microseconds; ``t`` the same in seconds, for people.
  Arrival inputs carry everything drawn for the connection (service time, latency, hold,
  give-up...): they are what a replay re-drives.
* Inputs marked ``"external": true`` came from outside the model (a live session's real peers,
  ``docs/live.md``): an arrival, data or a close at the time it was observed. A replay pushes
  them again at the same ``us``, in file order (:func:`recorded_externals`); they are not
  re-drawn arrivals.
* The last line is the footer: ``{"kind": "footer", "lines": N, "inputs": I, "events": E,
  "sha256": ...}``, N the number of lines before it and the digest that of their bytes. A
  missing footer means a truncated file; a digest that does not match, an edited one.
* A trace is written to a temporary file and renamed into place when the run ends, so an
  interrupted run leaves no partial file.
* Reading is for hostile files (:func:`verify`, ``_read``): every line is checked as it is
  read and against the header (``_check``); ``docs/traces.md`` lists the checks.

Modules: ``_format`` (the text of each line, the writer), ``_read`` (verifying, the recorded
inputs), ``_check`` (the checks of the body), ``_compare`` (a replay against its recording).
"""

from ._check import TraceError
from ._compare import Mismatch, TraceComparator
from ._format import (
    FORMAT,
    MAX_LINE,
    VERSION,
    TraceWriter,
    event_line,
    header,
    input_line,
)
from ._read import TraceInfo, body_lines, recorded_arrivals, recorded_externals, verify

__all__ = [
    "FORMAT",
    "MAX_LINE",
    "VERSION",
    "Mismatch",
    "TraceComparator",
    "TraceError",
    "TraceInfo",
    "TraceWriter",
    "body_lines",
    "event_line",
    "header",
    "input_line",
    "recorded_arrivals",
    "recorded_externals",
    "verify",
]
