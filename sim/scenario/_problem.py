"""Problems of a scenario, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import MtasimError
from ..text._input import clip

#: A scenario error shows this many problems, then a line counting the others.
MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: ``ORIGIN[:LINE]: KEY: MESSAGE``. ``origin`` is where the value came from:
    a file, ``<bundled:NAME>``, ``--set KEY=VALUE``, ``--seed N`` or ``<python>``."""

    origin: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.origin if self.line is None else f"{self.origin}:{self.line}"
        if not self.key:
            return f"{where}: {self.message}"
        return f"{where}: {clip(self.key)}: {self.message}"


class ScenarioError(MtasimError):
    """One or more problems in a scenario; ``str()`` gives one line per problem.

    ``problems`` holds at most :data:`MAX_PROBLEMS` problems and then, when there were more,
    one last line ``ORIGIN: ... and N more problems``; ``more`` is that N (else 0)."""

    def __init__(self, problems: list[Problem], more: int = 0) -> None:
        if len(problems) > MAX_PROBLEMS:
            more += len(problems) - MAX_PROBLEMS
            problems = problems[:MAX_PROBLEMS]
        if more:
            origin = problems[0].origin if problems else "<scenario>"
            problems = [*problems, Problem(origin, "", f"... and {more:,} more problems")]
        self.problems = problems
        self.more = more
        super().__init__("\n".join(str(p) for p in problems))
