"""Comparing a replay with its recording, line by line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core import Step
from ._format import dumps, event_line, input_line
from ._read import body_lines


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The first line where a replay differs from its recording (1-based file line)."""

    line: int
    expected: str | None
    got: str | None


class TraceComparator:
    """Compares a run's trace lines, as they are produced, with a recorded trace's body."""

    def __init__(self, path: str | Path) -> None:
        self._recorded = body_lines(path)
        self._line = 1  # the header is line 1
        self.mismatch: Mismatch | None = None

    def _check(self, obj: dict[str, Any]) -> None:
        self._line += 1
        if self.mismatch is not None:
            return
        got = dumps(obj)
        expected = next(self._recorded, None)
        if got != expected:
            self.mismatch = Mismatch(self._line, expected, got)

    def step(self, step: Step) -> None:
        self._check(input_line(step))
        for event in step.events:
            self._check(event_line(event))

    def finish(self) -> Mismatch | None:
        """The first difference, including a recording that goes on longer than the run."""
        if self.mismatch is None:
            extra = next(self._recorded, None)
            if extra is not None:
                self.mismatch = Mismatch(self._line + 1, extra, None)
        return self.mismatch
