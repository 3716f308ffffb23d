"""``--engine core|fast|auto``: which engine runs a grid (``sim.app._fast_sweep``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ..app._engines import ENGINES


def add_engine_argument(parser: Any) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="what runs the grid: core (every point simulated), fast (one recursion over "
        "all points in numpy, refused with the reason when a point is out of its scope), "
        "auto (fast when every point is in scope and numpy is installed, else core, saying "
        "why; the default). The output is the same either way.",
    )


def say_once(command: str) -> Callable[[str], None]:
    """A one-line note on stderr, ``mtasim COMMAND: ...``, written once however often it is
    called (a command that runs several grids says why once)."""
    said: set[str] = set()

    def say(message: str) -> None:
        if message not in said:
            said.add(message)
            print(f"mtasim {command}: {message}", file=sys.stderr)

    return say
